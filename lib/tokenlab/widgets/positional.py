"""The positional-encoding explorer: the sinusoidal table, its dot products and its rotations.

Three views of :func:`tokenlab.positional.sinusoidal`, for a sequence length ``L``, a model width
``d`` and a ``base`` the reader chooses with sliders:

* a heatmap of the table ``P`` (``L`` rows, one per position; ``d`` columns), with the query
  row ``i`` outlined;
* the dot products ``P[i]·P[j]`` for every ``j``: the curve peaks at ``j = i``, and
  ``P[n]·P[n+k]`` is the same for every ``n`` (it depends only on the offset ``k``);
* one (sin, cos) pair ``j`` as points on the unit circle: each position turns the point by
  ``theta_j = base ** (-2j / d)``, so going from ``i`` to ``i + k`` turns it by ``k theta_j``
  whatever ``i`` (the block of :func:`tokenlab.positional.relative_rotation`).

:func:`positional_summary` computes the numbers the widget shows. ``positional.js`` computes
the same numbers in the browser from the six parameters alone (nothing large is embedded), so
the widget works on the static site with no kernel; in a live kernel each change also reaches
Python, which recomputes :attr:`PositionalWidget.result`, and the widget then shows the
kernel's numbers. The DOM the JavaScript builds (class names and data attributes that tests
rely on) is documented at the top of ``positional.js``.
"""

from __future__ import annotations

import math
from numbers import Real
from pathlib import Path
from typing import Any

import anywidget
import torch
import traitlets

from tokenlab.positional import relative_rotation, sinusoidal
from tokenlab.widgets._checks import integer
from tokenlab.widgets._recompute import Recomputed

__all__ = ["PositionalWidget", "positional_summary"]

HERE = Path(__file__).resolve().parent
# The page's sliders: 2 <= length <= 128 and 2 <= dim <= 128 (even).
MIN_LENGTH, MAX_LENGTH = 2, 128
MIN_DIM, MAX_DIM = 2, 128
# The bases the page offers; any finite base > 0 (as tokenlab.positional accepts) also works.
BASES = (100.0, 1000.0, 10000.0, 100000.0)


# ---- input checks ---------------------------------------------------------------------------


def _int(name: str, value: Any, lo: int, hi: int, what: str | None = None) -> int:
    """``value`` as an int in ``[lo, hi]``; NumPy and torch integers accepted, bool and float
    refused (as :mod:`tokenlab.positional` does). ``what`` spells out ``hi`` in the message."""
    number = integer(name, value)
    if not lo <= number <= hi:
        bound = f"{what} = {hi}" if what else str(hi)
        raise ValueError(f"{name} must be between {lo} and {bound}, got {number}")
    return number


def _dim(value: Any) -> int:
    """An even ``dim`` in ``[2, 128]``. Odd is refused, as :func:`sinusoidal` refuses it."""
    number = integer("dim", value)
    if number % 2:
        raise ValueError(
            f"dim must be even, got {number}: the sinusoidal columns come in (sin, cos) pairs, "
            "one pair per frequency"
        )
    return _int("dim", number, MIN_DIM, MAX_DIM)


def _base(value: Any) -> float:
    """A finite ``base > 0``, as :func:`sinusoidal` accepts."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"base must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"base must be a finite positive number, got {value!r}")
    return number


def _params(length: Any, dim: Any, base: Any, position: Any, offset: Any,
            pair: Any) -> tuple[int, int, float, int, int, int]:
    """The six parameters of :func:`positional_summary`, checked (each error names its own)."""
    length = _int("length", length, MIN_LENGTH, MAX_LENGTH)
    dim = _dim(dim)
    base = _base(base)
    position = _int("position", position, 0, length - 1, "length - 1")
    offset = _int("offset", offset, 0, length - 1 - position, "length - 1 - position")
    pair = _int("pair", pair, 0, dim // 2 - 1, "dim/2 - 1")
    return length, dim, base, position, offset, pair


def _wrap(x: torch.Tensor) -> torch.Tensor:
    """An angle minus whole turns, in [-pi, pi]: ``x - 2 pi floor(x / 2 pi + 1/2)``, exactly as
    ``positional.js`` computes it (``Math.round`` rounds halves up, like this floor)."""
    turn = 2 * math.pi
    return x - turn * torch.floor(x / turn + 0.5)


# ---- numbers ----------------------------------------------------------------------------------


def positional_summary(length: int = 48, dim: int = 32, base: float = 10000.0,
                       position: int = 0, offset: int = 1, pair: int = 0) -> dict[str, Any]:
    """The numbers the explorer shows, from :mod:`tokenlab.positional`, in float64.

    With ``P = sinusoidal(length, dim, base=base, dtype=torch.float64)``, ``i = position``,
    ``k = offset``, ``j = pair`` and ``theta_j = base ** (-2j / dim)``:

    Parameters
    ----------
    length : int
        Number of positions ``L``, 2 to 128 (the page's slider).
    dim : int
        Model width ``d``, even, 2 to 128. An odd ``dim`` is refused, as :func:`sinusoidal`
        refuses it.
    base : float
        Any finite ``base > 0`` (the page offers 100, 1000, 10000 and 100000).
    position : int
        The query position ``i``, ``0 <= i <= L - 1``.
    offset : int
        The offset ``k``, ``0 <= k <= L - 1 - i`` (so that ``i + k`` is a position).
    pair : int
        The (sin, cos) pair ``j`` of the rotation view, ``0 <= j <= d/2 - 1``: columns ``2j``
        (sines) and ``2j + 1`` (cosines).

    Returns
    -------
    dict
        ``length``, ``dim``, ``base`` (float), ``position``, ``offset``, ``pair``: the inputs;
        ``row``: ``P[i]`` (``d`` numbers);
        ``dots``: ``P[i]·P[j]`` for ``j = 0 .. L-1``;
        ``peak``: the ``j`` of the largest dot product (always ``i``: it is ``d/2`` there);
        ``shift_dots``: ``P[n]·P[n+k]`` for ``n = 0 .. L-1-k``;
        ``shift_dot``: ``P[i]·P[i+k]``;
        ``shift_deviation``: ``max |P[n]·P[n+k] - P[i]·P[i+k]|`` over those ``n`` (rounding
        only: the dot product depends on ``k`` alone);
        ``theta``: ``theta_j`` (radians per position);
        ``angle``: ``k theta_j``;
        ``angle_degrees``: ``k theta_j`` in degrees, modulo 360;
        ``rotation``: the pair's 2 x 2 block of ``relative_rotation(k, d, base=base)``,
        ``[[cos k theta_j, sin k theta_j], [-sin k theta_j, cos k theta_j]]``;
        ``pair_points``: ``[P[n, 2j+1], P[n, 2j]]`` = ``[cos n theta_j, sin n theta_j]`` for
        every ``n``, the points on the unit circle;
        ``turn``: the angle measured from point ``i`` to point ``i + k``,
        ``atan2(x_i y_(i+k) - y_i x_(i+k), x_i x_(i+k) + y_i y_(i+k))``, in ``[-pi, pi]``;
        ``turn_deviation``: over every ``n = 0 .. L-1-k``, the largest difference between the
        measured turn from ``n`` to ``n + k`` and ``k theta_j``, whole turns removed.

    Raises
    ------
    TypeError
        Naming the argument that is not an integer (``base``: not a real number).
    ValueError
        Naming the argument out of its range, an odd ``dim``, or a ``base`` that is not finite
        and positive.

    Examples
    --------
    >>> s = positional_summary(length=6, dim=4, base=100.0, position=1, offset=2, pair=1)
    >>> s["peak"], s["dots"][1], s["theta"], round(s["angle"], 12)
    (1, 2.0, 0.1, 0.2)
    >>> round(s["shift_dot"], 12) == round(math.cos(2) + math.cos(0.2), 12)
    True
    >>> s["shift_deviation"] < 1e-12, s["pair_points"][0]
    (True, [1.0, 0.0])
    """
    length, dim, base, position, offset, pair = _params(length, dim, base, position, offset,
                                                        pair)
    table = sinusoidal(length, dim, base=base, dtype=torch.float64)
    dots = table @ table[position]
    shift_dots = (table[: length - offset] * table[offset:]).sum(dim=-1)
    shift_dot = shift_dots[position]
    theta = base ** (-(2 * pair) / dim)  # sinusoidal's frequency for columns 2j and 2j + 1
    angle = offset * theta
    block = relative_rotation(offset, dim, base=base, dtype=torch.float64)
    block = block[2 * pair: 2 * pair + 2, 2 * pair: 2 * pair + 2]
    points = torch.stack((table[:, 2 * pair + 1], table[:, 2 * pair]), dim=-1)
    (x0, y0), (x1, y1) = points[: length - offset].T, points[offset:].T
    turns = torch.atan2(x0 * y1 - y0 * x1, x0 * x1 + y0 * y1)
    return {
        "length": length,
        "dim": dim,
        "base": base,
        "position": position,
        "offset": offset,
        "pair": pair,
        "row": table[position].tolist(),
        "dots": dots.tolist(),
        "peak": int(torch.argmax(dots)),
        "shift_dots": shift_dots.tolist(),
        "shift_dot": float(shift_dot),
        "shift_deviation": float((shift_dots - shift_dot).abs().max()),
        "theta": theta,
        "angle": angle,
        "angle_degrees": math.fmod(angle * 180 / math.pi, 360.0),
        "rotation": block.tolist(),
        "pair_points": points.tolist(),
        "turn": float(turns[position]),
        "turn_deviation": float(_wrap(turns - angle).abs().max()),
    }


# ---- the widget ---------------------------------------------------------------------------------


class PositionalWidget(Recomputed, anywidget.AnyWidget):
    """Explore the sinusoidal positional encoding: its table, dot products and rotations.

    Parameters
    ----------
    length : int
        Sequence length ``L``, 2 to 128 (a slider on the page).
    dim : int
        Model width ``d``, even, 2 to 128 (a slider, step 2). Odd is refused, as
        :func:`tokenlab.positional.sinusoidal` refuses it.
    base : float
        Any finite ``base > 0``; the page offers 100, 1000, 10000 and 100000 (and keeps
        another base given here as a choice).
    position : int
        The query position ``i``, ``0 <= i <= L - 1``.
    offset : int
        The offset ``k``, ``0 <= k <= L - 1 - i``.
    pair : int
        The (sin, cos) pair ``j`` shown on the unit circle, ``0 <= j <= d/2 - 1``.

    Attributes
    ----------
    length, dim, base, position, offset, pair
        Synced with the page: the reader's sliders come back here (in a live kernel). An
        assignment out of range raises ``ValueError``; a change of ``length``, ``dim`` or
        ``position`` that leaves ``position``, ``offset`` or ``pair`` out of range clamps them,
        as the page's sliders do.
    result : dict
        :func:`positional_summary` of the current parameters, recomputed on every change.

    Examples
    --------
    >>> w = PositionalWidget(length=8, dim=4, position=2, offset=3)
    >>> w.result["peak"], w.result["dots"][2], len(w.result["shift_dots"])
    (2, 2.0, 5)
    >>> w.result["shift_deviation"] < 1e-12
    True
    >>> w.position = 7  # the offset can no longer be 3: it is clamped, as on the page
    >>> w.offset, w.result["shift_dot"]
    (0, 2.0)
    >>> w.length = 4
    >>> w.position, w.result["dots"]  # doctest: +ELLIPSIS
    (3, [0.0..., ..., ..., 2.0])
    """

    _esm = (HERE / "positional.js").read_text(encoding="utf-8")
    _css = (HERE / "positional.css").read_text(encoding="utf-8")

    length = traitlets.Int(48).tag(sync=True)
    dim = traitlets.Int(32).tag(sync=True)
    base = traitlets.Float(10000.0).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    offset = traitlets.Int(1).tag(sync=True)
    pair = traitlets.Int(0).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(self, length: int = 48, dim: int = 32, base: float = 10000.0,
                 position: int = 0, offset: int = 1, pair: int = 0, **kwargs: Any) -> None:
        # Every argument checked (and named) before any trait is set.
        length, dim, base, position, offset, pair = _params(length, dim, base, position, offset,
                                                            pair)
        super().__init__(length=length, dim=dim, base=base, position=position, offset=offset,
                         pair=pair, **kwargs)

    # ---- validation (cross-validation waits for every trait of a set_state) ----
    @traitlets.validate("length")
    def _valid_length(self, proposal: dict) -> int:
        return _int("length", proposal["value"], MIN_LENGTH, MAX_LENGTH)

    @traitlets.validate("dim")
    def _valid_dim(self, proposal: dict) -> int:
        return _dim(proposal["value"])

    @traitlets.validate("base")
    def _valid_base(self, proposal: dict) -> float:
        return _base(proposal["value"])

    @traitlets.validate("position")
    def _valid_position(self, proposal: dict) -> int:
        return _int("position", proposal["value"], 0, self.length - 1, "length - 1")

    @traitlets.validate("offset")
    def _valid_offset(self, proposal: dict) -> int:
        return _int("offset", proposal["value"], 0, self.length - 1 - self.position,
                    "length - 1 - position")

    @traitlets.validate("pair")
    def _valid_pair(self, proposal: dict) -> int:
        return _int("pair", proposal["value"], 0, self.dim // 2 - 1, "dim/2 - 1")

    # ---- following changes ----
    @traitlets.observe("length", "dim", "base", "position", "offset", "pair")
    def _on_change(self, change: dict) -> None:
        # Clamp what a smaller length, dim or a later position left out of range (the page's
        # sliders do the same), then recompute once everything is in range.
        with self.hold_trait_notifications():
            if self.position > self.length - 1:
                self.position = self.length - 1
            if self.offset > self.length - 1 - self.position:
                self.offset = self.length - 1 - self.position
            if self.pair > self.dim // 2 - 1:
                self.pair = self.dim // 2 - 1
        self._set_result(positional_summary, self.length, self.dim, self.base, self.position,
                         self.offset, self.pair)

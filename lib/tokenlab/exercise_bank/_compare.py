"""How the chapters' checkers compare an answer with the expected result, and show it.

Private to :mod:`tokenlab.exercise_bank`: every chapter module imports these from here, never
from another chapter. Numbers (:class:`Target`, :func:`close_number`, ...) are compared within
an absolute tolerance, with the numbers typical mistakes give and a remark for each; tensors
(:class:`TensorTarget`, :func:`close_tensor`, ...) in float64 on the CPU, entry by entry.

Examples
--------
>>> import torch
>>> close_tensor(torch.tensor([0.5, 1.0]), torch.tensor([0.5, 1.0], dtype=torch.float64))
True
>>> show_tensor(torch.tensor([1 / 3, 2.0]))
'tensor [0.3333, 2.0] of shape (2,) and torch.float32'
>>> pitfall_remark(25.0, Target(0.25, ((25.0, "a percentage, not a fraction"),)))
'a percentage, not a fraction'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

from tokenlab.exercises import short_repr

__all__: list[str] = []

#: The default tolerance of :func:`close_number` and :func:`pitfall_remark` (absolute).
NUMBER_TOLERANCE = 1e-6
#: The default tolerance of :func:`close_tensor` (every entry, absolute).
TENSOR_TOLERANCE = 1e-5
#: How close an answer must be to a typical wrong answer for the remark about that mistake.
PITFALL_TOLERANCE = 1e-4


# ---- ints and lists of str ------------------------------------------------------------------


def same_int(got: Any, expected: int) -> bool:
    """True when ``got`` is an integer (not a bool) equal to ``expected``."""
    return isinstance(got, Integral) and not isinstance(got, bool) and int(got) == expected


def show_int(got: Any) -> str:
    """How a failure shows an answer that should be an int."""
    if isinstance(got, Integral) and not isinstance(got, bool):
        return short_repr(got)
    return f"{short_repr(got)}, a {type(got).__name__}, not an int"


def same_str_list(got: Any, expected: list[str]) -> bool:
    """True when ``got`` is a list (or tuple) equal to ``expected``."""
    return isinstance(got, list | tuple) and list(got) == expected


# ---- numbers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An expected number, with the numbers typical mistakes give and a remark for each."""

    value: float
    pitfalls: tuple[tuple[float, str], ...] = field(default=(), repr=False)


def as_number(got: Any) -> float | None:
    """``got`` as a float when it is a real number (a 0-d array or tensor too), else None."""
    if isinstance(got, bool):
        return None
    if isinstance(got, Real):
        return float(got)
    if hasattr(got, "ndim") and hasattr(got, "item") and getattr(got, "ndim", None) == 0:
        value = got.item()
        if isinstance(value, Real) and not isinstance(value, bool):
            return float(value)
    return None


def close_number(got: Any, expected: Target, tolerance: float = NUMBER_TOLERANCE) -> bool:
    """True when ``got`` is a finite real number within ``tolerance`` of ``expected.value``."""
    value = as_number(got)
    return value is not None and math.isfinite(value) and abs(value - expected.value) <= tolerance


def show_number(got: Any) -> str:
    """How a failure shows an answer that should be a number: as it is, or what it is instead."""
    if as_number(got) is not None:
        return short_repr(got)
    return f"{short_repr(got)}, a {type(got).__name__}, not a float"


def show_float(got: Any) -> str:
    """Like :func:`show_number`, but a number shows as a float and a tensor by its shape."""
    import torch

    try:
        value = as_number(got)
        if value is not None:
            return short_repr(value)
        if isinstance(got, torch.Tensor):
            return f"a tensor of shape {tuple(got.shape)}, not one number"
    except Exception:  # an object that breaks even hasattr: show what repr gives
        pass
    return f"{short_repr(got)}, a {type(got).__name__}, not a float"


def pitfall_remark(got: Any, expected: Target,
                   tolerance: float = NUMBER_TOLERANCE) -> str | None:
    """The remark of the first typical mistake ``got`` matches (and the answer does not)."""
    value = as_number(got)
    if value is None:
        return None
    for wrong, remark in expected.pitfalls:
        if abs(value - wrong) <= tolerance and abs(wrong - expected.value) > tolerance:
            return remark
    return None


# ---- tensors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorTarget:
    """An expected tensor (or tuple of tensors), float64 for a floating one, with typical
    wrong answers.

    ``make_pitfalls()`` returns pairs of (the result of a typical mistake, a remark about it);
    it runs only when a case fails, once, and :attr:`pitfalls` keeps its answer. ``mask`` is
    the boolean mask of the case, when the remarks need it.
    """

    value: Any
    make_pitfalls: Callable[[], Sequence[tuple[Any, str]]] | None = field(default=None,
                                                                           repr=False)
    mask: Any = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def pitfalls(self) -> tuple[tuple[Any, str], ...]:
        """The typical mistakes' results and remarks (computed on first use)."""
        if "pitfalls" not in self._cache:
            make = self.make_pitfalls
            self._cache["pitfalls"] = tuple(make()) if make is not None else ()
        return self._cache["pitfalls"]


def as_float64(got: Any) -> Any:
    """``got`` as a detached float64 CPU tensor when it is a real floating tensor, else None."""
    import torch

    if not isinstance(got, torch.Tensor) or got.layout != torch.strided:
        return None
    if not got.is_floating_point():
        return None
    return got.detach().to(device="cpu", dtype=torch.float64)


def close_tensor(got: Any, expected: Any, tolerance: float = TENSOR_TOLERANCE) -> bool:
    """True when ``got`` is a floating tensor of ``expected``'s shape, finite, within tolerance."""
    import torch

    g = as_float64(got)
    if g is None or tuple(g.shape) != tuple(expected.shape):
        return False
    if not bool(torch.isfinite(g).all()):
        return False
    return g.numel() == 0 or float((g - expected).abs().max()) <= tolerance


def near(got64: Any, wrong: Any, tolerance: float = PITFALL_TOLERANCE) -> bool:
    """True when two float64 tensors have one shape and agree within ``tolerance`` (NaN = NaN)."""
    import torch

    if got64 is None or wrong is None or tuple(got64.shape) != tuple(wrong.shape):
        return False
    return bool(torch.allclose(got64, wrong, rtol=0.0, atol=tolerance, equal_nan=True))


def round_values(values: Any) -> Any:
    """Every finite float of ``values`` (nested lists) rounded to 4 decimals."""
    if isinstance(values, list):
        return [round_values(v) for v in values]
    if isinstance(values, float):
        return round(values, 4) if math.isfinite(values) else values
    return values


def show_tensor(got: Any, limit: int = 160) -> str:
    """How a failure shows a returned tensor: rounded values, shape and dtype (never raises)."""
    import torch

    try:
        if isinstance(got, torch.Tensor):
            if got.layout != torch.strided:
                return f"a sparse tensor of shape {tuple(got.shape)}"
            values = round_values(got.detach().cpu().tolist())
            return f"tensor {short_repr(values, limit)} of shape {tuple(got.shape)} and {got.dtype}"
        return f"{short_repr(got)}, a {type(got).__name__}, not a torch tensor"
    except Exception:
        return short_repr(got)


def not_a_tensor_remark(got: Any) -> str | None:
    """The remark for an answer that is not a dense torch tensor but looks like one."""
    import torch

    if not isinstance(got, torch.Tensor):
        if isinstance(got, list | tuple) or hasattr(got, "shape"):
            return "return a torch tensor (tensor operations on the inputs give one)"
        return None
    if got.layout != torch.strided:
        return "return a dense tensor, not a sparse one"
    return None


def tensor_remark(got: Any, expected: Any) -> str | None:
    """Remarks every tensor exercise shares: not a tensor, not floating, wrong shape."""
    import torch

    remark = not_a_tensor_remark(got)
    if remark or not isinstance(got, torch.Tensor):
        return remark
    if not got.is_floating_point():
        return f"the result is {got.dtype}: it holds fractions, so it must be a floating tensor"
    if tuple(got.shape) != tuple(expected.shape):
        return f"the result has shape {tuple(got.shape)}, not the shape the exercise asks for"
    return None


def pitfall_tensor_remark(got64: Any, target: TensorTarget,
                          tolerance: float = PITFALL_TOLERANCE) -> str | None:
    """The remark of the first typical mistake ``got64`` matches (and the answer does not)."""
    for wrong, remark in target.pitfalls:
        if near(got64, wrong, tolerance) and not near(wrong, target.value, tolerance):
            return remark
    return None


def as_pair(got: Any) -> tuple[Any, Any] | None:
    """``got`` as two results (a tuple or list of length 2), or None."""
    if isinstance(got, tuple | list) and len(got) == 2:
        return got[0], got[1]
    return None


def show_pair(got: Any) -> str:
    """An attention answer as the reader returned it: ``(output, weights)``, or why not a pair."""
    pair = as_pair(got)
    if pair is None:
        return f"{show_tensor(got, 80)}, not a pair (output, weights)"
    return f"({show_tensor(pair[0], 70)}, {show_tensor(pair[1], 70)})"

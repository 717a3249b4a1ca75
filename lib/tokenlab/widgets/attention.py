"""The attention explorer: one short sentence attending to itself, score by score.

For a sentence of 2 to 8 tokens, each a vector of ``d`` numbers (the rows of ``X``), the widget
shows the table of attention scores (row = query token, column = key token), the softmax weights
as a heatmap, and, for the query the reader selects, how its output mixes the value vectors::

    X'      = X + position_scale * sinusoidal(L, d)     (only with "add positional encoding")
    Q, K, V = X' Wq, X' Wk, X' Wv                        (no matrix: the identity, Q = K = V = X')
    scores  = Q K^T * (1 / sqrt(d_k) if scale else 1) / T   (-inf above the diagonal if causal)
    weights = softmax of each row of scores;   output = weights V

With no projections this is the plain self-attention of the lecture: ``scores = X X^T / sqrt(d)``.
The output of each query is also compared (cosine) with every input vector, the rows of the
un-positioned ``X`` (or with every value vector, the rows of ``V``, when ``Wv`` changes the width)
to name the token it ends up closest to.

``attention.js`` computes every number in the browser, so the widget works on the static site
with no kernel; in a live kernel each change also reaches Python, which recomputes
:attr:`AttentionWidget.result` with :func:`attention_table` (:mod:`tokenlab.positional` and
:mod:`tokenlab.attention`), and the widget then shows the kernel's numbers. The DOM the
JavaScript builds (class names and data attributes that tests rely on) is documented at the top
of ``attention.js``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import torch
import traitlets

from tokenlab.attention import causal_mask, scaled_dot_product_attention
from tokenlab.positional import sinusoidal
from tokenlab.similarity import cosine
from tokenlab.widgets._checks import flag, integer, number, positive, sequence
from tokenlab.widgets._recompute import Recomputed

__all__ = ["AttentionWidget", "attention_table"]

HERE = Path(__file__).resolve().parent
MIN_TOKENS, MAX_TOKENS = 2, 8
MIN_DIM, MAX_DIM = 2, 16  # d, the width of the input vectors
MAX_PROJ = 16  # d_k and d_v, the widths of the projections, from 1 to 16
TIE = 1e-9  # cosines within TIE of the best one tie; the first of them is "closest"
EXAMPLE_KEYS = ("label", "tokens", "vectors")


# ---- input checks -------------------------------------------------------------------------


def _index(name: str, value: Any, size: int) -> int:
    """An integer in ``0 .. size - 1`` (NumPy and torch integers accepted, bool refused)."""
    value = integer(name, value)
    if not 0 <= value < size:
        raise ValueError(f"{name} must be from 0 to {size - 1}, got {value}")
    return value


def _matrix(name: str, value: Any, rows: int | None, cols: tuple[int, int],
            row_word: str = "rows") -> list[list[float]]:
    """A rectangular list of lists of finite floats, ``rows`` rows (if given) and a width in
    ``cols`` (inclusive)."""
    value = sequence(name, value, "a list of lists of numbers (a matrix)")
    if rows is not None and len(value) != rows:
        raise ValueError(f"{name} must have {rows} {row_word}, got {len(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    out = [[number(f"{name}[{i}][{j}]", x) for j, x in enumerate(
        sequence(f"{name}[{i}]", row, "a list of numbers"))] for i, row in enumerate(value)]
    width = len(out[0])
    for i, row in enumerate(out):
        if len(row) != width:
            raise ValueError(f"{name} must be rectangular: row 0 has {width} numbers, "
                             f"row {i} has {len(row)}")
    lo, hi = cols
    if not lo <= width <= hi:
        raise ValueError(f"{name} must have {lo} to {hi} columns, got {width}")
    return out


def _tokens(name: str, value: Any) -> list[str]:
    value = sequence(name, value, "a list of str")
    if not MIN_TOKENS <= len(value) <= MAX_TOKENS:
        raise ValueError(f"{name} must hold {MIN_TOKENS} to {MAX_TOKENS} tokens, "
                         f"got {len(value)}")
    for i, token in enumerate(value):
        if not isinstance(token, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(token).__name__}")
        if not token.strip():
            raise ValueError(f"{name}[{i}] must not be empty")
    return value


def _sentence(name: str, tokens: Any, vectors: Any) -> tuple[list[str], list[list[float]]]:
    """Tokens and one vector of d = 2 to 16 numbers per token."""
    tokens = _tokens(f"{name}tokens", tokens)
    vectors = _matrix(f"{name}vectors", vectors, len(tokens), (MIN_DIM, MAX_DIM),
                      row_word=f"rows, one vector per token ({len(tokens)} tokens)")
    return tokens, vectors


def _example(i: int, value: Any) -> dict[str, Any]:
    name = f"examples[{i}]"
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict with tokens and vectors (and a label), "
                        f"got {type(value).__name__}")
    unknown = sorted(set(map(str, value)) - set(EXAMPLE_KEYS))
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}; expected {list(EXAMPLE_KEYS)}")
    for key in ("tokens", "vectors"):
        if key not in value:
            raise ValueError(f"{name} needs {key!r}")
    tokens, vectors = _sentence(f"{name}.", value["tokens"], value["vectors"])
    label = value.get("label", " ".join(tokens))
    if not isinstance(label, str):
        raise TypeError(f"{name}.label must be a str, got {type(label).__name__}")
    return {"label": label, "tokens": tokens, "vectors": vectors}


def _examples(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        raise TypeError("examples must be a list of dicts (one per sentence), got one dict: "
                        "wrap it in a list")
    value = sequence("examples", value, "a list of dicts (one per sentence)")
    if not value:
        raise ValueError("examples must hold at least one sentence, got none")
    out = [_example(i, ex) for i, ex in enumerate(value)]
    d = len(out[0]["vectors"][0])
    for i, ex in enumerate(out[1:], start=1):
        if len(ex["vectors"][0]) != d:
            raise ValueError(f"examples[{i}].vectors have d = {len(ex['vectors'][0])} numbers "
                             f"per token, examples[0] has d = {d}: every example needs the "
                             "same d")
    return out


def _projection(name: str, value: Any, d: int) -> list[list[float]] | None:
    if value is None:
        return None
    return _matrix(name, value, d, (1, MAX_PROJ),
                   row_word=f"rows, one per input dimension (d = {d})")


def _same_dk(wq: list | None, wk: list | None, d: int) -> None:
    dq = d if wq is None else len(wq[0])
    dk = d if wk is None else len(wk[0])
    if dq != dk:
        raise ValueError(f"wq and wk must give queries and keys of one width d_k, got "
                         f"{dq} columns for wq and {dk} for wk (no matrix: d = {d})")


def _even_for_positions(positions: bool, d: int, name: str = "positions") -> None:
    if positions and d % 2:
        raise ValueError(
            f"{name}: the sinusoidal positional encoding needs an even d, got d = {d} "
            "(tokenlab.positional.sinusoidal refuses odd widths: sines and cosines come in pairs)"
        )


def _features(value: Any, d: int) -> list[str] | None:
    if value is None:
        return None
    value = sequence("features", value, "a list of str")
    if len(value) != d:
        raise ValueError(f"features must name each of the d = {d} dimensions, "
                         f"got {len(value)} names")
    for i, name in enumerate(value):
        if not isinstance(name, str):
            raise TypeError(f"features[{i}] must be a str, got {type(name).__name__}")
    return value


# ---- the numbers --------------------------------------------------------------------------


def attention_table(
    tokens: Any,
    vectors: Any,
    *,
    wq: Any = None,
    wk: Any = None,
    wv: Any = None,
    scale: bool = True,
    causal: bool = False,
    positions: bool = False,
    position_scale: float = 1.0,
    temperature: float = 1.0,
) -> dict[str, Any]:
    """Self-attention of one sentence, every intermediate number, as the widget shows it.

    Parameters
    ----------
    tokens : sequence of 2 to 8 str
        The sentence.
    vectors : sequence of L sequences of d numbers
        One input vector per token, the rows of ``X``; ``d`` from 2 to 16.
    wq, wk, wv : d x d_k, d x d_k, d x d_v matrices, optional
        The projections (``d_k``, ``d_v`` from 1 to 16); None is the identity, so with none of
        them ``Q = K = V = X'``.
    scale : bool
        Divide the scores by ``sqrt(d_k)``.
    causal : bool
        Hide future keys: query ``i`` sees keys ``0 .. i`` only.
    positions : bool
        Add ``position_scale * tokenlab.positional.sinusoidal(L, d)`` to ``X`` first (needs an
        even ``d``, as :func:`~tokenlab.positional.sinusoidal` does).
    position_scale : float
        How strongly the positions are added.
    temperature : float
        ``T > 0``: the scores are divided by it before the softmax.

    Returns
    -------
    dict
        JSON-safe (no inf, no NaN), computed in float64 with
        :func:`tokenlab.positional.sinusoidal` and
        :func:`tokenlab.attention.scaled_dot_product_attention` (with ``q`` multiplied by
        ``sqrt(d_k)`` when not ``scale``, and divided by ``T``, so that its ``1 / sqrt(d_k)``
        gives the scores shown):

        * the inputs echoed: ``tokens``, ``vectors`` (``X``), ``wq``, ``wk``, ``wv`` (lists or
          None), ``scale``, ``causal``, ``positions``, ``position_scale``, ``temperature``;
        * ``d``, ``d_k``, ``d_v``;
        * ``inputs`` (``X'``: ``X`` plus the positions, if on), ``q``, ``k``, ``v``;
        * ``scores``: L x L, ``None`` where a key is masked;
        * ``weights``: L x L, each row summing to 1 (0 where masked);
        * ``output``: L x d_v, ``weights @ v``;
        * ``closest_to``: ``"inputs"`` when ``d_v == d`` (each output is compared with the rows
          of ``X``, the inputs without positions), else ``"values"`` (the rows of ``v``);
        * ``cosines``: L x L, the cosine (:func:`tokenlab.similarity.cosine`) of output ``i``
          with input (or value) ``j``;
        * ``closest``: per query, the first ``j`` whose cosine is within ``1e-9`` of the row's
          best.

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is malformed: not 2 to 8 tokens, not one vector of 2 to 16
        numbers per token, a projection without ``d`` rows, ``wq`` and ``wk`` of different
        widths, a number that is not finite, positions with an odd ``d``, or ``T <= 0``.

    Examples
    --------
    No projections: the lecture's ``scores = X X^T / sqrt(d)``.

    >>> t = attention_table(["a", "b"], [[1, 0], [1, 1]])
    >>> [[round(s, 4) for s in row] for row in t["scores"]]
    [[0.7071, 0.7071], [0.7071, 1.4142]]
    >>> [[round(w, 4) for w in row] for row in t["weights"]]
    [[0.5, 0.5], [0.3302, 0.6698]]
    >>> t["closest_to"], t["closest"]
    ('inputs', [1, 1])

    Causal: the first token sees only itself.

    >>> t = attention_table(["a", "b"], [[1, 0], [1, 1]], causal=True)
    >>> t["scores"][0], t["weights"][0], t["output"][0]
    ([0.7071067811865475, None], [1.0, 0.0], [1.0, 0.0])
    """
    tokens, x = _sentence("", tokens, vectors)
    d = len(x[0])
    wq, wk, wv = (_projection(n, w, d) for n, w in (("wq", wq), ("wk", wk), ("wv", wv)))
    _same_dk(wq, wk, d)
    scale, causal, positions = (flag(n, v) for n, v in
                                (("scale", scale), ("causal", causal), ("positions", positions)))
    position_scale = number("position_scale", position_scale)
    temperature = positive("temperature", temperature)
    _even_for_positions(positions, d)

    f64 = torch.float64
    X = torch.tensor(x, dtype=f64)
    L = X.shape[0]
    Xp = X + position_scale * sinusoidal(L, d, dtype=f64) if positions else X

    def project(w: list | None) -> torch.Tensor:
        return Xp if w is None else Xp @ torch.tensor(w, dtype=f64)

    q, k, v = project(wq), project(wk), project(wv)
    d_k, d_v = q.shape[-1], v.shape[-1]
    # SDPA divides by sqrt(d_k); without "scale" q is multiplied by it first. Both by T.
    qs = q * ((1.0 if scale else math.sqrt(d_k)) / temperature)
    visible = causal_mask(L) if causal else None
    output, weights = scaled_dot_product_attention(qs, k, v, mask=visible)
    scores = qs @ k.transpose(-2, -1) / math.sqrt(d_k)  # the scores SDPA computed

    closest_to = "inputs" if d_v == d else "values"
    targets = X if closest_to == "inputs" else v
    cosines = cosine(output[:, None, :], targets[None, :, :])
    best = cosines.amax(dim=-1, keepdim=True)
    closest = (cosines >= best - TIE).to(torch.int64).argmax(dim=-1)  # the first tie

    for name, t in (("inputs", Xp), ("q", q), ("k", k), ("v", v), ("scores", scores),
                    ("weights", weights), ("output", output)):
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"the {name} overflow (not finite): the vectors or the "
                             "projections are too large")
    shown = [[s if visible is None or bool(visible[i, j]) else None
              for j, s in enumerate(row)] for i, row in enumerate(scores.tolist())]
    return {
        "tokens": tokens,
        "vectors": x,
        "wq": wq,
        "wk": wk,
        "wv": wv,
        "scale": scale,
        "causal": causal,
        "positions": positions,
        "position_scale": position_scale,
        "temperature": temperature,
        "d": d,
        "d_k": d_k,
        "d_v": d_v,
        "inputs": Xp.tolist(),
        "q": q.tolist(),
        "k": k.tolist(),
        "v": v.tolist(),
        "scores": shown,
        "weights": weights.tolist(),
        "output": output.tolist(),
        "closest_to": closest_to,
        "cosines": cosines.tolist(),
        "closest": closest.tolist(),
    }


# ---- the widget ---------------------------------------------------------------------------


class AttentionWidget(Recomputed, anywidget.AnyWidget):
    """A self-attention table for a short sentence: scores, weights, and one query's mix.

    Parameters
    ----------
    examples : sequence of dict
        One or more sentences, each ``{"label": str, "tokens": [2 to 8 str], "vectors": L x d}``
        with the same ``d`` (2 to 16) for all; the label defaults to the tokens joined by
        spaces. With several, the reader picks one from a menu.
    wq, wk, wv : d x d_k, d x d_k, d x d_v matrices, optional
        The projections; None (the default) is the identity: the plain self-attention of the
        lecture, ``scores = X X^T / sqrt(d)``.
    features : sequence of d str, optional
        Names of the ``d`` dimensions (``["water", "food", ...]``), the column headers of the
        output vector (when ``wv`` is None: the output then lives in the same space).
    scale, causal, positions : bool
        The reader's check boxes: divide by ``sqrt(d_k)`` (on), hide future keys (off), add the
        sinusoidal positional encoding (off; needs an even ``d``).
    position_scale : float
        The factor on the positional encoding.
    temperature : float
        ``T > 0``; the reader's slider goes from 0.1 to 5 in steps of 0.1.
    example : int
        The sentence shown, an index into ``examples``.
    selected : int
        The query (row) whose output mix is shown.

    Attributes
    ----------
    examples, wq, wk, wv, features, scale, causal, positions, position_scale, temperature,
    example, selected
        Synced with the page: the reader's choices come back here (in a live kernel).
        Changing ``examples`` to another ``d`` together with the projections needs
        ``with w.hold_trait_notifications(): ...``.
    result : dict
        :func:`attention_table` of the current example and settings, recomputed on every
        change.

    Examples
    --------
    >>> w = AttentionWidget([{"label": "a b", "tokens": ["a", "b"],
    ...                       "vectors": [[1, 0], [1, 1]]}])
    >>> [round(x, 4) for x in w.result["weights"][1]]
    [0.3302, 0.6698]
    >>> w.causal = True
    >>> w.result["weights"][0], w.result["scores"][0][1]
    ([1.0, 0.0], None)
    >>> w.temperature = 0
    Traceback (most recent call last):
    ...
    ValueError: temperature must be > 0, got 0.0
    """

    _esm = (HERE / "attention.js").read_text(encoding="utf-8")
    _css = (HERE / "attention.css").read_text(encoding="utf-8")

    examples = traitlets.List().tag(sync=True)
    wq = traitlets.List(allow_none=True, default_value=None).tag(sync=True)
    wk = traitlets.List(allow_none=True, default_value=None).tag(sync=True)
    wv = traitlets.List(allow_none=True, default_value=None).tag(sync=True)
    features = traitlets.List(allow_none=True, default_value=None).tag(sync=True)
    scale = traitlets.Bool(True).tag(sync=True)
    causal = traitlets.Bool(False).tag(sync=True)
    positions = traitlets.Bool(False).tag(sync=True)
    position_scale = traitlets.Float(1.0).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)
    example = traitlets.Int(0).tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        examples: Any,
        *,
        wq: Any = None,
        wk: Any = None,
        wv: Any = None,
        features: Sequence[str] | None = None,
        scale: bool = True,
        causal: bool = False,
        positions: bool = False,
        position_scale: float = 1.0,
        temperature: float = 1.0,
        example: int = 0,
        selected: int = 0,
        **kwargs: Any,
    ) -> None:
        examples = _examples(examples)
        d = self._d(examples)
        wq, wk, wv = (_projection(n, w, d) for n, w in (("wq", wq), ("wk", wk), ("wv", wv)))
        _same_dk(wq, wk, d)
        features = _features(features, d)
        scale, causal, positions = (flag(n, v) for n, v in
                                    (("scale", scale), ("causal", causal),
                                     ("positions", positions)))
        _even_for_positions(positions, d)
        position_scale = number("position_scale", position_scale)
        temperature = positive("temperature", temperature)
        example = _index("example", example, len(examples))
        selected = _index("selected", selected, len(examples[example]["tokens"]))
        super().__init__(examples=examples, features=features, example=example,
                         selected=selected, wq=wq, wk=wk, wv=wv, scale=scale, causal=causal,
                         positions=positions, position_scale=position_scale,
                         temperature=temperature, **kwargs)

    @staticmethod
    def _d(examples: list[dict[str, Any]]) -> int:
        return len(examples[0]["vectors"][0])

    # Each check sees the other traits' current values (traitlets runs these checks after all
    # the values of one set_state or hold_trait_notifications are in).

    @traitlets.validate("examples")
    def _valid_examples(self, proposal: dict) -> list[dict[str, Any]]:
        examples = _examples(proposal["value"])
        d = self._d(examples)
        for name in ("wq", "wk", "wv"):
            w = getattr(self, name)
            if w is not None and len(w) != d:
                raise ValueError(f"examples: their d = {d} does not fit {name}, which has "
                                 f"{len(w)} rows (set both inside hold_trait_notifications)")
        if self.features is not None and len(self.features) != d:
            raise ValueError(f"examples: their d = {d} does not fit the {len(self.features)} "
                             "features")
        _even_for_positions(self.positions, d, "examples")
        return examples

    def _valid_projection(self, name: str, value: Any) -> list[list[float]] | None:
        d = self._d(self.examples)
        w = _projection(name, value, d)
        others = {n: getattr(self, n) for n in ("wq", "wk")}
        others[name] = w
        _same_dk(others["wq"], others["wk"], d)
        return w

    @traitlets.validate("wq")
    def _valid_wq(self, proposal: dict) -> list[list[float]] | None:
        return self._valid_projection("wq", proposal["value"])

    @traitlets.validate("wk")
    def _valid_wk(self, proposal: dict) -> list[list[float]] | None:
        return self._valid_projection("wk", proposal["value"])

    @traitlets.validate("wv")
    def _valid_wv(self, proposal: dict) -> list[list[float]] | None:
        return self._valid_projection("wv", proposal["value"])

    @traitlets.validate("features")
    def _valid_features(self, proposal: dict) -> list[str] | None:
        return _features(proposal["value"], self._d(self.examples))

    @traitlets.validate("positions")
    def _valid_positions(self, proposal: dict) -> bool:
        positions = flag("positions", proposal["value"])
        _even_for_positions(positions, self._d(self.examples))
        return positions

    @traitlets.validate("position_scale")
    def _valid_position_scale(self, proposal: dict) -> float:
        return number("position_scale", proposal["value"])

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal: dict) -> float:
        return positive("temperature", proposal["value"])

    @traitlets.validate("example")
    def _valid_example(self, proposal: dict) -> int:
        return _index("example", proposal["value"], len(self.examples))

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict) -> int:
        tokens = self.examples[min(self.example, len(self.examples) - 1)]["tokens"]
        return _index("selected", proposal["value"], len(tokens))

    @traitlets.observe("examples", "example")
    def _on_sentence(self, change: dict) -> None:
        # Fewer sentences or a shorter sentence: keep the last one / the last token.
        if self.example >= len(self.examples):
            self.example = len(self.examples) - 1
        n = len(self.examples[self.example]["tokens"])
        if self.selected >= n:
            self.selected = n - 1

    @traitlets.observe("examples", "example", "wq", "wk", "wv", "scale", "causal", "positions",
                       "position_scale", "temperature")
    def _on_change(self, change: dict) -> None:
        ex = self.examples[min(self.example, len(self.examples) - 1)]
        self._set_result(
            attention_table, ex["tokens"], ex["vectors"], wq=self.wq, wk=self.wk, wv=self.wv,
            scale=self.scale, causal=self.causal, positions=self.positions,
            position_scale=self.position_scale, temperature=self.temperature)

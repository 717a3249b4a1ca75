"""Chapter 6 (self-attention): checkers for its three exercises.

``ch06-masked-softmax``
    ``masked_softmax(scores: Tensor, mask: Tensor) -> Tensor``: the softmax of ``scores`` along
    the last dimension in which the entries where the boolean ``mask`` is ``False`` get weight
    exactly 0 and the others share 1. ``mask`` has the shape of ``scores`` (``True`` = attend,
    ``False`` = hidden), any number of leading dimensions. A row whose mask is all ``False``
    has nothing to attend to: its weights are all 0, never NaN. The result has the shape of
    ``scores`` and a floating dtype.
``ch06-fix-scaling``
    ``attention(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]``: the fixed version
    of :data:`BROKEN_ATTENTION`, returning ``(output, weights)`` with
    ``weights = softmax(q @ k^T / sqrt(d))`` along the keys (``d`` the last dimension of ``q``
    and ``k``) and ``output = weights @ v``. Shapes ``q (..., Lq, d)``, ``k (..., Lk, d)``,
    ``v (..., Lk, dv)`` give ``output (..., Lq, dv)`` and ``weights (..., Lq, Lk)``.
``ch06-predict-weights``
    A value, not a function: the 3 x 3 attention weights of :data:`PREDICT_EXAMPLE`, worked out
    by hand (or with ``math.exp``), as a nested list (a tensor or array is fine too); row ``i``
    holds the weights of query ``i`` over keys 0, 1 and 2.

The expected values come from :func:`tokenlab.attention.scaled_dot_product_attention`, in
float64. Answers are compared within 1e-5 (:data:`TOLERANCE`), the hand-computed weights within
1e-3 (:data:`PREDICT_TOLERANCE`).

The broken code the chapter shows, and the reader fixes, is :data:`BROKEN_ATTENTION`::

    def attention(q, k, v):
        d = q.shape[-1]
        scores = q @ k.transpose(-2, -1) / d
        weights = torch.softmax(scores, dim=-1)
        return weights @ v, weights

The tiny example of ``ch06-predict-weights`` is :data:`PREDICT_EXAMPLE`::

    Three tokens attend to each other (self-attention) with 2-dimensional vectors; queries
    and keys are the same vectors:

        q = k = [[1, 0],    # token 0
                 [0, 1],    # token 1
                 [1, 1]]    # token 2

    The scores are q @ k^T / sqrt(2), with a causal mask: token i sees tokens 0..i only.
    Give the 3 x 3 attention weights, row i = the weights of query i over keys 0, 1, 2.

Examples
--------
>>> import math, torch
>>> from tokenlab.exercises import check
>>> def masked_softmax(scores, mask):
...     hidden = scores.double().masked_fill(~mask, float("-inf"))
...     weights = torch.softmax(hidden, dim=-1)
...     return torch.where(mask.any(dim=-1, keepdim=True), weights, 0.0)
>>> check("ch06-masked-softmax", masked_softmax).passed
True
>>> def attention(q, k, v):
...     d = q.shape[-1]
...     scores = q @ k.transpose(-2, -1) / math.sqrt(d)
...     weights = torch.softmax(scores, dim=-1)
...     return weights @ v, weights
>>> check("ch06-fix-scaling", attention).passed
True
>>> e = math.exp(1 / math.sqrt(2))
>>> check("ch06-predict-weights", [[1, 0, 0],
...                                [1 / (1 + e), e / (1 + e), 0],
...                                [1 / (2 + e), 1 / (2 + e), e / (2 + e)]]).passed
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tokenlab.exercise_bank._compare import (
    TENSOR_TOLERANCE,
    TensorTarget,
    as_float64,
    as_pair,
    close_tensor,
    near,
    pitfall_tensor_remark,
    round_values,
    show_pair,
    show_tensor,
    tensor_remark,
)
from tokenlab.exercises import AnswerTypeError, Case, exercise, run_cases, short_repr

__all__: list[str] = []

#: How close a tensor answer must be to the float64 reference (every entry, absolute).
TOLERANCE = TENSOR_TOLERANCE
#: How close the hand-computed weights of ``ch06-predict-weights`` must be.
PREDICT_TOLERANCE = 1e-3

#: The broken function of ``ch06-fix-scaling``, as the chapter prints it.
BROKEN_ATTENTION = '''\
def attention(q, k, v):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / d
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
'''

#: The tiny example of ``ch06-predict-weights``, as the chapter prints it.
PREDICT_EXAMPLE = '''\
Three tokens attend to each other (self-attention) with 2-dimensional vectors; queries
and keys are the same vectors:

    q = k = [[1, 0],    # token 0
             [0, 1],    # token 1
             [1, 1]]    # token 2

The scores are q @ k^T / sqrt(2), with a causal mask: token i sees tokens 0..i only.
Give the 3 x 3 attention weights, row i = the weights of query i over keys 0, 1, 2.
'''

#: The queries (= keys) of :data:`PREDICT_EXAMPLE`.
PREDICT_Q: list[list[float]] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]


def _float64(values: Any) -> Any:
    import torch

    return torch.as_tensor(values, dtype=torch.float64)


# ---- ch06-masked-softmax --------------------------------------------------------------------

T, F = True, False  # short names for the masks below

#: (scores, mask): 1-D, 2-D and 3-D, fully masked rows, large scores, a large hidden score.
MASKED_SOFTMAX_INPUTS: list[tuple[list, list]] = [
    ([1.0, 2.0, 3.0], [T, T, F]),
    ([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]], [[T, F, T, T], [F, F, F, F]]),
    ([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0], [0.0, 0.0, 0.0]],
     [[T, F, F], [T, T, F], [T, T, T]]),
    ([[[2.0, -1.0, 0.5], [0.0, 4.0, 1.0]], [[-3.0, 3.0, 1.0], [1.5, 1.5, -2.0]]],
     [[[T, T, F], [F, F, F]], [[F, T, T], [T, F, T]]]),
    ([1000.0, 999.0, 0.0], [T, T, F]),
    ([5.0, 1000.0, 1.0], [T, F, T]),
    ([0.5, -0.5], [F, F]),
    ([[-2.0, 0.0, 2.0, 4.0, 6.0], [3.0, -3.0, 0.0, 1.0, -1.0]],
     [[F, T, F, T, F], [T, T, T, T, T]]),
]


def masked_softmax_reference(scores: Any, mask: Any) -> Any:
    """The weights :func:`tokenlab.attention.scaled_dot_product_attention` gives, in float64.

    With keys ``k = sqrt(n) * I`` (``n`` the last dimension of ``scores``) and queries
    ``q = scores``, the scaled scores ``q @ k^T / sqrt(n)`` are ``scores`` themselves, so the
    function's weights are the masked softmax of ``scores`` (all 0 for a fully masked row).
    """
    import torch

    from tokenlab.attention import scaled_dot_product_attention

    s = torch.as_tensor(scores, dtype=torch.float64)
    m = torch.as_tensor(mask, dtype=torch.bool)
    if s.dim() == 1:
        return masked_softmax_reference(s[None], m[None])[0]
    n = s.shape[-1]
    keys = math.sqrt(n) * torch.eye(n, dtype=torch.float64)
    _, weights = scaled_dot_product_attention(s, keys, torch.eye(n, dtype=torch.float64),
                                              mask=m)
    return weights


def _softmax_target(scores: list, mask: list) -> TensorTarget:
    import torch

    s, m = _float64(scores), torch.as_tensor(mask, dtype=torch.bool)
    return TensorTarget(masked_softmax_reference(s, m), lambda: _softmax_pitfalls(s, m), mask=m)


def _softmax_pitfalls(s: Any, m: Any) -> list[tuple[Any, str]]:
    import torch

    softmax = torch.softmax(s, dim=-1)
    pitfalls = [
        (masked_softmax_reference(s, ~m),
         "those are the weights of the entries where mask is False: True means attend "
         "(keep the score), False means hidden (weight 0)"),
        (torch.softmax(s * m, dim=-1),
         "multiplying a score by the mask makes a hidden score 0, and exp(0) = 1 still gets "
         "weight: a hidden score must become -inf (masked_fill) before the softmax"),
        (softmax * m,
         "zeroing the hidden weights after the softmax leaves the visible ones summing to less "
         "than 1: hide the scores before the softmax instead"),
        (torch.softmax(s.masked_fill(~m, -1e9), dim=-1),
         "a row whose mask is all False got weights: filling hidden scores with a large "
         "negative number leaves such a row uniform; give a fully masked row all zeros"),
    ]
    if s.dim() >= 2:
        pitfalls.append((masked_softmax_reference(s.transpose(-2, -1),
                                                  m.transpose(-2, -1)).transpose(-2, -1),
                         "normalize along the last dimension: each row (one query's weights "
                         "over the keys) sums to 1, not each column"))
    return pitfalls


def masked_softmax_cases() -> list[Case]:
    """The hidden cases of ``ch06-masked-softmax`` (float32 inputs, float64 references)."""
    import torch

    return [Case((torch.tensor(scores), torch.tensor(mask)), _softmax_target(scores, mask),
                 label=f"scores=torch.tensor({short_repr(scores, 90)}) and "
                       f"mask=torch.tensor({short_repr(mask, 90)})")
            for scores, mask in MASKED_SOFTMAX_INPUTS]


def _close_target(got: Any, expected: TensorTarget) -> bool:
    return close_tensor(got, expected.value)


def _masked_softmax_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    remark = tensor_remark(got, expected.value)
    if remark:
        return remark
    g = as_float64(got)
    visible_rows = expected.mask.any(dim=-1)
    nan = torch.isnan(g)
    if bool(nan.any()):
        if bool(nan[visible_rows].any()):
            return ("a NaN in a row with visible entries: exp overflowed (inf / inf) or every "
                    "exp underflowed to 0 (0 / 0); hide the scores first, then subtract the "
                    "largest visible score of each row")
        return ("a row whose mask is all False has nothing to attend to: its weights must be "
                "all 0, but the softmax of a row of -inf is 0 / 0 = NaN")
    if bool(((g.abs() <= TOLERANCE).all(dim=-1) & visible_rows).any()):
        return ("a row with visible entries got all zeros: every exp underflowed to 0 (or "
                "overflowed to inf) and the 0 / 0 was turned into 0; hide the scores first, "
                "then subtract the largest visible score of each row before exp")
    remark = pitfall_tensor_remark(g, expected)
    if remark:
        return remark
    hidden = ~expected.mask & visible_rows[..., None]
    if bool((g[hidden].abs() > TOLERANCE).any()):
        return "an entry where mask is False got weight: hidden entries must get exactly 0"
    if bool((g[~visible_rows].abs() > TOLERANCE).any()):
        return "a row whose mask is all False has nothing to attend to: give it all zeros"
    sums = g.sum(dim=-1)[visible_rows]
    if bool(((sums - 1).abs() > TOLERANCE).any()):
        return "the weights of a row with at least one visible entry must sum to 1"
    return None


@exercise(
    "ch06-masked-softmax",
    title="Masked softmax",
    hint="set the hidden scores (mask False) to -inf, take the softmax along the last "
    "dimension (subtracting each row's largest visible score keeps exp from overflowing), and "
    "give the rows whose mask is all False zeros instead of the NaN that exp(-inf) / 0 gives.",
)
def check_masked_softmax(answer: Any) -> list[str | None]:
    """Hidden cases for ``masked_softmax(scores, mask)``."""
    return run_cases(answer, masked_softmax_cases(), compare=_close_target, show=show_tensor,
                     diagnose=_masked_softmax_remark)


# ---- ch06-fix-scaling -----------------------------------------------------------------------

#: (q shape, k shape, v shape, seed): unbatched, Lq != Lk, dv != d, batch and heads, big d.
ATTENTION_SHAPES: list[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]] = [
    ((4, 8), (4, 8), (4, 8), 0),
    ((3, 16), (5, 16), (5, 16), 1),
    ((2, 4, 16), (2, 4, 16), (2, 4, 6), 2),
    ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 4), 3),
    ((1, 6, 64), (1, 6, 64), (1, 6, 64), 4),
    ((1, 8), (7, 8), (7, 3), 5),
    ((3, 2, 2), (3, 5, 2), (3, 5, 2), 6),
]


def _attention_with(q: Any, k: Any, v: Any, scale: float, dim: int = -1) -> tuple[Any, Any]:
    import torch

    weights = torch.softmax(q @ k.transpose(-2, -1) * scale, dim=dim)
    return weights @ v, weights


def _attention_target(q: Any, k: Any, v: Any) -> TensorTarget:
    from tokenlab.attention import scaled_dot_product_attention

    q, k, v = q.double(), k.double(), v.double()
    return TensorTarget(scaled_dot_product_attention(q, k, v),
                        lambda: _attention_pitfalls(q, k, v))


def _attention_pitfalls(q: Any, k: Any, v: Any) -> list[tuple[Any, str]]:
    d, first, lk, dv = q.shape[-1], q.shape[0], k.shape[-2], v.shape[-1]
    return [
        (_attention_with(q, k, v, 1 / d),
         "those are the weights of dividing by d: the spread of q . k grows like sqrt(d), "
         "so dividing by d flattens the weights more and more as d grows; divide by sqrt(d)"),
        (_attention_with(q, k, v, 1.0),
         "those are the weights of unscaled scores: without dividing by sqrt(d) the softmax "
         "saturates and puts almost all the weight on one key"),
        (_attention_with(q, k, v, math.sqrt(d)),
         "those are the weights of multiplying the scores by sqrt(d): divide by it"),
        (_attention_with(q, k, v, 1 / math.sqrt(first)),
         "d is the width of the queries and keys, the last dimension q.shape[-1]; q.shape[0] "
         "(len(q)) is the number of queries or the batch size"),
        (_attention_with(q, k, v, 1 / math.sqrt(lk)),
         "d is the width of the queries and keys (q.shape[-1]), not the number of keys"),
        (_attention_with(q, k, v, 1 / math.sqrt(dv)),
         "d is the width of the queries and keys (q.shape[-1]), not the width of the values"),
        (_attention_with(q, k, v, 1 / math.sqrt(d), dim=-2),
         "take the softmax along the last dimension, over the keys: each query's row of "
         "weights sums to 1"),
    ]


def _randn(shape: tuple[int, ...], seed: int) -> Any:
    import torch

    return 2.0 * torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def attention_cases() -> list[Case]:
    """The hidden cases of ``ch06-fix-scaling``: random float32 q, k, v of several shapes."""
    cases = []
    for q_shape, k_shape, v_shape, seed in ATTENTION_SHAPES:
        q, k, v = (_randn(shape, 100 * seed + i)
                   for i, shape in enumerate((q_shape, k_shape, v_shape)))
        cases.append(Case((q, k, v), _attention_target(q, k, v),
                          label=f"random q, k, v of shapes {q_shape}, {k_shape}, {v_shape}"))
    return cases


def _close_pair(got: Any, expected: TensorTarget) -> bool:
    pair = as_pair(got)
    return pair is not None and all(close_tensor(g, e) for g, e in zip(pair, expected.value,
                                                                       strict=True))


def _attention_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    out, weights = expected.value
    pair = as_pair(got)
    if pair is None:
        if isinstance(got, torch.Tensor):
            return "return both results, as a pair: (output, weights)"
        return None
    g_out, g_weights = as_float64(pair[0]), as_float64(pair[1])
    if close_tensor(pair[0], weights) and close_tensor(pair[1], out):
        return "the two results are swapped: return (output, weights), in that order"
    for g, e, name in ((pair[0], out, "output"), (pair[1], weights, "weights")):
        remark = tensor_remark(g, e)
        if remark:
            return f"{name}: {remark}"
    for (_, wrong_weights), remark in expected.pitfalls:
        if near(g_weights, wrong_weights) and not near(wrong_weights, weights):
            return remark
    if close_tensor(pair[1], weights):
        return "the weights are right but the output is not: it is weights @ v"
    if bool(torch.isnan(g_weights).any()) or bool(torch.isnan(g_out).any()):
        return "a NaN: check each step (scores, softmax, weighted sum) on its own"
    return None


@exercise(
    "ch06-fix-scaling",
    title="Fix the attention scaling",
    hint="the scores q @ k^T of d-dimensional vectors spread like sqrt(d), so divide them by "
    "the square root of d, the last dimension of q and k; keep the softmax along the keys "
    "(the last dimension) and give back both results, the output first and then the weights. "
    "Batched inputs (..., L, d) need no "
    "change if you only use the last two dimensions.",
)
def check_fix_scaling(answer: Any) -> list[str | None]:
    """Hidden cases for the fixed ``attention(q, k, v)``."""
    return run_cases(answer, attention_cases(), compare=_close_pair, show=show_pair,
                     diagnose=_attention_remark)


# ---- ch06-predict-weights -------------------------------------------------------------------


def predict_reference() -> Any:
    """The float64 weights of :data:`PREDICT_EXAMPLE` from ``scaled_dot_product_attention``."""
    from tokenlab.attention import scaled_dot_product_attention

    q = _float64(PREDICT_Q)
    return scaled_dot_product_attention(q, q, q, causal=True)[1]


def _predict_pitfalls() -> list[tuple[Any, str]]:
    import torch

    q = _float64(PREDICT_Q)
    raw = q @ q.T
    causal = torch.ones(3, 3, dtype=torch.bool).tril()

    def softmax(scores: Any, allowed: Any) -> Any:
        return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)

    right = softmax(raw / math.sqrt(2), causal)
    return [
        (softmax(raw, causal), "those are the weights of unscaled scores: divide each dot "
                               "product by sqrt(2) before the softmax"),
        (softmax(raw / 2, causal), "those are the weights of scores divided by d = 2: divide "
                                   "by sqrt(2) instead"),
        (softmax(raw / math.sqrt(2), torch.ones(3, 3, dtype=torch.bool)),
         "those are the weights without the mask: token i sees only tokens 0..i, so a later "
         "key gets weight 0"),
        (softmax(raw / math.sqrt(2), causal.T),
         "that mask is the wrong way round: token i sees the tokens before it and itself "
         "(keys 0..i), not the ones after it"),
        (right.T, "that is the matrix transposed: row i holds the weights of query i, and it "
                  "sums to 1"),
        ((raw / math.sqrt(2)).masked_fill(~causal, 0.0),
         "those are the scaled scores, not weights: apply the softmax over the visible keys"),
        (torch.exp(raw / math.sqrt(2)).masked_fill(~causal, 0.0),
         "those are exp of the scores: divide each by its row's sum so the row sums to 1"),
    ]


def _as_matrix(answer: Any) -> Any:
    """The answer as a float64 tensor of shape (3, 3), or AnswerTypeError."""
    import torch

    what = (f"give the weights as a 3 x 3 nested list (or a tensor) of numbers, one row per "
            f"query; got {short_repr(answer, 60)} of type {type(answer).__name__}")
    if callable(answer) and not hasattr(answer, "shape"):
        raise AnswerTypeError(f"this exercise wants numbers, not a function: {what}")
    if isinstance(answer, str | bytes | bool):
        raise AnswerTypeError(what)
    try:
        if isinstance(answer, torch.Tensor):
            if answer.is_complex():
                raise TypeError("complex")
            matrix = answer.detach().to(device="cpu", dtype=torch.float64)
        else:
            matrix = torch.as_tensor(_plain(answer), dtype=torch.float64)
    except Exception:
        raise AnswerTypeError(what) from None
    if tuple(matrix.shape) != (3, 3):
        raise AnswerTypeError(f"{what}, which has shape {tuple(matrix.shape)}")
    if not bool(torch.isfinite(matrix).all()):
        raise AnswerTypeError(f"{what}: every weight is a finite number")
    return matrix


def _plain(value: Any) -> Any:
    """Nested lists of Python floats (NumPy arrays and scalars included); bool refused."""
    if isinstance(value, bool) or isinstance(value, str | bytes):
        raise TypeError("not a number")
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return float(value)


@exercise(
    "ch06-predict-weights",
    title="Predict the attention weights",
    hint="for each query i, compute the dot products with the keys it may see (0..i), divide "
    "them by sqrt(2), take exp of each, and divide by their sum; the keys it may not see get "
    "0. Each row sums to 1.",
)
def check_predict_weights(answer: Any) -> list[str | None]:
    """Three cases, one per row of the weights of :data:`PREDICT_EXAMPLE`."""
    matrix = _as_matrix(answer)
    expected = predict_reference()
    pitfalls = _predict_pitfalls()
    # A mistake the whole matrix matches names it best (some rows agree between mistakes).
    whole = next((remark for wrong, remark in pitfalls
                  if _within(matrix, wrong) and not _within(wrong, expected)), None)
    results: list[str | None] = []
    for i in range(3):
        row, want = matrix[i], expected[i]
        if _within(row, want):
            results.append(None)
            continue
        message = (f"Row {i} (query {short_repr([int(x) for x in PREDICT_Q[i]])}) of your "
                   f"weights is {short_repr(round_values(row.tolist()))}")
        remark = whole or _predict_remark(i, row, expected[i], pitfalls)
        results.append(f"{message} - {remark}" if remark else message)
    return results


def _within(a: Any, b: Any) -> bool:
    return float((a - b).abs().max()) <= PREDICT_TOLERANCE


def _predict_remark(i: int, row: Any, want: Any,
                    pitfalls: Sequence[tuple[Any, str]]) -> str | None:
    for wrong, remark in pitfalls:
        if _within(row, wrong[i]) and not _within(wrong[i], want):
            return remark
    if bool((row[i + 1:].abs() > PREDICT_TOLERANCE).any()):
        return f"query {i} sees only keys 0..{i}: the weights of later keys are 0"
    if bool((row < -PREDICT_TOLERANCE).any()):
        return "a weight is never negative: it is exp(score) divided by a sum of exps"
    if abs(float(row.sum()) - 1.0) > PREDICT_TOLERANCE:
        return "the weights of a row sum to 1"
    return None

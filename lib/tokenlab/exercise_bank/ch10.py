"""Chapter 10 (encoder and decoder): the checkers of its two coding exercises.

``ch10-korean-number``
    ``reading(n: int) -> str``: the Sino-Korean reading of a whole number ``0 <= n <= 9999999``
    without spaces, as :func:`tokenlab.lm.korean_number` writes it: digits in groups of four,
    만 after the upper group, 천 백 십 inside a group, a 1 before a unit silent (십, 만; not 일십,
    일만), zero digits not read, 영 for 0 alone. Compared exactly with
    :func:`~tokenlab.lm.korean_number` on hidden numbers chosen for the rules (every power of
    ten, silent 1s, zeros inside both groups, the largest number).
``ch10-cross-attention``
    ``cross_attend(x: Tensor, memory: Tensor, memory_mask: Tensor) -> (output, weights)``: one
    head of cross-attention without projections. Queries are the rows of ``x`` ``(Lt, d)``, keys
    and values the rows of ``memory`` ``(Ls, d)``; ``memory_mask`` ``(Ls,)`` is boolean, True
    at real source tokens and False at padding, which gets weight 0. ``weights`` ``(Lt, Ls)``
    is the softmax over the source of ``x @ memory.T / sqrt(d)`` and ``output = weights @
    memory`` ``(Lt, d)``. Compared with :func:`tokenlab.attention.scaled_dot_product_attention`
    in float64 within 1e-5 (:data:`~tokenlab.exercise_bank._compare.TENSOR_TOLERANCE`); the
    padding columns must be exactly 0. Every hidden mask keeps at least one real token.

Examples
--------
>>> import math, torch
>>> from tokenlab.exercises import check
>>> from tokenlab.lm import korean_number
>>> check("ch10-korean-number", korean_number).passed
True
>>> def cross_attend(x, memory, memory_mask):
...     scores = x @ memory.T / math.sqrt(x.shape[-1])
...     weights = torch.softmax(scores.masked_fill(~memory_mask, float("-inf")), dim=-1)
...     return weights @ memory, weights
>>> check("ch10-cross-attention", cross_attend).passed
True
"""

from __future__ import annotations

import math
from typing import Any

from tokenlab.exercise_bank._compare import (
    TensorTarget,
    as_float64,
    as_pair,
    close_tensor,
    near,
    show_pair,
    tensor_remark,
)
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

# ---- ch10-korean-number ---------------------------------------------------------------------

#: The hidden numbers: small ones, powers of ten, silent 1s, zeros inside both groups, the top.
NUMBERS: list[int] = [
    0, 1, 7, 10, 11, 19, 20, 100, 101, 110, 1000, 1234, 2005, 10000, 10001, 11000, 20001,
    100000, 110000, 305000, 1000000, 1002003, 3050201, 1111111, 9999999,
]


def reading_cases() -> list[Case]:
    """The hidden cases of ``ch10-korean-number``: one number each, its reading expected."""
    from tokenlab.lm import korean_number

    return [Case((n,), korean_number(n), label=f"n={n:,}") for n in NUMBERS]


def _same_reading(got: Any, expected: str) -> bool:
    return isinstance(got, str) and got.replace(" ", "") == expected


def _reading_remark(got: Any, expected: str) -> str | None:
    if not isinstance(got, str):
        return f"return the reading as a str, not a {type(got).__name__}"
    if not got.strip():
        if expected == "영":
            return "the reading is empty: 0 alone is read 영"
        return ("the reading is empty: read the digits in groups of four, the upper group "
                "followed by 만")
    if "영" in got and expected != "영":
        return "zero digits are not read at all: 영 is only the reading of 0 alone"
    if "일십" in got or "일백" in got or "일천" in got:
        return "a 1 before 십, 백 or 천 is silent: 10 is 십, not 일십"
    if got.startswith("일만"):
        return "a 1 before 만 is silent too: 10,000 is 만, not 일만"
    if got.count("만") > expected.count("만"):
        return "만 comes once, after the whole upper group of four digits (십만, not 십만만)"
    if "만" in expected and "만" not in got:
        return ("read the digits in groups of four: the upper group is followed by 만, so "
                "20,000 is 이만, not 이십천")
    return None


@exercise(
    "ch10-korean-number",
    title="Read a number in Sino-Korean",
    hint="split the number into its upper and lower groups of four digits; read a group digit "
    "by digit from the thousands down, skipping zeros, writing each digit's syllable and then "
    "its unit, with the digit left out when it is a one before a unit; put the upper group's "
    "reading and the unit for ten thousand before the lower group's, and remember the single "
    "case of nothing at all.",
)
def check_korean_number(answer: Any) -> list[str | None]:
    """Hidden numbers for ``reading(n)``, compared exactly (spaces ignored)."""
    return run_cases(answer, reading_cases(), compare=_same_reading, show=short_repr,
                     diagnose=_reading_remark)


# ---- ch10-cross-attention -------------------------------------------------------------------

#: (Lt, Ls, d, number of real source tokens, seed): one query, square and long sources,
#: padding at the end of the source, no padding at all.
CROSS_INPUTS: list[tuple[int, int, int, int, int]] = [
    (1, 4, 2, 4, 0),
    (3, 5, 4, 5, 1),
    (4, 6, 8, 3, 2),
    (2, 7, 16, 1, 3),
    (5, 3, 4, 2, 4),
    (6, 9, 32, 9, 5),
    (3, 8, 64, 5, 6),
]


def _cross(x: Any, memory: Any, mask: Any, scale: float, *, keys: Any = None,
           dim: int = -1, masked: bool = True) -> tuple[Any, Any]:
    import torch

    k = memory if keys is None else keys
    scores = x @ k.T * scale
    if masked:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=dim)
    return weights @ memory, weights


def _cross_target(x: Any, memory: Any, mask: Any) -> TensorTarget:
    from tokenlab.attention import scaled_dot_product_attention

    x, memory = x.double(), memory.double()
    value = scaled_dot_product_attention(x, memory, memory, mask=mask)
    return TensorTarget(value, lambda: _cross_pitfalls(x, memory, mask), mask=mask)


def _cross_pitfalls(x: Any, memory: Any, mask: Any) -> list[tuple[Any, str]]:
    d = x.shape[-1]
    scale = 1 / math.sqrt(d)
    pitfalls = [
        (_cross(x, memory, mask, scale, masked=False),
         "the padding of the source gets weight: hide the keys where memory_mask is False "
         "(-inf before the softmax)"),
        (_cross(x, memory, ~mask, scale),
         "memory_mask is True at the real tokens: you hid the real tokens and kept the padding"),
        (_cross(x, memory, mask, 1.0),
         "the scores are not scaled: divide x @ memory.T by sqrt(d)"),
        (_cross(x, memory, mask, 1 / d),
         "divide the scores by sqrt(d), not by d"),
    ]
    if x.shape[0] == memory.shape[0] and x.shape[0] > 1:
        pitfalls.append((_cross(x, memory, mask, scale, keys=x),
                         "the keys come from memory, not from x: that is self-attention"))
    if x.shape[0] > 1:
        pitfalls.append((_cross(x, memory, mask, scale, dim=0),
                         "take the softmax over the source (the last dimension): each target "
                         "position's row of weights sums to 1"))
    return pitfalls


def cross_attention_cases() -> list[Case]:
    """The hidden cases of ``ch10-cross-attention``: float32 inputs, a padding mask each."""
    import torch

    cases = []
    for lt, ls, d, real, seed in CROSS_INPUTS:
        generator = torch.Generator().manual_seed(seed)
        x = 2.0 * torch.randn(lt, d, generator=generator)
        memory = 2.0 * torch.randn(ls, d, generator=generator)
        mask = torch.arange(ls) < real
        cases.append(Case((x, memory, mask), _cross_target(x, memory, mask),
                          label=f"random x {tuple(x.shape)}, memory {tuple(memory.shape)} and "
                                f"memory_mask with {real} real tokens of {ls}"))
    return cases


def _close_pair(got: Any, expected: TensorTarget) -> bool:
    """Output and weights within tolerance, and exactly 0 weight on the padding."""
    pair = as_pair(got)
    if pair is None or not all(close_tensor(g, e) for g, e in zip(pair, expected.value,
                                                                  strict=True)):
        return False
    return not bool((as_float64(pair[1])[:, ~expected.mask] != 0).any())


def _cross_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    out, weights = expected.value
    pair = as_pair(got)
    if pair is None:
        if isinstance(got, torch.Tensor):
            return "return both results, as a pair: (output, weights)"
        return None
    if close_tensor(pair[0], weights) and close_tensor(pair[1], out):
        return "the two results are swapped: return (output, weights), in that order"
    for g, e, name in ((pair[0], out, "output"), (pair[1], weights, "weights")):
        remark = tensor_remark(g, e)
        if remark:
            return f"{name}: {remark}"
    g_weights = as_float64(pair[1])
    sums = g_weights.sum(-1)
    if bool(torch.isfinite(sums).all()) and not near(sums, torch.ones_like(sums)):
        return ("take the softmax over the source (the last dimension): each target "
                "position's row of weights sums to 1")
    for (_, wrong_weights), remark in expected.pitfalls:
        if near(g_weights, wrong_weights) and not near(wrong_weights, weights):
            return remark
    if bool(torch.isnan(g_weights).any()) or bool(torch.isnan(as_float64(pair[0])).any()):
        return "a NaN: check each step (scores, mask, softmax, weighted sum) on its own"
    if close_tensor(pair[1], weights):
        return ("the weights are right but the output is not: it is weights @ memory (the "
                "values are the source's vectors)")
    return None


@exercise(
    "ch10-cross-attention",
    title="Cross-attention with a padded source",
    hint="the queries are the rows of x and the keys and values the rows of memory, so the "
    "scores have one row per target position and one column per source token; scale them by "
    "one over the square root of the width, put minus infinity where the mask says padding, "
    "take the softmax along the source, and mix the memory's rows with those weights.",
)
def check_cross_attention(answer: Any) -> list[str | None]:
    """Hidden cases for ``cross_attend(x, memory, memory_mask)``, output and weights."""
    return run_cases(answer, cross_attention_cases(), compare=_close_pair, show=show_pair,
                     diagnose=_cross_remark)

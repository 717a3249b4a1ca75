"""Chapter 4 (corpora): checkers for its two coding exercises.

``ch04-duplicates``
    ``count_duplicates(texts: list[str]) -> int``: how many texts keeping only the first copy
    of each exact text removes.
``ch04-heaps``
    ``vocab_growth(tokens: list[str]) -> list[int]``: item ``i`` is the number of distinct
    tokens among ``tokens[: i + 1]`` (the curve of Heaps' law).

Examples
--------
>>> from tokenlab.exercises import check
>>> check("ch04-duplicates", lambda texts: len(texts) - len(set(texts))).passed
True
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from tokenlab.exercise_bank._compare import same_int, show_int
from tokenlab.exercises import Case, exercise, run_cases

__all__: list[str] = []

DUPLICATE_INPUTS: list[list[str]] = [
    ["최고", "재밌어요", "최고", "최고"],
    ["a", "b", "c"],
    [],
    ["same", "same"],
    ["Good movie", "good movie", "Good movie!"],
    ["x", "y", "x", "y", "x", "z"],
]

HEAPS_INPUTS: list[list[str]] = [
    ["the", "cat", "sat", "on", "the", "mat"],
    [],
    ["a", "a", "a"],
    ["영화", "너무", "영화", "재밌다", "너무", "좋다"],
    ["x", "y", "z"],
]


def _duplicate_remark(got: Any, expected: int) -> str | None:
    if isinstance(got, Integral) and got < 0:
        return "a count of removed texts cannot be negative"
    return None


@exercise(
    "ch04-duplicates",
    title="Counting exact duplicates",
    hint="only exact copies count (no standardization), the first copy of each text is kept, "
    "and every further copy is removed; an empty list removes nothing.",
)
def check_duplicates(answer: Any) -> list[str | None]:
    """Hidden cases for ``count_duplicates(texts)``."""
    cases = [Case((texts,), len(texts) - len(set(texts))) for texts in DUPLICATE_INPUTS]
    return run_cases(answer, cases, compare=same_int, show=show_int,
                     diagnose=_duplicate_remark)


def _growth(tokens: list[str]) -> list[int]:
    seen: set[str] = set()
    out = []
    for token in tokens:
        seen.add(token)
        out.append(len(seen))
    return out


def _same_int_list(got: Any, expected: list[int]) -> bool:
    return isinstance(got, list | tuple) and [int(g) if isinstance(g, Integral) else g
                                             for g in got] == expected


def _growth_remark(got: Any, expected: list[int]) -> str | None:
    if not isinstance(got, list | tuple):
        return None
    if len(got) != len(expected):
        return f"it has {len(got)} items; there is one item per token"
    numbers = all(isinstance(g, Integral) for g in got)
    if numbers and any(b < a for a, b in zip(got, got[1:], strict=False)):
        return "the number of distinct tokens seen so far can never go down"
    return None


@exercise(
    "ch04-heaps",
    title="Vocabulary growth (Heaps' law)",
    hint="walk through the tokens once, keep a set of the tokens seen so far, and after each "
    "token append the size of that set.",
)
def check_heaps(answer: Any) -> list[str | None]:
    """Hidden cases for ``vocab_growth(tokens)``."""
    cases = [Case((tokens,), _growth(tokens)) for tokens in HEAPS_INPUTS]
    return run_cases(answer, cases, compare=_same_int_list, diagnose=_growth_remark)

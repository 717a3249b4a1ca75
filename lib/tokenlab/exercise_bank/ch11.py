"""Chapter 11 (real models): checkers for its two coding exercises.

``ch11-tokens-per-char``
    ``tokens_per_char(count: Callable[[str], int], texts: list[str]) -> float``: the number of
    tokens of a whole corpus over its number of characters, ``sum(count(t)) / sum(len(t))``
    (sum first, then divide once: not the mean of per-text ratios). A corpus with no
    characters gives ``0.0``. Compared within 1e-9.
``ch11-search``
    ``search(query: Tensor, keys: Tensor, k: int) -> list[int]``: the indices of the ``k`` rows
    of ``keys`` ``(m, d)`` with the largest cosine to ``query`` ``(d,)``, best first, as a list
    of Python ints; among equal cosines the lower index comes first. The rows have different
    lengths, so ranking by dot product is wrong. The expected indices come from
    :func:`tokenlab.similarity.topk` with ``metric="cosine"`` (which puts the lower index first
    among ties); no hidden case has two different cosines closer than 1e-4, so float32 and
    float64 answers rank alike.

Examples
--------
>>> import torch
>>> import torch.nn.functional as F
>>> from tokenlab.exercises import check
>>> def tokens_per_char(count, texts):
...     chars = sum(len(t) for t in texts)
...     return sum(count(t) for t in texts) / chars if chars else 0.0
>>> check("ch11-tokens-per-char", tokens_per_char).passed
True
>>> def search(query, keys, k):
...     scores = F.normalize(keys, dim=1) @ F.normalize(query, dim=0)
...     return torch.sort(scores, descending=True, stable=True).indices[:k].tolist()
>>> check("ch11-search", search).passed
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tokenlab.exercise_bank._compare import Target, as_number, pitfall_remark, show_float
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

#: How close the ratio must be to the reference.
TOLERANCE = 1e-9


# ---- ch11-tokens-per-char -------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _two_per_word(text: str) -> int:
    return 2 * len(text.split()) + 1


#: (name of the counter, the counter, the texts): one-text corpora, very unequal lengths (the
#: mean of ratios differs), Korean (bytes per character 3), empty texts, an empty corpus.
COUNT_INPUTS: list[tuple[str, Callable[[str], int], list[str]]] = [
    ("words", _words, ["a rose is a rose"]),
    ("words", _words, ["ok", "this film is far too long for what it has to say about love"]),
    ("utf8_bytes", _utf8_bytes, ["이 영화 최고", "good", "재밌어요!"]),
    ("two_per_word", _two_per_word, ["hi", "", "a much longer review than the first"]),
    ("words", _words, ["", ""]),
    ("words", _words, []),
    ("utf8_bytes", _utf8_bytes, ["x" * 50, "한"]),
]


def _reference(count: Callable[[str], int], texts: list[str]) -> Target:
    chars = sum(len(t) for t in texts)
    tokens = sum(count(t) for t in texts)
    value = tokens / chars if chars else 0.0
    pitfalls: list[tuple[float, str]] = []
    ratios = [count(t) / len(t) for t in texts if len(t)]
    if ratios:
        pitfalls.append((sum(ratios) / len(ratios),
                         "that is the mean of per-text ratios: sum the tokens and the "
                         "characters over the whole corpus first, then divide once"))
    if chars and tokens:
        pitfalls.append((chars / tokens, "upside down: tokens over characters, not characters "
                                         "over tokens"))
    return Target(value, tuple(pitfalls))


def count_cases() -> list[Case]:
    """The hidden cases of ``ch11-tokens-per-char``."""
    return [Case((count, texts), _reference(count, texts),
                 label=f"count={name} and texts={short_repr(texts, 80)}")
            for name, count, texts in COUNT_INPUTS]


def _close(got: Any, expected: Target) -> bool:
    value = as_number(got)
    return value is not None and abs(value - expected.value) <= TOLERANCE


def _count_remark(got: Any, expected: Target) -> str | None:
    if as_number(got) is None:
        return "return one number, a float"
    return pitfall_remark(got, expected, TOLERANCE)


@exercise("ch11-tokens-per-char", title="Tokens per character of a corpus",
          hint="Two running totals, tokens and characters, over all the texts; divide once at "
               "the end, and return 0.0 when there are no characters.")
def _check_tokens_per_char(answer: Any) -> list[str | None]:
    return run_cases(answer, count_cases(), compare=_close, show=show_float,
                     diagnose=_count_remark)


# ---- ch11-search ----------------------------------------------------------------------------

#: (m, d, k, seed, kind): random keys of very different lengths; duplicated rows (ties) with
#: the longer copy later; k = 1 and k = m; a key that points like the query but is short.
SEARCH_INPUTS: list[tuple[int, int, int, int, str]] = [
    (6, 4, 3, 0, "random"),
    (10, 8, 1, 1, "random"),
    (5, 3, 5, 2, "random"),
    (8, 4, 4, 3, "ties"),
    (7, 2, 2, 4, "short_best"),
    (20, 16, 6, 5, "random"),
]

#: Different cosines of one case are at least this far apart (so float32 ranks as float64).
MIN_GAP = 1e-4


def _search_inputs(m: int, d: int, seed: int, kind: str) -> tuple[Any, Any]:
    import torch

    g = torch.Generator().manual_seed(seed)
    query = torch.randn(d, generator=g)
    keys = torch.randn(m, d, generator=g) * torch.rand(m, 1, generator=g).mul(9).add(0.2)
    if kind == "ties":
        keys[m // 2:] = keys[: m - m // 2] * 2.0  # same directions, longer (exactly), later
    if kind == "short_best":
        keys[-1] = query * 0.05  # cosine 1, but the shortest key
    return query, keys


def _expected_search(query: Any, keys: Any, k: int) -> list[int]:
    from tokenlab.similarity import topk

    return topk(query.double(), keys.double(), k, metric="cosine").indices.tolist()


TIES = " and repeated directions"


def search_cases() -> list[Case]:
    """The hidden cases of ``ch11-search`` (float32 query and keys)."""
    cases = []
    for m, d, k, seed, kind in SEARCH_INPUTS:
        query, keys = _search_inputs(m, d, seed, kind)
        cases.append(Case((query, keys, k), _expected_search(query, keys, k),
                          label=f"a query of shape ({d},), keys of shape ({m}, {d}) with rows "
                                f"of different lengths{TIES if kind == 'ties' else ''}, k={k}"))
    return cases


def _as_index_list(got: Any) -> list[int] | None:
    if isinstance(got, list | tuple) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in got
    ):
        return list(got)
    return None


def _same_indices(got: Any, expected: list[int]) -> bool:
    return _as_index_list(got) == expected


def _search_remark(got: Any, expected: list[int]) -> str | None:
    import torch

    if isinstance(got, torch.Tensor):
        return "return a list of Python ints (a tensor's .tolist() gives one)"
    indices = _as_index_list(got)
    if indices is None:
        return "return a list of ints"
    if len(indices) != len(expected):
        return f"return exactly k indices, got {len(indices)}"
    if sorted(indices) == sorted(expected):
        return "the right rows in the wrong order: best (largest cosine) first, lower index " \
               "first among ties"
    return None


def _search_pitfalls(query: Any, keys: Any, k: int, expected: list[int]) -> list[tuple[Any, str]]:
    """Rankings of typical mistakes, with their remarks."""
    import torch

    dots = keys.double() @ query.double()
    by_dot = torch.sort(dots, descending=True, stable=True).indices[:k].tolist()
    cos = torch.nn.functional.cosine_similarity(keys.double(), query.double()[None], dim=1)
    worst = torch.sort(cos, descending=False, stable=True).indices[:k].tolist()
    return [(by_dot, "ranked by dot product: long keys win; divide by the norms first"),
            (worst, "the k smallest cosines: sort in descending order")]


@exercise("ch11-search", title="Search by meaning",
          hint="Normalise the query and every key to length 1, take the dot products (now "
               "cosines) and keep the k largest, best first; a stable sort keeps ties in index "
               "order.")
def _check_search(answer: Any) -> list[str | None]:
    cases = search_cases()

    def diagnose(got: Any, expected: list[int]) -> str | None:
        remark = _search_remark(got, expected)
        if remark:
            return remark
        case = next(c for c in cases if c.expected is expected)
        for wrong, why in _search_pitfalls(*case.args, expected):
            if _as_index_list(got) == wrong and wrong != expected:
                return why
        return None

    return run_cases(answer, cases, compare=_same_indices, show=short_repr, diagnose=diagnose)

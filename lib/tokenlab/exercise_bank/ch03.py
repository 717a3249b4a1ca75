"""Chapter 3 (sets versus sequences): checkers for its three coding exercises.

``ch03-idf``
    ``idf(df: int, n: int, convention: str) -> float``: the inverse document frequency of a
    token found in ``df`` of ``n`` documents, natural logarithm; ``convention="keras"`` gives
    Keras's ``ln(1 + n / (1 + df))``, ``convention="sklearn"`` scikit-learn's smoothed
    ``ln((1 + n) / (1 + df)) + 1``.
``ch03-multi-hot``
    ``multi_hot(token_lists: list[list[str]], vocab_tokens: list[str]) -> torch.Tensor``: a
    float32 tensor of shape ``(len(token_lists), len(vocab_tokens))`` whose row ``i`` has a 1
    in the column of every token of document ``i`` and 0 elsewhere. ``vocab_tokens`` is in
    index order (mask ``""`` at 0, OOV ``"[UNK]"`` at 1); a token not in it sets column 1;
    padding (``""``) sets nothing, so column 0 is always 0.
``ch03-embedding``
    ``lookup(weights: torch.Tensor, ids: torch.Tensor) -> torch.Tensor``: the rows of
    ``weights`` (shape ``(vocab, dim)``) for the integer ``ids``, computed as one-hot vectors
    times ``weights``. ``ids`` of shape ``(length,)`` give ``(length, dim)``, ids of shape
    ``(batch, length)`` give ``(batch, length, dim)``. Id 0 is a row like any other.

The expected results come from :class:`tokenlab.vectorize.TextVectorizer` (``idf_`` after
``fit``; ``"multi_hot"`` output after ``set_vocabulary``) and from
``torch.nn.functional.embedding``. Numbers are compared within 1e-6; the multi-hot tensor
exactly, float32 and dense.

Examples
--------
>>> import math, torch
>>> from tokenlab.exercises import check
>>> def idf(df, n, convention):
...     if convention == "keras":
...         return math.log(1 + n / (1 + df))
...     return math.log((1 + n) / (1 + df)) + 1
>>> check("ch03-idf", idf).passed
True
>>> def lookup(weights, ids):
...     one_hot = torch.nn.functional.one_hot(ids, num_classes=weights.shape[0])
...     return one_hot.to(weights.dtype) @ weights
>>> check("ch03-embedding", lookup).passed
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tokenlab.exercise_bank._compare import (
    Target,
    as_number,
    close_number,
    close_tensor,
    pitfall_remark,
    show_number,
    show_tensor,
)
from tokenlab.exercise_bank.ch02 import vocabulary_of
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

TOLERANCE = 1e-6


# ---- ch03-idf -------------------------------------------------------------------------------

IDF_INPUTS: list[tuple[int, int, str]] = [
    (1, 4, "keras"),
    (1, 4, "sklearn"),
    (4, 4, "keras"),
    (4, 4, "sklearn"),
    (1, 1, "keras"),
    (1, 1, "sklearn"),
    (3, 10, "keras"),
    (2, 10, "sklearn"),
    (10, 1000, "keras"),
    (10, 1000, "sklearn"),
]


def _idf_reference(df: int, n: int, convention: str) -> float:
    """Fit a tf-idf vectorizer on ``n`` documents, ``df`` of them holding ``t``: idf of ``t``."""
    from tokenlab.vectorize import TextVectorizer

    texts = ["t o"] * df + ["o"] * (n - df)
    vectorizer = TextVectorizer("tf_idf", idf=convention).fit(texts)
    return float(vectorizer.idf_[vectorizer.vocabulary["t"]])


def _idf_target(df: int, n: int, convention: str) -> Target:
    keras = math.log(1 + n / (1 + df))
    sklearn = math.log((1 + n) / (1 + df)) + 1
    if convention == "keras":
        other, inner, shift = "sklearn", 1 + n / (1 + df), 0.0
        specific = [
            (math.log(n / (1 + df)), "Keras adds 1 inside the logarithm, which keeps the idf "
                                     "above 0 even for a token in every document"),
            (math.log(1 + n // (1 + df)), "n / (1 + df) is a fraction: check for integer "
                                          "division (//)"),
        ]
    else:
        other, inner, shift = "keras", (1 + n) / (1 + df), 1.0
        specific = [
            (math.log(n / df) + 1, "that is scikit-learn's unsmoothed idf (smooth_idf=False); "
                                   "the smoothed one adds 1 to both n and df, as if one more "
                                   "document held every token"),
            (math.log((1 + n) / (1 + df)), "scikit-learn adds 1 after the logarithm, so that a "
                                           "token in every document keeps a weight of 1, not 0"),
            (math.log((1 + n) // (1 + df)) + 1, "(1 + n) / (1 + df) is a fraction: check for "
                                                "integer division (//)"),
        ]
    value = _idf_reference(df, n, convention)
    pitfalls = [
        (sklearn if convention == "keras" else keras,
         f"that is the {other!r} convention's idf; convention={convention!r} asks for the "
         f"other formula"),
        (math.log10(inner) + shift, "idf uses the natural logarithm (math.log), not log10"),
        (math.log2(inner) + shift, "idf uses the natural logarithm (math.log), not log2"),
        *specific,
        (float(n) / df, "idf is a logarithm of the ratio, not the ratio itself"),
    ]
    return Target(value, tuple(pitfalls))


def idf_cases() -> list[Case]:
    """The hidden cases of ``ch03-idf``, expected values from a fitted ``TextVectorizer``."""
    return [Case((df, n, convention), _idf_target(df, n, convention),
                 label=f"df={df}, n={n} and convention={convention!r}")
            for df, n, convention in IDF_INPUTS]


def _close_idf(got: Any, expected: Target) -> bool:
    if as_number(got) is None:
        import torch

        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
    return close_number(got, expected, TOLERANCE)


def _idf_remark(got: Any, expected: Target) -> str | None:
    return pitfall_remark(got, expected, TOLERANCE)


@exercise(
    "ch03-idf",
    title="Inverse document frequency, two conventions",
    hint="use the natural logarithm (math.log) and follow the chapter's two formulas term by "
    "term: where does each convention add its 1s (to df, to n, inside the logarithm, after "
    "it)? A rare token (small df) must get a larger idf than a common one.",
)
def check_idf(answer: Any) -> list[str | None]:
    """Hidden cases for ``idf(df, n, convention)``."""
    return run_cases(answer, idf_cases(), compare=_close_idf, show=show_number,
                     diagnose=_idf_remark)


# ---- ch03-multi-hot -------------------------------------------------------------------------

VOCAB_EN: list[str] = ["", "[UNK]", "the", "cat", "sat", "mat", "dog"]
VOCAB_BIGRAMS: list[str] = ["", "[UNK]", "new", "york", "new york", "is", "big", "york is"]
VOCAB_KO: list[str] = ["", "[UNK]", "정말", "재밌어요", "재미없어요"]

MULTI_HOT_INPUTS: list[tuple[list[list[str]], list[str]]] = [
    ([["the", "cat", "sat", "on", "the", "mat"], ["the", "dog"]], VOCAB_EN),
    ([["a", "b", "c"], ["the"]], VOCAB_EN),
    ([["the", "cat", "", ""], ["dog", "", "", ""]], VOCAB_EN),
    ([[], ["cat"]], VOCAB_EN),
    ([["new", "york", "is", "big", "new york", "york is", "is big"], ["york", "new"]],
     VOCAB_BIGRAMS),
    ([["정말", "정말", "재밌어요"], ["정말", "재미없어요", "ㅠㅠ"]], VOCAB_KO),
    ([["[UNK]", "the"], ["mat", "mat", "mat"]], VOCAB_EN),
]


def _multi_hot_reference(token_lists: list[list[str]], vocab_tokens: list[str]) -> Any:
    """``TextVectorizer("multi_hot")`` with ``vocab_tokens`` set as its vocabulary."""
    from tokenlab.vectorize import TextVectorizer

    # Each "text" is the position of a token list, which split looks up: the token lists go
    # in as they are (a bigram such as "new york" stays one token).
    vectorizer = TextVectorizer("multi_hot", standardize=None,
                                split=lambda key: list(token_lists[int(key)]))
    vectorizer.set_vocabulary(vocabulary_of(vocab_tokens))
    return vectorizer.transform([str(i) for i in range(len(token_lists))])


def multi_hot_cases() -> list[Case]:
    """The hidden cases of ``ch03-multi-hot``."""
    return [Case((token_lists, vocab_tokens), _multi_hot_reference(token_lists, vocab_tokens),
                 label=f"token_lists={short_repr(token_lists, 90)} and "
                       f"vocab_tokens={short_repr(vocab_tokens, 80)}")
            for token_lists, vocab_tokens in MULTI_HOT_INPUTS]


def _same_multi_hot(got: Any, expected: Any) -> bool:
    import torch

    return (isinstance(got, torch.Tensor) and got.layout == torch.strided
            and got.dtype == torch.float32 and got.shape == expected.shape
            and bool(torch.equal(got.detach().cpu(), expected)))


def _multi_hot_remark(got: Any, expected: Any) -> str | None:
    import torch

    if not isinstance(got, torch.Tensor):
        if hasattr(got, "shape") or isinstance(got, list | tuple):
            return "return a torch tensor (torch.zeros gives one to fill in)"
        return None
    if got.layout != torch.strided:
        return "return a dense tensor, not a sparse one"
    if got.dim() != 2 or got.shape[0] != expected.shape[0]:
        return "the tensor needs one row per document (token list)"
    if got.shape[1] != expected.shape[1]:
        return ("the tensor needs one column per entry of vocab_tokens, the mask (0) and OOV (1) "
                "columns included")
    got = got.detach().cpu()
    if torch.equal(got.double(), expected.double()):
        return (f"the values are right but the dtype is {got.dtype}: a bag of words is float32, "
                f"ready to be multiplied by float weights")
    got = got.double()
    if bool((got[:, 0] != 0).any()):
        return "column 0 is the mask: padding ('') is not a token and never sets column 0"
    if bool((got > 1).any()):
        return ("a value above 1 is a count: multi-hot only says whether a token occurs (1) or "
                "not (0)")
    if bool(((got[:, 1] == 0) & (expected[:, 1] == 1)).any()):
        return ("a token missing from the vocabulary still counts: it sets column 1, the OOV "
                "column")
    if bool(((got[:, 1] != 0) & (expected[:, 1] == 0)).any()):
        return "column 1 is only for tokens that are not in vocab_tokens"
    return "check which column each token sets: its position in vocab_tokens"


@exercise(
    "ch03-multi-hot",
    title="Multi-hot bag of words",
    hint="start from a float32 tensor of zeros with one row per document and one column per "
    "vocabulary entry; map each token to its index (a dict from token to position, with "
    "unknown tokens going to the OOV index), skip padding, and set that entry to 1, whatever "
    "the number of times the token occurs.",
)
def check_multi_hot(answer: Any) -> list[str | None]:
    """Hidden cases for ``multi_hot(token_lists, vocab_tokens)``."""
    return run_cases(answer, multi_hot_cases(), compare=_same_multi_hot, show=show_tensor,
                     diagnose=_multi_hot_remark)


# ---- ch03-embedding -------------------------------------------------------------------------

#: (how the weights are described, how they are made, the ids).
EMBEDDING_INPUTS: list[tuple[str, Callable[[], Any], list]] = [
    ("torch.arange(1.0, 21.0).reshape(5, 4)", lambda: _arange(5, 4), [2, 0, 4]),
    ("torch.arange(1.0, 21.0).reshape(5, 4)", lambda: _arange(5, 4), [1]),
    ("torch.linspace(-1, 1, 24).reshape(6, 4)", lambda: _linspace(6, 4), [[1, 2, 0], [3, 3, 0]]),
    ("torch.arange(1.0, 21.0).reshape(10, 2)", lambda: _arange(10, 2), [[9, 0], [0, 0]]),
    ("a random (4, 8) tensor", lambda: _random(4, 8, seed=3), [3, 3, 3]),
    ("a random (7, 5) tensor", lambda: _random(7, 5, seed=7), [[6, 1, 2, 0], [4, 5, 0, 0]]),
    ("a random (50, 16) tensor", lambda: _random(50, 16, seed=11), [[7, 49, 12], [0, 3, 3]]),
]


def _arange(rows: int, cols: int) -> Any:
    import torch

    return torch.arange(1.0, rows * cols + 1.0).reshape(rows, cols)


def _linspace(rows: int, cols: int) -> Any:
    import torch

    return torch.linspace(-1, 1, rows * cols).reshape(rows, cols)


def _random(rows: int, cols: int, seed: int) -> Any:
    import torch

    return torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed))


def embedding_cases() -> list[Case]:
    """The hidden cases of ``ch03-embedding``, expected rows from ``F.embedding``."""
    import torch
    import torch.nn.functional as F

    cases = []
    for description, make, ids in EMBEDDING_INPUTS:
        weights, id_tensor = make(), torch.tensor(ids)
        cases.append(Case((weights, id_tensor), F.embedding(id_tensor, weights),
                          label=f"weights={description} and ids=torch.tensor({ids})"))
    return cases


def _close_rows(got: Any, expected: Any) -> bool:
    return close_tensor(got, expected, TOLERANCE)


def _embedding_remark(got: Any, expected: Any) -> str | None:
    import torch

    if not isinstance(got, torch.Tensor):
        return None
    if not got.is_floating_point():
        return "the rows of weights are float vectors: the result should be float, like weights"
    shape, want = tuple(got.shape), tuple(expected.shape)
    if shape == want[::-1] or (len(want) == 3 and shape == (want[0], want[2], want[1])):
        return ("the rows of weights are the vectors, one per id: a one-hot row vector times "
                "weights picks out a row, so the vector dimension comes last")
    if len(want) == 3 and shape == (want[0] * want[1], want[2]):
        return "keep the shape of ids: ids of shape (batch, length) give (batch, length, dim)"
    if shape != want:
        return ("the result has the shape of ids with one more dimension, the vector size, at "
                "the end")
    got = got.detach().cpu().double()
    zero_rows = (got == 0).all(dim=-1) & (expected.double() != 0).any(dim=-1)
    if bool(zero_rows.any()):
        return ("a row of zeros where a row of weights should be: id 0 (padding) is an index "
                "like any other here (masking it is a separate step)")
    return None


@exercise(
    "ch03-embedding",
    title="One-hot times a matrix is an embedding lookup",
    hint="a one-hot vector for id i has a single 1 in column i, so multiplying it by weights "
    "keeps only row i; make the one-hot vectors as wide as weights has rows (not as wide as "
    "the largest id you happen to see), in weights' float dtype, and let @ carry the batch "
    "dimensions along.",
)
def check_embedding(answer: Any) -> list[str | None]:
    """Hidden cases for ``lookup(weights, ids)``."""
    return run_cases(answer, embedding_cases(), compare=_close_rows, show=show_tensor,
                     diagnose=_embedding_remark)

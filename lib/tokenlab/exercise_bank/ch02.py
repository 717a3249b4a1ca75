"""Chapter 2 (vocabulary and indexing): checkers for its two coding exercises.

``ch02-vocab``
    ``build_vocab(token_lists: list[list[str]], max_tokens: int | None) -> list[str]``: every
    token of the vocabulary in index order: ``""`` (the mask) at index 0, ``"[UNK]"`` (the OOV
    token) at index 1, then the tokens of ``token_lists`` ranked by count, most frequent first,
    equal counts in ascending ``str`` order. ``max_tokens`` is the size of the whole list, the
    two special tokens included; ``None`` keeps every token. The special tokens are never
    counted as words (a padded list may hold ``""``).
``ch02-oov-rate``
    ``oov_rate(vocab_tokens: list[str], token_lists: list[list[str]]) -> float``: the fraction
    of the tokens in ``token_lists`` that are out of vocabulary. ``vocab_tokens`` is a list in
    index order, as ``build_vocab`` returns it. Every occurrence counts; padding (``""``) is not
    text and is left out of both counts; a token is known only if it is in ``vocab_tokens`` at
    index 2 or above, so a literal ``"[UNK]"`` counts as out of vocabulary.

The expected results come from :class:`tokenlab.vocab.Vocabulary` (``build(...).tokens`` and
``oov_rate``), the chapter's reference implementation. The rate is compared within 1e-6 (a
NumPy or 0-d torch number is fine too).

Examples
--------
>>> from collections import Counter
>>> from tokenlab.exercises import check
>>> def build_vocab(token_lists, max_tokens):
...     counts = Counter(t for tokens in token_lists for t in tokens if t not in ("", "[UNK]"))
...     ranked = sorted(counts, key=lambda t: (-counts[t], t))
...     vocab = ["", "[UNK]", *ranked]
...     return vocab if max_tokens is None else vocab[:max_tokens]
>>> check("ch02-vocab", build_vocab).passed
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tokenlab.exercise_bank._compare import (
    Target,
    close_number,
    pitfall_remark,
    same_str_list,
    show_number,
)
from tokenlab.exercises import Case, exercise, run_cases, short_repr

if TYPE_CHECKING:
    from tokenlab.vocab import Vocabulary

__all__: list[str] = []

MASK, OOV = "", "[UNK]"


# ---- ch02-vocab -----------------------------------------------------------------------------

VOCAB_INPUTS: list[tuple[list[list[str]], int | None]] = [
    ([["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"]], None),
    ([["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"]], 5),
    ([["b", "a", "c"], ["c", "a", "b"]], None),
    ([["a", "rose", "is", "a", "rose"], ["is", "a", "rose"]], 4),
    ([["Apple", "banana", "apple"], ["Zebra", "zebra", "Apple"]], None),
    ([["나는", "학교에", "갔다"], ["나는", "집에", "갔다"], ["나는"]], 4),
    ([["a", "b", "", ""], ["b", "", "", ""], ["c", "a", "b", ""]], None),
    ([["to", "be", "or", "not", "to", "be"]], 2),
    ([[], ["x", "y", "x"]], 100),
]


def vocab_cases() -> list[Case]:
    """The hidden cases of ``ch02-vocab``, expected tokens from ``Vocabulary.build``."""
    from tokenlab.vocab import Vocabulary

    return [
        Case((token_lists, max_tokens),
             Vocabulary.build(token_lists, max_tokens=max_tokens).tokens,
             label=f"token_lists={short_repr(token_lists, 90)} and max_tokens={max_tokens!r}")
        for token_lists, max_tokens in VOCAB_INPUTS
    ]


def _show_str_list(got: Any) -> str:
    if isinstance(got, list | tuple):
        return short_repr(list(got))
    return f"{short_repr(got)}, a {type(got).__name__}, not a list of str"


def _vocab_remark(got: Any, expected: list[str]) -> str | None:
    if not isinstance(got, list | tuple):
        return None
    got = list(got)
    if not all(isinstance(t, str) for t in got):
        return "every entry should be a token (a str), not a count or a pair"
    if got[:2] != [MASK, OOV]:
        return ("the list starts with the two special tokens: the mask '' at index 0 and the "
                "OOV token '[UNK]' at index 1")
    if len(set(got)) < len(got):
        return ("a token appears twice: '' and '[UNK]' have their own slots and are never "
                "counted as words")
    if len(got) > len(expected):
        return ("too many tokens: max_tokens is the size of the whole list, the mask and OOV "
                "slots included")
    if len(got) < len(expected):
        return ("too few tokens: keep every distinct token up to max_tokens (None keeps them "
                "all), each spelled exactly as in the lists ('Apple' and 'apple' are two tokens)")
    if set(got) == set(expected):
        return ("the right tokens in another order: most frequent first, and equal counts in "
                "ascending str order (plain sorted order, where 'Z' comes before 'a')")
    return ("a different choice of tokens: when max_tokens cuts through tokens of equal count, "
            "the ones that come first in ascending str order are kept")


@exercise(
    "ch02-vocab",
    title="Build a vocabulary",
    hint="count every token over all the lists, leaving the special tokens out; rank by count, "
    "most frequent first, breaking ties by the token string in ascending order (sorted can "
    "sort by two keys at once); put '' and '[UNK]' in front; and keep the whole list, "
    "specials included, within max_tokens.",
)
def check_vocab(answer: Any) -> list[str | None]:
    """Hidden cases for ``build_vocab(token_lists, max_tokens)``."""
    return run_cases(answer, vocab_cases(), compare=same_str_list, show=_show_str_list,
                     diagnose=_vocab_remark)


# ---- ch02-oov-rate --------------------------------------------------------------------------

#: A vocabulary in index order, as build_vocab returns it.
VOCAB_EN: list[str] = [MASK, OOV, "the", "cat", "sat", "on", "mat"]
VOCAB_KO: list[str] = [MASK, OOV, "나는", "갔다", "학교에"]

OOV_INPUTS: list[tuple[list[str], list[list[str]]]] = [
    (VOCAB_EN, [["the", "cat", "sat"], ["the", "dog", "ran"]]),
    (VOCAB_EN, [["the", "zebra", "zebra", "zebra"]]),
    (VOCAB_EN, [["the", "dog", "", ""], ["cat", "", "", ""]]),
    (VOCAB_EN, [["the", "[UNK]", "cat", "[UNK]"]]),
    (VOCAB_EN, [["the", "mat"], ["on", "the", "mat"]]),
    (VOCAB_EN, [["a", "b"], ["c"]]),
    (VOCAB_KO, [["나는", "집에", "갔다"], ["너는", "학교에", "갔다"]]),
    (VOCAB_EN, [[], ["the", "dog", "sat", "on", "a", "log"]]),
]


def vocabulary_of(vocab_tokens: list[str]) -> Vocabulary:
    """The :class:`~tokenlab.vocab.Vocabulary` whose tokens are ``vocab_tokens``, in that order.

    ``vocab_tokens`` is a list in index order, as ``build_vocab`` returns it: the mask, the OOV
    token, then the kept tokens (given decreasing counts so that their order stays).
    """
    from tokenlab.vocab import Vocabulary

    kept = vocab_tokens[2:]
    return Vocabulary(kept, list(range(len(kept), 0, -1)), mask_token=vocab_tokens[0],
                      oov_token=vocab_tokens[1])


def _oov_target(vocab_tokens: list[str], token_lists: list[list[str]]) -> Target:
    value = vocabulary_of(vocab_tokens).oov_rate(token_lists)
    known = set(vocab_tokens[2:])
    tokens = [t for doc in token_lists for t in doc]
    text = [t for t in tokens if t != MASK]
    unknown = sum(t not in known for t in text)
    pads = len(tokens) - len(text)
    types = set(text)
    rates = [sum(t not in known for t in doc if t != MASK) / n
             for doc in token_lists if (n := sum(t != MASK for t in doc))]
    pitfalls = [
        (1.0 - value, "that is the coverage, the share of known tokens; the OOV rate is the "
                      "share of the others"),
        (100.0 * value, "give a fraction between 0 and 1, not a percentage"),
        (float(unknown), "return the fraction of tokens, not the number of OOV tokens"),
        (len(types - known) / len(types), "count every occurrence of a token (running tokens), "
                                          "not each distinct type once"),
        (unknown / len(tokens), "padding ('') is not text: leave it out of the total too"),
        ((unknown + pads) / len(tokens), "padding ('') is not an unknown word: leave it out of "
                                         "both counts"),
        (sum(t not in known and t != OOV for t in text) / len(text),
         "a literal '[UNK]' in the text is not a known word: only the tokens at index 2 and "
         "above are in the vocabulary"),
        (sum(rates) / len(rates), "divide by the number of tokens in all the lists together, "
                                  "rather than averaging the rate of each list"),
    ]
    return Target(value, tuple(pitfalls))


def oov_cases() -> list[Case]:
    """The hidden cases of ``ch02-oov-rate``, expected rates from ``Vocabulary.oov_rate``."""
    return [
        Case((vocab_tokens, token_lists), _oov_target(vocab_tokens, token_lists),
             label=f"vocab_tokens={short_repr(vocab_tokens, 70)} and "
                   f"token_lists={short_repr(token_lists, 90)}")
        for vocab_tokens, token_lists in OOV_INPUTS
    ]


@exercise(
    "ch02-oov-rate",
    title="Out-of-vocabulary rate",
    hint="go through every token of every list; skip padding (''); of the tokens left, count "
    "those the vocabulary does not know (the special tokens at index 0 and 1 are not words), "
    "and divide by how many tokens were left. A set of the known tokens makes each look-up "
    "fast.",
)
def check_oov_rate(answer: Any) -> list[str | None]:
    """Hidden cases for ``oov_rate(vocab_tokens, token_lists)``."""
    return run_cases(answer, oov_cases(), compare=close_number, show=show_number,
                     diagnose=pitfall_remark)

"""Chapter 1 (tokenization): checkers for its three coding exercises.

``ch01-bigrams``
    ``bigrams(tokens: list[str]) -> list[str]``: neighbouring pairs joined by one space.
``ch01-vocab-size``
    ``count_types(texts: list[str], level: str) -> int``: distinct tokens after
    :func:`tokenlab.text.standardize`, at level ``"word"``, ``"char"`` or ``"jamo"``.
``ch01-jamo``
    ``syllable_to_jamo(ch: str) -> str``: one Hangul syllable to its conjoining jamo, by
    arithmetic on code points.

The expected results come from :mod:`tokenlab.text` (imported when a checker runs), the
chapter's reference implementation.

Examples
--------
>>> from tokenlab.exercises import check
>>> def syllable_to_jamo(ch):
...     s = ord(ch) - 0xAC00
...     lead, vowel, tail = s // 588, s % 588 // 28, s % 28
...     return chr(0x1100 + lead) + chr(0x1161 + vowel) + (chr(0x11A7 + tail) if tail else "")
>>> check("ch01-jamo", syllable_to_jamo).passed
True
"""

from __future__ import annotations

from typing import Any

from tokenlab.exercise_bank._compare import same_int, same_str_list, show_int
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

# ---- ch01-bigrams ---------------------------------------------------------------------------

BIGRAM_INPUTS: list[list[str]] = [
    ["new", "york", "is", "big"],
    ["i", "love", "new", "york"],
    [],
    ["hello"],
    ["the", "cat", "sat", "on", "the", "mat"],
    ["나는", "뉴욕에", "간다"],
]


def _show_with_type(got: Any) -> str:
    if isinstance(got, list | tuple):
        return short_repr(got)
    return f"{short_repr(got)}, a {type(got).__name__}, not a list of str"


def _bigram_remark(got: Any, expected: list[str]) -> str | None:
    if not isinstance(got, list | tuple):
        return None
    if any(isinstance(g, tuple | list) for g in got):
        return "each bigram should be one string, the two tokens joined by a space"
    if len(got) != len(expected):
        return f"it has {len(got)} items; count the pairs of neighbours again"
    if all(isinstance(g, str) and " " not in g for g in got):
        return "join the two tokens of a pair with one space"
    return None


@exercise(
    "ch01-bigrams",
    title="Word bigrams",
    hint="pair every token with the token right after it and join each pair with one space; "
    "n tokens have n - 1 neighbouring pairs, so a list of fewer than two tokens has none.",
)
def check_bigrams(answer: Any) -> list[str | None]:
    """Hidden cases for ``bigrams(tokens)``."""
    from tokenlab.text import ngrams

    cases = [Case((tokens,), ngrams(tokens, 2)) for tokens in BIGRAM_INPUTS]
    return run_cases(answer, cases, compare=same_str_list, show=_show_with_type,
                     diagnose=_bigram_remark)


# ---- ch01-vocab-size ------------------------------------------------------------------------

VOCAB_INPUTS: list[tuple[list[str], str]] = [
    (["The cat sat.", "The CAT sat on the mat!"], "word"),
    (["The cat sat.", "The CAT sat on the mat!"], "char"),
    (["Café", "cafe\u0301", "CAFÉ!"], "word"),
    (["정말 재밌어요!!", "정말 재미없어요 ㅠㅠ"], "word"),
    (["정말 재밌어요!!", "정말 재미없어요 ㅠㅠ"], "char"),
    (["정말 재밌어요!!", "정말 재미없어요 ㅠㅠ"], "jamo"),
    (["한국어 텍스트", "한글"], "jamo"),
]


@exercise(
    "ch01-vocab-size",
    title="Vocabulary size at three levels",
    hint="standardize every text with tokenlab.text.standardize before you split it, split "
    "at the level asked for ('word', 'char' or 'jamo'; whitespace is never a token), and "
    "count each distinct token once across all the texts, not once per text.",
)
def check_vocab_size(answer: Any) -> list[str | None]:
    """Hidden cases for ``count_types(texts, level)``."""
    from tokenlab.text import char_tokens, jamo_tokens, standardize, word_tokens

    split = {"word": word_tokens, "char": char_tokens, "jamo": jamo_tokens}
    cases = [
        Case((texts, level), len({t for text in texts for t in split[level](standardize(text))}),
             label=f"texts={short_repr(texts)} and level={level!r}")
        for texts, level in VOCAB_INPUTS
    ]
    return run_cases(answer, cases, compare=same_int, show=show_int)


# ---- ch01-jamo ------------------------------------------------------------------------------

JAMO_INPUTS: list[str] = ["가", "각", "한", "글", "뷁", "닭", "힣", "와"]


def _code_points(value: Any) -> str:
    if not isinstance(value, str):
        return f"{short_repr(value)}, a {type(value).__name__}, not a str"
    points = " ".join(f"U+{ord(c):04X}" for c in value[:8])
    return f"{short_repr(value)} ({points}{' ...' if len(value) > 8 else ''})"


def _jamo_remark(got: Any, expected: str) -> str | None:
    if not isinstance(got, str):
        return None
    if any(0x3131 <= ord(c) <= 0x318E for c in got):
        return ("those are compatibility jamo (U+3131-U+318E), made for typing letters "
                "alone; the exercise asks for conjoining jamo (U+1100-U+11FF)")
    if "\u11a7" in got:
        return "U+11A7 is not a jamo: a final index of 0 means there is no final consonant"
    if len(got) == 1 and 0xAC00 <= ord(got) <= 0xD7A3:
        return "that is still the precomposed syllable"
    return None


@exercise(
    "ch01-jamo",
    title="Hangul syllable to jamo",
    hint="take ord(ch) - 0xAC00 and split it with divmod, first by 21 * 28 (the initial), "
    "then by 28 (the vowel and the final); initials count from U+1100, vowels from U+1161, "
    "finals from U+11A7, and a final index of 0 means no final at all.",
)
def check_jamo(answer: Any) -> list[str | None]:
    """Hidden cases for ``syllable_to_jamo(ch)``."""
    from tokenlab.text import to_jamo

    cases = [Case((ch,), to_jamo(ch)) for ch in JAMO_INPUTS]
    return run_cases(answer, cases, show=_code_points, diagnose=_jamo_remark)

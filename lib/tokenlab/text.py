"""Standardize text, then split it: words, characters, n-grams, Hangul syllables and jamo.

The first two steps of the book's pipeline::

    raw text -> standardize -> tokenize -> ...

:func:`standardize` never splits anything and the tokenizers never standardize; a chapter
composes them (``word_tokens(standardize(text))``), as Keras's ``TextVectorization`` does with
its ``standardize`` and ``split`` steps.

Every function here has a browser twin in ``tokenlab/widgets/js/tokenize.js`` that gives the
same answer (``tests/test_tokenize_js.py`` checks it with Node.js).

Examples
--------
>>> word_tokens(standardize("The cat sat on the mat."))
['the', 'cat', 'sat', 'on', 'the', 'mat']
>>> len("한글"), len(to_jamo("한글")), from_jamo(to_jamo("한글"))
(2, 6, '한글')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = [
    "WHITESPACE",
    "NORMALIZATION_FORMS",
    "standardize",
    "word_tokens",
    "char_tokens",
    "ngrams",
    "to_jamo",
    "from_jamo",
    "jamo_tokens",
]

#: Every code point ``c`` with ``c.isspace()``: the characters ``str.split()`` splits on.
#: Hard-coded (a test checks it against all of Unicode) so that importing is instant; it
#: includes the ASCII separators ``\x1c``-``\x1f``, NEL ``\x85``, no-break spaces and the
#: ideographic space ``\u3000``, but not the zero-width space ``\u200b`` or the BOM ``\ufeff``.
WHITESPACE: str = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

#: The Unicode normalization forms :func:`standardize` accepts (or ``None`` for none).
NORMALIZATION_FORMS: tuple[str, ...] = ("NFC", "NFKC", "NFD", "NFKD")

_WHITESPACE_SET = frozenset(WHITESPACE)

# Hangul syllables (U+AC00..U+D7A3) are L * 588 + V * 28 + T, with 19 leading consonants
# (U+1100..), 21 vowels (U+1161..) and 27 trailing consonants (U+11A8..; T = 0 means none).
_S_BASE, _L_BASE, _V_BASE, _T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
_L_COUNT, _V_COUNT, _T_COUNT = 19, 21, 28
_N_COUNT = _V_COUNT * _T_COUNT  # 588
_S_COUNT = _L_COUNT * _N_COUNT  # 11172


def _check_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _strip_punctuation(text: str) -> str:
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION)
    category = unicodedata.category
    return "".join([c for c in text if category(c)[0] != "P"])


_ASCII_PUNCTUATION = {
    c: None for c in range(128) if unicodedata.category(chr(c)).startswith("P")
}


def standardize(
    text: str,
    *,
    lowercase: bool = True,
    strip_punctuation: bool = True,
    normalization: str | None = "NFKC",
) -> str:
    """Normalize, case-fold, drop punctuation and tidy the whitespace of ``text``.

    The steps, in order:

    1. Unicode normalization (``normalization``, NFKC by default): full-width forms become
       ASCII (``"ＡＢＣ"`` -> ``"ABC"``), ligatures split (``"ﬁ"`` -> ``"fi"``), an accent
       typed as a combining mark joins its letter, and Hangul stays Hangul: syllables are
       composed, never split into jamo.
    2. ``str.casefold()`` when ``lowercase``: a stronger ``lower()`` made for comparing
       text (``"Straße"`` -> ``"strasse"``, final ``"ς"`` -> ``"σ"``).
    3. When ``strip_punctuation``, every character whose Unicode general category is
       punctuation (``P*``) is removed, replaced by nothing, as Keras's default
       ``lower_and_strip_punctuation`` does: ``"don't"`` -> ``"dont"``. Symbols (``S*``:
       ``$``, ``+``, emoji) stay.
    4. The same normalization again: case folding and removing punctuation can leave text
       that is no longer normalized (``"ǰ"`` folds to ``"j"`` plus a combining caron; a
       dropped ``"."`` can bring a combining mark next to a letter). With it the result is
       always in the chosen form, so ``standardize`` is idempotent.
    5. Runs of :data:`WHITESPACE` become one ASCII space; both ends are stripped.

    NFKC also maps Hangul *compatibility* jamo, as typed alone (``"ㅋㅋ"``, ``"ㅠㅠ"``), to
    conjoining jamo (U+110F, U+1172), which look the same, and composes a typed consonant and
    vowel into a syllable (``"ㄱㅏ"`` -> ``"가"``). Pass ``normalization="NFC"`` to keep them.

    Parameters
    ----------
    text : str
        The raw text.
    lowercase : bool
        Case-fold (``str.casefold``).
    strip_punctuation : bool
        Remove punctuation (Unicode categories ``Pc Pd Ps Pe Pi Pf Po``).
    normalization : {"NFKC", "NFC", "NFD", "NFKD"} or None
        The Unicode normalization form; ``None`` skips normalization.

    Returns
    -------
    str
        The standardized text; ``""`` for ``""``.

    Raises
    ------
    TypeError
        If ``text`` is not a str, or a flag is not a bool.
    ValueError
        If ``normalization`` is not one of the forms above or None.

    Examples
    --------
    >>> standardize("The  Cat,\\tsat!")
    'the cat sat'
    >>> standardize("ＡＢＣ"), standardize("Straße"), standardize("ΣΟΦΟΣ")
    ('abc', 'strasse', 'σοφοσ')
    >>> standardize("정말 재밌어요!!  ^^")
    '정말 재밌어요 ^^'
    >>> standardize("Don't stop.", strip_punctuation=False)
    "don't stop."
    """
    _check_str(text, "text")
    _check_bool(lowercase, "lowercase")
    _check_bool(strip_punctuation, "strip_punctuation")
    if normalization is not None and normalization not in NORMALIZATION_FORMS:
        raise ValueError(
            f"normalization must be one of {', '.join(map(repr, NORMALIZATION_FORMS))} "
            f"or None, got {normalization!r}"
        )
    if normalization is not None:
        text = unicodedata.normalize(normalization, text)
    if lowercase:
        text = text.casefold()
    if strip_punctuation:
        text = _strip_punctuation(text)
    if normalization is not None and (lowercase or strip_punctuation):
        text = unicodedata.normalize(normalization, text)
    return " ".join(text.split())


def word_tokens(text: str) -> list[str]:
    """Split ``text`` on runs of :data:`WHITESPACE` (``str.split()``), dropping empty tokens.

    No standardization happens here: ``word_tokens("The cat.")`` keeps ``"The"`` and ``"cat."``.

    Parameters
    ----------
    text : str
        The text, usually already standardized.

    Returns
    -------
    list of str
        The words; ``[]`` for ``""`` or whitespace only.

    Examples
    --------
    >>> word_tokens("the cat\\u3000sat\\n on the mat")
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    >>> word_tokens("한국어 텍스트 분석")
    ['한국어', '텍스트', '분석']
    """
    return _check_str(text, "text").split()


def char_tokens(text: str, *, keep_whitespace: bool = False) -> list[str]:
    """Split ``text`` into code points (Python characters).

    For Korean this is the syllable tokenizer: each precomposed Hangul syllable is one code
    point (after NFC/NFKC, which :func:`standardize` applies). Use :func:`jamo_tokens` to go
    below the syllable. A character a reader sees as one (an emoji with a skin tone, a letter
    with a combining accent in NFD) can be several code points, hence several tokens.

    Parameters
    ----------
    text : str
        The text.
    keep_whitespace : bool
        Keep :data:`WHITESPACE` characters as tokens (dropped by default).

    Returns
    -------
    list of str
        One-character strings; ``[]`` for ``""``.

    Examples
    --------
    >>> char_tokens("the cat")
    ['t', 'h', 'e', 'c', 'a', 't']
    >>> char_tokens("한 글", keep_whitespace=True)
    ['한', ' ', '글']
    """
    _check_str(text, "text")
    _check_bool(keep_whitespace, "keep_whitespace")
    if keep_whitespace:
        return list(text)
    return [c for c in text if c not in _WHITESPACE_SET]


def _ngram_widths(n: object) -> list[int]:
    if isinstance(n, bool):
        raise TypeError("n must be an int, a (lo, hi) tuple or a range, got bool")
    if isinstance(n, int):
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        return [n]
    if isinstance(n, range):
        widths = sorted(set(n))
        if not widths or widths[0] < 1:
            raise ValueError(f"n as a range must be non-empty with every width >= 1, got {n!r}")
        return widths
    if isinstance(n, tuple | list):
        if len(n) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in n):
            raise ValueError(f"n as a tuple must be (lo, hi) with two ints, got {n!r}")
        lo, hi = n
        if not 1 <= lo <= hi:
            raise ValueError(f"n as a tuple (lo, hi) needs 1 <= lo <= hi, got {n!r}")
        return list(range(lo, hi + 1))
    raise TypeError(f"n must be an int, a (lo, hi) tuple or a range, got {type(n).__name__}")


def ngrams(tokens: Sequence[str], n: int | tuple[int, int] | range) -> list[str]:
    """Every run of ``n`` consecutive tokens, joined by one space.

    With a range of widths, as Keras's ``ngrams=2`` (which means 1- *and* 2-grams), the
    output holds every width from ``lo`` to ``hi``: all n-grams of the smallest width first,
    each width in order of position.

    Parameters
    ----------
    tokens : list or tuple of str
        The tokens, e.g. from :func:`word_tokens`.
    n : int, (lo, hi) tuple (or list) or range
        One width (``2``: bigrams only), an inclusive ``(lo, hi)`` pair (``(1, 2)``: words and
        bigrams), or a ``range`` of widths (Python's half-open ``range(1, 3)`` is also 1 and 2).

    Returns
    -------
    list of str
        ``len(tokens) - w + 1`` n-grams for each width ``w`` (none when there are fewer
        tokens than ``w``).

    Raises
    ------
    TypeError
        If ``tokens`` is not a list or tuple of str, or ``n`` has the wrong type.
    ValueError
        If a width is < 1 or ``lo > hi``.

    Examples
    --------
    >>> words = ["i", "love", "new", "york"]
    >>> ngrams(words, 2)
    ['i love', 'love new', 'new york']
    >>> ngrams(["new", "york"], (1, 2))
    ['new', 'york', 'new york']
    """
    if not isinstance(tokens, list | tuple):
        raise TypeError(f"tokens must be a list or tuple of str, got {type(tokens).__name__}")
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise TypeError(f"tokens[{i}] must be a str, got {type(token).__name__}")
    widths = _ngram_widths(n)
    out: list[str] = []
    for w in widths:
        out.extend(" ".join(tokens[i : i + w]) for i in range(len(tokens) - w + 1))
    return out


def to_jamo(text: str) -> str:
    """Decompose each precomposed Hangul syllable into its conjoining jamo.

    Arithmetic on code points: syllable ``U+AC00 + (L * 21 + V) * 28 + T`` becomes the
    leading consonant ``U+1100 + L``, the vowel ``U+1161 + V`` and, when ``T > 0``, the
    trailing consonant ``U+11A7 + T``. This is exactly what Unicode NFD does to a syllable;
    every other character is left as it is. :func:`from_jamo` undoes it.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        The text with every Hangul syllable (U+AC00..U+D7A3) replaced by 2 or 3 jamo.

    Examples
    --------
    >>> [f"U+{ord(c):04X}" for c in to_jamo("각")]
    ['U+1100', 'U+1161', 'U+11A8']
    >>> to_jamo("cat") == "cat"
    True
    """
    _check_str(text, "text")
    out: list[str] = []
    for c in text:
        s = ord(c) - _S_BASE
        if 0 <= s < _S_COUNT:
            out.append(chr(_L_BASE + s // _N_COUNT))
            out.append(chr(_V_BASE + (s % _N_COUNT) // _T_COUNT))
            if s % _T_COUNT:
                out.append(chr(_T_BASE + s % _T_COUNT))
        else:
            out.append(c)
    return "".join(out)


def from_jamo(text: str) -> str:
    """Compose conjoining jamo sequences ``L V`` and ``L V T`` back into Hangul syllables.

    ``L`` is a leading consonant U+1100..U+1112, ``V`` a vowel U+1161..U+1175 and ``T`` a
    trailing consonant U+11A8..U+11C2; any other character (lone jamo, old jamo, compatibility
    jamo such as ``"ㄱ"``) is left as it is. ``from_jamo(to_jamo(s)) == s`` for every string
    ``s`` in NFC, which is what :func:`standardize` returns (a non-NFC string can hold an
    ``L V`` pair that this would compose).

    Parameters
    ----------
    text : str
        Text holding conjoining jamo.

    Returns
    -------
    str
        The text with every ``L V (T)`` sequence replaced by its syllable.

    Examples
    --------
    >>> from_jamo("\\u1100\\u1161\\u11a8")
    '각'
    >>> from_jamo(to_jamo("한국어 텍스트"))
    '한국어 텍스트'
    """
    _check_str(text, "text")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        l_index = ord(c) - _L_BASE
        if 0 <= l_index < _L_COUNT and i + 1 < n:
            v_index = ord(text[i + 1]) - _V_BASE
            if 0 <= v_index < _V_COUNT:
                s = _S_BASE + (l_index * _V_COUNT + v_index) * _T_COUNT
                i += 2
                if i < n:
                    t_index = ord(text[i]) - _T_BASE
                    if 0 < t_index < _T_COUNT:
                        s += t_index
                        i += 1
                out.append(chr(s))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def jamo_tokens(text: str) -> list[str]:
    """Split ``text`` into characters with every Hangul syllable split into its jamo.

    ``char_tokens(to_jamo(text))``: whitespace is dropped, other characters are kept as they
    are. (The syllable tokenizer is :func:`char_tokens` itself.)

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    list of str
        Conjoining jamo for Hangul, one token per code point for everything else.

    Examples
    --------
    >>> [f"U+{ord(c):04X}" for c in jamo_tokens("한 a")]
    ['U+1112', 'U+1161', 'U+11AB', 'U+0061']
    """
    return char_tokens(to_jamo(text))

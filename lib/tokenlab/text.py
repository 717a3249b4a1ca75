"""Standardize text, then split it: words, characters, n-grams, Hangul syllables and jamo.

The first two steps of the book's pipeline::

    raw text -> standardize -> tokenize -> ...

:func:`standardize` never splits anything and the tokenizers never standardize; a chapter
composes them (``word_tokens(standardize(text))``), as Keras's ``TextVectorization`` does with
its ``standardize`` and ``split`` steps.

Every function here but the morpheme tokenizers and :func:`standardize_many` (a faster
:func:`standardize` over many texts) has a browser twin in
``tokenlab/widgets/js/tokenize.js`` that gives the same answer (``tests/test_tokenize_js.py``
checks it with Node.js). :func:`morpheme_tokens` runs the Kiwi morphological analyzer
(``kiwipiepy``), an optional dependency imported only when it is called.

Examples
--------
>>> word_tokens(standardize("The cat sat on the mat."))
['the', 'cat', 'sat', 'on', 'the', 'mat']
>>> len("한글"), len(to_jamo("한글")), from_jamo(to_jamo("한글"))
(2, 6, '한글')
"""

from __future__ import annotations

import functools
import re
import string
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

__all__ = [
    "WHITESPACE",
    "NORMALIZATION_FORMS",
    "MODES",
    "PUNCTUATION_MODES",
    "HANGUL_COMPATIBILITY_RANGES",
    "KERAS_PUNCTUATION",
    "standardize",
    "standardize_nfkc",
    "standardize_keras",
    "standardize_many",
    "word_tokens",
    "char_tokens",
    "ngrams",
    "to_jamo",
    "from_jamo",
    "jamo_tokens",
    "morpheme_tokens",
    "morpheme_tokens_batch",
    "KIWI_REQUIREMENT",
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

#: The Unicode normalization forms :func:`standardize` accepts (or ``None`` for none):
#: ``"NFKC_HANGUL"`` (the default: NFKC that keeps Hangul compatibility characters as typed)
#: and Unicode's four forms.
NORMALIZATION_FORMS: tuple[str, ...] = ("NFKC_HANGUL", "NFC", "NFKC", "NFD", "NFKD")

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


#: The presets of :func:`standardize` (its ``mode``).
MODES: tuple[str, ...] = ("default", "nfkc", "keras")

#: What :func:`standardize` can do with punctuation (its ``punctuation``).
PUNCTUATION_MODES: tuple[str, ...] = ("space", "delete", "keep")

#: Non-Hangul characters whose compatibility decomposition holds conjoining jamo: Hangul
#: compatibility jamo (U+3131..U+318E, the letters typed alone: ``ㅋ``, ``ㅠ``, the filler
#: U+3164), parenthesized and circled Hangul (U+3200..U+321E, U+3260..U+327E) and half-width
#: jamo (U+FFA0..U+FFDC). ``"NFKC_HANGUL"`` keeps them as typed; a test checks this table
#: against all of Unicode.
HANGUL_COMPATIBILITY_RANGES: tuple[tuple[int, int], ...] = (
    (0x3131, 0x318E), (0x3200, 0x321E), (0x3260, 0x327E), (0xFFA0, 0xFFBE),
    (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC),
)

_HANGUL_COMPATIBILITY = re.compile(
    "([" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in HANGUL_COMPATIBILITY_RANGES)
    + "]+)"
)

#: The 32 characters Keras's ``lower_and_strip_punctuation`` deletes (Python's
#: ``string.punctuation``, the character class of Keras's ``DEFAULT_STRIP_REGEX``).
KERAS_PUNCTUATION: str = string.punctuation

_KERAS_TABLE = {ord(c): None for c in KERAS_PUNCTUATION} | {
    c: c + 32 for c in range(ord("A"), ord("Z") + 1)
}
_ASCII_PUNCTUATION_DELETE = {
    c: None for c in range(128) if unicodedata.category(chr(c)).startswith("P")
}
_ASCII_PUNCTUATION_SPACE = {c: " " for c in _ASCII_PUNCTUATION_DELETE}
_APOSTROPHES = "'\u2019"
_FROM_MODE = object()


def _is_conjoining_jamo(c: str) -> bool:
    o = ord(c)
    return 0x1100 <= o <= 0x11FF or 0xA960 <= o <= 0xA97F or 0xD7B0 <= o <= 0xD7FF


def _nfkc_hangul(text: str) -> str:
    """NFKC, except that the characters of :data:`HANGUL_COMPATIBILITY_RANGES` stay as typed."""
    if unicodedata.is_normalized("NFKC", text):  # then it holds none of those characters
        return text
    parts = _HANGUL_COMPATIBILITY.split(text)  # odd indices: the kept runs
    if len(parts) == 1:
        return unicodedata.normalize("NFKC", text)
    # The kept characters are starters that compose with nothing on either side, so NFKC
    # never acts across them: each run between them is normalized alone (if it needs it).
    is_normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    return "".join(part if i % 2 or is_normalized("NFKC", part) else normalize("NFKC", part)
                   for i, part in enumerate(parts))


def _normalize(text: str, form: str) -> str:
    if form == "NFKC_HANGUL":
        return _nfkc_hangul(text)
    return unicodedata.normalize(form, text)


def _word_letter(c: str) -> bool:
    return unicodedata.category(c)[0] == "L" and not _is_conjoining_jamo(c)


_APOSTROPHE = re.compile("['\u2019]")


def _join_apostrophes(text: str) -> str:
    """Remove each ``'`` or ``\u2019`` that has a letter (not a conjoining jamo) on both sides."""
    n = len(text)
    kept, start = [], 0
    for match in _APOSTROPHE.finditer(text):
        i = match.start()
        if 0 < i < n - 1 and _word_letter(text[i - 1]) and _word_letter(text[i + 1]):
            kept.append(text[start:i])
            start = i + 1
    if not kept:
        return text
    kept.append(text[start:])
    return "".join(kept)


def _character_class(codes: list[int]) -> str:
    """A regular-expression character class body for ascending code points (as ranges)."""
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                   for lo, hi in ranges)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _punctuation_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of the code points in a Unicode category ``P*`` (this Python's ``unicodedata``):
    one pattern for the Basic Multilingual Plane, one for the planes above it.

    Built on first use (about 0.2 s), so that the scan runs in C. Two patterns, because ``re``
    turns a class of BMP characters into a bitmap but checks a class that reaches above
    U+FFFF range by range; text without such characters (nearly all) skips the second.
    """
    category = unicodedata.category
    codes = [c for c in range(sys.maxunicode + 1) if category(chr(c))[0] == "P"]
    bmp = [c for c in codes if c <= 0xFFFF]
    astral = [c for c in codes if c > 0xFFFF]
    return (re.compile(f"[{_character_class(bmp)}]+"),
            re.compile(f"[{_character_class(astral)}]+"))


def _replace_punctuation(text: str, by: str) -> str:
    bmp, astral = _punctuation_patterns()
    text = bmp.sub(by, text)
    return astral.sub(by, text) if _ASTRAL.search(text) else text


def _punctuation_to_space(text: str) -> str:
    if "'" in text or "\u2019" in text:
        text = _join_apostrophes(text)
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION_SPACE)
    return _replace_punctuation(text, " ")


def _strip_punctuation(text: str) -> str:
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION_DELETE)
    return _replace_punctuation(text, "")


_PRESETS: dict[str, tuple[bool, str, str | None]] = {
    "default": (True, "space", "NFKC_HANGUL"),
    "nfkc": (True, "delete", "NFKC"),
}


def standardize(
    text: str,
    mode: str = "default",
    *,
    lowercase: bool = _FROM_MODE,  # type: ignore[assignment]
    punctuation: str = _FROM_MODE,  # type: ignore[assignment]
    normalization: str | None = _FROM_MODE,  # type: ignore[assignment]
) -> str:
    """Normalize, case-fold, separate punctuation and tidy the whitespace of ``text``.

    The default (``mode="default"``) is made for Korean as much as for English. Its steps,
    in order:

    1. Unicode normalization ``"NFKC_HANGUL"``: NFKC (full-width forms become ASCII,
       ``"ＡＢＣ"`` -> ``"ABC"``; ligatures split, ``"ﬁ"`` -> ``"fi"``; an accent typed as a
       combining mark joins its letter; Hangul syllables stay composed), *except* the Hangul
       compatibility characters of :data:`HANGUL_COMPATIBILITY_RANGES`, kept as typed.
       Plain NFKC maps the compatibility jamo of ``"ㅋㅠㅠ"`` to conjoining jamo, which then
       fuse into a syllable nobody typed (``"큐ᅲ"``) or stay as broken glyphs.
    2. ``str.casefold()``: a stronger ``lower()`` made for comparing text (``"Straße"`` ->
       ``"strasse"``, final ``"ς"`` -> ``"σ"``).
    3. Punctuation (Unicode categories ``P*``) is replaced by a space, so that
       ``"대가..최고다"`` stays two words, ``"대가 최고다"``. One exception: an apostrophe
       (``'`` or ``’``) with a letter on both sides is removed, so ``"don't"`` is
       ``"dont"``, as in Keras. Symbols (``S*``: ``$``, ``+``, ``^``, emoji) stay.
    4. The same normalization again: case folding can leave text that is no longer normalized
       (``"ǰ"`` folds to ``"j"`` plus a combining caron). With it ``standardize`` is idempotent.
    5. Runs of :data:`WHITESPACE` become one ASCII space; both ends are stripped.

    Relative to the input's canonical form (NFC, the same text to Unicode), the default never
    creates a Hangul syllable or a conjoining jamo (a property test checks it).

    Two other presets, by name:

    * ``mode="nfkc"``: this book's standardization before the change: plain NFKC, case
      folding, punctuation *deleted* (``"대가..최고다"`` -> ``"대가최고다"``).
    * ``mode="keras"``: exactly Keras's ``TextVectorization(standardize=
      "lower_and_strip_punctuation")``: ``tf.strings.lower`` (which lower-cases ASCII letters
      only), then deletion of the 32 characters of :data:`KERAS_PUNCTUATION`, with no Unicode
      normalization; then, as in every mode, whitespace is tidied (Keras's whitespace split
      gives the same words). It takes no other option.

    Parameters
    ----------
    text : str
        The raw text.
    mode : {"default", "nfkc", "keras"}
        The preset; ``lowercase``, ``punctuation`` and ``normalization`` override its steps
        (not with ``"keras"``).
    lowercase : bool, optional
        Case-fold (``str.casefold``); True in ``"default"`` and ``"nfkc"``.
    punctuation : {"space", "delete", "keep"}, optional
        Replace punctuation by a space (with the apostrophe rule above), delete it, or keep it.
    normalization : {"NFKC_HANGUL", "NFKC", "NFC", "NFD", "NFKD"} or None, optional
        The Unicode normalization form; ``None`` skips normalization.

    Returns
    -------
    str
        The standardized text; ``""`` for ``""``.

    Raises
    ------
    TypeError
        If ``text`` is not a str, or ``lowercase`` is not a bool.
    ValueError
        If ``mode``, ``punctuation`` or ``normalization`` is not one of the values above, or an
        option is given with ``mode="keras"``.

    Examples
    --------
    >>> standardize("The  Cat,\\tsat!")
    'the cat sat'
    >>> standardize("ＡＢＣ"), standardize("Straße"), standardize("ΣΟΦΟΣ")
    ('abc', 'strasse', 'σοφοσ')
    >>> standardize("정말 재밌어요!!  ^^"), standardize("대가..최고다 ㅋㅠㅠ")
    ('정말 재밌어요 ^^', '대가 최고다 ㅋㅠㅠ')
    >>> standardize("대가..최고다 ㅋㅠㅠ", "nfkc")
    '대가최고다 큐ᅲ'
    >>> standardize("Don't stop.", punctuation="keep"), standardize("Don't stop.")
    ("don't stop.", 'dont stop')
    >>> standardize("ÉCOLE, Don't ＡＢＣ", "keras")
    'École dont ＡＢＣ'
    """
    _check_str(text, "text")
    return " ".join(_apply(text, _resolve(mode, lowercase, punctuation, normalization)).split())


#: What :func:`_resolve` makes of ``mode="keras"``: no steps but Keras's table.
_KERAS_STEPS = ("keras",)
_Steps = tuple[bool, str, str | None] | tuple[str]


def _resolve(mode: object, lowercase: object, punctuation: object, normalization: object
             ) -> _Steps:
    """Check :func:`standardize`'s options; its steps, ``(lowercase, punctuation,
    normalization)``, or :data:`_KERAS_STEPS` for ``mode="keras"``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if mode == "keras":
        given = [name for name, value in (("lowercase", lowercase), ("punctuation", punctuation),
                                          ("normalization", normalization))
                 if value is not _FROM_MODE]
        if given:
            raise ValueError(
                f"mode='keras' is Keras's exact lower_and_strip_punctuation and takes no "
                f"options, got {', '.join(given)}"
            )
        return _KERAS_STEPS
    preset = _PRESETS[mode]
    lowercase = preset[0] if lowercase is _FROM_MODE else lowercase
    punctuation = preset[1] if punctuation is _FROM_MODE else punctuation
    normalization = preset[2] if normalization is _FROM_MODE else normalization
    _check_bool(lowercase, "lowercase")
    if punctuation not in PUNCTUATION_MODES:
        raise ValueError(
            f"punctuation must be one of {', '.join(map(repr, PUNCTUATION_MODES))}, "
            f"got {punctuation!r}"
        )
    if normalization is not None and normalization not in NORMALIZATION_FORMS:
        raise ValueError(
            f"normalization must be one of {', '.join(map(repr, NORMALIZATION_FORMS))} "
            f"or None, got {normalization!r}"
        )
    return lowercase, punctuation, normalization  # type: ignore[return-value]


def _apply(text: str, steps: _Steps) -> str:
    """Steps 1-4 of :func:`standardize` (all but the whitespace tidying)."""
    if steps is _KERAS_STEPS:
        return text.translate(_KERAS_TABLE)
    lowercase, punctuation, normalization = steps  # type: ignore[misc]
    if normalization is not None:
        text = _normalize(text, normalization)
    if lowercase:
        text = text.casefold()
    if punctuation == "space":
        text = _punctuation_to_space(text)
    elif punctuation == "delete":
        text = _strip_punctuation(text)
    if normalization is not None and (lowercase or punctuation != "keep"):
        text = _normalize(text, normalization)
    return text


#: What :func:`standardize_many` puts between two texts: a control character (``Cc``) that no
#: step changes, that is not whitespace and that composes with nothing.
_SEPARATOR = "\x00"
#: Texts standardized together by :func:`standardize_many` (about 40 kB of NSMC reviews:
#: enough that the calls cost next to nothing per text, few enough to hold little memory).
_MANY_CHUNK = 512


def standardize_many(
    texts: Iterable[str],
    mode: str = "default",
    *,
    lowercase: bool = _FROM_MODE,  # type: ignore[assignment]
    punctuation: str = _FROM_MODE,  # type: ignore[assignment]
    normalization: str | None = _FROM_MODE,  # type: ignore[assignment]
) -> list[str]:
    """``[standardize(t, mode, ...) for t in texts]``: the same strings, made faster.

    :func:`standardize` makes about ten calls into C per text; for short texts (a review, a
    sentence) the calls cost more than the work (``benchmarks/bench_tfidf.py`` measures both).
    Here the texts are joined, a few hundred at a time, with ``"\\x00"`` between them, each
    step runs once on the joined string, and the result is split again. That gives the same
    strings because every step maps ``"\\x00"`` to itself and never acts across it: the
    character is not punctuation, not whitespace and not a letter (the apostrophe rule sees a
    text's end), has no case, and is a starter that composes with nothing (normalization never
    moves a mark across it). A text that holds ``"\\x00"`` itself is standardized alone. A
    property test checks the equality on random text, Hangul and combining marks included.

    :class:`~tokenlab.vectorize.TextVectorizer` uses it for the standardizers of this module.

    Parameters
    ----------
    texts : iterable of str
        The raw texts (a list, a generator, a corpus).
    mode, lowercase, punctuation, normalization
        As for :func:`standardize`.

    Returns
    -------
    list of str
        One standardized string per text, in order.

    Raises
    ------
    TypeError
        If ``texts`` is a single str or not iterable, or an item is not a str (the message
        names its index); or as for :func:`standardize`.
    ValueError
        As for :func:`standardize`.

    Examples
    --------
    >>> standardize_many(["The  Cat,\\tsat!", "대가..최고다 ㅋㅠㅠ"])
    ['the cat sat', '대가 최고다 ㅋㅠㅠ']
    >>> standardize_many(["Don't STOP"], "keras")
    ['dont stop']
    """
    steps = _resolve(mode, lowercase, punctuation, normalization)
    return [text for chunk in _text_chunks(texts) for text in _standardize_chunk(chunk, steps)]


def _check_texts(texts: object) -> Iterable[object]:
    if isinstance(texts, str | bytes):
        raise TypeError(
            f"texts must be an iterable of str (a list of documents), got a single "
            f"{type(texts).__name__}: wrap it in a list, [text]"
        )
    if not isinstance(texts, Iterable):
        raise TypeError(f"texts must be an iterable of str, got {type(texts).__name__}")
    return texts


def _text_chunks(texts: object) -> Iterator[list[str]]:
    """``texts`` (checked: an iterable of str) in lists of :data:`_MANY_CHUNK`."""
    docs = iter(_check_texts(texts))
    done = 0
    while chunk := list(islice(docs, _MANY_CHUNK)):
        for i, text in enumerate(chunk, done):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}")
        done += len(chunk)
        yield chunk


def _mode_steps(mode: str) -> _Steps:
    """The steps of a preset, with none of its options overridden."""
    return _resolve(mode, _FROM_MODE, _FROM_MODE, _FROM_MODE)


def _apply_many(texts: list[str], steps: _Steps) -> list[str]:
    """``[_apply(t, steps) for t in texts]``, each step run once on the joined texts."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) == len(texts) - 1:
        return _apply(joined, steps).split(_SEPARATOR)
    return [_apply(text, steps) for text in texts]  # a text holds the separator itself


def _standardize_chunk(texts: list[str], steps: _Steps) -> list[str]:
    """``[standardize(t, ...) for t in texts]`` for a list of str and resolved steps."""
    return [" ".join(part.split()) for part in _apply_many(texts, steps)]


def _words_chunk(texts: list[str], steps: _Steps) -> list[list[str]]:
    """``[word_tokens(standardize(t, ...)) for t in texts]``, without the join and the split
    between the two (the same lists)."""
    return [part.split() for part in _apply_many(texts, steps)]


def standardize_nfkc(text: str) -> str:
    """``standardize(text, "nfkc")``: the book's standardization before issue 13, by name.

    (A named function, so that a :class:`~tokenlab.vectorize.TextVectorizer` using it can be
    saved as JSON.)

    Examples
    --------
    >>> standardize_nfkc("대가..최고다")
    '대가최고다'
    """
    return standardize(text, "nfkc")


def standardize_keras(text: str) -> str:
    """``standardize(text, "keras")``: Keras's exact ``lower_and_strip_punctuation``, by name.

    Examples
    --------
    >>> standardize_keras("Don't STOP, Ｎｏｗ!")
    'dont stop Ｎｏｗ'
    """
    return standardize(text, "keras")


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


# ------------------------------------------------------------------------------ morphemes

#: The pip requirement of :func:`morpheme_tokens` (the Kiwi analyzer and its model files).
KIWI_REQUIREMENT: str = "kiwipiepy==0.24.1 kiwipiepy-model==0.24.0"

_KIWI: dict[int | None, object] = {}


def _kiwi(num_workers: int | None) -> object:
    """One Kiwi analyzer per ``num_workers``, loaded on first use (a few seconds)."""
    if num_workers not in _KIWI:
        try:
            from kiwipiepy import Kiwi
        except ImportError as error:
            raise ImportError(
                "morpheme_tokens needs the Kiwi morphological analyzer, which is not "
                f"installed: pip install {KIWI_REQUIREMENT}"
            ) from error
        _KIWI[num_workers] = Kiwi(num_workers=num_workers)
    return _KIWI[num_workers]


def _morphemes(tokens: object, tags: bool) -> list[str]:
    if tags:
        return [f"{t.form}/{t.tag}" for t in tokens]  # type: ignore[attr-defined]
    return [t.form for t in tokens]  # type: ignore[attr-defined]


def morpheme_tokens(text: str, *, tags: bool = False) -> list[str]:
    """Split Korean ``text`` into morphemes (형태소) with the Kiwi analyzer.

    An eojeol (어절, a word between spaces) such as ``"먹었다"`` is a stem and endings: ``먹``
    (verb stem, ``VV``), ``었`` (past tense, ``EP``), ``다`` (final ending, ``EF``). Kiwi
    (``kiwipiepy`` 0.24, Apache-2.0, runs offline once installed) finds the most likely
    analysis with its language model; its tags are the Sejong tag set (``NNG`` common noun,
    ``JKS`` subject particle, ``SW`` other symbols, ...). A morpheme is not always a substring
    of the text: ``"봅시다"`` gives ``보`` + ``ㅂ시다`` (a contracted ending; Kiwi is asked for
    compatibility jamo, so no stray conjoining jamo appear). Latin words, numbers and symbols
    come out whole (``SL``, ``SN``, ``SW``).

    Kiwi is loaded on the first call (a few seconds) and kept. Use
    :func:`morpheme_tokens_batch` for a corpus.

    Parameters
    ----------
    text : str
        The text, usually standardized first.
    tags : bool
        Return ``"form/TAG"`` strings (``"먹/VV"``) instead of forms.

    Returns
    -------
    list of str
        The morphemes; ``[]`` for ``""`` or whitespace only.

    Raises
    ------
    TypeError
        If ``text`` is not a str or ``tags`` not a bool.
    ImportError
        If Kiwi is not installed (the message gives :data:`KIWI_REQUIREMENT`).

    Examples
    --------
    >>> morpheme_tokens("먹었다", tags=True)
    ['먹/VV', '었/EP', '다/EF']
    """
    _check_str(text, "text")
    _check_bool(tags, "tags")
    if not text.strip():
        return []
    kiwi = _kiwi(1)
    return _morphemes(kiwi.tokenize(text, compatible_jamo=True), tags)  # type: ignore[attr-defined]


def morpheme_tokens_batch(
    texts: Sequence[str], *, tags: bool = False, num_workers: int | None = None
) -> list[list[str]]:
    """:func:`morpheme_tokens` for many texts, through Kiwi's own multi-threaded batching.

    Parameters
    ----------
    texts : list or tuple of str
        The texts.
    tags : bool
        Return ``"form/TAG"`` strings.
    num_workers : int, optional
        Kiwi's worker threads (>= 1); ``None``: Kiwi's default (every core).

    Returns
    -------
    list of list of str
        One morpheme list per text, in order; the same lists :func:`morpheme_tokens` gives.

    Raises
    ------
    TypeError
        If ``texts`` is not a list or tuple of str.
    ValueError
        If ``num_workers < 1``.

    Examples
    --------
    >>> morpheme_tokens_batch(["먹었다", "영화가 재밌었어요"])
    [['먹', '었', '다'], ['영화', '가', '재밌', '었', '어요']]
    """
    if not isinstance(texts, list | tuple):
        raise TypeError(f"texts must be a list or tuple of str, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}")
    _check_bool(tags, "tags")
    if num_workers is not None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int):
            raise TypeError(f"num_workers must be an int or None, got {num_workers!r}")
        if num_workers < 1:
            raise ValueError(f"num_workers must be >= 1, got {num_workers}")
    if not texts:
        return []
    kiwi = _kiwi(num_workers)
    results = kiwi.tokenize(list(texts), compatible_jamo=True)  # type: ignore[attr-defined]
    return [_morphemes(tokens, tags) for tokens in results]

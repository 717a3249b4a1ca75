"""tokenlab.text: standardization, word/character/n-gram tokenizers, Hangul syllables and jamo."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab.text import (
    HANGUL_COMPATIBILITY_RANGES,
    KERAS_PUNCTUATION,
    MODES,
    NORMALIZATION_FORMS,
    WHITESPACE,
    char_tokens,
    from_jamo,
    jamo_tokens,
    ngrams,
    standardize,
    standardize_keras,
    standardize_many,
    standardize_nfkc,
    to_jamo,
    word_tokens,
)

FORMS = [*NORMALIZATION_FORMS, None]
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
TRICKY = st.text(
    st.sampled_from(
        list("aAzZ .,!?-'\"()\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u3000\u2028\u200bßẞİıΣσς")
        + list("\u0301\u0300\u0316\u0307\u030c\u0345ǰﬁＡｚ１！한국어가각힣ㄱㅏㅋㅠ")
        + ["\u1100", "\u1161", "\u11a8", "\u11c2", "\u1112", "\u1175", "\u1fb3", "👍"]
    ),
    max_size=40,
)
TEXT = st.one_of(ANY_TEXT, TRICKY)
HANGUL = st.text(
    st.one_of(
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),
        st.characters(min_codepoint=0x3131, max_codepoint=0x318E),
        st.sampled_from(list(" a1.!")),
    ),
    max_size=40,
)


# ---------------------------------------------------------------------------- WHITESPACE


def test_whitespace_is_every_isspace_code_point():
    everything = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert WHITESPACE == everything
    assert len(set(WHITESPACE)) == len(WHITESPACE) == 29
    assert "\x85" in WHITESPACE and "\u3000" in WHITESPACE and "\x1c" in WHITESPACE
    assert "\u200b" not in WHITESPACE and "\ufeff" not in WHITESPACE


# --------------------------------------------------------------------------- standardize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   \t\n ", ""),
        ("The cat sat on the mat.", "the cat sat on the mat"),
        ("Hello, World!", "hello world"),
        ("don't can\u2019t", "dont cant"),  # an apostrophe between letters is removed
        ("'quoted' rock'n'roll", "quoted rocknroll"),  # other quotes become spaces
        ("ＡＢＣ", "abc"),  # full-width forms
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("ΣΟΦΟΣ σοφός", "σοφοσ σοφόσ"),  # casefold has no final sigma
        ("İstanbul", "i\u0307stanbul"),  # Turkish dotted capital I: i + combining dot
        ("ﬁne ﬀ", "fine ff"),  # ligatures
        ("Cafe\u0301", "café"),  # combining accent composed by NFKC
        ("① ½ ㎏", "1 1⁄2 kg"),  # compatibility forms; the fraction slash is a symbol
        ("한국어 텍스트를 분석합니다!!", "한국어 텍스트를 분석합니다"),
        ("정말   재밌어요 ^^ ㅎㅎ", "정말 재밌어요 ^^ ㅎㅎ"),  # compatibility jamo kept as typed
        ("대가..최고다", "대가 최고다"),  # punctuation is a space: two words stay two
        ("ㅋㅠㅠ ㅡㅇㅡ ㄱㅏ", "ㅋㅠㅠ ㅡㅇㅡ ㄱㅏ"),  # NFKC would give 큐ᅲ ᅳ으 가
        ("㈜한국 ㉠ ﾡ", "㈜한국 ㉠ ﾡ"),  # enclosed and half-width Hangul kept
        ("a\x85b\u3000c\xa0d\u2028e", "a b c d e"),
        ("  leading and trailing  ", "leading and trailing"),
        ("$100 + 5% = 3×7 👍", "$100 + 5 = 3×7 👍"),  # symbols stay, % is punctuation
        ("«quoted» “smart” ¿qué?", "quoted smart qué"),
        ("a\u200bb", "a\u200bb"),  # zero-width space is a format character, not whitespace
        ("\u1100\u1161\u11a8", "각"),  # conjoining jamo typed in NFD: canonically the same
        ("\u1100'\u1161 가'\u11a8", "\u1100 \u1161 가 \u11a8"),  # never fused by a removal
    ],
)
def test_standardize_examples(raw, expected):
    assert standardize(raw) == expected


def test_standardize_presets():
    text = "대가..최고다 ㅋㅠㅠ Don't STOP, Ｎｏｗ!"
    assert standardize(text) == "대가 최고다 ㅋㅠㅠ dont stop now"
    assert standardize(text, "nfkc") == "대가최고다 큐ᅲ dont stop now"
    assert standardize_nfkc(text) == standardize(text, "nfkc")
    # Keras: ASCII lower-casing and string.punctuation only; nothing else is touched
    assert standardize(text, "keras") == "대가최고다 ㅋㅠㅠ dont stop Ｎｏｗ"
    assert standardize_keras(text) == standardize(text, "keras")
    assert standardize("ÀB «q» ¿x? a’b ＡＢ", "keras") == "Àb «q» ¿x a’b ＡＢ"
    assert KERAS_PUNCTUATION == "".join(
        chr(c) for c in range(128) if not chr(c).isalnum() and chr(c).isprintable()
        and chr(c) != " "
    )
    assert len(KERAS_PUNCTUATION) == 32
    # the old default is the new one with NFKC and deletion
    assert standardize(text, normalization="NFKC", punctuation="delete") == \
        standardize(text, "nfkc")


def test_standardize_keras_matches_the_keras_recipe():
    # Keras's standardization as the books write it: tf.strings.lower (ASCII), then
    # regex_replace of [re.escape(string.punctuation)] by "" (re stands in for tf.strings)
    import re
    import string

    pattern = re.compile(f"[{re.escape(string.punctuation)}]")
    samples = ["Don't STOP, Ｎｏｗ!", "ÉCOLE (x) [y] {z} ~a~ `b` |c| \\d/ ^e^ _f_", "한국어!! ㅋㅋ"]
    for text in samples:
        lowered = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)
        assert standardize(text, "keras") == " ".join(pattern.sub("", lowered).split())


def test_standardize_options():
    text = "Don't  STOP, Ｎｏｗ!"
    assert standardize(text, lowercase=False) == "Dont STOP Now"
    assert standardize(text, punctuation="keep") == "don't stop, now!"
    assert standardize(text, punctuation="delete") == "dont stop now"
    assert standardize("a,b.c", punctuation="delete") == "abc"
    assert standardize("a,b.c") == "a b c"
    assert standardize(text, normalization=None) == "dont stop ｎｏｗ"
    assert standardize(text, lowercase=False, punctuation="keep",
                       normalization=None) == "Don't STOP, Ｎｏｗ!"
    assert standardize("é", normalization="NFD") == "e\u0301"
    assert standardize("ㅋㅋ ㄱㅏ", normalization="NFKC") == "\u110f\u110f 가"  # plain NFKC
    assert standardize("ㅋㅋ ㄱㅏ") == standardize("ㅋㅋ ㄱㅏ", normalization="NFC") == "ㅋㅋ ㄱㅏ"


def test_hangul_compatibility_ranges_are_every_such_code_point():
    """Non-Hangul code points whose NFKD holds a conjoining jamo: exactly the kept ranges."""
    def conjoining(c):
        o = ord(c)
        return 0x1100 <= o <= 0x11FF or 0xA960 <= o <= 0xA97F or 0xD7B0 <= o <= 0xD7FF

    found = [
        cp for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000 and not 0xAC00 <= cp <= 0xD7A3 and not conjoining(chr(cp))
        and any(conjoining(d) for d in unicodedata.normalize("NFKD", chr(cp)))
    ]
    kept = [cp for lo, hi in HANGUL_COMPATIBILITY_RANGES for cp in range(lo, hi + 1)]
    assert found == kept
    assert len(kept) == 208


def test_nfkc_hangul_is_nfkc_elsewhere():
    for text in ["ＡＢＣ ﬁ ① ½ ㎏ Cafe\u0301", "한국어 \u1100\u1161", "ǰ ᾳ ﷺ"]:
        assert standardize(text, normalization="NFKC_HANGUL") == \
            standardize(text, normalization="NFKC")


def _nfkc_hangul_by_definition(text: str) -> str:
    """NFKC with the kept characters as typed, as the docstring defines it: decompose
    (NFKD) all but the kept runs, then compose (NFC) the whole text."""
    kept = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in HANGUL_COMPATIBILITY_RANGES)
    parts = re.split(f"([{kept}]+)", text)
    return unicodedata.normalize("NFC", "".join(
        part if i % 2 else unicodedata.normalize("NFKD", part) for i, part in enumerate(parts)))


def test_nfkc_hangul_normalizes_each_run_alone_exactly_as_defined():
    """standardize normalizes the runs between kept characters one by one (skipping those
    already normalized); that equals the definition because a kept character composes with
    nothing. Every kept character beside every combining mark and conjoining jamo, and more."""
    kept = [chr(cp) for lo, hi in HANGUL_COMPATIBILITY_RANGES for cp in range(lo, hi + 1)]
    neighbours = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000
                  and (unicodedata.combining(chr(cp)) or 0x1100 <= cp <= 0x11FF
                       or 0xA960 <= cp <= 0xA97F or 0xD7B0 <= cp <= 0xD7FF)]
    neighbours += ["가", "각", "a", "ﬁ", "Ａ", "①", " "]
    from tokenlab.text import _nfkc_hangul

    for k in kept:
        for x in neighbours:
            for text in (x + k, k + x, "ﬁ가" + k + x + "\u1161"):
                assert _nfkc_hangul(text) == _nfkc_hangul_by_definition(text), ascii(text)


def test_standardize_renormalizes_after_casefold_and_punctuation():
    # casefold("ǰ") is "j" + combining caron; NFKC composes it back
    assert standardize("ǰ") == "ǰ" and unicodedata.is_normalized("NFKC", standardize("ǰ"))
    # removing "." brings a combining acute next to "a" (deleting mode only)
    assert standardize("a.\u0301", punctuation="delete") == "á"
    assert standardize("a.\u0301") == "a \u0301"
    # NFD: marks put back in canonical order once the "." between them is gone
    assert standardize("a\u0301.\u0316", normalization="NFD",
                       punctuation="delete") == "a\u0316\u0301"


def test_standardize_errors():
    with pytest.raises(TypeError, match="text must be a str, got int"):
        standardize(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        standardize(b"abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="normalization must be one of 'NFKC_HANGUL', 'NFC'"):
        standardize("abc", normalization="nfkc")
    with pytest.raises(TypeError, match="lowercase"):
        standardize("abc", lowercase="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="punctuation must be one of 'space', 'delete'"):
        standardize("abc", punctuation=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode must be one of 'default', 'nfkc', 'keras'"):
        standardize("abc", "lower_and_strip_punctuation")
    with pytest.raises(ValueError, match="takes no options, got lowercase, normalization"):
        standardize("abc", "keras", lowercase=False, normalization=None)


PUNCTUATION = ["space", "delete", "keep"]


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(FORMS), st.booleans(), st.sampled_from(PUNCTUATION))
def test_standardize_is_idempotent(text, form, lowercase, punctuation):
    options = {"normalization": form, "lowercase": lowercase, "punctuation": punctuation}
    once = standardize(text, **options)
    assert standardize(once, **options) == once


@settings(max_examples=200, deadline=None)
@given(TEXT, st.sampled_from(MODES))
def test_every_mode_is_idempotent(text, mode):
    once = standardize(text, mode)
    assert standardize(once, mode) == once


# ---------------------------------------------------------------------- standardize_many

# Texts that end or start where a step could act across a boundary if the separator let it:
# combining marks first, an apostrophe or a Hangul jamo last, the separator itself.
EDGES = st.text(st.sampled_from(
    ["\u0301", "\u0345", "'", "\u2019", "\u1161", "\u11a8", "\u1100", "가", "a", "A", ".",
     " ", "\x00", "ㅋ", "ﬁ", "Σ", "ǰ", "\U0001d400", "！"]), max_size=6)
OPTIONS = st.one_of(
    st.builds(lambda mode: ((mode,), {}), st.sampled_from(MODES)),
    st.builds(lambda form, lower, punct: ((), {"normalization": form, "lowercase": lower,
                                              "punctuation": punct}),
              st.sampled_from(FORMS), st.booleans(), st.sampled_from(PUNCTUATION)),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TEXT, HANGUL, EDGES), max_size=12), OPTIONS)
def test_standardize_many_equals_standardize_one_by_one(texts, options):
    args, kwargs = options
    assert standardize_many(texts, *args, **kwargs) == \
        [standardize(t, *args, **kwargs) for t in texts]


def test_standardize_many_chunks_and_separators(monkeypatch):
    import tokenlab.text as text_module

    texts = ["Don't", "\u0301x", "a\x00b", "ㅋㅋ 가", "", "  ", "Straße."] * 5
    expected = [standardize(t) for t in texts]
    assert standardize_many(texts) == expected
    assert standardize_many(iter(texts)) == expected          # any iterable
    monkeypatch.setattr(text_module, "_MANY_CHUNK", 3)       # chunks that split the list
    assert standardize_many(texts) == expected
    assert standardize_many(t for t in texts if "\x00" not in t) == \
        [e for t, e in zip(texts, expected, strict=True) if "\x00" not in t]
    assert standardize_many([]) == []


def test_standardize_many_errors():
    with pytest.raises(TypeError, match="single str: wrap it in a list"):
        standardize_many("one text")
    with pytest.raises(TypeError, match="iterable of str, got int"):
        standardize_many(3)
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got bytes"):
        standardize_many(["a", b"b"])
    with pytest.raises(ValueError, match="mode must be one of"):
        standardize_many(["a"], "nope")
    with pytest.raises(ValueError, match="takes no options, got lowercase"):
        standardize_many(["a"], "keras", lowercase=False)
    with pytest.raises(ValueError, match="punctuation must be one of"):
        standardize_many(["a"], punctuation="drop")


def _hangul_made(text: str) -> set[str]:
    return {c for c in text if 0xAC00 <= ord(c) <= 0xD7A3 or 0x1100 <= ord(c) <= 0x11FF
            or 0xA960 <= ord(c) <= 0xA97F or 0xD7B0 <= ord(c) <= 0xD7FF}


@settings(max_examples=500, deadline=None)
@given(st.one_of(HANGUL, TEXT, st.text(st.sampled_from(
    list("ㄱㅏㅋㅠㅡㅇ\u3164ﾡ㈀㉠'’.,!? a가각") + ["\u1100", "\u1161", "\u11a8"]), max_size=30)))
def test_default_never_creates_a_syllable_or_jamo(text):
    """Every Hangul syllable and conjoining jamo out was in the input's canonical form (NFC)."""
    out = standardize(text)
    assert _hangul_made(out) <= _hangul_made(unicodedata.normalize("NFC", text))
    # and compatibility jamo come out exactly as they went in
    compat = [c for c in text if 0x3131 <= ord(c) <= 0x318E]
    assert [c for c in out if 0x3131 <= ord(c) <= 0x318E] == compat


def test_plain_nfkc_creates_syllables_the_default_does_not():
    for typed in ["ㅋㅠㅠ", "ㅡㅇㅡ", "ㄱㅏ"]:
        assert _hangul_made(standardize(typed, "nfkc")) - _hangul_made(typed)
        assert standardize(typed) == typed


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(FORMS))
def test_standardize_output_shape(text, form):
    out = standardize(text, normalization=form)
    assert out == out.strip() and "  " not in out
    assert not any(c in WHITESPACE for c in out.replace(" ", ""))
    assert not any(unicodedata.category(c).startswith("P") for c in out)
    if form is None:
        assert out.casefold() == out
    else:  # folded up to normalization: casefold("ǰ") is "j" + U+030C, which NFC composes
        if form != "NFKC_HANGUL":
            assert unicodedata.is_normalized(form, out)
        assert standardize(out.casefold(), lowercase=False, normalization=form,
                           punctuation="keep") == out
    assert word_tokens(out) == (out.split(" ") if out else [])


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_standardize_without_steps_only_tidies_whitespace(text):
    plain = standardize(text, lowercase=False, punctuation="keep", normalization=None)
    assert plain == " ".join(word_tokens(text))


# ---------------------------------------------------------------------------- tokenizers


def test_word_tokens_lecture_example():
    tokens = word_tokens(standardize("The cat sat on the mat."))
    assert tokens == ["the", "cat", "sat", "on", "the", "mat"]
    assert sorted(set(tokens)) == ["cat", "mat", "on", "sat", "the"]
    assert word_tokens("the\tcat\n\nsat\x85on\u3000the\u2029mat") == tokens
    assert word_tokens("") == [] and word_tokens(" \t ") == []
    assert word_tokens("Don't stop.") == ["Don't", "stop."]  # no standardization inside


def test_char_tokens():
    assert char_tokens("the cat") == list("thecat")
    assert char_tokens("the cat", keep_whitespace=True) == list("the cat")
    assert char_tokens("한국어 텍스트") == ["한", "국", "어", "텍", "스", "트"]
    assert char_tokens("👍🏽") == ["👍", "\U0001f3fd"]  # one glyph, two code points
    assert char_tokens("e\u0301") == ["e", "\u0301"]
    assert char_tokens("") == [] and char_tokens("", keep_whitespace=True) == []
    with pytest.raises(TypeError, match="text must be a str, got list"):
        char_tokens(["a"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keep_whitespace"):
        char_tokens("a", keep_whitespace=None)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_char_and_word_tokens_properties(text):
    assert "".join(char_tokens(text, keep_whitespace=True)) == text
    assert "".join(char_tokens(text)) == "".join(word_tokens(text))
    assert all(len(c) == 1 for c in char_tokens(text))
    assert all(w and not any(c in WHITESPACE for c in w) for w in word_tokens(text))


def test_bigrams_keep_place_names_apart():
    a = word_tokens(standardize("I love New York."))
    b = word_tokens(standardize("She lives in South Korea!"))
    assert ngrams(a, 2) == ["i love", "love new", "new york"]
    assert ngrams(b, 2) == ["she lives", "lives in", "in south", "south korea"]
    features = set(ngrams(a, (1, 2))) | set(ngrams(b, (1, 2)))
    assert {"new york", "york", "new", "south korea", "korea", "south"} <= features
    # a bag of words cannot tell "new york" from "york ... new"; bigrams can
    assert set(ngrams(["york", "is", "new"], 1)) == set(ngrams(["new", "york", "is"], 1))
    assert "new york" not in ngrams(["york", "is", "new"], 2)


def test_ngrams_order_and_widths():
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    assert ngrams(tokens, 1) == tokens
    assert ngrams(tokens, (1, 2)) == tokens + [
        "the cat", "cat sat", "sat on", "on the", "the mat",
    ]
    assert ngrams(tokens, 3) == ["the cat sat", "cat sat on", "sat on the", "on the mat"]
    assert ngrams(tokens, range(1, 3)) == ngrams(tokens, (1, 2))
    assert ngrams(tokens, [2, 3]) == ngrams(tokens, 2) + ngrams(tokens, 3)
    assert ngrams(tokens, 6) == ["the cat sat on the mat"]
    assert ngrams(tokens, 7) == [] and ngrams([], 1) == [] and ngrams([], (1, 3)) == []
    assert ngrams(("a", "b"), 2) == ["a b"]


@pytest.mark.parametrize("n", [0, -1, (0, 2), (3, 2), (1, 2, 3), (1,), (1.0, 2), range(0, 2),
                               range(3, 3)])
def test_ngrams_bad_n_is_a_value_error(n):
    with pytest.raises(ValueError, match="n "):
        ngrams(["a", "b"], n)


@pytest.mark.parametrize("n", ["2", 2.0, True, None, {1, 2}])
def test_ngrams_n_of_the_wrong_type_is_a_type_error(n):
    with pytest.raises(TypeError, match="n must be"):
        ngrams(["a", "b"], n)


def test_ngrams_bad_tokens():
    with pytest.raises(TypeError, match="tokens must be a list or tuple of str, got str"):
        ngrams("the cat", 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"tokens\[1\] must be a str, got int"):
        ngrams(["a", 1], 1)  # type: ignore[list-item]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=5),
                max_size=12),
       st.integers(1, 5), st.integers(0, 3))
def test_ngram_counts(tokens, lo, extra):
    hi = lo + extra
    assert len(ngrams(tokens, lo)) == max(0, len(tokens) - lo + 1)
    assert len(ngrams(tokens, (lo, hi))) == sum(
        max(0, len(tokens) - w + 1) for w in range(lo, hi + 1)
    )
    assert ngrams(tokens, (lo, hi)) == [g for w in range(lo, hi + 1) for g in ngrams(tokens, w)]
    assert ngrams(tokens, 1) == tokens


# ------------------------------------------------------------------------------ Hangul jamo


def test_to_jamo_examples():
    assert to_jamo("각") == "\u1100\u1161\u11a8"
    assert to_jamo("가") == "\u1100\u1161"
    assert to_jamo("힣") == "\u1112\u1175\u11c2"
    assert to_jamo("cat, 한") == "cat, \u1112\u1161\u11ab"
    assert to_jamo("ㄱ") == "ㄱ"  # compatibility jamo are not syllables
    assert to_jamo("") == "" and from_jamo("") == ""


def test_to_jamo_agrees_with_nfd_on_every_syllable():
    syllables = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
    assert len(syllables) == 11172
    assert to_jamo(syllables) == unicodedata.normalize("NFD", syllables)
    assert from_jamo(to_jamo(syllables)) == syllables
    assert from_jamo(to_jamo(syllables)) == unicodedata.normalize("NFC", to_jamo(syllables))


def test_from_jamo_leaves_other_characters():
    assert from_jamo("\u1100\u1161\u11a8") == "각"
    assert from_jamo("\u1100\u1100\u1161") == "\u1100가"  # a lone L stays
    assert from_jamo("\u1161\u11a8") == "\u1161\u11a8"  # V T without L stays
    assert from_jamo("\u1100\u1161\u11a7") == "가\u11a7"  # U+11A7 is not a trailing jamo
    assert from_jamo("\u1100\u1161\u11a8\u11a8") == "각\u11a8"
    assert from_jamo("ㄱㅏ") == "ㄱㅏ"  # compatibility jamo are not conjoining
    assert from_jamo("\u1113\u1161") == "\u1113\u1161"  # old L (not in the 19) stays
    assert from_jamo("a\u1100") == "a\u1100"


@settings(max_examples=300, deadline=None)
@given(st.one_of(HANGUL, TEXT))
def test_jamo_round_trip_on_nfc_text(text):
    s = unicodedata.normalize("NFC", text)
    jamo = to_jamo(s)
    assert from_jamo(jamo) == s
    assert not any(0xAC00 <= ord(c) <= 0xD7A3 for c in jamo)
    assert from_jamo(jamo) == unicodedata.normalize("NFC", jamo)
    std = standardize(text)
    assert from_jamo(to_jamo(std)) == std


@settings(max_examples=200, deadline=None)
@given(HANGUL)
def test_to_jamo_is_nfd_on_hangul_text(text):
    # NFD only splits syllables here (no other character in HANGUL decomposes)
    s = unicodedata.normalize("NFC", text)
    assert to_jamo(s) == unicodedata.normalize("NFD", s)


def test_jamo_tokens():
    assert jamo_tokens("한 글") == ["\u1112", "\u1161", "\u11ab", "\u1100", "\u1173", "\u11af"]
    assert jamo_tokens("ab") == ["a", "b"] and jamo_tokens("") == []
    with pytest.raises(TypeError, match="text must be a str, got NoneType"):
        jamo_tokens(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text must be a str"):
        from_jamo(1)  # type: ignore[arg-type]


def test_korean_pipeline_levels():
    text = standardize("한국어 텍스트를 토큰으로!")
    assert word_tokens(text) == ["한국어", "텍스트를", "토큰으로"]
    assert len(char_tokens(text)) == 11  # syllables
    assert len(jamo_tokens(text)) == 27
    assert "".join(jamo_tokens(text)) == to_jamo(text.replace(" ", ""))

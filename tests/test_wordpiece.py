"""tokenlab.wordpiece against Hugging Face ``tokenizers`` (a test reference only).

The reference loads the same ``tokenizer.json`` (all-MiniLM-L6-v2, from ``$TOKENLAB_MODELS``)
with its fixed padding and truncation to 128 switched off, so whole documents are compared id
for id: every document of NSMC (200,000 Korean reviews), the 3,000 sentiment sentences and
every line of tinyshakespeare, and generated Unicode text.

Generated text is drawn from the characters that Unicode 3.2 already assigned with the
category they have today: ``tokenizers`` ships older Unicode tables than Python and ``regex``,
so a character assigned later (or recategorised) can differ (an exhaustive sweep of every code
point between two letters found 693 such characters, 4 of them assigned in Unicode 3.2).
"""

from __future__ import annotations

import unicodedata

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenlab import corpus, models
from tokenlab.wordpiece import WordPieceTokenizer

tokenizers = pytest.importorskip("tokenizers")

NAME = "all-MiniLM-L6-v2"
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _model_file(file: str):
    folder = models.models_dir() / NAME
    if not (folder / file).is_file():
        pytest.skip(f"{folder / file} is missing (set TOKENLAB_MODELS)")
    return models.path(NAME, file)


@pytest.fixture(scope="module")
def ours() -> WordPieceTokenizer:
    _model_file("vocab.txt")
    return WordPieceTokenizer.from_pretrained(NAME)


@pytest.fixture(scope="module")
def hf():
    ref = tokenizers.Tokenizer.from_file(str(_model_file("tokenizer.json")))
    ref.no_padding()
    ref.no_truncation()
    return ref


def _hf_ids(hf, texts: list[str]) -> list[list[int]]:
    encode = getattr(hf, "encode_batch_fast", hf.encode_batch)
    return [e.ids for e in encode(texts)]


def _corpus_texts(name: str, **kwargs) -> list[str]:
    if not (corpus.data_dir() / name).is_dir():
        pytest.skip(f"{name} is not in {corpus.data_dir()} (set TOKENLAB_DATA)")
    return [text for text, _ in corpus.load(name, **kwargs)]


def _assert_same(ours, hf, texts: list[str]) -> None:
    expected = _hf_ids(hf, texts)
    mine = [ours.encode(t) for t in texts]
    bad = [i for i, (a, b) in enumerate(zip(mine, expected, strict=True)) if a != b]
    assert not bad, (f"{len(bad)} of {len(texts)} differ; first: {texts[bad[0]]!r}: "
                     f"ours {mine[bad[0]]}, tokenizers {expected[bad[0]]}")


# ---- equal to tokenizers on whole corpora -------------------------------------------------


def test_equal_on_every_nsmc_review(ours, hf):
    texts = _corpus_texts("nsmc", split="train") + _corpus_texts("nsmc", split="test")
    assert len(texts) == 200_000
    _assert_same(ours, hf, texts)


def test_equal_on_sentiment_sentences_and_tinyshakespeare(ours, hf):
    sentences = _corpus_texts("sentiment-sentences")
    assert len(sentences) == 3000
    _assert_same(ours, hf, sentences)
    lines = corpus.path("tinyshakespeare").read_text(encoding="utf-8").split("\n")
    assert len(lines) > 40_000
    _assert_same(ours, hf, lines)
    assert [ours.tokenize(t) for t in sentences[:200]] == [
        e.tokens[1:-1] for e in hf.encode_batch(sentences[:200])]


def _stable_alphabet() -> list[str]:
    old = unicodedata.ucd_3_2_0
    return [chr(o) for o in range(0x110000) if not 0xD800 <= o < 0xE000
            and old.category(chr(o)) != "Cn"
            and old.category(chr(o)) == unicodedata.category(chr(o))]


TRICKY = list("aAzZ09 \t\n\r\x00\x0b\x0c\x1c\x85\xa0\u2028\u3000\ufffd\u200b\ufeff\u00ad"
              "éÉñçøßİıΣσς\u0301\u0308$+<=>^`|~!?.,'\"()[]{}#@_-–—…«»“”中文字がカ한국어ㄱᄀ각"
              "\U0002b820\U0002b920\uf900\U0001f600") + SPECIAL + ["##", "don't", "n't"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_stable_alphabet()), st.sampled_from(TRICKY)),
                max_size=40).map("".join))
def test_equal_on_generated_unicode(ours, hf, text):
    assert ours.encode(text) == hf.encode(text).ids, repr(text)
    assert ours.tokenize(text) == hf.encode(text, add_special_tokens=False).tokens


def test_known_corner_cases(ours, hf):
    cases = [
        "ΑΣ ΣΑΣ",  # no context-dependent final sigma
        "İstanbul ıi",  # dotted capital I: NFD, the dot dropped
        "a[SEP]b [CLS] [mask]",  # special tokens written in the text stay whole (case counts)
        "\u1fef x",  # GREEK VARIA decomposes to '`', an ASCII symbol: punctuation
        "crème brûlée naïve Ångström",
        "\x85a\u2028b\x1cc\u200bd\ufeffe",  # controls and format characters removed
        "中文字 漢字",  # CJK ideographs become words of their own
        "\U0002b820x \U0002b920x",  # tokenizers' CJK ranges (extension E starts at U+2B920)
        "한국어 형태소 ㅋㅋㅋ",
        "x" * 100 + " " + "x" * 101,  # 101 characters: [UNK]
        "",
    ]
    for text in cases:
        assert ours.encode(text) == hf.encode(text).ids, repr(text)
    assert ours.tokenize("x" * 101) == ["[UNK]"]
    assert ours.tokenize("x" * 100) != ["[UNK]"]


# ---- pairs, batches, truncation and decoding ---------------------------------------------


def test_pairs_and_token_types_equal(ours, hf):
    pairs = [("The weather is lovely today.", "It's so sunny outside!"),
             ("한국어 문장", "an English one"), ("", "x"), ("a b c", "")]
    for a, b in pairs:
        ref = hf.encode(a, b)
        assert ours.encode(a, b) == ref.ids
        batch = ours([a], [b])
        assert batch["input_ids"][0].tolist() == ref.ids
        assert batch["token_type_ids"][0].tolist() == ref.type_ids
        assert batch["attention_mask"][0].tolist() == ref.attention_mask


@pytest.mark.parametrize("max_length", [3, 4, 5, 8, 11, 16])
def test_batch_padding_and_truncation_equal(ours, max_length):
    ref = tokenizers.Tokenizer.from_file(str(_model_file("tokenizer.json")))
    ref.enable_truncation(max_length=max_length)
    ref.enable_padding(pad_id=0, pad_token="[PAD]")
    texts = ["The weather is lovely today.", "It's so sunny outside!", "He drove.",
             "크리스마스에 본 영화 중 최고", "a"]
    seconds = ["short", "a much longer second sentence than the first one", "x", "", "b c d"]
    for pairs in (None, seconds):
        got = ours(texts, pairs, max_length=max_length)
        expected = ref.encode_batch(texts if pairs is None else list(zip(texts, pairs,
                                                                        strict=True)))
        for key, attr in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                          ("token_type_ids", "type_ids")):
            assert got[key].dtype == torch.int64
            assert got[key].tolist() == [getattr(e, attr) for e in expected], (key, pairs)


def test_call_defaults_and_options(ours):
    batch = ours(["hello world", "hi"])
    assert set(batch) == {"input_ids", "attention_mask", "token_type_ids"}
    assert batch["input_ids"].shape == (2, 4)
    assert batch["input_ids"][1].tolist() == [101, 7632, 102, 0]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    assert ours("hello world")["input_ids"].shape == (1, 4)  # one str: a batch of one
    long = " ".join(["word"] * 600)
    assert ours([long])["input_ids"].shape == (1, 512)  # model_max_length
    assert ours([long], truncation=False)["input_ids"].shape == (1, 602)
    assert ours(["hi"], padding="max_length", max_length=8)["input_ids"].shape == (1, 8)
    assert ours(["a b", "c d"], padding=False)["input_ids"].shape == (2, 4)
    assert ours(["hi"], device="cpu")["input_ids"].device.type == "cpu"


def test_decode_equals_tokenizers(ours, hf):
    sentences = _corpus_texts("sentiment-sentences")[:300] + [
        "Hello , world ! Is it ? Yes .", "I don't know; it's 5 o'clock.", "unaffable ##x"]
    for text in sentences:
        ids = ours.encode(text)
        assert ours.decode(ids) == hf.decode(ids), repr(text)
        assert ours.decode(ids, skip_special_tokens=False) == hf.decode(
            ids, skip_special_tokens=False)
    assert ours.decode(torch.tensor(ours.encode("Hi there"))) == "hi there"


def test_from_vocab_equals_from_pretrained_and_cased_reference(ours, tmp_path):
    vocab = _model_file("vocab.txt")
    again = WordPieceTokenizer.from_vocab(vocab)
    text = "Crème Brûlée, 한국어 and 中文!"
    assert again.encode(text) == ours.encode(text) and len(again) == 30522
    cased = WordPieceTokenizer.from_vocab(vocab, lowercase=False)
    from tokenizers.implementations import BertWordPieceTokenizer

    ref = BertWordPieceTokenizer(str(vocab), lowercase=False)
    for t in [text, "Hello World", "NAÏVE café", "ΑΣ ΣΑΣ"]:
        assert cased.encode(t) == ref.encode(t).ids, t
    assert ours.model_max_length == 512 and ours.lowercase and ours.strip_accents


def test_special_ids_and_lookups(ours):
    assert (ours.pad_id, ours.unk_id, ours.cls_id, ours.sep_id, ours.mask_id) == (
        0, 100, 101, 102, 103)
    assert ours.id_to_token(101) == "[CLS]" and ours.token_to_id("##ing") is not None
    assert ours.token_to_id("not-a-token") is None


# ---- bad input ----------------------------------------------------------------------------


def test_bad_vocab():
    with pytest.raises(ValueError, match="empty"):
        WordPieceTokenizer([])
    with pytest.raises(ValueError, match="repeats"):
        WordPieceTokenizer(SPECIAL + ["a", "a"])
    with pytest.raises(ValueError, match="unk_token"):
        WordPieceTokenizer(["[PAD]", "[CLS]", "[SEP]", "[MASK]"])
    with pytest.raises(ValueError, match="0..n-1"):
        WordPieceTokenizer({t: i + 1 for i, t in enumerate(SPECIAL)})
    with pytest.raises(TypeError, match="vocab"):
        WordPieceTokenizer("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"vocab\[5\]"):
        WordPieceTokenizer(SPECIAL + [5])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_input_chars_per_word"):
        WordPieceTokenizer(SPECIAL, max_input_chars_per_word=0)
    with pytest.raises(ValueError, match="path"):
        WordPieceTokenizer.from_vocab("/no/such/vocab.txt")
    with pytest.raises(ValueError, match="known model"):
        WordPieceTokenizer.from_pretrained("bert-base-uncased")
    with pytest.raises(ValueError, match="vocab.txt"):
        WordPieceTokenizer.from_pretrained("tiktoken")


def test_bad_calls():
    tok = WordPieceTokenizer(SPECIAL + ["a", "b"])
    vocab = list(tok.vocab)
    with pytest.raises(TypeError, match="text"):
        tok.encode(b"a")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pair"):
        tok.encode("a", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="texts"):
        tok([])
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        tok(["a", None])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="text_pairs"):
        tok(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="padding"):
        tok(["a"], padding="left")
    with pytest.raises(ValueError, match="padding=False"):
        tok(["a", "a b"], padding=False)
    with pytest.raises(ValueError, match="max_length"):
        tok(["a"], max_length=0)
    with pytest.raises(ValueError, match="max_length"):
        tok(["a"], ["b"], max_length=2)
    with pytest.raises(ValueError, match="ids"):
        tok.decode([0, 99])
    with pytest.raises(ValueError, match="1-D"):
        tok.decode(torch.zeros(2, 2, dtype=torch.int64))
    assert list(tok.vocab) == vocab, "nothing mutated"

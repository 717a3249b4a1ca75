"""tokenlab.vocab: ranking, ties, max_tokens, min_freq, streaming, lookups, coverage, JSON."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab import corpus
from tokenlab.text import standardize, word_tokens
from tokenlab.vocab import FORMAT, MASK_INDEX, OOV_INDEX, VERSION, Vocabulary

DOCS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat"]]
TOKEN = st.text(st.sampled_from(list("abcxyz한글 '\"\n")), min_size=1, max_size=4)
TOKEN_LISTS = st.lists(st.lists(TOKEN, max_size=12), max_size=12)


def ranked(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=lambda t: (-counts[t], t))


# --------------------------------------------------------------------------- ranking


def test_layout_mask_oov_then_ranked():
    v = Vocabulary.build(DOCS)
    assert v.tokens == ["", "[UNK]", "the", "cat", "sat", "a", "dog", "mat", "on"]
    assert v.counts == [3, 2, 2, 1, 1, 1, 1]
    assert (v.mask_token, v.oov_token) == ("", "[UNK]")
    assert v[""] == MASK_INDEX == 0 and v["[UNK]"] == OOV_INDEX == 1
    assert len(v) == 9


def test_ties_are_broken_by_token_ascending():
    v = Vocabulary.build([["b", "c", "a", "c", "b", "a", "d"]])
    assert v.tokens[2:] == ["a", "b", "c", "d"]  # a, b, c twice; d once
    # Code point order: uppercase before lowercase, Latin before Hangul.
    assert Vocabulary.build([["가", "b", "B", "a"]]).tokens[2:] == ["B", "a", "b", "가"]


def test_keras_breaks_ties_the_other_way():
    # Keras's IndexLookup.finalize_state: np.lexsort((tokens, counts))[::-1].
    counts = Counter(["b", "c", "a", "c", "b", "a", "d", "e", "e", "e"])
    tokens = np.array(list(counts))
    keras = tokens[np.lexsort((tokens, np.array(list(counts.values()))))[::-1]].tolist()
    ours = Vocabulary.from_counts(counts).tokens[2:]
    assert keras == ["e", "c", "b", "a", "d"]
    assert ours == ["e", "a", "b", "c", "d"]
    assert [counts[t] for t in keras] == [counts[t] for t in ours]


def test_max_tokens_counts_the_mask_and_oov_slots():
    full = Vocabulary.build(DOCS)
    for k in range(2, len(full) + 3):
        v = Vocabulary.build(DOCS, max_tokens=k)
        assert v.tokens == full.tokens[:k]
        assert len(v) == min(k, len(full))
    assert Vocabulary.build(DOCS, max_tokens=2).tokens == ["", "[UNK]"]


@pytest.mark.parametrize("bad", [0, 1, -5])
def test_max_tokens_below_two_is_an_error(bad):
    with pytest.raises(ValueError, match="max_tokens must be >= 2"):
        Vocabulary.build(DOCS, max_tokens=bad)


def test_min_freq():
    assert Vocabulary.build(DOCS, min_freq=2).tokens[2:] == ["the", "cat", "sat"]
    assert Vocabulary.build(DOCS, min_freq=4).tokens == ["", "[UNK]"]
    # min_freq is applied first, then max_tokens.
    assert Vocabulary.build(DOCS, min_freq=2, max_tokens=4).tokens[2:] == ["the", "cat"]
    with pytest.raises(ValueError, match="min_freq must be >= 1"):
        Vocabulary.build(DOCS, min_freq=0)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_tokens": 2.5}, TypeError),
        ({"max_tokens": True}, TypeError),
        ({"min_freq": None}, TypeError),
        ({"mask_token": None}, TypeError),
        ({"oov_token": 1}, TypeError),
        ({"mask_token": "x", "oov_token": "x"}, ValueError),
    ],
)
def test_bad_options(kwargs, error):
    with pytest.raises(error):
        Vocabulary.build(DOCS, **kwargs)


def test_special_tokens_in_the_input_are_not_ranked():
    v = Vocabulary.build([["[UNK]", "[UNK]", "", "x"]])
    assert v.tokens == ["", "[UNK]", "x"]
    v = Vocabulary.build([["<pad>", "x", "<unk>"]], mask_token="<pad>", oov_token="<unk>")
    assert v.tokens == ["<pad>", "<unk>", "x"]
    assert v["<pad>"] == 0 and v["<unk>"] == 1 and v["[UNK]"] == 1


def test_streams_a_generator_once():
    pulled = []

    def documents():
        for i, doc in enumerate(DOCS):
            pulled.append(i)
            yield doc

    gen = documents()
    v = Vocabulary.build(gen)
    assert pulled == [0, 1, 2]
    assert next(gen, None) is None  # exhausted: one pass
    assert v == Vocabulary.build(DOCS)

    class OnePass:
        iterations = 0

        def __iter__(self):
            OnePass.iterations += 1
            return iter(DOCS)

    assert Vocabulary.build(OnePass()) == v and OnePass.iterations == 1


def test_a_str_or_a_single_token_list_is_a_type_error():
    with pytest.raises(TypeError, match="token_lists must be an iterable"):
        Vocabulary.build("the cat sat")
    with pytest.raises(TypeError, match=r"token_lists\[0\] must be a list or tuple of str"):
        Vocabulary.build(["the", "cat"])
    with pytest.raises(TypeError, match="str tokens"):
        Vocabulary.build([["a", 1]])
    with pytest.raises(TypeError):
        Vocabulary.build(42)


def test_from_counts():
    v = Vocabulary.from_counts({"b": 2, "a": 2, "z": 0, "c": 5})
    assert v.tokens[2:] == ["c", "a", "b"] and v.counts == [5, 2, 2]  # zero counts dropped
    with pytest.raises(ValueError, match=r"counts\['x'\] must be >= 0"):
        Vocabulary.from_counts({"x": -1})
    with pytest.raises(TypeError, match="must map str to int"):
        Vocabulary.from_counts({1: 3})
    with pytest.raises(TypeError, match=r"counts\['x'\] must be an int"):
        Vocabulary.from_counts({"x": 1.0})
    with pytest.raises(TypeError, match="mapping"):
        Vocabulary.from_counts([("x", 1)])
    assert len(Vocabulary.from_counts({})) == 2


def test_constructor_checks_the_ranking():
    assert Vocabulary(["b", "a", "c"], [5, 2, 2]).tokens[2:] == ["b", "a", "c"]
    with pytest.raises(ValueError, match="not ranked"):
        Vocabulary(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="not ranked"):
        Vocabulary(["c", "a"], [2, 2])
    with pytest.raises(ValueError, match="duplicate"):
        Vocabulary(["a", "b", "a"], [3, 2, 1])
    with pytest.raises(ValueError, match="same length"):
        Vocabulary(["a"], [1, 1])
    with pytest.raises(ValueError, match="OOV token"):
        Vocabulary(["[UNK]"], [1])
    with pytest.raises(ValueError, match=r"counts\[0\] must be >= 1"):
        Vocabulary(["a"], [0])
    with pytest.raises(TypeError):
        Vocabulary("ab", [1, 1])


# --------------------------------------------------------------------------- queries


def test_lookup_getitem_contains_decode():
    v = Vocabulary.build(DOCS)
    assert v.lookup(["the", "bird", "sat"]) == [2, 1, 4]
    assert v.lookup(("cat",)) == [3]
    assert v["bird"] == 1 and v["the"] == 2
    assert "the" in v and "bird" not in v and "" in v and "[UNK]" in v and 3 not in v
    assert v.token(0) == "" and v.token(1) == "[UNK]" and v.token(2) == "the"
    assert v.token(np.int64(3)) == "cat"
    assert v.decode([2, 3, 0, 1]) == ["the", "cat", "", "[UNK]"]
    assert v.decode(np.array([2, 3])) == v.decode(torch.tensor([2, 3])) == ["the", "cat"]
    assert v.count("the") == 3 and v.count("bird") == 0 and v.count("") == 0
    assert repr(v) == "Vocabulary(size=9, mask_token='', oov_token='[UNK]')"


def test_lookup_and_decode_errors():
    v = Vocabulary.build(DOCS)
    with pytest.raises(TypeError, match="tokens must be a list"):
        v.lookup("the")
    with pytest.raises(TypeError, match=r"tokens\[1\] must be a str"):
        v.lookup(["the", 3])
    with pytest.raises(TypeError, match="token must be a str"):
        v[3]
    with pytest.raises(ValueError, match="index must be in 0..8"):
        v.token(9)
    with pytest.raises(ValueError, match="index must be in"):
        v.token(-1)
    with pytest.raises(TypeError, match="index must be an int"):
        v.token("a")
    with pytest.raises(ValueError, match=r"ids\[1\] must be in 0..8"):
        v.decode([0, 9])
    with pytest.raises(TypeError, match="1-D"):
        v.decode(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(TypeError, match=r"ids\[0\] must be an int"):
        v.decode([1.0])
    with pytest.raises(TypeError):
        v.decode("12")


def test_tokens_and_counts_are_copies():
    v = Vocabulary.build(DOCS)
    v.tokens.append("x")
    v.counts.append(99)
    assert len(v.tokens) == 9 and len(v.counts) == 7


def test_coverage_and_oov_rate():
    v = Vocabulary.build([["a", "b", "a"]])
    lists = [["a", "a", "c"], ["b", "", "[UNK]"]]  # "" (mask) is left out; "[UNK]" is unknown
    assert v.coverage(lists) == pytest.approx(3 / 5)
    assert v.oov_rate(lists) == pytest.approx(2 / 5)
    assert v.coverage(iter(lists)) + v.oov_rate(iter(lists)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no tokens"):
        v.coverage([[], [""]])
    with pytest.raises(TypeError):
        v.coverage(["a", "b"])


@pytest.fixture(scope="module")
def nsmc_tokens():
    train = [word_tokens(standardize(t)) for t, _ in corpus.load("nsmc", "train")[:20000]]
    test = [word_tokens(standardize(t)) for t, _ in corpus.load("nsmc", "test")[:5000]]
    return train, test


def test_real_corpus_ranking_zipf_and_coverage(nsmc_tokens):
    train, test = nsmc_tokens
    counts = Counter(t for doc in train for t in doc)
    v = Vocabulary.build(train)
    assert v.tokens[2:] == ranked(counts)
    assert v.counts == [counts[t] for t in v.tokens[2:]]
    assert sum(v.counts) == sum(map(len, train))
    assert v.coverage(train) == 1.0
    small = Vocabulary.build(train, max_tokens=5002)
    assert small.tokens == v.tokens[:5002]
    # Held-out coverage grows with the vocabulary and stays below 1 (Korean words are sparse).
    assert 0.3 < small.coverage(test) < v.coverage(test) < 1.0
    assert small.oov_rate(test) == pytest.approx(1 - small.coverage(test))


@settings(max_examples=60, deadline=None)
@given(TOKEN_LISTS, st.one_of(st.none(), st.integers(2, 12)), st.integers(1, 3))
def test_build_properties(token_lists, max_tokens, min_freq):
    v = Vocabulary.build(token_lists, max_tokens=max_tokens, min_freq=min_freq)
    counts = Counter(t for doc in token_lists for t in doc)
    expected = [t for t in ranked(counts) if counts[t] >= min_freq]
    if max_tokens is not None:
        expected = expected[: max_tokens - 2]
    assert v.tokens == ["", "[UNK]", *expected]
    assert v.counts == [counts[t] for t in expected]
    for doc in token_lists:
        ids = v.lookup(doc)
        assert v.decode(ids) == [t if t in expected else "[UNK]" for t in doc]
    assert Vocabulary.from_dict(json.loads(json.dumps(v.to_dict()))) == v


# ------------------------------------------------------------------------ save/load


def test_save_load_round_trip(tmp_path):
    docs = [["한국어", "텍스트", "한국어"], ['quote"s', "new\nline", "emoji👍"], ["\u3000"]]
    v = Vocabulary.build(docs, mask_token="<pad>", oov_token="<unk>")
    path = tmp_path / "vocab.json"
    v.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "format": FORMAT, "version": VERSION, "mask_token": "<pad>", "oov_token": "<unk>",
        "tokens": v.tokens, "counts": v.counts,
    }
    w = Vocabulary.load(str(path))
    assert w == v and w.tokens == v.tokens and w.counts == v.counts
    assert (w.mask_token, w.oov_token) == ("<pad>", "<unk>")
    assert "한국어" in path.read_text(encoding="utf-8")  # readable UTF-8, not \u escapes


def _tamper(data):
    return [
        ("not JSON", "{nope", "not a JSON vocabulary"),
        ("an array", [], "expected a JSON object"),
        ("wrong format", {**data, "format": "pickle"}, "format must be 'tokenlab-vocab'"),
        ("wrong version", {**data, "version": 2}, "version must be 1"),
        ("missing field", {k: v for k, v in data.items() if k != "counts"}, "missing"),
        ("extra field", {**data, "extra": 1}, "unexpected"),
        ("duplicate", {**data, "tokens": ["", "[UNK]", "a", "a"], "counts": [2, 2]},
         "not ranked|duplicate"),
        ("duplicate, other counts",
         {**data, "tokens": ["", "[UNK]", "a", "b", "a"], "counts": [3, 2, 1]}, "duplicate"),
        ("counts unsorted", {**data, "counts": [1, 2]}, "not ranked"),
        ("ties unsorted", {**data, "tokens": ["", "[UNK]", "b", "a"], "counts": [2, 2]},
         "not ranked"),
        ("mask mismatch", {**data, "mask_token": "<pad>"}, "tokens\\[0\\] must be the mask"),
        ("oov mismatch", {**data, "tokens": ["", "<unk>", "a", "b"]},
         "tokens\\[1\\] must be the oov_token"),
        ("counts length", {**data, "counts": [2]}, "one count per token"),
        ("count type", {**data, "counts": [2, "1"]}, "must be an int"),
        ("count zero", {**data, "counts": [2, 0]}, "must be >= 1"),
        ("token type", {**data, "tokens": ["", "[UNK]", "a", 7]}, "must be a str"),
        ("too short", {**data, "tokens": [""], "counts": []}, "must start with"),
        ("mask repeated", {**data, "tokens": ["", "[UNK]", "a", ""]}, "mask token"),
    ]


@pytest.mark.parametrize("case", range(18))
def test_tampered_files_are_value_errors_naming_the_path(tmp_path, case):
    v = Vocabulary.build([["a", "a", "b"]])
    name, content, message = _tamper(v.to_dict())[case]
    path = tmp_path / "vocab.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ValueError, match=message) as info:
        Vocabulary.load(path)
    assert str(path) in str(info.value), name


def test_invalid_utf8_is_a_value_error(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match="not a JSON vocabulary"):
        Vocabulary.load(path)

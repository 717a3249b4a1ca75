"""tokenlab.bpe: training (checked against a naive trainer), tiktoken-exact encoding, files."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from itertools import islice, pairwise
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab.bpe import FORMAT, GPT2_PATTERN, BPETokenizer, MergeStep

ROOT = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def corpus(*parts: str) -> Path:
    path = Path(os.environ.get("TOKENLAB_DATA", ROOT.parent / "shared" / "corpora")).joinpath(
        *parts
    )
    if not path.exists():
        message = f"corpus file {path} not found (set TOKENLAB_DATA)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def nsmc_reviews(name: str, count: int) -> list[str]:
    """The ``document`` column of an NSMC file (tab-separated: id, document, label)."""
    with corpus("nsmc", name).open(encoding="utf-8") as f:
        header = next(f).rstrip("\n").split("\t")
        column = header.index("document")
        return [line.rstrip("\n").split("\t")[column] for line in islice(f, count)]


@pytest.fixture(scope="module")
def shakespeare() -> str:
    return corpus("tinyshakespeare", "input.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def trained(shakespeare) -> BPETokenizer:
    """vocab 600 on most of Shakespeare and 3,000 Korean reviews; the rest is held out."""
    return BPETokenizer.train([shakespeare[:-100_000], *nsmc_reviews("ratings_train.txt", 3000)],
                              vocab_size=600)


# --------------------------------------------------------------------- a naive reference


def naive_train(texts: list[str], vocab_size: int, pattern: str = GPT2_PATTERN):
    """Textbook BPE: recount every pair before every merge. Slow, obviously right."""
    counts = Counter(p for t in texts for p in regex.findall(pattern, t))
    words = [[list(p.encode("utf-8")), f] for p, f in counts.items()]
    vocab = {i: bytes([i]) for i in range(256)}
    ids = {b: i for i, b in vocab.items()}
    merges, history = [], []
    while len(vocab) < vocab_size:
        pairs: Counter = Counter()
        for word, freq in words:
            for pair in pairwise(word):
                pairs[pair] += freq
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        token = vocab[best[0]] + vocab[best[1]]
        new = ids.get(token)
        if new is None:
            new = len(vocab)
            vocab[new], ids[token] = token, new
            merges.append(best)
            history.append(pairs[best])
        for item in words:
            word, out, i = item[0], [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(new)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            item[0] = out
    return merges, history


def naive_encode(tok: BPETokenizer, text: str) -> list[int]:
    """tiktoken's rule, written as plainly as possible."""
    ranks = {tok.token_bytes(i): i for i in range(len(tok))}
    out = []
    for piece in regex.findall(tok.pattern, text):
        parts = [bytes([b]) for b in piece.encode("utf-8")]
        while True:
            candidates = [(ranks[parts[i] + parts[i + 1]], i) for i in range(len(parts) - 1)
                          if parts[i] + parts[i + 1] in ranks]
            if not candidates:
                break
            _, i = min(candidates)
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        out.extend(ranks[p] for p in parts)
    return out


# ---------------------------------------------------------------------------------- train


def test_train_small_example():
    tok = BPETokenizer.train("the cat sat on the mat. the cat ate.", vocab_size=262)
    assert len(tok) == 262
    assert [tok.token_bytes(i) for i in range(256, 262)] == [
        b"at", b"he", b"the", b" c", b" the", b" cat",
    ]
    assert tok.merges == [(97, 116), (104, 101), (116, 257), (32, 99), (32, 258), (259, 256)]
    assert tok.history[0] == MergeStep(256, 97, 116, b"at", 5)
    assert [s.count for s in tok.history] == [5, 3, 3, 2, 2, 2]
    assert all(s.id == 256 + i and tok.vocab[s.id] == s.token for i, s in enumerate(tok.history))
    assert tok.vocab[259] == tok.vocab[32] + tok.vocab[99]


def test_ties_go_to_the_smallest_pair():
    # every pair occurs once: (32, 99) " c" < (97, 98) "ab" < (99, 100) "cd"
    tok = BPETokenizer.train("ab cd", vocab_size=257)
    assert tok.merges == [(32, 99)]
    tok = BPETokenizer.train(["ba", "ab"], vocab_size=258)
    assert tok.merges == [(97, 98), (98, 97)]


def test_pairs_seen_once_merge_and_training_stops_when_no_pair_is_left():
    tok = BPETokenizer.train("abc", vocab_size=1000)
    assert [tok.token_bytes(i) for i in range(256, len(tok))] == [b"ab", b"abc"]
    assert len(tok) == 258 and [s.count for s in tok.history] == [1, 1]
    assert len(BPETokenizer.train("", vocab_size=300)) == 256
    assert len(BPETokenizer.train("a b c", vocab_size=300)) == 258  # " b", " c"
    assert len(BPETokenizer.train("abc", vocab_size=256)) == 256


def test_train_accepts_any_iterable_and_pieces_never_cross_texts():
    gen = BPETokenizer.train((t for t in ["ab", "ab"]), vocab_size=300)
    assert gen.merges == [(97, 98)]
    joined = BPETokenizer.train("abab", vocab_size=300)  # one piece: "abab"
    assert len(joined) == 258


def test_overlapping_pairs_merge_left_to_right():
    merges, history = naive_train(["aaa aaaa"], 300)
    tok = BPETokenizer.train("aaa aaaa", 300)
    assert tok.merges == merges and [s.count for s in tok.history] == history
    assert tok.history[0].token == b"aa" and tok.history[0].count == 5  # "aaa" 2, " aaaa" 3
    ids = {token: i for i, token in tok.vocab.items()}
    assert tok.encode("aaa aaaa") == [ids[b"aaa"], ids[b" aaaa"]]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("aab c\n'1é한")), max_size=30), max_size=5),
       st.integers(256, 330))
def test_train_equals_naive_training(texts, vocab_size):
    tok = BPETokenizer.train(texts, vocab_size)
    merges, history = naive_train(texts, vocab_size)
    assert tok.merges == merges
    assert [s.count for s in tok.history] == history


def test_train_equals_naive_training_on_real_text(shakespeare):
    texts = [shakespeare[:20_000], *nsmc_reviews("ratings_train.txt", 150)]
    tok = BPETokenizer.train(texts, 356)
    merges, history = naive_train(texts, 356)
    assert tok.merges == merges
    assert [s.count for s in tok.history] == history


def test_a_pair_whose_bytes_are_already_a_token_gets_no_new_id():
    # Training from scratch has not been seen to produce such a pair (a search over half a
    # million small corpora found none), so drive the rule directly: "ab" is already 256.
    tok = BPETokenizer([(97, 98)])
    words = [[97, 98, 99], [97, 98]]
    tok._train(words, [3, 2], vocab_size=300)
    assert words == [[257], [256]]
    assert tok.merges == [(97, 98), (256, 99)] and len(tok) == 258
    assert [(s.token, s.count) for s in tok.history] == [(b"abc", 3)]


def test_train_speed_1000_merges_on_shakespeare(shakespeare):
    start = time.perf_counter()
    tok = BPETokenizer.train(shakespeare, vocab_size=1256)
    seconds = time.perf_counter() - start
    assert len(tok) == 1256
    assert seconds < 10, f"1,000 merges on tinyshakespeare took {seconds:.1f} s"
    assert [s.token for s in tok.history[:4]] == [b" t", b"he", b" a", b"ou"]
    counts = [s.count for s in tok.history]
    assert counts == sorted(counts, reverse=True)  # no skipped pairs here: counts only fall


def test_train_errors():
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        BPETokenizer.train("abc", vocab_size=255)
    with pytest.raises(TypeError, match="vocab_size must be an int, got str"):
        BPETokenizer.train("abc", vocab_size="300")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="vocab_size must be an int, got bool"):
        BPETokenizer.train("abc", vocab_size=True)
    with pytest.raises(TypeError, match="texts must be a str or an iterable of str, got int"):
        BPETokenizer.train(5, vocab_size=300)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="texts must be a str or an iterable of str, got bytes"):
        BPETokenizer.train(b"abc", vocab_size=300)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got int"):
        BPETokenizer.train(["a", 1], vocab_size=300)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="lone surrogate U\\+D800"):
        BPETokenizer.train(["ok", "a\ud800b"], vocab_size=300)
    with pytest.raises(ValueError, match="pattern is not a valid regular expression"):
        BPETokenizer.train("abc", vocab_size=300, pattern="(")
    with pytest.raises(TypeError, match="pattern must be a str"):
        BPETokenizer.train("abc", vocab_size=300, pattern=5)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ encode / decode


def test_bytes_are_the_first_256_ids():
    tok = BPETokenizer()
    assert len(tok) == 256 and tok.merges == [] and tok.history == []
    assert all(tok.token_bytes(i) == bytes([i]) for i in range(256))
    assert tok.encode("hi 한") == [104, 105, 32, 237, 149, 156]
    assert tok.encode("") == [] and tok.decode([]) == "" and tok.encode_pieces("") == []


def test_encode_uses_the_lowest_ranked_concatenation_not_merge_replay():
    # ranks: "bc" 256, "ab" 257, "abc" 258 = ("ab", "c"). In "abcd", "bc" (256) is merged
    # first; replaying merges would then stop at a, bc, d since (a, bc) is no merge, but
    # tiktoken looks at bytes: "a" + "bc" is "abc", a token, so it merges them.
    tok = BPETokenizer([(98, 99), (97, 98), (257, 99)])
    assert tok.encode("abc") == [258]  # the whole piece is a token: taken at once
    assert tok.encode("abcd") == [258, 100]
    assert tok.encode("abcd") == naive_encode(tok, "abcd")
    assert tok.encode("xabd") == [120, 257, 100]


def test_encode_examples(trained):
    ids = trained.encode("To be, or not to be: that is the question.")
    assert trained.decode(ids) == "To be, or not to be: that is the question."
    assert len(ids) < 20
    pieces = trained.encode_pieces("the king, my lord")
    assert "".join(pieces) == "the king, my lord" and len(pieces) <= 8
    assert " lord" in pieces
    korean = "이 영화 진짜 최고"
    assert trained.decode(trained.encode(korean)) == korean
    assert any("\ufffd" in p for p in trained.encode_pieces("햏햏"))  # split inside a character


def test_pre_tokenize(trained):
    assert trained.pre_tokenize("I'll pay $100   now!") == [
        "I", "'ll", " pay", " $", "100", "  ", " now", "!",
    ]
    assert trained.pre_tokenize("") == []
    with pytest.raises(TypeError, match="text must be a str"):
        trained.pre_tokenize(None)  # type: ignore[arg-type]


def test_encode_decode_errors(trained):
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        trained.encode(b"abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"text contains a lone surrogate U\+DC00 at index 1"):
        trained.encode("a\udc00")
    with pytest.raises(ValueError, match=r"ids\[1\] = 600 is not in the vocabulary"):
        trained.decode([1, 600])
    with pytest.raises(ValueError, match=r"ids\[0\] = -1 is not in the vocabulary"):
        trained.decode([-1])
    with pytest.raises(TypeError, match=r"ids\[0\] must be an int, got str"):
        trained.decode(["a"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="ids must be an iterable of int, got str"):
        trained.decode("123")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ids must be an iterable of int, got int"):
        trained.decode(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="token_id 600 is not in the vocabulary"):
        trained.token_bytes(600)


def test_decode_accepts_numpy(trained):
    ids = trained.encode("the king")
    assert trained.decode(np.array(ids)) == "the king"
    assert trained.decode(tuple(np.array(ids, dtype=np.int32))) == "the king"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_decode_encode_round_trip(trained, text):
    ids = trained.encode(text)
    assert trained.decode(ids) == text
    assert all(0 <= i < len(trained) for i in ids)
    assert "".join(trained.pre_tokenize(text)) == text
    assert b"".join(trained.token_bytes(i) for i in ids) == text.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from(list("the kng,.'s\n 한국어영화")), max_size=60))
def test_encode_equals_naive_rule(trained, text):
    assert trained.encode(text) == naive_encode(trained, text)


# ------------------------------------------------------------------------------- tiktoken


@pytest.fixture(scope="module")
def tiktoken_twin(trained):
    tiktoken = pytest.importorskip("tiktoken")
    return tiktoken.Encoding(
        name="t",
        pat_str=trained.pattern,
        mergeable_ranks={trained.token_bytes(i): i for i in range(len(trained))},
        special_tokens={},
    )


def test_tiktoken_equivalence_on_held_out_english(trained, tiktoken_twin, shakespeare):
    held_out = shakespeare[-100_000:]
    ids = trained.encode(held_out)
    assert ids == tiktoken_twin.encode_ordinary(held_out)
    assert len(ids) < len(held_out.encode("utf-8")) / 1.7  # the merges compress English
    lines = held_out.splitlines()[:2000]
    assert [trained.encode(s) for s in lines] == tiktoken_twin.encode_ordinary_batch(lines)


def test_tiktoken_equivalence_on_held_out_korean(trained, tiktoken_twin):
    reviews = nsmc_reviews("ratings_test.txt", 500)
    assert [trained.encode(r) for r in reviews] == tiktoken_twin.encode_ordinary_batch(reviews)
    joined = "\n".join(reviews)
    ids = trained.encode(joined)
    assert ids == tiktoken_twin.encode_ordinary(joined)
    assert len(ids) < len(joined.encode("utf-8")) / 1.5  # Korean syllables got merged too


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cn")), max_size=60),
    st.text(st.sampled_from(list("the kng,.'s\n\t\x85\u3000 한국어영화!?ㅋ1")), max_size=60),
))
def test_tiktoken_equivalence_on_generated_text(trained, tiktoken_twin, text):
    assert trained.encode(text) == tiktoken_twin.encode_ordinary(text)


# ----------------------------------------------------------------------------- save / load


def test_save_load_round_trip(trained, tmp_path):
    path = tmp_path / "bpe.json"
    trained.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"format": FORMAT, "version": 1, "pattern": GPT2_PATTERN,
                    "merges": [list(m) for m in trained.merges]}
    loaded = BPETokenizer.load(str(path))
    assert loaded.merges == trained.merges and loaded.vocab == trained.vocab
    assert loaded.pattern == trained.pattern and len(loaded) == len(trained)
    assert loaded.history == []  # counts are not saved
    text = "To be, or not to be 한국어"
    assert loaded.encode(text) == trained.encode(text)
    assert BPETokenizer.from_dict(trained.to_dict()).merges == trained.merges
    assert BPETokenizer.from_dict(json.loads(json.dumps(trained.to_dict()))).merges == \
        trained.merges


def test_custom_pattern_is_saved(tmp_path):
    tok = BPETokenizer.train("aa bb aa", vocab_size=260, pattern=r"\S+|\s+")
    tok.save(tmp_path / "t.json")
    loaded = BPETokenizer.load(tmp_path / "t.json")
    assert loaded.pattern == r"\S+|\s+" and loaded.encode("aa bb") == tok.encode("aa bb")
    assert "pattern='\\\\S+|\\\\s+'" in repr(loaded) and "GPT2_PATTERN" in repr(BPETokenizer())


GOOD = {"format": FORMAT, "version": 1, "pattern": GPT2_PATTERN, "merges": [[104, 105]]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "pickle"}, "format must be 'tokenlab-bpe', got 'pickle'"),
        ({"version": 2}, "unsupported version 2"),
        ({"version": True}, "unsupported version True"),
        ({"extra": 1}, r"unknown \['extra'\]"),
        ({"merges": [[104, 105], [256, 300]]}, r"merges\[1\] = \[256, 300\] refers to id 300"),
        ({"merges": [[257, 104], [104, 105]]}, r"merges\[0\] = \[257, 104\] refers to id 257"),
        ({"merges": [[-1, 104]]}, "refers to id -1"),
        ({"merges": [[104, 105], [104, 105]]}, r"merges\[1\] = \[104, 105\] makes b'hi', "
                                               "which token 256 already is"),
        ({"merges": [[97, 98], [256, 99], [98, 99], [97, 258]]}, r"merges\[3\].*b'abc'"),
        ({"merges": [[104, 105, 106]]}, r"merges\[0\] must be a pair of int ids"),
        ({"merges": [[True, 105]]}, r"merges\[0\] must be a pair of int ids"),
        ({"merges": [[1.0, 105]]}, r"merges\[0\] must be a pair of int ids"),
        ({"merges": [["h", "i"]]}, r"merges\[0\] must be a pair of int ids"),
        ({"merges": {"a": 1}}, r"data\['merges'\] must be a list"),
        ({"pattern": "("}, "pattern is not a valid regular expression"),
        ({"pattern": ""}, "pattern must not be empty"),
        ({"pattern": 5}, r"data\['pattern'\] must be a str"),
    ],
)
def test_load_rejects_tampered_files(tmp_path, change, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**GOOD, **change}), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        BPETokenizer.load(path)
    with pytest.raises(ValueError, match=message):
        BPETokenizer.from_dict({**GOOD, **change})


def test_load_rejects_missing_keys_and_non_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "merges": []}))
    with pytest.raises(ValueError, match=r"missing \['pattern'\]"):
        BPETokenizer.load(path)
    path.write_text("not json")
    with pytest.raises(ValueError, match="bad.json is not valid JSON"):
        BPETokenizer.load(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must hold a JSON object, got list"):
        BPETokenizer.load(path)
    with pytest.raises(TypeError, match="data must be a dict, got list"):
        BPETokenizer.from_dict([1, 2])  # type: ignore[arg-type]


def test_constructor_validates_merges():
    assert len(BPETokenizer([(104, 105), [256, 33]])) == 258
    with pytest.raises(TypeError, match="merges must be an iterable of"):
        BPETokenizer(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="merges must be an iterable of"):
        BPETokenizer("ab")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="refers to id 256"):
        BPETokenizer([(104, 256)])
    tok = BPETokenizer([(np.int64(104), np.int64(105))])
    assert tok.merges == [(104, 105)] and type(tok.merges[0][0]) is int


# ------------------------------------------------- OpenAI's ranks: from_tiktoken vs tiktoken

OPENAI = ("cl100k_base", "o200k_base")


def _ranks_file(name: str) -> Path:
    from tokenlab import models

    path = models.models_dir() / "tiktoken" / f"{name}.tiktoken"
    if not path.is_file():
        message = f"{path} not found (set TOKENLAB_MODELS)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module", params=OPENAI)
def openai_pair(request):
    """(ours, tiktoken's Encoding) built from the same local file, with the known patterns."""
    tiktoken = pytest.importorskip("tiktoken")
    from tiktoken.load import load_tiktoken_bpe

    from tokenlab.bpe import TIKTOKEN_ENCODINGS

    name = request.param
    path = _ranks_file(name)
    info = TIKTOKEN_ENCODINGS[name]
    reference = tiktoken.Encoding(f"{name}-local", pat_str=info["pattern"],
                                  mergeable_ranks=load_tiktoken_bpe(str(path)),
                                  special_tokens=info["special_tokens"])
    return BPETokenizer.from_tiktoken(name), reference


def test_known_patterns_are_tiktokens_own(monkeypatch):
    openai_public = pytest.importorskip("tiktoken_ext.openai_public")
    from tokenlab.bpe import TIKTOKEN_ENCODINGS

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *a, **k: {})  # no network
    for name in OPENAI:
        spec = getattr(openai_public, name)()
        assert TIKTOKEN_ENCODINGS[name]["pattern"] == spec["pat_str"]
        assert TIKTOKEN_ENCODINGS[name]["special_tokens"] == spec["special_tokens"]


def test_from_tiktoken_equals_tiktoken_on_all_of_nsmc(openai_pair):
    ours, reference = openai_pair
    reviews = nsmc_reviews("ratings_train.txt", 150_000) + nsmc_reviews("ratings_test.txt",
                                                                        50_000)
    assert len(reviews) == 200_000
    expected = reference.encode_ordinary_batch(reviews)
    bad = [i for i, r in enumerate(reviews) if ours.encode(r) != expected[i]]
    assert not bad, (len(bad), reviews[bad[0]])


def test_from_tiktoken_equals_tiktoken_on_tinyshakespeare(openai_pair, shakespeare):
    ours, reference = openai_pair
    ids = ours.encode(shakespeare)
    assert ids == reference.encode_ordinary(shakespeare)
    assert ours.decode(ids) == shakespeare
    lines = shakespeare.split("\n")
    assert [ours.encode(s) for s in lines] == reference.encode_ordinary_batch(lines)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
    st.text(st.sampled_from(list("the THE kng,.'s'S'LL\n\r\t\x85\u3000 한국어영화!?ㅋ123456/"
                                 "\u017f\u212a")), max_size=80),
))
def test_from_tiktoken_equals_tiktoken_on_generated_text(openai_pair, text):
    ours, reference = openai_pair
    ids = ours.encode(text)
    assert ids == reference.encode_ordinary(text)
    assert ours.decode(ids) == text


def test_from_tiktoken_special_tokens(openai_pair):
    ours, reference = openai_pair
    text = "a<|endoftext|>b <|endofprompt|><|endoftext|> c<|endoftext"
    assert ours.encode(text, allowed_special="all") == reference.encode(
        text, allowed_special="all")
    assert ours.encode(text, allowed_special={"<|endoftext|>"}) == reference.encode(
        text, allowed_special={"<|endoftext|>"}, disallowed_special=())
    assert ours.encode(text) == reference.encode_ordinary(text)
    assert len(ours) == reference.n_vocab
    eot = reference.eot_token
    assert ours.special_tokens["<|endoftext|>"] == eot
    assert ours.decode([eot]) == "<|endoftext|>" and ours.token_bytes(eot) == b"<|endoftext|>"
    with pytest.raises(ValueError, match="allowed_special"):
        ours.encode(text, allowed_special={"<|nope|>"})


def test_from_tiktoken_single_bytes_are_not_in_byte_order():
    tok = BPETokenizer.from_tiktoken("cl100k_base") if _ranks_file("cl100k_base") else None
    assert tok.encode("!") == [0] and tok.token_bytes(0) == b"!"  # b"!" is 33, its rank 0
    assert tok.token_bytes(256) != bytes([0])  # rank 256 is a merge, not a byte
    assert sorted(tok.encode(bytes([b]).decode("latin-1"))[0] for b in range(32, 127)) \
        != list(range(32, 127))
    assert repr(tok) == "BPETokenizer.from_tiktoken('cl100k_base')"


def test_long_pieces_merge_as_tiktoken_does(openai_pair):
    ours, reference = openai_pair
    for text in ["ㅋ" * 700, " " * 3000, "a" * 5000, "ab" * 1500, "한국어" * 400,
                 "x" * 47 + "y", "z" * 49, "\n" * 600 + "!" * 600]:
        assert ours.encode(text) == reference.encode_ordinary(text), text[:10]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=120)
       | st.text(st.sampled_from(list("the cat sat 한국")), min_size=1, max_size=120)
       .map(lambda s: s.encode("utf-8")))
def test_heap_merge_equals_scan_merge(trained, data):
    """The heap used for long pieces merges exactly as the min() scan used for short ones."""
    import tokenlab.bpe as bpe

    scan = trained._encode_piece.__func__
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bpe, "_HEAP_FROM", 10**9)
        expected = scan(trained, data) if data not in trained._ranks else (trained._ranks[data],)
    assert trained._encode_long(data) == expected


def test_from_tiktoken_by_path_and_bad_input(tmp_path):
    path = _ranks_file("cl100k_base")
    by_path = BPETokenizer.from_tiktoken(path)
    assert by_path.name == "cl100k_base" and by_path.encode("hello world") == [15339, 1917]
    with pytest.raises(ValueError, match="name_or_path"):
        BPETokenizer.from_tiktoken("p50k_base")
    with pytest.raises(TypeError, match="name_or_path"):
        BPETokenizer.from_tiktoken(3)  # type: ignore[arg-type]
    other = tmp_path / "mine.tiktoken"
    other.write_bytes(path.read_bytes())
    with pytest.raises(ValueError, match="pattern"):
        BPETokenizer.from_tiktoken(other)
    assert BPETokenizer.from_tiktoken(other, pattern=GPT2_PATTERN).encode("hi") == [6151]
    broken = tmp_path / "broken.tiktoken"
    broken.write_bytes(b"IQ== 0\nnot-base64! 1\n")
    with pytest.raises(ValueError, match="line 2"):
        BPETokenizer.from_tiktoken(broken, pattern=GPT2_PATTERN)
    with pytest.raises(ValueError, match="to_dict"):
        by_path.to_dict()


def test_from_ranks_validates():
    ranks = {bytes([b]): b for b in range(256)}
    with pytest.raises(ValueError, match="256 single bytes"):
        BPETokenizer.from_ranks({k: v for k, v in ranks.items() if k != b"a"} | {b"ab": 97},
                                GPT2_PATTERN)
    with pytest.raises(ValueError, match="0..n-1"):
        BPETokenizer.from_ranks(ranks | {b"ab": 300}, GPT2_PATTERN)
    with pytest.raises(ValueError, match="rank 5"):
        BPETokenizer.from_ranks(ranks | {b"ab": 5}, GPT2_PATTERN)
    with pytest.raises(ValueError, match="special_tokens"):
        BPETokenizer.from_ranks(ranks, GPT2_PATTERN, special_tokens={"<|x|>": 7})
    with pytest.raises(TypeError, match="ranks"):
        BPETokenizer.from_ranks([(b"a", 0)], GPT2_PATTERN)  # type: ignore[arg-type]
    tok = BPETokenizer.from_ranks(ranks | {b"ab": 256}, GPT2_PATTERN)
    assert tok.encode("abc") == [256, 99] and len(tok) == 257

"""tokenlab.vectorize: every output mode, both tf-idf conventions, sparse, save/load, errors.

Reference checks: counts equal scikit-learn's ``CountVectorizer`` and tf-idf equals its
``TfidfVectorizer`` for every ``smooth_idf x sublinear_tf x norm`` on real corpora, with the
same tokenization (an ``analyzer=`` callable doing tokenlab's standardize + split + n-grams) and
the same vocabulary (ours minus the mask and OOV columns). scikit-learn drops OOV tokens: our
``idf="sklearn"`` does too (its OOV tf-idf column is 0), while the ``"count"`` OOV column
counts them.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import scipy.sparse
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from tokenlab import corpus
from tokenlab.text import (
    char_tokens,
    jamo_tokens,
    ngrams,
    standardize,
    standardize_keras,
    standardize_nfkc,
    word_tokens,
)
from tokenlab.vectorize import OUTPUT_MODES, TextVectorizer
from tokenlab.vocab import Vocabulary

BAG_MODES = ("multi_hot", "count", "tf_idf")
TEXTS = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog, a mat?"]


def analyzer(n: int | None):
    if n is None:
        return lambda text: word_tokens(standardize(text))
    return lambda text: ngrams(word_tokens(standardize(text)), (1, n))


def sk_vocabulary(v: TextVectorizer) -> dict[str, int]:
    return {t: i for i, t in enumerate(v.vocabulary.tokens[2:])}


def dense(x: torch.Tensor) -> np.ndarray:
    return (x.to_dense() if x.layout != torch.strided else x).numpy()


def to_scipy(x: torch.Tensor) -> scipy.sparse.csr_matrix:
    assert x.layout == torch.sparse_coo and x.is_coalesced()
    rows, cols = x.indices().numpy()
    return scipy.sparse.csr_matrix((x.values().numpy(), (rows, cols)), shape=tuple(x.shape))


@pytest.fixture(scope="module")
def nsmc():
    records = corpus.load("nsmc", "train")
    return [t for t, _ in records[:3000]], [t for t, _ in records[3000:4000]]


@pytest.fixture(scope="module")
def sentences():
    records = corpus.load("sentiment-sentences")
    return [t for t, _ in records[::2]], [t for t, _ in records[1::2]]


@pytest.fixture(params=["nsmc", "sentences"])
def real(request, nsmc, sentences):
    return {"nsmc": nsmc, "sentences": sentences}[request.param]


# ------------------------------------------------------------ scikit-learn reference


@pytest.mark.parametrize("n", [None, 2])
def test_counts_equal_sklearn_count_vectorizer(real, n):
    train, held_out = real
    v = TextVectorizer("count", ngrams=n, sparse=True)
    ours = to_scipy(v.fit_transform(train))
    sk = CountVectorizer(analyzer=analyzer(n), vocabulary=sk_vocabulary(v))
    assert (ours[:, 2:] != sk.fit_transform(train)).nnz == 0
    assert ours[:, :2].nnz == 0  # nothing is OOV in the training texts
    # Held out: the in-vocabulary columns still agree; column 1 counts the OOV tokens.
    ours = to_scipy(v.transform(held_out))
    assert (ours[:, 2:] != sk.transform(held_out)).nnz == 0
    oov = [sum(t not in v.vocabulary for t in analyzer(n)(doc)) for doc in held_out]
    assert np.array_equal(ours[:, 1].toarray().ravel(), oov) and sum(oov) > 0
    assert ours[:, 0].nnz == 0


@pytest.mark.parametrize(("smooth_idf", "sublinear_tf", "norm"),
                         list(itertools.product([True, False], [False, True], [None, "l2"])))
def test_tf_idf_equals_sklearn_tfidf_vectorizer(real, smooth_idf, sublinear_tf, norm):
    train, held_out = real
    kwargs = {"smooth_idf": smooth_idf, "sublinear_tf": sublinear_tf, "norm": norm}
    v = TextVectorizer("tf_idf", idf="sklearn", ngrams=2, max_tokens=3000, **kwargs)
    ours_train = v.fit_transform(train)
    sk = TfidfVectorizer(analyzer=analyzer(2), vocabulary=sk_vocabulary(v), **kwargs)
    sk_train = sk.fit_transform(train).toarray()
    np.testing.assert_allclose(v.idf_.numpy()[2:], sk.idf_, rtol=1e-12)
    for ours, theirs in ((dense(ours_train), sk_train),
                         (dense(v.transform(held_out)), sk.transform(held_out).toarray())):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours[:, 2:], theirs, rtol=1e-6, atol=1e-6)
        assert not ours[:, :2].any()  # sklearn drops OOV; so does idf="sklearn"


def test_sklearn_with_its_own_vocabulary_matches_column_aligned(nsmc):
    train, _ = nsmc
    v = TextVectorizer("tf_idf", idf="sklearn", norm="l2", sparse=True)
    ours = to_scipy(v.fit_transform(train))
    sk = TfidfVectorizer(analyzer=analyzer(None))  # learns its own (alphabetical) vocabulary
    theirs = sk.fit_transform(train)
    columns = [v.vocabulary[t] for t in sk.get_feature_names_out()]
    assert sorted(columns) == list(range(2, len(v.vocabulary)))
    diff = abs(ours[:, columns] - theirs)
    assert diff.max() < 1e-6 and ours.nnz == theirs.nnz


def test_fit_and_fit_transform_agree(nsmc):
    train, held_out = nsmc
    for idf in ("keras", "sklearn"):
        a = TextVectorizer("tf_idf", idf=idf, max_tokens=2000)
        b = TextVectorizer("tf_idf", idf=idf, max_tokens=2000)
        out = a.fit_transform(train)
        assert torch.equal(out, b.fit(train).transform(train))
        assert a.vocabulary == b.vocabulary and torch.equal(a.idf_, b.idf_)
        assert torch.equal(a.transform(held_out), b.transform(held_out))


@pytest.mark.parametrize("mode", OUTPUT_MODES)
def test_fit_transform_equals_fit_then_transform_in_every_mode(nsmc, mode):
    train = (nsmc[0] + nsmc[1] + ["", "?!"]) * 2  # 8,004 documents: more than one chunk
    kwargs = {"max_tokens": 500, "ngrams": 2, "sparse": mode != "int"}
    a = TextVectorizer(mode, **kwargs)
    b = TextVectorizer(mode, **kwargs).fit(train)
    x, y = a.fit_transform(iter(train)), b.transform(train)
    assert a.vocabulary == b.vocabulary and x.layout == y.layout and x.shape == y.shape
    if x.is_sparse:
        assert torch.equal(x.indices(), y.indices()) and torch.equal(x.values(), y.values())
    else:
        assert torch.equal(x, y)


def test_numpy_arrays_of_str_are_texts():
    v = TextVectorizer("count").fit(np.array(TEXTS))
    assert torch.equal(v.transform(np.array(TEXTS)), v.transform(TEXTS))


# ------------------------------------------------------------------ keras convention


def test_keras_docs_example_token_seen_twice():
    # Keras's StringLookup(output_mode="tf_idf") docs: vocabulary a b c d with idf
    # 0.25 0.75 0.6 0.4; "d d" gives 0.8, two OOV "z" give 2 x mean idf = 1.0.
    vocab = Vocabulary(["a", "b", "c", "d"], [4, 3, 2, 1])
    v = TextVectorizer("tf_idf", standardize=None)
    v.set_vocabulary(vocab, idf_weights=[0.25, 0.75, 0.6, 0.4])
    expected = [[0, 0, 0.25, 0, 0.6, 0.8], [0, 1.0, 0, 0.75, 0, 0.4]]
    np.testing.assert_allclose(v.transform(["a c d d", "d z b z"]).numpy(), expected,
                               rtol=1e-6)
    np.testing.assert_allclose(v.idf_.numpy(), [0, 0.5, 0.25, 0.75, 0.6, 0.4])


def test_keras_idf_by_hand():
    texts = ["x y", "x z", "x"]  # N = 3; df: x 3, y 1, z 1
    v = TextVectorizer("tf_idf").fit(texts)
    assert v.vocabulary.tokens == ["", "[UNK]", "x", "y", "z"]
    idf_x, idf_y = math.log(1 + 3 / 4), math.log(1 + 3 / 2)
    oov = (idf_x + 2 * idf_y) / 3
    assert v.idf_.tolist() == pytest.approx([0, oov, idf_x, idf_y, idf_y], rel=1e-15)
    out = v.transform(["x x y w w w"]).numpy()[0]
    np.testing.assert_allclose(out, [0, 3 * oov, 2 * idf_x, idf_y, 0], rtol=1e-6)
    # sublinear_tf and norm apply to the keras convention too.
    out = TextVectorizer("tf_idf", sublinear_tf=True, norm="l2").fit(texts)
    row = np.array([0, (1 + math.log(3)) * oov, (1 + math.log(2)) * idf_x, idf_y, 0])
    np.testing.assert_allclose(out.transform(["x x y w w w"]).numpy()[0],
                               row / np.linalg.norm(row), rtol=1e-6)


def test_keras_idf_on_a_real_corpus(nsmc):
    train, _ = nsmc
    v = TextVectorizer("tf_idf", max_tokens=1000).fit(train)
    sets = [set(analyzer(None)(t)) for t in train]
    df = np.array([sum(t in s for s in sets) for t in v.vocabulary.tokens[2:]])
    idf = np.log(1 + len(train) / (1 + df))
    np.testing.assert_allclose(v.idf_.numpy()[2:], idf, rtol=1e-14)
    assert v.idf_[1].item() == pytest.approx(idf.mean(), rel=1e-14)
    assert v.idf_[0].item() == 0


def test_sklearn_idf_by_hand():
    texts = ["x y", "x z", "x"]
    smooth = TextVectorizer("tf_idf", idf="sklearn").fit(texts).idf_.tolist()
    assert smooth == pytest.approx([0, 0, 1.0, math.log(4 / 2) + 1, math.log(4 / 2) + 1])
    raw = TextVectorizer("tf_idf", idf="sklearn", smooth_idf=False).fit(texts).idf_.tolist()
    assert raw == pytest.approx([0, 0, 1.0, math.log(3) + 1, math.log(3) + 1])


# ---------------------------------------------------------------------- int, one_hot


def test_int_pads_and_truncates_with_the_mask():
    v = TextVectorizer("int").fit(TEXTS)
    tokens = v.vocabulary.tokens
    assert tokens[:4] == ["", "[UNK]", "a", "the"]
    out = v.transform(["the cat", "", "a zebra the the a"])
    assert out.dtype == torch.int64 and out.shape == (3, 5)
    assert out.tolist()[:2] == [[3, v.vocabulary["cat"], 0, 0, 0], [0] * 5]
    assert out[2].tolist() == [2, 1, 3, 3, 2]
    cut = TextVectorizer("int", sequence_length=2).fit(TEXTS).transform(["a zebra the", "a"])
    assert cut.tolist() == [[2, 1], [2, 0]]
    assert TextVectorizer("int").fit(TEXTS).transform(["", ""]).shape == (2, 0)
    assert TextVectorizer("int").fit(TEXTS).transform([]).shape == (0, 0)


def test_one_hot_padding_is_a_zero_row():
    v = TextVectorizer("one_hot", sequence_length=4).fit(TEXTS)
    out = v.transform(["the cat", "zebra"])
    assert out.shape == (2, 4, len(v.vocabulary)) and out.dtype == torch.float32
    assert out.sum(-1).tolist() == [[1, 1, 0, 0], [1, 0, 0, 0]]
    assert out[1, 0, 1] == 1  # OOV
    assert not out[..., 0].any()  # the mask column is never set
    # Summing over positions gives the counts (when nothing is cut).
    free = TextVectorizer("one_hot").fit(TEXTS)
    counts = TextVectorizer("count").fit(TEXTS).transform(TEXTS)
    assert torch.equal(free.transform(TEXTS).sum(1), counts)
    sparse = TextVectorizer("one_hot", sequence_length=4, sparse=True).fit(TEXTS)
    assert torch.equal(sparse.transform(["the cat", "zebra"]).to_dense(), out)


def test_ngrams_are_all_widths_up_to_n():
    v = TextVectorizer("int", ngrams=3).fit(["new york city"])
    assert set(v.vocabulary.tokens[2:]) == {"new", "york", "city", "new york", "york city",
                                            "new york city"}
    assert v.analyze("New York city") == ["new", "york", "city", "new york", "york city",
                                          "new york city"]
    one = TextVectorizer("count", ngrams=1).fit(TEXTS)
    assert one.vocabulary == TextVectorizer("count").fit(TEXTS).vocabulary


def test_standardize_and_split_options():
    v = TextVectorizer("count", standardize=None).fit(["The the THE"])
    assert v.vocabulary.tokens[2:] == ["THE", "The", "the"]
    chars = TextVectorizer("count", split=char_tokens).fit(["abba"])
    assert chars.vocabulary.tokens[2:] == ["a", "b"]
    custom = TextVectorizer("count", standardize=str.upper, split=lambda s: s.split("-"))
    assert custom.fit(["a-b-a"]).vocabulary.tokens[2:] == ["A", "B"]
    with pytest.raises(TypeError, match="split must return a list"):
        TextVectorizer(split=lambda s: s).fit(["abc"])
    with pytest.raises(TypeError, match="split must return a list of str"):
        TextVectorizer(split=lambda s: [1, 2]).fit(["abc"])


def test_mask_tokens_are_dropped_from_bags():
    split = lambda s: s.split(" ")  # noqa: E731  "a  b" -> "a", "", "b"
    v = TextVectorizer("count", standardize=None, split=split).fit(["a  b"])
    assert v.vocabulary.tokens == ["", "[UNK]", "a", "b"]
    assert v.transform(["a  b  c"]).tolist() == [[0, 1, 1, 1]]
    seq = TextVectorizer("int", standardize=None, split=split).fit(["a  b"])
    assert seq.transform(["a  b"]).tolist() == [[2, 0, 3]]


# -------------------------------------------------------------------- properties


WORDS = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), max_size=10)
DOCS = st.lists(WORDS.map(" ".join), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(DOCS, DOCS, st.one_of(st.none(), st.integers(2, 7)), st.one_of(st.none(), st.just(2)))
def test_bag_properties(train, test, max_tokens, n):
    if not any(t.strip() for t in train):
        train = [*train, "a"]
    fitted = {}
    for mode in BAG_MODES:
        for sparse in (False, True, "csr"):
            v = TextVectorizer(mode, max_tokens=max_tokens, ngrams=n, sparse=sparse,
                               **({"norm": "l2"} if mode == "tf_idf" else {}))
            out = v.fit(train).transform(test)
            assert out.layout == {False: torch.strided, True: torch.sparse_coo,
                                  "csr": torch.sparse_csr}[sparse]
            assert out.dtype == torch.float32
            fitted[mode, sparse] = out.to_dense() if sparse else out
    for mode in BAG_MODES:
        assert torch.equal(fitted[mode, False], fitted[mode, True])  # sparse == dense, exactly
        assert torch.equal(fitted[mode, False], fitted[mode, "csr"])
    count, multi = fitted["count", False], fitted["multi_hot", False]
    assert torch.equal(multi, (count > 0).float())
    assert not count[:, 0].any()
    tfidf = fitted["tf_idf", False]
    assert torch.isfinite(tfidf).all()
    norms = tfidf.norm(dim=1)
    has_known = count[:, 2:].sum(1) > 0  # (OOV only rows: 1 or 0 if no token is known)
    assert torch.allclose(norms[has_known], torch.tensor(1.0))
    assert (norms[count.sum(1) == 0] == 0).all()
    assert ((norms - 1).abs() < 1e-6).logical_or(norms == 0).all()


@settings(max_examples=40, deadline=None)
@given(DOCS, st.one_of(st.none(), st.integers(2, 6)))
def test_int_round_trip(train, max_tokens):
    if not any(t.strip() for t in train):
        train = [*train, "a"]
    v = TextVectorizer("int", max_tokens=max_tokens).fit(train)
    out = v.transform(train)
    for text, row in zip(train, out, strict=True):
        words = text.split()
        decoded = v.vocabulary.decode(row[: len(words)])
        assert decoded == [w if w in v.vocabulary else "[UNK]" for w in words]
        assert not row[len(words):].any()


@pytest.mark.parametrize("std", [standardize, standardize_nfkc, standardize_keras, None])
@pytest.mark.parametrize("split", [word_tokens, char_tokens, jamo_tokens])
def test_batched_standardization_gives_what_analyze_gives(std, split, monkeypatch):
    """This package's standardizers run on a chunk of texts at once (standardize_many, and
    for word_tokens the words straight from it); tokens and outputs equal those of the same
    standardizer called one text at a time, across chunk boundaries too."""
    import tokenlab.vectorize as vectorize_module

    texts = [t for t, _ in corpus.load("nsmc", "test")[:300]] + [
        "Don't STOP", "a\x00b", "", "  ", "ㅋㅋ 가\u0301", "Straße, ǰ!", "\u0301x"]
    monkeypatch.setattr(vectorize_module, "_CHUNK", 64)  # counted 64 texts at a time
    monkeypatch.setattr(vectorize_module._text, "_MANY_CHUNK", 48)  # standardized 48 at a time
    for n in (None, 2):
        batched = TextVectorizer("int", standardize=std, split=split, ngrams=n)
        one_by_one = TextVectorizer("int", split=split, ngrams=n,
                                    standardize=None if std is None else (lambda t: std(t)))
        assert list(batched._token_lists(texts)) == [batched.analyze(t) for t in texts] == \
            list(one_by_one._token_lists(texts))
        assert torch.equal(batched.fit_transform(texts), one_by_one.fit_transform(texts))
        assert batched.vocabulary.tokens == one_by_one.vocabulary.tokens


def test_an_unhashable_callable_standardizes_one_text_at_a_time():
    class Upper:  # defines __eq__, so it has no __hash__
        def __eq__(self, other):
            return isinstance(other, Upper)

        def __call__(self, text):
            return text.upper()

    v = TextVectorizer("int", standardize=Upper())
    assert v.fit(["a b", "b"]).vocabulary.tokens == ["", "[UNK]", "B", "A"]
    assert v.analyze("a c") == ["A", "C"]


def test_sparse_is_coalesced_coo_and_moves_to_device():
    v = TextVectorizer("tf_idf", sparse=True).fit(TEXTS)
    out = v.transform(TEXTS, device="cpu")
    assert out.layout == torch.sparse_coo and out.is_coalesced()
    assert (out.values() != 0).all()
    assert v.transform(TEXTS, device=torch.device("cpu")).device.type == "cpu"
    assert torch.equal(TextVectorizer("tf_idf", sparse="coo").fit(TEXTS).transform(TEXTS)
                       .to_dense(), out.to_dense())


@pytest.mark.parametrize("mode", BAG_MODES)
def test_csr_has_int32_indices_and_the_coo_entries(mode):
    """sparse="csr": the COO entries in CSR form (row offsets, columns), int32 indices."""
    texts = [*TEXTS, "", "the the the cat"]
    for fit_transform in (False, True):
        v = TextVectorizer(mode, ngrams=2, sparse="csr")
        out = v.fit_transform(texts) if fit_transform else v.fit(texts).transform(texts)
        coo = TextVectorizer(mode, ngrams=2, sparse=True).fit(texts).transform(texts)
        assert out.layout == torch.sparse_csr and out.shape == coo.shape
        assert out.crow_indices().dtype == out.col_indices().dtype == torch.int32
        assert out.values().dtype == torch.float32
        rows, cols = coo.indices()
        counts = torch.bincount(rows, minlength=len(texts))
        assert out.crow_indices().tolist() == [0, *counts.cumsum(0).tolist()]
        assert torch.equal(out.col_indices().long(), cols)
        assert torch.equal(out.values(), coo.values())  # the same float32 values, bit for bit
        assert out.crow_indices()[-1] == out.values().numel() == coo.values().numel()
    assert TextVectorizer(mode, sparse="csr").fit(TEXTS).transform([]).shape[0] == 0


@pytest.mark.parametrize("mode", BAG_MODES)
def test_bags_fall_back_to_int64_indices_when_int32_is_too_small(mode, monkeypatch):
    """Past int32 (here a limit of 5, patched in), the entries and the CSR indices are int64
    and every output is what the int32 path gives."""
    import tokenlab.vectorize as vectorize

    texts = [*TEXTS, "the the the cat"]
    expected = {s: TextVectorizer(mode, sparse=s).fit_transform(texts) for s in (False, "csr")}
    monkeypatch.setattr(vectorize, "_INT32_MAX", 5)
    for sparse, want in expected.items():
        got = TextVectorizer(mode, sparse=sparse).fit_transform(texts)
        if sparse:
            assert got.crow_indices().dtype == got.col_indices().dtype == torch.int64
        assert np.array_equal(dense(got), dense(want))


def test_sliced_gathers_give_the_same_bits_as_one_slice(monkeypatch):
    """The idf and row-norm gathers run a slice of entries at a time; with slices of 3 entries
    (rows straddling slices everywhere) the tf-idf values are the same, bit for bit."""
    import tokenlab.vectorize as vectorize

    texts = [t for t, _ in corpus.load("nsmc", "test")[:300]] + ["", "a a a b"]
    kwargs = {"idf": "sklearn", "norm": "l2", "sublinear_tf": True, "ngrams": 2}
    whole = TextVectorizer("tf_idf", sparse="csr", **kwargs).fit_transform(texts)
    original = vectorize._slices
    monkeypatch.setattr(vectorize, "_slices", lambda size, step=3: original(size, step))
    sliced = TextVectorizer("tf_idf", sparse="csr", **kwargs).fit_transform(texts)
    assert whole.values().numel() > 1000
    assert torch.equal(sliced.values(), whole.values())
    assert torch.equal(sliced.col_indices(), whole.col_indices())


def test_csr_equals_scikit_learn_csr_on_nsmc():
    """tf-idf in CSR against scikit-learn's own CSR (int32 indptr and indices): same row
    offsets, same columns once the vocabularies are aligned, values within 1e-6."""
    texts = [t for t, _ in corpus.load("nsmc", "test")[:5000]]
    ours = TextVectorizer("tf_idf", idf="sklearn", norm="l2", sparse="csr")
    x = ours.fit_transform(texts)
    ref = TfidfVectorizer(analyzer=lambda t: word_tokens(standardize(t)))
    y = ref.fit_transform(texts).sorted_indices()
    assert y.indptr.dtype == np.int32 and x.crow_indices().dtype == torch.int32
    assert np.array_equal(x.crow_indices().numpy(), y.indptr)
    column = {t: i for i, t in enumerate(ours.vocabulary.tokens)}
    to_ours = np.array([column[t] for t in ref.get_feature_names_out()])
    ours_sci = scipy.sparse.csr_matrix(
        (x.values().numpy(), x.col_indices().numpy(), x.crow_indices().numpy()), shape=x.shape)
    theirs = scipy.sparse.csr_matrix((y.data, to_ours[y.indices], y.indptr), shape=x.shape)
    assert (ours_sci != 0).sum() == (theirs != 0).sum() == y.nnz
    assert abs(ours_sci - theirs).max() <= 1e-6


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_outputs_on_cuda():
    for mode in OUTPUT_MODES:
        layouts = {"int": (False,), "one_hot": (False, True)}.get(mode, (False, True, "csr"))
        for sparse in layouts:
            v = TextVectorizer(mode, sparse=sparse).fit(TEXTS)
            out = v.transform(TEXTS, device="cuda")
            assert out.device.type == "cuda"
            assert np.array_equal(dense(out.cpu()), dense(v.transform(TEXTS)))


# ------------------------------------------------------------------------ errors


def test_transform_before_fit():
    with pytest.raises(RuntimeError, match=r"not fitted: call fit\(texts\)"):
        TextVectorizer("count").transform(["a"])
    v = TextVectorizer("tf_idf")
    assert v.vocabulary is None and v.idf_ is None
    assert TextVectorizer("count").fit(["a"]).idf_ is None


def test_unknown_output_mode_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'int', 'one_hot', 'multi_hot', 'count', 'tf_idf'"):
        TextVectorizer("binary")
    with pytest.raises(TypeError, match="output_mode must be a str"):
        TextVectorizer(None)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_tokens": 1}, ValueError, "max_tokens must be >= 2"),
        ({"max_tokens": 1.5}, TypeError, "max_tokens"),
        ({"sequence_length": 0}, ValueError, "sequence_length must be >= 1"),
        ({"sequence_length": -3}, ValueError, "sequence_length must be >= 1"),
        ({"min_freq": 0}, ValueError, r"^min_freq must be >= 1, got 0$"),
        ({"min_freq": None}, TypeError, r"^min_freq must be an int, got NoneType$"),
        ({"max_tokens": 0}, ValueError, r"max_tokens must be >= 2 \(or None\), got 0"),
        ({"ngrams": 0}, ValueError, "ngrams"),
        ({"ngrams": True}, TypeError, "ngrams"),
        ({"standardize": "lower"}, TypeError, "standardize"),
        ({"split": None}, TypeError, "split"),
        ({"sparse": True}, ValueError, "sparse=True does not apply"),
        ({"sparse": 1}, TypeError, r"^sparse must be a bool, 'coo' or 'csr', got int$"),
        ({"sparse": "bsr"}, ValueError, r"^sparse must be a bool, 'coo' or 'csr', got 'bsr'$"),
        ({"sparse": "csr"}, ValueError, "sparse='csr' does not apply to output_mode 'int'"),
        ({"norm": "l2"}, ValueError, "norm='l2' applies only to output_mode 'tf_idf'"),
        ({"idf": "sklearn"}, ValueError, "idf='sklearn' applies only"),
        ({"sublinear_tf": True}, ValueError, "sublinear_tf"),
    ],
)
def test_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        TextVectorizer("int", **kwargs)


def test_csr_is_refused_for_one_hot():
    with pytest.raises(ValueError, match=r"sparse='csr' is a 2-D layout.*use sparse=True"):
        TextVectorizer("one_hot", sparse="csr")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"idf": "bm25"}, "idf must be one of 'keras', 'sklearn'"),
        ({"norm": "l1"}, "norm must be None or 'l2'"),
        ({"smooth_idf": False}, "smooth_idf=False applies only to idf='sklearn'"),
        ({"sequence_length": 4}, "sequence_length applies only"),
    ],
)
def test_bad_tf_idf_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextVectorizer("tf_idf", **kwargs)


@pytest.mark.parametrize("method", ["fit", "fit_transform", "transform"])
def test_a_str_instead_of_a_list_is_a_type_error(method):
    v = TextVectorizer("count").fit(["a b"])
    with pytest.raises(TypeError, match="got a single str: wrap it in a list"):
        getattr(v, method)("a b")
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got int"):
        getattr(v, method)(["a", 3])
    with pytest.raises(TypeError, match="texts must be an iterable"):
        getattr(v, method)(7)
    with pytest.raises(TypeError, match="single bytes"):
        getattr(v, method)(b"a b")


def test_empty_corpora():
    with pytest.raises(ValueError, match="texts is empty"):
        TextVectorizer("count").fit([])
    with pytest.raises(ValueError, match="texts is empty"):
        TextVectorizer("tf_idf").fit_transform(iter([]))
    with pytest.raises(ValueError, match="no tokens"):
        TextVectorizer("tf_idf").fit(["", "  ", "?!"])
    # A min_freq or max_tokens that keeps no token is allowed: everything is OOV.
    for v in (TextVectorizer("tf_idf", min_freq=3), TextVectorizer("tf_idf", max_tokens=2)):
        assert v.fit(["a b a"]).vocabulary.tokens == ["", "[UNK]"]
        assert v.idf_.tolist() == [0.0, 0.0]
        assert v.transform(["a b c"]).tolist() == [[0.0, 0.0]]
    assert TextVectorizer("count", max_tokens=2).fit(["a"]).transform(["a b"]).tolist() == [
        [0.0, 2.0]]


@pytest.mark.parametrize("mode", BAG_MODES)
@pytest.mark.parametrize("idf", ["keras", "sklearn"])
def test_only_oov_and_empty_documents_never_give_nan(mode, idf):
    kwargs = {"idf": idf, "norm": "l2", "sublinear_tf": True} if mode == "tf_idf" else {}
    v = TextVectorizer(mode, **kwargs).fit(["a b", "b c"])
    out = v.transform(["zzz yyy", "", "?!", "a zzz"])
    assert torch.isfinite(out).all()
    assert not out[1:3].any()
    assert (out[0, 2:] == 0).all()
    if mode == "tf_idf" and idf == "sklearn":
        assert not out[0].any()  # sklearn drops OOV
    else:
        assert out[0, 1] > 0


def test_fit_streams_a_generator_once():
    pulled = []

    def texts():
        for i, t in enumerate(TEXTS * 3000):  # more than one counting chunk
            pulled.append(i)
            yield t

    v = TextVectorizer("tf_idf").fit(texts())
    assert pulled == list(range(9000))
    assert torch.equal(v.idf_, TextVectorizer("tf_idf").fit(TEXTS * 3000).idf_)


def test_set_vocabulary_errors():
    vocab = Vocabulary.build([["a", "b"]])
    with pytest.raises(TypeError, match="vocabulary must be a Vocabulary"):
        TextVectorizer("count").set_vocabulary(["a", "b"])
    with pytest.raises(ValueError, match="more than max_tokens=3"):
        TextVectorizer("count", max_tokens=3).set_vocabulary(vocab)
    with pytest.raises(ValueError, match="idf_weights is required"):
        TextVectorizer("tf_idf").set_vocabulary(vocab)
    with pytest.raises(ValueError, match="idf_weights must hold 2 numbers"):
        TextVectorizer("tf_idf").set_vocabulary(vocab, idf_weights=[1.0])
    with pytest.raises(ValueError, match="finite"):
        TextVectorizer("tf_idf").set_vocabulary(vocab, idf_weights=[1.0, math.nan])
    with pytest.raises(ValueError, match="applies only to output_mode 'tf_idf'"):
        TextVectorizer("count").set_vocabulary(vocab, idf_weights=[1.0, 1.0])
    sk = TextVectorizer("tf_idf", idf="sklearn").set_vocabulary(vocab, idf_weights=[2.0, 3.0])
    assert sk.idf_.tolist() == [0.0, 0.0, 2.0, 3.0]


# --------------------------------------------------------------------- save/load


@pytest.mark.parametrize(
    "kwargs",
    [
        {"output_mode": "int", "sequence_length": 6, "max_tokens": 20},
        {"output_mode": "one_hot", "ngrams": 2, "sparse": True},
        {"output_mode": "multi_hot", "min_freq": 2, "split": char_tokens},
        {"output_mode": "count", "standardize": None, "sparse": "csr"},
        {"output_mode": "tf_idf"},
        {"output_mode": "tf_idf", "idf": "sklearn", "smooth_idf": False, "sublinear_tf": True,
         "norm": "l2", "ngrams": 2},
    ],
)
def test_save_load_round_trip(tmp_path, nsmc, kwargs):
    train, held_out = nsmc
    v = TextVectorizer(**kwargs).fit(train[:500])
    path = tmp_path / "vectorizer.json"
    v.save(path)
    w = TextVectorizer.load(str(path))
    for name, value in kwargs.items():
        assert getattr(w, name) == value
    assert w.vocabulary == v.vocabulary
    if v.idf_ is None:
        assert w.idf_ is None
    else:
        assert torch.equal(w.idf_, v.idf_)  # exact: float64 written as JSON
    a, b = v.transform(held_out[:50]), w.transform(held_out[:50])
    assert a.layout == b.layout and np.array_equal(dense(a), dense(b))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "tokenlab-text-vectorizer" and data["version"] == 1


def test_save_unfitted_and_custom_callables(tmp_path):
    path = tmp_path / "v.json"
    TextVectorizer("count", ngrams=3).save(path)
    w = TextVectorizer.load(path)
    assert w.vocabulary is None and w.ngrams == 3 and w.split is word_tokens
    assert w.standardize is standardize
    for named in (standardize_keras, standardize_nfkc):
        TextVectorizer("count", standardize=named).save(path)
        assert TextVectorizer.load(path).standardize is named
    with pytest.raises(ValueError, match="standardize is a custom callable"):
        TextVectorizer(standardize=str.lower).save(path)
    with pytest.raises(ValueError, match="split is a custom callable"):
        TextVectorizer(split=lambda s: s.split()).save(path)


def _saved(tmp_path):
    path = tmp_path / "v.json"
    TextVectorizer("tf_idf").fit(["a b", "b c"]).save(path)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: "not json", "not a JSON vectorizer"),
        (lambda d: {**d, "format": "tokenlab-vocab"}, "format must be"),
        (lambda d: {**d, "version": 0}, "version must be 1"),
        (lambda d: {**d, "config": {**d["config"], "split": "os.system"}},
         "config.split must be one of"),
        (lambda d: {**d, "config": {**d["config"], "standardize": "eval"}},
         "config.standardize must be one of"),
        (lambda d: {**d, "config": {**d["config"], "output_mode": "bogus"}},
         "output_mode must be one of"),
        (lambda d: {**d, "config": {**d["config"], "max_tokens": 3}}, "more than max_tokens"),
        (lambda d: {**d, "config": {**d["config"], "extra": 1}}, "config must have"),
        (lambda d: {**d, "idf": d["idf"][:-1]}, "idf must be a list of 5"),
        (lambda d: {**d, "idf": [1.0] + d["idf"][1:]}, "idf\\[0\\] \\(the mask\\) must be 0"),
        (lambda d: {**d, "idf": [0, 1, 2, "x", 4]}, "finite numbers"),
        (lambda d: {**d, "vocabulary": {**d["vocabulary"], "counts": [1, 2, 3]}}, "not ranked"),
        (lambda d: {**d, "vocabulary": None}, "idf is set but vocabulary is null"),
        (lambda d: {k: v for k, v in d.items() if k != "idf"}, "expected the fields"),
    ],
)
def test_tampered_files_are_value_errors_naming_the_path(tmp_path, edit, message):
    path, data = _saved(tmp_path)
    edited = edit(data)
    path.write_text(edited if isinstance(edited, str) else json.dumps(edited))
    with pytest.raises(ValueError, match=message) as info:
        TextVectorizer.load(path)
    assert str(path) in str(info.value)


def test_repr():
    assert repr(TextVectorizer("count")) == "TextVectorizer(output_mode='count', not fitted)"
    assert "vocabulary of 4" in repr(TextVectorizer("count").fit(["a b"]))


# ---- BagBatches -------------------------------------------------------------------------------


def test_bag_batches_equal_a_linear_layer_on_the_dense_rows():
    from tokenlab.vectorize import BagBatches

    texts = ["the cat sat on the mat", "", "the dog", "a bird sang", "the cat saw the dog"]
    for mode, layout in itertools.product(("multi_hot", "count", "tf_idf"), (True, "csr")):
        x = TextVectorizer(mode, sparse=layout).fit_transform(texts)
        bags = BagBatches(x)
        assert len(bags) == len(texts)
        layer = torch.nn.EmbeddingBag(x.shape[1], 3, mode="sum")
        for rows in ([4, 0, 1], [1], [2, 3, 2], []):
            idx = torch.tensor(rows, dtype=torch.long)
            columns, offsets, values = bags(idx)
            assert len(offsets) == len(rows)
            got = layer(columns, offsets, per_sample_weights=values)
            want = x.to_dense()[idx] @ layer.weight
            torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-6)


def test_bag_batches_bad_input():
    from tokenlab.vectorize import BagBatches

    x = TextVectorizer("count", sparse=True).fit_transform(["a b", "c"])
    with pytest.raises(TypeError, match="sparse COO or CSR"):
        BagBatches(x.to_dense())
    with pytest.raises(ValueError, match="2-D"):
        BagBatches(torch.zeros(2, 2, 2).to_sparse())
    with pytest.raises(ValueError, match="rows must lie"):
        BagBatches(x)(torch.tensor([2]))
    with pytest.raises(ValueError, match="1-D"):
        BagBatches(x)(torch.tensor([[0]]))


# ----------------------------------------------------------------------------- LinearBagClassifier


def _bag_problem():
    from tokenlab.vectorize import BagBatches

    texts = ["good good film", "bad film", "great good", "awful bad bad", "good", "bad"] * 20
    labels = torch.tensor([1, 0, 1, 0, 1, 0] * 20)
    vec = TextVectorizer("tf_idf", sparse=True, idf="sklearn", norm="l2").fit(texts)
    return vec, BagBatches(vec.transform(texts)), labels


def test_linear_bag_classifier_equals_the_loop_it_replaces():
    # The loop Chapters 3, 4 and 8 wrote out before the class existed, step for step.
    from tokenlab.vectorize import LinearBagClassifier

    vec, bags, labels = _bag_problem()
    torch.manual_seed(3)
    weights = torch.nn.EmbeddingBag(len(vec.vocabulary), 2, mode="sum")
    bias = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([*weights.parameters(), bias], lr=0.05)
    gen = torch.Generator().manual_seed(7)
    for _ in range(3):
        for idx in torch.randperm(len(labels), generator=gen).split(16):
            cols, offsets, vals = bags(idx)
            loss = torch.nn.functional.cross_entropy(
                weights(cols, offsets, per_sample_weights=vals) + bias, labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model = LinearBagClassifier(len(vec.vocabulary), generator=torch.Generator().manual_seed(3))
    model.fit(bags, labels, epochs=3, lr=0.05, batch_size=16, seed=7)
    assert torch.equal(model.weights.weight, weights.weight)
    assert torch.equal(model.bias, bias)
    torch.manual_seed(3)  # without a generator the global one initializes, as in any module
    assert torch.equal(LinearBagClassifier(len(vec.vocabulary)).weights.weight,
                       LinearBagClassifier(len(vec.vocabulary),
                                           generator=torch.Generator().manual_seed(3))
                       .weights.weight)
    assert model.accuracy(bags, labels) == 1.0
    # predict is the argmax of the logits, row by row; accuracy is its agreement with labels
    logits = weights(*bags(torch.arange(len(labels)))[:2],
                     per_sample_weights=bags(torch.arange(len(labels)))[2]) + bias
    predicted = model.predict(bags)
    assert predicted.dtype == torch.int64 and torch.equal(predicted, logits.argmax(1))
    flipped = 1 - labels
    assert model.accuracy(bags, flipped) == (predicted == flipped).float().mean().item() == 0.0


def test_linear_bag_classifier_bad_input():
    from tokenlab.vectorize import LinearBagClassifier

    vec, bags, labels = _bag_problem()
    with pytest.raises(ValueError, match="n_features must be >= 1"):
        LinearBagClassifier(0)
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        LinearBagClassifier(5, 1)
    model = LinearBagClassifier(len(vec.vocabulary))
    with pytest.raises(ValueError, match=r"one label per bag row \(120\), got shape \(3,\)"):
        model.fit(bags, labels[:3])
    with pytest.raises(TypeError, match="bags must be a BagBatches"):
        model.accuracy(vec.transform(["good"]), labels[:1])
    with pytest.raises(TypeError, match="bags must be a BagBatches"):
        model.predict(vec.transform(["good"]))
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        model.fit(bags, labels, epochs=0)

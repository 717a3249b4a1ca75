"""tokenlab.similarity: scores checked against torch, top-k against the full matrix and sklearn."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.utils._python_dispatch import TorchDispatchMode

from conftest import in_ci
from tokenlab import corpus
from tokenlab.similarity import (
    DEFAULT_BLOCK_BYTES,
    TopK,
    cosine,
    default_chunk_size,
    dot,
    pairwise,
    scaled_dot,
    topk,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def randn(*shape: int, seed: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def reference_topk(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top k of each row of a full score matrix by (descending score, ascending index)."""
    order = np.stack([np.lexsort((np.arange(row.size), -row))[:k] for row in scores])
    return np.take_along_axis(scores, order, axis=1), order


def assert_topk_matches(values, indices, scores, k: int, atol: float) -> None:
    """``(values, indices)`` is a correct top-k of ``scores`` up to ties within ``atol``.

    The values are sorted descending and match the k best scores; each index is distinct and
    its score (from ``scores``, computed independently) equals the value reported for it.
    """
    values, indices = np.asarray(values, dtype=np.float64), np.asarray(indices)
    scores = np.asarray(scores, dtype=np.float64)
    assert values.shape == indices.shape == (scores.shape[0], k)
    assert (np.diff(values, axis=1) <= 0).all()
    expected = -np.sort(-scores, axis=1)[:, :k]
    np.testing.assert_allclose(values, expected, atol=atol, rtol=0)
    np.testing.assert_allclose(np.take_along_axis(scores, indices, axis=1), values, atol=atol,
                               rtol=0)
    assert all(len(set(row)) == k for row in indices.tolist())


# ----------------------------------------------------------------------------- the lecture


@pytest.mark.parametrize("convert", [list, np.array, torch.tensor], ids=["list", "numpy", "torch"])
def test_lecture_vectors(convert):
    a, b = convert([0, 4]), convert([0, 5])
    assert cosine(a, b).item() == pytest.approx(1.0, abs=1e-7)
    assert dot(a, b).item() == 20.0
    assert scaled_dot(a, b).item() == pytest.approx(20 / math.sqrt(2), rel=1e-7)
    for result in (cosine(a, b), dot(a, b), scaled_dot(a, b)):
        assert isinstance(result, torch.Tensor)
        assert result.shape == () and result.dtype == torch.float32  # integers -> float32


def test_lecture_vectors_pairwise_and_topk():
    a = [[0, 4], [4, 0]]
    assert pairwise(a, [[0, 5]], "dot").tolist() == [[20.0], [0.0]]
    assert pairwise(a, [[0, 5]], "scaled_dot")[0, 0].item() == pytest.approx(20 / math.sqrt(2))
    assert pairwise(a, [[0, 5]])[:, 0].tolist() == pytest.approx([1.0, 0.0])
    values, indices = topk([0, 4], [[4, 0], [0, 5], [3, 3]], 2)
    assert indices.tolist() == [1, 2] and values.tolist() == pytest.approx([1.0, 0.5**0.5])


# ----------------------------------------------------------------------------- vs torch


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((5, 8), (5, 8)), ((8,), (6, 8)), ((3, 1, 8), (4, 8)), ((2, 3, 1, 16), (3, 5, 16)),
     ((1, 300), (7, 300))],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cosine_equals_torch(shape_a, shape_b, dtype):
    a, b = randn(*shape_a, seed=1, dtype=dtype), randn(*shape_b, seed=2, dtype=dtype)
    expected = F.cosine_similarity(a, b, dim=-1)
    result = cosine(a, b)
    assert result.shape == expected.shape and result.dtype == dtype
    torch.testing.assert_close(result, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("shape_a, shape_b", [((5, 8), (5, 8)), ((3, 1, 8), (4, 8)), ((8,), (8,))])
def test_dot_and_scaled_dot_equal_elementwise_sums(shape_a, shape_b):
    a, b = randn(*shape_a, seed=3), randn(*shape_b, seed=4)
    expected = (a.double() * b.double()).sum(-1)
    torch.testing.assert_close(dot(a, b).double(), expected, atol=1e-5, rtol=1e-6)
    torch.testing.assert_close(scaled_dot(a, b).double(), expected / math.sqrt(a.shape[-1]),
                               atol=1e-5, rtol=1e-6)


def test_eps_semantics_follow_torch():
    """Each norm is clamped on its own: x/max(|x|,eps) . y/max(|y|,eps), as in torch 2.x."""
    tiny = torch.tensor([1e-5, 0.0], dtype=torch.float64)
    # Both norms (1e-5) exceed eps: cosine 1. The old formula x.y / max(|x||y|, eps) gave 0.01.
    assert cosine(tiny, tiny).item() == pytest.approx(1.0)
    below = torch.tensor([3e-9, 4e-9], dtype=torch.float64)  # norm 5e-9 < eps, clamped to 1e-8
    other = torch.tensor([1e-9, 0.0], dtype=torch.float64)  # norm 1e-9 < eps, clamped to 1e-8
    assert cosine(below, other).item() == pytest.approx(3e-18 / 1e-16)
    for x, y in ((tiny, tiny), (below, other), (below, tiny)):
        for eps in (1e-8, 1e-3):
            assert cosine(x, y, eps=eps).item() == pytest.approx(
                F.cosine_similarity(x, y, dim=0, eps=eps).item(), abs=1e-12
            )


def test_zero_vectors_give_zero_not_nan():
    zero, x = torch.zeros(4), torch.tensor([1.0, -2.0, 3.0, 0.5])
    assert cosine(zero, x).item() == 0.0
    assert cosine(zero, zero).item() == 0.0
    assert cosine([[0, 0], [1, 1]], [[0, 0], [0, 0]]).tolist() == [0.0, 0.0]
    matrix = pairwise(torch.stack([zero, x]), torch.stack([x, zero]))
    assert not matrix.isnan().any()
    torch.testing.assert_close(matrix, torch.tensor([[0.0, 0.0], [1.0, 0.0]]))
    values, indices = topk(zero, torch.stack([x, zero, -x]), 3)
    assert values.tolist() == [0.0, 0.0, 0.0] and indices.tolist() == [0, 1, 2]


def test_cosine_is_clamped_to_one():
    x = randn(1000, 37, seed=5)
    assert cosine(x, x).abs().max().item() <= 1.0
    assert pairwise(x, x).abs().max().item() <= 1.0
    assert topk(x, x, 1).values.max().item() <= 1.0


# ----------------------------------------------------------------------------- dtypes


def test_integer_and_bool_inputs_become_float32():
    ints = torch.tensor([[1, 2, 3]], dtype=torch.int64)
    assert dot(ints, ints).dtype == torch.float32 and dot(ints, ints).item() == 14.0
    assert cosine(np.array([1, 0], dtype=np.uint8), [True, False]).dtype == torch.float32
    torch.testing.assert_close(cosine(ints, [[3, 2, 1]]),
                               F.cosine_similarity(ints.float(), torch.tensor([[3.0, 2, 1]])))


@pytest.mark.parametrize("half", [torch.float16, torch.bfloat16])
def test_half_inputs_compute_and_return_float32(half):
    a, b = randn(4, 64, seed=6).to(half), randn(4, 64, seed=7).to(half)
    for fn in (dot, scaled_dot, cosine):
        assert fn(a, b).dtype == torch.float32
        torch.testing.assert_close(fn(a, b), fn(a.float(), b.float()), atol=0, rtol=0)
    torch.testing.assert_close(cosine(a, b), F.cosine_similarity(a.float(), b.float(), dim=-1),
                               atol=1e-6, rtol=0)
    assert pairwise(a, b, "dot").dtype == torch.float32
    assert topk(a, b, 2).values.dtype == torch.float32
    assert dot(a, b.double()).dtype == torch.float64  # float64 anywhere: float64


@pytest.mark.parametrize("half", [torch.float16, torch.bfloat16])
def test_long_half_precision_dot_is_accurate(half):
    """d = 65536 entries in [1.5, 2.5): the dot (~262,000) overflows float16's 65504.

    The tolerance: 1e-6 of the float64 reference (float32 accumulation of 65536 positive terms
    by torch's cascade summation). With signed terms, 1e-6 of sum(|a_i b_i|).
    """
    g = torch.Generator().manual_seed(8)
    a = (1.5 + torch.rand(65536, generator=g)).to(half)
    b = (1.5 + torch.rand(65536, generator=g)).to(half)
    reference = (a.double() * b.double()).sum().item()
    assert reference > 65504
    if half == torch.float16:
        assert math.isinf((a * b).sum(dtype=torch.float16).item())  # the naive way overflows
    assert dot(a, b).item() == pytest.approx(reference, rel=1e-6)
    assert scaled_dot(a, b).item() == pytest.approx(reference / 256, rel=1e-6)

    c, d = randn(100_000, seed=9).to(half), randn(100_000, seed=10).to(half)
    exact = (c.double() * d.double()).sum().item()
    scale = (c.double() * d.double()).abs().sum().item()
    assert abs(dot(c, d).item() - exact) <= 1e-6 * scale
    naive_error = abs((c * d).sum(dtype=half).item() - exact)  # rounded to half's 3 digits
    assert abs(dot(c, d).item() - exact) < naive_error


# ----------------------------------------------------------------------------- properties

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=32)


@st.composite
def vector_pairs(draw, min_norm: float = 0.0):
    d = draw(st.integers(1, 12))
    a = draw(st.lists(finite, min_size=d, max_size=d))
    b = draw(st.lists(finite, min_size=d, max_size=d))
    assume(min(math.hypot(*a), math.hypot(*b)) >= min_norm)
    return torch.tensor(a), torch.tensor(b)


@settings(max_examples=150, deadline=None)
@given(vector_pairs())
def test_cosine_is_bounded_and_symmetric(pair):
    a, b = pair
    value = cosine(a, b)
    assert not value.isnan() and -1.0 <= value.item() <= 1.0
    assert cosine(b, a).item() == pytest.approx(value.item(), abs=1e-6)
    assert dot(b, a).item() == pytest.approx(dot(a, b).item(), rel=1e-6, abs=1e-6)
    assert value.item() == pytest.approx(
        F.cosine_similarity(a.double(), b.double(), dim=0).item(), abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(vector_pairs(min_norm=1e-2), st.floats(1e-2, 1e2))
def test_cosine_is_scale_invariant_dot_is_not(pair, c):
    a, b = pair
    assert cosine(c * a, b).item() == pytest.approx(cosine(a, b).item(), abs=1e-5)
    assert cosine(-c * a, b).item() == pytest.approx(-cosine(a, b).item(), abs=1e-5)
    scaled = dot(c * a, b).double().item()
    expected = c * dot(a, b).double().item()
    assert scaled == pytest.approx(expected, rel=1e-4, abs=1e-3 * c * float(a.norm() * b.norm()))


def test_dot_is_not_scale_invariant():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([3.0, -1.0])
    assert dot(3 * a, b).item() == 3 * dot(a, b).item() != dot(a, b).item()
    assert cosine(3 * a, b).item() == pytest.approx(cosine(a, b).item())


# ----------------------------------------------------------------------------- pairwise


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_pairwise_equals_broadcast_torch(dtype):
    a, b = randn(9, 20, seed=11, dtype=dtype), randn(13, 20, seed=12, dtype=dtype)
    expected = F.cosine_similarity(a[:, None, :], b[None, :, :], dim=-1)
    torch.testing.assert_close(pairwise(a, b), expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(pairwise(a, b, "dot"), a @ b.T)
    torch.testing.assert_close(pairwise(a, b, "scaled_dot"), a @ b.T / math.sqrt(20))
    torch.testing.assert_close(pairwise(a, b, "dot"), dot(a[:, None, :], b))


def test_pairwise_rejects_bad_shapes_and_kinds():
    with pytest.raises(ValueError, match=r"a must be a 2-D .*\(3,\)"):
        pairwise([1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 4\)"):
        pairwise(torch.ones(2, 3), torch.ones(2, 4))
    with pytest.raises(ValueError, match="kind must be one of"):
        pairwise(torch.ones(2, 3), torch.ones(2, 3), kind="euclidean")


# ----------------------------------------------------------------------------- bad input


def test_errors_name_arguments_and_shapes():
    with pytest.raises(ValueError, match=r"same last dimension, got shapes \(3, 4\) and \(3, 5\)"):
        cosine(torch.ones(3, 4), torch.ones(3, 5))
    with pytest.raises(ValueError, match=r"a has an empty last dimension \(shape \(3, 0\)\)"):
        dot(torch.ones(3, 0), torch.ones(3, 0))
    with pytest.raises(ValueError, match="b must have at least one dimension"):
        scaled_dot([1.0], torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"do not broadcast, got shapes \(3, 2\) and \(4, 2\)"):
        dot(torch.ones(3, 2), torch.ones(4, 2))
    with pytest.raises(ValueError, match="a must be a \\(nested\\) list of numbers"):
        dot([[1, 2], [3]], [1, 2])
    with pytest.raises(TypeError, match="b must hold real numbers"):
        dot([1.0], torch.tensor([1 + 1j]))
    with pytest.raises(TypeError, match="a must hold real numbers"):
        dot(np.array(["x", "y"]), [1, 2])
    with pytest.raises(TypeError, match="a must be a torch tensor, a NumPy array or a list"):
        cosine("hello", [1.0])
    with pytest.raises(ValueError, match="eps must be a positive"):
        cosine([1.0], [1.0], eps=0.0)
    with pytest.raises(TypeError, match="eps must be a positive float"):
        cosine([1.0], [1.0], eps="small")


def test_sparse_matrix_is_refused_with_a_hint():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"pass b.toarray\(\)"):
        dot([1.0, 2.0], sparse.csr_matrix([[1.0, 0.0]]))


def test_devices_must_match():
    cpu, meta = torch.ones(2, 3), torch.ones(2, 3, device="meta")
    for fn in (dot, cosine, scaled_dot, pairwise):
        with pytest.raises(ValueError, match="same device, got meta and cpu"):
            fn(meta, cpu)
    with pytest.raises(ValueError, match="queries and keys must be on the same device"):
        topk(cpu, meta, 1)


def test_inputs_are_not_modified_and_readonly_arrays_are_fine():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    a.flags.writeable = False
    b = randn(5, 4, seed=13).half()
    b_before = b.clone()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (dot, cosine, scaled_dot):
            fn(a[:, None, :], b)
        pairwise(a, b)
        topk(a, b, 2, chunk_size=2)
    assert (a == np.arange(12, dtype=np.float32).reshape(3, 4)).all()
    assert torch.equal(b, b_before)


# ----------------------------------------------------------------------------- top-k


@pytest.mark.parametrize("metric", ["cosine", "dot", "scaled_dot"])
@pytest.mark.parametrize("chunk_size", [1, 7, 250, 5000, None])
def test_topk_equals_full_matrix(metric, chunk_size):
    queries, keys = randn(40, 24, seed=14), randn(1000, 24, seed=15)
    full = pairwise(queries, keys, metric)
    values, indices = topk(queries, keys, 10, metric=metric, chunk_size=chunk_size)
    assert values.shape == indices.shape == (40, 10) and indices.dtype == torch.int64
    assert_topk_matches(values, indices, full, 10, atol=1e-5)
    ref_values, ref_indices = reference_topk(full.numpy(), 10)
    # Random scores have no near-ties at this size: the indices are exactly the full matrix's.
    np.testing.assert_array_equal(indices.numpy(), ref_indices)
    if chunk_size is None or chunk_size >= 1000:  # one chunk: the same product, bit for bit
        np.testing.assert_array_equal(values.numpy(), ref_values)


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 40, 1000])
def test_topk_ties_go_to_the_lower_index(chunk_size):
    """Keys duplicated many times over, with exact (integer) scores: ties everywhere."""
    gen = torch.Generator().manual_seed(16)
    base = torch.randint(-3, 4, (6, 5), generator=gen).float()
    keys = base[torch.randint(0, 6, (40,), generator=gen)]  # 40 keys, only 6 distinct
    queries = torch.randint(-2, 3, (25, 5), generator=gen).float()
    queries[0] = 0  # scores all zero: every key ties
    for k in (1, 4, 9, 40):
        values, indices = topk(queries, keys, k, metric="dot", chunk_size=chunk_size)
        ref_values, ref_indices = reference_topk((queries @ keys.T).numpy(), k)
        np.testing.assert_array_equal(indices.numpy(), ref_indices)
        np.testing.assert_array_equal(values.numpy(), ref_values)
        assert indices[0].tolist() == list(range(k))


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 100])
def test_topk_cosine_ties_on_duplicated_one_hot_keys(chunk_size):
    # One-hot keys have norm 1 and each score is one product: duplicates tie exactly.
    keys = torch.eye(4)[[2, 0, 2, 1, 3, 0, 2, 1, 3, 3]]
    query = torch.tensor([0.3, 0.1, 0.5, -0.2])
    values, indices = topk(query, keys, 6, chunk_size=chunk_size)
    assert indices.tolist() == [0, 2, 6, 1, 5, 3]
    assert values[0] == values[1] == values[2] and values[3] == values[4]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_topk_property_exact_integer_scores(data):
    m = data.draw(st.integers(1, 30))
    n = data.draw(st.integers(1, 4))
    d = data.draw(st.integers(1, 4))
    ints = st.integers(-2, 2)
    keys = data.draw(st.lists(st.lists(ints, min_size=d, max_size=d), min_size=m, max_size=m))
    queries = data.draw(st.lists(st.lists(ints, min_size=d, max_size=d), min_size=n, max_size=n))
    k = data.draw(st.integers(1, m))
    chunk_size = data.draw(st.integers(1, m + 2))
    values, indices = topk(queries, keys, k, metric="dot", chunk_size=chunk_size)
    scores = np.array(queries, dtype=np.int64) @ np.array(keys, dtype=np.int64).T
    ref_values, ref_indices = reference_topk(scores, k)
    np.testing.assert_array_equal(indices.numpy(), ref_indices)
    np.testing.assert_array_equal(values.numpy(), ref_values)


def test_topk_matches_sklearn_on_random_data():
    neighbors = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(17)
    keys = rng.standard_normal((3000, 64)).astype(np.float32)
    queries = rng.standard_normal((100, 64)).astype(np.float32)
    nn = neighbors.NearestNeighbors(n_neighbors=10, algorithm="brute", metric="cosine")
    distances, sk_indices = nn.fit(keys.astype(np.float64)).kneighbors(queries.astype(np.float64))
    values, indices = topk(queries, keys, 10, chunk_size=700)
    np.testing.assert_allclose(values.numpy(), 1 - distances, atol=1e-5)
    np.testing.assert_array_equal(indices.numpy(), sk_indices)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    if not (corpus.data_dir() / "sentiment-sentences").is_dir():
        message = f"sentiment-sentences not in {corpus.data_dir()} (set TOKENLAB_DATA)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return [text for text, _ in corpus.load("sentiment-sentences")]


@pytest.mark.parametrize("chunk_size", [1, 7, 400, None])
def test_topk_on_tfidf_of_real_sentences(sentences, chunk_size):
    """3,000 review sentences as tf-idf vectors (with duplicate sentences: real ties)."""
    text = pytest.importorskip("sklearn.feature_extraction.text")
    neighbors = pytest.importorskip("sklearn.neighbors")
    tfidf = text.TfidfVectorizer().fit_transform(sentences)  # sparse float64, rows unit norm
    assert len(sentences) == 3000
    dense = tfidf.toarray().astype(np.float32)
    queries = dense[::15]  # 200 sentences that are also keys
    nn = neighbors.NearestNeighbors(n_neighbors=5, algorithm="brute", metric="cosine")
    distances, _ = nn.fit(tfidf).kneighbors(tfidf[::15])
    values, indices = topk(queries, dense, 5, chunk_size=chunk_size)
    full = (tfidf[::15] @ tfidf.T).toarray()  # float64 cosines (rows have unit norm)
    assert_topk_matches(values, indices, full, 5, atol=1e-5)
    np.testing.assert_allclose(values.numpy(), 1 - distances, atol=1e-5)
    assert (values[:, 0] > 1 - 1e-5).all()  # each query finds itself (or a duplicate)


@pytest.mark.parametrize("half", [torch.float16, torch.bfloat16])
def test_topk_half_inputs(half):
    queries, keys = randn(20, 32, seed=18).to(half), randn(500, 32, seed=19).to(half)
    values, indices = topk(queries, keys, 5, chunk_size=64)
    assert values.dtype == torch.float32
    expected = topk(queries.float(), keys.float(), 5, chunk_size=64)
    torch.testing.assert_close(values, expected.values, atol=0, rtol=0)
    assert torch.equal(indices, expected.indices)


def test_topk_shapes_and_default_chunk():
    queries, keys = randn(6, 8, seed=20), randn(50, 8, seed=21)
    result = topk(queries, keys, 3)
    assert isinstance(result, TopK) and result.values.shape == (6, 3)
    one = topk(queries[2], keys, 3)
    assert one.values.shape == one.indices.shape == (3,)
    assert torch.equal(one.indices, result.indices[2])
    empty = topk(torch.empty(0, 8), keys, 3)
    assert empty.values.shape == empty.indices.shape == (0, 3)
    assert torch.equal(topk(queries, keys, 50, chunk_size=None).indices,
                       topk(queries, keys, 50, chunk_size=50).indices)
    assert default_chunk_size(1000, 384) * 1000 * 4 <= DEFAULT_BLOCK_BYTES
    assert default_chunk_size(1, 384) * 384 * 4 <= DEFAULT_BLOCK_BYTES
    assert default_chunk_size(10**9, 4) == 1


def test_topk_rejects_bad_arguments():
    queries, keys = torch.ones(2, 3), torch.ones(4, 3)
    with pytest.raises(ValueError, match=r"k must be at most the number of keys, got k=5"):
        topk(queries, keys, 5)
    for k in (0, -1):
        with pytest.raises(ValueError, match="k must be at least 1"):
            topk(queries, keys, k)
    with pytest.raises(TypeError, match="k must be an int"):
        topk(queries, keys, 2.0)
    with pytest.raises(TypeError, match="k must be an int, got bool"):
        topk(queries, keys, True)
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        topk(queries, keys, 1, chunk_size=0)
    with pytest.raises(ValueError, match="metric must be one of"):
        topk(queries, keys, 1, metric="l2")
    with pytest.raises(ValueError, match=r"keys must be a 2-D \(m, d\) matrix, got shape \(3,\)"):
        topk(queries, keys[0], 1)
    with pytest.raises(ValueError, match=r"queries must be 1-D .* got shape \(1, 2, 3\)"):
        topk(queries[None], keys, 1)
    with pytest.raises(ValueError, match=r"same last dimension, got shapes \(2, 3\) and \(4, 2\)"):
        topk(queries, keys[:, :2], 1)
    with pytest.raises(ValueError, match="k must be at most"):
        topk(queries, torch.empty(0, 3), 1)
    with pytest.raises(ValueError, match="NaN"):
        topk(queries, torch.tensor([[1.0, 0, 0], [float("nan"), 0, 0]]), 1, metric="dot")


class LargestOutput(TorchDispatchMode):
    """Records the largest tensor (in elements) any torch operation produces while active."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0
        self.shapes: set[tuple[int, ...]] = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, tuple | list) else (out,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
                self.shapes.add(tuple(t.shape))
        return out


@pytest.mark.parametrize("metric", ["cosine", "dot"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_topk_never_forms_more_than_a_chunk_of_scores(metric, dtype):
    """No intermediate tensor is bigger than one queries x chunk_size block of scores."""
    queries, keys = randn(50, 16, seed=22), randn(3000, 16, seed=23)
    keys[::3] = 0  # zero keys, and zero queries whose scores all tie: the tie-break runs too
    queries[::5] = 0
    queries, keys = queries.to(dtype), keys.to(dtype)
    with LargestOutput() as spy:
        values, indices = topk(queries, keys, 5, metric=metric, chunk_size=100)
    assert spy.largest == 50 * 100  # one chunk's block of scores, never 50 x 3000
    assert (50, 100) in spy.shapes and (50, 3000) not in spy.shapes
    assert_topk_matches(values, indices, pairwise(queries, keys, metric), 5, atol=1e-5)
    assert (indices[::5] == torch.arange(5)).all()


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
@pytest.mark.parametrize("metric", ["cosine", "dot", "scaled_dot"])
def test_topk_on_cuda_matches_cpu(metric):
    queries, keys = randn(64, 48, seed=24), randn(5000, 48, seed=25)
    values, indices = topk(queries.cuda(), keys.cuda(), 8, metric=metric, chunk_size=1000)
    assert values.device.type == indices.device.type == "cuda"
    cpu = topk(queries, keys, 8, metric=metric)
    torch.testing.assert_close(values.cpu(), cpu.values, atol=1e-4, rtol=1e-4)
    full = pairwise(queries, keys, metric)
    assert_topk_matches(values.cpu(), indices.cpu(), full, 8, atol=1e-4)


@cuda
@needs_cuda
def test_cuda_ties_half_precision_and_devices():
    keys = torch.eye(4)[[2, 0, 2, 1, 3, 0, 2, 1, 3, 3]].cuda()
    values, indices = topk(torch.tensor([0.3, 0.1, 0.5, -0.2]), keys, 6, chunk_size=3)
    assert indices.device.type == "cuda"
    assert indices.tolist() == [0, 2, 6, 1, 5, 3]
    a, b = randn(65536, seed=26).half().cuda(), randn(65536, seed=27).half().cuda()
    exact = (a.double() * b.double()).sum().item()
    scale = (a.double() * b.double()).abs().sum().item()
    result = dot(a, b)
    assert result.device.type == "cuda" and result.dtype == torch.float32
    assert abs(result.item() - exact) <= 1e-6 * scale
    assert cosine([1.0, 0.0], torch.tensor([1.0, 1.0], device="cuda")).device.type == "cuda"
    with pytest.raises(ValueError, match="same device"):
        topk(torch.ones(2, 3).cuda(), torch.ones(4, 3), 1)

"""tokenlab.positional: the sinusoidal formula, its rotation and distance properties, the modules.

Also the chapter's motivating claim, checked with torch's own attention (not tokenlab.attention):
self-attention without positions is permutation equivariant, and adding positions breaks that.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tokenlab.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    relative_rotation,
    sinusoidal,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int = 0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=dtype)


def reference(length: int, dim: int, base: float = 10000.0) -> np.ndarray:
    """The paper's formula, entry by entry, in Python floats."""
    table = np.empty((length, dim))
    for i in range(length):
        for j in range(dim // 2):
            angle = i / base ** (2 * j / dim)
            table[i, 2 * j], table[i, 2 * j + 1] = math.sin(angle), math.cos(angle)
    return table


# ----------------------------------------------------------------------------- the formula


def test_hand_computed_small_case() -> None:
    # dim 4, base 100: frequencies 100**0 = 1 and 100**(-2/4) = 0.1.
    P = sinusoidal(3, 4, base=100.0, dtype=torch.float64)
    expected = torch.tensor(
        [
            [0.0, 1.0, 0.0, 1.0],
            [math.sin(1), math.cos(1), math.sin(0.1), math.cos(0.1)],
            [math.sin(2), math.cos(2), math.sin(0.2), math.cos(0.2)],
        ],
        dtype=torch.float64,
    )
    torch.testing.assert_close(P, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(("length", "dim", "base"), [(7, 2, 10000.0), (50, 16, 10000.0),
                                                     (20, 6, 3.0), (1, 10, 1e6)])
def test_matches_the_formula(length: int, dim: int, base: float) -> None:
    P = sinusoidal(length, dim, base=base, dtype=torch.float64)
    np.testing.assert_allclose(P.numpy(), reference(length, dim, base), rtol=0, atol=1e-12)


def test_default_float32_is_the_float64_table_rounded() -> None:
    assert torch.equal(sinusoidal(100, 32), sinusoidal(100, 32, dtype=torch.float64).float())


def test_large_positions_stay_accurate() -> None:
    """Computed in float64 then cast: far positions are as accurate as float32 can store."""
    position, dim = 200_000, 16
    P = sinusoidal(position + 1, dim)
    angles = [position / 10000.0 ** (2 * j / dim) for j in range(dim // 2)]
    exact = torch.tensor([f(a) for a in angles for f in (math.sin, math.cos)],
                         dtype=torch.float64)
    torch.testing.assert_close(P[-1].double(), exact, rtol=0, atol=1e-7)
    # A naive float32 computation is measurably worse: this test would catch one.
    freq = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    naive = torch.sin(torch.tensor(float(position)) * freq)
    assert (naive.double() - exact[0::2]).abs().max() > 1e-4


@pytest.mark.parametrize(("length", "dim"), [(0, 2), (0, 8), (1, 2), (5, 2), (9, 12)])
def test_shapes(length: int, dim: int) -> None:
    assert sinusoidal(length, dim).shape == (length, dim)
    assert relative_rotation(3, dim).shape == (dim, dim)


def test_accepts_numpy_integers() -> None:
    assert sinusoidal(np.int64(3), np.int32(4)).shape == (3, 4)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_dtype(dtype: torch.dtype) -> None:
    P = sinusoidal(10, 8, dtype=dtype)
    assert P.dtype == dtype
    torch.testing.assert_close(P, sinusoidal(10, 8, dtype=torch.float64).to(dtype))
    assert relative_rotation(2, 8, dtype=dtype).dtype == dtype


def test_device_cpu_and_meta() -> None:
    assert sinusoidal(4, 4, device="cpu").device == torch.device("cpu")
    assert sinusoidal(4, 4, device=torch.device("meta")).is_meta
    assert relative_rotation(1, 4, device="meta").is_meta


@cuda
@needs_cuda
def test_cuda_matches_cpu() -> None:
    P = sinusoidal(100, 16, device="cuda")
    assert P.is_cuda
    torch.testing.assert_close(P.cpu(), sinusoidal(100, 16), rtol=0, atol=0)
    R = relative_rotation(5, 16, device="cuda")
    assert R.is_cuda
    pe = SinusoidalPositionalEncoding(16, max_len=32).cuda()
    x = torch.randn(2, 10, 16, device="cuda")
    torch.testing.assert_close(pe(x).cpu(), x.cpu() + sinusoidal(10, 16))
    emb = LearnedPositionalEmbedding(32, 16, device="cuda")
    assert emb(x).is_cuda


@pytest.mark.parametrize("dim", [1, 3, 5, 101])
def test_odd_dim_refused_with_a_reason(dim: int) -> None:
    with pytest.raises(ValueError, match=r"dim") as info:
        sinusoidal(4, dim)
    assert "pair" in str(info.value) or dim < 2
    with pytest.raises(ValueError, match=r"dim"):
        relative_rotation(1, dim)
    with pytest.raises(ValueError, match=r"dim"):
        SinusoidalPositionalEncoding(dim)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"length": -1, "dim": 4}, ValueError, "length"),
        ({"length": 3, "dim": 0}, ValueError, "dim"),
        ({"length": 3, "dim": -2}, ValueError, "dim"),
        ({"length": 3.0, "dim": 4}, TypeError, "length"),
        ({"length": True, "dim": 4}, TypeError, "length"),
        ({"length": 3, "dim": "4"}, TypeError, "dim"),
        ({"length": 3, "dim": 4, "base": 0.0}, ValueError, "base"),
        ({"length": 3, "dim": 4, "base": -10.0}, ValueError, "base"),
        ({"length": 3, "dim": 4, "base": math.inf}, ValueError, "base"),
        ({"length": 3, "dim": 4, "base": math.nan}, ValueError, "base"),
        ({"length": 3, "dim": 4, "base": "10"}, TypeError, "base"),
        ({"length": 3, "dim": 4, "dtype": torch.int64}, TypeError, "dtype"),
        ({"length": 3, "dim": 4, "dtype": "float32"}, TypeError, "dtype"),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        sinusoidal(**kwargs)


@pytest.mark.parametrize(
    ("k", "error"), [(math.inf, ValueError), (math.nan, ValueError), ("1", TypeError),
                     (None, TypeError), (True, TypeError)]
)
def test_relative_rotation_bad_shift(k: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"\bk\b"):
        relative_rotation(k, 4)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the rotation


@pytest.mark.parametrize(("dim", "base"), [(2, 10000.0), (16, 10000.0), (64, 10000.0),
                                           (10, 50.0)])
def test_shift_by_k_is_a_rotation(dim: int, base: float) -> None:
    """For random i and k: P[i + k] == R_k @ P[i], with one R_k for every i."""
    length = 2000
    P = sinusoidal(length, dim, base=base, dtype=torch.float64)
    rng = np.random.default_rng(dim)
    for _ in range(8):
        k = int(rng.integers(0, length // 2))
        R = relative_rotation(k, dim, base=base, dtype=torch.float64)
        for i in rng.integers(0, length - k, size=5):
            torch.testing.assert_close(R @ P[i], P[i + k], rtol=0, atol=1e-5)
        # ... and for all of them at once, as row vectors.
        torch.testing.assert_close(P[: length - k] @ R.T, P[k:], rtol=0, atol=1e-5)


def test_rotation_is_block_diagonal_and_orthogonal() -> None:
    dim = 12
    for k in (0, 1, 7, -3, 2.5, 12345):
        R = relative_rotation(k, dim, dtype=torch.float64)
        torch.testing.assert_close(R @ R.T, torch.eye(dim, dtype=torch.float64),
                                   rtol=0, atol=1e-12)
        torch.testing.assert_close(R.T @ R, torch.eye(dim, dtype=torch.float64),
                                   rtol=0, atol=1e-12)
        assert math.isclose(torch.linalg.det(R).item(), 1.0, abs_tol=1e-12)
        mask = torch.block_diag(*[torch.ones(2, 2)] * (dim // 2)).bool()
        assert torch.all(R[~mask] == 0)


def test_rotation_group_laws() -> None:
    dim = 8

    def R(k: float) -> torch.Tensor:
        return relative_rotation(k, dim, dtype=torch.float64)

    torch.testing.assert_close(R(0), torch.eye(dim, dtype=torch.float64))
    torch.testing.assert_close(R(3) @ R(4), R(7), rtol=0, atol=1e-12)
    torch.testing.assert_close(R(-5), R(5).T, rtol=0, atol=1e-12)
    # A negative shift moves backwards.
    P = sinusoidal(20, dim, dtype=torch.float64)
    torch.testing.assert_close(R(-4) @ P[10], P[6], rtol=0, atol=1e-12)


def test_rotation_explicit_block() -> None:
    R = relative_rotation(2, 4, base=100.0, dtype=torch.float64)
    c1, s1, c2, s2 = math.cos(2), math.sin(2), math.cos(0.2), math.sin(0.2)
    expected = torch.tensor(
        [[c1, s1, 0, 0], [-s1, c1, 0, 0], [0, 0, c2, s2], [0, 0, -s2, c2]], dtype=torch.float64
    )
    torch.testing.assert_close(R, expected, rtol=0, atol=1e-15)


# ----------------------------------------------------------------------------- the distance


@pytest.mark.parametrize("dim", [4, 32, 128])
def test_dot_products_depend_only_on_distance(dim: int) -> None:
    n = 300
    P = sinusoidal(n, dim, dtype=torch.float64)
    G = P @ P.T
    torch.testing.assert_close(G, G.T, rtol=0, atol=1e-12)
    # Every diagonal of the Gram matrix is constant: G[i, j] == G[i + s, j + s].
    for offset in range(-n + 1, n):
        diagonal = torch.diagonal(G, offset)
        assert (diagonal - diagonal[0]).abs().max() < 1e-9, offset
    # ... and equals sum_j cos(d * w_j), with |P[i]|^2 = dim / 2.
    freqs = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    for d in (0, 1, 17, 150):
        assert math.isclose(G[0, d].item(), torch.cos(d * freqs).sum().item(), abs_tol=1e-9)
        assert math.isclose(G[d, 0].item(), G[0, d].item(), abs_tol=1e-9)
    torch.testing.assert_close(torch.diagonal(G), torch.full((n,), dim / 2, dtype=torch.float64))


# ----------------------------------------------------------------------------- attention


def self_attention(x: torch.Tensor, seed: int = 1) -> torch.Tensor:
    """One head of self-attention with fixed random projections, through torch's SDPA."""
    d = x.shape[-1]
    wq, wk, wv = (randn(d, d, seed=seed + s) / math.sqrt(d) for s in range(3))
    return F.scaled_dot_product_attention(x @ wq, x @ wk, x @ wv)


def test_attention_without_positions_is_permutation_equivariant() -> None:
    n, d = 12, 16
    x = randn(2, n, d, seed=0)
    out = self_attention(x)
    for seed in range(5):
        perm = torch.randperm(n, generator=gen(seed))
        torch.testing.assert_close(self_attention(x[:, perm]), out[:, perm],
                                   rtol=0, atol=1e-12)


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
def test_attention_with_positions_is_not(positions: str) -> None:
    n, d = 12, 16
    x = randn(2, n, d, seed=0)
    if positions == "sinusoidal":
        add = SinusoidalPositionalEncoding(d, max_len=n, dtype=torch.float64)
    else:
        add = LearnedPositionalEmbedding(n, d, std=1.0, generator=gen(3), dtype=torch.float64)
    out = self_attention(add(x))
    for seed in range(5):
        perm = torch.randperm(n, generator=gen(seed))
        assert not torch.equal(perm, torch.arange(n))
        permuted = self_attention(add(x[:, perm]))
        # Positions go with the slot, not with the token: the token now at slot 0 sees a
        # different encoding, so its output is not the permuted output.
        assert (permuted - out[:, perm]).abs().max() > 0.05
        # The same check without positions still holds on these very tokens.
        torch.testing.assert_close(self_attention(x[:, perm]), self_attention(x)[:, perm],
                                   rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- the modules


def test_sinusoidal_module_uses_a_buffer_not_a_parameter() -> None:
    pe = SinusoidalPositionalEncoding(8, max_len=20)
    assert list(pe.parameters()) == []
    buffers = dict(pe.named_buffers())
    assert list(buffers) == ["pe"]
    assert not buffers["pe"].requires_grad
    assert torch.equal(buffers["pe"], sinusoidal(20, 8))
    assert pe.state_dict() == {}  # recomputed from (dim, max_len, base), never stored
    assert pe.to(torch.float64).pe.dtype == torch.float64  # follows the module
    assert "max_len=20" in repr(pe)


def test_sinusoidal_module_adds_the_table() -> None:
    pe = SinusoidalPositionalEncoding(8, max_len=20, base=100.0)
    x = randn(3, 7, 8, dtype=torch.float32)
    torch.testing.assert_close(pe(x), x + sinusoidal(7, 8, base=100.0), rtol=0, atol=0)
    # Any leading shape, a single unbatched sequence included; dtype of the input kept.
    assert torch.equal(pe(x[0]), pe(x)[0])
    assert pe(x.half()).dtype == torch.float16
    assert pe(x.double()).dtype == torch.float64
    assert pe(torch.zeros(4, 0, 8)).shape == (4, 0, 8)


def test_learned_module_uses_a_parameter() -> None:
    emb = LearnedPositionalEmbedding(20, 8, generator=gen(0))
    params = dict(emb.named_parameters())
    assert list(params) == ["embedding.weight"]
    assert params["embedding.weight"].shape == (20, 8)
    assert params["embedding.weight"].requires_grad
    assert list(emb.buffers()) == []
    assert "embedding.weight" in emb.state_dict()
    assert "max_len=20" in repr(emb)


def test_learned_module_adds_its_rows_and_trains_them() -> None:
    emb = LearnedPositionalEmbedding(20, 8, generator=gen(0))
    x = randn(3, 5, 8, dtype=torch.float32)
    out = emb(x)
    torch.testing.assert_close(out, x + emb.embedding.weight[:5], rtol=0, atol=0)
    out.sum().backward()
    grad = emb.embedding.weight.grad
    assert grad is not None
    assert torch.all(grad[:5] == 3.0) and torch.all(grad[5:] == 0.0)


def test_learned_module_initialization_is_reproducible() -> None:
    a = LearnedPositionalEmbedding(10, 4, generator=gen(7))
    b = LearnedPositionalEmbedding(10, 4, generator=gen(7))
    c = LearnedPositionalEmbedding(10, 4, generator=gen(8))
    assert torch.equal(a.embedding.weight, b.embedding.weight)
    assert not torch.equal(a.embedding.weight, c.embedding.weight)
    assert 0.005 < a.embedding.weight.std().item() < 0.05  # std=0.02 by default
    d = LearnedPositionalEmbedding(10, 4, generator=gen(7), dtype=torch.float64)
    assert d.embedding.weight.dtype == torch.float64
    torch.testing.assert_close(d.embedding.weight.float(), a.embedding.weight)


@pytest.mark.parametrize(
    "module",
    [SinusoidalPositionalEncoding(4, max_len=6), LearnedPositionalEmbedding(6, 4)],
    ids=["sinusoidal", "learned"],
)
def test_too_long_sequences_name_both_lengths(module: torch.nn.Module) -> None:
    assert module(torch.zeros(1, 6, 4)).shape == (1, 6, 4)  # max_len itself is fine
    with pytest.raises(ValueError, match=r"7.*max_len=6"):
        module(torch.zeros(1, 7, 4))


@pytest.mark.parametrize(
    "module",
    [SinusoidalPositionalEncoding(4, max_len=6), LearnedPositionalEmbedding(6, 4)],
    ids=["sinusoidal", "learned"],
)
def test_modules_do_not_modify_their_input(module: torch.nn.Module) -> None:
    x = randn(2, 5, 4, dtype=torch.float32)
    before = x.clone()
    out = module(x)
    assert torch.equal(x, before)
    assert out.data_ptr() != x.data_ptr()
    assert not torch.equal(out, x)


@pytest.mark.parametrize(
    "module",
    [SinusoidalPositionalEncoding(4, max_len=6), LearnedPositionalEmbedding(6, 4)],
    ids=["sinusoidal", "learned"],
)
def test_modules_bad_input(module: torch.nn.Module) -> None:
    with pytest.raises(ValueError, match=r"dim"):
        module(torch.zeros(1, 3, 5))
    with pytest.raises(ValueError, match=r"shape"):
        module(torch.zeros(4))
    with pytest.raises(TypeError, match=r"floating"):
        module(torch.zeros(1, 3, 4, dtype=torch.int64))
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor"):
        module([[0.0] * 4])


@pytest.mark.parametrize(
    ("build", "error", "pattern"),
    [
        (lambda: SinusoidalPositionalEncoding(4, max_len=0), ValueError, "max_len"),
        (lambda: SinusoidalPositionalEncoding(4, max_len=2.5), TypeError, "max_len"),
        (lambda: SinusoidalPositionalEncoding(5), ValueError, "pair"),
        (lambda: LearnedPositionalEmbedding(0, 4), ValueError, "max_len"),
        (lambda: LearnedPositionalEmbedding(4, 0), ValueError, "dim"),
        (lambda: LearnedPositionalEmbedding(4, 3.0), TypeError, "dim"),
        (lambda: LearnedPositionalEmbedding(4, 4, std=-1.0), ValueError, "std"),
        (lambda: LearnedPositionalEmbedding(4, 4, dtype=torch.int32), TypeError, "dtype"),
    ],
)
def test_modules_bad_construction(build, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        build()


def test_learned_module_accepts_odd_dim() -> None:
    assert LearnedPositionalEmbedding(4, 3)(torch.zeros(2, 4, 3)).shape == (2, 4, 3)

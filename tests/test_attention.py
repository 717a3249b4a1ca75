"""tokenlab.attention: checked against torch's SDPA, nn.MultiheadAttention and the encoder layer."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tokenlab.attention import (
    MultiHeadSelfAttention,
    TransformerEncoderBlock,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def randn(*shape: int, seed: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def reference(q, k, v, mask=None, causal=False):
    """torch's SDPA, with ``causal`` folded into the mask (torch refuses both at once)."""
    lq, lk = q.shape[-2], k.shape[-2]
    if causal:
        tri = torch.ones(lq, lk, dtype=torch.bool).tril()
        if mask is None:
            mask = tri
        elif mask.dtype == torch.bool:
            mask = mask & tri
        else:
            mask = mask.masked_fill(~tri, float("-inf"))
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


def visible_rows(scores_shape, mask, causal) -> torch.Tensor:
    """Boolean ``(..., Lq)``: the queries that see at least one key."""
    seen = torch.ones(scores_shape, dtype=torch.bool)
    if mask is not None:
        seen = seen & (mask if mask.dtype == torch.bool else torch.isfinite(mask))
    if causal:
        seen = seen & torch.ones(scores_shape[-2:], dtype=torch.bool).tril()
    return seen.any(-1)


# ----------------------------------------------------------------------------- the function

SHAPES = {
    # name: (q shape, k shape, v shape, mask shape)
    "single": ((5, 8), (5, 8), (5, 8), (5, 5)),
    "batched": ((3, 5, 8), (3, 7, 8), (3, 7, 4), (3, 5, 7)),
    "multi-head": ((2, 4, 6, 8), (2, 4, 6, 8), (2, 4, 6, 8), (2, 1, 6, 6)),
    "broadcast": ((2, 4, 6, 8), (1, 4, 9, 8), (2, 1, 9, 3), (1, 1, 6, 9)),
}


def grid_inputs(shape_name, mask_kind, dtype=torch.float32):
    """The inputs of the grid tests: one of SHAPES, no/bool/float mask."""
    qs, ks, vs, ms = SHAPES[shape_name]
    q, k, v = (randn(*s, seed=i, dtype=dtype) for i, s in ((1, qs), (2, ks), (3, vs)))
    mask = None
    if mask_kind is not None:
        keep = torch.rand(ms, generator=torch.Generator().manual_seed(4)) > 0.4
        keep[..., 1, :] = False  # one fully masked query row
        if mask_kind == "bool":
            mask = keep
        else:
            mask = torch.zeros(ms, dtype=dtype).masked_fill(~keep, float("-inf"))
            mask = mask + randn(*ms, seed=5, dtype=dtype)
    return q, k, v, mask


@pytest.mark.parametrize("shape_name", list(SHAPES))
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
@pytest.mark.parametrize("causal", [False, True])
def test_matches_torch_sdpa(shape_name, mask_kind, causal):
    q, k, v, mask = grid_inputs(shape_name, mask_kind)
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    expected = reference(q, k, v, mask, causal)
    assert out.shape == expected.shape and out.dtype == torch.float32
    assert weights.shape == (*out.shape[:-1], k.shape[-2])
    rows = visible_rows(weights.shape, mask, causal)
    torch.testing.assert_close(out[rows], expected[rows], atol=1e-6, rtol=0)
    # weights @ v is the output; rows sum to 1 where visible and are all zero elsewhere
    torch.testing.assert_close(weights.float() @ v.expand(*weights.shape[:-2], *v.shape[-2:]), out)
    sums = weights.sum(-1)
    torch.testing.assert_close(sums[rows], torch.ones_like(sums[rows]))
    assert (weights[~rows] == 0).all() and (out[~rows] == 0).all()
    assert not out.isnan().any() and not weights.isnan().any()


def test_weights_are_an_explicit_softmax():
    q, k, v = randn(4, 3, seed=1), randn(6, 3, seed=2), randn(6, 2, seed=3)
    out, weights = scaled_dot_product_attention(q, k, v)
    expected = torch.softmax(q.double() @ k.double().T / 3**0.5, dim=-1)
    torch.testing.assert_close(weights.double(), expected, atol=1e-6, rtol=0)


def test_float64_stays_float64_and_lists_work():
    q = randn(3, 4, dtype=torch.float64)
    out, weights = scaled_dot_product_attention(q, q, q)
    assert out.dtype == weights.dtype == torch.float64
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, q, q))
    out, weights = scaled_dot_product_attention([[1, 0]], [[1, 0], [0, 1]], [[1, 2], [3, 4]])
    assert out.dtype == torch.float32 and out.shape == (1, 2)


def test_fully_masked_rows_are_zero_not_nan():
    q = randn(2, 3, 4, seed=1)
    mask = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    out, weights = scaled_dot_product_attention(q, q, q, mask=mask)
    assert (weights[:, 1] == 0).all() and (out[:, 1] == 0).all()
    additive = torch.full((3, 3), float("-inf"))
    out, weights = scaled_dot_product_attention(q, q, q, mask=additive)
    assert (out == 0).all() and (weights == 0).all()
    qg = q.clone().requires_grad_()
    out, _ = scaled_dot_product_attention(qg, qg, qg, mask=mask)
    out.sum().backward()
    assert torch.isfinite(qg.grad).all()


def test_causal_combines_with_mask():
    q = randn(4, 2)
    mask = torch.tensor([False, True, True, True]).expand(4, 4)
    _, weights = scaled_dot_product_attention(q, q, q, mask=mask, causal=True)
    assert (weights[0] == 0).all()  # query 0 may only see key 0, which the mask hides
    assert (weights.triu(1) == 0).all() and (weights[:, 0] == 0).all()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_does_not_overflow(dtype):
    q = randn(2, 6, 64, seed=1).mul(60).to(dtype)
    k = randn(2, 6, 64, seed=2).mul(60).to(dtype)
    v = randn(2, 6, 16, seed=3).to(dtype)
    if dtype == torch.float16:  # a naive fp16 implementation overflows: scores beyond 65504
        naive = torch.softmax(q @ k.transpose(-2, -1) / 8.0, dim=-1)
        assert not torch.isfinite(naive).all()
    out, weights = scaled_dot_product_attention(q, k, v)
    assert out.dtype == weights.dtype == dtype
    assert torch.isfinite(out).all() and torch.isfinite(weights).all()
    q64, k64, v64 = q.double(), k.double(), v.double()
    expected = torch.softmax(q64 @ k64.transpose(-2, -1) / 8.0, dim=-1) @ v64
    tol = 1e-2 if dtype == torch.float16 else 5e-2
    torch.testing.assert_close(out.double(), expected, atol=tol, rtol=tol)


def test_inputs_not_modified():
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 3, seed=3)
    mask = torch.rand(2, 3, 5, generator=torch.Generator().manual_seed(0)) > 0.5
    fmask = torch.zeros(3, 5)
    copies = [t.clone() for t in (q, k, v, mask, fmask)]
    scaled_dot_product_attention(q, k, v, mask=mask, causal=True)
    scaled_dot_product_attention(q, k, v, mask=fmask)
    for t, c in zip((q, k, v, mask, fmask), copies, strict=True):
        assert torch.equal(t, c)


@pytest.mark.parametrize(
    ("qs", "ks", "vs", "words"),
    [
        ((3, 4), (3, 5), (3, 5), ["(3, 4)", "(3, 5)", "last dimension"]),
        ((3, 4), (3, 4), (2, 4), ["(3, 4)", "(2, 4)", "number of keys"]),
        ((2, 3, 4), (3, 3, 4), (3, 3, 4), ["(2, 3, 4)", "(3, 3, 4)", "broadcast"]),
        ((4,), (3, 4), (3, 4), ["(4,)", "at least 2"]),
    ],
)
@pytest.mark.parametrize("need_weights", [True, False])
def test_bad_shapes_name_them(qs, ks, vs, words, need_weights):
    with pytest.raises(ValueError) as info:
        scaled_dot_product_attention(torch.zeros(qs), torch.zeros(ks), torch.zeros(vs),
                                     need_weights=need_weights)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("need_weights", [True, False])
def test_bad_mask(need_weights):
    q = torch.zeros(2, 3, 4)
    kw = {"need_weights": need_weights}
    with pytest.raises(ValueError, match=r"mask of shape \(3, 4\).*\(2, 3, 3\)"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(3, 4, dtype=torch.bool), **kw)
    with pytest.raises(ValueError, match=r"enlarge"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(5, 2, 3, 3, dtype=torch.bool), **kw)
    with pytest.raises(TypeError, match="boolean or floating"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(3, 3, dtype=torch.int64), **kw)
    with pytest.raises(TypeError, match="real numbers"):
        scaled_dot_product_attention(q.to(torch.complex64), q, q, **kw)


@settings(max_examples=40, deadline=None)
@given(
    lq=st.integers(1, 6), lk=st.integers(1, 6), d=st.integers(1, 5), causal=st.booleans(),
    seed=st.integers(0, 2**16), scale=st.sampled_from([0.1, 1.0, 30.0]),
)
def test_property_rows_sum_to_one_or_zero(lq, lk, d, causal, seed, scale):
    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, lq, d, generator=g) * scale, torch.randn(2, lk, d, generator=g) * scale
    v = torch.randn(2, lk, 3, generator=g)
    mask = torch.rand(2, lq, lk, generator=g) > 0.5
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    rows = visible_rows(weights.shape, mask, causal)
    sums = weights.sum(-1)
    torch.testing.assert_close(sums[rows], torch.ones_like(sums[rows]))
    assert (sums[~rows] == 0).all() and (out[~rows] == 0).all()
    assert (weights >= 0).all() and torch.isfinite(out).all()
    masked = ~mask | (~torch.ones(lq, lk, dtype=torch.bool).tril() if causal else False)
    assert (weights[masked] == 0).all()
    fast, none = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal,
                                              need_weights=False)
    assert none is None and (fast[~rows] == 0).all()
    torch.testing.assert_close(fast, out, atol=1e-5, rtol=1e-5)


# ----------------------------------------------------------------------------- the fast path


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape_name", list(SHAPES))
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
@pytest.mark.parametrize("causal", [False, True])
def test_fast_path_matches_explicit(shape_name, mask_kind, causal, dtype):
    q, k, v, mask = grid_inputs(shape_name, mask_kind, dtype)
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    fast, none = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal,
                                              need_weights=False)
    assert none is None
    assert fast.shape == out.shape and fast.dtype == out.dtype == dtype
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(fast, out, atol=tol, rtol=0)
    rows = visible_rows(weights.shape, mask, causal)
    assert (fast[~rows] == 0).all() and not fast.isnan().any()


@pytest.mark.parametrize(
    ("qs", "ks", "vs", "ms"),
    [
        ((5, 8), (5, 8), (5, 3), (5,)),  # 1-D mask: one per key, every query
        ((2, 3, 2, 4, 8), (3, 1, 6, 8), (1, 2, 6, 8), (3, 1, 4, 6)),  # 5-D, broadcast
        ((3, 4, 8), (1, 6, 8), (6, 8), (1, 6)),  # fewer dimensions on k, v and the mask
        ((2, 1, 5, 8), (2, 1, 5, 8), (2, 1, 5, 8), None),
    ],
)
@pytest.mark.parametrize("causal", [False, True])
def test_fast_path_other_shapes(qs, ks, vs, ms, causal):
    q, k, v = randn(*qs, seed=1), randn(*ks, seed=2), randn(*vs, seed=3)
    mask = None if ms is None else torch.rand(ms, generator=torch.Generator().manual_seed(4)) > 0.3
    out, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    fast, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal, need_weights=False)
    assert fast.shape == out.shape
    torch.testing.assert_close(fast, out, atol=1e-6, rtol=0)


def test_fast_path_gives_torch_4d_inputs(monkeypatch):
    """The fused kernels want (batch, heads, L, d) with equal leading dimensions: 3-D inputs
    and broadcast leading dimensions are reshaped (else torch falls back to its math kernel)."""
    seen = []
    sdpa = F.scaled_dot_product_attention

    def spy(q, k, v, **kwargs):
        seen.append((q.shape, k.shape, v.shape, kwargs))
        return sdpa(q, k, v, **kwargs)

    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    q = randn(6, 5, 8)
    scaled_dot_product_attention(q, q, q, causal=True, need_weights=False)
    assert seen[-1][:3] == ((1, 6, 5, 8),) * 3
    assert seen[-1][3]["is_causal"] and seen[-1][3]["attn_mask"] is None
    scaled_dot_product_attention(randn(2, 4, 5, 8), randn(1, 4, 5, 8), randn(2, 1, 5, 8),
                                 need_weights=False)
    assert seen[-1][:3] == ((2, 4, 5, 8),) * 3


DIRECT = [  # (q, k, v) shapes and dtypes the direct call takes: (B, H, L, d) alike
    ((2, 3, 5, 8), (2, 3, 5, 8), (2, 3, 5, 8), torch.float32),
    ((2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 4), torch.float32),  # Lq != Lk, dv != d
    ((1, 2, 6, 4), (1, 2, 3, 4), (1, 2, 3, 4), torch.float64),  # more queries than keys
    ((2, 2, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8), torch.bfloat16),
    ((1, 1, 0, 8), (1, 1, 3, 8), (1, 1, 3, 8), torch.float32),  # no queries
]
NOT_DIRECT = [  # each of these needs the full checks
    ((2, 5, 8), (2, 5, 8), (2, 5, 8), torch.float32),  # 3-D: made 4-D first
    ((2, 3, 5, 8), (1, 3, 5, 8), (2, 3, 5, 8), torch.float32),  # broadcast batch
    ((1, 1, 5, 8), (1, 1, 0, 8), (1, 1, 0, 8), torch.float32),  # no keys: zeros
    ((2, 3, 5, 8), (2, 3, 5, 8), (2, 3, 5, 8), torch.int64),  # integers become float32
]
# Masks, as functions of (the leading shape, Lq, Lk): the direct call takes the boolean ones
# that fit the scores (without causal); a float mask, or one that would enlarge the scores,
# takes the checks (the latter to raise their error).
MASKS = {
    None: None,
    "padding": lambda lead, lq, lk: (  # (batch, 1, .., 1, Lk): sequences of lengths Lk, 1, ..
        torch.arange(lk) < torch.tensor([lk, 1] * lead[0])[:lead[0], None]
    ).view(lead[0], *(1,) * (len(lead) - 1), 1, lk),
    "blind row": lambda lead, lq, lk: torch.arange(lq)[:, None] % 3 != 1,  # every third blind
    "keys": lambda lead, lq, lk: torch.arange(lk) % 2 == 0,  # (Lk,): checked, made 4-D
    "float": lambda lead, lq, lk: torch.zeros(lq, lk).masked_fill(torch.arange(lk) == 0, -1e4),
}


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("mask_kind", list(MASKS))
@pytest.mark.parametrize(("qs", "ks", "vs", "dtype"), DIRECT + NOT_DIRECT)
def test_fast_path_direct_call_equals_the_checked_path(monkeypatch, qs, ks, vs, dtype,
                                                        mask_kind, causal):
    """The usual call skips the full checks (they cost about 3% of the kernel at L = 128) and
    returns exactly the tensor the checked fast path returns; every other call is checked."""
    from tokenlab import attention

    q, k, v = (randn(*s, seed=i).mul(3).to(dtype) for i, s in enumerate((qs, ks, vs)))
    lead, lq, lk = torch.broadcast_shapes(qs[:-2], ks[:-2]), qs[-2], ks[-2]
    mask = None if mask_kind is None else MASKS[mask_kind](lead, lq, lk)
    expected = attention._fast(attention._check(q, k, v, mask), causal)
    checks = []
    check = attention._check
    monkeypatch.setattr(attention, "_check", lambda *a: checks.append(1) or check(*a))
    fast, none = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal,
                                              need_weights=False)
    assert none is None
    assert fast.dtype == expected.dtype and torch.equal(fast, expected)
    direct = ((qs, ks, vs, dtype) in DIRECT and (mask is None or (
        mask.dtype == torch.bool and mask.dim() >= 2 and not causal)))
    assert bool(checks) != direct
    # weights, a subclass (nn.Parameter) or mixed dtypes always take the checks
    checks.clear()
    if k.is_floating_point():
        scaled_dot_product_attention(q, nn.Parameter(k), v, mask=mask, causal=causal,
                                     need_weights=False)
        other = torch.float32 if dtype == torch.float64 else torch.float64
        scaled_dot_product_attention(q, k, v.to(other), mask=mask, causal=causal,
                                     need_weights=False)
    scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    assert len(checks) == (3 if k.is_floating_point() else 1)


def test_fast_path_direct_call_leaves_bad_masks_to_the_checks():
    """A mask the direct call cannot take gets the checks' error, not torch's."""
    q = randn(2, 3, 4, 8)
    with pytest.raises(ValueError, match="would enlarge"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(5, 2, 3, 4, 4, dtype=torch.bool),
                                     need_weights=False)
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(3, 4, dtype=torch.bool),
                                     need_weights=False)
    with pytest.raises(TypeError, match="boolean or floating"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(4, 4, dtype=torch.int64),
                                     need_weights=False)


def test_fast_path_zeroes_rows_the_kernel_leaves_nan(monkeypatch):
    """Whatever torch gives for a query with no visible key (NaN before torch 2.5, and on
    some backends), the fast path returns zeros there."""
    sdpa = F.scaled_dot_product_attention

    def nan_rows(q, k, v, attn_mask=None, **kwargs):
        out = sdpa(q, k, v, attn_mask=attn_mask, **kwargs)
        if attn_mask is not None:
            seen = attn_mask if attn_mask.dtype == torch.bool else attn_mask > float("-inf")
            out = out.masked_fill(~seen.any(-1, keepdim=True), float("nan"))
        return out

    monkeypatch.setattr(F, "scaled_dot_product_attention", nan_rows)
    q = randn(2, 3, 4, seed=1)
    mask = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    fast, _ = scaled_dot_product_attention(q, q, q, mask=mask, need_weights=False)
    assert (fast[:, 1] == 0).all() and torch.isfinite(fast).all()
    additive = torch.zeros(3, 3).masked_fill(~mask, float("-inf"))
    fast2, _ = scaled_dot_product_attention(q, q, q, mask=additive, need_weights=False)
    torch.testing.assert_close(fast2, fast)
    # a mask that hides only the future of query 0 becomes fully masked with causal=True
    late = torch.tensor([False, True, True]).expand(3, 3)
    fast3, _ = scaled_dot_product_attention(q, q, q, mask=late, causal=True, need_weights=False)
    assert (fast3[:, 0] == 0).all() and torch.isfinite(fast3).all()
    # the direct call, (batch, heads, L, d) with a boolean mask, zeroes them too
    q4 = randn(2, 2, 3, 4, seed=2)
    fast4, _ = scaled_dot_product_attention(q4, q4, q4, mask=mask, need_weights=False)
    assert (fast4[..., 1, :] == 0).all() and torch.isfinite(fast4).all()


def test_fast_path_fully_masked_rows_and_gradients():
    q = randn(2, 3, 4, seed=1)
    mask = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    fast, _ = scaled_dot_product_attention(q, q, q, mask=mask, need_weights=False)
    assert (fast[:, 1] == 0).all()
    all_inf = torch.full((3, 3), float("-inf"))
    assert (scaled_dot_product_attention(q, q, q, mask=all_inf, need_weights=False)[0] == 0).all()
    for need in (True, False):
        qg = q.clone().requires_grad_()
        out, _ = scaled_dot_product_attention(qg, qg, qg, mask=mask, need_weights=need)
        out.sum().backward()
        assert torch.isfinite(qg.grad).all()
        if need:
            grad = qg.grad
        else:
            torch.testing.assert_close(qg.grad, grad, atol=1e-5, rtol=0)


def test_fast_path_with_a_mask_makes_no_copy_of_the_output(monkeypatch):
    """Without autograd, the kernel's output comes back as it is when no row is fully masked
    (the usual padding mask) and is zeroed in place when some row is: no second output-sized
    tensor (a fresh one cost more than the kernel at L = 128)."""
    sdpa = F.scaled_dot_product_attention
    made = []

    def spy(*args, **kwargs):
        made.append(sdpa(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    q, k, v = randn(2, 3, 4, 8, seed=1), randn(2, 3, 5, 8, seed=2), randn(2, 3, 5, 8, seed=3)
    padding = torch.tensor([[True] * 5, [True, True, True, False, False]])[:, None, None, :]
    fast, _ = scaled_dot_product_attention(q, k, v, mask=padding, need_weights=False)
    assert fast.data_ptr() == made[-1].data_ptr()
    assert torch.equal(fast, sdpa(q, k, v, attn_mask=padding))
    blind = torch.ones(4, 5, dtype=torch.bool)
    blind[2] = False  # query 2 sees no key
    fast, _ = scaled_dot_product_attention(q, k, v, mask=blind, need_weights=False)
    assert fast.data_ptr() == made[-1].data_ptr()
    assert (fast[..., 2, :] == 0).all() and (fast[..., [0, 1, 3], :] != 0).any()


@given(st.lists(st.integers(1, 3), max_size=4), st.lists(st.integers(1, 3), max_size=4))
@settings(max_examples=300, deadline=None)
def test_mask_fit_shortcut_agrees_with_torch_broadcasting(shape, target):
    """The mask check's shortcut says "fits" exactly when torch broadcasts the mask to the
    scores' shape without enlarging it."""
    from tokenlab import attention

    try:
        fits = torch.broadcast_shapes(tuple(shape), tuple(target)) == tuple(target)
    except RuntimeError:
        fits = False
    assert attention._fits(tuple(shape), tuple(target)) == fits


@pytest.mark.parametrize("need_weights", [True, False])
def test_no_keys_gives_zeros(need_weights):
    q, k, v = randn(3, 4), torch.zeros(0, 4), torch.zeros(0, 2)
    out, _ = scaled_dot_product_attention(q, k, v, need_weights=need_weights)
    assert out.shape == (3, 2) and (out == 0).all()


@pytest.mark.parametrize("need_weights", [True, False])
def test_zero_dimensional_keys_give_uniform_weights(need_weights):
    """d = 0: every score is an empty dot product, 0, so each query averages the values (the
    explicit path used to divide by sqrt(0) and raise ZeroDivisionError)."""
    q, k, v = torch.zeros(2, 0), torch.zeros(3, 0), randn(3, 2)
    out, weights = scaled_dot_product_attention(q, k, v, need_weights=need_weights)
    torch.testing.assert_close(out, v.mean(0).expand(2, 2), atol=1e-6, rtol=0)
    if need_weights:
        assert torch.equal(weights, torch.full((2, 3), 1 / 3))


def test_fast_path_inputs_not_modified():
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 3, seed=3)
    mask = torch.rand(2, 3, 5, generator=torch.Generator().manual_seed(0)) > 0.5
    fmask = torch.zeros(3, 5)
    copies = [t.clone() for t in (q, k, v, mask, fmask)]
    scaled_dot_product_attention(q, k, v, mask=mask, causal=True, need_weights=False)
    scaled_dot_product_attention(q, k, v, mask=fmask, causal=True, need_weights=False)
    scaled_dot_product_attention(q.half(), k, v.half(), mask=mask, need_weights=False)
    for t, c in zip((q, k, v, mask, fmask), copies, strict=True):
        assert torch.equal(t, c)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
def test_fast_path_half_precision_accuracy(dtype, mask_kind):
    """Moderate inputs: fp16 output within 1e-3 (bf16: 1e-2) of float64 on the same inputs,
    about the rounding of the output itself, as the explicit path."""
    q, k, v = (randn(2, 4, 32, 16, seed=s).to(dtype) for s in (1, 2, 3))
    mask = None
    if mask_kind is not None:
        keep = torch.rand(2, 1, 32, 32, generator=torch.Generator().manual_seed(4)) > 0.3
        keep[..., 3, :] = False
        mask = keep if mask_kind == "bool" else torch.zeros(keep.shape).masked_fill(
            ~keep, float("-inf"))
    fast, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=True, need_weights=False)
    out, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=True)
    expected, _ = scaled_dot_product_attention(q.double(), k.double(), v.double(),
                                               mask=mask, causal=True)
    assert fast.dtype == dtype
    if mask is not None:
        assert (fast[..., 3, :] == 0).all()
    tol = 1e-3 if dtype == torch.float16 else 1e-2
    torch.testing.assert_close(fast.double(), expected, atol=tol, rtol=tol)
    torch.testing.assert_close(out.double(), expected, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
def test_fast_path_half_precision_does_not_overflow(dtype, mask_kind):
    q = randn(2, 6, 64, seed=1).mul(60).to(dtype)
    k = randn(2, 6, 64, seed=2).mul(60).to(dtype)
    v = randn(2, 6, 16, seed=3).to(dtype)
    if dtype == torch.float16:  # a naive fp16 implementation overflows: scores beyond 65504
        assert not torch.isfinite(torch.softmax(q @ k.transpose(-2, -1) / 8.0, dim=-1)).all()
    keep = torch.ones(6, 6, dtype=torch.bool)
    keep[2, 1:] = False
    mask = {None: None, "bool": keep,
            "float": torch.zeros(6, 6).masked_fill(~keep, float("-inf"))}[mask_kind]
    out, none = scaled_dot_product_attention(q, k, v, mask=mask, need_weights=False)
    assert none is None and out.dtype == dtype and torch.isfinite(out).all()
    expected, _ = scaled_dot_product_attention(q.double(), k.double(), v.double(), mask=mask)
    tol = 1e-2 if dtype == torch.float16 else 5e-2
    torch.testing.assert_close(out.double(), expected, atol=tol, rtol=tol)


def test_fast_path_mixed_dtypes_promote():
    q, k, v = randn(3, 4).half(), randn(5, 4), randn(5, 2).half()
    fast, _ = scaled_dot_product_attention(q, k, v, need_weights=False)
    out, _ = scaled_dot_product_attention(q, k, v)
    assert fast.dtype == out.dtype == torch.float32
    torch.testing.assert_close(fast, out, atol=1e-6, rtol=0)


# ----------------------------------------------------------------------------- masks


def test_padding_mask():
    assert padding_mask([2, 0, 3], 3).tolist() == [
        [True, True, False], [False, False, False], [True, True, True]
    ]
    assert padding_mask(torch.tensor([1, 2])).shape == (2, 2)  # max_len defaults to max
    assert padding_mask([], 4).shape == (0, 4)
    assert padding_mask([2], 2).dtype == torch.bool


@pytest.mark.parametrize(
    ("lengths", "max_len", "match"),
    [([1, -1], 3, "non-negative"), ([1, 4], 3, "at most max_len=3"), ([[1]], 3, "1-D"),
     ([1.5], 3, "integers"), ([1], -1, "max_len")],
)
def test_padding_mask_rejects(lengths, max_len, match):
    with pytest.raises(ValueError, match=match):
        padding_mask(lengths, max_len)


def test_causal_mask():
    m = causal_mask(4)
    assert m.dtype == torch.bool and m.shape == (4, 4)
    assert torch.equal(m, torch.ones(4, 4, dtype=torch.bool).tril())
    assert causal_mask(0).shape == (0, 0)
    for bad in (-1, 2.5):
        with pytest.raises(ValueError, match="non-negative integer"):
            causal_mask(bad)


def test_masks_feed_the_function():
    q = randn(2, 4, 3)
    keep = padding_mask([4, 2], 4)[:, None, :] & causal_mask(4)
    out, weights = scaled_dot_product_attention(q, q, q, mask=keep)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, q, q, attn_mask=keep))
    assert (weights[1, :, 2:] == 0).all()


# ----------------------------------------------------------------------------- multi-head


def torch_mha(dim=16, heads=4, seed=0, bias=True):
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(dim, heads, batch_first=True, bias=bias)
    with torch.no_grad():  # non-zero biases, so a mix-up of q/k/v biases shows
        if bias:
            ref.in_proj_bias.normal_()
            ref.out_proj.bias.normal_()
    return ref.eval()


@pytest.mark.parametrize(
    ("padding", "causal", "average", "bias"),
    [c + (True,) for c in itertools.product([False, True], repeat=3)] + [(True, True, True, False)],
)
def test_mha_matches_torch(padding, causal, average, bias):
    ref = torch_mha(bias=bias)
    ours = MultiHeadSelfAttention.from_torch(ref).eval()
    x = randn(3, 6, 16, seed=7)
    kpm = ~padding_mask([6, 4, 1], 6) if padding else None
    am = ~causal_mask(6) if causal else None  # torch's nn.MultiheadAttention: True = blocked
    with torch.enable_grad():  # keep torch's fast path off
        expected, expected_w = ref(x, x, x, key_padding_mask=kpm, attn_mask=am,
                                   average_attn_weights=average)
    out, weights = ours(x, key_padding_mask=kpm, causal=causal, average_attn_weights=average)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, expected_w, atol=1e-5, rtol=0)
    # the same through attn_mask: boolean (True = blocked) and float (-inf = blocked)
    if causal:
        for am in (~causal_mask(6), nn.Transformer.generate_square_subsequent_mask(6)):
            out2, _ = ours(x, key_padding_mask=kpm, attn_mask=am)
            torch.testing.assert_close(out2, out, atol=1e-6, rtol=0)


def test_mha_parameters_are_torch_layout():
    ref = torch_mha()
    ours = MultiHeadSelfAttention.from_torch(ref)
    q, k, v = ref.in_proj_weight.chunk(3)
    assert torch.equal(ours.q_proj.weight, q) and torch.equal(ours.k_proj.weight, k)
    assert torch.equal(ours.v_proj.weight, v)
    assert torch.equal(ours.out_proj.weight, ref.out_proj.weight)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters())


def test_mha_per_head_mask_unbatched_and_seq_first():
    ref = torch_mha()
    ours = MultiHeadSelfAttention.from_torch(ref).eval()
    x = randn(2, 5, 16, seed=3)
    am = torch.rand(2 * 4, 5, 5, generator=torch.Generator().manual_seed(1)) > 0.7
    am[..., 0] = False  # every query sees key 0
    expected, expected_w = ref(x, x, x, attn_mask=am, average_attn_weights=False)
    out, weights = ours(x, attn_mask=am, average_attn_weights=False)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, expected_w, atol=1e-5, rtol=0)
    # unbatched (L, dim)
    out1, w1 = ours(x[0], key_padding_mask=torch.tensor([False] * 4 + [True]))
    out_b, w_b = ours(x[:1], key_padding_mask=torch.tensor([[False] * 4 + [True]]))
    torch.testing.assert_close(out1, out_b[0])
    torch.testing.assert_close(w1, w_b[0])
    # sequence-first
    seq_first = MultiHeadSelfAttention(16, 4, batch_first=False)
    seq_first.load_state_dict(ours.state_dict())
    out_sf, _ = seq_first(x.transpose(0, 1))
    torch.testing.assert_close(out_sf.transpose(0, 1), ours(x)[0])
    assert ours(x, need_weights=False)[1] is None


def test_mha_fully_padded_sequence_gives_no_nan():
    ours = MultiHeadSelfAttention(8, 2)
    out, weights = ours(randn(2, 3, 8), key_padding_mask=~padding_mask([3, 0], 3))
    assert torch.isfinite(out).all() and (weights[1] == 0).all()
    torch.testing.assert_close(out[1], ours.out_proj.bias.expand(3, 8))


def test_mha_errors():
    with pytest.raises(ValueError, match=r"dim=10.*heads=3"):
        MultiHeadSelfAttention(10, 3)
    ours = MultiHeadSelfAttention(8, 2)
    with pytest.raises(ValueError, match=r"\(2, 3, 7\)"):
        ours(torch.zeros(2, 3, 7))
    with pytest.raises(ValueError, match=r"key_padding_mask.*\(2, 3\).*\(2, 4\)"):
        ours(torch.zeros(2, 3, 8), key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"attn_mask.*\(4, 4\)"):
        ours(torch.zeros(2, 3, 8), attn_mask=torch.zeros(4, 4, dtype=torch.bool))


def test_mha_does_not_modify_input_and_dropout_only_in_training():
    ours = MultiHeadSelfAttention(8, 2, dropout=0.5)
    x, kpm = randn(2, 4, 8), ~padding_mask([4, 2], 4)
    x0, kpm0 = x.clone(), kpm.clone()
    ours.eval()
    a, b = ours(x, key_padding_mask=kpm)[0], ours(x, key_padding_mask=kpm)[0]
    assert torch.equal(a, b)
    ours.train()
    torch.manual_seed(0)
    c = ours(x, key_padding_mask=kpm)[0]
    assert not torch.allclose(a, c)
    assert torch.equal(x, x0) and torch.equal(kpm, kpm0)


# ----------------------------------------------------------------------------- encoder block


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_block_matches_torch_encoder_layer(norm_first, activation):
    torch.manual_seed(1)
    ref = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True,
                                     norm_first=norm_first, activation=activation).eval()
    block = TransformerEncoderBlock.from_torch(ref).eval()
    assert block.norm_first == norm_first
    x = randn(3, 6, 16, seed=2)
    kpm = ~padding_mask([6, 3, 5], 6)
    # torch's eval fast path (no grad) returns zeros at padded positions; run the reference
    # with the fast path disabled so every position can be compared.
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        expected = ref(x, src_key_padding_mask=kpm)
        expected_causal = ref(x, src_key_padding_mask=kpm, is_causal=True,
                              src_mask=~causal_mask(6))
    finally:
        torch.backends.mha.set_fastpath_enabled(True)
    x0 = x.clone()
    out = block(x, key_padding_mask=kpm)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)
    assert block.last_attention.shape == (3, 4, 6, 6)
    assert (block.last_attention[1, :, :, 3:] == 0).all()
    torch.testing.assert_close(block.last_attention.sum(-1), torch.ones(3, 4, 6))
    out_causal = block(x, key_padding_mask=kpm, causal=True)
    torch.testing.assert_close(out_causal, expected_causal, atol=1e-5, rtol=0)
    assert torch.equal(x, x0)
    # with torch's fast path (the default in eval + no_grad): non-padded positions agree
    with torch.no_grad():
        fast = ref(x, src_key_padding_mask=kpm)
    real = ~kpm
    torch.testing.assert_close(out.detach()[real], fast[real], atol=1e-5, rtol=0)


def test_block_manual_construction_and_errors():
    block = TransformerEncoderBlock(8, 2, 16, norm_first=True)
    x = randn(4, 8)  # unbatched
    assert block(x).shape == (4, 8) and block.last_attention.shape == (2, 4, 4)
    with pytest.raises(ValueError, match="activation"):
        TransformerEncoderBlock(8, 2, 16, activation="swish")
    with pytest.raises(ValueError, match=r"dim=8.*heads=3"):
        TransformerEncoderBlock(8, 3, 16)


# ----------------------------------------------------------------------------- modules, fast


def count_sdpa_calls(monkeypatch) -> list[int]:
    calls = [0]
    sdpa = F.scaled_dot_product_attention

    def counting(*args, **kwargs):
        calls[0] += 1
        return sdpa(*args, **kwargs)

    monkeypatch.setattr(F, "scaled_dot_product_attention", counting)
    return calls


@pytest.mark.parametrize("masks", ["none", "padding", "bool attn", "float attn", "both"])
def test_mha_need_weights_false_is_the_fast_path(monkeypatch, masks):
    ref = torch_mha()
    ours = MultiHeadSelfAttention.from_torch(ref).eval()
    x = randn(3, 6, 16, seed=7)
    kpm = ~padding_mask([6, 4, 0], 6) if masks in ("padding", "both") else None
    am = None
    if masks in ("bool attn", "both"):
        am = ~causal_mask(6)
    elif masks == "float attn":
        am = randn(6, 6, seed=2)
    for causal in (False, True):
        out, weights = ours(x, key_padding_mask=kpm, attn_mask=am, causal=causal)
        calls = count_sdpa_calls(monkeypatch)
        fast, none = ours(x, key_padding_mask=kpm, attn_mask=am, causal=causal,
                          need_weights=False)
        monkeypatch.undo()
        assert none is None and calls[0] == 1 and weights is not None
        torch.testing.assert_close(fast, out, atol=1e-6, rtol=0)
    # unbatched and sequence-first too
    torch.testing.assert_close(ours(x[0], need_weights=False)[0], ours(x[0])[0], atol=1e-6,
                               rtol=0)
    seq_first = MultiHeadSelfAttention(16, 4, batch_first=False)
    seq_first.load_state_dict(ours.state_dict())
    torch.testing.assert_close(seq_first(x.transpose(0, 1), need_weights=False)[0],
                               ours(x)[0].transpose(0, 1), atol=1e-6, rtol=0)


def test_mha_fast_path_with_dropout_in_training_is_reproducible(monkeypatch):
    ours = MultiHeadSelfAttention(8, 2, dropout=0.5).train()
    x, kpm = randn(2, 4, 8), ~padding_mask([4, 2], 4)
    torch.manual_seed(0)
    a, wa = ours(x, key_padding_mask=kpm)
    torch.manual_seed(0)
    calls = count_sdpa_calls(monkeypatch)
    b, wb = ours(x, key_padding_mask=kpm, need_weights=False)
    assert calls[0] == 0 and wb is None  # dropout needs the weights: the explicit path
    assert torch.equal(a, b)
    torch.manual_seed(0)
    assert torch.equal(ours(x, key_padding_mask=kpm, need_weights=False)[0], b)
    ours.eval()  # no dropout in eval: the fast path
    ours(x, need_weights=False)
    assert calls[0] == 1


def test_mha_fast_path_half_precision_and_float64():
    ref = torch_mha()
    for dtype, tol in ((torch.float64, 1e-12), (torch.float16, 2e-3)):
        ours = MultiHeadSelfAttention.from_torch(ref).to(dtype).eval()
        x = randn(2, 6, 16, seed=7).to(dtype)
        kpm = ~padding_mask([6, 3], 6)
        out, _ = ours(x, key_padding_mask=kpm, causal=True)
        fast, _ = ours(x, key_padding_mask=kpm, causal=True, need_weights=False)
        assert fast.dtype == dtype
        torch.testing.assert_close(fast, out, atol=tol, rtol=tol)


@pytest.mark.parametrize("norm_first", [False, True])
def test_block_keep_attention_false_is_the_fast_path(monkeypatch, norm_first):
    torch.manual_seed(1)
    ref = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True,
                                     norm_first=norm_first).eval()
    block = TransformerEncoderBlock.from_torch(ref).eval()
    fast_block = TransformerEncoderBlock.from_torch(ref, keep_attention=False).eval()
    assert block.keep_attention and not fast_block.keep_attention
    x, kpm = randn(3, 6, 16, seed=2), ~padding_mask([6, 3, 5], 6)
    for causal in (False, True):
        expected = block(x, key_padding_mask=kpm, causal=causal)
        assert block.last_attention is not None
        calls = count_sdpa_calls(monkeypatch)
        got = fast_block(x, key_padding_mask=kpm, causal=causal)
        monkeypatch.undo()
        assert calls[0] == 1 and fast_block.last_attention is None
        torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)
    # the attribute switches it, both ways
    block.keep_attention = False
    block(x)
    assert block.last_attention is None
    block.keep_attention = True
    block(x)
    assert block.last_attention.shape == (3, 4, 6, 6)
    small = TransformerEncoderBlock(8, 2, 16, keep_attention=False)
    assert small(randn(4, 8)).shape == (4, 8) and small.last_attention is None


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_matches_cpu():
    q, k, v = randn(2, 4, 7, 16, seed=1), randn(2, 4, 9, 16, seed=2), randn(2, 4, 9, 8, seed=3)
    mask = torch.rand(2, 1, 7, 9, generator=torch.Generator().manual_seed(0)) > 0.3
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask, causal=True)
    out_c, weights_c = scaled_dot_product_attention(q.cuda(), k.cuda(), v.cuda(),
                                                    mask=mask.cuda(), causal=True)
    assert out_c.device.type == "cuda"
    torch.testing.assert_close(out_c.cpu(), out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights_c.cpu(), weights, atol=1e-5, rtol=1e-5)
    half, _ = scaled_dot_product_attention(q.cuda().half() * 40, k.cuda().half() * 40, v.cuda())
    assert torch.isfinite(half).all()
    block = TransformerEncoderBlock(16, 4, 32).eval()
    x, kpm = randn(2, 5, 16), ~padding_mask([5, 3], 5)
    expected = block(x, key_padding_mask=kpm)
    got = block.cuda()(x.cuda(), key_padding_mask=kpm.cuda())
    torch.testing.assert_close(got.cpu(), expected, atol=1e-5, rtol=1e-5)


@cuda
@needs_cuda
def test_cuda_fast_path_matches_explicit():
    q, k, v = randn(2, 4, 7, 16, seed=1), randn(2, 4, 9, 16, seed=2), randn(2, 4, 9, 16, seed=3)
    keep = torch.rand(2, 1, 7, 9, generator=torch.Generator().manual_seed(0)) > 0.3
    keep[..., 2, :] = False  # a fully masked query row
    fmask = torch.zeros(keep.shape).masked_fill(~keep, float("-inf"))
    qc, kc, vc = q.cuda(), k.cuda(), v.cuda()
    for mask in (None, keep, fmask):
        for causal in (False, True):
            mc = None if mask is None else mask.cuda()
            out, _ = scaled_dot_product_attention(qc, kc, vc, mask=mc, causal=causal)
            fast, none = scaled_dot_product_attention(qc, kc, vc, mask=mc, causal=causal,
                                                      need_weights=False)
            assert none is None and fast.device.type == "cuda"
            torch.testing.assert_close(fast, out, atol=1e-5, rtol=1e-5)
            if mask is not None:
                assert (fast[..., 2, :] == 0).all()
    # half precision on the GPU's fused kernels: accurate, and no overflow at 60x
    expected, _ = scaled_dot_product_attention(qc.double(), kc.double(), vc.double(),
                                               mask=keep.cuda())
    half, _ = scaled_dot_product_attention(qc.half(), kc.half(), vc.half(), mask=keep.cuda(),
                                           need_weights=False)
    assert half.dtype == torch.float16
    torch.testing.assert_close(half.double(), expected, atol=2e-3, rtol=2e-3)
    big, _ = scaled_dot_product_attention((qc * 60).half(), (kc * 60).half(), vc.half(),
                                          need_weights=False)
    big_expected, _ = scaled_dot_product_attention((qc * 60).half().double(),
                                                   (kc * 60).half().double(), vc.double())
    assert torch.isfinite(big).all()
    torch.testing.assert_close(big.double(), big_expected, atol=1e-2, rtol=1e-2)
    block = TransformerEncoderBlock(16, 4, 32).eval().cuda()
    x, kpm = randn(2, 5, 16).cuda(), ~padding_mask([5, 3], 5).cuda()
    expected = block(x, key_padding_mask=kpm)
    block.keep_attention = False
    torch.testing.assert_close(block(x, key_padding_mask=kpm), expected, atol=1e-5, rtol=1e-5)

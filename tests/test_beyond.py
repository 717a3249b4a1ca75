"""tokenlab.beyond: patches against F.unfold and Conv2d, bins against torch and NumPy, records."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tokenlab.beyond import (
    FeatureTokenizer,
    dequantize,
    patch_grid,
    patchify,
    quantile_edges,
    quantize,
    uniform_edges,
    unpatchify,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

NODE_NUMERIC = {"cpu_free": (0, 64), "mem_free": (0, 256), "gpus": (0, 8)}
NODE_CATEGORICAL = {"zone": ["a", "b", "c"]}
TASK_NUMERIC = {"cpu": (0, 32), "mem": (0, 128), "gpus": (0, 4)}
TASK_CATEGORICAL = {"priority": ["low", "normal", "high"]}
NODE = {"cpu_free": 12, "mem_free": 96.5, "gpus": 2, "zone": "b"}
TASK = {"cpu": 4, "mem": 16.0, "gpus": 1, "priority": "high"}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def node_tokenizer(mode: str = "linear", **kw) -> FeatureTokenizer:
    kw.setdefault("seed", 0)
    return FeatureTokenizer(NODE_NUMERIC, NODE_CATEGORICAL, 8, mode=mode, **kw)


# ----------------------------------------------------------------------------- patches


def test_patch_order_on_a_hand_made_image():
    # A 4 x 6 image whose pixel value is 10 * row + col: patches read left to right, top down.
    image = torch.tensor([[10 * r + c for c in range(6)] for r in range(4)])[None]
    patches = patchify(image, 2)
    assert patches.shape == (1, 6, 4)
    assert patches[0].tolist() == [
        [0, 1, 10, 11], [2, 3, 12, 13], [4, 5, 14, 15],
        [20, 21, 30, 31], [22, 23, 32, 33], [24, 25, 34, 35],
    ]
    assert patch_grid((4, 6), 2) == (2, 3)


def test_channels_come_first_within_a_patch():
    image = torch.stack([torch.zeros(2, 2), torch.ones(2, 2), torch.full((2, 2), 2.0)])[None]
    assert patchify(image, 2)[0, 0].tolist() == [0.0] * 4 + [1.0] * 4 + [2.0] * 4


@pytest.mark.parametrize(
    "shape, p",
    [((2, 3, 8, 12), 4), ((1, 1, 6, 6), 3), ((3, 2, 4, 10), 2), ((2, 3, 5, 7), 1),
     ((1, 4, 6, 6), 6)],
)
def test_matches_unfold(shape, p):
    x = torch.randn(*shape, generator=gen(0))
    expected = F.unfold(x, kernel_size=p, stride=p).transpose(1, 2)
    assert torch.equal(patchify(x, p), expected)


def test_matches_a_conv_patch_embedding():
    # The ViT patch embedding of timm/torchvision: Conv2d(kernel_size=p, stride=p).
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 12, generator=gen(1))
    conv = nn.Conv2d(3, 5, kernel_size=4, stride=4)
    tokens = patchify(x, 4) @ conv.weight.flatten(1).T + conv.bias
    expected = conv(x).flatten(2).transpose(1, 2)  # (batch, rows * cols, 5), row-major
    torch.testing.assert_close(tokens, expected, atol=1e-5, rtol=1e-5)


def test_three_dimensional_input_is_one_channel():
    x = torch.randn(2, 4, 6, generator=gen(2))
    assert torch.equal(patchify(x, 2), patchify(x[:, None], 2))
    back = unpatchify(patchify(x, 2), 2, (4, 6))
    assert back.shape == (2, 1, 4, 6) and torch.equal(back[:, 0], x)


@settings(max_examples=60, deadline=None)
@given(
    batch=st.integers(1, 3), channels=st.integers(1, 4), rows=st.integers(1, 4),
    cols=st.integers(1, 4), p=st.integers(1, 4), seed=st.integers(0, 2**31 - 1),
    dtype=st.sampled_from([torch.float32, torch.float64, torch.uint8, torch.int64]),
)
def test_round_trip_is_bit_exact(batch, channels, rows, cols, p, seed, dtype):
    shape = (batch, channels, rows * p, cols * p)
    if dtype.is_floating_point:
        x = torch.randn(shape, generator=gen(seed), dtype=dtype)
    else:
        x = torch.randint(0, 256, shape, generator=gen(seed)).to(dtype)
    original = x.clone()
    patches = patchify(x, p)
    assert patches.shape == (batch, rows * cols, p * p * channels) and patches.dtype == dtype
    back = unpatchify(patches, p, (rows * p, cols * p), channels=channels)
    assert back.dtype == dtype and torch.equal(back, x)
    # The channels are read off the last dimension when not given.
    assert torch.equal(unpatchify(patches, p, (rows * p, cols * p)), x)
    assert torch.equal(x, original)


def test_patchify_accepts_arrays_and_never_aliases_its_input():
    x = np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    assert torch.equal(patchify(x, 2), patchify(torch.from_numpy(x), 2))
    single = torch.randn(1, 1, 4, 4, generator=gen(3))  # one patch: the reshape is a view
    kept = single.clone()
    patchify(single, 4).fill_(7.0)
    unpatchify(patchify(single, 4), 4, 4).fill_(7.0)
    assert torch.equal(single, kept)
    non_contiguous = torch.randn(1, 8, 8, 3, generator=gen(4)).permute(0, 3, 1, 2)
    assert torch.equal(patchify(non_contiguous, 4), patchify(non_contiguous.contiguous(), 4))


def test_square_image_size_as_an_int():
    x = torch.randn(1, 2, 6, 6, generator=gen(5))
    assert torch.equal(unpatchify(patchify(x, 3), 3, 6, channels=2), x)
    assert patch_grid(224, 16) == (14, 14)


def test_patch_errors():
    with pytest.raises(ValueError, match=r"H=5 and width W=6 .* patch_size=4"):
        patchify(torch.zeros(1, 5, 6), 4)
    with pytest.raises(ValueError, match=r"H=8 and width W=6 .* patch_size=4"):
        patchify(torch.zeros(1, 3, 8, 6), 4)
    with pytest.raises(ValueError, match="patch_size must be >= 1, got 0"):
        patchify(torch.zeros(1, 4, 4), 0)
    with pytest.raises(ValueError, match="patch_size must be >= 1, got -2"):
        patchify(torch.zeros(1, 4, 4), -2)
    with pytest.raises(TypeError, match="patch_size must be an integer"):
        patchify(torch.zeros(1, 4, 4), 2.0)
    with pytest.raises(ValueError, match=r"images must have shape .* got 2-D"):
        patchify(torch.zeros(4, 4), 2)
    with pytest.raises(ValueError, match=r"images must have shape .* got 5-D"):
        patchify(torch.zeros(1, 1, 1, 4, 4), 2)
    patches = patchify(torch.zeros(2, 3, 4, 6), 2)  # (2, 6, 12)
    with pytest.raises(ValueError, match=r"holds 6 patches .* \(H, W\) = \(4, 4\) .* = 4"):
        unpatchify(patches, 2, 4, channels=3)
    with pytest.raises(ValueError, match=r"last dimension of patches is 12, .* 2 \* 2 \* 1 = 4"):
        unpatchify(patches, 2, (4, 6), channels=1)
    with pytest.raises(ValueError, match=r"last dimension of patches is 10, .* multiple of .* = 4"):
        unpatchify(torch.zeros(2, 6, 10), 2, (4, 6))
    with pytest.raises(ValueError, match=r"last dimension of patches is 0"):
        unpatchify(torch.zeros(2, 6, 0), 2, (4, 6))
    with pytest.raises(ValueError, match="patches must have shape"):
        unpatchify(patches[0], 2, (4, 6), channels=3)
    with pytest.raises(ValueError, match=r"H=4 and width W=6 .* patch_size=4"):
        unpatchify(patches, 4, (4, 6), channels=3)
    with pytest.raises(ValueError, match="channels must be >= 1"):
        unpatchify(patches, 2, (4, 6), channels=0)
    with pytest.raises(ValueError, match="image_size must be an int or a pair"):
        patch_grid((4, 4, 4), 2)
    with pytest.raises(ValueError, match=r"image_size\[1\] \(W\) must be >= 1"):
        patch_grid((4, 0), 2)
    with pytest.raises(TypeError, match="image_size must be an integer"):
        patch_grid("44", 2)


# ----------------------------------------------------------------------------- bins

VALUES = torch.cat([torch.randn(200, generator=gen(6)) * 3,
                    torch.tensor([-2.0, -0.5, 0.0, 1.0, 2.5, 4.0, -9.0, 9.0])])
EDGES = torch.tensor([-2.0, -0.5, 0.0, 1.0, 2.5, 4.0])


@pytest.mark.parametrize("closed", ["left", "right"])
def test_quantize_matches_torch_and_numpy(closed):
    ids = quantize(VALUES, EDGES, closed=closed)
    assert ids.dtype == torch.int64 and ids.shape == VALUES.shape
    assert torch.equal(ids, torch.bucketize(VALUES, EDGES, right=(closed == "left")))
    expected = np.digitize(VALUES.numpy(), EDGES.numpy(), right=(closed == "right"))
    assert ids.tolist() == expected.tolist()


def test_quantize_bin_semantics_and_inputs():
    assert quantize([-1.0, 0.0, 0.5, 1.0, 7.0], [0.0, 1.0]).tolist() == [0, 1, 1, 2, 2]
    assert quantize([-1.0, 0.0, 0.5, 1.0, 7.0], [0.0, 1.0], closed="right").tolist() == [
        0, 0, 1, 1, 2]
    grid = torch.tensor([[1, 5], [9, 3]])
    assert quantize(grid, np.array([2.5, 6.0])).tolist() == [[0, 1], [2, 1]]
    assert quantize(3, [1, 2, 3]).item() == 3 and quantize(3, [1, 2, 3]).dim() == 0
    assert quantize(torch.tensor([], dtype=torch.float64), [0.0]).shape == (0,)
    values, edges = VALUES.clone(), EDGES.clone()
    quantize(values, edges)
    assert torch.equal(values, VALUES) and torch.equal(edges, EDGES)


def test_quantize_errors():
    with pytest.raises(ValueError, match="2 NaN value.*first at index 1"):
        quantize([0.0, float("nan"), 1.0, float("nan")], [0.5])
    with pytest.raises(ValueError, match=r"1 NaN value.*first at index \(1, 0\)"):
        quantize([[0.0, 1.0], [float("nan"), 2.0]], [0.5])
    with pytest.raises(ValueError, match=r"increasing, but edges\[1\] = 2.0 >= edges\[2\]"):
        quantize([1.0], [1.0, 2.0, 2.0])
    with pytest.raises(ValueError, match=r"strictly increasing, but edges\[0\] = 3"):
        quantize([1.0], [3.0, 1.0])
    with pytest.raises(ValueError, match="at least one edge, got none"):
        quantize([1.0], [])
    with pytest.raises(ValueError, match="edges must be 1-D"):
        quantize([1.0], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="edges must be finite"):
        quantize([1.0], [0.0, float("inf")])
    with pytest.raises(ValueError, match='closed must be "left" or "right"'):
        quantize([1.0], [0.0], closed="both")
    with pytest.raises(TypeError, match="values must hold real numbers, got dtype torch.bool"):
        quantize(torch.tensor([True]), [0.0])
    with pytest.raises(TypeError, match="edges must hold real numbers"):
        quantize([1.0], torch.tensor([1j]))
    with pytest.raises(TypeError, match="values must be a tensor, an array or a list"):
        quantize(["a"], [0.0])


def test_uniform_edges():
    assert uniform_edges(0, 64, 4).tolist() == [16.0, 32.0, 48.0]
    edges = uniform_edges(-1.0, 2.0, 3, dtype=torch.float64)
    assert edges.dtype == torch.float64 and edges.tolist() == [0.0, 1.0]
    # Values in [low, high] get ids 0 .. bins - 1; high goes to the last bin.
    assert quantize([0.0, 63.99, 64.0, 100.0, -5.0], uniform_edges(0, 64, 4)).tolist() == [
        0, 3, 3, 3, 0]
    with pytest.raises(ValueError, match="low must be < high, got low=2.0, high=2.0"):
        uniform_edges(2, 2, 4)
    with pytest.raises(ValueError, match="bins must be >= 2, got 1"):
        uniform_edges(0, 1, 1)
    with pytest.raises(ValueError, match="high must be finite"):
        uniform_edges(0, float("inf"), 4)
    with pytest.raises(TypeError, match="low must be a real number"):
        uniform_edges("0", 1, 4)
    with pytest.raises(TypeError, match="bins must be an integer"):
        uniform_edges(0, 1, 4.0)
    with pytest.raises(TypeError, match="dtype must be a floating-point"):
        uniform_edges(0, 1, 4, dtype=torch.int64)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-1e3, 1e3), width=st.floats(1e-2, 1e3), bins=st.integers(2, 64),
    seed=st.integers(0, 2**31 - 1),
)
def test_dequantize_error_is_at_most_half_a_bin_inside_the_range(low, width, bins, seed):
    high = low + width
    edges = uniform_edges(low, high, bins, dtype=torch.float64)
    values = low + torch.rand(500, generator=gen(seed), dtype=torch.float64) * width
    values = torch.cat([values, torch.tensor([low, high], dtype=torch.float64), edges])
    ids = quantize(values, edges)
    assert int(ids.min()) >= 0 and int(ids.max()) <= bins - 1
    back = dequantize(ids, edges, low=low, high=high)
    assert back.dtype == torch.float64
    assert float((back - values).abs().max()) <= width / (2 * bins) * (1 + 1e-9) + 1e-12


def test_dequantize_centres_and_outer_bins():
    edges = [2.0, 4.0, 6.0]
    assert dequantize([0, 1, 2, 3], edges).tolist() == [2.0, 3.0, 5.0, 6.0]
    assert dequantize([0, 3], edges, low=0.0, high=10.0).tolist() == [1.0, 8.0]
    assert dequantize([0, 3], edges, low=2.0, high=6.0).tolist() == [2.0, 6.0]
    as_ints = dequantize(torch.tensor([[1, 2]]), torch.tensor([1, 2, 4]))
    assert as_ints.dtype == torch.get_default_dtype() and as_ints.tolist() == [[1.5, 3.0]]
    assert dequantize(np.array([1]), np.array([0.0, 1.0])).tolist() == [0.5]


def test_dequantize_errors():
    with pytest.raises(ValueError, match=r"0 \.\. 2, got 2 outside, the first 3 at index 1"):
        dequantize([0, 3, -1], [1.0, 2.0])
    with pytest.raises(TypeError, match="ids must be integers, got dtype torch.float32"):
        dequantize(torch.tensor([1.0]), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"low must be <= edges\[0\] = 1.0, got 1.5"):
        dequantize([0], [1.0, 2.0], low=1.5)
    with pytest.raises(ValueError, match=r"high must be >= edges\[-1\] = 2.0, got 1.5"):
        dequantize([0], [1.0, 2.0], high=1.5)
    with pytest.raises(ValueError, match="low must be finite"):
        dequantize([0], [1.0, 2.0], low=float("-inf"))
    with pytest.raises(ValueError, match="strictly increasing"):
        dequantize([0], [2.0, 1.0])


def test_quantile_edges_give_equal_counts_on_distinct_values():
    values = torch.randperm(103, generator=gen(7)).to(torch.float32) * 0.5
    for bins in (2, 3, 4, 10):
        edges = quantile_edges(values, bins)
        assert edges.numel() == bins - 1 and edges.dtype == values.dtype
        counts = torch.bincount(quantize(values, edges), minlength=bins)
        assert int(counts.max()) - int(counts.min()) <= 1 and int(counts.sum()) == 103
    assert quantile_edges([1, 2, 3, 4, 5, 6, 7, 8], 4).tolist() == [3, 5, 7]


def test_quantile_edges_with_ties_leave_no_bin_empty():
    values = torch.tensor([0.0] * 50 + [1.0] * 3 + [2.0] * 40 + [5.0, 6.0])
    original = values.clone()
    edges = quantile_edges(values, 8)
    assert edges.numel() < 7 and bool((edges[1:] > edges[:-1]).all())
    counts = torch.bincount(quantize(values, edges), minlength=edges.numel() + 1)
    assert bool((counts > 0).all())
    assert quantile_edges([0.0, 0.0, 0.0, 0.0, 1.0, 2.0], 3).tolist() == [1.0]
    assert torch.equal(values, original)


def test_quantile_edges_errors():
    with pytest.raises(ValueError, match=r"1 distinct value\(s\) \(3.0\); at least two"):
        quantile_edges([3.0, 3.0, 3.0], 4)
    with pytest.raises(ValueError, match="at least two distinct values, got none"):
        quantile_edges([], 4)
    with pytest.raises(ValueError, match="1 NaN value.*first at index 2"):
        quantile_edges([1.0, 2.0, float("nan")], 2)
    with pytest.raises(ValueError, match="bins must be >= 2"):
        quantile_edges([1.0, 2.0], 1)
    assert quantile_edges([1.0, 2.0, 3.0], 10).tolist() == [2.0, 3.0]  # fewer values than bins


# ----------------------------------------------------------------------------- records


@pytest.mark.parametrize("mode", ["linear", "binned"])
def test_shapes_and_parameter_counts(mode):
    node = node_tokenizer(mode, bins=16)
    tokens = node.encode([NODE, {**NODE, "zone": "c"}, {**NODE, "gpus": 8}])
    assert tokens.shape == (3, 8) and tokens.dtype == torch.float32
    n_params = sum(p.numel() for p in node.parameters())
    numeric = 3 * 8 + 8 if mode == "linear" else 3 * 16 * 8
    assert n_params == numeric + 3 * 8
    task = FeatureTokenizer(TASK_NUMERIC, TASK_CATEGORICAL, 16, mode=mode, seed=1)
    assert task.encode([TASK]).shape == (1, 16)
    assert node.fields == ("cpu_free", "mem_free", "gpus", "zone")
    assert node.encode([]).shape == (0, 8)


@pytest.mark.parametrize("mode", ["linear", "binned"])
def test_forward_is_the_sum_of_the_fields(mode):
    node = node_tokenizer(mode, bins=4)
    numeric, categorical = node.to_tensors([NODE])
    assert numeric.tolist() == [[12.0, 96.5, 2.0]] and categorical.tolist() == [[1]]
    expected = node.categorical_embeddings[0].weight[1]
    if mode == "linear":
        scaled = torch.tensor([12 / 64, 96.5 / 256, 2 / 8])
        expected = expected + node.numeric_proj.weight @ scaled + node.numeric_proj.bias
    else:
        for emb, bin_id in zip(node.numeric_embeddings, (0, 1, 1), strict=True):
            expected = expected + emb.weight[bin_id]
    torch.testing.assert_close(node.encode([NODE])[0], expected)


def test_linear_mode_is_affine_in_each_field():
    node = node_tokenizer("linear")
    low, mid, high = (node.encode([{**NODE, "cpu_free": v}])[0] for v in (0, 32, 64))
    torch.testing.assert_close(mid, (low + high) / 2)


def test_binned_mode_is_constant_within_a_bin():
    node = node_tokenizer("binned", bins=4)  # cpu_free bins: [0, 16), [16, 32), ...
    a, b, c = (node.encode([{**NODE, "cpu_free": v}])[0] for v in (16, 31.9, 32))
    assert torch.equal(a, b) and not torch.equal(b, c)


@pytest.mark.parametrize("mode", ["linear", "binned"])
def test_same_record_same_token_other_category_other_token(mode):
    node = node_tokenizer(mode)
    tokens = node.encode([NODE, dict(NODE), {**NODE, "zone": "a"}])
    assert torch.equal(tokens[0], tokens[1])
    assert not torch.allclose(tokens[0], tokens[2])


def test_rows_and_columns_give_the_same_tensors():
    node = node_tokenizer("binned")
    rows = [NODE, {"cpu_free": 60, "mem_free": 200.0, "gpus": 8, "zone": "a"}]
    columns = {"cpu_free": [12, 60], "mem_free": np.array([96.5, 200.0]),
               "gpus": torch.tensor([2, 8]), "zone": np.array(["b", "a"])}
    for got, want in zip(node.to_tensors(columns), node.to_tensors(rows), strict=True):
        assert torch.equal(got, want)
    assert torch.equal(node.encode(columns), node.encode(rows))
    scalars = {**NODE, "cpu_free": np.int64(12), "mem_free": torch.tensor(96.5)}
    assert torch.equal(node.encode([scalars]), node.encode([NODE]))


@pytest.mark.parametrize("mode", ["linear", "binned"])
def test_gradients_flow_to_the_fields_used(mode):
    node = node_tokenizer(mode, bins=4)
    node.encode([NODE, {**NODE, "zone": "c"}]).pow(2).sum().backward()
    zone = node.categorical_embeddings[0].weight.grad
    assert zone[[1, 2]].abs().sum() > 0 and torch.equal(zone[0], torch.zeros(8))
    if mode == "linear":
        assert node.numeric_proj.weight.grad.abs().sum() > 0
        assert node.numeric_proj.bias.grad.abs().sum() > 0
    else:
        cpu = node.numeric_embeddings[0].weight.grad  # 12 cores: bin 0 of 4
        assert cpu[0].abs().sum() > 0 and torch.equal(cpu[1:], torch.zeros(3, 8))


@pytest.mark.parametrize("mode", ["linear", "binned"])
def test_seeded_initialization_is_deterministic(mode):
    a, b, c = (node_tokenizer(mode, seed=s) for s in (3, 3, 4))
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    assert not torch.equal(a.encode([NODE]), c.encode([NODE]))
    d = node_tokenizer(mode, seed=None, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.encode([NODE]), d.encode([NODE]))
    fresh = node_tokenizer(mode, seed=9)
    fresh.load_state_dict(a.state_dict())
    assert torch.equal(fresh.encode([NODE]), a.encode([NODE]))


def test_clip_and_out_of_range_readings():
    strict = node_tokenizer("linear")
    with pytest.raises(ValueError, match=r"'cpu_free' reads 70.0 in row 1, .*\[0.0, 64.0\]"):
        strict.encode([NODE, {**NODE, "cpu_free": 70}])
    for mode in ("linear", "binned"):
        clipped = node_tokenizer(mode, clip=True)
        high, above = clipped.encode([{**NODE, "cpu_free": 64}, {**NODE, "cpu_free": 1e9}])
        low, below = clipped.encode([{**NODE, "cpu_free": 0}, {**NODE, "cpu_free": -5}])
        assert torch.equal(high, above) and torch.equal(low, below)


def test_only_numeric_or_only_categorical_fields():
    numeric_only = FeatureTokenizer({"x": (0, 1)}, {}, 4, seed=0)
    assert numeric_only.encode([{"x": 0.5}]).shape == (1, 4)
    assert numeric_only(torch.tensor([[0.5]])).shape == (1, 4)
    categorical_only = FeatureTokenizer({}, {"c": ["u", "v"]}, 4, mode="binned", seed=0)
    tokens = categorical_only(categorical=torch.tensor([[1], [0]]))
    assert torch.equal(tokens, categorical_only.categorical_embeddings[0].weight[[1, 0]])


def test_float64_parameters():
    node = node_tokenizer("linear", dtype=torch.float64)
    assert node.encode([NODE]).dtype == torch.float64
    assert node.to_tensors([NODE])[0].dtype == torch.float64


def test_inputs_are_not_mutated():
    node = node_tokenizer("binned")
    records = [dict(NODE), {**NODE, "zone": "c"}]
    columns = {"cpu_free": torch.tensor([1.0, 2.0]), "mem_free": [3.0, 4.0],
               "gpus": np.array([1, 2]), "zone": ["a", "b"]}
    kept_records, kept_columns = copy.deepcopy(records), copy.deepcopy(columns)
    node.encode(records)
    node.encode(columns)
    assert records == kept_records
    assert torch.equal(columns["cpu_free"], kept_columns["cpu_free"])
    assert columns["mem_free"] == kept_columns["mem_free"] and columns["zone"] == ["a", "b"]
    assert np.array_equal(columns["gpus"], kept_columns["gpus"])
    numeric, categorical = node.to_tensors(records)
    n0, c0 = numeric.clone(), categorical.clone()
    node(numeric, categorical)
    assert torch.equal(numeric, n0) and torch.equal(categorical, c0)


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"'cpu' must have low < high, got \(4.0, 4.0\)"):
        FeatureTokenizer({"cpu": (4, 4)}, {}, 8)
    with pytest.raises(TypeError, match=r"range of numeric field 'cpu' must be a pair"):
        FeatureTokenizer({"cpu": (0, 1, 2)}, {}, 8)
    with pytest.raises(ValueError, match="high of numeric field 'cpu' must be finite"):
        FeatureTokenizer({"cpu": (0, float("inf"))}, {}, 8)
    with pytest.raises(TypeError, match="categories of field 'zone' must be a sequence of str"):
        FeatureTokenizer({}, {"zone": "abc"}, 8)
    with pytest.raises(TypeError, match=r"categories of field 'zone' must be strings, got 1"):
        FeatureTokenizer({}, {"zone": ["a", 1]}, 8)
    with pytest.raises(ValueError, match="field 'zone' lists the category 'a' more than once"):
        FeatureTokenizer({}, {"zone": ["a", "b", "a"]}, 8)
    with pytest.raises(ValueError, match="field 'zone' must have at least one category"):
        FeatureTokenizer({}, {"zone": []}, 8)
    with pytest.raises(ValueError, match="field 'gpus' is both numeric and categorical"):
        FeatureTokenizer({"gpus": (0, 8)}, {"gpus": ["0", "8"]}, 8)
    with pytest.raises(ValueError, match="at least one numeric or categorical field"):
        FeatureTokenizer({}, {}, 8)
    with pytest.raises(TypeError, match="numeric field names must be strings"):
        FeatureTokenizer({1: (0, 1)}, {}, 8)
    with pytest.raises(TypeError, match="numeric must be a mapping"):
        FeatureTokenizer([("cpu", (0, 1))], {}, 8)
    with pytest.raises(ValueError, match="dim must be >= 1, got 0"):
        FeatureTokenizer({"cpu": (0, 1)}, {}, 0)
    with pytest.raises(ValueError, match='mode must be "linear" or "binned", got \'onehot\''):
        FeatureTokenizer({"cpu": (0, 1)}, {}, 8, mode="onehot")
    with pytest.raises(ValueError, match="bins must be >= 2, got 1"):
        FeatureTokenizer({"cpu": (0, 1)}, {}, 8, mode="binned", bins=1)
    with pytest.raises(ValueError, match="pass seed or generator, not both"):
        FeatureTokenizer({"cpu": (0, 1)}, {}, 8, seed=0, generator=torch.Generator())
    with pytest.raises(TypeError, match="dtype must be a floating-point"):
        FeatureTokenizer({"cpu": (0, 1)}, {}, 8, dtype=torch.int64)


def test_record_errors():
    node = node_tokenizer("linear")
    with pytest.raises(ValueError, match=r"records\[1\] has unknown field 'zon'"):
        node.encode([NODE, {**{k: v for k, v in NODE.items() if k != "zone"}, "zon": "a"}])
    with pytest.raises(ValueError, match=r"records\[0\] is missing field 'gpus'"):
        node.encode([{k: v for k, v in NODE.items() if k != "gpus"}])
    with pytest.raises(
        ValueError,
        match=r"unknown category 'd' for field 'zone' at records\[0\]\['zone'\]; "
        r"allowed: \['a', 'b', 'c'\]",
    ):
        node.encode([{**NODE, "zone": "d"}])
    with pytest.raises(TypeError, match=r"records\[0\]\['cpu_free'\] must be a number.*str '12'"):
        node.encode([{**NODE, "cpu_free": "12"}])
    with pytest.raises(TypeError, match=r"records\[0\]\['gpus'\] must be a number.*bool"):
        node.encode([{**NODE, "gpus": True}])
    with pytest.raises(TypeError, match=r"records\[0\]\['zone'\] must be a string.*int 1"):
        node.encode([{**NODE, "zone": 1}])
    with pytest.raises(ValueError, match=r"records\[1\]\['mem_free'\] is NaN"):
        node.encode([NODE, {**NODE, "mem_free": float("nan")}])
    with pytest.raises(ValueError, match=r"records\['mem_free'\]\[0\] is NaN"):
        node.encode({"cpu_free": [1], "mem_free": np.array([np.nan]), "gpus": [1], "zone": ["a"]})
    with pytest.raises(ValueError, match="columns of records must have equal lengths"):
        node.encode({"cpu_free": [1, 2], "mem_free": [1], "gpus": [1], "zone": ["a"]})
    with pytest.raises(TypeError, match=r"records\['cpu_free'\] must be a 1-D column.*\[record\]"):
        node.encode(NODE)
    with pytest.raises(ValueError, match="records has unknown field 'cpu'"):
        node.encode({"cpu": [1], "mem_free": [1], "gpus": [1], "zone": ["a"]})
    with pytest.raises(TypeError, match=r"records\['zone'\] must hold category strings"):
        node.encode({"cpu_free": [1], "mem_free": [1], "gpus": [1], "zone": torch.tensor([0])})
    with pytest.raises(TypeError, match=r"records\[0\] must be a dict"):
        node.encode([["cpu_free", 1]])
    with pytest.raises(TypeError, match="records must be a list of dicts"):
        node.encode("cpu_free=1")


def test_forward_errors():
    node = node_tokenizer("binned")
    numeric, categorical = node.to_tensors([NODE])
    with pytest.raises(ValueError, match=r"numeric must have shape \(n, 3\).*got \(1, 2\)"):
        node(numeric[:, :2], categorical)
    with pytest.raises(ValueError, match="numeric is required"):
        node(categorical=categorical)
    with pytest.raises(ValueError, match="same rows n"):
        node(numeric.repeat(2, 1), categorical)
    with pytest.raises(TypeError, match="categorical must hold integer category ids"):
        node(numeric, categorical.float())
    with pytest.raises(TypeError, match="numeric must be a torch.Tensor"):
        node(numeric.tolist(), categorical)
    with pytest.raises(ValueError, match=r"categorical id 3 in row 0 .* 0 \.\. 2 of field 'zone'"):
        node(numeric, torch.tensor([[3]]))
    with pytest.raises(ValueError, match=r"1 NaN reading\(s\), the first in row 0, field 'gpus'"):
        node(torch.tensor([[1.0, 2.0, float("nan")]]), categorical)
    with pytest.raises(ValueError, match="numeric is on meta but the tokenizer is on cpu"):
        node(numeric.to("meta"), categorical)


def test_extra_repr():
    assert "mode='binned', bins=4" in repr(node_tokenizer("binned", bins=4))


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_follows_the_module():
    x = torch.randn(2, 3, 8, 12, generator=gen(8))
    patches = patchify(x.cuda(), 4)
    assert patches.device.type == "cuda" and torch.equal(patches.cpu(), patchify(x, 4))
    assert torch.equal(unpatchify(patches, 4, (8, 12), 3).cpu(), x)
    ids = quantize(VALUES.cuda(), EDGES)  # edges move to the values' device
    assert ids.device.type == "cuda" and torch.equal(ids.cpu(), quantize(VALUES, EDGES))
    assert dequantize(ids, EDGES).device.type == "cuda"
    for mode in ("linear", "binned"):
        cpu = node_tokenizer(mode)
        gpu = node_tokenizer(mode, device="cuda")  # same seed -> same weights on every device
        moved = node_tokenizer(mode).cuda()
        numeric, categorical = gpu.to_tensors([NODE, {**NODE, "zone": "c"}])
        assert numeric.device.type == "cuda" and categorical.device.type == "cuda"
        for module in (gpu, moved):
            tokens = module.encode([NODE, {**NODE, "zone": "c"}])
            assert tokens.device.type == "cuda"
            torch.testing.assert_close(tokens.cpu(), cpu.encode([NODE, {**NODE, "zone": "c"}]))
        with pytest.raises(ValueError, match="numeric is on cpu but the tokenizer is on cuda"):
            gpu(numeric.cpu(), categorical)

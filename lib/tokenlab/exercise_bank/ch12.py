"""Chapter 12 (everything is a token): checkers for its three coding exercises.

``ch12-patchify``
    ``to_patches(images: Tensor, p: int) -> Tensor``: cut a batch of single-channel images,
    shape ``(batch, H, W)`` (``p`` divides both ``H`` and ``W``), into ``p x p`` patches and
    return them as one token vector each, shape ``(batch, (H // p) * (W // p), p * p)``. The
    patches are numbered in row-major (reading) order: left to right along the top row of
    patches, then the next row down, so patch ``k`` sits at row ``k // (W // p)`` and column
    ``k % (W // p)`` of the grid of patches. Each patch is flattened row by row: its top row of
    ``p`` pixels first. Nothing is computed, pixels only move: the result holds the images'
    values, in a floating dtype. It equals :func:`tokenlab.beyond.patchify` ``(images, p)``.
``ch12-quantize``
    ``tokenize_readings(values: Tensor, low: float, high: float, bins: int) -> Tensor``: turn
    readings into token ids. ``[low, high]`` is cut into ``bins`` equal bins of width
    ``(high - low) / bins``, numbered ``0 .. bins - 1`` from ``low`` up. A reading gets the id
    of the bin it falls in; a reading on an inner edge belongs to the bin that starts there (the
    bins are closed on the left); ``high`` itself belongs to the last bin, ``bins - 1``; a
    reading below ``low`` gets 0 and one above ``high`` gets ``bins - 1`` (clipped into the end
    bins). ``values`` is a floating tensor of any shape (0-d included); the result is an int64
    tensor (``torch.long``) of the same shape. It equals :func:`tokenlab.beyond.quantize`
    ``(values, uniform_edges(low, high, bins))``.
``ch12-reconstruction-error``
    ``reconstruction_error(values: Tensor, low: float, high: float, bins: int) -> float``: how
    much the tokens of ``ch12-quantize`` forget. Tokenize the readings as there, turn each id
    back into a reading, the centre of its bin (halfway between the bin's two edges), and
    return the mean absolute difference between the reconstructed and the original readings,
    as a Python float. A reading outside ``[low, high]`` comes back as the centre of an end
    bin and is compared with its original value: clipping is part of the error.

The expected patches come from :func:`tokenlab.beyond.patchify` and must match exactly (a
rearrangement is exact); the expected ids from :func:`tokenlab.beyond.quantize` with
:func:`tokenlab.beyond.uniform_edges`, both in float64, and must match exactly (no hidden
reading lies so close to an inner edge that float32 rounding could move it across); the
expected error from :func:`tokenlab.beyond.dequantize` with ``low`` and ``high``, in float64,
compared within 1e-6 times the size of the readings (:data:`TOLERANCE`, :func:`error_tolerance`).

Examples
--------
>>> import torch
>>> from tokenlab.exercises import check
>>> def to_patches(images, p):
...     b, h, w = images.shape
...     grid = images.reshape(b, h // p, p, w // p, p)     # (b, rows, p, cols, p)
...     return grid.permute(0, 1, 3, 2, 4).reshape(b, -1, p * p)
>>> check("ch12-patchify", to_patches).passed
True
>>> def tokenize_readings(values, low, high, bins):
...     width = (high - low) / bins
...     ids = torch.floor((values.double() - low) / width).long()
...     return ids.clamp(0, bins - 1)
>>> check("ch12-quantize", tokenize_readings).passed
True
>>> def reconstruction_error(values, low, high, bins):
...     width = (high - low) / bins
...     ids = tokenize_readings(values, low, high, bins)
...     centres = low + (ids + 0.5) * width
...     return (values.double() - centres).abs().mean().item()
>>> check("ch12-reconstruction-error", reconstruction_error).passed
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from tokenlab.exercise_bank._compare import (
    Target,
    TensorTarget,
    as_float64,
    as_number,
    close_number,
    not_a_tensor_remark,
    pitfall_remark,
    show_float,
    show_tensor,
)
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

#: The reconstruction error must be within ``TOLERANCE * max(1, size of the readings)``.
TOLERANCE = 1e-6
#: No hidden reading of ``ch12-quantize`` lies closer than this (in bin widths) to an inner
#: edge, unless it is exactly on it and exactly representable (so float32 and float64 agree).
EDGE_MARGIN = 1e-4


def _generator(seed: int) -> Any:
    import torch

    return torch.Generator().manual_seed(seed)


def _dtype(name: str) -> Any:
    import torch

    return {"float32": torch.float32, "float64": torch.float64}[name]


# ---- ch12-patchify --------------------------------------------------------------------------

#: (kind, shape (batch, H, W), p, seed, dtype): square and non-square images, one pixel per
#: patch, one patch per image, the 8 x 8 digits with p = 4 and p = 2, float32 and float64.
#: ``arange`` images are ``torch.arange(batch * H * W).reshape(shape)``; ``digits`` hold
#: random whole numbers 0 .. 16 like scikit-learn's digits; ``random`` are normal draws.
PATCH_INPUTS: list[tuple[str, tuple[int, int, int], int, int, str]] = [
    ("arange", (1, 4, 4), 2, 0, "float32"),
    ("arange", (1, 4, 6), 2, 0, "float32"),
    ("random", (2, 6, 4), 2, 1, "float32"),
    ("digits", (3, 8, 8), 4, 2, "float32"),
    ("digits", (2, 8, 8), 2, 3, "float32"),
    ("random", (2, 4, 4), 1, 4, "float32"),
    ("random", (2, 5, 5), 5, 5, "float32"),
    ("random", (1, 6, 9), 3, 6, "float64"),
    ("random", (2, 12, 8), 4, 7, "float32"),
]


@dataclass(frozen=True)
class PatchTarget(TensorTarget):
    """The expected patches (float64), the images' dtype and the grid ``(rows, cols, p)``."""

    dtype: Any = None
    grid: tuple[int, int, int] = (0, 0, 0)


def _images(kind: str, shape: tuple[int, int, int], seed: int, dtype: str) -> Any:
    import torch

    dt = _dtype(dtype)
    if kind == "arange":
        return torch.arange(math.prod(shape), dtype=dt).reshape(shape)
    if kind == "digits":
        return torch.randint(0, 17, shape, generator=_generator(seed)).to(dt)
    return torch.randn(shape, generator=_generator(seed), dtype=dt)


def _patch_pitfalls(x: Any, p: int) -> list[tuple[Any, str]]:
    """Typical wrong layouts of the float64 images ``x`` ``(b, H, W)``, with their remarks."""
    b, h, w = x.shape
    rows, cols = h // p, w // p
    grid = x.reshape(b, rows, p, cols, p)

    def layout(*order: int) -> Any:
        return grid.permute(0, *order).reshape(b, rows * cols, p * p)

    strided = x.reshape(b, p, rows, p, cols).permute(0, 2, 4, 1, 3).reshape(b, rows * cols, p * p)
    return [
        (x.reshape(b, rows * cols, p * p),
         "a reshape alone takes p * p consecutive pixels in reading order, a strip of the "
         "image, not a p x p square: split H into (H // p, p) and W into (W // p, p), then "
         "permute so that the two axes of the grid of patches come before the two axes of "
         "the pixels inside a patch"),
        (layout(3, 1, 2, 4),
         "the patches are in column-major order (down the first column of patches first): "
         "number them in reading order, left to right along the top row of patches, then "
         "the next row down"),
        (layout(1, 3, 4, 2),
         "each patch is flattened column by column: flatten it row by row, its top row of p "
         "pixels first"),
        (layout(3, 1, 4, 2),
         "those are the patches of the transposed image: images[b, i, j] is the pixel in row "
         "i (the height axis) and column j (the width axis)"),
        (layout(1, 3, 2, 4).transpose(1, 2),
         "that is the layout of F.unfold, (batch, p * p, number of patches): transpose the "
         "last two axes so that there is one row per patch"),
        (strided,
         "your patches are not squares of neighbouring pixels: they take every (H // p)-th "
         "pixel; split H as (H // p, p), the patch row first and the row inside the patch "
         "second (and W the same way)"),
    ]


def _patch_target(images: Any, p: int) -> PatchTarget:
    import torch

    from tokenlab.beyond import patchify

    x = images.to(torch.float64)
    _, h, w = images.shape
    return PatchTarget(patchify(images, p).to(torch.float64), lambda: _patch_pitfalls(x, p),
                       dtype=images.dtype, grid=(h // p, w // p, p))


def _patch_label(kind: str, images: Any, p: int) -> str:
    b, h, w = images.shape
    dtype = str(images.dtype).replace("torch.", "")
    if kind == "arange":
        return f"images=torch.arange({b * h * w}.0).reshape{(b, h, w)} and p={p}"
    if kind == "digits":
        return (f"a batch of {b} random {h} x {w} digit-like images ({dtype} pixels 0 .. 16) "
                f"and p={p}")
    return f"a random {dtype} batch images of shape {(b, h, w)} and p={p}"


def patch_cases() -> list[Case]:
    """The hidden cases of ``ch12-patchify``; the expected patches come from ``patchify``."""
    cases = []
    for kind, shape, p, seed, dtype in PATCH_INPUTS:
        images = _images(kind, shape, seed, dtype)
        cases.append(Case((images, p), _patch_target(images, p),
                          label=_patch_label(kind, images, p)))
    return cases


def _same_patches(got: Any, expected: PatchTarget) -> bool:
    import torch

    g = as_float64(got)
    return (g is not None and tuple(g.shape) == tuple(expected.value.shape)
            and torch.equal(g, expected.value))


def _patch_remark(got: Any, expected: PatchTarget) -> str | None:
    import torch

    remark = not_a_tensor_remark(got)
    if remark or not isinstance(got, torch.Tensor):
        return remark
    if not got.is_floating_point():
        return (f"the result is {got.dtype}: the patches hold the images' pixel values, keep "
                f"their floating dtype")
    rows, cols, p = expected.grid
    b, n, d = expected.value.shape
    shape = tuple(got.shape)
    if shape != (b, n, d):
        if shape == (b, rows, cols, d):
            return ("flatten the grid of patches into one axis: one row per patch, "
                    "(batch, (H // p) * (W // p), p * p)")
        if shape == (b, n, p, p):
            return "flatten each p x p patch into one vector of p * p values, row by row"
        if shape == (b * n, d):
            return ("keep the batch axis first: one sequence of (H // p) * (W // p) patches per "
                    "image, (batch, (H // p) * (W // p), p * p)")
        if shape == (b, d, n):
            return ("that is the layout of F.unfold, (batch, p * p, number of patches): "
                    "transpose the last two axes so that there is one row per patch")
        return (f"the result has shape {shape}; it must be (batch, (H // p) * (W // p), p * p), "
                f"here {(b, n, d)}")
    g = as_float64(got)
    for wrong, text in expected.pitfalls:
        if torch.equal(g, wrong) and not torch.equal(wrong, expected.value):
            return text
    same_pixels = torch.equal(torch.sort(g.flatten()).values,
                              torch.sort(expected.value.flatten()).values)
    if not same_pixels:
        if got.dtype != expected.dtype and bool(torch.isfinite(g).all()) and float(
                (torch.sort(g.flatten()).values
                 - torch.sort(expected.value.flatten()).values).abs().max()) < 1e-3:
            return (f"the pixel values changed slightly: you converted the {expected.dtype} "
                    f"images to {got.dtype}; cutting into patches only moves pixels, keep the "
                    f"images' dtype")
        return ("the values changed: cutting into patches only moves pixels, and each pixel "
                "appears exactly once in the result")
    return ("every pixel is there, but some are in the wrong place: number the patches in "
            "reading order and flatten each patch row by row")


@exercise(
    "ch12-patchify",
    title="Cut images into patch tokens",
    hint="view each image as a grid: reshape (batch, H, W) into (batch, H // p, p, W // p, p) "
    "(patch row, row inside the patch, patch column, column inside the patch), permute the two "
    "patch axes in front of the two pixel axes, and reshape to (batch, number of patches, "
    "p * p).",
)
def check_patchify(answer: Any) -> list[str | None]:
    """Hidden cases for ``to_patches(images, p)``."""
    return run_cases(answer, patch_cases(), compare=_same_patches, show=show_tensor,
                     diagnose=_patch_remark)


# ---- ch12-quantize --------------------------------------------------------------------------

#: (values, low, high, bins, dtype). ``values`` is a list (``torch.tensor(values)``), a
#: number (a 0-d tensor) or ``("uniform", shape, a, b, seed)``: random readings uniform in
#: ``[a, b)``. Readings on inner edges, at ``high``, below ``low`` and above ``high``; two bins
#: and a hundred; 1-D, 2-D and 0-d; float32 and float64.
QUANTIZE_INPUTS: list[tuple[Any, float, float, int, str]] = [
    ([0.5, 2.0, 3.9, 4.0, 7.9, 8.0], 0.0, 8.0, 4, "float32"),
    ([-3.0, -0.1, 0.0, 9.99, 10.0, 12.5, 100.0], 0.0, 10.0, 5, "float32"),
    ([-1.0, -0.5, 0.0, 0.5, 1.0, -2.0, 2.0], -1.0, 1.0, 2, "float32"),
    (("uniform", (3, 10), 10.0, 40.0, 0), 15.0, 35.0, 8, "float32"),
    (60.0, -40.0, 60.0, 10, "float32"),
    (("uniform", (50,), 0.0, 1.0, 1), 0.0, 1.0, 100, "float32"),
    (("uniform", (4, 6), 940.0, 1060.0, 2), 950.0, 1050.0, 20, "float64"),
    ([0.0, 0.2, 0.5, 0.9, 1.0, 1.5], 0.0, 1.0, 3, "float32"),
    ([-30.0, 0.0, 50.0, 59.99, -45.0, 20.0], -40.0, 60.0, 10, "float32"),
]


@dataclass(frozen=True)
class IdsTarget(TensorTarget):
    """The expected int64 ids, the case's readings (float64) and its bins, with pitfalls."""

    values: Any = None
    low: float = 0.0
    high: float = 0.0
    bins: int = 0


def _readings(spec: Any, dtype: str) -> Any:
    import torch

    dt = _dtype(dtype)
    if isinstance(spec, tuple):
        _, shape, a, b, seed = spec
        u = torch.rand(shape, generator=_generator(seed), dtype=torch.float64)
        return (a + (b - a) * u).to(dt)
    return torch.tensor(spec, dtype=dt)


def quantize_reference(values: Any, low: float, high: float, bins: int) -> Any:
    """``quantize(values, uniform_edges(low, high, bins))`` in float64: int64 ids."""
    import torch

    from tokenlab.beyond import quantize, uniform_edges

    return quantize(values.to(torch.float64),
                    uniform_edges(low, high, bins, dtype=torch.float64))


def _floor_ids(v: Any, low: float, high: float, bins: int, *, width_bins: int | None = None,
               how: str = "floor") -> Any:
    """Bin numbers of the float64 readings ``v`` by a formula, not clipped."""
    import torch

    width = (high - low) / (width_bins if width_bins is not None else bins)
    position = (v - low) / width
    if how == "round":
        return torch.round(position).long()
    if how == "ceil":
        return torch.ceil(position).long() - 1
    return torch.floor(position).long()


LINSPACE_REMARK = (
    "torch.linspace(low, high, bins) makes bins edges, low and high among them: as edges they "
    "cut [low, high] into bins - 1 bins and put low in bin 1; bins equal bins have the "
    "bins - 1 inner edges low + k (high - low) / bins, k = 1 .. bins - 1"
)


def _quantize_pitfalls(v: Any, low: float, high: float, bins: int) -> list[tuple[Any, str]]:
    """Typical wrong ids of the float64 readings ``v``, with their remarks."""
    import torch

    top = bins - 1
    all_edges = torch.linspace(low, high, bins + 1, dtype=torch.float64)
    few_edges = torch.linspace(low, high, bins, dtype=torch.float64)
    return [
        (_floor_ids(v, low, high, bins, how="ceil").clamp(0, top),
         "a reading on an inner edge belongs to the bin that starts there (the bins are "
         "closed on the left, like a histogram's), not to the bin that ends there; note that "
         "torch.bucketize needs right=True for that"),
        (_floor_ids(v, low, high, bins, how="round").clamp(0, top),
         "that is the nearest edge, not the bin: a reading gets the bin it falls in, "
         "anywhere between the bin's left edge and its right edge"),
        (_floor_ids(v, low, high, bins, width_bins=bins - 1).clamp(0, top),
         "the bins are too wide: there are bins of them between low and high, each "
         "(high - low) / bins wide (torch.linspace(low, high, bins) gives bins - 1 of them)"),
        (torch.bucketize(v, few_edges, right=True).clamp(0, top), LINSPACE_REMARK),
        (torch.bucketize(v, few_edges, right=True), LINSPACE_REMARK),
        (torch.bucketize(v, all_edges, right=True),
         "those edges include low and high themselves, so every id is one too high and high "
         "lands past the last bin: only the bins - 1 inner edges separate bins"),
        (_floor_ids(v, low, high, bins).add(1).clamp(0, top),
         "the ids are one too high: the first bin, the one that starts at low, is bin 0"),
        (top - _floor_ids(v, low, high, bins).clamp(0, top),
         "the ids count down from high: bin 0 is the one at low, bin bins - 1 the one at high"),
    ]


def _quantize_label(spec: Any, values: Any, low: float, high: float, bins: int) -> str:
    dtype = str(values.dtype).replace("torch.", "")
    rest = f"low={low}, high={high} and bins={bins}"
    if isinstance(spec, tuple):
        _, shape, a, b, _ = spec
        return (f"a random {dtype} tensor values of shape {tuple(shape)} (readings between "
                f"{a:g} and {b:g}), {rest}")
    dt = "" if dtype == "float32" else f", dtype=torch.{dtype}"
    return f"values=torch.tensor({short_repr(spec, 80)}{dt}), {rest}"


def quantize_cases() -> list[Case]:
    """The hidden cases of ``ch12-quantize``; the expected ids come from ``quantize``."""
    import torch

    cases = []
    for spec, low, high, bins, dtype in QUANTIZE_INPUTS:
        values = _readings(spec, dtype)
        v = values.to(torch.float64)
        target = IdsTarget(quantize_reference(values, low, high, bins),
                           partial(_quantize_pitfalls, v, low, high, bins),
                           values=v, low=low, high=high, bins=bins)
        cases.append(Case((values, low, high, bins), target,
                          label=_quantize_label(spec, values, low, high, bins)))
    return cases


def _same_ids(got: Any, expected: IdsTarget) -> bool:
    import torch

    return (isinstance(got, torch.Tensor) and got.layout == torch.strided
            and got.dtype == torch.int64
            and tuple(got.shape) == tuple(expected.value.shape)
            and torch.equal(got.detach().cpu(), expected.value))


def _quantize_remark(got: Any, expected: IdsTarget) -> str | None:
    import torch

    remark = not_a_tensor_remark(got)
    if remark or not isinstance(got, torch.Tensor):
        return remark
    if got.is_complex() or got.dtype == torch.bool:
        return f"the result is {got.dtype}: token ids are integers, return an int64 tensor"
    if tuple(got.shape) != tuple(expected.value.shape):
        return (f"the result has shape {tuple(got.shape)}: one id per reading, the shape of "
                f"values")
    g = got.detach().cpu()
    if g.is_floating_point():
        if not bool(torch.isfinite(g).all()) or not torch.equal(g, torch.floor(g)):
            return (f"the result holds fractions ({got.dtype}): a token id is the whole number "
                    f"of a bin, 0 .. bins - 1")
        g = g.to(torch.float64)
        if torch.equal(g, expected.value.to(torch.float64)):
            return (f"the ids are right but {got.dtype}: token ids index an embedding table, "
                    f"return an int64 tensor (torch.long)")
    elif got.dtype != torch.int64:
        if torch.equal(g.to(torch.int64), expected.value):
            return (f"the ids are right but {got.dtype}: return an int64 tensor (torch.long), "
                    f"the dtype of token ids")
    g = g.to(torch.float64)
    for wrong, text in expected.pitfalls:
        w = wrong.to(torch.float64)
        if torch.equal(g, w) and not torch.equal(wrong, expected.value):
            return text
    bins, v = expected.bins, expected.values
    outside = (g < 0) | (g > bins - 1)
    if bool(outside.any()):
        if bool((v[outside] >= expected.high).all()) and bool((g[outside] == bins).all()):
            return (f"a reading equal to high (or clipped to it) got id {bins}, one past the "
                    f"last bin: high belongs to the last bin, bins - 1")
        return ("readings outside [low, high] must be clipped into the end bins: every id is "
                "between 0 and bins - 1")
    wrong = g != expected.value.to(torch.float64)
    if bool((v[wrong] == expected.high).any()):
        return "high itself belongs to the last bin, bins - 1"
    return None


@exercise(
    "ch12-quantize",
    title="Readings as token ids",
    hint="divide the distance of each reading from low by the bin width (high - low) / bins "
    "and take the floor: that is the number of whole bins below the reading; then clip the "
    "ids to 0 .. bins - 1, which also puts high itself in the last bin, and make them int64.",
)
def check_quantize(answer: Any) -> list[str | None]:
    """Hidden cases for ``tokenize_readings(values, low, high, bins)``."""
    return run_cases(answer, quantize_cases(), compare=_same_ids, show=show_tensor,
                     diagnose=_quantize_remark)


# ---- ch12-reconstruction-error --------------------------------------------------------------

#: (values, low, high, bins, dtype), ``values`` as in :data:`QUANTIZE_INPUTS` or
#: ``("sensor", n, seed)``: a noisy sine around 20 (a temperature trace), the same trace with
#: 4, 16 and 64 bins; readings at the bin centres (error 0); readings outside the range.
RECONSTRUCTION_INPUTS: list[tuple[Any, float, float, int, str]] = [
    (("uniform", (1000,), 0.0, 10.0, 0), 0.0, 10.0, 10, "float32"),
    (("sensor", 500, 1), 10.0, 30.0, 4, "float32"),
    (("sensor", 500, 1), 10.0, 30.0, 16, "float32"),
    (("sensor", 500, 1), 10.0, 30.0, 64, "float32"),
    ([1.0, 3.0, 5.0, 7.0], 0.0, 8.0, 4, "float32"),
    ([-5.0, 0.0, 2.5, 8.0, 12.0], 0.0, 8.0, 4, "float32"),
    (("uniform", (4, 25), 940.0, 1060.0, 2), 950.0, 1050.0, 20, "float64"),
    ([-1.0, -0.25, 0.25, 1.0], -1.0, 1.0, 2, "float32"),
]


def _sensor(n: int, seed: int, dtype: str) -> Any:
    """A temperature trace: ``20 + 6 sin(t) + noise`` over three periods, ``n`` readings."""
    import torch

    t = torch.linspace(0.0, 6 * math.pi, n, dtype=torch.float64)
    noise = 0.5 * torch.randn(n, generator=_generator(seed), dtype=torch.float64)
    return (20.0 + 6.0 * torch.sin(t) + noise).to(_dtype(dtype))


def error_tolerance(values: Any, low: float, high: float) -> float:
    """:data:`TOLERANCE` times the size of the readings, ``max(1, |low|, |high|, max |v|)``.

    float32 readings near 1000 are only known to about 1e-4, so the tolerance grows with them.
    """
    import torch

    size = float(values.detach().to(torch.float64).abs().max()) if values.numel() else 0.0
    scale = max(1.0, abs(low), abs(high), size)
    return TOLERANCE * scale


def _reconstruction_target(values: Any, low: float, high: float, bins: int) -> Target:
    import torch

    from tokenlab.beyond import dequantize, quantize, uniform_edges

    v = values.to(torch.float64)
    width = (high - low) / bins
    edges = uniform_edges(low, high, bins, dtype=torch.float64)
    ids = quantize(v, edges)
    centres = dequantize(ids, edges, low=low, high=high)
    err = (centres - v).abs()
    raw = _floor_ids(v, low, high, bins)
    wide = (high - low) / (bins - 1)
    wide_ids = torch.floor((v - low) / wide).clamp(0, bins - 1)

    def mean_abs(back: Any) -> float:
        return float((back - v).abs().mean())

    pitfalls = (
        (mean_abs(low + ids * width),
         "reconstruct each id as the centre of its bin (halfway between its edges), not its "
         "left edge"),
        (mean_abs(low + (ids + 1) * width),
         "reconstruct each id as the centre of its bin (halfway between its edges), not its "
         "right edge"),
        (mean_abs(dequantize(ids, edges)),
         "the two end bins came back as their inner edge: they have centres too (dequantize "
         "needs low and high for them)"),
        (mean_abs(low + (raw + 0.5) * width),
         "readings outside [low, high] go to the end bins (their ids are clipped to "
         "0 .. bins - 1) and come back as an end bin's centre, so their error is more than "
         "half a bin"),
        (float((centres - v.clamp(low, high)).abs().mean()),
         "measure the error against the original readings, not the clipped ones: clipping a "
         "reading is part of what the tokens forget"),
        (mean_abs(low + (wide_ids + 0.5) * wide),
         "the bins are too wide: there are bins of them between low and high, each "
         "(high - low) / bins wide"),
        (float((err**2).mean()), "that is the mean squared error: take the mean absolute error"),
        (math.sqrt(float((err**2).mean())),
         "that is the root mean squared error: take the mean absolute error"),
        (float(err.max()), "that is the largest error: take the mean over every reading"),
        (float((centres - v).mean()),
         "take the absolute value of each difference before the mean: otherwise errors above "
         "and below cancel out"),
        (float((v - centres).mean()),
         "take the absolute value of each difference before the mean: otherwise errors above "
         "and below cancel out"),
        (float(err.sum()), "that is the sum of the errors: take their mean"),
        (float(err.mean()) / width,
         "give the error in the readings' units, not in bin widths"),
    )
    return Target(float(err.mean()), pitfalls)


def _reconstruction_values(spec: Any, dtype: str) -> Any:
    if isinstance(spec, tuple) and spec[0] == "sensor":
        return _sensor(spec[1], spec[2], dtype)
    return _readings(spec, dtype)


def _reconstruction_label(spec: Any, values: Any, low: float, high: float, bins: int) -> str:
    if isinstance(spec, tuple) and spec[0] == "sensor":
        dtype = str(values.dtype).replace("torch.", "")
        return (f"a {dtype} temperature trace values of {spec[1]} readings (a noisy sine "
                f"around 20), low={low}, high={high} and bins={bins}")
    return _quantize_label(spec, values, low, high, bins)


@dataclass(frozen=True)
class ErrorTarget:
    """The expected error (:class:`Target`) and the tolerance of the case."""

    target: Target
    tolerance: float


def reconstruction_cases() -> list[Case]:
    """The hidden cases of ``ch12-reconstruction-error`` (float64 reference)."""
    cases = []
    for spec, low, high, bins, dtype in RECONSTRUCTION_INPUTS:
        values = _reconstruction_values(spec, dtype)
        target = ErrorTarget(_reconstruction_target(values, low, high, bins),
                             error_tolerance(values, low, high))
        cases.append(Case((values, low, high, bins), target,
                          label=_reconstruction_label(spec, values, low, high, bins)))
    return cases


def _close_error(got: Any, expected: ErrorTarget) -> bool:
    return close_number(got, expected.target, expected.tolerance)


def _error_remark(got: Any, expected: ErrorTarget) -> str | None:
    import torch

    if isinstance(got, bool):
        return "return the mean absolute error (a float), not a yes or no"
    if isinstance(got, torch.Tensor) and got.numel() != 1:
        return "reduce the errors to one number: their mean over every reading"
    value = as_number(got)
    if value is None:
        return None
    if math.isnan(value):
        return "the error is NaN: check each step on its own"
    remark = pitfall_remark(value, expected.target, expected.tolerance)
    if remark is None and value < -expected.tolerance:
        return "an error is a size: the mean absolute error is never negative"
    return remark


@exercise(
    "ch12-reconstruction-error",
    title="What the reading tokens forget",
    hint="tokenize the readings as in ch12-quantize, turn each id back into the centre of its "
    "bin (its left edge plus half a bin width), and average the absolute differences from the "
    "original readings; give a Python float (.item()).",
)
def check_reconstruction_error(answer: Any) -> list[str | None]:
    """Hidden cases for ``reconstruction_error(values, low, high, bins)``."""
    return run_cases(answer, reconstruction_cases(), compare=_close_error, show=show_float,
                     diagnose=_error_remark)

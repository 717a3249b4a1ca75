"""Beyond text: anything we can tell apart can become a token.

Everything the book built so far starts from text, but nothing after the tokenizer cares. Once
a thing is cut into pieces and each piece is turned into a vector, the same similarity and the
same attention code apply, whatever the pieces were. This module tokenizes three kinds of
non-text input:

* **images** -- :func:`patchify` cuts an image into square patches, each flattened into one
  vector (the Vision Transformer's "an image is worth 16 x 16 words"); :func:`unpatchify` puts
  them back, and :func:`patch_grid` says how many patches there are;
* **readings** -- :func:`quantize` maps a measured value (a temperature, a load) to the id of
  its bin, as a vocabulary maps a word to its id; :func:`dequantize` goes back to a
  representative value, and :func:`uniform_edges` / :func:`quantile_edges` choose the bins;
* **records** -- :class:`FeatureTokenizer` turns a record of named fields, such as a cluster
  node's free resources or a task's requirements, into one token vector.

Once tokenized, an image, a sensor trace or a set of nodes is a sequence of vectors, and the
attention of :mod:`tokenlab.attention` runs on it unchanged.

Examples
--------
A 4 x 4 grey image is four 2 x 2 patches, four tokens that attention can compare:

>>> from tokenlab.attention import scaled_dot_product_attention
>>> image = torch.arange(16.0).reshape(1, 4, 4)
>>> tokens = patchify(image, 2)
>>> tokens
tensor([[[ 0.,  1.,  4.,  5.],
         [ 2.,  3.,  6.,  7.],
         [ 8.,  9., 12., 13.],
         [10., 11., 14., 15.]]])
>>> out, weights = scaled_dot_product_attention(tokens / 16, tokens / 16, tokens)
>>> weights.shape
torch.Size([1, 4, 4])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from tokenlab._checks import check_float_dtype as _check_dtype
from tokenlab._checks import check_int as _check_int

__all__ = [
    "FeatureTokenizer",
    "dequantize",
    "patch_grid",
    "patchify",
    "quantile_edges",
    "quantize",
    "uniform_edges",
    "unpatchify",
]


# ----------------------------------------------------------------------------- input checks


def _check_real(value: object, name: str) -> float:
    """``value`` as a finite Python float (bool refused)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    return number


def _as_real_tensor(x: Any, name: str, device: torch.device | None = None) -> torch.Tensor:
    """``x`` as a real (integer or floating, not bool) tensor; a tensor is not copied."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x, device=device)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(
                f"{name} must be a tensor, an array or a list of numbers: {exc}"
            ) from None
    elif device is not None:
        x = x.to(device)
    if x.dtype == torch.bool or x.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    return x


def _first_index(flags: torch.Tensor) -> int | tuple[int, ...]:
    """The first True position of ``flags``: an int in 1-D, a tuple of ints otherwise."""
    first = flags.nonzero()[0].tolist()
    return first[0] if flags.dim() == 1 else tuple(first)


def _check_no_nan(x: torch.Tensor, name: str) -> None:
    if x.is_floating_point():
        nan = torch.isnan(x)
        if bool(nan.any()):
            raise ValueError(
                f"{name} contains {int(nan.sum())} NaN value(s), the first at index "
                f"{_first_index(nan)}; a NaN has no bin: drop or impute it first"
            )


def _check_edges(edges: Any, device: torch.device | None) -> torch.Tensor:
    """A 1-D, non-empty, finite, strictly increasing tensor of edges."""
    e = _as_real_tensor(edges, "edges", device)
    if e.dim() != 1:
        raise ValueError(f"edges must be 1-D, got shape {tuple(e.shape)}")
    if e.numel() == 0:
        raise ValueError("edges must hold at least one edge, got none")
    if e.is_floating_point() and not bool(torch.isfinite(e).all()):
        raise ValueError(f"edges must be finite, got {e.tolist()}")
    rising = e[1:] > e[:-1]
    if not bool(rising.all()):
        i = _first_index(~rising)
        raise ValueError(
            f"edges must be strictly increasing, but edges[{i}] = {e[i].item()} >= "
            f"edges[{i + 1}] = {e[i + 1].item()}"
        )
    return e


def _check_image_size(image_size: object) -> tuple[int, int]:
    if isinstance(image_size, Sequence) and not isinstance(image_size, str):
        if len(image_size) != 2:
            raise ValueError(f"image_size must be an int or a pair (H, W), got {image_size!r}")
        return (_check_int(image_size[0], "image_size[0] (H)", 1),
                _check_int(image_size[1], "image_size[1] (W)", 1))
    side = _check_int(image_size, "image_size", 1)
    return side, side


# ----------------------------------------------------------------------------- images


def _unaliased(out: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """``out``, cloned if the rearrangement was a view (a single patch): never alias the input."""
    if out.numel() and out.untyped_storage().data_ptr() == source.untyped_storage().data_ptr():
        return out.clone()
    return out


def patch_grid(image_size: int | tuple[int, int], patch_size: int) -> tuple[int, int]:
    """The number of patch rows and columns of an image: ``(H // patch_size, W // patch_size)``.

    Parameters
    ----------
    image_size : int or (int, int)
        ``(H, W)``, or one int for a square image.
    patch_size : int
        The side of the square patches, ``>= 1``; it must divide both ``H`` and ``W``.

    Returns
    -------
    (int, int)
        ``(rows, cols)``; the image has ``rows * cols`` patches.

    Raises
    ------
    ValueError
        If a size is not positive, or ``patch_size`` does not divide ``H`` or ``W``.
    TypeError
        If a size is not an integer.

    Examples
    --------
    >>> patch_grid(224, 16)
    (14, 14)
    >>> patch_grid((32, 48), 8)
    (4, 6)
    """
    h, w = _check_image_size(image_size)
    p = _check_int(patch_size, "patch_size", 1)
    if h % p or w % p:
        raise ValueError(
            f"the image's height H={h} and width W={w} must both be multiples of "
            f"patch_size={p} (crop or pad the image first)"
        )
    return h // p, w // p


def patchify(images: Any, patch_size: int) -> torch.Tensor:
    """Cut images into square patches, each flattened into one token vector.

    Patches are numbered in row-major (reading) order: left to right along the top row of
    patches, then the next row down; patch ``k`` sits at grid position
    ``(k // cols, k % cols)`` (see :func:`patch_grid`). Each patch is flattened in
    ``(channels, ph, pw)`` order: all of the first channel's pixels row by row, then the next
    channel's. This is the layout of :func:`torch.nn.functional.unfold`
    (``F.unfold(images, p, stride=p).transpose(1, 2)`` gives the same tensor) and of the
    ``Conv2d(kernel_size=p, stride=p)`` patch embedding of ViT implementations in torch (timm,
    torchvision): ``conv(images)`` equals ``patchify(images, p) @ conv.weight.flatten(1).T +
    conv.bias``, reshaped to the grid. (MAE's ``patchify`` and JAX ViT use the channels-last
    order ``(ph, pw, channels)`` instead: permute the last dimension before copying weights.)

    Parameters
    ----------
    images : torch.Tensor, numpy.ndarray or nested list
        A batch ``(batch, channels, H, W)``, or ``(batch, H, W)`` for one channel (grey images):
        such an input is treated as ``(batch, 1, H, W)``. Any dtype; nothing is converted.
    patch_size : int
        The side ``p`` of the square patches; it must divide both ``H`` and ``W``.

    Returns
    -------
    torch.Tensor
        Shape ``(batch, rows * cols, p * p * channels)``, the images' dtype and device. A new
        tensor: writing to it never changes ``images``.

    Raises
    ------
    ValueError
        If ``images`` is not 3-D or 4-D, ``patch_size < 1``, or ``patch_size`` does not divide
        the height or the width (the message gives both).
    TypeError
        If ``patch_size`` is not an integer.

    Examples
    --------
    Two channels of a 2 x 4 image, cut into two 2 x 2 patches:

    >>> image = torch.arange(16).reshape(1, 2, 2, 4)
    >>> image[0, 0]
    tensor([[0, 1, 2, 3],
            [4, 5, 6, 7]])
    >>> patchify(image, 2)
    tensor([[[ 0,  1,  4,  5,  8,  9, 12, 13],
             [ 2,  3,  6,  7, 10, 11, 14, 15]]])
    """
    x = images if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images))
    if x.dim() == 3:
        x = x.unsqueeze(1)
    elif x.dim() != 4:
        raise ValueError(
            f"images must have shape (batch, channels, H, W) or (batch, H, W), "
            f"got {x.dim()}-D shape {tuple(x.shape)}"
        )
    b, c, h, w = x.shape
    rows, cols = patch_grid((h, w), patch_size)
    p = int(patch_size)
    # (b, c, rows, p, cols, p) -> (b, rows, cols, c, p, p): patch position first, then its pixels.
    return _unaliased(
        x.reshape(b, c, rows, p, cols, p).permute(0, 2, 4, 1, 3, 5).reshape(b, rows * cols, -1), x
    )


def unpatchify(
    patches: Any,
    patch_size: int,
    image_size: int | tuple[int, int],
    channels: int | None = None,
) -> torch.Tensor:
    """Put patches back into images: the exact inverse of :func:`patchify`.

    ``unpatchify(patchify(x, p), p, (H, W))`` equals ``x`` bit for bit (no arithmetic is
    done, only a rearrangement). The number of channels is read off the last dimension
    (``p * p * C``); pass ``channels`` only to have it checked. A ``(batch, H, W)`` input of
    :func:`patchify` comes back as ``(batch, 1, H, W)``; take ``[:, 0]`` to drop the channel.

    Parameters
    ----------
    patches : torch.Tensor, numpy.ndarray or nested list
        Shape ``(batch, n_patches, p * p * channels)``, patches in row-major order, each in
        ``(channels, ph, pw)`` order (the layout :func:`patchify` returns).
    patch_size : int
        The side ``p`` of the patches.
    image_size : int or (int, int)
        The images' ``(H, W)`` (one int for square images); multiples of ``p``.
    channels : int, optional
        The number of channels ``C``. By default it is the last dimension divided by
        ``p * p``, which must divide it exactly; when given, it must agree.

    Returns
    -------
    torch.Tensor
        Shape ``(batch, channels, H, W)``, the patches' dtype and device; a new tensor.

    Raises
    ------
    ValueError
        If ``patches`` is not 3-D, its number of patches is not ``(H // p) * (W // p)``, its
        last dimension is not a multiple of ``p * p`` (or not ``p * p * channels`` when
        ``channels`` is given), or the sizes do not fit (see
        :func:`patch_grid`).
    TypeError
        If a size is not an integer.

    Examples
    --------
    >>> x = torch.arange(48).reshape(1, 3, 4, 4)
    >>> torch.equal(unpatchify(patchify(x, 2), 2, 4), x)
    True
    """
    t = patches if isinstance(patches, torch.Tensor) else torch.as_tensor(np.asarray(patches))
    if t.dim() != 3:
        raise ValueError(
            f"patches must have shape (batch, n_patches, patch_size * patch_size * channels), "
            f"got {t.dim()}-D shape {tuple(t.shape)}"
        )
    h, w = _check_image_size(image_size)
    rows, cols = patch_grid((h, w), patch_size)
    p = int(patch_size)
    b, n, d = t.shape
    if channels is None:
        if d == 0 or d % (p * p) != 0:
            raise ValueError(
                f"the last dimension of patches is {d}, which is not a positive multiple of "
                f"patch_size * patch_size = {p} * {p} = {p * p}, so it holds no whole channel"
            )
        c = d // (p * p)
    else:
        c = _check_int(channels, "channels", 1)
    if n != rows * cols:
        raise ValueError(
            f"patches holds {n} patches per image, but an image of size (H, W) = {(h, w)} cut "
            f"into {p} x {p} patches has {rows} x {cols} = {rows * cols}"
        )
    if d != p * p * c:
        raise ValueError(
            f"the last dimension of patches is {d}, but patch_size * patch_size * channels = "
            f"{p} * {p} * {c} = {p * p * c}"
        )
    return _unaliased(
        t.reshape(b, rows, cols, c, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w), t
    )


# ----------------------------------------------------------------------------- readings


def quantize(
    values: Any, edges: Any, *, closed: Literal["left", "right"] = "left"
) -> torch.Tensor:
    """The id of the bin of each value: a reading becomes a token id.

    ``n = len(edges)`` strictly increasing edges cut the real line into ``n + 1`` bins, with
    ids ``0 .. n``; the outer bins are open-ended, so every value gets an id (values below the
    first edge get 0, above the last get ``n``). The ``edges`` are the *inner* boundaries:
    :func:`uniform_edges` makes the ``bins - 1`` inner edges of ``bins`` equal bins.

    ===========  ===============================  ==========================================
    ``closed``   bin ``i`` holds                  equal to
    ===========  ===============================  ==========================================
    ``"left"``   ``edges[i-1] <= v <  edges[i]``  ``torch.bucketize(v, edges, right=True)``
                                                  and ``numpy.digitize(v, edges)``
    ``"right"``  ``edges[i-1] <  v <= edges[i]``  ``torch.bucketize(v, edges)`` and
                                                  ``numpy.digitize(v, edges, right=True)``
    ===========  ===============================  ==========================================

    (torch and NumPy both have a ``right`` flag, with opposite meanings, hence ``closed``.)
    Left-closed bins are the histogram convention: a value on an edge belongs to the bin that
    the edge starts, and the id is the number of edges ``<= v``.

    Parameters
    ----------
    values : torch.Tensor, numpy.ndarray, list or number
        The readings, any shape, integer or floating; NaN is refused.
    edges : torch.Tensor, numpy.ndarray or list
        1-D, non-empty, finite and strictly increasing; moved to the values' device.
    closed : {"left", "right"}, default "left"
        Which side of each bin holds its edge (table above).

    Returns
    -------
    torch.Tensor
        int64 ids in ``0 .. len(edges)``, the shape of ``values``, on its device.

    Raises
    ------
    ValueError
        If ``values`` holds NaN (the message gives how many and the first index), or ``edges``
        is empty, not 1-D, not finite or not strictly increasing, or ``closed`` is unknown.
    TypeError
        If ``values`` or ``edges`` is not real-valued (bool and complex are refused).

    Examples
    --------
    >>> quantize([-1.0, 0.0, 0.5, 1.0, 7.0], [0.0, 1.0])
    tensor([0, 1, 1, 2, 2])
    >>> quantize([-1.0, 0.0, 0.5, 1.0, 7.0], [0.0, 1.0], closed="right")
    tensor([0, 0, 1, 1, 2])
    """
    if closed not in ("left", "right"):
        raise ValueError(f'closed must be "left" or "right", got {closed!r}')
    v = _as_real_tensor(values, "values")
    _check_no_nan(v, "values")
    e = _check_edges(edges, v.device)
    common = torch.promote_types(v.dtype, e.dtype)
    return torch.bucketize(v.to(common), e.to(common), right=(closed == "left"))


def dequantize(
    ids: Any, edges: Any, *, low: float | None = None, high: float | None = None
) -> torch.Tensor:
    """A representative value for each bin id: the centre of its bin.

    The inverse of :func:`quantize` up to the bin's resolution. Inner bin ``i`` (``1 <= i <
    len(edges)``) gives ``(edges[i-1] + edges[i]) / 2``. The outer bins are open-ended and have
    no centre: bin ``0`` gives ``(low + edges[0]) / 2`` when ``low`` is given and ``edges[0]``
    itself otherwise; bin ``len(edges)`` gives ``(edges[-1] + high) / 2`` or ``edges[-1]``.
    With the edges of :func:`uniform_edges` and its ``low``/``high``, every value ``v`` in
    ``[low, high]`` comes back within half a bin width: ``|dequantize(quantize(v)) - v| <=
    (high - low) / (2 * bins)``.

    Parameters
    ----------
    ids : torch.Tensor, numpy.ndarray, list or int
        Integer bin ids in ``0 .. len(edges)``, any shape.
    edges : torch.Tensor, numpy.ndarray or list
        The edges given to :func:`quantize`.
    low, high : float, optional
        The smallest and largest values the data can take (``low <= edges[0]``, ``high >=
        edges[-1]``): they close the outer bins.

    Returns
    -------
    torch.Tensor
        Floating, the shape of ``ids``, on its device; the edges' dtype if floating, else
        torch's default dtype.

    Raises
    ------
    ValueError
        If an id is outside ``0 .. len(edges)``, the edges are invalid (see :func:`quantize`),
        ``low > edges[0]`` or ``high < edges[-1]``.
    TypeError
        If ``ids`` is not integer, or ``low``/``high`` is not a real number.

    Examples
    --------
    >>> edges = uniform_edges(0.0, 8.0, 4)
    >>> edges
    tensor([2., 4., 6.])
    >>> dequantize(quantize([0.5, 3.0, 7.9], edges), edges, low=0.0, high=8.0)
    tensor([1., 3., 7.])
    >>> dequantize([0, 3], edges)
    tensor([2., 6.])
    """
    i = _as_real_tensor(ids, "ids")
    if i.is_floating_point():
        raise TypeError(f"ids must be integers, got dtype {i.dtype}")
    e = _check_edges(edges, i.device)
    n = e.numel()
    if i.numel() and (int(i.min()) < 0 or int(i.max()) > n):
        bad = (i < 0) | (i > n)
        raise ValueError(
            f"ids must be in 0 .. len(edges) = 0 .. {n}, got {int(bad.sum())} outside, the "
            f"first {i[bad][0].item()} at index {_first_index(bad)}"
        )
    dtype = e.dtype if e.is_floating_point() else torch.get_default_dtype()
    e = e.to(dtype)
    first, last = e[:1], e[-1:]
    if low is not None:
        lo = _check_real(low, "low")
        if lo > e[0].item():
            raise ValueError(f"low must be <= edges[0] = {e[0].item()}, got {lo}")
        first = (first + lo) / 2
    if high is not None:
        hi = _check_real(high, "high")
        if hi < e[-1].item():
            raise ValueError(f"high must be >= edges[-1] = {e[-1].item()}, got {hi}")
        last = (last + hi) / 2
    centres = torch.cat((first, (e[1:] + e[:-1]) / 2, last))
    return centres[i.to(torch.int64)]


def uniform_edges(
    low: float,
    high: float,
    bins: int,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The ``bins - 1`` inner edges that cut ``[low, high]`` into ``bins`` equal bins.

    ``edges[k] = low + (k + 1) * (high - low) / bins`` for ``k = 0 .. bins - 2`` (computed in
    float64). With :func:`quantize`, values in ``[low, high]`` get ids ``0 .. bins - 1``
    (``high`` itself goes to the last bin); values outside fall into the outer bins, as if
    clipped to the range.

    Parameters
    ----------
    low, high : float
        The range, finite, ``low < high``.
    bins : int
        The number of bins, ``>= 2`` (one bin needs no edge and tells nothing).
    dtype : torch.dtype, default torch.float32
        Floating-point dtype of the result.
    device : torch.device or str, optional
        Device of the result (the CPU by default).

    Returns
    -------
    torch.Tensor
        Shape ``(bins - 1,)``.

    Raises
    ------
    ValueError
        If ``low >= high``, a bound is not finite, or ``bins < 2``.
    TypeError
        If a bound is not a real number, ``bins`` not an integer or ``dtype`` not floating.

    Examples
    --------
    >>> uniform_edges(0, 64, 4)
    tensor([16., 32., 48.])
    >>> quantize([0, 15.9, 16, 64], uniform_edges(0, 64, 4))
    tensor([0, 0, 1, 3])
    """
    lo, hi = _check_real(low, "low"), _check_real(high, "high")
    if lo >= hi:
        raise ValueError(f"low must be < high, got low={lo}, high={hi}")
    bins = _check_int(bins, "bins", 2)
    dtype = _check_dtype(dtype)
    steps = torch.arange(1, bins, dtype=torch.float64)
    return (lo + steps * (hi - lo) / bins).to(device=device, dtype=dtype)


def quantile_edges(values: Any, bins: int) -> torch.Tensor:
    """Inner edges that split ``values`` into up to ``bins`` bins of (nearly) equal counts.

    With ``x`` the ``n`` values sorted, the candidate edges are the data values
    ``x[min(ceil(k * n / bins), n - 1)]`` for ``k = 1 .. bins - 1``, so that with :func:`quantize`'s
    default left-closed bins, bin ``k`` starts at the ``ceil(k * n / bins)``-th value and, on
    distinct values, the bin counts differ by at most one. Repeated values cannot be split:
    duplicate edges are merged and an edge equal to the minimum (which would leave bin 0
    empty) is dropped, so the result may hold fewer than ``bins - 1`` edges; every bin then
    holds at least one of the values.

    Parameters
    ----------
    values : torch.Tensor, numpy.ndarray or list
        The data, any shape (flattened), at least two distinct values, no NaN.
    bins : int
        The number of bins wanted, ``>= 2``.

    Returns
    -------
    torch.Tensor
        1-D, strictly increasing, at most ``bins - 1`` edges, in the values' dtype and device.

    Raises
    ------
    ValueError
        If ``values`` is empty, holds NaN, or has fewer than two distinct values (no edge can
        separate them), or ``bins < 2``.
    TypeError
        If ``values`` is not real-valued or ``bins`` is not an integer.

    Examples
    --------
    >>> quantile_edges([1, 2, 3, 4, 5, 6, 7, 8], 4)
    tensor([3, 5, 7])
    >>> quantile_edges([0.0, 0.0, 0.0, 0.0, 1.0, 2.0], 3)  # the edge 0.0 is dropped
    tensor([1.])
    """
    v = _as_real_tensor(values, "values").flatten()
    bins = _check_int(bins, "bins", 2)
    if v.numel() == 0:
        raise ValueError("values must hold at least two distinct values, got none")
    _check_no_nan(v, "values")
    x, _ = torch.sort(v)
    n = x.numel()
    # ceil(k * n / bins), kept inside the data when there are fewer values than bins.
    index = torch.tensor([min(-(-k * n // bins), n - 1) for k in range(1, bins)], device=x.device)
    edges = torch.unique(x[index])  # sorted, duplicates merged
    edges = edges[edges > x[0]]
    if edges.numel() == 0:
        distinct = torch.unique(x).numel()
        raise ValueError(
            f"values has {distinct} distinct value(s) ({x[0].item()}); at least two are needed "
            f"to place an edge between them"
        )
    return edges


# ----------------------------------------------------------------------------- records


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} field names must be strings, got {name!r}")
    if not name:
        raise ValueError(f"{what} field names must not be empty")
    return name


class FeatureTokenizer(nn.Module):
    """Turn a record of named fields into one token vector of size ``dim``.

    A record is a dict such as a cluster node ``{"cpu_free": 12, "mem_free": 96.5, "gpus": 2,
    "zone": "b"}``. Its *numeric* fields are readings with a known range; its *categorical*
    fields take one of a fixed list of values. Each field contributes a vector of size ``dim``
    and the token is their **sum** (as BERT sums token, position and segment embeddings): the
    token has the same size however many fields there are, and a field's contribution can be
    read off by subtraction. Every field has its own parameters (its own table, or its own
    column of the linear map), so no separate "field type" embedding is needed: which field a
    piece came from is already part of what it means.

    Two modes tokenize the numeric fields:

    ``"linear"``
        Each reading is scaled to ``[0, 1]`` by its range, ``(v - low) / (high - low)``; the
        scaled readings, one column per field, go through one ``nn.Linear(F_num, dim)``.
    ``"binned"``
        Each reading is quantized into ``bins`` equal bins over its range
        (:func:`uniform_edges`, :func:`quantize`) and the bin's id looked up in the field's own
        ``nn.Embedding(bins, dim)``: a reading becomes a token id, exactly as a word does.

    Each categorical field looks its value up in its own ``nn.Embedding(n_categories, dim)``
    in both modes.

    *The trade-off.* Linear keeps order and magnitude: 30 cores lie between 20 and 40, with
    few parameters (``dim`` per field), and what it learns at one value carries over to values
    it never saw; but each field can only push the token along one direction, in proportion to
    the reading (linear in each field). Binned can learn any response per bin, non-monotonic
    ones included ("a node with 0 GPUs, or with all 8 free, is special"), but loses the
    resolution within a bin (31 and 33 cores may be the same token), knows nothing of order
    (bin 3 is no closer to bin 4 than to bin 12 until training says so), needs training data in
    every bin (an unseen bin keeps its random vector), and costs ``bins * dim`` parameters per
    field.

    Parameters
    ----------
    numeric : mapping of str to (float, float)
        Field name -> ``(low, high)``, the range of its readings (``low < high``, finite).
    categorical : mapping of str to sequence of str
        Field name -> its allowed categories (distinct strings, at least one).
        The fields' order (numeric fields in the order of ``numeric``, then the categorical
        ones) is the column order of the tensors of :meth:`forward`. A name may not appear in
        both mappings, and there must be at least one field.
    dim : int
        The size of the token vector, ``>= 1``.
    mode : {"linear", "binned"}, default "linear"
        How numeric fields are tokenized (above).
    bins : int, default 16
        Bins per numeric field in ``"binned"`` mode, ``>= 2``.
    clip : bool, default False
        What to do with a reading outside its field's range: ``False`` raises ``ValueError``
        (a reading of 70 free cores on a 64-core node is a bug to see); ``True`` clips it to
        the range (the linear scale to ``[0, 1]``, the binned id to the outer bin).
    seed : int, optional
        Seed for a reproducible initialization (a CPU ``torch.Generator`` is made from it).
    generator : torch.Generator, optional
        A CPU generator for the initialization instead of ``seed``; without either, torch's
        global one. Initialization follows torch's defaults (embeddings ``N(0, 1)``, the linear
        map ``U(-1/sqrt(F_num), 1/sqrt(F_num))``), drawn on the CPU in a fixed order, so a seed
        gives the same weights on every device.
    dtype : torch.dtype, optional
        Floating dtype of the parameters (torch's default dtype when omitted).
    device : torch.device or str, optional
        Device of the parameters; inputs are converted onto it.

    Attributes
    ----------
    numeric_fields, categorical_fields : tuple of str
        The field names, in column order.
    numeric_proj : torch.nn.Linear or None
        The linear map of ``"linear"`` mode (None without numeric fields or in ``"binned"``).
    numeric_embeddings : torch.nn.ModuleList
        One ``nn.Embedding(bins, dim)`` per numeric field in ``"binned"`` mode (empty otherwise).
    categorical_embeddings : torch.nn.ModuleList
        One ``nn.Embedding(n_categories, dim)`` per categorical field.
    low, high : torch.Tensor
        Buffers ``(F_num,)``: the ranges.
    edges : torch.Tensor
        Buffer ``(F_num, bins - 1)``: each numeric field's :func:`uniform_edges`.

    Examples
    --------
    >>> node = FeatureTokenizer(
    ...     {"cpu_free": (0, 64), "mem_free": (0, 256), "gpus": (0, 8)},
    ...     {"zone": ["a", "b", "c"]},
    ...     dim=8, seed=0)
    >>> tokens = node.encode([
    ...     {"cpu_free": 12, "mem_free": 96.5, "gpus": 2, "zone": "b"},
    ...     {"cpu_free": 60, "mem_free": 200.0, "gpus": 8, "zone": "a"}])
    >>> tokens.shape
    torch.Size([2, 8])
    >>> task = FeatureTokenizer(
    ...     {"cpu": (0, 32), "mem": (0, 128), "gpus": (0, 4)},
    ...     {"priority": ["low", "normal", "high"]},
    ...     dim=8, mode="binned", bins=4, seed=0)
    >>> task.encode({"cpu": [4, 30], "mem": [16, 120], "gpus": [0, 4],
    ...              "priority": ["high", "low"]}).shape
    torch.Size([2, 8])
    >>> task.to_tensors([{"cpu": 4, "mem": 16, "gpus": 0, "priority": "high"}])
    (tensor([[ 4., 16.,  0.]]), tensor([[2]]))
    """

    low: torch.Tensor
    high: torch.Tensor
    edges: torch.Tensor

    def __init__(
        self,
        numeric: Mapping[str, tuple[float, float]],
        categorical: Mapping[str, Sequence[str]],
        dim: int,
        *,
        mode: Literal["linear", "binned"] = "linear",
        bins: int = 16,
        clip: bool = False,
        seed: int | None = None,
        generator: torch.Generator | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(numeric, Mapping):
            raise TypeError(
                f"numeric must be a mapping of field -> (low, high), got {type(numeric).__name__}"
            )
        if not isinstance(categorical, Mapping):
            raise TypeError(
                "categorical must be a mapping of field -> categories, got "
                f"{type(categorical).__name__}"
            )
        ranges: list[tuple[float, float]] = []
        for name, bounds in numeric.items():
            _check_name(name, "numeric")
            if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
                raise TypeError(
                    f"the range of numeric field {name!r} must be a pair (low, high), "
                    f"got {bounds!r}"
                )
            lo = _check_real(bounds[0], f"low of numeric field {name!r}")
            hi = _check_real(bounds[1], f"high of numeric field {name!r}")
            if lo >= hi:
                raise ValueError(
                    f"the range of numeric field {name!r} must have low < high, got ({lo}, {hi})"
                )
            ranges.append((lo, hi))
        self.categories: dict[str, tuple[str, ...]] = {}
        for name, cats in categorical.items():
            _check_name(name, "categorical")
            if name in numeric:
                raise ValueError(f"field {name!r} is both numeric and categorical")
            if isinstance(cats, str) or not isinstance(cats, Sequence):
                raise TypeError(
                    f"the categories of field {name!r} must be a sequence of strings (a list), "
                    f"got {type(cats).__name__} {cats!r}"
                )
            if not cats:
                raise ValueError(f"field {name!r} must have at least one category, got none")
            for cat in cats:
                if not isinstance(cat, str):
                    raise TypeError(
                        f"the categories of field {name!r} must be strings, got {cat!r}"
                    )
            if len(set(cats)) != len(cats):
                dup = next(c for i, c in enumerate(cats) if c in cats[:i])
                raise ValueError(f"field {name!r} lists the category {dup!r} more than once")
            self.categories[name] = tuple(cats)
        self.numeric_fields: tuple[str, ...] = tuple(numeric)
        self.categorical_fields: tuple[str, ...] = tuple(categorical)
        if not self.numeric_fields and not self.categorical_fields:
            raise ValueError("a FeatureTokenizer needs at least one numeric or categorical field")
        self.dim = _check_int(dim, "dim", 1)
        if mode not in ("linear", "binned"):
            raise ValueError(f'mode must be "linear" or "binned", got {mode!r}')
        self.mode = mode
        self.bins = _check_int(bins, "bins", 2)
        if not isinstance(clip, bool):
            raise TypeError(f"clip must be a bool, got {type(clip).__name__}")
        self.clip = clip
        if dtype is not None:
            _check_dtype(dtype)
        if seed is not None and generator is not None:
            raise ValueError("pass seed or generator, not both")
        if seed is not None:
            generator = torch.Generator().manual_seed(_check_int(seed, "seed", 0))
        elif generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")

        dtype = dtype or torch.get_default_dtype()
        f_num = len(self.numeric_fields)
        lows = torch.tensor([lo for lo, _ in ranges], dtype=torch.float64).reshape(f_num)
        highs = torch.tensor([hi for _, hi in ranges], dtype=torch.float64).reshape(f_num)
        steps = torch.arange(1, self.bins, dtype=torch.float64) / self.bins
        edges = lows[:, None] + steps[None, :] * (highs - lows)[:, None]
        kw = {"dtype": dtype, "device": device}
        self.register_buffer("low", lows.to(**kw), persistent=False)
        self.register_buffer("high", highs.to(**kw), persistent=False)
        self.register_buffer("edges", edges.to(**kw), persistent=False)

        self.numeric_proj: nn.Linear | None = None
        self.numeric_embeddings = nn.ModuleList()
        if f_num and mode == "linear":
            self.numeric_proj = nn.Linear(f_num, self.dim, **kw)
        elif f_num:
            self.numeric_embeddings.extend(
                nn.Embedding(self.bins, self.dim, **kw) for _ in range(f_num)
            )
        self.categorical_embeddings = nn.ModuleList(
            nn.Embedding(len(self.categories[name]), self.dim, **kw)
            for name in self.categorical_fields
        )
        self._index = {name: {c: i for i, c in enumerate(cats)}
                       for name, cats in self.categories.items()}
        self._init_parameters(generator)

    def _init_parameters(self, generator: torch.Generator | None) -> None:
        """torch's default initialization, drawn on the CPU so a seed gives the same weights."""
        with torch.no_grad():
            if self.numeric_proj is not None:
                bound = 1.0 / math.sqrt(self.numeric_proj.in_features)
                for p in (self.numeric_proj.weight, self.numeric_proj.bias):
                    init = torch.empty(p.shape, dtype=torch.float32)
                    p.copy_(init.uniform_(-bound, bound, generator=generator))
            for emb in (*self.numeric_embeddings, *self.categorical_embeddings):
                init = torch.empty(emb.weight.shape, dtype=torch.float32)
                emb.weight.copy_(init.normal_(0.0, 1.0, generator=generator))

    @property
    def fields(self) -> tuple[str, ...]:
        """All field names: the numeric ones, then the categorical ones."""
        return self.numeric_fields + self.categorical_fields

    # ------------------------------------------------------------------ records -> tensors

    def _columns(self, records: Any) -> tuple[int, dict[str, Any], bool]:
        """``(n, field -> column, rows_given)`` from a list of records or a dict of columns."""
        fields = self.fields

        def check_keys(keys: Any, where: str) -> None:
            for key in keys:
                if key not in self.categories and key not in self.numeric_fields:
                    raise ValueError(f"{where} has unknown field {key!r}; the fields are {fields}")
            for name in fields:
                if name not in keys:
                    raise ValueError(f"{where} is missing field {name!r}; the fields are {fields}")

        if isinstance(records, Mapping):
            check_keys(records, "records")
            lengths = {}
            for name in fields:
                col = records[name]
                if isinstance(col, str) or not isinstance(
                    col, Sequence | np.ndarray | torch.Tensor
                ) or (isinstance(col, np.ndarray | torch.Tensor) and col.ndim != 1):
                    raise TypeError(
                        f"records[{name!r}] must be a 1-D column (a list, array or tensor) of "
                        f"values, got {type(col).__name__} {col!r}; to encode a single record, "
                        "pass a list [record]"
                    )
                lengths[name] = len(col)
            if len(set(lengths.values())) > 1:
                raise ValueError(f"the columns of records must have equal lengths, got {lengths}")
            n = next(iter(lengths.values()))
            return n, {name: records[name] for name in fields}, False
        if isinstance(records, str) or not isinstance(records, Sequence):
            raise TypeError(
                "records must be a list of dicts (one per record) or a dict of columns, "
                f"got {type(records).__name__}"
            )
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                raise TypeError(
                    f"records[{i}] must be a dict of field -> value, got {type(record).__name__}"
                )
            check_keys(record, f"records[{i}]")
        return len(records), {name: [r[name] for r in records] for name in fields}, True

    def to_tensors(self, records: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Convert records to the tensors :meth:`forward` takes (convert once, train in batches).

        Parameters
        ----------
        records : list of dict, or dict of columns
            Either one dict per record, each with exactly the tokenizer's fields
            (``[{"cpu": 4, ..., "priority": "high"}, ...]``), or one dict of equal-length
            columns (``{"cpu": [4, 30], ..., "priority": ["high", "low"]}``; numeric columns may
            be arrays or tensors). A single record is ``[record]``.

        Returns
        -------
        numeric : torch.Tensor
            ``(n, F_num)``, the raw readings (not yet scaled), in the module's dtype and device.
        categorical : torch.Tensor
            ``(n, F_cat)`` int64 category ids (positions in each field's category list).

        Raises
        ------
        ValueError
            On an unknown or missing field, an unknown category (the message names the field,
            the value and the allowed categories), a NaN reading, or columns of unequal lengths.
        TypeError
            If ``records`` has the wrong structure, a reading is not a number, or a category
            is not a string.
        """
        n, columns, rows = self._columns(records)

        def where(name: str, i: int) -> str:
            return f"records[{i}][{name!r}]" if rows else f"records[{name!r}][{i}]"

        device, dtype = self.low.device, self.low.dtype
        numeric = torch.empty(n, len(self.numeric_fields), dtype=torch.float64)
        for j, name in enumerate(self.numeric_fields):
            col = columns[name]
            if isinstance(col, np.ndarray | torch.Tensor):
                t = _as_real_tensor(col, f"records[{name!r}]").to("cpu", torch.float64)
            else:
                values = []
                for i, v in enumerate(col):
                    if isinstance(v, torch.Tensor | np.ndarray) and v.ndim == 0:
                        v = v.item()  # a 0-d tensor or array holding one reading
                    if isinstance(v, bool) or not isinstance(v, numbers.Real):
                        raise TypeError(
                            f"{where(name, i)} must be a number (numeric field {name!r}), "
                            f"got {type(v).__name__} {v!r}"
                        )
                    values.append(float(v))
                t = torch.tensor(values, dtype=torch.float64)
            nan = torch.isnan(t)
            if bool(nan.any()):
                raise ValueError(
                    f"{where(name, _first_index(nan))} is NaN ({int(nan.sum())} NaN reading(s) in "
                    f"numeric field {name!r}); drop or impute them first"
                )
            numeric[:, j] = t
        categorical = torch.empty(n, len(self.categorical_fields), dtype=torch.int64)
        for j, name in enumerate(self.categorical_fields):
            col = columns[name]
            if isinstance(col, torch.Tensor):
                raise TypeError(
                    f"records[{name!r}] must hold category strings, got a tensor; pass "
                    "category ids to forward() instead"
                )
            if isinstance(col, np.ndarray):
                col = col.tolist()
            index = self._index[name]
            for i, v in enumerate(col):
                if not isinstance(v, str):
                    raise TypeError(
                        f"{where(name, i)} must be a string, one of {list(self.categories[name])} "
                        f"(categorical field {name!r}), got {type(v).__name__} {v!r}"
                    )
                if v not in index:
                    raise ValueError(
                        f"unknown category {v!r} for field {name!r} at {where(name, i)}; "
                        f"allowed: {list(self.categories[name])}"
                    )
                categorical[i, j] = index[v]
        return numeric.to(device=device, dtype=dtype), categorical.to(device)

    def encode(self, records: Any) -> torch.Tensor:
        """Tokenize records: ``forward(*to_tensors(records))``, shape ``(n, dim)``.

        See :meth:`to_tensors` for the accepted forms and the errors.
        """
        return self(*self.to_tensors(records))

    # ------------------------------------------------------------------ tensors -> tokens

    def _check_batch(
        self, numeric: torch.Tensor | None, categorical: torch.Tensor | None
    ) -> tuple[int, torch.Tensor | None, torch.Tensor | None]:
        device = self.low.device
        n_rows: dict[str, int] = {}
        checked: list[torch.Tensor | None] = []
        for arg, t, fields in (("numeric", numeric, self.numeric_fields),
                               ("categorical", categorical, self.categorical_fields)):
            if t is None:
                if fields:
                    raise ValueError(
                        f"{arg} is required: the tokenizer has {arg} fields {fields}"
                    )
                checked.append(None)
                continue
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{arg} must be a torch.Tensor, got {type(t).__name__}")
            if t.dim() != 2 or t.shape[1] != len(fields):
                raise ValueError(
                    f"{arg} must have shape (n, {len(fields)}), one column per {arg} field "
                    f"{fields}, got {tuple(t.shape)}"
                )
            if t.device != device:
                raise ValueError(
                    f"{arg} is on {t.device} but the tokenizer is on {device}; move one of them"
                )
            _as_real_tensor(t, arg)
            if arg == "categorical" and t.is_floating_point():
                raise TypeError(f"categorical must hold integer category ids, got dtype {t.dtype}")
            n_rows[arg] = t.shape[0]
            checked.append(t)
        if len(set(n_rows.values())) > 1:
            raise ValueError(f"numeric and categorical must have the same rows n, got {n_rows}")
        n = next(iter(n_rows.values()), 0)
        return n, checked[0], checked[1]

    def forward(
        self, numeric: torch.Tensor | None = None, categorical: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Token vectors from tensors, shape ``(n, dim)``; the inputs are not changed.

        Parameters
        ----------
        numeric : torch.Tensor
            ``(n, F_num)`` raw readings (integer or floating), columns in the order of
            ``numeric_fields``; may be omitted when there are no numeric fields.
        categorical : torch.Tensor
            ``(n, F_cat)`` integer category ids, columns in the order of
            ``categorical_fields``; may be omitted when there are no categorical fields.

        Returns
        -------
        torch.Tensor
            ``(n, dim)``, in the parameters' dtype, on the module's device: the sum of every
            field's vector.

        Raises
        ------
        ValueError
            On a wrong shape or device, a NaN reading, a reading outside its range (unless
            ``clip=True``), or a category id outside its field's list.
        TypeError
            If an input is not a real tensor, or the categorical ids are not integers.
        """
        n, num, cat = self._check_batch(numeric, categorical)
        weight_dtype = self.low.dtype
        out = torch.zeros(n, self.dim, dtype=weight_dtype, device=self.low.device)
        if num is not None and self.numeric_fields:
            num = num.to(weight_dtype)
            nan = torch.isnan(num)
            if bool(nan.any()):
                i, j = _first_index(nan)  # type: ignore[misc]
                raise ValueError(
                    f"numeric holds {int(nan.sum())} NaN reading(s), the first in row {i}, "
                    f"field {self.numeric_fields[j]!r}"
                )
            if not self.clip:
                outside = (num < self.low) | (num > self.high)
                if bool(outside.any()):
                    i, j = _first_index(outside)  # type: ignore[misc]
                    raise ValueError(
                        f"numeric field {self.numeric_fields[j]!r} reads {num[i, j].item()} in "
                        f"row {i}, outside its range [{self.low[j].item()}, "
                        f"{self.high[j].item()}]; fix the data, widen the range, or pass "
                        "clip=True"
                    )
            if self.numeric_proj is not None:
                scaled = ((num - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
                out = out + self.numeric_proj(scaled)
            else:
                for j, emb in enumerate(self.numeric_embeddings):
                    # quantize(num[:, j], edges[j]) with left-closed bins; outside -> outer bin.
                    ids = torch.bucketize(num[:, j].contiguous(), self.edges[j], right=True)
                    out = out + emb(ids)
        if cat is not None and self.categorical_fields:
            sizes = torch.tensor([len(self.categories[f]) for f in self.categorical_fields],
                                 device=cat.device)
            bad = (cat < 0) | (cat >= sizes)
            if bool(bad.any()):
                i, j = _first_index(bad)  # type: ignore[misc]
                name = self.categorical_fields[j]
                raise ValueError(
                    f"categorical id {cat[i, j].item()} in row {i} is outside the ids 0 .. "
                    f"{len(self.categories[name]) - 1} of field {name!r} "
                    f"({list(self.categories[name])})"
                )
            cat = cat.to(torch.int64)
            for j, emb in enumerate(self.categorical_embeddings):
                out = out + emb(cat[:, j])
        return out

    def extra_repr(self) -> str:
        return (f"numeric={list(self.numeric_fields)}, categorical="
                f"{list(self.categorical_fields)}, dim={self.dim}, mode={self.mode!r}"
                + (f", bins={self.bins}" if self.mode == "binned" else "")
                + (", clip=True" if self.clip else ""))

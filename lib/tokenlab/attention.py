"""Attend: scaled dot-product attention with its weights, masks, multi-head attention, a block.

The last step of the book's pipeline lets every token look at the others. This module writes the
computation out plainly, so that a reader can follow it line by line and plot its weights:

* :func:`scaled_dot_product_attention` -- ``softmax(q @ k^T / sqrt(d) + mask) @ v``, returning
  the output *and* the attention weights (or, with ``need_weights=False``, the output alone from
  torch's fused kernel: see *Fast path* below);
* :func:`padding_mask` and :func:`causal_mask` -- the two masks every Transformer uses;
* :class:`MultiHeadSelfAttention` -- ``heads`` attentions side by side, laid out like
  :class:`torch.nn.MultiheadAttention` so that its weights copy across
  (:meth:`MultiHeadSelfAttention.from_torch`);
* :class:`TransformerEncoderBlock` -- attention plus a feed-forward network, each wrapped in a
  residual connection and a layer norm; equal to :class:`torch.nn.TransformerEncoderLayer`
  (:meth:`TransformerEncoderBlock.from_torch`).

Mask polarity
-------------
Two conventions exist in torch, and this module follows each where torch does, so that code
copies across unchanged:

=========================================  ==============================================
argument                                   boolean ``True`` means
=========================================  ==============================================
``mask`` of the function                   **attend** (as ``F.scaled_dot_product_attention``)
:func:`padding_mask`, :func:`causal_mask`  **attend** / real token (feed them to ``mask``)
``key_padding_mask`` of the modules        **padding, ignored** (as ``nn.MultiheadAttention``)
``attn_mask`` of the modules               **blocked, ignored** (as ``nn.MultiheadAttention``)
=========================================  ==============================================

A float mask is always *added* to the scores (``0`` keeps a key, ``-inf`` removes it), in every
argument. ``causal=True`` everywhere hides future keys (query ``i`` sees keys ``0..i``) and
combines with any other mask.

Fully masked rows
-----------------
A query whose keys are all masked has nothing to attend to. Here its weights are all ``0`` and
its output is the zero vector -- never NaN (``torch.nn.MultiheadAttention`` gives NaN there).

Dtype policy
------------
Scores, softmax and the weighted sum are computed in float32 (float64 when an input is
float64): float16 and bfloat16 inputs are upcast first and the softmax subtracts each row's
maximum, so large half-precision inputs do not overflow. Output and weights are returned in the
inputs' (promoted) dtype. (The fast path below keeps half inputs in their dtype.)

Fast path
---------
The explicit computation materializes the ``(..., Lq, Lk)`` scores and weights several times
over, which is what a plot needs and what long sequences cannot afford. With
``need_weights=False``, :func:`scaled_dot_product_attention` returns ``(output, None)`` from
:func:`torch.nn.functional.scaled_dot_product_attention` instead: a fused kernel (flash attention
on the CPU, flash or memory-efficient attention on CUDA) that never holds the whole weight
matrix. The inputs are reshaped to the ``(batch, heads, L, d)`` these kernels take; where they
do not apply (``dv != d`` on the CPU, for one) torch falls back to its plain math kernel. Every
guarantee above is kept: the same validation and error messages, the same mask polarity
(boolean ``True`` = attend, float added, ``causal`` combined with a mask), zero output for fully
masked rows (found from the mask and zeroed, whatever the kernel gives there), inputs never
modified. The output equals the explicit one to about ``1e-6`` in float32. The usual call
(``q``, ``k`` and ``v`` four-dimensional, alike in batch, heads, dtype and device; no mask, or
a boolean one that fits the scores, such as a padding mask) reaches the kernel after a few
attribute tests instead of the full checks, with the same result.

Its dtypes: float32 and float64 run as they are; float16 and bfloat16 run in their own dtype,
the fast kernels' point on a GPU (they accumulate scores and softmax in float32 inside, so large
half inputs do not overflow there either; float16 output is within about one unit in the last
place of the float64 result, ``1e-3`` relative). With a *float* mask, half inputs are upcast to
float32, since the mask's values would be rounded or overflow in half precision.

:class:`MultiHeadSelfAttention` takes the fast path when called with ``need_weights=False`` (but
not in training mode with ``dropout > 0``, where dropout acts on the weights: it keeps the
explicit path there, so a seeded run gives the same numbers on both settings);
:class:`TransformerEncoderBlock` takes it with ``keep_attention=False`` (and then keeps no
``last_attention``).

Examples
--------
Three tokens; the third is padding, so no query attends to it:

>>> q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
>>> out, weights = scaled_dot_product_attention(q, q, q, mask=padding_mask([2], 3)[0])
>>> weights
tensor([[0.6698, 0.3302, 0.0000],
        [0.3302, 0.6698, 0.0000],
        [0.5000, 0.5000, 0.0000]])

The fast path gives the same output without the weights:

>>> fast, none = scaled_dot_product_attention(q, q, q, mask=padding_mask([2], 3)[0],
...                                           need_weights=False)
>>> none is None and torch.allclose(fast, out, atol=1e-6)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "MultiHeadSelfAttention",
    "TransformerEncoderBlock",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
]


# ----------------------------------------------------------------------------- helpers


def _as_float_tensor(x: Any, name: str, device: torch.device | None = None) -> torch.Tensor:
    """``x`` as a floating tensor (integers become float32); a tensor is never copied."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x, device=device)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{name} must be a tensor or a regular (nested) list: {exc}") from None
    if x.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if not x.is_floating_point():
        x = x.to(torch.float32)
    return x


def _broadcast(shapes: Sequence[Sequence[int]], message: Callable[[], str]) -> torch.Size:
    first = shapes[0]
    if all(shape == first for shape in shapes):  # the usual case, without torch's Python
        return torch.Size(first)
    try:
        return torch.broadcast_shapes(*shapes)
    except RuntimeError:
        raise ValueError(message()) from None


def _fits(shape: Sequence[int], target: Sequence[int]) -> bool:
    """Whether ``shape`` broadcasts to ``target`` without enlarging it (no more dimensions, each
    one 1 or equal): the usual mask, told without ``torch.broadcast_shapes``'s Python."""
    return len(shape) <= len(target) and all(
        s == 1 or s == t for s, t in zip(reversed(shape), reversed(target), strict=False)
    )


def _causal(lq: int, lk: int, device: torch.device) -> torch.Tensor:
    """Boolean ``(lq, lk)``, True where key ``j <= i`` (top-left aligned, as torch's SDPA)."""
    return torch.ones(lq, lk, dtype=torch.bool, device=device).tril()


# ----------------------------------------------------------------------------- functions


class _Checked(NamedTuple):
    """The validated inputs of :func:`scaled_dot_product_attention`, shared by both paths."""

    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    mask: torch.Tensor | None  # boolean (True = attend) or floating (added), fits the scores
    lead: torch.Size  # the broadcast leading (batch, head) dimensions
    out_dtype: torch.dtype


class _Shapes:
    """``q (..), k (..), v (..)`` for an error message, formatted only when one is raised."""

    def __init__(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
        self.q, self.k, self.v = q.shape, k.shape, v.shape

    def __format__(self, spec: str) -> str:
        return f"q {tuple(self.q)}, k {tuple(self.k)}, v {tuple(self.v)}"


def _check(q: Any, k: Any, v: Any, mask: Any) -> _Checked:
    """Validate and convert the inputs; every error message of the function comes from here."""
    q = _as_float_tensor(q, "q")
    k = _as_float_tensor(k, "k", q.device)
    v = _as_float_tensor(v, "v", q.device)
    shapes = _Shapes(q, k, v)  # formatted only for an error message
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise ValueError(f"q, k and v need at least 2 dimensions (..., L, d), got {shapes}")
    if not (q.device == k.device == v.device):
        raise ValueError(
            f"q, k and v must be on one device, got {q.device}, {k.device} and {v.device}"
        )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension d, got {shapes}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys Lk, got {shapes}")
    lead = _broadcast(
        (q.shape[:-2], k.shape[:-2], v.shape[:-2]),
        lambda: f"the leading (batch, head) dimensions of q, k and v do not broadcast: "
        f"{shapes}",
    )
    scores_shape = (*lead, q.shape[-2], k.shape[-2])
    if mask is not None:
        if isinstance(mask, torch.Tensor) and mask.device != q.device:
            raise ValueError(f"mask must be on q's device {q.device}, got {mask.device}")
        mask = torch.as_tensor(mask, device=q.device)
        if mask.dtype != torch.bool and not mask.is_floating_point():
            raise TypeError(f"mask must be boolean or floating, got dtype {mask.dtype}")
        fits = scores_shape if _fits(mask.shape, scores_shape) else _broadcast(
            (mask.shape, scores_shape),
            lambda: f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' "
            f"shape (..., Lq, Lk) = {scores_shape} of {shapes}",
        )
        if fits != scores_shape:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} would enlarge the scores' shape "
                f"(..., Lq, Lk) = {scores_shape} of {shapes}"
            )
    out_dtype = torch.promote_types(torch.promote_types(q.dtype, k.dtype), v.dtype)
    return _Checked(q, k, v, mask, lead, out_dtype)


def _explicit(c: _Checked, causal: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Scores, softmax and weighted sum written out, in float32 (float64 for float64 inputs).

    Without autograd, the ``(..., Lq, Lk)`` scores are allocated once, masked in place and
    turned into the weights in place by torch's fused softmax: one such tensor in all, where a
    new one per step would be five or six. When a gradient is needed the same steps run out of place
    (autograd needs the intermediate tensors unmodified).
    """
    q, k, v, mask = c.q, c.k, c.v, c.mask
    lq, d = q.shape[-2:]
    lk = k.shape[-2]
    compute = torch.float64 if c.out_dtype == torch.float64 else torch.float32
    shape = (*c.lead, lq, lk)
    grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in (q, k, v, mask)
    )

    # 1. Scores: every query against every key, scaled by 1/sqrt(d), in float32 or float64.
    #    One batched product over the flattened (batch, head) dimensions, the scale applied
    #    inside it (baddbmm's alpha): no scaled copy of q and no second pass over the scores.
    #    (q and k are expanded to the full leading shape first, as matmul would; a copy only
    #    where they broadcast, and Lq x d or Lk x d numbers, not Lq x Lk.)
    n = math.prod(c.lead)
    q3 = q.to(compute).expand(*c.lead, lq, d).reshape(n, lq, d)
    k3 = k.to(compute).expand(*c.lead, lk, d).reshape(n, lk, d)
    ignored = q3.new_zeros(1, 1, 1)  # baddbmm's added term, ignored with beta=0
    scores = torch.baddbmm(ignored, q3, k3.transpose(1, 2), beta=0.0,
                           alpha=1.0 / math.sqrt(d) if d else 1.0).view(shape)

    # 2. Masks: which keys each query may see (``allowed``) and what to add to its scores.
    allowed: torch.Tensor | None = None
    if mask is not None:
        if mask.dtype == torch.bool:
            allowed = mask
        else:
            scores = scores + mask.to(compute) if grad else scores.add_(mask.to(compute))
    if causal:
        tri = _causal(lq, lk, q.device)
        allowed = tri if allowed is None else allowed & tri
    if allowed is not None:
        blocked = ~allowed
        scores = (scores.masked_fill(blocked, float("-inf")) if grad
                  else scores.masked_fill_(blocked, float("-inf")))

    # 3. Softmax over the keys (torch's, which subtracts each row's maximum); a row with no
    #    visible key (all -inf) would be NaN there: it gets all-zero weights instead.
    #    Without autograd the softmax overwrites the scores: one (..., Lq, Lk) tensor in all.
    #    Which rows those are: with a boolean mask (and causal) alone, read off the mask, the
    #    size of the mask, not of the scores; with a float mask, off the masked scores (one
    #    more pass over them, before the softmax overwrites them), since added finite values
    #    can also reach -inf. The fill is the fast path's (:func:`_zero_blind_rows`).
    visible = None
    if lk and (allowed is not None or (mask is not None and mask.is_floating_point())):
        if mask is not None and mask.is_floating_point():
            visible = scores.detach().amax(dim=-1) != float("-inf")
        else:
            visible = allowed.any(-1)
    weights = torch.softmax(scores, dim=-1) if grad else torch.softmax(scores, -1, out=scores)
    if visible is not None:
        weights = _zero_blind_rows(weights, visible)

    # 4. The output: a weighted average of the values.
    output = weights @ v.to(compute)
    return output.to(c.out_dtype), weights.to(c.out_dtype)


_FUSED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _as_4d(t: torch.Tensor, lead: torch.Size) -> torch.Tensor:
    """``t`` (``(..., X, Y)``, broadcastable to ``(*lead, X', Y')``) with 4 dimensions.

    The fused kernels want ``(batch, heads, L, d)`` with equal batch and heads: fewer leading
    dimensions get size-1 ones (a view), more are expanded and flattened into the first.
    """
    n = len(lead)
    t = t.reshape(*(1,) * (n + 2 - t.dim()), *t.shape)  # as many dimensions as the scores
    if n <= 2:
        return t.reshape(*(1,) * (2 - n), *t.shape)
    return t.expand(*lead[:-1], *t.shape[-3:]).reshape(-1, *t.shape[-3:])


def _fast(c: _Checked, causal: bool) -> torch.Tensor:
    """The output alone, from torch's fused ``F.scaled_dot_product_attention``."""
    lq, lk, dv = c.q.shape[-2], c.k.shape[-2], c.v.shape[-1]
    dtype = c.out_dtype if c.out_dtype in _FUSED_DTYPES else torch.float32
    mask = c.mask
    if mask is not None and mask.is_floating_point() and dtype.itemsize < 4:
        dtype = torch.float32  # a float mask in half precision would round or overflow
    lead = c.lead
    # (batch, heads, L, d) with equal leading dimensions, so that the fused kernels take it
    if len(lead) == 2 and all(t.dtype == dtype and t.shape[:-2] == lead
                              for t in (c.q, c.k, c.v)):
        q, k, v = c.q, c.k, c.v  # already so: no views to make
    else:
        q, k, v = (
            _as_4d(t.to(dtype).expand(*lead, *t.shape[-2:]), lead) for t in (c.q, c.k, c.v)
        )
    is_causal = False
    if mask is None:
        is_causal = causal  # torch's is_causal is top-left aligned, as ``_causal``
    else:
        mask = _as_4d(mask, lead)
        if mask.dtype == torch.bool:
            if causal:
                mask = mask & _causal(lq, lk, mask.device)
        else:
            mask = mask.to(dtype)
            if causal:
                mask = mask.masked_fill(~_causal(lq, lk, mask.device), float("-inf"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
    # Fully masked rows: zero, whatever the kernel gave there (NaN in some versions/backends).
    if mask is not None:
        visible = mask.any(-1) if mask.dtype == torch.bool else (mask != float("-inf")).any(-1)
        out = _zero_blind_rows(out, visible)
    elif lk == 0:
        out = out.new_zeros(out.shape)
    if out.shape[:-2] != lead:
        out = out.reshape(*lead, lq, dv)
    return out.to(c.out_dtype)


def _direct(q: Any, k: Any, v: Any, mask: Any, causal: bool) -> torch.Tensor | None:
    """The fast path's output for the usual call, or None where the full checks must run.

    The usual call: ``q``, ``k``, ``v`` plain tensors of shape ``(batch, heads, L, d)`` with
    the same batch and heads, one fused dtype, one device and at least one key; and either no
    mask, or a boolean mask on that device that broadcasts to the scores without enlarging
    them with at least 2 dimensions (a padding mask ``(batch, 1, 1, Lk)``, say), without
    ``causal``. :func:`_fast` would
    hand exactly these tensors to torch's kernel and zero the same rows (none without a mask),
    so this returns the same tensor after a few attribute tests instead of the full checks: at
    L = 128 the checks' Python, run between kernels that have flushed its code from the
    caches, cost 3-4% of the kernel's time, and :func:`_fast`'s reshaping as much again.
    Anything else returns None and takes the full checks.
    """
    if type(q) is not torch.Tensor or type(k) is not torch.Tensor or type(v) is not torch.Tensor:
        return None
    qs, ks, vs = q.shape, k.shape, v.shape
    if not (len(qs) == len(ks) == len(vs) == 4 and qs[:2] == ks[:2] == vs[:2]
            and qs[3] == ks[3] and ks[2] == vs[2] and ks[2] > 0):
        return None
    if not (q.dtype == k.dtype == v.dtype and q.dtype in _FUSED_DTYPES
            and q.device == k.device == v.device):
        return None
    if mask is None:
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    if (causal or type(mask) is not torch.Tensor or mask.dtype != torch.bool
            or mask.device != q.device or mask.dim() < 2  # torch's kernel wants (.., Lq, Lk)
            or not _fits(mask.shape, (*qs[:3], ks[2]))):
        return None
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return _zero_blind_rows(out, mask.any(-1))


def _zero_blind_rows(out: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
    """``out`` (the kernel's fresh output, or the explicit path's fresh weights) with zeros
    for the queries that see no key (``visible``: ``(..., Lq)``, False for those).

    Whatever the kernel gave there (NaN in some versions and backends), those rows become 0.
    In place, unless autograd needs ``out`` as it is (the kernel's backward reads its
    output); skipped on the CPU when every query sees a key (a padded batch's usual case),
    where a copy of the output would cost more than the check (a fresh 1 MiB block took longer
    than the kernel at L = 128). On other devices the check would wait for the device, so the
    rows are filled either way.
    """
    if out.device.type == "cpu" and bool(visible.all()):
        return out
    hidden = ~visible.unsqueeze(-1)
    return out.masked_fill(hidden, 0.0) if out.requires_grad else out.masked_fill_(hidden, 0.0)


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    causal: bool = False,
    need_weights: bool = True,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Scaled dot-product attention that also returns its weights.

    ``weights = softmax(q @ k^T / sqrt(d) + mask)`` along the keys, ``output = weights @ v``.

    Parameters
    ----------
    q : torch.Tensor
        Queries, shape ``(..., Lq, d)``.
    k : torch.Tensor
        Keys, shape ``(..., Lk, d)``.
    v : torch.Tensor
        Values, shape ``(..., Lk, dv)``. The leading dimensions ``...`` (batch, heads) of ``q``,
        ``k`` and ``v`` broadcast against each other.
    mask : torch.Tensor, optional
        Broadcastable to ``(..., Lq, Lk)``. Boolean: ``True`` = attend, ``False`` = ignore (the
        convention of :func:`torch.nn.functional.scaled_dot_product_attention`). Float: added to
        the scores (``-inf`` ignores a key).
    causal : bool, default False
        Hide future keys: query ``i`` sees keys ``0..i`` (top-left aligned when ``Lq != Lk``, as
        torch's ``is_causal``). Combines with ``mask``.
    need_weights : bool, default True
        If False, skip the weights: the output comes from torch's fused
        :func:`torch.nn.functional.scaled_dot_product_attention` (faster, and it never holds the
        ``(..., Lq, Lk)`` weights; the *Fast path* of the module's documentation) and the
        weights returned are ``None``. Same checks, masks and zero rows; the output equals the
        explicit one to about ``1e-6`` in float32. float16/bfloat16 inputs run in their own
        dtype (upcast to float32 with a float ``mask``).

    Returns
    -------
    output : torch.Tensor
        Shape ``(..., Lq, dv)``, in the inputs' dtype.
    weights : torch.Tensor or None
        Shape ``(..., Lq, Lk)``, in the inputs' dtype; each row sums to 1, or is all 0 for a query
        whose keys are all masked (whose output is then 0 too, never NaN). ``None`` if
        ``need_weights`` is False.

    Raises
    ------
    ValueError
        If the shapes of ``q``, ``k``, ``v`` or ``mask`` do not fit together (the message names
        them) or the tensors are on different devices.
    TypeError
        If ``mask`` is neither boolean nor floating.

    Examples
    --------
    >>> q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> v = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> out, weights = scaled_dot_product_attention(q, q, v, causal=True)
    >>> weights
    tensor([[1.0000, 0.0000],
            [0.3302, 0.6698]])
    >>> out
    tensor([[1.0000, 2.0000],
            [2.3395, 3.3395]])

    The fast path: the same output, no weights; a query that sees no key gets zeros.

    >>> fast, weights = scaled_dot_product_attention(q, q, v, causal=True, need_weights=False)
    >>> fast, weights
    (tensor([[1.0000, 2.0000],
            [2.3395, 3.3395]]), None)
    >>> blind = torch.tensor([[False, False], [True, True]])
    >>> scaled_dot_product_attention(q, q, v, mask=blind, need_weights=False)[0]
    tensor([[0.0000, 0.0000],
            [2.3395, 3.3395]])
    """
    if not need_weights:
        direct = _direct(q, k, v, mask, causal)
        if direct is not None:
            return direct, None
    checked = _check(q, k, v, mask)
    if not need_weights:
        return _fast(checked, causal), None
    return _explicit(checked, causal)


def padding_mask(
    lengths: Sequence[int] | torch.Tensor, max_len: int | None = None
) -> torch.Tensor:
    """Boolean ``(batch, max_len)`` mask, ``True`` at real tokens and ``False`` at padding.

    Feed it (or ``mask[:, None, :]`` to broadcast over queries) to the ``mask`` of
    :func:`scaled_dot_product_attention`; the modules' ``key_padding_mask`` wants its negation
    ``~padding_mask(...)`` (``True`` = padding, torch's convention).

    Parameters
    ----------
    lengths : sequence of int or torch.Tensor
        The number of real tokens of each sequence, shape ``(batch,)``.
    max_len : int, optional
        The padded length; defaults to ``max(lengths)`` (0 for an empty batch).

    Returns
    -------
    torch.Tensor
        Boolean, shape ``(batch, max_len)``, on ``lengths``' device.

    Raises
    ------
    ValueError
        If ``lengths`` is not 1-D integers, a length is negative or exceeds ``max_len``, or
        ``max_len`` is negative.

    Examples
    --------
    >>> padding_mask([3, 1], 4)
    tensor([[ True,  True,  True, False],
            [ True, False, False, False]])
    """
    t = lengths if isinstance(lengths, torch.Tensor) else torch.as_tensor(list(lengths))
    if t.dim() != 1:
        raise ValueError(f"lengths must be 1-D (batch,), got shape {tuple(t.shape)}")
    if t.numel() and (t.is_floating_point() or t.is_complex() or t.dtype == torch.bool):
        raise ValueError(f"lengths must be integers, got dtype {t.dtype}")
    t = t.to(torch.int64)
    if max_len is None:
        max_len = int(t.max()) if t.numel() else 0
    if isinstance(max_len, bool) or int(max_len) != max_len or max_len < 0:
        raise ValueError(f"max_len must be a non-negative integer, got {max_len!r}")
    max_len = int(max_len)
    if t.numel() and int(t.min()) < 0:
        raise ValueError(f"lengths must be non-negative, got {t.tolist()}")
    if t.numel() and int(t.max()) > max_len:
        raise ValueError(f"lengths must be at most max_len={max_len}, got {t.tolist()}")
    return torch.arange(max_len, device=t.device) < t[:, None]


def causal_mask(n: int, *, device: torch.device | str | None = None) -> torch.Tensor:
    """Boolean ``(n, n)`` lower-triangular mask: ``True`` where query ``i`` may see key ``j <= i``.

    Parameters
    ----------
    n : int
        The sequence length (non-negative).
    device : torch.device or str, optional
        Where to create the mask (default: the CPU).

    Returns
    -------
    torch.Tensor
        Boolean, shape ``(n, n)``; ``True`` = attend (the ``mask`` convention of
        :func:`scaled_dot_product_attention`).

    Examples
    --------
    >>> causal_mask(3)
    tensor([[ True, False, False],
            [ True,  True, False],
            [ True,  True,  True]])
    """
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return _causal(int(n), int(n), torch.device(device) if device is not None else None)


# ----------------------------------------------------------------------------- modules


def _module_mask(
    key_padding_mask: torch.Tensor | None,
    attn_mask: torch.Tensor | None,
    batch: int | None,
    heads: int,
    length: int,
    device: torch.device,
) -> torch.Tensor | None:
    """The modules' torch-convention masks as one mask ``(B|1, H|1, L, L)`` for the function.

    Input: boolean ``True`` = ignore, float = added. Output: boolean ``True`` = **attend** when
    every given mask is boolean (cheaper, and half-precision inputs can keep their dtype on the
    fast path), otherwise one additive float32 mask (``-inf`` where a boolean said ignore).
    Returns None when there is no mask.
    """
    parts: list[torch.Tensor] = []

    def checked(m: torch.Tensor) -> torch.Tensor:
        if m.dtype != torch.bool and not m.is_floating_point():
            raise TypeError(f"masks must be boolean or floating, got dtype {m.dtype}")
        return m

    if key_padding_mask is not None:
        kpm = torch.as_tensor(key_padding_mask, device=device)
        expected = (length,) if batch is None else (batch, length)
        if tuple(kpm.shape) != expected:
            raise ValueError(
                f"key_padding_mask must have shape (batch, L) = {expected}, "
                f"got {tuple(kpm.shape)}"
            )
        kpm = checked(kpm)
        parts.append(kpm[None, None, :] if batch is None else kpm[:, None, None, :])
    if attn_mask is not None:
        am = torch.as_tensor(attn_mask, device=device)
        b = 1 if batch is None else batch
        if am.shape == (length, length):
            am = am[None, None]
        elif am.dim() == 3 and am.shape == (b * heads, length, length):
            am = am.reshape(b, heads, length, length)
        elif am.dim() == 4 and am.shape[-2:] == (length, length) and am.shape[0] in (1, b) and (
            am.shape[1] in (1, heads)
        ):
            pass
        else:
            raise ValueError(
                f"attn_mask must have shape (L, L) = {(length, length)}, (batch*heads, L, L) = "
                f"{(b * heads, length, length)} or (batch, heads, L, L), got {tuple(am.shape)}"
            )
        parts.append(checked(am))
    if not parts:
        return None
    total: torch.Tensor
    if all(m.dtype == torch.bool for m in parts):
        total = ~parts[0] if len(parts) == 1 else ~(parts[0] | parts[1])
    else:
        total = sum(
            torch.zeros(m.shape, device=device).masked_fill(m, float("-inf"))
            if m.dtype == torch.bool else m.to(device=device, dtype=torch.float32)
            for m in parts
        )
    if batch is None:
        total = total[0]
    return total


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention, laid out like :class:`torch.nn.MultiheadAttention`.

    Each of the ``heads`` heads projects the input to queries, keys and values of size
    ``dim // heads``, runs :func:`scaled_dot_product_attention`, and the heads' outputs are
    concatenated and projected back by ``out_proj``. The projections are separate ``q_proj``,
    ``k_proj`` and ``v_proj`` linear layers (torch stacks them in ``in_proj_weight``;
    :meth:`from_torch` splits it).

    Parameters
    ----------
    dim : int
        Model width (embedding size); must be divisible by ``heads``.
    heads : int
        Number of attention heads.
    dropout : float, default 0.0
        Dropout on the attention weights, in training mode only.
    bias : bool, default True
        Whether the projections have biases.
    batch_first : bool, default True
        Input ``(batch, L, dim)`` if True, ``(L, batch, dim)`` if False. A 2-D input ``(L, dim)``
        is one unbatched sequence.

    Examples
    --------
    >>> attn = MultiHeadSelfAttention(8, 2)
    >>> x = torch.randn(3, 5, 8, generator=torch.Generator().manual_seed(0))
    >>> out, weights = attn(x, key_padding_mask=~padding_mask([5, 4, 2], 5))
    >>> out.shape, weights.shape
    (torch.Size([3, 5, 8]), torch.Size([3, 5, 5]))
    >>> weights[2, :, 2:].abs().sum().item()  # nobody attends to the padding
    0.0
    >>> fast, none = attn(x, key_padding_mask=~padding_mask([5, 4, 2], 5), need_weights=False)
    >>> none is None and torch.allclose(fast, out, atol=1e-6)
    True
    """

    def __init__(
        self,
        dim: int,
        heads: int,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        batch_first: bool = True,
    ) -> None:
        super().__init__()
        if dim <= 0 or heads <= 0:
            raise ValueError(f"dim and heads must be positive, got dim={dim}, heads={heads}")
        if dim % heads != 0:
            raise ValueError(f"dim={dim} must be divisible by heads={heads}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be in [0, 1], got {dropout}")
        self.dim, self.heads, self.head_dim = dim, heads, dim // heads
        self.dropout, self.batch_first = dropout, batch_first
        self.q_proj = nn.Linear(dim, dim, bias=bias)
        self.k_proj = nn.Linear(dim, dim, bias=bias)
        self.v_proj = nn.Linear(dim, dim, bias=bias)
        self.out_proj = nn.Linear(dim, dim, bias=bias)

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> MultiHeadSelfAttention:
        """A copy of a :class:`torch.nn.MultiheadAttention`'s weights (same dtype and device).

        Examples
        --------
        >>> ref = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> ours = MultiHeadSelfAttention.from_torch(ref)
        >>> x = torch.randn(1, 3, 8)
        >>> torch.allclose(ours(x)[0], ref(x, x, x)[0], atol=1e-6)
        True
        """
        if not module._qkv_same_embed_dim or module.in_proj_weight is None:
            raise ValueError("from_torch needs a MultiheadAttention with kdim = vdim = embed_dim")
        if module.bias_k is not None or module.add_zero_attn:
            raise ValueError("from_torch does not support add_bias_kv or add_zero_attn")
        bias = module.in_proj_bias is not None
        ours = cls(
            module.embed_dim, module.num_heads, dropout=module.dropout, bias=bias,
            batch_first=module.batch_first,
        ).to(device=module.in_proj_weight.device, dtype=module.in_proj_weight.dtype)
        projections = (ours.q_proj, ours.k_proj, ours.v_proj)
        with torch.no_grad():
            for proj, w in zip(projections, module.in_proj_weight.chunk(3), strict=True):
                proj.weight.copy_(w)
            ours.out_proj.weight.copy_(module.out_proj.weight)
            if bias:
                for proj, b in zip(projections, module.in_proj_bias.chunk(3), strict=True):
                    proj.bias.copy_(b)
                ours.out_proj.bias.copy_(module.out_proj.bias)
        return ours

    def forward(
        self,
        x: torch.Tensor,
        *,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        causal: bool = False,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from every position of ``x`` to every (unmasked) position of ``x``.

        Parameters
        ----------
        x : torch.Tensor
            ``(batch, L, dim)`` (``batch_first``), ``(L, batch, dim)`` otherwise, or ``(L, dim)``.
        key_padding_mask : torch.Tensor, optional
            ``(batch, L)``. Boolean **True = padding, ignored** (torch's convention, the negation
            of :func:`padding_mask`); float = added to the scores.
        attn_mask : torch.Tensor, optional
            ``(L, L)``, ``(batch * heads, L, L)`` or ``(batch, heads, L, L)``. Boolean **True =
            blocked** (torch's ``nn.MultiheadAttention`` convention); float = added.
        causal : bool, default False
            Hide future positions; combines with the masks.
        need_weights : bool, default True
            Return the attention weights. If False, return ``None`` for them and compute the
            output on the fast path (torch's fused kernel, see
            :func:`scaled_dot_product_attention`), except in training mode with ``dropout > 0``:
            dropout acts on the weights, so that case keeps the explicit path, and a seeded run
            gives the same output whatever ``need_weights`` is.
        average_attn_weights : bool, default True
            Weights averaged over heads ``(batch, L, L)``; if False, per head
            ``(batch, heads, L, L)``.

        Returns
        -------
        output : torch.Tensor
            Same shape as ``x``.
        weights : torch.Tensor or None
            The softmax weights (before dropout); a query with all keys masked has zero weights
            and zero attention output (before ``out_proj``'s bias).
        """
        if x.dim() not in (2, 3) or x.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape (batch, L, dim={self.dim}) or (L, dim={self.dim}), "
                f"got {tuple(x.shape)}"
            )
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(0)
        elif not self.batch_first:
            x = x.transpose(0, 1)
        batch, length, _ = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:  # (B, L, dim) -> (B, H, L, head_dim)
            return t.view(batch, length, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        mask = _module_mask(
            key_padding_mask, attn_mask, None if unbatched else batch, self.heads, length,
            x.device,
        )
        if mask is not None and unbatched:
            mask = mask[None]
        dropout = self.training and self.dropout > 0
        # Without weights, the fast path (torch's fused kernel); dropout acts on the weights: it
        # needs them.
        out, weights = scaled_dot_product_attention(
            q, k, v, mask=mask, causal=causal, need_weights=need_weights or dropout
        )
        return self._project(out, weights, v, dropout=dropout, batch=batch, length=length,
                             unbatched=unbatched, need_weights=need_weights,
                             average_attn_weights=average_attn_weights)

    def _project(
        self,
        out: torch.Tensor,
        weights: torch.Tensor | None,
        v: torch.Tensor,
        *,
        dropout: bool,
        batch: int,
        length: int,
        unbatched: bool,
        need_weights: bool,
        average_attn_weights: bool,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attention dropout, the output projection and torch's layout of both results
        (shared by self- and cross-attention; ``length`` is the number of queries)."""
        if dropout:
            out = (F.dropout(weights, self.dropout) @ v).to(out.dtype)
        out = self.out_proj(out.transpose(1, 2).reshape(batch, length, self.dim))
        if unbatched:
            out = out[0]
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if unbatched:
            weights = weights[0]
        if average_attn_weights:
            weights = weights.mean(dim=-3)
        return out, weights


_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"relu": F.relu, "gelu": F.gelu}


def _activation(
    activation: str | Callable[[torch.Tensor], torch.Tensor],
) -> Callable[[torch.Tensor], torch.Tensor]:
    """A block's feed-forward activation: a name in ``_ACTIVATIONS`` or a callable."""
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)} or a callable, "
                f"got {activation!r}"
            )
        return _ACTIVATIONS[activation]
    return activation


class TransformerEncoderBlock(nn.Module):
    """One Transformer encoder layer, equal to :class:`torch.nn.TransformerEncoderLayer`.

    Post-norm (``norm_first=False``, the original Transformer)::

        x = norm1(x + attention(x));  x = norm2(x + feed_forward(x))

    Pre-norm (``norm_first=True``)::

        x = x + attention(norm1(x));  x = x + feed_forward(norm2(x))

    with ``feed_forward(x) = linear2(dropout(activation(linear1(x))))``. Inputs are
    batch-first ``(batch, L, dim)`` (or unbatched ``(L, dim)``). After each forward,
    ``last_attention`` holds the attention weights per head, ``(batch, heads, L, L)``, detached,
    for plots -- unless ``keep_attention`` is False: then the attention takes the fast path
    (torch's fused kernel, no weights; see :func:`scaled_dot_product_attention`) and
    ``last_attention`` is None. ``keep_attention`` is an attribute too, to switch later.

    Parameters
    ----------
    dim : int
        Model width.
    heads : int
        Attention heads; ``dim`` must be divisible by it.
    ff_dim : int
        Hidden width of the feed-forward network.
    dropout : float, default 0.0
        Dropout on attention weights, the feed-forward hidden layer and both residual branches.
    norm_first : bool, default False
        Pre-norm if True, post-norm otherwise.
    activation : {"relu", "gelu"} or callable, default "relu"
        The feed-forward activation.
    layer_norm_eps : float, default 1e-5
        The layer norms' epsilon (torch's default).
    keep_attention : bool, default True
        Keep the attention weights in ``last_attention``; False computes none (faster, less
        memory for long sequences). In training mode with ``dropout > 0`` the weights are
        computed anyway (dropout acts on them) but not kept.

    Examples
    --------
    >>> block = TransformerEncoderBlock(8, 2, 16)
    >>> x = torch.randn(2, 4, 8, generator=torch.Generator().manual_seed(0))
    >>> block(x, key_padding_mask=~padding_mask([4, 2], 4)).shape
    torch.Size([2, 4, 8])
    >>> block.last_attention.shape
    torch.Size([2, 2, 4, 4])
    >>> block.keep_attention = False  # the fast path: same output, no weights kept
    >>> block(x, key_padding_mask=~padding_mask([4, 2], 4)).shape, block.last_attention
    (torch.Size([2, 4, 8]), None)
    """

    last_attention: torch.Tensor | None

    def __init__(
        self,
        dim: int,
        heads: int,
        ff_dim: int,
        *,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str | Callable[[torch.Tensor], torch.Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        keep_attention: bool = True,
    ) -> None:
        super().__init__()
        activation = _activation(activation)
        if ff_dim <= 0:
            raise ValueError(f"ff_dim must be positive, got {ff_dim}")
        self.self_attn = MultiHeadSelfAttention(dim, heads, dropout=dropout)
        self.linear1 = nn.Linear(dim, ff_dim)
        self.linear2 = nn.Linear(ff_dim, dim)
        self.norm1 = nn.LayerNorm(dim, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(dim, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = activation
        self.norm_first = norm_first
        self.keep_attention = keep_attention
        self.last_attention = None

    @classmethod
    def from_torch(
        cls, layer: nn.TransformerEncoderLayer, *, keep_attention: bool = True
    ) -> TransformerEncoderBlock:
        """A copy of a batch-first :class:`torch.nn.TransformerEncoderLayer`'s weights.

        ``keep_attention`` is passed to the constructor (False: the fast path, no weights kept).

        Examples
        --------
        >>> ref = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        >>> block = TransformerEncoderBlock.from_torch(ref)
        >>> x = torch.randn(1, 3, 8)
        >>> torch.allclose(block(x), ref(x), atol=1e-5)
        True
        """
        if not layer.self_attn.batch_first:
            raise ValueError("from_torch needs a TransformerEncoderLayer with batch_first=True")
        act = layer.activation
        if act is F.relu or isinstance(act, nn.ReLU):
            activation: str | Callable[[torch.Tensor], torch.Tensor] = "relu"
        elif act is F.gelu or isinstance(act, nn.GELU):
            activation = act if isinstance(act, nn.GELU) else "gelu"
        else:
            activation = act
        attn = layer.self_attn
        block = cls(
            attn.embed_dim, attn.num_heads, layer.linear1.out_features,
            dropout=layer.dropout.p, norm_first=layer.norm_first, activation=activation,
            layer_norm_eps=layer.norm1.eps, keep_attention=keep_attention,
        )
        block.self_attn = MultiHeadSelfAttention.from_torch(attn)
        for name in ("linear1", "linear2", "norm1", "norm2"):
            getattr(block, name).load_state_dict(getattr(layer, name).state_dict())
        w = attn.in_proj_weight
        return block.to(device=w.device, dtype=w.dtype)

    def forward(
        self,
        x: torch.Tensor,
        *,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        causal: bool = False,
    ) -> torch.Tensor:
        """Run the block; masks follow torch's convention (boolean True = ignore).

        Parameters
        ----------
        x : torch.Tensor
            ``(batch, L, dim)`` or ``(L, dim)``.
        key_padding_mask : torch.Tensor, optional
            ``(batch, L)``, boolean **True = padding** (torch's ``src_key_padding_mask``).
        attn_mask : torch.Tensor, optional
            As in :meth:`MultiHeadSelfAttention.forward` (boolean True = blocked).
        causal : bool, default False
            Hide future positions.

        Returns
        -------
        torch.Tensor
            Same shape as ``x``. Padded positions are computed like any other (torch's eval
            fast path returns zeros there instead).
        """

        def attend(h: torch.Tensor) -> torch.Tensor:
            out, weights = self.self_attn(
                h, key_padding_mask=key_padding_mask, attn_mask=attn_mask, causal=causal,
                need_weights=self.keep_attention, average_attn_weights=False,
            )
            self.last_attention = None if weights is None else weights.detach()
            return self.dropout1(out)

        def feed_forward(h: torch.Tensor) -> torch.Tensor:
            return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(h)))))

        if self.norm_first:
            x = x + attend(self.norm1(x))
            x = x + feed_forward(self.norm2(x))
        else:
            x = self.norm1(x + attend(x))
            x = self.norm2(x + feed_forward(x))
        return x


# ----------------------------------------------------------------------------- cross-attention
#
# Queries from one sequence, keys and values from another (an encoder's output, the "memory"):
# the attention that joins a decoder to its encoder. Self-contained on purpose: its masks are
# (Lq, Lk), not (L, L), so it builds them with its own helper below.


def _cross_mask(
    key_padding_mask: torch.Tensor | None,
    attn_mask: torch.Tensor | None,
    batch: int,
    heads: int,
    lq: int,
    lk: int,
    device: torch.device,
) -> torch.Tensor | None:
    """Torch-convention masks (True = ignore, float = added) as one ``(B|1, H|1, Lq, Lk)`` mask.

    The result follows :func:`scaled_dot_product_attention`'s convention: boolean True =
    attend when every mask given is boolean, otherwise one additive float32 mask.
    """
    parts: list[torch.Tensor] = []
    for name, m in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask)):
        if m is None:
            continue
        m = torch.as_tensor(m, device=device)
        if m.dtype != torch.bool and not m.is_floating_point():
            raise TypeError(f"{name} must be boolean or floating, got dtype {m.dtype}")
        if name == "key_padding_mask":
            if tuple(m.shape) != (batch, lk):
                raise ValueError(
                    f"key_padding_mask must have shape (batch, Lk) = {(batch, lk)}, "
                    f"got {tuple(m.shape)}"
                )
            m = m[:, None, None, :]
        elif tuple(m.shape) == (lq, lk):
            m = m[None, None]
        elif tuple(m.shape) == (batch * heads, lq, lk):
            m = m.reshape(batch, heads, lq, lk)
        elif m.dim() == 4 and tuple(m.shape[-2:]) == (lq, lk) and m.shape[0] in (1, batch) and (
            m.shape[1] in (1, heads)
        ):
            pass
        else:
            raise ValueError(
                f"attn_mask must have shape (Lq, Lk) = {(lq, lk)}, (batch*heads, Lq, Lk) = "
                f"{(batch * heads, lq, lk)} or (batch, heads, Lq, Lk), got {tuple(m.shape)}"
            )
        parts.append(m)
    if not parts:
        return None
    if all(m.dtype == torch.bool for m in parts):
        return ~parts[0] if len(parts) == 1 else ~(parts[0] | parts[1])
    return sum(
        torch.zeros(m.shape, device=device).masked_fill(m, float("-inf"))
        if m.dtype == torch.bool else m.to(device=device, dtype=torch.float32)
        for m in parts
    )


class MultiHeadCrossAttention(MultiHeadSelfAttention):
    """Multi-head cross-attention: queries from ``x``, keys and values from ``memory``.

    The decoder of an encoder-decoder Transformer reads its source sentence through this layer:
    each target position asks a query, and the encoder's outputs (the *memory*) answer as keys
    and values. The weights have :class:`MultiHeadSelfAttention`'s layout (separate ``q_proj``,
    ``k_proj``, ``v_proj``, ``out_proj``), that of :class:`torch.nn.MultiheadAttention` called as
    ``mha(x, memory, memory)``, and copy across with :meth:`from_torch`. The attention itself is
    :func:`scaled_dot_product_attention`.

    Parameters
    ----------
    dim : int
        Model width of ``x`` and ``memory``; divisible by ``heads``.
    heads : int
        Number of attention heads.
    dropout : float, default 0.0
        Dropout on the attention weights, in training mode only.
    bias : bool, default True
        Whether the projections have biases.
    batch_first : bool, default True
        ``(batch, L, dim)`` if True, ``(L, batch, dim)`` if False; 2-D inputs are unbatched.

    Examples
    --------
    >>> attn = MultiHeadCrossAttention(8, 2)
    >>> g = torch.Generator().manual_seed(0)
    >>> x, memory = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g)
    >>> out, weights = attn(x, memory, key_padding_mask=~padding_mask([5, 2], 5))
    >>> out.shape, weights.shape
    (torch.Size([2, 3, 8]), torch.Size([2, 3, 5]))
    >>> weights[1, :, 2:].abs().sum().item()  # the padding of the memory gets no weight
    0.0
    """

    def forward(  # type: ignore[override]
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        *,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from every position of ``x`` to every (unmasked) position of ``memory``.

        Parameters
        ----------
        x : torch.Tensor
            The queries' sequence, ``(batch, Lq, dim)`` (``batch_first``), ``(Lq, batch, dim)``
            otherwise, or ``(Lq, dim)``.
        memory : torch.Tensor
            The keys' and values' sequence, ``(batch, Lk, dim)`` (same layout as ``x``).
        key_padding_mask : torch.Tensor, optional
            ``(batch, Lk)``: boolean **True = padding of the memory, ignored**; float = added.
        attn_mask : torch.Tensor, optional
            ``(Lq, Lk)``, ``(batch * heads, Lq, Lk)`` or ``(batch, heads, Lq, Lk)``; boolean
            **True = blocked**; float = added.
        need_weights : bool, default True
            Return the weights; False takes the fast path (as
            :meth:`MultiHeadSelfAttention.forward`).
        average_attn_weights : bool, default True
            Weights averaged over heads ``(batch, Lq, Lk)``; if False ``(batch, heads, Lq, Lk)``.

        Returns
        -------
        output : torch.Tensor
            Shape of ``x``.
        weights : torch.Tensor or None
            The softmax weights over the memory (before dropout), or None.
        """
        for name, t in (("x", x), ("memory", memory)):
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
            if t.dim() not in (2, 3) or t.shape[-1] != self.dim:
                raise ValueError(
                    f"{name} must have shape (batch, L, dim={self.dim}) or (L, dim={self.dim}), "
                    f"got {tuple(t.shape)}"
                )
        if x.dim() != memory.dim():
            raise ValueError(
                f"x and memory must both be batched or both unbatched, got shapes "
                f"{tuple(x.shape)} and {tuple(memory.shape)}"
            )
        unbatched = x.dim() == 2
        if unbatched:
            x, memory = x.unsqueeze(0), memory.unsqueeze(0)
            if key_padding_mask is not None:
                key_padding_mask = torch.as_tensor(key_padding_mask)[None]
        elif not self.batch_first:
            x, memory = x.transpose(0, 1), memory.transpose(0, 1)
        if x.shape[0] != memory.shape[0]:
            raise ValueError(
                f"x and memory must have the same batch size, got {x.shape[0]} and "
                f"{memory.shape[0]}"
            )
        batch, lq, _ = x.shape
        lk = memory.shape[1]

        def split(t: torch.Tensor, length: int) -> torch.Tensor:  # -> (B, H, L, head_dim)
            return t.view(batch, length, self.heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(x), lq)
        k, v = split(self.k_proj(memory), lk), split(self.v_proj(memory), lk)
        mask = _cross_mask(key_padding_mask, attn_mask, batch, self.heads, lq, lk, x.device)
        dropout = self.training and self.dropout > 0
        out, weights = scaled_dot_product_attention(
            q, k, v, mask=mask, need_weights=need_weights or dropout
        )
        return self._project(out, weights, v, dropout=dropout, batch=batch, length=lq,
                             unbatched=unbatched, need_weights=need_weights,
                             average_attn_weights=average_attn_weights)


__all__ += ["MultiHeadCrossAttention"]

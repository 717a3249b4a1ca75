"""Compare vectors: dot product, cosine similarity, scaled dot product, exact top-k search.

The last step of the book's pipeline compares encoded vectors. Three scores, each reducing the
last dimension ``d`` of its inputs and broadcasting over the leading ones like torch does:

* :func:`dot` -- ``sum(a * b)``; grows with the vectors' lengths;
* :func:`cosine` -- the dot product of the two directions, in ``[-1, 1]``, blind to length;
* :func:`scaled_dot` -- ``dot / sqrt(d)``, the score of scaled dot-product attention.

:func:`pairwise` scores every row of one matrix against every row of another, and :func:`topk`
finds each query's ``k`` best keys exactly, one chunk of keys at a time, so that memory stays
bounded by ``queries x chunk_size`` scores rather than ``queries x keys``.

Inputs may be torch tensors, NumPy arrays or (nested) lists; results are torch tensors on the
inputs' device.

Dtype policy
------------
Scores are computed, and returned, in float64 when either input is float64, and in float32
otherwise: float16 and bfloat16 inputs are upcast to float32 before anything is multiplied
(so a long half-precision dot product neither overflows nor loses digits), and integer and
bool inputs are promoted to float32. Results are *not* cast back to half precision: a dot
product of float16 vectors can exceed float16's range (65504) even when every entry fits.
Complex inputs raise :class:`TypeError`.

Examples
--------
The lecture's two vectors point the same way, with lengths 4 and 5:

>>> a, b = [0.0, 4.0], [0.0, 5.0]
>>> cosine(a, b), dot(a, b), scaled_dot(a, b)
(tensor(1.), tensor(20.), tensor(14.1421))
>>> keys = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]
>>> topk([[2.0, 0.0]], keys, 3)
TopK(values=tensor([[1.0000, 1.0000, 0.7071]]), indices=tensor([[0, 3, 2]]))
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, Literal, NamedTuple

import numpy as np
import torch

__all__ = [
    "DEFAULT_BLOCK_BYTES",
    "METRICS",
    "TopK",
    "cosine",
    "default_chunk_size",
    "dot",
    "pairwise",
    "scaled_dot",
    "topk",
]

#: The scores :func:`pairwise` and :func:`topk` know.
METRICS = ("cosine", "dot", "scaled_dot")

#: The budget of one chunk in :func:`topk` when ``chunk_size=None``: the chunk's score block
#: (``queries x chunk_size``) and the chunk's keys (``chunk_size x d``) each take at most this
#: many bytes in the compute dtype (16 MiB: at 1,000 queries that is 4,194 keys a chunk, fewer
#: than 0.1x of a 100,000-key score matrix, and large enough that the per-chunk merge of
#: running top-k lists stays a small part of the time; see benchmarks/bench_topk.py).
DEFAULT_BLOCK_BYTES = 16 * 2**20

Metric = Literal["cosine", "dot", "scaled_dot"]


class TopK(NamedTuple):
    """The result of :func:`topk`; unpacks as ``values, indices`` like ``torch.topk``'s.

    Attributes
    ----------
    values : torch.Tensor
        The ``k`` best scores of each query, in descending order.
    indices : torch.Tensor
        The matching key indices (int64); among equal scores, the lower key index comes first.

    Examples
    --------
    >>> values, indices = topk([1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]], 1)
    >>> values, indices
    (tensor([1.]), tensor([1]))
    """

    values: torch.Tensor
    indices: torch.Tensor


# ----------------------------------------------------------------------------- input checks


def _to_tensor(x: object, name: str) -> torch.Tensor:
    """``x`` as a dense real tensor (numbers of any real dtype); never a copy of a tensor."""
    if isinstance(x, torch.Tensor):
        t = x
        if t.layout != torch.strided:
            raise TypeError(
                f"{name} must be a dense tensor (call .to_dense()), got layout {t.layout}"
            )
    elif isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got a NumPy array of dtype {x.dtype}")
        arr = x
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float32)
        elif not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        with warnings.catch_warnings():
            # A read-only array is shared, not copied; this module never writes to its inputs.
            warnings.simplefilter("ignore", UserWarning)
            t = torch.from_numpy(arr)
    elif isinstance(x, list | tuple):
        try:
            t = torch.as_tensor(x)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(
                f"{name} must be a (nested) list of numbers with a regular shape: {exc}"
            ) from None
    elif hasattr(x, "toarray"):
        raise TypeError(f"{name} is a sparse matrix ({type(x).__name__}); pass {name}.toarray()")
    else:
        raise TypeError(
            f"{name} must be a torch tensor, a NumPy array or a list, got {type(x).__name__}"
        )
    if t.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}")
    return t


def _compute_dtype(*tensors: torch.Tensor) -> torch.dtype:
    return torch.float64 if any(t.dtype == torch.float64 for t in tensors) else torch.float32


def _checked_pair(
    a: object, b: object, names: tuple[str, str], *, keys: bool = False
) -> tuple[torch.Tensor, torch.Tensor, torch.device]:
    """Both inputs as tensors (dtypes and devices untouched), with their shapes checked, and
    the device they belong on (the one the tensor input is on).

    Each input needs a non-empty last dimension, the same for both; with ``keys``, ``b`` must
    be a 2-D ``(m, d)`` matrix.
    """
    ta, tb = _to_tensor(a, names[0]), _to_tensor(b, names[1])
    a_is_tensor, b_is_tensor = isinstance(a, torch.Tensor), isinstance(b, torch.Tensor)
    if a_is_tensor and b_is_tensor and ta.device != tb.device:
        raise ValueError(
            f"{names[0]} and {names[1]} must be on the same device, got {ta.device} and "
            f"{tb.device}"
        )
    if keys:
        if ta.dim() == 0:
            raise ValueError(f"{names[0]} must have at least one dimension, got a scalar")
        if tb.dim() != 2:
            raise ValueError(
                f"{names[1]} must be a 2-D (m, d) matrix, got shape {tuple(tb.shape)}"
            )
    for t, name in ((ta, names[0]), (tb, names[1])):
        if t.dim() == 0:
            raise ValueError(f"{name} must have at least one dimension, got a scalar")
        if t.shape[-1] == 0:
            raise ValueError(
                f"{name} has an empty last dimension (shape {tuple(t.shape)}); vectors need d >= 1"
            )
    if ta.shape[-1] != tb.shape[-1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same last dimension, got shapes "
            f"{tuple(ta.shape)} and {tuple(tb.shape)}"
        )
    return ta, tb, ta.device if a_is_tensor else tb.device


def _prepare(a: object, b: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Both inputs as tensors of the compute dtype on one device, with their shapes checked."""
    ta, tb, device = _checked_pair(a, b, ("a", "b"))
    dtype = _compute_dtype(ta, tb)
    return ta.to(device=device, dtype=dtype), tb.to(device=device, dtype=dtype)


def _broadcast_check(a: torch.Tensor, b: torch.Tensor, names: tuple[str, str]) -> None:
    try:
        torch.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    except RuntimeError:
        raise ValueError(
            f"the leading dimensions of {names[0]} and {names[1]} do not broadcast, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        ) from None


def _check_eps(eps: object) -> float:
    if isinstance(eps, bool) or not isinstance(eps, int | float):
        raise TypeError(f"eps must be a positive float, got {type(eps).__name__}")
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite float, got {eps!r}")
    return float(eps)


def _check_metric(metric: object, name: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, METRICS))}, got {metric!r}")
    return metric  # type: ignore[return-value]


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None


def _normalized(x: torch.Tensor, eps: float) -> torch.Tensor:
    """``x / max(||x||, eps)`` along the last dimension (a new tensor)."""
    norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True).clamp_min(eps)
    return x / norm


# ----------------------------------------------------------------------------- elementwise


def dot(a: Any, b: Any) -> torch.Tensor:
    """Dot product over the last dimension, broadcasting over the leading ones.

    Parameters
    ----------
    a, b : tensor, array or list, shapes ``(..., d)``
        Vectors or batches of vectors with the same last dimension ``d >= 1``; their leading
        dimensions broadcast as in torch.

    Returns
    -------
    torch.Tensor
        ``sum(a * b, dim=-1)``, of the broadcast leading shape; float32 (float64 if either
        input is float64), on the inputs' device. Half-precision inputs are accumulated in
        float32 and returned as float32 (see the module's dtype policy).

    Raises
    ------
    ValueError
        If the last dimensions differ or are empty, an input is a scalar, the leading
        dimensions do not broadcast, or the tensors are on different devices.
    TypeError
        If an input is not a tensor, array or list of real numbers.

    Examples
    --------
    >>> dot([0, 4], [0, 5])
    tensor(20.)
    >>> dot([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
    tensor([3., 7.])
    """
    ta, tb = _prepare(a, b)
    _broadcast_check(ta, tb, ("a", "b"))
    return torch.linalg.vecdot(ta, tb, dim=-1)


def scaled_dot(a: Any, b: Any) -> torch.Tensor:
    """Dot product divided by ``sqrt(d)``, ``d`` the last dimension: attention's score.

    Dividing by ``sqrt(d)`` keeps the score of two random unit-variance vectors at unit
    variance whatever ``d`` is. Inputs, broadcasting, dtypes and errors as in :func:`dot`.

    Parameters
    ----------
    a, b : tensor, array or list, shapes ``(..., d)``
        Vectors or batches of vectors with the same last dimension ``d >= 1``.

    Returns
    -------
    torch.Tensor
        ``dot(a, b) / sqrt(d)``.

    Examples
    --------
    >>> scaled_dot([0, 4], [0, 5])  # 20 / sqrt(2)
    tensor(14.1421)
    """
    ta, tb = _prepare(a, b)
    _broadcast_check(ta, tb, ("a", "b"))
    return torch.linalg.vecdot(ta, tb, dim=-1) / math.sqrt(ta.shape[-1])


def cosine(a: Any, b: Any, *, eps: float = 1e-8) -> torch.Tensor:
    """Cosine similarity over the last dimension, broadcasting over the leading ones.

    Computed as ``torch.nn.functional.cosine_similarity`` computes it (torch >= 1.12, checked
    against torch 2.13's ``aten/src/ATen/native/Distance.cpp``): each input is divided by its
    own clamped norm, then the two are dotted,

    ``cosine(a, b) = (a / max(||a||, eps)) . (b / max(||b||, eps))``

    -- *not* ``a . b / max(||a|| ||b||, eps)``, the formula of older torch versions. So a zero
    vector gives 0 (never NaN), and a vector shorter than ``eps`` is treated as if its length
    were ``eps``. The result is clamped to ``[-1, 1]`` against rounding.

    Parameters
    ----------
    a, b : tensor, array or list, shapes ``(..., d)``
        Vectors or batches of vectors with the same last dimension ``d >= 1``; their leading
        dimensions broadcast as in torch.
    eps : float, optional
        The smallest norm divided by (default ``1e-8``, torch's); must be positive.

    Returns
    -------
    torch.Tensor
        The cosines, of the broadcast leading shape; float32 (float64 if either input is
        float64; integer, bool and half-precision inputs are promoted to float32), on the
        inputs' device.

    Raises
    ------
    ValueError
        If the last dimensions differ or are empty, an input is a scalar, the leading
        dimensions do not broadcast, the tensors are on different devices, or ``eps <= 0``.
    TypeError
        If an input is not a tensor, array or list of real numbers.

    Examples
    --------
    >>> cosine([0, 4], [0, 5])
    tensor(1.)
    >>> cosine([[1.0, 0.0], [0.0, 0.0]], [1.0, 1.0])  # a zero vector has cosine 0
    tensor([0.7071, 0.0000])
    """
    eps = _check_eps(eps)
    ta, tb = _prepare(a, b)
    _broadcast_check(ta, tb, ("a", "b"))
    return torch.linalg.vecdot(_normalized(ta, eps), _normalized(tb, eps), dim=-1).clamp_(-1, 1)


# ----------------------------------------------------------------------------- matrices


def _score_block(
    queries: torch.Tensor,
    keys: torch.Tensor,
    metric: str,
    eps: float,
    out: torch.Tensor | None = None,
) -> torch.Tensor:
    """Scores of prepared ``queries`` (n, d) against a block of raw ``keys`` (c, d): (n, c).

    For cosine, ``queries`` must already be normalized; the keys' norms divide the columns, so
    a block of keys is never copied (unless its dtype must change, before this is called).
    ``out``, a contiguous (n, c) tensor, receives the scores if given.
    """
    scores = torch.mm(queries, keys.T, out=out) if out is not None else queries @ keys.T
    if metric == "cosine":
        norms = torch.linalg.vector_norm(keys, dim=-1).clamp_min_(eps)
        scores.div_(norms).clamp_(-1, 1)
    elif metric == "scaled_dot":
        scores.div_(math.sqrt(keys.shape[-1]))
    return scores


def pairwise(a: Any, b: Any, kind: Metric = "cosine", *, eps: float = 1e-8) -> torch.Tensor:
    """Score every row of ``a`` against every row of ``b``: an ``(n, m)`` matrix.

    Parameters
    ----------
    a : tensor, array or list, shape ``(n, d)``
        The rows to score (queries).
    b : tensor, array or list, shape ``(m, d)``
        The rows to score them against (keys).
    kind : {"cosine", "dot", "scaled_dot"}
        The score, as :func:`cosine`, :func:`dot` or :func:`scaled_dot` define it.
    eps : float, optional
        The smallest norm divided by, for ``kind="cosine"`` (see :func:`cosine`).

    Returns
    -------
    torch.Tensor
        ``out[i, j] = score(a[i], b[j])``; dtype and device as for :func:`dot`.

    Raises
    ------
    ValueError
        If an input is not 2-D, the last dimensions differ or are empty, ``kind`` is unknown,
        or the tensors are on different devices.
    TypeError
        If an input is not a tensor, array or list of real numbers.

    Examples
    --------
    >>> pairwise([[0, 4], [3, 0]], [[0, 5], [1, 1]])
    tensor([[1.0000, 0.7071],
            [0.0000, 0.7071]])
    >>> pairwise([[0, 4], [3, 0]], [[0, 5], [1, 1]], kind="dot")
    tensor([[20.,  4.],
            [ 0.,  3.]])
    """
    kind = _check_metric(kind, "kind")  # type: ignore[assignment]
    eps = _check_eps(eps)
    ta, tb = _prepare(a, b)
    for t, name in ((ta, "a"), (tb, "b")):
        if t.dim() != 2:
            raise ValueError(f"{name} must be a 2-D (rows, d) matrix, got shape {tuple(t.shape)}")
    if kind == "cosine":
        ta = _normalized(ta, eps)
    return _score_block(ta, tb, kind, eps)


# ----------------------------------------------------------------------------- top-k


def default_chunk_size(n_queries: int, dim: int, itemsize: int = 4) -> int:
    """The number of keys per chunk that :func:`topk` uses when ``chunk_size=None``.

    The largest chunk whose score block (``n_queries x chunk``) and whose keys
    (``chunk x dim``) each fit in :data:`DEFAULT_BLOCK_BYTES` at ``itemsize`` bytes a number.

    Parameters
    ----------
    n_queries, dim : int
        The number of queries and the vectors' dimension.
    itemsize : int, optional
        Bytes per score (4 for float32, 8 for float64).

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> default_chunk_size(1000, 384)  # 1000 x 4194 float32 scores: just under 16 MiB
    4194
    """
    return max(1, DEFAULT_BLOCK_BYTES // (itemsize * max(n_queries, dim, 1)))


def _ordered(values: torch.Tensor, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sort each row by (descending value, ascending index)."""
    indices, order = torch.sort(indices, dim=1)
    values = values.gather(1, order)
    values, order = torch.sort(values, dim=1, descending=True, stable=True)
    return values, indices.gather(1, order)


def _select(scores: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k best columns of each row of ``scores``, ties to the lower column; ordered."""
    width = scores.shape[1]
    # One more than k: the (k+1)-th best tells whether a tie straddles the k-th place.
    values, indices = torch.topk(scores, min(k + 1, width), dim=1, largest=True, sorted=True)
    if torch.isnan(values[:, 0]).any():  # topk ranks NaN above everything
        raise ValueError("the scores contain NaN (NaN or infinite values in queries or keys)")
    if width == k:
        return _ordered(values, indices)
    straddles = values[:, k] == values[:, k - 1]
    values, indices = values[:, :k].contiguous(), indices[:, :k].contiguous()
    # torch.topk may pick any of several scores equal to the k-th: where more than k scores
    # reach it, take all scores above it and the lowest columns among those equal to it.
    crowded = straddles.nonzero().squeeze(1)
    if crowded.numel():
        rows, bar = scores[crowded], values[crowded, k - 1 :]
        above, equal = rows > bar, rows == bar
        need = k - above.sum(dim=1, keepdim=True)
        take = above | (equal & (equal.cumsum(dim=1) <= need))
        cols = take.nonzero()[:, 1].view(-1, k)  # row-major: k columns a row, ascending
        values[crowded] = rows.gather(1, cols)
        indices[crowded] = cols
    return _ordered(values, indices)


def topk(
    queries: Any,
    keys: Any,
    k: int,
    *,
    metric: Metric = "cosine",
    chunk_size: int | None = None,
    eps: float = 1e-8,
) -> TopK:
    """Exact top-``k`` keys of each query, computed over chunks of keys in bounded memory.

    The keys are split into ``ceil(m / chunk_size)`` chunks of nearly equal size (at most
    ``chunk_size`` each). For each chunk, one ``queries x chunk`` block of scores is computed
    and its best ``k`` are merged into a running top ``k``; the full ``queries x m`` matrix is
    never formed. The answer is that of the full matrix: the same indices and values, up to
    floating-point rounding that can differ by an ulp or so between a chunk's matrix product
    and the full one's.

    Ties: among equal scores the **lower key index comes first**, both in which keys make the
    top ``k`` and in the order of the result. (``torch.topk`` alone does not promise this.)
    Ties are judged on the computed scores.

    Parameters
    ----------
    queries : tensor, array or list, shape ``(n, d)`` or ``(d,)``
        The query vectors (or one query).
    keys : tensor, array or list, shape ``(m, d)``
        The vectors to search.
    k : int
        How many neighbours to return, ``1 <= k <= m``.
    metric : {"cosine", "dot", "scaled_dot"}
        The score to rank by, as :func:`cosine`, :func:`dot`, :func:`scaled_dot` define it.
    chunk_size : int, optional
        Keys per chunk. ``None`` (default) uses :func:`default_chunk_size`: one chunk's
        scores and one chunk's keys each take at most 16 MiB. Peak extra memory is a small
        multiple of ``n x chunk_size`` scores, plus the queries and one chunk of keys in the
        compute dtype.
    eps : float, optional
        The smallest norm divided by, for ``metric="cosine"`` (see :func:`cosine`).

    Returns
    -------
    TopK
        ``(values, indices)``, each ``(n, k)`` (``(k,)`` for one query): the scores in
        descending order, in the compute dtype of :func:`dot` (float32, or float64 if an input
        is float64), and the keys' int64 indices, on the inputs' device. Not differentiable:
        the search runs under ``torch.no_grad()``.

    Raises
    ------
    ValueError
        If ``k < 1`` or ``k > m``, ``chunk_size < 1``, the metric is unknown, the shapes do
        not fit, queries and keys are tensors on different devices, or a score is NaN.
    TypeError
        If ``k`` or ``chunk_size`` is not an int, or an input is not real numbers.

    Examples
    --------
    >>> keys = [[1, 0], [0, 1], [1, 1], [2, 0]]
    >>> topk([[1, 0], [0, 3]], keys, 2)
    TopK(values=tensor([[1.0000, 1.0000],
            [1.0000, 0.7071]]), indices=tensor([[0, 3],
            [1, 2]]))
    >>> topk([1, 0], keys, 2, metric="dot", chunk_size=1)  # one query, one key at a time
    TopK(values=tensor([2., 1.]), indices=tensor([3, 0]))
    """
    metric = _check_metric(metric, "metric")  # type: ignore[assignment]
    eps = _check_eps(eps)
    k = _check_int(k, "k")
    if chunk_size is not None:
        chunk_size = _check_int(chunk_size, "chunk_size")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    # The keys keep their dtype: they are converted one chunk at a time.
    q, kt, device = _checked_pair(queries, keys, ("queries", "keys"), keys=True)
    q, kt = q.to(device=device), kt.to(device=device)
    if q.dim() not in (1, 2):
        raise ValueError(f"queries must be 1-D (d,) or 2-D (n, d), got shape {tuple(q.shape)}")
    single = q.dim() == 1
    if single:
        q = q.unsqueeze(0)
    m, d = kt.shape
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if k > m:
        raise ValueError(f"k must be at most the number of keys, got k={k} for keys of shape "
                         f"{tuple(kt.shape)}")
    dtype = _compute_dtype(q, kt)
    n = q.shape[0]
    if chunk_size is None:
        chunk_size = default_chunk_size(n, d, torch.finfo(dtype).bits // 8)
    n_chunks = -(-m // chunk_size)
    bounds = [m * i // n_chunks for i in range(n_chunks + 1)]  # sizes differ by at most 1

    with torch.no_grad():
        q = q.to(dtype)
        if metric == "cosine":
            q = _normalized(q, eps)
        best_values = torch.empty((n, 0), dtype=dtype, device=q.device)
        best_indices = torch.empty((n, 0), dtype=torch.int64, device=q.device)
        if n:
            # One buffer for every chunk's scores (and one for its keys, if their dtype must
            # change): fresh large blocks would cost page faults on each chunk.
            widest = -(-m // n_chunks)
            score_buffer = torch.empty(n * widest, dtype=dtype, device=q.device)
            key_buffer = None if kt.dtype == dtype else torch.empty(
                widest * d, dtype=dtype, device=q.device
            )
            for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
                width = stop - start
                chunk = kt[start:stop]
                if key_buffer is not None:
                    chunk = key_buffer[: width * d].view(width, d).copy_(chunk)
                scores = score_buffer[: n * width].view(n, width)
                _score_block(q, chunk, metric, eps, out=scores)
                values, indices = _select(scores, min(k, width))
                # Running entries come first and have lower indices than this chunk's, so a
                # stable sort of the concatenation keeps the (-score, index) order.
                values = torch.cat((best_values, values), dim=1)
                indices = torch.cat((best_indices, indices + start), dim=1)
                values, order = torch.sort(values, dim=1, descending=True, stable=True)
                best_values, best_indices = values[:, :k], indices.gather(1, order[:, :k])
        else:
            best_values = torch.empty((0, k), dtype=dtype, device=q.device)
            best_indices = torch.empty((0, k), dtype=torch.int64, device=q.device)
    if single:
        return TopK(best_values[0], best_indices[0])
    return TopK(best_values, best_indices)

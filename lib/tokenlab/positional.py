"""Positional encodings: where a token sits, added to what it is.

Self-attention compares every token with every other token and never looks at their order:
permute the tokens and the outputs are permuted the same way. To let the model see order, the
book adds a vector that depends only on the position to each token's vector:

* :func:`sinusoidal` -- the fixed table of *Attention Is All You Need* (Vaswani et al., 2017)::

      P[i, 2j]     = sin(i / base ** (2j / dim))
      P[i, 2j + 1] = cos(i / base ** (2j / dim))

  and :class:`SinusoidalPositionalEncoding`, a module that adds it to its input;
* :class:`LearnedPositionalEmbedding` -- one trained vector per position (BERT, GPT-2).

Each (sin, cos) pair is a point on a circle turning at its own frequency
``w_j = base ** (-2j / dim)``. Moving ``k`` positions turns every pair by the angle ``k * w_j``,
whatever the start, so ``P[i + k]`` is a fixed rotation of ``P[i]``: :func:`relative_rotation`
builds that rotation. It follows that the dot product ``P[i] @ P[j] = sum_j cos((i - j) w_j)``
depends only on the distance ``i - j``.

Examples
--------
>>> P = sinusoidal(3, 4, dtype=torch.float64)
>>> R = relative_rotation(2, 4, dtype=torch.float64)
>>> torch.allclose(R @ P[0], P[2])
True
"""

from __future__ import annotations

import math
import operator

import torch
from torch import nn

from tokenlab._checks import check_float_dtype as _check_dtype
from tokenlab._checks import check_int as _check_int

__all__ = [
    "LearnedPositionalEmbedding",
    "SinusoidalPositionalEncoding",
    "relative_rotation",
    "sinusoidal",
]


# ----------------------------------------------------------------------------- input checks


def _check_dim(dim: object) -> int:
    """An even ``dim >= 2``: the table's columns come in (sin, cos) pairs."""
    dim = _check_int(dim, "dim", 2)
    if dim % 2:
        raise ValueError(
            f"dim must be even, got {dim}: the sinusoidal columns come in (sin, cos) pairs, "
            "one pair per frequency"
        )
    return dim


def _check_base(base: object) -> float:
    if isinstance(base, bool) or not isinstance(base, int | float):
        raise TypeError(f"base must be a real number, got {type(base).__name__}")
    if not math.isfinite(base) or base <= 0:
        raise ValueError(f"base must be a finite positive number, got {base!r}")
    return float(base)


def _frequencies(dim: int, base: float) -> torch.Tensor:
    """The ``dim // 2`` angular frequencies ``base ** (-2j / dim)``, float64 on the CPU."""
    exponents = torch.arange(0, dim, 2, dtype=torch.float64) / dim
    return base ** (-exponents)


# ----------------------------------------------------------------------------- functions


def sinusoidal(
    length: int,
    dim: int,
    *,
    base: float = 10000.0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The sinusoidal positional-encoding table of the Transformer paper.

    ``P[i, 2j] = sin(i / base ** (2j / dim))`` and ``P[i, 2j + 1] = cos(i / base ** (2j / dim))``:
    even columns hold sines, odd columns the cosines of the same angles.

    The table is computed in float64 (on the CPU) and only then cast to ``dtype`` and moved to
    ``device``: in float32 the product ``i * w_j`` alone would carry an absolute error of about
    ``i * 6e-8`` radians, visible in the sines of positions in the tens of thousands.

    Parameters
    ----------
    length : int
        Number of positions (rows), ``>= 0``; row ``i`` encodes position ``i``.
    dim : int
        Width of the table, even and ``>= 2``. An odd ``dim`` is refused rather than trimmed,
        because sines and cosines come in pairs: one frequency per pair.
    base : float, default 10000.0
        The wavelengths grow geometrically from ``2 pi`` to ``2 pi * base`` (exclusive).
    dtype : torch.dtype, default torch.float32
        Floating-point dtype of the result.
    device : torch.device or str, optional
        Device of the result (the CPU by default).

    Returns
    -------
    torch.Tensor
        The table, of shape ``(length, dim)``.

    Raises
    ------
    ValueError
        If ``length < 0``, ``dim < 2``, ``dim`` is odd, or ``base`` is not finite and positive.
    TypeError
        If ``length`` or ``dim`` is not an integer, or ``dtype`` is not floating point.

    Examples
    --------
    >>> sinusoidal(2, 4)
    tensor([[0.0000, 1.0000, 0.0000, 1.0000],
            [0.8415, 0.5403, 0.0100, 0.9999]])
    >>> sinusoidal(5, 8, dtype=torch.float16).shape
    torch.Size([5, 8])
    """
    length = _check_int(length, "length", 0)
    dim = _check_dim(dim)
    base = _check_base(base)
    dtype = _check_dtype(dtype)
    positions = torch.arange(length, dtype=torch.float64)
    angles = positions[:, None] * _frequencies(dim, base)[None, :]
    table = torch.stack((torch.sin(angles), torch.cos(angles)), dim=-1).reshape(length, dim)
    return table.to(device=device, dtype=dtype)


def relative_rotation(
    k: float,
    dim: int,
    *,
    base: float = 10000.0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The rotation ``R_k`` that moves a sinusoidal encoding ``k`` positions forward.

    With ``P = sinusoidal(n, dim, base=base)``, for every position ``i``::

        P[i + k] == R_k @ P[i]            (P[i] as a column vector)
        P[k:]    == P[:-k] @ R_k.T        (the whole table, rows as row vectors)

    ``R_k`` is block diagonal: the 2 x 2 block of the pair ``(2j, 2j + 1)`` is::

        [[ cos(k w_j), sin(k w_j)],
         [-sin(k w_j), cos(k w_j)]]        with w_j = base ** (-2j / dim),

    which is the angle-addition rule ``sin(a + b) = sin a cos b + cos a sin b`` and
    ``cos(a + b) = cos a cos b - sin a sin b`` for the pair ``(sin a, cos a)``. It does not depend
    on ``i``: this is what lets attention read relative positions from absolute encodings.
    ``R_k`` is orthogonal, ``R_0`` is the identity, ``R_a @ R_b == R_(a+b)`` and
    ``R_(-k) == R_k.T``.

    Parameters
    ----------
    k : float
        The shift; any real number (negative moves backwards). Computed in float64.
    dim : int
        Width of the encodings, even and ``>= 2``.
    base : float, default 10000.0
        The same ``base`` as the table's.
    dtype : torch.dtype, default torch.float32
        Floating-point dtype of the result.
    device : torch.device or str, optional
        Device of the result (the CPU by default).

    Returns
    -------
    torch.Tensor
        ``R_k``, of shape ``(dim, dim)``.

    Raises
    ------
    ValueError
        If ``dim`` is odd or ``< 2``, or ``k`` or ``base`` is not finite (``base`` must be > 0).
    TypeError
        If ``k`` is not a real number, ``dim`` not an integer, or ``dtype`` not floating point.

    Examples
    --------
    >>> relative_rotation(1, 2, base=100.0)
    tensor([[ 0.5403,  0.8415],
            [-0.8415,  0.5403]])
    >>> P = sinusoidal(10, 6, dtype=torch.float64)
    >>> R = relative_rotation(3, 6, dtype=torch.float64)
    >>> torch.allclose(P[:-3] @ R.T, P[3:])
    True
    """
    if isinstance(k, bool):
        raise TypeError("k must be a real number, got bool")
    if not isinstance(k, int | float):
        try:
            k = operator.index(k)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"k must be a real number, got {type(k).__name__}") from None
    if not math.isfinite(k):
        raise ValueError(f"k must be finite, got {k!r}")
    dim = _check_dim(dim)
    base = _check_base(base)
    dtype = _check_dtype(dtype)
    angles = float(k) * _frequencies(dim, base)
    cos, sin = torch.cos(angles), torch.sin(angles)
    rotation = torch.zeros(dim, dim, dtype=torch.float64)
    even = torch.arange(0, dim, 2)
    rotation[even, even] = cos
    rotation[even, even + 1] = sin
    rotation[even + 1, even] = -sin
    rotation[even + 1, even + 1] = cos
    return rotation.to(device=device, dtype=dtype)


# ----------------------------------------------------------------------------- modules


def _check_input(x: object, dim: int, max_len: int) -> int:
    """Check ``x`` is a floating tensor ``(..., length, dim)`` with ``length <= max_len``."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if x.dim() < 2 or x.shape[-1] != dim:
        raise ValueError(
            f"x must have shape (..., length, {dim}) (dim={dim}), got {tuple(x.shape)}"
        )
    length = x.shape[-2]
    if length > max_len:
        raise ValueError(
            f"x has sequence length {length}, longer than max_len={max_len}; "
            f"build the module with max_len >= {length}"
        )
    return length


class SinusoidalPositionalEncoding(nn.Module):
    """Add the fixed :func:`sinusoidal` table to a batch of token vectors.

    The table is a non-persistent buffer named ``pe`` (shape ``(max_len, dim)``): it follows the
    module's ``.to(device)``, has no gradient, is not a parameter an optimizer would train, and is
    left out of the ``state_dict`` (it is recomputed from ``dim``, ``max_len`` and ``base``).

    Parameters
    ----------
    dim : int
        Width of the token vectors, even and ``>= 2``.
    max_len : int, default 512
        Longest sequence the module accepts, ``>= 1``.
    base : float, default 10000.0
        See :func:`sinusoidal`.
    dtype : torch.dtype, default torch.float32
        Dtype of the stored table; it is cast to the input's dtype when added.
    device : torch.device or str, optional
        Device of the stored table.

    Examples
    --------
    >>> pe = SinusoidalPositionalEncoding(4, max_len=8)
    >>> x = torch.zeros(2, 3, 4)
    >>> torch.equal(pe(x)[1], sinusoidal(3, 4))
    True
    >>> [name for name, _ in pe.named_buffers()], list(pe.parameters())
    (['pe'], [])
    """

    pe: torch.Tensor

    def __init__(
        self,
        dim: int,
        max_len: int = 512,
        *,
        base: float = 10000.0,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        self.dim = _check_dim(dim)
        self.max_len = _check_int(max_len, "max_len", 1)
        self.base = _check_base(base)
        table = sinusoidal(self.max_len, self.dim, base=self.base, dtype=dtype, device=device)
        self.register_buffer("pe", table, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x + P[:length]`` for ``x`` of shape ``(..., length, dim)``; ``x`` is unchanged.

        Raises
        ------
        ValueError
            If the last dimension is not ``dim``, or ``length > max_len``.
        TypeError
            If ``x`` is not a floating-point tensor.
        """
        length = _check_input(x, self.dim, self.max_len)
        return x + self.pe[:length].to(dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, max_len={self.max_len}, base={self.base}"


class LearnedPositionalEmbedding(nn.Module):
    """Add one trained vector per position (an ``nn.Embedding`` of positions) to the input.

    Parameters
    ----------
    max_len : int
        Number of positions with a vector, ``>= 1``; longer sequences are refused.
    dim : int
        Width of the token vectors, ``>= 1``.
    std : float, default 0.02
        Standard deviation of the normal initialization (BERT's and GPT-2's).
    generator : torch.Generator, optional
        A CPU generator for a reproducible initialization; without it, torch's global one.
    dtype : torch.dtype, optional
        Dtype of the embedding weights (torch's default dtype when omitted).
    device : torch.device or str, optional
        Device of the embedding weights.

    Attributes
    ----------
    embedding : torch.nn.Embedding
        The ``(max_len, dim)`` table; row ``i`` is added at position ``i``.

    Examples
    --------
    >>> emb = LearnedPositionalEmbedding(16, 4, generator=torch.Generator().manual_seed(0))
    >>> x = torch.zeros(2, 3, 4)
    >>> torch.equal(emb(x)[0], emb.embedding.weight[:3])
    True
    >>> [name for name, _ in emb.named_parameters()]
    ['embedding.weight']
    """

    def __init__(
        self,
        max_len: int,
        dim: int,
        *,
        std: float = 0.02,
        generator: torch.Generator | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        self.max_len = _check_int(max_len, "max_len", 1)
        self.dim = _check_int(dim, "dim", 1)
        if isinstance(std, bool) or not isinstance(std, int | float):
            raise TypeError(f"std must be a real number, got {type(std).__name__}")
        if not math.isfinite(std) or std < 0:
            raise ValueError(f"std must be finite and >= 0, got {std!r}")
        if dtype is not None:
            _check_dtype(dtype)
        self.embedding = nn.Embedding(self.max_len, self.dim, dtype=dtype, device=device)
        with torch.no_grad():
            # Drawn on the CPU so that a CPU generator gives the same table on every device.
            init = torch.empty(self.max_len, self.dim, dtype=torch.float32)
            init.normal_(0.0, float(std), generator=generator)
            self.embedding.weight.copy_(init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x + W[:length]`` for ``x`` of shape ``(..., length, dim)``; ``x`` is unchanged.

        Raises
        ------
        ValueError
            If the last dimension is not ``dim``, or ``length > max_len``.
        TypeError
            If ``x`` is not a floating-point tensor.
        """
        length = _check_input(x, self.dim, self.max_len)
        positions = torch.arange(length, device=self.embedding.weight.device)
        return x + self.embedding(positions).to(dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}, dim={self.dim}"

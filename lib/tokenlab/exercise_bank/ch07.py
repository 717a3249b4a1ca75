"""Chapter 7 (positional encoding): checkers for its two coding exercises.

``ch07-sinusoidal``
    ``positional_encoding(length: int, dim: int) -> Tensor``: the sinusoidal table of shape
    ``(length, dim)`` (``dim`` even) with ``P[i, 2j] = sin(i / 10000 ** (2j / dim))`` and
    ``P[i, 2j + 1] = cos(i / 10000 ** (2j / dim))``: row ``i`` encodes position ``i`` (the
    first row is position 0), even columns hold sines, odd columns the cosines of the same
    angles. Compute it in float64: in float32 the angle of a position in the hundreds is
    already off by more than the tolerance.
``ch07-shuffle-gap``
    ``shuffle_gap(f, x: Tensor, perm: list[int]) -> float``: how far the function ``f`` (a
    sequence of vectors in, a sequence of vectors out, as a Transformer block) is from being
    permutation-equivariant on ``x``: the largest absolute difference, over every entry,
    between ``f`` applied to the shuffled sequence and ``f``'s output shuffled the same way,
    ``max |f(x[..., perm, :]) - f(x)[..., perm, :]|``. ``x`` has shape ``(..., L, dim)``, the
    positions on the second-to-last axis (a batch, if any, comes first); ``perm`` lists the
    ``L`` positions in their new order. About 0 (rounding only) means shuffling the input just
    shuffles the output: ``f`` cannot see order.

The expected table comes from :func:`tokenlab.positional.sinusoidal` in float64 and is compared
within 1e-6 (:data:`TOLERANCE`); the expected gap is computed the same way as the definition, in
float64, with the fixed functions listed in :data:`SHUFFLE_FUNCTIONS`, and compared within 1e-6.

Examples
--------
>>> import torch
>>> from tokenlab.exercises import check
>>> def positional_encoding(length, dim):
...     i = torch.arange(length, dtype=torch.float64)[:, None]
...     two_j = torch.arange(0, dim, 2, dtype=torch.float64)
...     angles = i / 10000 ** (two_j / dim)
...     table = torch.zeros(length, dim, dtype=torch.float64)
...     table[:, 0::2] = torch.sin(angles)
...     table[:, 1::2] = torch.cos(angles)
...     return table
>>> check("ch07-sinusoidal", positional_encoding).passed
True
>>> def shuffle_gap(f, x, perm):
...     return (f(x[..., perm, :]) - f(x)[..., perm, :]).abs().max().item()
>>> check("ch07-shuffle-gap", shuffle_gap).passed
True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from tokenlab.exercise_bank._compare import (
    PITFALL_TOLERANCE,
    Target,
    TensorTarget,
    as_float64,
    as_number,
    close_number,
    close_tensor,
    near,
    pitfall_remark,
    pitfall_tensor_remark,
    show_float,
    show_tensor,
    tensor_remark,
)
from tokenlab.exercises import Case, exercise, run_cases

__all__: list[str] = []

#: How close an answer must be to the float64 reference (absolute, every entry / the number).
TOLERANCE = 1e-6
BASE = 10000.0

# ---- ch07-sinusoidal ------------------------------------------------------------------------

#: (length, dim): dim = 2, a wide table, and long tables where float32 angles drift.
SINUSOIDAL_INPUTS: list[tuple[int, int]] = [
    (1, 2),
    (4, 2),
    (6, 4),
    (10, 8),
    (3, 512),
    (50, 16),
    (100, 6),
    (2048, 6),
]


def _table(length: int, dim: int, *, pair_index: bool = False, same_exponent: bool = False,
           swap: bool = False, halves: bool = False, multiply: bool = False,
           start: int = 0) -> Any:
    """A float64 table following the right formula or one of the typical mistakes."""
    import torch

    i = torch.arange(start, start + length, dtype=torch.float64)[:, None]
    column = torch.arange(dim, dtype=torch.float64)
    if pair_index:
        exponent = (column // 2) / dim  # j instead of 2j
    elif same_exponent:
        exponent = column / dim  # column 2j + 1 uses (2j + 1) / dim
    else:
        exponent = 2 * (column // 2) / dim
    angles = i * BASE**exponent if multiply else i / BASE**exponent
    sin, cos = torch.sin(angles), torch.cos(angles)
    if swap:
        sin, cos = cos, sin
    if halves:
        half = angles[:, 0::2]
        return torch.cat([torch.sin(half), torch.cos(half)], dim=1)
    even = (column % 2 == 0)[None, :]
    return torch.where(even, sin, cos)


def _sinusoidal_target(length: int, dim: int) -> TensorTarget:
    import torch

    from tokenlab.positional import sinusoidal

    return TensorTarget(sinusoidal(length, dim, dtype=torch.float64),
                        lambda: _sinusoidal_pitfalls(length, dim))


def _sinusoidal_pitfalls(length: int, dim: int) -> list[tuple[Any, str]]:
    return [
        (_table(length, dim, swap=True),
         "sines and cosines are swapped: the even columns 2j hold sin, the odd columns 2j + 1 "
         "hold cos"),
        (_table(length, dim, pair_index=True),
         "the exponent is 2j / dim with 2j the even column of the pair (0, 2, 4, ...), not "
         "the pair number j (0, 1, 2, ...)"),
        (_table(length, dim, same_exponent=True),
         "both columns of a pair share one frequency: column 2j + 1 uses the same exponent "
         "2j / dim as column 2j"),
        (_table(length, dim, halves=True),
         "interleave the columns: sin in column 2j and cos in column 2j + 1, not all the "
         "sines first and then all the cosines"),
        (_table(length, dim, multiply=True),
         "divide the position by 10000 ** (2j / dim); multiplying makes the high columns spin "
         "fastest instead of slowest"),
        (_table(length, dim, start=1),
         "positions start at 0: the first row encodes position 0 (sin 0 = 0, cos 0 = 1)"),
    ]


def sinusoidal_cases() -> list[Case]:
    """The hidden cases of ``ch07-sinusoidal``, expected tables from ``sinusoidal``."""
    return [Case((length, dim), _sinusoidal_target(length, dim),
                 label=f"length={length} and dim={dim}")
            for length, dim in SINUSOIDAL_INPUTS]


def _close_table(got: Any, expected: TensorTarget) -> bool:
    return close_tensor(got, expected.value, TOLERANCE)


def _sinusoidal_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    value = expected.value
    if isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(value.shape[::-1]) and (
            value.shape[0] != value.shape[1]):
        return "the table has one row per position and one column per dimension: (length, dim)"
    remark = tensor_remark(got, value)
    if remark:
        return remark
    g = as_float64(got)
    if near(g, value, PITFALL_TOLERANCE) and bool(torch.isfinite(g).all()):
        worst = int((g - value).abs().amax(dim=1).argmax())
        return (f"close, but off by more than {TOLERANCE:g} at position {worst}: the angles "
                f"lose precision in {got.dtype}; compute them in float64 (torch.float64)")
    return pitfall_tensor_remark(g, expected, PITFALL_TOLERANCE)


@exercise(
    "ch07-sinusoidal",
    title="The sinusoidal positional encoding",
    hint="make a column of positions i = 0 .. length - 1 and a row of even column numbers "
    "2j = 0, 2, 4, ..., compute every angle i / 10000 ** (2j / dim) at once by broadcasting, "
    "in float64, and put the sines in the even columns and the cosines of the same angles in "
    "the odd ones.",
)
def check_sinusoidal(answer: Any) -> list[str | None]:
    """Hidden cases for ``positional_encoding(length, dim)``."""
    return run_cases(answer, sinusoidal_cases(), compare=_close_table, show=show_tensor,
                     diagnose=_sinusoidal_remark)


# ---- ch07-shuffle-gap -----------------------------------------------------------------------


def _seeded(make: Callable[[], Any], seed: int) -> Any:
    """``make()`` in float64 and eval mode, weights drawn from a seeded generator, frozen.

    The module is built inside ``fork_rng``, so grading never moves torch's global random state.
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        module = make()
    generator = torch.Generator().manual_seed(seed)
    module = module.double().eval()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=generator, dtype=torch.float64))
            p.requires_grad_(False)
    return module


@cache
def _block(seed: int) -> Any:
    from tokenlab.attention import TransformerEncoderBlock

    return _seeded(lambda: TransformerEncoderBlock(8, 2, 16), seed)


def _encoder_block(x: Any) -> Any:
    return _block(1)(x)


def _causal_block(x: Any) -> Any:
    return _block(2)(x, causal=True)


def _block_with_sinusoidal(x: Any) -> Any:
    import torch

    from tokenlab.positional import sinusoidal

    return _block(3)(x + sinusoidal(x.shape[-2], x.shape[-1], dtype=torch.float64))


def _block_with_learned(x: Any) -> Any:
    return _block(4)(_learned()(x))


@cache
def _learned() -> Any:
    from tokenlab.positional import LearnedPositionalEmbedding

    return _seeded(lambda: LearnedPositionalEmbedding(16, 8), 5)


def _plain_attention(x: Any) -> Any:
    from tokenlab.attention import scaled_dot_product_attention

    return scaled_dot_product_attention(x, x, x)[0]


def _cumulative_sum(x: Any) -> Any:
    import torch

    return torch.cumsum(x, dim=-2)


def _per_token(x: Any) -> Any:
    import torch

    return torch.tanh(2.0 * x) + x


#: name -> (how the failure message names f, f): every f maps (..., L, 8) to (..., L, 8).
SHUFFLE_FUNCTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "block": ("a TransformerEncoderBlock(8, 2, 16) with no positions", _encoder_block),
    "attention": ("plain self-attention, scaled_dot_product_attention(x, x, x)[0]",
                  _plain_attention),
    "per-token": ("a function of each token alone, tanh(2 x) + x", _per_token),
    "causal": ("a TransformerEncoderBlock(8, 2, 16) with causal=True", _causal_block),
    "sinusoidal": ("a TransformerEncoderBlock(8, 2, 16) after adding sinusoidal(L, 8)",
                   _block_with_sinusoidal),
    "learned": ("a TransformerEncoderBlock(8, 2, 16) after a LearnedPositionalEmbedding(16, 8)",
                _block_with_learned),
    "cumsum": ("the running sum over positions, torch.cumsum(x, dim=-2)", _cumulative_sum),
}

#: (function name, shape of x, perm, seed of x). A batch of 5 sequences of length 5 lets
#: permuting the batch instead of the positions run without an error, and give 0.
SHUFFLE_INPUTS: list[tuple[str, tuple[int, ...], list[int], int]] = [
    ("block", (5, 8), [4, 0, 3, 1, 2], 0),
    ("cumsum", (4, 8), [1, 2, 0, 3], 1),
    ("sinusoidal", (6, 8), [2, 0, 1, 5, 3, 4], 2),
    ("block", (5, 5, 8), [1, 2, 0, 4, 3], 3),
    ("causal", (5, 5, 8), [1, 2, 0, 4, 3], 4),
    ("attention", (2, 7, 8), [6, 5, 4, 3, 2, 1, 0], 5),
    ("learned", (3, 6, 8), [0, 1, 2, 3, 5, 4], 6),
    ("per-token", (4, 8), [3, 0, 1, 2], 7),
    ("sinusoidal", (2, 4, 8), [0, 1, 2, 3], 8),
]


def _gap(a: Any, b: Any, how: str = "max") -> float:
    diff = a - b
    if how == "signed":
        return float(diff.max())
    if how == "mean":
        return float(diff.abs().mean())
    if how == "sum":
        return float(diff.abs().sum())
    return float(diff.abs().max())


def _shuffle_target(f: Callable[[Any], Any], x: Any, perm: list[int]) -> Target:
    import torch

    x = x.double()
    inverse = torch.argsort(torch.tensor(perm)).tolist()
    shuffled, out = f(x[..., perm, :]), f(x)
    value = _gap(shuffled, out[..., perm, :])
    pitfalls = [
        (_gap(shuffled, out),
         "compare with f's output shuffled the same way: f(x)[..., perm, :], not f(x) "
         "itself, which is in the old order"),
        (_gap(shuffled, out[..., inverse, :]),
         "shuffle the output with perm itself: position p of the shuffled input is position "
         "perm[p] of the original, so f(x)[..., perm, :] lines up with f(x[..., perm, :])"),
        (_gap(shuffled, out[..., perm, :], "signed"),
         "take the absolute value of the differences before the maximum: a large negative "
         "difference counts too"),
        (_gap(shuffled, out[..., perm, :], "mean"),
         "the gap is the largest absolute difference, not the mean one"),
        (_gap(shuffled, out[..., perm, :], "sum"),
         "the gap is the largest absolute difference, not the sum of them"),
    ]
    if x.dim() == 3 and x.shape[0] == len(perm):
        pitfalls.append(
            (_gap(f(x[perm]), out[perm]),
             "x[perm] shuffles the first axis, here the batch: the positions are the "
             "second-to-last axis, x[..., perm, :]"))
    return Target(value, tuple(pitfalls))


def _input(shape: tuple[int, ...], seed: int) -> Any:
    import torch

    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def shuffle_cases() -> list[Case]:
    """The hidden cases of ``ch07-shuffle-gap``: a fixed f, a float64 x and a permutation."""
    cases = []
    for name, shape, perm, seed in SHUFFLE_INPUTS:
        description, f = SHUFFLE_FUNCTIONS[name]
        x = _input(shape, seed)
        cases.append(Case((f, x, perm), _shuffle_target(f, x, perm),
                          label=f"f={description}, a random float64 x of shape {shape} and "
                                f"perm={perm}"))
    return cases


def _close_gap(got: Any, expected: Target) -> bool:
    return close_number(got, expected, TOLERANCE * max(1.0, abs(expected.value)))


def _gap_remark(got: Any, expected: Target) -> str | None:
    import torch

    if isinstance(got, bool):
        return "return how far apart the two outputs are (a float), not whether they are equal"
    if isinstance(got, torch.Tensor) and got.numel() != 1:
        return "reduce the differences to one number: the largest absolute difference"
    value = as_number(got)
    if value is None:
        return None
    if value < -TOLERANCE:
        return "a gap is a size: it is never negative"
    return pitfall_remark(value, expected, TOLERANCE * max(1.0, abs(expected.value)))


@exercise(
    "ch07-shuffle-gap",
    title="Does the block see order? Measure the shuffle gap",
    hint="run f twice: once on the input with its positions shuffled (index the "
    "second-to-last axis with perm) and once on the original input, then shuffle that second "
    "output the same way; the gap is the largest absolute entry of their difference, as a "
    "Python float (.item()).",
)
def check_shuffle_gap(answer: Any) -> list[str | None]:
    """Hidden cases for ``shuffle_gap(f, x, perm)``."""
    return run_cases(answer, shuffle_cases(), compare=_close_gap, show=show_float,
                     diagnose=_gap_remark)

"""Chapter 8 (putting it together): the checker of its coding exercise.

``ch08-mean-pool``
    ``masked_mean(h: Tensor, mask: Tensor) -> Tensor``: one vector per sequence, the mean of
    the token vectors ``h`` (shape ``(batch, L, dim)``) over the positions where the boolean
    ``mask`` (shape ``(batch, L)``, ``True`` = real token, ``False`` = padding) is ``True``;
    the result has shape ``(batch, dim)``. A sequence with no real token (all padding) gives
    the zero vector, never NaN. The padding vectors must not matter at all: not in the value,
    and not in the gradient (``h.grad`` is 0 at every padding position and finite everywhere,
    all-padding rows included).

Each case calls ``masked_mean`` on a copy of ``h`` that requires grad (not a leaf: like the
output of a layer, so in-place edits are allowed), back-propagates a fixed random weighting of
the output, and compares both the output and ``h.grad`` with the float64 reference
:func:`masked_mean_reference` within 1e-6 (:data:`TOLERANCE`); the gradient at the padding
positions must be exactly 0. An output that is not computed from ``h`` at all
(no autograd graph) counts as a zero gradient, right only for a batch that is all padding. The
padding vectors of the hidden inputs are large (around 50), so an average that lets them in is
far off.

Examples
--------
>>> from tokenlab.exercises import check
>>> def masked_mean(h, mask):
...     weights = mask.to(h.dtype).unsqueeze(-1)             # (batch, L, 1)
...     total = (h * weights).sum(dim=1)                     # (batch, dim)
...     count = weights.sum(dim=1).clamp(min=1.0)            # (batch, 1), at least 1
...     return total / count
>>> check("ch08-mean-pool", masked_mean).passed
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tokenlab.exercise_bank._compare import (
    PITFALL_TOLERANCE,
    as_float64,
    close_tensor,
    near,
    show_tensor,
    tensor_remark,
)
from tokenlab.exercises import Case, exercise, run_cases

__all__: list[str] = []

#: How close the output and the gradient must be to the float64 reference (absolute).
TOLERANCE = 1e-6

#: (lengths of the sequences, L, dim, seed): one-row batches, full rows, all-padding rows.
MEAN_POOL_INPUTS: list[tuple[list[int], int, int, int]] = [
    ([3], 5, 4, 0),
    ([2, 4, 1], 4, 3, 1),
    ([5, 5], 5, 2, 2),
    ([2, 0], 3, 4, 3),
    ([0], 4, 3, 4),
    ([1, 6, 3, 0], 6, 8, 5),
    ([7, 2], 7, 16, 6),
]


def masked_mean_reference(h: Any, mask: Any) -> Any:
    """Float64 ``sum(h * mask) / max(count, 1)`` over the positions: the chapter's pooling."""
    import torch

    weights = torch.as_tensor(mask, dtype=torch.bool).to(torch.float64).unsqueeze(-1)
    total = (h.to(torch.float64) * weights).sum(dim=-2)
    return total / weights.sum(dim=-2).clamp(min=1.0)


@dataclass(frozen=True)
class Pooled:
    """What the checker observes: the output, ``h.grad`` (None if none flowed) and why not."""

    output: Any
    grad: Any
    grad_error: str | None = None


@dataclass(frozen=True)
class PoolTarget:
    """The expected output and gradient, and the case's inputs for the remarks."""

    output: Any
    grad: Any
    h: Any
    mask: Any
    weights: Any


def _inputs(lengths: list[int], length: int, dim: int, seed: int) -> tuple[Any, Any, Any]:
    import torch

    from tokenlab.attention import padding_mask

    generator = torch.Generator().manual_seed(seed)
    mask = padding_mask(lengths, length)
    real = torch.randn(len(lengths), length, dim, generator=generator)
    padding = 50.0 + torch.randn(len(lengths), length, dim, generator=generator)
    h = torch.where(mask.unsqueeze(-1), real, padding)
    weights = torch.randn(len(lengths), dim, generator=generator, dtype=torch.float64)
    return h, mask, weights


def _target(h: Any, mask: Any, weights: Any) -> PoolTarget:
    import torch

    leaf = h.detach().to(torch.float64).requires_grad_(True)
    output = masked_mean_reference(leaf, mask)
    (output * weights).sum().backward()
    return PoolTarget(output.detach(), leaf.grad.detach(), h.detach().to(torch.float64), mask,
                      weights)


class _Probe:
    """Calls the reader's function on a leaf copy of ``h`` and back-propagates ``weights``."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def __call__(self, h: Any, mask: Any, weights: Any) -> Pooled:
        leaf = h.detach().clone().requires_grad_(True)
        # A copy that is not a leaf, like the output of a layer: in-place edits are allowed.
        output = self.answer(leaf.clone(), mask)
        return Pooled(output, *self._backward(leaf, output, weights))

    @staticmethod
    def _backward(leaf: Any, output: Any, weights: Any) -> tuple[Any, str | None]:
        import torch

        if not isinstance(output, torch.Tensor) or not output.is_floating_point():
            return None, None
        # Not computed from h at all: its gradient with respect to h is zero everywhere.
        no_graph = torch.zeros(leaf.shape, dtype=torch.float64), "no_graph"
        if not output.requires_grad:
            return no_graph
        try:
            w = weights.to(device=output.device, dtype=output.dtype)
            if tuple(output.shape) != tuple(w.shape):
                return None, None
            (output * w).sum().backward()
        except Exception as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if leaf.grad is None:
            return no_graph
        return leaf.grad.detach().to(torch.float64), None


def mean_pool_cases() -> list[Case]:
    """The hidden cases of ``ch08-mean-pool`` (float32 ``h``, boolean ``mask``)."""
    cases = []
    for lengths, length, dim, seed in MEAN_POOL_INPUTS:
        h, mask, weights = _inputs(lengths, length, dim, seed)
        cases.append(Case((h, mask, weights), _target(h, mask, weights),
                          label=f"h of shape {tuple(h.shape)} (padding vectors near 50) and "
                                f"mask=padding_mask({lengths}, {length})"))
    return cases


def _close_pooled(got: Any, expected: PoolTarget) -> bool:
    """The output and the gradient within tolerance, and exactly 0 gradient at the padding."""
    return (isinstance(got, Pooled) and close_tensor(got.output, expected.output, TOLERANCE)
            and got.grad is not None and close_tensor(got.grad, expected.grad, TOLERANCE)
            and not bool((got.grad[~expected.mask] != 0).any()))


def _show_pooled(got: Any) -> str:
    return show_tensor(got.output if isinstance(got, Pooled) else got)


def _pool_remark(got: Any, expected: PoolTarget) -> str | None:
    import torch

    if not isinstance(got, Pooled):
        return None
    output, want = got.output, expected.output
    batch, length, dim = expected.h.shape
    if isinstance(output, torch.Tensor) and tuple(output.shape) in ((batch, 1, dim),
                                                                     (batch, dim, 1)):
        return "average over the positions (dim=1) without keepdim: one (dim,) vector per row"
    if isinstance(output, torch.Tensor) and tuple(output.shape) == (batch, length):
        return "average over the positions (dim=1), not over the vector entries (dim=-1)"
    remark = tensor_remark(output, want)
    if remark:
        return remark
    g = as_float64(output)
    real = expected.mask
    empty = ~real.any(dim=1)
    if bool(torch.isnan(g).any()):
        if bool(torch.isnan(g[~empty]).any()):
            return "a NaN in a row with real tokens: check each step on its own"
        return ("a sequence with no real token gives 0 / 0 = NaN: count at least 1 (clamp the "
                "count) so that an all-padding row gives the zero vector")
    if not close_tensor(output, want, TOLERANCE):
        return _value_remark(g, expected)
    if got.grad_error == "no_graph":
        return ("the values are right, but the result is not computed from h in the autograd "
                "graph (detach, .tolist() or torch.tensor(...) of values cut it): no gradient "
                "flows back to the embeddings")
    if got.grad_error is not None:
        return f"the values are right, but back-propagating through them raised {got.grad_error}"
    grad = got.grad
    if grad is None or tuple(grad.shape) != tuple(expected.grad.shape):
        return "the values are right, but no gradient of the right shape reached h"
    if not bool(torch.isfinite(grad).all()):
        return ("the values are right but the gradient holds NaN: 0 / 0 happened on the way "
                "(nan_to_num or torch.where after dividing by a zero count hide it in the "
                "values, not in the backward pass); clamp the count to at least 1 before "
                "dividing")
    if bool((grad[~real] != 0).any()):
        return ("the values are right but the padding vectors get a gradient: the padding "
                "must not take part in the computation at all")
    return "the values are right but the gradient at the real tokens is not 1 / count"


def _value_remark(g: Any, expected: PoolTarget) -> str | None:
    import torch

    h, mask = expected.h, expected.mask
    weights = mask.to(torch.float64).unsqueeze(-1)
    count = weights.sum(dim=1)
    masked_sum = (h * weights).sum(dim=1)
    length = h.shape[1]
    empty = (count == 0).squeeze(-1)
    candidates = [
        (h.mean(dim=1), "the padding vectors are in your average: average only the positions "
                        "where mask is True"),
        (masked_sum / length, "you add up only the real tokens but divide by L: divide by the "
                              "number of real tokens of each row"),
        (masked_sum, "that is the sum of the real token vectors: divide it by their number"),
        (masked_mean_reference(h, ~mask), "True marks the real tokens and False the padding: "
                                          "you averaged the padding"),
        (h.sum(dim=1) / count.clamp(min=1.0), "the sum still holds the padding vectors: zero "
                                              "them (or select the real ones) before adding"),
    ]
    for wrong, remark in candidates:
        if near(g, wrong, PITFALL_TOLERANCE) and not near(wrong, expected.output,
                                                           PITFALL_TOLERANCE):
            return remark
    if bool(empty.any()) and bool((g[empty] != 0).any()):
        return "a sequence with no real token (all padding) gives the zero vector"
    return None


@exercise(
    "ch08-mean-pool",
    title="Masked mean pooling",
    hint="turn the mask into a float tensor of ones and zeros with a trailing axis of size 1, "
    "multiply it into h so that the padding vectors become 0, add up over the positions, and "
    "divide by the number of real tokens of each row, counted as at least 1 so that an "
    "all-padding row gives zeros and no 0 / 0 ever happens.",
)
def check_mean_pool(answer: Any) -> list[str | None]:
    """Hidden cases for ``masked_mean(h, mask)``, values and gradient."""
    if not callable(answer):
        return run_cases(answer, [])  # raises AnswerTypeError with the usual message
    return run_cases(_Probe(answer), mean_pool_cases(), compare=_close_pooled,
                     show=_show_pooled, diagnose=_pool_remark)

"""Chapter 9 (language models): checkers for its three exercises.

``ch09-causal-mask``
    ``cached_causal_mask(new: int, total: int) -> Tensor``: the boolean ``(new, total)`` mask
    of attention during generation with a KV cache: the last ``new`` positions of a sequence of
    ``total`` are the queries, all ``total`` positions are the keys, and query ``i`` (at
    position ``total - new + i``) may see key ``j`` (``True``) exactly when
    ``j <= total - new + i``. With ``new == total`` it is the ordinary causal mask of
    :func:`tokenlab.attention.causal_mask`.
``ch09-filter``
    ``top_k_probs(logits: Tensor, temperature: float, k: int) -> Tensor``: the next-token
    probabilities ``softmax(logits / temperature)`` along the last dimension, with every token
    outside the ``k`` most likely set to 0 and the rest renormalized to sum to 1. ``logits`` is
    ``(V,)`` or ``(batch, V)``; the result has its shape. Temperatures are positive.
``ch09-perplexity``
    ``perplexity(logits: Tensor, targets: Tensor) -> float``: ``exp`` of the mean next-token
    cross-entropy (natural log) of the ``targets`` ``(N,)`` under the ``logits`` ``(N, V)``.

The expected values come from :func:`tokenlab.attention.causal_mask`,
:func:`tokenlab.lm.filter_logits` and :func:`torch.nn.functional.cross_entropy`, in float64.
Tensors are compared within 1e-5 (:data:`TOLERANCE`); perplexities within a relative 1e-6
(:data:`PERPLEXITY_RTOL`).

Examples
--------
>>> import math, torch
>>> from tokenlab.exercises import check
>>> def cached_causal_mask(new, total):
...     queries = torch.arange(total - new, total)[:, None]
...     return torch.arange(total)[None, :] <= queries
>>> check("ch09-causal-mask", cached_causal_mask).passed
True
>>> def top_k_probs(logits, temperature, k):
...     probs = torch.softmax(logits / temperature, dim=-1)
...     kth = probs.topk(k, dim=-1).values[..., -1:]
...     probs = torch.where(probs >= kth, probs, 0.0)
...     return probs / probs.sum(dim=-1, keepdim=True)
>>> check("ch09-filter", top_k_probs).passed
True
>>> def perplexity(logits, targets):
...     return math.exp(torch.nn.functional.cross_entropy(logits, targets).item())
>>> check("ch09-perplexity", perplexity).passed
True
"""

from __future__ import annotations

import math
from typing import Any

from tokenlab.exercise_bank._compare import (
    TENSOR_TOLERANCE,
    Target,
    TensorTarget,
    as_float64,
    as_number,
    close_tensor,
    pitfall_tensor_remark,
    show_float,
    show_tensor,
    tensor_remark,
)
from tokenlab.exercises import Case, exercise, run_cases

__all__: list[str] = []

#: How close a tensor answer must be to the float64 reference (every entry, absolute).
TOLERANCE = TENSOR_TOLERANCE
#: How close a perplexity must be to the reference (relative).
PERPLEXITY_RTOL = 1e-6


# ---- ch09-causal-mask -----------------------------------------------------------------------

#: (new, total): the full causal mask, one new token, a few new tokens, a single position.
MASK_INPUTS: list[tuple[int, int]] = [(4, 4), (1, 5), (2, 6), (1, 1), (3, 7), (5, 5), (1, 9)]


def cached_mask_reference(new: int, total: int) -> Any:
    """The last ``new`` rows of :func:`tokenlab.attention.causal_mask` of size ``total``."""
    from tokenlab.attention import causal_mask

    return causal_mask(total)[total - new:]


def _mask_pitfalls(new: int, total: int) -> list[tuple[Any, str]]:
    import torch

    right = cached_mask_reference(new, total)
    top_left = torch.ones(new, total, dtype=torch.bool).tril()
    return [
        (top_left, "that mask lines the queries up with the first keys (top-left, as torch's "
                   "is_causal does): the new queries are the LAST positions, so query i sits "
                   "at position total - new + i"),
        (~right, "True must mean 'may attend' (keys at or before the query), not 'hidden'"),
        (torch.cat([right[:, 1:], torch.zeros(new, 1, dtype=torch.bool)], 1) if total > 1
         else torch.zeros(new, total, dtype=torch.bool),
         "a query must see itself too: key j is allowed when j <= its position (not <)"),
        (torch.ones(new, total, dtype=torch.bool).triu(total - new),
         "that is the upper triangle (the future): keep the keys at or before each query"),
    ]


def mask_cases() -> list[Case]:
    """The hidden cases of ``ch09-causal-mask``."""
    return [Case((new, total), TensorTarget(cached_mask_reference(new, total),
                                            lambda n=new, t=total: _mask_pitfalls(n, t)),
                 label=f"new={new}, total={total}")
            for new, total in MASK_INPUTS]


def _same_mask(got: Any, expected: TensorTarget) -> bool:
    import torch

    return (isinstance(got, torch.Tensor) and got.dtype == torch.bool
            and tuple(got.shape) == tuple(expected.value.shape)
            and bool((got.cpu() == expected.value).all()))


def _mask_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    if not isinstance(got, torch.Tensor):
        return "return a torch tensor of booleans"
    want = expected.value
    if tuple(got.shape) == tuple(want.shape[::-1]) and want.shape[0] != want.shape[1]:
        return "one row per new query and one column per key: shape (new, total)"
    if tuple(got.shape) != tuple(want.shape):
        return f"the result has shape {tuple(got.shape)}: it must be (new, total)"
    if got.dtype != torch.bool:
        if bool(((got == 0) | (got == 1)).all()) and bool((got.cpu().bool() == want).all()):
            return (f"the pattern is right, but the mask must be boolean (torch.bool), not "
                    f"{got.dtype}")
        return f"the mask must be boolean (torch.bool), not {got.dtype}"
    for wrong, remark in expected.pitfalls:
        if bool((got.cpu() == wrong).all()) and not bool((wrong == want).all()):
            return remark
    return None


@exercise(
    "ch09-causal-mask",
    title="The causal mask of a KV cache",
    hint="the new queries are the last `new` positions: query i sits at position "
    "p = total - new + i and may see every key j with j <= p. Compare torch.arange(total) "
    "(the keys, one row) with torch.arange(total - new, total) (the queries, one column); the "
    "result is a (new, total) boolean tensor.",
)
def check_causal_mask(answer: Any) -> list[str | None]:
    """Hidden cases for ``cached_causal_mask(new, total)``."""
    return run_cases(answer, mask_cases(), compare=_same_mask, show=show_tensor,
                     diagnose=_mask_remark)


# ---- ch09-filter ----------------------------------------------------------------------------

#: (logits shape, temperature, k, seed): 1-D and batched, sharpening and flattening, k = 1.
FILTER_INPUTS: list[tuple[tuple[int, ...], float, int, int]] = [
    ((6,), 1.0, 3, 0),
    ((10,), 0.5, 4, 1),
    ((8,), 2.0, 8, 2),
    ((3, 7), 0.7, 2, 3),
    ((12,), 1.5, 1, 4),
    ((2, 20), 1.0, 5, 5),
]


def _logits(shape: tuple[int, ...], seed: int) -> Any:
    import torch

    return 2.0 * torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def filter_reference(logits: Any, temperature: float, k: int) -> Any:
    """:func:`tokenlab.lm.filter_logits` with ``top_k=k``, in float64."""
    import torch

    from tokenlab.lm import filter_logits

    return filter_logits(logits.to(torch.float64), temperature, top_k=k)


def _filter_pitfalls(logits: Any, temperature: float, k: int) -> list[tuple[Any, str]]:
    import torch

    x = logits.to(torch.float64)
    probs = torch.softmax(x / temperature, dim=-1)
    kept = torch.zeros_like(probs, dtype=torch.bool).scatter(
        -1, probs.topk(k, dim=-1).indices, True)
    smallest = torch.zeros_like(kept).scatter(-1, probs.topk(k, dim=-1, largest=False).indices,
                                              True)
    return [
        (filter_reference(x, 1 / temperature, k),
         "divide the logits by the temperature: multiplying sharpens where it should flatten"),
        (filter_reference(x, 1.0, k),
         "the temperature is missing: divide the logits by it before the softmax"),
        (probs * kept, "after zeroing the tokens outside the top k, renormalize so that the "
                       "kept probabilities sum to 1"),
        ((probs * smallest) / (probs * smallest).sum(-1, keepdim=True),
         "those are the k LEAST likely tokens: keep the largest ones"),
        (probs, "every token kept: zero all but the k most likely"),
    ]


def filter_cases() -> list[Case]:
    """The hidden cases of ``ch09-filter`` (float32 logits, float64 references)."""
    cases = []
    for shape, temperature, k, seed in FILTER_INPUTS:
        logits = _logits(shape, seed)
        target = TensorTarget(filter_reference(logits, temperature, k),
                              lambda x=logits, t=temperature, kk=k: _filter_pitfalls(x, t, kk))
        cases.append(Case((logits, temperature, k), target,
                          label=f"random logits of shape {shape}, temperature={temperature}, "
                                f"k={k}"))
    return cases


def _close_target(got: Any, expected: TensorTarget) -> bool:
    return close_tensor(got, expected.value)


def _filter_remark(got: Any, expected: TensorTarget) -> str | None:
    import torch

    remark = tensor_remark(got, expected.value)
    if remark:
        return remark
    g = as_float64(got)
    if bool(torch.isnan(g).any()):
        return "a NaN: check each step (divide, softmax, zero, renormalize) on its own"
    if bool((g < -TOLERANCE).any()):
        return ("negative entries: those are logits or log-probabilities; return "
                "probabilities (the softmax)")
    remark = pitfall_tensor_remark(g, expected)
    if remark:
        return remark
    kept = (g > 0).sum(-1)
    want = (expected.value > 0).sum(-1)
    if not bool((kept == want).all()):
        return "keep exactly k tokens, the k most likely, and zero the others"
    return None


@exercise(
    "ch09-filter",
    title="Temperature and top-k",
    hint="divide the logits by the temperature, take the softmax along the last dimension, "
    "find the k largest probabilities (tensor.topk(k, dim=-1)), set every other entry to 0, "
    "and divide by the sum of what is left (keepdim=True, so that batched rows each sum to 1).",
)
def check_filter(answer: Any) -> list[str | None]:
    """Hidden cases for ``top_k_probs(logits, temperature, k)``."""
    return run_cases(answer, filter_cases(), compare=_close_target, show=show_tensor,
                     diagnose=_filter_remark)


# ---- ch09-perplexity ------------------------------------------------------------------------

#: (N targets, V vocabulary, logit scale, seed): confident and unsure models, tiny and larger.
PERPLEXITY_INPUTS: list[tuple[int, int, float, int]] = [
    (5, 4, 1.0, 0),
    (20, 10, 3.0, 1),
    (1, 6, 0.5, 2),
    (50, 65, 2.0, 3),
    (8, 3, 0.0, 4),  # all logits 0: the uniform model, perplexity V
]


def perplexity_reference(logits: Any, targets: Any) -> float:
    """``exp(F.cross_entropy(logits, targets))`` in float64."""
    import torch
    import torch.nn.functional as F

    return math.exp(F.cross_entropy(logits.to(torch.float64), targets).item())


def _perplexity_target(logits: Any, targets: Any) -> Target:
    import torch
    import torch.nn.functional as F

    x = logits.to(torch.float64)
    nll = F.cross_entropy(x, targets, reduction="none")
    right = math.exp(nll.mean().item())
    probs = torch.softmax(x, -1).gather(1, targets[:, None])[:, 0]
    pitfalls = [
        (nll.mean().item(), "that is the mean loss itself: the perplexity is exp of it"),
        (math.exp(nll.sum().item()) if nll.sum().item() < 700 else math.inf,
         "exp of the SUM of the losses: take the mean over the tokens first"),
        (2 ** nll.mean().item(), "the loss is in nats (natural log): use exp, not 2 **"),
        (torch.exp(nll).mean().item(), "the mean of exp(loss) per token: take exp of the mean "
                                       "loss instead (a geometric, not an arithmetic, mean)"),
        (1 / probs.mean().item(), "1 / (mean probability) is not the perplexity: it is "
                                  "exp(mean of -log probability)"),
        (math.exp(-(torch.log(torch.softmax(x, 0).gather(1, targets[:, None]))).mean().item()),
         "the softmax goes along the vocabulary (the last dimension), not over the tokens"),
    ]
    return Target(right, tuple((p, r) for p, r in pitfalls if math.isfinite(p)))


def perplexity_cases() -> list[Case]:
    """The hidden cases of ``ch09-perplexity`` (float32 logits, int64 targets)."""
    import torch

    cases = []
    for n, v, scale, seed in PERPLEXITY_INPUTS:
        g = torch.Generator().manual_seed(seed)
        logits = scale * torch.randn(n, v, generator=g)
        targets = torch.randint(0, v, (n,), generator=g)
        cases.append(Case((logits, targets), _perplexity_target(logits, targets),
                          label=f"random logits of shape ({n}, {v}) and {n} targets"))
    return cases


def _close_perplexity(got: Any, expected: Target) -> bool:
    value = as_number(got)
    return (value is not None and math.isfinite(value)
            and abs(value - expected.value) <= PERPLEXITY_RTOL * expected.value)


def _perplexity_remark(got: Any, expected: Target) -> str | None:
    import torch

    if isinstance(got, torch.Tensor) and got.numel() > 1:
        return "return one number for the whole sequence: exp of the MEAN loss"
    value = as_number(got)
    if value is None:
        return None
    for wrong, remark in expected.pitfalls:  # float32 answers: compare relatively, 1e-4
        close = abs(value - wrong) <= 1e-4 * max(1.0, abs(wrong))
        if close and abs(wrong - expected.value) > 1e-4 * expected.value:
            return remark
    if value < 1:
        return "a perplexity is never below 1: it is exp of a loss that is >= 0"
    return None


@exercise(
    "ch09-perplexity",
    title="Perplexity from a loss",
    hint="the mean next-token loss is F.cross_entropy(logits, targets) (the mean of "
    "-log softmax(logits)[target], in nats); the perplexity is math.exp of that mean, one "
    "number (use .item() to get a float).",
)
def check_perplexity(answer: Any) -> list[str | None]:
    """Hidden cases for ``perplexity(logits, targets)``."""
    return run_cases(answer, perplexity_cases(), compare=_close_perplexity, show=show_float,
                     diagnose=_perplexity_remark)

"""Chapter 5 (similarity): checkers for its two coding exercises.

``ch05-cosine``
    ``safe_cosine(a, b) -> Tensor``: cosine similarity of two 1-D tensors, 0 for a zero vector.
``ch05-softmax``
    ``softmax(scores, temperature=1.0) -> Tensor``: softmax of ``scores / temperature`` that
    does not overflow for large scores.

The expected values come from :mod:`tokenlab.similarity` and ``torch.softmax`` (in float64);
answers are compared within 1e-5.

Examples
--------
>>> import torch
>>> from tokenlab.exercises import check
>>> def softmax(scores, temperature=1.0):
...     z = scores.double() / temperature
...     e = torch.exp(z - z.max())
...     return e / e.sum()
>>> check("ch05-softmax", softmax).passed
True
"""

from __future__ import annotations

from typing import Any

from tokenlab.exercise_bank._compare import close_tensor, round_values
from tokenlab.exercises import Case, exercise, run_cases, short_repr

__all__: list[str] = []

TOLERANCE = 1e-5


def _close(got: Any, expected: Any) -> bool:
    """A tensor or a Python number (not a bool), as float64, within :data:`TOLERANCE`."""
    import torch

    if not isinstance(got, torch.Tensor | float | int) or isinstance(got, bool):
        return False
    return close_tensor(torch.as_tensor(got, dtype=torch.float64), expected, TOLERANCE)


def _show_tensor(got: Any) -> str:
    import torch

    if isinstance(got, torch.Tensor):
        values = round_values(got.double().flatten().tolist())
        return f"tensor {short_repr(values)} of shape {tuple(got.shape)}"
    return f"{short_repr(got)}, a {type(got).__name__}, not a tensor"


def _nan_remark(got: Any, expected: Any) -> str | None:
    import torch

    if isinstance(got, torch.Tensor) and got.is_floating_point():
        if bool(torch.isnan(got).any()):
            return "a NaN is 0 / 0 or inf - inf: see which step divides by a zero norm or overflows"
        if bool(torch.isinf(got).any()):
            return "an inf is an overflow: exp of a large number is too big for the float type"
    return None


# ---- ch05-cosine ----------------------------------------------------------------------------

COSINE_INPUTS: list[tuple[list[float], list[float]]] = [
    ([0.0, 4.0], [0.0, 5.0]),
    ([1.0, 0.0], [0.0, 3.0]),
    ([1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]),
    ([0.0, 0.0], [0.0, 5.0]),
    ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    ([3.0, -1.0, 2.0, 0.5], [1.0, 1.0, -2.0, 4.0]),
    ([1e-3, 2e-3], [3e3, 1e3]),
]


@exercise(
    "ch05-cosine",
    title="Cosine similarity that never returns NaN",
    hint="the cosine is the dot product divided by the product of the two lengths (norms); "
    "a zero vector has length 0, so never divide by less than a tiny epsilon such as 1e-8, "
    "and return a tensor.",
)
def check_cosine(answer: Any) -> list[str | None]:
    """Hidden cases for ``safe_cosine(a, b)``."""
    import torch

    from tokenlab.similarity import cosine

    cases = []
    for a, b in COSINE_INPUTS:
        ta, tb = torch.tensor(a), torch.tensor(b)
        cases.append(Case((ta, tb), cosine(ta.double(), tb.double()),
                          label=f"a={short_repr(a)}, b={short_repr(b)}"))
    return run_cases(answer, cases, compare=_close, show=_show_tensor, diagnose=_nan_remark)


# ---- ch05-softmax ---------------------------------------------------------------------------

SOFTMAX_INPUTS: list[tuple[list[float], float]] = [
    ([1.0, 2.0, 3.0], 1.0),
    ([0.0, 0.0, 0.0, 0.0], 1.0),
    ([1.0, 2.0, 3.0], 0.5),
    ([1.0, 2.0, 3.0], 10.0),
    ([10_000.0, 9_999.0, 0.0], 1.0),
    ([-10_000.0, -10_001.0], 1.0),
    ([5.0], 2.0),
]


@exercise(
    "ch05-softmax",
    title="A softmax that does not overflow",
    hint="divide the scores by the temperature first; exp(1000) is already inf in float32, "
    "but subtracting the largest score from every score changes nothing in the result and "
    "keeps every exponent at or below 0.",
)
def check_softmax(answer: Any) -> list[str | None]:
    """Hidden cases for ``softmax(scores, temperature)``."""
    import torch

    cases = []
    for scores, temperature in SOFTMAX_INPUTS:
        t = torch.tensor(scores)
        expected = torch.softmax(t.double() / temperature, dim=-1)
        cases.append(Case((t, temperature), expected,
                          label=f"scores={short_repr(scores)}, temperature={temperature}"))
    return run_cases(answer, cases, compare=_close, show=_show_tensor, diagnose=_nan_remark)

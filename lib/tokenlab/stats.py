"""Uncertainty for the book's comparisons: the one place the chapters compute error bars.

A chapter that compares two methods reports its noise, and calls a difference real only when
it exceeds that noise. Four helpers cover the cases the book meets:

* :func:`summarize`: several runs of one method (seeds) -> mean, standard deviation, range and
  a Student-t confidence interval for the mean (:class:`Spread`).
* :func:`wilson_interval`: one accuracy on one test set (``correct`` of ``n``) -> the Wilson
  score interval (:class:`Proportion`).
* :func:`compare_paired`: two classifiers scored on the *same* test items -> the difference of
  their accuracies with an exact McNemar interval (or a seeded paired bootstrap) and a verdict
  (:class:`Comparison`).
* :func:`compare_seeds`: two sets of seed results -> the difference of the means with a Welch
  (or paired) t interval and a verdict.

The verdict is ``"tie"`` unless the interval for the difference excludes 0; then it names the
better method. Every distribution function here (Student t, beta, binomial) is computed in this
module, with no SciPy needed; ``tests/test_stats.py`` checks each against ``scipy.stats``.

Examples
--------
>>> s = summarize([0.765, 0.758, 0.768], percent=True)
>>> str(s)
'76.4% ± 0.5 (3 seeds)'
>>> str(wilson_interval(765, 1000))
'76.5% (95% CI 73.8 to 79.0%, n = 1000)'
>>> compare_seeds([0.80, 0.81, 0.79], [0.70, 0.71, 0.69], names=("a", "b")).verdict
'a better'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import torch

from ._checks import check_int

__all__ = [
    "Spread",
    "Proportion",
    "Comparison",
    "summarize",
    "wilson_interval",
    "compare_paired",
    "compare_seeds",
    "t_quantile",
]

ArrayLike = Sequence[float] | np.ndarray | torch.Tensor


# ------------------------------------------------------------------------------- validation


def _check_confidence(confidence: object) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise TypeError(f"confidence must be a float, got {type(confidence).__name__}")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return float(confidence)


def _as_array(values: object, name: str, *, integer: bool = False) -> np.ndarray:
    """``values`` (list, tuple, NumPy array or torch tensor) as a 1-D float64/int64 array."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be a list, tuple, NumPy array or torch tensor of numbers, "
            f"got {type(values).__name__}"
        )
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {tuple(array.shape)}")
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.number) or array.size == 0):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if integer:
        if array.size and not np.issubdtype(array.dtype, np.integer):
            if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
                raise TypeError(f"{name} must hold integer labels, got dtype {array.dtype}")
        return array.astype(np.int64)
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return array


def _check_names(names: object) -> tuple[str, str]:
    if (
        not isinstance(names, tuple | list)
        or len(names) != 2
        or not all(isinstance(n, str) and n for n in names)
    ):
        raise TypeError(f"names must be a pair of non-empty str, got {names!r}")
    if names[0] == names[1]:
        raise ValueError(f"names must differ, got {names!r}")
    return str(names[0]), str(names[1])


# ---------------------------------------------------------------------- distribution functions


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _beta_ppf(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of Beta(a, b), by bisection on :func:`_betainc` (to ~1e-15)."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-16:
            break
    return 0.5 * (lo + hi)


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t distribution with ``df`` degrees of freedom.

    Parameters
    ----------
    q : float
        Probability in (0, 1).
    df : float
        Degrees of freedom, > 0 (need not be an integer: Welch's test uses a real one).

    Returns
    -------
    float

    Examples
    --------
    >>> round(t_quantile(0.975, 2), 4)
    4.3027
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    if not df > 0:
        raise ValueError(f"df must be > 0, got {df!r}")
    if q == 0.5:
        return 0.0
    tail = min(q, 1.0 - q)
    x = _beta_ppf(2.0 * tail, df / 2.0, 0.5)  # P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2)
    t = math.sqrt(df * (1.0 - x) / x)
    return t if q > 0.5 else -t


def _binomial_two_sided_half(k: int, m: int) -> float:
    """Exact two-sided p-value of ``k`` successes in ``m`` trials with p = 1/2."""
    if m == 0:
        return 1.0
    low = min(k, m - k)
    tail = sum(math.comb(m, i) for i in range(low + 1))
    return min(1.0, float(Fraction(2 * tail, 2**m)))


def _clopper_pearson(k: int, m: int, confidence: float) -> tuple[float, float]:
    alpha = 1.0 - confidence
    lo = 0.0 if k == 0 else _beta_ppf(alpha / 2.0, k, m - k + 1)
    hi = 1.0 if k == m else _beta_ppf(1.0 - alpha / 2.0, k + 1, m - k)
    return lo, hi


# -------------------------------------------------------------------------------- results


def _fmt(value: float, percent: bool, digits: int) -> str:
    return f"{value * 100:.{digits}f}" if percent else f"{value:.{digits}f}"


@dataclass(frozen=True)
class Spread:
    """Several runs of one method: mean, sample standard deviation, range, t interval.

    ``str(spread)`` is ``"mean ± std (n seeds)"``; with ``percent`` the values (fractions)
    print as percentages: ``"76.5% ± 0.4 (3 seeds)"``.
    """

    mean: float
    std: float
    min: float
    max: float
    n: int
    low: float
    high: float
    confidence: float = 0.95
    percent: bool = False
    digits: int = 1

    @property
    def half_width(self) -> float:
        """Half the width of the confidence interval for the mean."""
        return (self.high - self.low) / 2.0

    def __str__(self) -> str:
        unit = "%" if self.percent else ""
        runs = "seed" if self.n == 1 else "seeds"
        return (
            f"{_fmt(self.mean, self.percent, self.digits)}{unit} ± "
            f"{_fmt(self.std, self.percent, self.digits)} ({self.n} {runs})"
        )

    def interval_str(self) -> str:
        """The interval as text: ``"75.8 to 77.2%"``."""
        unit = "%" if self.percent else ""
        return (
            f"{_fmt(self.low, self.percent, self.digits)} to "
            f"{_fmt(self.high, self.percent, self.digits)}{unit}"
        )


@dataclass(frozen=True)
class Proportion:
    """One accuracy (``correct`` of ``n``) with its Wilson score interval."""

    correct: int
    n: int
    estimate: float
    low: float
    high: float
    confidence: float = 0.95
    digits: int = 1

    @property
    def half_width(self) -> float:
        """Half the width of the interval (the Wilson interval is not centred on the estimate)."""
        return (self.high - self.low) / 2.0

    def __str__(self) -> str:
        level = f"{self.confidence * 100:g}"
        return (
            f"{_fmt(self.estimate, True, self.digits)}% ({level}% CI "
            f"{_fmt(self.low, True, self.digits)} to {_fmt(self.high, True, self.digits)}%, "
            f"n = {self.n})"
        )


@dataclass(frozen=True)
class Comparison:
    """Method A minus method B: the difference, its interval and a verdict.

    ``difference`` is in the units of the inputs (a fraction for accuracies: ``0.012`` is 1.2
    points). ``verdict`` is ``"tie"`` unless ``[low, high]`` excludes 0, then
    ``"<name> better"``.
    """

    difference: float
    low: float
    high: float
    method: str
    names: tuple[str, str]
    n: int
    p_value: float | None = None
    confidence: float = 0.95
    digits: int = 1

    @property
    def real(self) -> bool:
        """True when the interval excludes 0 (the difference exceeds the noise)."""
        return self.low > 0.0 or self.high < 0.0

    @property
    def verdict(self) -> str:
        """``"tie"``, or ``"<name of the better method> better"``."""
        if self.low > 0.0:
            return f"{self.names[0]} better"
        if self.high < 0.0:
            return f"{self.names[1]} better"
        return "tie"

    def __str__(self) -> str:
        d = self.difference * 100
        level = f"{self.confidence * 100:g}"
        return (
            f"{self.names[0]} - {self.names[1]}: {d:+.{self.digits}f} points "
            f"({level}% CI {self.low * 100:+.{self.digits}f} to "
            f"{self.high * 100:+.{self.digits}f}; {self.method}): {self.verdict}"
        )


# ------------------------------------------------------------------------------ functions


def summarize(
    values: ArrayLike, *, confidence: float = 0.95, percent: bool = False, digits: int = 1
) -> Spread:
    """Mean, sample standard deviation (``ddof=1``), min, max and a t interval of ``values``.

    The interval is ``mean ± t(1 - alpha/2, n - 1) * std / sqrt(n)``, Student's interval for
    the mean of ``n`` independent runs (seeds).

    Parameters
    ----------
    values : list, tuple, NumPy array or torch tensor of float
        One result per run, at least 2.
    confidence : float
        Level of the interval, in (0, 1).
    percent : bool
        Print the values (fractions) as percentages in ``str()``.
    digits : int
        Decimals printed by ``str()``.

    Returns
    -------
    Spread

    Raises
    ------
    TypeError
        If ``values`` is not a sequence of numbers.
    ValueError
        If there are fewer than 2 values, one is not finite, or ``confidence`` is outside (0, 1).

    Examples
    --------
    >>> s = summarize([1.0, 2.0, 3.0])
    >>> s.mean, s.std, s.n, round(s.low, 4), round(s.high, 4)
    (2.0, 1.0, 3, -0.4841, 4.4841)
    """
    confidence = _check_confidence(confidence)
    digits = check_int(digits, "digits", 0)
    _check_bool(percent, "percent")
    x = _as_array(values, "values")
    if x.size < 2:
        raise ValueError(f"values must hold at least 2 runs to estimate a spread, got {x.size}")
    n = int(x.size)
    mean = float(x.mean())
    std = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * std / math.sqrt(n)
    return Spread(
        mean=mean, std=std, min=float(x.min()), max=float(x.max()), n=n,
        low=mean - half, high=mean + half, confidence=confidence, percent=percent, digits=digits,
    )


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def wilson_interval(
    correct: int, n: int, *, confidence: float = 0.95, digits: int = 1
) -> Proportion:
    """The Wilson score interval for an accuracy of ``correct`` out of ``n`` test items.

    Better than the normal ("Wald") interval near 0 and 1 and for small ``n``: it never leaves
    [0, 1]. With ``z`` the normal quantile and ``p = correct / n``, the centre is
    ``(p + z^2 / 2n) / (1 + z^2 / n)`` and the half-width
    ``z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)``.

    Parameters
    ----------
    correct : int
        Items right, ``0 <= correct <= n``.
    n : int
        Items in the test set, >= 1.
    confidence : float
        Level of the interval, in (0, 1).
    digits : int
        Decimals printed by ``str()``.

    Returns
    -------
    Proportion

    Raises
    ------
    TypeError
        If ``correct`` or ``n`` is not an integer.
    ValueError
        If ``n < 1`` or ``correct`` is outside ``[0, n]``.

    Examples
    --------
    >>> p = wilson_interval(8, 10)
    >>> round(p.low, 4), round(p.high, 4)
    (0.4902, 0.9433)
    """
    n = check_int(n, "n", 1)
    correct = check_int(correct, "correct", 0)
    if correct > n:
        raise ValueError(f"correct must be <= n ({n}), got {correct}")
    confidence = _check_confidence(confidence)
    digits = check_int(digits, "digits", 0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = correct / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Proportion(
        correct=correct, n=n, estimate=p,
        low=0.0 if correct == 0 else max(0.0, centre - half),
        high=1.0 if correct == n else min(1.0, centre + half), confidence=confidence, digits=digits,
    )


def compare_paired(
    pred_a: ArrayLike,
    pred_b: ArrayLike,
    y_true: ArrayLike,
    *,
    names: tuple[str, str] = ("A", "B"),
    method: str = "mcnemar",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    digits: int = 1,
) -> Comparison:
    """Accuracy of A minus accuracy of B, both scored on the same test items.

    Only the items where exactly one of the two is right carry information: ``b`` where A is
    right and B wrong, ``c`` the reverse. The difference of accuracies is ``(b - c) / n``.

    * ``method="mcnemar"`` (default): McNemar's exact test. Given ``m = b + c`` discordant
      items, ``b`` is Binomial(m, pi) with pi = 1/2 when the two tie. The interval for the
      difference is ``m (2 pi - 1) / n`` over the Clopper-Pearson interval for pi, so it
      excludes 0 exactly when the two-sided exact p-value (``p_value``) is below
      ``1 - confidence``.
    * ``method="bootstrap"``: the percentile interval of the difference over ``n_resamples``
      resamples of the test items (the same resampled items for both), drawn with ``seed``.

    Parameters
    ----------
    pred_a, pred_b : list, NumPy array or torch tensor of int
        Predicted labels of the two classifiers, one per test item.
    y_true : list, NumPy array or torch tensor of int
        The true labels.
    names : (str, str)
        Names of A and B, used in the verdict and ``str()``.
    method : {"mcnemar", "bootstrap"}
    confidence : float
        Level of the interval, in (0, 1).
    n_resamples : int
        Bootstrap resamples (``method="bootstrap"`` only), >= 100.
    seed : int
        Seed of the bootstrap's generator.
    digits : int
        Decimals printed by ``str()``.

    Returns
    -------
    Comparison

    Raises
    ------
    TypeError
        If an input is not a 1-D sequence of integer labels, or ``names`` is not two str.
    ValueError
        If the lengths differ, there are no items, or ``method`` is unknown.

    Examples
    --------
    >>> y = [1] * 100
    >>> a = [1] * 90 + [0] * 10
    >>> b = [1] * 80 + [0] * 20
    >>> c = compare_paired(a, b, y, names=("a", "b"))
    >>> round(c.difference, 2), c.verdict
    (0.1, 'a better')
    """
    names = _check_names(names)
    confidence = _check_confidence(confidence)
    digits = check_int(digits, "digits", 0)
    if method not in ("mcnemar", "bootstrap"):
        raise ValueError(f"method must be 'mcnemar' or 'bootstrap', got {method!r}")
    a = _as_array(pred_a, "pred_a", integer=True)
    b_pred = _as_array(pred_b, "pred_b", integer=True)
    y = _as_array(y_true, "y_true", integer=True)
    if not a.size == b_pred.size == y.size:
        raise ValueError(
            "pred_a, pred_b and y_true must have the same length, got "
            f"{a.size}, {b_pred.size} and {y.size}"
        )
    if y.size == 0:
        raise ValueError("y_true must hold at least one test item")
    n = int(y.size)
    right_a, right_b = a == y, b_pred == y
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    diff = (b - c) / n
    if method == "mcnemar":
        m = b + c
        p_value = _binomial_two_sided_half(b, m)
        if m == 0:
            low = high = 0.0
        else:
            pi_lo, pi_hi = _clopper_pearson(b, m, confidence)
            low, high = m * (2 * pi_lo - 1) / n, m * (2 * pi_hi - 1) / n
        return Comparison(
            difference=diff, low=low, high=high, method="McNemar exact", names=names, n=n,
            p_value=p_value, confidence=confidence, digits=digits,
        )
    n_resamples = check_int(n_resamples, "n_resamples", 100)
    seed = check_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    delta = right_a.astype(np.int64) - right_b.astype(np.int64)
    diffs = np.empty(n_resamples)
    for start in range(0, n_resamples, 256):
        stop = min(n_resamples, start + 256)
        idx = rng.integers(0, n, size=(stop - start, n))
        diffs[start:stop] = delta[idx].mean(axis=1)
    alpha = 1.0 - confidence
    low, high = np.quantile(diffs, [alpha / 2.0, 1.0 - alpha / 2.0])
    return Comparison(
        difference=diff, low=float(low), high=float(high),
        method=f"paired bootstrap, {n_resamples} resamples, seed {seed}", names=names, n=n,
        confidence=confidence, digits=digits,
    )


def compare_seeds(
    values_a: ArrayLike,
    values_b: ArrayLike,
    *,
    names: tuple[str, str] = ("A", "B"),
    paired: bool = False,
    confidence: float = 0.95,
    digits: int = 1,
) -> Comparison:
    """Mean of A minus mean of B over seeds, with a t interval and a verdict.

    ``paired=False`` (default): Welch's interval, for runs that share nothing (different
    seeds): ``se = sqrt(s_a^2 / n_a + s_b^2 / n_b)`` and the Welch-Satterthwaite degrees of
    freedom. ``paired=True``: seed ``i`` of A and seed ``i`` of B share their randomness (the
    same split, the same initialization), so the interval is Student's on the differences.

    Parameters
    ----------
    values_a, values_b : list, NumPy array or torch tensor of float
        One result per seed, at least 2 each (the same number when ``paired``).
    names : (str, str)
        Names of A and B.
    paired : bool
        Pair run ``i`` of A with run ``i`` of B.
    confidence : float
        Level of the interval, in (0, 1).
    digits : int
        Decimals printed by ``str()``.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        Fewer than 2 values in a set, unequal lengths when ``paired``, or no spread at all
        (every value equal in both sets) with a nonzero difference.

    Examples
    --------
    >>> c = compare_seeds([0.765, 0.758, 0.768], [0.760, 0.771, 0.755])
    >>> c.verdict
    'tie'
    """
    names = _check_names(names)
    confidence = _check_confidence(confidence)
    digits = check_int(digits, "digits", 0)
    _check_bool(paired, "paired")
    xa = _as_array(values_a, "values_a")
    xb = _as_array(values_b, "values_b")
    for x, name in ((xa, "values_a"), (xb, "values_b")):
        if x.size < 2:
            raise ValueError(f"{name} must hold at least 2 runs, got {x.size}")
    q = 0.5 + confidence / 2.0
    if paired:
        if xa.size != xb.size:
            raise ValueError(
                f"paired=True needs as many values in values_a as in values_b, "
                f"got {xa.size} and {xb.size}"
            )
        d = xa - xb
        diff = float(d.mean())
        se = float(d.std(ddof=1)) / math.sqrt(d.size)
        df = float(d.size - 1)
        method = f"paired t, {d.size} seeds"
    else:
        diff = float(xa.mean() - xb.mean())
        va, vb = float(xa.var(ddof=1)) / xa.size, float(xb.var(ddof=1)) / xb.size
        se = math.sqrt(va + vb)
        df = (
            (va + vb) ** 2 / (va**2 / (xa.size - 1) + vb**2 / (xb.size - 1))
            if se > 0 else 1.0
        )
        method = f"Welch t, {xa.size} and {xb.size} seeds"
    if se == 0.0:
        if diff != 0.0:
            raise ValueError(
                "values_a and values_b have no spread at all: a t interval is undefined "
                "(report the runs, or add seeds that differ)"
            )
        low = high = 0.0
    else:
        half = t_quantile(q, df) * se
        low, high = diff - half, diff + half
    return Comparison(
        difference=diff, low=low, high=high, method=method, names=names,
        n=int(xa.size + xb.size), confidence=confidence, digits=digits,
    )

"""tokenlab.stats against scipy.stats: t quantiles, t intervals, Wilson, McNemar, Welch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab import stats

scipy_stats = pytest.importorskip("scipy.stats")


# ---------------------------------------------------------------- distribution functions


@pytest.mark.parametrize("df", [1, 2, 3, 4.5, 9, 30, 200, 10_000])
@pytest.mark.parametrize("q", [0.6, 0.9, 0.975, 0.995, 0.025])
def test_t_quantile_matches_scipy(q, df):
    # 1e-9 relative: bisection on our own incomplete beta against SciPy's boost-based ppf
    assert stats.t_quantile(q, df) == pytest.approx(scipy_stats.t.ppf(q, df), rel=1e-9)


@pytest.mark.parametrize("a,b,x", [(0.5, 0.5, 0.3), (2, 5, 0.1), (10, 3, 0.9), (50, 60, 0.45),
                                   (1, 1, 0.7), (300, 2, 0.99)])
def test_incomplete_beta_matches_scipy(a, b, x):
    special = pytest.importorskip("scipy.special")
    assert stats._betainc(a, b, x) == pytest.approx(special.betainc(a, b, x), rel=1e-11)


@pytest.mark.parametrize("k,m", [(0, 0), (0, 5), (3, 10), (10, 10), (40, 100), (230, 500),
                                 (1000, 1900)])
def test_exact_binomial_p_value_matches_binomtest(k, m):
    if m == 0:
        assert stats._binomial_two_sided_half(0, 0) == 1.0
        return
    want = scipy_stats.binomtest(k, m, 0.5).pvalue
    assert stats._binomial_two_sided_half(k, m) == pytest.approx(want, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("k,m", [(0, 5), (3, 10), (10, 10), (40, 100), (230, 500)])
def test_clopper_pearson_matches_binomtest(k, m):
    ci = scipy_stats.binomtest(k, m).proportion_ci(0.95, method="exact")
    lo, hi = stats._clopper_pearson(k, m, 0.95)
    assert (lo, hi) == (pytest.approx(ci.low, abs=1e-10), pytest.approx(ci.high, abs=1e-10))


# ----------------------------------------------------------------------------- summarize


def test_summarize_matches_numpy_and_scipy_t_interval():
    values = [0.765, 0.758, 0.768, 0.771]
    s = stats.summarize(values, percent=True)
    x = np.array(values)
    assert s.mean == pytest.approx(x.mean(), abs=1e-15)
    assert s.std == pytest.approx(x.std(ddof=1), abs=1e-15)
    assert (s.min, s.max, s.n) == (0.758, 0.771, 4)
    lo, hi = scipy_stats.t.interval(0.95, 3, loc=x.mean(), scale=scipy_stats.sem(x))
    assert (s.low, s.high) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert s.half_width == pytest.approx((hi - lo) / 2, abs=1e-12)
    assert str(s) == "76.6% ± 0.6 (4 seeds)"
    assert s.interval_str() == f"{lo * 100:.1f} to {hi * 100:.1f}%"


def test_summarize_accepts_arrays_and_tensors():
    a = stats.summarize(np.array([1.0, 2.0, 4.0]), confidence=0.9, digits=2)
    b = stats.summarize(torch.tensor([1.0, 2.0, 4.0]), confidence=0.9, digits=2)
    assert a == b
    assert str(a) == "2.33 ± 1.53 (3 seeds)"
    lo, hi = scipy_stats.t.interval(0.9, 2, loc=7 / 3, scale=scipy_stats.sem([1, 2, 4]))
    assert a.low == pytest.approx(lo, abs=1e-12) and a.high == pytest.approx(hi, abs=1e-12)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"values": [1.0]}, ValueError, "at least 2"),
        ({"values": []}, ValueError, "at least 2"),
        ({"values": [1.0, float("nan")]}, ValueError, "finite"),
        ({"values": "123"}, TypeError, "values"),
        ({"values": [[1.0, 2.0]]}, ValueError, "1-D"),
        ({"values": [True, False]}, TypeError, "numbers"),
        ({"values": [1.0, 2.0], "confidence": 1.0}, ValueError, "confidence"),
        ({"values": [1.0, 2.0], "confidence": "0.9"}, TypeError, "confidence"),
        ({"values": [1.0, 2.0], "percent": 1}, TypeError, "percent"),
    ],
)
def test_summarize_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        stats.summarize(**kwargs)


def test_inputs_are_not_mutated():
    values = [0.3, 0.1, 0.2]
    t = torch.tensor(values)
    stats.summarize(values)
    stats.summarize(t)
    assert values == [0.3, 0.1, 0.2] and t.tolist() == pytest.approx([0.3, 0.1, 0.2])


# ------------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (8, 10), (765, 1000), (43_100, 50_000),
                                 (0, 50), (50, 50)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k, n, confidence):
    ci = scipy_stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    p = stats.wilson_interval(k, n, confidence=confidence)
    assert p.estimate == k / n
    assert p.low == pytest.approx(ci.low, abs=1e-12)
    assert p.high == pytest.approx(ci.high, abs=1e-12)
    assert 0.0 <= p.low <= p.estimate <= p.high <= 1.0


def test_wilson_str_and_errors():
    assert str(stats.wilson_interval(765, 1000)) == "76.5% (95% CI 73.8 to 79.0%, n = 1000)"
    with pytest.raises(ValueError, match="correct must be <= n"):
        stats.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        stats.wilson_interval(0, 0)
    with pytest.raises(TypeError, match="correct must be an integer"):
        stats.wilson_interval(7.0, 10)


# ---------------------------------------------------------------------- paired (McNemar)


def _paired_sample(n, acc_a, acc_b, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    a = np.where(rng.random(n) < acc_a, y, 1 - y)
    b = np.where(rng.random(n) < acc_b, y, 1 - y)
    return a, b, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mcnemar_matches_scipy_binomtest(seed):
    a, b, y = _paired_sample(2000, 0.80, 0.78, seed)
    c = stats.compare_paired(a, b, y, names=("a", "b"))
    only_a = int(np.sum((a == y) & (b != y)))
    only_b = int(np.sum((a != y) & (b == y)))
    test = scipy_stats.binomtest(only_a, only_a + only_b, 0.5)
    assert c.p_value == pytest.approx(test.pvalue, rel=1e-9)
    assert c.difference == pytest.approx(np.mean(a == y) - np.mean(b == y), abs=1e-15)
    ci = test.proportion_ci(0.95, method="exact")
    m = only_a + only_b
    assert c.low == pytest.approx(m * (2 * ci.low - 1) / 2000, abs=1e-10)
    assert c.high == pytest.approx(m * (2 * ci.high - 1) / 2000, abs=1e-10)
    # the interval excludes 0 exactly when the exact test rejects at 5%
    assert c.real == (c.p_value < 0.05)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 100))
def test_mcnemar_interval_agrees_with_its_p_value(only_a, only_b, both):
    y = np.ones(only_a + only_b + both + 1, dtype=int)
    a = np.array([1] * only_a + [0] * only_b + [1] * both + [0])
    b = np.array([0] * only_a + [1] * only_b + [1] * both + [0])
    c = stats.compare_paired(a, b, y)
    assert c.low <= c.difference <= c.high
    if only_a + only_b:
        # the two agree except where p sits within float rounding of alpha
        if abs(c.p_value - 0.05) > 1e-9:
            assert c.real == (c.p_value < 0.05)
    else:
        assert (c.low, c.high, c.verdict) == (0.0, 0.0, "tie")


def test_clear_and_unclear_verdicts():
    a, b, y = _paired_sample(5000, 0.90, 0.80, 0)
    assert stats.compare_paired(a, b, y, names=("big", "small")).verdict == "big better"
    assert stats.compare_paired(b, a, y, names=("small", "big")).verdict == "big better"
    a, b, y = _paired_sample(300, 0.80, 0.80, 1)
    tie = stats.compare_paired(a, b, y)
    assert tie.verdict == "tie" and not tie.real
    text = str(tie)
    assert text.startswith("A - B: ") and text.endswith("McNemar exact): tie")


def test_bootstrap_is_seeded_and_close_to_the_normal_interval():
    a, b, y = _paired_sample(4000, 0.82, 0.80, 3)
    one = stats.compare_paired(a, b, y, method="bootstrap", seed=5, n_resamples=4000)
    two = stats.compare_paired(a, b, y, method="bootstrap", seed=5, n_resamples=4000)
    assert one == two
    d = (a == y).astype(float) - (b == y).astype(float)
    se = d.std(ddof=0) / math.sqrt(d.size)
    # percentile bootstrap vs the normal interval of a mean of 4000 items: within 20% of se
    assert one.low == pytest.approx(d.mean() - 1.96 * se, abs=0.2 * se)
    assert one.high == pytest.approx(d.mean() + 1.96 * se, abs=0.2 * se)
    assert "seed 5" in one.method


def test_paired_accepts_tensors_and_lists():
    a, b, y = _paired_sample(500, 0.7, 0.6, 4)
    ref = stats.compare_paired(a, b, y)
    assert stats.compare_paired(torch.tensor(a), torch.tensor(b), torch.tensor(y)) == ref
    assert stats.compare_paired(a.tolist(), b.tolist(), y.tolist()) == ref


@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (([1, 0], [1], [1, 0]), {}, ValueError, "same length"),
        (([], [], []), {}, ValueError, "at least one"),
        (([1.5, 0], [1, 0], [1, 0]), {}, TypeError, "integer labels"),
        (([1, 0], [1, 0], [1, 0]), {"method": "t"}, ValueError, "method"),
        (([1, 0], [1, 0], [1, 0]), {"names": ("x",)}, TypeError, "names"),
        (([1, 0], [1, 0], [1, 0]), {"names": ("x", "x")}, ValueError, "names must differ"),
        (([1, 0], [1, 0], [1, 0]), {"method": "bootstrap", "n_resamples": 10}, ValueError,
         "n_resamples"),
        (("10", [1, 0], [1, 0]), {}, TypeError, "pred_a"),
    ],
)
def test_paired_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        stats.compare_paired(*args, **kwargs)


# ------------------------------------------------------------------------------ seed sets


def test_welch_matches_scipy():
    a = [0.765, 0.758, 0.768]
    b = [0.751, 0.760, 0.749, 0.755]
    c = stats.compare_seeds(a, b, names=("bigrams", "words"))
    ref = scipy_stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert c.difference == pytest.approx(np.mean(a) - np.mean(b), abs=1e-15)
    assert (c.low, c.high) == (pytest.approx(ci.low, abs=1e-10), pytest.approx(ci.high, abs=1e-10))
    assert c.verdict == ("bigrams better" if ci.low > 0 else "tie")


def test_paired_t_matches_scipy():
    a = [0.765, 0.758, 0.768]
    b = [0.760, 0.755, 0.762]
    c = stats.compare_seeds(a, b, paired=True)
    ci = scipy_stats.ttest_rel(a, b).confidence_interval(0.95)
    assert (c.low, c.high) == (pytest.approx(ci.low, abs=1e-10), pytest.approx(ci.high, abs=1e-10))
    assert c.method == "paired t, 3 seeds"


def test_issue_13_figures_tie():
    # Chapter 3 before issue 13: words 76.5, bigrams 75.8, trigrams 76.8 (one seed each) are
    # within the Wilson noise of 10,000 reviews; two sets of three seeds that overlap tie.
    assert stats.compare_seeds([0.765, 0.770, 0.761], [0.758, 0.768, 0.764]).verdict == "tie"
    assert stats.wilson_interval(7650, 10_000).half_width == pytest.approx(0.0083, abs=2e-4)


def test_seed_errors():
    with pytest.raises(ValueError, match="values_a must hold at least 2"):
        stats.compare_seeds([0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="as many values"):
        stats.compare_seeds([0.5, 0.6], [0.5, 0.6, 0.7], paired=True)
    with pytest.raises(ValueError, match="no spread"):
        stats.compare_seeds([0.5, 0.5], [0.6, 0.6])
    same = stats.compare_seeds([0.5, 0.5], [0.5, 0.5])
    assert same.verdict == "tie" and same.difference == 0.0

"""tokenlab.widgets.zipf: the Python side (fit_loglog on exact power laws, zipf_data's
downsampling, traits, ``result``, bad input), the JavaScript's syntax, and (with chromium) the
explorer driven by zipf.js alone, against a stand-in model, with no kernel and no book build:
corpus and level selectors, the log-scaled range sliders, a range too narrow to fit, and the
kernel's answer replacing the browser's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import traitlets

import tokenlab.widgets as widgets
from tokenlab.widgets.zipf import (
    ZipfHeapsWidget,
    clip_range,
    fit_loglog,
    fit_selection,
    zipf_data,
    zipf_data_from_tokens,
)
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
ZIPF_JS = HERE / "zipf.js"
ZIPF_CSS = HERE / "zipf.css"
SCREENSHOT = Path("/tmp/zipf-widget.png")
FITS = ("zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta")
REL = 1e-9


def synthetic(n_types: int, a: float, n_tokens: int, beta: float, k: float, seed: int) -> dict:
    """Noisy Zipf counts and Heaps growth, downsampled by zipf_data."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, n_types + 1)
    counts = np.floor(1e6 * ranks ** (-a) * rng.lognormal(0, 0.3, n_types)) + 1
    tokens = np.arange(1, n_tokens + 1, 7)
    types = np.maximum(1.0, np.round(k * tokens**beta * rng.lognormal(0, 0.05, tokens.size)))
    return zipf_data(counts, tokens, types)


@pytest.fixture(scope="module")
def data() -> dict:
    return {
        "alpha": {"word": synthetic(50_000, 1.05, 200_000, 0.62, 3.1, 1),
                  "character": synthetic(90, 0.8, 20_000, 0.3, 6.0, 2)},
        "beta": {"word": synthetic(8_000, 1.2, 60_000, 0.7, 2.0, 3),
                 "subword": synthetic(3_000, 0.9, 60_000, 0.5, 4.0, 4)},
    }


def close(a, b, rel: float = REL) -> bool:
    return math.isfinite(a) and abs(a - b) <= rel * abs(b)


# ---- Python: the fits ------------------------------------------------------------------------


@pytest.mark.parametrize("slope, intercept", [(-1.0, 6.0), (-0.73, 4.2), (0.5, 0.3),
                                              (1.7, -2.25), (-2.0, 0.0)])
def test_fit_loglog_recovers_exact_power_laws(slope, intercept):
    x = np.unique(np.round(np.logspace(0, 6, 400)))
    y = 10**intercept * x**slope
    got = fit_loglog(x, y, 1, 1e6)
    assert abs(got[0] - slope) <= 1e-9 and abs(got[1] - intercept) <= 1e-9, got
    # Over a sub-range, with lists and the default (everything) range.
    sub = fit_loglog(x.tolist(), y.tolist(), 10, 1000)
    assert abs(sub[0] - slope) <= 1e-9 and abs(sub[1] - intercept) <= 1e-9
    every = fit_loglog(x, y)
    assert abs(every[0] - slope) <= 1e-9 and abs(every[1] - intercept) <= 1e-9


def test_fit_loglog_uses_only_the_range_inclusive():
    x = [1, 10, 100, 1000, 10_000]
    y = [1, 10, 1e4, 1e4, 1e5]  # slope 1 on [1, 10], slope 0 on [100, 1000], 1 on [1000, 1e4]
    assert fit_loglog(x, y, 1, 10) == (1.0, 0.0)
    assert fit_loglog(x, y, 100, 1000) == (0.0, 4.0)
    assert fit_loglog(x, y, 99.5, 1000.5) == (0.0, 4.0)
    # The range holds the points at its ends; points outside it may even be <= 0.
    assert fit_loglog([0, 1, 10, -5], [3, 1, 10, 0], 1, 10) == (1.0, 0.0)
    # ... an ordinary least-squares line in log space (numpy agrees).
    rng = np.random.default_rng(0)
    xs = np.arange(1, 500)
    ys = np.exp(rng.normal(3, 1, xs.size))
    slope, intercept = fit_loglog(xs, ys, 5, 300)
    keep = (xs >= 5) & (xs <= 300)
    want = np.polyfit(np.log10(xs[keep]), np.log10(ys[keep]), 1)
    assert close(slope, want[0], 1e-9) and close(intercept, want[1], 1e-9)


@pytest.mark.parametrize("args, match", [
    (([1, 10, 100], [1, 2, 3], 20, 30), "fewer than 2 points"),
    (([1, 10, 100], [1, 2, 3], 10, 10), "fewer than 2 points"),
    (([1, 1, 1], [1, 2, 3]), "same x"),
    (([1, 10], [1, 2, 3]), "same length"),
    (([0, 10], [1, 2]), "x must be > 0"),
    (([1, 10], [1, -2]), "y must be > 0"),
    (([1, float("nan")], [1, 2]), "x must hold finite"),
    (([1, 10], [1, 2], float("nan"), 10), "lo"),
    (([1, 10], [1, 2], 1, "10"), "hi"),
])
def test_fit_loglog_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        fit_loglog(*args)


# ---- Python: zipf_data -----------------------------------------------------------------------


def test_zipf_data_downsamples_log_spaced():
    n = 100_000
    counts = np.floor(1e6 / np.arange(1, n + 1)) + 1
    rng = np.random.default_rng(5)
    shuffled = rng.permutation(np.concatenate([counts, np.zeros(50)]))  # any order, zeros
    tokens = np.arange(1, 1_000_001)
    types = np.floor(2 * tokens**0.6)
    d = zipf_data(shuffled, tokens, types)
    assert set(d) == {"ranks", "counts", "heaps_tokens", "heaps_types", "n_types", "n_tokens"}
    ranks = d["ranks"]
    assert 250 <= len(ranks) <= 300
    assert ranks[0] == 1 and ranks[-1] == n and ranks[:5] == [1, 2, 3, 4, 5]
    assert all(b > a for a, b in zip(ranks, ranks[1:], strict=False))
    assert all(type(r) is int for r in ranks) and all(type(c) is int for c in d["counts"])
    assert d["counts"] == [int(counts[r - 1]) for r in ranks], "the count at each kept rank"
    # Log-spaced: about as many kept ranks per decade (once ranks are not crowded at the start).
    per_decade = [sum(1 for r in ranks if 10**e < r <= 10 ** (e + 1)) for e in (2, 3, 4)]
    assert max(per_decade) - min(per_decade) <= 3, per_decade
    assert d["n_types"] == n and d["n_tokens"] == int(counts.sum())
    # Heaps: about 200 points, first and last kept, log-spaced by index.
    ht, hv = d["heaps_tokens"], d["heaps_types"]
    assert 150 <= len(ht) <= 200 and len(ht) == len(hv)
    assert ht[0] == 1 and ht[-1] == 1_000_000 and hv[-1] == int(types[-1])
    assert all(hv[i] == int(types[t - 1]) for i, t in enumerate(ht))
    # Small enough to embed, and fitting it is what fitting the full curve gives, roughly.
    assert len(json.dumps(d)) < 20_000
    full = fit_loglog(np.arange(1, n + 1), counts, 10, 10_000)
    small = fit_loglog(d["ranks"], d["counts"], 10, 10_000)
    assert abs(full[0] - small[0]) < 0.01


def test_zipf_data_small_input_is_kept_whole_and_from_tokens():
    d = zipf_data([3, 1, 2], [1, 2, 3], [1, 2, 2])
    assert d["ranks"] == [1, 2, 3] and d["counts"] == [3, 2, 1]
    assert d["heaps_tokens"] == [1, 2, 3] and d["heaps_types"] == [1, 2, 2]
    d = zipf_data([2.5, 0.5], [1.5, 3], [1, 2], n_ranks=2)
    assert d["counts"] == [2.5, 0.5] and d["heaps_tokens"] == [1.5, 3]
    t = zipf_data_from_tokens(list("abracadabra"))
    assert t["counts"] == [5, 2, 2, 1, 1] and t["n_tokens"] == 11
    assert t["heaps_types"] == [1, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5]
    assert t["heaps_tokens"] == list(range(1, 12))


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([], [1], [1]), {}, ValueError, "counts"),
    (([0, 0], [1], [1]), {}, ValueError, "counts"),
    (([1, -1], [1], [1]), {}, ValueError, "counts"),
    (("abc", [1], [1]), {}, TypeError, "counts"),
    (([[1, 2]], [1], [1]), {}, ValueError, "counts"),
    (([1], [1, 2], [1]), {}, ValueError, "same length"),
    (([1], [2, 1], [1, 1]), {}, ValueError, "heaps_tokens must increase"),
    (([1], [0, 1], [1, 1]), {}, ValueError, "> 0"),
    (([1], [], []), {}, ValueError, "heaps_tokens"),
    (([1], [1], [1]), {"n_ranks": 1}, ValueError, "n_ranks"),
])
def test_zipf_data_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        zipf_data(*args, **kwargs)


def test_zipf_data_from_no_tokens():
    with pytest.raises(ValueError, match="tokens"):
        zipf_data_from_tokens([])


# ---- Python: the widget ------------------------------------------------------------------------


def expected(data: dict, corpus: str, level: str, rank_range) -> dict:
    stats = data[corpus][level]
    rr = clip_range(rank_range, stats["ranks"][-1])
    return fit_selection(stats, rr)


def test_defaults_and_synced_traits(data):
    w = ZipfHeapsWidget(data)
    assert (w.corpus, w.level) == ("alpha", "word")
    assert w.rank_range == [10.0, 10000.0]
    for name in ("data", "corpus", "level", "rank_range", "result"):
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["corpus"], traitlets.Unicode)
    assert isinstance(w.traits()["rank_range"], traitlets.List)
    state = w.get_state()
    json.dumps(state)  # what Jupyter Book embeds in the page must be JSON
    assert len(json.dumps(w.data)) < 200_000
    text = json.dumps({k: state[k] for k in ("data", "corpus", "level", "rank_range", "result")},
                      allow_nan=False)
    assert "NaN" not in text
    assert set(w.result) == {"corpus", "level", "rank_range", "zipf_points", *FITS}
    assert w.result["corpus"] == "alpha" and w.result["rank_range"] == [10.0, 10000.0]
    assert -1.3 < w.result["zipf_slope"] < -0.8
    assert 0.55 < w.result["heaps_beta"] < 0.7 and 1 < w.result["heaps_k"] < 6
    # The default range is clipped to the selection's ranks.
    w2 = ZipfHeapsWidget(data, corpus="beta")
    assert w2.level == "word" and w2.rank_range == [10.0, 8000.0]
    w3 = ZipfHeapsWidget(data, corpus="alpha", level="character")
    assert w3.rank_range == [10.0, 90.0] and w3.result["zipf_points"] > 2


def test_result_is_fit_loglog_of_the_selection(data):
    for corpus, levels in data.items():
        for level, stats in levels.items():
            w = ZipfHeapsWidget(data, corpus=corpus, level=level, rank_range=(3, 2000))
            lo, hi = w.rank_range
            slope, intercept = fit_loglog(stats["ranks"], stats["counts"], lo, hi)
            beta, logk = fit_loglog(stats["heaps_tokens"], stats["heaps_types"])
            assert w.result["zipf_slope"] == slope and w.result["zipf_intercept"] == intercept
            assert w.result["heaps_beta"] == beta and w.result["heaps_k"] == 10**logk
            assert w.result["zipf_points"] == sum(lo <= r <= hi for r in stats["ranks"])


def test_exact_power_law_data_recovers_the_exponents():
    ranks = np.arange(1, 20_001)
    tokens = np.arange(1, 100_001)
    d = zipf_data(3e5 * ranks**-1.1, tokens, 4.5 * tokens**0.55)
    w = ZipfHeapsWidget({"exact": {"word": d}}, rank_range=(1, 1e9))
    assert w.rank_range == [1.0, 20000.0]
    assert abs(w.result["zipf_slope"] + 1.1) < 1e-9
    assert abs(w.result["zipf_intercept"] - math.log10(3e5)) < 1e-9
    assert abs(w.result["heaps_beta"] - 0.55) < 1e-9 and abs(w.result["heaps_k"] - 4.5) < 1e-8


def test_result_follows_every_change(data):
    w = ZipfHeapsWidget(data)
    w.rank_range = [2, 50]
    assert w.result["rank_range"] == [2.0, 50.0]
    assert w.result["zipf_slope"] == expected(data, "alpha", "word", [2, 50])["zipf_slope"]
    w.level = "character"
    assert w.rank_range == [2.0, 50.0] and w.result["level"] == "character"
    w.rank_range = [5, 1e6]
    assert w.rank_range == [5.0, 90.0], "hi clipped to the number of types"
    w.corpus = "beta"
    assert w.level == "word", "a level the corpus lacks falls back to its first"
    assert w.result["corpus"] == "beta" and w.result["level"] == "word"
    assert w.result["heaps_beta"] == expected(data, "beta", "word", [5, 90])["heaps_beta"]
    w.level = "subword"
    assert w.result["level"] == "subword"
    # A corpus with a level of the same name keeps it.
    w.corpus = "alpha"
    assert w.level == "word"
    # New data: the selection falls back when it no longer exists.
    w.data = {"gamma": {"x": data["beta"]["subword"]}}
    assert (w.corpus, w.level) == ("gamma", "x") and w.result["corpus"] == "gamma"


def test_what_the_browser_sends_is_recomputed(data):
    # A live kernel receives corpus, level and rank_range together, as set_state does.
    w = ZipfHeapsWidget(data)
    w.set_state({"corpus": "beta", "level": "subword", "rank_range": [20, 700]})
    assert (w.corpus, w.level, w.rank_range) == ("beta", "subword", [20.0, 700.0])
    want = expected(data, "beta", "subword", [20, 700])
    assert {f: w.result[f] for f in FITS} == {f: want[f] for f in FITS}
    w.set_state({"corpus": "alpha", "level": "character", "rank_range": [7, 7]})
    assert w.result["zipf_slope"] is None and w.result["zipf_intercept"] is None
    assert w.result["zipf_points"] == 1 and w.result["heaps_k"] is not None


def test_fewer_than_two_points_gives_none(data):
    stats = data["alpha"]["word"]
    ranks = stats["ranks"]
    gap = next(i for i in range(len(ranks) - 1) if ranks[i + 1] - ranks[i] > 2)
    lo, hi = ranks[gap] + 0.5, ranks[gap + 1] - 0.5  # between two kept ranks: no point
    w = ZipfHeapsWidget(data, rank_range=(lo, hi))
    assert w.result["zipf_points"] == 0 and w.result["zipf_slope"] is None
    w.rank_range = [ranks[gap], ranks[gap] + 0.5]
    assert w.result["zipf_points"] == 1 and w.result["zipf_intercept"] is None
    json.dumps(w.get_state())
    one = {"c": {"l": {"ranks": [1], "counts": [5], "heaps_tokens": [3], "heaps_types": [2]}}}
    w = ZipfHeapsWidget(one)
    assert w.rank_range == [1.0, 1.0]
    assert all(w.result[f] is None for f in FITS)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"corpus": "gamma"}, ValueError, "corpus 'gamma'"),
    ({"corpus": "beta", "level": "character"}, ValueError, "level 'character'"),
    ({"level": "phoneme"}, ValueError, "level 'phoneme'"),
    ({"corpus": 3}, TypeError, "corpus"),
    ({"rank_range": (10, 5)}, ValueError, "rank_range"),
    ({"rank_range": (0, 5)}, ValueError, "rank_range"),
    ({"rank_range": (-1, 5)}, ValueError, "rank_range"),
    ({"rank_range": (1, 2, 3)}, ValueError, "rank_range"),
    ({"rank_range": (5,)}, ValueError, "rank_range"),
    ({"rank_range": (1, float("nan"))}, ValueError, r"rank_range\[1\]"),
    ({"rank_range": (1, float("inf"))}, ValueError, r"rank_range\[1\]"),
    ({"rank_range": ("1", 5)}, ValueError, r"rank_range\[0\]"),
    ({"rank_range": "15"}, ValueError, "rank_range"),
    ({"rank_range": 10}, ValueError, "rank_range"),
])
def test_bad_input_is_named(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        ZipfHeapsWidget(data, **kwargs)


@pytest.mark.parametrize("bad, error, match", [
    ({}, ValueError, "at least one corpus"),
    ([], TypeError, "data"),
    ({"c": {}}, ValueError, r"data\['c'\]"),
    ({"c": []}, TypeError, r"data\['c'\]"),
    ({"c": {"l": {"counts": [1]}}}, ValueError, "heaps_tokens"),
    ({"c": {"l": {"counts": [1, 0], "heaps_tokens": [1], "heaps_types": [1]}}}, ValueError,
     r"data\['c'\]\['l'\]\['counts'\].*> 0"),
    ({"c": {"l": {"ranks": [1, 1], "counts": [2, 1], "heaps_tokens": [1],
                  "heaps_types": [1]}}}, ValueError, "ranks.*increase"),
    ({"c": {"l": {"ranks": [1], "counts": [2, 1], "heaps_tokens": [1],
                  "heaps_types": [1]}}}, ValueError, "same length"),
    ({"c": {"l": {"counts": [1], "heaps_tokens": [1, 2], "heaps_types": [1]}}}, ValueError,
     "heaps_tokens.*same length"),
    ({"c": {"l": {"counts": ["a"], "heaps_tokens": [1], "heaps_types": [1]}}}, TypeError,
     "counts"),
    ({"c": {1: {"counts": [1], "heaps_tokens": [1], "heaps_types": [1]}}}, TypeError, "level"),
])
def test_bad_data_is_named(bad, error, match):
    with pytest.raises(error, match=match):
        ZipfHeapsWidget(bad)


def test_bad_assignment_is_named_and_changes_nothing(data):
    w = ZipfHeapsWidget(data)
    before = dict(w.result)
    with pytest.raises(ValueError, match="corpus 'nope'"):
        w.corpus = "nope"
    with pytest.raises(ValueError, match="level 'subword'"):
        w.level = "subword"  # alpha has no subword
    with pytest.raises(ValueError, match="rank_range"):
        w.rank_range = [100, 10]
    with pytest.raises(ValueError, match="rank_range"):
        w.rank_range = [0.5, 10]
    with pytest.raises(ValueError, match="at least one corpus"):
        w.data = {}
    assert w.result == before and (w.corpus, w.level) == ("alpha", "word")
    assert w.rank_range == [10.0, 10000.0]


def test_esm_and_css_are_the_files_and_document_the_contract(data):
    w = ZipfHeapsWidget(data)
    assert w._esm == ZIPF_JS.read_text(encoding="utf-8")
    assert w._css == ZIPF_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    header = w._esm.split("const TL_ZIPF_NS")[0]
    for name in (".tl-zipf ", "select.tl-zipf-corpus", "select.tl-zipf-level",
                 "input.tl-zipf-lo", "input.tl-zipf-hi", "svg.tl-zipf-plot", "svg.tl-zipf-heaps",
                 "[data-fit=F]", "zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta",
                 "data-value", '"—"', ".tl-zipf-status[data-source=S]", "rank_range"):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css


def test_package_exports_lazily():
    assert "ZipfHeapsWidget" in widgets.__all__
    assert widgets.ZipfHeapsWidget is ZipfHeapsWidget
    assert "ZipfHeapsWidget" in dir(widgets)


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(ZipfHeapsWidget._esm, tmp_path, "zipf")


# ---- zipf.js in a real browser, no kernel --------------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-zipf")[n];
  const q = (s) => root.querySelector(s);
  const out = { values: {}, texts: {} };
  for (const f of ["zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta"]) {
    const cell = root.querySelectorAll(`[data-fit="${f}"]`);
    out.values[f] = cell[0].dataset.value;
    out.texts[f] = cell[0].textContent;
    out.count = (out.count || 0) + cell.length;
  }
  out.corpus = q("select.tl-zipf-corpus").value;
  out.corpora = [...q("select.tl-zipf-corpus").options].map((o) => o.value);
  out.level = q("select.tl-zipf-level").value;
  out.levels = [...q("select.tl-zipf-level").options].map((o) => o.value);
  out.lo = Number(q("input.tl-zipf-lo").dataset.rank);
  out.hi = Number(q("input.tl-zipf-hi").dataset.rank);
  out.loPos = Number(q("input.tl-zipf-lo").value);
  out.hiPos = Number(q("input.tl-zipf-hi").value);
  out.plotLo = Number(q("svg.tl-zipf-plot").dataset.lo);
  out.plotHi = Number(q("svg.tl-zipf-plot").dataset.hi);
  out.points = Number(q(".tl-zipf-points").dataset.count);
  out.pointsText = q(".tl-zipf-points").textContent;
  out.zipfLine = getComputedStyle(q("svg.tl-zipf-plot .tl-zipf-fitline")).display;
  out.heapsLine = getComputedStyle(q("svg.tl-zipf-heaps .tl-zipf-fitline")).display;
  out.curves = [...root.querySelectorAll("polyline")].map((p) => p.getAttribute("points"));
  out.lines = [...root.querySelectorAll("line.tl-zipf-fitline")].map((l) =>
    ["x1", "y1", "x2", "y2"].map((a) => l.getAttribute(a)));
  const status = q(".tl-zipf-status");
  out.source = status.dataset.source;
  out.status = status.textContent;
  out.text = root.textContent;
  return out;
}
"""


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 760, "height": 900}, body_style=WIDE_BODY)


def mount(page, widget: ZipfHeapsWidget, width: int = 700, **state) -> int:
    data = {name: getattr(widget, name)
            for name in ("data", "corpus", "level", "rank_range", "result")}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-zipf-css")


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def assert_page_matches_python(page, n: int = 0) -> dict:
    """Every data-value on the page equals Python's fit for the model's current state."""
    out, state = read(page, n), model_state(page, n)
    assert (out["corpus"], out["level"]) == (state["corpus"], state["level"])
    assert [out["lo"], out["hi"]] == state["rank_range"] == [out["plotLo"], out["plotHi"]]
    w = ZipfHeapsWidget(state["data"], corpus=state["corpus"], level=state["level"],
                        rank_range=state["rank_range"])
    assert w.rank_range == state["rank_range"], "the page clipped the range as Python does"
    assert out["points"] == w.result["zipf_points"]
    assert out["count"] == 4
    for f in FITS:
        want = w.result[f]
        if want is None:
            assert out["values"][f] == "" and out["texts"][f] == "—", (f, out["values"][f])
        else:
            got = float(out["values"][f])
            assert close(got, want), (f, got, want)
            text = f"{got:.3f}"
            assert out["texts"][f] == ("0.000" if text == "-0.000" else text), (f, out["texts"])
    assert "NaN" not in json.dumps(out) and "Infinity" not in json.dumps(out)
    assert out["heapsLine"] == ("none" if w.result["heaps_beta"] is None else "inline")
    assert out["zipfLine"] == ("none" if w.result["zipf_slope"] is None else "inline")
    return out


def test_first_render_is_the_browsers_and_equals_python(page, data):
    w = ZipfHeapsWidget(data)
    mount(page, w)
    root = page.locator(".tl-zipf")
    assert root.count() == 1
    for sel in ("select.tl-zipf-corpus", "select.tl-zipf-level", "input.tl-zipf-lo",
                "input.tl-zipf-hi", "svg.tl-zipf-plot", "svg.tl-zipf-heaps", ".tl-zipf-status"):
        assert root.locator(sel).count() == 1, sel
    out = assert_page_matches_python(page)
    for f in FITS:
        assert close(float(out["values"][f]), w.result[f])
    assert out["corpora"] == ["alpha", "beta"] and out["levels"] == ["word", "character"]
    assert (out["lo"], out["hi"]) == (10, 10000)
    assert out["source"] == "browser"
    assert out["status"] == "Computed in your browser (no kernel needed)."
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    for sel in ("input.tl-zipf-lo", "input.tl-zipf-hi"):
        s = root.locator(sel)
        assert (s.get_attribute("type"), s.get_attribute("min"), s.get_attribute("max"),
                s.get_attribute("step")) == ("range", "0", "1000", "1")
    # Log-scaled: rank 10 of 50,000 sits at log10(10) / log10(50000) of the way.
    assert out["loPos"] == round(1000 / math.log10(50_000))
    assert out["hiPos"] == round(4000 / math.log10(50_000))
    # The curves are drawn: 1 + 1 + 1 polylines, each with points.
    assert len(out["curves"]) == 3 and all(c.count(",") >= 2 for c in out["curves"])


def test_switching_corpus_and_level(page, data):
    w = ZipfHeapsWidget(data)
    mount(page, w)
    root = page.locator(".tl-zipf")
    root.locator("select.tl-zipf-level").select_option("character")
    out = assert_page_matches_python(page)
    assert out["level"] == "character" and (out["lo"], out["hi"]) == (10, 90), "clipped"
    state = model_state(page)
    assert state["level"] == "character" and state["rank_range"] == [10, 90]
    assert page.evaluate("window.models[0].saves") >= 1
    root.locator("select.tl-zipf-corpus").select_option("beta")
    out = assert_page_matches_python(page)
    assert out["corpus"] == "beta" and out["level"] == "word", "beta has no character level"
    assert out["levels"] == ["word", "subword"]
    root.locator("select.tl-zipf-level").select_option("subword")
    out = assert_page_matches_python(page)
    assert model_state(page)["level"] == "subword"
    # What the page computed is what Python computes for the state the page sent.
    state = model_state(page)
    w.set_state({k: state[k] for k in ("corpus", "level", "rank_range")})
    for f in FITS:
        assert close(float(out["values"][f]), w.result[f])


def test_range_sliders_move_log_scaled(page, data):
    w = ZipfHeapsWidget(data)
    mount(page, w)
    lo = page.locator("input.tl-zipf-lo")
    hi = page.locator("input.tl-zipf-hi")
    lo.focus()
    page.keyboard.press("Home")
    out = assert_page_matches_python(page)
    assert out["lo"] == 1 and out["loPos"] == 0 and model_state(page)["rank_range"][0] == 1
    hi.focus()
    page.keyboard.press("End")
    out = assert_page_matches_python(page)
    assert out["hi"] == 50_000 and out["hiPos"] == 1000
    assert out["points"] == len(data["alpha"]["word"]["ranks"])
    for _ in range(100):
        page.keyboard.press("ArrowLeft")
    out = assert_page_matches_python(page)
    assert out["hi"] == round(10 ** (0.9 * math.log10(50_000)))
    # A click halfway along the lo slider: about sqrt(50000) (log scale), never past hi.
    box = lo.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    out = assert_page_matches_python(page)
    assert 150 <= out["lo"] <= 300, out["lo"]
    # Every rank a slider gives is an integer: the bounds Python receives.
    assert all(float(v).is_integer() for v in model_state(page)["rank_range"])
    # Pushing lo past hi stops it at hi: one rank, too few to fit.
    lo.focus()
    page.keyboard.press("End")
    out = assert_page_matches_python(page)
    assert out["lo"] == out["hi"] and out["points"] <= 1
    assert out["values"]["zipf_slope"] == "" and out["texts"]["zipf_slope"] == "—"
    assert out["texts"]["zipf_intercept"] == "—" and "too few" in out["pointsText"]
    assert out["zipfLine"] == "none"
    # The Heaps fit does not depend on the range.
    assert out["texts"]["heaps_beta"] != "—"
    page.keyboard.press("Home")
    out = assert_page_matches_python(page)
    assert out["lo"] == 1 and out["texts"]["zipf_slope"] != "—"


def test_fewer_than_two_points_from_python_and_between_ranks(page, data):
    ranks = data["alpha"]["word"]["ranks"]
    gap = next(i for i in range(len(ranks) - 1) if ranks[i + 1] - ranks[i] > 2)
    w = ZipfHeapsWidget(data, rank_range=(ranks[gap] + 0.5, ranks[gap + 1] - 0.5))
    mount(page, w)
    out = assert_page_matches_python(page)
    assert out["points"] == 0 and out["values"]["zipf_slope"] == ""
    assert "NaN" not in out["text"]
    # Python sets a one-point range; the page follows, without saving it back.
    page.evaluate(f"window.models[0].set('rank_range', [{ranks[3]}, {ranks[3]}])")
    out = assert_page_matches_python(page)
    assert out["points"] == 1 and out["texts"]["zipf_intercept"] == "—"
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"
    page.evaluate("window.models[0].set('corpus', 'beta')")
    out = assert_page_matches_python(page)
    assert out["corpus"] == "beta" and out["level"] == "word"


def test_one_rank_corpus_renders_without_nan(page):
    one = {"c": {"l": {"ranks": [1], "counts": [5], "heaps_tokens": [3], "heaps_types": [2]}}}
    w = ZipfHeapsWidget(one)
    mount(page, w)
    out = assert_page_matches_python(page)
    assert all(out["values"][f] == "" for f in FITS)
    assert all(out["texts"][f] == "—" for f in FITS)
    assert "NaN" not in json.dumps(out)
    assert page.locator("input.tl-zipf-lo").is_disabled()


def test_kernel_result_replaces_the_browsers_when_it_fits(page, data):
    w = ZipfHeapsWidget(data)
    mount(page, w)
    page.locator("select.tl-zipf-corpus").select_option("beta")
    state = model_state(page)
    # A live kernel: Python receives the state and answers through `result`.
    w.set_state({k: state[k] for k in ("corpus", "level", "rank_range")})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    out = read(page)
    assert out["source"] == "kernel"
    assert out["status"] == "Computed by tokenlab in the Python kernel."
    for f in FITS:
        assert close(float(out["values"][f]), w.result[f])
    # A stale answer (another selection) is not shown.
    stale = ZipfHeapsWidget(data).result
    page.locator("input.tl-zipf-lo").focus()
    page.keyboard.press("Home")
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "browser"
    assert_page_matches_python(page)
    # The kernel's numbers are the ones shown, a None as "—".
    state = model_state(page)
    w.set_state({k: state[k] for k in ("corpus", "level", "rank_range")})
    marked = {**w.result, "zipf_slope": -1.23456, "zipf_intercept": None}
    page.evaluate("r => window.models[0].set('result', r)", marked)
    out = read(page)
    assert out["source"] == "kernel" and out["values"]["zipf_slope"] == "-1.23456"
    assert out["texts"]["zipf_slope"] == "-1.235"
    assert out["values"]["zipf_intercept"] == "" and out["texts"]["zipf_intercept"] == "—"


def test_two_widgets_are_independent_readable_at_700px_and_the_screenshot(page, data):
    mount(page, ZipfHeapsWidget(data))
    mount(page, ZipfHeapsWidget(data, corpus="beta", rank_range=(2, 500)))
    page.locator(".tl-zipf").nth(1).locator("select.tl-zipf-level").select_option("subword")
    assert read(page, 0)["level"] == "word" and read(page, 1)["level"] == "subword"
    assert_page_matches_python(page, 0)
    assert_page_matches_python(page, 1)
    ids = page.eval_on_selector_all("input.tl-zipf-lo", "els => els.map(e => e.id)")
    assert len(set(ids)) == 2
    root = page.locator(".tl-zipf").first
    box = root.bounding_box()
    zipf_box = root.locator("svg.tl-zipf-plot").bounding_box()
    heaps_box = root.locator("svg.tl-zipf-heaps").bounding_box()
    assert box["width"] <= 700
    assert page.evaluate("document.querySelector('.tl-zipf').scrollWidth") <= 700
    assert zipf_box["width"] >= 300 and heaps_box["width"] >= 300, "side by side at 700 px"
    assert abs(zipf_box["y"] - heaps_box["y"]) < 1
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    # Narrow column: the plots stack and nothing overflows.
    page.evaluate("document.querySelectorAll('.host')[1].style.width = '360px'")
    narrow = page.locator(".tl-zipf").nth(1)
    assert page.evaluate("document.querySelectorAll('.tl-zipf')[1].scrollWidth") <= 360
    assert (narrow.locator("svg.tl-zipf-heaps").bounding_box()["y"]
            > narrow.locator("svg.tl-zipf-plot").bounding_box()["y"] + 50)


def test_dark_theme_colours_differ(page, data):
    mount(page, ZipfHeapsWidget(data))
    stroke = "getComputedStyle(document.querySelector('.tl-zipf-curve')).stroke"
    light = page.evaluate(stroke)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e'")
    dark = page.evaluate(stroke)
    assert light != dark
    page.locator(".tl-zipf").screenshot(path=str(SCREENSHOT.with_name("zipf-widget-dark.png")))

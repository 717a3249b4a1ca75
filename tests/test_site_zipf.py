"""The Zipf/Heaps explorer on the built chapter page, in headless chromium, with no kernel.

The page embeds the ZipfHeapsWidget's state (the corpora's downsampled statistics, the
selection and the ``result`` tokenlab computed at build time). The first render, computed by
zipf.js, must equal that ``result``; after switching corpus and level and moving the range
sliders, every fit on the page must equal :func:`tokenlab.widgets.zipf.fit_loglog` for the
selection on screen. The DOM contract is documented at the top of
``lib/tokenlab/widgets/zipf.js``.
"""

from __future__ import annotations

import json
import math

import pytest

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/04_corpus.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
FITS = ("zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta")
REL = 1e-9

READ = """
() => {
  const root = document.querySelector(".tl-zipf");
  const q = (s) => root.querySelector(s);
  const out = { values: {}, texts: {} };
  for (const f of ["zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta"]) {
    out.values[f] = q(`[data-fit="${f}"]`).dataset.value;
    out.texts[f] = q(`[data-fit="${f}"]`).textContent;
  }
  out.corpus = q("select.tl-zipf-corpus").value;
  out.corpora = [...q("select.tl-zipf-corpus").options].map((o) => o.value);
  out.level = q("select.tl-zipf-level").value;
  out.levels = [...q("select.tl-zipf-level").options].map((o) => o.value);
  out.lo = Number(q("input.tl-zipf-lo").dataset.rank);
  out.hi = Number(q("input.tl-zipf-hi").dataset.rank);
  out.source = q(".tl-zipf-status").dataset.source;
  out.text = root.textContent;
  return out;
}
"""


def zipf_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, "tl-zipf-plot", "Zipf/Heaps widget")


def expected(data: dict, corpus: str, level: str, rank_range) -> dict:
    """tokenlab's fits (float64) for the selection on screen."""
    from tokenlab.widgets.zipf import clip_range, fit_selection

    stats = data[corpus][level]
    return fit_selection(stats, clip_range(rank_range, stats["ranks"][-1]))


def check(page, data: dict) -> dict:
    """The page's fits equal tokenlab's for the selection and range on screen."""
    out = page.evaluate(READ)
    want = expected(data, out["corpus"], out["level"], [out["lo"], out["hi"]])
    for f in FITS:
        if want[f] is None:
            assert out["values"][f] == "" and out["texts"][f] == "—", (f, out)
            continue
        got = float(out["values"][f])
        assert math.isfinite(got) and abs(got - want[f]) <= REL * abs(want[f]), (f, got, want[f])
        text = f"{got:.3f}"
        assert out["texts"][f] == ("0.000" if text == "-0.000" else text), (f, out["texts"][f])
    assert "NaN" not in out["text"]
    assert out["source"] == "browser", "no kernel on the static site"
    return out


def test_zipf_widget_matches_tokenlab(site_dir, open_page):
    model = zipf_model(site_dir)
    data, result = model["data"], model["result"]
    assert len(json.dumps(data)) < 200_000, "the embedded statistics stay small"
    assert result["corpus"] == model["corpus"] and result["level"] == model["level"]
    assert model["corpus"] in data and model["level"] in data[model["corpus"]]

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-zipf svg.tl-zipf-plot", timeout=20_000)
    assert page.locator(".tl-zipf").count() == 1
    root = page.locator(".tl-zipf")
    for sel in ("select.tl-zipf-corpus", "select.tl-zipf-level", "input.tl-zipf-lo",
                "input.tl-zipf-hi", "svg.tl-zipf-plot", "svg.tl-zipf-heaps",
                ".tl-zipf-status[data-source]"):
        assert root.locator(sel).count() == 1, sel
    root.scroll_into_view_if_needed()

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    out = check(page, data)
    assert (out["corpus"], out["level"]) == (model["corpus"], model["level"])
    assert out["corpora"] == list(data) and out["levels"] == list(data[model["corpus"]])
    assert [out["lo"], out["hi"]] == result["rank_range"] == model["rank_range"]
    for f in FITS:
        if result[f] is None:
            assert out["values"][f] == ""
        else:
            assert abs(float(out["values"][f]) - result[f]) <= REL * abs(result[f]), f
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "chapter4-zipf.png"))

    # Every corpus and level through the selectors.
    for corpus in data:
        root.locator("select.tl-zipf-corpus").select_option(corpus)
        for level in data[corpus]:
            root.locator("select.tl-zipf-level").select_option(level)
            out = check(page, data)
            assert (out["corpus"], out["level"]) == (corpus, level)
            assert out["levels"] == list(data[corpus])
            assert out["hi"] <= data[corpus][level]["ranks"][-1]

    # The range sliders, by keyboard and by a click on the track.
    root.locator("select.tl-zipf-corpus").select_option(model["corpus"])
    root.locator("select.tl-zipf-level").select_option(model["level"])
    lo = root.locator("input.tl-zipf-lo")
    hi = root.locator("input.tl-zipf-hi")
    assert lo.get_attribute("type") == hi.get_attribute("type") == "range"
    lo.focus()
    page.keyboard.press("Home")
    assert check(page, data)["lo"] == 1
    hi.focus()
    page.keyboard.press("End")
    out = check(page, data)
    assert out["hi"] == data[model["corpus"]][model["level"]]["ranks"][-1]
    for _ in range(50):
        page.keyboard.press("ArrowLeft")
    check(page, data)
    box = lo.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    out = check(page, data)
    assert out["lo"] > 1

    # lo pushed onto hi: one rank, too few to fit; shown as "—", never NaN.
    lo.focus()
    page.keyboard.press("End")
    out = check(page, data)
    assert out["lo"] == out["hi"]
    assert out["values"]["zipf_slope"] == "" and out["texts"]["zipf_slope"] == "—"
    page.keyboard.press("Home")
    assert check(page, data)["texts"]["zipf_slope"] != "—"
    watch.assert_clean()

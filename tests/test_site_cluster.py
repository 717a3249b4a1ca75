"""The cluster explorer on the built chapter page, in headless chromium, with no kernel.

The page embeds the ClusterWidget's state (the placement model's export, the nodes, the task,
best_fit and the ``result`` tokenlab computed at build time). The first render, computed by
cluster.js, must equal that ``result``; after each of many task settings (the three sliders
moved by input events and by the keyboard, the priority menu), every weight, score, leftover,
marker and reason on the page must equal
:func:`tokenlab.widgets.cluster.placement_weights` for the task on screen. The DOM contract is
documented at the top of ``lib/tokenlab/widgets/cluster.js``.
"""

from __future__ import annotations

import itertools
import json
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/12_beyond.html"
MARKER = "tl-clu-node"  # a class name only cluster.js uses
SCREENSHOTS = ROOT / "_build" / "screenshots"
# float64 on both sides (see tests/test_widgets_cluster.py): rounding differences ~1e-15.
TOL = 1e-9
RES = (("cpu", "cpu_free", "cpu_cap"), ("mem", "mem_free", "mem_cap"),
       ("gpus", "gpus_free", "gpus_cap"))

READ = """
() => {
  const root = document.querySelector(".tl-clu");
  const q = (sel) => root.querySelector(sel);
  const cell = (td) => (td ? { v: td.dataset.value, t: td.textContent } : null);
  return {
    sliders: [...root.querySelectorAll("input.tl-clu-slider")].map((s) => ({
      field: s.dataset.field, value: s.value, min: s.min, max: s.max, step: s.step })),
    outputs: [...root.querySelectorAll("output.tl-clu-value")].map((o) => ({
      field: o.dataset.field, v: o.dataset.value })),
    priority: q("select.tl-clu-priority").value,
    priorities: [...q("select.tl-clu-priority").options].map((o) => o.value),
    cards: [...root.querySelectorAll(".tl-clu-node")].map((c) => ({
      node: Number(c.dataset.node), feasible: c.dataset.feasible,
      chosen: c.classList.contains("tl-clu-chosen"),
      bestfit: c.classList.contains("tl-clu-bestfit"),
      name: c.querySelector(".tl-clu-node-name").textContent,
      zone: c.querySelector(".tl-clu-node-zone").textContent,
      fills: [...c.querySelectorAll(".tl-clu-res-fill")].map((f) => f.style.width),
      wfill: c.querySelector(".tl-clu-wfill").style.width,
      w: cell(c.querySelector(".tl-clu-wvalue")),
      reason: c.querySelector(".tl-clu-reason").textContent,
      label: c.getAttribute("aria-label") })),
    rows: [...root.querySelectorAll("tr.tl-clu-row")].map((tr) => ({
      fits: tr.querySelector("td.tl-clu-fits").textContent,
      score: cell(tr.querySelector("td.tl-clu-score")),
      weight: cell(tr.querySelector("td.tl-clu-weight")),
      leftover: cell(tr.querySelector("td.tl-clu-leftover")) })),
    sentence: q(".tl-clu-sentence").textContent,
    chosen: q(".tl-clu-sentence").dataset.chosen,
    bestFit: q(".tl-clu-sentence").dataset.bestFit,
    source: q(".tl-clu-status").dataset.source,
  };
}
"""


def cluster_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, MARKER, "cluster widget")


def fmt2(v: float) -> str:
    """JavaScript's v.toFixed(2) (half away from zero, on the exact binary value)."""
    s = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return "0.00" if s == "-0.00" else s


def close(a: float, b: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= TOL * max(1.0, abs(b))


def on_screen(data: dict) -> dict:
    """The task the page shows (its outputs' data-value and the priority menu)."""
    task = {o["field"]: float(o["v"]) for o in data["outputs"]}
    task["priority"] = data["priority"]
    return task


def expected(model: dict, task: dict) -> dict:
    """tokenlab's placement for the model's export and nodes and this task (float64)."""
    from tokenlab.widgets.cluster import placement_weights

    return placement_weights(model["export"], model["nodes"], task)


def assert_shows(data: dict, t: dict, best_fit: bool) -> None:
    """Every number, marker and reason on the page equals ``t``."""
    nodes = t["nodes"]
    assert [c["node"] for c in data["cards"]] == list(range(len(nodes)))
    assert len(data["rows"]) == len(nodes)
    chosen, bf = t["chosen"], (t["best_fit"] if best_fit else None)
    for i, (card, row, node) in enumerate(zip(data["cards"], data["rows"], nodes, strict=True)):
        ok = t["feasible"][i]
        w = float(card["w"]["v"])
        assert close(w, t["weights"][i]), (i, card["w"], t["weights"][i])
        assert card["w"]["t"] == fmt2(w) and abs(float(card["wfill"].rstrip("%")) - 100 * w) < 1e-3
        assert card["feasible"] == ("true" if ok else "false") and row["fits"] == (
            "yes" if ok else "no")
        assert card["name"] == f"node {i + 1}" and card["zone"] == f"zone {node['zone']}"
        assert card["chosen"] is (i == chosen) and card["bestfit"] is (i == bf), (i, chosen, bf)
        assert card["reason"] == (t["reasons"][i] or "")
        for fill, (_, free, cap) in zip(card["fills"], RES, strict=True):
            want = 100 * node[free] / node[cap] if node[cap] > 0 else 0.0
            assert abs(float(fill.rstrip("%")) - want) < 1e-3, (i, fill, want)
        assert card["label"].startswith(f"node {i + 1}, zone {node['zone']}: ")
        assert close(float(row["score"]["v"]), t["scores"][i]), (i, row["score"])
        assert row["score"]["t"] == fmt2(float(row["score"]["v"]))
        assert row["weight"] == card["w"]
        if not best_fit:
            assert row["leftover"] is None
        elif ok:
            assert close(float(row["leftover"]["v"]), t["leftover"][i])
        else:
            assert row["leftover"] == {"v": "", "t": "—"}
    assert data["chosen"] == ("" if chosen is None else str(chosen))
    assert data["bestFit"] == ("" if bf is None else str(bf))
    if chosen is None:
        assert data["sentence"] == "No node can fit this task."
        assert all(float(c["w"]["v"]) == 0.0 for c in data["cards"])
    else:
        assert close(sum(float(c["w"]["v"]) for c in data["cards"]), 1.0)
        tail = f"; best-fit would choose node {bf + 1}." if bf is not None else "."
        assert data["sentence"] == (f"The model places the task on node {chosen + 1} "
                                    f"(weight {fmt2(t['weights'][chosen])}){tail}")
    assert "NaN" not in json.dumps(data)


def check(page, model: dict) -> dict:
    """The page's numbers equal tokenlab's for the task on screen; the data read."""
    data = page.evaluate(READ)
    assert data["source"] == "browser", "no kernel on the static site"
    task = on_screen(data)
    for s in data["sliders"]:  # the slider stands where the task is (it snaps to its step)
        assert abs(float(s["value"]) - task[s["field"]]) <= float(s["step"]) / 2
    assert_shows(data, expected(model, task), model["best_fit"])
    return data


def set_slider(page, field: str, value: float) -> None:
    """The slider's value, then an input event, as a drag would."""
    page.locator(f".tl-clu input.tl-clu-slider[data-field='{field}']").evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        value)


def test_cluster_widget_matches_tokenlab(site_dir, open_page):
    model = cluster_model(site_dir)
    result = model["result"]
    n = len(model["nodes"])
    assert 2 <= n <= 12 and result["nodes"] == model["nodes"] and result["task"] == model["task"]
    # What tokenlab computed at build time is what it computes now.
    now = expected(model, model["task"])
    assert {k: now[k] for k in ("feasible", "chosen", "best_fit", "reasons")} == {
        k: result[k] for k in ("feasible", "chosen", "best_fit", "reasons")}
    assert all(close(a, b) for a, b in zip(result["weights"], now["weights"], strict=True))

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 1000})
    page.wait_for_selector(".tl-clu .tl-clu-node .tl-clu-wvalue", timeout=20_000)
    assert page.locator(".tl-clu").count() == 1
    page.evaluate("document.querySelector('.tl-clu').scrollIntoView({block: 'start'})")

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = page.evaluate(READ)
    assert data["source"] == "browser"
    assert on_screen(data) == model["task"]
    lows_highs = {name: (lo, hi) for name, lo, hi in model["export"]["task"]["numeric"]}
    assert [(s["field"], float(s["min"]), float(s["max"]), s["step"]) for s in data["sliders"]] == [
        ("cpu", *lows_highs["cpu"], "1"), ("mem", *lows_highs["mem"], "4"),
        ("gpus", *lows_highs["gpus"], "1")]
    assert data["priorities"] == model["export"]["task"]["categorical"][0][1]
    assert_shows(data, result, model["best_fit"])
    check(page, model)

    root = page.locator(".tl-clu")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "cluster-widget.png"))

    # Many tasks, each set by input events on the sliders and the menu: small and large ones,
    # with and without GPUs (then only the nodes with enough free GPUs can take the task), up
    # to the largest, which may fit nowhere.
    priorities = data["priorities"]
    hi = {f: lows_highs[f][1] for f in ("cpu", "mem", "gpus")}
    cpus = sorted({0.0, 1.0, 8.0, hi["cpu"]})
    mems = sorted({0.0, 16.0, hi["mem"]})
    gpus = sorted({0.0, 1.0, 2.0, hi["gpus"]})
    seen = {"none": 0, "gpu": 0, "all": 0}
    for k, (c, m, g) in enumerate(itertools.product(cpus, mems, gpus)):
        set_slider(page, "cpu", c)
        set_slider(page, "mem", m)
        set_slider(page, "gpus", g)
        root.locator("select.tl-clu-priority").select_option(priorities[k % len(priorities)])
        data = check(page, model)
        task = on_screen(data)
        assert (task["cpu"], task["mem"], task["gpus"]) == (c, m, g)
        feasible = [card["feasible"] == "true" for card in data["cards"]]
        for node, ok in zip(model["nodes"], feasible, strict=True):
            assert ok is all(task[f] <= node[free] for f, free, _ in RES)
        if not any(feasible):
            seen["none"] += 1
        elif g > 0:
            seen["gpu"] += 1
            assert all(node["gpus_free"] >= g for node, ok in
                       zip(model["nodes"], feasible, strict=True) if ok)
        seen["all"] += 1
    assert seen["all"] == len(cpus) * len(mems) * len(gpus) >= 40
    fits_largest = any(all(hi[f] <= node[free] for f, free, _ in RES) for node in model["nodes"])
    assert (seen["none"] > 0) is not fits_largest, "tasks no node fits, exactly when some exist"
    if any(node["gpus_free"] > 0 for node in model["nodes"]):
        assert seen["gpu"] > 0

    # The keyboard: Home/End and the arrows on each slider, the arrows on the menu.
    sliders = {f: root.locator(f"input.tl-clu-slider[data-field='{f}']")
               for f in ("cpu", "mem", "gpus")}
    for field, step in (("cpu", 1.0), ("mem", 4.0), ("gpus", 1.0)):
        sliders[field].focus()
        page.keyboard.press("Home")
        assert on_screen(check(page, model))[field] == lows_highs[field][0]
        page.keyboard.press("ArrowRight")
        assert on_screen(check(page, model))[field] == lows_highs[field][0] + step
        page.keyboard.press("End")
        assert on_screen(check(page, model))[field] == hi[field]
        page.keyboard.press("ArrowLeft")
        assert on_screen(check(page, model))[field] == hi[field] - step
    sliders["gpus"].focus()
    page.keyboard.press("Home")
    sliders["cpu"].focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    menu = root.locator("select.tl-clu-priority")
    before = menu.input_value()
    menu.focus()
    page.keyboard.press("ArrowDown" if before != priorities[-1] else "ArrowUp")
    assert check(page, model)["priority"] != before

    assert "NaN" not in root.inner_text()
    # The widget stays within the text column.
    assert root.bounding_box()["width"] <= 760
    assert page.evaluate("document.querySelector('.tl-clu').scrollWidth") <= page.evaluate(
        "document.querySelector('.tl-clu').clientWidth") + 1
    watch.assert_clean()

"""The attention explorer on the built chapter page, in headless chromium, with no kernel.

The page embeds the AttentionWidget's state (its sentences, projections, settings and the
``result`` tokenlab computed at build time). The first render, computed by attention.js, must
equal that ``result``; after every combination of the sentence picker, the three check boxes
and a few temperatures, and a selection of each query (by click, menu and keyboard), every
number on the page must equal :func:`tokenlab.widgets.attention.attention_table` for the state
on screen. The DOM contract is documented at the top of ``lib/tokenlab/widgets/attention.js``.
"""

from __future__ import annotations

import itertools
import json
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/06_attention.html"
MARKER = "tl-attn-score"  # a class name only attention.js uses
SCREENSHOTS = ROOT / "_build" / "screenshots"
# float64 on both sides (see tests/test_widgets_attention.py): rounding differences ~1e-15.
TOL = 1e-9
FIXED = ("wq", "wk", "wv", "position_scale")

READ = """
() => {
  const root = document.querySelector(".tl-attn");
  const q = (sel) => root.querySelector(sel);
  const texts = (sel) => [...root.querySelectorAll(sel)].map((t) => t.textContent);
  const rowsOf = (kind) => [...root.querySelectorAll(`table.tl-attn-${kind}s tr.tl-attn-row`)];
  const grid = (kind) => rowsOf(kind).map((tr) => [...tr.querySelectorAll(`td.tl-attn-${kind}`)]
    .map((td) => ({ v: td.dataset.value, t: td.textContent, m: td.dataset.masked === "true",
      w: td.style.getPropertyValue("--tl-attn-w") })));
  return {
    cols: texts("table.tl-attn-scores th.tl-attn-col"),
    rows: rowsOf("weight").map((tr) => tr.querySelector(".tl-attn-pick").textContent),
    scores: grid("score"),
    weights: grid("weight"),
    rowsums: [...root.querySelectorAll("td.tl-attn-rowsum")].map((td) => td.dataset.value),
    pressed: [...root.querySelectorAll(".tl-attn-pick")].flatMap((b) =>
      b.getAttribute("aria-pressed") === "true" ? [Number(b.dataset.row)] : []),
    selectedRows: rowsOf("score").flatMap((tr, i) =>
      tr.classList.contains("tl-attn-selected") ? [i] : []),
    query: q("select.tl-attn-query").value,
    bars: [...root.querySelectorAll(".tl-attn-bar-row")].map((r) => ({
      width: r.querySelector(".tl-attn-bar-fill").style.width,
      v: r.querySelector(".tl-attn-bar-value").dataset.value,
      t: r.querySelector(".tl-attn-bar-value").textContent })),
    dims: texts("table.tl-attn-output th.tl-attn-dim"),
    output: [...root.querySelectorAll("tr.tl-attn-out-output td.tl-attn-out")].map((td) => ({
      v: td.dataset.value, t: td.textContent })),
    input: [...root.querySelectorAll("tr.tl-attn-out-input td")].map((td) => td.dataset.value),
    closest: Number(q(".tl-attn-closest").dataset.closest),
    closestValue: q(".tl-attn-closest").dataset.value,
    closestTo: q(".tl-attn-closest").dataset.closestTo,
    closestText: q(".tl-attn-closest").textContent,
    source: q(".tl-attn-status").dataset.source,
    scale: q("input.tl-attn-scale").checked,
    causal: q("input.tl-attn-causal").checked,
    positions: q("input.tl-attn-positions").checked,
    positionsDisabled: q("input.tl-attn-positions").disabled,
    temperature: Number(q(".tl-attn-temp-value").textContent),
    example: Number(q("select.tl-attn-example").value),
    examples: q("select.tl-attn-example").options.length,
    title: q(".tl-attn-title").textContent,
  };
}
"""


def attention_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, MARKER, "attention widget")


def fmt2(v: float) -> str:
    """JavaScript's v.toFixed(2) (half away from zero, on the exact binary value)."""
    s = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return "0.00" if s == "-0.00" else s


def close(a: float, b: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= TOL * max(1.0, abs(b))


def expected(model: dict, data: dict) -> dict:
    """tokenlab's table for the sentence and settings on screen (float64)."""
    from tokenlab.widgets.attention import attention_table

    ex = model["examples"][data["example"]]
    return attention_table(ex["tokens"], ex["vectors"], **{k: model[k] for k in FIXED},
                           scale=data["scale"], causal=data["causal"],
                           positions=data["positions"], temperature=data["temperature"])


def assert_shows(data: dict, t: dict, selected: int, model: dict) -> None:
    """Every number on the page equals ``t`` for query ``selected``."""
    L = len(t["tokens"])
    assert data["cols"] == data["rows"] == t["tokens"]
    for i in range(L):
        for j in range(L):
            s, w = data["scores"][i][j], data["weights"][i][j]
            if t["scores"][i][j] is None:
                assert s["m"] and s["v"] == "-Infinity" and s["t"] == "\u2212\u221e", (i, j, s)
                assert w["m"] and float(w["v"]) == 0.0, (i, j, w)
            else:
                assert not s["m"] and close(float(s["v"]), t["scores"][i][j]), (i, j, s)
                assert s["t"] == fmt2(float(s["v"])), (i, j, s)
            assert close(float(w["v"]), t["weights"][i][j]), (i, j, w, t["weights"][i][j])
            assert w["t"] == fmt2(float(w["v"])) and abs(float(w["w"]) - float(w["v"])) < 1e-12
        assert close(float(data["rowsums"][i]), 1.0)
    assert data["selectedRows"] == [selected] and data["pressed"] == [selected, selected]
    assert data["query"] == str(selected)
    for j, b in enumerate(data["bars"]):
        assert close(float(b["v"]), t["weights"][selected][j]) and b["t"] == fmt2(float(b["v"]))
        assert abs(float(b["width"].rstrip("%")) - 100 * float(b["v"])) < 1e-3
    assert len(data["output"]) == t["d_v"]
    for o, want in zip(data["output"], t["output"][selected], strict=True):
        assert close(float(o["v"]), want) and o["t"] == fmt2(float(o["v"])), (o, want)
    features = model["features"]
    names = features if features and model["wv"] is None else [
        f"v{m + 1}" for m in range(t["d_v"])]
    assert data["dims"] == names
    if t["closest_to"] == "inputs":
        assert [float(v) for v in data["input"]] == t["vectors"][selected]
    c = t["closest"][selected]
    assert (data["closest"], data["closestTo"]) == (c, t["closest_to"])
    assert close(float(data["closestValue"]), t["cosines"][selected][c])
    assert f"“{t['tokens'][c]}” (token {c + 1})" in data["closestText"]
    assert "NaN" not in json.dumps(data)


def check(page, model: dict) -> dict:
    """The page's numbers equal tokenlab's for the state on screen; the data read."""
    data = page.evaluate(READ)
    assert data["source"] == "browser", "no kernel on the static site"
    selected = data["pressed"][0]
    assert_shows(data, expected(model, data), selected, model)
    return data


def set_box(page, name: str, on: bool) -> None:
    box = page.locator(f".tl-attn input.tl-attn-{name}")
    if box.is_checked() != on:
        box.click()
    assert box.is_checked() == on


def set_temperature(page, t: float) -> None:
    """The slider's value, then an input event, as a drag would."""
    page.locator(".tl-attn input.tl-attn-temp").evaluate(
        "(s, t) => { s.value = String(t); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        t)


def test_attention_widget_matches_tokenlab(site_dir, open_page):
    model = attention_model(site_dir)
    result = model["result"]
    n_examples = len(model["examples"])
    ex = model["examples"][model["example"]]
    assert result["tokens"] == ex["tokens"] and result["vectors"] == ex["vectors"]
    for key in (*FIXED, "scale", "causal", "positions", "temperature"):
        assert result[key] == model[key], key
    d = result["d"]

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-attn table.tl-attn-weights td.tl-attn-weight", timeout=20_000)
    assert page.locator(".tl-attn").count() == 1
    page.evaluate("document.querySelector('.tl-attn').scrollIntoView({block: 'start'})")

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = page.evaluate(READ)
    assert data["source"] == "browser"
    assert (data["scale"], data["causal"], data["positions"], data["temperature"]) == (
        model["scale"], model["causal"], model["positions"], model["temperature"])
    assert data["example"] == model["example"] and data["examples"] == n_examples
    assert data["title"] == ex["label"]
    assert data["positionsDisabled"] is (d % 2 == 1)
    assert_shows(data, result, model["selected"], model)
    check(page, model)

    root = page.locator(".tl-attn")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "attention-widget.png"))

    # Every sentence, every check box, three temperatures; each query of the sentence selected
    # one way or another: a click in either table, the menu, the arrow keys.
    position_options = (False,) if d % 2 else (False, True)
    how = 0
    checks = 0
    for e in range(n_examples):
        if n_examples > 1:
            root.locator("select.tl-attn-example").select_option(str(e))
        L = len(model["examples"][e]["tokens"])
        for scale, causal, positions in itertools.product((True, False), (False, True),
                                                          position_options):
            set_box(page, "scale", scale)
            set_box(page, "causal", causal)
            set_box(page, "positions", positions)
            for temp in (1.0, 0.1, 2.7):
                set_temperature(page, temp)
                data = check(page, model)
                assert (data["example"], data["scale"], data["causal"], data["positions"],
                        data["temperature"]) == (e, scale, causal, positions, temp)
                checks += 1
                if temp != 1.0 or (scale, causal, positions) != (True, True, False):
                    continue
                for i in range(L):
                    current = data["pressed"][0]
                    kind = ("scores", "weights")[how % 2]
                    if how % 4 < 2:
                        root.locator(f"table.tl-attn-{kind} .tl-attn-pick[data-row='{i}']").click()
                    elif how % 4 == 2:
                        root.locator("select.tl-attn-query").select_option(str(i))
                    else:
                        root.locator(f".tl-attn-pick[data-row='{current}']").first.focus()
                        key = "ArrowDown" if i > current else "ArrowUp"
                        for _ in range(abs(i - current)):
                            page.keyboard.press(key)
                    how += 1
                    data = check(page, model)
                    assert data["pressed"][0] == i
                    checks += 1
    assert checks >= 12 * n_examples

    # The slider with the keyboard, and Home/End on the rows.
    slider = root.locator("input.tl-attn-temp")
    assert slider.get_attribute("type") == "range"
    slider.focus()
    page.keyboard.press("Home")
    assert check(page, model)["temperature"] == 0.1
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert check(page, model)["temperature"] == 4.9
    root.locator("table.tl-attn-weights .tl-attn-pick").first.focus()
    page.keyboard.press("End")
    data = check(page, model)
    assert data["pressed"][0] == len(data["rows"]) - 1
    page.keyboard.press("Home")
    assert check(page, model)["pressed"][0] == 0

    # Causal: the first query sees only itself.
    set_box(page, "causal", True)
    data = check(page, model)
    assert data["weights"][0][0]["v"] == "1"
    assert all(c["m"] for c in data["scores"][0][1:])
    assert "NaN" not in root.inner_text()
    # The widget stays within the text column; its tables scroll sideways if they must.
    assert root.bounding_box()["width"] <= 760
    assert page.evaluate("document.querySelector('.tl-attn').scrollWidth") <= page.evaluate(
        "document.querySelector('.tl-attn').clientWidth") + 1
    watch.assert_clean()

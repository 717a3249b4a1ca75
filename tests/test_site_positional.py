"""The positional-encoding explorer on the built chapter page, in headless chromium, no kernel.

The page embeds the PositionalWidget's state (its six parameters and the ``result`` tokenlab
computed at build time). The first render, computed by positional.js, must equal that
``result``; after every slider, the base select and the heatmap are driven with the keyboard
and the mouse, every number on the page (and every heatmap pixel's colour) must equal
:func:`tokenlab.positional.sinusoidal` and :func:`~tokenlab.positional.relative_rotation` in
float64 within 1e-9, for the parameters on screen. The DOM contract is documented at the top
of ``lib/tokenlab/widgets/positional.js``; the page reading and the comparison are
``test_widgets_positional``'s, so that both tests hold the page to the same numbers.
"""

from __future__ import annotations

import pytest
from test_widgets_positional import CELL, PARAMS, READ, check, close

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/07_positions.html"
MARKER = "tl-pos-heatmap"  # in positional.js only
SCREENSHOTS = ROOT / "_build" / "screenshots"


def positional_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, MARKER, "positional widget")


def read(page) -> dict:
    return page.evaluate(READ, 0)


def press(page, param: str, *keys: str) -> dict:
    """Focus a slider (or the base select) and press keys; the page's parameters after."""
    selector = ("select.tl-pos-base" if param == "base"
                else f'input.tl-pos-slider[data-param="{param}"]')
    page.locator(f".tl-pos {selector}").focus()
    for key in keys:
        page.keyboard.press(key)
    return check(read(page))


def test_positional_widget_matches_tokenlab(site_dir, open_page):
    from tokenlab.widgets.positional import positional_summary

    model = positional_model(site_dir)
    result = model["result"]
    params = {name: model[name] for name in PARAMS}
    params["base"] = float(params["base"])
    assert {name: result[name] for name in PARAMS} == params
    fresh = positional_summary(**params)
    assert set(result) == set(fresh)

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-pos canvas.tl-pos-heatmap", timeout=20_000)
    assert page.locator(".tl-pos").count() == 1
    # The widget's top just below the theme's sticky header: the heatmap stays in view for
    # the mouse.
    page.evaluate("document.querySelector('.tl-pos').scrollIntoView({block: 'start'});"
                  "window.scrollBy(0, -80)")

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = read(page)
    assert check(data) == params
    L, d, i, k = params["length"], params["dim"], params["position"], params["offset"]
    for jj, value, _ in data["dots"]:
        assert close(float(value), result["dots"][jj]), jj
    for c, value, _ in data["row"]:
        assert close(float(value), result["row"][c]), c
    for name in ("shift_dot", "shift_deviation", "theta", "angle", "angle_degrees", "turn",
                 "turn_deviation", "peak"):
        assert close(float(data["nums"][name]), result[name]), name
    for n, x, y, *_ in data["points"]:
        assert close(float(x), result["pair_points"][n][0])
        assert close(float(y), result["pair_points"][n][1])
    assert close(float(data["nums"]["rotation_01"]), result["rotation"][0][1])

    # It fits the page's column: nothing overflows the widget or its cell.
    root = page.locator(".tl-pos")
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth + 1)"
                         "(document.querySelector('.tl-pos'))")
    content = page.evaluate("document.querySelector('.tl-pos').closest('.cell_output, "
                            "article, main').getBoundingClientRect().width")
    assert root.bounding_box()["width"] <= content + 1

    # Query position and offset, with the keyboard.
    p = press(page, "position", "Home", *["ArrowRight"] * 3)
    i = min(3, L - 1)
    assert p["position"] == i and p["offset"] == min(k, L - 1 - i)
    p = press(page, "offset", "End")
    assert p["offset"] == L - 1 - i
    p = press(page, "offset", "Home", *["ArrowRight"] * 4)
    k = min(4, L - 1 - i)
    assert p["offset"] == k
    # P[i]·P[i+k] is the same number at every i (while k fits).
    seen = set()
    for _ in range(5):
        data = read(page)
        p = check(data)
        if p["offset"] == k:
            seen.add(round(float(data["nums"]["shift_dot"]), 12))
        press(page, "position", "ArrowRight")
    assert len(seen) == 1

    # The pair j, then a narrower and a wider table.
    p = press(page, "pair", "End")
    assert p["pair"] == d // 2 - 1
    p = press(page, "pair", "Home", "ArrowRight", "ArrowRight")
    assert p["pair"] == min(2, d // 2 - 1)
    p = press(page, "dim", "ArrowLeft", "ArrowLeft")
    d = max(2, d - 4)
    assert p["dim"] == d and p["pair"] <= d // 2 - 1
    p = press(page, "length", *["ArrowLeft"] * 5)
    assert p["length"] == max(2, L - 5) and p["position"] <= p["length"] - 1
    p = press(page, "length", "End")
    assert p["length"] == 128
    p = press(page, "dim", "End")
    assert p["dim"] == 128

    # The base: chosen, then one step with the keyboard.
    page.locator(".tl-pos select.tl-pos-base").select_option("100")
    assert check(read(page))["base"] == 100.0
    assert press(page, "base", "ArrowDown")["base"] == 1000.0

    # The heatmap: hovering reads a cell; keys move the cursor; Enter makes its row i.
    p = check(read(page))
    for row, col in [(0, 0), (p["length"] - 1, p["dim"] - 1), (p["position"], 1), (64, 65)]:
        x, y = page.evaluate(CELL, [0, row, col])
        page.mouse.move(x, y)
        data = read(page)
        assert (data["readout"]["row"], data["readout"]["col"]) == (row, col)
        check(data)  # compares the cell's value with sinusoidal's
    page.locator(".tl-pos canvas.tl-pos-heatmap").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    data = read(page)
    assert (data["readout"]["row"], data["readout"]["col"]) == (65, 66)
    page.keyboard.press("Enter")
    p = check(read(page))
    assert p["position"] == 65 and p["offset"] <= 127 - 65

    # The chapter's screenshot, back at a readable size.
    press(page, "length", "Home", *["ArrowRight"] * 46)  # L = 48
    press(page, "dim", "Home", *["ArrowRight"] * 15)  # d = 32
    press(page, "base", "ArrowDown", "ArrowDown")  # 100000
    press(page, "base", "ArrowUp")  # 10000
    p = press(page, "position", "Home", *["ArrowRight"] * 5)
    p = press(page, "offset", "Home", *["ArrowRight"] * 3)
    p = press(page, "pair", "Home", "ArrowRight", "ArrowRight")
    assert p == {"length": 48, "dim": 32, "base": 10000.0, "position": 5, "offset": 3,
                 "pair": 2}
    assert "NaN" not in root.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "positional-widget.png"))
    watch.assert_clean()

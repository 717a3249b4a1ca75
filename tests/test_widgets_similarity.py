"""tokenlab.widgets.similarity: the Python side (traits, ``result`` against torch, bad input),
the JavaScript's syntax, and (with chromium) the explorer driven by similarity.js alone, against
a stand-in model, with no kernel and no book build: drags, snapping, keys, the temperature
slider, a zero vector, and the kernel's answer replacing the browser's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import traitlets

import tokenlab.widgets as widgets
from tokenlab import similarity as S
from tokenlab.widgets.similarity import SimilarityWidget, compare_keys
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
SIM_JS = HERE / "similarity.js"
SIM_CSS = HERE / "similarity.css"
SCREENSHOT = Path("/tmp/similarity-widget.png")
METRICS = {"dot": "dot", "cosine": "cosine", "scaled_dot": "scaled_dot", "weight": "weights"}
TOL = 1e-6


def reference(query, keys, temperature=1.0) -> dict[str, list[float]]:
    """The four numbers per key, straight from torch (float64), as the chapter defines them."""
    q = torch.tensor(query, dtype=torch.float64)
    k = torch.tensor(keys, dtype=torch.float64)
    dot = (k * q).sum(-1)
    cosine = F.cosine_similarity(q.expand_as(k), k, dim=-1, eps=1e-8)
    scaled = dot / math.sqrt(q.shape[-1])
    weights = torch.softmax(scaled / temperature, dim=-1)
    return {"dot": dot.tolist(), "cosine": cosine.tolist(), "scaled_dot": scaled.tolist(),
            "weights": weights.tolist()}


def assert_close(got: dict, want: dict, tol: float = TOL) -> None:
    for metric in ("dot", "cosine", "scaled_dot", "weights"):
        assert len(got[metric]) == len(want[metric]), metric
        for i, (a, b) in enumerate(zip(got[metric], want[metric], strict=True)):
            assert math.isfinite(a), (metric, i, a)
            assert abs(a - b) <= tol * max(1.0, abs(b)), (metric, i, a, b)


# ---- Python -----------------------------------------------------------------------------


def test_defaults_and_synced_traits():
    w = SimilarityWidget()
    assert w.query == [0.0, 4.0]
    assert w.key_vectors == [[0.0, 5.0], [3.0, 3.0], [-4.0, 1.0]]
    assert w.labels == ["k1", "k2", "k3"] and w.temperature == 1.0
    for name in ("query", "key_vectors", "labels", "temperature", "result"):
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["temperature"], traitlets.Float)
    state = w.get_state()
    assert state["key_vectors"] == w.key_vectors and state["result"] == w.result
    json.dumps(state)  # what Jupyter Book embeds in the page must be JSON
    assert set(w.result) == {"query", "keys", "temperature", "dot", "cosine", "scaled_dot",
                             "weights"}
    assert w.result["query"] == w.query and w.result["keys"] == w.key_vectors
    assert w.result["temperature"] == 1.0


def test_constructor_takes_tuples_arrays_and_tensors():
    np = pytest.importorskip("numpy")
    w = SimilarityWidget(query=np.array([1, 2]), keys=torch.tensor([[3.0, 4.0], [0.5, -1]]),
                         temperature=2, labels=("cat", "dog"))
    assert w.query == [1.0, 2.0] and w.key_vectors == [[3.0, 4.0], [0.5, -1.0]]
    assert all(type(v) is float for v in [*w.query, *w.key_vectors[0]])
    assert w.labels == ["cat", "dog"] and w.temperature == 2.0
    assert SimilarityWidget(keys=[(1, 0)]).labels == ["k1"]
    assert len(SimilarityWidget(keys=[(1, 0)] * 4).labels) == 4


@pytest.mark.parametrize("query, keys, temperature", [
    ((0, 4), ((0, 5), (3, 3), (-4, 1)), 1.0),
    ((0, 4), ((0, 5), (0, 1)), 0.1),
    ((2.5, -1), ((1, 1), (-3, 0.5), (6, 6), (-6, -6)), 5.0),
    ((0, 0), ((1, 2), (0, 0)), 0.7),
    ((-6, 6), ((6, -6),), 3.3),
    ((1e-9, 0), ((1, 0), (0, 1)), 1.0),  # shorter than eps: cosine 1e-9 / 1e-8 = 0.1
])
def test_result_matches_torch(query, keys, temperature):
    w = SimilarityWidget(query=query, keys=keys, temperature=temperature)
    want = reference(query, keys, temperature)
    assert_close(w.result, want)
    assert_close(compare_keys(query, keys, temperature), want)
    # ... and tokenlab.similarity, which computes it.
    q = torch.tensor(query, dtype=torch.float64).expand(len(keys), 2)
    k = torch.tensor(keys, dtype=torch.float64)
    assert w.result["dot"] == S.dot(q, k).tolist()
    assert w.result["cosine"] == S.cosine(q, k).tolist()
    assert w.result["scaled_dot"] == S.scaled_dot(q, k).tolist()
    assert w.result["weights"] == torch.softmax(S.scaled_dot(q, k) / temperature, -1).tolist()
    assert math.isclose(sum(w.result["weights"]), 1.0, abs_tol=1e-12)


def test_the_lecture_example_cosine_ties_dot_prefers_the_longer_key():
    w = SimilarityWidget(query=(0, 4), keys=((0, 5), (0, 1)))
    assert w.result["cosine"] == [1.0, 1.0]
    assert w.result["dot"] == [20.0, 4.0]
    assert w.result["weights"][0] > 0.9999
    zero = SimilarityWidget(query=(0, 0), keys=((0, 5), (0, 1)))
    assert zero.result["cosine"] == [0.0, 0.0], "a zero vector has cosine 0, not NaN"
    assert zero.result["weights"] == [0.5, 0.5]


def test_result_follows_every_change():
    w = SimilarityWidget()
    w.query = [1, 0]
    assert w.result["query"] == [1.0, 0.0] and w.result["dot"] == [0.0, 3.0, -4.0]
    w.key_vectors = [[2, 0], [0, 2]]
    assert w.labels == ["k1", "k2"], "labels follow the number of keys"
    assert_close(w.result, reference([1, 0], [[2, 0], [0, 2]]))
    w.temperature = 0.5
    assert w.result["temperature"] == 0.5
    assert_close(w.result, reference([1, 0], [[2, 0], [0, 2]], 0.5))
    w.labels = ["a", "b"]
    w.key_vectors = [[2, 0], [0, 2], [1, 1]]
    assert w.labels == ["a", "b", "k3"], "names kept, the new key named k3"
    w.key_vectors = [[2, 0]]
    assert w.labels == ["a"]
    assert w.result["keys"] == [[2.0, 0.0]] and w.result["weights"] == [1.0]


def test_what_the_browser_sends_is_recomputed():
    # A live kernel receives query, key_vectors and temperature together, as set_state does.
    w = SimilarityWidget()
    w.set_state({"query": [0.5, 4], "key_vectors": [[0, 5], [0, 1], [-4, 1]],
                 "temperature": 0.3})
    assert w.result["query"] == [0.5, 4.0] and w.result["temperature"] == 0.3
    assert_close(w.result, reference([0.5, 4], [[0, 5], [0, 1], [-4, 1]], 0.3))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"query": (1, 2, 3)}, ValueError, "query"),
    ({"query": (1,)}, ValueError, "query"),
    ({"query": "ab"}, TypeError, "query"),
    ({"query": 3}, TypeError, "query"),
    ({"query": (1, "2")}, TypeError, r"query\[1\]"),
    ({"query": (True, 2)}, TypeError, r"query\[0\]"),
    ({"query": (float("nan"), 2)}, ValueError, r"query\[0\].*finite"),
    ({"query": (1, float("inf"))}, ValueError, r"query\[1\].*finite"),
    ({"keys": ()}, ValueError, "keys"),
    ({"keys": [(1, 0)] * 5}, ValueError, "keys.*1 to 4"),
    ({"keys": ((1, 0), (1, 2, 3))}, ValueError, r"keys\[1\]"),
    ({"keys": ((1, 0), (1, None))}, TypeError, r"keys\[1\]\[1\]"),
    ({"keys": ((1, 0), (float("-inf"), 0))}, ValueError, r"keys\[1\]\[0\]"),
    ({"keys": 5}, TypeError, "keys"),
    ({"temperature": 0}, ValueError, "temperature"),
    ({"temperature": -1.0}, ValueError, "temperature"),
    ({"temperature": float("nan")}, ValueError, "temperature"),
    ({"temperature": float("inf")}, ValueError, "temperature"),
    ({"temperature": "1"}, TypeError, "temperature"),
    ({"temperature": None}, TypeError, "temperature"),
    ({"labels": ["a"]}, ValueError, "labels"),
    ({"labels": "abc"}, TypeError, "labels"),
    ({"labels": ["a", "b", 3]}, TypeError, r"labels\[2\]"),
])
def test_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        SimilarityWidget(**kwargs)


def test_bad_assignment_is_named_and_changes_nothing():
    w = SimilarityWidget()
    before = dict(w.result)
    with pytest.raises(ValueError, match="query"):
        w.query = [1, 2, 3]
    with pytest.raises(ValueError, match="keys"):
        w.key_vectors = []
    with pytest.raises(ValueError, match="temperature"):
        w.temperature = 0.0
    with pytest.raises(ValueError, match="labels"):
        w.labels = ["only one"]
    assert w.result == before and w.query == [0.0, 4.0] and len(w.key_vectors) == 3
    with pytest.raises(ValueError, match="temperature"):
        compare_keys((1, 0), [(1, 0)], temperature=0)


def test_esm_and_css_are_the_files_and_document_the_contract():
    w = SimilarityWidget()
    assert w._esm == SIM_JS.read_text(encoding="utf-8")
    assert w._css == SIM_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    header = w._esm.split("const TL_SIM_NS")[0]
    for name in (".tl-sim ", "svg.tl-sim-plane", "circle.tl-sim-handle[data-vec=V]", "data-x",
                 "data-y", "tr.tl-sim-row[data-key=i]", "td[data-metric=M]", "data-value",
                 "input.tl-sim-temp", ".tl-sim-verdict", "data-best-cosine", "data-best-dot",
                 ".tl-sim-status[data-source=S]", "key_vectors"):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css


def test_package_exports_lazily():
    assert "SimilarityWidget" in widgets.__all__
    assert widgets.SimilarityWidget is SimilarityWidget
    assert "SimilarityWidget" in dir(widgets)


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(SimilarityWidget._esm, tmp_path, "similarity")


# ---- similarity.js in a real browser, no kernel --------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-sim")[n];
  const rows = [...root.querySelectorAll("tr.tl-sim-row")];
  const out = { keys: rows.map((r) => r.dataset.key), values: {}, texts: {}, handles: {} };
  for (const m of ["dot", "cosine", "scaled_dot", "weight"]) {
    out.values[m] = rows.map((r) => r.querySelector(`td[data-metric="${m}"]`).dataset.value);
    out.texts[m] = rows.map((r) => r.querySelector(`td[data-metric="${m}"]`).textContent);
  }
  out.bars = rows.map((r) => r.querySelector(".tl-sim-bar-fill").style.width);
  for (const h of root.querySelectorAll("circle.tl-sim-handle")) {
    out.handles[h.dataset.vec] = [Number(h.dataset.x), Number(h.dataset.y)];
  }
  const verdict = root.querySelector(".tl-sim-verdict");
  out.verdict = verdict.textContent;
  out.bestCosine = verdict.dataset.bestCosine;
  out.bestDot = verdict.dataset.bestDot;
  const status = root.querySelector(".tl-sim-status");
  out.source = status.dataset.source;
  out.status = status.textContent;
  out.temp = root.querySelector("input.tl-sim-temp").value;
  out.tempShown = root.querySelector(".tl-sim-temp-value").textContent;
  return out;
}
"""

# The screen point of the plane's point (x, y): the SVG's user coordinates are (x, -y).
SCREEN = """
([n, x, y]) => {
  const svg = document.querySelectorAll(".tl-sim")[n].querySelector("svg.tl-sim-plane");
  const p = new DOMPoint(x, -y).matrixTransform(svg.getScreenCTM());
  return [p.x, p.y];
}
"""


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 760, "height": 760}, body_style=WIDE_BODY)


def mount(page, widget: SimilarityWidget, width: int = 700, **state) -> int:
    data = {name: getattr(widget, name)
            for name in ("query", "key_vectors", "labels", "temperature", "result")}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-sim-css")


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def shown(data: dict) -> dict[str, list[float]]:
    return {METRICS[m]: [float(v) for v in vals] for m, vals in data["values"].items()}


def assert_page_matches_torch(page, n: int = 0) -> dict:
    """Every data-value on the page equals torch's number for the model's current state."""
    data, state = read(page, n), model_state(page, n)
    want = reference(state["query"], state["key_vectors"], state["temperature"])
    got = shown(data)
    assert_close(got, want)
    for m, vals in data["values"].items():
        assert all(math.isfinite(float(v)) for v in vals), vals
        for text, v in zip(data["texts"][m], vals, strict=True):
            expected_text = f"{float(v):.3f}"
            assert text == ("0.000" if expected_text == "-0.000" else expected_text), (m, text)
    for bar, weight in zip(data["bars"], got["weights"], strict=True):
        assert abs(float(bar.rstrip("%")) - 100 * weight) < 1e-3, (bar, weight)  # CSS rounds
    assert data["handles"]["q"] == state["query"]
    for i, k in enumerate(state["key_vectors"]):
        assert data["handles"][str(i)] == k
    return data


def drag(page, n: int, vec: str, to: tuple[float, float], steps: int = 8) -> None:
    handle = page.locator(".tl-sim").nth(n).locator(f'circle.tl-sim-handle[data-vec="{vec}"]')
    x, y = float(handle.get_attribute("data-x")), float(handle.get_attribute("data-y"))
    start = page.evaluate(SCREEN, [n, x, y])
    end = page.evaluate(SCREEN, [n, *to])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def test_first_render_is_the_browsers_and_equals_python(page):
    w = SimilarityWidget()
    mount(page, w)
    root = page.locator(".tl-sim")
    assert root.count() == 1
    assert root.locator("svg.tl-sim-plane").count() == 1
    assert root.locator("circle.tl-sim-handle").count() == 4
    assert root.locator("tr.tl-sim-row").count() == 3
    data = assert_page_matches_torch(page)
    assert data["keys"] == ["0", "1", "2"]
    assert_close(shown(data), w.result)
    assert data["source"] == "browser"
    assert data["status"] == "Computed in your browser (no kernel needed)."
    assert data["temp"] == "1" and data["tempShown"] == "1.0"
    assert data["bestCosine"] == "0" and data["bestDot"] == "0"
    assert data["verdict"].startswith("Highest cosine: k1 (1.000). Highest dot product: k1")
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    for vec in ("q", "0", "1", "2"):
        handle = root.locator(f'circle.tl-sim-handle[data-vec="{vec}"]')
        assert handle.get_attribute("tabindex") == "0"
        assert "arrow keys" in handle.get_attribute("aria-label")
    temp = root.locator("input.tl-sim-temp")
    assert (temp.get_attribute("type"), temp.get_attribute("min"), temp.get_attribute("max"),
            temp.get_attribute("step")) == ("range", "0.1", "5", "0.1")
    assert root.locator(".tl-sim-verdict").get_attribute("aria-live") == "polite"


def test_drag_snaps_and_recomputes(page):
    w = SimilarityWidget()
    mount(page, w)
    drag(page, 0, "q", (2.4, -1.1))
    data = assert_page_matches_torch(page)
    assert data["handles"]["q"] == [2.5, -1.0], "snapped to the 0.5 grid"
    state = model_state(page)
    assert state["query"] == [2.5, -1.0]
    assert state["key_vectors"] == w.key_vectors, "the keys did not move"
    assert page.evaluate("window.models[0].saves") >= 1

    drag(page, 0, "2", (-3.15, 4.35))
    data = assert_page_matches_torch(page)
    assert data["handles"]["2"] == [-3.0, 4.5]
    assert model_state(page)["key_vectors"][2] == [-3.0, 4.5]

    # Out of the plane, the handle stops at its edge.
    drag(page, 0, "0", (8.0, -7.5))
    assert assert_page_matches_torch(page)["handles"]["0"] == [6.0, -6.0]

    # What the page computed is what Python computes for the state the page sent.
    state = model_state(page)
    w.set_state({k: state[k] for k in ("query", "key_vectors", "temperature")})
    assert_close(shown(read(page)), w.result)


def test_the_lecture_example(page):
    w = SimilarityWidget()  # q = (0, 4); keys (0, 5), (3, 3), (-4, 1)
    mount(page, w)
    drag(page, 0, "1", (0.1, 0.9))  # k2 to (0, 1): the same direction as k1 and q
    data = assert_page_matches_torch(page)
    assert data["handles"]["1"] == [0.0, 1.0]
    assert [float(v) for v in data["values"]["cosine"][:2]] == [1.0, 1.0]
    assert [float(v) for v in data["values"]["dot"][:2]] == [20.0, 4.0]
    assert data["bestCosine"] == "0 1" and data["bestDot"] == "0"
    assert "Highest cosine: k1 and k2 tie (1.000)" in data["verdict"]
    assert "Highest dot product: k1 (20.000)" in data["verdict"]
    assert "disagree" in data["verdict"]


def test_temperature_slider_reweights(page):
    w = SimilarityWidget()
    mount(page, w)
    slider = page.locator("input.tl-sim-temp")
    slider.focus()
    page.keyboard.press("End")
    data = assert_page_matches_torch(page)
    assert data["temp"] == "5" and data["tempShown"] == "5.0"
    assert model_state(page)["temperature"] == 5.0
    flat = [float(v) for v in data["values"]["weight"]]
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    data = assert_page_matches_torch(page)
    assert model_state(page)["temperature"] == 4.7 and data["tempShown"] == "4.7"
    page.keyboard.press("Home")
    data = assert_page_matches_torch(page)
    assert model_state(page)["temperature"] == 0.1
    sharp = [float(v) for v in data["values"]["weight"]]
    assert sharp[0] > flat[0] and sharp[2] < flat[2], "a low temperature sharpens the weights"
    assert sharp[0] == 1.0 or sharp[0] > 1 - 1e-12
    # The scores themselves do not depend on the temperature.
    assert data["values"]["dot"] == read(page)["values"]["dot"]
    # A click on the track sets a value too.
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    t = model_state(page)["temperature"]
    assert 2.0 <= t <= 3.1 and round(t * 10) == t * 10
    assert_page_matches_torch(page)


def test_keyboard_moves_a_handle_by_half(page):
    w = SimilarityWidget()
    mount(page, w)
    q = page.locator('circle.tl-sim-handle[data-vec="q"]')
    q.focus()
    page.keyboard.press("ArrowRight")
    assert assert_page_matches_torch(page)["handles"]["q"] == [0.5, 4.0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert assert_page_matches_torch(page)["handles"]["q"] == [0.5, 3.0]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    assert assert_page_matches_torch(page)["handles"]["q"] == [0.0, 3.5]
    assert model_state(page)["query"] == [0.0, 3.5]
    assert "(0, 3.5)" in q.get_attribute("aria-label")
    # Tab reaches the keys' handles; arrows stop at the plane's edge.
    k = page.locator('circle.tl-sim-handle[data-vec="0"]')
    k.focus()
    for _ in range(4):
        page.keyboard.press("ArrowUp")
    assert assert_page_matches_torch(page)["handles"]["0"] == [0.0, 6.0]
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-vec')")
    assert focused in ("1", "2", "q")


def test_zero_query_gives_cosine_zero_not_nan(page):
    w = SimilarityWidget(query=(0, 0))
    mount(page, w)
    data = assert_page_matches_torch(page)
    assert data["values"]["cosine"] == ["0", "0", "0"]
    assert data["texts"]["cosine"] == ["0.000", "0.000", "0.000"]
    assert "zero vector" in data["verdict"] and "NaN" not in json.dumps(data)
    assert data["bestCosine"] == "0 1 2"
    # Moving the query off the origin and back by keyboard gives the same.
    page.locator('circle.tl-sim-handle[data-vec="q"]').focus()
    page.keyboard.press("ArrowUp")
    assert assert_page_matches_torch(page)["values"]["cosine"][0] == "1"
    page.keyboard.press("ArrowDown")
    assert assert_page_matches_torch(page)["values"]["cosine"] == ["0", "0", "0"]
    # A zero key, too.
    drag(page, 0, "1", (0.1, -0.1))
    data = assert_page_matches_torch(page)
    assert data["handles"]["1"] == [0.0, 0.0]


def test_kernel_result_replaces_the_browsers_when_it_fits(page):
    w = SimilarityWidget()
    mount(page, w)
    drag(page, 0, "q", (3.1, 2.9))
    state = model_state(page)
    # A live kernel: Python receives the state and answers through `result`.
    w.set_state({k: state[k] for k in ("query", "key_vectors", "temperature")})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["status"] == "Computed by tokenlab in the Python kernel."
    assert_close(shown(data), w.result)

    # A result for other vectors (a stale answer) is not shown.
    stale = compare_keys((1, 1), state["key_vectors"], state["temperature"])
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "kernel"
    page.keyboard.press("ArrowRight")  # the focused q handle moves: browser numbers again
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "browser"
    assert_page_matches_torch(page)

    # The kernel's numbers are the ones shown (a marked answer for exactly these vectors).
    state = model_state(page)
    marked = compare_keys(state["query"], state["key_vectors"], state["temperature"])
    marked["dot"] = [123.25, -7.5, 0.125]
    page.evaluate("r => window.models[0].set('result', r)", marked)
    data = read(page)
    assert data["source"] == "kernel" and data["values"]["dot"] == ["123.25", "-7.5", "0.125"]
    assert data["texts"]["dot"] == ["123.250", "-7.500", "0.125"]


def test_view_follows_changes_from_python(page):
    w = SimilarityWidget()
    mount(page, w)
    page.evaluate("window.models[0].set('query', [1, -2])")
    data = assert_page_matches_torch(page)
    assert data["handles"]["q"] == [1.0, -2.0] and data["source"] == "browser"
    page.evaluate("window.models[0].set('temperature', 0.25)")
    data = assert_page_matches_torch(page)
    assert data["tempShown"] == "0.25"
    w2 = SimilarityWidget(keys=[(1, 0), (0, 1), (-1, 0), (0, -1)], labels=["E", "N", "W", "S"])
    page.evaluate("s => { const m = window.models[0]; m.set('key_vectors', s.k);"
                  " m.set('labels', s.l); }", {"k": w2.key_vectors, "l": w2.labels})
    data = assert_page_matches_torch(page)
    assert data["keys"] == ["0", "1", "2", "3"]
    assert page.locator(".tl-sim-key-name").all_inner_texts() == ["E", "N", "W", "S"]
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"


def test_labels_are_text_and_one_key_works(page):
    w = SimilarityWidget(query=(1, 1), keys=[(2, -1)], labels=["<img src=x onerror=alert(1)>"])
    mount(page, w)
    root = page.locator(".tl-sim")
    assert root.locator("img").count() == 0
    assert root.locator(".tl-sim-key-name").inner_text() == "<img src=x onerror=alert(1)>"
    data = assert_page_matches_torch(page)
    assert data["values"]["weight"] == ["1"] and data["bars"] == ["100%"]


def test_two_widgets_are_independent_and_the_screenshot(page):
    first, second = SimilarityWidget(), SimilarityWidget(query=(-2, 1), temperature=2.5)
    mount(page, first)
    mount(page, second)
    drag(page, 1, "q", (4.1, 0.2))
    assert read(page, 0)["handles"]["q"] == [0.0, 4.0]
    assert read(page, 1)["handles"]["q"] == [4.0, 0.0]
    assert_page_matches_torch(page, 0)
    assert_page_matches_torch(page, 1)
    ids = page.eval_on_selector_all("input.tl-sim-temp", "els => els.map(e => e.id)")
    assert len(set(ids)) == 2

    # Readable at a 700 px content width: nothing overflows, the plane is a fair size.
    root = page.locator(".tl-sim").first
    box = root.bounding_box()
    plane = root.locator("svg.tl-sim-plane").bounding_box()
    assert box["width"] <= 700 and plane["width"] >= 250
    assert page.evaluate("document.querySelector('.tl-sim').scrollWidth") <= 700
    assert abs(plane["width"] - plane["height"]) < 1
    # The lecture's picture, for the screenshot.
    drag(page, 0, "1", (0, 1))
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    # Narrow column: the table goes under the plane.
    page.evaluate("document.querySelectorAll('.host')[1].style.width = '360px'")
    narrow = page.locator(".tl-sim").nth(1)
    assert page.evaluate("document.querySelectorAll('.tl-sim')[1].scrollWidth") <= 360
    assert narrow.locator("table").bounding_box()["y"] > narrow.locator("svg").bounding_box()["y"]


def test_dark_theme_colours_differ(page):
    mount(page, SimilarityWidget())
    fill = "getComputedStyle(document.querySelector('.tl-sim-handle[data-vec=\"q\"]')).fill"
    light = page.evaluate(fill)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e'")
    dark = page.evaluate(fill)
    assert light != dark
    page.locator(".tl-sim").screenshot(path=str(SCREENSHOT.with_name("similarity-widget-dark.png")))

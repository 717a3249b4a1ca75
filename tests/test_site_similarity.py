"""The similarity explorer on the built chapter page, in headless chromium, with no kernel.

The page embeds the SimilarityWidget's state (its vectors, its temperature and the ``result``
tokenlab computed at build time). The first render, computed by similarity.js, must equal that
``result``; after drags, arrow keys and slider moves, every number on the page must equal
:mod:`tokenlab.similarity` and ``torch.softmax`` for the vectors on screen. The DOM contract is
documented at the top of ``lib/tokenlab/widgets/similarity.js``.
"""

from __future__ import annotations

import math

import pytest
import torch

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/05_similarity.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
METRICS = {"dot": "dot", "cosine": "cosine", "scaled_dot": "scaled_dot", "weight": "weights"}
TOL = 1e-6

READ = """
() => {
  const root = document.querySelector(".tl-sim");
  const rows = [...root.querySelectorAll("tr.tl-sim-row")];
  const out = { keys: rows.map((r) => r.dataset.key), values: {}, texts: {}, handles: {} };
  for (const m of ["dot", "cosine", "scaled_dot", "weight"]) {
    out.values[m] = rows.map((r) => r.querySelector(`td[data-metric="${m}"]`).dataset.value);
    out.texts[m] = rows.map((r) => r.querySelector(`td[data-metric="${m}"]`).textContent);
  }
  for (const h of root.querySelectorAll("circle.tl-sim-handle")) {
    out.handles[h.dataset.vec] = [Number(h.dataset.x), Number(h.dataset.y)];
  }
  const verdict = root.querySelector(".tl-sim-verdict");
  out.verdict = verdict.textContent;
  out.bestCosine = verdict.dataset.bestCosine;
  out.bestDot = verdict.dataset.bestDot;
  out.source = root.querySelector(".tl-sim-status").dataset.source;
  out.temperature = Number(root.querySelector(".tl-sim-temp-value").textContent);
  return out;
}
"""

# The viewport point of the plane's point (x, y) (the SVG's user coordinates are (x, -y)), and
# the data-vec of the handle a pointer pressed there would hit (null if none).
SCREEN = """
([x, y]) => {
  const svg = document.querySelector(".tl-sim svg.tl-sim-plane");
  const p = new DOMPoint(x, -y).matrixTransform(svg.getScreenCTM());
  const hit = document.elementFromPoint(p.x, p.y);
  const handle = hit && hit.closest ? hit.closest(".tl-sim-handle") : null;
  return [p.x, p.y, handle ? handle.dataset.vec : null];
}
"""


def similarity_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, "tl-sim-row", "similarity widget")


def expected(query, keys, temperature) -> dict[str, list[float]]:
    """tokenlab's numbers (float64) for the vectors on screen."""
    from tokenlab import similarity as S

    q = torch.tensor(query, dtype=torch.float64).expand(len(keys), 2)
    k = torch.tensor(keys, dtype=torch.float64)
    scaled = S.scaled_dot(q, k)
    return {"dot": S.dot(q, k).tolist(), "cosine": S.cosine(q, k).tolist(),
            "scaled_dot": scaled.tolist(),
            "weights": torch.softmax(scaled / temperature, dim=-1).tolist()}


def shown(data: dict) -> dict[str, list[float]]:
    return {METRICS[m]: [float(v) for v in vals] for m, vals in data["values"].items()}


def assert_close(got: dict, want: dict) -> None:
    for metric in ("dot", "cosine", "scaled_dot", "weights"):
        assert len(got[metric]) == len(want[metric]), metric
        for i, (a, b) in enumerate(zip(got[metric], want[metric], strict=True)):
            assert math.isfinite(a), (metric, i, a)
            assert abs(a - b) <= TOL * max(1.0, abs(b)), (metric, i, a, b)


def check(page) -> dict:
    """The page's numbers equal tokenlab's for the handles' positions and the temperature."""
    data = page.evaluate(READ)
    n = len(data["keys"])
    keys = [data["handles"][str(i)] for i in range(n)]
    assert_close(shown(data), expected(data["handles"]["q"], keys, data["temperature"]))
    for m, texts in data["texts"].items():
        for text, v in zip(texts, data["values"][m], strict=True):
            want = f"{float(v):.3f}"
            assert text == ("0.000" if want == "-0.000" else want), (m, text, v)
    assert data["source"] == "browser", "no kernel on the static site"
    return data


class Mover:
    """Moves handles by dragging them with the mouse, or with arrow keys where another handle
    covers the one to move (a pointer would grab the one on top)."""

    def __init__(self, page) -> None:
        self.page = page
        self.drags = 0

    def position(self, vec: str) -> tuple[float, float]:
        handle = self.page.locator(f'.tl-sim circle.tl-sim-handle[data-vec="{vec}"]')
        return float(handle.get_attribute("data-x")), float(handle.get_attribute("data-y"))

    def drag(self, vec: str, to: tuple[float, float]) -> bool:
        x, y = self.position(vec)
        sx, sy, hit = self.page.evaluate(SCREEN, [x, y])
        if hit != vec:
            return False
        ex, ey, _ = self.page.evaluate(SCREEN, list(to))
        self.page.mouse.move(sx, sy)
        self.page.mouse.down()
        self.page.mouse.move(ex, ey, steps=8)
        self.page.mouse.up()
        self.drags += 1
        return True

    def keys_to(self, vec: str, to: tuple[float, float]) -> None:
        x, y = self.position(vec)
        self.page.locator(f'.tl-sim circle.tl-sim-handle[data-vec="{vec}"]').focus()
        for delta, plus, minus in ((to[0] - x, "ArrowRight", "ArrowLeft"),
                                   (to[1] - y, "ArrowUp", "ArrowDown")):
            steps = round(delta / 0.5)
            assert steps == delta / 0.5, f"{to} is not on the 0.5 grid from {(x, y)}"
            for _ in range(abs(steps)):
                self.page.keyboard.press(plus if steps > 0 else minus)

    def to(self, vec: str, target: tuple[float, float]) -> None:
        if not self.drag(vec, target):
            self.keys_to(vec, target)
        assert self.position(vec) == target, (vec, target, self.position(vec))


def test_similarity_widget_matches_tokenlab(site_dir, open_page):
    model = similarity_model(site_dir)
    result = model["result"]
    n = len(model["key_vectors"])
    assert 1 <= n <= 4 and result["keys"] == model["key_vectors"]
    assert result["query"] == model["query"] and result["temperature"] == model["temperature"]

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-sim svg.tl-sim-plane", timeout=20_000)
    assert page.locator(".tl-sim").count() == 1
    page.evaluate(
        "document.querySelector('.tl-sim svg.tl-sim-plane').scrollIntoView({block: 'center'})"
    )

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = page.evaluate(READ)
    assert data["keys"] == [str(i) for i in range(n)]
    assert data["handles"]["q"] == model["query"]
    assert [data["handles"][str(i)] for i in range(n)] == model["key_vectors"]
    assert data["temperature"] == model["temperature"]
    assert data["source"] == "browser"
    assert_close(shown(data), result)
    check(page)
    labels = page.locator(".tl-sim .tl-sim-key-name").all_inner_texts()
    assert labels == model["labels"]

    # A real drag of the query (on top of the others: nothing covers it), snapped to 0.5.
    move = Mover(page)
    assert move.drag("q", (-2.3, -2.6))
    assert move.position("q") == (-2.5, -2.5)
    check(page)

    # The lecture: q = (0, 4) against k1 = (0, 5) and k2 = (0, 1); other keys out of the way.
    for i, spot in zip(range(2, n), [(3.0, 3.0), (-4.0, 1.0)], strict=False):
        move.to(str(i), spot)
    move.to("q", (0.0, 4.0))
    move.to("0", (0.0, 5.0))
    if n >= 2:
        move.to("1", (0.0, 1.0))
        data = check(page)
        assert [float(v) for v in data["values"]["cosine"][:2]] == [1.0, 1.0]
        assert [float(v) for v in data["values"]["dot"][:2]] == [20.0, 4.0]
        assert data["bestCosine"] == "0 1" and data["bestDot"] == "0"
        names = model["labels"]
        assert f"Highest cosine: {names[0]} and {names[1]} tie (1.000)" in data["verdict"]
        assert f"Highest dot product: {names[0]} (20.000)" in data["verdict"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tl-sim").screenshot(path=str(SCREENSHOTS / "chapter5-similarity.png"))

    # The temperature slider: the weights follow, the scores do not move.
    slider = page.locator(".tl-sim input.tl-sim-temp")
    assert slider.get_attribute("type") == "range"
    before = page.evaluate(READ)
    slider.focus()
    page.keyboard.press("Home")
    data = check(page)
    assert data["temperature"] == 0.1
    assert data["values"]["dot"] == before["values"]["dot"]
    page.keyboard.press("End")
    assert check(page)["temperature"] == 5.0
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    data = check(page)
    assert data["temperature"] == 4.8
    if n >= 2:
        weights = [float(v) for v in data["values"]["weight"]]
        assert 0.5 < weights[0] < 0.99, "a high temperature flattens the weights"

    # Arrow keys move a focused handle by 0.5.
    move.keys_to("0", (0.0, 4.5))
    assert move.position("0") == (0.0, 4.5)
    page.keyboard.press("ArrowLeft")
    assert move.position("0") == (-0.5, 4.5)
    check(page)

    # A zero query: cosine 0 for every key, never NaN.
    move.to("q", (0.0, 0.0))
    data = check(page)
    assert data["values"]["cosine"] == ["0"] * n
    assert "NaN" not in page.locator(".tl-sim").inner_text()
    assert move.drags >= 1
    watch.assert_clean()

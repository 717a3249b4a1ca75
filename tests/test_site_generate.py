"""The generation widget on the built Chapter 9 page, in headless chromium, with no kernel.

The page embeds the GenerateWidget's state: the chapter's trained GPT (configuration, tensor
names and float32 weights as base64), its vocabulary, the prompt and settings, and the
``result`` tokenlab computed at build time. The test rebuilds the GPT from that state
(:func:`tokenlab.widgets.generate.gpt_from_export`); the page's first bars must equal the
build-time result, and after typing a prompt, moving the three sliders and sampling token by
token, every shown probability must equal :func:`~tokenlab.widgets.generate.next_token` for the
state on screen, and the sampled ids those of the kernel's sampler with the same seed. The DOM
contract is documented at the top of ``lib/tokenlab/widgets/generate.js``.
"""

from __future__ import annotations

import copy

import pytest

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/09_language_models.html"
MARKER = "tlGenForward"  # a name only generate.js uses
SCREENSHOTS = ROOT / "_build" / "screenshots"
# The page computes in float64 on the float32 weights; against a float64 copy of the rebuilt
# model both sides compute one function in one precision (~1e-15 apart, see
# tests/test_widgets_generate.py): 1e-9. Against the build-time result (the float32 model in the
# kernel): float32 rounding of the logits, 1e-4 on the probabilities.
TOL = 1e-9
TOL_BUILD = 1e-4

READ = """
() => {
  const root = document.querySelector(".tl-gen");
  const q = (s) => root.querySelector(s);
  return {
    prompt: q("input.tl-gen-prompt").value,
    bars: [...root.querySelectorAll(".tl-gen-bar-row")].map((r) => ({
      id: Number(r.dataset.id), rank: Number(r.dataset.rank),
      v: Number(r.querySelector(".tl-gen-bar-value").dataset.value),
      t: r.querySelector(".tl-gen-bar-value").textContent,
      width: r.querySelector(".tl-gen-bar-fill").style.width })),
    kept: Number(q(".tl-gen-kept").dataset.kept),
    generated: JSON.parse(q(".tl-gen-output").dataset.generated),
    outNew: q(".tl-gen-output-new").textContent,
    note: q(".tl-gen-note").textContent,
    skipped: JSON.parse(q(".tl-gen-note").dataset.skipped),
    dropped: Number(q(".tl-gen-note").dataset.dropped),
    source: q(".tl-gen-status").dataset.source,
    temp: Number(q("input.tl-gen-temp").value),
    topk: Number(q("input.tl-gen-topk").value),
    topp: Number(q("input.tl-gen-topp").value),
    seed: Number(q("input.tl-gen-seed").value),
  };
}
"""


def assert_bars(data: dict, probs: list[float], tol: float = TOL) -> None:
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    n = sum(p > 0 for p in probs)
    assert data["kept"] == n
    shown = [b["id"] for b in data["bars"]]
    assert len(shown) == min(n, 10)
    for rank, b in enumerate(data["bars"]):
        assert b["rank"] == rank and abs(b["v"] - probs[b["id"]]) <= tol, (b, probs[b["id"]])
        assert b["t"] == f"{100 * b['v']:.1f}%"
        assert abs(float(b["width"].rstrip("%")) - 100 * b["v"]) < 1e-3
    if tol == TOL:
        assert shown == order[:len(shown)]
    assert "NaN" not in str(data)


def set_slider(page, cur: dict, cls: str, value: float) -> None:
    """Move a slider as a drag would (its value, then an input event), and note the setting it
    gives in ``cur`` (top-k 0 and top-p 1 are off: None)."""
    page.locator(f".tl-gen input.{cls}").evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        value)
    if cls == "tl-gen-temp":
        cur["temperature"] = value
    elif cls == "tl-gen-topk":
        cur["top_k"] = value or None
    else:
        cur["top_p"] = None if value >= 1 else value


def test_generate_widget_matches_tokenlab(site_dir, open_page):
    from tokenlab.widgets.generate import GenerateWidget, gpt_from_export, next_token

    state = widget_model(site_dir, CHAPTER, MARKER, "generation widget")
    vocab = state["vocab"]
    model = gpt_from_export(state)  # float32, as in the kernel at build time
    m64 = copy.deepcopy(model).double()
    n_params = model.num_parameters()
    assert len(state["weights"]) < 2_000_000, "a few hundred KB of weights, not megabytes"
    result = state["result"]
    assert result["prompt"] == state["prompt"] and result["generated"] == state["generated"] == []
    build = next_token(model, vocab, state["prompt"], [], temperature=state["temperature"],
                       top_k=state["top_k"], top_p=state["top_p"])
    assert max(abs(a - b) for a, b in zip(build["probs"], result["probs"], strict=True)) < 1e-6, \
        "the embedded weights are the model the kernel used"

    # The settings on screen: the embedded ones until a slider moves (a slider shows the
    # nearest step of its range, so the settings are tracked here, not read back from it).
    cur = {"temperature": state["temperature"], "top_k": state["top_k"], "top_p": state["top_p"]}

    def expect(prompt, generated):
        return next_token(m64, vocab, prompt, generated, **cur)

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 1000})
    page.wait_for_selector(".tl-gen .tl-gen-bar-row", timeout=30_000)
    assert page.locator(".tl-gen").count() == 1
    root = page.locator(".tl-gen")
    root.scroll_into_view_if_needed()

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = page.evaluate(READ)
    assert data["source"] == "browser" and data["prompt"] == state["prompt"]
    assert data["seed"] == state["seed"] and data["generated"] == []
    assert_bars(data, result["probs"], TOL_BUILD)
    assert_bars(data, expect(state["prompt"], [])["probs"])

    # Typing a prompt, with a character the model does not know.
    box = root.locator("input.tl-gen-prompt")
    box.fill("")
    box.press_sequentially("To be, or not é", delay=5)
    data = page.evaluate(READ)
    r = expect("To be, or not é", [])
    assert data["skipped"] == r["skipped"] and "é" in data["skipped"]
    assert "skipped" in data["note"] and "\u201c\u00e9\u201d" in data["note"]
    assert_bars(data, r["probs"])

    # The sliders.
    for cls, value in (("tl-gen-temp", 0.5), ("tl-gen-topk", 10), ("tl-gen-topp", 0.9),
                       ("tl-gen-temp", 1.5), ("tl-gen-topk", 0), ("tl-gen-topp", 1)):
        set_slider(page, cur, cls, value)
        data = page.evaluate(READ)
        assert_bars(data, expect("To be, or not é", [])["probs"])
    set_slider(page, cur, "tl-gen-temp", 0.8)
    set_slider(page, cur, "tl-gen-topk", 20)
    data = page.evaluate(READ)
    assert (data["temp"], data["topk"], data["topp"]) == (0.8, 20, 1)
    t, k, p = cur["temperature"], cur["top_k"], cur["top_p"]
    assert (t, k, p) == (0.8, 20, None)

    # Sampling token by token: the kernel's sampler with the same seed gives the same ids.
    n = 12
    for i in range(1, n + 1):
        root.locator("button.tl-gen-sample").click()
        data = page.evaluate(READ)
        assert len(data["generated"]) == i
        assert_bars(data, expect("To be, or not é", data["generated"])["probs"])
    kernel = GenerateWidget(m64, vocab=vocab, prompt="To be, or not é", temperature=t, top_k=k,
                            top_p=p, seed=state["seed"])
    assert kernel.sample(n) == data["generated"]
    assert data["outNew"] == "".join(vocab[i] for i in data["generated"])
    root.locator("button.tl-gen-sample-many").click()
    data = page.evaluate(READ)
    assert kernel.sample(20) == data["generated"]
    assert_bars(data, expect("To be, or not é", data["generated"])["probs"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "generate-widget.png"))

    # Reset: the same seed samples the same text again.
    root.locator("button.tl-gen-reset").click()
    assert page.evaluate(READ)["generated"] == []
    root.locator("button.tl-gen-sample-many").click()
    assert page.evaluate(READ)["generated"] == kernel.generated[:20]

    # Dark mode: the theme's switch gives the widget its dark colours.
    fill = "() => getComputedStyle(document.querySelector('.tl-gen-bar-fill')).backgroundColor"
    light = page.evaluate(fill)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    assert page.evaluate(fill) != light
    page.evaluate("document.documentElement.dataset.theme = 'light'")

    # The widget stays within the text column.
    assert root.bounding_box()["width"] <= 760
    assert n_params > 0
    watch.assert_clean()

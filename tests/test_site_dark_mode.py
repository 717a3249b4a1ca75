"""Every widget on the built site is readable in the theme's light and dark modes.

For each page that embeds widget state, in each mode (pydata-sphinx-theme's
``html[data-theme]``, which the theme's switch sets), headless chromium renders the widgets with
no kernel, and every visible piece of text inside a widget is measured: its computed colour
against the background actually behind it (the first opaque ancestor background, with every
translucent one in between composited over it, as the browser paints them). The WCAG 2 contrast
ratio must be at least 4.5 (3 for large text: 24 px, or 18.66 px bold). A screenshot of each
widget in each mode goes to ``_build/screenshots/dark-mode/`` for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, open_pages

pytestmark = pytest.mark.site

SCREENSHOTS = ROOT / "_build" / "screenshots" / "dark-mode"
MODES = ("light", "dark")
NORMAL, LARGE = 4.5, 3.0

# Runs in the page: one entry per visible text-bearing element inside a widget.
MEASURE = r"""
() => {
  const parse = (c) => {                    // rgb(), rgba() or color(srgb r g b / a)
    let m = c.match(/^rgba?\(([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c.match(/^color\(srgb ([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[ \/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    if (c === "transparent") return [0, 0, 0, 0];
    throw new Error("unparsed colour " + c);
  };
  const opacity = (el) => {                 // opacity multiplies down the tree
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const over = (top, bottom) => {            // composite `top` over an opaque `bottom`
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let color = [255, 255, 255, 1];          // the canvas, if nothing is opaque
    if (layers.length && layers[layers.length - 1][3] >= 1) color = layers.pop();
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const out = [];
  const roots = [...document.querySelectorAll(".cell_output .widget-subarea")];
  for (const root of roots) {
    for (const el of root.querySelectorAll("*")) {
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
      if (parseFloat(style.opacity) === 0) continue;
      // WCAG 1.4.3 sets no contrast for inactive controls (a disabled button is dimmed on purpose).
      if (el.disabled || el.closest("[disabled], [aria-disabled='true']")) continue;
      const field = ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(el.tagName);
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own && !(field && (el.value || el.textContent || "").trim())) continue;
      if (field && ["checkbox", "radio", "range", "color"].includes(el.type)) continue;
      const bg = background(el);
      let fg = parse(style.color);
      fg[3] *= opacity(el);
      if (fg[3] < 1) fg = over(fg, bg);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const size = parseFloat(style.fontSize);
      const bold = parseInt(style.fontWeight, 10) >= 700;
      out.push({
        widget: roots.indexOf(root),
        text: (own ? el.textContent : el.value || el.textContent).trim().slice(0, 40),
        tag: el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
          ? "." + el.className.trim().split(/\s+/).join(".") : ""),
        ratio: (l1 + 0.05) / (l2 + 0.05),
        large: size >= 24 || (bold && size >= 18.66),
        fg: style.color, bg: `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`,
      });
    }
  }
  return {widgets: roots.length, items: out};
}
"""


def widget_pages(site_dir) -> list[str]:
    return sorted(str(p.relative_to(site_dir)) for p in site_dir.rglob("*.html")
                  if "_static" not in p.parts
                  and "widget-state+json" in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages(site_dir) -> list[str]:
    found = widget_pages(site_dir)
    assert found, "no page of the site embeds a widget"
    return found


def contrast_failures(items: list[dict]) -> list[str]:
    return [f"widget {i['widget']} {i['tag']} {i['text']!r}: {i['ratio']:.2f} "
            f"({i['fg']} on {i['bg']})"
            for i in items if i["ratio"] < (LARGE if i["large"] else NORMAL)]


def test_contrast_rule_flags_light_on_light():
    items = [{"widget": 0, "tag": "span", "text": "x", "ratio": 1.2, "large": False,
              "fg": "rgb(200, 200, 200)", "bg": "rgb(255, 255, 255)"},
             {"widget": 0, "tag": "h1", "text": "y", "ratio": 3.2, "large": True,
              "fg": "", "bg": ""}]
    assert len(contrast_failures(items)) == 1


def test_every_widget_is_readable(pages, open_page):
    """Each page is loaded once, in light mode, measured, switched to dark mode (as the theme's
    switch does: ``html[data-theme]``) and measured again."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for path, page, watch in open_pages(open_page, pages, color_scheme="light",
                                        viewport={"width": 1280, "height": 900}):
        page.wait_for_selector(".cell_output .widget-subarea *", timeout=20_000)
        stem = re.sub(r"\W+", "-", path.removesuffix(".html"))
        for mode in MODES:
            page.evaluate(f"document.documentElement.dataset.theme = '{mode}';"
                          f"document.documentElement.dataset.mode = '{mode}'")
            page.wait_for_timeout(300)
            assert page.evaluate("document.documentElement.dataset.theme") == mode
            result = page.evaluate(MEASURE)
            assert result["widgets"] >= 1 and result["items"], f"{path}: no widget text rendered"
            for i, handle in enumerate(page.locator(".cell_output .widget-subarea").all()):
                handle.screenshot(path=str(SCREENSHOTS / f"{stem}-{i}-{mode}.png"))
            failures = contrast_failures(result["items"])
            if failures:
                problems[f"{path} ({mode})"] = failures
        watch.assert_clean()
    assert not problems, "text below the contrast threshold: " + "; ".join(
        f"{p}: {f[:5]} ({len(f)} in all)" for p, f in problems.items())

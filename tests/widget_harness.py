"""The standalone-chromium harness the widget tests share: a blank page that fails on any
console error, an anywidget stand-in model to render a widget's ES module against (no
kernel, no book build), and a node check that the ``_esm`` loads as one ES module."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from conftest import require_tool

# Imports the module from a Blob URL and renders it into a new host <div> against a model
# with anywidget's get/set/save_changes/on/off; `saves` counts save_changes() calls. With a
# css_id the CSS goes in once per page, without one once per mount; a width (px) sizes the
# host. Returns the model's index in window.models (its view's cleanup is window.cleanups[i]).
MOUNT = """
async ([src, css, state, width, cssId]) => {
  if (!cssId || !document.getElementById(cssId)) {
    const style = document.createElement("style");
    if (cssId) style.id = cssId;
    style.textContent = css;
    document.head.appendChild(style);
  }
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const mod = await import(url);
  const handlers = {};
  const model = {
    state, saves: 0,
    get(key) { return this.state[key]; },
    set(key, value) {
      this.state[key] = value;
      for (const h of handlers["change:" + key] || []) h();
    },
    save_changes() { this.saves += 1; },
    on(event, h) { (handlers[event] = handlers[event] || []).push(h); },
    off(event, h) { handlers[event] = (handlers[event] || []).filter((x) => x !== h); },
  };
  const el = document.createElement("div");
  el.className = "host";
  if (width !== null) el.style.width = width + "px";
  document.body.appendChild(el);
  window.models = (window.models || []).concat([model]);
  window.cleanups = (window.cleanups || []).concat([mod.default.render({ model, el })]);
  return window.models.length - 1;
}
"""

WIDE_BODY = "margin: 20px; font: 16px sans-serif"


def blank_page(browser, viewport: dict | None = None, body_style: str | None = None,
               url: str | None = None) -> Iterator:
    """The body of a ``page`` fixture (``yield from blank_page(browser, ...)``): a blank page,
    closed afterwards, and failing the test on any console error or uncaught exception. With
    ``url`` (a page on a local server, with no favicon request to fail) the page has that
    origin, so a widget can fetch files from the same server."""
    page = browser.new_page(viewport=viewport) if viewport else browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    body = f"<body style='{body_style}'>" if body_style else "<body>"
    if url is not None:
        page.goto(url)
    page.set_content(f"<!doctype html><html>{body}</body></html>")
    yield page
    page.close()
    assert not errors, errors


def mount(page, esm: str, css: str, state: dict, width: int | None = None,
          css_id: str | None = None) -> int:
    """Render the module ``esm`` against a stand-in model holding ``state``; its index."""
    return page.evaluate(MOUNT, [esm, css, state, width, css_id])


def model_state(page, n: int = 0) -> dict:
    """A copy of the n-th stand-in model's state, as the page holds it."""
    return page.evaluate(f"JSON.parse(JSON.stringify(window.models[{n}].state))")


def assert_es_module_loads(esm: str, tmp_path: Path, name: str = "widget") -> None:
    """Under node, ``esm`` imports as one ES module whose default export has ``render``."""
    node = require_tool("node", shutil.which("node"))
    (tmp_path / f"{name}.mjs").write_text(esm, encoding="utf-8")
    probe = tmp_path / "probe.mjs"
    probe.write_text(
        f"import w from './{name}.mjs';\n"
        "if (typeof w.render !== 'function') throw new Error('no render');\n"
        "console.log('ok');\n",
        encoding="utf-8",
    )
    out = subprocess.run([node, str(probe)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr

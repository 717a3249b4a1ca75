"""The vectorizer explorer on the built chapter page, in headless chromium, with no kernel.

The page embeds the VectorizerWidget's state (its documents and options and the ``result``
tokenlab computed at build time). The first render, computed by vectorizer.js, must equal that
``result``; after the reader edits, adds and removes documents and toggles bigrams, every
number on the page must equal :class:`tokenlab.vectorize.TextVectorizer`'s ``fit_transform``
of the documents on screen. The DOM contract is documented at the top of
``lib/tokenlab/widgets/vectorizer.js``.
"""

from __future__ import annotations

import math

import pytest

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/03_vectors.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
MODES = ("multi_hot", "count", "tf_idf_keras", "tf_idf_sklearn")
OPTIONS = {
    "multi_hot": {"output_mode": "multi_hot"},
    "count": {"output_mode": "count"},
    "tf_idf_keras": {"output_mode": "tf_idf", "idf": "keras"},
    "tf_idf_sklearn": {"output_mode": "tf_idf", "idf": "sklearn", "norm": "l2"},
}
TOL = 1e-6

READ = """
() => {
  const root = document.querySelector(".tl-vec");
  const items = [...root.querySelectorAll(".tl-vec-vocab [data-index]")];
  const out = {
    documents: [...root.querySelectorAll("textarea.tl-vec-doc")].map((t) => t.value),
    indices: items.map((li) => li.dataset.index),
    vocabulary: items.map((li) => li.dataset.token),
    values: {}, idf: {},
  };
  for (const table of root.querySelectorAll("table.tl-vec-matrix")) {
    const m = table.dataset.mode;
    out.values[m] = [...table.querySelectorAll("tr.tl-vec-row")].map((tr, i) =>
      [...tr.querySelectorAll("td")].map((td, j) => {
        if (td.dataset.row !== String(i) || td.dataset.col !== String(j)) {
          throw new Error("cell order");
        }
        return td.dataset.value;
      }));
    const idf = table.querySelector("tr.tl-vec-idf");
    out.idf[m] = idf ? [...idf.querySelectorAll("td")].map((td) => td.dataset.value) : null;
  }
  out.source = root.querySelector(".tl-vec-status").dataset.source;
  out.ngrams = root.querySelector("input.tl-vec-ngrams").checked;
  return out;
}
"""


def vectorizer_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, "tl-vec-matrix", "vectorizer widget")


def expected(documents, ngrams, max_tokens) -> dict:
    """TextVectorizer(...).fit_transform(documents) for each mode, its vocabulary and idf."""
    from tokenlab.vectorize import TextVectorizer

    width = None if ngrams == 1 else ngrams
    out: dict = {}
    for mode, options in OPTIONS.items():
        v = TextVectorizer(**options, ngrams=width, max_tokens=max_tokens)
        out[mode] = v.fit_transform(documents).tolist()
        out.setdefault("vocabulary", v.vocabulary.tokens)
        if options["output_mode"] == "tf_idf":
            out["idf_" + options["idf"]] = v.idf_.tolist()
    return out


def shown(data: dict) -> dict:
    out = {"vocabulary": data["vocabulary"]}
    for mode in MODES:
        out[mode] = [[float(v) for v in row] for row in data["values"][mode]]
    out["idf_keras"] = [float(v) for v in data["idf"]["tf_idf_keras"]]
    out["idf_sklearn"] = [float(v) for v in data["idf"]["tf_idf_sklearn"]]
    return out


def assert_close(got: dict, want: dict) -> None:
    assert got["vocabulary"] == want["vocabulary"]
    for key in (*MODES, "idf_keras", "idf_sklearn"):
        flat_got = [v for row in got[key] for v in (row if isinstance(row, list) else [row])]
        flat_want = [v for row in want[key] for v in (row if isinstance(row, list) else [row])]
        assert len(got[key]) == len(want[key]) and len(flat_got) == len(flat_want), key
        for a, b in zip(flat_got, flat_want, strict=True):
            assert math.isfinite(a), (key, a)
            assert abs(a - b) <= TOL * max(1.0, abs(b)), (key, a, b)


def check(page, max_tokens) -> dict:
    """The page's numbers equal TextVectorizer's for the documents in the text boxes."""
    data = page.evaluate(READ)
    want = expected(data["documents"], 2 if data["ngrams"] else 1, max_tokens)
    assert_close(shown(data), want)
    assert data["indices"] == [str(j) for j in range(len(want["vocabulary"]))]
    assert data["source"] == "browser", "no kernel on the static site"
    assert "NaN" not in page.locator(".tl-vec").inner_text()
    return data


def test_vectorizer_widget_matches_tokenlab(site_dir, open_page):
    model = vectorizer_model(site_dir)
    result = model["result"]
    n = len(model["documents"])
    max_tokens = model["max_tokens"]
    assert 1 <= n <= 4 and result["documents"] == model["documents"]
    assert result["ngrams"] == model["ngrams"] and result["max_tokens"] == max_tokens

    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-vec table.tl-vec-matrix", timeout=20_000)
    assert page.locator(".tl-vec").count() == 1
    page.evaluate("document.querySelector('.tl-vec').scrollIntoView({block: 'start'})")

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    data = page.evaluate(READ)
    assert data["documents"] == model["documents"]
    assert data["ngrams"] == (model["ngrams"] == 2)
    assert data["source"] == "browser"
    assert_close(shown(data), result)
    assert data["vocabulary"][:2] == ["", "[UNK]"]
    check(page, max_tokens)

    # Edit a document: the vocabulary and every matrix follow.
    box = page.locator('.tl-vec textarea.tl-vec-doc[data-doc="0"]')
    box.fill("The cat sat on the cat's mat; the CAT napped.")
    data = check(page, max_tokens)
    assert data["documents"][0] == "The cat sat on the cat's mat; the CAT napped."
    box.press("End")
    box.type(" 고양이가 잔다", delay=5)
    data = check(page, max_tokens)
    assert max_tokens is not None or "고양이가" in data["vocabulary"]

    # Toggle bigrams, both ways.
    toggle = page.locator(".tl-vec input.tl-vec-ngrams")
    toggle.set_checked(not toggle.is_checked())
    check(page, max_tokens)
    toggle.set_checked(True)
    data = check(page, max_tokens)
    assert max_tokens is not None or any(" " in t for t in data["vocabulary"])

    # An empty document is a row of zeros, not NaN.
    last = page.locator(f'.tl-vec textarea.tl-vec-doc[data-doc="{n - 1}"]')
    last.fill("")
    data = check(page, max_tokens)
    for mode in MODES:
        assert all(float(v) == 0 for v in data["values"][mode][n - 1]), mode

    # Add a document (when there is room), remove the first one.
    add = page.locator(".tl-vec button.tl-vec-add")
    if n < 4:
        add.click()
        page.keyboard.type("a dog and a log")
        data = check(page, max_tokens)
        assert data["documents"][-1] == "a dog and a log" and len(data["documents"]) == n + 1
    else:
        assert add.is_disabled()
    if len(page.evaluate(READ)["documents"]) > 1:
        page.locator('.tl-vec button.tl-vec-remove[data-doc="0"]').click()
        check(page, max_tokens)

    # The mode buttons show one matrix, then all four again.
    page.locator('.tl-vec input.tl-vec-mode[value="tf_idf_sklearn"]').check()
    assert page.locator('.tl-vec section.tl-vec-section[data-mode="count"]').is_hidden()
    assert page.locator('.tl-vec table[data-mode="tf_idf_sklearn"]').is_visible()
    page.locator('.tl-vec input.tl-vec-mode[value="all"]').check()
    assert page.locator('.tl-vec table[data-mode="count"]').is_visible()
    check(page, max_tokens)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tl-vec").screenshot(path=str(SCREENSHOTS / "chapter3-vectorizer.png"))
    # Nothing sticks out of the page's content column: wide tables scroll inside the widget.
    widths = page.evaluate("""() => {
      const root = document.querySelector('.tl-vec');
      return [root.scrollWidth, root.clientWidth];
    }""")
    assert widths[0] <= widths[1] + 1

    # Dark mode (the theme's switch): the widget brings its own dark background.
    light = page.evaluate("getComputedStyle(document.querySelector('.tl-vec')).backgroundColor")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    dark = page.evaluate("getComputedStyle(document.querySelector('.tl-vec')).backgroundColor")
    assert dark != light
    page.locator(".tl-vec").screenshot(path=str(SCREENSHOTS / "chapter3-vectorizer-dark.png"))
    watch.assert_clean()

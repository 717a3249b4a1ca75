"""tokenlab.widgets.vectorizer: the Python side (traits, ``result`` against TextVectorizer, bad
input), the JavaScript's numbers under Node.js against TextVectorizer on generated documents,
and (with chromium) the explorer driven by vectorizer.js alone, against a stand-in model, with
no kernel and no book build: edits, the bigram toggle, adding and removing documents, the mode
buttons, empty and Korean documents, max_tokens, and the kernel's answer replacing the
browser's."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import traitlets

import tokenlab.widgets as widgets
from conftest import require_tool
from tokenlab.vectorize import TextVectorizer
from tokenlab.widgets.vectorizer import (
    MODES,
    VIEWS,
    VectorizerWidget,
    vectorize_documents,
)
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
VEC_JS = HERE / "vectorizer.js"
VEC_CSS = HERE / "vectorizer.css"
TOKENIZE_JS = HERE / "js" / "tokenize.js"
SCREENSHOT = Path("/tmp/vectorizer-widget.png")
DEFAULT = ["the cat sat on the mat", "the dog sat on the log", "the cat saw the dog"]
TOL = 1e-6

OPTIONS = {
    "multi_hot": {"output_mode": "multi_hot"},
    "count": {"output_mode": "count"},
    "tf_idf_keras": {"output_mode": "tf_idf", "idf": "keras"},
    "tf_idf_sklearn": {"output_mode": "tf_idf", "idf": "sklearn", "norm": "l2"},
}


def reference(documents, ngrams=1, max_tokens=None) -> dict:
    """TextVectorizer(...).fit_transform(documents) for each mode, and the vocabulary and idf."""
    width = None if ngrams == 1 else ngrams
    out: dict = {}
    for mode, options in OPTIONS.items():
        v = TextVectorizer(**options, ngrams=width, max_tokens=max_tokens)
        out[mode] = v.fit_transform(documents).tolist()
        out.setdefault("vocabulary", v.vocabulary.tokens)
        assert out["vocabulary"] == v.vocabulary.tokens
        if options["output_mode"] == "tf_idf":
            out["idf_" + options["idf"]] = v.idf_.tolist()
    return out


def assert_close(got: dict, want: dict, tol: float = TOL) -> None:
    assert got["vocabulary"] == want["vocabulary"]
    width = len(want["vocabulary"])
    for mode in MODES:
        assert len(got[mode]) == len(want[mode]), mode
        for i, (row, wrow) in enumerate(zip(got[mode], want[mode], strict=True)):
            assert len(row) == width, (mode, i)
            for j, (a, b) in enumerate(zip(row, wrow, strict=True)):
                assert math.isfinite(a), (mode, i, j, a)
                assert abs(a - b) <= tol * max(1.0, abs(b)), (mode, i, j, a, b)
    for key in ("idf_keras", "idf_sklearn"):
        for j, (a, b) in enumerate(zip(got[key], want[key], strict=True)):
            assert abs(a - b) <= tol * max(1.0, abs(b)), (key, j, a, b)


# ---- Python -----------------------------------------------------------------------------


def test_defaults_and_synced_traits():
    w = VectorizerWidget()
    assert w.documents == DEFAULT
    assert w.ngrams == 1 and w.max_tokens is None and w.mode == "all"
    for name in ("documents", "ngrams", "max_tokens", "mode", "result"):
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["ngrams"], traitlets.Int)
    state = w.get_state()
    assert state["documents"] == DEFAULT and state["result"] == w.result
    json.dumps(state, allow_nan=False)  # what Jupyter Book embeds in the page must be JSON
    assert set(w.result) == {"documents", "ngrams", "max_tokens", "vocabulary", *MODES,
                             "idf_keras", "idf_sklearn"}
    assert w.result["documents"] == DEFAULT and w.result["ngrams"] == 1
    assert w.result["max_tokens"] is None
    assert w.result["vocabulary"] == ["", "[UNK]", "the", "cat", "dog", "on", "sat", "log",
                                      "mat", "saw"]
    assert w.result["count"][0] == [0, 0, 2, 1, 0, 1, 1, 0, 1, 0]


@pytest.mark.parametrize("documents, ngrams, max_tokens", [
    (DEFAULT, None, None),
    (DEFAULT, 2, None),
    (DEFAULT, 1, 6),
    (DEFAULT, 2, 5),
    (["The Cat sat.", "the cat SAT!", "Dogs? No."], None, None),
    (["고양이가 앉았다. 고양이가 잔다", "강아지가 잔다", "The 고양이"], 2, None),
    (["a", "", "b b a"], None, None),
    (["one document only, one document"], 2, None),
    (["x y z", "z y x", "y"], None, 2),  # every token is [UNK]
    (["😀 \ufffd \ue000 가", "가 😀"], None, None),  # Python's str order is code point order
])
def test_result_equals_text_vectorizer(documents, ngrams, max_tokens):
    w = VectorizerWidget(documents, ngrams=ngrams, max_tokens=max_tokens)
    want = reference(documents, ngrams or 1, max_tokens)
    for key in ("vocabulary", *MODES, "idf_keras", "idf_sklearn"):
        assert w.result[key] == want[key], key  # exactly: the same computation
    assert w.result == vectorize_documents(documents, ngrams=ngrams, max_tokens=max_tokens)


def test_an_empty_document_is_a_row_of_zeros_and_no_tokens_at_all_is_allowed():
    w = VectorizerWidget(["the cat", "", "?!"])
    for mode in MODES:
        assert w.result[mode][1] == [0.0] * len(w.result["vocabulary"]), mode
        assert w.result[mode][2] == [0.0] * len(w.result["vocabulary"]), mode
    # TextVectorizer.fit refuses documents without a single token; the widget shows zeros.
    with pytest.raises(ValueError, match="no tokens"):
        TextVectorizer("count").fit(["", "..."])
    w.documents = ["", "..."]
    assert w.result["vocabulary"] == ["", "[UNK]"]
    for mode in MODES:
        assert w.result[mode] == [[0.0, 0.0], [0.0, 0.0]]
    assert w.result["idf_keras"] == [0.0, 0.0] and w.result["idf_sklearn"] == [0.0, 0.0]
    json.dumps(w.get_state(), allow_nan=False)


def test_result_follows_every_change():
    w = VectorizerWidget()
    w.documents = ["b a b", "c"]
    assert w.result["documents"] == ["b a b", "c"]
    assert w.result["vocabulary"] == ["", "[UNK]", "b", "a", "c"]
    assert w.result["count"] == [[0, 0, 2, 1, 0], [0, 0, 0, 0, 1]]
    w.ngrams = 2
    assert w.result["ngrams"] == 2
    assert w.result["vocabulary"] == ["", "[UNK]", "b", "a", "a b", "b a", "c"]
    w.max_tokens = 4
    assert w.result["max_tokens"] == 4 and w.result["vocabulary"] == ["", "[UNK]", "b", "a"]
    assert w.result["count"] == [[0, 2, 2, 1], [0, 1, 0, 0]]
    assert w.result == vectorize_documents(["b a b", "c"], ngrams=2, max_tokens=4)
    w.max_tokens = None
    w.ngrams = 1
    assert w.result == vectorize_documents(["b a b", "c"])
    before = dict(w.result)
    w.mode = "count"  # only what the page shows: nothing to recompute
    assert w.result == before


def test_what_the_browser_sends_is_recomputed():
    w = VectorizerWidget()
    w.set_state({"documents": ["the cat", "the hat", "a cat", "the end"], "ngrams": 2,
                 "mode": "tf_idf_keras"})
    assert w.result["documents"] == ["the cat", "the hat", "a cat", "the end"]
    assert_close(w.result, reference(w.documents, 2))


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([],), {}, ValueError, "documents.*1 to 4"),
    ((["a", "b", "c", "d", "e"],), {}, ValueError, "documents.*1 to 4.*got 5"),
    (("the cat sat",), {}, TypeError, "documents"),
    ((5,), {}, TypeError, "documents"),
    ((["a", 3],), {}, TypeError, r"documents\[1\]"),
    ((["a", None],), {}, TypeError, r"documents\[1\]"),
    (([b"bytes"],), {}, TypeError, r"documents\[0\]"),
    ((), {"ngrams": 3}, ValueError, "ngrams"),
    ((), {"ngrams": 0}, ValueError, "ngrams"),
    ((), {"ngrams": "2"}, TypeError, "ngrams"),
    ((), {"ngrams": True}, TypeError, "ngrams"),
    ((), {"max_tokens": 1}, ValueError, "max_tokens"),
    ((), {"max_tokens": 2.5}, TypeError, "max_tokens"),
    ((), {"max_tokens": "10"}, TypeError, "max_tokens"),
    ((), {"mode": "tf_idf"}, ValueError, "mode"),
])
def test_bad_input_is_named(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        VectorizerWidget(*args, **kwargs)


def test_bad_input_to_vectorize_documents_is_named():
    with pytest.raises(ValueError, match="documents"):
        vectorize_documents([])
    with pytest.raises(TypeError, match=r"documents\[0\]"):
        vectorize_documents([1.5])
    with pytest.raises(ValueError, match="ngrams"):
        vectorize_documents(["a"], ngrams=5)
    with pytest.raises(ValueError, match="max_tokens"):
        vectorize_documents(["a"], max_tokens=0)


def test_bad_assignment_is_named_and_changes_nothing():
    w = VectorizerWidget()
    before = dict(w.result)
    with pytest.raises(ValueError, match="documents"):
        w.documents = []
    with pytest.raises(ValueError, match="documents"):
        w.documents = ["a"] * 5
    with pytest.raises(TypeError, match=r"documents\[0\]"):
        w.documents = [7]
    with pytest.raises(ValueError, match="ngrams"):
        w.ngrams = 3
    with pytest.raises(ValueError, match="max_tokens"):
        w.max_tokens = 1
    with pytest.raises(ValueError, match="mode"):
        w.mode = "everything"
    assert w.result == before and w.documents == DEFAULT and w.ngrams == 1
    assert w.mode == "all" and w.max_tokens is None


def test_esm_is_tokenize_js_then_vectorizer_js_and_documents_the_contract():
    w = VectorizerWidget()
    tokenize, own = TOKENIZE_JS.read_text(encoding="utf-8"), VEC_JS.read_text(encoding="utf-8")
    assert w._esm == tokenize + "\n" + own
    assert w._css == VEC_CSS.read_text(encoding="utf-8")
    assert w._esm.count("export default { render }") == 1
    header = own.split("const TL_VEC_MAX_DOCS")[0]
    for name in (".tl-vec ", "textarea.tl-vec-doc[data-doc=i]", "button.tl-vec-remove",
                 "button.tl-vec-add", "input.tl-vec-ngrams", "input.tl-vec-mode[value=V]",
                 ".tl-vec-vocab", "[data-index=j][data-token=T]", "data-count",
                 "table.tl-vec-matrix[data-mode=M]", "td[data-row=i][data-col=j][data-value=V]",
                 "tr.tl-vec-idf", ".tl-vec-status[data-source=S]", "max_tokens", "mode",
                 *MODES):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in own and "insertAdjacentHTML" not in own
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css
    assert set(VIEWS) == {*MODES, "all"}


def test_package_exports_lazily():
    assert "VectorizerWidget" in widgets.__all__
    assert widgets.VectorizerWidget is VectorizerWidget
    assert "VectorizerWidget" in dir(widgets)


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(VectorizerWidget._esm, tmp_path, "vectorizer")


# Words for generated documents: repeats (ties in count), case and punctuation that
# standardize removes, Korean, and characters whose UTF-16 order differs from Python's.
WORDS = ["the", "The", "cat", "CAT!", "sat", "on", "mat", "dog", "a", "a.", "don't", "x",
         "고양이가", "고양이", "잔다", "강아지", "😀", "\ufffd", "\ue000", "ﬁsh", "Straße",
         "naïve", "naı̈ve", "1", "2.5", "$5", "...", "—", "  ", "\u3000"]


def generated_cases(count: int, seed: int = 20260) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for k in range(count):
        n_docs = rng.randint(1, 4)
        docs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9)))
                for _ in range(n_docs)]
        ngrams = rng.choice([1, 2])
        max_tokens = rng.choice([None, None, None, 2, 3, 5, 8]) if k % 3 == 0 else None
        cases.append({"documents": docs, "ngrams": ngrams, "max_tokens": max_tokens})
    return cases


def test_browser_numbers_equal_text_vectorizer_under_node(tmp_path):
    """tlVecCompute (vectorizer.js after tokenize.js) on generated documents, under Node."""
    node = require_tool("node", shutil.which("node"))
    (tmp_path / "vectorizer.mjs").write_text(
        VectorizerWidget._esm + "\nexport { tlVecCompute, tlVecCmp };\n", encoding="utf-8")
    cases = generated_cases(150)
    cases += [{"documents": DEFAULT, "ngrams": n, "max_tokens": m}
              for n in (1, 2) for m in (None, 2, 4)]
    cases.append({"documents": ["", "?!", "..."], "ngrams": 2, "max_tokens": None})
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    probe = tmp_path / "probe.mjs"
    probe.write_text(
        "import { readFileSync } from 'node:fs';\n"
        "import { tlVecCompute, tlVecCmp } from './vectorizer.mjs';\n"
        "const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));\n"
        "const out = cases.map((c) => tlVecCompute(c.documents, c.ngrams, c.max_tokens));\n"
        "const order = ['\\ufffd', '\\u{1F600}', '\\ue000', 'a', '가'].sort(tlVecCmp);\n"
        "console.log(JSON.stringify({ out, order }));\n",
        encoding="utf-8",
    )
    run = subprocess.run([node, str(probe), str(tmp_path / "cases.json")], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["order"] == sorted(["\ufffd", "\U0001f600", "\ue000", "a", "가"])
    nonempty = 0
    for case, got in zip(cases, data["out"], strict=True):
        want = vectorize_documents(case["documents"], ngrams=case["ngrams"],
                                   max_tokens=case["max_tokens"])
        assert_close(got, want)
        if len(want["vocabulary"]) > 2:
            nonempty += 1
            assert_close(got, reference(case["documents"], case["ngrams"], case["max_tokens"]))
    assert nonempty > 100


# ---- vectorizer.js in a real browser, no kernel ------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-vec")[n];
  const items = [...root.querySelectorAll(".tl-vec-vocab [data-index]")];
  const out = {
    documents: [...root.querySelectorAll("textarea.tl-vec-doc")].map((t) => t.value),
    docIndices: [...root.querySelectorAll("textarea.tl-vec-doc")].map((t) => t.dataset.doc),
    indices: items.map((li) => li.dataset.index),
    vocabulary: items.map((li) => li.dataset.token),
    counts: items.map((li) => Number(li.dataset.count)),
    special: items.map((li) => li.classList.contains("tl-vec-special")),
    values: {}, texts: {}, idf: {}, visible: {}, cols: {},
  };
  for (const table of root.querySelectorAll("table.tl-vec-matrix")) {
    const m = table.dataset.mode;
    out.cols[m] = [...table.querySelectorAll("th.tl-vec-col")].map((th) => th.dataset.col);
    const rows = [...table.querySelectorAll("tr.tl-vec-row")];
    out.values[m] = rows.map((tr, i) => {
      if (tr.dataset.row !== String(i)) throw new Error("row order");
      return [...tr.querySelectorAll("td")].map((td, j) => {
        if (td.dataset.row !== String(i) || td.dataset.col !== String(j)) {
          throw new Error("cell order");
        }
        return td.dataset.value;
      });
    });
    out.texts[m] = rows.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
    const idf = table.querySelector("tr.tl-vec-idf");
    out.idf[m] = idf ? [...idf.querySelectorAll("td")].map((td) => td.dataset.value) : null;
    out.visible[m] = table.closest("section").hidden === false && table.offsetParent !== null;
  }
  const status = root.querySelector(".tl-vec-status");
  out.source = status.dataset.source;
  out.status = status.textContent;
  out.summary = root.querySelector(".tl-vec-summary").textContent;
  out.ngrams = root.querySelector("input.tl-vec-ngrams").checked;
  out.mode = root.querySelector("input.tl-vec-mode:checked").value;
  out.addDisabled = root.querySelector("button.tl-vec-add").disabled;
  out.removeDisabled = [...root.querySelectorAll("button.tl-vec-remove")].map((b) => b.disabled);
  return out;
}
"""


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 760, "height": 900}, body_style=WIDE_BODY)


def mount(page, widget: VectorizerWidget, width: int = 700, **state) -> int:
    data = {name: getattr(widget, name)
            for name in ("documents", "ngrams", "max_tokens", "mode", "result")}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-vec-css")


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def shown(data: dict) -> dict:
    out = {"vocabulary": data["vocabulary"]}
    for mode in MODES:
        out[mode] = [[float(v) for v in row] for row in data["values"][mode]]
    out["idf_keras"] = [float(v) for v in data["idf"]["tf_idf_keras"]]
    out["idf_sklearn"] = [float(v) for v in data["idf"]["tf_idf_sklearn"]]
    return out


def assert_page_matches(page, n: int = 0) -> dict:
    """Every number on the page equals TextVectorizer's for the documents in the text boxes."""
    data, state = read(page, n), model_state(page, n)
    assert data["documents"] == state["documents"]
    assert data["docIndices"] == [str(i) for i in range(len(data["documents"]))]
    assert data["ngrams"] == (state["ngrams"] == 2)
    want = (reference(state["documents"], state["ngrams"], state["max_tokens"])
            if any(TextVectorizer(ngrams=state["ngrams"]).analyze(d) for d in data["documents"])
            else vectorize_documents(state["documents"], ngrams=state["ngrams"],
                                     max_tokens=state["max_tokens"]))
    got = shown(data)
    assert_close(got, want)
    width = len(want["vocabulary"])
    assert data["indices"] == [str(j) for j in range(width)]
    assert data["special"] == [j < 2 for j in range(width)]
    for mode in MODES:
        assert data["cols"][mode] == [str(j) for j in range(width)]
        for row, texts in zip(data["values"][mode], data["texts"][mode], strict=True):
            for v, text in zip(row, texts, strict=True):
                v = float(v)
                if mode in ("multi_hot", "count"):
                    assert text == str(int(v)), (mode, text, v)
                else:
                    assert text == ("0" if v == 0 else f"{v:.2f}"), (mode, text, v)
    # data-count: each token's count in the documents (the count matrix's column sums).
    sums = [sum(row[j] for row in want["count"]) for j in range(width)]
    assert data["counts"] == sums
    assert "NaN" not in json.dumps(data)
    return data


def test_first_render_is_the_browsers_and_equals_python(page):
    w = VectorizerWidget()
    mount(page, w)
    root = page.locator(".tl-vec")
    assert root.count() == 1
    assert root.locator("textarea.tl-vec-doc").count() == 3
    assert root.locator("table.tl-vec-matrix").count() == 4
    data = assert_page_matches(page)
    assert_close(shown(data), w.result)
    assert data["vocabulary"] == w.result["vocabulary"]
    assert data["vocabulary"][:2] == ["", "[UNK]"]
    assert data["source"] == "browser"
    assert data["status"] == "Computed in your browser (no kernel needed)."
    assert data["mode"] == "all" and all(data["visible"].values())
    assert data["ngrams"] is False
    assert data["summary"].startswith("3 documents, 10 vocabulary entries (8 tokens")
    assert data["idf"]["multi_hot"] is None and data["idf"]["count"] is None
    assert data["addDisabled"] is False and data["removeDisabled"] == [False] * 3
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    mask = root.locator('.tl-vec-vocab [data-index="0"]')
    assert mask.get_attribute("data-token") == "" and mask.inner_text().startswith("0")
    assert '""' in mask.inner_text()
    assert root.locator('.tl-vec-vocab [data-index="1"]').get_attribute("data-token") == "[UNK]"
    the = root.locator('.tl-vec-vocab [data-token="the"]')
    assert the.get_attribute("data-index") == "2" and the.get_attribute("data-count") == "6"
    # Every vocabulary column has a cell in every row.
    assert root.locator('table[data-mode="count"] td[data-row]').count() == 3 * 10


def test_edit_a_document_and_toggle_bigrams(page):
    w = VectorizerWidget()
    mount(page, w)
    box = page.locator('textarea.tl-vec-doc[data-doc="1"]')
    box.fill("The dog sat on the dog's log, and the dog slept.")
    data = assert_page_matches(page)
    state = model_state(page)
    assert state["documents"][1] == "The dog sat on the dog's log, and the dog slept."
    assert state["documents"][0] == DEFAULT[0]
    assert page.evaluate("window.models[0].saves") >= 1
    assert "dogs" in data["vocabulary"] and "dog" in data["vocabulary"]
    # Typing one character at a time recomputes on each.
    box.press("End")
    box.type(" Cats!", delay=5)
    data = assert_page_matches(page)
    assert "cats" in data["vocabulary"]

    page.locator("input.tl-vec-ngrams").check()
    data = assert_page_matches(page)
    assert model_state(page)["ngrams"] == 2 and data["ngrams"] is True
    assert "the cat" in data["vocabulary"] and "sat on" in data["vocabulary"]
    box.fill("the cat sat")
    data = assert_page_matches(page)
    page.locator("input.tl-vec-ngrams").uncheck()
    data = assert_page_matches(page)
    assert model_state(page)["ngrams"] == 1
    assert not any(" " in t for t in data["vocabulary"])

    # What the page computed is what Python computes for the state the page sent.
    state = model_state(page)
    w.set_state({k: state[k] for k in ("documents", "ngrams")})
    assert_close(shown(read(page)), w.result)


def test_add_and_remove_documents_within_one_to_four(page):
    w = VectorizerWidget()
    mount(page, w)
    page.locator("button.tl-vec-add").click()
    data = read(page)
    assert len(data["documents"]) == 4 and data["documents"][3] == ""
    assert data["addDisabled"] is True
    focused = page.evaluate("document.activeElement.dataset.doc")
    assert focused == "3", "the new document's box has the focus"
    assert_page_matches(page)  # an empty fourth document: a row of zeros
    page.keyboard.type("a bird on the mat")
    data = assert_page_matches(page)
    assert model_state(page)["documents"][3] == "a bird on the mat"
    page.locator("button.tl-vec-add").click(force=True)  # disabled: nothing happens
    assert len(read(page)["documents"]) == 4

    page.locator('button.tl-vec-remove[data-doc="0"]').click()
    data = assert_page_matches(page)
    assert data["documents"] == [DEFAULT[1], DEFAULT[2], "a bird on the mat"]
    assert model_state(page)["documents"] == data["documents"]
    for _ in range(2):
        page.locator('button.tl-vec-remove[data-doc="0"]').click()
    data = assert_page_matches(page)
    assert data["documents"] == ["a bird on the mat"]
    assert data["removeDisabled"] == [True] and data["addDisabled"] is False
    assert data["summary"].startswith("1 document, ")
    page.locator('button.tl-vec-remove[data-doc="0"]').click(force=True)
    assert read(page)["documents"] == ["a bird on the mat"]
    # One document: every token has df = N = 1.
    assert_page_matches(page)


def test_empty_document_is_a_zero_row_not_nan(page):
    w = VectorizerWidget()
    mount(page, w)
    page.locator('textarea.tl-vec-doc[data-doc="2"]').fill("")
    data = assert_page_matches(page)
    for mode in MODES:
        assert data["values"][mode][2] == ["0"] * len(data["vocabulary"]), mode
    assert "d3 has no tokens" in data["summary"]
    page.locator('textarea.tl-vec-doc[data-doc="0"]').fill("?! ...")
    page.locator("input.tl-vec-ngrams").check()
    data = assert_page_matches(page)
    for mode in MODES:
        assert data["values"][mode][0] == ["0"] * len(data["vocabulary"]), mode
    # No tokens anywhere: only the two special slots, zeros everywhere.
    page.locator('textarea.tl-vec-doc[data-doc="1"]').fill("   ")
    data = assert_page_matches(page)
    assert data["vocabulary"] == ["", "[UNK]"]
    assert data["values"]["tf_idf_sklearn"] == [["0", "0"]] * 3
    assert "no tokens yet" in data["summary"]
    page.locator('textarea.tl-vec-doc[data-doc="1"]').fill("back again")
    assert assert_page_matches(page)["vocabulary"] == ["", "[UNK]", "again", "back",
                                                       "back again"]


def test_korean_documents(page):
    w = VectorizerWidget(["고양이가 앉았다", "강아지가 잔다"])
    mount(page, w)
    assert_close(shown(assert_page_matches(page)), w.result)
    page.locator('textarea.tl-vec-doc[data-doc="0"]').fill("고양이가 잔다. 고양이가 또 잔다!")
    page.locator('textarea.tl-vec-doc[data-doc="1"]').fill("ＮＥＷ 강아지가 잔다")
    data = assert_page_matches(page)
    assert data["vocabulary"][2:4] == ["잔다", "고양이가"]
    assert "new" in data["vocabulary"], "NFKC and case folding, as tokenlab.text"
    page.locator("input.tl-vec-ngrams").check()
    data = assert_page_matches(page)
    assert "고양이가 잔다" in data["vocabulary"]
    token = page.locator('.tl-vec-vocab [data-token="잔다"]')
    assert token.get_attribute("data-count") == "3" and token.get_attribute("data-index") == "2"


def test_max_tokens_sends_the_rest_to_unk(page):
    w = VectorizerWidget(max_tokens=5)
    mount(page, w)
    data = assert_page_matches(page)
    assert data["vocabulary"] == ["", "[UNK]", "the", "cat", "dog"]
    assert data["counts"][1] == 17 - 6 - 2 - 2
    assert [row[1] for row in data["values"]["count"]] == ["3", "3", "1"]
    # The [UNK] column: counted, the mean idf (Keras), dropped (scikit-learn).
    assert all(float(row[1]) > 0 for row in data["values"]["tf_idf_keras"])
    assert all(row[1] == "0" for row in data["values"]["tf_idf_sklearn"])
    assert "max_tokens = 5" in data["summary"]
    page.locator("input.tl-vec-ngrams").check()
    assert_page_matches(page)


def test_mode_buttons_show_one_matrix_or_all(page):
    w = VectorizerWidget()
    mount(page, w)
    page.locator('input.tl-vec-mode[value="count"]').check()
    data = read(page)
    assert data["mode"] == "count"
    assert data["visible"] == {m: m == "count" for m in MODES}
    assert model_state(page)["mode"] == "count"
    # Hidden tables are still there, and still right.
    assert_page_matches(page)
    page.locator('input.tl-vec-mode[value="tf_idf_sklearn"]').check()
    assert read(page)["visible"] == {m: m == "tf_idf_sklearn" for m in MODES}
    page.locator('input.tl-vec-mode[value="all"]').check()
    assert all(read(page)["visible"].values())
    assert model_state(page)["mode"] == "all"
    # Python chooses the view too.
    page.evaluate("window.models[0].set('mode', 'tf_idf_keras')")
    data = read(page)
    assert data["mode"] == "tf_idf_keras"
    assert data["visible"] == {m: m == "tf_idf_keras" for m in MODES}


def test_kernel_result_replaces_the_browsers_when_it_fits(page):
    w = VectorizerWidget()
    mount(page, w)
    page.locator('textarea.tl-vec-doc[data-doc="0"]').fill("a cat and a hat")
    state = model_state(page)
    # A live kernel: Python receives the state and answers through `result`.
    w.set_state({k: state[k] for k in ("documents", "ngrams")})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["status"] == "Computed by tokenlab in the Python kernel."
    assert_close(shown(data), w.result)
    # The kernel's float32 numbers are the ones shown.
    assert [float(v) for v in data["values"]["tf_idf_keras"][0]] == w.result["tf_idf_keras"][0]

    # A result for other documents (a stale answer) is not shown.
    stale = vectorize_documents(DEFAULT)
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "kernel"
    page.locator('textarea.tl-vec-doc[data-doc="0"]').fill("a cat and a bat")
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "browser"
    assert_page_matches(page)
    # ... nor one for other options.
    state = model_state(page)
    other = vectorize_documents(state["documents"], ngrams=2)
    page.evaluate("r => window.models[0].set('result', r)", other)
    assert read(page)["source"] == "browser"

    # A marked answer for exactly these documents is shown as it is.
    marked = vectorize_documents(state["documents"])
    marked["count"][0][2] = 123.25
    page.evaluate("r => window.models[0].set('result', r)", marked)
    data = read(page)
    assert data["source"] == "kernel" and data["values"]["count"][0][2] == "123.25"
    assert data["texts"]["count"][0][2] == "123.25"


def test_view_follows_changes_from_python(page):
    w = VectorizerWidget()
    mount(page, w)
    page.evaluate("window.models[0].set('documents', ['one fish', 'two fish', 'red fish'])")
    data = assert_page_matches(page)
    assert data["documents"] == ["one fish", "two fish", "red fish"]
    assert data["vocabulary"][2] == "fish"
    page.evaluate("window.models[0].set('ngrams', 2)")
    data = assert_page_matches(page)
    assert data["ngrams"] is True and "one fish" in data["vocabulary"]
    page.evaluate("window.models[0].set('max_tokens', 3)")
    data = assert_page_matches(page)
    assert data["vocabulary"] == ["", "[UNK]", "fish"]
    page.evaluate("window.models[0].set('documents', ['solo'])")
    data = assert_page_matches(page)
    assert data["removeDisabled"] == [True]
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"


def test_documents_are_text(page):
    w = VectorizerWidget(["<img src=x onerror=alert(1)> <b>bold</b>"])
    mount(page, w)
    root = page.locator(".tl-vec")
    assert root.locator("img").count() == 0 and root.locator("b").count() == 0
    data = assert_page_matches(page)
    assert "<img" in data["vocabulary"]


def test_readable_at_700px_and_two_widgets_are_independent(page):
    wide = VectorizerWidget(
        ["the quick brown fox jumps over the lazy dog", "a lazy dog sleeps all day long",
         "the fox and the dog are friends now", "고양이가 앉았다 강아지가 잔다"], ngrams=2)
    mount(page, wide)
    mount(page, VectorizerWidget(["x y", "y z"]))
    page.locator(".tl-vec").nth(1).locator('textarea.tl-vec-doc[data-doc="0"]').fill("x x x")
    assert read(page, 0)["documents"] == wide.documents
    assert_page_matches(page, 0)
    assert_page_matches(page, 1)
    names = page.eval_on_selector_all("input.tl-vec-mode", "els => els.map(e => e.name)")
    assert len(set(names)) == 2

    # Nothing sticks out of the 700 px column; the wide tables scroll inside the widget.
    root = page.locator(".tl-vec").first
    assert root.bounding_box()["width"] <= 700
    assert page.evaluate("document.querySelector('.tl-vec').scrollWidth") <= 700
    scroll = page.evaluate("""() => {
      const s = document.querySelector('.tl-vec .tl-vec-scroll');
      return [s.scrollWidth, s.clientWidth, getComputedStyle(s).overflowX];
    }""")
    assert scroll[0] > scroll[1] and scroll[2] == "auto"
    # The row names stay in view when a table is scrolled to its end.
    page.evaluate("document.querySelector('.tl-vec .tl-vec-scroll').scrollLeft = 1e6")
    head = root.locator('table[data-mode="multi_hot"] tr.tl-vec-row th').first.bounding_box()
    scroll_box = root.locator(".tl-vec-scroll").first.bounding_box()
    assert abs(head["x"] - scroll_box["x"]) < 2
    page.evaluate("document.querySelector('.tl-vec .tl-vec-scroll').scrollLeft = 0")
    # The text boxes are wide and legible.
    assert root.locator("textarea.tl-vec-doc").first.bounding_box()["width"] > 500
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                         "'.tl-vec-matrix td')).fontSize)")
    assert font >= 12
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    # Shading follows the value: the largest cell is the darkest.
    shades = page.evaluate("""() => [...document.querySelector('.tl-vec').querySelectorAll(
        'table[data-mode="count"] td[data-row]')].map(td =>
        [Number(td.dataset.value), Number(td.style.getPropertyValue('--tl-vec-a'))])""")
    top = max(v for v, _ in shades)
    assert all(abs(a - v / top) < 1e-3 for v, a in shades)


def test_dark_theme_colours_differ(page):
    mount(page, VectorizerWidget())
    cell = ("getComputedStyle(document.querySelector("
            "'.tl-vec table[data-mode=\"count\"] td[data-col=\"2\"]')).backgroundColor")
    bg = "getComputedStyle(document.querySelector('.tl-vec')).backgroundColor"
    light, light_bg = page.evaluate(cell), page.evaluate(bg)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e';"
                  "document.body.style.color = '#ced6dd'")
    dark, dark_bg = page.evaluate(cell), page.evaluate(bg)
    assert light != dark and light_bg != dark_bg
    page.locator(".tl-vec").screenshot(path=str(SCREENSHOT.with_name("vectorizer-widget-dark.png")))

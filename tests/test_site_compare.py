"""The tokenizer comparison widget on the built chapter page, in headless chromium, no kernel.

The page embeds the TokenizerCompareWidget's state (the book's BPE merges, BERT's vocabulary,
the encodings' patterns and the ``result`` tokenlab computed at build time); the browser fetches
the cl100k_base / o200k_base rank files from the site's own ``_static/vendor/tiktoken``. The
first render must equal that ``result``; after typing English and Korean sentences, every id,
token and count on the page must equal :func:`tokenlab.widgets.compare.compare_tokenizers`.
The DOM contract is documented at the top of ``lib/tokenlab/widgets/compare.js``.
"""

from __future__ import annotations

import pytest
from test_widgets_compare import READ

from conftest import ROOT, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/11_real_models.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
KEYS = ["bpe", "wordpiece", "cl100k_base", "o200k_base"]

SENTENCES = [
    "The weather is lovely today, and the tokenizers disagree about it.",
    "이 영화 정말 최고예요!!! 배우들의 연기가 좋았다",
    "GPT-4o와 BERT는 같은 문장을 다르게 자른다: New York, 뉴욕, café 👍🏽",
]


def compare_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, "tl-cmp-panel", "tokenizer comparison widget")


def test_compare_widget_matches_tokenlab(site_dir, open_page):
    from tokenlab.bpe import BPETokenizer
    from tokenlab.widgets.compare import compare_tokenizers

    model = compare_model(site_dir)
    assert [e["name"] for e in model["encodings"]] == KEYS[2:]
    for enc in model["encodings"]:
        assert (site_dir / "_static" / "vendor" / "tiktoken" / enc["file"]).is_file()
    bpe = BPETokenizer.from_dict(model["bpe"])
    wordpiece = model["wordpiece"]["name"]
    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    page.wait_for_selector(".tl-cmp[data-loaded='2']", timeout=60_000)

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    first = page.evaluate(READ, 0)
    assert first["source"] == "browser"
    for key in KEYS:
        assert first["panels"][key]["state"] == "ready", key
        assert first["panels"][key]["ids"] == model["result"]["tokenizers"][key]["ids"], key

    box = page.locator(".tl-cmp input.tl-cmp-input")
    for sentence in SENTENCES:
        box.fill("")
        box.type(sentence, delay=2)
        shown = page.evaluate(READ, 0)
        want = compare_tokenizers(sentence, bpe, wordpiece)
        assert shown["chars"] == len(sentence)
        for key in KEYS:
            panel, entry = shown["panels"][key], want[key]
            assert panel["ids"] == entry["ids"], (key, sentence)
            assert panel["tokens"] == entry["tokens"], (key, sentence)
            assert int(panel["count"]) == entry["count"]
            assert float(panel["ratio"]) == pytest.approx(entry["per_char"], rel=1e-12)

    # The rank files came from this site's _static (the watch refuses any other origin).
    fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"
                            ".filter((n) => n.endsWith('.tiktoken'))")
    assert sorted(u.rsplit("/", 1)[1] for u in fetched) == [e["file"] for e in model["encodings"]]
    assert all("/_static/vendor/tiktoken/" in u for u in fetched), fetched

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tl-cmp").scroll_into_view_if_needed()
    page.locator(".tl-cmp").screenshot(path=str(SCREENSHOTS / "chapter11-compare-widget.png"))
    chip = "getComputedStyle(document.querySelector('.tl-cmp-chip')).backgroundColor"
    light = page.evaluate(chip)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    assert page.evaluate(chip) != light
    page.locator(".tl-cmp").screenshot(path=str(SCREENSHOTS / "chapter11-compare-dark.png"))
    watch.assert_clean()

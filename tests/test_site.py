"""Browser tests of the built site, in headless chromium, served on 127.0.0.1.

Every page loads with no console error, no failed request and no request outside
127.0.0.1; the tokenizer widget renders and computes in the browser exactly what tokenlab
computes; the quiz grades a right and a wrong answer; solutions start hidden.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, open_pages, widget_model

pytestmark = pytest.mark.site

CHAPTER = "book/01_tokenization.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"


def site_pages(site_dir) -> list[str]:
    return sorted(
        str(p.relative_to(site_dir))
        for p in site_dir.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts
    )


def test_every_page_loads_clean(site_dir, open_page):
    pages = site_pages(site_dir)
    assert CHAPTER in pages and "index.html" in pages
    for path, page, watch in open_pages(open_page, pages):
        page.wait_for_load_state("networkidle")
        if "widget-state+json" in (site_dir / path).read_text(encoding="utf-8"):
            page.wait_for_selector(".widget-subarea", timeout=20_000)
            page.wait_for_load_state("networkidle")
        watch.assert_clean()


def tokenizer_model(site_dir) -> dict:
    return widget_model(site_dir, CHAPTER, "tl-tok-row", "tokenizer widget")


def read_levels(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => {
          const out = {};
          for (const row of document.querySelectorAll('.tl-tok .tl-tok-row')) {
            const chips = [...row.querySelectorAll('.tl-tok-chip')];
            out[row.dataset.level] = chips.map(c => c.dataset.token);
            if (row.dataset.level === 'bpe') out.bpe_ids = chips.map(c => Number(c.dataset.id));
          }
          return out;
        }"""
    )


SENTENCES = [
    "New York is not York, and South Korea is not Korea.",
    "이 영화 정말 최고예요!!! 배우들의 연기가 좋았다",
    "Ｆｕｌｌ-width ＡＢＣ, Straße & café; 뉴욕 (New York) 2026",
]


def test_tokenizer_widget_matches_tokenlab(site_dir, open_page):
    from tokenlab.bpe import BPETokenizer
    from tokenlab.widgets.tokenizer import tokenize_levels

    model = tokenizer_model(site_dir)
    bpe = BPETokenizer.from_dict(model["bpe"])
    page, watch = open_page(CHAPTER, viewport={"width": 1280, "height": 900})
    box = page.wait_for_selector(".tl-tok input.tl-tok-input", timeout=20_000)

    # The first render, computed by the browser, equals what tokenlab computed at build time.
    shown = read_levels(page)
    assert shown == model["result"]["levels"]
    assert page.get_attribute(".tl-tok-status", "data-source") == "browser"

    for sentence in SENTENCES:
        box.fill("")
        box.type(sentence, delay=2)
        expected = tokenize_levels(sentence, bpe)
        shown = read_levels(page)
        assert shown == expected, sentence
        counts = page.eval_on_selector_all(
            ".tl-tok-row .tl-tok-count", "els => els.map(e => e.textContent)"
        )
        assert counts[0] == f"{len(expected['word'])} tokens"

    page.uncheck(".tl-tok input.tl-tok-standardize")
    assert read_levels(page) == tokenize_levels(SENTENCES[-1], bpe, standardize=False)
    page.check(".tl-tok input.tl-tok-standardize")

    box.fill("")
    box.type("The cat sat on the mat. 고양이가 매트 위에 앉았다.", delay=2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tl-tok").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "chapter1-widget.png"))
    page.screenshot(path=str(SCREENSHOTS / "chapter1-full.png"), full_page=True)
    watch.assert_clean()


def test_quiz_grades_right_and_wrong_answers(site_dir, open_page):
    from tokenlab.exercises import load_quiz

    quiz = load_quiz("ch01")
    page, watch = open_page(CHAPTER)
    page.wait_for_selector(".tl-quiz .tl-quiz-q", timeout=20_000)
    questions = page.query_selector_all(".tl-quiz .tl-quiz-q")
    assert len(questions) == len(quiz.questions)

    first, second = quiz.questions[0], quiz.questions[1]
    right = first.answer
    wrong = (second.answer + 1) % len(second.choices)

    q0 = page.locator('.tl-quiz-q[data-q="0"]')
    q0.locator(f'input[type=radio][value="{right}"]').check()
    q0.locator("button.tl-quiz-check").click()
    assert q0.locator(".tl-quiz-feedback").get_attribute("data-correct") == "true"
    assert first.explanations[right] in q0.locator(".tl-quiz-feedback").inner_text()

    q1 = page.locator('.tl-quiz-q[data-q="1"]')
    q1.locator(f'input[type=radio][value="{wrong}"]').check()
    q1.locator("button.tl-quiz-check").click()
    assert q1.locator(".tl-quiz-feedback").get_attribute("data-correct") == "false"
    assert second.explanations[wrong] in q1.locator(".tl-quiz-feedback").inner_text()

    assert page.locator(".tl-quiz-score").inner_text().startswith(
        f"1 / {len(quiz.questions)}"
    )
    watch.assert_clean()


def test_solutions_start_hidden_and_open_on_click(open_page):
    page, watch = open_page(CHAPTER)
    solutions = page.locator("details.solution, .solution.dropdown")
    assert solutions.count() >= 2
    first = solutions.first
    code = first.locator("pre").first
    assert not code.is_visible(), "a solution is visible before the reader asks for it"
    first.locator("summary, .dropdown-title, button").first.click()
    code.wait_for(state="visible", timeout=5_000)
    watch.assert_clean()

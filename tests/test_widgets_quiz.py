"""tokenlab.widgets.quiz: the Python side, the JavaScript's syntax, and (with chromium) the
quiz graded by quiz.js alone, against a stand-in model, with no kernel and no book build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import traitlets

import tokenlab.widgets as widgets
from tokenlab.exercises import load_quiz
from tokenlab.widgets.quiz import QuizWidget, show_quiz
from widget_harness import blank_page
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
QUIZ_JS = HERE / "quiz.js"
QUIZ_CSS = HERE / "quiz.css"


def test_traits_hold_the_quiz():
    quiz = load_quiz("ch01")
    w = QuizWidget(quiz)
    assert w.questions == quiz.to_dict()["questions"]
    assert w.title == quiz.title and w.chapter == "ch01"
    assert w.answers == {}
    for name in ("questions", "title", "chapter", "answers"):
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["questions"], traitlets.List)
    assert isinstance(w.traits()["answers"], traitlets.Dict)
    state = w.get_state()
    assert state["questions"] == w.questions
    json.dumps(state)  # what Jupyter Book embeds in the page must be JSON


def test_esm_and_css_are_the_files():
    w = QuizWidget("ch01")
    assert w._esm == QUIZ_JS.read_text(encoding="utf-8")
    assert w._css == QUIZ_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    for name in (".tl-quiz", ".tl-quiz-q", ".tl-quiz-check", ".tl-quiz-feedback",
                 ".tl-quiz-score", "data-correct"):
        assert name in w._esm.split("let tlQuizInstances")[0], f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css


def test_constructors_and_helper():
    quiz = load_quiz("ch01")
    assert QuizWidget("ch01").questions == QuizWidget(quiz.to_dict()).questions
    assert isinstance(show_quiz("ch01"), QuizWidget)
    with pytest.raises(ValueError, match="chapter_id.*ch01"):
        show_quiz("ch42")
    with pytest.raises(TypeError, match="quiz"):
        QuizWidget(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="questions"):
        QuizWidget({"chapter": "x", "title": "x", "questions": []})


def test_score_is_graded_in_python():
    w = show_quiz("ch01")
    qs = w.quiz.questions
    wrong = (qs[1].answer + 1) % len(qs[1].choices)
    w.answers = {
        "0": {"choice": qs[0].answer, "correct": True},
        "1": {"choice": wrong, "correct": True},  # the browser's flag is not trusted
        "2": {"choice": True},  # junk is ignored
        "9": {"choice": 0},
        "x": {},
    }
    assert w.score == (1, len(qs))


def test_package_exports_lazily():
    assert {"QuizWidget", "show_quiz"} <= set(widgets.__all__)
    assert widgets.QuizWidget is QuizWidget and widgets.show_quiz is show_quiz
    assert "QuizWidget" in dir(widgets)
    with pytest.raises(AttributeError, match="NoSuchWidget"):
        widgets.NoSuchWidget  # noqa: B018


def test_quiz_js_parses(tmp_path):
    node = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if node is None:
        pytest.skip("node is not installed")
    copy = tmp_path / "quiz.mjs"
    copy.write_text(QUIZ_JS.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ---- quiz.js in a real browser, no kernel -------------------------------------------------

@pytest.fixture
def page(browser):
    yield from blank_page(browser)


def mount(page, widget: QuizWidget, **state) -> int:
    data = {"questions": widget.questions, "title": widget.title, "answers": widget.answers}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data)


def test_quiz_grades_in_the_browser(page):
    w = show_quiz("ch01")
    qs = w.quiz.questions
    mount(page, w)
    root = page.locator(".host").nth(0).locator(".tl-quiz")
    assert root.count() == 1
    assert root.locator(".tl-quiz-title").inner_text() == w.title
    forms = root.locator("form.tl-quiz-q")
    assert forms.count() == len(qs)
    score = root.locator(".tl-quiz-score")
    assert score.inner_text() == f"0 / {len(qs)} correct"
    assert score.get_attribute("aria-live") == "polite"

    for i, q in enumerate(qs):
        form = root.locator(f'.tl-quiz-q[data-q="{i}"]')
        assert form.locator("fieldset > legend").inner_text() == f"{i + 1}. {q.prompt}"
        radios = form.locator("input[type=radio]")
        assert radios.count() == len(q.choices)
        names = {radios.nth(j).get_attribute("name") for j in range(len(q.choices))}
        assert len(names) == 1
        for j, choice in enumerate(q.choices):
            label = form.locator(f'label.tl-quiz-choice[data-choice="{j}"]')
            assert label.locator(f'input[type=radio][value="{j}"]').count() == 1
            assert label.inner_text().strip() == choice
        feedback = form.locator(".tl-quiz-feedback")
        assert feedback.get_attribute("aria-live") == "polite"
        assert feedback.get_attribute("role") == "status"
        assert feedback.get_attribute("data-correct") is None
        assert form.locator("button.tl-quiz-check").get_attribute("type") == "button"

    # No choice yet: a prompt, no verdict.
    q0 = root.locator('.tl-quiz-q[data-q="0"]')
    q0.locator("button.tl-quiz-check").click()
    assert q0.locator(".tl-quiz-feedback").get_attribute("data-correct") is None
    assert q0.locator(".tl-quiz-feedback").get_attribute("data-state") == "empty"

    # A right answer, then a wrong one.
    right, wrong = qs[0].answer, (qs[1].answer + 1) % len(qs[1].choices)
    q0.locator(f'input[type=radio][value="{right}"]').check()
    q0.locator("button.tl-quiz-check").click()
    fb0 = q0.locator(".tl-quiz-feedback")
    assert fb0.get_attribute("data-correct") == "true"
    assert fb0.inner_text().startswith("✓ Correct.")
    assert qs[0].explanations[right] in fb0.inner_text()
    assert "tl-quiz-choice-right" in q0.locator(f'[data-choice="{right}"]').get_attribute("class")

    q1 = root.locator('.tl-quiz-q[data-q="1"]')
    q1.locator(f'input[type=radio][value="{wrong}"]').check()
    q1.locator("button.tl-quiz-check").click()
    fb1 = q1.locator(".tl-quiz-feedback")
    assert fb1.get_attribute("data-correct") == "false"
    assert fb1.inner_text().startswith("✗ Not quite.")
    assert qs[1].explanations[wrong] in fb1.inner_text()
    assert qs[1].explanations[qs[1].answer] not in fb1.inner_text()
    assert score.inner_text() == f"1 / {len(qs)} correct"

    # The answers reach the model (and, in a kernel, Python), which grades them the same way.
    synced = page.evaluate("window.models[0].state.answers")
    assert synced == {"0": {"choice": right, "correct": True},
                      "1": {"choice": wrong, "correct": False}}
    assert page.evaluate("window.models[0].saves") == 2
    w.answers = synced
    assert w.score == (1, len(qs))

    # Enter on a radio button checks too; a right answer after a wrong one counts.
    q1.locator(f'input[type=radio][value="{qs[1].answer}"]').check()
    assert fb1.get_attribute("data-correct") is None, "a new choice clears the old verdict"
    q1.locator(f'input[type=radio][value="{qs[1].answer}"]').press("Enter")
    assert fb1.get_attribute("data-correct") == "true"
    assert score.inner_text() == f"2 / {len(qs)} correct"

    # Changing a checked answer clears its feedback and its point.
    q0.locator(f'input[type=radio][value="{(right + 1) % len(qs[0].choices)}"]').check()
    assert fb0.inner_text() == ""
    assert score.inner_text() == f"1 / {len(qs)} correct"
    assert "0" not in page.evaluate("window.models[0].state.answers")


def test_quiz_restores_answers_and_escapes_text(page):
    w = QuizWidget({"chapter": "demo", "title": "<b>Demo</b>", "questions": [
        {"prompt": "<img src=x onerror=alert(1)>?", "choices": ["<i>a</i>", "b & c"],
         "answer": 1, "explanations": ["<script>no</script>", "Yes & yes."]},
        {"prompt": "Second?", "choices": ["x", "y", "z"], "answer": 0,
         "explanations": ["Right.", "No.", "No!"]},
    ]})
    mount(page, w, answers={"0": {"choice": 1, "correct": False}, "1": {"choice": 7}})
    root = page.locator(".tl-quiz")
    assert root.locator("img, script, i, b").count() == 0
    assert root.locator(".tl-quiz-title").inner_text() == "<b>Demo</b>"
    assert root.locator('[data-q="0"] legend').inner_text() == "1. <img src=x onerror=alert(1)>?"
    q0 = root.locator('[data-q="0"]')
    assert q0.locator('input[value="1"]').is_checked()
    fb = q0.locator(".tl-quiz-feedback")
    assert fb.get_attribute("data-correct") == "true", "graded from the choice, not the flag"
    assert "Yes & yes." in fb.inner_text()
    assert root.locator('[data-q="1"] .tl-quiz-feedback').get_attribute("data-correct") is None
    assert root.locator(".tl-quiz-score").inner_text() == "1 / 2 correct"

    # Python (or another view) resets the answers: the view follows.
    page.evaluate("window.models[0].set('answers', {})")
    assert fb.get_attribute("data-correct") is None
    assert root.locator(".tl-quiz-score").inner_text() == "0 / 2 correct"


def test_two_quizzes_on_one_page_are_independent(page):
    w = show_quiz("ch01")
    mount(page, w)
    mount(page, w)
    first, second = page.locator(".tl-quiz").nth(0), page.locator(".tl-quiz").nth(1)
    name_0 = first.locator('[data-q="0"] input[type=radio]').first.get_attribute("name")
    name_1 = second.locator('[data-q="0"] input[type=radio]').first.get_attribute("name")
    assert name_0 != name_1
    answer = w.quiz.questions[0].answer
    other = (answer + 1) % len(w.quiz.questions[0].choices)
    first.locator(f'[data-q="0"] input[value="{answer}"]').check()
    second.locator(f'[data-q="0"] input[value="{other}"]').check()
    assert first.locator(f'[data-q="0"] input[value="{answer}"]').is_checked()
    first.locator('[data-q="0"] button.tl-quiz-check').click()
    assert first.locator(".tl-quiz-score").inner_text().startswith("1 / ")
    assert second.locator(".tl-quiz-score").inner_text().startswith("0 / ")

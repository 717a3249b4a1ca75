"""tokenlab.exercises and tokenlab.exercise_bank: checkers, results, quizzes."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from tokenlab import exercises as ex
from tokenlab.exercise_bank import ch01
from tokenlab.exercises import CheckResult, Quiz, check, exercise, load_quiz
from tokenlab.text import char_tokens, jamo_tokens, standardize, to_jamo, word_tokens

# ---- reference answers, written as a reader would -------------------------------------------


def bigrams(tokens):
    return [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def count_types(texts, level):
    split = {"word": word_tokens, "char": char_tokens, "jamo": jamo_tokens}[level]
    return len({tok for t in texts for tok in split(standardize(t))})


def syllable_to_jamo(ch):
    index = ord(ch) - 0xAC00
    initial, rest = divmod(index, 21 * 28)
    vowel, final = divmod(rest, 28)
    jamo = chr(0x1100 + initial) + chr(0x1161 + vowel)
    return jamo + (chr(0x11A7 + final) if final else "")


RIGHT = {
    "ch01-bigrams": bigrams,
    "ch01-vocab-size": count_types,
    "ch01-jamo": syllable_to_jamo,
}

# Typical wrong answers, and a function of the failing input that gives the right output.
WRONG = {
    "ch01-bigrams": [
        lambda tokens: [],
        lambda tokens: [a + b for a, b in zip(tokens, tokens[1:], strict=False)],
        lambda tokens: list(zip(tokens, tokens[1:], strict=False)),
        lambda tokens: [f"{a} {b}" for a, b in zip(tokens, tokens[2:], strict=False)],
        lambda tokens: " ".join(tokens),
        lambda tokens: None,
    ],
    "ch01-vocab-size": [
        lambda texts, level: 0,
        lambda texts, level: len({t for s in texts for t in s.split()}),  # no standardize
        lambda texts, level: sum(len(set(word_tokens(standardize(s)))) for s in texts),
        lambda texts, level: len({t for s in texts for t in standardize(s)}),  # keeps spaces
        lambda texts, level: str(count_types(texts, level)),
    ],
    "ch01-jamo": [
        lambda ch: ch,
        lambda ch: unicodedata.normalize("NFKD", ch)[:2],
        lambda ch: syllable_to_jamo(ch) + "\u11a7" if len(syllable_to_jamo(ch)) == 2 else
        syllable_to_jamo(ch),
        lambda ch: [syllable_to_jamo(ch)],
    ],
}


def expected_outputs(exercise_id):
    """Every hidden case's expected output, as the checkers compute them."""
    if exercise_id == "ch01-bigrams":
        return [bigrams(t) for t in ch01.BIGRAM_INPUTS]
    if exercise_id == "ch01-vocab-size":
        return [count_types(t, lv) for t, lv in ch01.VOCAB_INPUTS]
    return [to_jamo(ch) for ch in ch01.JAMO_INPUTS]


def test_chapter_1_exercises_are_registered():
    assert {"ch01-bigrams", "ch01-vocab-size", "ch01-jamo"} <= set(ex.exercises())
    assert ex.exercises() == sorted(ex.exercises())
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert isinstance(result, CheckResult)
    assert result.passed and bool(result)
    assert result.n_passed == result.n_cases >= 5
    assert result.message == f"All {result.n_cases} hidden cases passed."
    assert "hint" not in result.message


def test_other_right_answers_pass():
    assert check("ch01-bigrams", lambda t: tuple(" ".join(p) for p in zip(t, t[1:],
                                                                         strict=False)))
    assert check("ch01-jamo", lambda ch: unicodedata.normalize("NFD", ch))
    assert check("ch01-vocab-size", lambda texts, level: np.int64(count_types(texts, level)))


def test_reference_jamo_agrees_with_nfd_on_every_syllable():
    syllables = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
    assert to_jamo(syllables) == unicodedata.normalize("NFD", syllables)
    assert "".join(map(syllable_to_jamo, syllables)) == to_jamo(syllables)


@pytest.mark.parametrize(
    ("exercise_id", "index"),
    [(e, i) for e, answers in sorted(WRONG.items()) for i in range(len(answers))],
)
def test_wrong_answers_fail_with_a_hint_not_the_solution(exercise_id, index):
    answer = WRONG[exercise_id][index]
    result = check(exercise_id, answer)
    assert not result.passed and not bool(result)
    hint = ex.get_exercise(exercise_id).hint
    assert re.match(rf"{result.n_passed} of {result.n_cases} hidden cases passed\. For ",
                    result.message), result.message
    assert result.message.endswith(f"; hint: {hint}")
    assert result.n_passed < result.n_cases
    # The expected output of the first failing case is never shown.
    inputs = {"ch01-bigrams": [(t,) for t in ch01.BIGRAM_INPUTS],
              "ch01-vocab-size": ch01.VOCAB_INPUTS,
              "ch01-jamo": [(c,) for c in ch01.JAMO_INPUTS]}[exercise_id]
    for args, expected in zip(inputs, expected_outputs(exercise_id), strict=True):
        try:
            got = answer(*args)
        except Exception:
            got = None
        if got != expected or type(got) is not type(expected):
            break
    # What the message says besides the reader's own output (which may hold right parts).
    shown = result.message.split("; hint:")[0]
    if isinstance(expected, int):
        assert not re.search(rf"returned {expected}\b", shown), shown
    else:
        shown = shown.replace(ex.short_repr(got), "<got>")
        assert repr(expected) not in shown
        if isinstance(expected, str):
            assert expected not in shown


def test_failure_message_names_the_input_and_the_returned_value():
    result = check("ch01-bigrams", lambda tokens: [])
    assert result.message.startswith(
        "2 of 6 hidden cases passed. For input ['new', 'york', 'is', 'big'] "
        "your function returned []"
    )
    result = check("ch01-vocab-size", lambda texts, level: 0)
    assert "For texts=['The cat sat.', 'The CAT sat on the mat!'] and level='word'" in (
        result.message)
    result = check("ch01-jamo", lambda ch: ch)
    assert "For input '가' your function returned '가' (U+AC00)" in result.message


def test_typical_mistakes_get_a_remark():
    compat = {"가": "ㄱㅏ"}
    result = check("ch01-jamo", lambda ch: compat.get(ch, "ㅎㅏㄴ"))
    assert "compatibility jamo" in result.message
    result = check("ch01-jamo", WRONG["ch01-jamo"][2])
    assert "U+11A7 is not a jamo" in result.message
    result = check("ch01-bigrams", WRONG["ch01-bigrams"][1])
    assert "join the two tokens of a pair with one space" in result.message
    result = check("ch01-bigrams", WRONG["ch01-bigrams"][2])
    assert "one string" in result.message
    result = check("ch01-bigrams", lambda tokens: None)
    assert "returned None, a NoneType, not a list of str" in result.message
    result = check("ch01-vocab-size", WRONG["ch01-vocab-size"][4])
    assert "a str, not an int" in result.message


def test_raising_answers_are_reported_not_raised():
    def broken(tokens):
        return {"a": 1}["jamo"]

    result = check("ch01-bigrams", broken)
    assert not result.passed
    assert "your function raised KeyError: 'jamo'" in result.message
    assert result.n_passed == 0

    def fails_on_empty(tokens):
        return bigrams(tokens) if tokens else tokens[0]

    result = check("ch01-bigrams", fails_on_empty)
    assert "5 of 6" in result.message
    assert "For input [] your function raised IndexError: list index out of range" in (
        result.message)


def test_answers_that_are_not_functions():
    result = check("ch01-jamo", "가")
    assert not result.passed
    assert "your function itself" in result.message and "of type str" in result.message
    result = check("ch01-bigrams", bigrams(["a", "b"]))
    assert not result.passed and "of type list" in result.message


def test_mutating_the_input_does_not_leak_between_cases():
    calls = []

    def greedy(tokens):
        calls.append(list(tokens))
        out = bigrams(tokens)
        tokens.clear()
        return out

    assert check("ch01-bigrams", greedy)
    assert calls == ch01.BIGRAM_INPUTS


def test_unknown_ids():
    with pytest.raises(ValueError, match="ch01-bigrams.*ch01-jamo.*ch01-vocab-size"):
        check("ch01-bigram", bigrams)
    with pytest.raises(TypeError, match="exercise_id"):
        check(1, bigrams)  # type: ignore[arg-type]


@pytest.fixture
def registry(monkeypatch):
    ex.exercises()  # the bank is loaded before the registry is swapped
    monkeypatch.setattr(ex, "_REGISTRY", dict(ex._REGISTRY))
    return ex._REGISTRY


def test_value_answers_and_registration(registry):
    @exercise("test-capital", title="Capital", hint="Think of the Han river.")
    def check_capital(answer):
        return [None if answer == "Seoul" else f"You answered {ex.short_repr(answer)}"]

    assert "test-capital" in ex.exercises()
    assert check("test-capital", "Seoul").passed
    result = check("test-capital", "Busan")
    assert result.message == ("0 of 1 hidden cases passed. You answered 'Busan'; "
                              "hint: Think of the Han river.")
    # Registering the same checker again (a module reload) is fine; another one is not.
    exercise("test-capital", title="Capital", hint="again")(check_capital)
    with pytest.raises(ValueError, match="already registered"):
        exercise("test-capital", title="x", hint="y")(lambda answer: [None])
    with pytest.raises(ValueError, match="exercise_id"):
        exercise("Chapter 1!", title="x", hint="y")
    with pytest.raises(TypeError, match="hint"):
        exercise("test-x", title="x", hint=None)  # type: ignore[arg-type]


def test_a_checker_broken_by_the_answer_still_answers(registry):
    @exercise("test-broken", title="Broken", hint="h")
    def check_broken(answer):
        return [None if answer.upper() == "A" else "no"]

    result = check("test-broken", 3)
    assert not result.passed
    assert "could not be graded (AttributeError" in result.message


def test_run_cases_compare_that_raises_is_a_failure():
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("no")

        def __repr__(self):
            raise RuntimeError("no repr either")

    out = ex.run_cases(lambda: Weird(), [ex.Case((), 1)])
    assert out == ["For input  your function returned <Weird object; repr raised RuntimeError>"]


def test_check_result_display():
    good = CheckResult("ch01-x", "Title", True, "All 3 hidden cases passed.", 3, 3)
    bad = CheckResult("ch01-x", "<b>Title</b>", False,
                      "For input '<script>alert(1)</script>' your function returned [*a*]", 0, 3)
    assert str(good).startswith("✓ Title") and str(bad).startswith("✗ <b>Title</b>")
    good_html, bad_html = good._repr_html_(), bad._repr_html_()
    assert "✓" in good_html and 'data-passed="true"' in good_html
    assert "✗" in bad_html and 'data-passed="false"' in bad_html
    assert "<script>" not in bad_html and "&lt;script&gt;" in bad_html
    assert "<b>" not in bad_html
    markdown = bad._repr_markdown_()
    assert "✗" in markdown and "\\*a\\*" in markdown and "<script>" not in markdown
    assert "✓" in good._repr_markdown_()


# ---- quizzes ----------------------------------------------------------------------------------

QUIZ_FILE = Path(ex.__file__).parent / "data" / "quiz_ch01.json"


def test_chapter_1_quiz_validates():
    quiz = load_quiz("ch01")
    assert isinstance(quiz, Quiz) and quiz.chapter == "ch01" and quiz.title
    assert 5 <= len(quiz.questions) <= 6
    assert quiz.to_dict() == json.loads(QUIZ_FILE.read_text(encoding="utf-8"))
    assert "ch01" in ex.quizzes()


def test_every_choice_has_an_explanation():
    for q in load_quiz("ch01").questions:
        assert len(q.choices) >= 2 and len(q.explanations) == len(q.choices)
        assert all(e.strip() for e in q.explanations)
        assert 0 <= q.answer < len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)


def test_quiz_covers_chapter_1():
    text = json.dumps(load_quiz("ch01").to_dict(), ensure_ascii=False)
    for topic in ("standardize", "New York", "어절", "음절", "자모", "BPE", "NFKC",
                  "casefold"):
        assert topic in text, topic


def test_quiz_answers_agree_with_tokenlab():
    questions = load_quiz("ch01").questions
    std = next(q for q in questions if "standardize(" in q.prompt)
    assert std.choices[std.answer] == '"' + standardize("Don't STOP..now!!") + '"'
    assert std.choices[2] == '"' + standardize("Don't STOP..now!!", "nfkc") + '"'
    korean = next(q for q in questions if "어절" in q.prompt)
    sentence = "나는 학교에 갔다"
    n_words, n_chars = len(word_tokens(sentence)), len(char_tokens(sentence))
    assert korean.choices[korean.answer] == f"{n_words} eojeol and {n_chars} syllables"
    assert str(len(jamo_tokens(sentence))) in korean.choices[3]
    nfkc = next(q for q in questions if "ＡＢＣ" in q.prompt)
    assert "ABC" in nfkc.choices[nfkc.answer]
    assert standardize("ＡＢＣ ﬁ", lowercase=False) == "ABC fi"


GOOD = {"prompt": "1 + 1?", "choices": ["1", "2"], "answer": 1,
        "explanations": ["Count again.", "Yes."]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": 2}, r"questions\[0\]\.answer must be between 0 and 1"),
        ({"answer": True}, r"questions\[0\]\.answer must be an integer"),
        ({"answer": "1"}, r"questions\[0\]\.answer must be an integer"),
        ({"explanations": ["only one"]}, r"questions\[0\]\.explanations must be a list"),
        ({"explanations": ["", "Yes."]}, r"questions\[0\]\.explanations\[0\]"),
        ({"choices": ["2", "2"]}, r"questions\[0\]\.choices must be distinct"),
        ({"choices": ["2"], "explanations": ["x"], "answer": 0}, r"at least 2"),
        ({"prompt": ""}, r"questions\[0\]\.prompt must be a non-empty string"),
        ({"hint": "extra"}, r"questions\[0\] has unknown keys hint"),
        ({"answer": None}, r"questions\[0\]\.answer"),
    ],
)
def test_malformed_questions_are_rejected(change, message):
    question = {**GOOD, **change}
    with pytest.raises(ValueError, match=message):
        Quiz.from_dict({"chapter": "demo", "title": "Demo", "questions": [question]})


def test_malformed_quizzes_are_rejected():
    with pytest.raises(ValueError, match="JSON object"):
        Quiz.from_dict([GOOD])
    with pytest.raises(ValueError, match="missing title"):
        Quiz.from_dict({"chapter": "demo", "questions": [GOOD]})
    with pytest.raises(ValueError, match="questions must be a non-empty list"):
        Quiz.from_dict({"chapter": "demo", "title": "Demo", "questions": {}})
    q = {k: v for k, v in GOOD.items() if k != "answer"}
    with pytest.raises(ValueError, match=r"questions\[0\] is missing answer"):
        Quiz.from_dict({"chapter": "demo", "title": "Demo", "questions": [q]})


def test_load_quiz_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="ch01"):
        load_quiz("ch99")
    with pytest.raises(TypeError, match="chapter_id"):
        load_quiz(1)  # type: ignore[arg-type]
    monkeypatch.setattr(ex, "_quiz_dir", lambda: tmp_path)
    (tmp_path / "quiz_bad.json").write_text('{"chapter": "bad", ', encoding="utf-8")
    (tmp_path / "quiz_other.json").write_text(
        json.dumps({"chapter": "ch07", "title": "T", "questions": [GOOD]}), encoding="utf-8")
    assert ex.quizzes() == ["bad", "other"]
    with pytest.raises(ValueError, match="quiz_bad.json is not valid JSON"):
        load_quiz("bad")
    with pytest.raises(ValueError, match="chapter must be 'other'"):
        load_quiz("other")
    with pytest.raises(ValueError, match="bad, other"):
        load_quiz("../quiz_bad")

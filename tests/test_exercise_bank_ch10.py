"""Chapter 10 in tokenlab.exercise_bank: checkers, hints and the quiz."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from conftest import UnusableAnswer, assert_fails_with_remark
from tokenlab import exercises as ex
from tokenlab.exercise_bank import ch10
from tokenlab.exercises import check, load_quiz
from tokenlab.lm import korean_number

# ---- reference answers, written as a reader would -------------------------------------------


def reading(n):
    def group(g):
        out = ""
        for power, unit in ((3, "천"), (2, "백"), (1, "십"), (0, "")):
            digit = g // 10**power % 10
            if digit:
                out += ("" if digit == 1 and unit else "영일이삼사오육칠팔구"[digit]) + unit
        return out

    if n == 0:
        return "영"
    upper, lower = divmod(n, 10000)
    text = (("" if upper == 1 else group(upper)) + "만") if upper else ""
    return text + group(lower)


def cross_attend(x, memory, memory_mask):
    scores = x @ memory.T / math.sqrt(x.shape[-1])
    weights = torch.softmax(scores.masked_fill(~memory_mask, float("-inf")), dim=-1)
    return weights @ memory, weights


RIGHT = {"ch10-korean-number": reading, "ch10-cross-attention": cross_attend}
CASES = {"ch10-korean-number": ch10.reading_cases,
         "ch10-cross-attention": ch10.cross_attention_cases}


# ---- typical wrong answers and the remark each must get ---------------------------------------


def _digit_by_digit(n):
    return "".join("영일이삼사오육칠팔구"[int(d)] for d in str(n))


def _no_silent_one(n):
    def group(g):
        out = ""
        for power, unit in ((3, "천"), (2, "백"), (1, "십"), (0, "")):
            digit = g // 10**power % 10
            if digit:
                out += "영일이삼사오육칠팔구"[digit] + unit
        return out

    if n == 0:
        return "영"
    upper, lower = divmod(n, 10000)
    return ((group(upper) + "만") if upper else "") + group(lower)


def _zeros_read(n):
    s = reading(n)
    return s if "0" not in str(n) or n == 0 else s + "영"


def _no_groups(n):
    units = ["", "십", "백", "천", "만", "십만", "백만"]
    digits = str(n)
    out = ""
    for i, d in enumerate(digits):
        place = len(digits) - 1 - i
        if d != "0":
            out += ("" if d == "1" and place else "영일이삼사오육칠팔구"[int(d)]) + units[place]
    return out or "영"


def _repeated_man(n):
    if n < 100000:
        return reading(n)
    upper, lower = divmod(n, 10000)
    return "".join(ch + ("만" if ch in "십백" else "") for ch in reading(upper)) + "만" + \
        reading(lower).replace("영", "")


def _mask_scores(x, memory, mask, scale=None, keys=None, dim=-1, masked=True):
    k = memory if keys is None else keys
    scale = 1 / math.sqrt(x.shape[-1]) if scale is None else scale
    scores = x @ k.T * scale
    if masked:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=dim)
    return weights @ memory, weights


WRONG = {
    "ch10-korean-number": [
        (_digit_by_digit, "zero digits are not read at all"),
        (lambda n: _digit_by_digit(n).replace("영", ""), "the reading is empty"),
        (_no_silent_one, "a 1 before 십, 백 or 천 is silent"),
        (lambda n: "일만" + (reading(n % 10000) if n % 10000 else "") if n // 10000 == 1
         else reading(n),
         "10,000 is 만, not 일만"),
        (_zeros_read, "zero digits are not read at all"),
        (_no_groups, "만 comes once"),
        (lambda n: reading(n).replace("만", ""), "read the digits in groups of four"),
        (lambda n: n, "return the reading as a str, not a int"),
        (lambda n: list(reading(n)), "return the reading as a str, not a list"),
    ],
    "ch10-cross-attention": [
        (lambda x, m, k: _mask_scores(x, m, k, masked=False), "the padding of the source"),
        (lambda x, m, k: _mask_scores(x, m, ~k), "you hid the real tokens"),
        (lambda x, m, k: _mask_scores(x, m, k, scale=1.0), "the scores are not scaled"),
        (lambda x, m, k: _mask_scores(x, m, k, scale=1 / x.shape[-1]), "not by d"),
        (lambda x, m, k: _mask_scores(x, m, k, dim=0), "take the softmax over the source"),
        (lambda x, m, k: _mask_scores(x, m, k)[::-1], "the two results are swapped"),
        (lambda x, m, k: _mask_scores(x, m, k)[0], "return both results, as a pair"),
        (lambda x, m, k: (_mask_scores(x, m, k)[1] @ x[:1].expand(m.shape[0], -1),
                          _mask_scores(x, m, k)[1]), "the weights are right but the output"),
    ],
}


def _wrong_ids():
    return [(e, i) for e, answers in sorted(WRONG.items()) for i in range(len(answers))]


def _expected_forms(expected):
    """How the expected output of a case would look if a message spelled it out."""
    if isinstance(expected, str):
        return [repr(expected)]
    forms = []
    for item in expected.value:
        rounded = [round(x, 4) for x in item.flatten().tolist()[:3]]
        forms.append(ex.short_repr(rounded)[:-1])
    return forms


# ---- registration and right answers ---------------------------------------------------------


def test_exercises_are_registered_with_titles_and_hints():
    ids = set(ex.exercises())
    assert {e for e in ids if e.startswith("ch10-")} == set(RIGHT)
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint
        assert "lambda" not in info.hint and "return " not in info.hint
        assert "def " not in info.hint and not re.search(r"\d", info.hint)
    assert "ch10" in ex.quizzes()


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.passed and bool(result), result.message
    assert result.n_passed == result.n_cases == len(CASES[exercise_id]()) >= 7
    assert result.message == f"All {result.n_cases} hidden cases passed."


def test_other_right_answers_pass():
    assert check("ch10-korean-number", korean_number)
    assert check("ch10-korean-number", lambda n: " ".join(korean_number(n)))  # spaces ignored
    assert check("ch10-cross-attention", lambda x, m, k: (
        F.scaled_dot_product_attention(x, m, m, attn_mask=k), _mask_scores(x, m, k)[1]))
    assert check("ch10-cross-attention", lambda x, m, k: list(cross_attend(x.double(),
                                                                          m.double(), k)))

    def loop(x, memory, mask):
        rows = []
        for q in x:
            s = torch.tensor([float(q @ m) / math.sqrt(len(q)) if keep else -math.inf
                              for m, keep in zip(memory, mask, strict=True)])
            rows.append(torch.softmax(s, 0))
        weights = torch.stack(rows)
        return weights @ memory, weights

    assert check("ch10-cross-attention", loop)


def test_hidden_cases_agree_with_independent_references():
    for case in ch10.reading_cases():
        (n,) = case.args
        assert case.expected == reading(n)
    for case in ch10.cross_attention_cases():
        x, memory, mask = case.args
        out, weights = case.expected.value
        x64, m64 = x.double(), memory.double()
        torch.testing.assert_close(out, F.scaled_dot_product_attention(
            x64, m64, m64, attn_mask=mask), rtol=0, atol=1e-10)
        want = torch.softmax((x64 @ m64.T / math.sqrt(x.shape[-1])).masked_fill(
            ~mask, -math.inf), -1)
        torch.testing.assert_close(weights, want, rtol=0, atol=1e-12)
        assert not weights[:, ~mask].any()


def test_hidden_cases_cover_the_chapter_points():
    readings = {n: korean_number(n) for n in ch10.NUMBERS}
    assert 0 in readings and 10000 in readings and 9999999 in readings
    assert any(r.startswith("십") for r in readings.values())        # a silent 1
    assert any("만" in r and n % 10000 and "0" in str(n) for n, r in readings.items())
    assert all(10**k in readings for k in range(7))
    inputs = ch10.CROSS_INPUTS
    assert any(real < ls for _, ls, _, real, _ in inputs)              # padding
    assert any(real == ls for _, ls, _, real, _ in inputs)             # none
    assert any(real == 1 for *_, real, _ in inputs)
    assert any(lt != ls for lt, ls, *_ in inputs) and any(lt == 1 for lt, *_ in inputs)
    assert max(d for _, _, d, _, _ in inputs) >= 64


@pytest.mark.parametrize(("exercise_id", "index"), _wrong_ids())
def test_wrong_answers_fail_with_a_remark_and_the_hint(exercise_id, index):
    answer, remark = WRONG[exercise_id][index]
    assert_fails_with_remark(exercise_id, answer, remark, CASES[exercise_id](), _expected_forms)


def test_padding_with_tiny_weight_is_not_enough():
    def almost(x, memory, mask):
        scores = (x @ memory.T / math.sqrt(x.shape[-1])).masked_fill(~mask, -1e4)
        weights = torch.softmax(scores.double(), -1)
        return weights @ memory.double(), weights

    result = check("ch10-cross-attention", almost)
    # -1e4 gives exp(-1e4) = 0 in float64, so it passes; -20 does not.
    assert result.passed, result.message

    def leaky(x, memory, mask):
        scores = (x @ memory.T / math.sqrt(x.shape[-1])).masked_fill(~mask, -20.0)
        weights = torch.softmax(scores, -1)
        return weights @ memory, weights

    assert not check("ch10-cross-attention", leaky).passed


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_wrong_kinds_of_answers_fail_cleanly(exercise_id):
    for answer in ("x", 0.5, None, [1, 2], torch.ones(3)):
        result = check(exercise_id, answer)
        assert not result.passed and "your function itself" in result.message
    for value in (None, "text", UnusableAnswer(), torch.ones(2, dtype=torch.complex64),
                  (torch.ones(1),) * 3, float("nan"), True, torch.empty(0)):
        result = check(exercise_id, lambda *args, value=value: value)
        assert not result.passed and result.n_passed == 0, (value, result.message)
        assert "could not be graded" not in result.message
    result = check(exercise_id, lambda a, b, c, d, e: a)
    assert result.n_passed == 0 and "your function raised TypeError" in result.message


def test_answers_cannot_corrupt_later_cases():
    def vandal(x, memory, mask):
        out = cross_attend(x, memory, mask)
        x.fill_(0.0)
        memory.fill_(0.0)
        mask.fill_(False)
        return out

    assert check("ch10-cross-attention", vandal)
    assert check("ch10-cross-attention", cross_attend)


# ---- the quiz -------------------------------------------------------------------------------

DATA = Path(ex.__file__).parent / "data"


def test_quiz_validates():
    quiz = load_quiz("ch10")
    assert quiz.chapter == "ch10" and quiz.title
    assert len(quiz.questions) == 5
    assert quiz.to_dict() == json.loads((DATA / "quiz_ch10.json").read_text("utf-8"))
    assert ex.Quiz.from_dict(quiz.to_dict()) == quiz
    for q in quiz.questions:
        assert len(q.choices) >= 4 and len(q.explanations) == len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)
        assert all(len(e) >= 40 for e in q.explanations)
    assert len({q.answer for q in quiz.questions}) >= 4


def test_quiz_example_reading_is_right():
    q = next(q for q in load_quiz("ch10").questions if "3,050,201" in q.prompt)
    assert korean_number(3050201) == "삼백오만이백일"
    assert "백" in q.prompt and "3" in q.choices[q.answer]

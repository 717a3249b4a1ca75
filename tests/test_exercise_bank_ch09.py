"""Chapter 9 in tokenlab.exercise_bank: checkers, hints and the quiz."""

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
from tokenlab.attention import causal_mask
from tokenlab.exercise_bank import ch09
from tokenlab.exercises import check, load_quiz

# ---- reference answers, written as a reader would -------------------------------------------


def cached_causal_mask(new, total):
    queries = torch.arange(total - new, total)[:, None]
    return torch.arange(total)[None, :] <= queries


def top_k_probs(logits, temperature, k):
    probs = torch.softmax(logits / temperature, dim=-1)
    kth = probs.topk(k, dim=-1).values[..., -1:]
    probs = torch.where(probs >= kth, probs, 0.0)
    return probs / probs.sum(dim=-1, keepdim=True)


def perplexity(logits, targets):
    return math.exp(F.cross_entropy(logits, targets).item())


RIGHT = {
    "ch09-causal-mask": cached_causal_mask,
    "ch09-filter": top_k_probs,
    "ch09-perplexity": perplexity,
}

CASES = {
    "ch09-causal-mask": ch09.mask_cases,
    "ch09-filter": ch09.filter_cases,
    "ch09-perplexity": ch09.perplexity_cases,
}


def _top_left(new, total):
    return torch.ones(new, total, dtype=torch.bool).tril()


def _strict(new, total):
    return torch.arange(total)[None, :] < torch.arange(total - new, total)[:, None]


def _unnormalized(logits, temperature, k):
    probs = torch.softmax(logits / temperature, dim=-1)
    kth = probs.topk(k, dim=-1).values[..., -1:]
    return torch.where(probs >= kth, probs, 0.0)


def _smallest(logits, temperature, k):
    probs = torch.softmax(logits / temperature, dim=-1)
    kth = probs.topk(k, dim=-1, largest=False).values[..., -1:]
    probs = torch.where(probs <= kth, probs, 0.0)
    return probs / probs.sum(dim=-1, keepdim=True)


#: (wrong answer, text its failure message must hold before the hint).
WRONG = {
    "ch09-causal-mask": [
        (_top_left, "the new queries are the LAST positions"),
        (lambda n, t: ~cached_causal_mask(n, t), "True must mean 'may attend'"),
        (_strict, "a query must see itself too"),
        (lambda n, t: cached_causal_mask(n, t).int(), "the pattern is right, but the mask must "
                                                      "be boolean"),
        (lambda n, t: cached_causal_mask(n, t).T, "the upper triangle"),  # square first
        (lambda n, t: cached_causal_mask(n, t).T if n != t else cached_causal_mask(n, t),
         "shape (new, total)"),
        (lambda n, t: cached_causal_mask(n, t).tolist(), "return a torch tensor of booleans"),
        (lambda n, t: torch.ones(t, t, dtype=torch.bool).tril(), "it must be (new, total)"),
    ],
    "ch09-filter": [
        (lambda x, t, k: top_k_probs(x * t, 1.0, k), "multiplying sharpens"),
        (lambda x, t, k: top_k_probs(x, 1.0, k), "the temperature is missing"),
        (_unnormalized, "renormalize"),
        (_smallest, "LEAST likely"),
        (lambda x, t, k: torch.softmax(x / t, dim=-1), "every token kept"),
        (lambda x, t, k: torch.log(top_k_probs(x, t, k)), "negative entries"),
        (lambda x, t, k: top_k_probs(x, t, k) * float("nan"), "a NaN"),
        (lambda x, t, k: top_k_probs(x, t, k).tolist(), "return a torch tensor"),
        (lambda x, t, k: top_k_probs(x, t, k).sum(-1), "not the shape the exercise asks for"),
    ],
    "ch09-perplexity": [
        (lambda x, y: F.cross_entropy(x, y).item(), "that is the mean loss itself"),
        (lambda x, y: math.exp(F.cross_entropy(x, y, reduction="sum").item()),
         "exp of the SUM"),
        (lambda x, y: 2 ** F.cross_entropy(x, y).item(), "use exp, not 2 **"),
        (lambda x, y: torch.exp(F.cross_entropy(x, y, reduction="none")).mean().item(),
         "the mean of exp(loss) per token"),
        (lambda x, y: torch.exp(F.cross_entropy(x, y, reduction="none")),
         "return one number for the whole sequence"),
        (lambda x, y: math.exp(-F.cross_entropy(x, y).item()), "never below 1"),
    ],
}


def _wrong_ids():
    return [(e, i) for e, answers in sorted(WRONG.items()) for i in range(len(answers))]


# ---- registration and right answers ---------------------------------------------------------


def test_exercises_are_registered_with_titles_and_hints():
    ids = set(ex.exercises())
    assert set(RIGHT) <= ids
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint
        assert "lambda" not in info.hint and "return " not in info.hint
        assert "def " not in info.hint and not re.search(r"\d+\.\d+", info.hint)
    assert "ch09" in ex.quizzes()


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.passed and bool(result), result.message
    assert result.n_passed == result.n_cases == len(CASES[exercise_id]()) >= 5
    assert result.message == f"All {result.n_cases} hidden cases passed."


def test_other_right_answers_pass():
    from tokenlab.lm import filter_logits

    assert check("ch09-causal-mask", lambda n, t: causal_mask(t)[t - n:])
    assert check("ch09-causal-mask", lambda n, t: torch.ones(n, t, dtype=torch.bool).tril(t - n))
    assert check("ch09-filter", lambda x, t, k: filter_logits(x, t, top_k=k))
    assert check("ch09-filter", lambda x, t, k: top_k_probs(x.double(), t, k))

    def masked_logits(logits, temperature, k):  # -inf outside the top k, then the softmax
        x = logits / temperature
        kth = x.topk(k, dim=-1).values[..., -1:]
        return torch.softmax(x.masked_fill(x < kth, float("-inf")), dim=-1)

    assert check("ch09-filter", masked_logits)
    assert check("ch09-perplexity", lambda x, y: F.cross_entropy(x, y).exp())  # a 0-d tensor

    def by_hand(logits, targets):
        logp = torch.log_softmax(logits.double(), dim=-1)
        return math.exp(-sum(logp[i, t].item() for i, t in enumerate(targets)) / len(targets))

    assert check("ch09-perplexity", by_hand)


def test_hidden_cases_agree_with_independent_references():
    for case in ch09.mask_cases():
        new, total = case.args
        torch.testing.assert_close(case.expected.value, cached_causal_mask(new, total))
        if new == total:
            assert torch.equal(case.expected.value, causal_mask(total))
    for case in ch09.filter_cases():
        logits, temperature, k = case.args
        assert case.expected.value.dtype == torch.float64
        torch.testing.assert_close(case.expected.value, top_k_probs(logits.double(),
                                                                    temperature, k),
                                   rtol=0, atol=1e-12)
        assert bool(((case.expected.value > 0).sum(-1) == k).all())
    for case in ch09.perplexity_cases():
        logits, targets = case.args
        assert case.expected.value == pytest.approx(by_hand_reference(logits, targets),
                                                     rel=1e-12)
    uniform = [c for c in ch09.perplexity_cases() if not c.args[0].any()]
    assert uniform and uniform[0].expected.value == pytest.approx(uniform[0].args[0].shape[1])


def by_hand_reference(logits, targets):
    logp = torch.log_softmax(logits.double(), dim=-1)
    return math.exp(-logp[torch.arange(len(targets)), targets].mean().item())


def test_hidden_cases_cover_the_chapter_points():
    assert any(n == t for n, t in ch09.MASK_INPUTS) and any(n == 1 < t for n, t in
                                                            ch09.MASK_INPUTS)
    assert any(1 < n < t for n, t in ch09.MASK_INPUTS)
    temperatures = {t for _, t, _, _ in ch09.FILTER_INPUTS}
    assert min(temperatures) < 1 < max(temperatures)
    assert any(len(s) == 2 for s, *_ in ch09.FILTER_INPUTS)
    assert any(k == 1 for _, _, k, _ in ch09.FILTER_INPUTS)
    assert any(k == s[-1] for s, _, k, _ in ch09.FILTER_INPUTS)


# ---- wrong answers ----------------------------------------------------------------------------


def _expected_forms(expected):
    value = expected.value
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.bool:
            return [ex.short_repr(value.tolist()[0])[:-1]]
        return [ex.short_repr([round(x, 4) for x in value.flatten().tolist()[:3]])[:-1]]
    return [f"{value:.4f}", repr(value)]


@pytest.mark.parametrize("exercise_id, index", _wrong_ids())
def test_wrong_answers_fail_with_their_remark(exercise_id, index):
    answer, remark = WRONG[exercise_id][index]
    assert_fails_with_remark(exercise_id, answer, remark, CASES[exercise_id](), _expected_forms)


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_unusable_answers_fail_cleanly(exercise_id):
    result = check(exercise_id, lambda *args: UnusableAnswer())
    assert not result.passed and result.n_passed == 0
    not_a_function = check(exercise_id, 3)
    assert not not_a_function.passed and "check expects your function" in not_a_function.message


# ---- quiz -----------------------------------------------------------------------------------


def test_quiz_loads_with_explanations():
    quiz = load_quiz("ch09")
    assert quiz.chapter == "ch09" and len(quiz.questions) >= 5
    raw = json.loads((Path(ch09.__file__).parent.parent / "data" / "quiz_ch09.json").read_text())
    for q in raw["questions"]:
        assert len(q["choices"]) == len(q["explanations"]) >= 3
        assert 0 <= q["answer"] < len(q["choices"])
        assert len(set(q["choices"])) == len(q["choices"])
    answers = [q["answer"] for q in raw["questions"]]
    assert len(set(answers)) >= 3  # the right answer is not always in the same place

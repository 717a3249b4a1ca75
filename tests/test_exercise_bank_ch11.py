"""Chapter 11 in tokenlab.exercise_bank: checkers, hints and the quiz."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
import torch
import torch.nn.functional as F

from conftest import UnusableAnswer
from tokenlab import exercises as ex
from tokenlab.exercise_bank import ch11
from tokenlab.exercises import check, load_quiz

# ---- reference answers, written as a reader would -------------------------------------------


def tokens_per_char(count, texts):
    chars = sum(len(t) for t in texts)
    return sum(count(t) for t in texts) / chars if chars else 0.0


def search(query, keys, k):
    scores = F.normalize(keys, dim=1) @ F.normalize(query, dim=0)
    return torch.sort(scores, descending=True, stable=True).indices[:k].tolist()


def search_loop(query, keys, k):
    """Another right answer: plain Python, cosine by hand, sorted on (-score, index)."""
    q = query.tolist()
    qn = sum(x * x for x in q) ** 0.5
    scored = []
    for i, row in enumerate(keys.tolist()):
        dot = sum(a * b for a, b in zip(row, q, strict=True))
        scored.append((-dot / (sum(x * x for x in row) ** 0.5 * qn), i))
    return [i for _, i in sorted(scored)[:k]]


def test_exercises_are_registered_with_titles_and_hints():
    for exercise_id in ("ch11-tokens-per-char", "ch11-search"):
        e = ex.get_exercise(exercise_id)
        assert e.title and e.hint


def test_right_answers_pass():
    assert check("ch11-tokens-per-char", tokens_per_char).passed
    assert check("ch11-search", search).passed
    assert check("ch11-search", search_loop).passed
    # float64 inputs or an integer-division-free running total pass too
    assert check("ch11-search", lambda q, K, k: search(q.double(), K.double(), k)).passed


def test_hidden_cases_agree_with_independent_references():
    for case in ch11.count_cases():
        count, texts = case.args
        chars = sum(len(t) for t in texts)
        assert case.expected.value == (sum(map(count, texts)) / chars if chars else 0.0)
    for case in ch11.search_cases():
        query, keys, k = case.args
        cos = F.cosine_similarity(keys.double(), query.double()[None], dim=1).tolist()
        order = sorted(range(len(cos)), key=lambda i: (-cos[i], i))[:k]
        assert case.expected == order


def test_hidden_cosines_are_unambiguous_in_float32():
    """Different cosines of a case are at least MIN_GAP apart; equal ones are exactly equal."""
    for case in ch11.search_cases():
        query, keys, _ = case.args
        cos = F.cosine_similarity(keys.double(), query.double()[None], dim=1).tolist()
        for a, b in itertools.combinations(cos, 2):
            assert a == pytest.approx(b, abs=1e-12) or abs(a - b) > ch11.MIN_GAP


def test_hidden_cases_cover_the_chapter_points():
    counts = ch11.count_cases()
    assert any(c.args[1] == [] for c in counts)  # an empty corpus
    # cases where the mean of ratios differs from the corpus ratio
    assert sum(1 for c in counts if c.expected.pitfalls and abs(
        c.expected.pitfalls[0][0] - c.expected.value) > 1e-3) >= 3
    assert any(unicodedata.name(ch).startswith("HANGUL") for c in counts for t in c.args[1]
               for ch in t if not ch.isspace() and ch.isalpha() and ord(ch) > 127)
    searches = ch11.search_cases()
    # dot-product ranking is wrong in most cases; a tie case and k = m are present
    wrong_by_dot = 0
    for case in searches:
        q, keys, k = case.args
        by_dot = torch.sort(keys @ q, descending=True, stable=True).indices[:k].tolist()
        wrong_by_dot += by_dot != case.expected
    assert wrong_by_dot >= 4
    assert any(c.args[2] == c.args[1].shape[0] for c in searches)
    assert any(ch11.TIES in c.label for c in searches)


@pytest.mark.parametrize(("exercise_id", "answer", "remark"), [
    ("ch11-tokens-per-char",
     lambda count, texts: sum(count(t) / len(t) for t in texts if t) / max(1, sum(1 for t in texts
                                                                                 if t)),
     "mean of per-text ratios"),
    ("ch11-tokens-per-char",
     lambda count, texts: sum(len(t) for t in texts) / max(1, sum(count(t) for t in texts)),
     "upside down"),
    ("ch11-tokens-per-char", lambda count, texts: str(tokens_per_char(count, texts)),
     "return one number"),
    ("ch11-search", lambda q, K, k: torch.sort(K @ q, descending=True, stable=True).indices[:k]
     .tolist(), "ranked by dot product"),
    ("ch11-search", lambda q, K, k: torch.tensor(search(q, K, k)), "a list of Python ints"),
    ("ch11-search", lambda q, K, k: search(q, K, k)[::-1], "wrong order"),
    ("ch11-search", lambda q, K, k: torch.sort(F.normalize(K, dim=1) @ F.normalize(q, dim=0),
                                               stable=True).indices[:k].tolist(),
     "smallest cosines"),
])
def test_wrong_answers_fail_with_a_remark_and_the_hint(exercise_id, answer, remark):
    result = check(exercise_id, answer)
    assert not result.passed
    assert remark in result.message, result.message
    assert result.message.endswith(f"; hint: {ex.get_exercise(exercise_id).hint}")


def test_ties_must_keep_the_lower_index_first():
    def unstable(q, K, k):  # cosines right, ties broken towards the higher index
        cos = (F.normalize(K, dim=1) @ F.normalize(q, dim=0)).tolist()
        return sorted(range(len(cos)), key=lambda i: (-cos[i], -i))[:k]

    result = check("ch11-search", unstable)
    assert not result.passed and ch11.TIES in result.message


def test_the_hint_never_gives_the_expected_answer():
    result = check("ch11-search", lambda q, K, k: [0] * k)
    case = ch11.search_cases()[0]
    assert str(case.expected) not in result.message


def test_raising_and_unusable_answers_are_reported_not_raised():
    def broken(*args):
        raise KeyError("oops")

    for exercise_id in ("ch11-tokens-per-char", "ch11-search"):
        result = check(exercise_id, broken)
        assert not result.passed and "KeyError" in result.message
        assert not check(exercise_id, lambda *a: UnusableAnswer()).passed
    assert not check("ch11-search", 3).passed


def test_answers_cannot_corrupt_later_cases():
    def mutating(q, K, k):
        out = search(q, K, k)
        K.zero_()
        q.zero_()
        return out

    assert check("ch11-search", mutating).passed
    assert check("ch11-search", search).passed


def test_quiz_validates_and_covers_the_chapter():
    quiz = load_quiz("ch11")
    assert len(quiz.questions) == 6
    text = " ".join(q.prompt for q in quiz.questions)
    for topic in ("NFD", "o200k_base", "bank", "normalised", "probe", "[SEP]"):
        assert topic in text, topic
    for q in quiz.questions:
        assert len(q.explanations) == len(q.choices)
        assert 0 <= q.answer < len(q.choices)


def test_quiz_answers_agree_with_tokenlab():
    from tokenlab.wordpiece import WordPieceTokenizer

    wp = WordPieceTokenizer.from_pretrained("all-MiniLM-L6-v2")
    pieces = wp.tokenize("영")
    assert pieces == ["ᄋ", "##ᅧ", "##ᆼ"]  # NFD: three jamo, kept as letters
    e = F.normalize(torch.randn(5, 8, generator=torch.Generator().manual_seed(0)), dim=1)
    torch.testing.assert_close(e @ e.T, F.cosine_similarity(e[:, None], e[None], dim=-1))

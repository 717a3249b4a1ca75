"""Chapter 4's exercises: right answers pass, typical wrong ones get a hint, not the answer."""

from __future__ import annotations

from tokenlab.exercises import check, load_quiz


def count_duplicates(texts):
    return len(texts) - len(set(texts))


def vocab_growth(tokens):
    seen, out = set(), []
    for t in tokens:
        seen.add(t)
        out.append(len(seen))
    return out


def test_right_answers_pass():
    assert check("ch04-duplicates", count_duplicates).passed
    assert check("ch04-heaps", vocab_growth).passed


def test_standardizing_before_counting_is_wrong():
    result = check("ch04-duplicates", lambda texts: len(texts) - len({t.lower() for t in texts}))
    assert not result.passed
    assert "exact copies" in result.message


def test_counting_distinct_texts_instead_of_removed_ones_fails():
    result = check("ch04-duplicates", lambda texts: len(set(texts)))
    assert not result.passed and "returned" in result.message


def test_growth_off_by_one_and_types_only_fail_with_remarks():
    shifted = check("ch04-heaps", lambda tokens: [len(set(tokens[:i])) for i in range(len(tokens))])
    assert not shifted.passed
    final_only = check("ch04-heaps", lambda tokens: [len(set(tokens))])
    assert not final_only.passed and "one item per token" in final_only.message
    # The hint never contains an expected list such as [1, 2, 3, 4, 4, 5].
    assert "[1, 2, 3, 4, 4, 5]" not in final_only.message


def test_a_raising_answer_is_reported_not_raised():
    def broken(tokens):
        raise KeyError("oops")

    result = check("ch04-heaps", broken)
    assert not result.passed and "KeyError" in result.message


def test_quiz_has_an_explanation_for_every_choice():
    quiz = load_quiz("ch04")
    assert len(quiz.questions) == 6
    for q in quiz.questions:
        assert len(q.explanations) == len(q.choices)
        assert 0 <= q.answer < len(q.choices)

"""Chapters 2 and 3 in tokenlab.exercise_bank: checkers, hints and quizzes."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tokenlab import exercises as ex
from tokenlab.exercise_bank import ch02, ch03
from tokenlab.exercise_bank._compare import show_tensor
from tokenlab.exercises import check, load_quiz
from tokenlab.vectorize import TextVectorizer
from tokenlab.vocab import Vocabulary

# ---- reference answers, written as a reader would -------------------------------------------


def build_vocab(token_lists, max_tokens):
    counts = Counter(t for tokens in token_lists for t in tokens if t not in ("", "[UNK]"))
    ranked = sorted(counts, key=lambda t: (-counts[t], t))
    vocab = ["", "[UNK]", *ranked]
    return vocab if max_tokens is None else vocab[:max_tokens]


def oov_rate(vocab_tokens, token_lists):
    known = set(vocab_tokens[2:])
    tokens = [t for tokens in token_lists for t in tokens if t != ""]
    return sum(t not in known for t in tokens) / len(tokens)


def idf(df, n, convention):
    if convention == "keras":
        return math.log(1 + n / (1 + df))
    return math.log((1 + n) / (1 + df)) + 1


def multi_hot(token_lists, vocab_tokens):
    index = {t: i for i, t in enumerate(vocab_tokens)}
    out = torch.zeros(len(token_lists), len(vocab_tokens))
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            if token != "":
                out[row, index.get(token, 1)] = 1.0
    return out


def lookup(weights, ids):
    one_hot = F.one_hot(ids, num_classes=weights.shape[0]).to(weights.dtype)
    return one_hot @ weights


RIGHT = {
    "ch02-vocab": build_vocab,
    "ch02-oov-rate": oov_rate,
    "ch03-idf": idf,
    "ch03-multi-hot": multi_hot,
    "ch03-embedding": lookup,
}

CASES = {
    "ch02-vocab": ch02.vocab_cases,
    "ch02-oov-rate": ch02.oov_cases,
    "ch03-idf": ch03.idf_cases,
    "ch03-multi-hot": ch03.multi_hot_cases,
    "ch03-embedding": ch03.embedding_cases,
}


def _keras_ties(token_lists, max_tokens):
    counts = Counter(t for tokens in token_lists for t in tokens if t not in ("", "[UNK]"))
    ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
    return ["", "[UNK]", *ranked][:max_tokens]


def _most_common(token_lists, max_tokens):
    counts = Counter(t for tokens in token_lists for t in tokens if t not in ("", "[UNK]"))
    return ["", "[UNK]", *(t for t, _ in counts.most_common())][:max_tokens]


def _no_skip(token_lists, max_tokens):
    counts = Counter(t for tokens in token_lists for t in tokens)
    return ["", "[UNK]", *sorted(counts, key=lambda t: (-counts[t], t))][:max_tokens]


def _max_tokens_without_specials(token_lists, max_tokens):
    vocab = build_vocab(token_lists, None)
    return vocab if max_tokens is None else vocab[: max_tokens + 2]


def _padding_in_total(vocab_tokens, token_lists):
    tokens = [t for tokens in token_lists for t in tokens]
    return sum(t not in vocab_tokens for t in tokens) / len(tokens)


def _mean_of_rates(vocab_tokens, token_lists):
    rates = [oov_rate(vocab_tokens, [tokens]) for tokens in token_lists if tokens]
    return sum(rates) / len(rates)


def _count_vector(token_lists, vocab_tokens):
    index = {t: i for i, t in enumerate(vocab_tokens)}
    out = torch.zeros(len(token_lists), len(vocab_tokens))
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            if token != "":
                out[row, index.get(token, 1)] += 1.0
    return out


def _drops_oov(token_lists, vocab_tokens):
    out = multi_hot(token_lists, vocab_tokens)
    out[:, 1] = 0.0
    return out


def _padding_sets_mask(token_lists, vocab_tokens):
    index = {t: i for i, t in enumerate(vocab_tokens)}
    out = torch.zeros(len(token_lists), len(vocab_tokens))
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            out[row, index.get(token, 1)] = 1.0
    return out


def _zero_padding_rows(weights, ids):
    out = lookup(weights, ids)
    return out * (ids != 0).unsqueeze(-1)


# Typical wrong answers.
WRONG = {
    "ch02-vocab": [
        lambda token_lists, max_tokens: build_vocab(token_lists, max_tokens)[2:],
        lambda token_lists, max_tokens: ["", "[UNK]", *dict.fromkeys(
            t for tokens in token_lists for t in tokens)][:max_tokens],
        _keras_ties,
        _most_common,
        _no_skip,
        _max_tokens_without_specials,
        lambda token_lists, max_tokens: build_vocab(
            [[t.lower() for t in tokens] for tokens in token_lists], max_tokens),
        lambda token_lists, max_tokens: " ".join(build_vocab(token_lists, max_tokens)),
        lambda token_lists, max_tokens: [(t, 1) for t in build_vocab(token_lists, max_tokens)],
        lambda token_lists, max_tokens: build_vocab(token_lists, max_tokens - 2 + 2),
    ],
    "ch02-oov-rate": [
        lambda vocab_tokens, token_lists: 1 - oov_rate(vocab_tokens, token_lists),
        lambda vocab_tokens, token_lists: 100 * oov_rate(vocab_tokens, token_lists),
        lambda vocab_tokens, token_lists: len({t for ts in token_lists for t in ts if t}
                                              - set(vocab_tokens[2:]))
        / len({t for ts in token_lists for t in ts if t}),
        _padding_in_total,
        _mean_of_rates,
        lambda vocab_tokens, token_lists: sum(t not in vocab_tokens[2:] for ts in token_lists
                                              for t in ts if t),
        lambda vocab_tokens, token_lists: str(oov_rate(vocab_tokens, token_lists)),
        lambda vocab_tokens, token_lists: oov_rate(vocab_tokens, token_lists) > 0.5,
    ],
    "ch03-idf": [
        lambda df, n, convention: idf(df, n, "sklearn" if convention == "keras" else "keras"),
        lambda df, n, convention: (math.log10(1 + n / (1 + df)) if convention == "keras"
                                   else math.log10((1 + n) / (1 + df)) + 1),
        lambda df, n, convention: (idf(df, n, convention) if convention == "keras"
                                   else math.log(n / df) + 1),
        lambda df, n, convention: (idf(df, n, convention) if convention == "keras"
                                   else math.log((1 + n) / (1 + df))),
        lambda df, n, convention: (math.log(n / (1 + df)) if convention == "keras"
                                   else idf(df, n, convention)),
        lambda df, n, convention: n / df,
        lambda df, n, convention: f"{idf(df, n, convention):.3f}",
        lambda df, n, convention: math.log(1 + n / (1 + df)),
    ],
    "ch03-multi-hot": [
        _count_vector,
        _drops_oov,
        _padding_sets_mask,
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens).double(),
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens).long(),
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens).tolist(),
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens)[:, 2:],
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens).T,
        lambda token_lists, vocab_tokens: multi_hot(token_lists, vocab_tokens).to_sparse(),
    ],
    "ch03-embedding": [
        lambda weights, ids: F.one_hot(ids).to(weights.dtype) @ weights,
        lambda weights, ids: F.one_hot(ids, weights.shape[0]) @ weights,
        lambda weights, ids: weights.T @ F.one_hot(ids, weights.shape[0]).to(
            weights.dtype).transpose(-1, -2),
        lambda weights, ids: lookup(weights, ids.flatten()),
        _zero_padding_rows,
        lambda weights, ids: lookup(weights, ids).tolist(),
        lambda weights, ids: lookup(weights, ids).round().long(),
        lambda weights, ids: lookup(weights, ids) + 1e-3,
    ],
}


def _first_failure(exercise_id, answer):
    """The first failing hidden case and what the answer returned for it."""
    outcomes = ex.get_exercise(exercise_id).checker(answer)
    index = next(i for i, o in enumerate(outcomes) if o is not None)
    case = CASES[exercise_id]()[index]
    try:
        got = answer(*case.args)
    except Exception:
        got = None
    return case, got


def _expected_forms(expected):
    """Ways the expected output of a case could be spelled out in a message."""
    if isinstance(expected, ch02.Target):
        v = expected.value
        return [repr(v), f"{v:.4f}", f"{v:.3f}", str(round(v, 4))]
    if isinstance(expected, torch.Tensor):
        values = expected.tolist()
        return [ex.short_repr(values), ex.short_repr(values, 160), str(expected)]
    return [repr(expected), ex.short_repr(expected)]


# ---- registration and right answers ---------------------------------------------------------


def test_chapter_2_and_3_exercises_are_registered():
    ids = set(ex.exercises())
    assert set(RIGHT) <= ids
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint
    assert {"ch02", "ch03"} <= set(ex.quizzes())


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.passed and bool(result), result.message
    assert result.n_passed == result.n_cases == len(CASES[exercise_id]()) >= 7
    assert result.message == f"All {result.n_cases} hidden cases passed."


def test_other_right_answers_pass():
    assert check("ch02-vocab", lambda tl, m: tuple(build_vocab(tl, m)))
    assert check("ch02-vocab", lambda tl, m: Vocabulary.build(tl, max_tokens=m).tokens)
    assert check("ch02-oov-rate", lambda v, tl: np.float64(oov_rate(v, tl)))
    assert check("ch02-oov-rate", lambda v, tl: torch.tensor(oov_rate(v, tl)))  # float32
    assert check("ch02-oov-rate", lambda v, tl: 1 - Vocabulary(
        v[2:], list(range(len(v) - 2, 0, -1))).coverage(tl))
    # torch in float32 is within the tolerance of 1e-6; a 0-d tensor is a number too.
    assert check("ch03-idf", lambda df, n, c: torch.log(torch.tensor(
        1 + n / (1 + df) if c == "keras" else (1 + n) / (1 + df))) + (c == "sklearn"))
    assert check("ch03-idf", lambda df, n, c: np.float32(idf(df, n, c)))
    assert check("ch03-multi-hot", lambda tl, v: (_count_vector(tl, v) > 0).float())
    assert check("ch03-embedding", lambda w, ids: w[ids])
    assert check("ch03-embedding", lambda w, ids: F.embedding(ids, w))
    assert check("ch03-embedding", lambda w, ids: torch.einsum(
        "...v,vd->...d", F.one_hot(ids, w.shape[0]).double(), w.double()))


def test_hidden_cases_agree_with_the_reference_code():
    for case in ch02.vocab_cases():
        token_lists, max_tokens = case.args
        assert case.expected == build_vocab(token_lists, max_tokens)
        assert case.expected == Vocabulary.build(token_lists, max_tokens=max_tokens).tokens
    for case in ch02.oov_cases():
        assert case.expected.value == pytest.approx(oov_rate(*case.args), abs=1e-12)
    for case in ch03.idf_cases():
        assert case.expected.value == pytest.approx(idf(*case.args), abs=1e-12)
    for case in ch03.multi_hot_cases():
        assert case.expected.dtype == torch.float32
        assert torch.equal(case.expected, multi_hot(*case.args))
        assert not case.expected[:, 0].any()
    for case in ch03.embedding_cases():
        weights, ids = case.args
        assert case.expected.shape == (*ids.shape, weights.shape[1])
        assert torch.allclose(case.expected, lookup(weights, ids), atol=1e-6, rtol=0)


def test_hidden_cases_cover_the_chapter_points():
    vocab_inputs = [args for args, _ in ch02.VOCAB_INPUTS]
    assert any("" in tokens for token_lists in vocab_inputs for tokens in token_lists)
    assert None in [m for _, m in ch02.VOCAB_INPUTS] and 2 in [m for _, m in ch02.VOCAB_INPUTS]
    assert any("[UNK]" in t for _, tl in ch02.OOV_INPUTS for t in tl)
    assert {c for _, _, c in ch03.IDF_INPUTS} == {"keras", "sklearn"}
    assert any(df == n for df, n, _ in ch03.IDF_INPUTS)
    assert any(" " in t for _, v in ch03.MULTI_HOT_INPUTS for t in v)  # a bigram column
    # A one-hot without num_classes is too narrow for some case (the largest id < vocab - 1).
    cases = ch03.embedding_cases()
    assert any(int(ids.max()) < w.shape[0] - 1 for w, ids in (c.args for c in cases))
    assert any(ids.dim() == 2 for _, ids in (c.args for c in cases))
    assert any(bool((ids == 0).any()) and bool(w[0].any()) for w, ids in (c.args for c in cases))


def test_the_idf_reference_is_tokenlabs_vectorizer():
    # The checker's expected values come from fitting a TextVectorizer, not from a formula.
    for df, n, convention in ch03.IDF_INPUTS:
        texts = ["t o"] * df + ["o"] * (n - df)
        v = TextVectorizer("tf_idf", idf=convention).fit(texts)
        assert ch03._idf_reference(df, n, convention) == float(v.idf_[v.vocabulary["t"]])


# ---- wrong answers ----------------------------------------------------------------------------


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
    case, got = _first_failure(exercise_id, answer)
    assert case.describe() in result.message
    # What the message says besides the reader's own output (which may hold right parts).
    shown = result.message.split("; hint:")[0].replace(case.describe(), "<input>")
    if got is not None:
        for form in (ex.short_repr(got), show_tensor(got)):
            shown = shown.replace(form, "<got>")
    for form in _expected_forms(case.expected):
        assert form not in shown, (form, shown)
        assert form not in hint


def test_hints_do_not_hold_code():
    for exercise_id in RIGHT:
        hint = ex.get_exercise(exercise_id).hint
        assert "lambda" not in hint and "return" not in hint and "def " not in hint
        assert not re.search(r"\d+\.\d+", hint)  # no expected numbers


def test_typical_mistakes_get_a_remark():
    def remark(exercise_id, answer):
        return check(exercise_id, answer).message.split("; hint:")[0]

    w = WRONG["ch02-vocab"]
    assert "the mask '' at index 0" in remark("ch02-vocab", w[0])
    assert "ascending str order" in remark("ch02-vocab", w[2])
    assert "ascending str order" in remark("ch02-vocab", w[3])
    assert "a token appears twice" in remark("ch02-vocab", w[4])
    assert "max_tokens is the size of the whole list" in remark("ch02-vocab", w[5])
    assert "'Z' comes before 'a'" in remark("ch02-vocab", lambda tl, m: build_vocab(
        tl, m) if not any("Apple" in t for t in tl) else sorted(build_vocab(tl, m),
                                                                key=str.lower))
    assert "'Apple' and 'apple' are two tokens" in remark("ch02-vocab", w[6])
    assert "a str, not a list of str" in remark("ch02-vocab", w[7])
    assert "not a count or a pair" in remark("ch02-vocab", w[8])

    w = WRONG["ch02-oov-rate"]
    assert "that is the coverage" in remark("ch02-oov-rate", w[0])
    assert "not a percentage" in remark("ch02-oov-rate", w[1])
    assert "not each distinct type once" in remark("ch02-oov-rate", w[2])
    assert "leave it out of the total too" in remark("ch02-oov-rate", w[3])
    assert "rather than averaging" in remark("ch02-oov-rate", w[4])
    assert "not the number of OOV tokens" in remark("ch02-oov-rate", w[5])
    assert "a str, not a float" in remark("ch02-oov-rate", w[6])
    assert "a bool, not a float" in remark("ch02-oov-rate", w[7])
    assert "a literal '[UNK]'" in remark("ch02-oov-rate", lambda v, tl: sum(
        t not in v for ts in tl for t in ts if t) / sum(1 for ts in tl for t in ts if t))
    assert "both counts" in remark("ch02-oov-rate", lambda v, tl: sum(
        t not in v[2:] for ts in tl for t in ts) / sum(len(ts) for ts in tl))

    w = WRONG["ch03-idf"]
    assert "that is the 'sklearn' convention's idf" in remark("ch03-idf", w[0])
    assert "not log10" in remark("ch03-idf", w[1])
    assert "unsmoothed" in remark("ch03-idf", w[2])
    assert "adds 1 after the logarithm" in remark("ch03-idf", w[3])
    assert "adds 1 inside the logarithm" in remark("ch03-idf", w[4])
    assert "not the ratio itself" in remark("ch03-idf", w[5])
    assert "a str, not a float" in remark("ch03-idf", w[6])
    assert "not log2" in remark("ch03-idf", lambda df, n, c: math.log2(1 + n / (1 + df)))
    assert "integer division" in remark("ch03-idf", lambda df, n, c: math.log(
        1 + n // (1 + df)) if c == "keras" else idf(df, n, c))

    w = WRONG["ch03-multi-hot"]
    assert "a value above 1 is a count" in remark("ch03-multi-hot", w[0])
    assert "it sets column 1, the OOV column" in remark("ch03-multi-hot", w[1])
    assert "column 0 is the mask" in remark("ch03-multi-hot", w[2])
    assert "the dtype is torch.float64" in remark("ch03-multi-hot", w[3])
    assert "the dtype is torch.int64" in remark("ch03-multi-hot", w[4])
    assert "return a torch tensor" in remark("ch03-multi-hot", w[5])
    assert "the mask (0) and OOV (1) columns included" in remark("ch03-multi-hot", w[6])
    assert "one row per document" in remark("ch03-multi-hot", w[7])
    assert "not a sparse one" in remark("ch03-multi-hot", w[8])

    w = WRONG["ch03-embedding"]
    assert "the vector dimension comes last" in remark("ch03-embedding", w[2])
    assert "keep the shape of ids" in remark("ch03-embedding", w[3])
    assert "id 0 (padding) is an index like any other" in remark("ch03-embedding", w[4])
    assert "not a torch tensor" in remark("ch03-embedding", w[5])
    assert "should be float" in remark("ch03-embedding", w[6])


def test_raising_answers_are_reported_not_raised():
    result = check("ch02-vocab", lambda token_lists, max_tokens: build_vocab(
        token_lists, max_tokens - 2 + 2))
    assert not result.passed
    assert "For token_lists=" in result.message and "max_tokens=None" in result.message
    assert "your function raised TypeError: unsupported operand" in result.message

    result = check("ch02-oov-rate", lambda v, tl: oov_rate(v, [[]]))
    assert "your function raised ZeroDivisionError: division by zero" in result.message
    assert result.n_passed == 0

    def keras_only(df, n, convention):
        if convention != "keras":
            raise ValueError(f"unknown convention {convention!r}")
        return idf(df, n, convention)

    result = check("ch03-idf", keras_only)
    assert "5 of 10" in result.message
    assert "your function raised ValueError: unknown convention 'sklearn'" in result.message

    # one_hot without num_classes is too narrow: the product raises, and the hint explains.
    result = check("ch03-embedding", WRONG["ch03-embedding"][0])
    assert "5 of 7" in result.message and "your function raised RuntimeError" in result.message
    assert "as wide as weights has rows" in result.message
    result = check("ch03-embedding", WRONG["ch03-embedding"][1])
    assert "your function raised RuntimeError" in result.message and result.n_passed == 0

    result = check("ch03-multi-hot", lambda tl, v: multi_hot(tl, v[2:]))
    assert not result.passed  # the wrong width, or an index error: never an exception
    result = check("ch03-multi-hot", lambda tl, v: [][0])
    assert "your function raised IndexError" in result.message


def test_answers_that_are_not_functions():
    for exercise_id in RIGHT:
        result = check(exercise_id, 0.5)
        assert not result.passed
        assert "your function itself" in result.message and "of type float" in result.message


def test_mutating_the_inputs_does_not_leak_between_cases():
    def greedy(token_lists, max_tokens):
        out = build_vocab(token_lists, max_tokens)
        token_lists.clear()
        return out

    assert check("ch02-vocab", greedy)

    def in_place(weights, ids):
        out = lookup(weights, ids).clone()
        weights.zero_()
        return out

    assert check("ch03-embedding", in_place)
    assert ch03.VOCAB_EN[:2] == ["", "[UNK]"] and len(ch03.VOCAB_EN) == 7


# ---- quizzes ----------------------------------------------------------------------------------

DATA = Path(ex.__file__).parent / "data"


@pytest.mark.parametrize("chapter", ["ch02", "ch03"])
def test_quiz_validates(chapter):
    quiz = load_quiz(chapter)
    assert quiz.chapter == chapter and quiz.title
    assert len(quiz.questions) == 6
    assert quiz.to_dict() == json.loads((DATA / f"quiz_{chapter}.json").read_text("utf-8"))
    for q in quiz.questions:
        assert len(q.choices) >= 3 and len(q.explanations) == len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)
        assert all(len(e) >= 40 for e in q.explanations)
    # The right answer is not always in the same place.
    assert len({q.answer for q in quiz.questions}) >= 3


def test_quizzes_cover_their_chapters():
    text2 = json.dumps(load_quiz("ch02").to_dict(), ensure_ascii=False)
    for topic in ("max_tokens", "min_freq", "Zipf", "slope", "OOV", "[UNK]", "mask",
                  "held-out", "types"):
        assert topic in text2, topic
    text3 = json.dumps(load_quiz("ch03").to_dict(), ensure_ascii=False)
    for topic in ("multi-hot", "count", "idf", "Keras", "scikit-learn", "bigrams",
                  "one-hot", "nn.Embedding", "padding", "mask", "\\\"the\\\""):
        assert topic in text3, topic


def _question(chapter, needle):
    return next(q for q in load_quiz(chapter).questions if needle in q.prompt)


def test_chapter_2_quiz_answers_agree_with_tokenlab():
    q = _question("ch02", "Vocabulary.build(")
    docs = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"]]
    assert q.choices[q.answer] == repr(Vocabulary.build(docs, max_tokens=5).tokens)
    assert repr(_keras_ties(docs, 5)) in q.choices
    assert repr(Vocabulary.build(docs).tokens) in q.choices  # max_tokens=7
    q = _question("ch02", "rank 100")
    assert q.choices[q.answer] == f"{60_000 // 100:,}"
    q = _question("ch02", "logarithm")
    assert "-1" in q.choices[q.answer]


def test_chapter_3_quiz_answers_agree_with_tokenlab():
    q = _question("ch03", "multi-hot and the count")
    vocab = Vocabulary(["the", "cat", "dog"], [3, 2, 1])
    text = ["the cat saw the dog"]
    bags = [TextVectorizer(mode, standardize=None).set_vocabulary(vocab).transform(text)[0]
            for mode in ("multi_hot", "count")]
    assert q.choices[q.answer] == (f"multi-hot {[int(x) for x in bags[0]]}, "
                                   f"count {[int(x) for x in bags[1]]}")

    q = _question("ch03", "every one of N = 1,000")
    texts = ["t"] * 1000
    keras = TextVectorizer("tf_idf", idf="keras").fit(texts).idf_[2].item()
    sklearn = TextVectorizer("tf_idf", idf="sklearn").fit(texts).idf_[2].item()
    assert q.choices[q.answer] == f"Keras: about {keras:.2f}; scikit-learn: exactly {sklearn:g}"

    q = _question("ch03", "dog bites man")
    v = TextVectorizer("count").fit(["dog bites man", "man bites dog"])
    plain, pairs = (TextVectorizer("count", ngrams=n).fit(["dog bites man", "man bites dog"])
                    for n in (None, 2))
    assert torch.equal(*plain.transform(["dog bites man", "man bites dog"]))
    assert not torch.equal(*pairs.transform(["dog bites man", "man bites dog"]))
    assert len(pairs.vocabulary) > len(v.vocabulary)
    assert "differ" in q.choices[q.answer]

    q = _question("ch03", "one-hot vector of token id 3")
    w = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    x = F.one_hot(torch.tensor(3), 6).float()
    assert torch.equal(x @ w, w[3]) and q.choices[q.answer].startswith("Row 3 of W")

    q = _question("ch03", "[4, 2, 7, 0, 0]")
    ids = torch.tensor([4, 2, 7, 0, 0])
    table = torch.randn(8, 3, generator=torch.Generator().manual_seed(1))
    mask = ids != 0
    masked_mean = (F.embedding(ids, table) * mask.unsqueeze(-1)).sum(0) / mask.sum()
    assert torch.allclose(masked_mean, F.embedding(ids[:3], table).mean(0))
    assert not torch.allclose(F.embedding(ids, table).mean(0), masked_mean)
    assert "ids != 0" in q.choices[q.answer]

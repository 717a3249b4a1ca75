"""Chapters 6 to 8 in tokenlab.exercise_bank: checkers, hints and quizzes."""

from __future__ import annotations

import json
import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import UnusableAnswer, assert_fails_with_remark
from tokenlab import exercises as ex
from tokenlab.attention import causal_mask, padding_mask
from tokenlab.exercise_bank import ch06, ch07, ch08
from tokenlab.exercises import check, load_quiz
from tokenlab.positional import sinusoidal

# ---- reference answers, written as a reader would -------------------------------------------


def masked_softmax(scores, mask):
    hidden = scores.masked_fill(~mask, float("-inf"))
    hidden = hidden - hidden.amax(dim=-1, keepdim=True).clamp(min=-1e30)
    e = torch.exp(hidden)
    total = e.sum(dim=-1, keepdim=True)
    return e / total.clamp(min=1e-30)


def attention(q, k, v):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


E = math.exp(1 / math.sqrt(2))
PREDICTED = [[1.0, 0.0, 0.0],
             [1 / (1 + E), E / (1 + E), 0.0],
             [1 / (2 + E), 1 / (2 + E), E / (2 + E)]]


def positional_encoding(length, dim):
    i = torch.arange(length, dtype=torch.float64)[:, None]
    two_j = torch.arange(0, dim, 2, dtype=torch.float64)
    angles = i / 10000 ** (two_j / dim)
    table = torch.zeros(length, dim, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


def shuffle_gap(f, x, perm):
    return (f(x[..., perm, :]) - f(x)[..., perm, :]).abs().max().item()


def masked_mean(h, mask):
    weights = mask.to(h.dtype).unsqueeze(-1)
    return (h * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


RIGHT = {
    "ch06-masked-softmax": masked_softmax,
    "ch06-fix-scaling": attention,
    "ch06-predict-weights": PREDICTED,
    "ch07-sinusoidal": positional_encoding,
    "ch07-shuffle-gap": shuffle_gap,
    "ch08-mean-pool": masked_mean,
}

CASES = {
    "ch06-masked-softmax": ch06.masked_softmax_cases,
    "ch06-fix-scaling": ch06.attention_cases,
    "ch07-sinusoidal": ch07.sinusoidal_cases,
    "ch07-shuffle-gap": ch07.shuffle_cases,
    "ch08-mean-pool": ch08.mean_pool_cases,
}

# ---- typical wrong answers and the remark each must get ---------------------------------------


def _scaled(scale, dim=-1):
    def wrong(q, k, v):
        weights = torch.softmax(q @ k.transpose(-2, -1) * scale(q, k, v), dim=dim)
        return weights @ v, weights

    return wrong


def _broken_attention():
    namespace = {"torch": torch}
    exec(ch06.BROKEN_ATTENTION, namespace)
    return namespace["attention"]


def _table(length, dim, *, swap=False, pair=False, same=False, halves=False, multiply=False,
           start=0, dtype=torch.float64):
    i = torch.arange(start, start + length, dtype=dtype)[:, None]
    column = torch.arange(dim, dtype=dtype)
    exponent = (column // 2) / dim if pair else column / dim if same else 2 * (column // 2) / dim
    angles = i * 10000 ** exponent if multiply else i / 10000 ** exponent
    if halves:
        half = angles[:, 0::2]
        return torch.cat([torch.sin(half), torch.cos(half)], dim=1)
    sin, cos = (torch.cos(angles), torch.sin(angles)) if swap else (torch.sin(angles),
                                                                      torch.cos(angles))
    return torch.where(column % 2 == 0, sin, cos)


def _float32_table(length, dim):
    i = torch.arange(length).float()[:, None]
    angles = i / 10000 ** (torch.arange(0, dim, 2).float() / dim)
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


def _inverse_gap(f, x, perm):
    inverse = torch.argsort(torch.tensor(perm))
    return (f(x[..., perm, :]) - f(x)[..., inverse, :]).abs().max().item()


def _nan_to_num_mean(h, mask):
    weights = mask.to(h.dtype).unsqueeze(-1)
    return torch.nan_to_num((h * weights).sum(dim=1) / weights.sum(dim=1))


def _where_mean(h, mask):
    weights = mask.to(h.dtype).unsqueeze(-1)
    count = weights.sum(dim=1)
    return torch.where(count > 0, (h * weights).sum(dim=1) / count, 0.0)


#: (wrong answer, text its failure message must hold before the hint).
WRONG = {
    "ch06-masked-softmax": [
        (lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), dim=-1),
         "the softmax of a row of -inf is 0 / 0 = NaN"),
        (lambda s, m: masked_softmax(s, ~m), "True means attend"),
        (lambda s, m: torch.softmax(s * m, dim=-1), "multiplying a score by the mask"),
        (lambda s, m: torch.softmax(s, dim=-1) * m, "zeroing the hidden weights after the softmax"),
        (lambda s, m: torch.softmax(s.masked_fill(~m, -1e9), dim=-1),
         "filling hidden scores with a large negative number"),
        (lambda s, m: torch.nan_to_num(torch.exp(s) * m / (torch.exp(s) * m).sum(-1, keepdim=True)),
         "a row with visible entries got all zeros"),
        (lambda s, m: torch.nan_to_num(torch.softmax(s.masked_fill(~m, float("-inf")), dim=0)),
         "normalize along the last dimension"),
        (lambda s, m: masked_softmax(s, m).tolist(), "return a torch tensor"),
        (lambda s, m: masked_softmax(s, m).long(), "it must be a floating tensor"),
    ],
    "ch06-fix-scaling": [
        (_broken_attention(), "those are the weights of dividing by d"),
        (_scaled(lambda q, k, v: 1.0), "those are the weights of unscaled scores"),
        (_scaled(lambda q, k, v: math.sqrt(q.shape[-1])), "multiplying the scores by sqrt(d)"),
        (_scaled(lambda q, k, v: 1 / math.sqrt(len(q))), "q.shape[0] (len(q))"),
        (_scaled(lambda q, k, v: 1 / math.sqrt(v.shape[-1])), "not the width of the values"),
        (_scaled(lambda q, k, v: 1 / math.sqrt(q.shape[-1]), dim=-2),
         "take the softmax along the last dimension"),
        (lambda q, k, v: attention(q, k, v)[::-1], "the two results are swapped"),
        (lambda q, k, v: attention(q, k, v)[0], "return both results, as a pair"),
        (lambda q, k, v: (attention(q, k, v)[1] @ k, attention(q, k, v)[1]),
         "the output is not: it is weights @ v"),
        (lambda q, k, v: (attention(q, k, v)[0].tolist(), attention(q, k, v)[1]),
         "output: return a torch tensor"),
    ],
    "ch07-sinusoidal": [
        (lambda n, d: _table(n, d, swap=True), "sines and cosines are swapped"),
        (lambda n, d: _table(n, d, pair=True), "not the pair number j"),
        (lambda n, d: _table(n, d, same=True), "both columns of a pair share one frequency"),
        (lambda n, d: _table(n, d, halves=True), "interleave the columns"),
        (lambda n, d: _table(n, d, multiply=True), "divide the position by 10000"),
        (lambda n, d: _table(n, d, start=1), "positions start at 0"),
        (lambda n, d: _table(n, d).T, "one row per position"),
        (lambda n, d: _table(n, d).numpy(), "return a torch tensor"),
        (_float32_table, "compute them in float64"),
    ],
    "ch07-shuffle-gap": [
        (lambda f, x, perm: (f(x[perm]) - f(x)[perm]).abs().max().item(),
         "x[perm] shuffles the first axis"),
        (lambda f, x, perm: (f(x[..., perm, :]) - f(x)).abs().max().item(),
         "not f(x) itself"),
        (_inverse_gap, "shuffle the output with perm itself"),
        (lambda f, x, perm: (f(x[..., perm, :]) - f(x)[..., perm, :]).max().item(),
         "take the absolute value"),
        (lambda f, x, perm: (f(x[..., perm, :]) - f(x)[..., perm, :]).abs().mean().item(),
         "not the mean one"),
        (lambda f, x, perm: (f(x[..., perm, :]) - f(x)[..., perm, :]).abs().sum().item(),
         "not the sum of them"),
        (lambda f, x, perm: torch.allclose(f(x[..., perm, :]), f(x)[..., perm, :]),
         "not whether they are equal"),
        (lambda f, x, perm: f(x[..., perm, :]) - f(x)[..., perm, :], "reduce the differences"),
        (lambda f, x, perm: -shuffle_gap(f, x, perm) - 1.0, "never negative"),
    ],
    "ch08-mean-pool": [
        (lambda h, m: h.mean(dim=1), "the padding vectors are in your average"),
        (lambda h, m: (h * m.unsqueeze(-1)).sum(dim=1) / h.shape[1], "but divide by L"),
        (lambda h, m: (h * m.unsqueeze(-1)).sum(dim=1), "that is the sum of the real token"),
        (lambda h, m: masked_mean(h, ~m), "you averaged the padding"),
        (lambda h, m: h.sum(dim=1) / m.sum(dim=1, keepdim=True).clamp(min=1),
         "the sum still holds the padding vectors"),
        (lambda h, m: (h * m.unsqueeze(-1)).sum(dim=1) / m.sum(dim=1, keepdim=True),
         "0 / 0 = NaN"),
        (_nan_to_num_mean, "the gradient holds NaN"),
        (_where_mean, "the gradient holds NaN"),
        (lambda h, m: torch.tensor(masked_mean(h, m).tolist()), "not computed from h"),
        (lambda h, m: masked_mean(h, m) + (h - h.detach()).masked_fill(
            m.unsqueeze(-1), 0.0).sum(dim=1), "the padding vectors get a gradient"),
        (lambda h, m: masked_mean(h, m).unsqueeze(1), "without keepdim"),
        (lambda h, m: (h * m.unsqueeze(-1)).mean(dim=-1), "not over the vector entries"),
        (lambda h, m: masked_mean(h, m).tolist(), "return a torch tensor"),
    ],
}

#: (wrong value for ch06-predict-weights, text of the remark).
WRONG_PREDICTIONS = [
    ([[1, 0, 0], [1 / (1 + math.e), math.e / (1 + math.e), 0],
      [1 / (2 + math.e), 1 / (2 + math.e), math.e / (2 + math.e)]], "unscaled scores"),
    (torch.softmax(torch.tensor([[1.0, 0, 1], [0, 1, 1], [1, 1, 2]]) / math.sqrt(2), dim=-1),
     "without the mask"),
    (torch.tensor(PREDICTED).T, "the matrix transposed"),
    (np.array([[1.0, 0, 0], [0, 1 / math.sqrt(2), 0], [1 / math.sqrt(2), 1 / math.sqrt(2),
                                                        2 / math.sqrt(2)]]),
     "those are the scaled scores, not weights"),
    ([[1, 0, 0], PREDICTED[1], [0.3, 0.3, 0.3]], "the weights of a row sum to 1"),
    ([[1, 0, 0], [0.3, 0.6, 0.1], [0.25, 0.25, 0.5]], "query 1 sees only keys 0..1"),
]


def _wrong_ids():
    return [(e, i) for e, answers in sorted(WRONG.items()) for i in range(len(answers))]


def _remark(result):
    return result.message.split("; hint:")[0]


# ---- registration and right answers ---------------------------------------------------------


def test_exercises_are_registered_with_titles_and_hints():
    ids = set(ex.exercises())
    assert set(RIGHT) <= ids
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint
        assert "lambda" not in info.hint and "return " not in info.hint
        assert "def " not in info.hint and not re.search(r"\d+\.\d+", info.hint)
    assert {"ch06", "ch07", "ch08"} <= set(ex.quizzes())


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.passed and bool(result), result.message
    assert result.n_passed == result.n_cases >= 3
    if exercise_id in CASES:
        assert result.n_cases == len(CASES[exercise_id]()) >= 7
    assert result.message == f"All {result.n_cases} hidden cases passed."


def test_other_right_answers_pass():
    # masked softmax: float64, torch's own softmax with the zero rows fixed afterwards.
    assert check("ch06-masked-softmax", lambda s, m: torch.where(
        m.any(-1, keepdim=True), torch.softmax(s.double().masked_fill(~m, -math.inf), -1), 0.0))
    # attention: torch's fused function for the output, and tokenlab's.
    assert check("ch06-fix-scaling", lambda q, k, v: (
        F.scaled_dot_product_attention(q, k, v), attention(q, k, v)[1]))
    assert check("ch06-fix-scaling", lambda q, k, v: list(attention(q, k, v)))
    assert check("ch06-fix-scaling", lambda q, k, v: attention(q.double(), k.double(), v.double()))
    # predicted weights: rounded to 3 decimals, a tensor, a NumPy array, tuples.
    assert check("ch06-predict-weights", [[1, 0, 0], [0.330, 0.670, 0], [0.248, 0.248, 0.503]])
    assert check("ch06-predict-weights", torch.tensor(PREDICTED))
    assert check("ch06-predict-weights", np.array(PREDICTED, dtype=np.float32))
    assert check("ch06-predict-weights", tuple(tuple(row) for row in PREDICTED))
    # sinusoidal: tokenlab's table, a float32 table computed in float64, a loop.
    assert check("ch07-sinusoidal", lambda n, d: sinusoidal(n, d, dtype=torch.float64))
    assert check("ch07-sinusoidal", lambda n, d: positional_encoding(n, d).float())

    def loop(length, dim):
        table = [[0.0] * dim for _ in range(length)]
        for i in range(length):
            for j in range(dim // 2):
                angle = i / 10000 ** (2 * j / dim)
                table[i][2 * j], table[i][2 * j + 1] = math.sin(angle), math.cos(angle)
        return torch.tensor(table, dtype=torch.float64)

    assert check("ch07-sinusoidal", loop)
    # shuffle gap: a 0-d tensor, a NumPy float, unshuffling the shuffled output instead.
    assert check("ch07-shuffle-gap", lambda f, x, p: (f(x[..., p, :]) - f(x)[..., p, :]).abs()
                 .max())
    assert check("ch07-shuffle-gap", lambda f, x, p: np.float64(shuffle_gap(f, x, p)))
    assert check("ch07-shuffle-gap", lambda f, x, p: (
        f(x[..., p, :])[..., torch.argsort(torch.tensor(p)), :] - f(x)).abs().max().item())

    # mean pooling: in place on h (allowed: h is not a leaf), a loop, float64.
    def in_place(h, mask):
        h[~mask] = 0.0
        return h.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1)

    def loop_mean(h, mask):
        rows = [h[b][mask[b]].mean(dim=0) if mask[b].any() else torch.zeros(h.shape[-1])
                for b in range(h.shape[0])]
        return torch.stack(rows)

    assert check("ch08-mean-pool", in_place)
    assert check("ch08-mean-pool", loop_mean)
    assert check("ch08-mean-pool", lambda h, m: masked_mean(h.double(), m))


def test_hidden_cases_agree_with_independent_references():
    for case in ch06.masked_softmax_cases():
        scores, mask = case.args
        assert case.expected.value.dtype == torch.float64
        torch.testing.assert_close(case.expected.value,
                                   masked_softmax(scores.double(), mask), rtol=0, atol=1e-12)
    for case in ch06.attention_cases():
        q, k, v = (t.double() for t in case.args)
        out, weights = case.expected.value
        torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), rtol=0,
                                   atol=1e-10)
        torch.testing.assert_close(weights, attention(q, k, v)[1], rtol=0, atol=1e-12)
    for case in ch07.sinusoidal_cases():
        torch.testing.assert_close(case.expected.value, positional_encoding(*case.args),
                                   rtol=0, atol=1e-9)
    for case in ch07.shuffle_cases():
        assert case.expected.value == pytest.approx(shuffle_gap(*case.args), abs=1e-12)
    for case in ch08.mean_pool_cases():
        h, mask, weights = case.args
        leaf = h.double().requires_grad_(True)
        out = masked_mean(leaf, mask)
        (out * weights).sum().backward()
        torch.testing.assert_close(case.expected.output, out.detach(), rtol=0, atol=1e-12)
        torch.testing.assert_close(case.expected.grad, leaf.grad, rtol=0, atol=1e-12)
        assert not case.expected.grad[~mask].any()


def test_predict_example_is_the_documented_one():
    q = torch.tensor(ch06.PREDICT_Q, dtype=torch.float64)
    weights = ch06.predict_reference()
    torch.testing.assert_close(weights, torch.tensor(PREDICTED, dtype=torch.float64))
    scores = (q @ q.T / math.sqrt(2)).masked_fill(~causal_mask(3), float("-inf"))
    torch.testing.assert_close(weights, torch.softmax(scores, dim=-1))
    assert "q = k = [[1, 0]," in ch06.PREDICT_EXAMPLE and "causal" in ch06.PREDICT_EXAMPLE
    assert "/ d\n" in ch06.BROKEN_ATTENTION and "def attention(q, k, v):" in ch06.BROKEN_ATTENTION
    # The module docstring, which the chapter quotes, shows both verbatim.
    assert textwrap.indent(ch06.BROKEN_ATTENTION, "    ") in ch06.__doc__
    assert textwrap.indent(ch06.PREDICT_EXAMPLE, "    ") in ch06.__doc__


def test_hidden_cases_cover_the_chapter_points():
    masks = [torch.tensor(m) for _, m in ch06.MASKED_SOFTMAX_INPUTS]
    assert any(not bool(m.any(dim=-1).all()) for m in masks)  # a fully masked row
    assert {m.dim() for m in masks} >= {1, 2, 3}
    assert any(max(abs(x) for x in s) >= 1000 for s, m in ch06.MASKED_SOFTMAX_INPUTS
               if isinstance(s[0], float))
    shapes = ch06.ATTENTION_SHAPES
    assert any(q[-2] != k[-2] for q, k, _, _ in shapes)  # Lq != Lk
    assert any(v[-1] != q[-1] for q, _, v, _ in shapes)  # dv != d
    assert any(len(q) == 4 for q, _, _, _ in shapes) and any(len(q) == 2 for q, *_ in shapes)
    assert (1, 2) in ch07.SINUSOIDAL_INPUTS and max(n for n, _ in ch07.SINUSOIDAL_INPUTS) >= 2000
    names = {name for name, *_ in ch07.SHUFFLE_INPUTS}
    assert names == set(ch07.SHUFFLE_FUNCTIONS)
    assert any(len(s) == 3 and s[0] == len(p) for _, s, p, _ in ch07.SHUFFLE_INPUTS)
    lengths = [n for lens, *_ in ch08.MEAN_POOL_INPUTS for n in lens]
    assert 0 in lengths
    assert any(n == length for lens, length, *_ in ch08.MEAN_POOL_INPUTS for n in lens)


def test_equivariant_functions_have_a_zero_gap_and_the_others_do_not():
    for case in ch07.shuffle_cases():
        f, x, perm = case.args
        name = next(n for n, (_, g) in ch07.SHUFFLE_FUNCTIONS.items() if g is f)
        if name in ("block", "attention", "per-token") or perm == sorted(perm):
            assert case.expected.value < 1e-12, name
        else:
            assert case.expected.value > 1e-3, name


# ---- wrong answers ----------------------------------------------------------------------------


def _expected_forms(expected):
    """How the expected output of a case would look if a message spelled it out."""
    value = getattr(expected, "value", None)
    if value is None:
        value = getattr(expected, "output", None)
    forms = []
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, torch.Tensor):
            rounded = [round(x, 4) for x in item.flatten().tolist()[:3]]
            forms.append(ex.short_repr(rounded)[:-1])  # the first entries, "[a, b, c"
        else:
            forms += [f"{item:.4f}", repr(item)]
    return forms


@pytest.mark.parametrize(("exercise_id", "index"), _wrong_ids())
def test_wrong_answers_fail_with_a_remark_and_the_hint(exercise_id, index):
    answer, remark = WRONG[exercise_id][index]
    assert_fails_with_remark(exercise_id, answer, remark, CASES[exercise_id](), _expected_forms)


@pytest.mark.parametrize("index", range(len(WRONG_PREDICTIONS)))
def test_wrong_predictions_fail_with_a_remark(index):
    answer, remark = WRONG_PREDICTIONS[index]
    result = check("ch06-predict-weights", answer)
    assert not result.passed and result.n_cases == 3 and result.n_passed < 3
    assert re.match(rf"{result.n_passed} of 3 hidden cases passed\. Row \d \(query \[",
                    result.message), result.message
    assert remark in _remark(result), result.message
    # The expected weights are never shown (unless the reader's own row holds them).
    shown = _remark(result)
    row = re.search(r"of your weights is (\[[^\]]*\])", shown).group(1)
    for value in (0.3302, 0.6698, 0.2483, 0.5035):
        if str(value) not in row:
            assert str(value) not in shown


def test_a_wrong_first_row_of_predictions_is_named():
    result = check("ch06-predict-weights", [[0.5, 0.5, 0], PREDICTED[1], PREDICTED[2]])
    assert result.n_passed == 2
    assert "Row 0 (query [1, 0]) of your weights is [0.5, 0.5, 0.0]" in result.message
    assert "query 0 sees only keys 0..0" in result.message


def test_the_broken_attention_of_the_chapter_fails_on_the_scaling():
    result = check("ch06-fix-scaling", _broken_attention())
    assert result.n_passed == 0
    assert "dividing by d" in result.message and "divide by sqrt(d)" in result.message


def test_raising_answers_are_reported_not_raised():
    result = check("ch06-fix-scaling", lambda q, k, v: attention(q, k.mT, v.mT))
    assert not result.passed and "your function raised RuntimeError" in result.message
    result = check("ch06-masked-softmax", lambda s, m: s[m.long()].softmax())
    assert not result.passed and "your function raised" in result.message
    result = check("ch07-sinusoidal", lambda n, d: 1 / 0)
    assert "your function raised ZeroDivisionError" in result.message and result.n_passed == 0
    result = check("ch07-shuffle-gap", lambda f, x, perm: f(x[perm[0]]).item())
    assert "your function raised" in result.message
    result = check("ch08-mean-pool", lambda h, m: h[m].mean(dim=0).view(5, -1))
    assert "your function raised RuntimeError" in result.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_wrong_kinds_of_answers_fail_cleanly(exercise_id):
    if exercise_id == "ch06-predict-weights":
        answers = ["0.33", None, 0.5, [[1, 0], [0, 1]], [[1, 0, 0]] * 2 + [["a", 0, 0]],
                   [[float("nan")] * 3] * 3, lambda: PREDICTED, True, {"a": 1}, UnusableAnswer(),
                   torch.tensor(PREDICTED, dtype=torch.complex64)]
        for answer in answers:
            result = check(exercise_id, answer)
            assert not result.passed and result.n_cases == 0
            assert "3 x 3 nested list" in result.message or "could not be graded" in (
                result.message), result.message
        return
    for answer in ("x", 0.5, None, [1, 2], torch.ones(3)):
        result = check(exercise_id, answer)
        assert not result.passed and "your function itself" in result.message
    n_args = 3 if exercise_id in ("ch06-fix-scaling", "ch07-shuffle-gap") else 2
    for value in (None, "text", UnusableAnswer(), torch.ones(2, dtype=torch.complex64),
                  torch.ones(1).to_sparse(), (torch.ones(1),) * 3, float("nan"), True):
        result = check(exercise_id, lambda *args, value=value: value)
        assert not result.passed and result.n_passed == 0, (value, result.message)
        assert result.n_cases >= 7
    # The wrong number of parameters is an error in the reader's function, reported as such.
    result = check(exercise_id, lambda one: one)
    assert result.n_passed == 0 and "your function raised TypeError" in result.message
    assert f"takes 1 positional argument but {n_args} were given" in result.message


def test_answers_cannot_corrupt_later_cases():
    def greedy(h, mask):
        out = masked_mean(h, mask)
        mask.fill_(False)
        return out

    assert check("ch08-mean-pool", greedy)

    def scrambles(scores, mask):
        out = masked_softmax(scores, mask).clone()
        scores.zero_()
        return out

    assert check("ch06-masked-softmax", scrambles)


def test_grading_does_not_move_the_global_random_state():
    state = torch.random.get_rng_state()
    for exercise_id, answer in RIGHT.items():
        check(exercise_id, answer)
    assert torch.equal(state, torch.random.get_rng_state())


# ---- quizzes ----------------------------------------------------------------------------------

DATA = Path(ex.__file__).parent / "data"


@pytest.mark.parametrize("chapter", ["ch06", "ch07", "ch08"])
def test_quiz_validates(chapter):
    quiz = load_quiz(chapter)
    assert quiz.chapter == chapter and quiz.title
    assert len(quiz.questions) == 6
    assert quiz.to_dict() == json.loads((DATA / f"quiz_{chapter}.json").read_text("utf-8"))
    assert ex.Quiz.from_dict(quiz.to_dict()) == quiz
    for q in quiz.questions:
        assert len(q.choices) >= 3 and len(q.explanations) == len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)
        assert all(len(e) >= 40 for e in q.explanations)
    assert len({q.answer for q in quiz.questions}) >= 3


def test_quizzes_cover_their_chapters():
    text6 = json.dumps(load_quiz("ch06").to_dict(), ensure_ascii=False)
    for topic in ("sqrt(d)", "causal mask", "RNN", "n - 1", "O(n^2 d)", "O(n d^2)", "heads",
                  "W_Q"):
        assert topic in text6, topic
    text7 = json.dumps(load_quiz("ch07").to_dict(), ensure_ascii=False)
    for topic in ("permutation-equivariant", "sin", "cos", "|i - j|", "rotation",
                  "learned positional embeddings", "512"):
        assert topic in text7, topic
    text8 = json.dumps(load_quiz("ch08").to_dict(), ensure_ascii=False)
    for topic in ("padding", "key padding mask", "bag-of-bigrams", "attention map",
                  "Overfitting", "validation", "held-out"):
        assert topic in text8, topic


def _question(chapter, needle):
    return next(q for q in load_quiz(chapter).questions if needle in q.prompt)


def test_quiz_answers_agree_with_tokenlab():
    q = _question("ch06", "causal mask")
    visible = causal_mask(5)[2].nonzero().flatten().tolist()
    assert q.choices[q.answer] == "Positions " + ", ".join(map(str, visible[:-1])) + (
        f" and {visible[-1]}")

    q = _question("ch06", "sqrt(d)")
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(2, 4000, 512, generator=g, dtype=torch.float64)
    assert float((a * b).sum(-1).std()) == pytest.approx(math.sqrt(512), rel=0.05)
    assert "22.6" in q.choices[q.answer]

    q = _question("ch07", "changes fastest")
    table = sinusoidal(200, 512, dtype=torch.float64)
    speed = (table[1:] - table[:-1]).abs().mean(dim=0)
    assert int(speed.argmax()) in (0, 1) and q.choices[q.answer].startswith("Columns 0 and 1")

    q = _question("ch07", "What does this dot product depend on")
    table = sinusoidal(20, 16, dtype=torch.float64)
    assert float(table[3] @ table[5]) == pytest.approx(float(table[10] @ table[12]))
    assert float(table[3] @ table[5]) == pytest.approx(float(table[5] @ table[3]))
    assert float(table[4] @ table[6]) == pytest.approx(float(table[6] @ table[4]))
    assert float(table[2] @ table[5]) == pytest.approx(float(table[7] @ table[4]))
    assert "|i - j|" in q.choices[q.answer]

    q = _question("ch07", "dog bites man")
    from tokenlab.attention import TransformerEncoderBlock

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        block = TransformerEncoderBlock(8, 2, 16).eval()
        x = torch.randn(3, 8)
    assert torch.allclose(block(x).mean(0), block(x[[2, 1, 0]]).mean(0), atol=1e-6)
    assert q.choices[q.answer].startswith("The same score")

    q = _question("ch08", "key padding mask")
    from tokenlab.attention import MultiHeadSelfAttention

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        attn = MultiHeadSelfAttention(8, 2)
        out, weights = attn(torch.randn(1, 4, 8), key_padding_mask=~padding_mask([2], 4))
    assert out.shape == (1, 4, 8) and not weights[..., 2:].any()
    assert out[0, 2:].abs().sum() > 0  # padding positions still get an output vector
    assert "weight 0 as keys" in q.choices[q.answer]

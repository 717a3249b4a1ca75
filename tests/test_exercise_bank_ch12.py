"""Chapter 12 in tokenlab.exercise_bank: checkers, hints and the quiz."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import UnusableAnswer, assert_fails_with_remark
from tokenlab import exercises as ex
from tokenlab.beyond import dequantize, patchify, quantize, uniform_edges
from tokenlab.exercise_bank import ch12
from tokenlab.exercises import check, load_quiz

# ---- reference answers, written as a reader would -------------------------------------------


def to_patches(images, p):
    b, h, w = images.shape
    grid = images.reshape(b, h // p, p, w // p, p)
    return grid.permute(0, 1, 3, 2, 4).reshape(b, -1, p * p)


def tokenize_readings(values, low, high, bins):
    width = (high - low) / bins
    ids = torch.floor((values.double() - low) / width).long()
    return ids.clamp(0, bins - 1)


def reconstruction_error(values, low, high, bins):
    width = (high - low) / bins
    ids = tokenize_readings(values, low, high, bins)
    centres = low + (ids + 0.5) * width
    return (values.double() - centres).abs().mean().item()


RIGHT = {
    "ch12-patchify": to_patches,
    "ch12-quantize": tokenize_readings,
    "ch12-reconstruction-error": reconstruction_error,
}

CASES = {
    "ch12-patchify": ch12.patch_cases,
    "ch12-quantize": ch12.quantize_cases,
    "ch12-reconstruction-error": ch12.reconstruction_cases,
}

# ---- typical wrong answers and the remark each must get ---------------------------------------


def _grid(x, p):
    b, h, w = x.shape
    return x.reshape(b, h // p, p, w // p, p)


def _layout(*order):
    def wrong(x, p):
        return _grid(x, p).permute(0, *order).reshape(x.shape[0], -1, p * p)

    return wrong


def _strided(x, p):
    b, h, w = x.shape
    return x.reshape(b, p, h // p, p, w // p).permute(0, 2, 4, 1, 3).reshape(b, -1, p * p)


def _width(low, high, bins):
    return (high - low) / bins


def _floor(v, low, high, bins):
    return torch.floor((v - low) / _width(low, high, bins))


def _centres(v, low, high, bins):
    return low + (tokenize_readings(v, low, high, bins) + 0.5) * _width(low, high, bins)


def _no_clip_error(v, low, high, bins):
    back = low + (_floor(v.double(), low, high, bins) + 0.5) * _width(low, high, bins)
    return (v.double() - back).abs().mean().item()


#: (wrong answer, text its failure message must hold before the hint).
WRONG = {
    "ch12-patchify": [
        (lambda x, p: x.reshape(x.shape[0], -1, p * p), "a reshape alone"),
        (_layout(3, 1, 2, 4), "column-major order"),
        (_layout(1, 3, 4, 2), "flattened column by column"),
        (lambda x, p: to_patches(x.mT, p), "the transposed image"),
        (lambda x, p: F.unfold(x[:, None], p, stride=p), "the layout of F.unfold"),
        (lambda x, p: _grid(x, p).permute(0, 1, 3, 2, 4).reshape(x.shape[0], x.shape[1] // p,
                                                                  -1, p * p),
         "flatten the grid of patches into one axis"),
        (lambda x, p: _grid(x, p).permute(0, 1, 3, 2, 4).reshape(x.shape[0], -1, p, p),
         "flatten each p x p patch into one vector"),
        (lambda x, p: to_patches(x, p).reshape(-1, p * p), "keep the batch axis first"),
        (lambda x, p: _grid(x, p).permute(0, 1, 3, 2, 4), "it must be (batch, (H // p)"),
        (lambda x, p: to_patches(x, p).long(), "keep their floating dtype"),
        (lambda x, p: to_patches(x, p).half(), "you converted the torch.float32 images"),
        (lambda x, p: to_patches(x, p).float(), "you converted the torch.float64 images"),
        (lambda x, p: to_patches(x, p) / 16, "the values changed"),
        (lambda x, p: to_patches(x, p).flip(-2), "some are in the wrong place"),
        (lambda x, p: to_patches(x, p).tolist(), "return a torch tensor"),
        (lambda x, p: to_patches(x, p).numpy(), "return a torch tensor"),
    ],
    "ch12-quantize": [
        (lambda v, lo, hi, n: torch.bucketize(v, uniform_edges(lo, hi, n)),
         "closed on the left"),
        (lambda v, lo, hi, n: _floor(v, lo, hi, n).long(), "one past the last bin"),
        (lambda v, lo, hi, n: _floor(v.clamp(lo, hi), lo, hi, n).long(),
         "high belongs to the last bin, bins - 1"),
        (lambda v, lo, hi, n: _floor(v, lo, hi, n).long().clamp(max=n - 1),
         "must be clipped into the end bins"),
        (lambda v, lo, hi, n: _floor(v, lo, hi, n).clamp(0, n - 1), "return an int64 tensor"),
        (lambda v, lo, hi, n: _floor(v, lo, hi, n).clamp(0, n - 1).int(),
         "the ids are right but torch.int32"),
        (lambda v, lo, hi, n: ((v - lo) / _width(lo, hi, n)).clamp(0, n - 1),
         "the result holds fractions"),
        (lambda v, lo, hi, n: torch.round((v - lo) / _width(lo, hi, n)).long().clamp(0, n - 1),
         "the nearest edge, not the bin"),
        (lambda v, lo, hi, n: torch.bucketize(v, torch.linspace(lo, hi, n), right=True),
         "torch.linspace(low, high, bins) makes bins edges"),
        (lambda v, lo, hi, n: torch.bucketize(v, torch.linspace(lo, hi, n), right=True)
         .clamp(0, n - 1), "torch.linspace(low, high, bins) makes bins edges"),
        (lambda v, lo, hi, n: torch.floor((v - lo) / ((hi - lo) / (n - 1))).long()
         .clamp(0, n - 1), "the bins are too wide"),
        (lambda v, lo, hi, n: torch.bucketize(v, torch.linspace(lo, hi, n + 1), right=True),
         "those edges include low and high themselves"),
        (lambda v, lo, hi, n: tokenize_readings(v, lo, hi, n).add(1).clamp(max=n - 1),
         "the ids are one too high"),
        (lambda v, lo, hi, n: n - 1 - tokenize_readings(v, lo, hi, n), "count down from high"),
        (lambda v, lo, hi, n: tokenize_readings(v, lo, hi, n).flatten(), "one id per reading"),
        (lambda v, lo, hi, n: tokenize_readings(v, lo, hi, n).tolist(), "return a torch tensor"),
        (lambda v, lo, hi, n: tokenize_readings(v, lo, hi, n) > 0, "token ids are integers"),
    ],
    "ch12-reconstruction-error": [
        (lambda v, lo, hi, n: (lo + tokenize_readings(v, lo, hi, n) * _width(lo, hi, n)
                               - v.double()).abs().mean().item(), "not its left edge"),
        (lambda v, lo, hi, n: (lo + (tokenize_readings(v, lo, hi, n) + 1) * _width(lo, hi, n)
                               - v.double()).abs().mean().item(), "not its right edge"),
        (lambda v, lo, hi, n: (dequantize(quantize(v, uniform_edges(lo, hi, n)),
                                          uniform_edges(lo, hi, n)) - v).abs().mean().item(),
         "dequantize needs low and high"),
        (_no_clip_error, "their error is more than half a bin"),
        (lambda v, lo, hi, n: (_centres(v, lo, hi, n) - v.double().clamp(lo, hi)).abs().mean()
         .item(), "not the clipped ones"),
        (lambda v, lo, hi, n: ((_centres(v, lo, hi, n) - v) ** 2).mean().item(),
         "the mean squared error"),
        (lambda v, lo, hi, n: ((_centres(v, lo, hi, n) - v) ** 2).mean().sqrt().item(),
         "the root mean squared error"),
        (lambda v, lo, hi, n: (_centres(v, lo, hi, n) - v).abs().max().item(),
         "that is the largest error"),
        (lambda v, lo, hi, n: (_centres(v, lo, hi, n) - v).mean().item(), "cancel out"),
        (lambda v, lo, hi, n: (v - _centres(v, lo, hi, n)).mean().item(), "cancel out"),
        (lambda v, lo, hi, n: (_centres(v, lo, hi, n) - v).abs().sum().item(),
         "the sum of the errors"),
        (lambda v, lo, hi, n: reconstruction_error(v, lo, hi, n) / _width(lo, hi, n),
         "not in bin widths"),
        (lambda v, lo, hi, n: (_centres(v, lo, hi, n) - v).abs(), "reduce the errors to one"),
        (lambda v, lo, hi, n: reconstruction_error(v, lo, hi, n) > 0, "not a yes or no"),
        (lambda v, lo, hi, n: float("nan"), "the error is NaN"),
        (lambda v, lo, hi, n: -1.0, "never negative"),
    ],
}


def _wrong_ids():
    return [(e, i) for e, answers in sorted(WRONG.items()) for i in range(len(answers))]


def _remark(result):
    return result.message.split("; hint:")[0]


# ---- registration and right answers ---------------------------------------------------------


def test_exercises_are_registered_with_titles_and_hints():
    ids = set(ex.exercises())
    assert set(RIGHT) <= ids
    assert {e for e in ids if e.startswith("ch12-")} == set(RIGHT)
    for exercise_id in RIGHT:
        info = ex.get_exercise(exercise_id)
        assert info.id == exercise_id and info.title and info.hint
        assert "lambda" not in info.hint and "return " not in info.hint
        assert "def " not in info.hint and not re.search(r"\d+\.\d+", info.hint)
    assert "ch12" in ex.quizzes()


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.passed and bool(result), result.message
    assert result.n_passed == result.n_cases == len(CASES[exercise_id]()) >= 8
    assert result.message == f"All {result.n_cases} hidden cases passed."


def test_other_right_answers_pass():
    # patches: the library, F.unfold transposed, einops-style reshapes, float64, a loop.
    assert check("ch12-patchify", patchify)
    assert check("ch12-patchify", lambda x, p: F.unfold(x[:, None], p, stride=p).mT)
    assert check("ch12-patchify", lambda x, p: x.unfold(1, p, p).unfold(2, p, p)
                 .reshape(x.shape[0], -1, p * p))
    assert check("ch12-patchify", lambda x, p: to_patches(x, p).double())

    def loop(images, p):
        b, h, w = images.shape
        out = []
        for image in images:
            out.append(torch.stack([image[i:i + p, j:j + p].flatten()
                                    for i in range(0, h, p) for j in range(0, w, p)]))
        return torch.stack(out)

    assert check("ch12-patchify", loop)
    # ids: the library with float32 edges, bucketize on float32, floor in float32, NumPy.
    assert check("ch12-quantize", lambda v, lo, hi, n: quantize(v, uniform_edges(lo, hi, n)))
    assert check("ch12-quantize", lambda v, lo, hi, n: torch.bucketize(
        v, uniform_edges(lo, hi, n, dtype=v.dtype), right=True))
    assert check("ch12-quantize", lambda v, lo, hi, n: torch.floor(
        (v - lo) / ((hi - lo) / n)).long().clamp(0, n - 1))
    assert check("ch12-quantize", lambda v, lo, hi, n: torch.floor(
        (v.float() - lo) * n / (hi - lo)).clamp(0, n - 1).long())
    assert check("ch12-quantize", lambda v, lo, hi, n: ((v - lo) // ((hi - lo) / n))
                 .clamp(0, n - 1).to(torch.long))
    assert check("ch12-quantize", lambda v, lo, hi, n: torch.as_tensor(np.clip(
        np.digitize(v.numpy(), np.linspace(lo, hi, n + 1)[1:-1]), 0, n - 1)).long())
    # errors: the library, float32 throughout, a 0-d tensor, NumPy.
    edges = uniform_edges

    def library(v, lo, hi, n):
        back = dequantize(quantize(v, edges(lo, hi, n)), edges(lo, hi, n), low=lo, high=hi)
        return (back - v).abs().mean().item()

    assert check("ch12-reconstruction-error", library)
    assert check("ch12-reconstruction-error", lambda v, lo, hi, n: (
        lo + (tokenize_readings(v, lo, hi, n).float() + 0.5) * (hi - lo) / n
        - v.float()).abs().mean().item())
    assert check("ch12-reconstruction-error", lambda v, lo, hi, n: (
        _centres(v, lo, hi, n) - v).abs().mean())
    assert check("ch12-reconstruction-error", lambda v, lo, hi, n: np.mean(np.abs(
        _centres(v, lo, hi, n).numpy() - v.numpy())))


def test_hidden_cases_agree_with_independent_references():
    for case in ch12.patch_cases():
        images, p = case.args
        assert torch.equal(case.expected.value, to_patches(images, p).double())
        assert torch.equal(case.expected.value, F.unfold(images[:, None].double(), p,
                                                         stride=p).mT)
    for case in ch12.quantize_cases():
        values, low, high, bins = case.args
        assert case.expected.value.dtype == torch.int64
        assert torch.equal(case.expected.value, tokenize_readings(values, low, high, bins))
    for case in ch12.reconstruction_cases():
        values, low, high, bins = case.args
        assert case.expected.target.value == pytest.approx(
            reconstruction_error(values, low, high, bins), abs=1e-12)


def test_hidden_readings_are_not_ambiguous_in_float32():
    """No reading is so close to an inner edge that float32 rounding could change its bin."""
    for case in ch12.quantize_cases():
        values, low, high, bins = case.args
        v = values.double().flatten()
        width = (high - low) / bins
        position = (v - low) / width
        distance = (position - torch.round(position)).abs()
        inside = (position > 0.5) & (position < bins - 0.5)
        on_edge = distance == 0
        assert bool((distance[inside & ~on_edge] > ch12.EDGE_MARGIN).all()), case.describe()
        # A reading exactly on an edge is exactly representable, and so is the edge.
        for x in v[on_edge & inside].tolist():
            assert float(np.float32(x)) == x and float(np.float32(low + round(
                (x - low) / width) * width)) == x
        # float32 arithmetic, the library's float32 edges and float64 all give the same ids.
        v32 = values.float()
        assert torch.equal(torch.floor((v32 - low) / np.float32(width)).long().clamp(0, bins - 1)
                           .reshape(values.shape), case.expected.value)
        assert torch.equal(quantize(v32, uniform_edges(low, high, bins)), case.expected.value)


def test_hidden_cases_cover_the_chapter_points():
    shapes = [(shape, p) for _, shape, p, _, _ in ch12.PATCH_INPUTS]
    assert any(h != w for (_, h, w), _ in shapes)  # a non-square image
    assert any(p == 1 for _, p in shapes) and any(p == h == w for (_, h, w), p in shapes)
    assert ((3, 8, 8), 4) in shapes and any(s[1:] == (8, 8) and p == 2 for s, p in shapes)
    assert {d for *_, d in ch12.PATCH_INPUTS} == {"float32", "float64"}
    readings = [(case.args, case.expected.value) for case in ch12.quantize_cases()]
    assert any(bool((v == hi).any()) for (v, _, hi, _), _ in readings)
    assert any(bool((v < lo).any()) for (v, lo, _, _), _ in readings)
    assert any(bool((v > hi).any()) for (v, _, hi, _), _ in readings)
    assert any(v.dim() == 0 for (v, *_), _ in readings) and any(v.dim() == 2 for (v, *_), _ in
                                                                 readings)
    assert {n for (_, _, _, n), _ in readings} >= {2, 100}
    errors = [case.expected.target.value for case in ch12.reconstruction_cases()]
    assert 0.0 in errors
    # The same trace with 4, 16 and 64 bins: the error shrinks about 4 times each time.
    trace = [case.expected.target.value for case in ch12.reconstruction_cases()
             if "temperature trace" in case.describe()]
    assert len(trace) == 3 and all(2.5 < a / b < 6 for a, b in
                                   zip(trace, trace[1:], strict=False))


def test_uniform_readings_lose_a_quarter_bin_on_average():
    case = ch12.reconstruction_cases()[0]
    values, low, high, bins = case.args
    assert case.expected.target.value == pytest.approx((high - low) / bins / 4, rel=0.05)


# ---- wrong answers ----------------------------------------------------------------------------


def _expected_forms(expected):
    """How the expected output of a case would look if a message spelled it out."""
    target = getattr(expected, "target", None)
    if target is not None:
        return [f"{target.value:.4f}", repr(target.value)]
    value = expected.value
    if value.dim() == 0:
        return [f"tensor {value.item()!r} of"] if value.is_floating_point() else []
    rounded = [round(x, 4) for x in value.flatten().tolist()[:3]]
    return [ex.short_repr(rounded)[:-1]]  # the first entries, "[a, b, c"


@pytest.mark.parametrize(("exercise_id", "index"), _wrong_ids())
def test_wrong_answers_fail_with_a_remark_and_the_hint(exercise_id, index):
    answer, remark = WRONG[exercise_id][index]
    assert_fails_with_remark(exercise_id, answer, remark, CASES[exercise_id](), _expected_forms)


def test_strided_patches_are_named():
    # On a 4 x 4 image with p = 2 they look like F.unfold's layout; the other cases tell.
    failures = [f for f in ex.get_exercise("ch12-patchify").checker(_strided) if f]
    assert any("the layout of F.unfold" in f for f in failures)
    assert any("not squares of neighbouring pixels" in f for f in failures)


def test_an_answer_right_except_on_the_top_edge_is_told_so():
    def top_only(v, lo, hi, n):
        ids = tokenize_readings(v, lo, hi, n)
        return torch.where(v == hi, n, ids)

    result = check("ch12-quantize", top_only)
    assert not result.passed and "one past the last bin" in result.message


def test_raising_answers_are_reported_not_raised():
    result = check("ch12-patchify", lambda x, p: x.reshape(x.shape[0], -1, 7))
    assert not result.passed and "your function raised RuntimeError" in result.message
    result = check("ch12-patchify", lambda x, p: x.view(-1, p, p)[p * 100])
    assert "your function raised IndexError" in result.message
    result = check("ch12-quantize", lambda v, lo, hi, n: torch.stack(
        [tokenize_readings(x, lo, hi, n) for x in v]))
    assert result.n_passed == result.n_cases - 1  # only the 0-d case fails
    assert "For values=torch.tensor(60.0)" in result.message
    assert "your function raised TypeError: iteration over a 0-d tensor" in result.message
    result = check("ch12-reconstruction-error", lambda v, lo, hi, n: 1 / 0)
    assert "your function raised ZeroDivisionError" in result.message and result.n_passed == 0


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_wrong_kinds_of_answers_fail_cleanly(exercise_id):
    for answer in ("x", 0.5, None, [1, 2], torch.ones(3)):
        result = check(exercise_id, answer)
        assert not result.passed and "your function itself" in result.message
    n_args = 2 if exercise_id == "ch12-patchify" else 4
    for value in (None, "text", UnusableAnswer(), torch.ones(2, dtype=torch.complex64),
                  torch.ones(1).to_sparse(), (torch.ones(1),) * 3, float("nan"), True,
                  torch.ones(2, dtype=torch.bool), torch.tensor(math.inf), np.float64(0.5),
                  torch.empty(0)):
        result = check(exercise_id, lambda *args, value=value: value)
        assert not result.passed and result.n_passed == 0, (value, result.message)
        assert result.n_cases >= 8
        assert "could not be graded" not in result.message
    # The wrong number of parameters is an error in the reader's function, reported as such.
    result = check(exercise_id, lambda one: one)
    assert result.n_passed == 0 and "your function raised TypeError" in result.message
    assert f"takes 1 positional argument but {n_args} were given" in result.message


def test_answers_cannot_corrupt_later_cases():
    def greedy(images, p):
        out = to_patches(images, p).clone()
        images.zero_()
        return out

    assert check("ch12-patchify", greedy)

    def scrambles(values, low, high, bins):
        ids = tokenize_readings(values, low, high, bins)
        values.fill_(high + 100)
        return ids

    assert check("ch12-quantize", scrambles)


def test_the_patches_may_be_a_view_of_the_images():
    # p = 1 or one patch per image makes the reshape a view: still right, and nothing aliases.
    assert check("ch12-patchify", lambda x, p: x.view(x.shape[0], -1, p * p)
                 if p == 1 or p == x.shape[1] == x.shape[2] else to_patches(x, p))


def test_grading_does_not_move_the_global_random_state():
    state = torch.random.get_rng_state()
    for exercise_id, answer in RIGHT.items():
        check(exercise_id, answer)
    assert torch.equal(state, torch.random.get_rng_state())


def test_module_docstring_lists_the_signatures():
    for signature in ("to_patches(images: Tensor, p: int) -> Tensor",
                      "tokenize_readings(values: Tensor, low: float, high: float, bins: int) "
                      "-> Tensor",
                      "reconstruction_error(values: Tensor, low: float, high: float, bins: "
                      "int) -> float"):
        assert signature in " ".join(ch12.__doc__.split()), signature


# ---- quiz -------------------------------------------------------------------------------------

DATA = Path(ex.__file__).parent / "data"


def test_quiz_validates():
    quiz = load_quiz("ch12")
    assert quiz.chapter == "ch12" and quiz.title
    assert len(quiz.questions) == 6
    assert quiz.to_dict() == json.loads((DATA / "quiz_ch12.json").read_text("utf-8"))
    assert ex.Quiz.from_dict(quiz.to_dict()) == quiz
    for q in quiz.questions:
        assert len(q.choices) >= 3 and len(q.explanations) == len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)
        assert all(len(e) >= 40 for e in q.explanations)
    assert len({q.answer for q in quiz.questions}) >= 3


def test_quiz_covers_the_chapter():
    text = json.dumps(load_quiz("ch12").to_dict(), ensure_ascii=False)
    for topic in ("vocabulary", "embedding", "patches", "position", "binned", "linear",
                  "query", "keys", "-inf", "filter phase", "Kubernetes", "half a bin",
                  "vocabulary doubles"):
        assert topic in text, topic


def _question(needle):
    return next(q for q in load_quiz("ch12").questions if needle in q.prompt)


def test_quiz_answers_agree_with_tokenlab():
    q = _question("You go to 100 bins")
    readings = torch.linspace(0.0, 100.0, 100001, dtype=torch.float64)
    worst = {}
    for bins in (50, 100):
        edges = uniform_edges(0.0, 100.0, bins, dtype=torch.float64)
        back = dequantize(quantize(readings, edges), edges, low=0.0, high=100.0)
        worst[bins] = float((back - readings).abs().max())
        assert int(quantize(readings, edges).max()) + 1 == bins  # the vocabulary
    assert worst[50] == pytest.approx(1.0) and worst[100] == pytest.approx(0.5)
    assert "from 1 to 0.5" in q.choices[q.answer] and "from 50 to 100" in q.choices[q.answer]

    q = _question("feasibility mask")
    scores = torch.tensor([2.0, 5.0, 1.0]).masked_fill(torch.tensor([True, False, True]),
                                                       -math.inf)
    weights = torch.softmax(scores, dim=-1)
    assert weights[1] == 1 and weights[0] == weights[2] == 0
    assert q.choices[q.answer].startswith("The filter phase")

    q = _question("no position embeddings")
    tokens = patchify(torch.arange(64.0).reshape(1, 8, 8), 2)
    assert tokens.shape == (1, 16, 4)
    from tokenlab.attention import TransformerEncoderBlock

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        embed = torch.nn.Linear(4, 8)
        block = TransformerEncoderBlock(8, 2, 16).eval()
    h = embed(tokens / 64)
    shuffled = h[:, torch.randperm(16, generator=torch.Generator().manual_seed(0))]
    assert torch.allclose(block(h).mean(1), block(shuffled).mean(1), atol=1e-6)
    assert "Where each patch was" in q.choices[q.answer]

    q = _question("cross-attention")
    assert q.choices[q.answer].startswith("The query from the task token")

"""Chapter 13 (numeric precision): the quiz, its answers checked against torch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from tokenlab import exercises as ex
from tokenlab.exercises import load_quiz

DATA = Path(ex.__file__).parent / "data"


def _question(needle):
    return next(q for q in load_quiz("ch13").questions if needle in q.prompt)


def test_quiz_validates():
    quiz = load_quiz("ch13")
    assert quiz.chapter == "ch13" and quiz.title and "ch13" in ex.quizzes()
    assert len(quiz.questions) == 6
    assert quiz.to_dict() == json.loads((DATA / "quiz_ch13.json").read_text("utf-8"))
    for q in quiz.questions:
        assert len(q.choices) >= 3 and len(q.explanations) == len(q.choices)
        assert len(set(q.explanations)) == len(q.explanations)
        assert all(len(e) >= 40 for e in q.explanations)


def test_quiz_answers_agree_with_torch():
    q = _question("split them")
    f16, bf16 = torch.finfo(torch.float16), torch.finfo(torch.bfloat16)
    assert -math.log2(f16.eps) == 10 and -math.log2(bf16.eps) == 7   # mantissa bits
    assert f16.max == 65504 and bf16.max > 3e38
    assert "5 exponent and 10 mantissa" in q.choices[q.answer]

    q = _question("1 + 0.003")
    one = torch.tensor(1.0, dtype=torch.bfloat16)
    assert bf16.eps == 2.0**-7 and (one + 0.003).item() == 1.0 and 0.003 < bf16.eps / 2
    assert q.choices[q.answer].startswith("Exactly 1")

    q = _question("naive float16 softmax")
    s = torch.tensor([12.0, 13.0], dtype=torch.float16)
    naive = s.exp() / s.exp().sum()
    assert torch.isinf(s.exp()).all() and torch.isnan(naive).all()
    stable = (s - s.max()).exp() / (s - s.max()).exp().sum()
    assert torch.allclose(stable.float(), torch.softmax(s.float(), 0), atol=1e-3)
    assert round(math.exp(12)) == 162755 and "NaN" in q.choices[q.answer]

    q = _question("counter")
    counter = torch.tensor(0.0, dtype=torch.float16)
    for _ in range(4096):
        counter = counter + 1
    assert counter.item() == 2048 and "At 2048" in q.choices[q.answer]

    q = _question("loss scaling")
    assert torch.tensor(1e-8, dtype=torch.float16).item() == 0.0
    assert torch.tensor(1e-8 * 65536, dtype=torch.float16).item() > 0
    assert torch.tensor(1e-8, dtype=torch.bfloat16).item() > 0
    assert "round to 0" in q.choices[q.answer]

    q = _question("autocast")
    gen = torch.Generator().manual_seed(0)
    x, w = torch.randn(4, 8, generator=gen), torch.randn(8, 8, generator=gen)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        h = x @ w
        loss = F.cross_entropy(h, torch.tensor([0, 1, 2, 3]))
    assert h.dtype == torch.bfloat16 and loss.dtype == torch.float32
    assert q.choices[q.answer].startswith("float32")

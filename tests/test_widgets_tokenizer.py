"""The tokenizer explorer at the Python level; its browser side is tested in test_site.py."""

from __future__ import annotations

import pytest

from tokenlab.bpe import BPETokenizer
from tokenlab.widgets.tokenizer import TokenizerWidget, tokenize_levels
from widget_harness import assert_es_module_loads

TEXT = "The cat sat on the mat. 고양이가 앉았다"


@pytest.fixture(scope="module")
def bpe():
    return BPETokenizer.train(["the cat sat on the mat " * 3, "고양이가 앉았다 고양이"], 300)


def test_levels_of_the_lecture_sentence(bpe):
    levels = tokenize_levels(TEXT, bpe)
    assert levels["word"] == ["the", "cat", "sat", "on", "the", "mat", "고양이가", "앉았다"]
    assert levels["bigram"][:2] == ["the cat", "cat sat"]
    assert levels["char"][:3] == ["t", "h", "e"] and "고" in levels["char"]
    assert len(levels["jamo"]) > len(levels["char"])
    assert bpe.decode(levels["bpe_ids"]) == "the cat sat on the mat 고양이가 앉았다"
    assert levels["bpe"] == [bpe.decode([i]) for i in levels["bpe_ids"]]


def test_without_standardization_and_without_bpe():
    levels = tokenize_levels("New York!", standardize=False)
    assert levels["word"] == ["New", "York!"]
    assert "bpe" not in levels


def test_widget_recomputes_in_python_when_text_changes(bpe):
    w = TokenizerWidget("New York", bpe=bpe)
    assert w.result["levels"]["bigram"] == ["new york"]
    assert w.bpe == bpe.to_dict()
    w.text = "South Korea and North Korea"
    assert w.result["text"] == "South Korea and North Korea"
    assert "south korea" in w.result["levels"]["bigram"]
    w.standardize = False
    assert w.result["levels"]["word"][0] == "South"
    assert w.result["standardize"] is False


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="text"):
        TokenizerWidget(42)
    with pytest.raises(TypeError, match="text"):
        tokenize_levels(None)


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(TokenizerWidget._esm, tmp_path, "tokenizer_widget")

"""tokenlab.text.morpheme_tokens: Korean morphemes through Kiwi (kiwipiepy 0.24), lazily imported.

The expected analyses below are Kiwi 0.24.1's with its 0.24.0 model, checked as data: a new
Kiwi version that analyzes differently fails here and must be looked at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest

from tokenlab import text as T

ROOT = Path(__file__).resolve().parent.parent


def _kiwi_or_skip():
    try:
        import kiwipiepy  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"kiwipiepy is not installed, and CI must run these tests "
                        f"(pip install {T.KIWI_REQUIREMENT})")
        pytest.skip("kiwipiepy is not installed")


@pytest.fixture(scope="module", autouse=True)
def kiwi():
    _kiwi_or_skip()


ANALYSES = {
    "먹었다": "먹/VV 었/EP 다/EF",
    "영화가 재밌었어요": "영화/NNG 가/JKS 재밌/VA 었/EP 어요/EF",
    "한국어 텍스트를 토큰으로 나눠 봅시다":
        "한국어/NNP 텍스트/NNG 를/JKO 토큰/NNG 으로/JKB 나누/VV 어/EC 보/VX ㅂ시다/EF",
    "이 영화 진짜 최고였어요 ㅋㅋㅋ":
        "이/MM 영화/NNG 진짜/MAG 최고/NNG 이/VCP 었/EP 어요/EF ㅋㅋㅋ/SW",
    "abc 123": "abc/SL 123/SN",
}


@pytest.mark.parametrize(("text", "expected"), list(ANALYSES.items()))
def test_kiwi_analyses(text, expected):
    assert T.morpheme_tokens(text, tags=True) == expected.split()
    assert T.morpheme_tokens(text) == [m.rsplit("/", 1)[0] for m in expected.split()]


def test_empty_and_whitespace():
    assert T.morpheme_tokens("") == [] and T.morpheme_tokens(" \t\n") == []
    assert T.morpheme_tokens_batch([]) == []
    assert T.morpheme_tokens_batch(["", "먹었다"]) == [[], ["먹", "었", "다"]]


def test_batch_equals_one_by_one():
    texts = list(ANALYSES) * 3
    for workers in (None, 1, 2):
        assert T.morpheme_tokens_batch(texts, num_workers=workers) == [
            T.morpheme_tokens(t) for t in texts
        ]
    assert T.morpheme_tokens_batch(tuple(texts), tags=True) == [
        T.morpheme_tokens(t, tags=True) for t in texts
    ]


def test_nsmc_reviews_never_give_conjoining_jamo():
    path = Path(os.environ.get("TOKENLAB_DATA", ROOT.parent / "shared" / "corpora"))
    path = path / "nsmc" / "ratings_train.txt"
    if not path.exists():
        pytest.skip(f"NSMC not found at {path}")
    with path.open(encoding="utf-8") as f:
        next(f)
        reviews = [T.standardize(line.split("\t")[1]) for line in islice(f, 300)]
    morphemes = T.morpheme_tokens_batch(reviews)
    assert len(morphemes) == len(reviews)
    flat = [m for ms in morphemes for m in ms]
    assert all(m and not m.isspace() for m in flat)
    assert not any(0x1100 <= ord(c) <= 0x11FF for m in flat for c in m)
    # more morphemes than eojeol: endings and particles are split off
    assert len(flat) > sum(len(r.split()) for r in reviews)


def test_errors():
    with pytest.raises(TypeError, match="text must be a str"):
        T.morpheme_tokens(["먹었다"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags must be a bool"):
        T.morpheme_tokens("먹었다", tags=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="texts must be a list or tuple"):
        T.morpheme_tokens_batch("먹었다")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        T.morpheme_tokens_batch(["a", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="num_workers must be >= 1"):
        T.morpheme_tokens_batch(["a"], num_workers=0)


def test_package_works_without_kiwi():
    """Blocking kiwipiepy: tokenlab and tokenlab.text import; only the morpheme call fails."""
    code = (
        "import sys; sys.modules['kiwipiepy'] = None\n"
        "import tokenlab, tokenlab.text as T, tokenlab.vectorize, tokenlab.corpus\n"
        "assert T.word_tokens(T.standardize('먹었다!')) == ['먹었다']\n"
        "try:\n"
        "    T.morpheme_tokens('먹었다')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "pip install kiwipiepy==0.24.1 kiwipiepy-model==0.24.0" in out.stdout
    assert "kiwipiepy" not in subprocess.run(
        [sys.executable, "-c", "import sys, tokenlab.text; print(sorted(sys.modules))"],
        capture_output=True, text=True, env=env, timeout=120).stdout

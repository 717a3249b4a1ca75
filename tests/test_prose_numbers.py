"""The number rule, made mechanical: every number typed in the book's prose is glued or allowed.

Every page of book/ (each notebook's markdown cells, each ``.md`` page) is its own test id. A
literal number in prose fails unless it is inside a ``{glue:}`` role (it then comes from an
executed cell) or listed, with a reason, in ``tests/prose_numbers/<notebook-stem>.yml`` (a
setting the reader sees in code, or a fact from outside the book). What counts as prose, what is
exempt (inline code, math, fenced code, URLs, "Chapter 6", names such as float32) and how a
number is written as a key are documented in ``tests/book_prose.py``. Dates are not exempt:
a year is an outside fact, listed with its source. Numbers spelled as words are not checked.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml
from book_prose import NUMBER, markdown_cells, numbers

ROOT = Path(__file__).resolve().parent.parent
ALLOWLISTS = ROOT / "tests" / "prose_numbers"

# Chapters whose prose is still being converted to glue on another branch. Each is expected to
# fail (strict xfail): when it complies, the test reports XPASS as a failure, which says "remove
# it from this set". The integrator empties this set.
PENDING: set[str] = set()


def pages() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))


@functools.cache
def allowlist(stem: str) -> dict[str, str]:
    path = ALLOWLISTS / f"{stem}.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), f"{path.name} must map numbers to reasons"
    return {str(k): v for k, v in data.items()}


def _case(path: Path):
    marks = [pytest.mark.xfail(strict=True, reason="prose not yet glued (PENDING)")] \
        if path.stem in PENDING else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(p) for p in pages()])
def test_every_number_in_prose_is_glued_or_allowed(path):
    allowed = allowlist(path.stem)
    unexplained: dict[str, list[int]] = {}
    seen: set[str] = set()
    for i, cell in enumerate(markdown_cells(path)):
        for number in numbers(cell):
            seen.add(number)
            if number not in allowed:
                unexplained.setdefault(number, []).append(i)
    assert not unexplained, (
        f"{path.name}: numbers typed in prose, neither glued nor in "
        f"tests/prose_numbers/{path.stem}.yml (number: markdown cells): {unexplained}")
    stale = sorted(set(allowed) - seen)
    assert not stale, f"{path.stem}.yml lists numbers the prose no longer has: {stale}"


@pytest.mark.parametrize("path", sorted(ALLOWLISTS.glob("*.yml")), ids=lambda p: p.stem)
def test_allowlist_names_a_page_and_gives_reasons(path):
    assert path.stem in {p.stem for p in pages()}, f"{path.name} names no page in book/"
    for number, reason in allowlist(path.stem).items():
        assert NUMBER.fullmatch(number), f"{path.name}: key {number!r} is not a number as written"
        assert isinstance(reason, str) and len(reason.split()) >= 3, \
            f"{path.name}: {number!r} needs a reason a reviewer can check, got {reason!r}"


@pytest.mark.parametrize(("text", "expected"), [
    ("Accuracy is {glue:}`acc` with 16 heads, 86.2% in the paper, in `float32`.", ["16", "86.2"]),
    ("Chapters 1-4 and chapter 6 use UTF-8, GPT-4o and float16.", []),
    ("See $x^2 + 3$ and $$\\sqrt{512}$$ and \\(d=64\\).", []),
    ("[the 2017 paper](https://arxiv.org/abs/1706.03762) at https://x.org/v3", ["2017"]),
    ("1. First item\n2. Second, with 1,500 samples and lr 3e-4", ["1,500", "3e-4"]),
    ("```python\nx = 40000\n```\nA 2-D plot of 10 points.", ["10"]),
    ("```{note}\n:class: dropdown\nIt took 81 s.\n```", ["81"]),
    ("```{code-cell} ipython3\nprint(5)\n```", []),
    ("<img width=\"300\" src=\"a.png\"> (fig-1)=\nabout −1.5", ["1.5"]),
    ("{glue:text}`acc:.1f` points, a {numref}`table-3` and [^2]", []),
])
def test_scanner_finds_exactly_the_prose_numbers(text, expected):
    assert numbers(text) == expected

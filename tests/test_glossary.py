"""tokenlab.glossary, the generated glossary page, and the terms' Korean at first use.

For each chapter in CHECKED, every glossary term the data file says that chapter introduces must
appear, at its first use in the chapter's prose (headings, inline code and math left out), as
"English (Korean" -- e.g. "dot product (내적)" or "dot products (내적, ...)" -- and the chapter must
link to the glossary page. CHECKED lists the chapters that comply; the integrator adds each
chapter once it does (every chapter, in the end).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from book_prose import markdown_cells, prose

from tokenlab.glossary import Term, glossary_markdown, load_glossary

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

CHECKED = {f"ch{n:02d}" for n in range(1, 14)}  # every chapter, 1 to 13


def chapter_path(chapter: str) -> Path | None:
    found = sorted(BOOK.glob(f"{chapter[2:]}_*.ipynb"))
    return found[0] if found else None


def reader_text(cell: str) -> str:
    """A cell's prose without headings and emphasis markers, where a term's first use is sought."""
    text = prose(cell)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text)


def first_use(term: Term, cells: list[str]) -> tuple[int, str] | None:
    """(cell index, the text right after the term) at the term's first use, or None."""
    words = r"\s+".join(re.escape(w) for w in term.en.split())
    pattern = re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.IGNORECASE)
    for i, cell in enumerate(cells):
        text = reader_text(cell)
        match = pattern.search(text)
        if match:
            return i, text[match.end():match.end() + 40]
    return None


def test_glossary_loads_and_covers_every_chapter_of_the_plan():
    terms = load_glossary()
    assert {t.chapter for t in terms} >= {f"ch{n:02d}" for n in range(1, 14)}
    for must in (("language model", "언어 모델"), ("cross-attention", "교차 어텐션"),
                 ("WordPiece", "워드피스"), ("KV cache", "KV 캐시")):
        assert (must[0], must[1]) in {(t.en, t.ko) for t in terms}


@pytest.mark.parametrize(("entry", "message"), [
    ({"en": "x", "ko": "엑스", "chapter": "5", "definition": "d"}, "chapter must look like"),
    ({"en": "x", "ko": "x", "chapter": "ch05", "definition": "d"}, "no Hangul"),
    ({"en": "x", "ko": "엑스", "chapter": "ch05"}, "lacks"),
])
def test_bad_entries_are_refused_with_their_name(entry, message):
    with pytest.raises(ValueError, match=message):
        load_glossary(json.dumps({"terms": [entry]}))


def test_a_repeated_term_is_refused():
    entry = {"en": "Token", "ko": "토큰", "chapter": "ch01", "definition": "d"}
    with pytest.raises(ValueError, match="twice"):
        load_glossary(json.dumps({"terms": [entry, {**entry, "en": "token"}]}))


def test_table_has_one_row_per_term_and_escapes_pipes():
    terms = [Term("a|b", "가", "ch02", "x | y"), Term("c", "나", "ch03", "z")]
    table = glossary_markdown(terms, {"ch02": "02_vocabulary"}).splitlines()
    assert len(table) == 2 + len(terms)
    assert table[2] == r"| a|b | 가 | x \| y | {doc}`Chapter 2 <02_vocabulary>` |"
    assert table[3].endswith("| Chapter 3 |")  # no document: named, not linked


def test_glossary_page_renders_the_data_with_links_to_existing_chapters(monkeypatch):
    page_text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    assert "\nkernelspec:" in page_text, "a text notebook needs its jupytext header to execute"
    cell = re.search(r"```\{code-cell\} ipython3\n---\n(.*?)\n---\n(.*?)```", page_text, re.S)
    assert cell, "book/glossary.md has no code cell with options"
    # myst-nb renders Markdown output as CommonMark (no tables, no roles) unless told otherwise.
    assert "markdown_format: myst" in cell.group(1)
    monkeypatch.chdir(BOOK)
    namespace: dict = {}
    *body, last = cell.group(2).strip().splitlines()
    exec("\n".join(body), namespace)
    page = eval(last, namespace).data
    for term in load_glossary():
        assert f"| {term.en} | {term.ko} |" in page
        if chapter_path(term.chapter):
            assert f"<{chapter_path(term.chapter).stem}>`" in page
    assert os.path.basename(os.getcwd()) == "book"


@pytest.mark.parametrize("chapter", sorted(CHECKED))
def test_terms_appear_with_korean_at_first_use(chapter):
    path = chapter_path(chapter)
    if path is None:
        pytest.skip(f"{chapter} is not in this build")
    cells = markdown_cells(path)
    problems = []
    for term in (t for t in load_glossary() if t.chapter == chapter):
        use = first_use(term, cells)
        if use is None:
            problems.append(f"{term.en!r} never appears")
        elif not re.match(rf"\s*\({re.escape(term.ko)}[,)]", use[1]):
            problems.append(f"{term.en!r} first used in markdown cell {use[0]} without "
                            f"'({term.ko})' right after it: ...{use[1]!r}")
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("chapter", sorted(CHECKED))
def test_chapter_links_to_the_glossary(chapter):
    path = chapter_path(chapter)
    if path is None:
        pytest.skip(f"{chapter} is not in this build")
    text = "\n".join(markdown_cells(path)[:3])
    assert "(glossary.md)" in text or "{doc}`glossary`" in text, \
        f"{path.name} has no link to the glossary near its top"


def test_first_use_finder_sees_emphasis_and_plurals_but_not_code_or_headings():
    term = Term("dot product", "내적", "ch05", "d")
    cells = ["## The dot product\n`dot product` in code", "The **dot products** (내적) of two"]
    assert first_use(term, cells) == (1, " (내적) of two")
    assert first_use(term, ["no such words"]) is None

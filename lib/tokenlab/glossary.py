"""The book's glossary: one data file (``tokenlab/data/glossary.json``), one page rendered from it.

Each term has its English name, its Korean name, a one-sentence definition and the chapter that
introduces it (``"ch05"`` is ``book/05_*.ipynb``). ``book/glossary.ipynb`` calls
:func:`glossary_markdown` when the book is built, so the page is always the data file's content.

>>> terms = load_glossary()
>>> next(t for t in terms if t.en == "dot product").ko
'내적'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

__all__ = ["Term", "load_glossary", "glossary_markdown"]

_CHAPTER = re.compile(r"ch(\d\d)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    en: str
    ko: str
    chapter: str
    definition: str

    @property
    def chapter_number(self) -> int:
        """The chapter's number: 5 for ``"ch05"``."""
        return int(self.chapter[2:])


def load_glossary(text: str | None = None) -> list[Term]:
    """Read and validate the glossary, sorted by chapter then English term.

    Parameters
    ----------
    text : str, optional
        The JSON to read; by default the package's ``data/glossary.json``.

    Raises
    ------
    ValueError
        If an entry lacks a field, its chapter is not ``chNN``, its Korean has no Hangul, or an
        English term appears twice.

    >>> load_glossary('{"terms": [{"en": "token", "ko": "토큰", "chapter": "ch01",'
    ...               ' "definition": "A unit."}]}')[0].chapter_number
    1
    """
    if text is None:
        text = resources.files("tokenlab").joinpath("data", "glossary.json").read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise ValueError("glossary must be an object with a list 'terms'")
    terms, seen = [], set()
    for i, entry in enumerate(data["terms"]):
        if not isinstance(entry, dict):
            raise ValueError(f"glossary terms[{i}] must be an object, got {type(entry).__name__}")
        missing = [k for k in ("en", "ko", "chapter", "definition")
                   if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if missing:
            raise ValueError(f"glossary terms[{i}] ({entry.get('en')!r}) lacks {missing}")
        if not _CHAPTER.fullmatch(entry["chapter"]):
            raise ValueError(f"glossary term {entry['en']!r}: chapter must look like 'ch05', "
                             f"got {entry['chapter']!r}")
        if not _HANGUL.search(entry["ko"]):
            raise ValueError(f"glossary term {entry['en']!r}: ko has no Hangul: {entry['ko']!r}")
        if entry["en"].lower() in seen:
            raise ValueError(f"glossary term {entry['en']!r} appears twice")
        seen.add(entry["en"].lower())
        terms.append(Term(entry["en"], entry["ko"], entry["chapter"], entry["definition"]))
    return sorted(terms, key=lambda t: (t.chapter, t.en.lower()))


def glossary_markdown(terms: list[Term] | None = None,
                      chapter_docs: dict[str, str] | None = None) -> str:
    """The glossary as a MyST markdown table: English, Korean, definition, chapter.

    Parameters
    ----------
    terms : list of Term, optional
        By default :func:`load_glossary`.
    chapter_docs : dict, optional
        ``{"ch05": "05_similarity", ...}``: document names to link each chapter to. A chapter
        missing from it is named without a link.

    >>> print(glossary_markdown([Term("token", "토큰", "ch01", "A unit.")], {"ch01": "01_tok"}))
    | English | Korean | Meaning | Introduced in |
    |---|---|---|---|
    | token | 토큰 | A unit. | {doc}`Chapter 1 <01_tok>` |
    """
    terms = load_glossary() if terms is None else terms
    chapter_docs = chapter_docs or {}
    rows = ["| English | Korean | Meaning | Introduced in |", "|---|---|---|---|"]
    for t in terms:
        name = f"Chapter {t.chapter_number}"
        where = f"{{doc}}`{name} <{chapter_docs[t.chapter]}>`" if t.chapter in chapter_docs \
            else name
        definition = t.definition.replace("|", "\\|")
        rows.append(f"| {t.en} | {t.ko} | {definition} | {where} |")
    return "\n".join(rows)

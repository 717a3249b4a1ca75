"""The prose a reader reads in the book's markdown, and the literal numbers in it.

Used by tests/test_prose_numbers.py (the number rule) and tests/test_glossary.py (terms at first
use).

Every number in a markdown cell should come from an executed cell through a ``{glue:}`` role, or
be a setting the reader sees in code, or an outside fact listed in
``tests/prose_numbers/<notebook-stem>.yml``. This module reduces a markdown cell to the prose a
reader reads as claims and returns the numbers left in it.

What is removed before numbers are looked for (exempt):

- fenced code blocks, and the bodies of ``{code-cell}``, ``{code}``, ``{code-block}``, ``{math}``
  and ``{raw}`` directives; other directives (``{note}``, ``{exercise-start}``, ...) keep their
  body, minus their ``:option:`` lines, because it is prose;
- inline code and every role's content (`` `x` ``, ``{glue:}`name` ``, ``{numref}`fig-1` ``);
- LaTeX math: ``$$...$$``, ``$...$``, ``\\(...\\)``, ``\\[...\\]``, ``\\begin{..}...\\end{..}``;
- URLs and link targets (``[text](target)`` keeps its text), HTML tags and entities, MyST
  targets ``(label)=``, footnote labels ``[^1]``;
- ordered-list markers at the start of a line (``1. ``) and numbered headings (``## 2. Title``);
- the number after "Chapter", "Chapters", "Part" or "Parts", any case ("Chapters 1-4",
  "chapter 6 and 7"), and the "1-D"/"2-D"/"3-D" that names a shape;
- digits inside a name: ``float32``, ``GPT-4o``, ``UTF-8``, ``H100``, ``e5`` (a digit that
  follows a letter, or a letter and a hyphen, belongs to a word).

Dates are NOT exempt: a year is an outside fact (a paper, a release) and is listed in the yml
with its source, like any other outside fact. Numbers written as words ("two cores") cannot be
found mechanically and are left to review.

A number is reported as written, without sign, unit suffix or percent sign: "86.2%" gives
``"86.2"``, "1,500 samples" gives ``"1,500"``, "3e-4" gives ``"3e-4"``, "2-D" gives ``"2"``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

CODE_DIRECTIVES = {"code-cell", "code", "code-block", "sourcecode", "math", "raw", "eval-rst",
                   "literalinclude", "glue:figure", "glue:math"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$(?!\d)|\\\(.*?\\\)")
_ROLE_OR_CODE = re.compile(r"(\{[\w:.-]+\})?(`+)(?:(?!\2).)+?\2", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_HTML = re.compile(r"<[^>\n]+>|&#?\w+;")
_TARGET = re.compile(r"^\s*\([^)\s]+\)=\s*$", re.M)
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_LIST_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+)?)\d+[.)](?=\s)", re.M)
_OPTION = re.compile(r"^\s*:[\w-]+:.*$", re.M)
_CHAPTER = re.compile(
    r"\b(?:chapters?|parts?)\s+\d+(?:\s*(?:,|and|or|to|&|-|–|—)\s*\d+)*(?!\.\d)", re.I)
_DIMENSION = re.compile(r"(?<![\w.])\d-D\b")
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+−]?\d+)?")


def strip_fences(text: str) -> str:
    """Drop fenced code and code-like directives; keep prose directives' bodies, minus options."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (fence, keep body)
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match and stack and match["fence"][0] == stack[-1][0][0] \
                and len(match["fence"]) >= len(stack[-1][0]) and not match["info"].strip():
            stack.pop()
            continue
        if match and (not stack or stack[-1][1]):
            info = match["info"].strip()
            name = re.match(r"\{([^}]+)\}", info)
            keep = bool(name) and name[1] not in CODE_DIRECTIVES
            stack.append((match["fence"], keep))
            if keep:
                # The directive's argument (a title) is prose; a path-like argument is not.
                argument = info[name.end():].strip()
                if argument and " " in argument:
                    out.append(argument)
            continue
        if match and stack and not stack[-1][1]:
            continue
        if not stack or all(keep for _, keep in stack):
            out.append(line)
    return "\n".join(out)


def prose(text: str) -> str:
    """Reduce one markdown cell to the prose whose numbers must be glued or allowlisted."""
    text = strip_fences(text)
    text = _OPTION.sub("", text)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _ROLE_OR_CODE.sub(" ", text)
    text = _INLINE_MATH.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_DEF.sub("", text)
    text = _URL.sub(" ", text)
    text = _HTML.sub(" ", text)
    text = _TARGET.sub("", text)
    text = _FOOTNOTE.sub(" ", text)
    text = _LIST_MARKER.sub(r"\1", text)
    text = _CHAPTER.sub(" ", text)
    text = _DIMENSION.sub(" ", text)
    return text


def numbers(text: str) -> list[str]:
    """Return the literal numbers in a markdown cell's prose, as written (see module docstring).

    >>> numbers("Accuracy is {glue:}`acc` with 16 heads, 86.2% in the paper, in `float32`.")
    ['16', '86.2']
    >>> numbers("Chapters 1-4 use UTF-8 and GPT-4o; see $x^2$ and [the 2017 paper](https://x.org/1).")
    ['2017']
    """
    found: list[str] = []
    text = prose(text)
    for match in NUMBER.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        before2 = text[start - 2] if start > 1 else " "
        if before.isalpha() or before == "_" or (before in "-." and (before2.isalnum())):
            continue  # a digit inside a name or number: float32, UTF-8, v1.2
        if before.isdigit():
            continue
        found.append(match.group().replace("−", "-"))
    return found


def markdown_cells(path: Path) -> list[str]:
    """The markdown a reader reads: every markdown cell, or a page's text without front matter."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells if c["cell_type"] == "markdown"]
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        text = text[end + 4:] if end != -1 else text
    return [text]

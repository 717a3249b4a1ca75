"""Widgets that also work without a kernel (anywidget: each has its JavaScript beside it).

Names are imported lazily, on first use, so importing ``tokenlab.widgets`` costs nothing and a
widget module that fails to import does not break the others. Add a widget by adding its name
and module to ``_LAZY``.

Examples
--------
>>> from tokenlab.widgets import show_quiz
>>> type(show_quiz("ch01")).__name__
'QuizWidget'
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module in this package that defines it
_LAZY: dict[str, str] = {
    "QuizWidget": "quiz",
    "show_quiz": "quiz",
    "TokenizerWidget": "tokenizer",
    "SimilarityWidget": "similarity",
    "VectorizerWidget": "vectorizer",
    "ZipfHeapsWidget": "zipf",
    "PositionalWidget": "positional",
    "AttentionWidget": "attention",
    "ClusterWidget": "cluster",
    "TokenizerCompareWidget": "compare",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

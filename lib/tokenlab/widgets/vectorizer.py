"""The vectorizer explorer: edit a few short documents, watch their bag-of-words matrices.

The reader edits one to four documents and sees the vocabulary fitted on them (index 0 the mask
``""``, 1 the OOV token ``"[UNK]"``, then the tokens by count) and four matrices, one row per
document and one column per vocabulary index: ``multi_hot``, ``count``, ``tf_idf`` with Keras's
idf and ``tf_idf`` with scikit-learn's idf and l2 rows. A checkbox adds word bigrams
(``ngrams=2``). ``vectorizer.js`` (with ``js/tokenize.js``, the browser port of
:mod:`tokenlab.text`, in front of it) computes everything in the browser, so the widget works on
the static site with no kernel; in a live kernel each change also reaches Python, which
recomputes :attr:`VectorizerWidget.result` with :class:`tokenlab.vectorize.TextVectorizer`, and
the widget then shows the kernel's numbers. The DOM the JavaScript builds (class names and data
attributes that tests rely on) is documented at the top of ``vectorizer.js``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from tokenlab.vectorize import TextVectorizer
from tokenlab.vocab import Vocabulary
from tokenlab.widgets._recompute import Recomputed

__all__ = ["VectorizerWidget", "vectorize_documents", "MODES", "VIEWS", "MAX_DOCUMENTS"]

HERE = Path(__file__).resolve().parent
MAX_DOCUMENTS = 4
#: The four matrices, by the name the widget (and ``result``) gives them.
MODES: tuple[str, ...] = ("multi_hot", "count", "tf_idf_keras", "tf_idf_sklearn")
#: What the widget can show: one of the matrices, or all four stacked.
VIEWS: tuple[str, ...] = (*MODES, "all")
DEFAULT_DOCUMENTS = ("the cat sat on the mat", "the dog sat on the log", "the cat saw the dog")

# The TextVectorizer options behind each matrix.
_OPTIONS: dict[str, dict[str, Any]] = {
    "multi_hot": {"output_mode": "multi_hot"},
    "count": {"output_mode": "count"},
    "tf_idf_keras": {"output_mode": "tf_idf", "idf": "keras"},
    "tf_idf_sklearn": {"output_mode": "tf_idf", "idf": "sklearn", "norm": "l2"},
}


def _documents(value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"documents must be a list of 1 to {MAX_DOCUMENTS} str, "
                        f"got {type(value).__name__}")
    if not 1 <= len(value) <= MAX_DOCUMENTS:
        raise ValueError(f"documents must hold 1 to {MAX_DOCUMENTS} documents, "
                         f"got {len(value)}")
    for i, doc in enumerate(value):
        if not isinstance(doc, str):
            raise TypeError(f"documents[{i}] must be a str, got {type(doc).__name__}")
    return list(value)


def _ngrams(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"ngrams must be None, 1 or 2, got {type(value).__name__}")
    if value not in (1, 2):
        raise ValueError(f"ngrams must be None or 1 (words) or 2 (words and bigrams), "
                         f"got {value}")
    return value


def _max_tokens(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_tokens must be an int or None, got {type(value).__name__}")
    if value < 2:
        raise ValueError(f"max_tokens must be >= 2 (the mask and [UNK] slots), got {value}")
    return value


def _mode(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"mode must be a str, got {type(value).__name__}")
    if value not in VIEWS:
        raise ValueError(f"mode must be one of {', '.join(map(repr, VIEWS))}, got {value!r}")
    return value


def vectorize_documents(
    documents: Sequence[str], *, max_tokens: int | None = None, ngrams: int | None = None
) -> dict[str, Any]:
    """Fit :class:`~tokenlab.vectorize.TextVectorizer` on ``documents`` four ways, as the
    widget shows them.

    Parameters
    ----------
    documents : sequence of 1 to 4 str
        The documents; the vocabulary and the idf are fitted on them.
    max_tokens : int, optional
        The largest vocabulary size, the mask and ``[UNK]`` slots included (>= 2).
    ngrams : {None, 1, 2}
        ``2`` adds every word bigram to the words (``TextVectorizer(ngrams=2)``).

    Returns
    -------
    dict
        ``documents``, ``max_tokens`` and ``ngrams`` (1 or 2); ``vocabulary``: the
        vocabulary's tokens, in index order; one matrix per mode, a list of rows (one per
        document) of ``len(vocabulary)`` floats: ``multi_hot``, ``count``, ``tf_idf_keras``
        (``TextVectorizer("tf_idf", idf="keras")``) and ``tf_idf_sklearn``
        (``TextVectorizer("tf_idf", idf="sklearn", norm="l2")``), each the
        ``fit_transform(documents)`` of that vectorizer; and ``idf_keras``, ``idf_sklearn``:
        the ``idf_`` of the two tf-idf vectorizers, one number per column. When the documents
        hold no token at all (``TextVectorizer.fit`` refuses them) the vocabulary is
        ``["", "[UNK]"]`` and every number is 0.

    Raises
    ------
    TypeError, ValueError
        Naming the argument: not 1 to 4 documents, a document that is not a str, a bad
        ``max_tokens`` or ``ngrams``.

    Examples
    --------
    >>> r = vectorize_documents(["the cat sat", "the dog"])
    >>> r["vocabulary"]
    ['', '[UNK]', 'the', 'cat', 'dog', 'sat']
    >>> r["count"]
    [[0.0, 0.0, 1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0]]
    >>> [round(x, 4) for x in r["idf_keras"]]
    [0.0, 0.6476, 0.5108, 0.6931, 0.6931, 0.6931]
    >>> vectorize_documents(["", "?!"])["vocabulary"]
    ['', '[UNK]']
    """
    docs = _documents(documents)
    n = _ngrams(ngrams)
    limit = _max_tokens(max_tokens)
    width = None if n == 1 else n
    out: dict[str, Any] = {"documents": docs, "max_tokens": limit, "ngrams": n}
    probe = TextVectorizer(ngrams=width)
    if not any(probe.analyze(doc) for doc in docs):
        # Nothing to fit a vocabulary on: only the two special slots, every number 0.
        vocab = Vocabulary([], [])
        out["vocabulary"] = vocab.tokens
        out.update({mode: [[0.0] * len(vocab) for _ in docs] for mode in MODES})
        out["idf_keras"] = [0.0] * len(vocab)
        out["idf_sklearn"] = [0.0] * len(vocab)
        return out
    for mode in MODES:
        vectorizer = TextVectorizer(**_OPTIONS[mode], max_tokens=limit, ngrams=width)
        out[mode] = vectorizer.fit_transform(docs).tolist()
        assert vectorizer.vocabulary is not None
        tokens = vectorizer.vocabulary.tokens
        if "vocabulary" not in out:
            out["vocabulary"] = tokens
        assert out["vocabulary"] == tokens, "every mode fits the same vocabulary"
        if mode.startswith("tf_idf"):
            assert vectorizer.idf_ is not None
            out["idf_" + mode.removeprefix("tf_idf_")] = vectorizer.idf_.tolist()
    return out


class VectorizerWidget(Recomputed, anywidget.AnyWidget):
    """Edit up to four documents; see their vocabulary and bag-of-words matrices.

    Parameters
    ----------
    documents : sequence of 1 to 4 str
        The documents the reader starts with (one text box each; the reader can add and
        remove documents within 1 to 4).
    max_tokens : int, optional
        ``TextVectorizer(max_tokens=...)``: the largest vocabulary, the mask and ``[UNK]``
        included; the other tokens count as ``[UNK]``.
    ngrams : {None, 1, 2}
        ``2`` starts with word bigrams added (the reader toggles it with a checkbox).

    Attributes
    ----------
    documents, ngrams, max_tokens
        Synced with the page: the reader's edits come back here (in a live kernel).
        ``ngrams`` is 1 (words) or 2 (words and bigrams).
    mode : str
        Which matrix the page shows: one of :data:`MODES`, or ``"all"`` (the four stacked;
        the default). The reader picks it with radio buttons.
    result : dict
        :func:`vectorize_documents` of the current ``documents``, ``max_tokens`` and
        ``ngrams``, recomputed on every change.

    Examples
    --------
    >>> w = VectorizerWidget(["the cat sat", "the dog"])
    >>> w.result["vocabulary"], w.result["multi_hot"][1]
    (['', '[UNK]', 'the', 'cat', 'dog', 'sat'], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    >>> w.ngrams = 2
    >>> w.result["vocabulary"][2:]
    ['the', 'cat', 'cat sat', 'dog', 'sat', 'the cat', 'the dog']
    >>> w.documents = ["a b a"]
    >>> w.result["count"]
    [[0.0, 0.0, 2.0, 1.0, 1.0, 1.0]]
    """

    _esm = (HERE / "js" / "tokenize.js").read_text(encoding="utf-8") + "\n" + (
        HERE / "vectorizer.js"
    ).read_text(encoding="utf-8")
    _css = (HERE / "vectorizer.css").read_text(encoding="utf-8")

    documents = traitlets.List(list(DEFAULT_DOCUMENTS)).tag(sync=True)
    ngrams = traitlets.Int(1).tag(sync=True)
    max_tokens = traitlets.Int(None, allow_none=True).tag(sync=True)
    mode = traitlets.Unicode("all").tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        documents: Sequence[str] = DEFAULT_DOCUMENTS,
        *,
        max_tokens: int | None = None,
        ngrams: int | None = None,
        **kwargs: Any,
    ) -> None:
        documents = _documents(documents)
        max_tokens = _max_tokens(max_tokens)
        ngrams = _ngrams(ngrams)
        super().__init__(documents=documents, max_tokens=max_tokens, ngrams=ngrams, **kwargs)

    @traitlets.validate("documents")
    def _valid_documents(self, proposal: dict) -> list[str]:
        return _documents(proposal["value"])

    @traitlets.validate("ngrams")
    def _valid_ngrams(self, proposal: dict) -> int:
        return _ngrams(proposal["value"])

    @traitlets.validate("max_tokens")
    def _valid_max_tokens(self, proposal: dict) -> int | None:
        return _max_tokens(proposal["value"])

    @traitlets.validate("mode")
    def _valid_mode(self, proposal: dict) -> str:
        return _mode(proposal["value"])

    @traitlets.observe("documents", "ngrams", "max_tokens")
    def _on_change(self, change: dict) -> None:
        self._set_result(vectorize_documents, self.documents, max_tokens=self.max_tokens,
                         ngrams=self.ngrams)

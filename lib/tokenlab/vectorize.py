r"""Texts to tensors: integer sequences, one-hot, multi-hot, counts and tf-idf.

The fourth step of the book's pipeline::

    raw text -> standardize -> tokenize -> index (vocabulary) -> encode (vectors) -> ...

:class:`TextVectorizer` does all of it, as Keras's ``TextVectorization`` layer does: it
standardizes and splits each text (:mod:`tokenlab.text`), learns a
:class:`~tokenlab.vocab.Vocabulary` in :meth:`~TextVectorizer.fit`, and
:meth:`~TextVectorizer.transform` turns texts into a ``torch.Tensor``.

Output modes
------------
``"int"``
    ``(batch, length)`` int64: each token's index, padded (or cut) to ``sequence_length`` with
    the mask index 0; without ``sequence_length``, padded to the longest text in the batch.
``"one_hot"``
    ``(batch, length, vocab)`` float32: the ``"int"`` output one-hot encoded, except that a
    padding position (index 0) is a row of zeros, so that summing over positions gives the
    counts. (Keras's ``one_hot`` would put a 1 in column 0 there.)
``"multi_hot"``, ``"count"``, ``"tf_idf"``
    ``(batch, vocab)`` float32 "bags" of tokens: whether each token occurs (0 or 1), how often
    it occurs, or its count weighted by its inverse document frequency. Column 1 counts the
    OOV tokens; column 0 (the mask) is always 0, so that column ``i`` is token ``i`` in every
    mode. (Keras leaves the mask out of these modes: its OOV column is column 0.)

tf-idf conventions
------------------
With :math:`N` documents seen in ``fit``, :math:`\mathrm{df}(t)` of them holding token
:math:`t`, and :math:`\mathrm{tf}(t, d)` the count of :math:`t` in document :math:`d`:

``idf="keras"`` (Keras ``TextVectorization(output_mode="tf_idf")``)
    :math:`\mathrm{idf}(t) = \ln\left(1 + \frac{N}{1 + \mathrm{df}(t)}\right)`; the value is
    :math:`\mathrm{tf}(t, d)\,\mathrm{idf}(t)`; no normalization. The OOV column's idf is the
    mean idf of the vocabulary tokens, as Keras sets it (the real document frequency of "any
    OOV token" cannot be known in one pass), or 0 when the vocabulary holds no token.
``idf="sklearn"`` (scikit-learn ``TfidfVectorizer``)
    :math:`\mathrm{idf}(t) = \ln\frac{1 + N}{1 + \mathrm{df}(t)} + 1` with
    ``smooth_idf=True``, :math:`\ln\frac{N}{\mathrm{df}(t)} + 1` with ``smooth_idf=False``.
    OOV tokens are dropped, as scikit-learn drops them: the OOV column's idf is 0, so its
    tf-idf column is 0 (its ``"count"`` column still counts them).

Both: with ``sublinear_tf=True`` the count is replaced by :math:`1 + \ln \mathrm{tf}`, and
``norm="l2"`` divides each row by its Euclidean norm (a row of zeros stays zeros).

Sparse output
-------------
``sparse=True`` (or ``"coo"``) returns a coalesced ``torch.sparse_coo_tensor`` (indices sorted
row-major, no duplicates) holding exactly the non-zero entries of the dense output:
``.to_dense()`` equals the dense result bit for bit. COO is torch's general sparse layout
(``torch.sparse.mm``, ``.to()``, N-D for ``"one_hot"``), and its indices are always int64: 16
bytes of indices per non-zero.

``sparse="csr"`` (the bag modes) returns the same entries as a ``torch.sparse_csr_tensor``,
scikit-learn's and SciPy's layout: row offsets (``crow_indices``) and column indices in int32
whenever they fit (fewer than 2**31 columns and non-zeros), so 4 bytes per non-zero plus 4 per
row. It is the layout to choose for large corpora (torch calls its CSR support beta: most
operations take it, and ``.to_sparse_coo()`` converts).

Examples
--------
>>> v = TextVectorizer("count").fit(["the cat sat", "the dog"])
>>> v.vocabulary.tokens
['', '[UNK]', 'the', 'cat', 'dog', 'sat']
>>> v.transform(["The bird, the cat!"])
tensor([[0., 1., 2., 1., 0., 0.]])
"""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import partial
from itertools import chain, islice, repeat
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tokenlab import text as _text
from tokenlab._checks import check_int
from tokenlab.text import _check_bool
from tokenlab.vocab import (
    MASK_INDEX,
    OOV_INDEX,
    Vocabulary,
    _check_header,
    _load_json,
    _save_json,
)

__all__ = [
    "TextVectorizer", "BagBatches", "LinearBagClassifier", "OUTPUT_MODES", "IDF_CONVENTIONS",
    "SPARSE_LAYOUTS",
    "FORMAT", "VERSION",
]

#: The valid ``output_mode`` values.
OUTPUT_MODES: tuple[str, ...] = ("int", "one_hot", "multi_hot", "count", "tf_idf")
#: The valid ``idf`` conventions.
IDF_CONVENTIONS: tuple[str, ...] = ("keras", "sklearn")
#: The sparse layouts ``sparse=`` names (``True`` is ``"coo"``).
SPARSE_LAYOUTS: tuple[str, ...] = ("coo", "csr")
#: The ``"format"`` field of a saved vectorizer.
FORMAT: str = "tokenlab-text-vectorizer"
#: The ``"version"`` field of a saved vectorizer.
VERSION: int = 1

_BAG_MODES = ("multi_hot", "count", "tf_idf")
_SEQUENCE_MODES = ("int", "one_hot")
_SPECIALS = 2
_INT32_MAX = 2**31 - 1  # bag entries are int32 while rows, columns and counts fit
_CHUNK = 4096  # documents tokenized and counted at a time
_MASK_TOKEN, _OOV_TOKEN = "", "[UNK]"  # the vocabularies fit learns (Keras's defaults)

# The callables save() can name in JSON.
_STANDARDIZERS: dict[str, Callable[[str], str]] = {
    "standardize": _text.standardize,
    "standardize_nfkc": _text.standardize_nfkc,
    "standardize_keras": _text.standardize_keras,
}
# The standardizers run a chunk of texts at a time (as standardize_many does), with their
# resolved steps; matched by identity, so a custom standardizer need not be hashable.
_CHUNKED_STEPS: tuple[tuple[Callable[[str], str], tuple], ...] = (
    (_text.standardize, _text._mode_steps("default")),
    (_text.standardize_nfkc, _text._mode_steps("nfkc")),
    (_text.standardize_keras, _text._mode_steps("keras")),
)
_SPLITTERS: dict[str, Callable[[str], list[str]]] = {
    "word_tokens": _text.word_tokens,
    "char_tokens": _text.char_tokens,
    "jamo_tokens": _text.jamo_tokens,
}

Texts = Iterable[str]


def _check_int(value: object, name: str, minimum: int, *, allow_none: bool = True) -> int | None:
    """``value`` as an int ``>= minimum``; ``None`` passes only where ``allow_none``.

    The messages say "or None" only for arguments that accept it.
    """
    if value is None and allow_none:
        return None
    or_none = " (or None)" if allow_none else ""
    if isinstance(value, bool) or not isinstance(value, int):
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}{or_none}, got {value}")
    return value


def _split_checked(split: Callable[[str], list[str]], text: str) -> list[str]:
    """``split(text)`` as a list, or a TypeError if ``split`` gave something else."""
    tokens = split(text)
    if type(tokens) is not list:
        if not isinstance(tokens, list | tuple):
            raise TypeError(f"split must return a list of str, got {type(tokens).__name__}")
        tokens = list(tokens)
    return tokens


def _slices(size: int, step: int = 1 << 16) -> Iterable[slice]:
    """Consecutive slices of ``step`` covering ``range(size)``."""
    return (slice(lo, lo + step) for lo in range(0, size, step))


def _check_counted(n_docs: int, tokens: Collection[object]) -> None:
    """What fit and fit_transform check once ``texts`` gave ``n_docs`` and distinct ``tokens``."""
    if n_docs == 0:
        raise ValueError("texts is empty: fit needs at least one document")
    if not tokens:
        raise ValueError("texts gives no tokens (after standardize and split): nothing "
                         "to build a vocabulary from")
    if not set(map(type, tokens)) <= {str}:
        bad = next(t for t in tokens if not isinstance(t, str))
        raise TypeError(f"split must return a list of str, got the token {bad!r} "
                        f"({type(bad).__name__})")


def _name_of(func: Callable[..., Any] | None, names: dict[str, Callable[..., Any]]) -> str | None:
    for name, known in names.items():
        if func is known:
            return name
    return None


def _option(name: str, doc: str) -> property:
    return property(lambda self: self._config[name], doc=doc)


class TextVectorizer:
    """Standardize, split, index and encode texts into a tensor (Keras's ``TextVectorization``).

    See the module docstring for the output modes and the two tf-idf conventions.

    Parameters
    ----------
    output_mode : {"int", "one_hot", "multi_hot", "count", "tf_idf"}
        What :meth:`transform` returns.
    max_tokens : int, optional
        The largest vocabulary size, the mask and OOV slots included (>= 2).
    min_freq : int
        Keep only tokens seen at least this often in ``fit`` (occurrences, not documents).
    ngrams : int, optional
        ``n`` adds every n-gram of widths 2..n to the words (Keras's ``ngrams=n``):
        ``tokenlab.text.ngrams(tokens, (1, n))``.
    sequence_length : int, optional
        For ``"int"`` and ``"one_hot"``: pad or cut every text to this many tokens (the
        first ones are kept). Without it, a batch is padded to its longest text.
    standardize : callable or None
        ``str -> str`` applied first; :func:`tokenlab.text.standardize` by default
        (:func:`~tokenlab.text.standardize_keras` is Keras's exact
        ``lower_and_strip_punctuation``), ``None`` for none.
    split : callable
        ``str -> list[str]``; :func:`tokenlab.text.word_tokens` by default.
    idf : {"keras", "sklearn"}
        The tf-idf convention (``"tf_idf"`` only).
    smooth_idf : bool
        scikit-learn's ``smooth_idf`` (``idf="sklearn"`` only; Keras's formula is always
        smoothed).
    sublinear_tf : bool
        Use ``1 + ln(tf)`` instead of the count (``"tf_idf"`` only).
    norm : {None, "l2"}
        Normalize each tf-idf row (``"tf_idf"`` only).
    sparse : bool or {"coo", "csr"}
        Return a sparse tensor (not for ``"int"``): ``True`` or ``"coo"`` a COO tensor,
        ``"csr"`` a CSR tensor with int32 indices where they fit (bag modes only).

    Raises
    ------
    TypeError
        If an option has the wrong type.
    ValueError
        If an option has a wrong value (an unknown ``output_mode`` lists the valid ones,
        ``max_tokens < 2``, ``sequence_length < 1``), or applies only to a mode other than
        ``output_mode`` (``sequence_length`` with a bag mode, ``norm`` without ``"tf_idf"``).

    Attributes
    ----------
    vocabulary : Vocabulary or None
        The vocabulary learned in :meth:`fit` (``None`` before).
    idf_ : torch.Tensor or None
        float64 ``(len(vocabulary),)``: the idf of every column (0 for the mask; the OOV
        column as the convention says), ``None`` before fit and for the other modes.

    Examples
    --------
    >>> docs = ["a rose is a rose", "a daisy"]
    >>> TextVectorizer("int").fit(docs).transform(["a rose", "a tulip is"])
    tensor([[2, 3, 0],
            [2, 1, 5]])
    >>> tfidf = TextVectorizer("tf_idf", idf="sklearn", norm="l2").fit(docs)
    >>> tfidf.vocabulary.tokens
    ['', '[UNK]', 'a', 'rose', 'daisy', 'is']
    >>> tfidf.transform(["a rose"]).round(decimals=4)
    tensor([[0.0000, 0.0000, 0.5797, 0.8148, 0.0000, 0.0000]])
    """

    output_mode = _option("output_mode", "The output mode.")
    max_tokens = _option("max_tokens", "The largest vocabulary size (mask and OOV included).")
    min_freq = _option("min_freq", "The smallest count a kept token has.")
    ngrams = _option("ngrams", "The largest n-gram width, or None for words only.")
    sequence_length = _option("sequence_length", "The padded length of int/one_hot output.")
    standardize = _option("standardize", "The standardization callable, or None.")
    split = _option("split", "The splitting callable.")
    idf = _option("idf", "The tf-idf convention.")
    smooth_idf = _option("smooth_idf", "scikit-learn's smooth_idf.")
    sublinear_tf = _option("sublinear_tf", "Whether tf is replaced by 1 + ln(tf).")
    norm = _option("norm", "The row normalization of tf-idf, or None.")
    sparse = _option("sparse", "False (dense), True or 'coo' (sparse COO), or 'csr'.")

    def __init__(
        self,
        output_mode: str = "int",
        *,
        max_tokens: int | None = None,
        min_freq: int = 1,
        ngrams: int | None = None,
        sequence_length: int | None = None,
        standardize: Callable[[str], str] | None = _text.standardize,
        split: Callable[[str], list[str]] = _text.word_tokens,
        idf: str = "keras",
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
        norm: str | None = None,
        sparse: bool | str = False,
    ) -> None:
        if not isinstance(output_mode, str):
            raise TypeError(f"output_mode must be a str, got {type(output_mode).__name__}")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"output_mode must be one of {', '.join(map(repr, OUTPUT_MODES))}, "
                             f"got {output_mode!r}")
        _check_int(max_tokens, "max_tokens", _SPECIALS)
        _check_int(min_freq, "min_freq", 1, allow_none=False)
        _check_int(ngrams, "ngrams", 1)
        _check_int(sequence_length, "sequence_length", 1)
        if standardize is not None and not callable(standardize):
            raise TypeError(f"standardize must be a callable or None, "
                            f"got {type(standardize).__name__}")
        if not callable(split):
            raise TypeError(f"split must be a callable, got {type(split).__name__}")
        if idf not in IDF_CONVENTIONS:
            raise ValueError(f"idf must be one of {', '.join(map(repr, IDF_CONVENTIONS))}, "
                             f"got {idf!r}")
        _check_bool(smooth_idf, "smooth_idf")
        _check_bool(sublinear_tf, "sublinear_tf")
        if norm not in (None, "l2"):
            raise ValueError(f"norm must be None or 'l2', got {norm!r}")
        if isinstance(sparse, str):
            if sparse not in SPARSE_LAYOUTS:
                raise ValueError(f"sparse must be a bool, 'coo' or 'csr', got {sparse!r}")
        elif not isinstance(sparse, bool):
            raise TypeError(f"sparse must be a bool, 'coo' or 'csr', "
                            f"got {type(sparse).__name__}")
        if sequence_length is not None and output_mode not in _SEQUENCE_MODES:
            raise ValueError(f"sequence_length applies only to output_mode 'int' or 'one_hot', "
                             f"not {output_mode!r}")
        if sparse and output_mode == "int":
            raise ValueError(f"sparse={sparse!r} does not apply to output_mode 'int'")
        if sparse == "csr" and output_mode == "one_hot":
            raise ValueError("sparse='csr' is a 2-D layout, for the bag modes; output_mode "
                             "'one_hot' is (batch, length, vocab): use sparse=True (COO)")
        if output_mode != "tf_idf":
            for name, value, default in (("idf", idf, "keras"), ("smooth_idf", smooth_idf, True),
                                         ("sublinear_tf", sublinear_tf, False),
                                         ("norm", norm, None)):
                if value != default:
                    raise ValueError(f"{name}={value!r} applies only to output_mode 'tf_idf', "
                                     f"not {output_mode!r}")
        elif idf == "keras" and not smooth_idf:
            raise ValueError("smooth_idf=False applies only to idf='sklearn' (Keras's idf "
                             "ln(1 + N / (1 + df)) is always smoothed)")
        self._config: dict[str, Any] = {
            "output_mode": output_mode, "max_tokens": max_tokens, "min_freq": min_freq,
            "ngrams": ngrams, "sequence_length": sequence_length, "standardize": standardize,
            "split": split, "idf": idf, "smooth_idf": smooth_idf, "sublinear_tf": sublinear_tf,
            "norm": norm, "sparse": sparse,
        }
        self._vocab: Vocabulary | None = None
        self._idf: np.ndarray | None = None

    # -------------------------------------------------------------------- state

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The fitted :class:`~tokenlab.vocab.Vocabulary`, or ``None`` before :meth:`fit`."""
        return self._vocab

    @property
    def idf_(self) -> torch.Tensor | None:
        """float64 idf of every column (a new tensor), or ``None`` (not fitted, not tf-idf)."""
        return None if self._idf is None else torch.tensor(self._idf, dtype=torch.float64)

    def __repr__(self) -> str:
        size = "not fitted" if self._vocab is None else f"vocabulary of {len(self._vocab)}"
        return f"TextVectorizer(output_mode={self.output_mode!r}, {size})"

    # ----------------------------------------------------------------- analysis

    def _analyzed(self, texts: list[str]) -> Iterable[list[str]]:
        """The tokens of each text: standardize, split, then the n-grams. This package's
        standardizers run on all the texts at once (as :func:`~tokenlab.text.standardize_many`
        does: the same strings, faster); with ``word_tokens`` too, the words come straight
        from there (the same lists)."""
        std, split, n = self.standardize, self.split, self.ngrams
        steps = next((steps for known, steps in _CHUNKED_STEPS if std is known), None)
        if steps is not None and split is _text.word_tokens:
            token_lists: Iterable[list[str]] = _text._words_chunk(texts, steps)
        else:
            if steps is not None:
                cleaned: Iterable[str] = _text._standardize_chunk(texts, steps)
            else:
                cleaned = texts if std is None else map(std, texts)
            token_lists = map(partial(_split_checked, split), cleaned)
        if n is not None and n > 1:
            return (_text.ngrams(tokens, (1, n)) for tokens in token_lists)
        return token_lists

    def analyze(self, text: str) -> list[str]:
        """The tokens ``text`` becomes: ``split(standardize(text))``, plus n-grams.

        Parameters
        ----------
        text : str
            One document.

        Returns
        -------
        list of str

        Raises
        ------
        TypeError
            If ``text`` is not a str.

        Examples
        --------
        >>> TextVectorizer(ngrams=2).analyze("New York, new York!")
        ['new', 'york', 'new', 'york', 'new york', 'york new', 'new york']
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return next(iter(self._analyzed([text])))

    def _token_lists(self, texts: Texts) -> Iterable[list[str]]:
        for chunk in _text._text_chunks(texts):
            yield from self._analyzed(chunk)

    # ---------------------------------------------------------------------- fit

    def _fit_token_lists(self, token_lists: Iterable[list[str]]) -> None:
        # Count in chunks of documents: one C-level Counter.update per chunk instead of one
        # per document, while only a chunk of token lists is ever held.
        tf_idf = self.output_mode == "tf_idf"
        counts: Counter[str] = Counter()
        doc_freq: Counter[str] = Counter()
        n_docs = 0
        token_lists = iter(token_lists)
        while chunk := list(islice(token_lists, _CHUNK)):
            n_docs += len(chunk)
            counts.update(chain.from_iterable(chunk))
            if tf_idf:
                doc_freq.update(chain.from_iterable(map(set, chunk)))
        _check_counted(n_docs, counts)
        vocab = Vocabulary.from_counts(counts, max_tokens=self.max_tokens,
                                       min_freq=self.min_freq, mask_token=_MASK_TOKEN,
                                       oov_token=_OOV_TOKEN)
        idf = None
        if tf_idf:
            df = np.array(list(map(doc_freq.__getitem__, vocab.tokens[_SPECIALS:])),
                          dtype=np.float64)
            idf = self._idf_from_df(df, float(n_docs))
        self._vocab, self._idf = vocab, idf

    def _idf_from_df(self, df: np.ndarray, n: float) -> np.ndarray:
        if self.idf == "keras":
            weights = np.log(1.0 + n / (1.0 + df))
        elif self.smooth_idf:
            weights = np.log((n + 1.0) / (df + 1.0)) + 1.0
        else:
            weights = np.log(n / df) + 1.0
        return self._with_specials(weights)

    def _with_specials(self, weights: np.ndarray) -> np.ndarray:
        oov = float(weights.mean()) if self.idf == "keras" and weights.size else 0.0
        return np.concatenate([[0.0, oov], weights])

    def fit(self, texts: Texts) -> TextVectorizer:
        """Learn the vocabulary (and the idf) from ``texts``, in one pass.

        ``texts`` can be a generator over a corpus larger than memory: texts are tokenized
        and counted (for tf-idf, each distinct token also once per document, for the
        document frequency) 4,096 at a time; only the counts are kept.

        Parameters
        ----------
        texts : iterable of str
            The documents.

        Returns
        -------
        TextVectorizer
            ``self``, fitted.

        Raises
        ------
        TypeError
            If ``texts`` is a str (a classic bug: its characters would be the documents) or
            holds a non-str.
        ValueError
            If ``texts`` is empty or gives no token at all. (A ``min_freq`` or ``max_tokens=2``
        that keeps no token is allowed: every token is then OOV.)

        Examples
        --------
        >>> v = TextVectorizer(max_tokens=4).fit(t for t in ["b a a", "c b a"])
        >>> v.vocabulary.tokens
        ['', '[UNK]', 'a', 'b']
        """
        self._fit_token_lists(self._token_lists(texts))
        return self

    def set_vocabulary(
        self, vocabulary: Vocabulary, *, idf_weights: Sequence[float] | None = None
    ) -> TextVectorizer:
        """Use a ready vocabulary (and, for tf-idf, idf weights) instead of fitting.

        Parameters
        ----------
        vocabulary : Vocabulary
            The vocabulary.
        idf_weights : sequence of float, optional
            For ``"tf_idf"`` (required there, refused otherwise): the idf of each vocabulary
            token after the mask and OOV tokens, ``len(vocabulary) - 2`` finite numbers. The
            OOV column gets their mean (``idf="keras"``) or 0 (``idf="sklearn"``).

        Returns
        -------
        TextVectorizer
            ``self``.

        Raises
        ------
        TypeError
            If ``vocabulary`` is not a Vocabulary.
        ValueError
            If the vocabulary is larger than ``max_tokens``, or ``idf_weights`` is missing,
            unexpected, of the wrong length or not finite.

        Examples
        --------
        Keras's own example for ``StringLookup(output_mode="tf_idf")``: "d" occurs twice with
        idf 0.4, and "z" (OOV, the mean idf 0.5) twice.

        >>> vocab = Vocabulary(["a", "b", "c", "d"], [4, 3, 2, 1])
        >>> v = TextVectorizer("tf_idf", standardize=None)
        >>> v = v.set_vocabulary(vocab, idf_weights=[0.25, 0.75, 0.6, 0.4])
        >>> v.transform(["a c d d", "d z b z"])
        tensor([[0.0000, 0.0000, 0.2500, 0.0000, 0.6000, 0.8000],
                [0.0000, 1.0000, 0.0000, 0.7500, 0.0000, 0.4000]])
        """
        if not isinstance(vocabulary, Vocabulary):
            raise TypeError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        if self.max_tokens is not None and len(vocabulary) > self.max_tokens:
            raise ValueError(f"vocabulary has {len(vocabulary)} tokens, more than "
                             f"max_tokens={self.max_tokens}")
        idf = None
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("idf_weights is required for output_mode 'tf_idf'")
            weights = np.asarray(idf_weights, dtype=np.float64)
            if weights.shape != (len(vocabulary) - _SPECIALS,):
                raise ValueError(f"idf_weights must hold {len(vocabulary) - _SPECIALS} numbers "
                                 f"(one per token after the mask and OOV tokens), "
                                 f"got shape {tuple(weights.shape)}")
            if not np.isfinite(weights).all():
                raise ValueError("idf_weights must be finite")
            idf = self._with_specials(weights)
        elif idf_weights is not None:
            raise ValueError("idf_weights applies only to output_mode 'tf_idf', "
                             f"not {self.output_mode!r}")
        self._vocab, self._idf = vocabulary, idf
        return self

    # ---------------------------------------------------------------- transform

    def _check_fitted(self) -> Vocabulary:
        if self._vocab is None:
            raise RuntimeError("this TextVectorizer is not fitted: call fit(texts) (or "
                               "set_vocabulary) before transform")
        return self._vocab

    def transform(self, texts: Texts, *, device: str | torch.device | None = None
                  ) -> torch.Tensor:
        """Encode ``texts`` as the ``output_mode`` says (see the module docstring).

        Parameters
        ----------
        texts : iterable of str
            The documents.
        device : str or torch.device, optional
            Where the result goes (the CPU by default).

        Returns
        -------
        torch.Tensor
            int64 ``(batch, length)`` for ``"int"``; float32 ``(batch, length, vocab)`` for
            ``"one_hot"``; float32 ``(batch, vocab)`` for the bag modes. Sparse COO when
            ``sparse=True`` or ``"coo"``, sparse CSR when ``sparse="csr"``.

        Raises
        ------
        RuntimeError
            If the vectorizer is not fitted.
        TypeError
            If ``texts`` is a str or holds a non-str.

        Examples
        --------
        >>> v = TextVectorizer("multi_hot").fit(["to be or not to be"])
        >>> v.vocabulary.tokens
        ['', '[UNK]', 'be', 'to', 'not', 'or']
        >>> v.transform(["to be, to be", "or else"])
        tensor([[0., 0., 1., 1., 0., 0.],
                [0., 1., 0., 0., 0., 1.]])
        """
        vocab = self._check_fitted()
        dev = torch.device(device) if device is not None else torch.device("cpu")
        return self._encode(self._token_lists(texts), vocab, dev)

    def fit_transform(self, texts: Texts, *, device: str | torch.device | None = None
                      ) -> torch.Tensor:
        """:meth:`fit` then :meth:`transform` on the same texts, tokenizing each text once.

        For tf-idf the document frequencies are read off the encoded counts (as scikit-learn
        does), which gives the same idf as :meth:`fit`.

        Examples
        --------
        >>> TextVectorizer("count").fit_transform(["b a b"])
        tensor([[0., 0., 2., 1.]])
        """
        dev = torch.device(device) if device is not None else torch.device("cpu")
        # One pass, holding no strings but the distinct ones: each token gets a provisional
        # id (its order of first appearance, as scikit-learn does), ranked once all are seen.
        provisional: defaultdict[str, int] = defaultdict()
        provisional.default_factory = provisional.__len__
        try:
            ids, lengths = self._indexed(self._token_lists(texts),
                                         partial(map, provisional.__getitem__))
        finally:
            provisional.default_factory = None  # break the dict <-> bound method cycle
        _check_counted(len(lengths), provisional)
        distinct = list(provisional)
        specials = [(provisional.get(_MASK_TOKEN), MASK_INDEX),
                    (provisional.get(_OOV_TOKEN), OOV_INDEX)]
        del provisional
        counts = np.bincount(ids, minlength=len(distinct))
        vocab, order = Vocabulary._ranked(
            distinct, counts.tolist(), max_tokens=self.max_tokens, min_freq=self.min_freq,
            mask_token=_MASK_TOKEN, oov_token=_OOV_TOKEN)
        final = np.full(len(distinct), OOV_INDEX, dtype=np.int64)
        final[np.asarray(order, dtype=np.int64)] = np.arange(_SPECIALS, len(vocab))
        for position, index in specials:
            if position is not None:
                final[position] = index
        np.take(final, ids, out=ids)
        del distinct, counts, order, final
        if self.output_mode in _SEQUENCE_MODES:
            self._vocab, self._idf = vocab, None
            return self._sequences(ids, lengths, len(vocab), dev)
        holder = [ids]
        del ids  # _entries frees the token ids as soon as it has the bag entries
        entries = [self._entries(holder, lengths, len(vocab))]
        idf = None
        if self.output_mode == "tf_idf":
            columns = entries[0][0][1]
            df = np.bincount(columns, minlength=len(vocab))[_SPECIALS:].astype(np.float64)
            del columns
            idf = self._idf_from_df(df, float(len(lengths)))
        self._vocab, self._idf = vocab, idf
        return self._bag_values(entries, (len(lengths), len(vocab)), dev)

    @staticmethod
    def _indexed(token_lists: Iterable[list[str]],
                 to_ids: Callable[[Iterable[str]], Iterable[int]]
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Every token's id (``to_ids`` over a chunk's tokens) and every document's length.

        Token lists are consumed a chunk at a time, so only integer arrays are held.
        """
        id_chunks, length_chunks = [], []
        token_lists = iter(token_lists)
        while chunk := list(islice(token_lists, _CHUNK)):
            length_chunks.append(np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)))
            id_chunks.append(np.fromiter(to_ids(chain.from_iterable(chunk)), dtype=np.int64,
                                         count=int(length_chunks[-1].sum())))
        if not length_chunks:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(id_chunks), np.concatenate(length_chunks)

    @staticmethod
    def _entries(holder: list[np.ndarray], lengths: np.ndarray, width: int
                 ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """The (rows, columns) and the int64 count of every non-zero bag entry, row-major:
        ``np.unique(row * width + id, return_counts=True)``. Rows and columns are int32 when
        every row, column and non-zero count fits (int64 otherwise).

        ``holder`` holds the only reference to the token ids (int64, one per token), which
        are turned into the keys in place and freed once the entries are known, so that the
        peak memory is one token-sized array plus the entries.
        """
        keys = holder.pop()
        masked = keys == MASK_INDEX  # mask tokens are dropped from bags (as Keras does)
        if not masked.any():
            masked = None
        # keys = row * width + id, the row offsets added a block of rows at a time (no
        # second token-sized array).
        ends = np.cumsum(lengths)
        for lo in range(0, len(lengths), _CHUNK):
            hi = min(lo + _CHUNK, len(lengths))
            start = int(ends[lo - 1]) if lo else 0
            keys[start:int(ends[hi - 1])] += np.repeat(
                np.arange(lo, hi, dtype=np.int64) * width, lengths[lo:hi])
        del ends
        if masked is not None:
            keys = keys[~masked]
        del masked
        keys.sort()
        small = max(len(lengths), width, keys.size) <= _INT32_MAX
        dtype = np.int32 if small else np.int64
        if keys.size == 0:
            return (np.zeros(0, dtype), np.zeros(0, dtype)), np.zeros(0, dtype=np.int64)
        first = np.empty(keys.size, dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        counts = np.diff(starts, append=keys.size)
        distinct = keys[starts]
        del keys, starts
        rows, columns = np.empty(distinct.size, dtype), np.empty(distinct.size, dtype)
        np.divmod(distinct, width, out=(rows, columns), casting="same_kind")
        return (rows, columns), counts

    def _encode(self, token_lists: Iterable[list[str]], vocab: Vocabulary,
                device: torch.device) -> torch.Tensor:
        get = vocab._index.get
        ids, lengths = self._indexed(token_lists,
                                     lambda flat: map(get, flat, repeat(OOV_INDEX)))
        if self.output_mode in _SEQUENCE_MODES:
            return self._sequences(ids, lengths, len(vocab), device)
        holder = [ids]
        del ids
        entries = [self._entries(holder, lengths, len(vocab))]
        return self._bag_values(entries, (len(lengths), len(vocab)), device)

    def _bag_values(self, entries: list[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]],
                    shape: tuple[int, int], device: torch.device) -> torch.Tensor:
        """The bag mode's float32 values at the entries of :meth:`_entries` (``entries``
        holds the only reference, so that each array is freed once used), computed in
        float64 in place, as a sparse or dense tensor."""
        indices, counts = entries.pop()
        mode = self.output_mode
        if mode == "multi_hot":
            values = np.ones(len(counts), dtype=np.float32)
            del counts
        elif mode == "count":
            values = counts.astype(np.float32)
            del counts
        else:
            assert self._idf is not None
            values = counts.astype(np.float64)
            del counts
            if self.sublinear_tf:
                np.log(values, out=values)
                values += 1.0
            # The gathers (idf of each entry's column, norm of its row) go a slice at a time,
            # so that no second entry-sized float64 array is made.
            rows, columns = indices
            for part in _slices(len(values)):
                values[part] *= self._idf[columns[part]]
            keep = values != 0.0  # e.g. the OOV column under idf="sklearn": not stored
            if not keep.all():
                rows, columns, values = rows[keep], columns[keep], values[keep]
            del keep
            indices = (rows, columns)
            if self.norm == "l2":
                squares = np.zeros(shape[0])
                for part in _slices(len(values)):
                    # Row-major entries: a slice's rows are one contiguous range of rows.
                    first = int(rows[part][0])
                    sums = np.bincount(rows[part] - first, weights=np.square(values[part]))
                    squares[first:first + len(sums)] += sums
                norms = np.sqrt(squares, out=squares)
                norms[norms == 0.0] = 1.0
                for part in _slices(len(values)):
                    values[part] /= norms[rows[part]]
                del norms, squares
            del rows, columns
            values = values.astype(np.float32)
        holder = [indices]
        del indices
        return self._scatter(holder, values, shape, device)

    def _scatter(self, holder: list[tuple[np.ndarray, ...]], values: np.ndarray,
                 shape: tuple[int, ...], device: torch.device) -> torch.Tensor:
        """float32 ``values`` at the indices in ``holder`` (its only reference: one int32 or
        int64 array per dimension, row-major, distinct): sparse COO, sparse CSR (2-D) or
        dense."""
        indices = holder.pop()
        vals = torch.from_numpy(values)
        if self.sparse == "csr":
            rows, columns = indices
            del indices
            crow = np.zeros(shape[0] + 1, dtype=columns.dtype)
            np.cumsum(np.bincount(rows, minlength=shape[0]), out=crow[1:])
            del rows
            with warnings.catch_warnings():  # torch's "CSR support is in beta" (the docs say so)
                warnings.filterwarnings("ignore", "Sparse CSR tensor support is in beta")
                out = torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(columns),
                                              vals, shape, check_invariants=False)
            return out.to(device)
        # torch's COO and advanced indexing take int64 indices: one (ndim, nnz) array.
        index = np.empty((len(indices), len(values)), dtype=np.int64)
        for dim, positions in enumerate(indices):
            index[dim] = positions
        del indices
        if self.sparse:
            out = torch.sparse_coo_tensor(torch.from_numpy(index), vals, shape,
                                          is_coalesced=True, check_invariants=False)
            return out.to(device)
        dense = torch.zeros(shape, dtype=torch.float32, device=device)
        dense[tuple(torch.from_numpy(index).to(device))] = vals.to(device)
        return dense

    def _sequences(self, ids: np.ndarray, lengths: np.ndarray, width: int,
                   device: torch.device) -> torch.Tensor:
        n_docs = len(lengths)
        length = self.sequence_length
        if length is None:
            length = int(lengths.max()) if n_docs else 0
        seq = np.zeros((n_docs, length), dtype=np.int64)
        if ids.size:
            rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
            starts = np.cumsum(lengths) - lengths
            pos = np.arange(ids.size, dtype=np.int64) - np.repeat(starts, lengths)
            keep = pos < length
            seq[rows[keep], pos[keep]] = ids[keep]
        if self.output_mode == "int":
            return torch.from_numpy(seq).to(device)
        # one_hot: padding (index 0) is a row of zeros, every other position one 1.
        b, p = np.nonzero(seq)
        return self._scatter([(b, p, seq[b, p])], np.ones(len(b), dtype=np.float32),
                             (n_docs, length, width), device)

    # ---------------------------------------------------------------- save/load

    def _config_json(self) -> dict[str, Any]:
        config = dict(self._config)
        std_name = _name_of(self.standardize, _STANDARDIZERS)
        if self.standardize is not None and std_name is None:
            raise ValueError(
                f"standardize is a custom callable ({self.standardize!r}), which cannot be "
                f"saved as JSON; only tokenlab.text.standardize, standardize_nfkc, "
                f"standardize_keras or None can"
            )
        split_name = _name_of(self.split, _SPLITTERS)
        if split_name is None:
            raise ValueError(
                f"split is a custom callable ({self.split!r}), which cannot be saved as JSON; "
                f"only tokenlab.text.{', tokenlab.text.'.join(_SPLITTERS)} can"
            )
        config["standardize"], config["split"] = std_name, split_name
        return config

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the configuration, vocabulary and idf to ``path`` as JSON (never a pickle).

        The file is ``{"format": "tokenlab-text-vectorizer", "version": 1, "config": {...},
        "vocabulary": <Vocabulary.to_dict()> or null, "idf": [floats] or null}``; the idf
        values are written exactly (float64), so :meth:`load` gives an identical vectorizer.

        Raises
        ------
        ValueError
            If ``standardize`` or ``split`` is a custom callable: only the functions of
            :mod:`tokenlab.text` (``standardize``; ``word_tokens``, ``char_tokens``,
            ``jamo_tokens``) can be named in JSON.

        Examples
        --------
        >>> import os, tempfile
        >>> v = TextVectorizer("tf_idf").fit(["a b", "b c"])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     v.save(os.path.join(d, "v.json"))
        ...     w = TextVectorizer.load(os.path.join(d, "v.json"))
        >>> bool((w.transform(["a c"]) == v.transform(["a c"])).all())
        True
        """
        _save_json(path, {
            "format": FORMAT,
            "version": VERSION,
            "config": self._config_json(),
            "vocabulary": None if self._vocab is None else self._vocab.to_dict(),
            "idf": None if self._idf is None else self._idf.tolist(),
        })

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TextVectorizer:
        """Read a vectorizer written by :meth:`save`, checking everything in it.

        Raises
        ------
        ValueError
            If the file is not JSON or not a valid saved vectorizer; the message names the
            path and the problem.
        OSError
            If the file cannot be read.

        Examples
        --------
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     TextVectorizer("count", ngrams=2).save(os.path.join(d, "v.json"))
        ...     TextVectorizer.load(os.path.join(d, "v.json")).ngrams
        2
        """
        return _load_json(path, "vectorizer", cls._from_json)

    @classmethod
    def _from_json(cls, data: object) -> TextVectorizer:
        data = _check_header(data, FORMAT, VERSION)
        expected = {"format", "version", "config", "vocabulary", "idf"}
        if set(data) != expected:
            raise ValueError(f"expected the fields {sorted(expected)}, got {sorted(data)}")
        config = data["config"]
        if not isinstance(config, dict):
            raise ValueError("config must be a JSON object")
        names = {"output_mode", "max_tokens", "min_freq", "ngrams", "sequence_length",
                 "standardize", "split", "idf", "smooth_idf", "sublinear_tf", "norm", "sparse"}
        if set(config) != names:
            raise ValueError(f"config must have the fields {sorted(names)}, got {sorted(config)}")
        config = dict(config)
        std, split = config["standardize"], config["split"]
        if std is not None and std not in _STANDARDIZERS:
            raise ValueError(f"config.standardize must be one of {sorted(_STANDARDIZERS)} or "
                             f"null, got {std!r}")
        if split not in _SPLITTERS:
            raise ValueError(f"config.split must be one of {sorted(_SPLITTERS)}, got {split!r}")
        config["standardize"] = None if std is None else _STANDARDIZERS[std]
        config["split"] = _SPLITTERS[split]
        self = cls(**config)
        vocab_data, idf = data["vocabulary"], data["idf"]
        if vocab_data is None:
            if idf is not None:
                raise ValueError("idf is set but vocabulary is null")
            return self
        vocab = Vocabulary.from_dict(vocab_data)
        if self.max_tokens is not None and len(vocab) > self.max_tokens:
            raise ValueError(f"the vocabulary has {len(vocab)} tokens, more than "
                             f"max_tokens={self.max_tokens}")
        weights = None
        if self.output_mode == "tf_idf":
            if not isinstance(idf, list) or len(idf) != len(vocab):
                raise ValueError(f"idf must be a list of {len(vocab)} numbers (one per token)")
            if not all(isinstance(w, int | float) and not isinstance(w, bool)
                       and math.isfinite(w) for w in idf):
                raise ValueError("idf must hold finite numbers")
            weights = np.asarray(idf, dtype=np.float64)
            if weights[MASK_INDEX] != 0.0:
                raise ValueError(f"idf[0] (the mask) must be 0, got {weights[MASK_INDEX]}")
        elif idf is not None:
            raise ValueError(f"idf must be null for output_mode {self.output_mode!r}")
        self._vocab, self._idf = vocab, weights
        return self


class BagBatches:
    """Rows of a sparse bag matrix as inputs of ``torch.nn.EmbeddingBag(mode="sum")``.

    A linear layer on a bag vector ``x`` (multi-hot, count or tf-idf) computes ``x @ W``: the
    rows of ``W`` of the tokens present, each times its value, summed. ``nn.EmbeddingBag``
    computes exactly that from the non-zero columns and values, without ever building the
    vocabulary-wide dense rows. This class keeps a sparse ``(documents, vocabulary)`` matrix in
    that form and hands out any batch of its rows.

    Parameters
    ----------
    matrix : torch.Tensor
        A 2-D sparse COO or CSR tensor, such as
        ``TextVectorizer(..., sparse=True).transform(texts)`` (or ``sparse="csr"``).

    Examples
    --------
    >>> x = TextVectorizer("count", sparse=True).fit_transform(["a rose is a rose", "a daisy"])
    >>> bags = BagBatches(x)
    >>> len(bags)
    2
    >>> columns, offsets, values = bags(torch.tensor([1, 0]))
    >>> columns.tolist(), offsets.tolist(), values.tolist()
    ([2, 4, 2, 3, 5], [0, 2], [1.0, 1.0, 2.0, 2.0, 1.0])
    >>> layer = torch.nn.EmbeddingBag(x.shape[1], 3, mode="sum")
    >>> dense = x.to_dense()[[1, 0]] @ layer.weight
    >>> torch.allclose(layer(columns, offsets, per_sample_weights=values), dense)
    True
    """

    def __init__(self, matrix: torch.Tensor) -> None:
        if not isinstance(matrix, torch.Tensor) or matrix.layout not in (torch.sparse_coo,
                                                                          torch.sparse_csr):
            raise TypeError("matrix must be a sparse COO or CSR tensor (transform with "
                            "sparse=True or sparse='csr')")
        if matrix.dim() != 2:
            raise ValueError(
                f"matrix must be 2-D (documents, vocabulary), got {tuple(matrix.shape)}")
        if matrix.layout == torch.sparse_csr:  # already row-major, with the row offsets
            self._starts = matrix.crow_indices().long()
            self._columns = matrix.col_indices().long()
            self._values = matrix.values().float()
            return
        matrix = matrix.coalesce()  # row-major order of the non-zeros
        (rows, self._columns), self._values = matrix.indices(), matrix.values().float()
        per_row = torch.bincount(rows, minlength=matrix.shape[0])
        self._starts = torch.cat([per_row.new_zeros(1), per_row.cumsum(0)])

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __call__(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(columns, offsets, values)`` of the given rows, in their order, for EmbeddingBag."""
        rows = torch.as_tensor(rows, dtype=torch.long, device=self._starts.device)
        if rows.dim() != 1:
            raise ValueError(f"rows must be 1-D, got shape {tuple(rows.shape)}")
        if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= len(self)):
            raise ValueError(f"rows must lie in [0, {len(self)}), got {rows.tolist()[:8]}")
        starts, lengths = self._starts[rows], self._starts[rows + 1] - self._starts[rows]
        offsets = lengths.cumsum(0) - lengths
        within = torch.arange(int(lengths.sum()), device=rows.device)
        within = within - torch.repeat_interleave(offsets, lengths)
        flat = torch.repeat_interleave(starts, lengths) + within
        return self._columns[flat], offsets, self._values[flat]


class LinearBagClassifier(nn.Module):
    """A linear layer on bag vectors: logistic regression when trained with cross-entropy.

    ``logits = x @ W + b`` for the rows ``x`` of a bag matrix (multi-hot, count or tf-idf). A
    linear layer on a bag vector is the sum of the rows of ``W`` of the tokens present, each
    times its value: :class:`torch.nn.EmbeddingBag` computes exactly that without the
    vocabulary-wide ``x``, from the non-zero columns and values that :class:`BagBatches` hands
    out for any batch of rows.

    Parameters
    ----------
    n_features : int
        Width of the bag vectors (the vocabulary size), ``>= 1``.
    n_classes : int, default 2
        Number of classes, ``>= 2``.
    generator : torch.Generator, optional
        Draws the initial ``W`` from N(0, 1) (``nn.EmbeddingBag``'s initialization); without
        one, torch's global generator does, as for any torch module. ``b`` starts at 0.

    Examples
    --------
    >>> vec = TextVectorizer("multi_hot", sparse=True).fit(["good film", "bad film"])
    >>> bags = BagBatches(vec.transform(["good film", "bad film"]))
    >>> labels = torch.tensor([1, 0])
    >>> model = LinearBagClassifier(len(vec.vocabulary), generator=torch.Generator().manual_seed(0))
    >>> model.fit(bags, labels, epochs=30, lr=0.1, batch_size=2).accuracy(bags, labels)
    1.0
    """

    def __init__(
        self, n_features: int, n_classes: int = 2, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        check_int(n_features, "n_features", 1)
        check_int(n_classes, "n_classes", 2)
        self.weights = nn.EmbeddingBag(n_features, n_classes, mode="sum")
        self.bias = nn.Parameter(torch.zeros(n_classes))
        if generator is not None:
            with torch.no_grad():
                self.weights.weight.normal_(generator=generator)

    def forward(self, bags: BagBatches, rows: torch.Tensor) -> torch.Tensor:
        """The logits ``(len(rows), n_classes)`` of the given rows of ``bags``."""
        columns, offsets, values = bags(rows)
        return self.weights(columns, offsets, per_sample_weights=values) + self.bias

    def _check_labels(self, bags: BagBatches, labels: torch.Tensor) -> torch.Tensor:
        if not isinstance(bags, BagBatches):
            raise TypeError(f"bags must be a BagBatches, got {type(bags).__name__}")
        labels = torch.as_tensor(labels)
        if labels.dim() != 1 or len(labels) != len(bags):
            raise ValueError(
                f"labels must be 1-D with one label per bag row ({len(bags)}), "
                f"got shape {tuple(labels.shape)}")
        return labels

    def fit(
        self,
        bags: BagBatches,
        labels: torch.Tensor,
        *,
        epochs: int = 4,
        lr: float = 0.02,
        batch_size: int = 256,
        seed: int = 0,
    ) -> LinearBagClassifier:
        """Train in place with Adam and cross-entropy; returns ``self``.

        Each epoch visits the rows in a random order drawn from a generator seeded with
        ``seed`` (one generator for the whole run), in batches of ``batch_size``.
        """
        labels = self._check_labels(bags, labels)
        check_int(epochs, "epochs", 1)
        check_int(batch_size, "batch_size", 1)
        opt = torch.optim.Adam(self.parameters(), lr=lr)
        order = torch.Generator().manual_seed(seed)
        self.train()
        for _ in range(epochs):
            for rows in torch.randperm(len(labels), generator=order).split(batch_size):
                loss = F.cross_entropy(self(bags, rows), labels[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
        return self

    def predict(self, bags: BagBatches) -> torch.Tensor:
        """The predicted class of every row of ``bags`` (its largest logit), as int64.

        The predictions :func:`tokenlab.stats.compare_paired` needs to compare two classifiers
        on the same test rows.
        """
        if not isinstance(bags, BagBatches):
            raise TypeError(f"bags must be a BagBatches, got {type(bags).__name__}")
        self.eval()
        with torch.no_grad():
            return self(bags, torch.arange(len(bags))).argmax(dim=1)

    def accuracy(self, bags: BagBatches, labels: torch.Tensor) -> float:
        """The share of rows whose largest logit is their label."""
        labels = self._check_labels(bags, labels)
        return (self.predict(bags) == labels.to(torch.long)).float().mean().item()

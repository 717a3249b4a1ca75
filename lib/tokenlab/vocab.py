"""The vocabulary: tokens to integer ids and back.

The third step of the book's pipeline::

    raw text -> standardize -> tokenize -> index (vocabulary) -> encode -> ...

A :class:`Vocabulary` is what Keras's ``StringLookup`` (inside ``TextVectorization``) learns in
``adapt``: index 0 is the mask (padding) token, index 1 the out-of-vocabulary (OOV) token, and
then every kept token, the most frequent first.

Ranking
-------
Tokens are ranked by count, descending; equal counts are ordered by the token string,
ascending (Python's ``str`` order, which is Unicode code point order). ``max_tokens`` counts
the mask and OOV slots, as in Keras, so ``max_tokens=10`` keeps the 8 best-ranked tokens.

Keras ranks by count too, but breaks ties the other way: its ``finalize_state`` sorts with
``np.lexsort((tokens, counts))[::-1]``, which puts equal-count tokens in *descending* token
order. The two vocabularies hold the same tokens in the same count order, except that a run of
equal-count tokens is reversed (and, where ``max_tokens`` cuts through such a run, a different
subset of it is kept).

Examples
--------
>>> vocab = Vocabulary.build([["the", "cat", "sat"], ["the", "mat"]])
>>> vocab.tokens
['', '[UNK]', 'the', 'cat', 'mat', 'sat']
>>> vocab.lookup(["the", "dog", "sat"])
[2, 1, 5]
>>> vocab.decode([2, 3, 0])
['the', 'cat', '']
"""

from __future__ import annotations

import json
import operator
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Vocabulary", "MASK_INDEX", "OOV_INDEX", "FORMAT", "VERSION"]

#: Index of the mask (padding) token.
MASK_INDEX: int = 0
#: Index of the out-of-vocabulary token.
OOV_INDEX: int = 1
#: The ``"format"`` field of a saved vocabulary.
FORMAT: str = "tokenlab-vocab"
#: The ``"version"`` field of a saved vocabulary.
VERSION: int = 1

_SPECIALS = 2
_T = TypeVar("_T")


def _check_int(value: object, name: str, minimum: int, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_specials(mask_token: object, oov_token: object) -> tuple[str, str]:
    if not isinstance(mask_token, str):
        raise TypeError(f"mask_token must be a str, got {type(mask_token).__name__}")
    if not isinstance(oov_token, str):
        raise TypeError(f"oov_token must be a str, got {type(oov_token).__name__}")
    if mask_token == oov_token:
        raise ValueError(f"mask_token and oov_token must differ, both are {mask_token!r}")
    return mask_token, oov_token


def _check_token_list(tokens: object, name: str) -> Sequence[str]:
    if isinstance(tokens, str) or not isinstance(tokens, list | tuple):
        raise TypeError(f"{name} must be a list or tuple of str, got {type(tokens).__name__}")
    return tokens


# The JSON files of this module and of tokenlab.vectorize (which embeds a vocabulary).


def _check_header(data: object, fmt: str, version: int) -> dict[str, Any]:
    """``data`` as a JSON object whose ``"format"`` and ``"version"`` are ``fmt``, ``version``."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if data.get("format") != fmt:
        raise ValueError(f"format must be {fmt!r}, got {data.get('format')!r}")
    if data.get("version") != version:
        raise ValueError(f"version must be {version}, got {data.get('version')!r}")
    return data


def _save_json(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _load_json(path: str | os.PathLike[str], what: str, parse: Callable[[object], _T]) -> _T:
    """``parse`` of the JSON in ``path``; a problem is a ValueError that names ``path``."""
    raw = Path(path).read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a JSON {what} file ({err})") from None
    try:
        return parse(data)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None


class Vocabulary:
    """Tokens ranked by count: index 0 the mask, 1 the OOV token, then the kept tokens.

    Build one with :meth:`build` (from token lists) or :meth:`from_counts` (from a mapping of
    counts), or read one with :meth:`load`. The constructor takes tokens that are already
    ranked and checks that they are.

    Parameters
    ----------
    tokens : sequence of str
        The kept tokens, without the mask and OOV tokens, best-ranked first.
    counts : sequence of int
        Their counts (each >= 1), in the same order: non-increasing, and where two counts are
        equal the tokens must be in ascending order.
    mask_token : str
        The token at index 0 (padding), ``""`` by default as in Keras.
    oov_token : str
        The token at index 1, which every unknown token maps to.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the tokens repeat, include the mask or OOV token, or are not ranked as their
        counts say, or the two lengths differ.

    Examples
    --------
    >>> v = Vocabulary(["b", "a", "c"], [5, 2, 2])
    >>> len(v), v["a"], v["zebra"], "c" in v
    (5, 3, 1, True)
    """

    __slots__ = ("_tokens", "_counts", "_index", "_mask", "_oov")

    def __init__(
        self,
        tokens: Sequence[str],
        counts: Sequence[int],
        *,
        mask_token: str = "",
        oov_token: str = "[UNK]",
    ) -> None:
        mask_token, oov_token = _check_specials(mask_token, oov_token)
        tokens = list(_check_token_list(tokens, "tokens"))
        if isinstance(counts, str) or not isinstance(counts, Sequence):
            raise TypeError(f"counts must be a sequence of int, got {type(counts).__name__}")
        counts = list(counts)
        if len(tokens) != len(counts):
            raise ValueError(
                f"tokens and counts must have the same length, got {len(tokens)} and "
                f"{len(counts)}"
            )
        for i, (token, count) in enumerate(zip(tokens, counts, strict=True)):
            if not isinstance(token, str):
                raise TypeError(f"tokens[{i}] must be a str, got {type(token).__name__}")
            if isinstance(count, bool) or not isinstance(count, int):
                raise TypeError(f"counts[{i}] must be an int, got {type(count).__name__}")
            if count < 1:
                raise ValueError(f"counts[{i}] must be >= 1, got {count}")
            if token in (mask_token, oov_token):
                raise ValueError(
                    f"tokens[{i}] is the {'mask' if token == mask_token else 'OOV'} token "
                    f"{token!r}, which has its own index"
                )
            if i and not (count < counts[i - 1]
                          or (count == counts[i - 1] and token > tokens[i - 1])):
                raise ValueError(
                    f"tokens are not ranked by count descending, then token ascending: "
                    f"tokens[{i - 1}]={tokens[i - 1]!r} (count {counts[i - 1]}) comes before "
                    f"tokens[{i}]={token!r} (count {count})"
                )
        self._init(tokens, counts, mask_token, oov_token)

    def _init(self, tokens: list[str], counts: list[int], mask: str, oov: str) -> None:
        index = {mask: MASK_INDEX, oov: OOV_INDEX}
        index.update(zip(tokens, range(_SPECIALS, _SPECIALS + len(tokens)), strict=True))
        if len(index) != len(tokens) + _SPECIALS:
            seen: set[str] = set()
            for i, token in enumerate(tokens):
                if token in seen:
                    raise ValueError(f"tokens[{i}]={token!r} is a duplicate")
                seen.add(token)
        self._tokens = [mask, oov, *tokens]
        self._counts = counts
        self._index = index
        self._mask = mask
        self._oov = oov

    @classmethod
    def _trusted(cls, tokens: list[str], counts: list[int], mask: str, oov: str) -> Vocabulary:
        self = cls.__new__(cls)
        self._init(tokens, counts, mask, oov)
        return self

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_counts(
        cls,
        counts: Mapping[str, int],
        *,
        max_tokens: int | None = None,
        min_freq: int = 1,
        mask_token: str = "",
        oov_token: str = "[UNK]",
    ) -> Vocabulary:
        """Rank the tokens of a ``{token: count}`` mapping (a ``Counter``) into a vocabulary.

        Counts of the mask and OOV tokens themselves are ignored (as Keras does); tokens
        with ``count < min_freq`` are dropped, then the ``max_tokens - 2`` best-ranked are
        kept (see the module docstring for the ranking).

        Parameters
        ----------
        counts : mapping of str to int
            How often each token occurs.
        max_tokens : int, optional
            The largest vocabulary size, the mask and OOV slots included (>= 2).
        min_freq : int
            Keep only tokens seen at least this often (>= 1). It counts occurrences, not
            documents (scikit-learn's ``min_df`` counts documents).
        mask_token, oov_token : str
            The tokens at index 0 and 1.

        Returns
        -------
        Vocabulary

        Raises
        ------
        TypeError
            If ``counts`` is not a mapping of str to int, or an option has the wrong type.
        ValueError
            If ``max_tokens < 2`` or ``min_freq < 1`` or a count is negative.

        Examples
        --------
        >>> from collections import Counter
        >>> Vocabulary.from_counts(Counter("abracadabra"), max_tokens=4).tokens
        ['', '[UNK]', 'a', 'b']
        """
        mask_token, oov_token = _check_specials(mask_token, oov_token)
        max_tokens = _check_int(max_tokens, "max_tokens", _SPECIALS, allow_none=True)
        min_freq = _check_int(min_freq, "min_freq", 1)
        if not isinstance(counts, Mapping):
            raise TypeError(f"counts must be a mapping of str to int, "
                            f"got {type(counts).__name__}")
        if not set(map(type, counts)) <= {str}:
            bad = next(t for t in counts if not isinstance(t, str))
            raise TypeError(f"counts must map str to int, got the key {bad!r} "
                            f"({type(bad).__name__})")
        if not set(map(type, counts.values())) <= {int}:
            bad = next(t for t, c in counts.items() if type(c) is not int)
            raise TypeError(f"counts[{bad!r}] must be an int, "
                            f"got {type(counts[bad]).__name__}")
        lowest = min(counts.values(), default=1)
        if lowest < 0:
            bad = next(t for t, c in counts.items() if c < 0)
            raise ValueError(f"counts[{bad!r}] must be >= 0, got {counts[bad]}")
        return cls._ranked(list(counts), list(counts.values()), max_tokens=max_tokens,
                           min_freq=min_freq, mask_token=mask_token, oov_token=oov_token)[0]

    @classmethod
    def _ranked(
        cls,
        tokens: list[str],
        counts: list[int],
        *,
        max_tokens: int | None,
        min_freq: int,
        mask_token: str,
        oov_token: str,
    ) -> tuple[Vocabulary, list[int]]:
        """Rank distinct, checked ``tokens`` with their ``counts``.

        Returns the vocabulary and the positions in ``tokens`` of the kept ones, best first.
        """
        # Two stable sorts of positions, by token ascending, then by count descending
        # (reverse=True keeps the order of equal counts); no (token, count) tuples are made.
        order = sorted(range(len(tokens)), key=tokens.__getitem__)
        order.sort(key=counts.__getitem__, reverse=True)
        if min(counts, default=min_freq) < min_freq:
            order = [i for i in order if counts[i] >= min_freq]
        specials = (mask_token, oov_token)
        if mask_token in tokens or oov_token in tokens:
            order = [i for i in order if tokens[i] not in specials]
        if max_tokens is not None:
            del order[max_tokens - _SPECIALS:]
        vocab = cls._trusted([tokens[i] for i in order], [counts[i] for i in order],
                             mask_token, oov_token)
        return vocab, order

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Sequence[str]],
        *,
        max_tokens: int | None = None,
        min_freq: int = 1,
        mask_token: str = "",
        oov_token: str = "[UNK]",
    ) -> Vocabulary:
        """Count the tokens of every list in ``token_lists``, in one pass, and rank them.

        ``token_lists`` can be a generator over a corpus larger than memory: it is iterated
        once and only the counts are held.

        Parameters
        ----------
        token_lists : iterable of list (or tuple) of str
            One token list per document, e.g. ``word_tokens(standardize(text))``.
        max_tokens : int, optional
            The largest vocabulary size, mask and OOV slots included (>= 2), as Keras's
            ``max_tokens``.
        min_freq : int
            Keep only tokens seen at least this many times (>= 1).
        mask_token, oov_token : str
            The tokens at index 0 and 1.

        Returns
        -------
        Vocabulary

        Raises
        ------
        TypeError
            If ``token_lists`` is a str, or one of its items is not a list or tuple of str
            (passing one document's tokens instead of a list of them is caught here).
        ValueError
            If ``max_tokens < 2`` or ``min_freq < 1``.

        Examples
        --------
        >>> docs = [["a", "rose", "is", "a", "rose"], ["is", "a", "rose"]]
        >>> v = Vocabulary.build(docs)
        >>> v.tokens, v.counts
        (['', '[UNK]', 'a', 'rose', 'is'], [3, 3, 2])
        >>> Vocabulary.build(docs, min_freq=3).tokens
        ['', '[UNK]', 'a', 'rose']
        """
        _check_specials(mask_token, oov_token)
        _check_int(max_tokens, "max_tokens", _SPECIALS, allow_none=True)
        _check_int(min_freq, "min_freq", 1)
        if isinstance(token_lists, str) or not isinstance(token_lists, Iterable):
            raise TypeError(f"token_lists must be an iterable of token lists, "
                            f"got {type(token_lists).__name__}")
        counter: Counter[str] = Counter()
        update = counter.update
        for i, tokens in enumerate(token_lists):
            if not isinstance(tokens, list | tuple):
                raise TypeError(f"token_lists[{i}] must be a list or tuple of str, got "
                                f"{type(tokens).__name__} (pass a list of token lists)")
            update(tokens)
        for token in counter:
            if not isinstance(token, str):
                raise TypeError(f"token_lists must hold str tokens, got {token!r} "
                                f"({type(token).__name__})")
        return cls.from_counts(counter, max_tokens=max_tokens, min_freq=min_freq,
                               mask_token=mask_token, oov_token=oov_token)

    # ----------------------------------------------------------------------- queries

    @property
    def mask_token(self) -> str:
        """The token at index 0."""
        return self._mask

    @property
    def oov_token(self) -> str:
        """The token at index 1."""
        return self._oov

    @property
    def tokens(self) -> list[str]:
        """Every token in index order, the mask and OOV tokens first (a new list)."""
        return list(self._tokens)

    @property
    def counts(self) -> list[int]:
        """The kept tokens' counts, best-ranked first: ``counts[r]`` is ``tokens[r + 2]``'s.

        Rank against count, ready for a Zipf plot (a new list).
        """
        return list(self._counts)

    def count(self, token: str) -> int:
        """How often ``token`` was counted; 0 for the mask, OOV and unknown tokens.

        Examples
        --------
        >>> v = Vocabulary.build([["a", "b", "a"]])
        >>> v.count("a"), v.count("z"), v.count("[UNK]")
        (2, 0, 0)
        """
        i = self[token]
        return self._counts[i - _SPECIALS] if i >= _SPECIALS else 0

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and token in self._index

    def __getitem__(self, token: str) -> int:
        if not isinstance(token, str):
            raise TypeError(f"token must be a str, got {type(token).__name__}")
        return self._index.get(token, OOV_INDEX)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self._tokens == other._tokens and self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Vocabulary(size={len(self)}, mask_token={self._mask!r}, "
                f"oov_token={self._oov!r})")

    def lookup(self, tokens: Sequence[str]) -> list[int]:
        """The index of every token; unknown tokens give the OOV index 1.

        Parameters
        ----------
        tokens : list or tuple of str
            One document's tokens.

        Returns
        -------
        list of int

        Raises
        ------
        TypeError
            If ``tokens`` is a str (which would be looked up character by character) or
            holds a non-str.

        Examples
        --------
        >>> Vocabulary.build([["to", "be", "or", "not", "to", "be"]]).lookup(["to", "go"])
        [3, 1]
        """
        _check_token_list(tokens, "tokens")
        get = self._index.get
        out = []
        for i, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(f"tokens[{i}] must be a str, got {type(token).__name__}")
            out.append(get(token, OOV_INDEX))
        return out

    def token(self, index: int) -> str:
        """The token at ``index`` (0 gives the mask token, 1 the OOV token).

        Raises
        ------
        TypeError
            If ``index`` is not an int.
        ValueError
            If ``index`` is outside ``0 .. len(vocab) - 1``.

        Examples
        --------
        >>> Vocabulary.build([["hi"]]).token(2)
        'hi'
        """
        if isinstance(index, bool) or not isinstance(index, int):
            try:
                index = operator.index(index)  # numpy and 0-d torch integers
            except TypeError:
                raise TypeError(f"index must be an int, got {type(index).__name__}") from None
        if not 0 <= index < len(self._tokens):
            raise ValueError(f"index must be in 0..{len(self._tokens) - 1}, got {index}")
        return self._tokens[index]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """The token of every index: the inverse of :meth:`lookup` for known tokens.

        Parameters
        ----------
        ids : list of int, 1-D NumPy array or 1-D torch tensor
            Indices; padding (0) decodes to the mask token.

        Returns
        -------
        list of str

        Raises
        ------
        TypeError
            If ``ids`` is not a 1-D collection of integers.
        ValueError
            If an index is out of range.

        Examples
        --------
        >>> v = Vocabulary.build([["new", "york", "new"]])
        >>> v.decode(v.lookup(["new", "york", "paris"]))
        ['new', 'york', '[UNK]']
        """
        if hasattr(ids, "tolist") and hasattr(ids, "ndim"):
            if ids.ndim != 1:
                raise TypeError(f"ids must be 1-D, got {ids.ndim} dimensions")
            ids = ids.tolist()
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise TypeError(f"ids must be a list of int, got {type(ids).__name__}")
        tokens = self._tokens
        n = len(tokens)
        out = []
        for i, index in enumerate(ids):
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"ids[{i}] must be an int, got {type(index).__name__}")
            if not 0 <= index < n:
                raise ValueError(f"ids[{i}] must be in 0..{n - 1}, got {index}")
            out.append(tokens[index])
        return out

    def _in_and_total(self, token_lists: Iterable[Sequence[str]]) -> tuple[int, int]:
        if isinstance(token_lists, str) or not isinstance(token_lists, Iterable):
            raise TypeError(f"token_lists must be an iterable of token lists, "
                            f"got {type(token_lists).__name__}")
        index, mask = self._index, self._mask
        known = total = 0
        for i, tokens in enumerate(token_lists):
            if not isinstance(tokens, list | tuple):
                raise TypeError(f"token_lists[{i}] must be a list or tuple of str, got "
                                f"{type(tokens).__name__} (pass a list of token lists)")
            for token in tokens:
                if token == mask:
                    continue
                total += 1
                if index.get(token, OOV_INDEX) >= _SPECIALS:
                    known += 1
        if total == 0:
            raise ValueError("token_lists holds no tokens (other than the mask token)")
        return known, total

    def coverage(self, token_lists: Iterable[Sequence[str]]) -> float:
        """The fraction of the tokens in ``token_lists`` that the vocabulary knows.

        Every occurrence counts (a token type seen ten times counts ten times). Mask tokens
        (padding) are left out; a literal OOV token counts as unknown. ``coverage + oov_rate
        == 1``.

        Parameters
        ----------
        token_lists : iterable of list of str
            One token list per document (iterated once).

        Returns
        -------
        float
            In ``[0, 1]``.

        Raises
        ------
        TypeError
            If ``token_lists`` is not an iterable of token lists.
        ValueError
            If it holds no tokens.

        Examples
        --------
        >>> v = Vocabulary.build([["a", "b", "a"]])
        >>> v.coverage([["a", "a", "c"], ["b"]])
        0.75
        """
        known, total = self._in_and_total(token_lists)
        return known / total

    def oov_rate(self, token_lists: Iterable[Sequence[str]]) -> float:
        """The fraction of the tokens in ``token_lists`` that map to the OOV index.

        ``1 - coverage(token_lists)``, computed from the same counts.

        Examples
        --------
        >>> v = Vocabulary.build([["a", "b", "a"]])
        >>> v.oov_rate([["a", "a", "c"], ["b"]])
        0.25
        """
        known, total = self._in_and_total(token_lists)
        return (total - known) / total

    # --------------------------------------------------------------------- save/load

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form :meth:`save` writes.

        Examples
        --------
        >>> Vocabulary.build([["x"]]).to_dict()["tokens"]
        ['', '[UNK]', 'x']
        """
        return {
            "format": FORMAT,
            "version": VERSION,
            "mask_token": self._mask,
            "oov_token": self._oov,
            "tokens": list(self._tokens),
            "counts": list(self._counts),
        }

    @classmethod
    def from_dict(cls, data: object) -> Vocabulary:
        """Check and read the form :meth:`to_dict` gives.

        Raises
        ------
        ValueError
            If a field is missing, has the wrong type, or the tokens and counts are not a
            valid ranked vocabulary (duplicates, bad order, mask or OOV token mismatch).

        Examples
        --------
        >>> v = Vocabulary.build([["x", "y", "x"]])
        >>> Vocabulary.from_dict(v.to_dict()) == v
        True
        """
        data = _check_header(data, FORMAT, VERSION)
        expected = {"format", "version", "mask_token", "oov_token", "tokens", "counts"}
        if set(data) != expected:
            missing, extra = expected - set(data), set(data) - expected
            raise ValueError(f"expected the fields {sorted(expected)}; "
                             f"missing {sorted(missing)}, unexpected {sorted(extra)}")
        mask, oov, tokens, counts = (data["mask_token"], data["oov_token"], data["tokens"],
                                     data["counts"])
        if not isinstance(tokens, list) or not isinstance(counts, list):
            raise ValueError("tokens and counts must be JSON arrays")
        if len(tokens) < _SPECIALS:
            raise ValueError(f"tokens must start with the mask and OOV tokens, "
                             f"got {len(tokens)} tokens")
        if tokens[MASK_INDEX] != mask:
            raise ValueError(f"tokens[0] must be the mask_token {mask!r}, "
                             f"got {tokens[MASK_INDEX]!r}")
        if tokens[OOV_INDEX] != oov:
            raise ValueError(f"tokens[1] must be the oov_token {oov!r}, "
                             f"got {tokens[OOV_INDEX]!r}")
        if len(counts) != len(tokens) - _SPECIALS:
            raise ValueError(f"counts must have one count per token after the mask and OOV "
                             f"tokens ({len(tokens) - _SPECIALS}), got {len(counts)}")
        try:
            return cls(tokens[_SPECIALS:], counts, mask_token=mask, oov_token=oov)
        except TypeError as err:
            raise ValueError(str(err)) from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary to ``path`` as JSON (UTF-8), never as a pickle.

        The file holds ``{"format": "tokenlab-vocab", "version": 1, "mask_token": ...,
        "oov_token": ..., "tokens": [every token in index order], "counts": [the counts of
        tokens[2:]]}``; :meth:`load` gives back an equal vocabulary.

        Examples
        --------
        >>> import os, tempfile
        >>> v = Vocabulary.build([["한국어", "텍스트", "한국어"]])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     v.save(os.path.join(d, "vocab.json"))
        ...     Vocabulary.load(os.path.join(d, "vocab.json")) == v
        True
        """
        _save_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`, checking everything in it.

        Raises
        ------
        ValueError
            If the file is not JSON, or not a valid saved vocabulary (wrong format or
            version, duplicate tokens, counts out of rank order, mask or OOV token mismatch);
            the message names the path and the problem.
        OSError
            If the file cannot be read.

        Examples
        --------
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = os.path.join(d, "bad.json")
        ...     _ = open(p, "w").write('{"format": "pickle"}')
        ...     try:
        ...         Vocabulary.load(p)
        ...     except ValueError as err:
        ...         print(str(err).endswith("format must be 'tokenlab-vocab', got 'pickle'"))
        True
        """
        return _load_json(path, "vocabulary", cls.from_dict)

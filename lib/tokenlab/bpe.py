"""Byte-level BPE: train merges on a corpus, encode exactly as tiktoken does, decode.

Token ids ``0..255`` are the 256 single bytes (id ``b`` is the byte ``b``) and id ``256 + i``
is the ``i``-th merge, the concatenated bytes of its two parts. Text is first cut into
*pieces* by a regular expression (GPT-2's by default: words with their leading space, numbers,
runs of punctuation, whitespace), and no token ever crosses a piece boundary.

Encoding replays the merges the way tiktoken does (see :meth:`BPETokenizer.encode`), so a
:class:`BPETokenizer` and a ``tiktoken.Encoding`` built from its ranks give the same ids
(``tests/test_bpe.py`` checks it on English and Korean text).

Examples
--------
>>> tok = BPETokenizer.train("the cat sat on the mat. the cat ate.", vocab_size=262)
>>> [tok.token_bytes(i) for i in range(256, len(tok))]
[b'at', b'he', b'the', b' c', b' the', b' cat']
>>> tok.encode_pieces("the cat sat")
['the', ' cat', ' ', 's', 'at']
>>> tok.decode(tok.encode("the cat sat"))
'the cat sat'
"""

from __future__ import annotations

import heapq
import json
import operator
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any, NamedTuple

import regex

__all__ = ["GPT2_PATTERN", "FORMAT", "VERSION", "MergeStep", "BPETokenizer"]

#: GPT-2's pre-tokenization pattern (as tiktoken's ``gpt2``/``r50k_base`` spell it). It is also
#: a valid JavaScript ``RegExp`` with flags ``"gu"``; the browser port replaces ``\s`` by the
#: explicit set of Unicode ``White_Space`` characters, which is what ``\s`` means here (and in
#: tiktoken's Rust regex), while JavaScript's own ``\s`` differs (it has U+FEFF, not U+0085).
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

#: The ``format`` tag of a saved tokenizer, and the file format's version.
FORMAT = "tokenlab-bpe"
VERSION = 1

_CACHE_LIMIT = 65536


class MergeStep(NamedTuple):
    """One merge of training, for watching a vocabulary form.

    Attributes
    ----------
    id : int
        The new token's id (``256 + rank``).
    left, right : int
        The ids of the pair that was merged.
    token : bytes
        The new token's bytes (``left``'s bytes followed by ``right``'s).
    count : int
        How often the pair occurred in the training corpus when it was chosen.
    """

    id: int
    left: int
    right: int
    token: bytes
    count: int


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def _compile(pattern: object) -> regex.Pattern:
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str, got {type(pattern).__name__}")
    if not pattern:
        raise ValueError("pattern must not be empty")
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc


def _utf8(text: str, name: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} contains a lone surrogate U+{ord(text[exc.start]):04X} at index "
            f"{exc.start}, which has no UTF-8 encoding"
        ) from None


class BPETokenizer:
    """A byte-level BPE tokenizer: 256 byte tokens plus a list of merges.

    Build one with :meth:`train`, :meth:`load` or :meth:`from_dict`; the constructor takes
    merges you already have.

    Parameters
    ----------
    merges : iterable of (int, int)
        The merges in rank order: merge ``i`` joins ids ``left`` and ``right`` into id
        ``256 + i``; both must be earlier ids, and no two tokens may have the same bytes.
    pattern : str, optional
        The pre-tokenization regular expression (for the ``regex`` module);
        :data:`GPT2_PATTERN` by default. It should match every character (the default
        does), or :meth:`encode` drops what it does not match, as tiktoken does.

    Attributes
    ----------
    merges : list of (int, int)
        The merges, in rank order.
    vocab : dict of int to bytes
        Every token's bytes.
    pattern : str
        The pre-tokenization pattern.
    history : list of MergeStep
        For a tokenizer made by :meth:`train`, each merge with the pair's count when it was
        chosen; empty for one built from merges (the counts are not saved).

    Examples
    --------
    >>> tok = BPETokenizer([(104, 101), (116, 256)])
    >>> len(tok), tok.token_bytes(257)
    (258, b'the')
    >>> tok.encode("the")
    [257]
    """

    def __init__(self, merges: Iterable[tuple[int, int]] = (), pattern: str | None = None):
        self.pattern: str = GPT2_PATTERN if pattern is None else pattern
        self._regex = _compile(self.pattern)
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        self._ranks: dict[bytes, int] = {b: i for i, b in self.vocab.items()}
        self.merges: list[tuple[int, int]] = []
        self.history: list[MergeStep] = []
        self._cache: dict[str, tuple[int, ...]] = {}
        if isinstance(merges, str | bytes | Mapping):
            raise TypeError(f"merges must be an iterable of (int, int) pairs, got "
                            f"{type(merges).__name__}")
        try:
            items = list(merges)
        except TypeError:
            raise TypeError(f"merges must be an iterable of (int, int) pairs, got "
                            f"{type(merges).__name__}") from None
        for i, pair in enumerate(items):
            if (not isinstance(pair, tuple | list) or len(pair) != 2
                    or not all(_is_int(v) for v in pair)):
                raise ValueError(f"merges[{i}] must be a pair of int ids, got {pair!r}")
            left, right = (operator.index(v) for v in pair)
            new_id = 256 + i
            for v in (left, right):
                if not 0 <= v < new_id:
                    raise ValueError(
                        f"merges[{i}] = {[left, right]} refers to id {v}, but merge {i} may "
                        f"only join existing ids 0..{new_id - 1}"
                    )
            self._add(left, right, name=f"merges[{i}]")

    def _add(self, left: int, right: int, name: str = "merge") -> int:
        token = self.vocab[left] + self.vocab[right]
        if token in self._ranks:
            raise ValueError(
                f"{name} = {[left, right]} makes {token!r}, which token {self._ranks[token]} "
                f"already is (every token's bytes must be unique)"
            )
        new_id = len(self.vocab)
        self.vocab[new_id] = token
        self._ranks[token] = new_id
        self.merges.append((left, right))
        return new_id

    # ------------------------------------------------------------------------------ training

    @classmethod
    def train(
        cls, texts: str | Iterable[str], vocab_size: int, *, pattern: str | None = None
    ) -> BPETokenizer:
        """Learn merges from ``texts`` until the vocabulary has ``vocab_size`` tokens.

        The texts are cut into pieces by ``pattern`` and each distinct piece is counted once
        with its frequency. Then, repeatedly, the most frequent adjacent pair of tokens
        (counted over all pieces, weighted by frequency) becomes a new token. Only the pieces
        that contain the chosen pair are rewritten, and only their pairs' counts change, so
        each merge costs time in proportion to what it touches, not to the corpus.

        Decisions:

        - **Ties** go to the smallest ``(left_id, right_id)``, so training is deterministic.
        - A pair that occurs once is still merged (classic BPE); training stops early, with
          fewer than ``vocab_size`` tokens, only when no adjacent pair is left.
        - A pair whose concatenated bytes are already a token (``"a" + "bc"`` after
          ``"ab" + "c"`` made ``"abc"``) gets no new id, so that bytes and ids stay one to
          one: its occurrences are rewritten to the existing token, which is what
          :meth:`encode` would do with them, and training goes on. (A safeguard: training
          from bytes has not been seen to produce such a pair; a search over half a million
          small corpora found none; a test drives the rule directly.)

        Parameters
        ----------
        texts : str or iterable of str
            The corpus: one string, or many (pieces never cross from one to the next).
        vocab_size : int
            The wanted number of tokens, at least 256 (the bytes).
        pattern : str, optional
            The pre-tokenization pattern; :data:`GPT2_PATTERN` by default.

        Returns
        -------
        BPETokenizer
            With ``history`` filled in.

        Raises
        ------
        ValueError
            If ``vocab_size`` < 256 or a text holds a lone surrogate.
        TypeError
            If ``texts`` is not a str or an iterable of str.

        Examples
        --------
        >>> tok = BPETokenizer.train(["low lower lowest", "low low"], vocab_size=259)
        >>> [(s.token, s.count) for s in tok.history]
        [(b'lo', 5), (b'low', 5), (b' low', 3)]
        """
        if not _is_int(vocab_size):
            raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}")
        vocab_size = operator.index(vocab_size)
        if vocab_size < 256:
            raise ValueError(f"vocab_size must be >= 256 (the single bytes), got {vocab_size}")
        tok = cls(pattern=pattern)
        if isinstance(texts, str):
            texts = [texts]
        elif isinstance(texts, bytes | Mapping) or not isinstance(texts, Iterable):
            raise TypeError(f"texts must be a str or an iterable of str, got "
                            f"{type(texts).__name__}")
        counts: Counter[str] = Counter()
        for k, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{k}] must be a str, got {type(text).__name__}")
            counts.update(tok._pieces(text))
        words: list[list[int]] = []
        freqs: list[int] = []
        for piece, freq in counts.items():
            data = _utf8(piece, "texts")
            if len(data) > 1:
                words.append(list(data))
                freqs.append(freq)
        tok._train(words, freqs, vocab_size)
        return tok

    def _train(self, words: list[list[int]], freqs: list[int], vocab_size: int) -> None:
        pair_counts: dict[tuple[int, int], int] = {}
        where: dict[tuple[int, int], set[int]] = {}
        for idx, (word, freq) in enumerate(zip(words, freqs, strict=True)):
            for pair in pairwise(word):
                pair_counts[pair] = pair_counts.get(pair, 0) + freq
                where.setdefault(pair, set()).add(idx)
        # A max-heap of (count, pair) with lazy deletion: an entry is live only while its
        # count is the pair's current count. Every count change pushes a fresh entry.
        heap = [(-c, a, b) for (a, b), c in pair_counts.items()]
        heapq.heapify(heap)
        while len(self.vocab) < vocab_size and heap:
            neg, a, b = heapq.heappop(heap)
            count = pair_counts.get((a, b), 0)
            if count != -neg or count <= 0:
                continue
            token = self.vocab[a] + self.vocab[b]
            existing = self._ranks.get(token)
            new_id = self._add(a, b) if existing is None else existing
            if existing is None:
                self.history.append(MergeStep(new_id, a, b, token, count))
            # Rewrite each piece that holds the pair, left to right, and change only the
            # counts of the pairs around each occurrence: (p, a) -> (p, new), (b, q) ->
            # (new, q), where p is the token now on the left (possibly new already).
            delta: dict[tuple[int, int], int] = {}
            for idx in where.pop((a, b), ()):
                word = words[idx]
                n = len(word)
                freq = freqs[idx]
                merged: list[int] = []
                i = last = 0
                while True:
                    try:
                        i = word.index(a, i)
                    except ValueError:
                        break
                    if i + 1 < n and word[i + 1] == b:
                        merged.extend(word[last:i])
                        delta[(a, b)] = delta.get((a, b), 0) - freq
                        if merged:
                            p = merged[-1]
                            delta[(p, a)] = delta.get((p, a), 0) - freq
                            delta[(p, new_id)] = delta.get((p, new_id), 0) + freq
                            where.setdefault((p, new_id), set()).add(idx)
                        if i + 2 < n:
                            q = word[i + 2]
                            delta[(b, q)] = delta.get((b, q), 0) - freq
                            delta[(new_id, q)] = delta.get((new_id, q), 0) + freq
                            where.setdefault((new_id, q), set()).add(idx)
                        merged.append(new_id)
                        i = last = i + 2
                    else:
                        i += 1
                merged.extend(word[last:])
                if len(merged) < n:  # else a stale index entry: the pair left this piece
                    words[idx] = merged
            for pair, d in delta.items():
                if d:
                    c = pair_counts.get(pair, 0) + d
                    if c > 0:
                        pair_counts[pair] = c
                        heapq.heappush(heap, (-c, pair[0], pair[1]))
                    else:
                        pair_counts.pop(pair, None)
        self._cache.clear()

    # ------------------------------------------------------------------------------ encoding

    def __len__(self) -> int:
        return len(self.vocab)

    def __repr__(self) -> str:
        pattern = "GPT2_PATTERN" if self.pattern == GPT2_PATTERN else repr(self.pattern)
        return f"BPETokenizer(vocab_size={len(self)}, pattern={pattern})"

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes of token ``token_id``.

        Examples
        --------
        >>> BPETokenizer([(104, 105)]).token_bytes(256)
        b'hi'
        """
        if not _is_int(token_id):
            raise TypeError(f"token_id must be an int, got {type(token_id).__name__}")
        token_id = operator.index(token_id)
        try:
            return self.vocab[token_id]
        except KeyError:
            raise ValueError(
                f"token_id {token_id} is not in the vocabulary (ids 0..{len(self) - 1})"
            ) from None

    def _pieces(self, text: str) -> list[str]:
        if self._regex.groups == 0:
            return self._regex.findall(text)
        return [m.group(0) for m in self._regex.finditer(text)]

    def pre_tokenize(self, text: str) -> list[str]:
        """The pieces the pattern cuts ``text`` into; no token ever crosses their borders.

        Parameters
        ----------
        text : str
            The text.

        Returns
        -------
        list of str
            Every match of :attr:`pattern`, in order.

        Examples
        --------
        >>> BPETokenizer().pre_tokenize("I'll pay $100   now!")
        ['I', "'ll", ' pay', ' $', '100', '  ', ' now', '!']
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return self._pieces(text)

    def _encode_piece(self, data: bytes) -> tuple[int, ...]:
        ranks = self._ranks
        token = ranks.get(data)
        if token is not None:
            return (token,)
        # tiktoken's byte_pair_merge: parts[i] is a byte span; pair_rank[i] is the rank of
        # parts[i] + parts[i + 1] (None if that is not a token). Merge the lowest rank,
        # leftmost on ties, until no adjacent concatenation is a token.
        parts = [data[i : i + 1] for i in range(len(data))]
        pair_rank = [ranks.get(parts[i] + parts[i + 1]) for i in range(len(parts) - 1)]
        while pair_rank:
            best, best_i = None, -1
            for i, r in enumerate(pair_rank):
                if r is not None and (best is None or r < best):
                    best, best_i = r, i
            if best is None:
                break
            parts[best_i : best_i + 2] = [parts[best_i] + parts[best_i + 1]]
            del pair_rank[best_i]
            if best_i < len(pair_rank):
                pair_rank[best_i] = ranks.get(parts[best_i] + parts[best_i + 1])
            if best_i > 0:
                pair_rank[best_i - 1] = ranks.get(parts[best_i - 1] + parts[best_i])
        return tuple(ranks[p] for p in parts)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, exactly as tiktoken would give them.

        The algorithm is tiktoken's: cut the text into pieces with the pattern; a piece whose
        UTF-8 bytes are a token is that token; otherwise start from its single bytes and merge,
        again and again, the adjacent pair whose *concatenated bytes* have the lowest id (the
        leftmost such pair on ties), until no adjacent concatenation is a token.

        Parameters
        ----------
        text : str
            Any text without lone surrogates.

        Returns
        -------
        list of int
            The ids; ``[]`` for ``""``.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If ``text`` holds a lone surrogate (it has no UTF-8 bytes).

        Examples
        --------
        >>> tok = BPETokenizer([(104, 105)])
        >>> tok.encode("hi hi!")
        [256, 32, 256, 33]
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        _utf8(text, "text")
        cache = self._cache
        out: list[int] = []
        for piece in self._pieces(text):
            ids = cache.get(piece)
            if ids is None:
                ids = self._encode_piece(piece.encode("utf-8"))
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[piece] = ids
            out.extend(ids)
        return out

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a sequence of ids: their bytes joined, decoded as UTF-8.

        Bytes that are not valid UTF-8 (a token sequence cut inside a character) become
        U+FFFD, as ``bytes.decode(errors="replace")`` does.

        Parameters
        ----------
        ids : iterable of int
            Token ids (a list, a NumPy array, a torch tensor, ...).

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If an id is not in the vocabulary.
        TypeError
            If ``ids`` is not an iterable of ints.

        Examples
        --------
        >>> tok = BPETokenizer()
        >>> tok.decode([104, 105]), tok.decode(tok.encode("한")[:2])
        ('hi', '�')
        """
        if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            raise TypeError(f"ids must be an iterable of int, got {type(ids).__name__}")
        vocab = self.vocab
        chunks: list[bytes] = []
        for k, token_id in enumerate(ids):
            if not _is_int(token_id):
                raise TypeError(f"ids[{k}] must be an int, got {type(token_id).__name__}")
            token = vocab.get(operator.index(token_id))
            if token is None:
                raise ValueError(
                    f"ids[{k}] = {int(token_id)} is not in the vocabulary (ids 0..{len(self) - 1})"
                )
            chunks.append(token)
        return b"".join(chunks).decode("utf-8", errors="replace")

    def encode_pieces(self, text: str) -> list[str]:
        """Each token of ``text`` as a string, for display.

        A token that is not whole UTF-8 characters (part of a Korean syllable, say) shows as
        U+FFFD; ``"".join`` of the pieces is then not ``text``.

        Examples
        --------
        >>> BPETokenizer([(104, 105)]).encode_pieces("hi!")
        ['hi', '!']
        """
        return [self.vocab[i].decode("utf-8", errors="replace") for i in self.encode(text)]

    # --------------------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """The tokenizer as plain JSON data (what :meth:`save` writes and the widget embeds).

        Examples
        --------
        >>> d = BPETokenizer([(104, 105)]).to_dict()
        >>> d["format"], d["version"], d["merges"]
        ('tokenlab-bpe', 1, [[104, 105]])
        """
        return {
            "format": FORMAT,
            "version": VERSION,
            "pattern": self.pattern,
            "merges": [[left, right] for left, right in self.merges],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BPETokenizer:
        """Rebuild a tokenizer from :meth:`to_dict`'s data, checking every field.

        Raises
        ------
        TypeError
            If ``data`` is not a mapping.
        ValueError
            If the format tag or version is wrong, a key is missing or unknown, the pattern
            does not compile, or a merge is malformed, refers to an id that does not exist yet
            or repeats another token's bytes.

        Examples
        --------
        >>> BPETokenizer.from_dict(BPETokenizer([(104, 105)]).to_dict()).encode("hi")
        [256]
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a dict, got {type(data).__name__}")
        if data.get("format") != FORMAT:
            raise ValueError(
                f"data is not a tokenlab BPE tokenizer: format must be {FORMAT!r}, "
                f"got {data.get('format')!r}"
            )
        if data.get("version") != VERSION or isinstance(data.get("version"), bool):
            raise ValueError(f"data has unsupported version {data.get('version')!r} "
                             f"(this tokenlab reads version {VERSION})")
        expected = {"format", "version", "pattern", "merges"}
        missing, unknown = expected - set(data), set(data) - expected
        if missing or unknown:
            raise ValueError(f"data must have exactly the keys {sorted(expected)}; "
                             f"missing {sorted(missing)}, unknown {sorted(map(str, unknown))}")
        if not isinstance(data["pattern"], str):
            raise ValueError(f"data['pattern'] must be a str, got "
                             f"{type(data['pattern']).__name__}")
        if not isinstance(data["merges"], list | tuple):
            raise ValueError(f"data['merges'] must be a list of [left, right] pairs, got "
                             f"{type(data['merges']).__name__}")
        try:
            return cls(data["merges"], data["pattern"])
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tokenizer to ``path`` as JSON (see :meth:`to_dict`); never a pickle.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "bpe.json"
        >>> BPETokenizer([(104, 105)]).save(path)
        >>> BPETokenizer.load(path).merges
        [(104, 105)]
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BPETokenizer:
        """Read a tokenizer that :meth:`save` wrote, validating it (see :meth:`from_dict`).

        Raises
        ------
        ValueError
            If the file is not JSON, not an object, or fails :meth:`from_dict`'s checks.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "bad.json"
        >>> _ = path.write_text('{"format": "pickle"}')
        >>> BPETokenizer.load(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...bad.json: data is not a tokenlab BPE tokenizer: format must be ...
        """
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{os.fspath(path)} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{os.fspath(path)} must hold a JSON object, got "
                             f"{type(data).__name__}")
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            raise ValueError(f"{os.fspath(path)}: {exc}") from None

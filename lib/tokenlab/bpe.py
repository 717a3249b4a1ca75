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

import base64
import heapq
import json
import operator
import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import regex

__all__ = ["GPT2_PATTERN", "TIKTOKEN_ENCODINGS", "FORMAT", "VERSION", "MergeStep",
           "BPETokenizer"]

#: GPT-2's pre-tokenization pattern (as tiktoken's ``gpt2``/``r50k_base`` spell it). It is also
#: a valid JavaScript ``RegExp`` with flags ``"gu"``; the browser port replaces ``\s`` by the
#: explicit set of Unicode ``White_Space`` characters, which is what ``\s`` means here (and in
#: tiktoken's Rust regex), while JavaScript's own ``\s`` differs (it has U+FEFF, not U+0085).
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

#: The ``format`` tag of a saved tokenizer, and the file format's version.
FORMAT = "tokenlab-bpe"
VERSION = 1

_CACHE_LIMIT = 65536
# "Not a token" in the merge loop: larger than any rank, so min() skips it.
_NO_RANK = 1 << 62
# Pieces longer than this many bytes are merged with a heap (n log n); shorter ones with a
# C-level min() scan of the pair ranks, which is faster at the lengths of real words.
_HEAP_FROM = 48

_CL100K_PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
                   r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
_O200K_PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"""
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"""
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])

#: OpenAI's encodings that :meth:`BPETokenizer.from_tiktoken` knows by name: the file in the
#: ``tiktoken`` entry of :data:`tokenlab.models.MODELS`, the pre-tokenization pattern and the
#: special tokens, as ``tiktoken_ext/openai_public.py`` (tiktoken 0.14) defines them.
TIKTOKEN_ENCODINGS: dict[str, dict[str, Any]] = {
    "cl100k_base": {
        "file": "cl100k_base.tiktoken",
        "pattern": _CL100K_PATTERN,
        "special_tokens": {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258,
                           "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260,
                           "<|endofprompt|>": 100276},
    },
    "o200k_base": {
        "file": "o200k_base.tiktoken",
        "pattern": _O200K_PATTERN,
        "special_tokens": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    },
}


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


def _read_tiktoken(file: Path) -> dict[bytes, int]:
    """Merge ranks from a ``.tiktoken`` file: ``<base64 bytes> <rank>`` a line."""
    ranks: dict[bytes, int] = {}
    with open(file, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                if len(parts) != 2:
                    raise ValueError("two fields")
                ranks[base64.b64decode(parts[0], validate=True)] = int(parts[1])
            except ValueError:
                raise ValueError(f"{file}, line {lineno}: expected '<base64 bytes> <rank>', "
                                 f"got {line[:60]!r}") from None
    return ranks


class BPETokenizer:
    """A byte-level BPE tokenizer: 256 byte tokens plus a list of merges.

    Build one with :meth:`train`, :meth:`load` or :meth:`from_dict`; the constructor takes
    merges you already have. :meth:`from_tiktoken` (and :meth:`from_ranks`) load OpenAI's
    merge ranks instead (``cl100k_base``, ``o200k_base``), where token ids are ranks and the
    single bytes are not ids ``0..255``.

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
    special_tokens : dict of str to int
        Special tokens (``"<|endoftext|>"``) and their ids; empty unless loaded from ranks.
    name : str or None
        The encoding's name for one loaded by :meth:`from_tiktoken`.

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
        self.special_tokens: dict[str, int] = {}
        self.name: str | None = None
        self._special_bytes: dict[int, bytes] = {}
        self._from_ranks = False
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
        """The number of ids: one more than the largest (specials included, as tiktoken's
        ``n_vocab``)."""
        return max(len(self.vocab), max(self._special_bytes, default=-1) + 1)

    def __repr__(self) -> str:
        if self.name is not None:
            return f"BPETokenizer.from_tiktoken({self.name!r})"
        pattern = "GPT2_PATTERN" if self.pattern == GPT2_PATTERN else repr(self.pattern)
        return f"BPETokenizer(vocab_size={len(self)}, pattern={pattern})"

    # ------------------------------------------------------------------- tiktoken's ranks

    @classmethod
    def from_ranks(cls, ranks: Mapping[bytes, int], pattern: str, *,
                   special_tokens: Mapping[str, int] | None = None,
                   name: str | None = None) -> BPETokenizer:
        """A tokenizer from merge ranks (token bytes -> rank), as tiktoken defines BPE.

        A token's id is its rank, and encoding merges the adjacent pair whose concatenation
        has the lowest rank, exactly as :meth:`encode` does for trained tokenizers (where a
        token's rank is its id). The 256 single bytes must be tokens, at any ranks.

        Parameters
        ----------
        ranks : mapping of bytes to int
            Every token's bytes and rank; the ranks must be ``0..n-1``, each once.
        pattern : str
            The pre-tokenization pattern.
        special_tokens : mapping of str to int, optional
            Special tokens and their ids (not ranks of ``ranks``).
        name : str, optional
            A name for ``repr``.

        Raises
        ------
        TypeError
            If ``ranks`` is not a mapping of bytes to int.
        ValueError
            If the ranks are not ``0..n-1``, a single byte is missing, or a special token's
            id is a rank or repeats another's.

        Examples
        --------
        >>> ranks = {bytes([b]): (b + 3) % 256 for b in range(256)}  # bytes not in order
        >>> ranks[b"hi"] = 256
        >>> tok = BPETokenizer.from_ranks(ranks, GPT2_PATTERN, special_tokens={"<|end|>": 257})
        >>> tok.encode("hi!"), tok.encode("hi<|end|>", allowed_special="all")
        ([256, 36], [256, 257])
        >>> tok.decode([256, 36, 257])
        'hi!<|end|>'
        """
        if not isinstance(ranks, Mapping):
            raise TypeError(f"ranks must be a mapping of bytes to int, "
                            f"got {type(ranks).__name__}")
        tok = cls(pattern=pattern)
        vocab: dict[int, bytes] = {}
        for token, rank in ranks.items():
            if not isinstance(token, bytes) or not _is_int(rank):
                raise TypeError(f"ranks must map bytes to int, got {token!r}: {rank!r}")
            rank = operator.index(rank)
            if rank in vocab:
                raise ValueError(f"ranks gives rank {rank} to both {vocab[rank]!r} and "
                                 f"{token!r}")
            vocab[rank] = token
        if sorted(vocab) != list(range(len(vocab))):
            raise ValueError("ranks must be 0..n-1, each used once")
        missing = [b for b in range(256) if bytes([b]) not in ranks]
        if missing:
            raise ValueError(f"ranks must include all 256 single bytes; missing "
                             f"{len(missing)}, the first {bytes([missing[0]])!r}")
        specials = dict(special_tokens or {})
        for text, i in specials.items():
            if not isinstance(text, str) or not _is_int(i):
                raise TypeError(f"special_tokens must map str to int, got {text!r}: {i!r}")
            if operator.index(i) in vocab:
                raise ValueError(f"special_tokens[{text!r}] = {i} is already the rank of "
                                 f"{vocab[operator.index(i)]!r}")
        if len(set(specials.values())) != len(specials):
            raise ValueError("special_tokens must give each token its own id")
        tok.vocab = vocab
        tok._ranks = {token: rank for rank, token in vocab.items()}
        tok.special_tokens = {text: operator.index(i) for text, i in specials.items()}
        tok._special_bytes = {i: text.encode("utf-8") for text, i in tok.special_tokens.items()}
        tok._from_ranks = True
        tok.name = name
        return tok

    @classmethod
    def from_tiktoken(cls, name_or_path: str | os.PathLike[str], *,
                      pattern: str | None = None,
                      special_tokens: Mapping[str, int] | None = None) -> BPETokenizer:
        """OpenAI's ``cl100k_base`` (GPT-4) or ``o200k_base`` (GPT-4o) tokenizer, or a file.

        Parameters
        ----------
        name_or_path : str or os.PathLike
            ``"cl100k_base"`` or ``"o200k_base"`` (see :data:`TIKTOKEN_ENCODINGS`): the file
            comes from :func:`tokenlab.models.path` (``$TOKENLAB_MODELS``, else downloaded from
            OpenAI and checked against its sha256). Otherwise a path to a ``.tiktoken`` file
            (one ``<base64 bytes> <rank>`` a line).
        pattern : str, optional
            The pre-tokenization pattern; by default the named encoding's (a file named like
            a known encoding gets that encoding's pattern and special tokens).
        special_tokens : mapping of str to int, optional
            Special tokens and their ids; by default the named encoding's.

        Raises
        ------
        ValueError
            If the name is not known and no such file exists, a line of the file is
            malformed, or a path of an unknown encoding comes without ``pattern``.

        Examples
        --------
        >>> import os
        >>> if not os.environ.get("TOKENLAB_MODELS"):
        ...     os.environ["TOKENLAB_MODELS"] = "../shared/models"
        >>> gpt4o = BPETokenizer.from_tiktoken("o200k_base")
        >>> gpt4o.encode_pieces("Everything is a token. 모든 것은 토큰이다.")
        ['Everything', ' is', ' a', ' token', '.', ' 모든', ' 것은', ' 토', '큰', '이다', '.']
        >>> len(gpt4o), gpt4o.encode("<|endoftext|>", allowed_special="all")
        (200019, [199999])
        """
        if not isinstance(name_or_path, str | os.PathLike):
            raise TypeError(f"name_or_path must be a str or os.PathLike, "
                            f"got {type(name_or_path).__name__}")
        known = TIKTOKEN_ENCODINGS.get(name_or_path) if isinstance(name_or_path, str) else None
        if known is not None:
            from . import models

            file = models.path("tiktoken", known["file"])
            name = str(name_or_path)
        else:
            file = Path(name_or_path)
            if not file.is_file():
                raise ValueError(
                    f"name_or_path must be one of {sorted(TIKTOKEN_ENCODINGS)} or a .tiktoken "
                    f"file, got {os.fspath(name_or_path)!r} (no such file)")
            name = file.stem
            known = TIKTOKEN_ENCODINGS.get(name)
        if pattern is None:
            if known is None:
                raise ValueError(f"pattern must be given for {os.fspath(file)!r}: it is not "
                                 f"one of the known encodings {sorted(TIKTOKEN_ENCODINGS)}")
            pattern = known["pattern"]
        if special_tokens is None:
            special_tokens = known["special_tokens"] if known is not None else {}
        return cls.from_ranks(_read_tiktoken(file), pattern, special_tokens=special_tokens,
                              name=name)

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
            return self.vocab[token_id] if token_id in self.vocab \
                else self._special_bytes[token_id]
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
        n = len(data)
        if n > _HEAP_FROM:
            return self._encode_long(data)
        # tiktoken's byte_pair_merge: parts[i] is a byte span; pair_rank[i] is the rank of
        # parts[i] + parts[i + 1] (_NO_RANK if that is not a token). Merge the lowest rank,
        # leftmost on ties, until no adjacent concatenation is a token. min() and index()
        # run in C, which beats a heap at the length of a word.
        get = ranks.get
        parts = [data[i : i + 1] for i in range(n)]
        pair_rank = [get(data[i : i + 2], _NO_RANK) for i in range(n - 1)]
        while pair_rank:
            best = min(pair_rank)
            if best == _NO_RANK:
                break
            i = pair_rank.index(best)
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
            del pair_rank[i]
            if i < len(pair_rank):
                pair_rank[i] = get(parts[i] + parts[i + 1], _NO_RANK)
            if i > 0:
                pair_rank[i - 1] = get(parts[i - 1] + parts[i], _NO_RANK)
        return tuple(map(ranks.__getitem__, parts))

    def _encode_long(self, data: bytes) -> tuple[int, ...]:
        """The same merges for a long piece with a heap: O(n log n), not O(n^2).

        Parts are linked spans named by their start offset; the heap holds (rank, start) of
        adjacent pairs, so the lowest rank pops first and, on ties, the leftmost. An entry is
        stale when its start was merged away or the pair's rank changed (a pair's rank
        changes whenever its right part grows, because bytes and ranks are one to one).
        """
        get = self._ranks.get
        n = len(data)
        nxt = list(range(1, n + 1))
        prv = list(range(-1, n - 1))
        alive = [True] * n
        pair: list[int | None] = [get(data[i : i + 2]) for i in range(n - 1)] + [None]
        heap = [(r, i) for i, r in enumerate(pair) if r is not None]
        heapq.heapify(heap)
        while heap:
            r, s = heapq.heappop(heap)
            if not alive[s] or pair[s] != r:
                continue
            t = nxt[s]
            u = nxt[t]
            alive[t] = False
            nxt[s] = u
            if u < n:
                prv[u] = s
                r2 = get(data[s : nxt[u]])
                pair[s] = r2
                if r2 is not None:
                    heapq.heappush(heap, (r2, s))
            else:
                pair[s] = None
            p = prv[s]
            if p >= 0:
                r3 = get(data[p:u])
                pair[p] = r3
                if r3 is not None:
                    heapq.heappush(heap, (r3, p))
        out = []
        s = 0
        ranks = self._ranks
        while s < n:
            out.append(ranks[data[s : nxt[s]]])
            s = nxt[s]
        return tuple(out)

    def encode(self, text: str, *,
               allowed_special: str | Collection[str] = ()) -> list[int]:
        """Token ids of ``text``, exactly as tiktoken would give them.

        The algorithm is tiktoken's: cut the text into pieces with the pattern; a piece whose
        UTF-8 bytes are a token is that token; otherwise start from its single bytes and merge,
        again and again, the adjacent pair whose *concatenated bytes* have the lowest id (the
        leftmost such pair on ties), until no adjacent concatenation is a token.

        Each distinct piece is merged once and cached; long pieces merge with a heap.

        Parameters
        ----------
        text : str
            Any text without lone surrogates.
        allowed_special : "all" or collection of str
            Special tokens (see :attr:`special_tokens`) that become their ids where they
            occur in ``text``; any other special token's text is encoded as ordinary text.
            So ``encode(t)`` is tiktoken's ``encode_ordinary(t)``, and
            ``encode(t, allowed_special="all")`` is ``encode(t, allowed_special="all")``.

        Returns
        -------
        list of int
            The ids; ``[]`` for ``""``.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If ``text`` holds a lone surrogate (it has no UTF-8 bytes), or
            ``allowed_special`` names a token that is not special.

        Examples
        --------
        >>> tok = BPETokenizer([(104, 105)])
        >>> tok.encode("hi hi!")
        [256, 32, 256, 33]
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        _utf8(text, "text")
        if allowed_special:
            special = self._special_regex(allowed_special)
            if special is not None:
                out: list[int] = []
                last = 0
                for match in special.finditer(text):
                    self._encode_ordinary(text[last : match.start()], out)
                    out.append(self.special_tokens[match.group()])
                    last = match.end()
                self._encode_ordinary(text[last:], out)
                return out
        return self._encode_ordinary(text, [])

    def _special_regex(self, allowed: str | Collection[str]) -> regex.Pattern | None:
        if allowed == "all":
            names = list(self.special_tokens)
        elif isinstance(allowed, str) or not isinstance(allowed, Collection):
            raise TypeError(f"allowed_special must be 'all' or a collection of str, "
                            f"got {allowed!r}")
        else:
            names = list(allowed)
            unknown = [t for t in names if t not in self.special_tokens]
            if unknown:
                raise ValueError(f"allowed_special names tokens that are not special tokens "
                                 f"of this tokenizer: {unknown}")
        if not names:
            return None
        names.sort(key=lambda t: (-len(t), t))
        return regex.compile("|".join(map(regex.escape, names)))

    def _encode_ordinary(self, text: str, out: list[int]) -> list[int]:
        cache = self._cache
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
        vocab, specials = self.vocab, self._special_bytes
        chunks: list[bytes] = []
        for k, token_id in enumerate(ids):
            if not _is_int(token_id):
                raise TypeError(f"ids[{k}] must be an int, got {type(token_id).__name__}")
            token = vocab.get(operator.index(token_id))
            if token is None:
                token = specials.get(operator.index(token_id))
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

        A tokenizer loaded from ranks (:meth:`from_tiktoken`) has no merge list to save: keep
        its ``.tiktoken`` file instead (ValueError).
        """
        if self._from_ranks:
            raise ValueError(f"{self!r} was loaded from merge ranks, which to_dict/save do not "
                             "write (its ids are not 256 + merge index); keep the .tiktoken file")
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

"""BERT's WordPiece tokenizer, written here: normalization, pre-tokenization, greedy longest match.

A :class:`WordPieceTokenizer` turns text into the ids a BERT-style model was trained on, in
three steps:

1. **Normalization** (BERT's ``BasicTokenizer``): control and format characters, U+0000 and
   U+FFFD are removed; CJK ideographs become words of their own; with ``lowercase=True`` the
   text is decomposed (Unicode NFD), its non-spacing marks (category ``Mn``, the accents) are
   dropped and it is lower-cased character by character.
2. **Pre-tokenization**: the text is split at whitespace (Unicode ``White_Space``) and every
   punctuation character becomes a word of its own (BERT's definition: Unicode ``P*`` plus
   every ASCII symbol, ``$+<=>^`|~`` included).
3. **WordPiece**: each word is covered greedily by the longest vocabulary entry that starts
   where the last one ended, pieces after the first carrying the ``##`` prefix. A word that
   cannot be covered, or that is longer than ``max_input_chars_per_word`` characters,
   becomes the single token ``[UNK]``.

The special tokens (``[CLS]``, ``[SEP]``, ``[PAD]``, ``[MASK]``, ``[UNK]``) written in the
input text are kept whole, as Hugging Face ``tokenizers`` keeps its special added tokens.
``tests/test_wordpiece.py`` checks, id for id, that the result equals Hugging Face
``tokenizers`` loading the same ``tokenizer.json`` on whole corpora and generated text.

Examples
--------
>>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
...                           "un", "##aff", "##able", "cafe", "!"])
>>> tok.tokenize("Unaffable CAFÉ!!")
['un', '##aff', '##able', 'cafe', '!', '!']
>>> tok.encode("unaffable")
[2, 5, 6, 7, 3]
>>> tok.decode(tok.encode("unaffable café!"))
'unaffable cafe!'
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import regex
import torch

__all__ = ["WordPieceTokenizer"]

# Removed by cleaning: U+0000, U+FFFD and every "other" character (Cc, Cf, Cn, Co, Cs) except
# the three whitespace controls \t, \n and \r.
_CLEAN = regex.compile(r"[\x00\ufffd\p{Cc}\p{Cf}\p{Co}\p{Cs}--[\t\n\r]]+", regex.V1)
_MARKS = regex.compile(r"\p{Mn}+")
# BERT's "Chinese characters": the CJK Unified Ideographs blocks and their extensions A-E, and
# the compatibility ideographs (not Hangul, Hiragana or Katakana).
_CJK = (r"\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\U0002a700-\U0002b73f"
        r"\U0002b740-\U0002b81f\U0002b920-\U0002ceaf\uf900-\ufaff\U0002f800-\U0002fa1f")
# BERT's punctuation: Unicode P* and the ASCII symbols that Unicode calls S*.
_PUNCT = r"\p{P}$+<=>^`|~"
_WORDS = regex.compile(
    rf"[{_CJK}{_PUNCT}]|[^{_CJK}{_PUNCT}\p{{White_Space}}]+"
)
_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_CACHE_LIMIT = 1 << 20


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


class WordPieceTokenizer:
    """BERT's WordPiece tokenizer over a fixed vocabulary.

    Parameters
    ----------
    vocab : sequence of str or mapping of str to int
        The tokens in id order (a ``vocab.txt``'s lines), or token -> id with the ids
        ``0..n-1`` each used once. Continuation pieces carry ``continuing_prefix``.
    lowercase : bool
        Lower-case the text (an *uncased* model). Accents are stripped when ``strip_accents``
        is None and ``lowercase`` is True, as in BERT.
    strip_accents : bool or None
        Decompose (NFD) and drop non-spacing marks; ``None`` follows ``lowercase``.
    tokenize_chinese_chars : bool
        Make every CJK ideograph a word of its own.
    clean_text : bool
        Remove control and format characters, U+0000 and U+FFFD.
    unk_token, cls_token, sep_token, pad_token, mask_token : str
        The special tokens; each must be in ``vocab``.
    continuing_prefix : str
        The prefix of a piece that continues a word (``"##"``).
    max_input_chars_per_word : int
        A longer word becomes ``unk_token``.
    model_max_length : int
        The length ``__call__`` truncates to when ``max_length`` is None (the model's
        number of positions).

    Raises
    ------
    TypeError
        If ``vocab`` is not a sequence of str or a mapping of str to int.
    ValueError
        If ``vocab`` is empty, repeats a token, has ids that are not ``0..n-1``, lacks a
        special token, or a length is not a positive int.

    Examples
    --------
    >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b"])
    >>> len(tok), tok.cls_id, tok.sep_id, tok.tokenize("AB ba")
    (7, 2, 3, ['a', '##b', '[UNK]'])
    """

    def __init__(
        self,
        vocab: Sequence[str] | Mapping[str, int],
        *,
        lowercase: bool = True,
        strip_accents: bool | None = None,
        tokenize_chinese_chars: bool = True,
        clean_text: bool = True,
        unk_token: str = "[UNK]",
        cls_token: str = "[CLS]",
        sep_token: str = "[SEP]",
        pad_token: str = "[PAD]",
        mask_token: str = "[MASK]",
        continuing_prefix: str = "##",
        max_input_chars_per_word: int = 100,
        model_max_length: int = 512,
    ) -> None:
        self.vocab = self._check_vocab(vocab)
        self._tokens = [""] * len(self.vocab)
        for token, i in self.vocab.items():
            self._tokens[i] = token
        for name, value in (("lowercase", lowercase), ("tokenize_chinese_chars",
                            tokenize_chinese_chars), ("clean_text", clean_text)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
        if strip_accents is not None and not isinstance(strip_accents, bool):
            raise TypeError(f"strip_accents must be a bool or None, "
                            f"got {type(strip_accents).__name__}")
        for name, value in (("max_input_chars_per_word", max_input_chars_per_word),
                            ("model_max_length", model_max_length)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(continuing_prefix, str):
            raise TypeError(f"continuing_prefix must be a str, "
                            f"got {type(continuing_prefix).__name__}")
        self.lowercase = lowercase
        self.strip_accents = lowercase if strip_accents is None else strip_accents
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.clean_text = clean_text
        self.continuing_prefix = continuing_prefix
        self.max_input_chars_per_word = max_input_chars_per_word
        self.model_max_length = model_max_length
        ids = {}
        for name, token in (("unk_token", unk_token), ("cls_token", cls_token),
                            ("sep_token", sep_token), ("pad_token", pad_token),
                            ("mask_token", mask_token)):
            if not isinstance(token, str):
                raise TypeError(f"{name} must be a str, got {type(token).__name__}")
            if token not in self.vocab:
                raise ValueError(f"{name} {token!r} must be in vocab")
            ids[name] = self.vocab[token]
        self.unk_token, self.cls_token, self.sep_token = unk_token, cls_token, sep_token
        self.pad_token, self.mask_token = pad_token, mask_token
        self.unk_id, self.cls_id, self.sep_id = ids["unk_token"], ids["cls_token"], ids["sep_token"]
        self.pad_id, self.mask_id = ids["pad_token"], ids["mask_token"]
        specials = sorted({unk_token, cls_token, sep_token, pad_token, mask_token},
                          key=lambda t: (-len(t), t))
        self.special_ids = frozenset(self.vocab[t] for t in specials)
        self._special_split = regex.compile("(" + "|".join(map(regex.escape, specials)) + ")")
        firsts = {t[0] for t in specials}
        self._first_char = firsts.pop() if len(firsts) == 1 else ""  # a quick test, usually "["
        # The longest vocabulary entry, in characters, by its first character: at a word's
        # start, and inside a word (after the prefix). Matching starts at that length.
        self._longest_first: dict[str, int] = {}
        self._longest_next: dict[str, int] = {}
        prefix = len(continuing_prefix)
        for t in self.vocab:
            if prefix and t.startswith(continuing_prefix):
                if len(t) > prefix:
                    c = t[prefix]
                    self._longest_next[c] = max(self._longest_next.get(c, 0), len(t) - prefix)
            c = t[0]
            self._longest_first[c] = max(self._longest_first.get(c, 0), len(t))
        if not prefix:
            self._longest_next = self._longest_first
        self._cache: dict[str, tuple[int, ...]] = {}

    @staticmethod
    def _check_vocab(vocab: object) -> dict[str, int]:
        if isinstance(vocab, Mapping):
            items = list(vocab.items())
            for token, i in items:
                if not isinstance(token, str) or isinstance(i, bool) or not isinstance(i, int):
                    raise TypeError(f"vocab must map str to int, got {token!r}: {i!r}")
            out = dict(items)
            if sorted(out.values()) != list(range(len(out))):
                raise ValueError("vocab's ids must be 0..n-1, each used once")
        elif isinstance(vocab, Sequence) and not isinstance(vocab, str | bytes):
            out = {}
            for i, token in enumerate(vocab):
                if not isinstance(token, str):
                    raise TypeError(f"vocab[{i}] must be a str, got {type(token).__name__}")
                if token in out:
                    raise ValueError(f"vocab repeats the token {token!r} (ids {out[token]} "
                                     f"and {i})")
                out[token] = i
        else:
            raise TypeError(f"vocab must be a sequence of str or a mapping of str to int, "
                            f"got {type(vocab).__name__}")
        if not out:
            raise ValueError("vocab must not be empty")
        if "" in out:
            raise ValueError("vocab must not contain the empty token")
        return out

    # ---- loading ---------------------------------------------------------------------------

    @classmethod
    def from_vocab(cls, path: str | os.PathLike[str], lowercase: bool = True,
                   **kwargs: Any) -> WordPieceTokenizer:
        """Read a BERT ``vocab.txt`` (one token a line, in id order).

        Parameters
        ----------
        path : str or os.PathLike
            The file (UTF-8).
        lowercase : bool
            True for an uncased model.
        **kwargs
            Any other argument of :class:`WordPieceTokenizer`.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "vocab.txt"
        >>> _ = f.write_text("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi\\n", encoding="utf-8")
        >>> WordPieceTokenizer.from_vocab(f).encode("Hi")
        [2, 5, 3]
        """
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        file = Path(path)
        if not file.is_file():
            raise ValueError(f"path must be a vocab.txt file, got {file} (no such file)")
        lines = file.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls([line.rstrip("\r") for line in lines], lowercase=lowercase, **kwargs)

    @classmethod
    def from_pretrained(cls, name: str = "all-MiniLM-L6-v2") -> WordPieceTokenizer:
        """The tokenizer of a model in :data:`tokenlab.models.MODELS`.

        Reads the model's ``vocab.txt`` and ``tokenizer_config.json`` (``do_lower_case``,
        ``strip_accents``, ``tokenize_chinese_chars``, the special tokens and
        ``model_max_length``) through :func:`tokenlab.models.path`, which downloads and
        checks them when they are not in ``TOKENLAB_MODELS``.

        Examples
        --------
        >>> import os
        >>> if not os.environ.get("TOKENLAB_MODELS"):
        ...     os.environ["TOKENLAB_MODELS"] = "../shared/models"
        >>> tok = WordPieceTokenizer.from_pretrained("all-MiniLM-L6-v2")
        >>> tok.tokenize("Tokenization, naïvely!")
        ['token', '##ization', ',', 'naive', '##ly', '!']
        """
        from . import models

        info = models._info(name)
        names = {f.name for f in info.files}
        if "vocab.txt" not in names:
            raise ValueError(f"name must be a model with a WordPiece vocab.txt, got {name!r}")
        config: dict[str, Any] = {}
        if "tokenizer_config.json" in names:
            config = json.loads(models.path(name, "tokenizer_config.json")
                                .read_text(encoding="utf-8"))
        kwargs: dict[str, Any] = {}
        for key in ("unk_token", "cls_token", "sep_token", "pad_token", "mask_token"):
            if isinstance(config.get(key), str):
                kwargs[key] = config[key]
        if isinstance(config.get("strip_accents"), bool):
            kwargs["strip_accents"] = config["strip_accents"]
        if isinstance(config.get("tokenize_chinese_chars"), bool):
            kwargs["tokenize_chinese_chars"] = config["tokenize_chinese_chars"]
        if isinstance(config.get("model_max_length"), int):
            kwargs["model_max_length"] = config["model_max_length"]
        return cls.from_vocab(models.path(name, "vocab.txt"),
                              lowercase=bool(config.get("do_lower_case", True)), **kwargs)

    # ---- the three steps ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return (f"WordPieceTokenizer(vocab_size={len(self)}, lowercase={self.lowercase}, "
                f"strip_accents={self.strip_accents})")

    def normalize(self, text: str) -> str:
        """Step 1: clean, space out CJK ideographs, strip accents and lower-case.

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        >>> tok.normalize("Crème\\u200b Brûlée 中文")
        'creme brulee  中  文 '
        """
        text = _check_text(text)
        if self.clean_text:
            text = _CLEAN.sub("", text)
        if self.tokenize_chinese_chars:
            text = _CJK_RUN.sub(_space_out, text)
        if self.strip_accents and not text.isascii():
            text = _MARKS.sub("", unicodedata.normalize("NFD", text))
        if self.lowercase:
            # Character by character: str.lower() alone turns a final capital sigma into
            # 'ς' from context, which BERT's lower-casing does not.
            text = text.lower() if "\u03a3" not in text else "".join(c.lower() for c in text)
        return text

    def pre_tokenize(self, text: str) -> list[str]:
        """Step 2: the words of normalized text (whitespace removed, punctuation isolated).

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        >>> tok.pre_tokenize("it's $5+tax\\u3000ok")
        ['it', "'", 's', '$', '5', '+', 'tax', 'ok']
        """
        return _WORDS.findall(_check_text(text))

    def word_ids(self, word: str) -> tuple[int, ...]:
        """Step 3: greedy longest-match-first WordPiece ids of one word (cached).

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "ab", "a",
        ...                           "##b", "##bc"])
        >>> tok.word_ids("abb")  # "ab" then "##b"
        (5, 7)
        >>> tok.word_ids("abc")  # greedy: "ab" leaves "c" uncovered; it never tries "a" "##bc"
        (1,)
        """
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids = self._wordpiece(word)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = ids
        return ids

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        n = len(word)
        if n > self.max_input_chars_per_word:
            return (self.unk_id,)
        vocab, prefix = self.vocab, self.continuing_prefix
        full = vocab.get(word)
        if full is not None:
            return (full,)
        out: list[int] = []
        start = 0
        while start < n:
            if start == 0:
                end = min(n, self._longest_first.get(word[0], 0))
                key = word[:end]
            else:
                end = min(n, start + self._longest_next.get(word[start], 0))
                key = prefix + word[start:end]
            while end > start:
                found = vocab.get(key)
                if found is not None:
                    out.append(found)
                    break
                end -= 1
                key = key[:-1]
            else:
                return (self.unk_id,)
            start = end
        return tuple(out)

    def _segments(self, text: str) -> Iterable[tuple[bool, str]]:
        """(is special token, text) pieces: special tokens written in the text are kept."""
        first = self._first_char
        if (first not in text) if first else self._special_split.search(text) is None:
            return ((False, text),)
        parts = self._special_split.split(text)
        return ((i % 2 == 1, part) for i, part in enumerate(parts) if part)

    def _words(self, text: str) -> list[str]:
        if not self.clean_text:  # str.split would also split at U+001C..U+001F
            return _WORDS.findall(text)
        # After cleaning, str.split() splits exactly at Unicode White_Space; a chunk of letters
        # and digits only (the common case) holds no punctuation and no CJK (spaced out).
        words: list[str] = []
        for chunk in text.split():
            if chunk.isalnum():
                words.append(chunk)
            else:
                words.extend(_WORDS.findall(chunk))
        return words

    def _ids(self, text: str) -> list[int]:
        out: list[int] = []
        cache, word_ids = self._cache, self.word_ids
        for special, part in self._segments(text):
            if special:
                out.append(self.vocab[part])
                continue
            for word in self._words(self.normalize(part)):
                ids = cache.get(word)
                out.extend(ids if ids is not None else word_ids(word))
        return out

    # ---- public API ------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        """The WordPiece tokens of ``text`` (no ``[CLS]``/``[SEP]``).

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hi", "!"])
        >>> tok.tokenize("Hi [MASK]!")
        ['hi', '[MASK]', '!']
        """
        tokens = self._tokens
        return [tokens[i] for i in self._ids(_check_text(text))]

    def encode(self, text: str, pair: str | None = None, *,
               add_special_tokens: bool = True) -> list[int]:
        """The ids of ``text``: ``[CLS] text [SEP]`` (and ``pair [SEP]`` after it, if given).

        Parameters
        ----------
        text : str
            The text.
        pair : str, optional
            A second text (sentence pairs: token type 1 in :meth:`__call__`).
        add_special_tokens : bool
            Add ``[CLS]`` and ``[SEP]``.

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hi", "yo"])
        >>> tok.encode("hi"), tok.encode("hi", "yo"), tok.encode("hi", add_special_tokens=False)
        ([2, 5, 3], [2, 5, 3, 6, 3], [5])
        """
        first = self._ids(_check_text(text))
        second = None if pair is None else self._ids(_check_text(pair, "pair"))
        return self._with_specials(first, second, add_special_tokens)[0]

    def _with_specials(self, first: list[int], second: list[int] | None,
                       add: bool) -> tuple[list[int], list[int]]:
        if add:
            ids = [self.cls_id, *first, self.sep_id]
            if second is not None:
                ids += [*second, self.sep_id]
                return ids, [0] * (len(first) + 2) + [1] * (len(second) + 1)
        else:
            ids = list(first) if second is None else [*first, *second]
            if second is not None:
                return ids, [0] * len(first) + [1] * len(second)
        return ids, [0] * len(ids)

    def id_to_token(self, i: int) -> str:
        """The token with id ``i``.

        Examples
        --------
        >>> WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]).id_to_token(2)
        '[CLS]'
        """
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self._tokens):
            raise ValueError(f"i must be an id in 0..{len(self._tokens) - 1}, got {i!r}")
        return self._tokens[i]

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token``, or None when it is not in the vocabulary.

        Examples
        --------
        >>> WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]).token_to_id("[SEP]")
        3
        """
        return self.vocab.get(_check_text(token, "token"))

    def decode(self, ids: Iterable[int] | torch.Tensor, *,
               skip_special_tokens: bool = True) -> str:
        """Text from ids, as Hugging Face's WordPiece decoder writes it.

        Tokens are joined with spaces, a ``##`` piece is glued to the one before it, and
        ``" ."``, ``" ?"``, ``" !"`` and ``" ,"`` lose their space. Normalization cannot be
        undone (case, accents and spacing are lost), and ``[UNK]`` stays ``[UNK]``.

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hi",
        ...                           "##ya", ",", "you", "!"])
        >>> tok.decode([2, 5, 6, 7, 8, 9, 3])
        'hiya, you!'
        """
        if isinstance(ids, torch.Tensor):
            if ids.dim() != 1:
                raise ValueError(f"ids must be 1-D, got shape {tuple(ids.shape)}")
            ids = ids.tolist()
        if isinstance(ids, str | bytes):
            raise TypeError("ids must be a sequence of ints, got a str")
        tokens = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self._tokens):
                raise ValueError(f"ids must be ints in 0..{len(self._tokens) - 1}, got {i!r}")
            if skip_special_tokens and i in self.special_ids:
                continue
            tokens.append(self._tokens[i])
        prefix = self.continuing_prefix
        out = []
        for k, token in enumerate(tokens):
            if k:
                token = token[len(prefix):] if prefix and token.startswith(prefix) \
                    else " " + token
            for dirty, clean in _CLEANUP:
                token = token.replace(dirty, clean)
            out.append(token)
        return "".join(out)

    def __call__(
        self,
        texts: str | Sequence[str],
        text_pairs: str | Sequence[str] | None = None,
        *,
        padding: bool | str = True,
        truncation: bool = True,
        max_length: int | None = None,
        device: torch.device | str | None = None,
    ) -> dict[str, torch.Tensor]:
        """Encode a batch into padded ``input_ids``, ``attention_mask`` and ``token_type_ids``.

        Parameters
        ----------
        texts : str or sequence of str
            The texts (one str is a batch of one).
        text_pairs : str or sequence of str, optional
            Second texts, one per text (token type 1).
        padding : bool or {"longest", "max_length"}
            ``True``/``"longest"``: pad to the longest sequence of the batch;
            ``"max_length"``: pad to ``max_length``; ``False``: no padding (every sequence
            must then have the same length). Padding is ``[PAD]`` on the right.
        truncation : bool
            Cut sequences longer than ``max_length`` (special tokens included). A pair is
            cut "longest first", as Hugging Face does: the longer text loses tokens, and
            when both are too long each keeps half.
        max_length : int, optional
            The limit for truncation (and ``"max_length"`` padding); defaults to
            ``model_max_length``.
        device : torch.device or str, optional
            Where the tensors go (CPU by default).

        Returns
        -------
        dict of str to torch.Tensor
            ``input_ids``, ``attention_mask`` (1 at real tokens) and ``token_type_ids``,
            each int64 of shape ``(batch, length)``.

        Raises
        ------
        TypeError
            If a text is not a str.
        ValueError
            If ``texts`` is empty, ``text_pairs`` has another length, ``padding`` is not one of
            its values, ``max_length`` is not a positive int (or too small to hold the special
            tokens when truncating), or ``padding=False`` meets sequences of different lengths.

        Examples
        --------
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hi", "yo"])
        >>> batch = tok(["hi", "hi yo yo"])
        >>> batch["input_ids"]
        tensor([[2, 5, 3, 0, 0],
                [2, 5, 6, 6, 3]])
        >>> batch["attention_mask"].sum(dim=1).tolist()
        [3, 5]
        >>> tok(["hi yo yo"], max_length=4)["input_ids"].tolist()
        [[2, 5, 6, 3]]
        """
        batch = self._check_batch(texts, "texts")
        pairs = None if text_pairs is None else self._check_batch(text_pairs, "text_pairs")
        if pairs is not None and len(pairs) != len(batch):
            raise ValueError(f"text_pairs must have one text per text ({len(batch)}), "
                             f"got {len(pairs)}")
        if padding not in (True, False, "longest", "max_length") or padding is None:
            raise ValueError(f"padding must be True, False, 'longest' or 'max_length', "
                             f"got {padding!r}")
        if not isinstance(truncation, bool):
            raise TypeError(f"truncation must be a bool, got {type(truncation).__name__}")
        if max_length is None:
            limit = self.model_max_length
        elif isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ValueError(f"max_length must be a positive int or None, got {max_length!r}")
        else:
            limit = max_length
        added = 2 if pairs is None else 3
        if truncation and limit < added:
            raise ValueError(f"max_length must be at least {added} to hold the special tokens, "
                             f"got {limit}")
        rows: list[tuple[list[int], list[int]]] = []
        for k, text in enumerate(batch):
            first = self._ids(text)
            second = None if pairs is None else self._ids(pairs[k])
            if truncation:
                first, second = _truncate(first, second, limit - added)
            rows.append(self._with_specials(first, second, True))
        if padding == "max_length":
            length = max(limit, *(len(ids) for ids, _ in rows))
        else:
            length = max(len(ids) for ids, _ in rows)
            if padding is False and any(len(ids) != length for ids, _ in rows):
                raise ValueError("padding=False needs sequences of one length; these have "
                                 f"{sorted({len(ids) for ids, _ in rows})} tokens "
                                 "(pass padding=True)")
        input_ids = torch.full((len(rows), length), self.pad_id, dtype=torch.int64)
        mask = torch.zeros((len(rows), length), dtype=torch.int64)
        types = torch.zeros((len(rows), length), dtype=torch.int64)
        for r, (ids, type_ids) in enumerate(rows):
            input_ids[r, : len(ids)] = torch.tensor(ids, dtype=torch.int64)
            mask[r, : len(ids)] = 1
            types[r, : len(ids)] = torch.tensor(type_ids, dtype=torch.int64)
        return {"input_ids": input_ids.to(device), "attention_mask": mask.to(device),
                "token_type_ids": types.to(device)}

    @staticmethod
    def _check_batch(texts: object, name: str) -> list[str]:
        if isinstance(texts, str):
            return [texts]
        if not isinstance(texts, Sequence):
            raise TypeError(f"{name} must be a str or a sequence of str, "
                            f"got {type(texts).__name__}")
        out = list(texts)
        if not out:
            raise ValueError(f"{name} must not be empty")
        for i, text in enumerate(out):
            if not isinstance(text, str):
                raise TypeError(f"{name}[{i}] must be a str, got {type(text).__name__}")
        return out


def _truncate(first: list[int], second: list[int] | None,
              room: int) -> tuple[list[int], list[int] | None]:
    """Hugging Face's "longest first" truncation of one or two id lists to ``room`` ids."""
    if second is None:
        return first[:room], None
    n1, n2 = len(first), len(second)
    if n1 + n2 <= room:
        return first, second
    swap = n1 > n2
    if swap:
        n1, n2 = n2, n1
    n2 = n1 if n1 > room else max(n1, room - n1)
    if n1 + n2 > room:
        n1 = room // 2
        n2 = n1 + room % 2
    if swap:
        n1, n2 = n2, n1
    return first[:n1], second[:n2]


_CJK_RUN = regex.compile(rf"[{_CJK}]")
_CLEANUP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
            (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"),
            (" 're", "'re"))


def _space_out(match: regex.Match[str]) -> str:
    return f" {match.group()} "

"""Four tokenizers side by side: the book's BPE, BERT's WordPiece, GPT-4's and GPT-4o's BPE.

The reader types a sentence and sees it cut by each tokenizer, with the number of tokens and
tokens per character. The JavaScript computes all four in the browser (``widgets/js/realtok.js``
beside the book's BPE port in ``widgets/js/tokenize.js``), so the widget works on the static
site with no kernel; in a live kernel every change also reaches Python, which answers with
:func:`compare_tokenizers` (tokenlab's own tokenizers) and the widget shows the kernel's tokens.

Where the browser gets each tokenizer's data:

- the book's BPE: its merges, in the widget state (a few kilobytes);
- BERT's WordPiece: all-MiniLM-L6-v2's ``vocab.txt`` (30,522 entries, about 0.3 MB of JSON), in
  the widget state;
- ``cl100k_base`` (100,256 ranks, 1.7 MB) and ``o200k_base`` (199,998 ranks, 3.6 MB): too big
  for the page's state, so the browser fetches the rank files from the site itself,
  ``_static/vendor/tiktoken/<name>.tiktoken``. ``tools/fetch_static.py`` puts them there at
  build time, through :func:`tokenlab.models.path` (the model registry: ``$TOKENLAB_MODELS``
  offline, else a download from OpenAI's URL into the cache), and checks their sha256 against
  ``tools/static-assets.json`` (the values in ``shared/models/tiktoken/SOURCE.md`` and
  tiktoken's ``openai_public.py``). Nothing of them is committed.

Why the rank files and not the npm package ``js-tiktoken`` (on the npm registry; 1.0.21 ships
its own encoder and ``dist/ranks/*.js``, the same ranks re-encoded in a compressed format):
the site then serves exactly the bytes that Python's ``tiktoken`` and
:meth:`tokenlab.bpe.BPETokenizer.from_tiktoken` read, checked against the same published
sha256, through the same registry as every other pretrained file; there is no second copy of
the data in another format to trust, and no third-party encoder in the page: the widget's
encoder is ours (the encoding's regex split and rank-based merging, tested id for id against
``tiktoken`` in ``tests/test_widgets_compare.py``). The price is that the build needs the rank
files (offline: ``TOKENLAB_MODELS``), which it needs anyway for the chapter that uses them.

In a notebook outside the built site (Jupyter, Colab) the rank files are not on the page's
server, so the two OpenAI panels show the kernel's answer, which arrives with every change.

Examples
--------
>>> from tokenlab.bpe import BPETokenizer
>>> bpe = BPETokenizer.train("the cat sat on the mat", vocab_size=260)
>>> w = TokenizerCompareWidget(bpe=bpe, text="the cat sat")
>>> [(k, v["count"]) for k, v in w.result["tokenizers"].items()]
[('bpe', 6), ('wordpiece', 3), ('cl100k_base', 3), ('o200k_base', 3)]
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from tokenlab.bpe import BPETokenizer
from tokenlab.widgets._recompute import Recomputed

__all__ = ["ENCODINGS", "TokenizerCompareWidget", "compare_tokenizers", "wordpiece_state"]

HERE = Path(__file__).resolve().parent
DEFAULT_TEXT = "Tokenizers disagree: 토크나이저마다 다르게 자른다."

#: The OpenAI encodings the widget shows, with the model each belongs to.
ENCODINGS: dict[str, str] = {"cl100k_base": "GPT-4", "o200k_base": "GPT-4o"}
LABELS: dict[str, str] = {
    "bpe": "The book's BPE",
    "wordpiece": "BERT WordPiece",
    **{name: f"{model} {name}" for name, model in ENCODINGS.items()},
}


@functools.lru_cache(maxsize=4)
def _wordpiece(name: str):
    from tokenlab.wordpiece import WordPieceTokenizer

    return WordPieceTokenizer.from_pretrained(name)


@functools.lru_cache(maxsize=4)
def _tiktoken(name: str) -> BPETokenizer:
    return BPETokenizer.from_tiktoken(name)


@functools.lru_cache(maxsize=4)
def _rank_count(name: str) -> int:
    """The number of ranks in an encoding's rank file (the browser checks what it fetched)."""
    from tokenlab import models

    with models.path("tiktoken", f"{name}.tiktoken").open("rb") as f:
        return sum(1 for line in f if line.strip())


def wordpiece_state(name: str = "all-MiniLM-L6-v2") -> dict[str, Any]:
    """What the browser needs to run a pretrained model's WordPiece tokenizer.

    Parameters
    ----------
    name : str
        A model in :data:`tokenlab.models.MODELS` that has a ``vocab.txt``.

    Returns
    -------
    dict
        The settings of :meth:`tokenlab.wordpiece.WordPieceTokenizer.from_pretrained`'s
        tokenizer: ``vocab`` (the tokens in id order), ``unk``, ``prefix`` (``"##"``),
        ``maxChars`` (longer words become ``unk``), ``lowercase``, ``stripAccents`` and
        ``specials`` (special tokens matched whole in the raw text).

    Examples
    --------
    >>> state = wordpiece_state()
    >>> len(state["vocab"]), state["vocab"][100], state["lowercase"]
    (30522, '[UNK]', True)
    """
    from tokenlab import models

    if not isinstance(name, str):
        raise TypeError(f"wordpiece must be a model name (str), got {type(name).__name__}")
    info = models.MODELS.get(name)
    if info is None or "vocab.txt" not in [f.name for f in info.files]:
        known = sorted(k for k, v in models.MODELS.items()
                       if "vocab.txt" in [f.name for f in v.files])
        raise ValueError(f"wordpiece must be a model with a vocab.txt ({', '.join(known)}), "
                         f"got {name!r}")
    wp = _wordpiece(name)
    specials = [wp.id_to_token(i) for i in sorted(wp.special_ids)]
    return {
        "format": "tokenlab-wordpiece", "name": name,
        "vocab": [wp.id_to_token(i) for i in range(len(wp))],
        "unk": wp.unk_token, "prefix": wp.continuing_prefix,
        "maxChars": wp.max_input_chars_per_word, "lowercase": bool(wp.lowercase),
        "stripAccents": bool(wp.strip_accents), "specials": specials,
    }


def _entry(tokens: list[str], ids: list[int], n_chars: int) -> dict[str, Any]:
    return {"tokens": tokens, "ids": ids, "count": len(ids),
            "per_char": len(ids) / n_chars if n_chars else 0.0}


def compare_tokenizers(
    text: str, bpe: BPETokenizer, wordpiece: str = "all-MiniLM-L6-v2",
    encodings: tuple[str, ...] = tuple(ENCODINGS),
) -> dict[str, dict[str, Any]]:
    """Tokenize ``text`` with the book's BPE, a WordPiece model and OpenAI encodings.

    Parameters
    ----------
    text : str
        The sentence, as typed (no standardization: each tokenizer does its own).
    bpe : BPETokenizer
        The book's byte-level BPE.
    wordpiece : str
        A model with a WordPiece ``vocab.txt`` (:mod:`tokenlab.models`).
    encodings : tuple of str
        tiktoken encoding names, loaded with :meth:`BPETokenizer.from_tiktoken`.

    Returns
    -------
    dict
        For each tokenizer (``"bpe"``, ``"wordpiece"``, then the encodings): ``tokens`` (each
        token's text; WordPiece's continuations start with ``##``; a byte-level token that is
        part of a character decodes to U+FFFD), ``ids``, ``count`` and ``per_char`` (tokens per
        character, characters being code points; 0 for empty text). WordPiece's count has no
        ``[CLS]``/``[SEP]``.

    Examples
    --------
    >>> bpe = BPETokenizer.train("hello world", vocab_size=258)
    >>> out = compare_tokenizers("hello world", bpe)
    >>> out["wordpiece"]["tokens"], out["o200k_base"]["count"], out["bpe"]["per_char"]
    (['hello', 'world'], 2, 0.8181818181818182)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(bpe, BPETokenizer):
        raise TypeError(f"bpe must be a tokenlab.bpe.BPETokenizer, got {type(bpe).__name__}")
    n = len(text)
    ids = bpe.encode(text)
    out = {"bpe": _entry([bpe.decode([i]) for i in ids], ids, n)}
    wp = _wordpiece(wordpiece)
    ids = wp.encode(text, add_special_tokens=False)
    out["wordpiece"] = _entry(wp.tokenize(text), ids, n)
    for name in encodings:
        enc = _tiktoken(name)
        ids = enc.encode(text)
        out[name] = _entry([enc.decode([i]) for i in ids], ids, n)
    return out


class TokenizerCompareWidget(Recomputed, anywidget.AnyWidget):
    """Type a sentence; see it as the book's BPE, BERT WordPiece, cl100k and o200k tokens.

    Parameters
    ----------
    bpe : BPETokenizer
        The book's byte-level BPE (Chapter 1's, say).
    text : str
        The sentence shown first.
    wordpiece : str
        The pretrained model whose WordPiece vocabulary is used.

    Examples
    --------
    >>> bpe = BPETokenizer.train("the cat sat on the mat", vocab_size=260)
    >>> w = TokenizerCompareWidget(bpe=bpe, text="New York")
    >>> w.result["tokenizers"]["wordpiece"]["tokens"], len(w.wordpiece["vocab"])
    (['new', 'york'], 30522)
    """

    _algorithms = "\n".join(
        (HERE / "js" / f).read_text(encoding="utf-8") for f in ("tokenize.js", "realtok.js")
    )
    _esm = _algorithms + "\n" + (HERE / "compare.js").read_text(encoding="utf-8")
    _css = (HERE / "compare.css").read_text(encoding="utf-8")

    text = traitlets.Unicode(DEFAULT_TEXT).tag(sync=True)
    bpe = traitlets.Dict().tag(sync=True)
    wordpiece = traitlets.Dict().tag(sync=True)
    encodings = traitlets.List().tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(self, *, bpe: BPETokenizer, text: str = DEFAULT_TEXT,
                 wordpiece: str = "all-MiniLM-L6-v2", **kwargs: Any) -> None:
        if not isinstance(bpe, BPETokenizer):
            raise TypeError(f"bpe must be a tokenlab.bpe.BPETokenizer, got {type(bpe).__name__}")
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        wp_state = wordpiece_state(wordpiece)
        self._bpe = bpe
        self._wordpiece_name = wordpiece
        encodings = [
            {"name": name, "file": f"{name}.tiktoken", "pattern": _tiktoken(name).pattern,
             "size": _rank_count(name)}
            for name in ENCODINGS
        ]
        super().__init__(text=text, bpe=bpe.to_dict(), wordpiece=wp_state, encodings=encodings,
                         labels=dict(LABELS), **kwargs)

    @traitlets.observe("text")
    def _on_change(self, change: dict) -> None:
        self._set_result(self._result_for, self.text)

    def _result_for(self, text: str) -> dict[str, Any]:
        return {"text": text,
                "tokenizers": compare_tokenizers(text, self._bpe, self._wordpiece_name)}

"""The tokenizer explorer: one sentence, split at every level, in the browser or the kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from tokenlab import text as T
from tokenlab.bpe import BPETokenizer

HERE = Path(__file__).resolve().parent
LEVELS = ("word", "char", "bigram", "jamo", "bpe")


def tokenize_levels(
    text: str, bpe: BPETokenizer | None = None, *, standardize: bool = True
) -> dict[str, list]:
    """Split ``text`` at every level the explorer shows.

    Parameters
    ----------
    text : str
        The sentence.
    bpe : BPETokenizer, optional
        A trained byte-level BPE; without one the ``bpe`` level is left out.
    standardize : bool
        Run :func:`tokenlab.text.standardize` first (as the widget's checkbox does).

    Returns
    -------
    dict
        ``word``, ``char``, ``bigram`` and ``jamo`` token lists, and with a BPE also ``bpe``
        (each token's text) and ``bpe_ids``.

    Examples
    --------
    >>> levels = tokenize_levels("The cat sat.")
    >>> levels["word"], levels["bigram"]
    (['the', 'cat', 'sat'], ['the cat', 'cat sat'])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    t = T.standardize(text) if standardize else text
    words = T.word_tokens(t)
    levels: dict[str, list] = {
        "word": words,
        "char": T.char_tokens(t),
        "bigram": T.ngrams(words, 2),
        "jamo": T.jamo_tokens(t),
    }
    if bpe is not None:
        ids = bpe.encode(t)
        levels["bpe"] = [bpe.decode([i]) for i in ids]
        levels["bpe_ids"] = ids
    return levels


class TokenizerWidget(anywidget.AnyWidget):
    """Type a sentence, see it as words, characters, bigrams, jamo and BPE subwords.

    The JavaScript computes every level itself (a port of :mod:`tokenlab.text` and
    :mod:`tokenlab.bpe`, tested against them), so the widget works on the static site with no
    kernel. In a live kernel, every change also reaches Python, which answers through
    ``result`` computed by :func:`tokenize_levels`; the widget then shows the kernel's tokens.

    Examples
    --------
    >>> w = TokenizerWidget("New York")
    >>> w.result["levels"]["bigram"]
    ['new york']
    """

    _esm = (HERE / "js" / "tokenize.js").read_text(encoding="utf-8") + "\n" + (
        HERE / "tokenizer.js"
    ).read_text(encoding="utf-8")
    _css = (HERE / "tokenizer.css").read_text(encoding="utf-8")

    text = traitlets.Unicode("the cat sat on the mat").tag(sync=True)
    standardize = traitlets.Bool(True).tag(sync=True)
    bpe = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(
        self, text: str = "the cat sat on the mat", bpe: BPETokenizer | None = None, **kwargs: Any
    ) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        self._tokenizer = bpe
        state = bpe.to_dict() if bpe is not None else {}
        super().__init__(text=text, bpe=state, **kwargs)
        self._recompute()

    @traitlets.observe("text", "standardize")
    def _on_change(self, change: dict) -> None:
        self._recompute()

    def _recompute(self) -> None:
        levels = tokenize_levels(self.text, self._tokenizer, standardize=self.standardize)
        self.result = {"text": self.text, "standardize": self.standardize, "levels": levels}

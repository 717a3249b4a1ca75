"""The tokenizer explorer: one sentence, split at every level, in the browser or the kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from tokenlab import text as T
from tokenlab.bpe import BPETokenizer
from tokenlab.widgets._recompute import Recomputed

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


class TokenizerWidget(Recomputed, anywidget.AnyWidget):
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

    @traitlets.observe("text", "standardize")
    def _on_change(self, change: dict) -> None:
        self._set_result(self._result_for, self.text, self.standardize)

    def _result_for(self, text: str, standardize: bool) -> dict[str, Any]:
        levels = tokenize_levels(text, self._tokenizer, standardize=standardize)
        return {"text": text, "standardize": standardize, "levels": levels}

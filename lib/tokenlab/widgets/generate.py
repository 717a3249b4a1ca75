"""Text generation in the reader's browser: a small GPT's forward pass written in JavaScript.

:class:`GenerateWidget` exports a :class:`tokenlab.lm.GPT` into the widget's state (its
configuration, the names and shapes of its tensors, and their float32 values as one base64
string of little-endian bytes); ``generate.js`` runs the same forward pass in the page, so on the
static site, with no kernel, the reader types a prompt, moves the temperature, top-k and top-p
sliders, sees the next-token distribution as bars, and samples the text token by token::

    ids      = the prompt, matched against the vocabulary (longest entry first; characters
               that are in no entry are skipped and named), then the sampled ids;
               only the last ``context`` of them reach the model
    logits   = GPT(ids)[-1]                              (the next token's scores)
    probs    = tokenlab.lm.filter_logits(logits, temperature, top_k, top_p)
    next id  = the first id whose cumulative probability exceeds u, u = draw n of a seeded
               mulberry32 stream (n = the number of tokens sampled so far)

In a live kernel each change also reaches Python, which recomputes :attr:`GenerateWidget.result`
with the model itself (:func:`next_token`), and the widget then shows the kernel's numbers. The
DOM the JavaScript builds is documented at the top of ``generate.js``.
"""

from __future__ import annotations

import base64
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import torch
import traitlets

from tokenlab.widgets._checks import integer, number, sequence
from tokenlab.widgets._recompute import Recomputed

__all__ = [
    "GenerateWidget",
    "Mulberry32",
    "encode_prompt",
    "export_gpt",
    "gpt_from_export",
    "next_token",
    "sample_index",
]

HERE = Path(__file__).resolve().parent
MAX_SEED = 2**32 - 1
MAX_TEMPERATURE = 2.0  # the slider's range; Python accepts any finite T >= 0
BAR_COUNT = 10  # the bars show the 10 most likely tokens


# ---- input checks -------------------------------------------------------------------------


def _temperature(value: Any) -> float:
    value = number("temperature", value)
    if value < 0:
        raise ValueError(f"temperature must be >= 0 (0 = greedy), got {value}")
    return value


def _top_k(value: Any) -> int | None:
    if value is None:
        return None
    value = integer("top_k", value)
    if value < 1:
        raise ValueError(f"top_k must be >= 1 or None (no top-k), got {value}")
    return value


def _top_p(value: Any) -> float | None:
    if value is None:
        return None
    value = number("top_p", value)
    if not 0 < value <= 1:
        raise ValueError(f"top_p must be in (0, 1] or None (no top-p), got {value}")
    return value


def _seed(value: Any) -> int:
    value = integer("seed", value)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED} (32 bits), got {value}")
    return value


def _prompt(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"prompt must be a str, got {type(value).__name__}")
    return value


def _vocab(value: Any, vocab_size: int | None = None) -> list[str]:
    value = sequence("vocab", value, "a list of str (token id -> its text)")
    for i, token in enumerate(value):
        if not isinstance(token, str):
            raise TypeError(f"vocab[{i}] must be a str, got {type(token).__name__}")
        if not token:
            raise ValueError(f"vocab[{i}] must not be empty")
    seen: dict[str, int] = {}
    for i, token in enumerate(value):
        if token in seen:
            raise ValueError(f"vocab[{i}] = {token!r} repeats vocab[{seen[token]}]: each entry "
                             "must be unique (the prompt is matched against them)")
        seen[token] = i
    if vocab_size is not None and len(value) != vocab_size:
        raise ValueError(f"vocab must have one entry per token id of the model "
                         f"(vocab_size = {vocab_size}), got {len(value)}")
    return value


def _generated(value: Any, vocab_size: int) -> list[int]:
    value = sequence("generated", value, "a list of token ids")
    out = [integer(f"generated[{i}]", x) for i, x in enumerate(value)]
    for i, x in enumerate(out):
        if not 0 <= x < vocab_size:
            raise ValueError(f"generated[{i}] = {x} is not a token id (0 to {vocab_size - 1})")
    return out


def _gpt(model: Any) -> Any:
    from tokenlab.lm import GPT

    if not isinstance(model, GPT):
        raise TypeError(f"model must be a tokenlab.lm.GPT, got {type(model).__name__}")
    return model


# ---- the model as widget state ------------------------------------------------------------


def _config(model: Any) -> dict[str, Any]:
    """The numbers the JavaScript forward pass needs, read from the model's own modules."""
    block = model.blocks[0] if len(model.blocks) else None
    width = model.tok.embedding_dim
    heads = block.attn.heads if block is not None else 1
    tied = model.head.weight is model.tok.weight
    return {
        "vocab_size": model.tok.num_embeddings,
        "width": width,
        "heads": heads,
        "head_dim": width // heads,
        "layers": len(model.blocks),
        "context": int(model.positions_table().shape[0]),
        "ff": block.ff[0].out_features if block is not None else 0,
        "positions": model.positions,
        "tied": tied,
        "eps": block.ln1.eps if block is not None else model.ln_f.eps,
    }


def export_gpt(model: Any) -> dict[str, Any]:
    """A GPT's configuration and weights as JSON-safe widget state (float32, base64).

    Parameters
    ----------
    model : tokenlab.lm.GPT
        The model; it is read, never changed (its mode, device and dtype stay as they are).

    Returns
    -------
    dict
        ``{"config": {...}, "tensors": [[name, shape, offset], ...], "data": str}``:
        ``config`` holds ``vocab_size``, ``width``, ``heads``, ``head_dim``, ``layers``,
        ``context``, ``ff``, ``positions`` (``"learned"`` or ``"sinusoidal"``), ``tied``
        (``head.weight`` is ``tok.weight``) and ``eps`` (the LayerNorms'); ``tensors`` lists each
        tensor's state_dict name, shape and offset (in float32 numbers) into ``data``, the
        base64 of all of them as little-endian float32, one after the other. The positions are
        exported as ``"positions"``, the table :meth:`~tokenlab.lm.GPT.positions_table` adds
        (learned or sinusoidal); ``head.weight`` is exported only when it is not tied.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`tokenlab.lm.GPT`.
    ValueError
        If a weight is not finite.

    Examples
    --------
    >>> from tokenlab.lm import GPT
    >>> _ = torch.manual_seed(0)
    >>> e = export_gpt(GPT(5, width=8, heads=2, layers=1, context=4))
    >>> e["config"]["positions"], e["tensors"][0], e["tensors"][1]
    ('learned', ['tok.weight', [5, 8], 0], ['positions', [4, 8], 40])
    """
    model = _gpt(model)
    config = _config(model)
    named: list[tuple[str, torch.Tensor]] = [("tok.weight", model.tok.weight),
                                              ("positions", model.positions_table())]
    for i, block in enumerate(model.blocks):
        p = f"blocks.{i}."
        for sub in ("ln1", "ln2"):
            ln = getattr(block, sub)
            named += [(f"{p}{sub}.weight", ln.weight), (f"{p}{sub}.bias", ln.bias)]
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            lin = getattr(block.attn, proj)
            named.append((f"{p}attn.{proj}.weight", lin.weight))
            named.append((f"{p}attn.{proj}.bias", lin.bias))
        for j in (0, 2):
            named += [(f"{p}ff.{j}.weight", block.ff[j].weight),
                      (f"{p}ff.{j}.bias", block.ff[j].bias)]
    named += [("ln_f.weight", model.ln_f.weight), ("ln_f.bias", model.ln_f.bias)]
    if not config["tied"]:
        named.append(("head.weight", model.head.weight))
    tensors, chunks, offset = [], [], 0
    for name, t in named:
        if t is None:  # a projection without bias: the JavaScript treats it as zeros
            continue
        t = t.detach().to("cpu", torch.float32).contiguous()
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"model: {name} is not finite (NaN or inf)")
        tensors.append([name, list(t.shape), offset])
        chunks.append(t.reshape(-1))
        offset += t.numel()
    flat = torch.cat(chunks).numpy()
    raw = flat.astype("<f4").tobytes()
    return {"config": config, "tensors": tensors, "data": base64.b64encode(raw).decode("ascii")}


def gpt_from_export(exported: dict[str, Any]) -> Any:
    """The :class:`tokenlab.lm.GPT` that :func:`export_gpt` wrote (what a page embeds).

    Parameters
    ----------
    exported : dict
        ``{"config", "tensors", "data"}`` as :func:`export_gpt` returns them; a widget's state
        (``config``, ``tensors``, ``weights``) works too.

    Returns
    -------
    tokenlab.lm.GPT
        In eval mode, float32, on the CPU, with every exported value; learned positions are
        loaded from ``positions``, sinusoidal ones must equal the table the GPT builds itself.

    Raises
    ------
    ValueError
        If a tensor is missing, has the wrong shape, or the data is too short.

    Examples
    --------
    >>> from tokenlab.lm import GPT
    >>> _ = torch.manual_seed(0)
    >>> m = GPT(5, width=8, heads=2, layers=1, context=4)
    >>> back = gpt_from_export(export_gpt(m))
    >>> torch.equal(back(torch.tensor([1, 2])), m(torch.tensor([1, 2])))
    True
    """
    from tokenlab.lm import GPT

    if not isinstance(exported, dict):
        raise TypeError(f"exported must be a dict, got {type(exported).__name__}")
    c = exported["config"]
    data = exported.get("data", exported.get("weights"))
    raw = base64.b64decode(data, validate=True)
    flat = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    model = GPT(c["vocab_size"], width=c["width"], heads=c["heads"], layers=c["layers"],
                context=c["context"], ff=c["ff"], positions=c["positions"],
                tie_weights=c["tied"]).eval()
    values = {}
    for name, shape, offset in exported["tensors"]:
        n = math.prod(shape)
        if offset + n > flat.numel():
            raise ValueError(f"exported: the data is too short for {name}")
        values[name] = flat[offset:offset + n].reshape(shape)
    state = model.state_dict()
    positions = values.pop("positions", None)
    if positions is None:
        raise ValueError("exported: no positions")
    if c["positions"] == "learned":
        values["pos.weight"] = positions
    elif not torch.equal(positions, model.positions_table()):
        raise ValueError("exported: its sinusoidal positions are not tokenlab's table")
    if c["tied"]:
        values["head.weight"] = values.get("tok.weight")
    for name, t in state.items():
        v = values.get(name)
        if v is None:
            raise ValueError(f"exported: {name} is missing")
        if v.shape != t.shape:
            raise ValueError(f"exported: {name} has shape {list(v.shape)}, the GPT needs "
                             f"{list(t.shape)}")
    model.load_state_dict({name: values[name] for name in state})
    return model


# ---- the numbers --------------------------------------------------------------------------


def encode_prompt(text: str, vocab: Sequence[str]) -> tuple[list[int], list[str]]:
    """The prompt as token ids: at each place the longest vocabulary entry that matches.

    Parameters
    ----------
    text : str
        What the reader typed.
    vocab : sequence of str
        Token id -> its text (one character each for a character model).

    Returns
    -------
    ids : list of int
        The matched entries' ids, in order.
    skipped : list of str
        The characters that start no entry, in order (repeats kept); they are left out.

    Examples
    --------
    >>> encode_prompt("ab?c", ["a", "b", "c", "ab"])
    ([3, 2], ['?'])
    """
    text = _prompt(text)
    vocab = _vocab(vocab)
    index = {token: i for i, token in enumerate(vocab)}
    longest = max(map(len, vocab), default=1)
    ids: list[int] = []
    skipped: list[str] = []
    pos = 0
    while pos < len(text):
        for size in range(min(longest, len(text) - pos), 0, -1):
            i = index.get(text[pos:pos + size])
            if i is not None:
                ids.append(i)
                pos += size
                break
        else:
            skipped.append(text[pos])
            pos += 1
    return ids, skipped


def next_token(
    model: Any,
    vocab: Sequence[str],
    prompt: str,
    generated: Sequence[int] = (),
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> dict[str, Any]:
    """The next token's distribution after the prompt and the tokens sampled so far.

    Parameters
    ----------
    model : tokenlab.lm.GPT
        The model (run in eval mode under ``torch.no_grad``; its mode is restored).
    vocab : sequence of str
        Token id -> text, one entry per id of the model.
    prompt : str
        The reader's text; see :func:`encode_prompt` for characters not in the vocabulary.
    generated : sequence of int
        The ids sampled after the prompt so far.
    temperature, top_k, top_p
        As :func:`tokenlab.lm.filter_logits` takes them (``temperature = 0``: greedy).

    Returns
    -------
    dict
        JSON-safe: the inputs echoed (``prompt``, ``generated``, ``temperature``, ``top_k``,
        ``top_p``); ``skipped`` (characters not in the vocabulary); ``ids``, the ids the model
        saw (the last ``context`` of the prompt's ids and ``generated``); ``dropped``, how many
        earlier ids did not fit; and, when there is at least one id, ``logits`` (the model's,
        at the last position) and ``probs`` (after filtering), one per token id; ``None`` when
        the model saw no id.

    Examples
    --------
    >>> from tokenlab.lm import GPT
    >>> _ = torch.manual_seed(0)
    >>> m = GPT(3, width=8, heads=2, layers=1, context=4)
    >>> r = next_token(m, ["a", "b", "c"], "ab?cab", temperature=0)
    >>> r["skipped"], r["ids"], r["dropped"], sum(r["probs"])
    (['?'], [1, 2, 0, 1], 1, 1.0)
    """
    from tokenlab.lm import filter_logits

    model = _gpt(model)
    config = _config(model)
    vocab = _vocab(vocab, config["vocab_size"])
    prompt = _prompt(prompt)
    generated = _generated(generated, config["vocab_size"])
    temperature, top_k, top_p = _temperature(temperature), _top_k(top_k), _top_p(top_p)
    prompt_ids, skipped = encode_prompt(prompt, vocab)
    ids = prompt_ids + generated
    context = config["context"]
    seen = ids[-context:]
    out: dict[str, Any] = {
        "prompt": prompt, "generated": generated, "temperature": temperature, "top_k": top_k,
        "top_p": top_p, "skipped": skipped, "ids": seen, "dropped": len(ids) - len(seen),
        "logits": None, "probs": None,
    }
    if not seen:
        return out
    device = model.tok.weight.device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = model(torch.tensor([seen], device=device))[0, -1]
    finally:
        model.train(was_training)
    probs = filter_logits(logits.double(), temperature=temperature, top_k=top_k, top_p=top_p)
    out["logits"] = logits.double().tolist()
    out["probs"] = probs.tolist()
    return out


class Mulberry32:
    """The widget's seeded random numbers: mulberry32, the same stream as ``generate.js``.

    Parameters
    ----------
    seed : int
        From 0 to ``2**32 - 1``.

    Examples
    --------
    >>> r = Mulberry32(0)
    >>> [round(r.next(), 6) for _ in range(3)]
    [0.266429, 0.00033, 0.223272]
    """

    def __init__(self, seed: int) -> None:
        self.state = _seed(seed)

    def next(self) -> float:
        """The next number of the stream, in ``[0, 1)`` (a multiple of ``2**-32``)."""
        m = 0xFFFFFFFF
        self.state = a = (self.state + 0x6D2B79F5) & m
        t = ((a ^ (a >> 15)) * (1 | a)) & m
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & m)) & m) ^ t
        return ((t ^ (t >> 14)) & m) / 4294967296


def sample_index(probs: Sequence[float], u: float) -> int:
    """The first id whose cumulative probability exceeds ``u`` (the last id with a probability
    above 0 if rounding leaves ``u`` past the total).

    Examples
    --------
    >>> sample_index([0.0, 0.5, 0.5], 0.0), sample_index([0.0, 0.5, 0.5], 0.75)
    (1, 2)
    >>> sample_index([0.2, 0.8, 0.0], 0.9999999999)
    1
    """
    total = 0.0
    last = 0
    for i, p in enumerate(probs):
        if p > 0:
            last = i
            total += p
            if u < total:
                return i
    return last


# ---- the widget ---------------------------------------------------------------------------


class _Float(traitlets.Float):
    """traitlets' Float, checked first as :func:`~tokenlab.widgets._checks.number` checks (a
    bool, which traitlets takes as 0.0 or 1.0, is refused)."""

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, None if value is None else number(self.name, value))


class _Int(traitlets.Int):
    """traitlets' Int, checked first as :func:`~tokenlab.widgets._checks.integer` checks (a bool
    or a float such as 1.0, which traitlets takes, is refused)."""

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, None if value is None else integer(self.name, value))


class GenerateWidget(Recomputed, anywidget.AnyWidget):
    """A small GPT that generates in the browser: prompt, sliders, next-token bars, sampling.

    Parameters
    ----------
    model : tokenlab.lm.GPT
        The model, exported into the page (float32: about 4 bytes per parameter, a third more
        as base64); the kernel also uses it for :attr:`result`.
    vocab : sequence of str
        Token id -> its text, one entry per id (the characters of a character model).
    prompt : str
        The text the generation starts from; characters not in the vocabulary are skipped (and
        the widget names them). Of a long prompt only the last ``context`` tokens reach the model.
    temperature : float
        ``>= 0``; 0 is greedy (the most likely token). The slider goes from 0 to 2.
    top_k : int, optional
        Keep only the ``k`` most likely tokens (``>= 1``; None: all).
    top_p : float, optional
        Keep the smallest set of most likely tokens whose probability reaches ``p``, in (0, 1]
        (None: all).
    seed : int
        Seeds the random numbers that pick each sampled token, 0 to ``2**32 - 1``; the same seed,
        prompt and settings give the same text.

    Attributes
    ----------
    result : dict
        :func:`next_token` for the current prompt, samples and settings (kernel side).

    Examples
    --------
    >>> from tokenlab.lm import GPT
    >>> _ = torch.manual_seed(0)
    >>> w = GenerateWidget(GPT(3, width=8, heads=2, layers=1, context=4), vocab=["a", "b", "c"],
    ...                    prompt="ab", temperature=0)
    >>> w.result["ids"], w.sample(2) == w.generated, len(w.generated)
    ([0, 1], True, 2)
    >>> w.top_p = 1.5
    Traceback (most recent call last):
    ...
    ValueError: top_p must be in (0, 1] or None (no top-p), got 1.5
    """

    _esm = (HERE / "generate.js").read_text(encoding="utf-8")
    _css = (HERE / "generate.css").read_text(encoding="utf-8")

    config = traitlets.Dict().tag(sync=True)
    tensors = traitlets.List().tag(sync=True)
    weights = traitlets.Unicode().tag(sync=True)
    vocab = traitlets.List().tag(sync=True)
    prompt = traitlets.Unicode("ROMEO:").tag(sync=True)
    generated = traitlets.List().tag(sync=True)
    temperature = _Float(0.8).tag(sync=True)
    top_k = _Int(allow_none=True, default_value=None).tag(sync=True)
    top_p = _Float(allow_none=True, default_value=None).tag(sync=True)
    seed = _Int(0).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        model: Any,
        *,
        vocab: Sequence[str],
        prompt: str = "ROMEO:",
        temperature: float = 0.8,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        self._model = _gpt(model)
        exported = export_gpt(self._model)
        config = exported["config"]
        vocab = _vocab(vocab, config["vocab_size"])
        super().__init__(
            config=config, tensors=exported["tensors"], weights=exported["data"], vocab=vocab,
            prompt=_prompt(prompt), generated=[], temperature=_temperature(temperature),
            top_k=_top_k(top_k), top_p=_top_p(top_p), seed=_seed(seed), **kwargs)

    @property
    def model(self) -> Any:
        """The exported model (the kernel computes :attr:`result` with it)."""
        return self._model

    @property
    def text(self) -> str:
        """The prompt's known characters (as the model sees them) and the sampled tokens."""
        ids, _ = encode_prompt(self.prompt, self.vocab)
        return "".join(self.vocab[i] for i in ids + list(self.generated))

    def sample(self, n: int = 1) -> list[int]:
        """Sample ``n`` more tokens in the kernel, exactly as the page's Sample button does.

        Draw ``m`` of the seeded stream picks token ``m`` after the prompt (``m`` counts from 0),
        so the page and the kernel continue each other's text identically.

        Returns
        -------
        list of int
            :attr:`generated` after sampling.

        Raises
        ------
        ValueError
            If ``n < 0``, or the prompt has no character of the vocabulary (nothing to continue).
        """
        n = integer("n", n)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        rng = Mulberry32(self.seed)
        for _ in range(len(self.generated)):
            rng.next()
        generated = list(self.generated)
        for _ in range(n):
            r = next_token(self._model, self.vocab, self.prompt, generated,
                           temperature=self.temperature, top_k=self.top_k, top_p=self.top_p)
            if r["probs"] is None:
                raise ValueError("prompt: none of its characters is in the vocabulary, so there "
                                 "is nothing to continue")
            generated.append(sample_index(r["probs"], rng.next()))
        self.generated = generated
        return generated

    def reset(self) -> None:
        """Forget the sampled tokens (the prompt stays)."""
        self.generated = []

    @traitlets.validate("vocab")
    def _valid_vocab(self, proposal: dict) -> list[str]:
        return _vocab(proposal["value"], self.config.get("vocab_size"))

    @traitlets.validate("prompt")
    def _valid_prompt(self, proposal: dict) -> str:
        return _prompt(proposal["value"])

    @traitlets.validate("generated")
    def _valid_generated(self, proposal: dict) -> list[int]:
        return _generated(proposal["value"], self.config.get("vocab_size", sys.maxsize))

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal: dict) -> float:
        return _temperature(proposal["value"])

    @traitlets.validate("top_k")
    def _valid_top_k(self, proposal: dict) -> int | None:
        return _top_k(proposal["value"])

    @traitlets.validate("top_p")
    def _valid_top_p(self, proposal: dict) -> float | None:
        return _top_p(proposal["value"])

    @traitlets.validate("seed")
    def _valid_seed(self, proposal: dict) -> int:
        return _seed(proposal["value"])

    @traitlets.validate("config", "tensors", "weights")
    def _fixed(self, proposal: dict) -> Any:
        name = proposal["trait"].name
        if getattr(self, "_model", None) is not None and self.trait_has_value(name) and \
                proposal["value"] != getattr(self, name):
            raise ValueError(f"{name} is the exported model's and cannot change; make a new "
                             "GenerateWidget for another model")
        return proposal["value"]

    @traitlets.observe("prompt")
    def _on_prompt(self, change: dict) -> None:
        # The sampled tokens continued the old prompt: a new prompt starts over.
        if self.generated:
            self.generated = []

    @traitlets.observe("vocab", "prompt", "generated", "temperature", "top_k", "top_p")
    def _on_change(self, change: dict) -> None:
        if not self.trait_has_value("config") or not self.config:
            return
        self._set_result(
            next_token, self._model, tuple(self.vocab), self.prompt, tuple(self.generated),
            temperature=self.temperature, top_k=self.top_k, top_p=self.top_p)

"""A real pretrained encoder run on the book's own kernels: ``all-MiniLM-L6-v2``.

Every model of the earlier chapters is trained in its chapter. This module loads one that was
trained elsewhere, on a billion sentence pairs: ``sentence-transformers/all-MiniLM-L6-v2``, a
6-layer BERT (384 wide, 12 heads, 22.7 M parameters). Nothing of it is new code: its layers are
:class:`tokenlab.attention.TransformerEncoderBlock` (post-norm, exact GELU, layer-norm epsilon
``1e-12``), its positions are :class:`tokenlab.positional.LearnedPositionalEmbedding`, its
tokenizer is :class:`tokenlab.wordpiece.WordPieceTokenizer`. Only the weights come from the
checkpoint.

* :class:`BertConfig` -- the architecture, read from the checkpoint's ``config.json``;
* :class:`BertEncoder` -- embeddings (word + token type + learned position, then a layer norm)
  and ``num_hidden_layers`` encoder blocks; returns the last hidden states and, on request,
  every layer's hidden states and attention weights (:class:`EncoderOutput`);
* :func:`load_weights` -- copies a ``.safetensors`` checkpoint (never a pickle) into a
  :class:`BertEncoder`, every tensor's shape checked against the config;
* :class:`SentenceEncoder` and :func:`load_encoder` -- tokenizer + encoder + mean pooling over
  the real tokens + L2 normalisation, as ``sentence-transformers`` computes this model's
  sentence embeddings.

Files come from :func:`tokenlab.models.path` (the model registry: upstream URLs, sha256, a cache,
``TOKENLAB_MODELS`` for an offline folder), so a corrupted or truncated file is refused there.

Long texts
----------
The model has 512 learned positions, and ``sentence-transformers`` reads at most 256 tokens of a
text with this model (``sentence_bert_config.json``). :meth:`SentenceEncoder.encode` does the
same by default: ``max_length`` is 256 (at most 512) and a text with more tokens (``[CLS]`` and
``[SEP]`` included) is cut to its first ``max_length`` tokens, ``[SEP]`` kept last, with a
:class:`UserWarning` that says how many texts were cut. ``truncate=False`` refuses such texts
with a :class:`ValueError` instead. :class:`BertEncoder` itself refuses sequences longer than
its positions.

Examples
--------
>>> import os
>>> if not os.environ.get("TOKENLAB_MODELS"):  # the project's offline copies
...     os.environ["TOKENLAB_MODELS"] = "../shared/models"
>>> model = load_encoder("all-MiniLM-L6-v2")
>>> e = model.encode(["The weather is lovely today.", "It's so sunny outside!"])
>>> e.shape
torch.Size([2, 384])
>>> round((e[0] @ e[1]).item(), 4)
0.666
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

from tokenlab._checks import check_int
from tokenlab.attention import TransformerEncoderBlock
from tokenlab.positional import LearnedPositionalEmbedding

__all__ = [
    "BertConfig",
    "BertEncoder",
    "EncodedBatch",
    "EncoderOutput",
    "SentenceEncoder",
    "load_encoder",
    "load_weights",
]

#: The models :func:`load_encoder` knows, with the files it reads and the most tokens
#: ``sentence-transformers`` reads of a text (``max_seq_length``).
ENCODERS: dict[str, dict[str, Any]] = {
    "all-MiniLM-L6-v2": {"max_seq_length": 256, "pooling": "mean", "normalize": True},
}


def _model_file(name: str, file: str) -> Path:
    """The checked local path of one file of a registered model (the registry's job)."""
    from tokenlab import models

    return models.path(name, file)


# ----------------------------------------------------------------------------- config


_REQUIRED = (
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
    "intermediate_size", "max_position_embeddings", "type_vocab_size",
)


@dataclass(frozen=True)
class BertConfig:
    """The architecture of a BERT encoder, as its ``config.json`` gives it.

    Only absolute (learned) positions and the exact (erf) GELU are supported: those are what
    the checkpoints this module loads use, and anything else is refused by :meth:`from_dict`
    rather than silently computed differently.

    Examples
    --------
    >>> c = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                intermediate_size=16, max_position_embeddings=6, type_vocab_size=2)
    >>> c.head_dim
    4
    """

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0

    def __post_init__(self) -> None:
        for name in _REQUIRED:
            check_int(getattr(self, name), name, 1)
        check_int(self.pad_token_id, "pad_token_id", 0)
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size={self.hidden_size} must be divisible by "
                f"num_attention_heads={self.num_attention_heads}"
            )
        eps = self.layer_norm_eps
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not (
            math.isfinite(eps) and eps > 0
        ):
            raise ValueError(f"layer_norm_eps must be a positive number, got {eps!r}")

    @property
    def head_dim(self) -> int:
        """Width of one attention head, ``hidden_size // num_attention_heads``."""
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> BertConfig:
        """Read the fields this encoder needs from a ``config.json`` dictionary.

        Raises
        ------
        ValueError
            If a required key is missing, ``hidden_act`` is not ``"gelu"`` or
            ``position_embedding_type`` is not ``"absolute"``.
        """
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        missing = [k for k in _REQUIRED if k not in config]
        if missing:
            raise ValueError(f"config is missing {missing}")
        act = config.get("hidden_act", "gelu")
        if act != "gelu":
            raise ValueError(f"config hidden_act must be 'gelu' (exact, erf), got {act!r}")
        pos = config.get("position_embedding_type", "absolute")
        if pos != "absolute":
            raise ValueError(f"config position_embedding_type must be 'absolute', got {pos!r}")
        return cls(
            **{k: config[k] for k in _REQUIRED},
            layer_norm_eps=config.get("layer_norm_eps", 1e-12),
            pad_token_id=config.get("pad_token_id", 0),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> BertConfig:
        """Read a ``config.json`` file (see :meth:`from_dict`)."""
        path = Path(path)
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"config file {path} is not valid JSON: {exc}") from None
        return cls.from_dict(config)


# ----------------------------------------------------------------------------- the encoder


class EncoderOutput(NamedTuple):
    """What :meth:`BertEncoder.forward` returns.

    Attributes
    ----------
    last_hidden_state : torch.Tensor
        ``(batch, L, hidden_size)``, the last block's output.
    hidden_states : tuple of torch.Tensor or None
        ``num_hidden_layers + 1`` tensors ``(batch, L, hidden_size)``: the embeddings' output,
        then each block's (``transformers``' order), if asked for.
    attentions : tuple of torch.Tensor or None
        ``num_hidden_layers`` tensors ``(batch, heads, L, L)`` of attention weights, if asked for.
    """

    last_hidden_state: torch.Tensor
    hidden_states: tuple[torch.Tensor, ...] | None = None
    attentions: tuple[torch.Tensor, ...] | None = None


def _as_ids(x: Any, name: str, device: torch.device) -> torch.Tensor:
    t = x if isinstance(x, torch.Tensor) else torch.as_tensor(x)
    if t.dtype == torch.bool or t.is_floating_point() or t.is_complex():
        raise TypeError(f"{name} must hold integers, got dtype {t.dtype}")
    if t.dim() != 2:
        raise ValueError(f"{name} must be 2-D (batch, L), got shape {tuple(t.shape)}")
    return t.to(device=device, dtype=torch.long)


class BertEncoder(nn.Module):
    """A BERT encoder built from :class:`~tokenlab.attention.TransformerEncoderBlock` layers.

    ``embeddings = LayerNorm(word[ids] + token_type[types] + position[0..L-1])``, then
    ``num_hidden_layers`` post-norm blocks with exact GELU. Padding (``attention_mask == 0``)
    is hidden from every query as a key; padded positions still get (meaningless) outputs.
    Dropout is not used: the encoder is for inference (``eval()`` mode is set by
    :func:`load_encoder`).

    Parameters
    ----------
    config : BertConfig
        The architecture.

    Examples
    --------
    >>> c = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
    ...                intermediate_size=16, max_position_embeddings=6, type_vocab_size=2)
    >>> torch.manual_seed(0) and None
    >>> out = BertEncoder(c)(torch.tensor([[1, 5, 2, 0]]), torch.tensor([[1, 1, 1, 0]]),
    ...                      output_hidden_states=True, output_attentions=True)
    >>> out.last_hidden_state.shape, len(out.hidden_states), out.attentions[0].shape
    (torch.Size([1, 4, 8]), 3, torch.Size([1, 2, 4, 4]))
    >>> out.attentions[0][0, :, :, 3].abs().max().item()  # nobody attends to the padding
    0.0
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        if not isinstance(config, BertConfig):
            raise TypeError(f"config must be a BertConfig, got {type(config).__name__}")
        self.config = config
        d = config.hidden_size
        self.word_embeddings = nn.Embedding(config.vocab_size, d, padding_idx=config.pad_token_id)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, d)
        self.positions = LearnedPositionalEmbedding(config.max_position_embeddings, d)
        self.embedding_norm = nn.LayerNorm(d, eps=config.layer_norm_eps)
        self.layers = nn.ModuleList(
            TransformerEncoderBlock(
                d, config.num_attention_heads, config.intermediate_size, activation="gelu",
                layer_norm_eps=config.layer_norm_eps, keep_attention=False,
            )
            for _ in range(config.num_hidden_layers)
        )

    def _checked(
        self, input_ids: Any, attention_mask: Any, token_type_ids: Any
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c = self.config
        device = self.word_embeddings.weight.device
        ids = _as_ids(input_ids, "input_ids", device)
        batch, length = ids.shape
        if length > c.max_position_embeddings:
            raise ValueError(
                f"input_ids has {length} positions, more than the model's "
                f"max_position_embeddings={c.max_position_embeddings}: truncate the text"
            )
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= c.vocab_size):
            raise ValueError(
                f"input_ids must be in [0, {c.vocab_size}), got values from {int(ids.min())} "
                f"to {int(ids.max())}"
            )
        masks = []
        for name, value in (("attention_mask", attention_mask), ("token_type_ids", token_type_ids)):
            if value is None:
                masks.append(torch.ones_like(ids) if name == "attention_mask"
                             else torch.zeros_like(ids))
                continue
            t = _as_ids(value, name, device) if not (
                isinstance(value, torch.Tensor) and value.dtype == torch.bool
            ) else value.to(device=device, dtype=torch.long)
            if t.shape != ids.shape:
                raise ValueError(
                    f"{name} must have input_ids' shape {tuple(ids.shape)}, got {tuple(t.shape)}"
                )
            top = 2 if name == "attention_mask" else c.type_vocab_size
            if t.numel() and (int(t.min()) < 0 or int(t.max()) >= top):
                raise ValueError(
                    f"{name} must hold values in [0, {top}), got {t.unique().tolist()}"
                )
            masks.append(t)
        return ids, masks[0], masks[1]

    def forward(
        self,
        input_ids: Any,
        attention_mask: Any = None,
        token_type_ids: Any = None,
        *,
        output_hidden_states: bool = False,
        output_attentions: bool = False,
    ) -> EncoderOutput:
        """Encode a batch of token ids.

        Parameters
        ----------
        input_ids : tensor or nested list of int, ``(batch, L)``
            Token ids, ``L <= max_position_embeddings``.
        attention_mask : tensor, ``(batch, L)``, optional
            ``1`` (or True) at real tokens, ``0`` at padding; default: all real.
        token_type_ids : tensor, ``(batch, L)``, optional
            Segment ids (``0`` for a single sentence, the default).
        output_hidden_states : bool, default False
            Also return the embeddings' output and every block's output.
        output_attentions : bool, default False
            Also return every block's attention weights per head (computed by
            :func:`tokenlab.attention.scaled_dot_product_attention`; without them the blocks
            take the fused fast path).

        Returns
        -------
        EncoderOutput
        """
        ids, mask, types = self._checked(input_ids, attention_mask, token_type_ids)
        x = self.word_embeddings(ids) + self.token_type_embeddings(types)
        x = self.embedding_norm(self.positions(x))
        padding = mask == 0  # torch's key_padding_mask convention: True = padding
        hidden = [x]
        attentions = []
        for layer in self.layers:
            kept = layer.keep_attention
            layer.keep_attention = output_attentions
            try:
                x = layer(x, key_padding_mask=padding)
            finally:
                layer.keep_attention = kept
            hidden.append(x)
            if output_attentions:
                attentions.append(layer.last_attention)
        return EncoderOutput(
            x,
            tuple(hidden) if output_hidden_states else None,
            tuple(attentions) if output_attentions else None,
        )


# ----------------------------------------------------------------------------- weights


def _checkpoint_names(config: BertConfig) -> dict[str, str]:
    """Checkpoint tensor name (``transformers``' BertModel) -> :class:`BertEncoder` parameter."""
    names = {
        "embeddings.word_embeddings.weight": "word_embeddings.weight",
        "embeddings.token_type_embeddings.weight": "token_type_embeddings.weight",
        "embeddings.position_embeddings.weight": "positions.embedding.weight",
        "embeddings.LayerNorm.weight": "embedding_norm.weight",
        "embeddings.LayerNorm.bias": "embedding_norm.bias",
    }
    parts = {
        "attention.self.query": "self_attn.q_proj",
        "attention.self.key": "self_attn.k_proj",
        "attention.self.value": "self_attn.v_proj",
        "attention.output.dense": "self_attn.out_proj",
        "attention.output.LayerNorm": "norm1",
        "intermediate.dense": "linear1",
        "output.dense": "linear2",
        "output.LayerNorm": "norm2",
    }
    for i in range(config.num_hidden_layers):
        for theirs, ours in parts.items():
            for p in ("weight", "bias"):
                names[f"encoder.layer.{i}.{theirs}.{p}"] = f"layers.{i}.{ours}.{p}"
    return names


#: Tensors a BERT checkpoint may hold that the encoder does not use: the pooler (a [CLS]
#: classifier head, unused by mean pooling) and the position-id buffer.
_UNUSED = ("pooler.", "embeddings.position_ids")


def load_weights(model: BertEncoder, path: str | Path) -> BertEncoder:
    """Copy a ``.safetensors`` BERT checkpoint into ``model`` (in place) and return it.

    Tensor names are those of ``transformers``' ``BertModel`` (an optional ``bert.`` prefix is
    accepted). Every tensor's shape is checked against the one ``model.config`` implies before
    anything is copied; the pooler and the position-id buffer are ignored.

    Parameters
    ----------
    model : BertEncoder
        The encoder to fill; its dtype and device are kept.
    path : str or Path
        A ``.safetensors`` file (read with ``safetensors``, never unpickled).

    Raises
    ------
    ValueError
        If the file is not a safetensors file, a tensor is missing, an unknown tensor is
        present, or a tensor's shape differs from the config's (the message names the tensor
        and both shapes).

    Examples
    --------
    >>> import tempfile, safetensors.torch
    >>> c = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                intermediate_size=16, max_position_embeddings=6, type_vocab_size=2)
    >>> names = _checkpoint_names(c)
    >>> source = BertEncoder(c).state_dict()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = f"{tmp}/w.safetensors"
    ...     safetensors.torch.save_file({k: source[v] for k, v in names.items()}, file)
    ...     copy = load_weights(BertEncoder(c), file)
    >>> torch.equal(copy.layers[0].linear1.weight, source["layers.0.linear1.weight"])
    True
    """
    try:
        from safetensors import SafetensorError, safe_open
    except ImportError:  # pragma: no cover - a dependency of tokenlab
        raise ImportError(
            "load_weights needs the safetensors package: pip install safetensors"
        ) from None
    if not isinstance(model, BertEncoder):
        raise TypeError(f"model must be a BertEncoder, got {type(model).__name__}")
    path = Path(path)
    names = _checkpoint_names(model.config)
    params = model.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    try:
        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
            prefix = "bert." if keys and all(k.startswith("bert.") for k in keys) else ""
            unknown = []
            for key in keys:
                name = key[len(prefix):]
                if name in names:
                    ours = names[name]
                    shape = tuple(f.get_slice(key).get_shape())
                    expected = tuple(params[ours].shape)
                    if shape != expected:
                        raise ValueError(
                            f"checkpoint tensor {key!r} has shape {shape}, but the config "
                            f"implies {expected}"
                        )
                    tensors[ours] = f.get_tensor(key)
                elif not name.startswith(_UNUSED):
                    unknown.append(key)
    except SafetensorError as exc:
        raise ValueError(f"{path} is not a readable safetensors file: {exc}") from None
    if unknown:
        raise ValueError(
            f"checkpoint {path} has tensors a BERT encoder does not use: {unknown[:5]}"
        )
    missing = [theirs for theirs, ours in names.items() if ours not in tensors]
    if missing:
        raise ValueError(f"checkpoint {path} lacks {len(missing)} tensors, e.g. {missing[:3]}")
    with torch.no_grad():
        for name, value in tensors.items():
            params[name].copy_(value)
    return model


# ----------------------------------------------------------------------------- sentences


class EncodedBatch(NamedTuple):
    """What :meth:`SentenceEncoder.run` returns for a list of texts.

    Attributes
    ----------
    tokens : list of list of str
        Each text's WordPiece tokens, ``[CLS]`` and ``[SEP]`` included (no padding).
    input_ids, attention_mask : torch.Tensor
        ``(batch, L)``, padded to the longest text.
    output : EncoderOutput
        The encoder's output for the batch.
    """

    tokens: list[list[str]]
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    output: EncoderOutput


def _check_texts(texts: object) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, got one str: wrap it as [text]")
    if not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(
            f"texts must all be strings, got {type(texts[bad[0]]).__name__} at index {bad[0]}"
        )
    return list(texts)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average ``hidden`` ``(batch, L, d)`` over the positions where ``attention_mask`` is 1.

    A row with no real token gives zeros, never NaN.

    Examples
    --------
    >>> h = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]])
    >>> mean_pool(h, torch.tensor([[1, 1, 0]]))
    tensor([[2., 3.]])
    """
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1.0)


class SentenceEncoder:
    """A tokenizer and a :class:`BertEncoder`, with mean pooling and L2 normalisation.

    Built by :func:`load_encoder`. :meth:`encode` gives one vector per text;
    :meth:`run` gives everything the encoder computes (tokens, hidden states, attention).

    Parameters
    ----------
    tokenizer : WordPieceTokenizer
        Anything with ``tokenize(text) -> list[str]`` and ``__call__(texts, padding=True,
        truncation=..., max_length=...) -> dict(input_ids, attention_mask, token_type_ids)``.
    model : BertEncoder
        The encoder (its device is where everything is computed).
    max_seq_length : int, default 256
        The default ``max_length`` of :meth:`encode` (``sentence-transformers``' setting).
    name : str, optional
        The model's name, for ``repr``.
    """

    def __init__(
        self, tokenizer: Any, model: BertEncoder, *, max_seq_length: int = 256,
        name: str | None = None,
    ) -> None:
        if not isinstance(model, BertEncoder):
            raise TypeError(f"model must be a BertEncoder, got {type(model).__name__}")
        self.tokenizer = tokenizer
        self.model = model
        self.max_seq_length = self._check_max_length(max_seq_length, "max_seq_length")
        self.name = name

    def __repr__(self) -> str:
        c = self.model.config
        return (f"SentenceEncoder({self.name or 'BERT'}: {c.num_hidden_layers} layers, "
                f"{c.hidden_size} wide, {c.num_attention_heads} heads, "
                f"max_seq_length={self.max_seq_length})")

    @property
    def device(self) -> torch.device:
        """Where the encoder's weights live."""
        return self.model.word_embeddings.weight.device

    @property
    def dim(self) -> int:
        """The width of a sentence embedding (``hidden_size``)."""
        return self.model.config.hidden_size

    def _check_max_length(self, value: object, name: str) -> int:
        value = check_int(value, name, 2)
        limit = self.model.config.max_position_embeddings
        if value > limit:
            raise ValueError(f"{name} must be at most the model's {limit} positions, got {value}")
        return value

    def _batch(
        self, texts: list[str], max_length: int, truncate: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Token ids, attention mask and token types of ``texts``, cut to ``max_length``."""
        enc = self.tokenizer(texts, padding=True, truncation=False)
        mask = torch.as_tensor(enc["attention_mask"])
        lengths = mask.sum(1)
        long = (lengths > max_length).nonzero().flatten().tolist()
        if long:
            where = f"{len(long)} of {len(texts)} texts (the first at index {long[0]})"
            if not truncate:
                raise ValueError(
                    f"texts: {where} have more than max_length={max_length} tokens "
                    f"(the longest {int(lengths.max())}); pass truncate=True to cut them"
                )
            warnings.warn(
                f"{where} have more than max_length={max_length} tokens and were cut to their "
                f"first {max_length}",
                UserWarning, stacklevel=3,
            )
            enc = self.tokenizer(texts, padding=True, truncation=True, max_length=max_length)
            mask = torch.as_tensor(enc["attention_mask"])
        ids = torch.as_tensor(enc["input_ids"])
        types = torch.as_tensor(enc["token_type_ids"])
        return ids, mask, types

    def run(
        self,
        texts: Sequence[str],
        *,
        output_hidden_states: bool = True,
        output_attentions: bool = False,
        max_length: int | None = None,
        truncate: bool = True,
    ) -> EncodedBatch:
        """Run the encoder on ``texts`` as one padded batch and keep what it computes.

        Parameters
        ----------
        texts : list of str
        output_hidden_states, output_attentions : bool
            As in :meth:`BertEncoder.forward`.
        max_length, truncate
            As in :meth:`encode`.

        Returns
        -------
        EncodedBatch

        Examples
        --------
        >>> import os
        >>> os.environ.setdefault("TOKENLAB_MODELS", "../shared/models") and None
        >>> model = load_encoder("all-MiniLM-L6-v2")
        >>> batch = model.run(["A river bank."], output_attentions=True)
        >>> batch.tokens[0]
        ['[CLS]', 'a', 'river', 'bank', '.', '[SEP]']
        >>> len(batch.output.hidden_states), batch.output.attentions[0].shape
        (7, torch.Size([1, 12, 6, 6]))
        """
        texts = _check_texts(texts)
        max_length = self._check_max_length(
            self.max_seq_length if max_length is None else max_length, "max_length"
        )
        ids, mask, types = self._batch(texts, max_length, truncate)
        tokens = []
        for row, n in zip(ids.tolist(), mask.sum(1).tolist(), strict=True):
            tokens.append(self._tokens(row[:n]))
        with torch.no_grad():
            out = self.model(
                ids, mask.to(self.device), types, output_hidden_states=output_hidden_states,
                output_attentions=output_attentions,
            )
        return EncodedBatch(tokens, ids.to(self.device), mask.to(self.device), out)

    def _tokens(self, ids: list[int]) -> list[str]:
        convert = getattr(self.tokenizer, "convert_ids_to_tokens", None)
        if convert is not None:
            return list(convert(ids))
        return [self.tokenizer.id_to_token(i) for i in ids]

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        normalize: bool = True,
        max_length: int | None = None,
        truncate: bool = True,
    ) -> torch.Tensor:
        """One sentence embedding per text: the mean of its last hidden states over its tokens.

        Texts are sorted by length and encoded ``batch_size`` at a time (less padding); the
        result is in the order of ``texts``.

        Parameters
        ----------
        texts : list of str
            The texts (an empty list gives a ``(0, dim)`` tensor).
        batch_size : int, default 32
            Texts per forward pass.
        normalize : bool, default True
            Divide each embedding by its L2 norm (this model's published embeddings are
            normalised): dot products are then cosines.
        max_length : int, optional
            The most tokens read of a text, ``[CLS]`` and ``[SEP]`` included; default
            ``max_seq_length`` (256), at most the model's 512 positions.
        truncate : bool, default True
            Cut longer texts to ``max_length`` tokens with a :class:`UserWarning`; if False,
            raise :class:`ValueError` for them.

        Returns
        -------
        torch.Tensor
            ``(len(texts), dim)``, float, on the encoder's device.

        Examples
        --------
        >>> import os
        >>> os.environ.setdefault("TOKENLAB_MODELS", "../shared/models") and None
        >>> model = load_encoder("all-MiniLM-L6-v2")
        >>> e = model.encode(["He drove to the stadium.", "It's so sunny outside!"])
        >>> e.norm(dim=1)
        tensor([1.0000, 1.0000])
        """
        texts = _check_texts(texts)
        batch_size = check_int(batch_size, "batch_size", 1)
        if not isinstance(normalize, bool):
            raise TypeError(f"normalize must be a bool, got {type(normalize).__name__}")
        max_length = self._check_max_length(
            self.max_seq_length if max_length is None else max_length, "max_length"
        )
        dtype = self.model.word_embeddings.weight.dtype
        out = torch.empty(len(texts), self.dim, dtype=dtype, device=self.device)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(texts), batch_size):
            chunk = order[start:start + batch_size]
            ids, mask, types = self._batch([texts[i] for i in chunk], max_length, truncate)
            mask = mask.to(self.device)
            with torch.no_grad():
                hidden = self.model(ids, mask, types).last_hidden_state
            pooled = mean_pool(hidden, mask)
            if normalize:
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
            out[torch.tensor(chunk, device=self.device)] = pooled
        return out


def load_encoder(
    name: str = "all-MiniLM-L6-v2",
    *,
    device: torch.device | str | None = None,
    tokenizer: Any = None,
) -> SentenceEncoder:
    """Build a registered pretrained sentence encoder from its files.

    Reads ``config.json`` (the architecture), ``model.safetensors`` (the weights, see
    :func:`load_weights`) and the WordPiece vocabulary, each through the model registry
    (:func:`tokenlab.models.path`: sha256-checked, downloaded and cached, or read from
    ``TOKENLAB_MODELS``). The encoder is put in ``eval()`` mode.

    Parameters
    ----------
    name : str, default "all-MiniLM-L6-v2"
        A model of :data:`ENCODERS`.
    device : torch.device or str, optional
        Where to put the weights (default: the CPU).
    tokenizer : optional
        A tokenizer to use instead of the model's own WordPiece tokenizer (for tests).

    Raises
    ------
    ValueError
        If the name is unknown, a file fails its sha256 check, or the checkpoint does not fit
        the config.

    Examples
    --------
    >>> import os
    >>> os.environ.setdefault("TOKENLAB_MODELS", "../shared/models") and None
    >>> load_encoder("all-MiniLM-L6-v2")
    SentenceEncoder(all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads, max_seq_length=256)
    >>> load_encoder("bert-huge")
    Traceback (most recent call last):
        ...
    ValueError: name must be one of ['all-MiniLM-L6-v2'], got 'bert-huge'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in ENCODERS:
        raise ValueError(f"name must be one of {sorted(ENCODERS)}, got {name!r}")
    spec = ENCODERS[name]
    config = BertConfig.from_file(_model_file(name, "config.json"))
    model = BertEncoder(config)
    load_weights(model, _model_file(name, "model.safetensors"))
    model.eval()
    if device is not None:
        model.to(torch.device(device))
    if tokenizer is None:
        from tokenlab.wordpiece import WordPieceTokenizer

        tokenizer = WordPieceTokenizer.from_pretrained(name)
    return SentenceEncoder(tokenizer, model, max_seq_length=spec["max_seq_length"], name=name)

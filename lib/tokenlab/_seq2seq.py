"""An encoder-decoder Transformer with cross-attention, and the numbers it learns to read.

The original Transformer (Vaswani et al., 2017) is two stacks: an **encoder** (인코더) reads the
whole source sequence with self-attention, and a **decoder** (디코더) writes the target one token
at a time, with causal self-attention over what it has written so far plus **cross-attention**
(교차 어텐션) from each target position to the encoder's outputs. This module builds it from
:mod:`tokenlab.attention`:

* :class:`TransformerDecoderBlock` -- causal self-attention, cross-attention and a feed-forward
  network, each in a residual connection with a layer norm; equal to
  :class:`torch.nn.TransformerDecoderLayer` (:meth:`TransformerDecoderBlock.from_torch`);
* :class:`Seq2Seq` -- embeddings and positions for both sides, encoder blocks
  (:class:`~tokenlab.attention.TransformerEncoderBlock`), decoder blocks, an output layer,
  padding masks from a ``pad`` id, greedy :meth:`Seq2Seq.translate`, and the cross-attention
  weights for plots (:meth:`Seq2Seq.cross_attention`). Its blocks copy a
  :class:`torch.nn.Transformer`'s weights (:meth:`Seq2Seq.from_torch`);
* :func:`korean_number` and :func:`parse_korean_number` -- the Sino-Korean reading of a number
  (``1234`` -> ``천이백삼십사``) and back, the book's translation task.

Examples
--------
>>> korean_number(1234), korean_number(20001), parse_korean_number("백만")
('천이백삼십사', '이만일', 1000000)
>>> model = Seq2Seq(13, 17, width=16, heads=2, enc_layers=1, dec_layers=1, context=12, seed=0)
>>> src = torch.tensor([[3, 4, 5, 0], [6, 7, 0, 0]])       # 0 is padding
>>> tgt_in = torch.tensor([[1, 8, 9], [1, 10, 0]])          # 1 is the start token <s>
>>> model(src, tgt_in).shape
torch.Size([2, 3, 17])
>>> len(model.translate(src, 5, bos=1, eos=2))
2
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tokenlab._checks import check_int
from tokenlab.attention import (
    MultiHeadCrossAttention,
    MultiHeadSelfAttention,
    TransformerEncoderBlock,
    _activation,
)
from tokenlab.positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding

__all__ = [
    "KOREAN_DIGITS",
    "Seq2Seq",
    "TransformerDecoderBlock",
    "korean_number",
    "parse_korean_number",
]

# ----------------------------------------------------------------------------- Korean numbers

#: The Sino-Korean digits 0..9 (영 for zero).
KOREAN_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")  # 10^0 .. 10^3 inside a group of four digits
_MAX_NUMBER = 99_999_999  # 만 is the largest unit read here (억 = 10^8 is not)


def _four_digits(n: int) -> str:
    """The reading of ``1 <= n <= 9999``: 1 is silent before 십, 백 and 천 (십, not 일십)."""
    parts = []
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            continue
        word = "" if digit == 1 and power > 0 else KOREAN_DIGITS[digit]
        parts.append(word + _SMALL_UNITS[power])
    return "".join(parts)


def korean_number(n: int) -> str:
    """The Sino-Korean reading of a whole number ``0 <= n <= 99,999,999``, written without spaces.

    Digits are read in groups of four: the upper group is followed by 만 (10,000), and inside a
    group each non-zero digit is read with its unit 천, 백, 십 (1,000, 100, 10). The digit 1
    is silent before a unit (십, 백, 천, 만: not 일십, 일만), zero digits are not read at all,
    and 0 alone is 영.

    Parameters
    ----------
    n : int
        The number; an integer (not a bool) from 0 to 99,999,999.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is negative or above 99,999,999 (억, 10^8, is not read here).

    Examples
    --------
    >>> [korean_number(n) for n in (0, 10, 11, 100, 1000, 10000, 20001, 1000000)]
    ['영', '십', '십일', '백', '천', '만', '이만일', '백만']
    >>> korean_number(9_999_999)
    '구백구십구만구천구백구십구'
    """
    n = check_int(n, "n", 0)
    if n > _MAX_NUMBER:
        raise ValueError(f"n must be at most {_MAX_NUMBER:,}, got {n:,}")
    if n == 0:
        return KOREAN_DIGITS[0]
    upper, lower = divmod(n, 10_000)
    text = ""
    if upper:
        text = ("" if upper == 1 else _four_digits(upper)) + "만"
    if lower:
        text += _four_digits(lower)
    return text


def parse_korean_number(text: str) -> int:
    """The number a Sino-Korean reading stands for: the inverse of :func:`korean_number`.

    Parameters
    ----------
    text : str
        A reading as :func:`korean_number` writes it (spaces are ignored).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If ``text`` is empty, holds a character that is not a digit or unit, or is not the
        reading :func:`korean_number` would give (``일십``, ``십십``, ``만만``).

    Examples
    --------
    >>> parse_korean_number("천이백삼십사"), parse_korean_number("이만일")
    (1234, 20001)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    compact = text.replace(" ", "")
    if not compact:
        raise ValueError("text must hold a reading, got an empty string")
    total, group, digit = 0, 0, None
    for ch in compact:
        if ch in KOREAN_DIGITS:
            if digit is not None:
                raise ValueError(f"text {text!r} has two digits in a row")
            digit = KOREAN_DIGITS.index(ch)
        elif ch in "십백천":
            group += (1 if digit is None else digit) * 10 ** (_SMALL_UNITS.index(ch))
            digit = None
        elif ch == "만":
            if total:
                raise ValueError(f"text {text!r} has 만 twice")
            total = (group + (digit or 0) or 1) * 10_000
            group, digit = 0, None
        else:
            raise ValueError(f"text {text!r} holds {ch!r}, not a Sino-Korean digit or unit")
    value = total + group + (digit or 0)
    if korean_number(value) != compact:
        raise ValueError(
            f"text {text!r} is not a reading korean_number writes (it would be "
            f"{korean_number(value)!r} for {value:,})"
        )
    return value


# ----------------------------------------------------------------------------- decoder block



def _torch_activation(act: Any) -> str | Callable[[torch.Tensor], torch.Tensor]:
    """The ``activation`` argument that reproduces a torch layer's activation."""
    if act is F.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is F.gelu:
        return "gelu"
    return act


class TransformerDecoderBlock(nn.Module):
    """One Transformer decoder layer, equal to :class:`torch.nn.TransformerDecoderLayer`.

    Post-norm (``norm_first=False``, the original Transformer)::

        x = norm1(x + self_attention(x))
        x = norm2(x + cross_attention(x, memory))
        x = norm3(x + feed_forward(x))

    Pre-norm (``norm_first=True``)::

        x = x + self_attention(norm1(x))
        x = x + cross_attention(norm2(x), memory)
        x = x + feed_forward(norm3(x))

    The self-attention is a :class:`~tokenlab.attention.MultiHeadSelfAttention` (causal in a
    decoder: pass ``causal=True``), the cross-attention a
    :class:`~tokenlab.attention.MultiHeadCrossAttention` whose keys and values come from the
    encoder's output ``memory``. Inputs are batch-first ``(batch, L, dim)`` or unbatched
    ``(L, dim)``. With ``keep_attention`` True (an attribute too), each forward keeps the weights
    per head, detached: ``last_self_attention`` ``(batch, heads, Lt, Lt)`` and
    ``last_cross_attention`` ``(batch, heads, Lt, Ls)``; with False both attentions take the fast
    path (torch's fused kernel) and keep None.

    Parameters
    ----------
    dim : int
        Model width.
    heads : int
        Attention heads; ``dim`` must be divisible by it.
    ff_dim : int
        Hidden width of the feed-forward network.
    dropout : float, default 0.0
        Dropout on both attentions' weights, the feed-forward hidden layer and every residual
        branch.
    norm_first : bool, default False
        Pre-norm if True, post-norm otherwise.
    activation : {"relu", "gelu"} or callable, default "relu"
        The feed-forward activation.
    layer_norm_eps : float, default 1e-5
        The layer norms' epsilon.
    keep_attention : bool, default True
        Keep the attention weights (see above).

    Examples
    --------
    >>> block = TransformerDecoderBlock(8, 2, 16)
    >>> g = torch.Generator().manual_seed(0)
    >>> x, memory = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g)
    >>> block(x, memory, causal=True).shape
    torch.Size([2, 3, 8])
    >>> block.last_cross_attention.shape, block.last_self_attention[0, 0, 0]
    (torch.Size([2, 2, 3, 5]), tensor([1., 0., 0.]))
    """

    last_self_attention: torch.Tensor | None
    last_cross_attention: torch.Tensor | None

    def __init__(
        self,
        dim: int,
        heads: int,
        ff_dim: int,
        *,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str | Callable[[torch.Tensor], torch.Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        keep_attention: bool = True,
    ) -> None:
        super().__init__()
        activation = _activation(activation)
        ff_dim = check_int(ff_dim, "ff_dim", 1)
        self.self_attn = MultiHeadSelfAttention(dim, heads, dropout=dropout)
        self.multihead_attn = MultiHeadCrossAttention(dim, heads, dropout=dropout)
        self.linear1 = nn.Linear(dim, ff_dim)
        self.linear2 = nn.Linear(ff_dim, dim)
        self.norm1 = nn.LayerNorm(dim, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(dim, eps=layer_norm_eps)
        self.norm3 = nn.LayerNorm(dim, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation = activation
        self.norm_first = norm_first
        self.keep_attention = keep_attention
        self.last_self_attention = None
        self.last_cross_attention = None

    @classmethod
    def from_torch(
        cls, layer: nn.TransformerDecoderLayer, *, keep_attention: bool = True
    ) -> TransformerDecoderBlock:
        """A copy of a batch-first :class:`torch.nn.TransformerDecoderLayer`'s weights.

        Examples
        --------
        >>> ref = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        >>> block = TransformerDecoderBlock.from_torch(ref)
        >>> x, memory = torch.randn(1, 3, 8), torch.randn(1, 4, 8)
        >>> torch.allclose(block(x, memory), ref(x, memory), atol=1e-5)
        True
        """
        if not isinstance(layer, nn.TransformerDecoderLayer):
            raise TypeError(
                f"layer must be a torch.nn.TransformerDecoderLayer, got {type(layer).__name__}"
            )
        if not layer.self_attn.batch_first:
            raise ValueError("from_torch needs a TransformerDecoderLayer with batch_first=True")
        attn = layer.self_attn
        block = cls(
            attn.embed_dim, attn.num_heads, layer.linear1.out_features,
            dropout=layer.dropout.p, norm_first=layer.norm_first,
            activation=_torch_activation(layer.activation), layer_norm_eps=layer.norm1.eps,
            keep_attention=keep_attention,
        )
        block.self_attn = MultiHeadSelfAttention.from_torch(attn)
        block.multihead_attn = MultiHeadCrossAttention.from_torch(layer.multihead_attn)
        for name in ("linear1", "linear2", "norm1", "norm2", "norm3"):
            getattr(block, name).load_state_dict(getattr(layer, name).state_dict())
        w = attn.in_proj_weight
        return block.to(device=w.device, dtype=w.dtype)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        *,
        tgt_key_padding_mask: torch.Tensor | None = None,
        memory_key_padding_mask: torch.Tensor | None = None,
        tgt_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
        causal: bool = False,
    ) -> torch.Tensor:
        """Run the block; masks follow torch's convention (boolean True = ignore, float added).

        Parameters
        ----------
        x : torch.Tensor
            The target side, ``(batch, Lt, dim)`` or ``(Lt, dim)``.
        memory : torch.Tensor
            The encoder's output, ``(batch, Ls, dim)`` or ``(Ls, dim)``.
        tgt_key_padding_mask : torch.Tensor, optional
            ``(batch, Lt)``, True = target padding.
        memory_key_padding_mask : torch.Tensor, optional
            ``(batch, Ls)``, True = source padding.
        tgt_mask : torch.Tensor, optional
            ``(Lt, Lt)`` mask of the self-attention (True = blocked).
        memory_mask : torch.Tensor, optional
            ``(Lt, Ls)`` mask of the cross-attention (True = blocked).
        causal : bool, default False
            Hide future target positions in the self-attention (what a decoder needs).

        Returns
        -------
        torch.Tensor
            Same shape as ``x``.
        """
        keep = self.keep_attention

        def self_block(h: torch.Tensor) -> torch.Tensor:
            out, weights = self.self_attn(
                h, key_padding_mask=tgt_key_padding_mask, attn_mask=tgt_mask, causal=causal,
                need_weights=keep, average_attn_weights=False,
            )
            self.last_self_attention = None if weights is None else weights.detach()
            return self.dropout1(out)

        def cross_block(h: torch.Tensor) -> torch.Tensor:
            out, weights = self.multihead_attn(
                h, memory, key_padding_mask=memory_key_padding_mask, attn_mask=memory_mask,
                need_weights=keep, average_attn_weights=False,
            )
            self.last_cross_attention = None if weights is None else weights.detach()
            return self.dropout2(out)

        def feed_forward(h: torch.Tensor) -> torch.Tensor:
            return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(h)))))

        if self.norm_first:
            x = x + self_block(self.norm1(x))
            x = x + cross_block(self.norm2(x))
            x = x + feed_forward(self.norm3(x))
        else:
            x = self.norm1(x + self_block(x))
            x = self.norm2(x + cross_block(x))
            x = self.norm3(x + feed_forward(x))
        return x


# ----------------------------------------------------------------------------- Seq2Seq


def _check_ids(ids: Any, name: str, vocab: int, context: int) -> torch.Tensor:
    """``ids`` as a 2-D int64 tensor ``(batch, L)`` with ``1 <= L <= context``, ids in vocab."""
    if not isinstance(ids, torch.Tensor):
        try:
            ids = torch.as_tensor(ids)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{name} must be a tensor or a regular nested list of ids: {exc}") \
                from None
    if ids.dtype == torch.bool or ids.is_floating_point() or ids.is_complex():
        raise TypeError(f"{name} must hold integer ids, got dtype {ids.dtype}")
    if ids.dim() != 2:
        raise ValueError(f"{name} must have shape (batch, length), got {tuple(ids.shape)}")
    if ids.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one position, got shape {tuple(ids.shape)}")
    if ids.shape[1] > context:
        raise ValueError(
            f"{name} has length {ids.shape[1]}, longer than the model's context={context}"
        )
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab):
        raise ValueError(
            f"{name} holds ids outside the vocabulary [0, {vocab}): min {int(ids.min())}, "
            f"max {int(ids.max())}"
        )
    return ids.to(torch.int64)


class Seq2Seq(nn.Module):
    """An encoder-decoder Transformer: source ids in, next-target-token logits out.

    ::

        src    -> embedding + positions -> encoder blocks -> norm -> memory
        tgt_in -> embedding + positions -> decoder blocks (causal self-attention,
                  cross-attention to memory) -> norm -> linear -> logits

    The blocks are :class:`~tokenlab.attention.TransformerEncoderBlock` and
    :class:`TransformerDecoderBlock`; the final layer norms of both stacks are those of
    :class:`torch.nn.Transformer` (which has them in both its post-norm and pre-norm forms), so
    that :meth:`from_torch` copies one exactly. Id ``pad`` marks padding on both sides: padded
    source positions are hidden from the encoder's self-attention and from the cross-attention,
    padded target positions from the decoder's self-attention, and :meth:`loss` ignores them.

    Parameters
    ----------
    src_vocab, tgt_vocab : int
        Sizes of the source and target vocabularies (``>= 2``).
    width : int
        Model width; even, and divisible by ``heads``.
    heads : int
        Attention heads of every attention layer.
    enc_layers, dec_layers : int
        Number of encoder and decoder blocks (``>= 1``).
    ff : int, optional
        Hidden width of the feed-forward networks; ``4 * width`` by default.
    context : int
        Longest source and longest target the model accepts.
    dropout : float, default 0.0
        Dropout after the embeddings and inside every block.
    norm_first : bool, default False
        Pre-norm blocks if True, post-norm (the original Transformer) otherwise.
    positions : {"sinusoidal", "learned"}, default "sinusoidal"
        :class:`~tokenlab.positional.SinusoidalPositionalEncoding` or
        :class:`~tokenlab.positional.LearnedPositionalEmbedding`, one for each side.
    pad : int, default 0
        The padding id, the same in both vocabularies.
    seed : int, optional
        Seed of the weights' initialization (torch's global generator is left untouched);
        without it, torch's global generator draws them.

    Examples
    --------
    >>> model = Seq2Seq(12, 20, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=0)
    >>> src, tgt = torch.tensor([[4, 5, 6]]), torch.tensor([[1, 7, 8, 2]])
    >>> model.loss(src, tgt[:, :-1], tgt[:, 1:]).shape
    torch.Size([])
    >>> model.cross_attention(src, tgt[:, :-1]).shape   # (layers, batch, heads, Lt, Ls)
    torch.Size([1, 1, 2, 3, 3])
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        *,
        width: int,
        heads: int,
        enc_layers: int,
        dec_layers: int,
        ff: int | None = None,
        context: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        positions: str = "sinusoidal",
        pad: int = 0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.src_vocab = check_int(src_vocab, "src_vocab", 2)
        self.tgt_vocab = check_int(tgt_vocab, "tgt_vocab", 2)
        self.width = check_int(width, "width", 2)
        self.heads = check_int(heads, "heads", 1)
        if self.width % self.heads:
            raise ValueError(f"width={self.width} must be divisible by heads={self.heads}")
        self.enc_layers = check_int(enc_layers, "enc_layers", 1)
        self.dec_layers = check_int(dec_layers, "dec_layers", 1)
        self.ff = 4 * self.width if ff is None else check_int(ff, "ff", 1)
        self.context = check_int(context, "context", 1)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not (
            0.0 <= dropout < 1.0
        ):
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        if positions not in ("sinusoidal", "learned"):
            raise ValueError(f"positions must be 'sinusoidal' or 'learned', got {positions!r}")
        if positions == "sinusoidal" and self.width % 2:
            raise ValueError(f"width must be even for sinusoidal positions, got {self.width}")
        self.pad = check_int(pad, "pad", 0)
        if self.pad >= min(self.src_vocab, self.tgt_vocab):
            raise ValueError(
                f"pad={self.pad} must be an id of both vocabularies (below "
                f"{min(self.src_vocab, self.tgt_vocab)})"
            )
        if seed is not None:
            seed = check_int(seed, "seed", 0)
        self.norm_first, self.positions = norm_first, positions
        with torch.random.fork_rng(devices=[]):
            generator = None
            if seed is not None:
                torch.manual_seed(seed)
                generator = torch.Generator().manual_seed(seed + 1)
            self._build(float(dropout), generator)

    def _build(self, dropout: float, generator: torch.Generator | None) -> None:
        w = self.width
        self.src_embed = nn.Embedding(self.src_vocab, w)
        self.tgt_embed = nn.Embedding(self.tgt_vocab, w)
        if self.positions == "sinusoidal":
            self.src_pos: nn.Module = SinusoidalPositionalEncoding(w, max_len=self.context)
            self.tgt_pos: nn.Module = SinusoidalPositionalEncoding(w, max_len=self.context)
        else:
            self.src_pos = LearnedPositionalEmbedding(self.context, w, generator=generator)
            self.tgt_pos = LearnedPositionalEmbedding(self.context, w, generator=generator)
        self.embed_dropout = nn.Dropout(dropout)
        self.encoder = nn.ModuleList(
            TransformerEncoderBlock(w, self.heads, self.ff, dropout=dropout,
                                    norm_first=self.norm_first, keep_attention=False)
            for _ in range(self.enc_layers)
        )
        self.decoder = nn.ModuleList(
            TransformerDecoderBlock(w, self.heads, self.ff, dropout=dropout,
                                    norm_first=self.norm_first, keep_attention=False)
            for _ in range(self.dec_layers)
        )
        self.enc_norm = nn.LayerNorm(w)
        self.dec_norm = nn.LayerNorm(w)
        self.head = nn.Linear(w, self.tgt_vocab)

    @classmethod
    def from_torch(
        cls,
        transformer: nn.Transformer,
        src_vocab: int,
        tgt_vocab: int,
        *,
        context: int,
        positions: str = "sinusoidal",
        pad: int = 0,
        seed: int | None = None,
    ) -> Seq2Seq:
        """A Seq2Seq whose encoder and decoder are copies of a batch-first ``nn.Transformer``.

        :class:`torch.nn.Transformer` has no embeddings and no output layer: those are new
        (initialized from ``seed``). Given the same embedded inputs, :meth:`encode` and
        :meth:`decode` equal the torch module's encoder and whole forward.

        Examples
        --------
        >>> ref = nn.Transformer(8, 2, 1, 1, 16, dropout=0.0, batch_first=True)
        >>> model = Seq2Seq.from_torch(ref, 10, 10, context=6, seed=0)
        >>> src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6]])
        >>> mask = nn.Transformer.generate_square_subsequent_mask(2)
        >>> want = ref(model.embed_source(src), model.embed_target(tgt), tgt_mask=mask)
        >>> torch.allclose(model.decode(tgt, model.encode(src), src), want, atol=1e-5)
        True
        """
        if not isinstance(transformer, nn.Transformer):
            raise TypeError(
                f"transformer must be a torch.nn.Transformer, got {type(transformer).__name__}"
            )
        enc, dec = list(transformer.encoder.layers), list(transformer.decoder.layers)
        first = enc[0]
        if not first.self_attn.batch_first:
            raise ValueError("from_torch needs an nn.Transformer with batch_first=True")
        if transformer.encoder.norm is None or transformer.decoder.norm is None:
            raise ValueError("from_torch needs the final norms nn.Transformer builds")
        w = first.self_attn.in_proj_weight
        model = cls(
            src_vocab, tgt_vocab, width=transformer.d_model, heads=transformer.nhead,
            enc_layers=len(enc), dec_layers=len(dec), ff=first.linear1.out_features,
            context=context, dropout=first.dropout.p, norm_first=first.norm_first,
            positions=positions, pad=pad, seed=seed,
        )
        model.encoder = nn.ModuleList(
            TransformerEncoderBlock.from_torch(layer, keep_attention=False) for layer in enc
        )
        model.decoder = nn.ModuleList(
            TransformerDecoderBlock.from_torch(layer, keep_attention=False) for layer in dec
        )
        model.enc_norm.load_state_dict(transformer.encoder.norm.state_dict())
        model.dec_norm.load_state_dict(transformer.decoder.norm.state_dict())
        return model.to(device=w.device, dtype=w.dtype)

    # ---- the pieces ------------------------------------------------------------------------

    def _device(self) -> torch.device:
        return self.head.weight.device

    def embed_source(self, src: Any) -> torch.Tensor:
        """Source ids ``(batch, Ls)`` -> embeddings plus positions ``(batch, Ls, width)``."""
        src = _check_ids(src, "src", self.src_vocab, self.context).to(self._device())
        return self.embed_dropout(self.src_pos(self.src_embed(src)))

    def embed_target(self, tgt_in: Any) -> torch.Tensor:
        """Target ids ``(batch, Lt)`` -> embeddings plus positions ``(batch, Lt, width)``."""
        tgt_in = _check_ids(tgt_in, "tgt_in", self.tgt_vocab, self.context).to(self._device())
        return self.embed_dropout(self.tgt_pos(self.tgt_embed(tgt_in)))

    def encode(self, src: Any) -> torch.Tensor:
        """The encoder's output (the *memory*) for source ids ``(batch, Ls)``.

        Returns
        -------
        torch.Tensor
            ``(batch, Ls, width)``; rows at padded positions are computed like any other (the
            decoder never reads them).
        """
        src = _check_ids(src, "src", self.src_vocab, self.context).to(self._device())
        padding = src == self.pad
        h = self.embed_source(src)
        for block in self.encoder:
            h = block(h, key_padding_mask=padding)
        return self.enc_norm(h)

    def decode(self, tgt_in: Any, memory: torch.Tensor, src: Any) -> torch.Tensor:
        """The decoder's output vectors (before the output layer) ``(batch, Lt, width)``.

        Parameters
        ----------
        tgt_in : array-like of int
            Target ids ``(batch, Lt)``, starting with the start token.
        memory : torch.Tensor
            :meth:`encode`'s output ``(batch, Ls, width)``.
        src : array-like of int
            The source ids ``(batch, Ls)`` (their padding is hidden from the cross-attention).
        """
        tgt_in = _check_ids(tgt_in, "tgt_in", self.tgt_vocab, self.context).to(self._device())
        src = _check_ids(src, "src", self.src_vocab, self.context).to(self._device())
        if not isinstance(memory, torch.Tensor) or tuple(memory.shape) != (
            src.shape[0], src.shape[1], self.width
        ):
            shape = tuple(memory.shape) if isinstance(memory, torch.Tensor) else type(memory)
            raise ValueError(
                f"memory must have shape (batch, Ls, width) = "
                f"{(src.shape[0], src.shape[1], self.width)}, got {shape}"
            )
        if tgt_in.shape[0] != src.shape[0]:
            raise ValueError(
                f"tgt_in and src must have the same batch size, got {tgt_in.shape[0]} and "
                f"{src.shape[0]}"
            )
        h = self.embed_target(tgt_in)
        tgt_padding, src_padding = tgt_in == self.pad, src == self.pad
        for block in self.decoder:
            h = block(h, memory, tgt_key_padding_mask=tgt_padding,
                      memory_key_padding_mask=src_padding, causal=True)
        return self.dec_norm(h)

    # ---- the model -------------------------------------------------------------------------

    def forward(self, src: Any, tgt_in: Any) -> torch.Tensor:
        """Logits ``(batch, Lt, tgt_vocab)``: at position ``t``, scores for target token ``t+1``.

        Parameters
        ----------
        src : array-like of int
            Source ids ``(batch, Ls)``, padded with ``pad``.
        tgt_in : array-like of int
            Target ids ``(batch, Lt)`` shifted right: the start token, then the target without
            its last token; padded with ``pad``.

        Raises
        ------
        ValueError
            If ids are outside a vocabulary, a side is longer than ``context`` or empty, or the
            batch sizes differ (the message names the argument).
        TypeError
            If the ids are not integers.
        """
        return self.head(self.decode(tgt_in, self.encode(src), src))

    def loss(self, src: Any, tgt_in: Any, tgt_out: Any) -> torch.Tensor:
        """Mean cross-entropy of the next target token, padding (``pad`` in ``tgt_out``) ignored.

        Equals ``F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=pad)``.
        """
        logits = self(src, tgt_in)
        tgt_out = _check_ids(tgt_out, "tgt_out", self.tgt_vocab, self.context).to(logits.device)
        if tgt_out.shape != logits.shape[:2]:
            raise ValueError(
                f"tgt_out must have the shape of tgt_in {tuple(logits.shape[:2])}, "
                f"got {tuple(tgt_out.shape)}"
            )
        return F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=self.pad)

    def cross_attention(self, src: Any, tgt_in: Any) -> torch.Tensor:
        """The cross-attention weights of every decoder block, for a heatmap.

        Returns
        -------
        torch.Tensor
            ``(dec_layers, batch, heads, Lt, Ls)``: row ``t`` is how target position ``t``
            (predicting token ``t + 1``) spreads its attention over the source positions;
            padded source positions get 0.
        """
        keep = [block.keep_attention for block in self.decoder]
        try:
            for block in self.decoder:
                block.keep_attention = True
            with torch.no_grad():
                self(src, tgt_in)
            return torch.stack([block.last_cross_attention for block in self.decoder])
        finally:
            for block, k in zip(self.decoder, keep, strict=True):
                block.keep_attention = k

    def translate(
        self, src_ids: Any, max_len: int, *, bos: int, eos: int
    ) -> list[list[int]]:
        """Greedy decoding: start from ``bos``, append the most likely token until ``eos``.

        Runs in eval mode (no dropout) without gradients, and restores the training mode.

        Parameters
        ----------
        src_ids : array-like of int
            Source ids ``(batch, Ls)`` padded with ``pad``, or one sequence ``(Ls,)``.
        max_len : int
            Most target tokens to generate (``eos`` included), ``1 <= max_len <= context``.
        bos, eos : int
            The start and end ids of the target vocabulary (neither may be ``pad``).

        Returns
        -------
        list of list of int
            One list per source sequence: the generated ids, without ``bos`` and ``eos`` (a
            sequence that reaches ``max_len`` without ``eos`` is returned as it is).
        """
        src = src_ids if isinstance(src_ids, torch.Tensor) else torch.as_tensor(src_ids)
        if src.dim() == 1:
            src = src[None]
        src = _check_ids(src, "src_ids", self.src_vocab, self.context).to(self._device())
        max_len = check_int(max_len, "max_len", 1)
        if max_len > self.context:
            raise ValueError(f"max_len must be at most context={self.context}, got {max_len}")
        for name, value in (("bos", bos), ("eos", eos)):
            value = check_int(value, name, 0)
            if value >= self.tgt_vocab or value == self.pad:
                raise ValueError(
                    f"{name}={value} must be a target id in [0, {self.tgt_vocab}) other than "
                    f"pad={self.pad}"
                )
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                memory = self.encode(src)
                out = torch.full((src.shape[0], 1), bos, dtype=torch.int64, device=src.device)
                done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
                for _ in range(max_len):
                    logits = self.head(self.decode(out, memory, src)[:, -1])
                    nxt = logits.argmax(-1).masked_fill(done, self.pad)
                    out = torch.cat([out, nxt[:, None]], dim=1)
                    done |= nxt == eos
                    if bool(done.all()):
                        break
        finally:
            self.train(was_training)
        result = []
        for row in out[:, 1:].tolist():
            result.append(row[: row.index(eos)] if eos in row else row)
        return result

    def extra_repr(self) -> str:
        return (f"src_vocab={self.src_vocab}, tgt_vocab={self.tgt_vocab}, pad={self.pad}, "
                f"context={self.context}, positions={self.positions!r}")


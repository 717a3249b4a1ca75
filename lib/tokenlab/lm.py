"""Language models: predict the next token; a decoder-only GPT, sampling, a KV cache, n-grams.

A language model (언어 모델) gives, for every prefix of a token sequence, a probability
distribution over the next token. This module holds the two kinds the book compares:

* :class:`GPT` -- a decoder-only Transformer: token embeddings plus positions, pre-norm blocks of
  *causal* self-attention (from :mod:`tokenlab.attention`, never a second attention) and a
  feed-forward network, a final layer norm and a linear head (tied to the embeddings by
  default). :meth:`GPT.generate` samples from it, with or without a :class:`KVCache`;
* :class:`NGramLM` -- a count model: the next token's probability given the ``n - 1`` tokens
  before it, with add-k smoothing;
* :func:`filter_logits` -- temperature, top-k and top-p (nucleus) filtering, the one definition
  the chapter, its exercises and the generation widget use;
* :func:`perplexity` -- ``exp`` of the mean next-token loss, for either model;
* :class:`Seq2Seq` -- an encoder-decoder Transformer with cross-attention (defined in
  ``tokenlab._seq2seq``, with :class:`TransformerDecoderBlock` and the Sino-Korean number
  readings :func:`korean_number` / :func:`parse_korean_number` of its chapter).

Examples
--------
>>> model = GPT(10, width=8, heads=2, layers=1, context=6)
>>> ids = torch.tensor([[1, 2, 3, 4]])
>>> model(ids).shape
torch.Size([1, 4, 10])
>>> model.generate(ids, 3, temperature=0).shape  # greedy
torch.Size([1, 7])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tokenlab._checks import check_int
from tokenlab._seq2seq import (
    Seq2Seq,
    TransformerDecoderBlock,
    korean_number,
    parse_korean_number,
)
from tokenlab.attention import MultiHeadSelfAttention, scaled_dot_product_attention
from tokenlab.positional import sinusoidal

__all__ = [
    "GPT",
    "DecoderBlock",
    "KVCache",
    "NGramLM",
    "Seq2Seq",
    "TransformerDecoderBlock",
    "filter_logits",
    "korean_number",
    "parse_korean_number",
    "perplexity",
]


# ----------------------------------------------------------------------------- checks


def _as_ids(ids: Any, name: str = "ids", device: torch.device | None = None) -> torch.Tensor:
    """``ids`` as an int64 tensor (lists, NumPy arrays and tensors accepted; never copied twice)."""
    if not isinstance(ids, torch.Tensor):
        try:
            ids = torch.as_tensor(ids, device=device)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{name} must be a tensor or a regular (nested) list: {exc}") from None
        if ids.numel() == 0:  # [] becomes float32
            ids = ids.long()
    if ids.dtype == torch.bool or ids.is_floating_point() or ids.is_complex():
        raise TypeError(f"{name} must hold integer token ids, got dtype {ids.dtype}")
    if device is not None and ids.device != device:
        ids = ids.to(device)
    return ids.long()


def _check_range(ids: torch.Tensor, vocab_size: int, name: str = "ids") -> None:
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
        raise ValueError(
            f"{name} must lie in [0, vocab_size={vocab_size}), got values from "
            f"{int(ids.min())} to {int(ids.max())}"
        )


def _check_sampling(
    temperature: float, top_k: int | None, top_p: float | None
) -> tuple[float, int | None, float | None]:
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise TypeError(f"temperature must be a number, got {temperature!r}")
    if not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be finite and >= 0, got {temperature}")
    if top_k is not None:
        top_k = check_int(top_k, "top_k", 1)
    if top_p is not None:
        if isinstance(top_p, bool) or not isinstance(top_p, int | float):
            raise TypeError(f"top_p must be a number, got {top_p!r}")
        if not 0.0 < top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    return float(temperature), top_k, top_p


# ----------------------------------------------------------------------------- sampling


def filter_logits(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """Next-token probabilities after temperature, top-k and top-p filtering.

    The steps, in this order (the order of Hugging Face's ``generate``):

    1. temperature: ``softmax(logits / temperature)``; ``temperature == 0`` puts all the
       probability on the most likely token (the first one on a tie): greedy decoding;
    2. top-k: keep exactly the ``k`` most likely tokens (ties broken by :func:`torch.topk`),
       zero the rest;
    3. top-p (nucleus): of what is left, keep the smallest set of most likely tokens whose
       probability reaches ``p`` (the most likely token is always kept);
    4. renormalize to sum to 1.

    Parameters
    ----------
    logits : torch.Tensor
        Scores over the vocabulary, shape ``(..., vocab_size)``; not modified.
    temperature : float, default 1.0
        ``>= 0``. Below 1 sharpens the distribution, above 1 flattens it.
    top_k : int, optional
        ``>= 1``; ``None`` keeps all. A ``top_k`` above the vocabulary size keeps all.
    top_p : float, optional
        In ``(0, 1]``; ``None`` (or 1) keeps all.

    Returns
    -------
    torch.Tensor
        Probabilities, same shape as ``logits``, float32 (float64 for float64 logits).

    Examples
    --------
    >>> logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    >>> filter_logits(logits)
    tensor([0.6439, 0.2369, 0.0871, 0.0321])
    >>> filter_logits(logits, top_k=2)
    tensor([0.7311, 0.2689, 0.0000, 0.0000])
    >>> filter_logits(logits, top_p=0.8)  # 0.64 < 0.8 <= 0.64 + 0.24
    tensor([0.7311, 0.2689, 0.0000, 0.0000])
    >>> filter_logits(logits, temperature=0)
    tensor([1., 0., 0., 0.])
    """
    if not isinstance(logits, torch.Tensor):
        logits = torch.as_tensor(logits, dtype=torch.float32)
    if not logits.is_floating_point():
        logits = logits.float()
    if logits.dim() == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have a non-empty last (vocabulary) dimension, got "
                         f"shape {tuple(logits.shape)}")
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p)
    compute = torch.float64 if logits.dtype == torch.float64 else torch.float32
    x = logits.to(compute)
    if torch.isnan(x).any():
        raise ValueError("logits must not contain NaN")
    if temperature == 0:
        return F.one_hot(x.argmax(-1), x.shape[-1]).to(compute)
    probs = torch.softmax(x / temperature, dim=-1)
    if top_k is not None and top_k < x.shape[-1]:
        kept = torch.zeros_like(probs, dtype=torch.bool)
        kept.scatter_(-1, probs.topk(top_k, dim=-1).indices, True)
        probs = probs * kept
    if top_p is not None and top_p < 1.0:
        probs = probs / probs.sum(-1, keepdim=True)
        sorted_p, order = probs.sort(dim=-1, descending=True, stable=True)
        before = sorted_p.cumsum(-1) - sorted_p  # probability of the tokens ranked above
        keep_sorted = before < top_p
        keep_sorted[..., 0] = True
        kept = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        probs = probs * kept
    return probs / probs.sum(-1, keepdim=True)


def _sample(probs: torch.Tensor, greedy: bool, generator: torch.Generator | None) -> torch.Tensor:
    """One id per row of ``probs`` ``(B, V)``, as ``(B, 1)``."""
    if greedy:
        return probs.argmax(-1, keepdim=True)
    return torch.multinomial(probs, 1, generator=generator)


# ----------------------------------------------------------------------------- the GPT


class KVCache:
    """The keys and values a :class:`GPT` has computed so far, one pair per block.

    Generation feeds one new token per step; without a cache every step recomputes the keys and
    values of the whole prefix (work quadratic in the length), with it only the new token's.
    ``keys[i]`` and ``values[i]`` are ``(batch, heads, length, head_dim)`` for block ``i``.

    Examples
    --------
    >>> model = GPT(10, width=8, heads=2, layers=2, context=8).eval()
    >>> cache = KVCache()
    >>> full = model(torch.tensor([[1, 2, 3]]))
    >>> _ = model(torch.tensor([[1, 2]]), cache=cache)
    >>> step = model(torch.tensor([[3]]), cache=cache)  # only the new token
    >>> cache.length, torch.allclose(step[:, -1], full[:, -1], atol=1e-6)
    (3, True)
    """

    def __init__(self) -> None:
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []

    @property
    def length(self) -> int:
        """Number of positions cached (0 when empty)."""
        return self.keys[0].shape[-2] if self.keys else 0

    def clear(self) -> None:
        """Forget everything (generation past the context window starts again from here)."""
        self.keys.clear()
        self.values.clear()

    def __repr__(self) -> str:
        return f"KVCache(layers={len(self.keys)}, length={self.length})"


class DecoderBlock(nn.Module):
    """A pre-norm decoder block: ``x + attn(ln1(x))`` (causal), then ``x + ff(ln2(x))``.

    ``attn`` is a :class:`tokenlab.attention.MultiHeadSelfAttention`; ``ff`` is
    ``nn.Sequential(Linear(width, ff), GELU(), Linear(ff, width))``. Dropout (training only)
    acts on the attention weights and on both residual branches.

    Examples
    --------
    >>> block = DecoderBlock(8, 2, 32)
    >>> block(torch.zeros(1, 3, 8)).shape
    torch.Size([1, 3, 8])
    """

    def __init__(self, width: int, heads: int, ff: int, *, dropout: float = 0.0) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(width, eps=1e-5)
        self.attn = MultiHeadSelfAttention(width, heads, dropout=dropout)
        self.ln2 = nn.LayerNorm(width, eps=1e-5)
        self.ff = nn.Sequential(nn.Linear(width, ff), nn.GELU(), nn.Linear(ff, width))
        self.drop = nn.Dropout(dropout)

    def _attend_cached(self, h: torch.Tensor, cache: KVCache, index: int) -> torch.Tensor:
        """Attention of the new positions ``h`` to the cached ones and to themselves."""
        attn = self.attn
        batch, length, width = h.shape

        def split(t: torch.Tensor) -> torch.Tensor:  # (B, L, W) -> (B, H, L, head_dim)
            return t.view(batch, length, attn.heads, attn.head_dim).transpose(1, 2)

        q, k, v = split(attn.q_proj(h)), split(attn.k_proj(h)), split(attn.v_proj(h))
        if index < len(cache.keys):
            past = cache.keys[index].shape[-2]
            k = torch.cat((cache.keys[index], k), dim=-2)
            v = torch.cat((cache.values[index], v), dim=-2)
            cache.keys[index], cache.values[index] = k, v
        else:
            past = 0
            cache.keys.append(k)
            cache.values.append(v)
        # New query i sits at position past + i: it sees keys 0 .. past + i (bottom-right causal).
        # One new query (a generation step) sees every key: no mask needed.
        total = past + length
        allowed = None if length == 1 else (
            torch.arange(total, device=h.device)[None, :]
            <= torch.arange(past, total, device=h.device)[:, None]
        )
        out, _ = scaled_dot_product_attention(q, k, v, mask=allowed, need_weights=False)
        return attn.out_proj(out.transpose(1, 2).reshape(batch, length, width))

    def forward(
        self, x: torch.Tensor, *, cache: KVCache | None = None, index: int = 0
    ) -> torch.Tensor:
        """Run the block on ``x`` ``(batch, L, width)``; with ``cache``, ``x`` is the new part."""
        h = self.ln1(x)
        if cache is None:
            a, _ = self.attn(h, causal=True, need_weights=False)
        else:
            a = self._attend_cached(h, cache, index)
        x = x + self.drop(a)
        return x + self.drop(self.ff(self.ln2(x)))


class GPT(nn.Module):
    """A decoder-only Transformer language model (GPT-style, pre-norm).

    ``logits = head(ln_f(blocks(tok(ids) + positions)))``; every block attends causally, so the
    logits at position ``t`` depend on tokens ``0..t`` only and predict token ``t + 1``.

    State-dict names (the generation widget reads them): ``tok.weight`` ``(V, W)``,
    ``pos.weight`` ``(context, W)`` (learned positions only), ``blocks.{i}.ln1``,
    ``blocks.{i}.attn.{q,k,v,out}_proj``, ``blocks.{i}.ln2``, ``blocks.{i}.ff.0`` and
    ``blocks.{i}.ff.2`` (the two linear layers around an exact-erf GELU), ``ln_f``, and
    ``head.weight`` (the same tensor as ``tok.weight`` when ``tie_weights``).

    Parameters
    ----------
    vocab_size : int
        Number of token ids ``V``.
    width : int
        Model width ``W`` (divisible by ``heads``; even for sinusoidal positions).
    heads : int
        Attention heads per block.
    layers : int
        Number of decoder blocks.
    context : int
        The longest sequence the model reads (its position table's length).
    ff : int, optional
        Hidden width of the feed-forward networks; ``4 * width`` by default.
    dropout : float, default 0.0
        Dropout (training mode only) on the embeddings, attention weights and residual branches.
    positions : {"learned", "sinusoidal"}, default "learned"
        Learned position embeddings (``pos``) or the fixed sinusoidal table of
        :func:`tokenlab.positional.sinusoidal` (a buffer, not in the state dict).
    tie_weights : bool, default True
        Share the output head's weight with the token embedding.

    Examples
    --------
    >>> model = GPT(20, width=16, heads=2, layers=2, context=8)
    >>> ids = torch.tensor([[1, 2, 3], [4, 5, 6]])
    >>> model(ids).shape
    torch.Size([2, 3, 20])
    >>> model.head.weight is model.tok.weight
    True
    """

    def __init__(
        self,
        vocab_size: int,
        *,
        width: int,
        heads: int,
        layers: int,
        context: int,
        ff: int | None = None,
        dropout: float = 0.0,
        positions: str = "learned",
        tie_weights: bool = True,
    ) -> None:
        super().__init__()
        self.vocab_size = check_int(vocab_size, "vocab_size", 1)
        self.width = check_int(width, "width", 1)
        heads = check_int(heads, "heads", 1)
        self.layers = check_int(layers, "layers", 0)
        self.context = check_int(context, "context", 1)
        self.ff_width = 4 * width if ff is None else check_int(ff, "ff", 1)
        if width % heads:
            raise ValueError(f"width={width} must be divisible by heads={heads}")
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) \
                or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        if positions not in ("learned", "sinusoidal"):
            raise ValueError(f"positions must be 'learned' or 'sinusoidal', got {positions!r}")
        if positions == "sinusoidal" and width % 2:
            raise ValueError(f"width must be even for sinusoidal positions, got {width}")
        self.heads, self.dropout, self.positions = heads, float(dropout), positions
        self.tie_weights = bool(tie_weights)
        self.tok = nn.Embedding(vocab_size, width)
        if positions == "learned":
            self.pos = nn.Embedding(context, width)
        else:
            self.register_buffer("pos_table", sinusoidal(context, width), persistent=False)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            DecoderBlock(width, heads, self.ff_width, dropout=dropout) for _ in range(layers)
        )
        self.ln_f = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, vocab_size, bias=False)
        self.apply(self._init)
        if self.tie_weights:
            self.head.weight = self.tok.weight

    @staticmethod
    def _init(module: nn.Module) -> None:
        """GPT-2's initialization: normal(0, 0.02) weights, zero biases."""
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)

    def positions_table(self) -> torch.Tensor:
        """The position vectors added to the token embeddings, ``(context, width)``, detached.

        Examples
        --------
        >>> GPT(5, width=4, heads=1, layers=1, context=3, positions="sinusoidal"
        ...     ).positions_table()[1]
        tensor([0.8415, 0.5403, 0.0100, 0.9999])
        """
        table = self.pos.weight if self.positions == "learned" else self.pos_table
        return table.detach().clone()

    def num_parameters(self) -> int:
        """Number of trainable parameters (a tied weight counted once)."""
        return sum(p.numel() for p in self.parameters())

    def _check_ids(self, ids: Any) -> tuple[torch.Tensor, bool]:
        device = self.tok.weight.device
        ids = _as_ids(ids, "ids", device)
        if ids.dim() not in (1, 2):
            raise ValueError(f"ids must have shape (batch, length) or (length,), got "
                             f"{tuple(ids.shape)}")
        _check_range(ids, self.vocab_size)
        unbatched = ids.dim() == 1
        return (ids[None] if unbatched else ids), unbatched

    def forward(self, ids: Any, *, cache: KVCache | None = None) -> torch.Tensor:
        """Next-token logits at every position.

        Parameters
        ----------
        ids : torch.Tensor or list
            Token ids, ``(batch, length)`` or ``(length,)``, each in ``[0, vocab_size)``.
        cache : KVCache, optional
            If given, ``ids`` continue the sequence whose keys and values the cache holds: they
            sit at positions ``cache.length ..``, attend to the cached positions and to each
            other (causally), and are appended to the cache.

        Returns
        -------
        torch.Tensor
            Logits ``(batch, length, vocab_size)`` (``(length, vocab_size)`` for 1-D ``ids``).

        Raises
        ------
        ValueError
            If an id is outside the vocabulary, or ``cache.length + length > context``.
        """
        ids, unbatched = self._check_ids(ids)
        start = 0 if cache is None else cache.length
        length = ids.shape[1]
        if start + length > self.context:
            where = f"cache.length={start} + " if start else ""
            raise ValueError(
                f"ids is too long: {where}length={length} exceeds context={self.context}"
            )
        if cache is not None and cache.keys and cache.keys[0].shape[0] != ids.shape[0]:
            raise ValueError(f"ids has batch {ids.shape[0]} but cache holds batch "
                             f"{cache.keys[0].shape[0]}")
        table = self.pos.weight if self.positions == "learned" else self.pos_table
        x = self.drop(self.tok(ids) + table[start:start + length])
        for i, block in enumerate(self.blocks):
            x = block(x, cache=cache, index=i)
        logits = self.head(self.ln_f(x))
        return logits[0] if unbatched else logits

    def loss(self, ids: Any, targets: Any) -> torch.Tensor:
        """Mean cross-entropy of the targets under the logits of ``ids`` (nats per token).

        Equal to ``F.cross_entropy(self(ids).reshape(-1, V), targets.reshape(-1))``.

        Examples
        --------
        >>> model = GPT(4, width=8, heads=2, layers=1, context=5)
        >>> ids = torch.tensor([[0, 1, 2, 3]])
        >>> round(model.loss(ids[:, :-1], ids[:, 1:]).item(), 1)  # about log(4) at init
        1.4
        """
        logits = self(ids)
        targets = _as_ids(targets, "targets", logits.device)
        if targets.shape != logits.shape[:-1]:
            raise ValueError(f"targets must have the shape of ids {tuple(logits.shape[:-1])}, "
                             f"got {tuple(targets.shape)}")
        _check_range(targets, self.vocab_size, "targets")
        return F.cross_entropy(logits.reshape(-1, self.vocab_size), targets.reshape(-1))

    @torch.no_grad()
    def sequence_loss(self, ids: Any, *, batch_size: int = 64) -> torch.Tensor:
        """Mean next-token loss over a long 1-D sequence, predicting every token but the first.

        The sequence is cut into windows of ``context + 1`` ids that overlap by one, so each
        token ``1..N-1`` is predicted once, from at most ``context`` tokens before it (the same
        targets :meth:`NGramLM.loss` predicts for ``n = 2``). Evaluated in eval mode.
        """
        ids = _as_ids(ids, "ids", self.tok.weight.device).reshape(-1)
        if ids.numel() < 2:
            raise ValueError(f"ids needs at least 2 tokens, got {ids.numel()}")
        _check_range(ids, self.vocab_size)
        batch_size = check_int(batch_size, "batch_size", 1)
        c = self.context
        starts = list(range(0, ids.numel() - 1, c))
        was_training = self.training
        self.eval()
        try:
            total = torch.zeros((), dtype=torch.float64, device=ids.device)
            full = [s for s in starts if s + c + 1 <= ids.numel()]
            for i in range(0, len(full), batch_size):
                chunk = torch.stack([ids[s:s + c + 1] for s in full[i:i + batch_size]])
                logits = self(chunk[:, :-1])
                total += F.cross_entropy(logits.reshape(-1, self.vocab_size),
                                         chunk[:, 1:].reshape(-1), reduction="sum").double()
            for s in starts[len(full):]:  # the short last window
                chunk = ids[s:]
                total += F.cross_entropy(self(chunk[:-1]), chunk[1:], reduction="sum").double()
        finally:
            self.train(was_training)
        return (total / (ids.numel() - 1)).float()

    @torch.no_grad()
    def generate(
        self,
        ids: Any,
        max_new_tokens: int,
        *,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        use_cache: bool = True,
    ) -> torch.Tensor:
        """Continue ``ids`` by ``max_new_tokens`` tokens, each drawn from :func:`filter_logits`.

        Runs in eval mode (the module's mode is restored afterwards).

        Past the context window the model reads the last ``context`` tokens only (a sliding
        window). Positions are absolute, so once the window slides every cached key would sit
        at a new position: from then on each step recomputes the window (the cache is
        cleared and refilled), and the output stays identical to ``use_cache=False``.

        Parameters
        ----------
        ids : torch.Tensor or list
            The prompt, ``(batch, length)`` or ``(length,)``, ``1 <= length <= context``.
        max_new_tokens : int
            ``>= 0`` tokens to add.
        temperature, top_k, top_p
            As in :func:`filter_logits`; ``temperature == 0`` is greedy decoding.
        seed : int, optional
            Seed of the sampling generator: the same seed gives the same ids. ``None`` draws
            from torch's global generator.
        use_cache : bool, default True
            Keep a :class:`KVCache`: each step computes the new token only. The ids are the same
            as recomputing the whole prefix at every step (``False``).

        Returns
        -------
        torch.Tensor
            The prompt followed by the new ids, ``(batch, length + max_new_tokens)`` (1-D for a
            1-D prompt).

        Raises
        ------
        ValueError
            For an id outside the vocabulary, an empty prompt or one longer than ``context``,
            ``temperature < 0``, ``top_k < 1``, ``top_p`` outside ``(0, 1]``.

        Examples
        --------
        >>> model = GPT(10, width=8, heads=2, layers=1, context=6)
        >>> a = model.generate([1, 2], 5, seed=0)
        >>> b = model.generate([1, 2], 5, seed=0, use_cache=False)
        >>> a.tolist() == b.tolist(), len(a)
        (True, 7)
        """
        temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p)
        max_new_tokens = check_int(max_new_tokens, "max_new_tokens", 0)
        seq, unbatched = self._check_ids(ids)
        if seq.shape[1] == 0:
            raise ValueError("ids (the prompt) must hold at least one token")
        if seq.shape[1] > self.context:
            raise ValueError(f"ids (the prompt) has length {seq.shape[1]}, longer than "
                             f"context={self.context}")
        generator = None
        if seed is not None:
            generator = torch.Generator(device=seq.device).manual_seed(check_int(seed, "seed", 0))
        greedy = temperature == 0
        was_training = self.training
        self.eval()
        try:
            cache = KVCache() if use_cache else None
            new = seq
            for _ in range(max_new_tokens):
                if cache is None:
                    logits = self(seq[:, -self.context:])[:, -1]
                else:
                    if cache.length + new.shape[1] > self.context:  # the window slides
                        cache.clear()
                        new = seq[:, -self.context:]
                    logits = self(new, cache=cache)[:, -1]
                probs = filter_logits(logits, temperature, top_k, top_p)
                new = _sample(probs, greedy, generator)
                seq = torch.cat((seq, new), dim=1)
        finally:
            self.train(was_training)
        return seq[0] if unbatched else seq


# ----------------------------------------------------------------------------- n-grams


class NGramLM:
    """A count-based n-gram language model with add-k smoothing.

    ``P(w | c) = (count(c, w) + k) / (count(c) + k * V)`` for the context ``c`` of the ``n - 1``
    tokens before ``w``. ``k = 1`` is Laplace smoothing; ``k = 0`` is the raw relative frequency
    (an n-gram never seen in training then has probability 0 and infinite loss). A context never
    seen gives the uniform ``1 / V`` when ``k > 0``.

    Parameters
    ----------
    n : int
        ``>= 1``: ``1`` is a unigram model, ``2`` a bigram model.
    k : float, default 1.0
        The add-k pseudo-count, ``>= 0``.
    vocab_size : int, optional
        ``V``; by default one more than the largest id seen in :meth:`fit`.

    Examples
    --------
    >>> lm = NGramLM(2, k=1.0).fit([[0, 1, 0, 1, 0, 2]])
    >>> [round(p, 4) for p in lm.probs([0]).tolist()]  # after 0: 1 twice, 2 once; +1 each
    [0.1667, 0.5, 0.3333]
    >>> round(lm.perplexity([0, 1, 0, 1]), 3)  # (0.5 * 0.6 * 0.5) ** (-1 / 3)
    1.882
    """

    def __init__(self, n: int, *, k: float = 1.0, vocab_size: int | None = None) -> None:
        self.n = check_int(n, "n", 1)
        if isinstance(k, bool) or not isinstance(k, int | float) or not math.isfinite(k) \
                or k < 0:
            raise ValueError(f"k must be a finite number >= 0, got {k!r}")
        self.k = float(k)
        self.vocab_size = None if vocab_size is None else check_int(vocab_size, "vocab_size", 1)
        self._keys: torch.Tensor | None = None  # sorted (context * V + next) codes
        self._counts: torch.Tensor | None = None
        self._ctx_keys: torch.Tensor | None = None  # sorted context codes
        self._ctx_counts: torch.Tensor | None = None

    def __repr__(self) -> str:
        return f"NGramLM(n={self.n}, k={self.k}, vocab_size={self.vocab_size})"

    @staticmethod
    def _sequences(sequences: Any) -> list[torch.Tensor]:
        if isinstance(sequences, torch.Tensor) and sequences.dim() == 1:
            return [_as_ids(sequences, "sequences", torch.device("cpu"))]
        if isinstance(sequences, Sequence | Iterable) and not isinstance(sequences, str):
            items = list(sequences)
            if items and all(isinstance(x, int) for x in items):
                return [_as_ids(items, "sequences")]
            return [_as_ids(s, "sequences", torch.device("cpu")).reshape(-1) for s in items]
        raise TypeError(f"sequences must be id sequences, got {type(sequences).__name__}")

    def _codes(self, seq: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Context codes and next tokens of every position ``t >= n - 1`` of ``seq``."""
        V, n = self.vocab_size, self.n
        m = seq.numel() - (n - 1)
        if m <= 0:
            return seq.new_zeros(0), seq.new_zeros(0)
        ctx = torch.zeros(m, dtype=torch.long)
        for j in range(n - 1):
            ctx = ctx * V + seq[j:j + m]
        return ctx, seq[n - 1:]

    def fit(self, sequences: Any) -> NGramLM:
        """Count the n-grams of ``sequences`` (one id sequence, or several); returns ``self``.

        n-grams never cross from one sequence into the next.
        """
        seqs = self._sequences(sequences)
        if self.vocab_size is None:
            top = max((int(s.max()) for s in seqs if s.numel()), default=-1)
            if top < 0:
                raise ValueError("sequences hold no token to infer vocab_size from")
            self.vocab_size = top + 1
        if self.vocab_size ** self.n >= 2**62:
            raise ValueError(f"vocab_size ** n = {self.vocab_size}**{self.n} is too large")
        for s in seqs:
            _check_range(s, self.vocab_size, "sequences")
        ctxs, nexts = zip(*(self._codes(s) for s in seqs), strict=True)
        ctx, nxt = torch.cat(ctxs), torch.cat(nexts)
        if ctx.numel() == 0:
            raise ValueError(f"sequences must hold at least one sequence of >= n={self.n} ids")
        self._keys, self._counts = torch.unique(ctx * self.vocab_size + nxt, return_counts=True)
        self._ctx_keys, self._ctx_counts = torch.unique(ctx, return_counts=True)
        return self

    def _fitted(self) -> int:
        if self._keys is None or self.vocab_size is None:
            raise RuntimeError("NGramLM is not fitted: call fit(sequences) first")
        return self.vocab_size

    @staticmethod
    def _lookup(keys: torch.Tensor, counts: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        query = query.contiguous()
        pos = torch.searchsorted(keys, query).clamp(max=keys.numel() - 1)
        return torch.where(keys[pos] == query, counts[pos], torch.zeros_like(query))

    def _log_probs_of(self, ctx: torch.Tensor, nxt: torch.Tensor) -> torch.Tensor:
        V = self._fitted()
        joint = self._lookup(self._keys, self._counts, ctx * V + nxt).double()
        total = self._lookup(self._ctx_keys, self._ctx_counts, ctx).double()
        num, den = joint + self.k, total + self.k * V
        # k = 0 and an unseen context: 0 / 0, taken as probability 0 (infinite loss).
        return torch.where(num > 0, torch.log(num) - torch.log(den.clamp(min=1e-300)),
                           torch.full_like(num, -math.inf))

    def probs(self, context: Any) -> torch.Tensor:
        """``P(next | context)`` over the vocabulary, ``(V,)`` float64; the last ``n - 1`` ids
        of ``context`` are used (fewer than ``n - 1`` is a ``ValueError``)."""
        V = self._fitted()
        context = _as_ids(context, "context", torch.device("cpu")).reshape(-1)
        if context.numel() < self.n - 1:
            raise ValueError(f"context needs at least n - 1 = {self.n - 1} ids, "
                             f"got {context.numel()}")
        _check_range(context, V, "context")
        code = torch.zeros((), dtype=torch.long)
        for t in context[context.numel() - (self.n - 1):]:
            code = code * V + t
        nxt = torch.arange(V)
        return self._log_probs_of(code.expand(V), nxt).exp()

    def loss(self, ids: Any) -> torch.Tensor:
        """Mean next-token loss (nats) of one sequence, over positions ``n - 1 .. N - 1``.

        ``inf`` if some target has probability 0 (possible only with ``k = 0``).
        """
        V = self._fitted()
        ids = _as_ids(ids, "ids", torch.device("cpu")).reshape(-1)
        if ids.numel() < self.n:
            raise ValueError(f"ids needs at least n = {self.n} tokens, got {ids.numel()}")
        _check_range(ids, V)
        ctx, nxt = self._codes(ids)
        return -self._log_probs_of(ctx, nxt).mean()

    sequence_loss = loss

    def perplexity(self, ids: Any) -> float:
        """``exp(self.loss(ids))``."""
        return math.exp(float(self.loss(ids)))

    def sample(
        self,
        ids: Any,
        max_new_tokens: int,
        *,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> torch.Tensor:
        """Continue the 1-D prompt ``ids`` (at least ``n - 1`` ids), as :meth:`GPT.generate`.

        The log-probabilities play the logits' part in :func:`filter_logits`.
        """
        temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p)
        max_new_tokens = check_int(max_new_tokens, "max_new_tokens", 0)
        seq = _as_ids(ids, "ids", torch.device("cpu")).reshape(-1)
        if seq.numel() < self.n - 1:
            raise ValueError(f"ids needs at least n - 1 = {self.n - 1} ids, got {seq.numel()}")
        generator = None if seed is None else torch.Generator().manual_seed(
            check_int(seed, "seed", 0))
        out = seq.tolist()
        for _ in range(max_new_tokens):
            logp = torch.log(self.probs(out[len(out) - (self.n - 1):] if self.n > 1 else []))
            probs = filter_logits(logp, temperature, top_k, top_p)
            out.append(int(_sample(probs[None], temperature == 0, generator)))
        return torch.tensor(out, dtype=torch.long)


# ----------------------------------------------------------------------------- perplexity


def perplexity(model: GPT | NGramLM, ids: Any) -> float:
    """``exp(mean next-token loss)`` of ``model`` on the 1-D sequence ``ids``.

    For a :class:`GPT`, :meth:`GPT.sequence_loss` (windows of ``context``); for an
    :class:`NGramLM`, :meth:`NGramLM.loss`. A perplexity of ``p`` means the model is as unsure
    as a uniform choice among ``p`` tokens; a uniform model over ``V`` tokens has perplexity
    ``V``.

    Examples
    --------
    >>> lm = NGramLM(1, k=1.0, vocab_size=4).fit([0, 1, 2, 3])
    >>> round(perplexity(lm, [3, 2, 1, 0]), 6)
    4.0
    """
    if not hasattr(model, "sequence_loss"):
        raise TypeError(f"model must be a GPT or an NGramLM, got {type(model).__name__}")
    return math.exp(float(model.sequence_loss(ids)))

"""tokenlab._seq2seq (exported as tokenlab.lm): cross-attention, decoder blocks, Seq2Seq, numbers.

References: torch.nn.MultiheadAttention (cross-attention), torch.nn.TransformerDecoderLayer
and torch.nn.Transformer (same weights copied; outputs within 1e-5 in float32, 1e-10 in
float64), F.cross_entropy (the loss), and known Sino-Korean readings.
"""

from __future__ import annotations

import itertools
import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tokenlab.attention import MultiHeadCrossAttention, padding_mask
from tokenlab.lm import (
    Seq2Seq,
    TransformerDecoderBlock,
    korean_number,
    parse_korean_number,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

ATOL = 1e-5  # float32, against torch's modules with the same weights


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------------- Korean numbers

KNOWN = {
    0: "영", 1: "일", 7: "칠", 10: "십", 11: "십일", 20: "이십", 99: "구십구", 100: "백",
    101: "백일", 110: "백십", 1000: "천", 1234: "천이백삼십사", 2005: "이천오", 10000: "만",
    10001: "만일", 11000: "만천", 20001: "이만일", 100000: "십만", 110000: "십일만",
    1000000: "백만", 1002003: "백만이천삼", 3050201: "삼백오만이백일",
    9999999: "구백구십구만구천구백구십구", 10000000: "천만",
    12345678: "천이백삼십사만오천육백칠십팔",
}


@pytest.mark.parametrize(("n", "reading"), sorted(KNOWN.items()))
def test_known_readings(n, reading):
    assert korean_number(n) == reading
    assert parse_korean_number(reading) == n


def _reference_reading(n: int) -> str:
    """An independent reading: each of the eight digits with its full unit, then the rules."""
    if n == 0:
        return "영"
    digits = "영일이삼사오육칠팔구"
    units = ["천", "백", "십", ""]
    text = ""
    for g, group in enumerate((n // 10000, n % 10000)):
        s = f"{group:04d}"
        part = "".join("" if d == "0" else (("" if d == "1" and u else digits[int(d)]) + u)
                       for d, u in zip(s, units, strict=True))
        if g == 0 and group:
            part = ("" if group == 1 else part) + "만"
        text += part
    return text


def test_random_readings_match_an_independent_reference_and_round_trip():
    rng = random.Random(0)
    numbers = [rng.randint(0, 10 ** rng.randint(1, 8) - 1) for _ in range(3000)]
    numbers += list(range(0, 1200)) + [10**k for k in range(8)] + [10**k - 1 for k in range(1, 9)]
    for n in numbers:
        assert korean_number(n) == _reference_reading(n), n
        assert parse_korean_number(korean_number(n)) == n
    assert parse_korean_number("천이백 삼십사") == 1234  # spaces ignored


def test_readings_are_distinct():
    readings = [korean_number(n) for n in range(0, 200_000, 7)]
    assert len(set(readings)) == len(readings)


@pytest.mark.parametrize(("value", "error", "words"), [
    (-1, ValueError, "n must be >= 0"),
    (100_000_000, ValueError, "n must be at most"),
    (1.0, TypeError, "n must be an integer"),
    (True, TypeError, "n must be an integer"),
    ("12", TypeError, "n must be an integer"),
])
def test_korean_number_bad_input(value, error, words):
    with pytest.raises(error, match=words):
        korean_number(value)


@pytest.mark.parametrize(("text", "error", "words"), [
    ("", ValueError, "empty"),
    ("일십", ValueError, "not a reading"),
    ("일만", ValueError, "not a reading"),
    ("영일", ValueError, "two digits"),
    ("만만", ValueError, "만 twice"),
    ("십십", ValueError, "not a reading"),
    ("천a", ValueError, "holds 'a'"),
    (12, TypeError, "text must be a str"),
])
def test_parse_bad_input(text, error, words):
    with pytest.raises(error, match=words):
        parse_korean_number(text)


# ----------------------------------------------------------------------------- cross-attention


def test_cross_attention_equals_torch_multihead_attention():
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(12, 3, batch_first=True)
    ours = MultiHeadCrossAttention.from_torch(ref)
    assert isinstance(ours, MultiHeadCrossAttention)
    g = _gen(1)
    x, memory = torch.randn(3, 4, 12, generator=g), torch.randn(3, 6, 12, generator=g)
    kpm = ~padding_mask([6, 3, 1], 6)
    blocked = torch.rand(4, 6, generator=g) < 0.3
    blocked[:, 0] = False  # every query keeps one key (torch gives NaN otherwise)
    for mask_kwargs in ({}, {"key_padding_mask": kpm}, {"attn_mask": blocked},
                        {"key_padding_mask": kpm, "attn_mask": blocked}):
        want, want_w = ref(x, memory, memory, average_attn_weights=False, **mask_kwargs)
        got, got_w = ours(x, memory, average_attn_weights=False, **mask_kwargs)
        torch.testing.assert_close(got, want, rtol=0, atol=ATOL)
        torch.testing.assert_close(got_w, want_w, rtol=0, atol=ATOL)
        fast, none = ours(x, memory, need_weights=False, **mask_kwargs)
        assert none is None
        torch.testing.assert_close(fast, want, rtol=0, atol=ATOL)
    # a float mask is added, as in torch
    float_mask = torch.randn(4, 6, generator=g)
    torch.testing.assert_close(ours(x, memory, attn_mask=float_mask)[0],
                               ref(x, memory, memory, attn_mask=float_mask)[0], rtol=0, atol=ATOL)
    # unbatched inputs, and the weights averaged over heads
    want, want_w = ref(x[0], memory[0], memory[0], key_padding_mask=kpm[1])
    got, got_w = ours(x[0], memory[0], key_padding_mask=kpm[1])
    torch.testing.assert_close(got, want, rtol=0, atol=ATOL)
    torch.testing.assert_close(got_w, want_w, rtol=0, atol=ATOL)


def test_cross_attention_padding_gets_zero_weight_and_inputs_are_unchanged():
    attn = MultiHeadCrossAttention(8, 2)
    g = _gen(2)
    x, memory = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g)
    before = (x.clone(), memory.clone())
    out, weights = attn(x, memory, key_padding_mask=~padding_mask([5, 2], 5))
    assert weights[1, :, 2:].abs().sum() == 0
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3))
    # the padded memory vectors do not matter at all
    changed = memory.clone()
    changed[1, 2:] = 100.0
    torch.testing.assert_close(attn(x, changed, key_padding_mask=~padding_mask([5, 2], 5))[0],
                               out)
    assert torch.equal(x, before[0]) and torch.equal(memory, before[1])


@pytest.mark.parametrize(("args", "kwargs", "error", "words"), [
    ((torch.randn(2, 3, 8), torch.randn(2, 5, 6)), {}, ValueError, "memory must have shape"),
    ((torch.randn(2, 3, 6), torch.randn(2, 5, 8)), {}, ValueError, "x must have shape"),
    ((torch.randn(2, 3, 8), torch.randn(3, 5, 8)), {}, ValueError, "same batch size"),
    ((torch.randn(3, 8), torch.randn(2, 5, 8)), {}, ValueError, "both be batched"),
    ((torch.randn(2, 3, 8), torch.randn(2, 5, 8)),
     {"key_padding_mask": torch.zeros(2, 3, dtype=torch.bool)}, ValueError, "key_padding_mask"),
    ((torch.randn(2, 3, 8), torch.randn(2, 5, 8)),
     {"attn_mask": torch.zeros(3, 3, dtype=torch.bool)}, ValueError, "attn_mask must have"),
    ((torch.randn(2, 3, 8), torch.randn(2, 5, 8)),
     {"attn_mask": torch.zeros(3, 5, dtype=torch.int64)}, TypeError, "attn_mask must be"),
    (([[0.0] * 8], torch.randn(1, 8)), {}, TypeError, "x must be a torch.Tensor"),
])
def test_cross_attention_bad_input(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        MultiHeadCrossAttention(8, 2)(*args, **kwargs)


# ----------------------------------------------------------------------------- decoder block


@pytest.mark.parametrize(("norm_first", "activation"), [(False, "relu"), (True, "relu"),
                                                         (False, "gelu"), (True, "gelu")])
def test_decoder_block_equals_torch(norm_first, activation):
    torch.manual_seed(3)
    ref = nn.TransformerDecoderLayer(16, 4, 24, dropout=0.0, batch_first=True,
                                     norm_first=norm_first, activation=activation)
    block = TransformerDecoderBlock.from_torch(ref)
    g = _gen(4)
    x, memory = torch.randn(3, 5, 16, generator=g), torch.randn(3, 7, 16, generator=g)
    tgt_kpm, mem_kpm = ~padding_mask([5, 4, 2], 5), ~padding_mask([7, 3, 1], 7)
    causal = nn.Transformer.generate_square_subsequent_mask(5)
    want = ref(x, memory, tgt_mask=causal, tgt_key_padding_mask=tgt_kpm,
               memory_key_padding_mask=mem_kpm, tgt_is_causal=True)
    got = block(x, memory, causal=True, tgt_key_padding_mask=tgt_kpm,
                memory_key_padding_mask=mem_kpm)
    torch.testing.assert_close(got, want, rtol=0, atol=ATOL)
    # the same with torch's mask passed through tgt_mask instead of causal=True
    got = block(x, memory, tgt_mask=causal, tgt_key_padding_mask=tgt_kpm,
                memory_key_padding_mask=mem_kpm)
    torch.testing.assert_close(got, want, rtol=0, atol=ATOL)
    assert block.last_cross_attention.shape == (3, 4, 5, 7)
    assert block.last_cross_attention[2, :, :, 1:].abs().sum() == 0
    assert block.last_self_attention[0, :, 0, 1:].abs().sum() == 0  # causal
    block.keep_attention = False
    fast = block(x, memory, causal=True, tgt_key_padding_mask=tgt_kpm,
                 memory_key_padding_mask=mem_kpm)
    torch.testing.assert_close(fast, want, rtol=0, atol=ATOL)
    assert block.last_cross_attention is None and block.last_self_attention is None


def test_decoder_block_memory_mask_and_float64():
    torch.manual_seed(5)
    ref = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True).double()
    block = TransformerDecoderBlock.from_torch(ref)
    assert block.linear1.weight.dtype == torch.float64
    g = _gen(6)
    x = torch.randn(2, 4, 8, generator=g, dtype=torch.float64)
    memory = torch.randn(2, 6, 8, generator=g, dtype=torch.float64)
    memory_mask = torch.rand(4, 6, generator=g) < 0.4
    memory_mask[:, 0] = False
    want = ref(x, memory, memory_mask=memory_mask)
    torch.testing.assert_close(block(x, memory, memory_mask=memory_mask), want, rtol=0,
                               atol=1e-10)


def test_decoder_block_is_causal():
    block = TransformerDecoderBlock(8, 2, 16)
    g = _gen(7)
    x, memory = torch.randn(1, 6, 8, generator=g), torch.randn(1, 4, 8, generator=g)
    base = block(x, memory, causal=True)
    changed = x.clone()
    changed[0, 3] += 5.0
    out = block(changed, memory, causal=True)
    torch.testing.assert_close(out[0, :3], base[0, :3], rtol=0, atol=0)
    assert not torch.allclose(out[0, 3:], base[0, 3:])


def test_decoder_block_bad_input():
    with pytest.raises(TypeError, match="layer must be a torch.nn.TransformerDecoderLayer"):
        TransformerDecoderBlock.from_torch(nn.TransformerEncoderLayer(8, 2, 16))
    with pytest.raises(ValueError, match="batch_first=True"):
        TransformerDecoderBlock.from_torch(nn.TransformerDecoderLayer(8, 2, 16))
    with pytest.raises(ValueError, match="activation must be one of"):
        TransformerDecoderBlock(8, 2, 16, activation="tanh")
    with pytest.raises(ValueError, match="ff_dim must be >= 1"):
        TransformerDecoderBlock(8, 2, 0)


# ----------------------------------------------------------------------------- Seq2Seq


def _padded(lengths, length, vocab, seed, pad=0):
    g = _gen(seed)
    ids = torch.randint(1, vocab, (len(lengths), length), generator=g)
    return ids.masked_fill(~padding_mask(lengths, length), pad)


@pytest.mark.parametrize(("norm_first", "layers"), [(False, (2, 2)), (True, (2, 3)),
                                                    (False, (1, 1))])
def test_seq2seq_equals_torch_transformer(norm_first, layers):
    torch.manual_seed(8)
    ref = nn.Transformer(16, 4, layers[0], layers[1], 32, dropout=0.0, batch_first=True,
                         norm_first=norm_first)
    model = Seq2Seq.from_torch(ref, 11, 13, context=10, seed=0)
    src = _padded([7, 4, 2], 7, 11, 9)
    tgt = _padded([6, 6, 3], 6, 13, 10)
    with torch.no_grad():
        x_src, x_tgt = model.embed_source(src), model.embed_target(tgt)
        masks = dict(tgt_mask=nn.Transformer.generate_square_subsequent_mask(6),
                     src_key_padding_mask=src == 0, tgt_key_padding_mask=tgt == 0,
                     memory_key_padding_mask=src == 0)
        for train in (True, False):  # eval: torch's encoder takes its nested-tensor fast path
            ref.train(train)
            model.train(train)
            want = ref(x_src, x_tgt, **masks)
            got = model.decode(tgt, model.encode(src), src)
            torch.testing.assert_close(got, want, rtol=0, atol=ATOL)
            torch.testing.assert_close(model(src, tgt), model.head(want), rtol=0, atol=ATOL)
            memory = ref.encoder(x_src, src_key_padding_mask=src == 0)
            real = src != 0
            torch.testing.assert_close(model.encode(src)[real], memory[real], rtol=0, atol=ATOL)
    diff = (model.decode(tgt, model.encode(src), src) - ref(x_src, x_tgt, **masks)).abs().max()
    assert diff < ATOL


def test_seq2seq_equals_torch_transformer_in_float64():
    torch.manual_seed(11)
    ref = nn.Transformer(8, 2, 1, 2, 16, dropout=0.0, batch_first=True).double()
    model = Seq2Seq.from_torch(ref, 9, 9, context=6, positions="learned", seed=1)
    assert model.head.weight.dtype == torch.float64
    src, tgt = _padded([5, 3], 5, 9, 12), _padded([4, 2], 4, 9, 13)
    want = ref(model.embed_source(src), model.embed_target(tgt),
               tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64),
               src_key_padding_mask=src == 0, tgt_key_padding_mask=tgt == 0,
               memory_key_padding_mask=src == 0)
    torch.testing.assert_close(model.decode(tgt, model.encode(src), src), want, rtol=0,
                               atol=1e-10)


def test_loss_equals_cross_entropy_and_ignores_padding():
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=0)
    src = _padded([5, 2], 5, 10, 14)
    tgt = _padded([6, 3], 6, 12, 15)
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
    logits = model(src, tgt_in)
    want = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=0)
    torch.testing.assert_close(model.loss(src, tgt_in, tgt_out), want)
    real = tgt_out != 0
    torch.testing.assert_close(want, F.cross_entropy(logits[real], tgt_out[real]))


def test_padding_does_not_change_the_real_outputs():
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=2, dec_layers=2, context=10, seed=1)
    model.eval()
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6, 7]])
    alone = model(src, tgt)
    padded = model(torch.tensor([[3, 4, 5, 0, 0], [2, 2, 2, 2, 2]]),
                   torch.tensor([[1, 6, 7, 0], [1, 8, 8, 8]]))
    torch.testing.assert_close(padded[0, :3], alone[0], rtol=0, atol=1e-5)


def test_seq2seq_decoder_is_causal():
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=2, context=10, seed=2)
    model.eval()
    src = torch.tensor([[3, 4, 5, 6]])
    tgt = torch.tensor([[1, 4, 5, 6, 7]])
    base = model(src, tgt)
    for t in range(1, 5):
        changed = tgt.clone()
        changed[0, t] = 11
        out = model(src, changed)
        torch.testing.assert_close(out[0, :t], base[0, :t], rtol=0, atol=0)


def test_seed_gives_the_same_weights_and_leaves_the_global_generator_alone():
    torch.manual_seed(0)
    state = torch.random.get_rng_state()
    a = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=3,
                positions="learned")
    assert torch.equal(torch.random.get_rng_state(), state)
    b = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=3,
                positions="learned")
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), name
    c = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=4)
    assert not torch.equal(a.head.weight, c.head.weight)


def _copy_task(steps: int = 150):
    """Train a tiny model to copy its source, reversed; returns it and the task's ids."""
    model = Seq2Seq(8, 10, width=32, heads=2, enc_layers=1, dec_layers=1, ff=64, context=8,
                    norm_first=True, seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    g = _gen(0)
    bos, eos = 8, 9
    for _ in range(steps):
        src = torch.randint(1, 8, (32, 4), generator=g)
        tgt = torch.cat([torch.full((32, 1), bos), src.flip(1), torch.full((32, 1), eos)], 1)
        loss = model.loss(src, tgt[:, :-1], tgt[:, 1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, bos, eos


def test_translate_learns_a_reversal_and_its_cross_attention_aligns():
    model, bos, eos = _copy_task()
    src = torch.tensor([[1, 2, 3, 4], [7, 5, 5, 2], [3, 3, 6, 1]])
    out = model.translate(src, 6, bos=bos, eos=eos)
    assert out == [row[::-1] for row in src.tolist()]
    assert model.training  # the mode is restored
    # the cross-attention of the copy points at the mirrored source position
    tgt_in = torch.tensor([[bos] + row for row in out])
    weights = model.cross_attention(src, tgt_in)
    assert weights.shape == (1, 3, 2, 5, 4)
    torch.testing.assert_close(weights.sum(-1), torch.ones(1, 3, 2, 5))
    assert all(block.last_cross_attention is not None for block in model.decoder)
    assert not any(block.keep_attention for block in model.decoder)  # restored
    # a 1-D source is one sequence
    assert model.translate(src[0], 6, bos=bos, eos=eos) == [out[0]]


def test_translate_matches_a_step_by_step_argmax_and_stops_at_max_len():
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=5)
    src = torch.tensor([[3, 4, 5, 0], [6, 7, 8, 9]])
    out = model.translate(src, 5, bos=1, eos=2)
    for row, got in zip(src, out, strict=True):
        seq = [1]
        for _ in range(5):
            nxt = int(model(row[None], torch.tensor([seq]))[0, -1].argmax())
            if nxt == 2:
                break
            seq.append(nxt)
        want = seq[1:]
        assert got == want
        assert len(got) <= 5


def test_padded_source_translates_as_the_unpadded_one():
    model, bos, eos = _copy_task(60)
    short = model.translate(torch.tensor([[1, 2, 3]]), 6, bos=bos, eos=eos)
    padded = model.translate(torch.tensor([[1, 2, 3, 0], [4, 4, 4, 4]]), 6, bos=bos, eos=eos)
    assert padded[0] == short[0]


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda m: m(torch.tensor([[3, 10]]), torch.tensor([[1]])), ValueError,
     r"src holds ids outside the vocabulary \[0, 10\)"),
    (lambda m: m(torch.tensor([[3, -1]]), torch.tensor([[1]])), ValueError, "src holds ids"),
    (lambda m: m(torch.tensor([[3]]), torch.tensor([[12]])), ValueError, "tgt_in holds ids"),
    (lambda m: m(torch.ones(1, 9, dtype=torch.long), torch.tensor([[1]])), ValueError,
     "src has length 9, longer than the model's context=8"),
    (lambda m: m(torch.tensor([[3]]), torch.ones(1, 9, dtype=torch.long)), ValueError,
     "tgt_in has length 9"),
    (lambda m: m(torch.tensor([[3.0]]), torch.tensor([[1]])), TypeError, "src must hold integer"),
    (lambda m: m(torch.tensor([3]), torch.tensor([[1]])), ValueError, "src must have shape"),
    (lambda m: m(torch.zeros(1, 0, dtype=torch.long), torch.tensor([[1]])), ValueError,
     "src must hold at least one position"),
    (lambda m: m(torch.tensor([[3], [4]]), torch.tensor([[1]])), ValueError,
     "same batch size"),
    (lambda m: m.loss(torch.tensor([[3]]), torch.tensor([[1, 2]]), torch.tensor([[2]])),
     ValueError, "tgt_out must have the shape"),
    (lambda m: m.loss(torch.tensor([[3]]), torch.tensor([[1]]), torch.tensor([[13]])),
     ValueError, "tgt_out holds ids"),
    (lambda m: m.translate(torch.tensor([[3]]), 9, bos=1, eos=2), ValueError,
     "max_len must be at most context=8"),
    (lambda m: m.translate(torch.tensor([[3]]), 0, bos=1, eos=2), ValueError,
     "max_len must be >= 1"),
    (lambda m: m.translate(torch.tensor([[3]]), 4, bos=0, eos=2), ValueError, "bos=0 must be"),
    (lambda m: m.translate(torch.tensor([[3]]), 4, bos=1, eos=12), ValueError, "eos=12 must be"),
    (lambda m: m.translate(torch.tensor([[30]]), 4, bos=1, eos=2), ValueError,
     "src_ids holds ids"),
    (lambda m: m.decode(torch.tensor([[1]]), torch.zeros(1, 2, 16), torch.tensor([[3]])),
     ValueError, "memory must have shape"),
])
def test_seq2seq_bad_input(call, error, words):
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=0)
    with pytest.raises(error, match=words):
        call(model)


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"width": 15}, ValueError, "divisible by heads"),
    ({"width": 0}, ValueError, "width must be >= 2"),
    ({"heads": 0}, ValueError, "heads must be >= 1"),
    ({"enc_layers": 0}, ValueError, "enc_layers must be >= 1"),
    ({"dec_layers": 0}, ValueError, "dec_layers must be >= 1"),
    ({"context": 0}, ValueError, "context must be >= 1"),
    ({"dropout": 1.0}, ValueError, "dropout must be"),
    ({"positions": "rotary"}, ValueError, "positions must be"),
    ({"pad": 10}, ValueError, "pad=10 must be an id"),
    ({"ff": 0}, ValueError, "ff must be >= 1"),
    ({"width": 2.0}, TypeError, "width must be an integer"),
    ({"src_vocab": 1}, ValueError, "src_vocab must be >= 2"),
])
def test_seq2seq_bad_arguments(kwargs, error, words):
    args = {"src_vocab": 10, "tgt_vocab": 12, "width": 16, "heads": 2, "enc_layers": 1,
            "dec_layers": 1, "context": 8} | kwargs
    src_vocab, tgt_vocab = args.pop("src_vocab"), args.pop("tgt_vocab")
    with pytest.raises(error, match=words):
        Seq2Seq(src_vocab, tgt_vocab, **args)


def test_from_torch_bad_input():
    with pytest.raises(TypeError, match="transformer must be a torch.nn.Transformer"):
        Seq2Seq.from_torch(nn.Linear(2, 2), 5, 5, context=4)
    with pytest.raises(ValueError, match="batch_first=True"):
        Seq2Seq.from_torch(nn.Transformer(8, 2, 1, 1, 16), 5, 5, context=4)


def test_inputs_are_not_modified_and_lists_are_accepted():
    model = Seq2Seq(10, 12, width=16, heads=2, enc_layers=1, dec_layers=1, context=8, seed=0)
    src, tgt = torch.tensor([[3, 4, 0]]), torch.tensor([[1, 5]])
    before = src.clone(), tgt.clone()
    out = model(src, tgt)
    assert torch.equal(src, before[0]) and torch.equal(tgt, before[1])
    torch.testing.assert_close(model([[3, 4, 0]], [[1, 5]]), out)
    assert model.translate([3, 4], 3, bos=1, eos=2) == model.translate([[3, 4]], 3, bos=1, eos=2)


def test_every_combination_of_norm_and_positions_trains_a_step():
    for norm_first, positions in itertools.product((False, True), ("sinusoidal", "learned")):
        model = Seq2Seq(6, 7, width=8, heads=2, enc_layers=1, dec_layers=1, context=5,
                        norm_first=norm_first, positions=positions, dropout=0.1, seed=0)
        loss = model.loss([[1, 2, 3]], [[1, 4]], [[4, 2]])
        loss.backward()
        assert torch.isfinite(loss)
        assert all(p.grad is not None for p in model.parameters())


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_matches_cpu():
    torch.manual_seed(0)
    ref = nn.Transformer(16, 4, 1, 1, 32, dropout=0.0, batch_first=True)
    model = Seq2Seq.from_torch(ref, 11, 13, context=10, seed=0)
    src, tgt = _padded([7, 4], 7, 11, 1), _padded([5, 3], 5, 13, 2)
    want = model(src, tgt)
    got = model.cuda()(src.cuda(), tgt.cuda())
    assert got.device.type == "cuda"
    torch.testing.assert_close(got.cpu(), want, rtol=0, atol=1e-4)
    assert model.translate(src.cuda(), 4, bos=1, eos=2) == model.cpu().translate(
        src, 4, bos=1, eos=2)


@cuda
@needs_cuda
def test_cuda_cross_attention_matches_torch():
    ref = nn.MultiheadAttention(8, 2, batch_first=True).cuda()
    ours = MultiHeadCrossAttention.from_torch(ref)
    x, memory = torch.randn(2, 3, 8, device="cuda"), torch.randn(2, 4, 8, device="cuda")
    kpm = ~padding_mask([4, 2], 4).cuda()
    torch.testing.assert_close(ours(x, memory, key_padding_mask=kpm)[0],
                               ref(x, memory, memory, key_padding_mask=kpm)[0], rtol=0,
                               atol=1e-5)

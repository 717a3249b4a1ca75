"""tokenlab.lm: the GPT against a torch-built reference, causality, sampling, the KV cache, n-grams.

References: the GPT equals a model assembled from torch's own modules (nn.Embedding,
nn.TransformerEncoderLayer with norm_first and a causal mask, nn.LayerNorm, nn.Linear) with the
same weights copied, within 1e-10 in float64; filter_logits equals Hugging Face's
TemperatureLogitsWarper / TopKLogitsWarper / TopPLogitsWarper (away from ties); NGramLM equals
counts made with collections.Counter, in Python floats.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tokenlab.attention import causal_mask
from tokenlab.lm import GPT, KVCache, NGramLM, filter_logits, perplexity
from tokenlab.positional import sinusoidal

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def small(seed: int = 0, dtype: torch.dtype = torch.float32, **kw) -> GPT:
    """A GPT over 11 ids, width 16, 4 heads, 2 layers, context 12, in eval mode."""
    torch.manual_seed(seed)
    args = dict(width=16, heads=4, layers=2, context=12)
    args.update(kw)
    return GPT(11, **args).to(dtype).eval()


def ids_of(*shape: int, vocab: int = 11, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


# ----------------------------------------------------------------------------- reference model


class TorchGPT(nn.Module):
    """The same architecture from torch's own modules (TransformerEncoderLayer, pre-norm)."""

    def __init__(self, ours: GPT) -> None:
        super().__init__()
        w, v = ours.width, ours.vocab_size
        self.tok = nn.Embedding(v, w)
        self.pos_table = ours.positions_table()
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(w, ours.heads, ours.ff_width, dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in ours.blocks
        )
        self.ln_f = nn.LayerNorm(w)
        self.head = nn.Linear(w, v, bias=False)
        self.to(ours.tok.weight.dtype)
        with torch.no_grad():
            self.tok.weight.copy_(ours.tok.weight)
            self.head.weight.copy_(ours.head.weight)
            self.ln_f.load_state_dict(ours.ln_f.state_dict())
            for ref, block in zip(self.layers, ours.blocks, strict=True):
                a = block.attn
                ref.self_attn.in_proj_weight.copy_(
                    torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight]))
                ref.self_attn.in_proj_bias.copy_(
                    torch.cat([a.q_proj.bias, a.k_proj.bias, a.v_proj.bias]))
                ref.self_attn.out_proj.load_state_dict(a.out_proj.state_dict())
                ref.linear1.load_state_dict(block.ff[0].state_dict())
                ref.linear2.load_state_dict(block.ff[2].state_dict())
                ref.norm1.load_state_dict(block.ln1.state_dict())
                ref.norm2.load_state_dict(block.ln2.state_dict())

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        n = ids.shape[1]
        x = self.tok(ids) + self.pos_table[:n]
        blocked = ~causal_mask(n)  # torch's attn_mask: True = blocked
        for layer in self.layers:
            x = layer(x, src_mask=blocked, is_causal=True)
        return self.head(self.ln_f(x))


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
@pytest.mark.parametrize("tie", [True, False])
def test_forward_equals_torch_reference(positions, tie):
    ours = small(positions=positions, tie_weights=tie, dtype=torch.float64)
    with torch.no_grad():  # non-trivial norms and biases
        for p in ours.parameters():
            p.add_(0.05 * torch.randn_like(p))
    ref = TorchGPT(ours).eval()
    ids = ids_of(3, 9)
    with torch.no_grad():
        torch.testing.assert_close(ours(ids), ref(ids), rtol=0, atol=1e-10)


def test_state_dict_names_and_shapes():
    model = GPT(7, width=8, heads=2, layers=2, context=5, ff=24)
    sd = model.state_dict()
    expected = {"tok.weight": (7, 8), "pos.weight": (5, 8), "ln_f.weight": (8,),
                "ln_f.bias": (8,), "head.weight": (7, 8)}
    for i in range(2):
        p = f"blocks.{i}."
        for ln in ("ln1", "ln2"):
            expected[p + ln + ".weight"] = (8,)
            expected[p + ln + ".bias"] = (8,)
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            expected[f"{p}attn.{proj}.weight"] = (8, 8)
            expected[f"{p}attn.{proj}.bias"] = (8,)
        expected[p + "ff.0.weight"] = (24, 8)
        expected[p + "ff.0.bias"] = (24,)
        expected[p + "ff.2.weight"] = (8, 24)
        expected[p + "ff.2.bias"] = (8,)
    assert {k: tuple(v.shape) for k, v in sd.items()} == expected
    gelu = model.blocks[0].ff[1]
    assert isinstance(gelu, nn.GELU) and gelu.approximate == "none"
    assert model.blocks[0].ln1.eps == 1e-5 and model.ln_f.eps == 1e-5
    assert GPT(7, width=8, heads=2, layers=1, context=5).blocks[0].ff[0].out_features == 32


def test_weight_tying_and_parameter_count():
    tied = GPT(10, width=8, heads=2, layers=1, context=4)
    assert tied.head.weight is tied.tok.weight
    untied = GPT(10, width=8, heads=2, layers=1, context=4, tie_weights=False)
    assert untied.head.weight is not untied.tok.weight
    block = 2 * 16 + 4 * (64 + 8) + (8 * 32 + 32) + (32 * 8 + 8)
    base = 10 * 8 + 4 * 8 + block + 16
    assert tied.num_parameters() == base
    assert untied.num_parameters() == base + 80
    # tied: a gradient step on the head moves the embedding too
    tied.loss(torch.tensor([[1, 2, 3]]), torch.tensor([[2, 3, 4]])).backward()
    assert tied.tok.weight.grad is not None and tied.tok.weight.grad[4].abs().sum() > 0


def test_sinusoidal_positions_are_a_buffer_outside_the_state_dict():
    model = GPT(10, width=8, heads=2, layers=1, context=6, positions="sinusoidal")
    assert not any(k.startswith("pos") for k in model.state_dict())
    torch.testing.assert_close(model.positions_table(), sinusoidal(6, 8))
    learned = GPT(10, width=8, heads=2, layers=1, context=6)
    table = learned.positions_table()
    torch.testing.assert_close(table, learned.pos.weight.detach())
    table += 1  # a copy: the model is untouched
    assert not torch.equal(table, learned.pos.weight)


def test_loss_equals_cross_entropy_and_unbatched_forward():
    model = small()
    ids, targets = ids_of(4, 10, seed=1), ids_of(4, 10, seed=2)
    logits = model(ids)
    assert logits.shape == (4, 10, 11)
    expected = F.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1))
    torch.testing.assert_close(model.loss(ids, targets), expected, rtol=0, atol=1e-7)
    torch.testing.assert_close(model(ids[0].tolist()), logits[0], rtol=0, atol=1e-6)


def test_training_fits_a_repeated_sequence():
    torch.manual_seed(0)
    model = GPT(5, width=16, heads=2, layers=1, context=8)
    seq = torch.tensor([[0, 1, 2, 3, 4, 0, 1, 2, 3]])
    opt = torch.optim.Adam(model.parameters(), lr=3e-2)
    for _ in range(60):
        opt.zero_grad()
        loss = model.loss(seq[:, :-1], seq[:, 1:])
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    assert model.generate([0], 8, temperature=0).tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3]


@settings(max_examples=25, deadline=None)
@given(t=st.integers(0, 9), new=st.integers(0, 10), seed=st.integers(0, 100))
def test_causality_changing_token_t_never_changes_earlier_logits(t, new, seed):
    model = small(seed=seed % 3)
    ids = ids_of(2, 10, seed=seed)
    changed = ids.clone()
    changed[:, t] = new
    with torch.no_grad():
        a, b = model(ids), model(changed)
    torch.testing.assert_close(a[:, :t], b[:, :t], rtol=0, atol=0)
    if new != int(ids[0, t]):  # and the change is visible from t on
        assert not torch.allclose(a[0, t:], b[0, t:])


def test_dropout_only_in_training():
    model = small(dropout=0.5)
    ids = ids_of(2, 8)
    model.eval()
    torch.testing.assert_close(model(ids), model(ids))
    model.train()
    torch.manual_seed(0)
    assert not torch.allclose(model(ids), model(ids))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(width=10, heads=3), "width=10 must be divisible by heads=3"),
        (dict(positions="rope"), "positions must be"),
        (dict(width=6, heads=2, positions="sinusoidal"), None),
        (dict(width=5, heads=1, positions="sinusoidal"), "width must be even"),
        (dict(dropout=1.0), "dropout must be in"),
        (dict(context=0), "context must be >= 1"),
    ],
)
def test_constructor_errors(kwargs, match):
    args = dict(width=8, heads=2, layers=1, context=4)
    args.update(kwargs)
    if match is None:
        GPT(5, **args)
    else:
        with pytest.raises(ValueError, match=match):
            GPT(5, **args)


def test_forward_errors_name_the_argument():
    model = small()
    with pytest.raises(ValueError, match=r"ids must lie in \[0, vocab_size=11\)"):
        model(torch.tensor([[1, 11]]))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, vocab_size=11\)"):
        model(torch.tensor([[-1, 2]]))
    with pytest.raises(ValueError, match="length=13 exceeds context=12"):
        model(ids_of(1, 13))
    with pytest.raises(TypeError, match="ids must hold integer token ids"):
        model(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="ids must have shape"):
        model(torch.zeros(1, 2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="targets must have the shape"):
        model.loss(ids_of(1, 4), ids_of(1, 5))
    with pytest.raises(ValueError, match="targets must lie in"):
        model.loss(ids_of(1, 4), torch.tensor([[0, 1, 2, 99]]))


# ----------------------------------------------------------------------------- filter_logits


def hf_filter(logits: torch.Tensor, temperature: float, top_k, top_p) -> torch.Tensor:
    tf = pytest.importorskip("transformers")
    x = logits.clone()[None]
    x = tf.TemperatureLogitsWarper(temperature)(None, x)
    if top_k is not None:
        x = tf.TopKLogitsWarper(top_k)(None, x)
    if top_p is not None:
        x = tf.TopPLogitsWarper(top_p)(None, x)
    return torch.softmax(x, -1)[0]


@pytest.mark.parametrize("temperature", [0.3, 1.0, 1.7])
@pytest.mark.parametrize("top_k, top_p", [(None, None), (5, None), (None, 0.6), (8, 0.9),
                                          (1, None), (None, 1.0), (50, None)])
def test_filter_logits_equals_hugging_face(temperature, top_k, top_p):
    for seed in range(5):
        logits = torch.randn(30, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        ours = filter_logits(logits, temperature, top_k, top_p)
        torch.testing.assert_close(ours, hf_filter(logits, temperature, top_k, top_p),
                                   rtol=0, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(k=st.integers(1, 20), p=st.floats(0.01, 1.0), seed=st.integers(0, 1000),
       t=st.floats(0.1, 3.0))
def test_filter_logits_properties(k, p, seed, t):
    logits = torch.randn(4, 20, generator=torch.Generator().manual_seed(seed))
    probs_k = filter_logits(logits, t, top_k=k)
    assert ((probs_k > 0).sum(-1) == k).all()  # exactly k kept
    torch.testing.assert_close(probs_k.sum(-1), torch.ones(4))
    base = torch.softmax(logits / t, -1)
    probs_p = filter_logits(logits, t, top_p=p)
    for row in range(4):
        kept = probs_p[row] > 0
        m = int(kept.sum())
        sorted_base = base[row].sort(descending=True).values
        assert kept[base[row].argmax()]  # the top token always kept
        # the kept set is the m most likely, it reaches p, and m - 1 would not
        assert set(torch.nonzero(kept).flatten().tolist()) == set(
            base[row].argsort(descending=True)[:m].tolist())
        assert sorted_base[:m].sum() >= p - 1e-6 or m == 20
        assert m == 1 or sorted_base[:m - 1].sum() < p + 1e-6


def test_filter_logits_greedy_and_input_untouched():
    logits = torch.tensor([[0.0, 3.0, 3.0, 1.0], [5.0, 0.0, 0.0, 0.0]])
    before = logits.clone()
    torch.testing.assert_close(filter_logits(logits, 0.0),
                               torch.tensor([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]))
    assert torch.equal(logits, before)
    # low temperature approaches greedy
    assert filter_logits(logits[1], 0.01)[0] > 0.999999
    # temperature 1 is the softmax
    torch.testing.assert_close(filter_logits(logits, 1.0), torch.softmax(logits, -1))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(temperature=-0.1), ValueError, "temperature must be finite and >= 0"),
        (dict(temperature=float("nan")), ValueError, "temperature"),
        (dict(top_k=0), ValueError, "top_k must be >= 1"),
        (dict(top_k=2.5), TypeError, "top_k must be an integer"),
        (dict(top_p=0.0), ValueError, r"top_p must be in \(0, 1\]"),
        (dict(top_p=1.5), ValueError, r"top_p must be in \(0, 1\]"),
    ],
)
def test_sampling_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        filter_logits(torch.zeros(5), **kwargs)
    with pytest.raises(error, match=match):
        small().generate([1, 2], 3, **kwargs)
    lm = NGramLM(2).fit([[1, 2, 3]])
    with pytest.raises(error, match=match):
        lm.sample([1], 3, **kwargs)


def test_filter_logits_rejects_nan_and_empty():
    with pytest.raises(ValueError, match="NaN"):
        filter_logits(torch.tensor([0.0, float("nan")]))
    with pytest.raises(ValueError, match="logits must have a non-empty"):
        filter_logits(torch.zeros(0))


# ----------------------------------------------------------------------------- generation


def naive_generate(model, ids, steps, temperature, top_k, top_p, seed):
    """The plain loop: rerun the whole (windowed) prefix each step, sample with the same rule."""
    g = torch.Generator().manual_seed(seed)
    seq = torch.as_tensor(ids)[None]
    with torch.no_grad():
        for _ in range(steps):
            logits = model(seq[:, -model.context:])[:, -1]
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                nxt = torch.multinomial(filter_logits(logits, temperature, top_k, top_p), 1,
                                        generator=g)
            seq = torch.cat([seq, nxt], 1)
    return seq[0]


@pytest.mark.parametrize("sampling", [dict(temperature=0.0), dict(temperature=1.0),
                                      dict(temperature=0.8, top_k=4),
                                      dict(temperature=1.2, top_p=0.7)])
@pytest.mark.parametrize("steps", [5, 20])  # 20 runs past context=12: the window slides
def test_cache_and_no_cache_equal_the_naive_loop(sampling, steps):
    model = small(seed=3)
    prompt = [1, 5, 2]
    cached = model.generate(prompt, steps, seed=7, use_cache=True, **sampling)
    plain = model.generate(prompt, steps, seed=7, use_cache=False, **sampling)
    ref = naive_generate(model, prompt, steps, sampling.get("temperature", 1.0),
                         sampling.get("top_k"), sampling.get("top_p"), 7)
    assert cached.tolist() == plain.tolist() == ref.tolist()
    assert len(cached) == 3 + steps


def test_cache_logits_equal_full_forward():
    model = small(seed=4)
    ids = ids_of(2, 12, seed=5)
    with torch.no_grad():
        full = model(ids)
        cache = KVCache()
        parts = [model(ids[:, :5], cache=cache)]
        parts += [model(ids[:, i:i + 1], cache=cache) for i in range(5, 9)]
        parts.append(model(ids[:, 9:], cache=cache))
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=0, atol=1e-5)
    assert cache.length == 12 and len(cache.keys) == 2
    assert cache.keys[0].shape == (2, 4, 12, 4)
    with pytest.raises(ValueError, match="cache.length=12 \\+ length=1 exceeds context=12"):
        model(ids[:, :1], cache=cache)
    with pytest.raises(ValueError, match="batch"):
        model(ids[:1, :1], cache=_filled(model))


def _filled(model):
    cache = KVCache()
    model(ids_of(3, 2), cache=cache)
    return cache


def test_generate_seed_greedy_batch_and_mode():
    model = small(seed=1)
    model.train()
    a = model.generate([[1, 2], [3, 4]], 6, seed=11)
    assert model.training  # mode restored
    b = model.generate([[1, 2], [3, 4]], 6, seed=11)
    c = model.generate([[1, 2], [3, 4]], 6, seed=12)
    assert a.shape == (2, 8) and torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(a[:, :2], torch.tensor([[1, 2], [3, 4]]))
    greedy = model.generate([1, 2], 6, temperature=0)
    assert greedy.tolist() == naive_generate(model.eval(), [1, 2], 6, 0, None, None, 0).tolist()
    assert model.generate([1, 2], 0).tolist() == [1, 2]
    # top_k=1 is greedy too
    assert model.generate([1, 2], 6, top_k=1, seed=3).tolist() == greedy.tolist()


def test_generate_errors():
    model = small()
    with pytest.raises(ValueError, match="longer than context=12"):
        model.generate(ids_of(13), 2)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, vocab_size=11\)"):
        model.generate([3, 40], 2)
    with pytest.raises(ValueError, match="at least one token"):
        model.generate(torch.zeros(1, 0, dtype=torch.long), 2)
    with pytest.raises(ValueError, match="max_new_tokens must be >= 0"):
        model.generate([1], -1)


# ----------------------------------------------------------------------------- n-grams


def counter_probs(seqs, n, k, V, context):
    joint, ctx = Counter(), Counter()
    for s in seqs:
        for t in range(n - 1, len(s)):
            c = tuple(s[t - n + 1:t])
            joint[c, s[t]] += 1
            ctx[c] += 1
    c = tuple(context[len(context) - (n - 1):]) if n > 1 else ()
    den = ctx[c] + k * V
    return [(joint[c, w] + k) / den if den else 0.0 for w in range(V)]  # 0 / 0 taken as 0


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("k", [0.0, 0.5, 1.0])
def test_ngram_equals_counter(n, k):
    g = torch.Generator().manual_seed(n)
    seqs = [torch.randint(0, 6, (40,), generator=g).tolist() for _ in range(3)]
    lm = NGramLM(n, k=k, vocab_size=7).fit(seqs)
    for context in ([1, 2], [5, 5], [0, 6], [3, 1]):
        expected = counter_probs(seqs, n, k, 7, context)
        if k == 0 and sum(expected) == 0:
            continue  # 0 / 0: unseen context without smoothing
        torch.testing.assert_close(lm.probs(context), torch.tensor(expected, dtype=torch.float64),
                                   rtol=0, atol=1e-12)
    held = torch.randint(0, 6, (30,), generator=g).tolist()
    probs = [counter_probs(seqs, n, k, 7, held[:t])[held[t]] for t in range(n - 1, len(held))]
    logs = [math.log(p) if p > 0 else -math.inf for p in probs]
    expected_loss = -sum(logs) / len(logs)
    got = float(lm.loss(held))
    if math.isinf(expected_loss):
        assert math.isinf(got)
    else:
        assert got == pytest.approx(expected_loss, abs=1e-6)
        assert perplexity(lm, held) == pytest.approx(math.exp(expected_loss), rel=1e-6)


def test_ngram_smoothing_and_uniform():
    lm = NGramLM(2, k=1.0, vocab_size=5).fit([0, 1, 0, 1])
    torch.testing.assert_close(lm.probs([4]), torch.full((5,), 0.2, dtype=torch.float64))
    raw = NGramLM(2, k=0.0).fit([0, 1, 0, 1, 2])
    assert math.isinf(raw.perplexity([2, 0]))  # 2 -> 0 never seen: probability 0
    # unigram, one 7 seen, k=1, V=8: P(7) = 2/9, others 1/9
    assert perplexity(NGramLM(1, k=1.0, vocab_size=8).fit([7]), [0, 7]) == pytest.approx(
        math.sqrt(9 * 9 / 2), rel=1e-9)
    uniform = NGramLM(2, k=1e9, vocab_size=6).fit([1, 2, 3])
    assert perplexity(uniform, [1, 2, 3, 4]) == pytest.approx(6, rel=1e-6)


def test_ngram_sample_and_errors():
    lm = NGramLM(2, k=0.0).fit([0, 1, 2, 0, 1, 2, 0, 1, 2])
    assert lm.sample([0], 6, temperature=0).tolist() == [0, 1, 2, 0, 1, 2, 0]
    a, b = lm.sample([0], 10, seed=1), lm.sample([0], 10, seed=1)
    assert torch.equal(a, b)
    with pytest.raises(RuntimeError, match="not fitted"):
        NGramLM(2).loss([1, 2])
    with pytest.raises(ValueError, match="k must be a finite number >= 0"):
        NGramLM(2, k=-1)
    with pytest.raises(ValueError, match="n must be >= 1"):
        NGramLM(0)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, vocab_size=3\)"):
        lm.loss([0, 5])
    with pytest.raises(ValueError, match="ids needs at least n = 2 tokens"):
        lm.loss([0])
    with pytest.raises(ValueError, match="context needs at least n - 1 = 1"):
        lm.probs([])
    with pytest.raises(TypeError, match="model must be a GPT or an NGramLM"):
        perplexity(object(), [1, 2])


# ----------------------------------------------------------------------------- perplexity


def test_gpt_perplexity_is_exp_mean_loss_over_windows():
    model = small(seed=2)
    seq = ids_of(40, seed=9)  # 39 targets: windows of 12 + 1 overlapping by one
    with torch.no_grad():
        losses = []
        for s in range(0, 39, 12):
            chunk = seq[s:s + 13]
            losses.append(F.cross_entropy(model(chunk[:-1]), chunk[1:], reduction="sum"))
        expected = float(sum(losses)) / 39
    assert float(model.sequence_loss(seq, batch_size=2)) == pytest.approx(expected, rel=1e-6)
    assert perplexity(model, seq) == pytest.approx(math.exp(expected), rel=1e-6)
    short = seq[:8]
    torch.testing.assert_close(model.sequence_loss(short), model.loss(short[:-1], short[1:]),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="at least 2 tokens"):
        perplexity(model, [3])


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_generate_matches_cpu():
    model = small(seed=5)
    prompt = [1, 2, 3]
    cpu = model.generate(prompt, 10, temperature=0)
    gpu_model = model.cuda()
    out = gpu_model.generate(torch.tensor(prompt).cuda(), 10, temperature=0)
    assert out.device.type == "cuda"
    assert out.cpu().tolist() == cpu.tolist()
    sampled = gpu_model.generate(torch.tensor(prompt).cuda(), 10, seed=0)
    assert torch.equal(sampled, gpu_model.generate(torch.tensor(prompt).cuda(), 10, seed=0,
                                                   use_cache=False))
    logits = torch.randn(3, 50, device="cuda")
    assert filter_logits(logits, 0.7, 5, 0.9).device.type == "cuda"
    torch.testing.assert_close(filter_logits(logits, 0.7, 5, 0.9).cpu(),
                               filter_logits(logits.cpu(), 0.7, 5, 0.9))

"""tokenlab.widgets.generate: the GPT exported into the widget state, the JavaScript forward pass,
filtering and seeded sampler against tokenlab.lm under Node.js, the Python side's checks and
kernel computation, and (with chromium) the widget driven by generate.js alone against a stand-in
model, with no kernel and no book build: typing a prompt, the three sliders, sampling token by
token and resetting, every shown probability compared with Python.

Tolerances. The page runs the forward pass in float64 on the float32 weights. Against the float32
``tokenlab.lm.GPT`` itself the logits agree within 1e-4 (the issue's bound; float32 rounding
gives ~1e-6 here). Against a float64 copy of the same model (the same float32 values, widened)
both sides compute one function in one precision, so the logits agree to ~1e-14 and 1e-9 still
catches any formula slip (a missing 1/sqrt(head_dim), a LayerNorm without eps, a tanh GELU all
move logits by more than 1e-4). Filtering compares float64 with float64: 1e-9.
"""

from __future__ import annotations

import base64
import copy
import doctest
import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
import traitlets

import tokenlab.widgets as widgets
from conftest import require_tool
from tokenlab.lm import GPT, filter_logits
from tokenlab.widgets import generate as G
from tokenlab.widgets.generate import (
    GenerateWidget,
    Mulberry32,
    encode_prompt,
    export_gpt,
    gpt_from_export,
    next_token,
    sample_index,
)
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
GEN_JS = HERE / "generate.js"
GEN_CSS = HERE / "generate.css"
SCREENSHOT = Path("/tmp/generate-widget.png")
TOL_F32 = 1e-4  # JS (float64 on float32 weights) vs the float32 model
TOL_F64 = 1e-9  # JS vs a float64 copy of the model; and the filtering
VOCAB = list("\n !',.:;?abcdehilmnorstuwyAEMOR")  # 31 characters
# The largest differences seen, for the report (printed by test_report_max_differences).
SEEN: dict[str, float] = {}
cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

DRIVER = r"""
import * as G from "./generate.mjs";
import { readFileSync } from "node:fs";

const job = JSON.parse(readFileSync(0, "utf8"));
const net = job.model ? G.tlGenDecode(job.model.config, job.model.tensors, job.model.weights)
  : null;
const plain = (v) => (v instanceof Float64Array ? Array.from(v) : v);
const fns = {
  forward: (ids) => G.tlGenForward(net, ids, true).map((r) => Array.from(r)),
  last: (ids) => Array.from(G.tlGenForward(net, ids)),
  cached: (seqs) => {
    // Each sequence through one key/value cache, and from scratch: [max |difference|].
    const kv = {};
    return seqs.map((ids) => {
      const a = G.tlGenForward(net, ids, false, kv);
      const b = G.tlGenForward(net, ids);
      return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    });
  },
  next: (...a) => {
    const r = G.tlGenNext(net, ...a, {});
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
  },
  sample: (...a) => G.tlGenSample(net, ...a, {}),
  filter: (logits, t, k, p) => Array.from(G.tlGenFilter(logits, t, k, p)),
  erf: (xs) => xs.map(G.tlGenErf),
  gelu: (xs) => xs.map(G.tlGenGelu),
  mulberry: (seed, n) => {
    const r = G.tlGenMulberry32(seed);
    return Array.from({ length: n }, r);
  },
  sampleIndex: (probs, u) => G.tlGenSampleIndex(probs, u),
  encode: (text, vocab) => G.tlGenEncode(text, vocab),
  rank: (probs) => G.tlGenRank(probs),
  decodeError: (config, tensors, weights) => {
    try { G.tlGenDecode(config, tensors, weights); return null; } catch (e) { return e.message; }
  },
};
const out = job.calls.map(([name, ...args]) => fns[name](...args));
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node_run(tmp_path_factory):
    """Run a batch of calls on generate.js under node: ``node_run(calls, model=None)``."""
    node = require_tool("node", shutil.which("node"))
    tmp = tmp_path_factory.mktemp("genjs")
    (tmp / "generate.mjs").write_text(GEN_JS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "driver.mjs").write_text(DRIVER, encoding="utf-8")

    def run(calls: list, model: dict | None = None) -> list:
        job = {"calls": calls}
        if model is not None:
            job["model"] = {"config": model["config"], "tensors": model["tensors"],
                            "weights": model["data"]}
        out = subprocess.run([node, str(tmp / "driver.mjs")], input=json.dumps(job),
                             capture_output=True, text=True, timeout=300, cwd=tmp)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    return run


def random_gpt(positions: str = "learned", *, tie: bool = True, seed: int = 0, vocab: int = 13,
               width: int = 16, heads: int = 4, layers: int = 2, context: int = 8,
               ff: int | None = 24) -> GPT:
    """A small GPT with every parameter random (LayerNorm weights and biases too), so that
    every tensor the page reads changes the logits."""
    torch.manual_seed(seed)
    model = GPT(vocab, width=width, heads=heads, layers=layers, context=context, ff=ff,
                positions=positions, tie_weights=tie)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    return model.eval()


def as64(model: GPT) -> GPT:
    """A float64 copy holding exactly the float32 values."""
    return copy.deepcopy(model).double()


def note(name: str, value: float) -> None:
    SEEN[name] = max(SEEN.get(name, 0.0), value)


def max_diff(a, b) -> float:
    ta, tb = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    assert ta.shape == tb.shape, (ta.shape, tb.shape)
    return float((ta - tb).abs().max()) if ta.numel() else 0.0


# ---- the module loads, its doctests ---------------------------------------------------------


def test_es_module_loads(tmp_path):
    assert_es_module_loads(GEN_JS.read_text(encoding="utf-8"), tmp_path, "generate")


def test_doctests():
    result = doctest.testmod(G, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_js_documents_its_contract():
    esm = GEN_JS.read_text(encoding="utf-8")
    css = GEN_CSS.read_text(encoding="utf-8")
    header = esm.split("\nconst ", 1)[0]
    for name in ("config", "tensors", "weights", "vocab", "prompt", "generated", "temperature",
                 "top_k", "top_p", "seed", "result", ".tl-gen", "input.tl-gen-prompt",
                 "input.tl-gen-temp", "input.tl-gen-topk", "input.tl-gen-topp",
                 "input.tl-gen-seed", "button.tl-gen-sample", "button.tl-gen-sample-many",
                 "button.tl-gen-reset", ".tl-gen-output", "data-generated", ".tl-gen-note",
                 "data-skipped", "data-dropped", ".tl-gen-kept", "data-kept",
                 ".tl-gen-bar-row[data-id=i][data-rank=r]", ".tl-gen-bar-fill",
                 ".tl-gen-bar-value", ".tl-gen-status[data-source=S]", "mulberry32"):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in esm and "insertAdjacentHTML" not in esm
    assert "var(--pst-color" in css and "var(--jp-" in css
    assert 'html[data-theme="dark"]' in css
    # The site test's marker is in this widget's JavaScript and in no other widget's.
    for other in HERE.glob("*.js"):
        assert ("tlGenForward" in other.read_text(encoding="utf-8")) == (other == GEN_JS)


def test_registered():
    assert widgets.GenerateWidget is GenerateWidget
    assert "GenerateWidget" in widgets.__all__


# ---- the JavaScript forward pass against tokenlab.lm.GPT -----------------------------------

MODELS = [
    pytest.param({"positions": "learned"}, id="learned"),
    pytest.param({"positions": "sinusoidal"}, id="sinusoidal"),
    pytest.param({"positions": "learned", "tie": False, "heads": 2, "layers": 3, "ff": None},
                 id="untied-2heads-3layers"),
    pytest.param({"positions": "sinusoidal", "heads": 1, "layers": 1, "width": 8, "context": 5},
                 id="one-head-one-layer"),
]


@pytest.mark.parametrize("kwargs", MODELS)
def test_js_forward_matches_gpt(node_run, kwargs):
    model = random_gpt(**kwargs, seed=len(str(kwargs)))
    context, V = model.context, model.vocab_size
    rng = random.Random(3)
    prompts = [[rng.randrange(V) for _ in range(n)] for n in range(1, context + 1)]
    prompts += [[rng.randrange(V) for _ in range(context)] for _ in range(4)]
    got = node_run([["forward", ids] for ids in prompts] + [["last", prompts[-1]]],
                   export_gpt(model))
    m64 = as64(model)
    for ids, logits in zip(prompts, got, strict=False):
        with torch.no_grad():
            want32 = model(torch.tensor(ids))
            want64 = m64(torch.tensor(ids, dtype=torch.int64))
        d32, d64 = max_diff(logits, want32), max_diff(logits, want64)
        note("forward vs float32 GPT", d32)
        note("forward vs float64 GPT", d64)
        assert d32 <= TOL_F32, (ids, d32)
        assert d64 <= TOL_F64, (ids, d64)
        assert float(want32.abs().max()) > 1.0, "the logits are not trivially small"
    assert got[-1] == got[len(prompts) - 1][-1], "the last position alone is the same"


def test_js_key_value_cache_changes_nothing(node_run):
    """Growing ids reuse the cached keys and values; an edit or a slid window recomputes; the
    logits are the same bits as a recomputation from scratch."""
    model = random_gpt("learned", context=8, seed=3)
    ids = [1, 5, 2, 7, 7, 0, 3, 9, 4, 4, 12]
    seqs = [ids[:n] for n in range(1, 9)]  # one new token at a time
    seqs += [ids[:8], ids[1:9], ids[2:10], [1, 5, 6], [1, 5, 6, 2, 2], [1], [1, 5, 6, 2, 2, 3]]
    got = node_run([["cached", seqs]], export_gpt(model))[0]
    assert got == [0] * len(seqs)


def test_js_forward_on_gpt_init_weights(node_run):
    """The GPT as lm initializes it (GPT-2's small normal weights, LayerNorm ones and zeros)."""
    torch.manual_seed(5)
    model = GPT(len(VOCAB), width=32, heads=4, layers=2, context=16).eval()
    rng = random.Random(4)
    prompts = [[rng.randrange(len(VOCAB)) for _ in range(n)] for n in (1, 7, 16)]
    got = node_run([["forward", ids] for ids in prompts], export_gpt(model))
    for ids, logits in zip(prompts, got, strict=True):
        with torch.no_grad():
            d = max_diff(logits, as64(model)(torch.tensor(ids)))
        note("forward vs float64 GPT", d)
        assert d <= TOL_F64


def test_js_next_matches_next_token(node_run):
    """The widget's whole step: encoding, the context window, the forward pass, the filter."""
    model = random_gpt("learned", vocab=len(VOCAB), width=16, context=12, seed=11)
    m64 = as64(model)
    cases = [
        ("ROMEO:", [], 0.8, None, None),
        ("ROMEO: Is the day so young?", [], 1.0, 5, None),  # longer than the context
        ("Ünïcode ☃ and ✓ are skipped", [3, 4], 0.5, None, 0.9),
        ("", [], 1.0, None, None),  # nothing to continue
        ("ÿ", [], 1.0, None, None),  # only unknown characters
        ("", [7, 8, 9], 1.3, 3, 0.5),  # sampled ids alone
        ("A", list(range(20)), 0.0, None, None),  # greedy, past the context
        ("to be, or not to be", [1] * 5, 2.0, 40, 0.3),  # top_k > V
    ]
    calls = [["next", VOCAB, p, g, t, k, pp] for p, g, t, k, pp in cases]
    got = node_run(calls, export_gpt(model))
    for (prompt, gen, t, k, p), js in zip(cases, got, strict=True):
        py = next_token(model, VOCAB, prompt, gen, temperature=t, top_k=k, top_p=p)
        py64 = next_token(m64, VOCAB, prompt, gen, temperature=t, top_k=k, top_p=p)
        assert js["ids"] == py["ids"] and js["skipped"] == py["skipped"], prompt
        assert js["dropped"] == py["dropped"] and len(js["ids"]) <= model.context
        assert js["promptIds"] == encode_prompt(prompt, VOCAB)[0]
        if py["probs"] is None:
            assert js["probs"] is None and js["logits"] is None
            continue
        note("next-token logits vs float32 GPT", max_diff(js["logits"], py["logits"]))
        assert max_diff(js["logits"], py["logits"]) <= TOL_F32
        d = max_diff(js["probs"], py64["probs"])
        note("next-token probabilities vs float64 GPT", d)
        assert d <= TOL_F64, (prompt, d)
    long = next_token(model, VOCAB, cases[1][0], [])
    ids, skipped = encode_prompt(cases[1][0], VOCAB)
    assert skipped == ["I", "g"] and len(ids) == len(cases[1][0]) - 2
    assert long["dropped"] == len(ids) - 12 and long["ids"] == ids[-12:], "the last `context`"


def random_filter_cases(n: int, seed: int) -> list[tuple[list[float], float, int | None,
                                                           float | None]]:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    cases = []
    for _ in range(n):
        V = rng.choice([1, 2, 3, 5, 10, 31, 65])
        logits = (torch.randn(V, generator=g, dtype=torch.float64) * rng.choice([0.5, 2, 6]))
        t = rng.choice([0.0, 0.05, 0.3, 0.8, 1.0, 1.7, 5.0])
        k = rng.choice([None, None, 1, 2, 3, max(1, V - 1), V, V + 4])
        p = rng.choice([None, None, 0.05, 0.3, 0.5, 0.8, 0.9, 0.99, 1.0])
        cases.append((logits.tolist(), t, k, p))
    # Ties: greedy takes the first most likely token, as torch.argmax does.
    cases.append(([1.0, 3.0, 3.0, -2.0], 0.0, None, None))
    cases.append(([0.0, 0.0, 0.0], 0.0, 2, 0.5))
    return cases


def test_js_filter_matches_filter_logits(node_run):
    cases = random_filter_cases(600, seed=1)
    got = node_run([["filter", logits, t, k, p] for logits, t, k, p in cases])
    worst = 0.0
    for (logits, t, k, p), js in zip(cases, got, strict=True):
        want = filter_logits(torch.tensor(logits, dtype=torch.float64), temperature=t, top_k=k,
                             top_p=p)
        d = max_diff(js, want)
        worst = max(worst, d)
        assert d <= TOL_F64, (logits, t, k, p, js, want.tolist())
        kept = sum(1 for x in js if x > 0)
        if k is not None and t > 0 and p is None:
            assert kept == min(k, len(logits)), "top-k keeps exactly k"
    note("filter vs tokenlab.lm.filter_logits", worst)
    assert got[-2] == [0.0, 1.0, 0.0, 0.0] and got[-1] == [1.0, 0.0, 0.0]


def test_js_erf_and_gelu_are_accurate(node_run):
    xs = [i / 250 for i in range(-2000, 2001)] + [-40.0, -6.0, -3.0, -2.999, 2.999, 3.0, 1e-8,
                                                   -1e-300, 0.0, 6.0, 40.0]
    erf, gelu = node_run([["erf", xs], ["gelu", xs]])
    d_erf = max(abs(a - math.erf(x)) for a, x in zip(erf, xs, strict=True))
    want = torch.nn.functional.gelu(torch.tensor(xs, dtype=torch.float64))
    d_gelu = max_diff(gelu, want)
    note("erf vs math.erf", d_erf)
    note("gelu vs torch gelu (float64)", d_gelu)
    assert d_erf <= 1e-14 and d_gelu <= 1e-13, (d_erf, d_gelu)


def test_js_random_stream_matches_python(node_run):
    seeds = [0, 1, 7, 123456789, 2**32 - 1]
    got = node_run([["mulberry", s, 200] for s in seeds])
    for s, js in zip(seeds, got, strict=True):
        r = Mulberry32(s)
        py = [r.next() for _ in range(200)]
        assert js == py, s
        assert all(0 <= u < 1 for u in py) and len(set(py)) == 200
    assert got[0] != got[1]


def test_js_sample_index_and_rank_match_python(node_run):
    rng = random.Random(2)
    cases = []
    for _ in range(300):
        V = rng.randint(1, 12)
        probs = [rng.random() * rng.choice([0, 1, 1]) for _ in range(V)]
        s = sum(probs) or 1.0
        probs = [x / s for x in probs]
        cases.append((probs, rng.random()))
    cases += [([0.0, 0.5, 0.5], 0.0), ([0.2, 0.8, 0.0], 0.9999999999), ([1.0], 0.5)]
    got = node_run([["sampleIndex", p, u] for p, u in cases])
    assert got == [sample_index(p, u) for p, u in cases]
    ranks = node_run([["rank", [0.1, 0.4, 0.1, 0.4]]])
    assert ranks == [[1, 3, 0, 2]], "higher first, the lower id on a tie"


def test_js_sampler_is_seeded_and_equals_the_kernel(node_run):
    model = random_gpt("sinusoidal", vocab=len(VOCAB), width=16, context=10, seed=21)
    exported = export_gpt(model)
    settings = [(0.8, None, None, 0), (1.0, 5, None, 1), (1.2, None, 0.9, 1), (0.8, None, None, 99)]
    calls = [["sample", VOCAB, "ROMEO:", [], t, k, p, s, 30] for t, k, p, s in settings]
    calls += [calls[0], ["sample", VOCAB, "ROMEO:", [4, 5], 0.8, None, None, 0, 3]]
    got = node_run(calls, exported)
    assert got[0] == got[4], "the same seed gives the same tokens"
    assert got[0] != got[3], "another seed, other tokens"
    assert all(len(g) == 30 for g in got[:5])
    for (t, k, p, s), js in zip(settings, got, strict=False):
        w = GenerateWidget(as64(model), vocab=VOCAB, prompt="ROMEO:", temperature=t, top_k=k,
                           top_p=p, seed=s)
        assert w.sample(30) == js, (t, k, p, s)
    # Continuing: draws 2, 3, 4 of the stream for the third, fourth and fifth tokens.
    w = GenerateWidget(as64(model), vocab=VOCAB, prompt="ROMEO:", seed=0)
    w.generated = [4, 5]
    assert w.sample(3) == got[5] and got[5][:2] == [4, 5]


def test_js_greedy_equals_gpt_generate(node_run):
    """Greedy sampling past the context slides the window exactly as tokenlab.lm.GPT.generate."""
    model = random_gpt("learned", vocab=len(VOCAB), width=16, context=6, seed=31)
    m64 = as64(model)
    prompt = "ROMEO:"
    ids, _ = encode_prompt(prompt, VOCAB)
    js = node_run([["sample", VOCAB, prompt, [], 0.0, None, None, 0, 15]], export_gpt(model))[0]
    want = m64.generate(ids, 15, temperature=0)[len(ids):].tolist()
    assert js == want


def test_js_encode_matches_python(node_run):
    vocab = ["a", "b", "ab", "abc", "<pos>", " ", "\n", "☃", "😀"]
    texts = ["", "a", "abcab", "aXb", "<pos> ab", "<po", "☃😀a", "😀😀", "\n\nab\n", "cab",
             "éa", "a" * 50]
    got = node_run([["encode", t, vocab] for t in texts])
    for text, js in zip(texts, got, strict=True):
        ids, skipped = encode_prompt(text, vocab)
        assert js == {"ids": ids, "skipped": skipped}, text


def test_js_refuses_a_broken_state(node_run):
    e = export_gpt(random_gpt())
    short = base64.b64encode(base64.b64decode(e["data"])[:-8]).decode()
    missing = [t for t in e["tensors"] if t[0] != "ln_f.weight"]
    got = node_run([["decodeError", e["config"], e["tensors"], short],
                    ["decodeError", e["config"], missing, e["data"]],
                    ["decodeError", e["config"], e["tensors"], e["data"]]])
    assert "too short" in got[0] and "ln_f.weight" in got[1] and got[2] is None


def test_report_max_differences():
    """Prints the largest JS-vs-Python differences the tests above saw (run with -s)."""
    print("\nJS vs Python, largest differences:")
    for name, value in sorted(SEEN.items()):
        print(f"  {name}: {value:.3g}")
    if SEEN:
        assert SEEN.get("forward vs float32 GPT", 0.0) <= TOL_F32


# ---- the export -----------------------------------------------------------------------------


@pytest.mark.parametrize("positions, tie", [("learned", True), ("sinusoidal", True),
                                            ("learned", False)])
def test_export_holds_every_tensor_exactly(positions, tie):
    model = random_gpt(positions, tie=tie)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    e = export_gpt(model)
    assert model.training, "the model's mode is left as it was"
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert json.loads(json.dumps(e)) == e
    c = e["config"]
    assert c == {"vocab_size": 13, "width": 16, "heads": 4, "head_dim": 4, "layers": 2,
                 "context": 8, "ff": 24, "positions": positions, "tied": tie, "eps": 1e-5}
    raw = base64.b64decode(e["data"], validate=True)
    flat = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    state = model.state_dict()
    names = [n for n, _, _ in e["tensors"]]
    # Every tensor of the state dict, the positions' table in place of pos.weight, and the head
    # only when it is not the token embedding.
    expected = ["positions"] + [n for n in state if n != "pos.weight" and (
        n != "head.weight" or not tie)]
    assert names[:2] == ["tok.weight", "positions"] and sorted(names) == sorted(expected)
    offset = 0
    for name, shape, start in e["tensors"]:
        want = model.positions_table() if name == "positions" else state[name]
        assert list(want.shape) == shape and start == offset
        got = flat[start:start + want.numel()].reshape(want.shape)
        assert torch.equal(got, want.float()), name  # bit for bit
        offset += want.numel()
    assert offset == flat.numel()
    # The size: 4 bytes per number, base64 adds a third.
    numbers = model.num_parameters() + (0 if positions == "learned" else 8 * 16)
    assert offset == numbers
    assert len(e["data"]) == 4 * math.ceil(4 * numbers / 3)


@pytest.mark.parametrize("kwargs", MODELS)
def test_export_round_trips(kwargs):
    model = random_gpt(**kwargs)
    back = gpt_from_export(export_gpt(model))
    assert back.state_dict().keys() == model.state_dict().keys()
    assert all(torch.equal(a, b) for a, b in zip(back.state_dict().values(),
                                                 model.state_dict().values(), strict=True))
    assert (back.head.weight is back.tok.weight) == (model.head.weight is model.tok.weight)
    ids = torch.tensor([[1, 2, 3, 0]])
    assert torch.equal(back(ids), model(ids))
    w = GenerateWidget(model, vocab=[str(i) for i in range(model.vocab_size)])
    again = gpt_from_export({"config": w.config, "tensors": w.tensors, "weights": w.weights})
    assert torch.equal(again(ids), model(ids))


def test_export_round_trip_refuses_a_broken_state():
    e = export_gpt(random_gpt())
    with pytest.raises(ValueError, match="too short for ln_f.bias"):
        gpt_from_export({**e, "data": base64.b64encode(base64.b64decode(e["data"])[:-8]).decode()})
    with pytest.raises(ValueError, match=r"blocks\.0\.ln1\.bias is missing"):
        gpt_from_export({**e, "tensors": [t for t in e["tensors"] if t[0] != "blocks.0.ln1.bias"]})
    bad = [[n, [1, *s] if n == "ln_f.weight" else s, o] for n, s, o in e["tensors"]]
    with pytest.raises(ValueError, match=r"ln_f.weight has shape \[1, 16\]"):
        gpt_from_export({**e, "tensors": bad})


def test_export_size_of_a_chapter_sized_model():
    torch.manual_seed(0)
    model = GPT(65, width=96, heads=4, layers=2, context=64)
    w = GenerateWidget(model, vocab=[chr(32 + i) for i in range(65)])
    n = model.num_parameters()
    assert 200_000 < n < 300_000
    assert len(w.weights) == 4 * math.ceil(4 * n / 3)
    assert len(json.dumps(w.get_state(["config", "tensors", "vocab"]))) < 10_000
    print(f"\n{n} parameters -> {len(w.weights) / 1e6:.2f} MB of base64 in the page")


def test_export_refuses_what_is_not_a_gpt():
    with pytest.raises(TypeError, match="model must be a tokenlab.lm.GPT"):
        export_gpt(torch.nn.Linear(2, 2))
    model = random_gpt()
    with torch.no_grad():
        model.blocks[1].ff[0].bias[3] = float("nan")
    with pytest.raises(ValueError, match=r"model: blocks\.1\.ff\.0\.bias is not finite"):
        export_gpt(model)


# ---- the Python side ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return random_gpt("learned", vocab=len(VOCAB), width=16, context=12, seed=41)


BAD = [
    ({"temperature": -0.1}, ValueError, "temperature must be >= 0"),
    ({"temperature": float("nan")}, ValueError, "temperature must be finite"),
    ({"temperature": "hot"}, TypeError, "temperature must be a real number"),
    ({"top_k": 0}, ValueError, "top_k must be >= 1"),
    ({"top_k": 2.5}, TypeError, "top_k must be an integer"),
    ({"top_p": 0.0}, ValueError, r"top_p must be in \(0, 1\]"),
    ({"top_p": 1.01}, ValueError, r"top_p must be in \(0, 1\]"),
    ({"top_p": True}, TypeError, "top_p must be a real number"),
    ({"temperature": False}, TypeError, "temperature must be a real number"),
    ({"top_k": True}, TypeError, "top_k must be an integer"),
    ({"seed": True}, TypeError, "seed must be an integer"),
    ({"seed": -1}, ValueError, "seed must be from 0"),
    ({"seed": 2**32}, ValueError, "seed must be from 0"),
    ({"seed": 1.0}, TypeError, "seed must be an integer"),
    ({"prompt": 3}, TypeError, "prompt must be a str"),
    ({"vocab": VOCAB[:-1]}, ValueError, r"vocab must have one entry per token id .* got 30"),
    ({"vocab": ["a", "a", *VOCAB[2:]]}, ValueError, r"vocab\[1\] = 'a' repeats vocab\[0\]"),
    ({"vocab": [1, *VOCAB[1:]]}, TypeError, r"vocab\[0\] must be a str"),
    ({"vocab": ["", *VOCAB[1:]]}, ValueError, r"vocab\[0\] must not be empty"),
    ({"vocab": "abc"}, TypeError, "vocab must be a list of str"),
]


@pytest.mark.parametrize("change, error, message", BAD)
def test_bad_arguments_name_themselves(small, change, error, message):
    kwargs = {"vocab": VOCAB, **change}
    with pytest.raises(error, match=message):
        GenerateWidget(small, **kwargs)
    if "vocab" not in change:
        w = GenerateWidget(small, vocab=VOCAB)
        name, value = next(iter(change.items()))
        # traitlets' own type check may answer first (a TraitError naming the trait).
        with pytest.raises((error, traitlets.TraitError), match=f"{message}|'{name}' trait"):
            setattr(w, name, value)
        if name != "seed":
            with pytest.raises(error, match=message):
                next_token(small, VOCAB, **({"prompt": "a"} | change))


def test_bad_model_and_generated(small):
    with pytest.raises(TypeError, match="model must be a tokenlab.lm.GPT"):
        GenerateWidget(object(), vocab=VOCAB)
    w = GenerateWidget(small, vocab=VOCAB)
    with pytest.raises(ValueError, match=r"generated\[1\] = 31 is not a token id \(0 to 30\)"):
        w.generated = [0, 31]
    with pytest.raises(TypeError, match=r"generated\[0\] must be an integer"):
        w.generated = [0.5]
    with pytest.raises(ValueError, match="n must be >= 0"):
        w.sample(-1)
    for name in ("config", "tensors", "weights"):
        with pytest.raises(ValueError, match=f"{name} is the exported model's"):
            setattr(w, name, {} if name == "config" else [] if name == "tensors" else "")
    w.prompt = "ÿ"
    with pytest.raises(ValueError, match="prompt: none of its characters is in the vocabulary"):
        w.sample(1)


def test_result_is_the_models_next_token(small):
    w = GenerateWidget(small, vocab=VOCAB, prompt="ROMEO: hi", temperature=0.7, top_k=6)
    r = w.result
    ids, _ = encode_prompt("ROMEO: hi", VOCAB)
    with torch.no_grad():
        logits = small(torch.tensor(ids))[-1].double()
    assert r["ids"] == ids and r["skipped"] == [] and r["dropped"] == 0
    assert r["logits"] == logits.tolist()
    assert r["probs"] == filter_logits(logits, temperature=0.7, top_k=6).tolist()
    assert sum(p > 0 for p in r["probs"]) == 6
    assert json.loads(json.dumps(r, allow_nan=False)) == r
    w.top_p = 0.5
    assert w.result["top_p"] == 0.5 and w.result["probs"] == filter_logits(
        logits, temperature=0.7, top_k=6, top_p=0.5).tolist()
    w.temperature = 0
    assert max(w.result["probs"]) == 1.0 and w.result["probs"].index(1.0) == int(logits.argmax())


def test_sampling_in_the_kernel(small):
    w = GenerateWidget(small, vocab=VOCAB, prompt="ROMEO:", seed=5)
    first = w.sample(8)
    assert len(first) == 8 and w.generated == first
    assert w.result["generated"] == first and w.result["ids"] == (
        encode_prompt("ROMEO:", VOCAB)[0] + first)[-12:]
    assert w.text == "ROMEO:" + "".join(VOCAB[i] for i in first)
    w.reset()
    assert w.generated == [] and w.sample(8) == first, "the same seed, the same text"
    w.reset()
    w.seed = 6
    assert w.sample(8) != first
    w.prompt = "MERCUTIO"
    assert w.generated == [], "a new prompt starts over"
    assert w.result["skipped"] == ["C", "U", "T", "I"]
    w.generated = [1, 2]
    assert w.result["generated"] == [1, 2]
    assert small.training is False


def test_model_is_not_changed(small):
    before = {k: v.clone() for k, v in small.state_dict().items()}
    small.train()
    w = GenerateWidget(small, vocab=VOCAB)
    w.sample(3)
    assert small.training, "mode restored"
    small.eval()
    assert all(torch.equal(before[k], v) for k, v in small.state_dict().items())
    assert w.model is small


@cuda
@needs_cuda
def test_a_model_on_the_gpu():
    """The export reads a CUDA model (the page gets the same bytes); the kernel side runs it
    where it is and leaves it there."""
    cpu = random_gpt("sinusoidal", vocab=len(VOCAB), width=16, context=12, seed=51)
    gpu = copy.deepcopy(cpu).cuda()
    assert export_gpt(gpu) == export_gpt(cpu)
    a = next_token(gpu, VOCAB, "ROMEO:", [3], temperature=0.9, top_k=7)
    b = next_token(cpu, VOCAB, "ROMEO:", [3], temperature=0.9, top_k=7)
    assert max_diff(a["logits"], b["logits"]) < 1e-4 and a["ids"] == b["ids"]
    w = GenerateWidget(gpu, vocab=VOCAB, temperature=0)
    assert w.sample(5) == GenerateWidget(cpu, vocab=VOCAB, temperature=0).sample(5)
    assert gpu.tok.weight.device.type == "cuda"


# ---- in chromium, against a stand-in model (no kernel) --------------------------------------

READ = """
() => {
  const root = document.querySelector(".tl-gen");
  const q = (s) => root.querySelector(s);
  return {
    prompt: q("input.tl-gen-prompt").value,
    temp: q(".tl-gen-temp-value").textContent,
    topk: q(".tl-gen-topk-value").textContent,
    topp: q(".tl-gen-topp-value").textContent,
    seed: q("input.tl-gen-seed").value,
    bars: [...root.querySelectorAll(".tl-gen-bar-row")].map((r) => ({
      id: Number(r.dataset.id), rank: Number(r.dataset.rank),
      token: r.querySelector(".tl-gen-bar-token").textContent,
      v: Number(r.querySelector(".tl-gen-bar-value").dataset.value),
      t: r.querySelector(".tl-gen-bar-value").textContent,
      width: r.querySelector(".tl-gen-bar-fill").style.width })),
    kept: Number(q(".tl-gen-kept").dataset.kept),
    generated: JSON.parse(q(".tl-gen-output").dataset.generated),
    outPrompt: q(".tl-gen-output-prompt").textContent,
    outNew: q(".tl-gen-output-new").textContent,
    note: q(".tl-gen-note").textContent,
    skipped: JSON.parse(q(".tl-gen-note").dataset.skipped),
    dropped: Number(q(".tl-gen-note").dataset.dropped),
    sampleDisabled: q("button.tl-gen-sample").disabled,
    resetDisabled: q("button.tl-gen-reset").disabled,
    toppDisabled: q("input.tl-gen-topp").disabled,
    source: q(".tl-gen-status").dataset.source,
  };
}
"""


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 900, "height": 1000}, body_style=WIDE_BODY)


def state_of(w: GenerateWidget) -> dict:
    names = ["config", "tensors", "weights", "vocab", "prompt", "generated", "temperature",
             "top_k", "top_p", "seed", "result"]
    return json.loads(json.dumps({n: getattr(w, n) for n in names}))


def set_slider(page, cls: str, value: float) -> None:
    page.locator(f".tl-gen input.{cls}").evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        value)


def assert_bars(data: dict, probs: list[float], vocab: list[str]) -> None:
    """The bars are the most likely tokens of ``probs`` (at most 10, those above 0), each
    within 1e-9 of Python's probability."""
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    n = sum(p > 0 for p in probs)
    assert data["kept"] == n
    assert [b["id"] for b in data["bars"]] == order[:min(n, 10)]
    for rank, b in enumerate(data["bars"]):
        assert b["rank"] == rank and abs(b["v"] - probs[b["id"]]) <= TOL_F64, b
        assert b["t"] == f"{100 * b['v']:.1f}%"
        assert abs(float(b["width"].rstrip("%")) - 100 * b["v"]) < 1e-3
        shown = vocab[b["id"]].replace(" ", "\u2423").replace("\n", "\u23ce")
        assert b["token"] == shown


def test_widget_in_chromium(page, small):
    m64 = as64(small)
    w = GenerateWidget(small, vocab=VOCAB, prompt="ROMEO:", temperature=0.8, seed=3)
    mount_esm(page, GEN_JS.read_text(encoding="utf-8"), GEN_CSS.read_text(encoding="utf-8"),
              state_of(w))
    page.wait_for_selector(".tl-gen .tl-gen-bar-row")

    def expect(prompt, generated, t, k, p):
        return next_token(m64, VOCAB, prompt, generated, temperature=t, top_k=k, top_p=p)

    data = page.evaluate(READ)
    assert data["source"] == "browser" and data["prompt"] == "ROMEO:"
    assert (data["temp"], data["topk"], data["topp"], data["seed"]) == ("0.8", "off", "off", "3")
    assert_bars(data, expect("ROMEO:", [], 0.8, None, None)["probs"], VOCAB)
    assert data["sampleDisabled"] is False and data["resetDisabled"] is True

    # Typing a prompt, with characters the model does not know.
    box = page.locator(".tl-gen input.tl-gen-prompt")
    box.fill("")
    data = page.evaluate(READ)
    assert data["bars"] == [] and data["sampleDisabled"]
    assert "at least one character" in data["note"]
    box.press_sequentially("JULIET: Ay me!", delay=5)
    data = page.evaluate(READ)
    r = expect("JULIET: Ay me!", [], 0.8, None, None)
    assert data["skipped"] == r["skipped"] == ["J", "U", "L", "I", "T"]
    assert "\u201cJ\u201d" in data["note"] and "skipped" in data["note"]
    assert data["outPrompt"] == "E: Ay me!"
    assert_bars(data, r["probs"], VOCAB)
    assert model_state(page)["prompt"] == "JULIET: Ay me!"

    # The sliders: each move recomputes the bars; top-k keeps exactly k.
    for cls, value in (("tl-gen-temp", 1.35), ("tl-gen-topk", 4), ("tl-gen-topp", 0.6),
                       ("tl-gen-topk", 0), ("tl-gen-temp", 0.3)):
        set_slider(page, cls, value)
        s = model_state(page)
        data = page.evaluate(READ)
        want = expect(s["prompt"], [], s["temperature"], s["top_k"], s["top_p"])["probs"]
        assert_bars(data, want, VOCAB)
    assert (s["temperature"], s["top_k"], s["top_p"]) == (0.3, None, 0.6)
    set_slider(page, "tl-gen-topk", 4)
    set_slider(page, "tl-gen-topp", 1)
    assert model_state(page)["top_p"] is None and page.evaluate(READ)["kept"] == 4
    set_slider(page, "tl-gen-temp", 1.0)

    # Sampling token by token: the same ids as the kernel's sampler, probabilities after each.
    for n in range(1, 13):
        page.locator(".tl-gen button.tl-gen-sample").click()
        data = page.evaluate(READ)
        assert len(data["generated"]) == n
        s = model_state(page)
        assert s["generated"] == data["generated"]
        assert_bars(data, expect(s["prompt"], s["generated"], 1.0, 4, None)["probs"], VOCAB)
    kernel = GenerateWidget(m64, vocab=VOCAB, prompt="JULIET: Ay me!", temperature=1.0, top_k=4,
                            seed=3)
    assert kernel.sample(12) == data["generated"]
    assert data["outNew"] == "".join(VOCAB[i] for i in data["generated"])
    # Past the context: the note says how many tokens are left out.
    page.locator(".tl-gen button.tl-gen-sample-many").click()
    data = page.evaluate(READ)
    assert len(data["generated"]) == 32 and kernel.sample(20) == data["generated"]
    r = expect("JULIET: Ay me!", data["generated"], 1.0, 4, None)
    assert data["dropped"] == r["dropped"] > 0 and "only the last 12 tokens" in data["note"]
    assert_bars(data, r["probs"], VOCAB)
    page.locator(".tl-gen").screenshot(path=str(SCREENSHOT))

    # Reset, and the same seed samples the same text again.
    page.locator(".tl-gen button.tl-gen-reset").click()
    assert page.evaluate(READ)["generated"] == [] and model_state(page)["generated"] == []
    page.locator(".tl-gen button.tl-gen-sample-many").click()
    assert page.evaluate(READ)["generated"] == kernel.generated[:20]
    # Another seed, other text.
    page.locator(".tl-gen button.tl-gen-reset").click()
    page.locator(".tl-gen input.tl-gen-seed").fill("4")
    page.locator(".tl-gen input.tl-gen-seed").dispatch_event("change")
    page.locator(".tl-gen button.tl-gen-sample-many").click()
    assert model_state(page)["seed"] == 4
    assert page.evaluate(READ)["generated"] != kernel.generated[:20]

    # Greedy: one bar at 100 %, the top-k/top-p sliders off.
    set_slider(page, "tl-gen-temp", 0)
    data = page.evaluate(READ)
    assert data["temp"] == "0 (greedy)" and data["toppDisabled"] and len(data["bars"]) == 1
    assert data["bars"][0]["v"] == 1.0

    # Typing forgets the samples.
    box.press("End")
    box.press_sequentially("?", delay=5)
    assert page.evaluate(READ)["generated"] == [] and model_state(page)["generated"] == []


def test_widget_follows_kernel_state_and_result(page, small):
    """A change from Python (another view) is followed; a kernel result that fits is shown."""
    w = GenerateWidget(small, vocab=VOCAB, prompt="ROMEO:")
    mount_esm(page, GEN_JS.read_text(encoding="utf-8"), GEN_CSS.read_text(encoding="utf-8"),
              state_of(w))
    page.wait_for_selector(".tl-gen .tl-gen-bar-row")
    assert page.evaluate(READ)["source"] == "browser"
    # The stand-in holds the kernel's result for this very state: it is shown.
    page.evaluate(f"window.models[0].set('result', {json.dumps(w.result)})")
    data = page.evaluate(READ)
    assert data["source"] == "kernel"
    assert_bars(data, w.result["probs"], VOCAB)
    # Python samples; the page follows (browser numbers until the matching result comes).
    w.sample(4)
    page.evaluate(f"window.models[0].set('generated', {json.dumps(w.generated)})")
    data = page.evaluate(READ)
    assert data["generated"] == w.generated and data["source"] == "browser"
    page.evaluate(f"window.models[0].set('result', {json.dumps(w.result)})")
    assert page.evaluate(READ)["source"] == "kernel"
    # A result for another state is not shown.
    page.evaluate("window.models[0].set('temperature', 1.5)")
    assert page.evaluate(READ)["source"] == "browser"


def test_dark_mode_uses_dark_colours(page, small):
    w = GenerateWidget(small, vocab=VOCAB)
    mount_esm(page, GEN_JS.read_text(encoding="utf-8"), GEN_CSS.read_text(encoding="utf-8"),
              state_of(w))
    page.wait_for_selector(".tl-gen .tl-gen-bar-row")
    colour = "() => getComputedStyle(document.querySelector('.tl-gen-bar-fill')).backgroundColor"
    light = page.evaluate(colour)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    dark = page.evaluate(colour)
    bg = page.evaluate("getComputedStyle(document.querySelector('.tl-gen')).backgroundColor")
    assert light == "rgb(25, 113, 194)" and dark == "rgb(77, 171, 247)"
    assert bg == "rgb(20, 24, 30)", "its own dark background (no theme variables here)"

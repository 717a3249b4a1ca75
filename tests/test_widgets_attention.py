"""tokenlab.widgets.attention: ``attention_table`` against torch, the widget's traits and bad
input, the JavaScript's syntax, and (with chromium) the explorer driven by attention.js alone,
against a stand-in model, with no kernel and no book build: every check box, the temperature
slider, the sentence picker and the query selection, on three configurations (the lecture's
plain self-attention with named features, random projections with d = 6 and d_k = 3, and an odd
d), each DOM number compared with ``attention_table``."""

from __future__ import annotations

import doctest
import itertools
import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import traitlets

import tokenlab.widgets as widgets
from tokenlab.positional import sinusoidal
from tokenlab.widgets import attention as A
from tokenlab.widgets.attention import AttentionWidget, attention_table
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
ATTN_JS = HERE / "attention.js"
ATTN_CSS = HERE / "attention.css"
SCREENSHOT = Path("/tmp/attention-widget.png")
F64 = torch.float64
# Everything is float64 on both sides, with at most 16-term dot products, a softmax over at most
# 8 keys and the positional sines (Math.pow/sin in the browser, torch's in Python): the rounding
# differences are ~1e-15 relative. 1e-9 (relative above 1) leaves six orders of margin and still
# catches any formula slip (a missing sqrt(d_k), a wrong position term), which moves numbers by
# far more than 1e-6.
TOL = 1e-9

FEATURES = ["water", "food", "motion", "grammar"]
LECTURE = [
    {"label": "the river bank flooded",
     "tokens": ["the", "river", "bank", "flooded"],
     "vectors": [[0.0, 0.0, 0.0, 1.0], [2.0, 0.0, 0.5, 0.0], [1.0, 0.5, 0.0, 0.0],
                 [1.5, 0.0, 1.0, 0.2]]},
    {"label": "cats eat fish and dogs eat meat too",
     "tokens": ["cats", "eat", "fish", "and", "dogs", "eat", "meat", "too"],
     "vectors": [[0.0, 0.5, 1.0, 0.0], [0.0, 2.0, 0.5, 0.3], [1.5, 1.5, 0.5, 0.0],
                 [0.0, 0.0, 0.0, 1.5], [0.0, 0.5, 1.2, 0.0], [0.0, 2.0, 0.5, 0.3],
                 [0.0, 1.8, 0.0, 0.0], [0.1, 0.0, 0.1, 1.2]]},
    {"label": "boats float", "tokens": ["boats", "float"],
     "vectors": [[2.0, 0.0, 1.0, 0.0], [1.5, 0.0, 0.5, 0.5]]},
]


def _random(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=F64) * 1.3).tolist()


RANDOM_EXAMPLES = [
    {"label": "six random tokens", "tokens": ["a", "b", "c", "d", "e", "f"],
     "vectors": _random((6, 6), 1)},
    {"label": "three random tokens", "tokens": ["x", "y", "z"], "vectors": _random((3, 6), 2)},
]
RANDOM_W = {"wq": _random((6, 3), 3), "wk": _random((6, 3), 4), "wv": _random((6, 3), 5)}
ODD_EXAMPLES = [
    {"label": "odd d = 5", "tokens": ["one", "two", "three"], "vectors": _random((3, 5), 6)},
    {"label": "five of them", "tokens": ["p", "q", "r", "s", "t"],
     "vectors": _random((5, 5), 7)},
]

SETTINGS = ("wq", "wk", "wv", "scale", "causal", "positions", "position_scale", "temperature")


def reference(vectors, *, wq=None, wk=None, wv=None, scale=True, causal=False, positions=False,
              position_scale=1.0, temperature=1.0) -> dict:
    """The table straight from torch (float64), written out as the lecture defines it."""
    X = torch.tensor(vectors, dtype=F64)
    L, d = X.shape
    Xp = X
    if positions:
        P = torch.zeros(L, d, dtype=F64)
        angle = torch.arange(L, dtype=F64)[:, None] / 10000 ** (
            torch.arange(0, d, 2, dtype=F64)[None, :] / d)
        P[:, 0::2], P[:, 1::2] = torch.sin(angle), torch.cos(angle)
        Xp = X + position_scale * P
    q, k, v = (Xp if w is None else Xp @ torch.tensor(w, dtype=F64) for w in (wq, wk, wv))
    d_k = q.shape[-1]
    factor = (1 / math.sqrt(d_k) if scale else 1.0) / temperature
    scores = q @ k.T * factor
    if causal:
        scores = scores.masked_fill(~torch.ones(L, L, dtype=torch.bool).tril(), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    output = weights @ v
    fused = F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=factor)
    assert torch.allclose(fused, output, rtol=0, atol=1e-12)
    targets = X if v.shape[-1] == d else v
    cosines = F.cosine_similarity(output[:, None, :], targets[None, :, :], dim=-1, eps=1e-8)
    return {"inputs": Xp, "q": q, "k": k, "v": v, "scores": scores, "weights": weights,
            "output": output, "cosines": cosines}


def close(a: float, b: float, tol: float = TOL) -> bool:
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(b))


def assert_matrix(got, want, name: str, tol: float = TOL) -> None:
    want = want.tolist() if isinstance(want, torch.Tensor) else want
    assert len(got) == len(want), name
    for i, (row, wrow) in enumerate(zip(got, want, strict=True)):
        assert len(row) == len(wrow), (name, i)
        for j, (a, b) in enumerate(zip(row, wrow, strict=True)):
            if b is None or b == float("-inf"):
                assert a is None, (name, i, j, a)
            else:
                assert close(a, b, tol), (name, i, j, a, b)


def assert_table_matches(t: dict, ref: dict) -> None:
    for name in ("inputs", "q", "k", "v", "scores", "weights", "output", "cosines"):
        assert_matrix(t[name], ref[name], name)
    assert json.loads(json.dumps(t, allow_nan=False)) == t, "JSON-safe: no inf, no NaN"


def config(widget_examples, example=0, **settings) -> tuple[list, list, dict]:
    ex = widget_examples[example]
    return ex["tokens"], ex["vectors"], settings


# ---- attention_table against torch ----------------------------------------------------------

CASES = [
    pytest.param(LECTURE[0], {}, id="lecture"),
    pytest.param(LECTURE[1], {"causal": True, "positions": True, "temperature": 0.1},
                 id="lecture-causal-positions-cold"),
    pytest.param(LECTURE[2], {"scale": False, "temperature": 5.0}, id="two-tokens-unscaled"),
    pytest.param(RANDOM_EXAMPLES[0], {**RANDOM_W}, id="random-projections"),
    pytest.param(RANDOM_EXAMPLES[0], {**RANDOM_W, "causal": True, "positions": True,
                                      "position_scale": 2.5, "scale": False}, id="random-all"),
    pytest.param(RANDOM_EXAMPLES[1], {"wq": RANDOM_W["wq"], "wk": RANDOM_W["wk"],
                                      "wv": _random((6, 6), 8), "temperature": 0.7},
                 id="square-wv"),
    pytest.param(ODD_EXAMPLES[1], {"causal": True, "temperature": 2.3}, id="odd-d"),
    pytest.param(ODD_EXAMPLES[0], {"wq": _random((5, 1), 9), "wk": _random((5, 1), 10)},
                 id="d_k-1"),
]


@pytest.mark.parametrize("example, settings", CASES)
def test_table_matches_torch(example, settings):
    t = attention_table(example["tokens"], example["vectors"], **settings)
    ref = reference(example["vectors"], **settings)
    assert_table_matches(t, ref)
    L = len(example["tokens"])
    d = len(example["vectors"][0])
    assert t["tokens"] == example["tokens"] and t["vectors"] == example["vectors"]
    assert (t["d"], t["d_k"], t["d_v"]) == (d, ref["q"].shape[-1], ref["v"].shape[-1])
    for name in SETTINGS:
        want = settings.get(name, A.attention_table.__kwdefaults__[name])
        assert t[name] == want, name
    for row in t["weights"]:
        assert math.isclose(sum(row), 1.0, abs_tol=1e-12)
    assert t["closest_to"] == ("inputs" if t["d_v"] == d else "values")
    for i, row in enumerate(t["cosines"]):
        best = max(row)
        assert t["closest"][i] == next(j for j, c in enumerate(row) if c >= best - A.TIE)
    assert len(t["closest"]) == L


def test_table_uses_tokenlab_positional_and_attention():
    ex = LECTURE[1]
    t = attention_table(ex["tokens"], ex["vectors"], positions=True, position_scale=0.5)
    X = torch.tensor(ex["vectors"], dtype=F64)
    want = X + 0.5 * sinusoidal(8, 4, dtype=F64)
    assert t["inputs"] == want.tolist(), "exactly tokenlab.positional.sinusoidal"
    from tokenlab.attention import scaled_dot_product_attention
    out, weights = scaled_dot_product_attention(want, want, want)
    assert t["weights"] == weights.tolist() and t["output"] == out.tolist()


def test_identity_projections_give_x_xt_over_sqrt_d():
    for ex in (*LECTURE, *ODD_EXAMPLES):
        X = torch.tensor(ex["vectors"], dtype=F64)
        t = attention_table(ex["tokens"], ex["vectors"])
        assert_matrix(t["scores"], X @ X.T / math.sqrt(X.shape[1]), "scores")
        assert t["q"] == t["k"] == t["v"] == t["inputs"] == ex["vectors"]
        unscaled = attention_table(ex["tokens"], ex["vectors"], scale=False)
        assert_matrix(unscaled["scores"], X @ X.T, "unscaled scores")


def test_causal_masks_the_future():
    ex = LECTURE[1]
    full = attention_table(ex["tokens"], ex["vectors"])
    t = attention_table(ex["tokens"], ex["vectors"], causal=True)
    for i in range(8):
        for j in range(8):
            if j > i:
                assert t["scores"][i][j] is None and t["weights"][i][j] == 0.0
            else:
                assert t["scores"][i][j] == full["scores"][i][j]
    assert t["weights"][0][0] == 1.0 and t["output"][0] == t["v"][0]
    assert t["weights"][-1] == full["weights"][-1], "the last query sees every key"


def test_positions_shift_the_scores():
    ex = LECTURE[0]
    plain = attention_table(ex["tokens"], ex["vectors"])
    moved = attention_table(ex["tokens"], ex["vectors"], positions=True)
    assert moved["inputs"][0] == [x + p for x, p in zip(ex["vectors"][0], [0.0, 1.0, 0.0, 1.0],
                                                        strict=True)]
    diffs = [abs(a - b) for ra, rb in zip(moved["scores"], plain["scores"], strict=True)
             for a, b in zip(ra, rb, strict=True)]
    assert max(diffs) > 0.1
    # Without positions, swapping two tokens only swaps their rows and columns; with them, not.
    swapped = [ex["vectors"][1], ex["vectors"][0], *ex["vectors"][2:]]
    perm = [1, 0, 2, 3]
    s = attention_table(ex["tokens"], swapped)["scores"]
    assert all(close(s[i][j], plain["scores"][perm[i]][perm[j]])
               for i in range(4) for j in range(4))
    sp = attention_table(ex["tokens"], swapped, positions=True)["scores"]
    assert not all(close(sp[i][j], moved["scores"][perm[i]][perm[j]])
                   for i in range(4) for j in range(4))
    zero = attention_table(ex["tokens"], ex["vectors"], positions=True, position_scale=0.0)
    assert zero["scores"] == plain["scores"]


def test_lower_temperature_sharpens():
    ex = LECTURE[1]

    def entropy(t):
        return sum(-w * math.log(w) for row in t["weights"] for w in row if w > 0)

    temps = [5.0, 2.0, 1.0, 0.5, 0.1]
    ents = [entropy(attention_table(ex["tokens"], ex["vectors"], temperature=T)) for T in temps]
    assert all(a > b for a, b in itertools.pairwise(ents)), ents
    cold = attention_table(ex["tokens"], ex["vectors"], temperature=0.1)
    assert max(cold["weights"][2]) > 0.99  # "fish" attends to itself
    hot = attention_table(ex["tokens"], ex["vectors"], temperature=1e6)
    assert all(abs(w - 1 / 8) < 1e-5 for w in hot["weights"][1])


def test_closest_ties_go_to_the_first_and_zero_output_is_not_nan():
    # Two identical tokens: equal cosines, the first wins.
    t = attention_table(["a", "a", "b"], [[1, 0], [1, 0], [0, 3]])
    assert t["closest"][0] == 0 and t["cosines"][0][0] == t["cosines"][0][1]
    # All-zero values: the output is 0, every cosine 0 (not NaN), closest the first.
    z = attention_table(["a", "b"], [[1, 2], [3, 4]], wv=[[0.0], [0.0]])
    assert z["output"] == [[0.0], [0.0]] and z["cosines"] == [[0.0, 0.0], [0.0, 0.0]]
    assert z["closest"] == [0, 0] and z["closest_to"] == "values"


def test_overflow_is_refused_not_nan():
    with pytest.raises(ValueError, match="overflow"):
        attention_table(["a", "b"], [[1e200, 0], [1e200, 1]])


# ---- the widget's traits ------------------------------------------------------------------


def test_defaults_and_synced_traits():
    w = AttentionWidget(LECTURE)
    assert (w.scale, w.causal, w.positions) == (True, False, False)
    assert w.wq is None and w.wk is None and w.wv is None and w.features is None
    assert (w.temperature, w.position_scale, w.example, w.selected) == (1.0, 1.0, 0, 0)
    names = ("examples", "wq", "wk", "wv", "features", "scale", "causal", "positions",
             "position_scale", "temperature", "example", "selected", "result")
    for name in names:
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["temperature"], traitlets.Float)
    assert isinstance(w.traits()["selected"], traitlets.Int)
    state = w.get_state()
    json.dumps(state, allow_nan=False)  # what Jupyter Book embeds in the page must be JSON
    assert state["result"] == w.result
    ex = LECTURE[0]
    assert w.result == attention_table(ex["tokens"], ex["vectors"])


def test_constructor_takes_arrays_and_tensors():
    np = pytest.importorskip("numpy")
    ex = {"label": "np", "tokens": ("a", "b", "c"), "vectors": np.arange(18.0).reshape(3, 6)}
    ex2 = {"tokens": ["x", "y"], "vectors": torch.ones(2, 6)}
    w = AttentionWidget((ex, ex2), wq=np.array(RANDOM_W["wq"]),
                        wk=torch.tensor(RANDOM_W["wk"], dtype=F64), wv=RANDOM_W["wv"],
                        temperature=2, example=np.int64(1), selected=torch.tensor(1),
                        position_scale=3)
    assert w.examples[0]["vectors"] == np.arange(18.0).reshape(3, 6).tolist()
    assert w.examples[0]["tokens"] == ["a", "b", "c"]
    assert w.examples[1]["label"] == "x y", "the label defaults to the tokens"
    assert all(type(v) is float for row in w.wk for v in row)
    assert w.wq == RANDOM_W["wq"] and w.temperature == 2.0 and w.position_scale == 3.0
    assert (w.example, w.selected) == (1, 1)
    assert w.result == attention_table(["x", "y"], [[1.0] * 6] * 2, temperature=2.0,
                                       position_scale=3.0, **RANDOM_W)
    f = AttentionWidget(LECTURE, features=tuple(FEATURES))
    assert f.features == FEATURES


def test_result_follows_every_change():
    w = AttentionWidget(LECTURE, features=FEATURES)

    def expect(example=0, **settings):
        tokens, vectors, s = config(LECTURE, example, **settings)
        assert w.result == attention_table(tokens, vectors, **s)

    w.causal = True
    expect(causal=True)
    w.scale = False
    expect(causal=True, scale=False)
    w.positions = True
    expect(causal=True, scale=False, positions=True)
    w.position_scale = 0.25
    expect(causal=True, scale=False, positions=True, position_scale=0.25)
    w.temperature = 0.3
    expect(causal=True, scale=False, positions=True, position_scale=0.25, temperature=0.3)
    w.selected = 3
    w.example = 2  # two tokens: the selection follows
    assert w.selected == 1
    expect(2, causal=True, scale=False, positions=True, position_scale=0.25, temperature=0.3)
    w.examples = LECTURE[:1]  # one sentence left: the example follows
    assert (w.example, w.selected) == (0, 1)
    expect(0, causal=True, scale=False, positions=True, position_scale=0.25, temperature=0.3)


def test_projections_can_change():
    w = AttentionWidget(RANDOM_EXAMPLES)
    w.wv = RANDOM_W["wv"]
    assert w.result["d_v"] == 3 and w.result["closest_to"] == "values"
    with w.hold_trait_notifications():  # d_k changes: both at once
        w.wq = RANDOM_W["wq"]
        w.wk = RANDOM_W["wk"]
    tokens, vectors, s = config(RANDOM_EXAMPLES, 0, **RANDOM_W)
    assert w.result == attention_table(tokens, vectors, **s)
    with w.hold_trait_notifications():  # a new d with new projections
        w.examples = ODD_EXAMPLES
        w.wq = w.wk = w.wv = None
    assert w.result["d"] == 5


def test_what_the_browser_sends_is_recomputed():
    # A live kernel receives the changed traits together, as set_state does.
    w = AttentionWidget(LECTURE, selected=3)
    w.set_state({"example": 2, "selected": 1, "causal": True, "temperature": 0.4})
    assert (w.example, w.selected) == (2, 1)
    tokens, vectors, s = config(LECTURE, 2, causal=True, temperature=0.4)
    assert w.result == attention_table(tokens, vectors, **s)
    w.set_state({"example": 1, "selected": 7, "positions": True})
    assert w.result["tokens"] == LECTURE[1]["tokens"] and w.result["positions"] is True


def ex2(tokens=("a", "b"), vectors=((1, 0), (0, 1)), **extra):
    return {"label": "x", "tokens": list(tokens), "vectors": vectors, **extra}


D4 = [ex2(vectors=((1, 0, 0, 0), (0, 1, 0, 0)))]


@pytest.mark.parametrize("examples, kwargs, error, match", [
    ([], {}, ValueError, "examples must hold at least one"),
    (ex2(), {}, TypeError, "examples must be a list.*one dict"),
    ("ab", {}, TypeError, "examples must be a list"),
    (None, {}, TypeError, "examples must be a list"),
    ([5], {}, TypeError, r"examples\[0\] must be a dict"),
    ([{"tokens": ["a", "b"]}], {}, ValueError, r"examples\[0\] needs 'vectors'"),
    ([ex2(extra=1)], {}, ValueError, r"examples\[0\] has unknown keys \['extra'\]"),
    ([ex2(label=3)], {}, TypeError, r"examples\[0\]\.label"),
    ([ex2(tokens=["a"], vectors=[[1, 0]])], {}, ValueError, r"examples\[0\]\.tokens.*2 to 8"),
    ([ex2(tokens="abcdefghi", vectors=[[1, 0]] * 9)], {}, ValueError,
     r"examples\[0\]\.tokens.*2 to 8.*got 9"),
    ([ex2(tokens=["a", 2])], {}, TypeError, r"examples\[0\]\.tokens\[1\] must be a str"),
    ([ex2(tokens=["a", " "])], {}, ValueError, r"examples\[0\]\.tokens\[1\] must not be empty"),
    ([ex2(vectors=[[1, 0]])], {}, ValueError, r"examples\[0\]\.vectors must have 2 rows"),
    ([ex2(vectors=[[1, 0], [1, 0, 0]])], {}, ValueError,
     r"examples\[0\]\.vectors must be rectangular"),
    ([ex2(vectors=[[1], [0]])], {}, ValueError, r"examples\[0\]\.vectors must have 2 to 16"),
    ([ex2(vectors=[[1] * 17, [0] * 17])], {}, ValueError, r"examples\[0\]\.vectors.*2 to 16"),
    ([ex2(vectors=[[1, 0], [float("nan"), 0]])], {}, ValueError,
     r"examples\[0\]\.vectors\[1\]\[0\] must be finite"),
    ([ex2(vectors=[[1, 0], [0, "1"]])], {}, TypeError, r"examples\[0\]\.vectors\[1\]\[1\]"),
    ([ex2(vectors=[[1, 0], [0, True]])], {}, TypeError, r"examples\[0\]\.vectors\[1\]\[1\]"),
    ([ex2(vectors=[[1, 0], 5])], {}, TypeError, r"examples\[0\]\.vectors\[1\]"),
    ([ex2(), ex2(vectors=[[1, 0, 0], [0, 1, 0]])], {}, ValueError,
     r"examples\[1\]\.vectors have d = 3.*examples\[0\] has d = 2.*same d"),
    (D4, {"wq": [[1, 0]] * 3, "wk": [[1, 0]] * 3}, ValueError,
     r"wq must have 4 rows, one per input dimension"),
    (D4, {"wk": [[1, float("inf")]] * 4, "wq": [[1, 0]] * 4}, ValueError,
     r"wk\[0\]\[1\] must be finite"),
    (D4, {"wv": [[1] * 17] * 4}, ValueError, r"wv must have 1 to 16 columns"),
    (D4, {"wv": "abc"}, TypeError, r"wv must be a list of lists"),
    (D4, {"wq": [[1, 0]] * 4, "wk": [[1, 0, 0]] * 4}, ValueError,
     r"wq and wk must give queries and keys of one width d_k.*2 columns for wq and 3 for wk"),
    (D4, {"wq": [[1, 0]] * 4}, ValueError, r"wq and wk.*2 columns for wq and 4 for wk"),
    (D4, {"features": ["a", "b", "c"]}, ValueError, r"features must name each of the d = 4"),
    (D4, {"features": [1, 2, 3, 4]}, TypeError, r"features\[0\] must be a str"),
    (D4, {"features": "abcd"}, TypeError, r"features must be a list of str"),
    (D4, {"temperature": 0}, ValueError, "temperature must be > 0"),
    (D4, {"temperature": -1.0}, ValueError, "temperature must be > 0"),
    (D4, {"temperature": float("nan")}, ValueError, "temperature must be finite"),
    (D4, {"temperature": "1"}, TypeError, "temperature must be a real number"),
    (D4, {"position_scale": float("inf")}, ValueError, "position_scale must be finite"),
    (D4, {"scale": "yes"}, TypeError, "scale must be True or False"),
    (D4, {"causal": None}, TypeError, "causal must be True or False"),
    (D4, {"example": 1}, ValueError, "example must be from 0 to 0, got 1"),
    (D4, {"example": -1}, ValueError, "example must be from 0 to 0"),
    (D4, {"example": 0.0}, TypeError, "example must be an integer"),
    (D4, {"selected": 2}, ValueError, "selected must be from 0 to 1, got 2"),
    (D4, {"selected": True}, TypeError, "selected must be an integer"),
    ([ex2(vectors=[[1, 0, 0], [0, 1, 0]])], {"positions": True}, ValueError,
     "positions: the sinusoidal positional encoding needs an even d, got d = 3"),
])
def test_bad_input_is_named(examples, kwargs, error, match):
    with pytest.raises(error, match=match):
        AttentionWidget(examples, **kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"tokens": ["a"], "vectors": [[1, 0]]}, ValueError, "tokens must hold 2 to 8"),
    ({"tokens": ["a", "b"], "vectors": [[1, 0]]}, ValueError, "vectors must have 2 rows"),
    ({"tokens": ["a", "b"], "vectors": [[1, 0], [0, 1]], "temperature": 0}, ValueError,
     "temperature"),
    ({"tokens": ["a", "b"], "vectors": [[1, 0], [0, 1]], "wq": [[1]]}, ValueError,
     "wq must have 2 rows"),
    ({"tokens": ["a", "b"], "vectors": [[1, 0, 0], [0, 1, 0]], "positions": True}, ValueError,
     "needs an even d"),
])
def test_attention_table_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        attention_table(**kwargs)


def test_bad_assignment_is_named_and_changes_nothing():
    w = AttentionWidget(LECTURE, features=FEATURES)
    before = dict(w.result)
    for name, value, match in [
        ("temperature", 0.0, "temperature"),
        ("selected", 4, "selected must be from 0 to 3"),
        ("example", 3, "example must be from 0 to 2"),
        ("wq", [[1.0]] * 3, "wq must have 4 rows"),
        ("wq", [[1.0, 0.0]] * 4, "wq and wk"),
        ("features", ["a"], "features must name each of the d = 4"),
        ("examples", [], "examples must hold at least one"),
        ("examples", ODD_EXAMPLES, "examples: their d = 5 does not fit the 4 features"),
        ("position_scale", float("nan"), "position_scale"),
    ]:
        with pytest.raises(ValueError, match=match):
            setattr(w, name, value)
    assert w.result == before and w.examples == [
        {**ex, "vectors": [[float(x) for x in row] for row in ex["vectors"]]} for ex in LECTURE]
    odd = AttentionWidget(ODD_EXAMPLES)
    with pytest.raises(ValueError, match="needs an even d, got d = 5"):
        odd.positions = True
    assert odd.positions is False
    proj = AttentionWidget(RANDOM_EXAMPLES, **RANDOM_W)
    with pytest.raises(ValueError, match="examples: their d = 5 does not fit wq"):
        proj.examples = ODD_EXAMPLES
    lec = AttentionWidget(LECTURE, positions=True)
    with pytest.raises(ValueError, match="examples.*needs an even d"):
        lec.examples = ODD_EXAMPLES


def test_esm_and_css_are_the_files_and_document_the_contract():
    w = AttentionWidget(LECTURE)
    assert w._esm == ATTN_JS.read_text(encoding="utf-8")
    assert w._css == ATTN_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    header = w._esm.split("const TL_ATTN_BASE")[0]
    for name in (".tl-attn ", "select.tl-attn-example", "input.tl-attn-scale",
                 "input.tl-attn-causal", "input.tl-attn-positions", "input.tl-attn-temp",
                 ".tl-attn-temp-value", "table.tl-attn-scores", "table.tl-attn-weights",
                 "tr.tl-attn-row[data-row=i]", "button.tl-attn-pick[data-row=i]",
                 "td.tl-attn-score[data-row=i][data-col=j]", "data-value", "data-masked",
                 "td.tl-attn-weight[data-row=i][data-col=j]", "--tl-attn-w", "td.tl-attn-rowsum",
                 "select.tl-attn-query", ".tl-attn-bar-row[data-col=j]", ".tl-attn-bar-fill",
                 "table.tl-attn-output", "th.tl-attn-dim[data-dim=m]", "tr.tl-attn-out-input",
                 "td.tl-attn-out[data-dim=m]", ".tl-attn-closest", "data-closest",
                 "data-closest-to", ".tl-attn-status[data-source=S]", "position_scale"):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css
    # The site test's marker is in this widget's JavaScript and in no other widget's.
    for other in HERE.glob("*.js"):
        assert ("tl-attn-score" in other.read_text(encoding="utf-8")) == (other == ATTN_JS)


def test_package_exports_lazily():
    assert "AttentionWidget" in widgets.__all__
    assert widgets.AttentionWidget is AttentionWidget
    assert "AttentionWidget" in dir(widgets)


def test_doctests_pass():
    result = doctest.testmod(A, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(AttentionWidget._esm, tmp_path, "attention")


# ---- attention.js in a real browser, no kernel --------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-attn")[n];
  const grid = (kind) => [...root.querySelectorAll(`table.tl-attn-${kind}s tr.tl-attn-row`)]
    .map((tr) => [...tr.querySelectorAll(`td.tl-attn-${kind}`)].map((td) => ({
      v: td.dataset.value, t: td.textContent, m: td.dataset.masked === "true",
      row: Number(td.dataset.row), col: Number(td.dataset.col),
      w: td.style.getPropertyValue("--tl-attn-w") })));
  const q = (sel) => root.querySelector(sel);
  const texts = (sel) => [...root.querySelectorAll(sel)].map((t) => t.textContent);
  const rowsOf = (kind) => [...root.querySelectorAll(`table.tl-attn-${kind}s tr.tl-attn-row`)];
  const out = {
    title: q(".tl-attn-title").textContent,
    cols: texts("table.tl-attn-scores th.tl-attn-col"),
    wcols: texts("table.tl-attn-weights th.tl-attn-col"),
    rows: rowsOf("score").map((tr) => tr.querySelector(".tl-attn-pick").textContent),
    scores: grid("score"),
    weights: grid("weight"),
    rowsums: [...root.querySelectorAll("td.tl-attn-rowsum")].map((td) => td.dataset.value),
    selectedRows: ["score", "weight"].map((k) => rowsOf(k).flatMap((tr, i) =>
      tr.classList.contains("tl-attn-selected") ? [i] : [])),
    pressed: [...root.querySelectorAll(".tl-attn-pick")].flatMap((b) =>
      b.getAttribute("aria-pressed") === "true" ? [Number(b.dataset.row)] : []),
    query: q("select.tl-attn-query").value,
    queryOptions: q("select.tl-attn-query").options.length,
    bars: [...root.querySelectorAll(".tl-attn-bar-row")].map((r) => ({
      col: Number(r.dataset.col), width: r.querySelector(".tl-attn-bar-fill").style.width,
      v: r.querySelector(".tl-attn-bar-value").dataset.value,
      t: r.querySelector(".tl-attn-bar-value").textContent })),
    dims: texts("table.tl-attn-output th.tl-attn-dim"),
    output: [...root.querySelectorAll("tr.tl-attn-out-output td.tl-attn-out")].map((td) => ({
      v: td.dataset.value, t: td.textContent, dim: Number(td.dataset.dim) })),
    input: [...root.querySelectorAll("tr.tl-attn-out-input td")].map((td) => td.dataset.value),
    closest: Number(q(".tl-attn-closest").dataset.closest),
    closestValue: q(".tl-attn-closest").dataset.value,
    closestTo: q(".tl-attn-closest").dataset.closestTo,
    closestText: q(".tl-attn-closest").textContent,
    source: q(".tl-attn-status").dataset.source,
    status: q(".tl-attn-status").textContent,
    scale: q("input.tl-attn-scale").checked,
    causal: q("input.tl-attn-causal").checked,
    positions: q("input.tl-attn-positions").checked,
    positionsDisabled: q("input.tl-attn-positions").disabled,
    temp: q("input.tl-attn-temp").value,
    tempShown: q(".tl-attn-temp-value").textContent,
    example: q("select.tl-attn-example").value,
    exampleHidden: q(".tl-attn-pick-example").hidden,
    formula: q(".tl-attn-formula").textContent,
  };
  return out;
}
"""


def fmt2(v: float) -> str:
    """JavaScript's v.toFixed(2): the exact binary value rounded half away from zero (Python's
    format rounds half to even: 2.125 gives 2.12 there, 2.13 here); "-0.00" shows "0.00"."""
    s = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return "0.00" if s == "-0.00" else s


def check_dom(data: dict, t: dict, selected: int, features=None, wv=None) -> None:
    """Every number on the page equals ``t`` (attention_table's) for the selected query."""
    L = len(t["tokens"])
    assert data["cols"] == data["wcols"] == data["rows"] == t["tokens"]
    assert len(data["scores"]) == len(data["weights"]) == L
    for i in range(L):
        assert len(data["scores"][i]) == len(data["weights"][i]) == L
        wsum = 0.0
        for j in range(L):
            s, w = data["scores"][i][j], data["weights"][i][j]
            assert (s["row"], s["col"], w["row"], w["col"]) == (i, j, i, j)
            want = t["scores"][i][j]
            if want is None:
                assert s["m"] and s["v"] == "-Infinity" and s["t"] == "\u2212\u221e", s
                assert w["m"] and float(w["v"]) == 0.0 and w["t"] == "0.00", w
            else:
                assert not s["m"] and close(float(s["v"]), want), (i, j, s, want)
                assert s["t"] == fmt2(float(s["v"])), s
                assert not w["m"]
            assert close(float(w["v"]), t["weights"][i][j]), (i, j, w, t["weights"][i][j])
            assert w["t"] == fmt2(float(w["v"]))
            assert abs(float(w["w"]) - float(w["v"])) < 1e-12, "heat = weight"
            wsum += float(w["v"])
        assert close(float(data["rowsums"][i]), 1.0) and close(wsum, 1.0)
    assert data["selectedRows"] == [[selected], [selected]]
    assert sorted(data["pressed"]) == [selected, selected]
    assert data["query"] == str(selected) and data["queryOptions"] == L
    assert [b["col"] for b in data["bars"]] == list(range(L))
    for j, b in enumerate(data["bars"]):
        assert close(float(b["v"]), t["weights"][selected][j]) and b["t"] == fmt2(float(b["v"]))
        assert abs(float(b["width"].rstrip("%")) - 100 * float(b["v"])) < 1e-3  # CSS rounds
    d_v = t["d_v"]
    assert [o["dim"] for o in data["output"]] == list(range(d_v))
    for o, want in zip(data["output"], t["output"][selected], strict=True):
        assert close(float(o["v"]), want) and o["t"] == fmt2(float(o["v"])), (o, want)
    names = features if (features and wv is None) else [f"v{m + 1}" for m in range(d_v)]
    assert data["dims"] == names
    if t["closest_to"] == "inputs":
        assert [float(v) for v in data["input"]] == t["vectors"][selected]
    else:
        assert data["input"] == []
    c = t["closest"][selected]
    assert data["closest"] == c and data["closestTo"] == t["closest_to"]
    assert close(float(data["closestValue"]), t["cosines"][selected][c])
    what = "input vector" if t["closest_to"] == "inputs" else "value vector"
    assert (f"The output of “{t['tokens'][selected]}” (token {selected + 1}) is closest "
            f"(cosine {fmt2(t['cosines'][selected][c])}) to the {what} of "
            f"“{t['tokens'][c]}” (token {c + 1})") in data["closestText"]
    assert "NaN" not in json.dumps(data)


def table_for(state: dict) -> dict:
    ex = state["examples"][state["example"]]
    return attention_table(ex["tokens"], ex["vectors"],
                           **{k: state[k] for k in SETTINGS})


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 760, "height": 900}, body_style=WIDE_BODY)


def mount(page, widget: AttentionWidget, width: int = 700, **state) -> int:
    data = {name: getattr(widget, name) for name in (
        "examples", "wq", "wk", "wv", "features", "scale", "causal", "positions",
        "position_scale", "temperature", "example", "selected", "result")}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-attn-css")


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def assert_page_matches(page, n: int = 0, source: str = "browser") -> dict:
    """The page shows attention_table's numbers for the model's current state."""
    data, state = read(page, n), model_state(page, n)
    t = table_for(state)
    check_dom(data, t, state["selected"], state["features"], state["wv"])
    assert (data["scale"], data["causal"], data["positions"]) == (
        state["scale"], state["causal"], state["positions"])
    assert float(data["tempShown"]) == state["temperature"]
    assert abs(float(data["temp"]) - state["temperature"]) <= 0.05  # the slider snaps to 0.1
    assert data["example"] == str(state["example"])
    assert data["title"] == state["examples"][state["example"]]["label"]
    assert data["source"] == source
    return data


def root(page, n: int = 0):
    return page.locator(".tl-attn").nth(n)


def set_temperature(page, n: int, t: float) -> None:
    """Move the slider as a pointer would (the value, then an input event)."""
    root(page, n).locator("input.tl-attn-temp").evaluate(
        "(s, t) => { s.value = String(t); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        t)


def set_box(page, n: int, name: str, on: bool) -> None:
    box = root(page, n).locator(f"input.tl-attn-{name}")
    if box.is_checked() != on:
        box.click()
    assert box.is_checked() == on


def select_row(page, n: int, i: int, how: int) -> None:
    """Select query i one of four ways: a click in either table, the menu, or the keyboard."""
    r = root(page, n)
    if how == 0:
        r.locator(f"table.tl-attn-scores .tl-attn-pick[data-row='{i}']").click()
    elif how == 1:
        r.locator(f"table.tl-attn-weights .tl-attn-pick[data-row='{i}']").click()
    elif how == 2:
        r.locator("select.tl-attn-query").select_option(str(i))
    else:
        current = model_state(page, n)["selected"]
        r.locator(f"table.tl-attn-scores .tl-attn-pick[data-row='{current}']").focus()
        key = "ArrowDown" if i > current else "ArrowUp"
        for _ in range(abs(i - current)):
            page.keyboard.press(key)
    assert model_state(page, n)["selected"] == i


CONFIGS = {
    "lecture": (LECTURE, {"features": FEATURES}),
    "random-projections": (RANDOM_EXAMPLES, {**RANDOM_W, "position_scale": 0.8}),
    "odd-d": (ODD_EXAMPLES, {}),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_control_combination_matches_attention_table(page, name):
    examples, kwargs = CONFIGS[name]
    w = AttentionWidget(examples, **kwargs)
    mount(page, w)
    data = assert_page_matches(page)
    assert_close_to_result(data, w)
    odd = len(examples[0]["vectors"][0]) % 2 == 1
    assert data["positionsDisabled"] is odd
    how = 0
    checks = 0
    for e in range(len(examples)):
        root(page, 0).locator("select.tl-attn-example").select_option(str(e))
        assert model_state(page)["example"] == e
        L = len(examples[e]["tokens"])
        for scale, causal, positions in itertools.product((True, False), repeat=3):
            if positions and odd:
                continue
            set_box(page, 0, "scale", scale)
            set_box(page, 0, "causal", causal)
            set_box(page, 0, "positions", positions)
            for temp in (1.0, 0.1, 3.7):
                set_temperature(page, 0, temp)
                state = model_state(page)
                assert (state["scale"], state["causal"], state["positions"],
                        state["temperature"], state["example"]) == (
                            scale, causal, positions, temp, e)
                rows = range(L) if temp == 1.0 else [(checks * 5) % L]
                for i in rows:
                    if model_state(page)["selected"] != i:
                        select_row(page, 0, i, how % 4)
                        how += 1
                    assert_page_matches(page)
                    checks += 1
    note = root(page, 0).locator(".tl-attn-check-note").text_content()
    assert note == (" (needs an even d; here d = 5)" if odd else "")
    if odd:
        box = root(page, 0).locator("input.tl-attn-positions")
        box.click(force=True)  # a disabled box does not change
        assert not box.is_checked() and model_state(page)["positions"] is False
    assert checks >= 40
    assert page.evaluate("window.models[0].saves") >= checks // 2
    # What the page sent is what Python recomputes from.
    state = model_state(page)
    w.set_state({k: state[k] for k in ("example", "selected", "scale", "causal", "positions",
                                       "temperature")})
    assert w.result == table_for(state)


def assert_close_to_result(data: dict, w: AttentionWidget) -> None:
    check_dom(data, w.result, w.selected, w.features, w.wv)


def test_first_render_layout_and_accessibility(page):
    w = AttentionWidget(LECTURE, features=FEATURES)
    mount(page, w)
    r = root(page)
    assert r.count() == 1
    data = read(page)
    assert data["source"] == "browser"
    assert data["status"] == "Computed in your browser (no kernel needed)."
    assert data["temp"] == "1" and data["tempShown"] == "1.0"
    assert data["exampleHidden"] is False and data["title"] == LECTURE[0]["label"]
    assert data["dims"] == FEATURES and len(data["input"]) == 4
    assert "Q = K = V = X" in data["formula"] and "/ √4" in data["formula"]
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    temp = r.locator("input.tl-attn-temp")
    assert (temp.get_attribute("type"), temp.get_attribute("min"), temp.get_attribute("max"),
            temp.get_attribute("step")) == ("range", "0.1", "5", "0.1")
    # Every control has an accessible name.
    for sel in ("input.tl-attn-scale", "input.tl-attn-causal", "input.tl-attn-positions",
                "input.tl-attn-temp", "select.tl-attn-example", "select.tl-attn-query"):
        name = r.locator(sel).evaluate(
            "el => (el.labels && el.labels.length ? el.labels[0].textContent : '')"
            " || el.getAttribute('aria-label') || ''")
        assert name.strip(), f"{sel} has no label"
    for b in r.locator(".tl-attn-pick").all():
        assert "query" in b.get_attribute("aria-label") and b.get_attribute("type") == "button"
    assert r.locator(".tl-attn-closest").get_attribute("aria-live") == "polite"
    # One example: no picker shown.
    mount(page, AttentionWidget(LECTURE[:1]))
    assert read(page, 1)["exampleHidden"] is True
    assert_page_matches(page, 1)


def test_keyboard_operates_everything(page):
    w = AttentionWidget(LECTURE, features=FEATURES)
    mount(page, w)
    r = root(page)
    # Rows: arrows, Home, End on a focused row button; Enter and Space press it.
    r.locator("table.tl-attn-weights .tl-attn-pick[data-row='0']").focus()
    page.keyboard.press("ArrowDown")
    assert model_state(page)["selected"] == 1
    assert page.evaluate("document.activeElement.dataset.row") == "1"
    page.keyboard.press("End")
    assert model_state(page)["selected"] == 3
    page.keyboard.press("ArrowDown")  # stays at the last row
    assert model_state(page)["selected"] == 3
    page.keyboard.press("Home")
    assert model_state(page)["selected"] == 0
    assert_page_matches(page)
    page.keyboard.press("Tab")  # the next row's button in the same table
    assert page.evaluate("document.activeElement.dataset.row") == "1"
    page.keyboard.press("Enter")
    assert model_state(page)["selected"] == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert model_state(page)["selected"] == 2
    assert_page_matches(page)
    # Check boxes with Space.
    for name in ("scale", "causal", "positions"):
        box = r.locator(f"input.tl-attn-{name}")
        before = box.is_checked()
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked() is not before
        assert model_state(page)[name] is not before
        assert_page_matches(page)
    # The slider with Home, End and the arrows.
    slider = r.locator("input.tl-attn-temp")
    slider.focus()
    page.keyboard.press("Home")
    assert model_state(page)["temperature"] == 0.1
    data = assert_page_matches(page)
    assert data["tempShown"] == "0.1"
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert model_state(page)["temperature"] == 4.8
    assert assert_page_matches(page)["tempShown"] == "4.8"
    # The pickers with the keyboard: focus, then arrows (Linux chromium changes a closed
    # select's value with them).
    picker = r.locator("select.tl-attn-example")
    picker.focus()
    page.keyboard.press("ArrowDown")
    assert model_state(page)["example"] == 1
    assert_page_matches(page)
    query = r.locator("select.tl-attn-query")
    query.focus()
    page.keyboard.press("ArrowDown")
    assert model_state(page)["selected"] == 3
    assert_page_matches(page)


def test_a_shorter_sentence_keeps_a_valid_selection(page):
    mount(page, AttentionWidget(LECTURE, example=1, selected=7))
    assert_page_matches(page)
    root(page).locator("select.tl-attn-example").select_option("2")
    state = model_state(page)
    assert (state["example"], state["selected"]) == (2, 1)
    assert_page_matches(page)


def test_the_lecture_causal_first_row_and_temperature(page):
    mount(page, AttentionWidget(LECTURE, features=FEATURES))
    set_box(page, 0, "causal", True)
    data = assert_page_matches(page)
    assert data["weights"][0][0]["v"] == "1"
    assert all(c["m"] for c in data["scores"][0][1:])
    assert "masked" in data["formula"]
    set_temperature(page, 0, 0.1)
    cold = [float(c["v"]) for c in read(page)["weights"][3]]
    set_temperature(page, 0, 5)
    hot = [float(c["v"]) for c in read(page)["weights"][3]]
    entropy = lambda ws: sum(-x * math.log(x) for x in ws if x > 0)  # noqa: E731
    assert entropy(cold) < entropy(hot)


def test_kernel_result_replaces_the_browsers_when_it_fits(page):
    w = AttentionWidget(RANDOM_EXAMPLES, **RANDOM_W)
    mount(page, w)
    set_box(page, 0, "causal", True)
    select_row(page, 0, 4, 0)
    state = model_state(page)
    # A live kernel: Python receives the state and answers through `result`.
    w.set_state({k: state[k] for k in ("causal", "selected")})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["status"] == "Computed by tokenlab in the Python kernel."
    check_dom(data, w.result, 4, None, w.wv)

    # A result for other settings (a stale answer) is not shown.
    stale = table_for({**state, "causal": False})
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert read(page)["source"] == "kernel"
    set_temperature(page, 0, 2.0)
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert_page_matches(page)  # still the browser's

    # The kernel's numbers are the ones shown (a marked answer for exactly this state).
    marked = table_for(model_state(page))
    marked["scores"][4][0] = 123.25
    marked["output"][4] = [0.5, -7.25, 3.0]
    page.evaluate("r => window.models[0].set('result', r)", marked)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["scores"][4][0]["v"] == "123.25" and data["scores"][4][0]["t"] == "123.25"
    assert [o["v"] for o in data["output"]] == ["0.5", "-7.25", "3"]
    # Selecting another query keeps the kernel's numbers.
    select_row(page, 0, 2, 1)
    assert read(page)["source"] == "kernel"


def test_view_follows_changes_from_python(page):
    w = AttentionWidget(LECTURE, features=FEATURES)
    mount(page, w)
    for key, value in [("causal", True), ("temperature", 0.25), ("selected", 2),
                       ("positions", True), ("position_scale", 3.0), ("example", 1),
                       ("scale", False), ("selected", 6)]:
        page.evaluate("([k, v]) => window.models[0].set(k, v)", [key, value])
        data = assert_page_matches(page)
    assert data["tempShown"] == "0.25" and data["title"] == LECTURE[1]["label"]
    # New projections (d_v = 2 != d) and features.
    wv = _random((4, 2), 11)
    page.evaluate("v => window.models[0].set('wv', v)", wv)
    data = assert_page_matches(page)
    assert data["dims"] == ["v1", "v2"] and data["closestTo"] == "values"
    assert "V = X'·Wv" in data["formula"]
    page.evaluate("() => window.models[0].set('wv', null)")
    page.evaluate("() => window.models[0].set('features', ['a', 'b', 'c', 'd'])")
    assert assert_page_matches(page)["dims"] == ["a", "b", "c", "d"]
    # New sentences: the table is rebuilt.
    page.evaluate("e => { const m = window.models[0]; m.set('example', 0);"
                  " m.set('selected', 0); m.set('examples', e); }", LECTURE[2:])
    data = assert_page_matches(page)
    assert data["rows"] == ["boats", "float"] and data["exampleHidden"] is True
    # ... and the kernel's result for the new state, once it arrives, is shown.
    state = model_state(page)
    page.evaluate("r => window.models[0].set('result', r)", table_for(state))
    assert read(page)["source"] == "kernel"
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"


def test_tokens_are_text_and_two_widgets_are_independent(page):
    evil = {"label": "<b>bold</b>", "tokens": ["<img src=x onerror=alert(1)>", "&amp;"],
            "vectors": [[1, 0], [0, 1]]}
    mount(page, AttentionWidget([evil], features=["<i>x</i>", "y"]))
    r = root(page)
    assert r.locator("img").count() == 0 and r.locator("b").count() == 0
    assert r.locator("i").count() == 0
    data = assert_page_matches(page)
    assert data["rows"][0] == "<img src=x onerror=alert(1)>" and data["title"] == "<b>bold</b>"
    mount(page, AttentionWidget(LECTURE))
    set_box(page, 1, "causal", True)
    assert model_state(page, 0)["causal"] is False
    assert_page_matches(page, 0)
    assert_page_matches(page, 1)
    ids = page.eval_on_selector_all("input.tl-attn-temp", "els => els.map(e => e.id)")
    assert len(set(ids)) == 2


def test_fits_the_column_and_the_screenshot(page):
    long = {"label": "long tokens", "tokens": [f"token-number-{i}" for i in range(8)],
            "vectors": _random((8, 16), 12)}
    mount(page, AttentionWidget(LECTURE, features=FEATURES, causal=True, selected=2))
    mount(page, AttentionWidget([long], wq=_random((16, 16), 13), wk=_random((16, 16), 14)))
    for n in (0, 1):
        box = root(page, n).bounding_box()
        assert box["width"] <= 700
        assert page.evaluate(f"document.querySelectorAll('.tl-attn')[{n}].scrollWidth") <= 700
        assert_page_matches(page, n)
    # The wide one scrolls its tables, not the page.
    wraps = page.evaluate("""() => [...document.querySelectorAll('.tl-attn')[1]
        .querySelectorAll('.tl-attn-table-wrap')].map(w => [w.scrollWidth, w.clientWidth,
        getComputedStyle(w).overflowX])""")
    assert all(cw <= 700 and ox == "auto" for _, cw, ox in wraps)
    assert page.evaluate("document.documentElement.scrollWidth") <= 760
    # Narrow column.
    page.evaluate("document.querySelectorAll('.host')[0].style.width = '360px'")
    assert page.evaluate("document.querySelectorAll('.tl-attn')[0].scrollWidth") <= 360
    page.evaluate("document.querySelectorAll('.host')[0].style.width = '700px'")
    r = root(page, 0)
    r.scroll_into_view_if_needed()
    r.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_dark_theme_colours_differ(page):
    mount(page, AttentionWidget(LECTURE))
    bg = "getComputedStyle(document.querySelector('td.tl-attn-weight')).backgroundColor"
    light = page.evaluate(bg)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e'")
    dark = page.evaluate(bg)
    assert light != dark
    root(page).screenshot(path=str(SCREENSHOT.with_name("attention-widget-dark.png")))

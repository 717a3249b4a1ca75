"""tokenlab.widgets.cluster: ``placement_weights`` against a direct torch computation (a
FeatureTokenizer loaded with the export's weights, F.softmax over the feasible nodes), against
``tokenlab.cluster`` (``weights_from_export``, ``PlacementAttention``'s forward, ``best_fit``,
``policy``), the widget's traits and bad input, the JavaScript's syntax, and (with chromium) the
explorer driven by cluster.js alone, against a stand-in model, with no kernel and no book
build: every slider by input events and by the keyboard, the priority menu, across many tasks
(those nothing fits and those only GPU nodes fit among them), each number and marker on the
page compared with ``placement_weights``."""

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
from tokenlab.beyond import FeatureTokenizer
from tokenlab.widgets import cluster as C
from tokenlab.widgets.cluster import ClusterWidget, placement_weights, stand_in_export
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
CLU_JS = HERE / "cluster.js"
CLU_CSS = HERE / "cluster.css"
SCREENSHOT = Path("/tmp/cluster-widget.png")
F64 = torch.float64
# float64 on both sides, with dot products of at most dim = 16 terms and a softmax over at most
# 12 nodes: the browser and torch differ by ~1e-15 (another summation order). 1e-9 (relative
# above 1) leaves six orders of margin and still catches any formula slip (a missing sqrt(dim),
# an unscaled reading, a softmax over infeasible nodes), which moves weights by far more.
TOL = 1e-9
RES = (("cpu", "cpu_free", "cpu_cap"), ("mem", "mem_free", "mem_cap"),
       ("gpus", "gpus_free", "gpus_cap"))

# Five CPU-only nodes and three GPU nodes (one with 1 GPU free, one with 2, one with 3: a task
# with 4 GPUs fits nowhere), the last without capacities (the ranges' ends stand in).
CLUSTER = [
    {"cpu_free": 12, "mem_free": 48, "gpus_free": 0, "zone": "a",
     "cpu_cap": 16, "mem_cap": 64, "gpus_cap": 0},
    {"cpu_free": 30, "mem_free": 100, "gpus_free": 0, "zone": "b",
     "cpu_cap": 32, "mem_cap": 128, "gpus_cap": 0},
    {"cpu_free": 64, "mem_free": 256, "gpus_free": 0, "zone": "c",
     "cpu_cap": 64, "mem_cap": 256, "gpus_cap": 0},
    {"cpu_free": 20, "mem_free": 96, "gpus_free": 2, "zone": "a",
     "cpu_cap": 32, "mem_cap": 128, "gpus_cap": 4},
    {"cpu_free": 48, "mem_free": 200, "gpus_free": 3, "zone": "b",
     "cpu_cap": 64, "mem_cap": 256, "gpus_cap": 8},
    {"cpu_free": 4, "mem_free": 8, "gpus_free": 0, "zone": "c",
     "cpu_cap": 16, "mem_cap": 64, "gpus_cap": 0},
    {"cpu_free": 8, "mem_free": 32, "gpus_free": 1, "zone": "c",
     "cpu_cap": 32, "mem_cap": 128, "gpus_cap": 4},
    {"cpu_free": 2.5, "mem_free": 4, "gpus_free": 0, "zone": "b"},
]
GPU_NODES = [3, 4, 6]
EXPORT = stand_in_export(dim=8, seed=3)
EXPORT16 = stand_in_export(dim=16, seed=11)
SMALL = {"cpu": 2, "mem": 8, "gpus": 0, "priority": "normal"}


def node_fields(node: dict) -> dict:
    return {k: node[k] for k in ("cpu_free", "mem_free", "gpus_free", "zone")}


def fits(node: dict, task: dict) -> bool:
    return all(task[t] <= node[n] for t, n, _ in RES)


def loaded_tokenizer(part: dict, dim: int) -> FeatureTokenizer:
    """A float64 FeatureTokenizer (linear mode) holding the export's weights."""
    tok = FeatureTokenizer({name: (lo, hi) for name, lo, hi in part["numeric"]},
                           {name: cats for name, cats in part["categorical"]}, dim, dtype=F64)
    with torch.no_grad():
        tok.numeric_proj.weight.copy_(torch.tensor(part["weight"], dtype=F64))
        tok.numeric_proj.bias.copy_(torch.tensor(part["bias"], dtype=F64))
        for emb, table in zip(tok.categorical_embeddings, part["embeddings"], strict=True):
            emb.weight.copy_(torch.tensor(table, dtype=F64))
    return tok


def direct(export: dict, nodes: list[dict], task: dict) -> tuple[torch.Tensor, ...]:
    """Scores, feasibility and weights straight from torch: FeatureTokenizer.encode, F.linear,
    F.softmax over the feasible nodes only."""
    dim = export["dim"]
    node_tok = loaded_tokenizer(export["node"], dim)
    task_tok = loaded_tokenizer(export["task"], dim)
    t = task_tok.encode([{k: task[k] for k in task_tok.fields}])
    keys = node_tok.encode([{k: n[k] for k in node_tok.fields} for n in nodes])
    p = {name: [torch.tensor(export[name][x], dtype=F64) for x in ("weight", "bias")]
         for name in ("q_proj", "k_proj")}
    q = F.linear(t, *p["q_proj"])[0]
    k = F.linear(keys, *p["k_proj"])
    scores = (k * q).sum(-1) / math.sqrt(dim)
    ok = torch.tensor([fits(n, task) for n in nodes])
    weights = torch.zeros(len(nodes), dtype=F64)
    if bool(ok.any()):
        weights[ok] = F.softmax(scores[ok], dim=0)
    return scores, ok, weights


def close(a: float, b: float, tol: float = TOL) -> bool:
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(b))


TASKS = [dict(zip(("cpu", "mem", "gpus", "priority"), combo, strict=True)) for combo in
         itertools.product((0, 1, 8, 31, 32), (0, 4, 96, 128), (0, 1, 2, 4),
                           ("low", "normal", "high"))]


# ---- placement_weights --------------------------------------------------------------------


@pytest.mark.parametrize("export", [EXPORT, EXPORT16], ids=["dim8", "dim16"])
def test_weights_match_torch_and_sum_to_one_over_feasible_nodes(export):
    none_fit = only_gpu = 0
    for task in TASKS:
        r = placement_weights(export, CLUSTER, task)
        scores, ok, weights = direct(export, CLUSTER, task)
        assert r["feasible"] == ok.tolist()
        assert torch.allclose(torch.tensor(r["scores"], dtype=F64), scores, rtol=0, atol=1e-12)
        assert torch.allclose(torch.tensor(r["weights"], dtype=F64), weights, rtol=0, atol=1e-12)
        for i, w in enumerate(r["weights"]):
            if not r["feasible"][i]:
                assert w == 0.0 and r["leftover"][i] is None and r["reasons"][i]
            else:
                assert w > 0.0 and r["reasons"][i] is None
        if any(r["feasible"]):
            assert math.isclose(sum(r["weights"]), 1.0, abs_tol=1e-12)
            c = r["chosen"]
            assert r["feasible"][c] and r["weights"][c] == max(r["weights"])
        else:
            none_fit += 1
            assert r["weights"] == [0.0] * len(CLUSTER)
            assert r["chosen"] is None and r["best_fit"] is None
        if task["gpus"] > 0 and any(r["feasible"]):
            only_gpu += 1
            assert {i for i, f in enumerate(r["feasible"]) if f} <= set(GPU_NODES)
        assert json.loads(json.dumps(r, allow_nan=False)) == r, "JSON-safe"
    assert none_fit >= 30 and only_gpu >= 30


def test_best_fit_is_the_tightest_feasible_node():
    task = {"cpu": 4, "mem": 16, "gpus": 0, "priority": "low"}
    r = placement_weights(EXPORT, CLUSTER, task)
    want = [(n["cpu_free"] - 4) / 64 + (n["mem_free"] - 16) / 256 + n["gpus_free"] / 8
            if fits(n, task) else None for n in CLUSTER]
    assert r["leftover"] == want
    # Node 1 (8 cores and 32 GiB left) ties with node 7 (4 cores, 16 GiB and a GPU): the first.
    assert want[0] == want[6] == 0.25 == min(x for x in want if x is not None)
    assert r["best_fit"] == 0
    # The GPU term keeps a CPU-only task off a GPU node that would otherwise be tighter.
    two = [{"cpu_free": 8, "mem_free": 32, "gpus_free": 4, "zone": "a"},
           {"cpu_free": 16, "mem_free": 64, "gpus_free": 0, "zone": "b"}]
    assert placement_weights(EXPORT, two, task)["best_fit"] == 1
    # Identical nodes tie: the first one wins, for best-fit and for the model.
    same = [CLUSTER[1], CLUSTER[1], CLUSTER[0]]
    r = placement_weights(EXPORT, same, SMALL)
    assert r["weights"][0] == r["weights"][1] and r["leftover"][0] == r["leftover"][1]
    assert r["chosen"] != 1 and r["best_fit"] != 1
    r = placement_weights(EXPORT, [CLUSTER[1], CLUSTER[1]], SMALL)
    assert r["weights"] == [0.5, 0.5] and r["chosen"] == r["best_fit"] == 0


def test_capacities_are_only_drawn():
    capped = [{**n, "cpu_cap": 64, "mem_cap": 256, "gpus_cap": 8} for n in CLUSTER]
    for task in TASKS[::7]:
        a = placement_weights(EXPORT, CLUSTER, task)
        b = placement_weights(EXPORT, capped, task)
        assert {k: v for k, v in a.items() if k != "nodes"} == {
            k: v for k, v in b.items() if k != "nodes"}


def test_reasons_name_what_is_short():
    r = placement_weights(EXPORT, CLUSTER, {"cpu": 31, "mem": 128, "gpus": 4})
    assert r["reasons"][0] == ("needs 31 CPU cores, has 12; needs 128 GiB of memory, has 48 GiB;"
                               " needs 4 GPUs, has 0")
    assert r["reasons"][4] == "needs 4 GPUs, has 3"
    assert r["reasons"][7] == ("needs 31 CPU cores, has 2.5; needs 128 GiB of memory, has 4 GiB;"
                               " needs 4 GPUs, has 0")
    r = placement_weights(EXPORT, CLUSTER, {"cpu": 1, "mem": 0, "gpus": 1})
    assert r["reasons"][0] == "needs 1 GPU, has 0"
    assert r["feasible"] == [i in GPU_NODES for i in range(len(CLUSTER))]


def test_task_defaults_and_readings_are_scaled_by_their_ranges():
    r = placement_weights(EXPORT, CLUSTER)
    assert r["task"] == {"cpu": 2.0, "mem": 8.0, "gpus": 0.0, "priority": "normal"}
    assert r == placement_weights(EXPORT, CLUSTER, {"priority": "normal"})
    assert r["nodes"][7] == {"cpu_free": 2.5, "mem_free": 4.0, "gpus_free": 0.0, "zone": "b",
                             "cpu_cap": 64.0, "mem_cap": 256.0, "gpus_cap": 8.0}
    # A zero export scores every node 0: uniform weights over the feasible nodes.
    zero = json.loads(json.dumps(EXPORT))
    for proj in ("q_proj", "k_proj"):
        zero[proj]["weight"] = [[0.0] * 8 for _ in range(8)]
        zero[proj]["bias"] = [0.0] * 8
    z = placement_weights(zero, CLUSTER, SMALL)
    n = sum(z["feasible"])
    assert z["scores"] == [0.0] * 8 and all(w == (1 / n if f else 0.0)
                                            for w, f in zip(z["weights"], z["feasible"],
                                                            strict=True))
    assert z["chosen"] == z["feasible"].index(True)


# ---- against tokenlab.cluster (the real model) ----------------------------------------------


def real_cluster():
    return pytest.importorskip("tokenlab.cluster", reason="tokenlab.cluster is not there yet")


def test_matches_weights_from_export_and_the_models_forward():
    cl = real_cluster()
    model = cl.PlacementAttention(dim=16, seed=0, dtype=F64)
    export = model.export()
    nodes = CLUSTER
    checked = 0
    for task in TASKS:
        r = placement_weights(model, nodes, task)  # the model: its export() is used
        assert r == placement_weights(export, nodes, task)
        plain = cl.weights_from_export(export, nodes, task)
        assert all(abs(a - b) <= 1e-12 for a, b in zip(r["weights"], plain, strict=True))
        with torch.no_grad():
            fwd = model(*cl.state_tensors(nodes, task, dtype=F64))[0]
        assert torch.allclose(torch.tensor(r["weights"], dtype=F64), fwd, rtol=0, atol=1e-12)
        assert r["feasible"] == cl.feasible(nodes, task).tolist()
        checked += 1
    # A float32 model: the widget computes its exported (float32) weights in float64.
    m32 = cl.PlacementAttention(dim=16, seed=1)
    for task in TASKS[::5]:
        r = placement_weights(m32, nodes, task)
        with torch.no_grad():
            fwd = m32(*cl.state_tensors(nodes, task))[0].double()
        assert torch.allclose(torch.tensor(r["weights"], dtype=F64), fwd, rtol=0, atol=1e-5)
    assert checked == len(TASKS)


def test_the_stand_in_has_the_models_export_structure():
    cl = real_cluster()
    real = cl.PlacementAttention(dim=8, seed=0).export()

    def shape(x):
        if isinstance(x, dict):
            return {k: shape(v) for k, v in x.items()}
        if isinstance(x, list) and x and all(isinstance(v, (int, float)) for v in x):
            return ("numbers", len(x))
        if isinstance(x, list):
            return [shape(v) for v in x]
        return x if isinstance(x, str) else type(x).__name__

    assert shape(stand_in_export(dim=8)) == shape(real)
    assert ClusterWidget(real, CLUSTER).export == {**real}, "a real export is kept as it is"
    assert cl.weights_from_export(EXPORT, CLUSTER, SMALL) == pytest.approx(
        placement_weights(EXPORT, CLUSTER, SMALL)["weights"], abs=1e-12)


def test_best_fit_and_chosen_match_tokenlab_cluster():
    cl = real_cluster()
    model = cl.PlacementAttention(dim=16, seed=2, dtype=F64)
    choose = cl.policy(model)
    g = torch.Generator().manual_seed(0)
    cases = 0
    for seed in range(40):
        nodes = cl.make_nodes(int(torch.randint(2, 13, (1,), generator=g)), seed=seed)
        # Use some of each node (fractions too), so free < capacity and best-fit has work.
        for node in nodes:
            for _, free, cap in RES:
                used = float(torch.rand(1, generator=g)) * node[cap]
                node[free] = round(node[cap] - used, int(torch.randint(0, 3, (1,), generator=g)))
        for task in cl.make_tasks(6, seed=100 + seed):
            r = placement_weights(model, nodes, task)
            assert r["best_fit"] == cl.best_fit(nodes, task), (nodes, task)
            assert r["chosen"] == choose(nodes, task), (nodes, task)
            cases += 1
    assert cases == 240


# ---- the widget's traits ------------------------------------------------------------------


def test_defaults_and_synced_traits():
    w = ClusterWidget(EXPORT, CLUSTER)
    assert w.task == {"cpu": 2.0, "mem": 8.0, "gpus": 0.0, "priority": "normal"}
    assert w.best_fit is True
    for name in ("export", "nodes", "task", "best_fit", "result"):
        assert w.trait_metadata(name, "sync") is True, name
    state = w.get_state()
    json.dumps(state, allow_nan=False)  # what Jupyter Book embeds in the page must be JSON
    assert state["result"] == w.result == placement_weights(EXPORT, CLUSTER)
    assert w.export == EXPORT and w.nodes == placement_weights(EXPORT, CLUSTER)["nodes"]


def test_constructor_takes_arrays_tensors_and_a_model():
    np = pytest.importorskip("numpy")
    arr = json.loads(json.dumps(EXPORT))
    arr["q_proj"]["weight"] = np.array(arr["q_proj"]["weight"])
    arr["k_proj"]["bias"] = torch.tensor(arr["k_proj"]["bias"], dtype=F64)
    arr["dim"] = np.int64(8)
    nodes = [{**n, "cpu_free": np.float32(n["cpu_free"])} for n in CLUSTER[:3]]
    w = ClusterWidget(arr, tuple(nodes), task={"gpus": torch.tensor(0), "cpu": np.int64(3)},
                      best_fit=0)
    assert w.export == EXPORT and w.best_fit is False
    assert w.task == {"cpu": 3.0, "mem": 8.0, "gpus": 0.0, "priority": "normal"}
    assert all(type(n["cpu_free"]) is float for n in w.nodes)
    assert w.result == placement_weights(EXPORT, CLUSTER[:3], {"cpu": 3})

    class Model:  # anything with export(), as PlacementAttention
        def export(self):
            return EXPORT

    assert ClusterWidget(Model(), CLUSTER).result == placement_weights(EXPORT, CLUSTER)


def test_result_follows_every_change():
    w = ClusterWidget(EXPORT, CLUSTER, task={"gpus": 1})
    assert w.result == placement_weights(EXPORT, CLUSTER, {"gpus": 1})
    w.task = {"cpu": 8, "mem": 96, "gpus": 2, "priority": "high"}
    assert w.result == placement_weights(EXPORT, CLUSTER, w.task)
    assert w.result["feasible"] == [False, False, False, True, True, False, False, False]
    w.nodes = CLUSTER[:2]
    assert w.result["chosen"] is None and w.result["weights"] == [0.0, 0.0]
    w.export = EXPORT16
    assert w.result == placement_weights(EXPORT16, CLUSTER[:2], w.task)
    w.best_fit = False  # only the view changes
    assert w.result == placement_weights(EXPORT16, CLUSTER[:2], w.task)
    # What the browser sends (set_state, as a live kernel receives it) is recomputed.
    w.set_state({"task": {"cpu": 1, "mem": 4, "gpus": 0, "priority": "low"}})
    assert w.result == placement_weights(EXPORT16, CLUSTER[:2],
                                         {"cpu": 1, "mem": 4, "gpus": 0, "priority": "low"})


def zones_export(zones: list[str]) -> dict:
    """EXPORT with other zones (and an embedding row per zone)."""
    e = json.loads(json.dumps(EXPORT))
    e["node"]["categorical"] = [["zone", zones]]
    e["node"]["embeddings"] = [[[0.1 * (i + 1)] * 8 for i in range(len(zones))]]
    return e


def bad_export(path: tuple, value) -> dict:
    e = json.loads(json.dumps(EXPORT))
    target = e
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return e


@pytest.mark.parametrize("export, error, match", [
    ("abc", TypeError, "export must be a dict"),
    (bad_export(("q_proj",), KeyError), ValueError, r"export needs 'q_proj'"),
    (bad_export(("dim",), 8.0), TypeError, r"export\['dim'\] must be an integer"),
    (bad_export(("dim",), 0), ValueError, r"export\['dim'\] must be from 1 to 256"),
    (bad_export(("fits",), [["cpu_free", "cpu"]]), ValueError, r"export\['fits'\] must pair"),
    (bad_export(("node", "bias"), KeyError), ValueError, r"export\['node'\] needs 'bias'"),
    (bad_export(("node", "mode"), "binned"), ValueError, "only a linear-mode FeatureTokenizer"),
    (bad_export(("node", "numeric", 0), ["cpu_free", 5, 5]), ValueError,
     r"export\['node'\]\['numeric'\]\[0\]: field 'cpu_free' needs low < high"),
    (bad_export(("node", "numeric", 0), ["cpu", 0, 64]), ValueError,
     r"export\['node'\]\['numeric'\] must name the fields \['cpu_free', 'mem_free', "
     r"'gpus_free'\]"),
    (bad_export(("task", "categorical", 0), ["priority", []]), ValueError,
     r"export\['task'\]\['categorical'\]\[0\]: field 'priority' needs a non-empty list"),
    (bad_export(("task", "categorical", 0), ["priority", ["a", "a"]]), ValueError,
     "lists a category twice"),
    (bad_export(("task", "categorical", 0), ["urgency", ["a"]]), ValueError,
     r"must name the fields \['priority'\]"),
    (bad_export(("node", "weight"), [[0.0, 0.0, 0.0]] * 7), ValueError,
     r"export\['node'\]\['weight'\] must have 8 rows \(dim x 3 numeric fields\), got 7"),
    (bad_export(("node", "weight", 2), [0.0, 0.0]), ValueError,
     r"export\['node'\]\['weight'\]\[2\] must hold 3 numbers"),
    (bad_export(("task", "bias"), [0.0] * 9), ValueError,
     r"export\['task'\]\['bias'\] must hold 8 numbers, got 9"),
    (bad_export(("task", "embeddings"), []), ValueError, "one table per categorical field"),
    (bad_export(("task", "embeddings", 0), [[0.0] * 8] * 2), ValueError,
     r"export\['task'\]\['embeddings'\]\[0\] must have 3 rows \(one row of dim numbers per "
     r"category of 'priority'\)"),
    (bad_export(("q_proj", "weight", 1, 3), float("nan")), ValueError,
     r"export\['q_proj'\]\['weight'\]\[1\]\[3\] must be finite"),
    (bad_export(("k_proj", "bias", 0), "1"), TypeError,
     r"export\['k_proj'\]\['bias'\]\[0\] must be a real number"),
    (bad_export(("k_proj", "weight"), [[1.0] * 7] * 8), ValueError,
     r"export\['k_proj'\]\['weight'\]\[0\] must hold 8 numbers \(dim x dim\)"),
])
def test_bad_export_is_named(export, error, match):
    with pytest.raises(error, match=match):
        ClusterWidget(export, CLUSTER)
    with pytest.raises(error, match=match):
        placement_weights(export, CLUSTER)


def node(**kw):
    return {"cpu_free": 4, "mem_free": 16, "gpus_free": 0, "zone": "a", **kw}


@pytest.mark.parametrize("nodes, task, error, match", [
    (node(), None, TypeError, "nodes must be a list of dicts.*one dict: wrap it in a list"),
    ("ab", None, TypeError, "nodes must be a list of dicts"),
    ([node()], None, ValueError, "nodes must hold 2 to 12 nodes, got 1"),
    ([node()] * 13, None, ValueError, "nodes must hold 2 to 12 nodes, got 13"),
    ([node(), 5], None, TypeError, r"nodes\[1\] must be a dict"),
    ([node(), {"cpu_free": 1, "mem_free": 1, "zone": "a"}], None, ValueError,
     r"nodes\[1\] needs 'gpus_free'"),
    ([node(), node(name="x")], None, ValueError, r"nodes\[1\] has unknown keys \['name'\]"),
    ([node(), node(cpu_free=65)], None, ValueError,
     r"nodes\[1\]\.cpu_free must be from 0 to 64 \(the model's range\), got 65"),
    ([node(), node(mem_free=-1)], None, ValueError, r"nodes\[1\]\.mem_free must be from 0"),
    ([node(), node(gpus_free=True)], None, TypeError,
     r"nodes\[1\]\.gpus_free must be a real number"),
    ([node(), node(gpus_free=float("inf"))], None, ValueError,
     r"nodes\[1\]\.gpus_free must be finite"),
    ([node(), node(zone="d")], None, ValueError,
     r"nodes\[1\]\.zone must be one of \['a', 'b', 'c'\], got 'd'"),
    ([node(), node(zone=1)], None, TypeError, r"nodes\[1\]\.zone must be a str"),
    ([node(), node(cpu_cap=2)], None, ValueError,
     r"nodes\[1\]\.cpu_cap must be >= cpu_free \(4\), got 2"),
    ([node(), node()], {"cpu": 33}, ValueError,
     r"task\.cpu must be from 0 to 32 \(the model's range\), got 33"),
    ([node(), node()], {"mem": 1.5e3}, ValueError, r"task\.mem must be from 0 to 128.*got 1500"),
    ([node(), node()], {"gpus": -1}, ValueError, r"task\.gpus must be from 0 to 4"),
    ([node(), node()], {"gpus": "1"}, TypeError, r"task\.gpus must be a real number"),
    ([node(), node()], {"priority": "urgent"}, ValueError,
     r"task\.priority must be one of \['low', 'normal', 'high'\]"),
    ([node(), node()], {"ram": 4}, ValueError, r"task has unknown keys \['ram'\]"),
    ([node(), node()], [2, 8, 0], TypeError, "task must be a dict"),
])
def test_bad_nodes_and_tasks_are_named(nodes, task, error, match):
    with pytest.raises(error, match=match):
        ClusterWidget(EXPORT, nodes, task=task)
    with pytest.raises(error, match=match):
        placement_weights(EXPORT, nodes, task)


def test_bad_assignment_is_named_and_changes_nothing():
    w = ClusterWidget(EXPORT, CLUSTER, task={"gpus": 2})
    before = dict(w.result)
    for name, value, error, match in [
        ("task", {"gpus": 5}, ValueError, r"task\.gpus must be from 0 to 4"),
        ("task", {"priority": "x"}, ValueError, "task.priority must be one of"),
        ("nodes", CLUSTER[:1], ValueError, "nodes must hold 2 to 12"),
        ("best_fit", "yes", traitlets.TraitError, "best_fit"),
        ("best_fit", None, traitlets.TraitError, "best_fit"),
        ("export", {"dim": 8}, ValueError, "export needs 'node'"),
        ("export", zones_export(["x", "y"]), ValueError,
         r"export does not fit the current nodes and task \(nodes\[0\]\.zone must be one of "
         r"\['x', 'y'\].*hold_trait_notifications"),
    ]:
        with pytest.raises(error, match=match):
            setattr(w, name, value)
    assert w.result == before and w.task["gpus"] == 2.0 and w.best_fit is True
    with pytest.raises(TypeError, match="best_fit must be True or False, got 2"):
        ClusterWidget(EXPORT, CLUSTER, best_fit=2)
    # A new export and matching nodes together.
    other = zones_export(["x", "y"])
    with w.hold_trait_notifications():
        w.export = other
        w.nodes = [{**node_fields(n), "zone": "x"} for n in CLUSTER[:3]]
    assert w.result == placement_weights(other, w.nodes, w.task)


def test_esm_and_css_are_the_files_and_document_the_contract():
    w = ClusterWidget(EXPORT, CLUSTER)
    assert w._esm == CLU_JS.read_text(encoding="utf-8")
    assert w._css == CLU_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    header = w._esm.split("const TL_CLU_TIE")[0]
    for name in (".tl-clu ", "fieldset.tl-clu-task", "input.tl-clu-slider[data-field=F]",
                 "output.tl-clu-value[data-field=F]", "select.tl-clu-priority", "aria-valuetext",
                 ".tl-clu-grid[role=list]", ".tl-clu-node[data-node=i][role=listitem]",
                 "data-feasible", "tl-clu-infeasible", "tl-clu-chosen", "tl-clu-bestfit",
                 "--tl-clu-w", ".tl-clu-node-name", ".tl-clu-node-zone", ".tl-clu-badge-chosen",
                 ".tl-clu-badge-bestfit", ".tl-clu-res[data-res=F]", ".tl-clu-res-fill",
                 ".tl-clu-res-need", ".tl-clu-res-text", ".tl-clu-wfill", ".tl-clu-wvalue",
                 ".tl-clu-reason", ".tl-clu-sentence", "data-chosen", "data-best-fit",
                 "table.tl-clu-table", "tr.tl-clu-row[data-node=i]", "td.tl-clu-zone",
                 "td.tl-clu-fits", "td.tl-clu-score", "td.tl-clu-weight", "td.tl-clu-leftover",
                 ".tl-clu-status[data-source=S]", "No node can fit this task."):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css
    # The site test's marker is in this widget's JavaScript and in no other widget's.
    for other in HERE.glob("*.js"):
        assert ("tl-clu-node" in other.read_text(encoding="utf-8")) == (other == CLU_JS)


def test_package_exports_lazily():
    assert "ClusterWidget" in widgets.__all__
    assert widgets.ClusterWidget is ClusterWidget
    assert "ClusterWidget" in dir(widgets)


def test_doctests_pass():
    result = doctest.testmod(C, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 12 and result.failed == 0


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(ClusterWidget._esm, tmp_path, "cluster")


# ---- cluster.js in a real browser, no kernel ----------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-clu")[n];
  const q = (sel) => root.querySelector(sel);
  const cell = (td) => (td ? { v: td.dataset.value, t: td.textContent } : null);
  return {
    sliders: [...root.querySelectorAll("input.tl-clu-slider")].map((s) => ({
      field: s.dataset.field, value: s.value, min: s.min, max: s.max, step: s.step,
      valuetext: s.getAttribute("aria-valuetext"),
      label: s.labels && s.labels.length ? s.labels[0].textContent : "" })),
    outputs: [...root.querySelectorAll("output.tl-clu-value")].map((o) => ({
      field: o.dataset.field, v: o.dataset.value, t: o.textContent })),
    priority: q("select.tl-clu-priority").value,
    priorities: [...q("select.tl-clu-priority").options].map((o) => o.value),
    cards: [...root.querySelectorAll(".tl-clu-node")].map((c) => ({
      node: Number(c.dataset.node), feasible: c.dataset.feasible, role: c.getAttribute("role"),
      infeasible: c.classList.contains("tl-clu-infeasible"),
      chosen: c.classList.contains("tl-clu-chosen"),
      bestfit: c.classList.contains("tl-clu-bestfit"),
      shade: c.style.getPropertyValue("--tl-clu-w"),
      name: c.querySelector(".tl-clu-node-name").textContent,
      zone: c.querySelector(".tl-clu-node-zone").textContent,
      chosenBadge: !c.querySelector(".tl-clu-badge-chosen").hidden,
      bestfitBadge: !c.querySelector(".tl-clu-badge-bestfit").hidden,
      res: [...c.querySelectorAll(".tl-clu-res")].map((r) => ({
        res: r.dataset.res, fill: r.querySelector(".tl-clu-res-fill").style.width,
        need: r.querySelector(".tl-clu-res-need").style.left,
        needHidden: r.querySelector(".tl-clu-res-need").hidden,
        text: r.querySelector(".tl-clu-res-text").textContent })),
      wfill: c.querySelector(".tl-clu-wfill").style.width,
      w: cell(c.querySelector(".tl-clu-wvalue")),
      reason: c.querySelector(".tl-clu-reason").textContent,
      label: c.getAttribute("aria-label") })),
    head: [...root.querySelectorAll("table.tl-clu-table thead th")].map((t) => t.textContent),
    rows: [...root.querySelectorAll("tr.tl-clu-row")].map((tr) => ({
      node: Number(tr.dataset.node), name: tr.querySelector("th").textContent,
      zone: tr.querySelector("td.tl-clu-zone").textContent,
      fits: tr.querySelector("td.tl-clu-fits").textContent,
      infeasible: tr.classList.contains("tl-clu-infeasible"),
      chosen: tr.classList.contains("tl-clu-chosen"),
      score: cell(tr.querySelector("td.tl-clu-score")),
      weight: cell(tr.querySelector("td.tl-clu-weight")),
      leftover: cell(tr.querySelector("td.tl-clu-leftover")) })),
    sentence: q(".tl-clu-sentence").textContent,
    chosen: q(".tl-clu-sentence").dataset.chosen,
    bestFit: q(".tl-clu-sentence").dataset.bestFit,
    chosenWeight: q(".tl-clu-sentence").dataset.value,
    source: q(".tl-clu-status").dataset.source,
    status: q(".tl-clu-status").textContent,
  };
}
"""


def fmt2(v: float) -> str:
    """JavaScript's v.toFixed(2): the exact binary value rounded half away from zero (Python's
    format rounds half to even); "-0.00" shows "0.00"."""
    s = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return "0.00" if s == "-0.00" else s


def js(x: float) -> str:
    """JavaScript's String(x) for the numbers used here."""
    return str(int(x)) if x == int(x) else repr(float(x))


def pct(style: str) -> float:
    assert style.endswith("%"), style
    return float(style[:-1])


def sentence_for(t: dict, best_fit: bool) -> str:
    c = t["chosen"]
    if c is None:
        return "No node can fit this task."
    tail = f"; best-fit would choose node {t['best_fit'] + 1}." if best_fit else "."
    return f"The model places the task on node {c + 1} (weight {fmt2(t['weights'][c])}){tail}"


def check_dom(data: dict, t: dict, best_fit: bool, task: dict) -> None:
    """Every number and marker on the page equals ``t`` (placement_weights's)."""
    nodes = t["nodes"]
    n = len(nodes)
    assert [c["node"] for c in data["cards"]] == [r["node"] for r in data["rows"]] == list(
        range(n))
    chosen, bf = t["chosen"], (t["best_fit"] if best_fit else None)
    for i, (card, row, node) in enumerate(zip(data["cards"], data["rows"], nodes, strict=True)):
        ok = t["feasible"][i]
        w = float(card["w"]["v"])
        assert close(w, t["weights"][i]), (i, card["w"], t["weights"][i])
        assert card["w"]["t"] == fmt2(w) and abs(pct(card["wfill"]) - 100 * w) < 1e-3
        assert abs(float(card["shade"]) - w) < 1e-12
        assert card["feasible"] == ("true" if ok else "false") and card["infeasible"] is not ok
        assert card["role"] == "listitem"
        assert card["name"] == row["name"] == f"node {i + 1}"
        assert card["zone"] == f"zone {node['zone']}" and row["zone"] == node["zone"]
        assert card["chosen"] is card["chosenBadge"] is (i == chosen), (i, chosen)
        assert card["bestfit"] is card["bestfitBadge"] is (i == bf), (i, bf)
        assert card["reason"] == (t["reasons"][i] or "")
        assert [r["res"] for r in card["res"]] == ["cpu", "mem", "gpus"]
        for r, (field, free, cap) in zip(card["res"], RES, strict=True):
            c = node[cap]
            want_fill = 100 * node[free] / c if c > 0 else 0.0
            assert abs(pct(r["fill"]) - want_fill) < 1e-3, (i, r)
            assert r["needHidden"] is (c <= 0)
            if c > 0:
                assert abs(pct(r["need"]) - 100 * min(1.0, task[field] / c)) < 1e-3, (i, r)
            assert r["text"] == f"{js(node[free])} / {js(c)}"
        label = card["label"]
        assert label.startswith(f"node {i + 1}, zone {node['zone']}: ")
        assert (f"weight {fmt2(w)}" in label) is ok
        assert ("cannot take the task: " + (t["reasons"][i] or "")) in label or ok
        assert ("the model's choice" in label) is (i == chosen)
        assert ("best-fit's choice" in label) is (i == bf)

        assert row["fits"] == ("yes" if ok else "no") and row["infeasible"] is not ok
        assert row["chosen"] is (i == chosen)
        assert close(float(row["score"]["v"]), t["scores"][i]), (i, row["score"])
        assert row["score"]["t"] == fmt2(float(row["score"]["v"]))
        assert row["weight"]["v"] == card["w"]["v"] and row["weight"]["t"] == card["w"]["t"]
        if not best_fit:
            assert row["leftover"] is None
        elif ok:
            assert close(float(row["leftover"]["v"]), t["leftover"][i])
            assert row["leftover"]["t"] == fmt2(float(row["leftover"]["v"]))
        else:
            assert row["leftover"] == {"v": "", "t": "—"}
    cols = ["node", "zone", "fits", "score", "weight"] + (["leftover"] if best_fit else [])
    assert data["head"] == cols
    if any(t["feasible"]):
        total = sum(float(c["w"]["v"]) for c in data["cards"])
        assert close(total, 1.0)
    else:
        assert all(float(c["w"]["v"]) == 0.0 for c in data["cards"])
    assert data["chosen"] == ("" if chosen is None else str(chosen))
    assert data["bestFit"] == ("" if bf is None else str(bf))
    assert data["chosenWeight"] == ("" if chosen is None else data["cards"][chosen]["w"]["v"])
    assert data["sentence"] == sentence_for(t, best_fit)
    # The controls show the task.
    assert [s["field"] for s in data["sliders"]] == ["cpu", "mem", "gpus"]
    for s, o in zip(data["sliders"], data["outputs"], strict=True):
        v = task[s["field"]]
        assert o["field"] == s["field"] and o["v"] == js(v)
        assert float(s["value"]) == v
    assert data["priority"] == task["priority"]
    assert "NaN" not in json.dumps(data)


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 760, "height": 1000}, body_style=WIDE_BODY)


def mount(page, widget: ClusterWidget, width: int = 700) -> int:
    data = {name: getattr(widget, name) for name in ("export", "nodes", "task", "best_fit",
                                                      "result")}
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-clu-css")


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def assert_page_matches(page, n: int = 0, source: str = "browser") -> dict:
    """The page shows placement_weights's numbers for the model's current state."""
    data, state = read(page, n), model_state(page, n)
    t = placement_weights(state["export"], state["nodes"], state["task"])
    check_dom(data, t, state["best_fit"], t["task"])
    assert data["source"] == source
    return data


def root(page, n: int = 0):
    return page.locator(".tl-clu").nth(n)


def set_slider(page, n: int, field: str, value: float) -> None:
    """Move a slider as a pointer would (the value, then an input event)."""
    root(page, n).locator(f"input.tl-clu-slider[data-field='{field}']").evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        value)


def set_task(page, n: int, task: dict) -> None:
    state = model_state(page, n)["task"]
    for field in ("cpu", "mem", "gpus"):
        if state[field] != task[field]:
            set_slider(page, n, field, task[field])
    if state["priority"] != task["priority"]:
        root(page, n).locator("select.tl-clu-priority").select_option(task["priority"])
    assert model_state(page, n)["task"] == task


def test_every_task_setting_matches_placement_weights(page):
    w = ClusterWidget(EXPORT16, CLUSTER)
    mount(page, w)
    data = assert_page_matches(page)
    assert data["sentence"] == sentence_for(w.result, True)
    nothing = only_gpu = 0
    for task in TASKS:
        set_task(page, 0, task)
        data = assert_page_matches(page)
        if data["chosen"] == "":
            nothing += 1
            assert data["sentence"] == "No node can fit this task."
            assert all(c["infeasible"] for c in data["cards"])
        elif task["gpus"] > 0:
            only_gpu += 1
            assert [c["node"] for c in data["cards"] if not c["infeasible"]] == [
                i for i in GPU_NODES if fits(CLUSTER[i], task)]
            assert "GPU" in data["cards"][0]["reason"]
    assert nothing >= 30 and only_gpu >= 30
    assert page.evaluate("window.models[0].saves") >= len(TASKS)
    # What the page sent is what Python recomputes from.
    state = model_state(page)
    w.set_state({"task": state["task"]})
    assert w.result == placement_weights(EXPORT16, CLUSTER, state["task"])


def test_sliders_and_menu_work_from_the_keyboard(page):
    w = ClusterWidget(EXPORT, CLUSTER)
    mount(page, w)
    r = root(page)
    cpu = r.locator("input.tl-clu-slider[data-field='cpu']")
    mem = r.locator("input.tl-clu-slider[data-field='mem']")
    gpus = r.locator("input.tl-clu-slider[data-field='gpus']")

    def task():
        return model_state(page)["task"]

    cpu.focus()
    page.keyboard.press("ArrowRight")
    assert task()["cpu"] == 3
    assert_page_matches(page)
    page.keyboard.press("Home")
    assert task()["cpu"] == 0
    assert_page_matches(page)
    page.keyboard.press("End")
    assert task()["cpu"] == 32
    data = assert_page_matches(page)
    assert [c["infeasible"] for c in data["cards"]] == [not fits(n, task()) for n in CLUSTER]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    assert task()["cpu"] == 30
    assert_page_matches(page)
    mem.focus()
    page.keyboard.press("ArrowRight")  # a step of 4 GiB
    assert task()["mem"] == 12
    assert_page_matches(page)
    page.keyboard.press("End")
    assert task()["mem"] == 128
    assert_page_matches(page)
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    assert task()["mem"] == 12
    # GPUs: one, then up to four, where nothing fits, and back.
    cpu.focus()
    page.keyboard.press("Home")
    gpus.focus()
    page.keyboard.press("ArrowRight")
    data = assert_page_matches(page)
    assert [c["node"] for c in data["cards"] if not c["infeasible"]] == GPU_NODES
    assert data["cards"][0]["reason"] == "needs 1 GPU, has 0"
    page.keyboard.press("End")
    assert task()["gpus"] == 4
    data = assert_page_matches(page)
    assert data["sentence"] == "No node can fit this task." and data["chosen"] == ""
    assert data["cards"][4]["reason"] == "needs 4 GPUs, has 3"
    assert all(float(c["w"]["v"]) == 0.0 for c in data["cards"])
    page.keyboard.press("ArrowLeft")
    data = assert_page_matches(page)
    assert [c["node"] for c in data["cards"] if not c["infeasible"]] == [4]
    assert data["chosen"] == data["bestFit"] == "4"
    assert data["cards"][4]["w"]["v"] == "1"
    # The priority menu: focus, then the arrows (Linux chromium changes a closed select).
    prio = r.locator("select.tl-clu-priority")
    prio.focus()
    page.keyboard.press("ArrowDown")
    assert task()["priority"] == "high"
    assert_page_matches(page)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert task()["priority"] == "low"
    assert_page_matches(page)


def test_first_render_layout_and_accessibility(page):
    w = ClusterWidget(EXPORT, CLUSTER, task={"cpu": 4, "mem": 16, "gpus": 0,
                                             "priority": "low"})
    mount(page, w)
    r = root(page)
    data = read(page)
    assert data["source"] == "browser"
    assert data["status"] == "Computed in your browser (no kernel needed)."
    check_dom(data, w.result, True, w.task)
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    assert [(s["min"], s["max"], s["step"]) for s in data["sliders"]] == [
        ("0", "32", "1"), ("0", "128", "4"), ("0", "4", "1")]
    assert [s["label"] for s in data["sliders"]] == ["CPU cores", "memory (GiB)", "GPUs"]
    assert [s["valuetext"] for s in data["sliders"]] == [
        "4 CPU cores", "16 GiB of memory", "0 GPUs"]
    assert [o["t"] for o in data["outputs"]] == ["4 cores", "16 GiB", "0 GPUs"]
    assert data["priorities"] == ["low", "normal", "high"]
    # Every control has an accessible name.
    for sel in ("input.tl-clu-slider[data-field='cpu']", "input.tl-clu-slider[data-field='mem']",
                "input.tl-clu-slider[data-field='gpus']", "select.tl-clu-priority"):
        name = r.locator(sel).evaluate(
            "el => (el.labels && el.labels.length ? el.labels[0].textContent : '')"
            " || el.getAttribute('aria-label') || ''")
        assert name.strip(), f"{sel} has no label"
    grid = r.locator(".tl-clu-grid")
    assert grid.get_attribute("role") == "list" and grid.get_attribute("aria-label")
    assert r.locator(".tl-clu-sentence").get_attribute("aria-live") == "polite"
    assert r.locator("fieldset.tl-clu-task legend").text_content() == "The task"
    assert r.locator("table.tl-clu-table caption").text_content()
    # The bars are drawn for the eye; the card's label says the same in words.
    assert r.locator(".tl-clu-res[aria-hidden='true']").count() == 3 * len(CLUSTER)
    label = data["cards"][3]["label"]
    assert label.startswith("node 4, zone a: 20 of 32 CPU cores free, 96 of 128 GiB of memory "
                            "free, 2 of 4 GPUs free; weight ")
    assert data["cards"][7]["res"][0]["text"] == "2.5 / 64", "no capacity: the range's end"
    gpu = data["cards"][0]["res"][2]
    assert gpu["needHidden"] and gpu["fill"] == "0%", "no GPUs at all: no bar to fill"
    # One GPU: its singular, and the aria-valuetext follows.
    set_slider(page, 0, "gpus", 1)
    data = assert_page_matches(page)
    assert data["sliders"][2]["valuetext"] == "1 GPU" and data["outputs"][2]["t"] == "1 GPU"


def test_view_follows_changes_from_python(page):
    w = ClusterWidget(EXPORT, CLUSTER)
    mount(page, w)
    for key, value in [("task", {"cpu": 8, "mem": 64, "gpus": 1, "priority": "high"}),
                       ("best_fit", False),
                       ("task", {"cpu": 2, "mem": 12, "gpus": 0, "priority": "low"}),
                       ("export", EXPORT16),
                       ("best_fit", True),
                       ("nodes", placement_weights(EXPORT, CLUSTER[2:5])["nodes"]),
                       ("task", {"cpu": 32, "mem": 128, "gpus": 4, "priority": "normal"})]:
        page.evaluate("([k, v]) => window.models[0].set(k, v)", [key, value])
        data = assert_page_matches(page)
    assert data["sentence"] == "No node can fit this task." and len(data["cards"]) == 3
    page.evaluate("() => window.models[0].set('best_fit', false)")
    page.evaluate("t => window.models[0].set('task', t)",
                  {"cpu": 2, "mem": 8, "gpus": 0, "priority": "normal"})
    data = assert_page_matches(page)
    assert data["sentence"].endswith(")."), "no best-fit named"
    assert data["bestFit"] == "" and not any(c["bestfit"] for c in data["cards"])
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"
    # A task between the slider's steps (mem 6) shows its own value, the slider the nearest.
    page.evaluate("t => window.models[0].set('task', t)",
                  {"cpu": 2, "mem": 6, "gpus": 0, "priority": "normal"})
    data = read(page)
    assert data["outputs"][1]["v"] == "6" and data["sliders"][1]["value"] == "8"


def test_kernel_result_replaces_the_browsers_when_it_fits(page):
    w = ClusterWidget(EXPORT, CLUSTER)
    mount(page, w)
    set_slider(page, 0, "gpus", 1)
    state = model_state(page)
    # A live kernel: Python receives the task and answers through `result`.
    w.set_state({"task": state["task"]})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["status"] == "Computed by tokenlab in the Python kernel."
    check_dom(data, w.result, True, w.task)
    # The kernel's numbers are the ones shown (a marked answer for exactly this task).
    marked = json.loads(json.dumps(w.result))
    marked["weights"] = [0.0, 0.0, 0.0, 0.125, 0.375, 0.0, 0.5, 0.0]
    marked["chosen"] = 6
    page.evaluate("r => window.models[0].set('result', r)", marked)
    data = read(page)
    assert data["source"] == "kernel" and data["chosen"] == "6"
    assert [c["w"]["v"] for c in data["cards"]] == ["0", "0", "0", "0.125", "0.375", "0",
                                                    "0.5", "0"]
    assert data["sentence"].startswith("The model places the task on node 7 (weight 0.50)")
    # A result for another task (a stale answer) is not shown.
    set_slider(page, 0, "cpu", 9)
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", marked)
    assert_page_matches(page)  # still the browser's
    # Nor one for other nodes.
    stale = placement_weights(EXPORT, CLUSTER[:7], model_state(page)["task"])
    page.evaluate("r => window.models[0].set('result', r)", stale)
    assert_page_matches(page)


def test_text_is_text_and_two_widgets_are_independent(page):
    evil = zones_export(["<img src=x onerror=alert(1)>", "<b>b</b>", "c"])
    nodes = [{**node_fields(n), "zone": "<img src=x onerror=alert(1)>"} for n in CLUSTER[:2]]
    mount(page, ClusterWidget(evil, nodes))
    r = root(page)
    assert r.locator("img").count() == 0 and r.locator("b").count() == 0
    data = assert_page_matches(page)
    assert data["cards"][0]["zone"] == "zone <img src=x onerror=alert(1)>"
    mount(page, ClusterWidget(EXPORT, CLUSTER))
    set_slider(page, 1, "gpus", 2)
    assert model_state(page, 0)["task"]["gpus"] == 0
    assert_page_matches(page, 0)
    assert_page_matches(page, 1)
    ids = page.eval_on_selector_all("input.tl-clu-slider", "els => els.map(e => e.id)")
    assert len(set(ids)) == 6


def test_twelve_nodes_fit_the_column_and_the_screenshot(page):
    cl = pytest.importorskip("tokenlab.cluster")
    nodes = cl.make_nodes(12, seed=4)
    for i, n in enumerate(nodes):  # partly used
        n["cpu_free"] = n["cpu_cap"] // (1 + i % 3)
        n["mem_free"] = n["mem_cap"] // (1 + i % 4)
    w = ClusterWidget(EXPORT16, nodes, task={"cpu": 8, "mem": 32, "gpus": 1, "priority": "high"})
    mount(page, w)
    data = assert_page_matches(page)
    assert len(data["cards"]) == 12
    box = root(page).bounding_box()
    assert box["width"] <= 720
    assert page.evaluate("document.querySelector('.tl-clu').scrollWidth") <= 720
    assert page.evaluate("document.documentElement.scrollWidth") <= 760
    # Cards in a grid: several per row.
    tops = page.evaluate("[...document.querySelectorAll('.tl-clu-node')].map("
                         "c => Math.round(c.getBoundingClientRect().top))")
    assert len(set(tops)) <= 4
    # Narrow column: no sideways overflow of the widget itself.
    page.evaluate("document.querySelector('.host').style.width = '360px'")
    assert page.evaluate("document.querySelector('.tl-clu').scrollWidth") <= 360
    page.evaluate("document.querySelector('.host').style.width = '700px'")
    r = root(page)
    r.scroll_into_view_if_needed()
    r.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_dark_theme_colours_differ(page):
    w = ClusterWidget(EXPORT, CLUSTER, task={"gpus": 1})
    mount(page, w)
    fill = "getComputedStyle(document.querySelector('.tl-clu-wfill')).backgroundColor"
    light = page.evaluate(fill)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e'")
    dark = page.evaluate(fill)
    assert light != dark
    root(page).screenshot(path=str(SCREENSHOT.with_name("cluster-widget-dark.png")))

"""tokenlab.cluster: the simulation, the heuristics, fragmentation, and the placement attention."""

from __future__ import annotations

import copy
import functools
import json
import math

import pytest
import torch

from tokenlab.cluster import (
    MACHINE_TYPES,
    NODE_CATEGORICAL,
    NODE_NUMERIC,
    TASK_CATEGORICAL,
    TASK_NUMERIC,
    PlacementAttention,
    agreement,
    best_fit,
    feasible,
    first_fit,
    fragmentation,
    imitation_data,
    make_nodes,
    make_tasks,
    make_workloads,
    place,
    policy,
    random_fit,
    run_workload,
    state_tensors,
    train_placement,
    weights_from_export,
)

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def node(cpu: float, mem: float, gpus: float = 0, zone: str = "a") -> dict:
    return {"cpu_free": cpu, "mem_free": mem, "gpus_free": gpus, "zone": zone}


def task(cpu: float, mem: float, gpus: float = 0, priority: str = "normal") -> dict:
    return {"cpu": cpu, "mem": mem, "gpus": gpus, "priority": priority}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------------- simulation


def test_same_seed_same_simulation_and_different_seeds_differ():
    assert make_nodes(30, seed=3) == make_nodes(30, seed=3)
    assert make_tasks(100, seed=3) == make_tasks(100, seed=3)
    assert make_workloads(3, 5, 10, seed=4) == make_workloads(3, 5, 10, seed=4)
    assert make_nodes(30, seed=3) != make_nodes(30, seed=4)
    assert make_tasks(100, seed=3) != make_tasks(100, seed=4)
    a, b = imitation_data(2, 5, 15, seed=0), imitation_data(2, 5, 15, seed=0)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert make_nodes(0, seed=0) == [] and make_tasks(0, seed=0) == []


def test_nodes_respect_their_types_and_ranges():
    nodes = make_nodes(600, seed=0)
    types = {(m["cpu"], m["mem"], m["gpus"]) for m in MACHINE_TYPES}
    seen = set()
    for n in nodes:
        assert set(n) == {"cpu_free", "mem_free", "gpus_free", "zone", "cpu_cap", "mem_cap",
                          "gpus_cap"}
        cap = (n["cpu_cap"], n["mem_cap"], n["gpus_cap"])
        assert cap in types
        seen.add(cap)
        assert (n["cpu_free"], n["mem_free"], n["gpus_free"]) == cap  # empty at the start
        for field, (low, high) in NODE_NUMERIC.items():
            assert low <= n[field] <= high
        assert n["zone"] in NODE_CATEGORICAL["zone"]
    assert seen == types
    assert {n["zone"] for n in nodes} == set(NODE_CATEGORICAL["zone"])
    # the shares follow MACHINE_TYPES (loosely: 600 draws)
    small = sum(n["cpu_cap"] == 16 for n in nodes) / len(nodes)
    assert abs(small - 0.30) < 0.06


def test_tasks_are_skewed_and_within_their_ranges():
    tasks = make_tasks(3000, seed=0)
    for t in tasks:
        assert set(t) == {"cpu", "mem", "gpus", "priority"}
        for field, (low, high) in TASK_NUMERIC.items():
            assert low <= t[field] <= high
        assert t["cpu"] >= 1 and t["mem"] >= 1
        assert t["priority"] in TASK_CATEGORICAL["priority"]
    cpus = sorted(t["cpu"] for t in tasks)
    assert cpus[len(cpus) // 2] <= 2 and cpus[-1] == 32  # most small, a few large
    big = [c for c in cpus if c >= 16]
    assert 0.05 < len(big) / len(cpus) < 0.15
    assert sum(big) / sum(cpus) > 0.3  # ... which carry a large share of the demand
    gpu_share = sum(t["gpus"] > 0 for t in tasks) / len(tasks)
    assert 0.07 < gpu_share < 0.13
    assert {t["priority"] for t in tasks} == set(TASK_CATEGORICAL["priority"])


# ----------------------------------------------------------------------------- filter and policies


def test_feasible_checks_every_resource():
    nodes = [node(8, 32), node(2, 64), node(8, 8), node(8, 32, 1), node(4, 16)]
    assert feasible(nodes, task(4, 16)).tolist() == [True, False, False, True, True]
    assert feasible(nodes, task(4, 16, 1)).tolist() == [False, False, False, True, False]
    assert feasible(nodes, task(4, 16)).dtype == torch.bool
    assert feasible([], task(1, 1)).shape == (0,)


def test_first_fit_takes_the_first_feasible_node():
    nodes = [node(2, 8), node(64, 256, 8), node(4, 16)]
    assert first_fit(nodes, task(4, 8)) == 1
    assert first_fit(nodes, task(1, 1)) == 0
    assert first_fit(nodes, task(64, 1, 1)) == 1
    assert first_fit(nodes, task(8, 8, 4, "high")) == 1
    assert first_fit(nodes, task(32, 8, 0)) == 1
    assert first_fit(nodes, task(65 - 33, 257 - 200, 0)) == 1
    assert first_fit(nodes[:1], task(4, 8)) is None
    assert first_fit([], task(1, 1)) is None


def test_best_fit_takes_the_least_leftover():
    nodes = [node(64, 256), node(8, 32), node(2, 8), node(6, 32)]
    # leftovers for (4 cores, 8 GiB): node 0: 60/64 + 248/256, node 1: 4/64 + 24/256,
    # node 2: infeasible, node 3: 2/64 + 24/256 -> node 3
    assert best_fit(nodes, task(4, 8)) == 3
    # memory counts too: (2 cores, 30 GiB) leaves node 1 6/64 + 2/256, node 3 4/64 + 2/256
    assert best_fit(nodes, task(2, 30)) == 3
    assert best_fit(nodes, task(65, 1)) is None
    # GPUs: a CPU task keeps off a GPU node when another node fits; a GPU task must use it
    gpu_nodes = [node(8, 32, 8), node(16, 64, 0)]
    assert best_fit(gpu_nodes, task(4, 8)) == 1
    assert first_fit(gpu_nodes, task(4, 8)) == 0
    assert best_fit(gpu_nodes, task(4, 8, 2)) == 0


def test_best_fit_breaks_ties_by_lowest_index():
    nodes = [node(8, 32, zone="c"), node(4, 16), node(4, 16, zone="b"), node(4, 16)]
    assert best_fit(nodes, task(2, 4)) == 1
    assert best_fit([node(4, 16, zone="b"), node(4, 16, zone="a")], task(2, 4)) == 0


def test_best_fit_matches_its_documented_formula_on_random_states():
    for seed in range(5):
        nodes = make_nodes(12, seed=seed)
        for t in make_tasks(20, seed=seed + 100):
            choice = best_fit(nodes, t)
            ok = feasible(nodes, t)
            if choice is None:
                assert not ok.any()
                continue

            def leftover(n: dict, t: dict = t) -> float:
                return ((n["cpu_free"] - t["cpu"]) / 64 + (n["mem_free"] - t["mem"]) / 256
                        + (n["gpus_free"] - t["gpus"]) / 8)

            best = min(leftover(n) for n, f in zip(nodes, ok.tolist(), strict=True) if f)
            assert ok[choice] and math.isclose(leftover(nodes[choice]), best)
            nodes = place(nodes, t, choice)


def test_random_fit_is_seeded_and_feasible():
    nodes = [node(1, 1), node(8, 32), node(8, 32), node(8, 32)]
    picks = [random_fit(nodes, task(4, 8), generator=gen(s)) for s in range(30)]
    assert set(picks) == {1, 2, 3}
    again = [random_fit(nodes, task(4, 8), generator=gen(s)) for s in range(30)]
    assert picks == again
    assert random_fit(nodes, task(9, 1), generator=gen(0)) is None
    with pytest.raises(TypeError, match="generator"):
        random_fit(nodes, task(4, 8), generator=0)


def test_place_subtracts_without_mutating():
    nodes = [node(8, 32, 2, "b"), node(4, 16)]
    before = copy.deepcopy(nodes)
    out = place(nodes, task(3, 10, 1), 0)
    assert out[0] == node(5, 22, 1, "b") and out[1] == nodes[1]
    assert nodes == before
    assert out[1] is not nodes[1]  # new dicts throughout
    with pytest.raises(ValueError, match="cannot fit"):
        place(nodes, task(5, 1), 1)
    with pytest.raises(ValueError, match="out of range"):
        place(nodes, task(1, 1), 2)


def test_policies_do_not_mutate_their_inputs():
    nodes, tasks = make_nodes(8, seed=1), make_tasks(40, seed=2)
    nodes_before, tasks_before = copy.deepcopy(nodes), copy.deepcopy(tasks)
    model = PlacementAttention(seed=0)
    for p in (first_fit, best_fit, functools.partial(random_fit, generator=gen(0)),
              policy(model)):
        for t in tasks[:10]:
            p(nodes, t)
        run_workload(p, nodes, tasks)
    feasible(nodes, tasks[0])
    fragmentation(nodes, tasks)
    imitation_data(1, 4, 5, seed=0)
    assert nodes == nodes_before and tasks == tasks_before


# ----------------------------------------------------------------------------- workloads


def check_accounting(result: dict, nodes: list, tasks: list) -> None:
    assert result["placed"] + result["rejected"] == len(tasks)
    assert len(result["choices"]) == len(tasks)
    assert result["placed"] == sum(c is not None for c in result["choices"])
    assert result["success_rate"] == result["placed"] / len(tasks)
    assert 0.0 <= result["fragmentation"] <= 1.0
    # the final state is the start minus what was placed, and never negative
    for i, (start, end) in enumerate(zip(nodes, result["final_nodes"], strict=True)):
        for free, need in (("cpu_free", "cpu"), ("mem_free", "mem"), ("gpus_free", "gpus")):
            used = sum(t[need] for t, c in zip(tasks, result["choices"], strict=True) if c == i)
            assert end[free] == start[free] - used
            assert end[free] >= 0
        assert end["zone"] == start["zone"]
    placed_cpu = sum(t["cpu"] for t, c in zip(tasks, result["choices"], strict=True)
                     if c is not None)
    assert math.isclose(result["cpu_placed"], placed_cpu / sum(t["cpu"] for t in tasks))


def test_run_workload_accounting_on_oversubscribed_workloads():
    for seed in range(3):
        nodes, tasks = make_nodes(6, seed=seed), make_tasks(80, seed=seed + 10)
        for p in (first_fit, best_fit, functools.partial(random_fit, generator=gen(seed))):
            result = run_workload(p, nodes, tasks)
            check_accounting(result, nodes, tasks)
            assert result["rejected"] > 0  # 80 tasks overfill 6 nodes


def test_run_workload_rejects_what_fits_nowhere():
    nodes = [node(8, 32), node(4, 16)]
    tasks = [task(4, 8), task(8, 16), task(2, 2)]
    first = run_workload(first_fit, nodes, tasks)
    best = run_workload(best_fit, nodes, tasks)
    # first fit puts the 4-core task on the 8-core node, so the 8-core task fits nowhere
    assert first["choices"] == [0, None, 0] and first["rejected"] == 1
    assert best["choices"] == [1, 0, None] and best["rejected"] == 1
    assert best["cpu_placed"] == 12 / 14 and first["cpu_placed"] == 6 / 14
    never = run_workload(lambda nodes, task: None, nodes, tasks)
    assert never["placed"] == 0 and never["success_rate"] == 0.0
    check_accounting(never, nodes, tasks)


def test_run_workload_refuses_a_bad_policy():
    nodes, tasks = [node(4, 16), node(8, 32)], [task(6, 8)]
    with pytest.raises(ValueError, match="chose node 0"):
        run_workload(lambda nodes, task: 0, nodes, tasks)
    with pytest.raises(ValueError, match="chose node 5"):
        run_workload(lambda nodes, task: 5, nodes, tasks)
    with pytest.raises(TypeError, match="int or None"):
        run_workload(lambda nodes, task: "1", nodes, tasks)
    with pytest.raises(TypeError, match="callable"):
        run_workload("best_fit", nodes, tasks)
    with pytest.raises(ValueError, match="at least one task"):
        run_workload(best_fit, nodes, [])


def test_fragmentation_on_hand_made_states():
    tasks = [task(2, 1), task(1, 1)]
    # 4 + 1 free cores: the 2-core task cannot use 1 of 5, weighted by cores (2 and 1)
    assert math.isclose(fragmentation([node(4, 64), node(1, 64)], tasks), 2 * 0.2 / 3)
    # every free core usable by every task
    assert fragmentation([node(4, 64), node(2, 64)], tasks) == 0.0
    # no free core: nothing to waste
    assert fragmentation([node(0, 64), node(0, 0)], tasks) == 0.0
    # cores stranded by memory: 8 free cores but no memory left there
    assert fragmentation([node(8, 0), node(8, 64)], [task(1, 4)]) == 0.5
    # ... and by GPUs: a GPU task cannot use a CPU node's cores
    assert fragmentation([node(8, 64, 1), node(24, 64)], [task(1, 1, 1)]) == 0.75
    # tasks asking for no cores
    assert fragmentation([node(8, 64)], [task(0, 1)]) == 0.0
    with pytest.raises(ValueError, match="at least one task"):
        fragmentation([node(8, 64)], [])


def test_scattered_free_cores_are_more_fragmented_than_whole_ones():
    tasks = [task(8, 8), task(1, 1)]
    whole = [node(16, 64), node(0, 64), node(0, 64)]
    scattered = [node(6, 64), node(5, 64), node(5, 64)]
    assert fragmentation(whole, tasks) == 0.0
    assert fragmentation(scattered, tasks) == pytest.approx(8 / 9)


def test_best_fit_fragments_less_than_first_fit_and_random():
    frag = {"first": [], "best": [], "random": []}
    for nodes, tasks in make_workloads(6, 12, 60, seed=5):
        frag["first"].append(run_workload(first_fit, nodes, tasks)["fragmentation"])
        frag["best"].append(run_workload(best_fit, nodes, tasks)["fragmentation"])
        rand = functools.partial(random_fit, generator=gen(0))
        frag["random"].append(run_workload(rand, nodes, tasks)["fragmentation"])
    mean = {k: sum(v) / len(v) for k, v in frag.items()}
    assert mean["best"] < mean["first"] < mean["random"]  # about 0.22, 0.29, 0.43 here


# ----------------------------------------------------------------------------- the model


def batch(model_dtype: torch.dtype = torch.float32) -> tuple[list, list]:
    """Five decisions on 6 nodes, one of them infeasible everywhere."""
    nodes = make_nodes(6, seed=2)
    tasks = make_tasks(4, seed=3)
    nodes_list = []
    for t in tasks:
        nodes_list.append(nodes)
        nodes = place(nodes, t, best_fit(nodes, t))
    nodes_list.append([node(1, 4, 0, zone) for zone in "abcabc"])  # full: nothing fits ...
    tasks.append(task(2, 8, 0, "high"))  # ... this task
    return nodes_list, tasks


def stack(nodes_list: list, tasks: list, dtype: torch.dtype = torch.float32) -> list:
    parts = [state_tensors(n, t, dtype=dtype) for n, t in zip(nodes_list, tasks, strict=True)]
    return [torch.cat(p) for p in zip(*parts, strict=True)]


def test_placement_attention_shapes_and_masking():
    model = PlacementAttention(dim=16, seed=0)
    nodes_list, tasks = batch()
    args = stack(nodes_list, tasks)
    assert [tuple(a.shape) for a in args] == [(5, 3), (5, 1), (5, 6, 3), (5, 6, 1), (5, 6)]
    weights = model(*args)
    assert weights.shape == (5, 6)
    mask = args[-1]
    assert not mask[-1].any()  # the last task fits nowhere
    assert torch.equal(weights[-1], torch.zeros(6)) and not weights.isnan().any()
    assert torch.allclose(weights[:-1].sum(-1), torch.ones(4))
    assert (weights[~mask] == 0).all() and (weights[mask] > 0).all()
    scores = model.scores(*args)
    assert (scores[~mask] == -math.inf).all() and scores[mask].isfinite().all()
    assert torch.allclose(scores[:-1].softmax(-1), weights[:-1], atol=1e-6)
    assert policy(model)(nodes_list[-1], tasks[-1]) is None
    choice = policy(model)(nodes_list[0], tasks[0])
    assert choice == int(weights[0].argmax()) and mask[0, choice]


def test_placement_attention_is_seeded_and_built_from_feature_tokenizers():
    a, b, c = (PlacementAttention(dim=8, seed=s) for s in (1, 1, 2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.q_proj.weight, c.q_proj.weight)
    assert a.node_tokens.numeric_fields == tuple(NODE_NUMERIC)
    assert a.task_tokens.categorical_fields == tuple(TASK_CATEGORICAL)
    assert a.node_tokens.mode == "linear" and a.q_proj.weight.shape == (8, 8)
    with pytest.raises(ValueError, match="seed or generator"):
        PlacementAttention(seed=0, generator=gen(0))


def test_export_is_json_and_recomputes_the_weights():
    model = PlacementAttention(dim=16, seed=0)
    train_placement(model, imitation_data(4, 6, 20, seed=0), epochs=1)  # not just the init
    exported = json.loads(json.dumps(model.export()))
    assert exported["dim"] == 16
    assert exported["node"]["numeric"] == [[k, float(lo), float(hi)]
                                           for k, (lo, hi) in NODE_NUMERIC.items()]
    assert exported["task"]["categorical"] == [["priority", ["low", "normal", "high"]]]
    assert len(exported["node"]["weight"]) == 16 and len(exported["node"]["weight"][0]) == 3
    assert len(exported["task"]["embeddings"][0]) == 3
    assert len(exported["q_proj"]["weight"]) == 16
    nodes_list, tasks = batch()
    with torch.no_grad():
        weights = model(*stack(nodes_list, tasks))
    for i, (nodes, t) in enumerate(zip(nodes_list, tasks, strict=True)):
        ours = torch.tensor(weights_from_export(exported, nodes, t), dtype=torch.float64)
        assert torch.allclose(ours, weights[i].double(), atol=1e-6, rtol=0)
    assert weights_from_export(exported, nodes_list[-1], tasks[-1]) == [0.0] * 6
    assert weights_from_export(exported, [], tasks[0]) == []


def test_export_matches_a_float64_model_exactly():
    model = PlacementAttention(dim=16, seed=3, dtype=torch.float64)
    nodes_list, tasks = batch()
    with torch.no_grad():
        weights = model(*stack(nodes_list, tasks, torch.float64))
    exported = model.export()
    for i, (nodes, t) in enumerate(zip(nodes_list, tasks, strict=True)):
        ours = torch.tensor(weights_from_export(exported, nodes, t), dtype=torch.float64)
        assert torch.allclose(ours, weights[i], atol=1e-12, rtol=0)


def test_imitation_data_records_the_teachers_decisions():
    data = imitation_data(3, 5, 25, seed=0)
    assert data["task_numeric"].shape == (75, 3) and data["node_numeric"].shape == (75, 5, 3)
    assert data["feasible"].dtype == torch.bool and data["target"].dtype == torch.int64
    nodes, tasks = make_workloads(3, 5, 25, seed=0)[0]
    result = run_workload(best_fit, nodes, tasks)
    assert data["target"][:25].tolist() == [-1 if c is None else c for c in result["choices"]]
    assert (data["workload"] == torch.arange(3).repeat_interleave(25)).all()
    ok = data["target"] >= 0
    assert data["feasible"][ok, data["target"][ok]].all()
    assert not data["feasible"][~ok].any()
    first = imitation_data(3, 5, 25, seed=0, teacher=first_fit)
    assert torch.equal(first["target"][:25], torch.tensor(
        [-1 if c is None else c for c in run_workload(first_fit, nodes, tasks)["choices"]]))


def test_training_imitates_best_fit_on_a_tiny_config():
    model = PlacementAttention(dim=16, seed=0)
    train = imitation_data(30, 8, 40, seed=0)
    held = imitation_data(10, 8, 40, seed=1)
    before = agreement(model, held)
    losses = train_placement(model, train, epochs=4, lr=1e-2, batch_size=128, seed=0)
    assert len(losses) == 4 and losses[-1] < 0.6 * losses[0]
    ok = held["target"] >= 0
    chance = float((1 / held["feasible"][ok].sum(-1).float()).mean())  # a random feasible pick
    after = agreement(model, held)
    assert after > max(before, chance) + 0.3
    assert agreement(model, held, count_ties=True) >= after
    # the trained model as a policy: run_workload accepts it
    nodes, tasks = make_workloads(1, 8, 40, seed=2)[0]
    check_accounting(run_workload(policy(model), nodes, tasks), nodes, tasks)


def test_training_is_seeded():
    data = imitation_data(3, 5, 20, seed=0)
    a, b = PlacementAttention(seed=0), PlacementAttention(seed=0)
    assert train_placement(a, data, epochs=2, seed=1) == train_placement(b, data, epochs=2, seed=1)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


# ----------------------------------------------------------------------------- bad inputs


def test_bad_nodes_and_tasks_raise():
    with pytest.raises(ValueError, match="unknown zone"):
        feasible([node(1, 1, zone="d")], task(1, 1))
    with pytest.raises(ValueError, match="unknown priority"):
        best_fit([node(1, 1)], task(1, 1, priority="urgent"))
    with pytest.raises(ValueError, match=r"task\['cpu'\] must be >= 0"):
        first_fit([node(1, 1)], task(-1, 1))
    with pytest.raises(ValueError, match=r"nodes\[1\]\['mem_free'\] must be >= 0"):
        feasible([node(1, 1), node(1, -2)], task(1, 1))
    with pytest.raises(ValueError, match="finite"):
        feasible([node(math.nan, 1)], task(1, 1))
    with pytest.raises(ValueError, match=r"nodes\[0\] is missing 'gpus_free'"):
        feasible([{"cpu_free": 1, "mem_free": 1, "zone": "a"}], task(1, 1))
    with pytest.raises(ValueError, match="task is missing 'priority'"):
        feasible([node(1, 1)], {"cpu": 1, "mem": 1, "gpus": 0})
    with pytest.raises(TypeError, match=r"task\['gpus'\] must be a number"):
        feasible([node(1, 1)], task(1, 1, "2"))
    with pytest.raises(TypeError, match="nodes must be a list"):
        feasible(node(1, 1), task(1, 1))
    with pytest.raises(ValueError, match=r"tasks\[1\]\['mem'\] must be >= 0"):
        run_workload(best_fit, [node(4, 4)], [task(1, 1), task(1, -1)])
    with pytest.raises(ValueError, match="n must be >= 0"):
        make_nodes(-1, seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        make_tasks(3, seed=1.5)


def test_wrong_tensor_shapes_raise():
    model = PlacementAttention(dim=8, seed=0)
    tn, tc, nn_, nc, mask = state_tensors(make_nodes(4, seed=0), task(1, 1))
    with pytest.raises(ValueError, match="task_numeric must have shape"):
        model(tn[:, :2], tc, nn_, nc, mask)
    with pytest.raises(ValueError, match="node_numeric must have shape"):
        model(tn, tc, nn_[0], nc, mask)
    with pytest.raises(ValueError, match="node_numeric must have shape"):
        model(tn.repeat(2, 1), tc.repeat(2, 1), nn_, nc, mask)
    with pytest.raises(ValueError, match="feasible must have shape"):
        model.scores(tn, tc, nn_, nc, mask[:, :3])
    with pytest.raises(ValueError, match="node_categorical must have shape"):
        model(tn, tc, nn_, nc[..., 0], mask)
    with pytest.raises(TypeError, match="feasible must be a boolean"):
        model(tn, tc, nn_, nc, mask.float())
    with pytest.raises(ValueError, match="outside its range"):
        model(tn, tc, nn_ * 100, nc, mask)  # 6400 free cores: the tokenizer refuses


def test_bad_training_data_raise():
    model = PlacementAttention(seed=0)
    data = imitation_data(1, 4, 5, seed=0)
    with pytest.raises(ValueError, match="missing 'target'"):
        train_placement(model, {k: v for k, v in data.items() if k != "target"})
    with pytest.raises(ValueError, match="first"):
        agreement(model, {**data, "target": data["target"][:2]})
    with pytest.raises(ValueError, match="no sample with a feasible node"):
        train_placement(model, {**data, "target": torch.full_like(data["target"], -1)})
    with pytest.raises(ValueError, match="lr must be a positive"):
        train_placement(model, data, lr=0)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        train_placement(model, data, epochs=0)
    with pytest.raises(TypeError, match="PlacementAttention"):
        policy(torch.nn.Linear(2, 2))


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_model_matches_the_cpu():
    cpu_model = PlacementAttention(dim=16, seed=0)
    gpu_model = PlacementAttention(dim=16, seed=0, device="cuda")
    assert all(torch.equal(p.cpu(), q) for p, q in
               zip(gpu_model.parameters(), cpu_model.parameters(), strict=True))
    nodes_list, tasks = batch()
    args = stack(nodes_list, tasks)
    with torch.no_grad():
        w_cpu = cpu_model(*args)
        w_gpu = gpu_model(*[a.cuda() for a in args])
    assert w_gpu.device.type == "cuda"
    assert torch.allclose(w_gpu.cpu(), w_cpu, atol=1e-5)
    data = imitation_data(4, 6, 20, seed=0)
    losses = train_placement(gpu_model, data, epochs=2)
    assert losses[-1] < losses[0]
    assert 0.0 <= agreement(gpu_model, data) <= 1.0
    nodes, t = make_nodes(6, seed=0), make_tasks(1, seed=0)[0]
    assert policy(gpu_model)(nodes, t) is not None

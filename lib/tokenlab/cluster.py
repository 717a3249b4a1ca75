"""A cluster orchestrator whose tokens are node states and task requirements.

A cluster scheduler decides, for every task that arrives, which machine (node) runs it. Here each
node is a record -- its free CPU cores, free memory (GiB), free GPUs and its zone -- and each task
is a record of what it needs -- cores, memory, GPUs and a priority. :class:`FeatureTokenizer`
(:mod:`tokenlab.beyond`) turns both kinds of record into token vectors, and one cross-attention
step from the task token to the node tokens
(:func:`tokenlab.attention.scaled_dot_product_attention`) gives a weight per node: where to place
the task. Nothing in the attention code knows that these tokens are machines.

Two phases, as in Kubernetes
----------------------------
Kubernetes' scheduler (``kube-scheduler``) places a pod in two phases: *filter* plugins drop the
nodes that cannot run it (``NodeResourcesFit`` checks the free resources), then *score* plugins
rank the nodes left (``NodeResourcesFit`` scores with ``LeastAllocated``, its default, which
spreads load, or ``MostAllocated``, which packs it, as best fit does). This module works the same
way: :func:`feasible` is the filter, a hard rule that is never learned, and it becomes the
attention mask; the policies -- :func:`first_fit`, :func:`best_fit`, :func:`random_fit` and the
learned :class:`PlacementAttention` -- only score the feasible nodes. The model learns the score.

The simulation, and what it is not
-----------------------------------
Real schedulers are studied and trained on public traces: the Google cluster-usage traces of
2011 and 2019 (from Borg, Google's cluster manager), and Alibaba's ``cluster-trace-v2018`` and
``cluster-trace-gpu-v2020`` (GPU jobs of its PAI platform). **This simulation is not fitted to
any of them.** It is a small, seeded generator with the distributions written out below, chosen
only to have the qualitative shape those traces are known for: machines of a few types, most
tasks small and a few large ones, some tasks needing GPUs that only some machines have. Numbers
measured on it say how the policies compare *on this simulation*, nothing about a real cluster.

Machines (:func:`make_nodes`), each type drawn independently with the given share
(:data:`MACHINE_TYPES`); the zone is uniform over ``"a"``, ``"b"``, ``"c"``:

==========  =====  ========  ====  =====
type        cores  mem GiB   GPUs  share
==========  =====  ========  ====  =====
``small``   16     64        0     0.30
``medium``  32     128       0     0.30
``large``   64     256       0     0.15
``gpu4``    32     128       4     0.15
``gpu8``    64     256       8     0.10
==========  =====  ========  ====  =====

Tasks (:func:`make_tasks`), each drawn independently (:data:`TASK_DISTRIBUTIONS`):

* cores: 1, 2, 4, 8, 16 or 32 with probabilities 0.35, 0.25, 0.18, 0.12, 0.07, 0.03 (most tasks
  are small; the few of 16 or 32 cores carry about 45 % of the demand);
* memory: cores times 1, 2, 4 or 8 GiB per core (probabilities 0.15, 0.35, 0.35, 0.15), at most
  128 GiB;
* GPUs: none with probability 0.9, otherwise 1, 2 or 4 (probabilities 0.5, 0.3, 0.2);
* priority: ``"low"``, ``"normal"`` or ``"high"`` with probabilities 0.3, 0.55, 0.15. The
  heuristics ignore it; it is a field the model sees.

Tasks arrive one by one and never leave (:func:`run_workload`): the cluster only fills, and a
task that fits nowhere is rejected, not queued. Real clusters have departures, queues and
preemption (Borg evicts low-priority work); leaving them out keeps a workload a plain online
packing problem, where the quality of each placement shows in what still fits later.

Examples
--------
>>> nodes = make_nodes(4, seed=0)
>>> task = {"cpu": 8, "mem": 32, "gpus": 0, "priority": "normal"}
>>> feasible(nodes, task).tolist(), first_fit(nodes, task), best_fit(nodes, task)
([True, True, True, True], 0, 2)
>>> model = PlacementAttention(dim=16, seed=0)
>>> weights = model(*state_tensors(nodes, task))
>>> weights.shape, round(float(weights.detach().sum()), 4)
(torch.Size([1, 4]), 1.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tokenlab._checks import check_int as _check_int
from tokenlab.attention import scaled_dot_product_attention
from tokenlab.beyond import FeatureTokenizer

__all__ = [
    "BEST_FIT_WEIGHTS",
    "MACHINE_TYPES",
    "NODE_CATEGORICAL",
    "NODE_NUMERIC",
    "TASK_CATEGORICAL",
    "TASK_DISTRIBUTIONS",
    "TASK_NUMERIC",
    "PlacementAttention",
    "agreement",
    "best_fit",
    "feasible",
    "first_fit",
    "fragmentation",
    "imitation_data",
    "make_nodes",
    "make_tasks",
    "make_workloads",
    "place",
    "policy",
    "random_fit",
    "run_workload",
    "state_tensors",
    "train_placement",
    "weights_from_export",
]

#: A node's token fields: free resources (cores, GiB, GPUs) with their ranges ...
NODE_NUMERIC: dict[str, tuple[float, float]] = {
    "cpu_free": (0, 64), "mem_free": (0, 256), "gpus_free": (0, 8)
}
#: ... and its zone.
NODE_CATEGORICAL: dict[str, list[str]] = {"zone": ["a", "b", "c"]}
#: A task's token fields: what it needs (cores, GiB, GPUs) ...
TASK_NUMERIC: dict[str, tuple[float, float]] = {"cpu": (0, 32), "mem": (0, 128), "gpus": (0, 4)}
#: ... and its priority.
TASK_CATEGORICAL: dict[str, list[str]] = {"priority": ["low", "normal", "high"]}

#: Which free resource of a node each demand of a task draws on (the filter compares them).
_FITS: tuple[tuple[str, str], ...] = (("cpu_free", "cpu"), ("mem_free", "mem"),
                                      ("gpus_free", "gpus"))
_NODE_FIELDS = tuple(NODE_NUMERIC)
_TASK_FIELDS = tuple(TASK_NUMERIC)
_ZONES = tuple(NODE_CATEGORICAL["zone"])
_PRIORITIES = tuple(TASK_CATEGORICAL["priority"])

#: The machine types of :func:`make_nodes`: name, capacity, and the share of nodes of the type.
MACHINE_TYPES: tuple[dict[str, Any], ...] = (
    {"name": "small", "cpu": 16, "mem": 64, "gpus": 0, "share": 0.30},
    {"name": "medium", "cpu": 32, "mem": 128, "gpus": 0, "share": 0.30},
    {"name": "large", "cpu": 64, "mem": 256, "gpus": 0, "share": 0.15},
    {"name": "gpu4", "cpu": 32, "mem": 128, "gpus": 4, "share": 0.15},
    {"name": "gpu8", "cpu": 64, "mem": 256, "gpus": 8, "share": 0.10},
)

#: The distributions of :func:`make_tasks`: for each draw, its values and their probabilities.
TASK_DISTRIBUTIONS: dict[str, tuple[tuple[Any, ...], tuple[float, ...]]] = {
    "cpu": ((1, 2, 4, 8, 16, 32), (0.35, 0.25, 0.18, 0.12, 0.07, 0.03)),
    "mem_per_cpu": ((1, 2, 4, 8), (0.15, 0.35, 0.35, 0.15)),
    "needs_gpus": ((False, True), (0.9, 0.1)),
    "gpus": ((1, 2, 4), (0.5, 0.3, 0.2)),
    "priority": (_PRIORITIES, (0.3, 0.55, 0.15)),
}

#: The weights of :func:`best_fit`'s leftover, one per free resource (each normalized by its range).
BEST_FIT_WEIGHTS: dict[str, float] = {"cpu_free": 1.0, "mem_free": 1.0, "gpus_free": 1.0}


# ----------------------------------------------------------------------------- input checks


def _amount(value: object, where: str) -> float:
    """A resource amount: a finite real number ``>= 0`` (``where`` names it in errors)."""
    if isinstance(value, torch.Tensor | np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{where} must be finite, got {number!r}")
    if number < 0:
        raise ValueError(f"{where} must be >= 0 (a resource amount), got {number}")
    return number


_PLAIN = (int, float)


def _amounts(values: list, where: Callable[[int], str]) -> list[float]:
    """:func:`_amount` of three values; plain ints and floats take a fast path."""
    a, b, c = values
    if (type(a) in _PLAIN and type(b) in _PLAIN and type(c) in _PLAIN
            and 0 <= a < math.inf and 0 <= b < math.inf and 0 <= c < math.inf):
        return [float(a), float(b), float(c)]
    return [_amount(v, where(j)) for j, v in enumerate(values)]


def _category(value: object, ids: dict[str, int], where: Callable[[], str]) -> int:
    if type(value) is str and value in ids:
        return ids[value]
    if not isinstance(value, str):
        raise TypeError(f"{where()} must be a string, one of {list(ids)}, got {value!r}")
    raise ValueError(f"unknown {where()} {value!r}; allowed: {list(ids)}")


_ZONE_IDS = {z: i for i, z in enumerate(_ZONES)}
_PRIORITY_IDS = {p: i for i, p in enumerate(_PRIORITIES)}


def _node_rows(nodes: Any, name: str = "nodes") -> tuple[list[list[float]], list[int]]:
    """Validated free resources ``[[cpu, mem, gpus], ...]`` and zone ids of a list of nodes."""
    if isinstance(nodes, str | Mapping) or not isinstance(nodes, Sequence):
        raise TypeError(f"{name} must be a list of node dicts, got {type(nodes).__name__}")
    free: list[list[float]] = []
    zones: list[int] = []
    for i, node in enumerate(nodes):
        if type(node) is not dict and not isinstance(node, Mapping):
            raise TypeError(f"{name}[{i}] must be a dict, got {type(node).__name__}")
        try:
            values = [node[f] for f in _NODE_FIELDS]
            zone = node["zone"]
        except KeyError as exc:
            raise ValueError(f"{name}[{i}] is missing {exc.args[0]!r}; a node needs "
                             f"{[*_NODE_FIELDS, 'zone']}") from None
        free.append(_amounts(values, lambda j, i=i: f"{name}[{i}][{_NODE_FIELDS[j]!r}]"))
        zones.append(_category(zone, _ZONE_IDS, lambda i=i: f"zone {name}[{i}]['zone']"))
    return free, zones


def _task_row(task: Any, name: str = "task") -> tuple[list[float], int]:
    """Validated demand ``[cpu, mem, gpus]`` and priority id of one task."""
    if not isinstance(task, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(task).__name__}")
    try:
        values = [task[f] for f in _TASK_FIELDS]
        priority = task["priority"]
    except KeyError as exc:
        raise ValueError(f"{name} is missing {exc.args[0]!r}; a task needs "
                         f"{[*_TASK_FIELDS, 'priority']}") from None
    demand = _amounts(values, lambda j: f"{name}[{_TASK_FIELDS[j]!r}]")
    return demand, _category(priority, _PRIORITY_IDS, lambda: f"priority {name}['priority']")


def _check_list(records: Any, name: str) -> Sequence:
    if isinstance(records, str | Mapping) or not isinstance(records, Sequence):
        raise TypeError(f"{name} must be a list of dicts, got {type(records).__name__}")
    return records


def _task_rows(tasks: Any) -> list[tuple[list[float], int]]:
    return [_task_row(t, f"tasks[{j}]") for j, t in enumerate(_check_list(tasks, "tasks"))]


def _take(node: Mapping, task: Mapping) -> dict:
    """A new node dict: ``node`` with the task's cores, memory and GPUs taken from what is free."""
    return {**node, **{node_field: node[node_field] - task[task_field]
                       for node_field, task_field in _FITS}}


def _fits(free: list[list[float]], demand: list[float]) -> list[bool]:
    c, m, g = demand
    return [row[0] >= c and row[1] >= m and row[2] >= g for row in free]


def _generator(seed: object) -> torch.Generator:
    return torch.Generator().manual_seed(_check_int(seed, "seed", 0))


def _draw(values: Sequence[Any], probs: Sequence[float], n: int, g: torch.Generator) -> list:
    """``n`` independent draws from ``values`` with probabilities ``probs``."""
    if n == 0:
        return []
    ids = torch.multinomial(torch.tensor(probs, dtype=torch.float64), n, replacement=True,
                            generator=g)
    return [values[i] for i in ids.tolist()]


# ----------------------------------------------------------------------------- simulation


def make_nodes(n: int, *, seed: int) -> list[dict]:
    """Simulate ``n`` empty nodes of the :data:`MACHINE_TYPES`, in random zones.

    Each node's type is drawn independently with the types' shares, then each node's zone
    uniformly from ``"a"``, ``"b"``, ``"c"`` (a CPU ``torch.Generator`` seeded with ``seed``;
    the same seed gives the same nodes on every machine).

    Parameters
    ----------
    n : int
        The number of nodes, ``>= 0``.
    seed : int
        The seed, ``>= 0``.

    Returns
    -------
    list of dict
        One dict per node with ``"cpu_free"``, ``"mem_free"``, ``"gpus_free"`` (ints; all free:
        the node is empty), ``"zone"``, and its capacity ``"cpu_cap"``, ``"mem_cap"``,
        ``"gpus_cap"``.

    Raises
    ------
    ValueError
        If ``n`` or ``seed`` is negative.
    TypeError
        If ``n`` or ``seed`` is not an integer.

    Examples
    --------
    >>> make_nodes(2, seed=0)[1]
    {'cpu_free': 64, 'mem_free': 256, 'gpus_free': 0, 'zone': 'a', 'cpu_cap': 64, 'mem_cap': 256, 'gpus_cap': 0}
    """  # noqa: E501
    n = _check_int(n, "n", 0)
    g = _generator(seed)
    kinds = _draw(MACHINE_TYPES, [m["share"] for m in MACHINE_TYPES], n, g)
    zones = torch.randint(len(_ZONES), (n,), generator=g).tolist()
    return [
        {"cpu_free": m["cpu"], "mem_free": m["mem"], "gpus_free": m["gpus"], "zone": _ZONES[z],
         "cpu_cap": m["cpu"], "mem_cap": m["mem"], "gpus_cap": m["gpus"]}
        for m, z in zip(kinds, zones, strict=True)
    ]


def make_tasks(n: int, *, seed: int) -> list[dict]:
    """Simulate ``n`` tasks with the :data:`TASK_DISTRIBUTIONS` (module documentation).

    Draws, in this order, ``n`` core counts, ``n`` GiB-per-core ratios, ``n`` needs-GPUs flags,
    ``n`` GPU counts and ``n`` priorities from a CPU ``torch.Generator`` seeded with ``seed``.
    Memory is ``min(cores * ratio, 128)``; a task without the flag needs 0 GPUs. Every value lies
    in its :data:`TASK_NUMERIC` range.

    Parameters
    ----------
    n : int
        The number of tasks, ``>= 0``.
    seed : int
        The seed, ``>= 0``.

    Returns
    -------
    list of dict
        One dict per task: ``"cpu"``, ``"mem"``, ``"gpus"`` (ints) and ``"priority"``.

    Raises
    ------
    ValueError
        If ``n`` or ``seed`` is negative.
    TypeError
        If ``n`` or ``seed`` is not an integer.

    Examples
    --------
    >>> make_tasks(2, seed=0)
    [{'cpu': 32, 'mem': 64, 'gpus': 0, 'priority': 'normal'}, {'cpu': 4, 'mem': 32, 'gpus': 0, 'priority': 'low'}]
    """  # noqa: E501
    n = _check_int(n, "n", 0)
    g = _generator(seed)
    d = TASK_DISTRIBUTIONS
    cpu = _draw(*d["cpu"], n, g)
    ratio = _draw(*d["mem_per_cpu"], n, g)
    needs = _draw(*d["needs_gpus"], n, g)
    gpus = _draw(*d["gpus"], n, g)
    priority = _draw(*d["priority"], n, g)
    mem_high = int(TASK_NUMERIC["mem"][1])
    return [
        {"cpu": c, "mem": min(c * r, mem_high), "gpus": k if need else 0, "priority": p}
        for c, r, need, k, p in zip(cpu, ratio, needs, gpus, priority, strict=True)
    ]


def make_workloads(
    n_workloads: int, nodes_per_workload: int, tasks_per_workload: int, *, seed: int
) -> list[tuple[list[dict], list[dict]]]:
    """Simulate ``n_workloads`` independent (nodes, tasks) pairs from one seed.

    A generator seeded with ``seed`` draws two seeds per workload, one for :func:`make_nodes`
    and one for :func:`make_tasks`; use different ``seed`` values for training and held-out
    workloads.

    Parameters
    ----------
    n_workloads, nodes_per_workload, tasks_per_workload : int
        How many workloads, and the size of each, ``>= 0``.
    seed : int
        The seed, ``>= 0``.

    Returns
    -------
    list of (list of dict, list of dict)
        ``[(nodes, tasks), ...]``.

    Examples
    --------
    >>> [(len(n), len(t)) for n, t in make_workloads(2, 5, 30, seed=0)]
    [(5, 30), (5, 30)]
    """
    n_workloads = _check_int(n_workloads, "n_workloads", 0)
    n_nodes = _check_int(nodes_per_workload, "nodes_per_workload", 0)
    n_tasks = _check_int(tasks_per_workload, "tasks_per_workload", 0)
    seeds = torch.randint(2**62, (n_workloads, 2), generator=_generator(seed)).tolist()
    return [(make_nodes(n_nodes, seed=a), make_tasks(n_tasks, seed=b)) for a, b in seeds]


# ----------------------------------------------------------------------------- filter and policies


def feasible(nodes: Sequence[Mapping], task: Mapping) -> torch.Tensor:
    """The filter phase: which nodes have enough free cores, memory and GPUs for the task.

    Node ``i`` is feasible when ``cpu_free >= cpu``, ``mem_free >= mem`` and
    ``gpus_free >= gpus``. The zone and the priority play no part.

    Parameters
    ----------
    nodes : list of dict
        Nodes with ``"cpu_free"``, ``"mem_free"``, ``"gpus_free"`` (numbers ``>= 0``) and
        ``"zone"`` (one of ``"a"``, ``"b"``, ``"c"``); other keys are ignored.
    task : dict
        ``"cpu"``, ``"mem"``, ``"gpus"`` (numbers ``>= 0``) and ``"priority"``.

    Returns
    -------
    torch.Tensor
        Boolean, shape ``(len(nodes),)``, on the CPU.

    Raises
    ------
    ValueError
        On a missing field, a negative or non-finite amount, an unknown zone or priority.
    TypeError
        If ``nodes`` is not a list of dicts, ``task`` not a dict, or an amount not a number.

    Examples
    --------
    >>> nodes = [{"cpu_free": 2, "mem_free": 8, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 8, "mem_free": 8, "gpus_free": 1, "zone": "b"}]
    >>> feasible(nodes, {"cpu": 4, "mem": 8, "gpus": 0, "priority": "low"})
    tensor([False,  True])
    """
    free, _ = _node_rows(nodes)
    demand, _ = _task_row(task)
    return torch.tensor(_fits(free, demand), dtype=torch.bool)


def first_fit(nodes: Sequence[Mapping], task: Mapping) -> int | None:
    """The first feasible node (lowest index), or ``None`` if the task fits nowhere.

    The oldest bin-packing heuristic: fast, and blind to what it leaves behind.

    Parameters
    ----------
    nodes : list of dict
        As for :func:`feasible`; not modified.
    task : dict
        As for :func:`feasible`; not modified.

    Returns
    -------
    int or None

    Examples
    --------
    >>> nodes = [{"cpu_free": 2, "mem_free": 8, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 64, "mem_free": 256, "gpus_free": 8, "zone": "b"},
    ...          {"cpu_free": 4, "mem_free": 16, "gpus_free": 0, "zone": "c"}]
    >>> first_fit(nodes, {"cpu": 4, "mem": 8, "gpus": 0, "priority": "low"})
    1
    """
    free, _ = _node_rows(nodes)
    demand, _ = _task_row(task)
    return next((i for i, ok in enumerate(_fits(free, demand)) if ok), None)


_SPANS = tuple(high - low for low, high in NODE_NUMERIC.values())


def _leftover(row: list[float], demand: list[float], spans: Sequence[float] = _SPANS) -> float:
    """Best fit's weighted leftover of a node with free ``row`` after placing ``demand``.

    Each resource is normalized by its span in ``spans`` (by default the ranges of
    :data:`NODE_NUMERIC`; the cluster widget passes its export's), summed left to right from 0.
    """
    total = 0.0
    for field, f, d, span in zip(_NODE_FIELDS, row, demand, spans, strict=True):
        total += BEST_FIT_WEIGHTS[field] * (f - d) / span
    return total


def best_fit(nodes: Sequence[Mapping], task: Mapping) -> int | None:
    """The feasible node with the least leftover after placement (ties: lowest index).

    The *leftover* of node ``i`` is a weighted sum of what would stay free there, each resource
    normalized by its range in :data:`NODE_NUMERIC`::

        leftover_i = w_cpu * (cpu_free_i - cpu) / 64
                   + w_mem * (mem_free_i - mem) / 256
                   + w_gpus * (gpus_free_i - gpus) / 8

    with the weights of :data:`BEST_FIT_WEIGHTS` (all 1). Packing a task where it leaves the
    least keeps large free blocks whole for large tasks to come; the GPU term keeps CPU-only
    tasks off GPU nodes while other nodes fit them. The leftover depends on the node's free
    resources only (not its capacity), so it is a function of the node's token fields, which a
    model can learn.

    Parameters
    ----------
    nodes : list of dict
        As for :func:`feasible`; not modified.
    task : dict
        As for :func:`feasible`; not modified.

    Returns
    -------
    int or None
        ``None`` if the task fits nowhere.

    Examples
    --------
    >>> nodes = [{"cpu_free": 64, "mem_free": 256, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 8, "mem_free": 32, "gpus_free": 0, "zone": "b"},
    ...          {"cpu_free": 2, "mem_free": 8, "gpus_free": 0, "zone": "c"}]
    >>> best_fit(nodes, {"cpu": 4, "mem": 8, "gpus": 0, "priority": "low"})
    1
    """
    free, _ = _node_rows(nodes)
    demand, _ = _task_row(task)
    best = [(_leftover(row, demand), i) for i, (row, ok) in enumerate(
        zip(free, _fits(free, demand), strict=True)) if ok]
    return min(best)[1] if best else None  # the least leftover, then the lowest index


def random_fit(nodes: Sequence[Mapping], task: Mapping, *,
               generator: torch.Generator) -> int | None:
    """A feasible node drawn uniformly at random (a baseline), or ``None``.

    Use ``functools.partial(random_fit, generator=g)`` as the policy of :func:`run_workload`.

    Parameters
    ----------
    nodes, task
        As for :func:`feasible`; not modified.
    generator : torch.Generator
        A CPU generator: the only source of randomness.

    Returns
    -------
    int or None

    Examples
    --------
    >>> nodes = make_nodes(5, seed=0)
    >>> task = {"cpu": 1, "mem": 1, "gpus": 0, "priority": "low"}
    >>> g = torch.Generator().manual_seed(0)
    >>> random_fit(nodes, task, generator=g) in range(5)
    True
    """
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    fits = feasible(nodes, task).nonzero()[:, 0]
    if fits.numel() == 0:
        return None
    return int(fits[torch.randint(fits.numel(), (1,), generator=generator)])


def place(nodes: Sequence[Mapping], task: Mapping, index: int) -> list[dict]:
    """A new node list with the task's cores, memory and GPUs taken from node ``index``.

    Every node dict is copied; ``nodes`` and its dicts are not modified.

    Parameters
    ----------
    nodes, task
        As for :func:`feasible`.
    index : int
        The node to place the task on; it must be feasible.

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        If ``index`` is out of range or the node cannot fit the task.

    Examples
    --------
    >>> nodes = [{"cpu_free": 8, "mem_free": 32, "gpus_free": 0, "zone": "a"}]
    >>> place(nodes, {"cpu": 2, "mem": 4, "gpus": 0, "priority": "high"}, 0)
    [{'cpu_free': 6, 'mem_free': 28, 'gpus_free': 0, 'zone': 'a'}]
    >>> nodes[0]["cpu_free"]
    8
    """
    free, _ = _node_rows(nodes)
    demand, _ = _task_row(task)
    index = _check_int(index, "index", 0)
    if index >= len(free):
        raise ValueError(f"index {index} is out of range for {len(free)} nodes")
    if not _fits(free, demand)[index]:
        has = dict(zip(_NODE_FIELDS, free[index], strict=True))
        needs = dict(zip(_TASK_FIELDS, demand, strict=True))
        raise ValueError(f"node {index} cannot fit the task: it has free {has}, the task needs "
                         f"{needs}")
    out = [dict(node) for node in nodes]
    out[index] = _take(nodes[index], task)
    return out


# ----------------------------------------------------------------------------- workloads


def fragmentation(nodes: Sequence[Mapping], tasks: Sequence[Mapping]) -> float:
    """The share of the free cores that the workload's demand cannot use.

    For a task ``t``, the free cores on nodes where ``t`` does not fit (too few cores, or too
    little memory, or too few GPUs left there) are *stranded*: ``stranded(t)`` is their share of
    all free cores. Fragmentation averages it over the workload's tasks, each weighted by the
    cores it asks for::

        stranded(t)   = sum(cpu_free_i for nodes i that cannot fit t) / sum(cpu_free_i)
        fragmentation = sum over t of cpu_t * stranded(t)  /  sum over t of cpu_t

    It lies in ``[0, 1]``: pick one core of the workload's demand at random; fragmentation is the
    share of the free cores that could not serve it. It is 0 when no core is free (nothing left
    to waste) or the tasks ask for no cores.

    *Why this definition.* Fragmentation is not a property of the free space alone: 4 free
    cores on a node are a waste for 8-core tasks and no waste at all for 1-core tasks. So the
    free space is measured against the demands of the workload itself, as Weng et al. do for
    GPUs in "Beware of Fragmentation" (USENIX ATC 2023, on Alibaba's GPU traces). Weighting by
    cores counts demand in the same unit as the free space: averaged per task instead, the many
    1-core tasks, which fit almost anywhere, would dominate (on this simulation that unweighted
    average hardly separates the policies). The simpler "1 - largest free block / total free"
    ignores what tasks need, and cannot tell 8 nodes with 8 free cores (fine for 8-core tasks)
    from 64 nodes with 1 free core; the share of free cores where the *median* task no longer
    fits ignores the large tasks, the ones that fragmentation hurts. Best fit, which packs tasks
    tightly, leaves fewer cores stranded than first fit, which scatters small tasks over nodes
    that large tasks would have needed, and random placement strands the most.

    Even an empty cluster is fragmented for tasks larger than its smallest nodes, or needing GPUs;
    and on a nearly full cluster the few free cores make the ratio noisy. Compare policies on the
    same workloads, at a load where the cluster is not yet full.

    Parameters
    ----------
    nodes : list of dict
        As for :func:`feasible` (typically the ``"final_nodes"`` of :func:`run_workload`).
    tasks : list of dict
        The workload's tasks, at least one.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``tasks`` is empty, or a node or task is invalid (see :func:`feasible`).

    Examples
    --------
    Four and one free cores. The 2-core task cannot use the single core (1 of 5 free cores
    stranded), the 1-core task can use both: ``(2 * 1/5 + 1 * 0) / (2 + 1)``.

    >>> nodes = [{"cpu_free": 4, "mem_free": 64, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 1, "mem_free": 64, "gpus_free": 0, "zone": "b"}]
    >>> tasks = [{"cpu": 2, "mem": 1, "gpus": 0, "priority": "low"},
    ...          {"cpu": 1, "mem": 1, "gpus": 0, "priority": "low"}]
    >>> round(fragmentation(nodes, tasks), 4)
    0.1333
    """
    free, _ = _node_rows(nodes)
    demands = [demand for demand, _ in _task_rows(tasks)]
    if not demands:
        raise ValueError("tasks must hold at least one task: fragmentation is measured against "
                         "the workload's demands")
    f = torch.tensor(free, dtype=torch.float64).reshape(-1, len(_NODE_FIELDS))
    d = torch.tensor(demands, dtype=torch.float64)
    total_free, total_demand = f[:, 0].sum(), d[:, 0].sum()
    if total_free <= 0 or total_demand <= 0:
        return 0.0
    fits = (f[None, :, :] >= d[:, None, :]).all(-1)  # (tasks, nodes)
    stranded = (f[None, :, 0] * ~fits).sum(-1) / total_free  # (tasks,)
    return float((d[:, 0] * stranded).sum() / total_demand)


def run_workload(
    policy: Callable[[list[dict], dict], int | None],
    nodes: Sequence[Mapping],
    tasks: Sequence[Mapping],
) -> dict[str, Any]:
    """Place the tasks one by one, in order, with ``policy``; tasks never leave.

    For each task, ``policy(current_nodes, task)`` returns the index of a feasible node, or
    ``None``; the task is then placed there (:func:`place`) or rejected. A rejected task is
    gone (no queue, no retry), and a placed one holds its resources to the end (no departures),
    so the cluster only fills.

    Parameters
    ----------
    policy : callable
        ``policy(nodes, task) -> int | None``: :func:`first_fit`, :func:`best_fit`,
        ``functools.partial(random_fit, generator=g)``, ``policy(model)`` (:func:`policy`), ...
        It may return ``None`` even when a node fits (a rejection).
    nodes : list of dict
        The starting nodes (:func:`make_nodes`); not modified.
    tasks : list of dict
        The tasks in arrival order (:func:`make_tasks`), at least one.

    Returns
    -------
    dict
        ``"placed"`` and ``"rejected"`` (ints, summing to ``len(tasks)``), ``"success_rate"``
        (``placed / len(tasks)``), ``"cpu_placed"`` (the share of the requested cores that were
        placed: a policy that turns large tasks away can place more tasks but fewer cores; 1.0
        when no task asks for cores), ``"fragmentation"`` (:func:`fragmentation` of the final nodes
        against the workload's tasks), ``"choices"`` (the node index of each task, or None),
        ``"final_nodes"`` (new dicts).

    Raises
    ------
    ValueError
        If ``tasks`` is empty, a node or task is invalid, or the policy returns an index that
        is out of range or cannot fit the task.
    TypeError
        If ``policy`` is not callable or returns something other than an int or None.

    Examples
    --------
    >>> nodes, tasks = make_nodes(4, seed=0), make_tasks(60, seed=1)
    >>> result = run_workload(best_fit, nodes, tasks)
    >>> result["placed"] + result["rejected"] == 60
    True
    """
    choices, state = _rollout(policy, nodes, tasks)
    placed = sum(c is not None for c in choices)
    cores = [float(t["cpu"]) for t in tasks]
    requested = sum(cores)
    return {
        "placed": placed,
        "rejected": len(tasks) - placed,
        "success_rate": placed / len(tasks),
        "cpu_placed": sum(c for c, i in zip(cores, choices, strict=True) if i is not None)
        / requested if requested > 0 else 1.0,
        "fragmentation": fragmentation(state, tasks),
        "choices": choices,
        "final_nodes": state,
    }


def _rollout(
    policy: Callable[[list[dict], dict], int | None],
    nodes: Sequence[Mapping],
    tasks: Sequence[Mapping],
    record: Callable[[list[list[float]], list[int], list[float], int, int], None] | None = None,
) -> tuple[list[int | None], list[dict]]:
    """Run ``policy`` over the tasks; ``record(free, zones, demand, priority, choice)`` each."""
    if not callable(policy):
        raise TypeError(f"policy must be callable (nodes, task) -> int | None, got {policy!r}")
    free, zones = _node_rows(nodes)  # validated once: placing keeps every amount >= 0
    rows = _task_rows(tasks)
    if not rows:
        raise ValueError("tasks must hold at least one task")
    name = getattr(policy, "__name__", repr(policy))
    state = [dict(node) for node in nodes]
    choices: list[int | None] = []
    for j, (task, (demand, priority)) in enumerate(zip(tasks, rows, strict=True)):
        choice = policy(state, task)
        if choice is not None:
            if isinstance(choice, bool) or not isinstance(choice, numbers.Integral | torch.Tensor):
                raise TypeError(f"policy {name} must return an int or None, got {choice!r}")
            choice = int(choice)
            if not 0 <= choice < len(state) or not _fits([free[choice]], demand)[0]:
                raise ValueError(f"policy {name} chose node {choice} for tasks[{j}], which it "
                                 f"cannot fit (there are {len(state)} nodes)")
        if record is not None:
            record(free, zones, demand, priority, -1 if choice is None else choice)
        if choice is not None:
            state[choice] = _take(state[choice], task)  # what the policy saw stays unchanged
            free = [*free[:choice], [f - d for f, d in zip(free[choice], demand, strict=True)],
                    *free[choice + 1:]]
        choices.append(choice)
    return choices, state


# ----------------------------------------------------------------------------- the model


def state_tensors(
    nodes: Sequence[Mapping],
    task: Mapping,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One scheduling decision as the tensors of :meth:`PlacementAttention.forward` (batch 1).

    Parameters
    ----------
    nodes, task
        As for :func:`feasible`.
    dtype : torch.dtype, default torch.float32
        Of the numeric tensors.
    device : torch.device or str, optional
        Where to put the tensors (the CPU by default).

    Returns
    -------
    task_numeric : ``(1, 3)``, task_categorical : ``(1, 1)`` int64,
    node_numeric : ``(1, N, 3)``, node_categorical : ``(1, N, 1)`` int64,
    feasible : ``(1, N)`` bool

    Examples
    --------
    >>> [tuple(t.shape) for t in state_tensors(make_nodes(3, seed=0), make_tasks(1, seed=0)[0])]
    [(1, 3), (1, 1), (1, 3, 3), (1, 3, 1), (1, 3)]
    """
    free, zones = _node_rows(nodes)
    demand, priority = _task_row(task)
    n = len(free)
    kw = {"device": device}
    return (
        torch.tensor([demand], dtype=dtype, **kw),
        torch.tensor([[priority]], dtype=torch.int64, **kw),
        torch.tensor(free, dtype=dtype, **kw).reshape(1, n, len(_NODE_FIELDS)),
        torch.tensor(zones, dtype=torch.int64, **kw).reshape(1, n, 1),
        torch.tensor([_fits(free, demand)], dtype=torch.bool, **kw).reshape(1, n),
    )


def _uniform_(p: torch.Tensor, bound: float, generator: torch.Generator | None) -> None:
    init = torch.empty(p.shape, dtype=torch.float32)
    p.copy_(init.uniform_(-bound, bound, generator=generator))


class PlacementAttention(nn.Module):
    """Cross-attention from a task token to node tokens: a weight per node, where to place it.

    ::

        t   = task_tokens(task)            k_i = k_proj(node_tokens(node_i))
        q   = q_proj(t)
        weights = softmax over the feasible nodes of  q . k_i / sqrt(dim)

    computed by :func:`tokenlab.attention.scaled_dot_product_attention` with the feasibility
    mask (the filter phase) as its boolean mask: an infeasible node gets weight 0, and a task
    that fits nowhere gets all-zero weights (never NaN). The weights are the score phase,
    learned (:func:`train_placement`); the mask is not.

    Parameters
    ----------
    dim : int, default 16
        The size of the tokens, queries and keys.
    seed : int, optional
        Seed for a reproducible initialization: one CPU generator initializes, in order, the
        node tokenizer, the task tokenizer, ``q_proj`` and ``k_proj`` (torch's default
        schemes), so a seed gives the same weights on every device.
    generator : torch.Generator, optional
        A CPU generator instead of ``seed`` (without either, torch's global one).
    dtype : torch.dtype, optional
        Floating dtype of the parameters.
    device : torch.device or str, optional
        Device of the parameters; inputs must be on it.

    Attributes
    ----------
    node_tokens : FeatureTokenizer
        ``FeatureTokenizer(NODE_NUMERIC, NODE_CATEGORICAL, dim, mode="linear")``.
    task_tokens : FeatureTokenizer
        ``FeatureTokenizer(TASK_NUMERIC, TASK_CATEGORICAL, dim, mode="linear")``.
    q_proj, k_proj : torch.nn.Linear
        ``(dim, dim)`` projections of the task token and the node tokens.

    Examples
    --------
    >>> model = PlacementAttention(dim=16, seed=0)
    >>> nodes = make_nodes(3, seed=0)
    >>> task = {"cpu": 24, "mem": 64, "gpus": 1, "priority": "high"}
    >>> tensors = state_tensors(nodes, task)
    >>> tensors[-1]
    tensor([[ True, False, False]])
    >>> model(*tensors).detach()
    tensor([[1., 0., 0.]])
    """

    def __init__(
        self,
        dim: int = 16,
        *,
        seed: int | None = None,
        generator: torch.Generator | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        self.dim = _check_int(dim, "dim", 1)
        if seed is not None and generator is not None:
            raise ValueError("pass seed or generator, not both")
        if seed is not None:
            generator = _generator(seed)
        elif generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        kw = {"dtype": dtype, "device": device}
        self.node_tokens = FeatureTokenizer(NODE_NUMERIC, NODE_CATEGORICAL, self.dim,
                                            mode="linear", generator=generator, **kw)
        self.task_tokens = FeatureTokenizer(TASK_NUMERIC, TASK_CATEGORICAL, self.dim,
                                            mode="linear", generator=generator, **kw)
        self.q_proj = nn.Linear(self.dim, self.dim, **kw)
        self.k_proj = nn.Linear(self.dim, self.dim, **kw)
        with torch.no_grad():  # torch's default U(-1/sqrt(dim), 1/sqrt(dim)), from the generator
            for layer in (self.q_proj, self.k_proj):
                for p in (layer.weight, layer.bias):
                    _uniform_(p, 1.0 / math.sqrt(self.dim), generator)

    def _project(
        self, task_numeric: torch.Tensor, task_categorical: torch.Tensor,
        node_numeric: torch.Tensor, node_categorical: torch.Tensor, feasible: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Check the shapes; return the queries ``(B, dim)``, keys ``(B, N, dim)``, mask."""
        args = {"task_numeric": task_numeric, "task_categorical": task_categorical,
                "node_numeric": node_numeric, "node_categorical": node_categorical,
                "feasible": feasible}
        for name, t in args.items():
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if task_numeric.dim() != 2 or task_numeric.shape[1] != len(_TASK_FIELDS):
            raise ValueError(f"task_numeric must have shape (B, {len(_TASK_FIELDS)}), columns "
                             f"{_TASK_FIELDS}, got {tuple(task_numeric.shape)}")
        b = task_numeric.shape[0]
        if node_numeric.dim() != 3 or node_numeric.shape[0] != b or \
                node_numeric.shape[2] != len(_NODE_FIELDS):
            raise ValueError(f"node_numeric must have shape (B, N, {len(_NODE_FIELDS)}) with "
                             f"B = {b} (task_numeric's), columns {_NODE_FIELDS}, got "
                             f"{tuple(node_numeric.shape)}")
        n = node_numeric.shape[1]
        expected = {"task_categorical": (b, 1), "node_categorical": (b, n, 1), "feasible": (b, n)}
        for name, shape in expected.items():
            if tuple(args[name].shape) != shape:
                raise ValueError(f"{name} must have shape {shape} (B = {b}, N = {n}), got "
                                 f"{tuple(args[name].shape)}")
        if feasible.dtype != torch.bool:
            raise TypeError(f"feasible must be a boolean mask (True = fits), got {feasible.dtype}")
        t = self.task_tokens(task_numeric, task_categorical)
        nodes = self.node_tokens(node_numeric.reshape(b * n, -1),
                                 node_categorical.reshape(b * n, -1)).reshape(b, n, self.dim)
        return self.q_proj(t), self.k_proj(nodes), feasible

    def forward(
        self, task_numeric: torch.Tensor, task_categorical: torch.Tensor,
        node_numeric: torch.Tensor, node_categorical: torch.Tensor, feasible: torch.Tensor,
    ) -> torch.Tensor:
        """The attention weights of each task over its nodes.

        Parameters
        ----------
        task_numeric : torch.Tensor
            ``(B, 3)`` demands: cores, GiB, GPUs (within :data:`TASK_NUMERIC`).
        task_categorical : torch.Tensor
            ``(B, 1)`` int64 priority ids (positions in ``TASK_CATEGORICAL["priority"]``).
        node_numeric : torch.Tensor
            ``(B, N, 3)`` free cores, GiB, GPUs (within :data:`NODE_NUMERIC`).
        node_categorical : torch.Tensor
            ``(B, N, 1)`` int64 zone ids.
        feasible : torch.Tensor
            ``(B, N)`` bool, True where the node fits the task (:func:`feasible`).

        Returns
        -------
        torch.Tensor
            ``(B, N)``: each row sums to 1 over its feasible nodes and is 0 elsewhere; a row
            with no feasible node is all 0.

        Raises
        ------
        ValueError
            On a wrong shape, a reading outside its range or an unknown category id.
        TypeError
            If an input is not a tensor, or ``feasible`` is not boolean.
        """
        q, k, mask = self._project(task_numeric, task_categorical, node_numeric,
                                   node_categorical, feasible)
        _, weights = scaled_dot_product_attention(q[:, None, :], k, k, mask=mask[:, None, :])
        return weights[:, 0, :]

    def scores(
        self, task_numeric: torch.Tensor, task_categorical: torch.Tensor,
        node_numeric: torch.Tensor, node_categorical: torch.Tensor, feasible: torch.Tensor,
    ) -> torch.Tensor:
        """The masked logits ``q . k_i / sqrt(dim)``, ``-inf`` at infeasible nodes, ``(B, N)``.

        ``softmax(scores, -1)`` equals :meth:`forward` on rows with a feasible node; a row with
        none is all ``-inf`` (its softmax would be NaN: drop such rows before a cross-entropy,
        as :func:`train_placement` does). Same arguments as :meth:`forward`.
        """
        q, k, mask = self._project(task_numeric, task_categorical, node_numeric,
                                   node_categorical, feasible)
        logits = (k @ q[:, :, None])[:, :, 0] / math.sqrt(self.dim)
        return logits.masked_fill(~mask, float("-inf"))

    def export(self) -> dict[str, Any]:
        """Every parameter :func:`weights_from_export` needs, as plain (JSON-safe) lists.

        Returns
        -------
        dict
            ``{"dim", "fits", "node", "task", "q_proj", "k_proj"}``: ``"fits"`` pairs each free
            resource of a node with the demand of a task it must cover; ``"node"`` and
            ``"task"`` each hold ``"numeric"`` (``[[name, low, high], ...]`` in column order),
            ``"categorical"`` (``[[name, [category, ...]], ...]``), ``"weight"`` (``dim`` rows of
            one number per numeric field), ``"bias"`` (``dim``) and ``"embeddings"`` (one table
            of ``n_categories`` rows of ``dim`` per categorical field); ``"q_proj"`` and
            ``"k_proj"`` hold ``"weight"`` (``dim x dim``, row ``i`` gives output ``i``) and
            ``"bias"``.

        Examples
        --------
        >>> import json
        >>> e = PlacementAttention(dim=4, seed=0).export()
        >>> e["node"]["numeric"][0], len(json.dumps(e)) > 0
        (['cpu_free', 0.0, 64.0], True)
        """
        return {
            "dim": self.dim,
            "fits": [list(pair) for pair in _FITS],
            "node": _export_tokenizer(self.node_tokens),
            "task": _export_tokenizer(self.task_tokens),
            "q_proj": {"weight": _rows(self.q_proj.weight), "bias": _rows(self.q_proj.bias)},
            "k_proj": {"weight": _rows(self.k_proj.weight), "bias": _rows(self.k_proj.bias)},
        }


def _rows(t: torch.Tensor) -> list:
    return t.detach().to("cpu", torch.float64).tolist()


def _export_tokenizer(tok: FeatureTokenizer) -> dict[str, Any]:
    """A linear-mode FeatureTokenizer as plain lists, the ``"node"`` or ``"task"`` of an export
    (the cluster widget's stand-in model exports its own tokenizers with it)."""
    assert tok.numeric_proj is not None
    return {
        "numeric": [[name, lo, hi] for name, lo, hi in zip(
            tok.numeric_fields, _rows(tok.low), _rows(tok.high), strict=True)],
        "categorical": [[name, list(tok.categories[name])] for name in tok.categorical_fields],
        "weight": _rows(tok.numeric_proj.weight),
        "bias": _rows(tok.numeric_proj.bias),
        "embeddings": [_rows(e.weight) for e in tok.categorical_embeddings],
    }


def weights_from_export(export: Mapping, nodes: Sequence[Mapping], task: Mapping) -> list[float]:
    """Recompute :class:`PlacementAttention`'s weights from its :meth:`~PlacementAttention.export`.

    Plain Python floats (float64), no torch: the browser widget runs this function, ported line
    by line to JavaScript. It equals the module's forward to about ``1e-7`` (float32 rounding).

    Parameters
    ----------
    export : dict
        From :meth:`PlacementAttention.export` (or its JSON).
    nodes : list of dict
        Nodes with the fields of the export (extra keys ignored). Inputs are not validated
        here; a reading outside its range is clipped into it.
    task : dict
        A task with the fields of the export.

    Returns
    -------
    list of float
        One weight per node; 0 where the node cannot fit the task, all 0 if none can.

    Examples
    --------
    >>> model = PlacementAttention(dim=8, seed=0)
    >>> nodes, task = make_nodes(3, seed=0), make_tasks(1, seed=0)[0]
    >>> w = weights_from_export(model.export(), nodes, task)
    >>> torch_w = model(*state_tensors(nodes, task))[0].detach().double()
    >>> torch.allclose(torch.tensor(w, dtype=torch.float64), torch_w, atol=1e-6)
    True
    """
    return _masked_softmax(_export_scores(export, nodes, task, feasible_only=True))


def _export_scores(export: Mapping, nodes: Sequence[Mapping], task: Mapping, *,
                   feasible_only: bool) -> list[float | None]:
    """Steps 1 to 5 of :func:`weights_from_export`: each node's score ``q . k / sqrt(dim)``.

    With ``feasible_only``, a node that cannot fit the task is not scored (None); without it,
    every node is (the cluster widget shows them all).
    """

    def linear(weight: list, bias: list, x: list) -> list:
        # output i = bias[i] + sum over j of weight[i][j] * x[j]
        return [b + sum(w * v for w, v in zip(row, x, strict=True))
                for row, b in zip(weight, bias, strict=True)]

    def token(part: Mapping, record: Mapping) -> list:
        # 1. Scale each numeric reading to [0, 1] by its range (clipped into it).
        scaled = [min(max((record[name] - low) / (high - low), 0.0), 1.0)
                  for name, low, high in part["numeric"]]
        # 2. One linear map of the scaled readings ...
        vec = linear(part["weight"], part["bias"], scaled)
        # 3. ... plus, for each categorical field, the row of its table for the record's value.
        for (name, categories), table in zip(part["categorical"], part["embeddings"],
                                         strict=True):
            row = table[categories.index(record[name])]
            vec = [v + r for v, r in zip(vec, row, strict=True)]
        return vec

    # 4. The query: q_proj of the task's token.
    q = linear(export["q_proj"]["weight"], export["q_proj"]["bias"], token(export["task"], task))
    # 5. Each (feasible) node's key, k_proj of its token, and its score q . k / sqrt(dim).
    scores: list[float | None] = []
    for node in nodes:
        if not feasible_only or all(node[free] >= task[need] for free, need in export["fits"]):
            k = linear(export["k_proj"]["weight"], export["k_proj"]["bias"],
                       token(export["node"], node))
            scores.append(sum(a * b for a, b in zip(q, k, strict=True)) / math.sqrt(export["dim"]))
        else:
            scores.append(None)  # filtered out: weight 0
    return scores


def _masked_softmax(scores: Sequence[float | None]) -> list[float]:
    """Step 6 of :func:`weights_from_export`: softmax over the scores that are not None.

    The largest is subtracted first; a None gets weight 0, and all are 0 when every score is.
    """
    feasible_scores = [s for s in scores if s is not None]
    if not feasible_scores:
        return [0.0] * len(scores)
    top = max(feasible_scores)
    e = [0.0 if s is None else math.exp(s - top) for s in scores]
    total = sum(e)
    return [x / total for x in e]


def policy(model: PlacementAttention) -> Callable[[list[dict], dict], int | None]:
    """A :func:`run_workload` policy: the feasible node with the largest attention weight.

    The model runs without gradients and is not modified (its mode is not changed). Ties go to
    the lowest index, as in :func:`best_fit`.

    Parameters
    ----------
    model : PlacementAttention

    Returns
    -------
    callable
        ``choose(nodes, task) -> int | None``; ``None`` when no node fits.

    Examples
    --------
    >>> choose = policy(PlacementAttention(seed=0))
    >>> nodes = make_nodes(3, seed=0)
    >>> choose(nodes, {"cpu": 30, "mem": 10, "gpus": 1, "priority": "low"})
    0
    >>> choose(nodes[1:], {"cpu": 30, "mem": 10, "gpus": 1, "priority": "low"}) is None
    True
    """
    if not isinstance(model, PlacementAttention):
        raise TypeError(f"model must be a PlacementAttention, got {type(model).__name__}")

    def attention_policy(nodes: list[dict], task: dict) -> int | None:
        low = model.node_tokens.low
        tensors = state_tensors(nodes, task, dtype=low.dtype, device=low.device)
        if not bool(tensors[-1].any()):
            return None
        with torch.no_grad():
            # argmax of the masked logits: the argmax of the weights, safe from underflow
            return int(model.scores(*tensors)[0].argmax())

    return attention_policy


# ----------------------------------------------------------------------------- imitation

_DATA_KEYS = ("task_numeric", "task_categorical", "node_numeric", "node_categorical",
              "feasible", "target")


def imitation_data(
    n_workloads: int,
    nodes_per_workload: int,
    tasks_per_workload: int,
    *,
    seed: int,
    teacher: Callable[[list[dict], dict], int | None] = best_fit,
) -> dict[str, torch.Tensor]:
    """Roll the teacher out on simulated workloads and record every decision it makes.

    Workloads come from :func:`make_workloads` with ``seed``; each is run as in
    :func:`run_workload` with the teacher as policy. Each task's arrival is one sample: the
    task, the nodes' state at that moment, the feasibility mask and the teacher's choice. The
    states are the teacher's own (the model is trained on the states the teacher visits).

    Parameters
    ----------
    n_workloads, nodes_per_workload, tasks_per_workload : int
        As for :func:`make_workloads`; at least 1 each.
    seed : int
        Seed of the workloads.
    teacher : callable, default best_fit
        The policy to imitate.

    Returns
    -------
    dict of torch.Tensor
        With ``S = n_workloads * tasks_per_workload`` samples and ``N = nodes_per_workload``:
        ``"task_numeric"`` ``(S, 3)`` float32, ``"task_categorical"`` ``(S, 1)`` int64,
        ``"node_numeric"`` ``(S, N, 3)`` float32, ``"node_categorical"`` ``(S, N, 1)`` int64,
        ``"feasible"`` ``(S, N)`` bool, ``"target"`` ``(S,)`` int64 (the teacher's node, or -1
        when it rejected the task), ``"workload"`` ``(S,)`` int64.

    Examples
    --------
    >>> data = imitation_data(2, 5, 10, seed=0)
    >>> data["node_numeric"].shape, data["target"].shape
    (torch.Size([20, 5, 3]), torch.Size([20]))
    """
    n_workloads = _check_int(n_workloads, "n_workloads", 1)
    n_nodes = _check_int(nodes_per_workload, "nodes_per_workload", 1)
    n_tasks = _check_int(tasks_per_workload, "tasks_per_workload", 1)
    if not callable(teacher):
        raise TypeError(f"teacher must be callable (nodes, task) -> int | None, got {teacher!r}")
    cols: dict[str, list] = {k: [] for k in (*_DATA_KEYS, "workload")}
    for w, (nodes, tasks) in enumerate(make_workloads(n_workloads, n_nodes, n_tasks, seed=seed)):

        def record(free: list, zones: list, demand: list, priority: int, choice: int,
                   w: int = w) -> None:
            cols["task_numeric"].append(demand)
            cols["task_categorical"].append([priority])
            cols["node_numeric"].append(free)  # never changed in place: no copy needed
            cols["node_categorical"].append([[z] for z in zones])
            cols["feasible"].append(_fits(free, demand))
            cols["target"].append(choice)
            cols["workload"].append(w)

        _rollout(teacher, nodes, tasks, record)
    dtypes = {"task_numeric": torch.float32, "node_numeric": torch.float32,
              "feasible": torch.bool}
    return {k: torch.tensor(v, dtype=dtypes.get(k, torch.int64)) for k, v in cols.items()}


def _check_data(data: Any) -> None:
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be the dict of imitation_data, got {type(data).__name__}")
    for key in _DATA_KEYS:
        if key not in data:
            raise ValueError(f"data is missing {key!r}; it must hold {list(_DATA_KEYS)}")
        if not isinstance(data[key], torch.Tensor):
            raise TypeError(f"data[{key!r}] must be a torch.Tensor, got {type(data[key]).__name__}")
    s = data["target"].shape
    if len(s) != 1 or any(data[k].shape[0] != s[0] for k in _DATA_KEYS):
        raise ValueError("the tensors of data must share their first (sample) dimension, got "
                         + str({k: tuple(data[k].shape) for k in _DATA_KEYS}))


def _inputs(data: Mapping, rows: torch.Tensor, device: torch.device) -> list[torch.Tensor]:
    return [data[k][rows].to(device) for k in _DATA_KEYS[:5]]


def train_placement(
    model: PlacementAttention,
    data: Mapping[str, torch.Tensor],
    *,
    epochs: int = 5,
    lr: float = 1e-2,
    batch_size: int = 256,
    seed: int = 0,
) -> list[float]:
    """Train the model to imitate the teacher: cross-entropy of its masked logits.

    Each sample's loss is ``-log weight[target]``, the cross-entropy of :meth:`~
    PlacementAttention.scores` against the teacher's node; samples where no node was feasible
    (``target == -1``) are skipped. Adam, minibatches in an order shuffled by a generator seeded
    with ``seed``. The model's parameters are updated in place (and it is left in training mode);
    ``data`` is not modified.

    Parameters
    ----------
    model : PlacementAttention
    data : dict of torch.Tensor
        From :func:`imitation_data`.
    epochs : int, default 5
    lr : float, default 1e-2
        Adam's learning rate.
    batch_size : int, default 256
    seed : int, default 0

    Returns
    -------
    list of float
        The mean training loss of each epoch.

    Raises
    ------
    ValueError
        If ``data`` is missing a key, its tensors disagree on the number of samples, or it has
        no sample with a feasible node; or an argument is out of range.

    Examples
    --------
    >>> model = PlacementAttention(seed=0)
    >>> losses = train_placement(model, imitation_data(4, 5, 20, seed=0), epochs=3)
    >>> losses[-1] < losses[0]
    True
    """
    if not isinstance(model, PlacementAttention):
        raise TypeError(f"model must be a PlacementAttention, got {type(model).__name__}")
    _check_data(data)
    epochs = _check_int(epochs, "epochs", 1)
    batch_size = _check_int(batch_size, "batch_size", 1)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < float(lr) < math.inf:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    g = _generator(seed)
    usable = (data["target"] >= 0).nonzero()[:, 0]
    if usable.numel() == 0:
        raise ValueError("data has no sample with a feasible node to learn from")
    device = model.node_tokens.low.device
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr))
    model.train()
    losses = []
    for _ in range(epochs):
        order = usable[torch.randperm(usable.numel(), generator=g)]
        total, count = 0.0, 0
        for start in range(0, order.numel(), batch_size):
            rows = order[start:start + batch_size]
            logits = model.scores(*_inputs(data, rows, device))
            loss = F.cross_entropy(logits, data["target"][rows].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * rows.numel()
            count += rows.numel()
        losses.append(total / count)
    return losses


def agreement(
    model: PlacementAttention,
    data: Mapping[str, torch.Tensor],
    *,
    count_ties: bool = False,
    batch_size: int = 4096,
) -> float:
    """The share of the teacher's decisions (with a feasible node) that the model repeats.

    The model's choice is the argmax of its weights (:func:`policy`), compared with ``target``
    on the samples where some node was feasible.

    Parameters
    ----------
    model : PlacementAttention
    data : dict of torch.Tensor
        From :func:`imitation_data` (use a seed not used for training).
    count_ties : bool, default False
        False: only the teacher's exact node counts. True: a node in the same state as the
        teacher's (the same free cores, memory and GPUs; the zone may differ) counts too. Best
        fit cannot tell such nodes apart and takes the lowest index, which the model, seeing no
        indexes, cannot know: two empty nodes of one type are such a tie. (Do not count ties
        for a teacher that reads the index, such as first fit.)
    batch_size : int, default 4096
        Samples per forward pass.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> data = imitation_data(2, 5, 20, seed=1)
    >>> model = PlacementAttention(seed=0)
    >>> 0.0 <= agreement(model, data) <= agreement(model, data, count_ties=True) <= 1.0
    True
    """
    if not isinstance(model, PlacementAttention):
        raise TypeError(f"model must be a PlacementAttention, got {type(model).__name__}")
    _check_data(data)
    if not isinstance(count_ties, bool):
        raise TypeError(f"count_ties must be a bool, got {type(count_ties).__name__}")
    batch_size = _check_int(batch_size, "batch_size", 1)
    usable = (data["target"] >= 0).nonzero()[:, 0]
    if usable.numel() == 0:
        raise ValueError("data has no sample with a feasible node")
    device = model.node_tokens.low.device
    hits = 0
    with torch.no_grad():
        for start in range(0, usable.numel(), batch_size):
            rows = usable[start:start + batch_size]
            choice = model.scores(*_inputs(data, rows, device)).argmax(-1).cpu()
            target = data["target"][rows]
            hit = choice == target
            if count_ties:
                free = data["node_numeric"][rows]
                at = torch.arange(rows.numel())
                hit |= (free[at, choice] == free[at, target]).all(-1)
            hits += int(hit.sum())
    return hits / usable.numel()

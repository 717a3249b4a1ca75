"""The cluster explorer: where does a placement model put one task, and where would best-fit?

A small cluster of 2 to 12 nodes, each a record ``{"cpu_free", "mem_free", "gpus_free",
"zone"}``, and one task ``{"cpu", "mem", "gpus", "priority"}``. A cross-attention placement
model (``tokenlab.cluster.PlacementAttention``) turns each into a token with a
:class:`~tokenlab.beyond.FeatureTokenizer` (linear mode) and scores the nodes for the task::

    token(record) = numeric_proj((x - low) / (high - low)) + sum of its categories' embeddings
    q = q_proj(token(task));   k_i = k_proj(token(node_i))
    score_i  = q·k_i / sqrt(dim)
    weight_i = softmax of the scores over the *feasible* nodes (0 for the others; all 0 when
               no node is feasible), a node being feasible when it has the task's cpu, mem and
               gpus free
    chosen   = the node with the largest weight (the first within 1e-12 of it)

The widget embeds the model's ``export()`` (plain lists: the tokenizers' ranges, categories
and weights, and the two projections) and recomputes all of that in the browser as the reader
moves the task's sliders, so it works on the static site with no kernel. Beside the model's
choice it marks the node the classic *best-fit* heuristic picks, computed as
``tokenlab.cluster.best_fit`` does: among the feasible nodes, the one with the smallest
leftover ``sum over cpu, mem, gpus of (free - demand) / (high - low)`` (each free resource
normalized by its range, 64, 256 and 8 for the usual model; the capacities play no part), the
first on a tie. In a live kernel each change also reaches Python, which recomputes
:attr:`ClusterWidget.result` with :func:`placement_weights`, and the widget then shows the
kernel's numbers. The DOM the JavaScript builds (class names and data attributes that tests
rely on) is documented at the top of ``cluster.js``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import anywidget
import torch
import traitlets

from tokenlab.beyond import FeatureTokenizer
from tokenlab.cluster import _export_scores, _export_tokenizer, _fits, _leftover, _masked_softmax
from tokenlab.widgets._checks import as_list, flag, number, sequence

__all__ = ["ClusterWidget", "placement_weights", "stand_in_export"]

HERE = Path(__file__).resolve().parent
MIN_NODES, MAX_NODES = 2, 12
MAX_DIM = 256
TIE = 1e-12  # weights within TIE of the largest tie; the first of them is "chosen"

# (task field, node field, the reader's slider step) for each resource, in this order.
RESOURCES = (("cpu", "cpu_free", 1.0), ("mem", "mem_free", 4.0), ("gpus", "gpus_free", 1.0))
TASK_NUMERIC = tuple(t for t, _, _ in RESOURCES)
NODE_NUMERIC = tuple(n for _, n, _ in RESOURCES)
TASK_CATEGORICAL = ("priority",)
NODE_CATEGORICAL = ("zone",)
CAPS = {"cpu_free": "cpu_cap", "mem_free": "mem_cap", "gpus_free": "gpus_cap"}
NODE_KEYS = (*NODE_NUMERIC, *NODE_CATEGORICAL, *CAPS.values())
TASK_KEYS = (*TASK_NUMERIC, *TASK_CATEGORICAL)
DEFAULT_TASK = {"cpu": 2.0, "mem": 8.0, "gpus": 0.0, "priority": "normal"}
TOKENIZER_KEYS = ("numeric", "categorical", "weight", "bias", "embeddings")
# What each resource is called in the reason a node cannot take the task.
UNITS = {"cpu": ("CPU core", "CPU cores", ""), "mem": ("GiB of memory", "GiB of memory", " GiB"),
         "gpus": ("GPU", "GPUs", "")}


# ---- input checks -------------------------------------------------------------------------


def _number(name: str, value: Any) -> float:
    """:func:`~tokenlab.widgets._checks.number`, a 0-d array or tensor (an export's entry)
    taken as the number it holds."""
    return number(name, as_list(value))


def _mapping(name: str, value: Any, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def _vector(name: str, value: Any, size: int) -> list[float]:
    value = sequence(name, value, "a list of numbers")
    if len(value) != size:
        raise ValueError(f"{name} must hold {size} numbers, got {len(value)}")
    return [_number(f"{name}[{i}]", x) for i, x in enumerate(value)]


def _matrix(name: str, value: Any, rows: int, cols: int, what: str) -> list[list[float]]:
    value = sequence(name, value, "a list of lists of numbers (a matrix)")
    if len(value) != rows:
        raise ValueError(f"{name} must have {rows} rows ({what}), got {len(value)}")
    out = []
    for i, row in enumerate(value):
        row = sequence(f"{name}[{i}]", row, "a list of numbers")
        if len(row) != cols:
            raise ValueError(f"{name}[{i}] must hold {cols} numbers ({what}), got {len(row)}")
        out.append([_number(f"{name}[{i}][{j}]", x) for j, x in enumerate(row)])
    return out


def _dim(value: Any) -> int:
    if isinstance(value, (bool, float)) or not isinstance(as_list(value), int):
        raise TypeError(f"export['dim'] must be an integer, got {type(value).__name__}")
    value = int(as_list(value))
    if not 1 <= value <= MAX_DIM:
        raise ValueError(f"export['dim'] must be from 1 to {MAX_DIM}, got {value}")
    return value


def _names(name: str, got: list[str], want: tuple[str, ...]) -> None:
    if sorted(got) != sorted(want) or len(set(got)) != len(got):
        raise ValueError(f"{name} must name the fields {list(want)} (in any order), got {got}")


def _entries(name: str, value: Mapping, key: str, form: str,
             size: int) -> Iterator[tuple[str, list]]:
    """Each entry of ``value[key]``, a list of ``form`` lists of ``size`` items that start with a
    field's name, with its own name for errors (``where``)."""
    for j, entry in enumerate(sequence(f"{name}[{key!r}]", value[key], f"a list of {form}")):
        where = f"{name}[{key!r}][{j}]"
        entry = sequence(where, entry, f"a list {form}")
        if len(entry) != size or not isinstance(entry[0], str):
            raise ValueError(f"{where} must be {form}, got {entry!r}")
        yield where, entry


def _tokenizer(name: str, value: Any, dim: int, numeric: tuple[str, ...],
               categorical: tuple[str, ...]) -> dict[str, Any]:
    """One FeatureTokenizer's export (linear mode), checked and as plain lists."""
    value = _mapping(name, value, "a dict with numeric, categorical, weight, bias, embeddings")
    for key in TOKENIZER_KEYS:
        if key not in value:
            raise ValueError(f"{name} needs {key!r}")
    mode = value.get("mode", "linear")
    if mode != "linear":
        raise ValueError(f"{name}: only a linear-mode FeatureTokenizer can be shown, got "
                         f"mode {mode!r}")
    fields = []
    for where, entry in _entries(name, value, "numeric", "[name, low, high]", 3):
        low, high = _number(f"{where} low", entry[1]), _number(f"{where} high", entry[2])
        if not low < high:
            raise ValueError(f"{where}: field {entry[0]!r} needs low < high, got ({low}, {high})")
        fields.append([entry[0], low, high])
    _names(f"{name}['numeric']", [f[0] for f in fields], numeric)
    cats = []
    for where, entry in _entries(name, value, "categorical", "[name, [categories]]", 2):
        values = sequence(f"{where} categories", entry[1], "a list of str")
        if not values or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{where}: field {entry[0]!r} needs a non-empty list of str "
                             f"categories, got {values!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"{where}: field {entry[0]!r} lists a category twice: {values!r}")
        cats.append([entry[0], values])
    _names(f"{name}['categorical']", [c[0] for c in cats], categorical)
    weight = _matrix(f"{name}['weight']", value["weight"], dim, len(fields),
                     f"dim x {len(fields)} numeric fields")
    bias = _vector(f"{name}['bias']", value["bias"], dim)
    tables = sequence(f"{name}['embeddings']", value["embeddings"],
                      "a list of tables, one per categorical field")
    if len(tables) != len(cats):
        raise ValueError(f"{name}['embeddings'] must hold one table per categorical field "
                         f"({len(cats)}), got {len(tables)}")
    embeddings = [_matrix(f"{name}['embeddings'][{c}]", t, len(cats[c][1]), dim,
                          f"one row of dim numbers per category of {cats[c][0]!r}")
                  for c, t in enumerate(tables)]
    return {"numeric": fields, "categorical": cats, "weight": weight, "bias": bias,
            "embeddings": embeddings}


def _export(value: Any) -> dict[str, Any]:
    """``PlacementAttention.export()`` (or the model itself), checked and as plain lists."""
    method = getattr(value, "export", None)
    if callable(method) and not isinstance(value, Mapping):
        value = method()
    value = _mapping("export", value, "a dict (PlacementAttention.export()) or a model with "
                     "an export() method")
    for key in ("dim", "node", "task", "q_proj", "k_proj"):
        if key not in value:
            raise ValueError(f"export needs {key!r}")
    dim = _dim(value["dim"])
    if "fits" in value:  # PlacementAttention.export() says which free resource covers what
        fits = sequence("export['fits']", value["fits"], "a list of [node field, task field]")
        pairs = sorted(tuple(sequence(f"export['fits'][{i}]", p, "a pair")) for i, p in
                       enumerate(fits))
        want = sorted((n, t) for t, n, _ in RESOURCES)
        if pairs != want:
            raise ValueError(f"export['fits'] must pair {[list(p) for p in want]}, got {fits}")
    out: dict[str, Any] = {"dim": dim, "fits": [[n, t] for t, n, _ in RESOURCES]}
    out["node"] = _tokenizer("export['node']", value["node"], dim, NODE_NUMERIC,
                             NODE_CATEGORICAL)
    out["task"] = _tokenizer("export['task']", value["task"], dim, TASK_NUMERIC,
                             TASK_CATEGORICAL)
    for proj in ("q_proj", "k_proj"):
        p = _mapping(f"export[{proj!r}]", value[proj], "a dict with weight and bias")
        for key in ("weight", "bias"):
            if key not in p:
                raise ValueError(f"export[{proj!r}] needs {key!r}")
        out[proj] = {"weight": _matrix(f"export[{proj!r}]['weight']", p["weight"], dim, dim,
                                       "dim x dim"),
                     "bias": _vector(f"export[{proj!r}]['bias']", p["bias"], dim)}
    return out


def _ranges(tok: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {name: (low, high) for name, low, high in tok["numeric"]}


def _categories(tok: dict[str, Any]) -> dict[str, list[str]]:
    return {name: cats for name, cats in tok["categorical"]}


def _in_range(name: str, value: Any, bounds: tuple[float, float]) -> float:
    value = _number(name, value)
    low, high = bounds
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {_text(low)} to {_text(high)} (the model's "
                         f"range), got {_text(value)}")
    return value


def _category(name: str, value: Any, cats: list[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {cats}, got {type(value).__name__}")
    if value not in cats:
        raise ValueError(f"{name} must be one of {cats}, got {value!r}")
    return value


def _node(i: int, value: Any, export: dict[str, Any]) -> dict[str, Any]:
    name = f"nodes[{i}]"
    value = _mapping(name, value, "a dict with cpu_free, mem_free, gpus_free and zone")
    unknown = sorted(set(map(str, value)) - set(NODE_KEYS))
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}; expected {list(NODE_KEYS)}")
    ranges, cats = _ranges(export["node"]), _categories(export["node"])
    out: dict[str, Any] = {}
    for field in (*NODE_NUMERIC, *NODE_CATEGORICAL):
        if field not in value:
            raise ValueError(f"{name} needs {field!r}")
    for field in NODE_NUMERIC:
        out[field] = _in_range(f"{name}.{field}", value[field], ranges[field])
    out["zone"] = _category(f"{name}.zone", value["zone"], cats["zone"])
    for field, cap in CAPS.items():
        if value.get(cap) is None:
            out[cap] = ranges[field][1]  # no capacity given: the model's largest reading
            continue
        c = _number(f"{name}.{cap}", value[cap])
        if c < out[field]:
            raise ValueError(f"{name}.{cap} must be >= {field} ({_text(out[field])}), "
                             f"got {_text(c)}")
        out[cap] = c
    return out


def _nodes(value: Any, export: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        raise TypeError("nodes must be a list of dicts (one per node), got one dict: wrap it "
                        "in a list")
    value = sequence("nodes", value, "a list of dicts (one per node)")
    if not MIN_NODES <= len(value) <= MAX_NODES:
        raise ValueError(f"nodes must hold {MIN_NODES} to {MAX_NODES} nodes, got {len(value)}")
    return [_node(i, v, export) for i, v in enumerate(value)]


def _default_task(export: dict[str, Any]) -> dict[str, Any]:
    cats = _categories(export["task"])["priority"]
    priority = DEFAULT_TASK["priority"] if DEFAULT_TASK["priority"] in cats else cats[0]
    return {**DEFAULT_TASK, "priority": priority}


def _task(value: Any, export: dict[str, Any]) -> dict[str, Any]:
    """The task, its missing keys from the default small task."""
    base = _default_task(export)
    if value is None:
        value = {}
    value = _mapping("task", value, "a dict with cpu, mem, gpus and priority")
    unknown = sorted(set(map(str, value)) - set(TASK_KEYS))
    if unknown:
        raise ValueError(f"task has unknown keys {unknown}; expected {list(TASK_KEYS)}")
    merged = {**base, **value}
    ranges, cats = _ranges(export["task"]), _categories(export["task"])
    out: dict[str, Any] = {f: _in_range(f"task.{f}", merged[f], ranges[f]) for f in TASK_NUMERIC}
    out["priority"] = _category("task.priority", merged["priority"], cats["priority"])
    return out


def _still_fit(export: dict[str, Any], nodes: Any, task: Any, what: str) -> None:
    """Nodes and task still valid under a new export (else a ValueError naming ``what``)."""
    try:
        _nodes(nodes, export)
        _task(task, export)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} does not fit the current nodes and task ({err}); set them "
                         "together inside hold_trait_notifications") from None


# ---- the numbers --------------------------------------------------------------------------


def _text(x: float) -> str:
    """A number as JavaScript's String(x) writes it (integers without ".0")."""
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    s = repr(float(x))
    return s.replace("e-0", "e-").replace("e+0", "e+")


def _reasons(node: dict[str, Any], task: dict[str, Any]) -> list[str]:
    out = []
    for t, n, _ in RESOURCES:
        if task[t] > node[n]:
            one, many, unit = UNITS[t]
            need = _text(task[t])
            out.append(f"needs {need} {one if task[t] == 1 else many}, has "
                       f"{_text(node[n])}{unit}")
    return out


def placement_weights(export: Any, nodes: Any, task: Any = None) -> dict[str, Any]:
    """Score every node for the task as ``PlacementAttention`` does, every step, in float64.

    The numbers come from ``tokenlab.cluster``'s own plain-float code: the scores and weights
    of ``weights_from_export`` (here for the infeasible nodes' scores too) and the leftover of
    ``best_fit`` (over the export's ranges).

    Parameters
    ----------
    export : dict or model
        ``PlacementAttention.export()`` (or the model: its ``export()`` is called): ``dim``;
        optionally ``fits``, which must pair cpu_free/cpu, mem_free/mem, gpus_free/gpus;
        ``node`` and ``task``, each a linear-mode FeatureTokenizer as ``{"numeric": [[name,
        low, high], ...], "categorical": [[name, [categories]], ...], "weight": dim x F_num,
        "bias": [dim], "embeddings": [n_categories x dim per categorical field]}`` (node fields
        ``cpu_free``, ``mem_free``, ``gpus_free``, ``zone``; task fields ``cpu``, ``mem``,
        ``gpus``, ``priority``); ``q_proj`` and ``k_proj``, each ``{"weight": dim x dim,
        "bias": [dim]}`` (``y = W x + b``, as ``torch.nn.Linear``).
    nodes : sequence of 2 to 12 dict
        ``cpu_free``, ``mem_free``, ``gpus_free`` (within the model's ranges) and ``zone``;
        optionally the capacities ``cpu_cap``, ``mem_cap``, ``gpus_cap`` (``>=`` the free
        amount; default: the range's high end), only drawn (the bars show free vs capacity).
    task : dict, optional
        ``cpu``, ``mem``, ``gpus`` (within the model's ranges) and ``priority``; a missing key
        takes the default small task's value (``{"cpu": 2, "mem": 8, "gpus": 0, "priority":
        "normal"}``).

    Returns
    -------
    dict
        JSON-safe:

        * ``task``, ``nodes``: the inputs as checked (floats; capacities filled in), ``dim``;
        * ``scores``: per node ``q·k / sqrt(dim)`` (feasible or not);
        * ``feasible``: per node, whether the task fits;
        * ``weights``: softmax of the scores over the feasible nodes, 0 for the others (all 0
          when none is feasible);
        * ``chosen``: the model's node, the first feasible one whose weight is within ``1e-12``
          of the largest (None when none is feasible);
        * ``leftover``: per feasible node, best-fit's ``sum over cpu, mem, gpus of (free -
          demand) / (high - low)`` with the node fields' ranges (None when infeasible), summed
          left to right in plain floats, as ``tokenlab.cluster.best_fit`` does;
        * ``best_fit``: the feasible node with the smallest leftover, the first on a tie (None
          when none is feasible);
        * ``reasons``: per node, why the task does not fit (``"needs 2 GPUs, has 0"``, several
          joined by ``"; "``), or None.

    Raises
    ------
    TypeError, ValueError
        Naming the part that is malformed: an export without a key or with a matrix of the
        wrong shape, a non-finite number, not 2 to 12 nodes, a reading outside the model's
        range, an unknown zone or priority, a capacity below the free amount.

    Examples
    --------
    >>> export = stand_in_export(dim=4, seed=0)
    >>> nodes = [{"cpu_free": 16, "mem_free": 64, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 8, "mem_free": 32, "gpus_free": 1, "zone": "b"},
    ...          {"cpu_free": 2, "mem_free": 8, "gpus_free": 0, "zone": "c"}]
    >>> r = placement_weights(export, nodes, {"cpu": 4, "mem": 16})
    >>> r["feasible"], r["weights"][2], r["reasons"][2]
    ([True, True, False], 0.0, 'needs 4 CPU cores, has 2; needs 16 GiB of memory, has 8 GiB')
    >>> round(sum(r["weights"]), 12), r["leftover"], r["best_fit"]
    (1.0, [0.375, 0.25, None], 1)
    >>> r = placement_weights(export, nodes, {"gpus": 1})
    >>> r["feasible"], r["weights"][1], r["chosen"], r["best_fit"]
    ([False, True, False], 1.0, 1, 1)
    >>> r = placement_weights(export, nodes, {"gpus": 4})
    >>> r["weights"], r["chosen"], r["best_fit"], r["reasons"][1]
    ([0.0, 0.0, 0.0], None, None, 'needs 4 GPUs, has 1')
    """
    export = _export(export)
    nodes = _nodes(nodes, export)
    task = _task(task, export)
    return _placement(export, nodes, task)


def _placement(export: dict[str, Any], nodes: list[dict[str, Any]],
               task: dict[str, Any]) -> dict[str, Any]:
    scores = _export_scores(export, nodes, task, feasible_only=False)
    if not all(math.isfinite(s) for s in scores):
        raise ValueError("the scores overflow (not finite): the export's weights are too large")
    free = [[n[f] for f in NODE_NUMERIC] for n in nodes]
    demand = [task[f] for f in TASK_NUMERIC]
    feasible = _fits(free, demand)
    ranges = _ranges(export["node"])
    spans = [ranges[f][1] - ranges[f][0] for f in NODE_NUMERIC]
    leftover = [_leftover(row, demand, spans) if ok else None
                for row, ok in zip(free, feasible, strict=True)]
    weights = _masked_softmax([s if ok else None for s, ok in zip(scores, feasible, strict=True)])
    top = max(weights)
    reasons = [_reasons(n, task) for n in nodes]
    return {
        "task": task,
        "nodes": nodes,
        "dim": export["dim"],
        "scores": scores,
        "feasible": feasible,
        "weights": weights,
        "chosen": next((i for i, w in enumerate(weights) if feasible[i] and w >= top - TIE), None),
        "best_fit": min((i for i, left in enumerate(leftover) if left is not None),
                        key=lambda i: (leftover[i], i), default=None),
        "leftover": leftover,
        "reasons": ["; ".join(r) if r else None for r in reasons],
    }


def stand_in_export(dim: int = 8, seed: int = 0) -> dict[str, Any]:
    """A random, untrained export with ``PlacementAttention.export()``'s structure.

    For trying the widget (and testing it) without a trained model: ``dim``, ``fits`` (which
    free resource of a node covers which demand of a task), the two
    :class:`~tokenlab.beyond.FeatureTokenizer` (linear mode; node fields ``cpu_free`` 0..64,
    ``mem_free`` 0..256, ``gpus_free`` 0..8, ``zone`` in a, b, c; task fields ``cpu`` 0..32,
    ``mem`` 0..128, ``gpus`` 0..4, ``priority`` in low, normal, high) and two ``nn.Linear(dim,
    dim)`` projections, seeded, in float64.

    Examples
    --------
    >>> e = stand_in_export(dim=4, seed=1)
    >>> e["dim"], e["node"]["numeric"][2], e["task"]["categorical"][0]
    (4, ['gpus_free', 0.0, 8.0], ['priority', ['low', 'normal', 'high']])
    >>> len(e["q_proj"]["weight"]), len(e["node"]["weight"][0])
    (4, 3)
    """
    g = torch.Generator().manual_seed(seed)
    f64 = torch.float64
    node = FeatureTokenizer({"cpu_free": (0, 64), "mem_free": (0, 256), "gpus_free": (0, 8)},
                            {"zone": ["a", "b", "c"]}, dim, generator=g, dtype=f64)
    task = FeatureTokenizer({"cpu": (0, 32), "mem": (0, 128), "gpus": (0, 4)},
                            {"priority": ["low", "normal", "high"]}, dim, generator=g, dtype=f64)

    def linear() -> dict[str, Any]:
        bound = 1 / math.sqrt(dim)
        w = (torch.rand(dim, dim, generator=g, dtype=f64) * 2 - 1) * bound
        b = (torch.rand(dim, generator=g, dtype=f64) * 2 - 1) * bound
        return {"weight": w.tolist(), "bias": b.tolist()}

    return {"dim": dim, "fits": [[n, t] for t, n, _ in RESOURCES],
            "node": _export_tokenizer(node), "task": _export_tokenizer(task),
            "q_proj": linear(), "k_proj": linear()}


# ---- the widget ---------------------------------------------------------------------------


class ClusterWidget(anywidget.AnyWidget):
    """Place one task on a small cluster: the model's attention weights beside best-fit.

    Parameters
    ----------
    export : dict or model
        ``PlacementAttention.export()`` (or the model itself); see :func:`placement_weights`.
    nodes : sequence of 2 to 12 dict
        ``cpu_free``, ``mem_free``, ``gpus_free``, ``zone``, and optionally the capacities
        ``cpu_cap``, ``mem_cap``, ``gpus_cap``, only for the bars (default: the model's range's
        high end, 64, 256 and 8 for the usual model); ``tokenlab.cluster.make_nodes`` gives
        them.
    task : dict, optional
        ``cpu``, ``mem``, ``gpus``, ``priority``; missing keys from the default small task
        ``{"cpu": 2, "mem": 8, "gpus": 0, "priority": "normal"}``. The reader changes it with
        three sliders (steps 1, 4 and 1 over the model's task ranges, 0..32, 0..128 and 0..4
        for the usual model) and a priority menu.
    best_fit : bool
        Also mark the node the best-fit heuristic picks (as ``tokenlab.cluster.best_fit``; see
        :func:`placement_weights`), name it in the sentence and show its leftovers.

    Attributes
    ----------
    export, nodes, task, best_fit
        Synced with the page; the reader's task comes back here (in a live kernel). ``nodes``
        holds the checked nodes, capacities filled in. Changing ``export`` and ``nodes`` or
        ``task`` together needs ``with w.hold_trait_notifications(): ...``.
    result : dict
        :func:`placement_weights` of the current export, nodes and task, recomputed on every
        change.

    Examples
    --------
    >>> nodes = [{"cpu_free": 16, "mem_free": 64, "gpus_free": 0, "zone": "a"},
    ...          {"cpu_free": 8, "mem_free": 32, "gpus_free": 2, "zone": "b"}]
    >>> w = ClusterWidget(stand_in_export(dim=4), nodes)
    >>> w.task
    {'cpu': 2.0, 'mem': 8.0, 'gpus': 0.0, 'priority': 'normal'}
    >>> w.result["feasible"], round(sum(w.result["weights"]), 12)
    ([True, True], 1.0)
    >>> w.task = {**w.task, "gpus": 1}
    >>> w.result["weights"], w.result["chosen"], w.result["reasons"][0]
    ([0.0, 1.0], 1, 'needs 1 GPU, has 0')
    >>> w.task = {**w.task, "gpus": 5}
    Traceback (most recent call last):
    ...
    ValueError: task.gpus must be from 0 to 4 (the model's range), got 5
    """

    _esm = (HERE / "cluster.js").read_text(encoding="utf-8")
    _css = (HERE / "cluster.css").read_text(encoding="utf-8")

    export = traitlets.Dict().tag(sync=True)
    nodes = traitlets.List().tag(sync=True)
    task = traitlets.Dict().tag(sync=True)
    best_fit = traitlets.Bool(True).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(self, export: Any, nodes: Any, *, task: Any = None, best_fit: bool = True,
                 **kwargs: Any) -> None:
        export = _export(export)
        nodes = _nodes(nodes, export)
        task = _task(task, export)
        best_fit = flag("best_fit", best_fit)
        result = _placement(export, nodes, task)
        super().__init__(export=export, nodes=nodes, task=task, best_fit=best_fit,
                         result=result, **kwargs)

    # Each check sees the other traits' current values (traitlets runs these checks after all
    # the values of one set_state or hold_trait_notifications are in).

    @traitlets.validate("export")
    def _valid_export(self, proposal: dict) -> dict[str, Any]:
        export = _export(proposal["value"])
        _still_fit(export, self.nodes, self.task, "export")
        return export

    @traitlets.validate("nodes")
    def _valid_nodes(self, proposal: dict) -> list[dict[str, Any]]:
        return _nodes(proposal["value"], self.export)

    @traitlets.validate("task")
    def _valid_task(self, proposal: dict) -> dict[str, Any]:
        return _task(proposal["value"], self.export)

    @traitlets.validate("best_fit")
    def _valid_best_fit(self, proposal: dict) -> bool:
        return flag("best_fit", proposal["value"])

    @traitlets.observe("export", "nodes", "task")
    def _on_change(self, change: dict) -> None:
        self.result = _placement(self.export, self.nodes, self.task)

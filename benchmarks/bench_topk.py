"""Exact top-k search: tokenlab's chunked ``topk`` against a full score matrix and scikit-learn.

Run::

    python benchmarks/bench_topk.py [--keys 100000 --dim 384 --queries 1000 --k 10]

Random unit vectors (float32, fixed seed) serve as keys and queries. Each method runs in its
own child process, so that peak memories do not mix:

* ``tokenlab cosine`` -- ``tokenlab.similarity.topk(queries, keys, k)`` (chunked, default
  chunk size, metric ``"cosine"``);
* ``tokenlab dot`` -- the same with ``metric="dot"`` (on unit vectors the same ranking; the
  like-for-like comparison with the full matrix, which does not normalize);
* ``full matrix`` -- ``torch.topk(queries @ keys.T, k)``, the naive approach;
* ``sklearn brute`` -- ``NearestNeighbors(algorithm="brute", metric="cosine")`` fit, then
  ``kneighbors``.

Time: the median of ``--repeats`` runs after one untimed run. Children measured one after
another see the machine in different states (on the shared 2-core build machine a method's
ratio moved by 20% between runs), so a last table is *paired*: one child runs each torch
method (not scikit-learn's) once per round, back to back, for ``--rounds`` rounds, and gives
the median (and range) over rounds of each round's ratio to the full matrix; the time targets
are read from it. Peak
memory: the rise of the child's peak resident set size (``VmHWM`` in ``/proc/self/status``,
reset through ``/proc/self/clear_refs`` once the data exist) during that first run -- what the
method itself needed on top of its inputs. The parent then checks that all methods found the
same neighbours, up to ties (rows whose index lists differ must have equal scores at the
differing places).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# _common.py sits beside this script: run as a script, its folder is first on sys.path.
import _common
import numpy as np

METHODS = ("tokenlab cosine", "tokenlab dot", "full matrix", "sklearn brute")
BASELINE = "full matrix"
PAIRED = "paired"  # the worker that alternates the torch methods in one process
# scikit-learn is left out of the rounds: 5x slower and allocating over a GiB a run, it would
# change the state (caches, allocator) the others are measured in.
PAIRED_METHODS = ("tokenlab cosine", "tokenlab dot", "full matrix")


# ----------------------------------------------------------------------------- the child


def _runs(args: argparse.Namespace, methods) -> dict:
    """A no-argument function per method, all on the same random keys and queries, each
    returning (values, indices) as NumPy arrays."""
    import torch

    gen = torch.Generator().manual_seed(args.seed)
    keys = torch.randn(args.keys, args.dim, generator=gen)
    keys /= torch.linalg.vector_norm(keys, dim=1, keepdim=True)
    queries = torch.randn(args.queries, args.dim, generator=gen)
    queries /= torch.linalg.vector_norm(queries, dim=1, keepdim=True)
    k = args.k

    def ours(metric):
        from tokenlab.similarity import topk

        def run():
            values, indices = topk(queries, keys, k, metric=metric, chunk_size=args.chunk_size)
            return values.numpy(), indices.numpy()
        return run

    def full():
        values, indices = torch.topk(queries @ keys.T, k, dim=1)
        return values.numpy(), indices.numpy()

    def sklearn_brute():
        from sklearn.neighbors import NearestNeighbors

        nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="cosine")
        distances, indices = nn.fit(keys.numpy()).kneighbors(queries.numpy())
        return (1 - distances).astype(np.float32), indices

    every = {"tokenlab cosine": ours("cosine"), "tokenlab dot": ours("dot"),
             "full matrix": full, "sklearn brute": sklearn_brute}
    unknown = set(methods) - set(every)
    if unknown:
        raise SystemExit(f"unknown methods {sorted(unknown)}")
    # Start the thread pools on something small.
    torch.topk(queries[:8] @ keys[:64].T, 2)
    return {name: every[name] for name in methods}


def _paired(args: argparse.Namespace) -> None:
    """Each method once per round, back to back, in one process: the per-round ratios."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    chosen = _common.parse_methods(argparse.ArgumentParser(), args.methods, METHODS)
    runs = _runs(args, [m for m in chosen if m in PAIRED_METHODS])
    for run in runs.values():
        run()  # warm up
    seconds, ratios = _common.paired_ratios(
        {name: _common.timer(run) for name, run in runs.items()}, args.rounds, BASELINE)
    print(json.dumps({"full_s": statistics.median(seconds[BASELINE]),
                      "threads": torch.get_num_threads(), "ratios": ratios}))


def _worker(args: argparse.Namespace) -> None:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    run = _runs(args, [args.worker])[args.worker]

    def timed() -> tuple[float, tuple[np.ndarray, np.ndarray]]:
        start = time.perf_counter()
        result = run()
        return time.perf_counter() - start, result

    # The first real run's peak.
    (first, (values, indices)), peak_delta, exact_peak = _common.peak_rise(timed)
    times = [timed()[0] for _ in range(args.repeats)]
    np.savez(args.out, values=values, indices=indices)
    print(json.dumps({
        "method": args.worker,
        "first_s": first,
        "times_s": times,
        "peak_delta_mib": peak_delta,
        "exact_peak": exact_peak,
        "threads": torch.get_num_threads(),
    }))


# ----------------------------------------------------------------------------- the parent


def _agreement(reference: dict, other: dict, atol: float) -> str:
    """How many rows give the same indices, and whether the rest differ only by ties."""
    ri, oi = reference["indices"], other["indices"]
    rv, ov = reference["values"], other["values"]
    same = (ri == oi).all(axis=1)
    values_close = np.abs(rv.astype(np.float64) - ov).max()
    # A row whose indices differ is a tie if both lists hold the same scores (within atol), at
    # the differing places as everywhere else.
    tie_only = int((~same & np.isclose(rv, ov, atol=atol).all(axis=1)).sum())
    rows = len(same)
    verdict = "agree" if same.sum() + tie_only == rows else "DISAGREE"
    return (f"{verdict}: {same.sum()}/{rows} rows identical, {tie_only} differ only among equal "
            f"scores (atol {atol:g}); max |value difference| {values_close:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="tokenlab's chunk_size (default: its own default)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="rounds of the paired table (0: no paired table)")
    _common.add_child_options(parser, METHODS)
    args = parser.parse_args()
    if args.worker == PAIRED:
        _paired(args)
        return
    if args.worker:
        _worker(args)
        return

    methods = _common.parse_methods(parser, args.methods, METHODS)
    print(f"top-{args.k} of {args.queries} queries among {args.keys} keys, d={args.dim}, "
          f"float32 unit vectors, seed {args.seed}; median of {args.repeats} runs")
    print(_common.machine())
    results, outputs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        names = ("keys", "dim", "queries", "k", "repeats", "seed", "threads")
        if args.chunk_size:
            names += ("chunk_size",)
        for method in methods:
            out = Path(tmp) / f"{method.replace(' ', '_')}.npz"
            start = time.perf_counter()
            proc = _common.run_worker(__file__, method, args, names, "--out", str(out))
            if proc.returncode:
                print(f"{method}: failed\n{proc.stdout}{proc.stderr}", file=sys.stderr)
                continue
            results[method] = _common.last_json(proc)
            results[method]["wall_s"] = time.perf_counter() - start
            with np.load(out) as data:
                outputs[method] = {"values": data["values"], "indices": data["indices"]}

    base = results.get(BASELINE)
    base_time = _common.median_s(base) if base else None
    base_mem = base["peak_delta_mib"] if base else None
    header = (f"{'method':<16} {'median s':>9} {'vs full':>8} {'peak MiB':>9} {'vs full':>8} "
              f"{'first s':>8}")
    print()
    print(header)
    print("-" * len(header))
    for method, r in results.items():
        t = _common.median_s(r)
        mem = r["peak_delta_mib"]
        t_ratio = f"{t / base_time:.2f}x" if base_time else "-"
        m_ratio = f"{mem / base_mem:.2f}x" if base_mem and mem is not None else "-"
        mem_text = f"{mem:.0f}" if mem is not None else "n/a"
        print(f"{method:<16} {t:>9.3f} {t_ratio:>8} {mem_text:>9} {m_ratio:>8} "
              f"{r['first_s']:>8.3f}")
    if results and not all(r["exact_peak"] for r in results.values()):
        print("(peak memory could not be reset after data generation: it includes the data)")
    if results:
        print(f"threads per child: {next(iter(results.values()))['threads']}")

    reference = "tokenlab cosine" if "tokenlab cosine" in outputs else next(iter(outputs), None)
    if reference:
        print()
        for method in outputs:
            if method != reference:
                print(f"{method} vs {reference}: "
                      f"{_agreement(outputs[reference], outputs[method], atol=1e-5)}")

    if args.rounds > 0 and BASELINE in methods and len(methods) > 1:
        names = ("keys", "dim", "queries", "k", "seed", "threads", "rounds", "methods")
        if args.chunk_size:
            names += ("chunk_size",)
        proc = _common.run_worker(__file__, PAIRED, args, names)
        print(f"\npaired: {args.rounds} rounds of one run of each method, alternating in one "
              f"process; the median (min-max) over rounds of each round's ratio to the full "
              f"matrix")
        if proc.returncode:
            print(f"failed: exit code {proc.returncode}\n{proc.stderr}")
            return
        r = _common.last_json(proc)
        print(f"full matrix: {r['full_s']:.3f} s (median), {r['threads']} threads")
        for name, x in r["ratios"].items():
            print(f"{name:<16} {_common.spread(x)}")


if __name__ == "__main__":
    main()

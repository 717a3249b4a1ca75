"""Attention: tokenlab's explicit and fast paths against torch's fused SDPA and a naive loop.

Run::

    python benchmarks/bench_attention.py [--lengths 128 256 512 1024 2048 4096]
                                         [--batch 4 --heads 8 --dim 64 --repeats 3]
                                         [--causal | --padding]

Random queries, keys and values (float32, fixed seed) of shape ``(batch, heads, L, dim)``,
``batch x heads = 32`` and ``dim = 64`` by default, for each sequence length ``L``; no mask,
or causal (``--causal``), or a boolean key-padding mask ``(batch, 1, 1, L)`` in which the last
quarter of every other sequence is padding (``--padding``: the masked call a padded batch
makes, given to every method, torch SDPA as its ``attn_mask``). Each method
runs at each length in its own child process, so that peak memories do not mix and a method
that runs out of memory cannot take the others with it:

* ``tokenlab explicit`` -- ``tokenlab.attention.scaled_dot_product_attention(q, k, v)``, the
  default ``need_weights=True``: scores, softmax and weights written out, ``(..., L, L)``
  tensors materialized several times over;
* ``tokenlab fast`` -- the same with ``need_weights=False``: torch's fused kernel behind
  tokenlab's checks, masks and zeroed fully masked rows (for this unmasked call of
  ``(batch, heads, L, dim)`` tensors alike, the direct route: a dozen attribute tests);
* ``torch SDPA`` -- ``torch.nn.functional.scaled_dot_product_attention(q, k, v)`` called
  directly, the baseline;
* ``naive loop`` -- a Python loop over ``batch x heads`` and over the queries, each query
  ``softmax(q_i . K / sqrt(dim)) @ V``; slow, so only up to ``--naive-max-len`` (512). It runs
  on one thread unless ``--threads`` says otherwise: its tiny per-query calls only lose time to
  a thread pool.

Time: the median of ``--repeats`` samples after one untimed run (``torch.cuda.synchronize``
around each on CUDA). A sample times as many back-to-back calls as fill ``--min-sample``
seconds (0.2; the count is set from the untimed run, as ``timeit``'s autorange does) and
reports the time per call: a single call at L = 128 lasts a few milliseconds, as short as the
machine's scheduling noise. Peak memory: on the CPU the rise of the child's peak resident set
size (``VmHWM`` in ``/proc/self/status``, reset through ``/proc/self/clear_refs`` once the
inputs exist) during the first run; on CUDA the rise of ``torch.cuda.max_memory_allocated``.
Either way it is what the method needed on top of its inputs, its output (and the explicit
path's weights) included. Before running, each child estimates that need and skips the method,
with a line saying so, when it exceeds 85% of the memory available (``MemAvailable``, or the
GPU's free memory). The parent then checks, per length, that every method's output equals torch
SDPA's (max absolute difference within ``--atol``).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

# _common.py sits beside this script: run as a script, its folder is first on sys.path.
import _common
import numpy as np

METHODS = ("tokenlab explicit", "tokenlab fast", "torch SDPA", "naive loop")
BASELINE = "torch SDPA"
DEFAULT_LENGTHS = (128, 256, 512, 1024, 2048, 4096)
GIB = 2**30


# ----------------------------------------------------------------------------- the child


def _needed_bytes(method: str, n: int, length: int, dim: int, itemsize: int) -> int:
    """A generous estimate of the memory a method needs beyond its inputs.

    The explicit path holds about three ``(n, L, L)`` tensors at once (the scores, their
    exponentials and the weights, with a temporary); the fused kernels and the loop hold a few
    outputs' worth and per-thread blocks.
    """
    scores = n * length * length * itemsize
    outputs = n * length * dim * itemsize
    if method == "tokenlab explicit":
        return int(3.5 * scores) + 2 * outputs
    return 4 * outputs + 64 * 2**20


def _naive(q, k, v, causal: bool, keep=None):
    """Attention one query at a time, in Python: the textbook formula, nothing fused.

    ``keep``: ``None`` or a boolean ``(batch, L)`` key-padding mask (True = a real key).
    """
    import torch

    batch, heads, length, dim = q.shape
    out = torch.empty(batch, heads, length, v.shape[-1], dtype=q.dtype, device=q.device)
    scale = 1 / math.sqrt(dim)
    for b in range(batch):
        for h in range(heads):
            keys, values = k[b, h], v[b, h]
            if keep is not None:
                keys, values = keys[keep[b]], values[keep[b]]
            for i in range(length):
                visible = i + 1 if causal else keys.shape[0]
                scores = keys[:visible] @ q[b, h, i] * scale
                out[b, h, i] = torch.softmax(scores, dim=0) @ values[:visible]
    return out


PAIRED = "paired"  # the worker that alternates the three methods in one process
PAIRED_ROUNDS = 7


def _setup(args: argparse.Namespace):
    """The child's device, its ``q``, ``k``, ``v`` and every method as a zero-argument call."""
    import torch
    import torch.nn.functional as F

    from tokenlab.attention import scaled_dot_product_attention

    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(args.seed)
    shape = (args.batch, args.heads, args.length, args.dim)
    q, k, v = (torch.randn(shape, generator=gen).to(device) for _ in range(3))
    causal = args.causal
    keep = mask = None
    if args.padding:  # every other sequence of the batch: its last quarter is padding
        keep = torch.ones(args.batch, args.length, dtype=torch.bool)
        keep[::2, args.length - args.length // 4:] = False
        keep = keep.to(device)
        mask = keep[:, None, None, :]  # (batch, 1, 1, L): every head, every query
    runs = {
        "tokenlab explicit": lambda: scaled_dot_product_attention(q, k, v, mask=mask,
                                                                  causal=causal)[0],
        "tokenlab fast": lambda: scaled_dot_product_attention(q, k, v, mask=mask, causal=causal,
                                                              need_weights=False)[0],
        "torch SDPA": lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                             is_causal=causal),
        "naive loop": lambda: _naive(q, k, v, causal, keep),
    }
    return device, runs


def _available_bytes(device) -> int | None:
    """Free memory for the method: the GPU's free memory, or ``MemAvailable`` on the CPU."""
    import torch

    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    kib = _common.status_kib("MemAvailable", "/proc/meminfo")
    return kib * 1024 if kib is not None else None


def _fits(method: str, args: argparse.Namespace, available: int | None) -> bool:
    needed = _needed_bytes(method, args.batch * args.heads, args.length, args.dim, 4)
    return available is None or needed <= 0.85 * available


def _per_call(run, calls: int, device) -> float:
    """Seconds per call of ``calls`` back-to-back calls of ``run`` (synchronized on CUDA)."""
    import torch

    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(calls):
        run()
    if cuda:
        torch.cuda.synchronize(device)
    return (time.perf_counter() - start) / calls


def _calls_for(seconds: float, args: argparse.Namespace) -> int:
    """How many calls of ``seconds`` each fill ``--min-sample`` seconds (at least one)."""
    return max(1, math.ceil(args.min_sample / max(seconds, 1e-9)))


def _paired(args: argparse.Namespace) -> None:
    """Alternate samples of tokenlab explicit, tokenlab fast and torch SDPA in one process.

    Children measured one after another see the machine in different states (on the shared
    2-core build machine the fast path's ratio wandered from 0.65x to 2.4x between runs);
    rounds of one sample of each, back to back, share that state, and the median over rounds
    of the per-round ratio is what the targets are read from.
    """
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    device, every = _setup(args)
    names = ["torch SDPA", "tokenlab fast"]
    if _fits("tokenlab explicit", args, _available_bytes(device)):
        names.append("tokenlab explicit")
    runs = {name: every[name] for name in names}
    calls = {}
    for name, run in runs.items():
        run()  # warm up
        calls[name] = _calls_for(_per_call(run, 1, device), args)
    seconds, ratios = _common.paired_ratios(
        {name: functools.partial(_per_call, run, calls[name], device)
         for name, run in runs.items()}, PAIRED_ROUNDS, "torch SDPA")
    print(json.dumps({"length": args.length, "sdpa_s": statistics.median(seconds["torch SDPA"]),
                      "ratios": ratios}))


def _worker(args: argparse.Namespace) -> None:
    import torch
    import torch.nn.functional as F

    from tokenlab.attention import scaled_dot_product_attention

    if args.threads:
        torch.set_num_threads(args.threads)
    elif args.worker == "naive loop":
        # Its per-query operations are too small to share out: with more threads each of its
        # thousands of tiny calls pays a thread-pool hand-off, several times slower on a busy
        # machine. One thread is the loop at its best.
        torch.set_num_threads(1)
    length, method = args.length, args.worker
    if method not in METHODS:
        raise SystemExit(f"unknown method {method!r}")
    info = {"method": method, "length": length, "threads": torch.get_num_threads()}

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    available = _available_bytes(device)
    if not _fits(method, args, available):
        needed = _needed_bytes(method, args.batch * args.heads, length, args.dim, 4)
        info["skipped"] = (f"needs ~{needed / GIB:.1f} GiB, {available / GIB:.1f} GiB "
                           f"available")
        print(json.dumps(info))
        return

    device, runs = _setup(args)
    run = runs[method]

    def timed() -> tuple[float, object]:
        if cuda:
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        result = run()
        if cuda:
            torch.cuda.synchronize(device)
        return time.perf_counter() - start, result

    # Start the thread pools and the kernels on something small, then measure the first run.
    small = torch.randn(1, 1, 8, args.dim, device=device)
    F.scaled_dot_product_attention(small, small, small)
    scaled_dot_product_attention(small, small, small)
    if cuda:
        torch.cuda.synchronize(device)
        baseline = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        first, output = timed()
        peak_delta = (torch.cuda.max_memory_allocated(device) - baseline) / 2**20
        exact_peak = True
    else:
        (first, output), peak_delta, exact_peak = _common.peak_rise(timed)
    output = output.float().cpu().numpy()
    calls = _calls_for(timed()[0], args)
    times = [_per_call(run, calls, device) for _ in range(args.repeats)]
    info["calls_per_sample"] = calls
    np.save(args.out, output)
    info.update({
        "first_s": first,
        "times_s": times,
        "peak_delta_mib": peak_delta,
        "exact_peak": exact_peak,
    })
    print(json.dumps(info))


# ----------------------------------------------------------------------------- the parent


def _machine(device: str) -> str:
    import torch

    total = _common.status_kib("MemTotal", "/proc/meminfo")
    available = _common.status_kib("MemAvailable", "/proc/meminfo")
    memory = ""
    if total is not None and available is not None:
        memory = f", {total / 2**20:.1f} GiB memory ({available / 2**20:.1f} GiB available)"
    text = _common.machine() + memory
    if device.startswith("cuda"):
        text += f"; {torch.cuda.get_device_name(torch.device(device))}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=list(DEFAULT_LENGTHS),
                        help="sequence lengths L (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--dim", type=int, default=64, help="head dimension")
    parser.add_argument("--causal", action="store_true", help="causal attention")
    parser.add_argument("--padding", action="store_true",
                        help="a boolean key-padding mask, (batch, 1, 1, L), for every method: "
                             "the last quarter of every other sequence is padding")
    parser.add_argument("--repeats", type=int, default=3, help="timed samples per method")
    parser.add_argument("--min-sample", type=float, default=0.2,
                        help="seconds of back-to-back calls per timed sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--naive-max-len", type=int, default=512,
                        help="the naive loop runs only up to this length (default: 512)")
    parser.add_argument("--atol", type=float, default=1e-5,
                        help="agreement tolerance on outputs (default: 1e-5)")
    _common.add_child_options(parser, METHODS)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == PAIRED:
        _paired(args)
        return
    if args.worker:
        _worker(args)
        return

    methods = _common.parse_methods(parser, args.methods, METHODS)
    if args.padding and args.causal:
        parser.error("--padding and --causal: torch SDPA takes a mask or is_causal, not both")
    if any(length <= 0 for length in args.lengths):
        parser.error("lengths must be positive")
    import torch  # only for the versions printed and the device check

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda: CUDA is not available here")

    print(f"attention of (batch {args.batch}, heads {args.heads}, L, dim {args.dim}) float32 "
          f"q, k, v on {args.device}{', causal' if args.causal else ''}"
          f"{', key padding' if args.padding else ''}, seed {args.seed}; "
          f"median of {args.repeats} samples of >= {args.min_sample} s; naive loop up to "
          f"L={args.naive_max_len}")
    print(_machine(args.device))
    header = (f"{'L':>5}  {'method':<17} {'median s':>9} {'vs SDPA':>8} {'peak MiB':>9} "
              f"{'first s':>8}")
    print()
    print(header)
    print("-" * len(header))
    checks, threads, inexact = [], {}, False
    names = ("batch", "heads", "dim", "repeats", "seed", "device", "threads", "min_sample")
    flags = ("--causal",) * args.causal + ("--padding",) * args.padding
    with tempfile.TemporaryDirectory() as tmp:
        for length in args.lengths:
            results, outputs = {}, {}
            for method in methods:
                if method == "naive loop" and length > args.naive_max_len:
                    results[method] = {"skipped": f"L > --naive-max-len {args.naive_max_len}"}
                    continue
                out = Path(tmp) / f"{method.replace(' ', '_')}_{length}.npy"
                proc = _common.run_worker(__file__, method, args, names, "--length",
                                          str(length), "--out", str(out), *flags)
                if proc.returncode:
                    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
                    results[method] = {"failed": f"exit code {proc.returncode}"}
                    print(f"{method} at L={length}: failed\n" + "\n".join(tail), file=sys.stderr)
                    continue
                results[method] = _common.last_json(proc)
                if "skipped" not in results[method]:
                    outputs[method] = np.load(out)
                    out.unlink()
                    threads[method] = results[method]["threads"]
                    inexact |= not results[method]["exact_peak"]
            base = results.get(BASELINE, {})
            base_time = _common.median_s(base) if "times_s" in base else None
            for method, r in results.items():
                word = next((w for w in ("skipped", "failed") if w in r), None)
                if word:
                    print(f"{length:>5}  {method:<17} {word}: {r[word]}")
                    continue
                t = _common.median_s(r)
                ratio = f"{t / base_time:.2f}x" if base_time else "-"
                mem = r["peak_delta_mib"]
                mem_text = f"{mem:.0f}" if mem is not None else "n/a"
                print(f"{length:>5}  {method:<17} {t:>9.4f} {ratio:>8} {mem_text:>9} "
                      f"{r['first_s']:>8.4f}")
            print()
            reference = BASELINE if BASELINE in outputs else next(iter(outputs), None)
            for method, output in outputs.items():
                if method != reference:
                    diff = float(np.abs(output.astype(np.float64) - outputs[reference]).max())
                    diff = math.inf if math.isnan(diff) else diff
                    checks.append((length, method, reference, diff))
    if inexact:
        print("(peak memory could not be reset after data generation: it includes the data)")
    if threads:
        common = statistics.mode(threads.values())
        others = ", ".join(f"{m}: {t}" for m, t in threads.items() if t != common)
        print(f"threads per child: {common}" + (f" ({others})" if others else ""))
    if checks:
        print()
        worst = {}
        for length, method, reference, diff in checks:
            key = (method, reference)
            worst[key] = max(worst.get(key, (0.0, length)), (diff, length))
        for (method, reference), (diff, length) in worst.items():
            verdict = "agree" if diff <= args.atol else "DISAGREE"
            print(f"{method} vs {reference}: {verdict}, max |output difference| {diff:.1e} "
                  f"(at L={length}; atol {args.atol:g})")


    if {"torch SDPA", "tokenlab fast"} <= set(methods):
        print(f"\npaired: {PAIRED_ROUNDS} rounds of one sample of each method, alternating in "
              f"one process per length; the median (min-max) over rounds of each round's ratio "
              f"to torch SDPA")
        print(f"{'L':>5} {'SDPA s':>9}  {'tokenlab fast':>22}  {'tokenlab explicit':>22}")
        for length in args.lengths:
            proc = _common.run_worker(__file__, PAIRED, args, names, "--length", str(length),
                                      *flags)
            if proc.returncode:
                print(f"{length:>5} failed: exit code {proc.returncode}")
                continue
            r = _common.last_json(proc)
            cells = []
            for name in ("tokenlab fast", "tokenlab explicit"):
                x = r["ratios"].get(name)
                cells.append(_common.spread(x) if x else "skipped (memory)")
            print(f"{length:>5} {r['sdpa_s']:>9.4f}  {cells[0]:>22}  {cells[1]:>22}")


if __name__ == "__main__":
    main()

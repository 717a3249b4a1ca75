"""What the benchmark scripts share: peak memory from ``/proc``, the machine, the child processes.

Each script measures every method in a child process of its own (the script run again with
``--worker METHOD``), so that peak memories do not mix. The scripts are run as
``python benchmarks/bench_x.py``, which puts this folder first on ``sys.path``: they import this
module as ``_common``, and so do their children.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["add_child_options", "last_json", "machine", "median_s", "parse_methods", "peak_rise",
           "paired_ratios", "reset_peak", "rotations", "run_worker", "spread", "status_kib",
           "timer"]

T = TypeVar("T")


def status_kib(field: str, path: str = "/proc/self/status") -> int | None:
    """A ``kB`` field of a ``/proc`` file, in KiB.

    Parameters
    ----------
    field : str
        The field's name: ``"VmRSS"`` (resident size now), ``"VmHWM"`` (its peak) in
        ``/proc/self/status``; ``"MemTotal"``, ``"MemAvailable"`` in ``/proc/meminfo``.
    path : str
        The file to read.

    Returns
    -------
    int or None
        The number of KiB; None where the file or the field does not exist (not Linux).
    """
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible.

    Returns
    -------
    bool
        Whether ``/proc/self/clear_refs`` took the reset, so that a later ``VmHWM`` is the
        peak since now.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rise(run: Callable[[], T]) -> tuple[T, float | None, bool]:
    """Call ``run`` once and measure how far the peak resident set size rose meanwhile.

    Parameters
    ----------
    run : callable
        What to measure, called with no arguments.

    Returns
    -------
    result
        What ``run`` returned.
    float or None
        ``VmHWM`` after the call minus ``VmRSS`` before it, in MiB; None where ``/proc`` does not
        have them (not Linux).
    bool
        Whether :func:`reset_peak` took the reset first; if not, ``VmHWM`` is the peak of the
        process's whole life, so the rise may count memory freed before the call.
    """
    baseline = status_kib("VmRSS")
    exact = reset_peak()
    result = run()
    peak = status_kib("VmHWM")
    rise = None if peak is None or baseline is None else (peak - baseline) / 1024
    return result, rise, exact


def machine() -> str:
    """The line the scripts print about the machine: Python, torch, CPU count, architecture.

    Returns
    -------
    str
        ``"python 3.x.y, torch X, N CPUs, x86_64"``.
    """
    import torch

    return (f"python {platform.python_version()}, torch {torch.__version__}, "
            f"{os.cpu_count()} CPUs, {platform.machine()}")


def add_child_options(parser: argparse.ArgumentParser, methods: Sequence[str]) -> None:
    """Add the options of a script that runs each of ``methods`` in a child of its own.

    ``--threads`` and ``--methods`` for the reader; hidden, ``--worker METHOD`` and ``--out``
    (the file the child writes its output to), which :func:`run_worker` passes.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The script's parser, its other options already added (these come last in ``--help``).
    methods : sequence of str
        The methods the script has, all run by default.
    """
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads in each child (default: torch's default)")
    parser.add_argument("--methods", default=",".join(methods),
                        help=f"comma-separated subset of: {', '.join(methods)}")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)


def parse_methods(parser: argparse.ArgumentParser, text: str, known: Sequence[str]) -> list[str]:
    """The methods a ``--methods`` option names, comma-separated.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The script's parser, which exits with a usage error on an unknown method.
    text : str
        The option's value, ``"a,b"``.
    known : sequence of str
        The methods the script has.

    Returns
    -------
    list of str
        The methods named, in the order given, spaces around them dropped.
    """
    methods = [m.strip() for m in text.split(",") if m.strip()]
    unknown = set(methods) - set(known)
    if unknown:
        parser.error(f"unknown methods: {sorted(unknown)}")
    return methods


def run_worker(script: str, method: str, args: argparse.Namespace, names: Iterable[str],
               *extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` again, in a child process, to measure ``method`` alone.

    Parameters
    ----------
    script : str
        The benchmark script (its ``__file__``).
    method : str
        Passed as ``--worker METHOD``.
    args : argparse.Namespace
        The parent's options; each of ``names`` (a ``dest``, ``chunk_size``) is passed on as
        ``--NAME VALUE`` (``--chunk-size 4096``).
    names : iterable of str
        The options the child needs, after ``extra``.
    *extra : str
        More arguments, right after ``--worker METHOD`` (``"--out", path``).

    Returns
    -------
    subprocess.CompletedProcess
        The finished child, its stdout and stderr captured as text; the caller checks its
        ``returncode``.
    """
    command = [sys.executable, script, "--worker", method, *extra]
    for name in names:
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    return subprocess.run(command, capture_output=True, text=True)


def last_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON object a child printed on its last line of stdout (its results)."""
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_s(result: dict[str, Any]) -> float:
    """The median of a child's timed runs (``times_s``); its first run (``first_s``) when
    ``--repeats 0`` left none."""
    return statistics.median(result["times_s"]) if result["times_s"] else result["first_s"]


def rotations(names: Sequence[str], rounds: int) -> Iterator[list[str]]:
    """The order to run ``names`` in, for each of ``rounds`` paired rounds: round ``r`` starts
    at the ``r % len(names)``-th, so that no method always runs right after the same other one
    (a large method leaves caches and the allocator in a state the next one inherits).

    Examples
    --------
    >>> list(rotations(["a", "b", "c"], 4))
    [['a', 'b', 'c'], ['b', 'c', 'a'], ['c', 'a', 'b'], ['a', 'b', 'c']]
    """
    names = list(names)
    for r in range(rounds):
        shift = r % len(names) if names else 0
        yield names[shift:] + names[:shift]


def timer(run: Callable[[], object]) -> Callable[[], float]:
    """A function that calls ``run`` once and returns the seconds it took."""
    def timed() -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start
    return timed


def paired_ratios(samples: dict[str, Callable[[], float]], rounds: int, baseline: str
                  ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """The paired design: each of ``samples`` (a name -> a function returning one sample's
    seconds) once per round, back to back, in the order of :func:`rotations`.

    Returns the seconds of every round by name, and each round's ratio to ``baseline`` for
    every other name.
    """
    seconds: dict[str, list[float]] = {name: [] for name in samples}
    for order in rotations(list(samples), rounds):
        for name in order:
            seconds[name].append(samples[name]())
    base = seconds[baseline]
    return seconds, {name: [t / b for t, b in zip(times, base, strict=True)]
                     for name, times in seconds.items() if name != baseline}


def spread(ratios: Sequence[float]) -> str:
    """``"1.028x (0.79-1.23)"``: the median ratio and its range over rounds."""
    return f"{statistics.median(ratios):.3f}x ({min(ratios):.2f}-{max(ratios):.2f})"

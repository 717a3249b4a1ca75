"""Build the book: execute every notebook, several at a time, then render the site.

Run from the repository root (``make book`` and the tests' book build do)::

    python tools/build_book.py [--workers N] [--execute-only] [--busy-file PATH]

The book is configured with ``execute_notebooks: cache``: ``jupyter-book build`` takes each
notebook's outputs from ``_build/.jupyter_cache`` and only renders. This script first fills
that cache from scratch (it is emptied first, so no output outlives a change to ``tokenlab``:
jupyter-cache keys a notebook on its code cells only), running ``--workers`` notebooks at
once, the longest first, each in a fresh kernel whose working directory is the notebook's
folder (as ``jupyter-book`` would run it).

With ``--busy-file PATH``, only one notebook runs at a time while ``PATH`` exists: the tests
create it while their unit tests run beside the build and delete it when only the build is
left.

With more than one worker every kernel gets one thread (``OMP_NUM_THREADS=1`` and the like,
unless already set): two notebooks that each start a 2-thread pool on a 2-core machine wait
on each other's preempted threads, and run several times slower than one after the other.

A notebook that fails stops nothing else; the script prints its traceback and exits with 1
before rendering. Then it runs ``jupyter-book build . --warningiserror --keep-going`` (stale
pages removed first) and prints how long each phase took.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 300  # seconds per cell, as execute.timeout in _config.yml

#: The notebooks that took longest on the build machine, longest first, so that the last
#: notebook to start is a short one (longest-processing-time-first scheduling). Notebooks not
#: named here run after these, in file order.
LONGEST_FIRST = (
    "08_transformer", "09_language_models", "10_encoder_decoder", "01_tokenization",
    "03_vectors", "11_real_models", "02_vocabulary", "12_beyond", "04_corpus",
    "07_positions", "05_similarity", "06_attention", "13_precision",
)

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def notebooks() -> list[Path]:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    found = sorted((ROOT / "book").glob("*.ipynb"))
    return sorted(found, key=lambda p: rank.get(p.stem, len(rank)))


def _execute(args: tuple) -> tuple[str, int, float]:
    """Run one notebook and cache it (in a pool process); returns (uri, status, seconds)."""
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    pk, uri, cache = args
    # jupyter-cache trims the cache to its limit (1000) after caching each notebook, in two
    # queries: a record that the other worker adds between them is taken for an old one and
    # removed before its files exist ("Notebook file does not exist for cache record"), which
    # fails that notebook. The cache is emptied before every build and holds 13 notebooks, so
    # the workers never trim.
    cache.truncate_caches = lambda: None
    start = time.perf_counter()
    status, _ = ExecutionWorkerLocalMProc()(ProcessData(pk, uri, cache, TIMEOUT, False))
    return uri, status, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks at once (default: 2, or 1 on a 1-core machine)")
    parser.add_argument("--execute-only", action="store_true",
                        help="fill the cache, do not render")
    parser.add_argument("--busy-file", type=Path,
                        help="run one notebook at a time while this file exists")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be >= 1, got {args.workers}")

    from jupyter_cache import get_cache

    if args.workers > 1:
        for name in _THREAD_VARIABLES:
            os.environ.setdefault(name, "1")
    cache = get_cache(str(CACHE))
    cache.clear_cache()
    records = [cache.add_nb_to_project(str(path)) for path in notebooks()]
    print(f"executing {len(records)} notebooks, {args.workers} at a time "
          f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})", flush=True)
    start = time.perf_counter()
    jobs = [(r.pk, r.uri, cache) for r in records]
    failed: list[str] = []
    running: list = []

    def report(result) -> None:
        uri, status, seconds = result
        verdict = "ok" if status == 0 else "FAILED"
        print(f"  {Path(uri).relative_to(ROOT)}: {seconds:.1f} s, {verdict}", flush=True)
        if status:
            failed.append(uri)

    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        while jobs or running:
            for job in [j for j in running if j.ready()]:
                running.remove(job)
                report(job.get())
            # While the busy file exists (the tests' other work runs beside the build), one
            # notebook at a time: two processes on two cores, not three.
            allowed = 1 if args.busy_file and args.busy_file.exists() else args.workers
            while jobs and len(running) < allowed:
                running.append(pool.apply_async(_execute, (jobs.pop(0),)))
            time.sleep(0.2)
    executed = time.perf_counter() - start
    for record in cache.list_project_records():
        if record.uri in failed and record.traceback:
            print(f"\n{Path(record.uri).relative_to(ROOT)} failed:\n{record.traceback}",
                  file=sys.stderr)
    if failed:
        return 1
    if args.execute_only:
        return 0
    for stale in ("html", ".doctrees", "jupyter_execute"):
        shutil.rmtree(ROOT / "_build" / stale, ignore_errors=True)
    render_start = time.perf_counter()
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", ".", "--warningiserror", "--keep-going"], cwd=ROOT)
    rendered = time.perf_counter() - render_start
    print(f"notebooks {executed:.1f} s ({args.workers} at a time), "
          f"render {rendered:.1f} s, exit code {proc.returncode}", flush=True)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())

"""tf-idf on NSMC: tokenlab's ``TextVectorizer`` against scikit-learn's ``TfidfVectorizer``.

Run::

    python benchmarks/bench_tfidf.py [--docs 150000 --repeats 3]

``fit_transform`` of the first ``--docs`` reviews of NSMC's train split (150,000 in all; set
``TOKENLAB_DATA`` to the corpora folder, as ``make`` does), scikit-learn's convention
(smooth idf, l2 norm), sparse output. Each method runs in its own child process, so that peak
memories do not mix:

* ``tokenlab`` -- ``TextVectorizer("tf_idf", idf="sklearn", norm="l2", sparse=True)``
  (default tokenization: ``tokenlab.text.standardize`` then ``word_tokens``, run a few hundred
  texts at a time as in ``standardize_many``), torch's sparse COO output, whose indices are
  int64;
* ``tokenlab, csr`` -- the same with ``sparse="csr"``: CSR with int32 indices, scikit-learn's
  own output layout, so the like-for-like row for memory;
* ``sklearn, same tokens`` -- ``TfidfVectorizer(analyzer=f)`` where ``f`` is the same
  standardize + split, one text at a time (the analyzer callable sees one text), so it pays
  the per-text standardization that tokenlab batches; the peer for agreement;
* ``sklearn, own regex`` -- ``TfidfVectorizer()`` with its defaults (``str.lower`` and the
  regex ``(?u)\\b\\w\\w+\\b``): cheaper tokenization, a different vocabulary; a second peer
  line, not compared for agreement.

Time: the median of ``--repeats`` timed runs, after one untimed run; then a *paired* table,
where one child runs every method once per round, back to back, for ``--rounds`` rounds, and
the median (and range) over rounds of each round's ratio to ``tokenlab`` is printed: separate
children meet the machine in different states (the same method's time moved by 20% between
them on the 2-core build machine), rounds share it. Memory: the child's peak
resident set size over its whole life (``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the
interpreter, the imports -- torch for tokenlab --, the corpus and the runs), and the "rise":
the peak during the runs minus the resident size just before them (Linux: ``VmHWM`` in
``/proc/self/status``, reset through ``/proc/self/clear_refs`` once the corpus is loaded; where
that is impossible, the rise over the getrusage peak after loading, which can read 0), i.e.
what the method itself needed on top of its inputs. The rise moves by several MiB between
children with what the allocators keep or return, so each child then runs its method once more
under ``tracemalloc``: the "traced" peak of what that run allocates (Python objects and numpy
arrays; tokenlab's output tensors are views of numpy arrays, so nothing of either library
escapes it), which repeats within a few KiB. The parent then checks that
``tokenlab`` and ``tokenlab, csr`` each agree with ``sklearn, same tokens``: same vocabulary,
same non-zeros, values within 1e-6 (float32 against float64).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

# _common.py sits beside this script: run as a script, its folder is first on sys.path.
import _common
import numpy as np

METHODS = ("tokenlab", "tokenlab, csr", "sklearn, same tokens", "sklearn, own regex")
OURS = ("tokenlab", "tokenlab, csr")
PAIRED = "paired"  # the worker that alternates every method in one process
BASELINE = "tokenlab"
NSMC_TRAIN = 150_000


def _maxrss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux


def _analyze(text: str) -> list[str]:
    from tokenlab.text import standardize, word_tokens

    return word_tokens(standardize(text))


# ----------------------------------------------------------------------------- the child


def _run(method: str, docs: list[str]):
    """A no-argument function: ``method``'s ``fit_transform`` of ``docs``, returning
    (vectorizer, matrix)."""
    if method in OURS:
        from tokenlab.vectorize import TextVectorizer

        layout = "csr" if method == "tokenlab, csr" else True

        def run():
            v = TextVectorizer("tf_idf", idf="sklearn", norm="l2", sparse=layout)
            return v, v.fit_transform(docs)
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer

        def run():
            if method == "sklearn, same tokens":
                v = TfidfVectorizer(analyzer=_analyze)
            else:
                v = TfidfVectorizer()
            return v, v.fit_transform(docs)
    return run


def _paired(args: argparse.Namespace) -> None:
    """Each method once per round, back to back, in one process: the per-round time ratios
    to ``tokenlab`` (children run one after another meet the machine in different states)."""
    from tokenlab import corpus

    docs = [text for text, _ in corpus.load("nsmc", "train")[: args.docs]]
    runs = {method: _run(method, docs) for method in METHODS}
    for run in runs.values():
        run()  # warm up (imports, first allocations)
    seconds, ratios = _common.paired_ratios(
        {method: _common.timer(run) for method, run in runs.items()}, args.rounds, BASELINE)
    # Where tokenlab's tokenization time goes: standardize one text at a time (what the
    # analyzer callable of "sklearn, same tokens" does) against standardize_many.
    from tokenlab.text import standardize, standardize_many

    std_seconds, std_ratios = _common.paired_ratios(
        {"standardize_many": _common.timer(lambda: standardize_many(docs)),
         "standardize, one by one": _common.timer(lambda: [standardize(t) for t in docs])},
        args.rounds, "standardize_many")
    print(json.dumps({"seconds": seconds, "ratios": ratios, "standardize_seconds": std_seconds,
                      "standardize_ratios": std_ratios}))


def _worker(args: argparse.Namespace) -> None:
    from tokenlab import corpus

    docs = [text for text, _ in corpus.load("nsmc", "train")[: args.docs]]
    run = _run(args.worker, docs)

    def runs() -> tuple[list[float], tuple]:
        times = []
        for i in range(args.repeats + 1):
            start = time.perf_counter()
            result = run()
            if i:
                times.append(time.perf_counter() - start)
            if i < args.repeats:
                result = None  # free this run's output before the next run
        return times, result

    gc.collect()
    load_peak_mib = _maxrss_mib()
    (times, (vectorizer, matrix)), rise_mib, exact = _common.peak_rise(runs)
    peak_mib = _maxrss_mib()
    if not exact or rise_mib is None:  # no resettable high-water mark: rise from the load's peak
        rise_mib = peak_mib - load_peak_mib

    if args.worker in OURS:
        import torch

        if matrix.layout != torch.sparse_coo:
            matrix = matrix.to_sparse_coo()
        rows, cols = matrix.indices().numpy()
        values = matrix.values().numpy()
        features = vectorizer.vocabulary.tokens
    else:
        coo = matrix.tocoo()
        rows, cols, values = coo.row, coo.col, coo.data
        features = vectorizer.get_feature_names_out().tolist()
    out = Path(args.out)
    np.savez(out / "matrix.npz", rows=rows, cols=cols, values=values,
             shape=np.array(matrix.shape))
    shape, nnz = list(matrix.shape), int(len(values))
    del vectorizer, matrix, rows, cols, values
    (out / "result.json").write_text(json.dumps({
        "seconds": times, "peak_mib": peak_mib, "rise_mib": rise_mib,
        "traced_mib": _traced_peak_mib(run),
        "shape": shape, "nnz": nnz, "features": features,
    }, ensure_ascii=False))


def _traced_peak_mib(run) -> float:
    """The peak of the memory ``run`` allocates through Python's and numpy's allocators, in
    one more run under ``tracemalloc`` (slower, so not timed).

    Unlike the resident-size rise, it does not move with what the allocators kept from earlier
    runs or return to the system: it repeats within a few KiB between fresh processes. It
    misses what torch allocates itself; tokenlab's ``fit_transform`` allocates none of its
    arrays there (its output tensors are views of numpy arrays, ``torch.from_numpy``), so the
    figure covers both libraries.
    """
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak / 2**20


# ---------------------------------------------------------------------------- the parent


def _run_child(method: str, args: argparse.Namespace, folder: Path) -> dict:
    folder.mkdir()
    proc = _common.run_worker(__file__, method, args, ("docs", "repeats"), "--out", str(folder))
    if proc.returncode:
        raise SystemExit(f"{method} failed:\n{proc.stdout}{proc.stderr}")
    result = json.loads((folder / "result.json").read_text())
    result["matrix"] = dict(np.load(folder / "matrix.npz"))
    return result


def _agreement(ours: dict, theirs: dict) -> tuple[bool, str]:
    """Compare tokenlab's matrix with scikit-learn's, columns aligned by token."""
    import scipy.sparse

    def csr(r: dict) -> scipy.sparse.csr_matrix:
        m = r["matrix"]
        return scipy.sparse.csr_matrix((m["values"].astype(np.float64), (m["rows"], m["cols"])),
                                       shape=tuple(m["shape"]))

    index = {t: i for i, t in enumerate(ours["features"])}
    if sorted(ours["features"][2:]) != sorted(theirs["features"]):
        return False, "the vocabularies differ"
    a = csr(ours)[:, [index[t] for t in theirs["features"]]]
    b = csr(theirs)
    pattern_equal = ((a != 0) != (b != 0)).nnz == 0
    diff = float(abs(a - b).max()) if a.nnz or b.nnz else 0.0
    ok = pattern_equal and diff <= 1e-6 and ours["nnz"] == theirs["nnz"]
    return ok, (f"vocabulary {len(theirs['features'])} tokens (+ mask, OOV), "
                f"nnz {ours['nnz']} vs {theirs['nnz']}, same non-zeros: {pattern_equal}, "
                f"max |difference| {diff:.2e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=NSMC_TRAIN,
                        help=f"how many NSMC train reviews (at most {NSMC_TRAIN})")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the paired time table (0: none)")
    parser.add_argument("--worker", choices=(*METHODS, PAIRED), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.docs <= NSMC_TRAIN:
        parser.error(f"--docs must be in 1..{NSMC_TRAIN}, got {args.docs}")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    if args.worker == PAIRED:
        _paired(args)
        return 0
    if args.worker:
        _worker(args)
        return 0

    import sklearn

    print(f"tf-idf fit_transform, NSMC train, {args.docs} documents; median of "
          f"{args.repeats} runs after one untimed run; each method in its own process")
    print(f"{_common.machine()}, scikit-learn {sklearn.__version__}, numpy {np.__version__}\n")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, method in enumerate(METHODS):
            results[method] = _run_child(method, args, Path(tmp) / str(i))

    base = statistics.median(results[BASELINE]["seconds"])
    header = (f"{'method':<22}{'seconds':>9}{'vs tokenlab':>13}{'peak RSS':>11}"
              f"{'rise':>9}{'traced':>9}{'columns':>9}{'nnz':>10}")
    print(header)
    print("-" * len(header))
    summary = {"docs": args.docs, "repeats": args.repeats, "methods": {}}
    for method, r in results.items():
        median = statistics.median(r["seconds"])
        print(f"{method:<22}{median:>9.3f}{median / base:>12.2f}x{r['peak_mib']:>8.0f} MiB"
              f"{r['rise_mib']:>5.0f} MiB{r['traced_mib']:>5.0f} MiB{r['shape'][1]:>9}"
              f"{r['nnz']:>10}")
        summary["methods"][method] = {
            "seconds": r["seconds"], "median_s": median, "ratio_to_tokenlab": median / base,
            "peak_rss_mib": r["peak_mib"], "rise_mib": r["rise_mib"],
            "traced_peak_mib": r["traced_mib"],
            "columns": r["shape"][1], "nnz": r["nnz"],
        }
    print("\n'vs tokenlab' > 1: slower than tokenlab. Peak RSS includes the interpreter, the "
          "corpus and the imports (torch for tokenlab); 'rise' is the peak during the runs "
          "minus the resident size before them; 'traced' is the peak of what one more run "
          "allocates, under tracemalloc (it repeats within a few KiB, the rise by several MiB).")
    ok = True
    summary["agreement"] = {}
    for method in OURS:
        agree, detail = _agreement(results[method], results["sklearn, same tokens"])
        print(f"{method} vs sklearn (same tokens): {'AGREE' if agree else 'DISAGREE'}: {detail}")
        ok = ok and agree
        summary["agreement"][method] = detail
    summary["agree"] = ok
    if args.rounds > 0:
        proc = _common.run_worker(__file__, PAIRED, args, ("docs", "rounds"))
        if proc.returncode:
            raise SystemExit(f"the paired run failed:\n{proc.stdout}{proc.stderr}")
        paired = _common.last_json(proc)
        print(f"\npaired: {args.rounds} rounds of one run of each method, alternating in one "
              f"process; the median (min-max) over rounds of each round's time ratio to tokenlab")
        for method, x in paired["ratios"].items():
            print(f"{method:<22} {_common.spread(x)}")
        many = statistics.median(paired["standardize_seconds"]["standardize_many"])
        one = paired["standardize_ratios"]["standardize, one by one"]
        print(f"\nstandardize alone, paired as above: standardize_many {many:.3f} s (median); "
              f"one text at a time {_common.spread(one)} of that")
        summary["paired"] = paired
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

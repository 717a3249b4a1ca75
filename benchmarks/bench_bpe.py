"""BPE encoding: tokenlab's pure-Python ``BPETokenizer`` against tiktoken, same merges.

Run::

    python benchmarks/bench_bpe.py [--encodings cl100k_base o200k_base --docs 200000 --repeats 2]

Both tokenizers are built from the same ``.tiktoken`` file (``tokenlab.models``, so set
``TOKENLAB_MODELS`` to the models folder, as ``make`` does) and the same pattern: tokenlab's
through ``BPETokenizer.from_tiktoken``, tiktoken's as ``tiktoken.Encoding(...)`` with
``tiktoken.load.load_tiktoken_bpe`` (no network). Two texts: the first ``--docs`` NSMC reviews
(train then test; 200,000 in all), each encoded by its own call, and tinyshakespeare as one
string (1.1 MB). Rows:

* ``tiktoken`` -- ``Encoding.encode_ordinary(text)`` in a Python loop, one thread (Rust: regex
  and merges compiled); the baseline;
* ``tokenlab, cold`` -- ``BPETokenizer.encode`` with its piece cache emptied first: every
  distinct piece is merged once, during the pass (what a first pass over a corpus costs);
* ``tokenlab, warm`` -- the same again with the cache full: pre-tokenization and lookups only;
* ``tokenlab, regex only`` -- just the pre-tokenization (``regex`` finding the pieces), the
  floor of any encoder that uses the ``regex`` module for the split.

Time: the median of ``--repeats`` runs (each cold run starts from an empty cache); throughput
in MB/s of UTF-8; ``vs tiktoken`` divides by the tiktoken row of the same text. The last lines
check that tokenlab and tiktoken gave the same ids for every document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

# _common.py sits beside this script: run as a script, its folder is first on sys.path.
import _common

ROWS = ("tiktoken", "tokenlab, cold", "tokenlab, warm", "tokenlab, regex only")


def _texts(docs: int) -> dict[str, list[str]]:
    from tokenlab import corpus

    reviews = [t for t, _ in corpus.load("nsmc", "train")]
    reviews += [t for t, _ in corpus.load("nsmc", "test")]
    shakespeare = corpus.path("tinyshakespeare").read_text(encoding="utf-8")
    return {f"NSMC ({min(docs, len(reviews)):,} reviews)": reviews[:docs],
            "tinyshakespeare (1 string)": [shakespeare]}


def _time(run, repeats: int, before=None) -> tuple[float, object]:
    times, result = [], None
    for _ in range(max(1, repeats)):
        if before is not None:
            before()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _runs(ours, theirs, docs: list[str]) -> dict[str, tuple]:
    """Each row's run and what to do before each of its repeats."""
    return {
        "tiktoken": (lambda: [theirs.encode_ordinary(d) for d in docs], None),
        "tokenlab, cold": (lambda: [ours.encode(d) for d in docs], ours._cache.clear),
        "tokenlab, warm": (lambda: [ours.encode(d) for d in docs], None),
        "tokenlab, regex only": (lambda: [ours.pre_tokenize(d) for d in docs], None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encodings", nargs="+", default=["cl100k_base", "o200k_base"])
    parser.add_argument("--docs", type=int, default=200_000, help="NSMC reviews (max 200,000)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)

    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    from tokenlab import models
    from tokenlab.bpe import TIKTOKEN_ENCODINGS, BPETokenizer

    print(f"machine: {_common.machine()}; tiktoken {tiktoken.__version__}")
    print(f"settings: encodings {args.encodings}, docs {args.docs}, repeats {args.repeats}")
    texts = _texts(args.docs)
    agree = True
    for name in args.encodings:
        info = TIKTOKEN_ENCODINGS[name]
        ours = BPETokenizer.from_tiktoken(name)
        theirs = tiktoken.Encoding(
            f"{name}-local", pat_str=info["pattern"], special_tokens=info["special_tokens"],
            mergeable_ranks=load_tiktoken_bpe(str(models.path("tiktoken", info["file"]))))
        print(f"\n{name}")
        print(f"| text | {' | '.join(ROWS)} |")
        print("|---|" + "---:|" * len(ROWS))
        for label, docs in texts.items():
            size_mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
            runs = _runs(ours, theirs, docs)
            seconds, ids = {}, {}
            for row in ROWS:
                run, before = runs[row]
                seconds[row], ids[row] = _time(run, args.repeats, before)
            cells = [f"{seconds[r]:.2f} s, {size_mb / seconds[r]:.2f} MB/s "
                     f"({seconds[r] / seconds['tiktoken']:.1f}x)" for r in ROWS]
            print(f"| {label} | " + " | ".join(cells) + " |")
            same = ids["tokenlab, cold"] == ids["tiktoken"] == ids["tokenlab, warm"]
            agree &= same
            tokens = sum(map(len, ids["tiktoken"]))
            print(f"|   ids equal: {same}; {tokens:,} tokens, {size_mb:.2f} MB |")
    print(f"\nall ids equal to tiktoken's: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())

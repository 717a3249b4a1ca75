"""Generation: tokenlab's GPT.generate with and without its KV cache, against a naive loop.

Run::

    python benchmarks/bench_generate.py [--prompts 16 64 256 --new 64 --repeats 3]
                                        [--width 128 --layers 4 --heads 4 --vocab 65 --threads N]

A randomly initialized :class:`tokenlab.lm.GPT` (fixed seed, float32, eval mode, context
``max(prompts) + new``) continues a random prompt of each length by ``--new`` tokens, greedily
(``temperature=0``, so that every method must produce the same ids). Methods:

* ``cache`` -- ``model.generate(prompt, new, temperature=0)``: the prompt once, then one token
  per step against the cached keys and values;
* ``no cache`` -- the same with ``use_cache=False``: the whole prefix again at every step;
* ``naive loop`` -- the loop a reader writes first, the baseline: ``logits = model(seq)``,
  ``argmax`` of the last row, ``torch.cat``, under ``torch.no_grad``, no checks of its own.

Time: the median of ``--repeats`` runs after one untimed run (that run itself with
``--repeats 0``); tokens/s = ``new / seconds``;
``vs naive`` = the method's tokens/s over the naive loop's at that prompt length (> 1: faster).
The last line checks that the three produced the same ids at every length.
"""

from __future__ import annotations

import argparse
import time

# _common.py sits beside this script: run as a script, its folder is first on sys.path.
import _common
import torch

from tokenlab.lm import GPT

METHODS = ("cache", "no cache", "naive loop")


def naive(model: GPT, prompt: torch.Tensor, new: int) -> torch.Tensor:
    seq = prompt
    with torch.no_grad():
        for _ in range(new):
            nxt = model(seq)[:, -1].argmax(-1, keepdim=True)
            seq = torch.cat((seq, nxt), dim=1)
    return seq


def run(method: str, model: GPT, prompt: torch.Tensor, new: int) -> torch.Tensor:
    if method == "naive loop":
        return naive(model, prompt, new)
    return model.generate(prompt, new, temperature=0, use_cache=method == "cache")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--new", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=65)
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = GPT(args.vocab, width=args.width, heads=args.heads, layers=args.layers,
                context=max(args.prompts) + args.new).eval()
    print(f"GPT width={args.width} layers={args.layers} heads={args.heads} "
          f"vocab={args.vocab} ({model.num_parameters():,} parameters), {args.new} new tokens, "
          f"greedy, median of {args.repeats} after 1 untimed run")
    print(_common.machine() + f", {torch.get_num_threads()} torch threads")
    print(f"{'prompt':>6}  {'method':<11} {'median s':>9} {'tokens/s':>9} {'vs naive':>9}")
    same = True
    for length in args.prompts:
        prompt = torch.randint(0, args.vocab, (1, length),
                               generator=torch.Generator().manual_seed(length))
        rates, outputs = {}, {}
        for method in METHODS:
            start = time.perf_counter()
            outputs[method] = run(method, model, prompt, args.new)  # untimed (warm-up)
            first = time.perf_counter() - start
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                run(method, model, prompt, args.new)
                times.append(time.perf_counter() - start)
            seconds = _common.median_s({"times_s": times, "first_s": first})
            rates[method] = (seconds, args.new / seconds)
        for method in METHODS:
            seconds, rate = rates[method]
            print(f"{length:>6}  {method:<11} {seconds:>9.4f} {rate:>9.1f} "
                  f"{rate / rates['naive loop'][1]:>9.2f}")
        same &= all(torch.equal(outputs[m], outputs["naive loop"]) for m in METHODS)
    print("same ids from every method at every prompt length:", "yes" if same else "NO")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

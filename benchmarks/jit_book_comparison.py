"""benchmarks/book_comparison.py with our side twice: the NumPy path and the
numba kernels (autograd_nlp/jit.py), in the same alternating rounds as the
book's code and PyTorch CPU: ms per training iteration.

    python benchmarks/jit_book_comparison.py [--models rnnlm,seq2seq] [--rounds 7]

Same models, inputs, clock and thread pinning as book_comparison.py (its
options are accepted); ratios are medians of the per-round ratios, the
jit/NumPy one with its min-max over the rounds.
"""
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def switched(flag, step):
    from autograd_nlp import jit

    def run():
        with jit.enabled_as(flag):
            step()
    return run


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))    # its common.py would hide the book's
    sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    from benchmarks import book_comparison as bc
    args = bc.parse_args(argv)
    book_dir = os.path.abspath(args.book_dir)
    if bc.why_no_book(book_dir):
        print(f"jit_book_comparison: skipped, {bc.why_no_book(book_dir)}")
        return 0
    from benchmarks.common import alternate_rounds, header, pin_threads, try_torch
    note = pin_threads(args.threads) + bc.keep_memory_note(args)
    import numpy as np

    from autograd_nlp import jit
    if not jit.available():
        print("jit_book_comparison: skipped, numba is not installed")
        return 0
    torch = try_torch()
    header("the book's code vs ours (NumPy path, numba kernels) vs PyTorch CPU, ms per "
           "training iteration", note + f", book code from {book_dir}")
    print(f"# {args.rounds} alternating rounds after {args.warmup} warm-up iterations, "
          f"{args.clock} clock; ratios are medians of per-round ratios")
    print("| model | book | ours NumPy | ours jit | torch | NumPy/book | jit/book | "
          "NumPy/torch | jit/torch | jit/NumPy (min-max) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.models:
        data = bc.make_data(name, np, book_dir)
        steps = [bc.book_side(name, np, data),
                 switched(False, bc.our_side(name, data)),
                 switched(True, bc.our_side(name, data))]
        if torch is not None:
            steps.append(bc.torch_side(name, torch, data))
        times = alternate_rounds(steps, args.rounds, bc.CALLS_PER_ROUND[name], args.warmup,
                                 time.thread_time if args.clock == "cpu" else time.perf_counter)

        def ratio(a, b):
            return statistics.median([x / y for x, y in zip(times[a], times[b])])
        ms = [f"{statistics.median(t) * 1e3:.1f}" for t in times]
        per_round = [j / n for j, n in zip(times[2], times[1])]
        row = [bc.LABELS[name], ms[0], ms[1], ms[2], ms[3] if torch else "-",
               f"{ratio(1, 0):.2f}", f"{ratio(2, 0):.2f}",
               f"{ratio(1, 3):.2f}" if torch else "-", f"{ratio(2, 3):.2f}" if torch else "-",
               f"{statistics.median(per_round):.2f} ({min(per_round):.2f}-{max(per_round):.2f})"]
        print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

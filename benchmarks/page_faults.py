"""Page faults and time per training iteration, each side alone in its own
process (as a training run is): the book's code, ours and PyTorch CPU at
book_comparison.py's configurations, one thread, thread CPU time.

    python benchmarks/page_faults.py [--models seq2seq,peeky,attention] [--iters 40]

Ours runs twice: as a library call leaves the process (glibc's default
thresholds, the workspace of workspace.py only) and after
``training.allocator.keep_freed_memory()`` (what ``Trainer.fit`` does).
A same-process comparison (book_comparison.py) shares one allocator among
the sides, so each side's faults there depend on what the others freed;
here they do not.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(side, name, iters):
    """One side alone: ms per iteration (thread CPU) and minor faults."""
    here = os.path.dirname(os.path.abspath(__file__))    # its common.py would hide the book's
    sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    from benchmarks.common import pin_threads
    pin_threads(1)
    import numpy as np

    from benchmarks import book_comparison as bc
    book_dir = bc.default_book_dir()
    if side == "book":
        bc.import_book(book_dir)
    data = bc.make_data(name, np, book_dir)
    if side == "book":
        step = bc.book_side(name, np, data)
    elif side == "torch":
        import torch
        torch.set_num_threads(1)
        step = bc.torch_side(name, torch, data)
    else:
        if side == "ours-kept":
            from autograd_nlp.training import allocator
            allocator.keep_freed_memory()
        step = bc.our_side(name, data)
    for _ in range(5):
        step()
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.thread_time()
    for _ in range(iters):
        step()
    after, end = resource.getrusage(resource.RUSAGE_SELF), time.thread_time()
    return {"ms": (end - start) / iters * 1e3,
            "faults": (after.ru_minflt - before.ru_minflt) / iters}


SIDES = ("book", "ours", "ours-kept", "torch")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="seq2seq,peeky,attention")
    p.add_argument("--iters", type=int, default=40, help="timed iterations (default: 40)")
    p.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.side:
        print(json.dumps(measure(args.side, args.models, args.iters)))
        return 0
    sys.path.insert(0, ROOT)
    from benchmarks.book_comparison import default_book_dir, why_no_book
    if why_no_book(default_book_dir()):
        print(f"page_faults: skipped, {why_no_book(default_book_dir())}")
        return 0
    print("| model | " + " | ".join(f"{s} ms (faults)" for s in SIDES) + " | ours/book | "
          "ours-kept/book | ours/torch | ours-kept/torch |")
    print("|---" * (len(SIDES) + 5) + "|")
    for name in args.models.split(","):
        rows = {}
        for side in SIDES:
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "--side", side,
                                   "--models", name, "--iters", str(args.iters)],
                                  capture_output=True, text=True, cwd=ROOT,
                                  env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
            if done.returncode != 0:
                print(f"{name} {side} failed:\n{done.stderr}", file=sys.stderr)
                return 1
            rows[side] = json.loads(done.stdout.strip().splitlines()[-1])
        ms = {s: rows[s]["ms"] for s in SIDES}
        print(f"| {name} | " + " | ".join(f"{ms[s]:.1f} ({rows[s]['faults']:.0f})" for s in SIDES)
              + f" | {ms['ours'] / ms['book']:.2f} | {ms['ours-kept'] / ms['book']:.2f} | "
              f"{ms['ours'] / ms['torch']:.2f} | {ms['ours-kept'] / ms['torch']:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Wall time per training iteration with the LSTM layer's rows split
between threads (threads.py) against the same code without the split, on
all the machine's cores, each side alone in its own process, alternating
rounds (the VM's speed drifts between runs, so only same-round ratios are
compared).

    python benchmarks/row_threads.py [--models seq2seq,peeky,attention,main-job]
                                     [--rounds 3] [--iters 30] [--threads 2]

Sides (ours keeps freed memory, as ``Trainer.fit`` does):
  rows       ours as shipped: the rows in blocks on THREADS threads, BLAS at one
  blas       ours without the split (AUTOGRAD_NLP_THREADS=1), BLAS on THREADS
             threads: the behaviour before threads.py
  one        ours on one thread (OPENBLAS_NUM_THREADS=1), for reference
  torch      idiomatic PyTorch CPU on THREADS threads (not for main-job)
Models: the book's seq2seq, peeky and attention configurations
(book_comparison.py) and main-job, the main job's step (attention, hidden
128, dropout 0.1, questions of 40 characters, 95 characters, batch 128).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ("seq2seq", "peeky", "attention", "main-job")
SIDES = ("rows", "blas", "one", "torch")


def side_environment(side, threads):
    env = dict(os.environ)
    blas = "1" if side == "one" else str(threads)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = blas
    env.pop("AUTOGRAD_NLP_THREADS", None)
    if side == "blas":
        env["AUTOGRAD_NLP_THREADS"] = "1"
    return env


def main_job_step():
    """The main job's training iteration on random ids of its shapes."""
    import numpy as np

    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from benchmarks.our_steps import seq2seq_step
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 95, (128, 40)), rng.integers(0, 95, (128, 11))
    return seq2seq_step(AttentionSeq2seq(95, 16, 128, dropout=0.1), xs, ts, lr=0.003)


def measure(side, name, iters, threads):
    """One side alone in this process: median wall ms per iteration."""
    here = os.path.dirname(os.path.abspath(__file__))    # its common.py would hide the book's
    sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    import numpy as np

    from benchmarks import book_comparison as bc
    if side == "torch":
        import torch
        torch.set_num_threads(threads)
        step = bc.torch_side(name, torch, bc.make_data(name, np, bc.default_book_dir()))
    else:
        from autograd_nlp.training import allocator
        allocator.keep_freed_memory()
        step = main_job_step() if name == "main-job" else \
            bc.our_side(name, bc.make_data(name, np, bc.default_book_dir()))
    for _ in range(5):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def run_side(side, name, iters, threads):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", side, name,
                          str(iters), str(threads)], env=side_environment(side, threads),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--sides", default=",".join(SIDES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--iters", type=int, default=30)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    args.sides = [s for s in args.sides.split(",") if s]
    for m in args.models:
        if m not in MODELS:
            p.error(f"--models: {m!r} is not one of {', '.join(MODELS)}")
    for s in args.sides:
        if s not in SIDES:
            p.error(f"--sides: {s!r} is not one of {', '.join(SIDES)}")
    return args


def main(argv=None):
    if argv is None and sys.argv[1:2] == ["--one"]:
        side, name, iters, threads = sys.argv[2:6]
        print(json.dumps(measure(side, name, int(iters), int(threads))))
        return
    args = parse_args(argv)
    print(f"# rows split between threads: wall ms per iteration, {args.threads} threads, "
          f"median of {args.iters} iterations per side and round, each side alone in its "
          f"process", flush=True)
    for name in args.models:
        sides = [s for s in args.sides if not (s == "torch" and name == "main-job")]
        rounds = {s: [] for s in sides}
        for _ in range(args.rounds):
            for side in sides:
                rounds[side].append(run_side(side, name, args.iters, args.threads))
        cells = "  ".join(f"{s} " + "/".join(f"{v:.1f}" for v in rounds[s]) for s in sides)
        print(f"{name}: {cells}")
        if "rows" in rounds and "blas" in rounds:
            ratios = [r / b for r, b in zip(rounds["rows"], rounds["blas"])]
            print("  rows / blas (same round): " + ", ".join(f"{x:.2f}" for x in ratios))
        if "rows" in rounds and "torch" in rounds:
            ratios = [r / t for r, t in zip(rounds["rows"], rounds["torch"])]
            print("  rows / torch (same round): " + ", ".join(f"{x:.2f}" for x in ratios))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

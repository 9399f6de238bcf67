"""The numba kernels (autograd_nlp/jit.py) against the NumPy path, op by op,
at the chapter models' shapes: forward + backward of each op (Adam: one
update), alternating rounds in one process, one BLAS thread, this thread's
CPU time; the ratio is the median of the per-round ratios.

    python benchmarks/jit_kernels.py [--rounds 15] [--ops lstm,softmax_ce,...]
    python benchmarks/jit_kernels.py --compile     # first-call compile and cache-load times

``--compile`` runs a fresh process per kernel family twice: with an empty
numba cache (NUMBA_CACHE_DIR pointed at a new folder: the compile cost of a
first run) and again with that cache (what every later run pays).
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import alternate_rounds, header, pin_threads  # noqa: E402

NOTE = pin_threads(1)

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import autograd_nlp as ag  # noqa: E402
import autograd_nlp.functions as F  # noqa: E402
from autograd_nlp import jit, optim  # noqa: E402

OPS = ("lstm", "softmax_ce", "negative_sampling", "adam")


def lstm_cases(rng):
    """(label, step function): forward + backward of one LSTM layer call."""
    for label, B, T, D, H in [("seq2seq encoder", 128, 7, 16, 128),
                              ("attention encoder", 128, 29, 16, 256),
                              ("Rnnlm layer", 20, 5, 100, 100),
                              ("BetterRnnlm layer", 20, 35, 650, 650)]:
        xs = ag.Variable(rng.standard_normal((B, T, D)).astype(np.float32))
        Wx, Wh, b = (ag.Variable((rng.standard_normal(s) * 0.1).astype(np.float32))
                     for s in ((D, 4 * H), (H, 4 * H), (4 * H,)))

        def step(xs=xs, Wx=Wx, Wh=Wh, b=b):
            for p in (xs, Wx, Wh, b):
                p.cleargrad()
            hs, h, c = F.lstm_sequence(xs, Wx, Wh, b)
            (hs * hs).sum().backward()
        yield f"lstm_sequence, {label} ({B} x {T} x {D} -> {H})", step


def softmax_ce_cases(rng):
    for label, N, C in [("Rnnlm/BetterRnnlm", 700, 10_000), ("seq2seq decoder", 640, 13),
                        ("attention decoder", 1408, 59)]:
        x = ag.Variable(rng.standard_normal((N, C)).astype(np.float32))
        t = rng.integers(0, C, N)

        def step(x=x, t=t):
            x.cleargrad()
            F.softmax_cross_entropy(x, t).backward()
        yield f"softmax_cross_entropy, {label} ({N} x {C})", step


def negative_sampling_cases(rng):
    V, D = 10_000, 100
    W_in, W_out = (ag.Variable((rng.standard_normal((V, D)) * 0.1).astype(np.float32))
                   for _ in range(2))
    for B, weighted in ((100, False), (4000, False), (4000, True)):
        contexts, samples = rng.integers(0, V, (B, 10)), rng.integers(0, V, (B, 6))
        # train cbow's default: reduced windows (a 0/1 mask) and the sum of the contexts
        weights = ((np.arange(10) % 5)[None] < rng.integers(1, 6, (B, 1))).astype(np.float32)

        def step(contexts=contexts, samples=samples, w=(weights,) if weighted else ()):
            W_in.cleargrad()
            W_out.cleargrad()
            F.negative_sampling_loss(W_in, W_out, contexts, samples, *w).backward()
        label = ", reduced windows (weights)" if weighted else ""
        yield (f"negative_sampling_loss, batch {B}{label} (V {V}, D {D}, window 10, "
               f"5 negatives)", step)


def adam_cases(rng):
    for label, shapes in [("CBOW tables", [(10_000, 100)] * 2),
                          ("seq2seq parameters", [(13, 16), (16, 512), (128, 512), (512,),
                                                  (13, 16), (16, 512), (128, 512), (512,),
                                                  (128, 13), (13,)]),
                          ("BetterRnnlm parameters", [(10_000, 650), (650, 2600), (650, 2600),
                                                      (2600,), (650, 2600), (650, 2600),
                                                      (2600,), (10_000,)])]:
        params = [ag.Variable(rng.standard_normal(s).astype(np.float32)) for s in shapes]
        for p in params:
            p.grad = ag.Variable(rng.standard_normal(p.shape).astype(np.float32))
        opt = optim.Adam(params)
        n = sum(p.size for p in params)
        yield f"Adam update, {label} ({len(shapes)} arrays, {n / 1e6:.2f} M floats)", opt.update


CASES = {"lstm": lstm_cases, "softmax_ce": softmax_ce_cases,
         "negative_sampling": negative_sampling_cases, "adam": adam_cases}


def switched(flag, fn):
    def step():
        with jit.enabled_as(flag):
            fn()
    return step


def compile_times():
    """Seconds for each kernel family's first forward + backward in a fresh
    process: cold (empty cache: numba compiles) and warm (cache loaded)."""
    code = ("import time, numpy as np, sys; sys.path.insert(0, %r)\n"
            "from benchmarks.jit_kernels import CASES\n"
            "rng = np.random.default_rng(0); name = sys.argv[1]\n"
            "cases = list(CASES[name](rng))\n"
            "t = time.perf_counter(); import numba; t_import = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "for _, step in cases[:1]: step()\n"
            "t_first = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "for _, step in cases[:1]: step()\n"
            "print(t_import, t_first - (time.perf_counter() - t))\n" % ROOT)
    print("| kernels | numba import, s | first call, empty cache (compile), s | "
          "first call, cache loaded, s |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for name in OPS:
            runs = [subprocess.run([sys.executable, "-c", code, name], env=env, check=True,
                                   capture_output=True, text=True).stdout.split()
                    for _ in range(2)]
            print(f"| {name} | {float(runs[1][0]):.2f} | {float(runs[0][1]):.2f} | "
                  f"{float(runs[1][1]):.3f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--ops", default=",".join(OPS),
                        help=f"comma-separated subset of {','.join(OPS)}")
    parser.add_argument("--compile", action="store_true",
                        help="measure the kernels' compile and cache-load times instead")
    args = parser.parse_args(argv)
    if not jit.available():
        print("jit_kernels: skipped, numba is not installed (pip install autograd-nlp[jit])")
        return 0
    if args.compile:
        header("numba kernels: compile time of a first call, cold and from the cache", NOTE)
        compile_times()
        return 0
    header("numba kernels vs the NumPy path, ms per call (thread CPU time; ratio = median "
           "of per-round ratios, min-max in brackets)", NOTE)
    print(f"# {args.rounds} alternating rounds after 2 warm-up calls of each")
    print("| op and shape | NumPy | jit | jit/NumPy (min-max) |")
    print("|---|---|---|---|")
    rng = np.random.default_rng(0)
    for name in args.ops.split(","):
        for label, fn in CASES[name](rng):
            # enough calls per round for ~20 ms of work
            start = time.thread_time()
            fn()
            number = max(1, int(0.02 / max(time.thread_time() - start, 1e-5)))
            numpy_t, jit_t = alternate_rounds([switched(False, fn), switched(True, fn)],
                                              args.rounds, number, 2, time.thread_time)
            ratios = [j / n for j, n in zip(jit_t, numpy_t)]
            print(f"| {label} | {statistics.median(numpy_t) * 1e3:.3f} | "
                  f"{statistics.median(jit_t) * 1e3:.3f} | {statistics.median(ratios):.2f} "
                  f"({min(ratios):.2f}-{max(ratios):.2f}) |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

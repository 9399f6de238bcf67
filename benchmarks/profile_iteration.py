"""Where an iteration's time goes: cProfile of our training step (the same
step as book_comparison.py) or of engine_overhead.py's op chain, printed as
the functions with the most own time; and ("gemm") the LSTM step's three
matrix products at the seq2seq shapes, NumPy's BLAS against torch's, since
those products are most of a recurrent step.

    python benchmarks/profile_iteration.py [--models seq2seq,peeky,attention,engine,gemm] [--iters 20]
    python benchmarks/profile_iteration.py --models products-better-rnnlm
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import pin_threads  # noqa: E402

NOTE = pin_threads(1)

import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import book_comparison  # noqa: E402


def gemm_peer(repeat=60):
    """Thread-CPU ms of h @ Wh, dgates @ Wh^T and h^T @ dgates (batch 128)
    in NumPy and torch, alternating, medians; hidden 128 (addition) and 256
    (dates)."""
    import statistics

    from benchmarks.common import try_torch
    torch = try_torch()
    if torch is None:
        print("\n## gemm: torch is not installed, nothing to compare")
        return
    rng = np.random.default_rng(0)
    print("\n## gemm: LSTM step products, thread-CPU ms (median), NumPy vs torch")
    for hidden in (128, 256):
        h = rng.standard_normal((128, hidden)).astype(np.float32)
        Wh = rng.standard_normal((hidden, 4 * hidden)).astype(np.float32)
        dgates = rng.standard_normal((128, 4 * hidden)).astype(np.float32)
        th, tW, td = (torch.as_tensor(a) for a in (h, Wh, dgates))
        cases = [("h @ Wh", lambda: h @ Wh, lambda: th @ tW),
                 ("dgates @ Wh.T", lambda: dgates @ Wh.T, lambda: td @ tW.T),
                 ("h.T @ dgates", lambda: h.T @ dgates, lambda: th.T @ td)]
        for label, ours, theirs in cases:
            a, b = [], []
            for _ in range(repeat):
                for fn, times in ((ours, a), (theirs, b)):
                    start = time.thread_time()
                    fn()
                    times.append(time.thread_time() - start)
            ratio = statistics.median(x / y for x, y in zip(a, b))
            print(f"H={hidden:3} {label:14} numpy {statistics.median(a) * 1e3:6.3f}  "
                  f"torch {statistics.median(b) * 1e3:6.3f}  numpy/torch {ratio:.2f}")


def better_rnnlm_products(repeat=5):
    """Every matrix product of one BetterRnnlm iteration (batch 20 x 35
    steps, hidden 650, vocab 10,000, two LSTM layers, tied output) timed
    alone, in NumPy (the orientations our ops use) and in torch, alternating:
    the floor that BLAS sets under ours/torch for that model."""
    import statistics

    from benchmarks.common import try_torch
    torch = try_torch()
    if torch is None:
        print("\n## products: torch is not installed, nothing to compare")
        return
    rng = np.random.default_rng(0)
    B, T, H, V = 20, 35, 650, 10000

    def arrays(*shapes):
        return [rng.standard_normal(s).astype(np.float32) for s in shapes]
    x, Wx, d, E, dl = arrays((B * T, H), (H, 4 * H), (B * T, 4 * H), (V, H), (B * T, V))
    h, Wh, dg = arrays((B, H), (H, 4 * H), (B, 4 * H))
    def same(fn):
        return fn, fn
    per_layer = [("x @ Wx", *same(lambda a: a[0] @ a[1]), (x, Wx), 1),
                 ("x.T @ dgates (dWx)", *same(lambda a: a[0].T @ a[1]), (x, d), 1),
                 ("dgates @ Wx.T (dx)", *same(lambda a: a[1] @ a[0].T), (Wx, d), 1),
                 ("hs.T @ dgates (dWh)", *same(lambda a: a[0].T @ a[1]), (x, d), 1),
                 ("h @ Wh (per step)", *same(lambda a: a[0] @ a[1]), (h, Wh), T),
                 ("dh = dgates @ Wh.T (per step)",              # as lstm_sequence does it
                  lambda a: np.ascontiguousarray((a[0] @ a[1].T).T),
                  lambda a: a[1] @ a[0].T, (Wh, dg), T)]
    output = [("hs @ E.T", *same(lambda a: a[0] @ a[1].T), (x, E), 1),
              ("dlogits @ E", *same(lambda a: a[0] @ a[1]), (dl, E), 1),
              ("hs.T @ dlogits", *same(lambda a: a[0].T @ a[1]), (x, dl), 1)]
    total = [0.0, 0.0]
    print("\n## products of one BetterRnnlm iteration, thread-CPU ms (median), NumPy vs torch")
    for layers, rows in ((2, per_layer), (1, output)):
        for label, ours_fn, torch_fn, args, count in rows:
            targs = [torch.as_tensor(a) for a in args]
            a, b = [], []
            for _ in range(repeat):
                for f, given, times in ((ours_fn, args, a), (torch_fn, targs, b)):
                    start = time.thread_time()
                    f(given)
                    times.append(time.thread_time() - start)
            ms = [statistics.median(t) * 1e3 for t in (a, b)]
            total[0] += ms[0] * count * layers
            total[1] += ms[1] * count * layers
            print(f"{label:30} x{count * layers:3}  numpy {ms[0]:7.3f}  torch {ms[1]:7.3f}  "
                  f"numpy/torch {ms[0] / ms[1]:.2f}")
    print(f"all products per iteration: numpy {total[0]:.1f} ms, torch {total[1]:.1f} ms, "
          f"numpy/torch {total[0] / total[1]:.2f}")


def engine_step():
    from benchmarks.engine_overhead import ours_step
    return ours_step


def main(argv=None):
    parser = argparse.ArgumentParser(prog="profile_iteration.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="seq2seq,peeky,attention,engine,gemm",
                        help="comma-separated: book_comparison's models, 'engine', "
                             "'gemm' and 'products-better-rnnlm' (default: %(default)s)")
    parser.add_argument("--iters", type=int, default=20,
                        help="profiled iterations after 3 warm-up ones (default: %(default)s)")
    parser.add_argument("--top", type=int, default=15,
                        help="rows printed per profile (default: %(default)s)")
    args = parser.parse_args(argv)
    print(f"# cProfile, {args.iters} iterations each, {NOTE}")
    for name in args.models.split(","):
        if name == "gemm":
            gemm_peer()
            continue
        if name == "products-better-rnnlm":
            better_rnnlm_products()
            continue
        if name == "engine":
            step = engine_step()
        else:
            step = book_comparison.our_side(name, book_comparison.make_data(name, np, None))
        for _ in range(3):
            step()
        profile = cProfile.Profile(time.thread_time)    # CPU time: steadier on a shared machine
        profile.enable()
        for _ in range(args.iters):
            step()
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"\n## {name}: {stats.total_tt / args.iters * 1e3:.1f} ms thread-CPU time per "
              f"iteration under the profiler")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

"""Where an iteration's time goes: cProfile of our training step (the same
step as book_comparison.py) or of engine_overhead.py's op chain, printed as
the functions with the most own time.

    python benchmarks/profile_iteration.py [--models seq2seq,peeky,attention,engine] [--iters 20]
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

import numpy as np  # noqa: E402

from benchmarks import book_comparison  # noqa: E402


def engine_step():
    from benchmarks.engine_overhead import ours_step
    return ours_step


def main(argv=None):
    parser = argparse.ArgumentParser(prog="profile_iteration.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="seq2seq,peeky,attention,engine",
                        help="comma-separated: book_comparison's models and 'engine' "
                             "(default: %(default)s)")
    parser.add_argument("--iters", type=int, default=20,
                        help="profiled iterations after 3 warm-up ones (default: %(default)s)")
    parser.add_argument("--top", type=int, default=15,
                        help="rows printed per profile (default: %(default)s)")
    args = parser.parse_args(argv)
    print(f"# cProfile, {args.iters} iterations each, {NOTE}")
    for name in args.models.split(","):
        if name == "engine":
            step = engine_step()
        else:
            step = book_comparison.our_side(name, book_comparison.make_data(name, np, None))
        for _ in range(3):
            step()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.iters):
            step()
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"\n## {name}: {stats.total_tt / args.iters * 1e3:.1f} ms per iteration "
              f"under the profiler")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

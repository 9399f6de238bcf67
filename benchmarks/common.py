"""Shared benchmark helpers: thread pinning, timing, the PyTorch peer."""
import os
import platform
import statistics
import time


def pin_threads(n):
    """Give NumPy's BLAS and PyTorch the same thread count (returns a note)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    note = f"threads={n}"
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        note += " (threadpoolctl missing: BLAS pinned only via environment)"
    torch = try_torch()
    if torch is not None:
        torch.set_num_threads(n)
    return note


def try_torch():
    try:
        import torch
        return torch
    except ImportError:
        return None


def median_time(fn, repeat=7, warmup=2, number=1, clock=time.perf_counter):
    """Median seconds per call of ``fn`` over ``repeat`` runs of ``number`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn()
        times.append((clock() - start) / number)
    return statistics.median(times)


def header(title, threads_note):
    import numpy
    torch = try_torch()
    peer = f"torch {torch.__version__}" if torch else "torch not installed (no peer)"
    print(f"# {title}")
    print(f"# python {platform.python_version()}, numpy {numpy.__version__}, {peer}, "
          f"{threads_note}, {platform.machine()}")


def compare(ours, theirs, rounds=7, number=5, warmup=2, clock=time.perf_counter):
    """Time two step functions in alternating rounds (ours, then theirs, in
    each round) so that machine noise hits both alike. Returns (median
    seconds per call of ours, of theirs, median of the per-round ratios)."""
    a, b = alternate_rounds([ours, theirs], rounds, number, warmup, clock)
    ratios = [x / y for x, y in zip(a, b)]
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def alternate_rounds(steps, rounds=7, number=5, warmup=2, clock=time.perf_counter):
    """Run each step function ``number`` times per round, one after the
    other, for ``rounds`` rounds (after ``warmup`` calls of each). Returns one
    list per step of its seconds per call in each round, so ratios can be
    taken round by round. ``clock=time.thread_time`` counts only this
    thread's CPU time (one BLAS and one torch thread both compute in it),
    which a machine shared with other jobs disturbs far less than wall time."""
    for _ in range(warmup):
        for fn in steps:
            fn()
    times = [[] for _ in steps]
    for _ in range(rounds):
        for fn, own in zip(steps, times):
            start = clock()
            for _ in range(number):
                fn()
            own.append((clock() - start) / number)
    return times

"""Engine overhead: the cost of the graph machinery itself.

    python benchmarks/engine_overhead.py

1. Microseconds per op (forward + backward) for a chain of 1,000 elementwise
   ops on tiny arrays, where NumPy's work is negligible and the engine's
   bookkeeping is all that is measured; PyTorch CPU runs the same chain in
   the same process and the ratio is printed.
2. Backward-walk time for chains of 1k / 10k / 100k nodes: time per node
   should stay flat (the walk is linear: a heap keyed by generation).
3. ``get_array_module`` on NumPy arrays, which ops call on their hot path:
   one type check per argument (~0.14 us a call here, the lambda included).

Times are this thread's CPU time (``time.thread_time``; torch runs one
thread, in this one), which other jobs on a shared machine disturb far less
than wall time.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import compare, header, median_time, pin_threads, try_torch  # noqa: E402

NOTE = pin_threads(1)

import time  # noqa: E402

import numpy as np  # noqa: E402

import autograd_nlp as ag  # noqa: E402
import autograd_nlp.functions as F  # noqa: E402
from autograd_nlp.backend import get_array_module  # noqa: E402

CHAIN = 1000
CLOCK = time.thread_time


def chain(lib, x, n=CHAIN):
    """A mix of the ops an RNN step is made of: mul, add, tanh, sigmoid."""
    tanh, sigmoid = (F.tanh, F.sigmoid) if lib == "ours" else (lib.tanh, lib.sigmoid)
    y = x
    for i in range(n // 4):
        y = tanh(y * 0.9)
        y = sigmoid(y + 0.1)
    return y.sum()


def ours_step():
    x = ag.Variable(np.linspace(-1, 1, 4).astype(np.float32))
    chain("ours", x).backward()


def ours_forward():
    x = ag.Variable(np.linspace(-1, 1, 4).astype(np.float32))
    return chain("ours", x)


def torch_steps(torch):
    def step():
        x = torch.linspace(-1, 1, 4, requires_grad=True)
        chain(torch, x).backward()

    def forward():
        x = torch.linspace(-1, 1, 4, requires_grad=True)
        return chain(torch, x)
    return step, forward


def backward_walk(n):
    x = ag.Variable(np.ones(2, dtype=np.float32))
    y = x
    for _ in range(n):
        y = F.tanh(y)
    loss = y.sum()
    start = CLOCK()
    loss.backward()
    return CLOCK() - start


def main():
    header("engine overhead", NOTE)
    us = 1e6 / CHAIN
    torch = try_torch()
    ours_fwd = median_time(ours_forward, repeat=9, clock=CLOCK) * us
    if torch is None:
        ours_total = median_time(ours_step, repeat=9, clock=CLOCK) * us
    else:
        step, forward = torch_steps(torch)
        ours_total, torch_total, ratio = compare(ours_step, step, rounds=15, number=3,
                                                 clock=CLOCK)
        ours_total, torch_total = ours_total * us, torch_total * us
        torch_fwd = median_time(forward, repeat=9, clock=CLOCK) * us
    print(f"ours : {ours_total:6.2f} us/op forward+backward "
          f"({ours_fwd:.2f} forward, {ours_total - ours_fwd:.2f} backward)")
    if torch is not None:
        print(f"torch: {torch_total:6.2f} us/op forward+backward "
              f"({torch_fwd:.2f} forward, {torch_total - torch_fwd:.2f} backward)")
        print(f"ratio ours/torch: {ratio:.2f} (median of alternating rounds, thread CPU "
              f"time; target <= 1.0)")
    print("\nbackward walk on a chain of tanh ops (median of 5):")
    for n in (1_000, 10_000, 100_000):
        seconds = sorted(backward_walk(n) for _ in range(5))[2]
        print(f"  {n:>7} nodes: {seconds * 1e3:8.1f} ms  ({seconds / n * 1e6:.2f} us/node)")
    x = np.ones(3)
    per_call = median_time(lambda: get_array_module(x, x), repeat=5, number=20_000, clock=CLOCK)
    print(f"\nget_array_module(ndarray, ndarray): {per_call * 1e9:.0f} ns/call")


if __name__ == "__main__":
    main()

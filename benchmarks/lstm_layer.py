"""The LSTM layer on its own: forward + backward of ``LSTM`` fused (one
``lstm_sequence`` op per call, what training uses) against unrolled (one
``lstm_step`` op per time step, inside ``autograd_nlp.unrolled()``), and
torch.nn.LSTM where installed, at the chapter models' shapes; alternating
rounds, one thread, this thread's CPU time.

    python benchmarks/lstm_layer.py [--rounds 15]
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import alternate_rounds, header, pin_threads, try_torch  # noqa: E402

NOTE = pin_threads(1)

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import autograd_nlp as ag  # noqa: E402
from autograd_nlp.layers import LSTM  # noqa: E402

# (label, batch, time, input size, hidden size): the book's configurations
SHAPES = [("seq2seq encoder", 128, 7, 16, 128),
          ("attention encoder", 128, 29, 16, 256),
          ("Rnnlm", 20, 5, 100, 100),
          ("BetterRnnlm layer", 20, 35, 650, 650)]


def our_step(layer, xs, unrolled):
    x = ag.Variable(xs)

    def step():
        layer.cleargrads()
        if unrolled:
            with ag.unrolled():
                hs = layer(x)
        else:
            hs = layer(x)
        (hs * hs).sum().backward()
    return step


def torch_step(torch, xs, hidden):
    lstm = torch.nn.LSTM(xs.shape[-1], hidden, batch_first=True)
    x = torch.as_tensor(xs).requires_grad_()

    def step():
        lstm.zero_grad()
        hs, _ = lstm(x)
        (hs * hs).sum().backward()
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    header("LSTM layer forward + backward, ms (thread CPU time; ratios are medians of "
           "per-round ratios)", NOTE)
    torch = try_torch()
    print("| shape (batch x time x in -> hidden) | fused | unrolled | torch | "
          "fused/unrolled | fused/torch |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for label, batch, steps, size, hidden in SHAPES:
        xs = rng.standard_normal((batch, steps, size)).astype(np.float32)
        layer = LSTM(size, hidden)
        fns = [our_step(layer, xs, False), our_step(layer, xs, True)]
        if torch is not None:
            fns.append(torch_step(torch, xs, hidden))
        times = alternate_rounds(fns, args.rounds, 1, 2, time.thread_time)
        ms = [statistics.median(t) * 1e3 for t in times]
        ratio = statistics.median(a / b for a, b in zip(times[0], times[1]))
        torch_cells = ("n/a", "n/a")
        if torch is not None:
            torch_cells = (f"{ms[2]:.2f}",
                           f"{statistics.median(a / b for a, b in zip(times[0], times[2])):.2f}")
        print(f"| {label} ({batch} x {steps} x {size} -> {hidden}) | {ms[0]:.2f} | "
              f"{ms[1]:.2f} | {torch_cells[0]} | {ratio:.2f} | {torch_cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

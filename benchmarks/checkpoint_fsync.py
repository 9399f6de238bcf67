"""What durability costs: one checkpoint save with and without fsync.

    python benchmarks/checkpoint_fsync.py [--model rnnlm|better-rnnlm] [--rounds 7] [--dir D]

``atomic_write`` fsyncs the temporary file before the rename and the folder
after it. This saves a realistic checkpoint (the book's language model, its
parameters and Adam's two slots per parameter, as ``train`` writes them) in
alternating rounds, with the real ``os.fsync`` and with it replaced by a
no-op, and prints the median wall time of each (fsync waits for the disk,
so wall time is what counts). ``--dir`` picks the file system to measure
(default: a temporary folder in the current directory, where runs/ go).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd_nlp as ag  # noqa: E402
from autograd_nlp import optim  # noqa: E402
from autograd_nlp.training.checkpoint import save_checkpoint  # noqa: E402
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm  # noqa: E402

MODELS = {"rnnlm": lambda: Rnnlm(10_000), "better-rnnlm": lambda: BetterRnnlm(10_000)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="rnnlm")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    model = MODELS[args.model]()
    optimizer = optim.Adam(list(model.params()))
    for p in model.params():                       # slots exist after a first update
        p.grad = ag.Variable(p.data * 0, requires_grad=False)
    optimizer.update()
    real_fsync = os.fsync

    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".fsync-bench-") as folder:
        path = os.path.join(folder, "checkpoint.npz")

        def save(fsync):
            os.fsync = fsync
            try:
                start = time.perf_counter()
                save_checkpoint(path, model, optimizer, meta={"epoch": 1})
                return time.perf_counter() - start
            finally:
                os.fsync = real_fsync

        save(real_fsync)                           # warm up
        durable, volatile = [], []
        for _ in range(args.rounds):
            durable.append(save(real_fsync))
            volatile.append(save(lambda fd: None))
        size = os.path.getsize(path)
    with_fsync, without = statistics.median(durable), statistics.median(volatile)
    print(f"# checkpoint fsync cost: {args.model}, {size / 1e6:.1f} MB, "
          f"median of {args.rounds} alternating rounds, wall time")
    print(f"with fsync (file + folder): {with_fsync * 1e3:8.1f} ms")
    print(f"without fsync:              {without * 1e3:8.1f} ms")
    print(f"cost per checkpoint:        {(with_fsync - without) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()

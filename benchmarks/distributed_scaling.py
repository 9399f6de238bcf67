"""Data-parallel throughput, first version: ms per Rnnlm training step on one
process and on N MPI ranks (the same global batch, one BLAS thread per rank).

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.distributed_scaling
    OPENBLAS_NUM_THREADS=1 mpiexec -n 2 python -m benchmarks.distributed_scaling --mpi

Rnnlm (vocabulary 1,000, wordvec 100, hidden 100) on random ids, batch 20 x
time 35, SGD lr 20, clip 0.25: 5 warm-up steps, then the mean of 40. The
other chapter models, the all-reduce's share of a step and parallel
efficiency are issue 24's next part (docs/distributed.md).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd_nlp import distributed, optim  # noqa: E402
from autograd_nlp import random as ag_random  # noqa: E402
from autograd_nlp.training.language_model import LanguageModelTrainer  # noqa: E402
from models.rnnlm import Rnnlm  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mpi", action="store_true", help="run over the MPI ranks (mpiexec)")
    p.add_argument("--steps", type=int, default=40, help="timed steps (default: %(default)s)")
    args = p.parse_args(argv)
    comm = distributed.init() if args.mpi else None
    ag_random.seed(0)
    corpus = np.random.default_rng(0).integers(0, 1000, 200_000)
    model = Rnnlm(1000, 100, 100)
    optimizer = optim.SGD(model.params(), lr=20)
    trainer = LanguageModelTrainer(model, optimizer, batch_size=20, time_size=35,
                                   max_grad=0.25, progress=False, log=lambda m: None,
                                   comm=comm)
    if comm is not None:
        distributed.synchronize(model, optimizer, comm)
    trainer.fit(corpus, 1, stop_after=5)                 # warm-up
    start = time.perf_counter()
    trainer.fit(corpus, 1, stop_after=args.steps)
    seconds = (time.perf_counter() - start) / args.steps
    if comm is None or comm.is_root:
        print(f"ranks={comm.size if comm else 1}: {1000 * seconds:.1f} ms per step")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tiny float64 training runs for tests/training/test_distributed.py, run both
in one process (``comm=None``) and under ``mpiexec -n 2`` (as a script):

    mpiexec -n 2 python tests/training/distributed_runs.py OUT_DIR [checkpoint]

Each run takes STEPS steps of a model (Rnnlm with truncated BPTT, Seq2seq and
CBOW with shuffled mini-batches) with Adam/Momentum and gradient clipping at
a small max norm (so that it clips), and rank 0 writes the final parameters,
the losses and the gradient norms before clipping to OUT_DIR/<model>.npz.
Global batches are odd (5, 7, 9 rows), so two ranks get unequal slices.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from autograd_nlp import distributed, optim  # noqa: E402
from autograd_nlp import random as ag_random  # noqa: E402
from autograd_nlp.config import default_dtype  # noqa: E402
from autograd_nlp.training.language_model import LanguageModelTrainer  # noqa: E402
from autograd_nlp.training.minibatch import MinibatchTrainer  # noqa: E402

STEPS = 3
MAX_GRAD = 0.002         # below every gradient norm here: clipping is on at every step
MODELS = ("rnnlm", "seq2seq", "cbow")


def _data(name):
    rng = np.random.default_rng(123)           # the same data on every rank
    if name == "rnnlm":
        return (rng.integers(0, 12, size=400),)
    if name == "seq2seq":
        return rng.integers(0, 10, size=(40, 6)), rng.integers(0, 10, size=(40, 5))
    contexts = rng.integers(0, 15, size=(50, 2))
    return contexts, rng.integers(0, 15, size=50), rng.integers(0, 15, size=(50, 3))


def build(name, comm=None, seed=0, checkpoint_path=None):
    """(trainer, fit) for model ``name``: ``fit(stop_after)`` trains."""
    from autograd_nlp.models.rnnlm import Rnnlm
    from autograd_nlp.models.seq2seq import Seq2seq
    from autograd_nlp.models.word2vec import CBOW
    ag_random.seed(seed)
    data = _data(name)
    quiet = dict(progress=False, log=lambda message: None, comm=comm,
                 checkpoint_path=checkpoint_path, checkpoint_every=10 ** 9)
    with default_dtype(np.float64):
        if name == "rnnlm":
            model = Rnnlm(12, wordvec_size=5, hidden_size=6)
            opt = optim.Adam(model.params(), lr=0.01)
            trainer = LanguageModelTrainer(model, opt, batch_size=5, time_size=4,
                                           max_grad=MAX_GRAD, **quiet)
            return model, trainer, lambda stop: trainer.fit(data[0], 1, stop_after=stop)
        if name == "seq2seq":
            model = Seq2seq(10, wordvec_size=4, hidden_size=5)
            opt = optim.Adam(model.params(), lr=0.01)
        else:
            model = CBOW(15, 4, data[0].reshape(-1), sample_size=3)
            opt = optim.Momentum(model.params(), lr=0.5)
        loss_fn = None if name == "seq2seq" else (
            lambda m, c, t, negs: m(c, t, negatives=negs))
        trainer = MinibatchTrainer(model, opt, batch_size=7 if name == "seq2seq" else 9,
                                   max_grad=MAX_GRAD, loss_fn=loss_fn, **quiet)
        return model, trainer, lambda stop: trainer.fit(data, 1, stop_after=stop)


def run(name, comm=None, steps=STEPS, seed=0):
    """Train ``steps`` steps; returns {param name: array, "_losses", "_norms"}."""
    model, trainer, fit = build(name, comm, seed)
    if comm is not None:
        distributed.synchronize(model, trainer.optimizer, comm)
    norms, clip = [], optim.clip_grads

    def recording_clip(params, max_norm):
        norms.append(clip(params, max_norm))
        return norms[-1]
    optim.clip_grads = recording_clip
    losses = []
    after_loss = trainer.after_loss
    trainer.after_loss = lambda loss, iters: (losses.append(loss), after_loss(loss, iters))
    try:
        fit(steps)
    finally:
        optim.clip_grads = clip
    result = {f"param/{k}": v.copy() for k, v in model.state_dict().items()}
    result["_losses"], result["_norms"] = np.array(losses), np.array(norms)
    return result


def main(out_dir, mode="train"):
    comm = distributed.init()
    if mode == "train":
        for name in MODELS:
            # ranks start from different weights: synchronize must make them rank 0's
            result = run(name, comm, seed=0 if comm.rank == 0 else 1000 + comm.rank)
            if comm.is_root:
                np.savez(os.path.join(out_dir, f"{name}.npz"), **result)
    elif mode == "fail":        # rank 1 fails at its second step: every rank must end
        model, trainer, fit = build("seq2seq", comm)
        step = trainer.step

        def failing_step(batch):
            if comm.rank == 1 and trainer.iteration == 1:
                raise RuntimeError("a failure on rank 1 only")
            return step(batch)
        trainer.step = failing_step
        fit(STEPS)
    else:           # a 2-rank run of STEPS - 1 steps, checkpointed by rank 0
        for name in ("rnnlm", "seq2seq"):
            path = os.path.join(out_dir, f"{name}-checkpoint.npz")
            model, trainer, fit = build(name, comm, checkpoint_path=path)
            distributed.synchronize(model, trainer.optimizer, comm)
            fit(STEPS - 1)


if __name__ == "__main__":
    main(*sys.argv[1:])

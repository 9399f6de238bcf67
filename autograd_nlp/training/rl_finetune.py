"""Fine-tuning a trained seq2seq model for a number of Adam updates, with
sequence-level REINFORCE on exact match (self-critical baseline,
``models/self_critical.py``) or, to compare, with more supervised steps
(``autograd-nlp rl-finetune``, ``train ... --rl-finetune STEPS``)."""
import time

import numpy as np

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.training.progress import Progress
from autograd_nlp.training.trainer import Trainer
from autograd_nlp.models.self_critical import self_critical_loss


def run_finetune(model, ds, steps, batch_size, lr, max_grad, objective, progress=True):
    """``steps`` Adam updates of ``model`` on training batches of ``ds``;
    ``objective`` is "rl" (self-critical REINFORCE) or "supervised"
    (teacher-forced cross-entropy). Batches come from autograd_nlp's
    generator, so two objectives started from one RNG state see the same
    questions. Returns {"seconds", "sampled", "greedy"} (mean training rewards)."""
    trainer = Trainer(model, optim.Adam(model.params(), lr=lr), max_grad=max_grad)
    rng = ag_random.get_rng()
    sample_rng = np.random.default_rng(int(rng.integers(2 ** 31)))
    rewards = {"sampled": [], "greedy": []}
    bar = Progress(steps, objective, enabled=progress)
    start = time.perf_counter()
    for _ in range(steps):
        idx = rng.integers(0, len(ds.x_train), size=batch_size)
        x, t = ds.x_train[idx], ds.t_train[idx]
        if objective == "rl":
            loss, parts = self_critical_loss(model, x, t, sample_rng)
            for key in rewards:
                rewards[key].append(parts[key])
            trainer.update(loss)
            bar.update(1, sampled=parts["sampled"], greedy=parts["greedy"])
        else:
            bar.update(1, loss=trainer.update(model(x, t)))
    bar.close()
    return {"seconds": time.perf_counter() - start,
            **{k: float(np.mean(v)) if v else None for k, v in rewards.items()}}

"""Shuffled mini-batch training (word2vec, seq2seq): the book's Trainer.

Each epoch draws a permutation of the examples from autograd_nlp's RNG and
walks it in batches of ``batch_size`` (a last partial batch is dropped, as
in the book). A checkpoint holds the permutation of the current epoch, the
position in it and the RNG state, so a resumed run takes exactly the steps an
uninterrupted one would.
"""
import math

from autograd_nlp import random as ag_random
from autograd_nlp.training.errors import TooLittleDataError
from autograd_nlp.training.trainer import Trainer, print_flushed


class MinibatchTrainer(Trainer):
    """``trainer.fit((x, t), epochs, evaluate=fn)`` where ``model(x_batch,
    t_batch)`` returns the scalar loss. ``evaluate(trainer)`` runs after each
    epoch and returns a dict of metrics for the history (e.g. accuracy).
    ``unit`` names what one example is in the progress rate (e.g. "targets").
    ``max_iters_per_epoch`` caps the steps of an epoch (quick trials, step
    budgets). The loop, checkpoints and checks are ``Trainer``'s.
    """

    resumable = Trainer.resumable + ("_curve_sum", "_curve_count")

    def __init__(self, model, optimizer, batch_size=100, max_grad=None,
                 checkpoint_path=None, checkpoint_every=None, meta=None, progress=True,
                 log=print_flushed, curve_every=20, loss_fn=None, unit="examples",
                 max_iters_per_epoch=None, **kwargs):
        super().__init__(model, optimizer, max_grad, checkpoint_path, checkpoint_every,
                         meta, progress, log, **kwargs)
        self.batch_size = batch_size
        self.curve_every = curve_every
        self.unit = unit
        self.max_iters_per_epoch = max_iters_per_epoch
        self.loss_fn = loss_fn or (lambda model, *batch: model(*batch))
        self.permutation = None
        self.history = {"epoch": [], "loss": [], "seconds": [], "metrics": [],
                        "curve_iteration": [], "curve_loss": []}
        self._curve_sum, self._curve_count = 0.0, 0
        self.arrays, self.evaluate = None, None

    def extra_arrays(self):
        return {"permutation": self.permutation} if self.permutation is not None else {}

    def load_extra_arrays(self, arrays):
        self.permutation = arrays.get("permutation")

    def fit(self, arrays, epochs, evaluate=None, stop_after=None):
        """Train on ``arrays`` (e.g. ``(x, t)``, equal lengths) until ``epochs``
        epochs are done (counting those before a resume). Returns the history."""
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ValueError(f"fit: arrays have different lengths {[len(a) for a in arrays]}")
        if n // self.batch_size == 0:
            raise TooLittleDataError(f"fit: {n} examples are fewer than one batch of "
                                     f"{self.batch_size}; use a smaller --batch-size")
        self.arrays, self.evaluate = arrays, evaluate
        return super().fit(epochs, stop_after)

    # --- Trainer's hooks -------------------------------------------------------------
    def iterations_per_epoch(self):
        iters = len(self.arrays[0]) // self.batch_size
        return min(iters, self.max_iters_per_epoch) if self.max_iters_per_epoch else iters

    def start_epoch(self):
        if self.permutation is None or self.iteration == 0:
            self.permutation = ag_random.get_rng().permutation(len(self.arrays[0]))

    def batch(self, iteration, iters):
        idx = self.permutation[iteration * self.batch_size:(iteration + 1) * self.batch_size]
        return [a[idx] for a in self.arrays]

    def step(self, batch):
        return self.update(self.loss_fn(self.model, *batch))

    def after_loss(self, loss, iters):
        self._curve_sum += loss
        self._curve_count += 1
        if self._curve_count == self.curve_every:
            self.history["curve_iteration"].append(self.epoch * iters + self.iteration)
            self.history["curve_loss"].append(self._curve_sum / self._curve_count)
            self._curve_sum, self._curve_count = 0.0, 0

    def epoch_results(self):
        metrics = self.evaluate(self) if self.evaluate else {}
        return {"loss": self._loss_sum / max(self._loss_count, 1), **metrics}

    def record_epoch(self, results):
        self.history["loss"].append(results["loss"])
        self.history["metrics"].append({k: v for k, v in results.items() if k != "loss"})

    @property
    def last_loss(self):
        return self.history["loss"][-1] if self.history["loss"] else math.nan

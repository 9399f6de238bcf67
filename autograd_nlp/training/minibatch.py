"""Shuffled mini-batch training (word2vec, seq2seq): the book's Trainer.

Each epoch draws a permutation of the examples from autograd_nlp's RNG and
walks it in batches of ``batch_size`` (a last partial batch is dropped, as
in the book). A checkpoint holds the permutation of the current epoch, the
position in it and the RNG state, so a resumed run takes exactly the steps an
uninterrupted one would.
"""
import math
import time

import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.training.progress import Progress, format_duration
from autograd_nlp.training.trainer import Trainer


class MinibatchTrainer(Trainer):
    """``trainer.fit((x, t), epochs, evaluate=fn)`` where ``model(x_batch,
    t_batch)`` returns the scalar loss. ``evaluate(trainer)`` runs after each
    epoch and returns a dict of metrics for the history (e.g. accuracy).
    """

    resumable = Trainer.resumable + ("_curve_sum", "_curve_count", "batch_size")

    def __init__(self, model, optimizer, batch_size=100, max_grad=None,
                 checkpoint_path=None, checkpoint_every=0, meta=None, progress=True,
                 log=print, curve_every=20, loss_fn=None):
        super().__init__(model, optimizer, max_grad, checkpoint_path, checkpoint_every,
                         meta, progress, log)
        self.batch_size = batch_size
        self.curve_every = curve_every
        self.loss_fn = loss_fn or (lambda model, *batch: model(*batch))
        self.permutation = None
        self.history = {"epoch": [], "loss": [], "seconds": [], "metrics": [],
                        "curve_iteration": [], "curve_loss": []}
        self._curve_sum, self._curve_count = 0.0, 0

    def step(self, batch):
        return self.update(self.loss_fn(self.model, *batch))

    def extra_arrays(self):
        return {"permutation": self.permutation} if self.permutation is not None else {}

    def load_extra_arrays(self, arrays):
        self.permutation = arrays.get("permutation")

    # --- the loop ----------------------------------------------------------------
    def fit(self, arrays, epochs, evaluate=None, stop_after=None):
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ValueError(f"fit: arrays have different lengths {[len(a) for a in arrays]}")
        iters = n // self.batch_size
        if iters == 0:
            raise ValueError(f"fit: {n} examples are fewer than one batch of {self.batch_size}")
        steps = 0
        while self.epoch < epochs:
            if self.permutation is None or self.iteration == 0:
                self.permutation = ag_random.get_rng().permutation(n)
            bar = Progress(iters, f"epoch {self.epoch + 1}/{epochs}", enabled=self.progress)
            bar.count = self.iteration
            start = time.perf_counter()
            while self.iteration < iters:
                idx = self.permutation[self.iteration * self.batch_size:
                                       (self.iteration + 1) * self.batch_size]
                batch = [a[idx] for a in arrays]
                loss = self.step(batch)
                self.iteration += 1
                steps += 1
                self._loss_sum += loss
                self._loss_count += 1
                self._curve_sum += loss
                self._curve_count += 1
                if self._curve_count == self.curve_every:
                    self.history["curve_iteration"].append(self.epoch * iters + self.iteration)
                    self.history["curve_loss"].append(self._curve_sum / self._curve_count)
                    self._curve_sum, self._curve_count = 0.0, 0
                bar.update(1, tokens=idx.size * int(np.prod(arrays[0].shape[1:]) or 1),
                           loss=self._loss_sum / self._loss_count)
                stopping = stop_after is not None and steps >= stop_after
                start = self.after_step(start, stopping)
                if stopping:
                    bar.close()
                    return self.history
            bar.close()
            self._epoch_seconds += time.perf_counter() - start
            self._end_epoch(evaluate)
        return self.history

    def _end_epoch(self, evaluate):
        loss = self._loss_sum / max(self._loss_count, 1)
        metrics = evaluate(self) if evaluate else {}
        h = self.history
        h["epoch"].append(self.epoch + 1)
        h["loss"].append(loss)
        h["seconds"].append(self._epoch_seconds)
        h["metrics"].append(metrics)
        shown = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in metrics.items())
        self.log(f"epoch {self.epoch + 1}: loss {loss:.4f}" + (f", {shown}" if shown else "")
                 + f", {format_duration(self._epoch_seconds)}")
        self.epoch += 1
        self.iteration = 0
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        if self.checkpoint_path:
            self.save()

    @property
    def last_loss(self):
        return self.history["loss"][-1] if self.history["loss"] else math.nan

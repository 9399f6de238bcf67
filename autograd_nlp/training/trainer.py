"""What every training loop shares: the update step (backward, clip, update)
and checkpoints that resume exactly.

A subclass lists in ``resumable`` the attributes that define where training
stands (epoch, position, running sums, history...); ``save`` writes them with
the model, the optimizer and the RNG state, and ``resume`` puts them back.
"""
import time

from autograd_nlp import optim
from autograd_nlp.training.checkpoint import load_checkpoint, restore, save_checkpoint


class Trainer:
    resumable = ("epoch", "iteration", "history", "_loss_sum", "_loss_count",
                 "_epoch_seconds")

    def __init__(self, model, optimizer, max_grad=None, checkpoint_path=None,
                 checkpoint_every=0, meta=None, progress=True, log=print):
        self.model, self.optimizer, self.max_grad = model, optimizer, max_grad
        self.checkpoint_path, self.checkpoint_every = checkpoint_path, checkpoint_every
        self.meta = dict(meta or {})
        self.progress, self.log = progress, log
        self.epoch, self.iteration = 0, 0          # position of the next step
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0

    def update(self, loss):
        """Backward from ``loss``, clip, update the parameters; returns the loss value."""
        self.model.cleargrads()
        loss.backward()
        if self.max_grad is not None:
            optim.clip_grads(self.model.params(), self.max_grad)
        self.optimizer.update()
        return float(loss.data)

    def after_step(self, start, stopping):
        """Bookkeeping both loops do after a step: every ``checkpoint_every``
        iterations, and when stopping early, add the elapsed time to the
        epoch's and save. Returns the time to measure the epoch from."""
        due = self.checkpoint_every and self.iteration % self.checkpoint_every == 0
        if stopping or (self.checkpoint_path and due):
            self._epoch_seconds += time.perf_counter() - start
            start = time.perf_counter()
            if self.checkpoint_path:
                self.save()
        return start

    # --- checkpoints -------------------------------------------------------------
    def extra_arrays(self):
        """Arrays to checkpoint besides the model's (e.g. an epoch's permutation)."""
        return {}

    def load_extra_arrays(self, arrays):
        pass

    def save(self, path=None):
        meta = {**self.meta, "lr": self.optimizer.lr,
                **{name.lstrip("_"): getattr(self, name) for name in self.resumable}}
        save_checkpoint(path or self.checkpoint_path, self.model, self.optimizer, meta,
                        extra_arrays=self.extra_arrays())

    def resume(self, path):
        """Continue from a checkpoint written by this trainer: the next steps
        are exactly those an uninterrupted run would have taken."""
        checkpoint = load_checkpoint(path)
        meta = restore(checkpoint, self.model, self.optimizer)
        for name in self.resumable:
            setattr(self, name, meta.get(name.lstrip("_"), getattr(self, name)))
        self.load_extra_arrays(checkpoint["extra"])
        self.log(f"resumed from {path}: epoch {self.epoch + 1}, iteration {self.iteration}")
        return meta

"""The one training loop: epochs of steps, progress, checks and checkpoints
that resume exactly. Subclasses say only what differs between models.

``Trainer.fit(epochs)`` runs the loop and calls these hooks:

- ``iterations_per_epoch()`` and ``start_epoch()`` (e.g. draw a permutation),
- ``batch(iteration, iters)``: the arrays of one step; ``step(batch)``: the
  loss value after one update; ``batch_items(batch)``: what the rate counts
  (``unit``: tokens, targets, questions...),
- ``after_loss(loss, iters)`` and ``step_metrics()``: running curves and the
  progress display's numbers,
- ``epoch_results()``, ``record_epoch(results)`` and ``after_epoch(results)``:
  validation, history and e.g. learning-rate decay at the end of an epoch.

The loop itself does, for every model: stop on a non-finite loss before
anything non-finite is saved (``NonFiniteLossError``); checkpoint every
``checkpoint_every`` iterations, or else every ``checkpoint_seconds`` of
training, and at each epoch end; show progress (and the whole run's ETA);
and on ``resume`` refuse a checkpoint of another run (``run_check``).

A subclass lists in ``resumable`` the attributes that define where training
stands (epoch, position, running sums, history...); ``save`` writes them with
the model, the optimizer and the RNG state, and ``resume`` puts them back.
"""
import math
import time

import numpy as np

from autograd_nlp import optim
from autograd_nlp.layers import recurrent_layers
from autograd_nlp.serialization import remove_stale_temporaries
from autograd_nlp.training.checkpoint import load_checkpoint, restore, save_checkpoint
from autograd_nlp.training.errors import NonFiniteLossError
from autograd_nlp.training.progress import Progress, RunClock, format_duration, format_metric
from autograd_nlp.training.run_check import compare_runs

CHECKPOINT_SECONDS = 300.0      # time-based checkpoints: every 5 minutes of training


def print_flushed(message):
    """Print a result line now, also when stdout is a pipe (``| tee log``)."""
    print(message, flush=True)


class Trainer:
    resumable = ("epoch", "iteration", "history", "_loss_sum", "_loss_count",
                 "_epoch_seconds")
    adjustable = ("epochs", "lr", "max_grad")   # settings a resume may change
    unit = "examples"                           # what the progress rate counts

    def __init__(self, model, optimizer, max_grad=None, checkpoint_path=None,
                 checkpoint_every=None, meta=None, progress=True, log=print_flushed,
                 checkpoint_seconds=CHECKPOINT_SECONDS):
        self.model, self.optimizer, self.max_grad = model, optimizer, max_grad
        self.checkpoint_path, self.checkpoint_every = checkpoint_path, checkpoint_every
        self.checkpoint_seconds = checkpoint_seconds
        self.meta = dict(meta or {})
        self.progress, self.log = progress, log
        self.epoch, self.iteration = 0, 0          # position of the next step
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        self.history = {"epoch": [], "seconds": []}
        self._saved_at = None                      # (epoch, iteration) of our last save
        self._last_save_time = time.perf_counter()

    # --- hooks (subclasses) --------------------------------------------------------
    def iterations_per_epoch(self):
        raise NotImplementedError

    def start_epoch(self):
        """Called before the steps of an epoch (also when resuming mid-epoch)."""

    def batch(self, iteration, iters):
        raise NotImplementedError

    def batch_items(self, batch):
        """How many ``unit`` one batch holds (for the rate in the progress display)."""
        return len(batch[0])

    def step(self, batch):
        """One update on ``batch``; returns the loss value (a float)."""
        raise NotImplementedError

    def after_loss(self, loss, iters):
        """Called after each step with its loss (e.g. to record a curve)."""

    def diverged(self, loss):
        """Why ``loss`` means training has diverged (a phrase), or None."""
        return None if math.isfinite(loss) else f"the loss is {loss}"

    def step_metrics(self):
        return {"loss": self._loss_sum / max(self._loss_count, 1)}

    def epoch_results(self):
        """{name: value} printed at the end of an epoch (before lr and time)."""
        return {"loss": self._loss_sum / max(self._loss_count, 1)}

    def record_epoch(self, results):
        """Append an epoch's results to ``history``."""

    def after_epoch(self, results):
        """Called after an epoch's line is printed (e.g. learning-rate decay)."""

    # --- the update step ------------------------------------------------------------
    def update(self, loss):
        """Backward from ``loss``, clip, update the parameters; returns the loss
        value. A diverged loss raises ``NonFiniteLossError`` before the update."""
        value = float(loss.data)
        problem = self.diverged(value)
        if problem:
            raise NonFiniteLossError(self._non_finite_message(problem))
        self.model.cleargrads()
        loss.backward()
        if self.max_grad is not None:
            optim.clip_grads(self.model.params(), self.max_grad)
        self.optimizer.update()
        return value

    def unchain(self):
        """Truncated BPTT: cut the graph behind every carried recurrent state."""
        for _, layer in recurrent_layers(self.model):
            layer.unchain()

    # --- the loop -------------------------------------------------------------------
    def fit(self, epochs, stop_after=None):
        """Train until ``epochs`` epochs are done (counting those before a
        resume). ``stop_after`` stops (and checkpoints) after that many steps,
        e.g. to test resuming. Returns the history dict."""
        iters = self.iterations_per_epoch()
        steps = 0
        self._last_save_time = time.perf_counter()
        if self.checkpoint_path:        # left by a run killed mid-write
            remove_stale_temporaries(self.checkpoint_path)
        while self.epoch < epochs:
            self.start_epoch()
            clock = RunClock(epochs * iters, self.epoch * iters + self.iteration,
                             sum(self.history["seconds"]) + self._epoch_seconds)
            bar = Progress(iters, f"epoch {self.epoch + 1}/{epochs}", enabled=self.progress,
                           unit=self.unit, run=clock)
            bar.count = self.iteration
            start = time.perf_counter()
            try:
                while self.iteration < iters:
                    batch = self.batch(self.iteration, iters)
                    loss = self.step(batch)
                    problem = self.diverged(loss)
                    if problem:
                        raise NonFiniteLossError(self._non_finite_message(problem))
                    self._loss_sum += loss
                    self._loss_count += 1
                    self.iteration += 1
                    steps += 1
                    self.after_loss(loss, iters)
                    bar.update(1, items=self.batch_items(batch), **self.step_metrics())
                    stopping = stop_after is not None and steps >= stop_after
                    start = self._after_step(start, stopping)
                    if stopping:
                        return self.history
            finally:
                bar.close()
            self._epoch_seconds += time.perf_counter() - start
            self._end_epoch()
        return self.history

    def _after_step(self, start, stopping):
        """Every ``checkpoint_every`` iterations (or, without it, every
        ``checkpoint_seconds``), and when stopping early, add the elapsed time
        to the epoch's and save. Returns the time to measure the epoch from."""
        if self.checkpoint_every:
            due = self.iteration % self.checkpoint_every == 0
        else:
            due = time.perf_counter() - self._last_save_time >= self.checkpoint_seconds
        if stopping or (self.checkpoint_path and due):
            self._epoch_seconds += time.perf_counter() - start
            start = time.perf_counter()
            if self.checkpoint_path:
                self.save()
        return start

    def _end_epoch(self):
        self.check_finite_params()
        results = self.epoch_results()
        self.history["epoch"].append(self.epoch + 1)
        self.history["seconds"].append(self._epoch_seconds)
        self.record_epoch(results)
        shown = [format_metric(k, v) for k, v in results.items() if v is not None]
        self.log(f"epoch {self.epoch + 1}: " + ", ".join(shown)
                 + f", lr {self.optimizer.lr:g}, {format_duration(self._epoch_seconds)}")
        self.after_epoch(results)
        self.epoch += 1
        self.iteration = 0
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        if self.checkpoint_path:
            self.save()

    # --- non-finite values ------------------------------------------------------------
    def check_finite_params(self):
        """Raise ``NonFiniteLossError`` if any parameter holds nan or inf."""
        for name, p in self.model.named_params():
            if not np.isfinite(p.data).all():
                raise NonFiniteLossError(self._non_finite_message(
                    f"parameter {name} holds nan or inf"))

    def _non_finite_message(self, what):
        where = f"epoch {self.epoch + 1}, iteration {self.iteration + 1}"
        if self._saved_at is not None:
            kept = (f"the last good checkpoint {self.checkpoint_path} (epoch "
                    f"{self._saved_at[0] + 1}, iteration {self._saved_at[1]}) is untouched")
        elif self.checkpoint_path:
            kept = f"nothing was written to {self.checkpoint_path} in this session"
        else:
            kept = "nothing was saved"
        clip = "no gradient clip" if self.max_grad is None else f"max-grad {self.max_grad:g}"
        return (f"training stopped: {what} at {where} (lr {self.optimizer.lr:g}, {clip}); "
                f"{kept}. Try a smaller --lr or a gradient clip (--max-grad)")

    # --- checkpoints ------------------------------------------------------------------
    def extra_arrays(self):
        """Arrays to checkpoint besides the model's (e.g. an epoch's permutation)."""
        return {}

    def load_extra_arrays(self, arrays):
        pass

    def save(self, path=None):
        """Write a checkpoint (never one with non-finite parameters)."""
        self.check_finite_params()
        meta = {**self.meta, "lr": self.optimizer.lr,
                **{name.lstrip("_"): getattr(self, name) for name in self.resumable}}
        scheduled = getattr(self.optimizer, "schedule", None) is not None
        if "settings" in meta and "lr" in meta["settings"] and not scheduled:
            # lr decayed by the loop is the one to resume with; under a schedule
            # the setting stays the schedule's peak and the schedule sets lr
            meta["settings"] = {**meta["settings"], "lr": self.optimizer.lr}
        save_checkpoint(path or self.checkpoint_path, self.model, self.optimizer, meta,
                        extra_arrays=self.extra_arrays())
        if path is None or path == self.checkpoint_path:
            self._saved_at = (self.epoch, self.iteration)
            self._last_save_time = time.perf_counter()

    def resume(self, path):
        """Continue from a checkpoint written by this trainer: the next steps
        are exactly those an uninterrupted run would have taken. A checkpoint
        of another run (model kind, sizes, data, vocabulary, or a setting not
        in ``adjustable``) is refused; adjustable settings that differ are
        applied and announced."""
        checkpoint = load_checkpoint(path)
        changes = compare_runs(self.meta, checkpoint["meta"], path, self.adjustable)
        meta = restore(checkpoint, self.model, self.optimizer)
        for name in self.resumable:
            setattr(self, name, meta.get(name.lstrip("_"), getattr(self, name)))
        self.load_extra_arrays(checkpoint["extra"])
        self.log(f"resumed from {path}: epoch {self.epoch + 1}, iteration {self.iteration}")
        settings = self.meta.get("settings", {})
        if "lr" in settings and getattr(self.optimizer, "schedule", None) is None:
            self.optimizer.lr = settings["lr"]
        for name, old, new in changes:
            self.log(f"  {name} {old} -> {new} from epoch {self.epoch + 1}, iteration "
                     f"{self.iteration} (given on the command line)")
        return meta

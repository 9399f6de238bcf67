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
The file handling (best parameters beside the checkpoint, damaged files) is
``checkpoint.py``'s.

``history`` holds the per-epoch results and, for every model, the loss of
every iteration (``history["iteration_loss"]``, also ``loss_list``; see
``history.py``), which checkpoints carry, so a resumed run continues it;
``plot()`` draws it, as the book's trainer does.

``epoch_callback(trainer, results)``, if given, runs after each epoch's
checkpoint (a search reports the validation score there and may stop a
hopeless trial by raising).

Best parameters and early stopping, for every model: when ``monitor`` names
one of ``epoch_results``' numbers (a validation score; ``higher_is_better``
says which way is better), the loop keeps the parameters of the best epoch,
in memory and, with a checkpoint, in ``<checkpoint>.best-params.npz``
(written atomically before the checkpoint that records the score). With
``early_stop=P`` it stops after P epochs without improvement and, when the
loop ends, puts the best parameters back into the model. Best score, best
epoch and the count of epochs without improvement are resumable.
"""
import math
import sys
import time

import numpy as np

from autograd_nlp import distributed, optim
from autograd_nlp.layers import recurrent_layers
from autograd_nlp.serialization import load_npz, remove_stale_temporaries
# best_params_path and restore_for_resume lived here: importable from here still
from autograd_nlp.training import allocator
from autograd_nlp.training.checkpoint import (best_params_path, load_best_params,  # noqa: F401
                                              load_checkpoint, restore_for_resume,
                                              save_checkpoint)
from autograd_nlp.training.errors import NonFiniteLossError
from autograd_nlp.training.history import (ITERATION_LOSS, align_iteration_history,
                                           default_every, grouped_means)
from autograd_nlp.training.progress import Progress, RunClock, format_duration, format_metric
from autograd_nlp.training.run_check import compare_runs

CHECKPOINT_SECONDS = 300.0      # time-based checkpoints: every 5 minutes of training


def print_flushed(message):
    """Print a result line now, also when stdout is a pipe (``| tee log``)."""
    print(message, flush=True)


class Trainer:
    resumable = ("epoch", "iteration", "history", "_loss_sum", "_loss_count",
                 "_epoch_seconds", "best_score", "best_epoch", "bad_epochs")
    adjustable = ("epochs", "lr", "max_grad", "early_stop")   # settings a resume may change
    unit = "examples"                           # what the progress rate counts
    monitor = None            # the epoch result early stopping watches (e.g. "valid accuracy")
    higher_is_better = True   # direction of ``monitor``

    def __init__(self, model, optimizer, max_grad=None, checkpoint_path=None,
                 checkpoint_every=None, meta=None, progress=True, log=print_flushed,
                 checkpoint_seconds=CHECKPOINT_SECONDS, early_stop=None, monitor=None,
                 higher_is_better=None, epoch_callback=None, comm=None):
        self.model, self.optimizer, self.max_grad = model, optimizer, max_grad
        # data parallel (docs/distributed.md): a distributed.Communicator; rank 0
        # alone prints and writes, ``batch`` takes this rank's shard and sets
        # ``grad_weight`` (its share of the global batch)
        self.comm = comm if comm is not None and comm.size > 1 else None
        self.grad_weight = None
        self.gradient_reducer = None    # made at the first step (distributed.gradient_reducer)
        if self.comm is not None and not self.comm.is_root:
            log, progress = (lambda message: None), False
        self.checkpoint_path, self.checkpoint_every = checkpoint_path, checkpoint_every
        self.checkpoint_seconds = checkpoint_seconds
        self.meta = dict(meta or {})
        self.progress, self.log = progress, log
        self.epoch, self.iteration = 0, 0          # position of the next step
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        self.history = {"epoch": [], "seconds": []}
        self._saved_at = None                      # (epoch, iteration) of our last save
        self._last_save_time = time.perf_counter()
        if early_stop is not None and early_stop < 1:
            raise ValueError(f"Trainer: early_stop is a patience in epochs (>= 1), "
                             f"got {early_stop}")
        self.early_stop = early_stop
        self.monitor = monitor if monitor is not None else type(self).monitor
        if higher_is_better is not None:
            self.higher_is_better = higher_is_better
        self.epoch_callback = epoch_callback      # fn(trainer, results) after each epoch
        self.best_score, self.best_epoch = None, None
        self.bad_epochs, self.stopped_early = 0, False
        self.improved = False                     # did the last epoch beat the best?
        self._best_state = None                   # best parameters held in memory

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
        if self.comm is not None:
            return self._update_distributed(loss)
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

    def _update_distributed(self, loss):
        """``update`` over ranks: backward on this rank's shard with the
        all-reduce of the gradients weighted by ``grad_weight`` (and of the
        loss; after backward, or overlapped with it: ``comm.allreduce``), then
        the divergence check, clipping and update on the global gradient: the
        same on every rank, and the same as one process on the global batch."""
        if self.gradient_reducer is None:       # kept: its buckets, its timings
            self.gradient_reducer = distributed.gradient_reducer(self.model.params(),
                                                                 self.comm)
        self.model.cleargrads()
        value = self.gradient_reducer.backward(loss, self.grad_weight)
        problem = self.diverged(value)
        if problem:                 # the global loss: every rank raises alike
            raise NonFiniteLossError(self._non_finite_message(problem))
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
        e.g. to test resuming. Returns the history dict.

        Over MPI ranks, an error on one rank (other than a diverged global
        loss, which every rank raises alike) is printed with its rank and ends
        every rank (``Abort``) instead of leaving the others waiting.

        Freed memory stays in the process from then on (allocator.py: no page
        faults for the arrays every step allocates again)."""
        allocator.keep_freed_memory()
        if self.comm is None:
            return self._fit(epochs, stop_after)
        try:
            return self._fit(epochs, stop_after)
        except NonFiniteLossError:
            raise
        except Exception as e:
            print(f"autograd-nlp: rank {self.comm.rank} of {self.comm.size} failed: "
                  f"{type(e).__name__}: {e}; ending all ranks", file=sys.stderr, flush=True)
            self.comm.abort(1)
            raise

    def _fit(self, epochs, stop_after=None):
        iters = self.iterations_per_epoch()
        losses = align_iteration_history(self.history, self.epoch * iters + self.iteration)
        steps = 0
        self._last_save_time = time.perf_counter()
        if self.checkpoint_path:        # left by a run killed mid-write
            remove_stale_temporaries(self.checkpoint_path)
        if self.early_stop is not None and self.monitor is None:
            raise ValueError(f"{type(self).__name__}: early stopping needs a validation "
                             f"score to watch (monitor=...), and none is set")
        while self.epoch < epochs and not self.stopped_early:
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
                    losses.append(loss)
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
        if self.early_stop is not None:
            self.restore_best()
        return self.history

    def _after_step(self, start, stopping):
        """Every ``checkpoint_every`` iterations (or, without it, every
        ``checkpoint_seconds``), and when stopping early, add the elapsed time
        to the epoch's and save. Returns the time to measure the epoch from."""
        if self.checkpoint_every:
            due = self.iteration % self.checkpoint_every == 0
        else:
            due = time.perf_counter() - self._last_save_time >= self.checkpoint_seconds
            if self.comm is not None and self.checkpoint_path:
                due = self.comm.bcast(due)          # rank 0's clock decides for all
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
        self.track_best(results)
        self.after_epoch(results)
        self.epoch += 1
        self.iteration = 0
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        if self.checkpoint_path:
            self.save()
        if self.epoch_callback is not None:     # e.g. a search's report; may raise to stop
            self.epoch_callback(self, results)

    # --- the per-iteration history (the book's loss_list / ppl_list, and plot) ---------
    @property
    def loss_list(self):
        """The loss of every iteration so far, over epochs and resumes
        (``history["iteration_loss"]``; None where an older checkpoint did
        not record it)."""
        return self.history.setdefault(ITERATION_LOSS, [])

    def iteration_curve(self, every):
        """(y label, xs, ys, log axis) for ``plot``: the mean loss of each
        ``every`` iterations, xs the iteration that ends each group."""
        xs, means = grouped_means(self.loss_list, every)
        return "loss", xs, means, False

    def plot(self, path=None, every=None, ylim=None):
        """Draw the per-iteration curve, as the book's ``Trainer.plot``: the
        loss (for language models the perplexity, on a log axis) averaged
        over each ``every`` iterations (default: 1, or enough for about 250
        points). With ``path`` (.png, .svg, .pdf...) the image is written and
        its path returned; without, the matplotlib Figure (shown inline in a
        notebook; ``plt.show()`` elsewhere). Needs matplotlib
        (``pip install "autograd-nlp[plot]"``): an ImportError says so."""
        from autograd_nlp.training import plot as plots
        plots.require_matplotlib(f"{type(self).__name__}.plot")
        every = every or default_every(len(self.loss_list))
        label, xs, ys, logy = self.iteration_curve(every)
        if not xs:
            raise ValueError(f"{type(self).__name__}.plot: no iteration recorded yet; "
                             f"call fit() first")
        if path is not None:
            plots.plot_format(path)         # an unknown extension fails before drawing
        xlabel = "iteration" if every == 1 else f"iteration (mean of {every})"
        fig = plots.draw_curves({"train": (xs, ys)}, xlabel, label, logy=logy)
        if ylim is not None:
            fig.axes[0].set_ylim(*ylim)
        return fig if path is None else plots.save_figure(fig, path)

    # --- best parameters and early stopping ------------------------------------------
    def track_best(self, results):
        """After an epoch: if ``results[monitor]`` beats the best so far, keep
        the parameters (memory, or the best-params file beside the
        checkpoint); else count an epoch without improvement and, after
        ``early_stop`` of them, mark the run stopped."""
        score = results.get(self.monitor) if self.monitor else None
        self.improved = False
        if score is None or not math.isfinite(score):
            return
        better = (self.best_score is None
                  or (score > self.best_score if self.higher_is_better
                      else score < self.best_score))
        if better:
            self.best_score, self.best_epoch, self.bad_epochs = score, self.epoch + 1, 0
            self.improved = True
            if self.checkpoint_path:
                if self.comm is None or self.comm.is_root:
                    self.model.save(best_params_path(self.checkpoint_path))
                self._best_state = None
            else:
                self._best_state = self.model.state_dict()
            return
        self.bad_epochs += 1
        if self.early_stop is not None and self.bad_epochs >= self.early_stop:
            self.stopped_early = True
            best = format_metric(self.monitor, self.best_score)
            self.log(f"early stopping: {self.monitor} has not improved for "
                     f"{self.bad_epochs} epoch(s) (best: {best}, epoch {self.best_epoch})")

    def restore_best(self):
        """Put the best epoch's parameters back into the model (no-op before
        any validation score). Returns True if it did."""
        if self.best_score is None:
            return False
        state = self._best_state
        if state is None:
            path = best_params_path(self.checkpoint_path) if self.checkpoint_path else None
            if path is None:
                return False
            state = load_npz(path)
        self.model.load_state_dict(state)
        self.log(f"restored the best parameters: epoch {self.best_epoch}, "
                 f"{format_metric(self.monitor, self.best_score)}")
        return True

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
        meta = {**self.meta,       # the run's settings are meta["settings"], once
                **{name.lstrip("_"): getattr(self, name) for name in self.resumable}}
        scheduled = getattr(self.optimizer, "schedule", None) is not None
        if "settings" in meta and "lr" in meta["settings"] and not scheduled:
            # lr decayed by the loop is the one to resume with; under a schedule
            # the setting stays the schedule's peak and the schedule sets lr
            meta["settings"] = {**meta["settings"], "lr": self.optimizer.lr}
        if self.comm is None:
            save_checkpoint(path or self.checkpoint_path, self.model, self.optimizer, meta,
                            extra_arrays=self.extra_arrays())
        else:       # every rank gives its state rows, rank 0 alone writes
            with distributed.gathered_states(self.model, self.comm):
                if self.comm.is_root:
                    save_checkpoint(path or self.checkpoint_path, self.model,
                                    self.optimizer, meta, extra_arrays=self.extra_arrays())
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
        meta = restore_for_resume(checkpoint, path, self.model, self.optimizer)
        if self.comm is not None:       # states of the global batch: keep our rows
            distributed.take_state_rows(self.model, self.comm)
        for name in self.resumable:
            setattr(self, name, meta.get(name.lstrip("_"), getattr(self, name)))
        self.load_extra_arrays(checkpoint["extra"])
        self.resumed_meta(meta)
        self._load_best_beside(path)
        # the patience in use now decides (a larger --early-stop lets a stopped run go on)
        self.stopped_early = self.early_stop is not None and self.bad_epochs >= self.early_stop
        self.log(f"resumed from {path}: epoch {self.epoch + 1}, iteration {self.iteration}")
        settings = self.meta.get("settings", {})
        if "lr" in settings and getattr(self.optimizer, "schedule", None) is None:
            self.optimizer.lr = settings["lr"]
        for name, old, new in changes:
            self.log(f"  {name} {old} -> {new} from epoch {self.epoch + 1}, iteration "
                     f"{self.iteration} (given on the command line)")
        return meta

    def resumed_meta(self, meta):
        """Hook: read what an earlier version kept under other keys of ``meta``."""

    def _load_best_beside(self, path):
        """On resume, read the best parameters saved beside checkpoint ``path``
        (and copy them beside ours if we write elsewhere). A missing file
        (deleted by hand) forgets the best score, with a note."""
        if self.best_score is None:
            return
        state = load_best_params(path, self.model, copy_to=self.checkpoint_path)
        if state is None:
            self.log(f"  note: {best_params_path(path)} is missing, so the best score so far "
                     f"({format_metric(self.monitor or 'score', self.best_score)}) is "
                     f"forgotten; the next epoch's score becomes the best")
            self.best_score, self.best_epoch, self.bad_epochs = None, None, 0
        elif not self.checkpoint_path:
            self._best_state = state

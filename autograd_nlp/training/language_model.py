"""Training language models with truncated BPTT, as the book does.

Batching: the corpus is read by ``batch_size`` rows, row i starting at offset
i * (len / batch_size); each iteration takes the next ``time_size`` steps of
every row, and the recurrent state is carried from one chunk to the next
(the graph is cut between them with ``model.unchain()``).
"""
import math
import time

import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.training.progress import Progress, format_duration
from autograd_nlp.training.trainer import Trainer


def lm_batch(corpus, batch_size, time_size, time_idx):
    """The book's LM mini-batch number ``time_idx // time_size``: inputs and
    next-word targets (batch, time), rows reading from evenly spaced offsets."""
    data_size = len(corpus) - 1
    jump = data_size // batch_size
    positions = (np.arange(batch_size)[:, None] * jump + time_idx
                 + np.arange(time_size)[None, :]) % data_size
    return corpus[positions], corpus[positions + 1]


def iterations_per_epoch(corpus, batch_size, time_size):
    return (len(corpus) - 1) // (batch_size * time_size)


def evaluate_perplexity(model, corpus, batch_size=10, time_size=35, progress=False):
    """Perplexity exp(mean cross-entropy) over a whole split: stateful from a
    reset state, no graph recorded, dropout off (the book's eval_perplexity)."""
    model.reset_state()
    iters = iterations_per_epoch(corpus, batch_size, time_size)
    if iters == 0:
        raise ValueError(f"evaluate_perplexity: corpus of {len(corpus)} tokens is too "
                         f"short for batch {batch_size} x time {time_size}")
    total = 0.0
    bar = Progress(iters, "eval", enabled=progress)
    with no_grad(), eval_mode():
        for it in range(iters):
            xs, ts = lm_batch(corpus, batch_size, time_size, it * time_size)
            ts = to_device(ts, model.device)        # the model moves xs itself
            total += float(softmax_cross_entropy(model(xs), ts).data)
            bar.update(1, tokens=xs.size)
    bar.close()
    model.reset_state()
    return math.exp(total / iters)


class LanguageModelTrainer(Trainer):
    """Truncated-BPTT training loop with clipping, the book's learning-rate
    schedule (divide by ``lr_decay`` when validation perplexity gets worse),
    checkpoints that resume exactly, progress and a perplexity curve.

    ``meta`` (e.g. the model's name and constructor arguments, the vocabulary)
    is stored in every checkpoint so that ``eval``/``generate`` can rebuild
    the model from the file alone.
    """

    resumable = Trainer.resumable + ("best_ppl", "batch_size", "time_size")

    def __init__(self, model, optimizer, batch_size=20, time_size=35, max_grad=0.25,
                 lr_decay=None, checkpoint_path=None, checkpoint_every=500, meta=None,
                 progress=True, log=print, max_iters_per_epoch=None):
        super().__init__(model, optimizer, max_grad, checkpoint_path, checkpoint_every,
                         meta, progress, log)
        self.batch_size, self.time_size = batch_size, time_size
        self.lr_decay = lr_decay
        self.max_iters_per_epoch = max_iters_per_epoch
        self.best_ppl = math.inf
        self.history = {"epoch": [], "train_ppl": [], "valid_ppl": [], "lr": [], "seconds": []}

    def resume(self, path):
        meta = super().resume(path)
        if self.best_ppl is None:       # written by an earlier version: no best yet
            self.best_ppl = math.inf
        return meta

    def step(self, xs, ts):
        """Forward, backward, clip, update, cut the graph. Returns the loss."""
        ts = to_device(ts, self.model.device)       # the model moves xs itself
        loss = self.update(softmax_cross_entropy(self.model(xs), ts))
        self.model.unchain()
        return loss

    # --- the loop ----------------------------------------------------------------
    def fit(self, corpus, epochs, valid_corpus=None, eval_batch_size=10, stop_after=None):
        """Train until ``epochs`` epochs are done (counting those before a
        resume). ``stop_after`` stops after that many steps (for tests of
        resuming). Returns the history dict."""
        iters = iterations_per_epoch(corpus, self.batch_size, self.time_size)
        if self.max_iters_per_epoch:
            iters = min(iters, self.max_iters_per_epoch)
        steps_done = 0
        while self.epoch < epochs:
            bar = Progress(iters, f"epoch {self.epoch + 1}/{epochs}", enabled=self.progress)
            bar.count = self.iteration
            start = time.perf_counter()
            while self.iteration < iters:
                global_iter = self.epoch * iters + self.iteration
                xs, ts = lm_batch(corpus, self.batch_size, self.time_size,
                                  global_iter * self.time_size)
                loss = self.step(xs, ts)
                self._loss_sum += loss
                self._loss_count += 1
                self.iteration += 1
                steps_done += 1
                bar.update(1, tokens=xs.size, ppl=math.exp(self._loss_sum / self._loss_count),
                           lr=self.optimizer.lr)
                stopping = stop_after is not None and steps_done >= stop_after
                start = self.after_step(start, stopping)
                if stopping:
                    bar.close()
                    return self.history
            bar.close()
            self._epoch_seconds += time.perf_counter() - start
            self._end_epoch(valid_corpus, eval_batch_size)
        return self.history

    def _end_epoch(self, valid_corpus, eval_batch_size):
        train_ppl = math.exp(self._loss_sum / max(self._loss_count, 1))
        valid_ppl = None
        if valid_corpus is not None:
            valid_ppl = evaluate_perplexity(self.model, valid_corpus, eval_batch_size,
                                            self.time_size)
        h = self.history
        h["epoch"].append(self.epoch + 1)
        h["train_ppl"].append(train_ppl)
        h["valid_ppl"].append(valid_ppl)
        h["lr"].append(self.optimizer.lr)
        h["seconds"].append(self._epoch_seconds)
        message = (f"epoch {self.epoch + 1}: train perplexity {train_ppl:.2f}"
                   + (f", valid perplexity {valid_ppl:.2f}" if valid_ppl else "")
                   + f", lr {self.optimizer.lr:g}, {format_duration(self._epoch_seconds)}")
        self.log(message)
        improved = valid_ppl is not None and valid_ppl < self.best_ppl
        if improved:
            self.best_ppl = valid_ppl
            if self.checkpoint_path:
                self.model.save(_best_path(self.checkpoint_path))
        elif valid_ppl is not None and self.lr_decay:
            self.optimizer.lr /= self.lr_decay
            self.log(f"  validation perplexity got worse: lr -> {self.optimizer.lr:g}")
        self.epoch += 1
        self.iteration = 0
        self._loss_sum, self._loss_count, self._epoch_seconds = 0.0, 0, 0.0
        if self.checkpoint_path:
            self.save()


def _best_path(checkpoint_path):
    base = str(checkpoint_path)
    return (base[:-4] if base.endswith(".npz") else base) + ".best-params.npz"

"""Training language models with truncated BPTT, as the book does.

Batching: the corpus is read by ``batch_size`` rows, row i starting at offset
i * (len / batch_size); each iteration takes the next ``time_size`` steps of
every row, and the recurrent state is carried from one chunk to the next
(the graph is cut between them with ``model.unchain()``).
"""
import math

import numpy as np

from autograd_nlp import distributed
from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.training.errors import TooLittleDataError
from autograd_nlp.training.progress import Progress
from autograd_nlp.training.trainer import Trainer, print_flushed


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


def perplexity(mean_loss):
    """exp(mean cross-entropy), inf instead of an OverflowError for huge losses."""
    try:
        return math.exp(mean_loss)
    except OverflowError:
        return math.inf


def evaluate_perplexity(model, corpus, batch_size=10, time_size=35, progress=False,
                        desc="eval"):
    """Perplexity exp(mean cross-entropy) over a whole split: stateful from a
    reset state, no graph recorded, dropout off (the book's eval_perplexity)."""
    model.reset_state()
    iters = iterations_per_epoch(corpus, batch_size, time_size)
    if iters == 0:
        raise ValueError(f"evaluate_perplexity: corpus of {len(corpus)} tokens is too "
                         f"short for batch {batch_size} x time {time_size}")
    total = 0.0
    bar = Progress(iters, desc, enabled=progress, unit="tokens")
    with no_grad(), eval_mode():
        for it in range(iters):
            xs, ts = lm_batch(corpus, batch_size, time_size, it * time_size)
            ts = to_device(ts, model.device)        # the model moves xs itself
            total += float(softmax_cross_entropy(model(xs), ts).data)
            bar.update(1, items=xs.size)
    bar.close()
    model.reset_state()
    return perplexity(total / iters)


class LanguageModelTrainer(Trainer):
    """Truncated-BPTT training with clipping and the book's learning-rate
    schedule (divide by ``lr_decay`` when validation perplexity gets worse);
    the loop, checkpoints and checks are ``Trainer``'s.

    ``meta`` (e.g. the model's name and constructor arguments, the vocabulary)
    is stored in every checkpoint so that ``eval``/``generate`` can rebuild
    the model from the file alone.
    """

    adjustable = Trainer.adjustable + ("lr_decay", "eval_batch_size", "max_iters")
    unit = "tokens"
    monitor = "valid perplexity"
    higher_is_better = False

    def __init__(self, model, optimizer, batch_size=20, time_size=35, max_grad=0.25,
                 lr_decay=None, checkpoint_path=None, checkpoint_every=None, meta=None,
                 progress=True, log=print_flushed, max_iters_per_epoch=None, **kwargs):
        super().__init__(model, optimizer, max_grad, checkpoint_path, checkpoint_every,
                         meta, progress, log, **kwargs)
        self.batch_size, self.time_size = batch_size, time_size
        self.lr_decay = lr_decay
        self.max_iters_per_epoch = max_iters_per_epoch
        self.history = {"epoch": [], "train_ppl": [], "valid_ppl": [], "lr": [], "seconds": []}
        self.corpus, self.valid_corpus, self.eval_batch_size = None, None, 10

    @property
    def best_ppl(self):
        """The best validation perplexity so far (inf before any)."""
        return math.inf if self.best_score is None else self.best_score

    @best_ppl.setter
    def best_ppl(self, value):
        self.best_score = None if value is None or math.isinf(value) else value

    def resumed_meta(self, meta):
        legacy = meta.get("best_ppl")           # the key earlier versions wrote
        if self.best_score is None and legacy is not None and math.isfinite(legacy):
            self.best_score = legacy

    def fit(self, corpus, epochs, valid_corpus=None, eval_batch_size=10, stop_after=None):
        """Train on ``corpus`` (int ids) until ``epochs`` epochs are done
        (counting those before a resume), validating on ``valid_corpus``
        after each. Returns the history dict."""
        self.corpus, self.valid_corpus = corpus, valid_corpus
        self.eval_batch_size = eval_batch_size
        return super().fit(epochs, stop_after)

    # --- Trainer's hooks -------------------------------------------------------------
    def iterations_per_epoch(self):
        iters = iterations_per_epoch(self.corpus, self.batch_size, self.time_size)
        if self.max_iters_per_epoch:
            iters = min(iters, self.max_iters_per_epoch)
        if iters == 0:
            raise TooLittleDataError(
                f"LanguageModelTrainer: a corpus of {len(self.corpus)} tokens is too short "
                f"for batch {self.batch_size} x time {self.time_size}; use a smaller "
                f"--batch-size or --time-size")
        return iters

    def batch(self, iteration, iters):
        global_iter = self.epoch * iters + iteration
        xs, ts = lm_batch(self.corpus, self.batch_size, self.time_size,
                          global_iter * self.time_size)
        if self.comm is not None:       # this rank's rows: independent streams
            lo, hi = distributed.shard_bounds(self.batch_size, self.comm)
            self.grad_weight = (hi - lo) / self.batch_size
            xs, ts = xs[lo:hi], ts[lo:hi]
        return xs, ts

    def batch_items(self, batch):
        return batch[0].size

    def step(self, batch):
        """Forward, backward, clip, update, cut the graph. Returns the loss."""
        xs, ts = batch
        ts = to_device(ts, self.model.device)       # the model moves xs itself
        loss = self.update(softmax_cross_entropy(self.model(xs), ts))
        self.unchain()
        return loss

    @property
    def ppl_list(self):
        """The perplexity of every iteration so far (the book's ``ppl_list``,
        here per iteration): exp of ``loss_list``."""
        return [None if loss is None else perplexity(loss) for loss in self.loss_list]

    def iteration_curve(self, every):
        """``plot`` draws perplexity, exp of the mean loss of each group (the
        book's ``eval_interval`` average), on a log axis."""
        _, xs, means, _ = super().iteration_curve(every)
        return "perplexity", xs, [perplexity(m) for m in means], True

    def diverged(self, loss):
        if math.isfinite(loss) and math.isinf(perplexity(loss)):
            return f"the loss is {loss:.4g}, so large that its perplexity overflows (diverged)"
        return super().diverged(loss)

    def step_metrics(self):
        return {"ppl": perplexity(self._loss_sum / max(self._loss_count, 1)),
                "lr": self.optimizer.lr}

    def epoch_results(self):
        results = {"train perplexity": perplexity(self._loss_sum / max(self._loss_count, 1))}
        if self.valid_corpus is not None:
            results["valid perplexity"] = evaluate_perplexity(
                self.model, self.valid_corpus, self.eval_batch_size, self.time_size,
                progress=self.progress, desc=f"epoch {self.epoch + 1} validation")
        return results

    def record_epoch(self, results):
        h = self.history
        h["train_ppl"].append(results["train perplexity"])
        h["valid_ppl"].append(results.get("valid perplexity"))
        h["lr"].append(self.optimizer.lr)

    def after_epoch(self, results):
        """The book's schedule: divide lr by ``lr_decay`` when the validation
        perplexity did not beat the best (``Trainer.track_best`` ran first)."""
        if results.get("valid perplexity") is not None and not self.improved and self.lr_decay:
            self.optimizer.lr /= self.lr_decay
            self.log(f"  validation perplexity got worse: lr -> {self.optimizer.lr:g}")

"""Training and measuring the sequence autoencoders on date strings
(``train autoencoder|vae``): the trainer (KL annealing, free bits, the
loss's parts in the progress line, data parallel over MPI ranks) and the
scores taken after every epoch (exact and per-character reconstruction,
the VAE's KL and the share of its samples that are real dates)."""
import numpy as np

from autograd_nlp.data.date_strings import parse_date
from autograd_nlp.training.minibatch import MinibatchTrainer

EVAL_ROWS = 1000          # validation (or held-out) strings scored after each epoch
EPOCH_SAMPLES = 200       # at most this many VAE samples scored after each epoch
REBUILD_CHUNK = 500       # strings rebuilt at once


class AutoencoderTrainer(MinibatchTrainer):
    """``MinibatchTrainer`` on strings alone (``fit((x,), epochs)``): each
    update's KL weight follows the annealing schedule of the run's update
    count (``kl_anneal`` updates from 0 to 1; None: no KL term, a plain
    autoencoder), and the progress line shows the loss's parts.

    Over MPI ranks (``comm``, data parallel) each rank takes its share of
    every batch: a plain autoencoder then takes the steps of one process on
    the whole batch; a VAE's noise comes from each rank's own random stream
    (``distributed.broadcast_rng_state``) and its free-bits floor applies to
    each rank's share, so its steps are alike in law, not bit for bit."""

    def __init__(self, model, optimizer, start_id, kl_anneal=None, free_bits=0.0, **kwargs):
        super().__init__(model, optimizer, loss_fn=self.string_loss, unit="strings", **kwargs)
        self.start_id, self.kl_anneal, self.free_bits = start_id, kl_anneal, free_bits
        self.parts = {}

    def kl_weight(self):
        """beta of the next update: linear from 0 to 1 over ``kl_anneal`` updates."""
        if self.kl_anneal is None:
            return 0.0
        done = self.epoch * self.iterations_per_epoch() + self.iteration
        return 1.0 if self.kl_anneal <= 0 else min(1.0, (done + 1) / self.kl_anneal)

    def string_loss(self, model, x):
        beta = self.kl_weight()
        loss, parts = model.loss(x, self.start_id, beta, free_bits=self.free_bits)
        self.parts = parts if self.kl_anneal is None else {**parts, "beta": beta}
        return loss

    def step_metrics(self):
        return self.parts


# --- measuring -----------------------------------------------------------------------
def reconstruction_accuracy(model, ds, x):
    """(exact-match fraction, character accuracy) of greedy rebuilds of the
    strings ``x`` (n, width) from their codes."""
    rebuilt = np.concatenate([model.reconstruct(x[i:i + REBUILD_CHUNK], ds.start_id)
                              for i in range(0, len(x), REBUILD_CHUNK)])
    return float((rebuilt == x).all(axis=1).mean()), float((rebuilt == x).mean())


def sample_quality(model, ds, n, seed):
    """Decode ``n`` codes drawn from N(0, I): (texts, fraction that parse as
    real dates, fraction of distinct texts, fraction of valid texts not among
    the training strings)."""
    texts = ds.decode(model.sample(n, ds.start_id, ds.width, np.random.default_rng(seed)))
    valid = [t for t in texts if parse_date(t) is not None]
    novel = [t for t in valid if t not in ds.texts_train]
    return (texts, len(valid) / n, len(set(texts)) / n, len(novel) / max(len(valid), 1))


def mean_kl(model, x):
    """The VAE's mean KL(q(z | x) || N(0, I)) over the strings ``x``, in nats."""
    from autograd_nlp.core import eval_mode, no_grad
    from autograd_nlp.models.sequence_autoencoder import gaussian_kl
    with no_grad(), eval_mode():
        mean, logvar = model.posterior(x)
        return float(gaussian_kl(mean, logvar).data.mean())


def epoch_evaluation(model, ds, variational, samples, seed):
    """The per-epoch scores: exact-match and character reconstruction of
    ``EVAL_ROWS`` validation strings (held-out ones without a validation
    split), and for a VAE (``variational``) the mean KL and the fraction of
    ``min(samples, EPOCH_SAMPLES)`` samples that are real dates. Returns
    (evaluate(trainer) -> dict, the name of the exact score)."""
    split, x = ("valid", ds.x_valid) if len(ds.x_valid) else ("held-out", ds.x_test)
    x = x[:EVAL_ROWS]

    def evaluate(trainer):
        exact, chars = reconstruction_accuracy(model, ds, x)
        results = {f"{split} exact accuracy": exact, f"{split} character accuracy": chars}
        if variational:
            _, valid, _, _ = sample_quality(model, ds, min(samples, EPOCH_SAMPLES), seed)
            results.update({"KL": mean_kl(model, x), "real-date fraction": valid})
        return results
    return evaluate, f"{split} exact accuracy"

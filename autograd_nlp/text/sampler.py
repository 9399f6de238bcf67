"""Negative sampling (chapter 4): draw words from the unigram distribution
raised to a power, never the word they are negatives for."""
import numpy as np

from autograd_nlp import random as ag_random


class UnigramSampler:
    """p(w) proportional to count(w) ** power (0.75 in word2vec).

    ``get_negative_sample(targets)`` returns ``targets.shape + (sample_size,)``
    ids drawn independently from p restricted to ``w != target``: one
    vectorised draw by inverse CDF, then only the (rare) collisions with the
    target are drawn again. Draws are with replacement (the book's CPU code
    draws without; with 10,000 words the difference is negligible).
    """

    def __init__(self, corpus, power=0.75, sample_size=5, vocab_size=None):
        corpus = np.asarray(corpus)
        counts = np.bincount(corpus, minlength=vocab_size or 0).astype(np.float64)
        if (counts > 0).sum() < 2:
            raise ValueError("UnigramSampler: the corpus needs at least two distinct "
                             "words to draw negatives that differ from the target")
        p = counts ** power
        self.p = p / p.sum()
        self.cdf = np.cumsum(self.p)
        self.cdf[-1] = 1.0
        self.vocab_size = len(p)
        self.sample_size = sample_size

    def sample(self, shape, rng=None):
        """Ids drawn from p (targets not excluded); ``rng`` a Generator or a
        RandomState (default: autograd_nlp's generator)."""
        ids = np.searchsorted(self.cdf, ag_random.random_floats(shape, rng=rng),
                              side="right")
        return np.minimum(ids, self.vocab_size - 1)

    def get_negative_sample(self, targets, rng=None):
        """targets (any shape, ints) -> negatives targets.shape + (sample_size,)."""
        rng = rng or ag_random.get_rng()
        targets = np.asarray(targets)
        shape = targets.shape + (self.sample_size,)
        negatives = self.sample(shape, rng)
        clash = negatives == targets[..., None]
        while clash.any():
            negatives[clash] = self.sample(int(clash.sum()), rng)
            clash = negatives == targets[..., None]
        return negatives

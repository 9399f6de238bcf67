"""Negative sampling (chapter 4): draw words from the unigram distribution
raised to a power, never the word they are negatives for."""
import numpy as np

from autograd_nlp import jit
from autograd_nlp import random as ag_random
from autograd_nlp.backend import get_array_module, get_device_of_module, to_device


class UnigramSampler:
    """p(w) proportional to count(w) ** power (0.75 in word2vec).

    ``get_negative_sample(targets)`` returns ``targets.shape + (sample_size,)``
    ids drawn independently from p restricted to ``w != target``: one
    vectorised draw by inverse CDF, then only the (rare) collisions with the
    target are drawn again. Draws are with replacement (the book's CPU code
    draws without; with 10,000 words the difference is negligible). Targets
    on a device (CuPy) get negatives drawn there, from that device's generator.
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
        self._device_cdf = {}
        self._guide = None          # jit's guide table, built on first use

    def sample(self, shape, rng=None, xp=np):
        """Ids drawn from p (targets not excluded); ``rng`` a Generator or a
        RandomState (default: autograd_nlp's generator); ``xp``: the array
        module to draw on (then from its device's generator, not ``rng``)."""
        u = ag_random.random_floats(shape, rng=rng, xp=xp)
        if xp is np and jit.enabled():      # the same ids, found from a guide table
            if self._guide is None:
                self._guide = jit.unigram_sampling.guide_table(self.cdf)
            return jit.unigram_sampling.draw(self.cdf, self._guide, u)
        cdf = self.cdf if xp is np else self._cdf_on(xp)
        return xp.minimum(xp.searchsorted(cdf, u, side="right"), self.vocab_size - 1)

    def _cdf_on(self, xp):
        """The CDF copied once to the device of module ``xp``."""
        name = get_device_of_module(xp).name
        if name not in self._device_cdf:
            self._device_cdf[name] = to_device(self.cdf, name)
        return self._device_cdf[name]

    def get_negative_sample(self, targets, rng=None):
        """targets (any shape, ints) -> negatives targets.shape + (sample_size,)."""
        rng = rng or ag_random.get_rng()
        xp = get_array_module(targets)
        if xp is np:
            targets = np.asarray(targets)
        shape = targets.shape + (self.sample_size,)
        negatives = self.sample(shape, rng, xp)
        clash = negatives == targets[..., None]
        while clash.any():
            if xp is np:
                negatives[clash] = self.sample(int(clash.sum()), rng, xp)
            else:   # no boolean indexing, which reads a count back from the device
                negatives = xp.where(clash, self.sample(shape, rng, xp), negatives)
            clash = negatives == targets[..., None]
        return negatives

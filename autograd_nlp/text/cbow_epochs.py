"""A whole epoch of CBOW training data at once: sub-sampled corpus, contexts,
targets, negatives and reduced-window weights, each one vectorised draw
instead of a Python step per batch."""
import math

import numpy as np

from autograd_nlp.data.contexts import (create_contexts_target, keep_probabilities,
                                        reduced_window_weights, subsample_corpus)


class CbowEpochs:
    """``epochs(rng)`` -> the arrays of one epoch: ``(contexts (n, 2 w),
    target (n,), negatives (n, k))`` plus ``weights (n, 2 w)`` float32 with
    ``reduced_windows`` (1 / (2b) on the 2b contexts in the window, or 1 with
    ``context="sum"``). ``subsample`` > 0 drops frequent words first
    (word2vec's ``sample``; 0 keeps the corpus as it is, as the book does).
    Negatives come from ``sampler`` (never the target); with neither option
    an epoch is the book's fixed pairs plus fresh negatives.

    ``examples_per_epoch``: how many targets every draw has at least (with
    sub-sampling the count varies; 4 standard deviations below its mean,
    and a rare shorter draw is drawn again), so epochs have equal lengths."""

    def __init__(self, corpus, window_size, sampler, subsample=0.0, reduced_windows=False,
                 context="mean"):
        if context not in ("mean", "sum"):
            raise ValueError(f"CbowEpochs: context must be 'mean' or 'sum', got {context!r}")
        self.corpus = np.asarray(corpus)
        self.window_size, self.sampler = window_size, sampler
        self.subsample, self.reduced_windows = subsample, reduced_windows
        self.context = context
        self.keep = (keep_probabilities(self.corpus, subsample, sampler.vocab_size)
                     if subsample > 0 else None)
        self._fixed = None
        if subsample > 0:
            p = self.keep[self.corpus]
            spread = 4 * math.sqrt(float((p * (1 - p)).sum()))
            self.examples_per_epoch = max(int(p.sum() - spread) - 2 * window_size, 1)
        else:
            self._fixed = create_contexts_target(self.corpus, window_size)
            self.examples_per_epoch = len(self._fixed[1])

    def __call__(self, rng):
        if self._fixed is None:
            corpus = subsample_corpus(self.corpus, self.keep, rng)
            while len(corpus) - 2 * self.window_size < self.examples_per_epoch:
                corpus = subsample_corpus(self.corpus, self.keep, rng)
            contexts, target = create_contexts_target(corpus, self.window_size)
        else:
            contexts, target = self._fixed
        arrays = (contexts, target, self.sampler.get_negative_sample(target, rng))
        if self.reduced_windows:
            arrays += (reduced_window_weights(len(target), self.window_size, rng,
                                              mean=self.context == "mean"),)
        return arrays

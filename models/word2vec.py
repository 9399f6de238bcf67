"""word2vec (chapters 3 and 4): CBOW and skip-gram, forward code only.

Chapter 3's Simple* models score every word (full softmax). Chapter 4's
models replace it by negative sampling: a binary task telling the true word
(label 1) from ``sample_size`` words drawn from the unigram ** 0.75
distribution (label 0). The word vectors are ``in_embed.W`` (vocab, hidden).
"""
import numpy as np

from autograd_nlp.backend import get_array_module, to_device
from autograd_nlp.functions import (broadcast_to, negative_sampling_loss,
                                    sigmoid_cross_entropy, softmax_cross_entropy)
from autograd_nlp.layers import Embedding, Linear, Module
from autograd_nlp.text.sampler import UnigramSampler


class SimpleCBOW(Module):
    """contexts (batch, 2 * window) -> loss of predicting the target with a
    softmax over the vocabulary."""

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        self.in_embed = Embedding(vocab_size, hidden_size)
        self.out = Linear(hidden_size, vocab_size, bias=False, init="normal")

    def forward(self, contexts, target):
        h = self.in_embed(contexts).mean(axis=1)             # (batch, hidden)
        return softmax_cross_entropy(self.out(h), target)


class SimpleSkipGram(Module):
    """target (batch,) -> sum over context positions of the softmax loss of
    predicting each context word."""

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        self.in_embed = Embedding(vocab_size, hidden_size)
        self.out = Linear(hidden_size, vocab_size, bias=False, init="normal")

    def forward(self, contexts, target):
        scores = self.out(self.in_embed(target))             # (batch, vocab)
        window = contexts.shape[1]
        scores = broadcast_to(scores.reshape(scores.shape[0], 1, -1),
                              (scores.shape[0], window, scores.shape[1]))
        return softmax_cross_entropy(scores, contexts) * window


class _NegativeSampling(Module):
    """Shared by CBOW and SkipGram: score words against hidden vectors and
    apply the negative-sampling loss."""

    def __init__(self, vocab_size, hidden_size, corpus, sample_size, power):
        super().__init__()
        self.in_embed = Embedding(vocab_size, hidden_size)
        self.out_embed = Embedding(vocab_size, hidden_size)
        self.sampler = UnigramSampler(corpus, power, sample_size, vocab_size)

    def negative_sampling_loss(self, h, positives):
        """h (..., hidden); positives (...) ids -> mean over the batch of the
        summed binary losses of each positive and its negatives."""
        negatives = self.sampler.get_negative_sample(positives)     # (..., k)
        xp = get_array_module(positives)                            # numpy or cupy
        ids = xp.concatenate([positives[..., None], negatives], axis=-1)  # (..., 1 + k)
        labels = xp.zeros(ids.shape, dtype=np.int32)
        labels[..., 0] = 1
        w = self.out_embed(ids)                                     # (..., 1 + k, hidden)
        scores = (w * h.reshape(h.shape[:-1] + (1, h.shape[-1]))).sum(axis=-1)
        losses = sigmoid_cross_entropy(scores, labels, reduction="none")
        return losses.sum() * (1.0 / positives.shape[0])

    @property
    def word_vectors(self):
        """(vocab, hidden) float32 NumPy array (whatever the model's device):
        the input embedding."""
        return to_device(self.in_embed.W.data, "cpu")


class CBOW(_NegativeSampling):
    """contexts (batch, 2 * window), target (batch,) -> loss: the mean (or,
    with ``context="sum"``, the sum: word2vec's ``cbow_mean=0``) of the
    context vectors should score the target high and the negatives low.

    ``negatives`` (batch, k) may be given (a whole epoch's drawn at once),
    else they are drawn here; ``weights`` (batch, 2 * window) replace the
    plain mean or sum by a weighted sum (word2vec's reduced windows). One
    fused op does the context vector, the scores and the loss (what
    ``negative_sampling_loss`` below composes)."""

    def __init__(self, vocab_size, hidden_size, corpus, sample_size=5, power=0.75,
                 context="mean"):
        super().__init__(vocab_size, hidden_size, corpus, sample_size, power)
        if context not in ("mean", "sum"):
            raise ValueError(f"CBOW: context must be 'mean' or 'sum', got {context!r}")
        self.context = context

    def forward(self, contexts, target, negatives=None, weights=None):
        if negatives is None:
            negatives = self.sampler.get_negative_sample(target)    # (batch, k)
        xp = get_array_module(target)
        if weights is None and self.context == "sum":
            weights = xp.ones(contexts.shape, dtype=self.in_embed.W.dtype)
        samples = xp.concatenate([target[:, None], negatives], axis=1)
        return negative_sampling_loss(self.in_embed.W, self.out_embed.W, contexts,
                                      samples, weights)


class SkipGram(_NegativeSampling):
    """target (batch,), contexts (batch, 2 * window) -> loss: the target's
    vector should score each context word high and its negatives low."""

    def __init__(self, vocab_size, hidden_size, corpus, sample_size=5, power=0.75):
        super().__init__(vocab_size, hidden_size, corpus, sample_size, power)

    def forward(self, contexts, target):
        h = self.in_embed(target)                                   # (batch, hidden)
        h = h.reshape(h.shape[0], 1, h.shape[1])                    # (batch, 1, hidden)
        return self.negative_sampling_loss(h, contexts)

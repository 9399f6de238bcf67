"""A whole CBOW epoch drawn at once, against the per-batch path it replaces."""
import numpy as np

from autograd_nlp.data.contexts import create_contexts_target
from autograd_nlp.text.cbow_epochs import CbowEpochs
from autograd_nlp.text.sampler import UnigramSampler


def _corpus(n=20_000, vocab=50, seed=0):
    rng = np.random.default_rng(seed)
    return np.minimum(rng.zipf(1.3, n) - 1, vocab - 1)


def test_without_options_an_epoch_is_the_books_pairs_with_fresh_negatives():
    corpus = _corpus()
    sampler = UnigramSampler(corpus, 0.75, 5, 50)
    epochs = CbowEpochs(corpus, 3, sampler)
    contexts, target, negatives = epochs(np.random.default_rng(1))
    book_contexts, book_target = create_contexts_target(corpus, 3)
    np.testing.assert_array_equal(contexts, book_contexts)
    np.testing.assert_array_equal(target, book_target)
    assert epochs.examples_per_epoch == len(target)
    # the negatives: the per-batch sampler's distribution, never the target
    assert negatives.shape == (len(target), 5) and not (negatives == target[:, None]).any()
    per_batch = np.concatenate([sampler.get_negative_sample(target[i:i + 100],
                                                            np.random.default_rng(i))
                                for i in range(0, len(target), 100)])
    whole = np.bincount(negatives.ravel(), minlength=50) / negatives.size
    batched = np.bincount(per_batch.ravel(), minlength=50) / per_batch.size
    np.testing.assert_allclose(whole, batched, atol=0.005)
    second = epochs(np.random.default_rng(2))[2]
    assert (second != negatives).mean() > 0.5               # drawn anew each epoch


def test_subsampled_epochs_are_windows_of_one_thinned_corpus():
    corpus = _corpus()
    sampler = UnigramSampler(corpus, 0.75, 2, 50)
    epochs = CbowEpochs(corpus, 2, sampler, subsample=1e-2, reduced_windows=True)
    contexts, target, negatives, weights = epochs(np.random.default_rng(3))
    assert epochs.examples_per_epoch <= len(target) < 0.9 * len(corpus)
    # consecutive targets are neighbours in the thinned stream
    np.testing.assert_array_equal(contexts[1:, 1], target[:-1])      # offset -1
    np.testing.assert_array_equal(contexts[:-1, 2], target[1:])      # offset +1
    # the most frequent word is thinned the most
    before = np.bincount(corpus, minlength=50) / len(corpus)
    after = np.bincount(target, minlength=50) / len(target)
    assert after[0] < before[0]
    assert weights.shape == contexts.shape
    np.testing.assert_allclose(weights.sum(1), 1.0, rtol=1e-6)
    # the same generator state draws the same epoch (what resuming relies on)
    again = epochs(np.random.default_rng(3))
    for a, b in zip((contexts, target, negatives, weights), again):
        np.testing.assert_array_equal(a, b)

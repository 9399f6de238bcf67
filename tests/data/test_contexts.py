"""word2vec's sub-sampling and reduced windows (autograd_nlp/data/contexts.py)."""
import numpy as np
import pytest

from autograd_nlp.data.contexts import (create_contexts_target, keep_probabilities,
                                        reduced_window_weights, subsample_corpus)


def test_keep_probabilities_follow_word2vec_formula():
    corpus = np.repeat([0, 1, 2], [9095, 900, 5])            # N = 10,000
    keep = keep_probabilities(corpus, 1e-3)
    tn = 1e-3 * 10_000                                         # t N = 10
    expected = [(np.sqrt(f / tn) + 1) * tn / f for f in (9095, 900, 5)]
    np.testing.assert_allclose(keep, np.minimum(expected, 1.0))
    assert keep[0] < keep[1] < keep[2] == 1.0                # rare words always kept
    np.testing.assert_array_equal(keep_probabilities(corpus, 0.0), [1, 1, 1])
    assert keep_probabilities(np.array([0, 0]), 1e-3, vocab_size=3)[2] == 1.0  # unseen


def test_subsample_keeps_each_word_at_its_rate_and_in_order():
    corpus = np.tile(np.repeat([0, 1, 2], [90, 9, 1]), 2000)
    keep = np.array([0.2, 0.7, 1.0])
    kept = subsample_corpus(corpus, keep, np.random.default_rng(0))
    counts = np.bincount(kept, minlength=3) / np.bincount(corpus)
    np.testing.assert_allclose(counts, keep, atol=0.01)
    # survivors keep their order: the kept stream is a subsequence of the corpus
    positions = np.flatnonzero(corpus == 2)
    assert (kept == 2).sum() == len(positions)


def test_reduced_windows_weigh_the_2b_nearest_contexts_equally():
    rng = np.random.default_rng(0)
    weights = reduced_window_weights(60_000, 5, rng)
    assert weights.shape == (60_000, 10) and weights.dtype == np.float32
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    used = weights > 0
    b = used.sum(axis=1) // 2
    np.testing.assert_allclose(np.bincount(b, minlength=6)[1:] / 60_000, 0.2, atol=0.01)
    # contexts are left (offsets -5..-1) then right (1..5): the used ones are
    # the b nearest on each side
    distance = np.abs(np.r_[np.arange(-5, 0), np.arange(1, 6)])
    np.testing.assert_array_equal(used, distance[None, :] <= b[:, None])
    np.testing.assert_allclose(weights[used], np.repeat(1 / (2 * b), 2 * b))


def test_contexts_target_layout_is_the_one_the_windows_assume():
    contexts, target = create_contexts_target(np.arange(20), 3)
    np.testing.assert_array_equal(contexts[0], [0, 1, 2, 4, 5, 6])
    assert target[0] == 3
    with pytest.raises(ValueError, match="window_size"):
        create_contexts_target(np.arange(4), 3)

"""Tests for autograd_nlp/text/pipeline.py (co-occurrence -> PPMI -> SVD)."""
import numpy as np
import pytest

from autograd_nlp.data import preprocess
from autograd_nlp.text import co_occurrence, count_svd_vectors, ppmi, truncated_svd


@pytest.fixture
def book_corpus():
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    return corpus, len(word_to_id)


def test_equals_the_stage_by_stage_pipeline(book_corpus):
    corpus, V = book_corpus
    U, _, _ = truncated_svd(ppmi(co_occurrence(corpus, V, 2)), 3, seed=4)
    vectors = count_svd_vectors(corpus, V, window_size=2, dim=3, seed=4)
    assert vectors.shape == (7, 3) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors, U)


def test_singular_value_power_scales_columns(book_corpus):
    corpus, V = book_corpus
    _, S, _ = truncated_svd(ppmi(co_occurrence(corpus, V, 1)), 2)
    plain = count_svd_vectors(corpus, V, window_size=1, dim=2)
    half = count_svd_vectors(corpus, V, window_size=1, dim=2, singular_value_power=0.5)
    np.testing.assert_allclose(half, plain * np.sqrt(S), rtol=1e-6)


def test_similar_contexts_give_similar_vectors():
    """Words 0 and 1 only ever sit between 4s and 5s, words 2 and 3 between
    6s and 7s (8 separates the phrases): same contexts, same direction."""
    rng = np.random.default_rng(0)
    corpus = []
    for _ in range(2000):
        x, a, x2 = 4 + rng.integers(0, 2), rng.integers(0, 2), 4 + rng.integers(0, 2)
        y, b, y2 = 6 + rng.integers(0, 2), 2 + rng.integers(0, 2), 6 + rng.integers(0, 2)
        corpus += [x, a, x2, 8, y, b, y2, 8]
    vectors = count_svd_vectors(np.array(corpus), 9, window_size=1, dim=4)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert unit[0] @ unit[1] > 0.95 and unit[2] @ unit[3] > 0.95
    assert abs(unit[0] @ unit[2]) < 0.2


@pytest.mark.parametrize("dim", [0, 8, 2.5])
def test_bad_dim(book_corpus, dim):
    corpus, V = book_corpus
    with pytest.raises(ValueError, match=r"dim must be an integer in \[1, vocab_size=7\]"):
        count_svd_vectors(corpus, V, dim=dim)

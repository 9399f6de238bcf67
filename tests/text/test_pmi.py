"""Tests for autograd_nlp/text/pmi.py: hand-computed entries on the book's
corpus and the book's double loop on random matrices."""
import math

import numpy as np
import pytest

from autograd_nlp.data import preprocess
from autograd_nlp.text import co_occurrence, co_occurrence_pairs, ppmi, ppmi_from_pairs


def book_ppmi(C, eps=1e-8):
    """The book's ppmi, loop for loop (the reference)."""
    M = np.zeros_like(C, dtype=np.float32)
    N = np.sum(C)
    S = np.sum(C, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                pmi = np.log2(C[i, j] * N / (S[j] * S[i]) + eps)
                M[i, j] = max(0, pmi)
    return M


def test_book_corpus_by_hand():
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    M = ppmi(co_occurrence(corpus, len(word_to_id), 1))
    assert M.dtype == np.float32 and M.shape == (7, 7)
    # N = 14 counts; S = [1, 4, 2, 2, 2, 2, 1]
    a = math.log2(1 * 14 / (1 * 4))   # you-say: 1.807
    b = math.log2(1 * 14 / (4 * 2))   # say-goodbye, say-i, say-hello: 0.807
    c = math.log2(1 * 14 / (2 * 1))   # hello-.: 2.807
    d = math.log2(1 * 14 / (2 * 2))   # goodbye-and, and-i: 1.807
    expected = np.array([[0, a, 0, 0, 0, 0, 0],
                         [a, 0, b, 0, b, b, 0],
                         [0, b, 0, d, 0, 0, 0],
                         [0, 0, d, 0, d, 0, 0],
                         [0, b, 0, d, 0, 0, 0],
                         [0, b, 0, 0, 0, 0, c],
                         [0, 0, 0, 0, 0, c, 0]])
    np.testing.assert_allclose(M, expected, rtol=1e-6, atol=1e-6)
    assert round(float(M[0, 1]), 3) == 1.807 and round(float(M[5, 6]), 3) == 2.807


def test_negative_pmi_is_clipped_to_zero():
    C = np.array([[0, 2], [2, 2]])           # N = 6, S = [2, 4]
    M = ppmi(C)
    assert M[0, 1] == pytest.approx(math.log2(2 * 6 / (2 * 4)))
    assert M[1, 1] == 0.0                    # log2(2 * 6 / 16) < 0


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_book_loop(seed):
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 4, size=(9, 9)) * (rng.random((9, 9)) < 0.5)
    C = C + C.T
    np.testing.assert_allclose(ppmi(C), book_ppmi(C), rtol=1e-6, atol=1e-6)


def test_float_and_non_symmetric_counts_follow_the_formula():
    rng = np.random.default_rng(3)
    C = rng.random((6, 6)) * (rng.random((6, 6)) < 0.6)
    np.testing.assert_allclose(ppmi(C), book_ppmi(C), rtol=1e-6, atol=1e-6)


def test_unused_word_gives_zero_row_and_column():
    C = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    M = ppmi(C)
    assert np.isfinite(M).all()
    assert (M[2] == 0).all() and (M[:, 2] == 0).all()
    np.testing.assert_allclose(M, book_ppmi(C), atol=1e-6)


def test_all_zero_matrix():
    assert (ppmi(np.zeros((3, 3), dtype=np.int32)) == 0).all()


def test_from_pairs_equals_dense():
    rng = np.random.default_rng(11)
    corpus = rng.integers(0, 20, size=500)
    keys, counts = co_occurrence_pairs(corpus, 20, 2)
    np.testing.assert_array_equal(ppmi_from_pairs(keys, counts, 20),
                                  ppmi(co_occurrence(corpus, 20, 2)))


@pytest.mark.parametrize("C, error, match", [
    (np.zeros((2, 3)), ValueError, r"square.*\(2, 3\)"),
    (np.zeros(4), ValueError, "square"),
    (np.array([[0, -1], [1, 0]]), ValueError, "non-negative"),
    (np.array([["a"]]), TypeError, "dtype"),
])
def test_bad_input_is_named(C, error, match):
    with pytest.raises(error, match=match):
        ppmi(C)


@pytest.mark.parametrize("size", [0, 1, 7, 8, 50])
def test_blockwise_nonzero_matches_numpy(size):
    from autograd_nlp.text.pmi import _flat_nonzero
    flat = np.random.default_rng(size).integers(0, 3, size) * 1.0
    np.testing.assert_array_equal(_flat_nonzero(flat, block=7), np.flatnonzero(flat))

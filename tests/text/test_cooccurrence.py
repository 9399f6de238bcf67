"""Tests for autograd_nlp/text/cooccurrence.py against the book's figure and
its double loop."""
import numpy as np
import pytest

from autograd_nlp.data import preprocess
from autograd_nlp.text import co_occurrence, co_occurrence_pairs

BOOK_C = [[0, 1, 0, 0, 0, 0, 0],
          [1, 0, 1, 0, 1, 1, 0],
          [0, 1, 0, 1, 0, 0, 0],
          [0, 0, 1, 0, 1, 0, 0],
          [0, 1, 0, 1, 0, 0, 0],
          [0, 1, 0, 0, 0, 0, 1],
          [0, 0, 0, 0, 0, 1, 0]]


def book_create_co_matrix(corpus, vocab_size, window_size):
    """The book's create_co_matrix, loop for loop (the reference)."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for idx, word_id in enumerate(corpus):
        for i in range(1, window_size + 1):
            if idx - i >= 0:
                C[word_id, corpus[idx - i]] += 1
            if idx + i < len(corpus):
                C[word_id, corpus[idx + i]] += 1
    return C


def test_book_figure_window_1():
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    C = co_occurrence(corpus, len(word_to_id), window_size=1)
    assert C.dtype == np.int32 and C.shape == (7, 7)
    assert C.tolist() == BOOK_C


def test_book_corpus_window_2_by_hand():
    # you say goodbye and i say hello . -> ids 0 1 2 3 4 1 5 6
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    C = co_occurrence(corpus, len(word_to_id), window_size=2)
    assert C[0].tolist() == [0, 1, 1, 0, 0, 0, 0]          # you: say, goodbye
    assert C[1].tolist() == [1, 0, 1, 2, 1, 1, 1]          # say (twice): ...
    assert C[6].tolist() == [0, 1, 0, 0, 0, 1, 0]          # .: say, hello
    assert (C == C.T).all()


@pytest.mark.parametrize("window_size", [1, 2, 3, 5])
@pytest.mark.parametrize("seed", range(4))
def test_matches_the_book_loop_on_random_corpora(window_size, seed):
    rng = np.random.default_rng(seed)
    vocab_size = int(rng.integers(1, 12))
    corpus = rng.integers(0, vocab_size, size=int(rng.integers(0, 60)))
    expected = book_create_co_matrix(corpus, vocab_size, window_size)
    np.testing.assert_array_equal(co_occurrence(corpus, vocab_size, window_size), expected)


@pytest.mark.parametrize("corpus", [[], [0], [0, 0], [1, 0, 1]])
def test_short_corpora_and_windows_longer_than_the_corpus(corpus):
    for window_size in (1, 4):
        np.testing.assert_array_equal(co_occurrence(np.array(corpus, dtype=int), 2, window_size),
                                      book_create_co_matrix(corpus, 2, window_size))


def test_repeated_word_counts_twice_on_the_diagonal():
    assert co_occurrence(np.array([0, 0]), 1, 1).tolist() == [[2]]


def test_pairs_are_the_sorted_nonzero_entries():
    rng = np.random.default_rng(7)
    corpus = rng.integers(0, 9, size=200)
    keys, counts = co_occurrence_pairs(corpus, 9, 3)
    C = co_occurrence(corpus, 9, 3)
    np.testing.assert_array_equal(keys, np.flatnonzero(C))
    np.testing.assert_array_equal(counts, C.ravel()[keys])
    assert counts.dtype == np.int32 and keys.dtype == np.int64


@pytest.mark.parametrize("args, error, match", [
    (([0, 3], 3, 1), ValueError, r"\[0, 3\).*from 0 to 3"),
    (([-1, 0], 3, 1), ValueError, "from -1 to 0"),
    (([[0, 1]], 3, 1), ValueError, "1-D"),
    (([0.0, 1.0], 3, 1), TypeError, "integer"),
    (([0, 1], 3, 0), ValueError, "window_size"),
    (([0, 1], 0, 1), ValueError, "vocab_size"),
])
def test_bad_arguments_are_named(args, error, match):
    corpus, vocab_size, window_size = args
    with pytest.raises(error, match=match):
        co_occurrence(np.array(corpus), vocab_size, window_size)

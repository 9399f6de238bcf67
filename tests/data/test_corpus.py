"""Tests for autograd_nlp/data/corpus.py (the book's preprocess)."""
import numpy as np
import pytest

from autograd_nlp.data import preprocess


def test_book_example():
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    assert corpus.dtype == np.int64
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4,
                          "hello": 5, ".": 6}
    assert id_to_word == {i: w for w, i in word_to_id.items()}


def test_ids_follow_first_occurrence_and_periods_split():
    corpus, word_to_id, _ = preprocess("b a. A b.")
    assert list(word_to_id) == ["b", "a", "."]
    assert corpus.tolist() == [0, 1, 2, 1, 0, 2]


def test_splits_on_single_spaces_like_the_book():
    corpus, word_to_id, _ = preprocess("a  b")
    assert list(word_to_id) == ["a", "", "b"]
    assert corpus.tolist() == [0, 1, 2]


def test_rejects_non_text():
    with pytest.raises(TypeError, match="str"):
        preprocess(b"bytes are not text")

"""Tests for autograd_nlp/text/similarity.py: the book's examples and a
hand-built analogy space."""
import math

import numpy as np
import pytest

from autograd_nlp.data import preprocess
from autograd_nlp.text import analogy, co_occurrence, cos_similarity, most_similar


@pytest.fixture
def book():
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    return word_to_id, id_to_word, co_occurrence(corpus, len(word_to_id), 1)


def test_cos_similarity_book_value(book):
    word_to_id, _, C = book
    value = cos_similarity(C[word_to_id["you"]], C[word_to_id["i"]])
    assert value == pytest.approx(1 / math.sqrt(2), abs=1e-7)   # book: 0.7071067691154799


def test_cos_similarity_of_zero_vector_is_zero():
    assert cos_similarity(np.zeros(3), np.ones(3)) == 0.0


def test_cos_similarity_shape_error():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        cos_similarity(np.ones(2), np.ones(3))


def test_most_similar_book_output(book):
    word_to_id, id_to_word, C = book
    result = most_similar("you", word_to_id, id_to_word, C, top=5)
    # book: goodbye 0.7071, i 0.7071, hello 0.7071, say 0.0, and 0.0 (ties by id)
    assert [w for w, _ in result] == ["goodbye", "i", "hello", "say", "and"]
    np.testing.assert_allclose([s for _, s in result], [1 / math.sqrt(2)] * 3 + [0, 0],
                               atol=1e-7)


def test_most_similar_never_returns_the_query_and_caps_at_vocabulary(book):
    word_to_id, id_to_word, C = book
    result = most_similar("say", word_to_id, id_to_word, C, top=100)
    assert len(result) == 6 and "say" not in [w for w, _ in result]


def test_most_similar_unknown_word(book):
    word_to_id, id_to_word, C = book
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        most_similar("zebra", word_to_id, id_to_word, C)


SPACE_WORDS = ["man", "king", "woman", "queen", "apple", "car"]
SPACE = np.array([[1.0, 0.0, 0.1],     # man
                  [1.0, 1.0, 0.1],     # king
                  [-1.0, 0.0, 0.1],    # woman
                  [-1.0, 1.0, 0.1],    # queen
                  [0.0, 0.2, 1.0],     # apple
                  [0.3, -1.0, 0.0]])   # car
SPACE_W2I = {w: i for i, w in enumerate(SPACE_WORDS)}
SPACE_I2W = dict(enumerate(SPACE_WORDS))


def test_analogy_finds_queen():
    result = analogy("man", "king", "woman", SPACE_W2I, SPACE_I2W, SPACE, top=2)
    assert result[0][0] == "queen"
    assert not {"man", "king", "woman"} & {w for w, _ in result}


def test_analogy_uses_normalised_vectors():
    # scaling any word vector must not change the answer
    scaled = SPACE * np.array([5.0, 0.2, 3.0, 1.0, 9.0, 0.5])[:, None]
    plain = analogy("man", "king", "woman", SPACE_W2I, SPACE_I2W, SPACE, top=3)
    other = analogy("man", "king", "woman", SPACE_W2I, SPACE_I2W, scaled, top=3)
    assert [w for w, _ in plain] == [w for w, _ in other]
    np.testing.assert_allclose([s for _, s in plain], [s for _, s in other], rtol=1e-6)


def test_analogy_score_is_the_cosine_with_b_minus_a_plus_c():
    unit = SPACE / np.linalg.norm(SPACE, axis=1, keepdims=True)
    query = unit[1] - unit[0] + unit[2]
    expected = cos_similarity(unit[3], query)
    (word, score), = analogy("man", "king", "woman", SPACE_W2I, SPACE_I2W, SPACE, top=1)
    assert word == "queen" and score == pytest.approx(expected, rel=1e-6)


def test_analogy_names_the_unknown_word():
    with pytest.raises(KeyError, match="'prince'"):
        analogy("man", "prince", "woman", SPACE_W2I, SPACE_I2W, SPACE)


def test_bad_top():
    with pytest.raises(ValueError, match="top"):
        analogy("man", "king", "woman", SPACE_W2I, SPACE_I2W, SPACE, top=0)

"""Tests for autograd_nlp/text/word_vectors.py."""
import numpy as np
import pytest

from autograd_nlp.text import WordVectors, as_word_vectors

WORDS = ["man", "king", "woman", "queen", "apple"]
VECS = np.array([[1.0, 0.0, 0.1], [1.0, 1.0, 0.1], [-1.0, 0.0, 0.1],
                 [-1.0, 1.0, 0.1], [0.0, 0.2, 1.0]])


@pytest.fixture
def wv():
    return WordVectors(WORDS, VECS)


def test_basics(wv):
    assert len(wv) == 5 and wv.dim == 3 and "queen" in wv and "zebra" not in wv
    assert wv.vectors.dtype == np.float32
    assert wv.word_to_id["woman"] == 2 and wv.id_to_word[3] == "queen"
    np.testing.assert_array_equal(wv["king"], VECS[1].astype(np.float32))
    with pytest.raises(KeyError, match="'zebra'"):
        wv["zebra"]


def test_save_and_load_without_pickle(wv, tmp_path):
    path = wv.save(tmp_path / "vectors.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npz"]
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["vectors", "words"]
        assert archive["words"].dtype.kind == "U"
        assert archive["vectors"].dtype == np.float32
    loaded = WordVectors.load(path)
    assert loaded.words == WORDS
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)


def test_save_overwrites_atomically(wv, tmp_path):
    path = tmp_path / "v.npz"
    wv.save(path)
    WordVectors(["a"], np.ones((1, 2))).save(path)
    assert WordVectors.load(path).words == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["v.npz"]


def test_load_rejects_foreign_files(tmp_path):
    np.savez(tmp_path / "other.npz", W=np.ones((2, 2)))
    with pytest.raises(ValueError, match="'words' and 'vectors'.*'W'"):
        WordVectors.load(tmp_path / "other.npz")
    np.savez(tmp_path / "ints.npz", words=np.arange(2), vectors=np.ones((2, 2)))
    with pytest.raises(ValueError, match="unicode"):
        WordVectors.load(tmp_path / "ints.npz")


def test_constructor_errors():
    with pytest.raises(ValueError, match="2 words but 3 vectors"):
        WordVectors(["a", "b"], np.ones((3, 2)))
    with pytest.raises(ValueError, match="'a' appears more than once"):
        WordVectors(["a", "b", "a"], np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"\(V, D\)"):
        WordVectors(["a"], np.ones(3))
    with pytest.raises(TypeError, match="str"):
        WordVectors([1], np.ones((1, 2)))


def test_queries_delegate(wv):
    assert wv.analogy("man", "king", "woman", top=1)[0][0] == "queen"
    assert wv.most_similar("king", top=1)[0][0] == "man"


def test_alternate_constructors():
    a = WordVectors.from_vocab(dict(enumerate(WORDS)), VECS)
    b = WordVectors.from_mapping({w: v for w, v in zip(WORDS, VECS)})
    c = as_word_vectors(({w: i for i, w in enumerate(WORDS)}, VECS))
    d = as_word_vectors((WORDS, VECS))
    for other in (b, c, d):
        assert other.words == a.words
        np.testing.assert_array_equal(other.vectors, a.vectors)
    assert as_word_vectors(a) is a
    with pytest.raises(TypeError, match="WordVectors"):
        as_word_vectors(VECS)

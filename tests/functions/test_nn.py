"""Specific behaviour of the nn ops beyond their gradients (checked in the registry)."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.functions.nn import scatter_add_rows


def test_dropout_is_inverted_and_off_in_eval_mode():
    ag.random.seed(0)
    x = ag.Variable(np.ones((200, 100)))
    y = F.dropout(x, 0.3)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, y.data)            # same mask, same scale
    with ag.eval_mode():
        assert F.dropout(x, 0.3) is x
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        F.dropout(x, 1.0)


def test_embedding_accumulates_repeated_ids():
    W = ag.Variable(np.arange(12.0).reshape(4, 3))
    ids = np.array([[1, 1], [3, 1]])
    out = F.embedding(W, ids)
    assert out.shape == (2, 2, 3)
    out.sum().backward()
    np.testing.assert_array_equal(W.grad.data[:, 0], [0, 3, 0, 1])


@pytest.mark.parametrize("n,rows", [(0, 5), (1, 5), (50, 7), (1000, 3)])
def test_scatter_add_rows_matches_add_at(n, rows):
    rng = np.random.default_rng(n)
    ids, values = rng.integers(0, rows, n), rng.standard_normal((n, 4))
    expected = np.zeros((rows, 4))
    np.add.at(expected, ids, values)
    np.testing.assert_allclose(scatter_add_rows(ids, values, rows), expected, atol=1e-12)


def test_layer_norm_normalises_the_last_axis():
    x = np.random.default_rng(1).standard_normal((3, 5)) * 4 + 2
    y = F.layer_norm(x, np.ones(5), np.zeros(5)).data
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-7)
    np.testing.assert_allclose(y.std(axis=-1), 1, atol=1e-4)
    with pytest.raises(ag.ShapeError, match="gamma"):
        F.layer_norm(x, np.ones(4), np.zeros(4))


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = ag.Variable(np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]], dtype=np.float32))
    loss = F.softmax_cross_entropy(logits, np.array([0, 2]))
    assert np.isfinite(loss.data) and float(loss.data) == pytest.approx(np.log(2) / 2, rel=1e-5)
    loss.backward()
    assert np.isfinite(logits.grad.data).all()


def test_softmax_cross_entropy_ignore_label_and_errors():
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    t = np.array([[0, -1, 3], [-1, -1, 2]])
    ours = float(F.softmax_cross_entropy(x, t, ignore_label=-1).data)
    valid = t != -1
    logp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    expected = -np.mean([logp[i, j, t[i, j]] for i, j in zip(*np.nonzero(valid))])
    assert ours == pytest.approx(expected)
    with pytest.raises(IndexError, match=r"\[0, 4\)"):
        F.softmax_cross_entropy(x, np.array([[0, 4, 1], [0, 0, 0]]))
    with pytest.raises(ag.ShapeError, match="targets"):
        F.softmax_cross_entropy(x, np.zeros((2, 2), dtype=int))
    with pytest.raises(TypeError, match="integer"):
        F.softmax_cross_entropy(x, np.zeros((2, 3)))


def test_sigmoid_cross_entropy_is_stable():
    x = ag.Variable(np.array([1e4, -1e4, 0.0]))
    loss = F.sigmoid_cross_entropy(x, np.array([1, 0, 1]), reduction="sum")
    assert float(loss.data) == pytest.approx(np.log(2))
    loss.backward()
    np.testing.assert_allclose(x.grad.data, [0, 0, -0.5], atol=1e-12)


@pytest.mark.parametrize("method", ["reduceat", "flat-add-at"])
def test_scatter_add_rows_methods_sources_and_scales_agree_with_add_at(method):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, 40)
    values = rng.standard_normal((40, 3))
    expected = np.zeros((7, 3))
    np.add.at(expected, ids, values)
    np.testing.assert_allclose(scatter_add_rows(ids, values, 7, method=method), expected)
    shared = rng.standard_normal((5, 3))              # row i is shared[source[i]] * scale[i]
    source, scale = rng.integers(0, 5, 40), rng.standard_normal(40)
    expected = np.zeros((7, 3))
    np.add.at(expected, ids, shared[source] * scale[:, None])
    np.testing.assert_allclose(scatter_add_rows(ids, shared, 7, source=source, scale=scale,
                                                method=method), expected)
    assert scatter_add_rows(ids[:0], values[:0], 7, method=method).shape == (7, 3)
    with pytest.raises(ValueError, match="method"):
        scatter_add_rows(ids, values, 7, method="bincount")

"""Dot-product attention: gradients, normalisation, masking, torch agreement."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.layers import Attention, dot_product_attention


def test_weights_sum_to_one_over_the_source():
    rng = np.random.default_rng(0)
    context, weights = dot_product_attention(rng.standard_normal((2, 3, 4)),
                                             rng.standard_normal((2, 5, 4)))
    assert context.shape == (2, 3, 4) and weights.shape == (2, 3, 5)
    np.testing.assert_allclose(weights.data.sum(axis=-1), 1.0)


def test_gradcheck_query_keys_values():
    rng = np.random.default_rng(1)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), \
        rng.standard_normal((2, 5, 6))
    assert ag.gradcheck(lambda q_, k_, v_: dot_product_attention(q_, k_, v_)[0], q, k, v)
    assert ag.gradgradcheck(lambda q_, k_: dot_product_attention(q_, k_)[0], q, k)
    assert ag.gradcheck(lambda q_, k_: dot_product_attention(q_, k_, scale=True)[1], q, k)


def test_mask_hides_positions():
    rng = np.random.default_rng(2)
    mask = np.array([True, True, False, True, False])
    _, weights = dot_product_attention(rng.standard_normal((1, 2, 3)),
                                       rng.standard_normal((1, 5, 3)), mask=mask)
    assert np.all(weights.data[..., ~mask] < 1e-12)


def test_layer_keeps_weights_for_inspection():
    layer = Attention()
    rng = np.random.default_rng(3)
    layer(rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 6, 3)))
    assert layer.weights.shape == (2, 4, 6)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"\(2, 3, 4\).*\(2, 5, 3\)"):
        dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 5, 3)))


def test_matches_torch_sdpa():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    rng = np.random.default_rng(4)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), \
        rng.standard_normal((2, 5, 4))
    ours, _ = dot_product_attention(q, k, v, scale=True)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10)


def test_masked_weights_are_exactly_zero_and_a_fully_masked_query_attends_to_nothing():
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    mask = rng.random((2, 3, 5)) < 0.6
    mask[0, 1] = False                                 # this query may see nothing
    mask[1, :, 0] = True
    context, weights = dot_product_attention(q, k, mask=mask)
    assert np.all(weights.data[~mask] == 0)
    np.testing.assert_array_equal(weights.data[0, 1], 0)
    np.testing.assert_array_equal(context.data[0, 1], 0)
    rows = mask.any(axis=-1)
    np.testing.assert_allclose(weights.data.sum(axis=-1)[rows], 1, rtol=1e-12)
    assert ag.gradcheck(lambda q_, k_: dot_product_attention(q_, k_, mask=mask)[0], q, k)
    assert ag.gradgradcheck(lambda q_, k_: dot_product_attention(q_, k_, mask=mask)[0], q, k)

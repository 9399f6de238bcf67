"""The NumPy softmax used to read model outputs."""
import numpy as np

from autograd_nlp.numeric import log_softmax_array, softmax_array


def test_softmax_array_sums_to_one_keeps_its_dtype_and_survives_large_logits():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]], dtype=np.float32)
    p = softmax_array(logits)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=-1), 1, rtol=1e-6)
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(softmax_array(logits, axis=0).sum(axis=0), 1, rtol=1e-6)


def test_log_softmax_array_is_float64_and_the_log_of_softmax():
    logits = np.random.default_rng(0).normal(size=(4, 7)).astype(np.float32)
    logp = log_softmax_array(logits)
    assert logp.dtype == np.float64
    np.testing.assert_allclose(np.exp(logp), softmax_array(logits.astype(np.float64)),
                               rtol=1e-12)

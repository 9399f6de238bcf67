"""Tests for autograd_nlp/text/svd.py against np.linalg.svd."""
import numpy as np
import pytest

from autograd_nlp.text import truncated_svd


def low_rank(m, n, rank, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.standard_normal((m, rank)))
    right, _ = np.linalg.qr(rng.standard_normal((n, rank)))
    singular = np.linspace(10.0, 1.0, rank)
    return ((left * singular) @ right.T).astype(dtype)


def reference(M, k):
    U, S, Vt = np.linalg.svd(M.astype(np.float64), full_matrices=False)
    U, S, Vt = U[:, :k], S[:k], Vt[:k]
    signs = np.sign(U[np.abs(U).argmax(axis=0), np.arange(k)])
    return U * signs, S, Vt * signs[:, None]


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_exact_svd_on_a_low_rank_matrix(k):
    M = low_rank(80, 50, rank=5)
    U, S, Vt = truncated_svd(M, k, seed=1)
    U0, S0, Vt0 = reference(M, k)
    assert U.shape == (80, k) and S.shape == (k,) and Vt.shape == (k, 50)
    np.testing.assert_allclose(S, S0, rtol=1e-10)
    np.testing.assert_allclose(U, U0, atol=1e-8)
    np.testing.assert_allclose(Vt, Vt0, atol=1e-8)


def test_full_rank_reconstruction_and_orthonormality():
    M = low_rank(60, 40, rank=8)
    U, S, Vt = truncated_svd(M, 8)
    np.testing.assert_allclose((U * S) @ Vt, M, atol=1e-10)
    np.testing.assert_allclose(U.T @ U, np.eye(8), atol=1e-12)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(8), atol=1e-12)


def test_decaying_spectrum_top_values_are_close():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((120, 90)) @ np.diag(0.7 ** np.arange(90)) @ rng.standard_normal((90, 90))
    S = truncated_svd(A, 10, n_iter=4)[1]
    np.testing.assert_allclose(S, np.linalg.svd(A, compute_uv=False)[:10], rtol=1e-6)


def test_float32_stays_float32():
    M = low_rank(70, 70, rank=4, dtype=np.float32)
    U, S, Vt = truncated_svd(M, 4)
    assert U.dtype == S.dtype == Vt.dtype == np.float32
    np.testing.assert_allclose(S, reference(M, 4)[1], rtol=1e-4)


def test_integer_input_is_converted_to_float64():
    M = np.arange(12).reshape(4, 3)
    U, S, Vt = truncated_svd(M, 2)
    assert U.dtype == np.float64
    np.testing.assert_allclose(S, np.linalg.svd(M.astype(float), compute_uv=False)[:2])


def test_same_seed_same_result_and_generator_accepted():
    M = np.random.default_rng(0).random((30, 30))
    first, second = truncated_svd(M, 5, seed=3), truncated_svd(M, 5, seed=3)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    U, _, _ = truncated_svd(M, 5, seed=np.random.default_rng(3))
    np.testing.assert_allclose(np.abs(U.T @ first[0]), np.eye(5), atol=1e-6)


@pytest.mark.parametrize("k", [0, 11, 2.5, True])
def test_bad_k_names_the_range(k):
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, min\(m, n\)\] = \[1, 10\]"):
        truncated_svd(np.ones((10, 12)), k)


def test_bad_shape():
    with pytest.raises(ValueError, match="2-D"):
        truncated_svd(np.ones(5), 1)

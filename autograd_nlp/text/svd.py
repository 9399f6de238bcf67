"""Randomized truncated SVD (Halko, Martinsson & Tropp 2011, algorithms 4.4
and 5.1) in plain NumPy.

The book reduces PTB's 10,000 x 10,000 PPMI matrix with scikit-learn's
``randomized_svd`` because a full ``np.linalg.svd`` takes many minutes. This
is the same method without the dependency:

1. sketch the range of ``M`` with ``Y = M @ Omega``, ``Omega`` Gaussian
   ``(n, k + oversamples)``;
2. sharpen it with ``n_iter`` power iterations ``(M M^T)^q Y``,
   re-orthonormalised by QR after every product (numerically stable);
3. project, ``B = Q^T M`` (small: ``(k + p, n)``), and take its exact SVD.

Cost: ``2 * n_iter + 2`` products of ``M`` with a thin ``(n, k + p)`` matrix.
The products run in ``M``'s float dtype (float32 for PPMI: half the memory
traffic of float64, and plenty for word vectors).
"""
from __future__ import annotations

from typing import Union

import numpy as np

SeedLike = Union[None, int, np.random.Generator]


def truncated_svd(M, k: int, n_iter: int = 5, oversamples: int = 10,
                  seed: SeedLike = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Approximate rank-``k`` SVD ``M ~= U @ np.diag(S) @ Vt``.

    Args:
        M: ``(m, n)`` real matrix. Float32/float64 are used as they are;
            other dtypes are converted to float64.
        k: number of singular triplets, ``1 <= k <= min(m, n)``.
        n_iter: power iterations; more helps when the spectrum decays slowly
            (the book passes ``n_iter=5`` to scikit-learn).
        oversamples: extra sketch columns beyond ``k`` (Halko's ``p``).
        seed: seed or ``np.random.Generator`` for the Gaussian sketch.

    Returns:
        ``(U, S, Vt)`` like a truncated ``np.linalg.svd(M, full_matrices=False)``:
        ``U`` ``(m, k)`` orthonormal columns, ``S`` ``(k,)`` descending,
        ``Vt`` ``(k, n)``, all in the working dtype. Signs are fixed so the
        largest-magnitude entry of each column of ``U`` is positive, so a given
        seed always yields the same vectors. Word vectors are the rows of
        ``U`` (the book's choice) or ``U * S ** p`` for a chosen power ``p``.
    """
    M = np.asarray(M)
    if M.ndim != 2:
        raise ValueError(f"truncated_svd expects a 2-D matrix, got shape {M.shape}")
    if M.dtype not in (np.float32, np.float64):
        M = M.astype(np.float64)
    m, n = M.shape
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= min(m, n):
        raise ValueError(f"k must be an integer in [1, min(m, n)] = [1, {min(m, n)}] "
                         f"for a matrix of shape {M.shape}, got {k!r}")
    if n_iter < 0 or oversamples < 0:
        raise ValueError(f"n_iter and oversamples must be >= 0, got {n_iter} and {oversamples}")
    k = int(k)
    width = min(k + int(oversamples), m, n)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    omega = rng.standard_normal((n, width)).astype(M.dtype, copy=False)
    Q = _orthonormal(M @ omega)                  # (m, width)
    for _ in range(int(n_iter)):
        Q = _orthonormal(M.T @ Q)                # (n, width)
        Q = _orthonormal(M @ Q)                  # (m, width)
    B = Q.T @ M                                  # (width, n)
    Ub, S, Vt = np.linalg.svd(B, full_matrices=False)
    U = Q @ Ub[:, :k]
    U, Vt = _fix_signs(U, Vt[:k])
    return U, S[:k], Vt


def _orthonormal(Y: np.ndarray) -> np.ndarray:
    """Orthonormal basis of ``Y``'s columns (reduced QR), same dtype."""
    Q, _ = np.linalg.qr(Y)
    return Q


def _fix_signs(U: np.ndarray, Vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flip each singular pair so ``U``'s largest-|.| entry per column is
    positive (the sign of a singular pair is otherwise arbitrary)."""
    pivots = np.abs(U).argmax(axis=0)
    signs = np.sign(U[pivots, np.arange(U.shape[1])])
    signs[signs == 0] = 1
    return U * signs, Vt * signs[:, None]

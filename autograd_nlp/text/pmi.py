"""Positive pointwise mutual information (book, chapter 2).

(The module is ``pmi``, not ``ppmi``, so that ``autograd_nlp.text.ppmi`` is
unambiguously the function.)

``PPMI_ij = max(0, log2(C_ij * N / (S_i * S_j) + eps))`` with ``N = C.sum()``
and ``S = C.sum(axis=0)``. A zero count gives ``log2(eps) < 0``, hence 0, so
only the non-zero counts need a logarithm: the formula is evaluated on the
non-zero entries (under 1% of a PTB matrix) in float64, exactly as the book's
double loop does, and written into a zeroed float32 result. Memory beyond the
output is ``O(nnz)``; the input is read once.
"""
from __future__ import annotations

import numpy as np


def ppmi(C, eps: float = 1e-8) -> np.ndarray:
    """PPMI matrix of a co-occurrence matrix.

    Args:
        C: ``(V, V)`` non-negative counts (any integer or float dtype),
            e.g. from :func:`~autograd_nlp.text.co_occurrence`.
        eps: added inside the logarithm, as in the book.

    Returns:
        ``(V, V)`` ``np.float32``. A word with no co-occurrences at all
        (``S_i = 0``) gets a zero row and column (the book yields ``max(0, nan)
        = 0`` there too).

    >>> C = np.array([[0, 2], [2, 2]])
    >>> print(ppmi(C).round(3))            # N = 6, S = [2, 4]: log2(2*6/(2*4))
    [[0.    0.585]
     [0.585 0.   ]]
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"ppmi expects a square (V, V) count matrix, got shape {C.shape}")
    if not (np.issubdtype(C.dtype, np.integer) or np.issubdtype(C.dtype, np.floating)):
        raise TypeError(f"ppmi expects integer or float counts, got dtype {C.dtype}")
    flat = np.ascontiguousarray(C).reshape(-1)
    keys = _flat_nonzero(flat)
    return ppmi_from_pairs(keys, flat[keys], C.shape[0], eps)


def _flat_nonzero(flat: np.ndarray, block: int = 1 << 22) -> np.ndarray:
    """``np.flatnonzero(flat)``, about 3x faster: NumPy's nonzero is vectorised
    for booleans, so each block is compared with 0 first. Blocks of ``block``
    elements keep the boolean scratch small (4 MB) instead of ``V * V`` bytes."""
    parts = [np.flatnonzero(flat[start:start + block] != 0) + start
             for start in range(0, flat.size, block)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)


def ppmi_from_pairs(keys, counts, vocab_size: int, eps: float = 1e-8) -> np.ndarray:
    """PPMI from the non-zero counts of a ``(V, V)`` matrix in flat form.

    Args:
        keys: ``(nnz,)`` unique flat indices ``row * V + col``.
        counts: ``(nnz,)`` the counts at those indices (e.g. both from
            :func:`~autograd_nlp.text.cooccurrence.co_occurrence_pairs`).
        vocab_size: ``V``.
        eps: added inside the logarithm.

    Returns:
        ``(V, V)`` ``np.float32``, equal to ``ppmi(C)`` for the dense ``C``.
    """
    V = int(vocab_size)
    keys = np.asarray(keys, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.float64)
    if keys.shape != counts.shape or keys.ndim != 1:
        raise ValueError(f"keys and counts must be 1-D of equal length, got shapes "
                         f"{keys.shape} and {counts.shape}")
    out = np.zeros((V, V), dtype=np.float32)
    if keys.size == 0:
        return out
    if counts.min() < 0:
        raise ValueError("ppmi expects non-negative counts; got negative entries")
    rows, cols = np.divmod(keys, V)
    S = np.bincount(cols, weights=counts, minlength=V)   # == C.sum(axis=0)
    N = counts.sum()                                     # == C.sum()
    pmi = counts * N
    with np.errstate(divide="ignore", invalid="ignore"):  # explicit zero counts
        pmi /= S[rows] * S[cols]
        pmi += eps
        np.log2(pmi, out=pmi)
    keep = pmi > 0                                       # also drops nan
    out.reshape(-1)[keys[keep]] = pmi[keep]
    return out

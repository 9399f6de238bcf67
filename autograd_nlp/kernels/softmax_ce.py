"""numba kernels for softmax cross-entropy (see jit.py).

NumPy's forward makes five passes over the (rows, classes) logits and
allocates two arrays of their size (max, x - max, exp, sum, divide); here
one loop per row for max and x - max, NumPy's vectorized ``exp`` in place,
and one loop per row for the sum and the division (running the three over
blocks of rows that stay in cache bought nothing measurable). The sum runs
in 8 interleaved float64 partial sums (NumPy sums float32 pairwise), so
probabilities and losses agree with the NumPy path to float rounding, not
bit for bit. The gradient, (probs - onehot) * scale, is one loop instead of
a copy and two passes, and bit-identical.

Shapes: x2 (N, C) logits, targets (N,) ids, probs (N, C), losses (N,).
"""
import math

import numpy as np

from autograd_nlp.jit import njit


@njit
def _row_max(row):
    """max(row) (len >= 1) in 8 interleaved maxima: LLVM vectorizes them."""
    C = row.size
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = row[0]
    for j in range(0, C - C % 8, 8):
        m0, m1, m2, m3 = max(m0, row[j]), max(m1, row[j + 1]), max(m2, row[j + 2]), \
            max(m3, row[j + 3])
        m4, m5, m6, m7 = max(m4, row[j + 4]), max(m5, row[j + 5]), max(m6, row[j + 6]), \
            max(m7, row[j + 7])
    m = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
    for j in range(C - C % 8, C):
        m = max(m, row[j])
    return m


@njit
def _row_sum(row):
    """sum(row) in 8 interleaved float64 partial sums (vectorized; at least
    as accurate as NumPy's pairwise float32 sum)."""
    C = row.size
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for j in range(0, C - C % 8, 8):
        s0 += row[j]
        s1 += row[j + 1]
        s2 += row[j + 2]
        s3 += row[j + 3]
        s4 += row[j + 4]
        s5 += row[j + 5]
        s6 += row[j + 6]
        s7 += row[j + 7]
    s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for j in range(C - C % 8, C):
        s += row[j]
    return s


@njit
def _shift(x2, targets, valid, use_valid, p, picked):
    """p[r] = x2[r] - max(x2[r]); picked[r] = p[r, targets[r]]. A row with
    use_valid and not valid[r] (an ignored label) is read as zeros."""
    for r in range(x2.shape[0]):
        row, out = x2[r], p[r]
        if use_valid and not valid[r]:
            out[:] = 0
            picked[r] = 0
            continue
        m = _row_max(row)
        for j in range(row.size):
            out[j] = row[j] - m
        picked[r] = out[targets[r]]


@njit
def _normalize(p, picked, use_valid, valid, losses):
    """p[r] (exp'd) /= its sum; losses[r] = log(sum) - picked[r] (0 for an
    ignored row)."""
    for r in range(p.shape[0]):
        row = p[r]
        s = row.dtype.type(_row_sum(row))
        for j in range(row.size):
            row[j] = row[j] / s
        losses[r] = 0 if use_valid and not valid[r] else math.log(s) - picked[r]


def softmax_ce_forward(x2, targets, valid):
    """x2 (N, C) logits, targets (N,) ids in range, valid (N,) bool or None.
    Returns probs (N, C) and per-row losses (N,) (0 where not valid): the
    contract of cuda_kernels.softmax_ce_forward."""
    N, C = x2.shape
    p = np.empty_like(x2)
    losses = np.empty(N, dtype=x2.dtype)
    if N == 0 or C == 0:
        return p, np.zeros(N, dtype=x2.dtype)
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    use_valid = valid is not None
    valid = np.ascontiguousarray(valid) if use_valid else np.ones(1, dtype=np.bool_)
    _shift(x2, targets, valid, use_valid, p, losses)
    np.exp(p, out=p)
    _normalize(p, losses, use_valid, valid, losses)
    return p, losses


@njit
def _grad(probs, targets, scale, g, one):
    """g = (probs - onehot(targets)) * scale[row]; ``one`` of the dtype (a
    literal 1 would make numba subtract in float64)."""
    N, C = probs.shape
    for r in range(N):
        s, src, out = scale[r], probs[r], g[r]
        for j in range(C):
            out[j] = src[j] * s
        t = targets[r]
        out[t] = (src[t] - one) * s


def softmax_ce_grad(probs, targets, scale, shape):
    """(probs - onehot(targets)) * scale, reshaped to ``shape`` (the
    logits'), as a new array: the NumPy path's ``g = probs.copy();
    g[rows, targets] -= 1; g *= scale`` in one loop. probs (N, C); scale
    broadcasts against shape[:-1] + (1,) (the upstream gradient with the
    mean's and the ignored rows' factors)."""
    N, C = probs.shape
    scale = np.asarray(scale)
    g = np.empty_like(probs)
    if N == 0 or C == 0:
        return g.reshape(shape)
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    one = probs.dtype.type(1)
    if scale.dtype != probs.dtype or scale.size not in (1, N):
        _grad(probs, targets, np.ones(N, dtype=probs.dtype), g, one)   # x * 1 == x
        g = g.reshape(shape)
        g *= scale                       # NumPy's own broadcast and cast
        return g
    rows = np.full(N, scale.reshape(-1)[0]) if scale.size == 1 else scale.reshape(N)
    _grad(probs, targets, np.ascontiguousarray(rows, dtype=probs.dtype), g, one)
    return g.reshape(shape)

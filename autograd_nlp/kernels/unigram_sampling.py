"""numba kernel for drawing word ids by inverse CDF (see jit.py), for
``UnigramSampler.sample``: word2vec's negatives, 3.3 million per CBOW epoch
on PTB.

NumPy's ``searchsorted(cdf, u, side="right")`` binary-searches the whole
(vocab,) CDF for every draw, a chain of unpredictable branches (262 ms for
an epoch's draws here). A guide table of ``GUIDE_PER_WORD * vocab``
buckets holds, for bucket j, the answer for u = j / buckets; a draw starts
there and steps to the first i with cdf[i] > u, one or two steps on
average. The ids are exactly searchsorted's, clipped to the last word as
the sampler does: only the time changes.
"""
import numpy as np

from autograd_nlp.jit import njit

GUIDE_PER_WORD = 4      # buckets per word: a larger table, shorter walks


def guide_table(cdf):
    """(buckets,) int64: for bucket j, searchsorted(cdf, j / buckets, "right")."""
    buckets = GUIDE_PER_WORD * len(cdf)
    return np.searchsorted(cdf, np.arange(buckets) / buckets, side="right").astype(np.int64)


@njit
def _draw(cdf, guide, u, ids):
    buckets, last = guide.shape[0], cdf.shape[0] - 1
    for n in range(u.shape[0]):
        x = u[n]
        j = min(max(int(x * buckets), 0), buckets - 1)
        i = min(guide[j], last)
        while i > 0 and cdf[i - 1] > x:      # rounding put the bucket past x
            i -= 1
        while i < last and cdf[i] <= x:      # the first i with cdf[i] > x
            i += 1
        ids[n] = i


def draw(cdf, guide, u):
    """Ids (u's shape, int64) with cdf[id - 1] <= u < cdf[id], clipped to
    len(cdf) - 1: ``minimum(searchsorted(cdf, u, "right"), len(cdf) - 1)``.
    ``cdf`` (vocab,) float64 non-decreasing, ``guide`` from ``guide_table``,
    ``u`` floats in [0, 1)."""
    flat = np.ascontiguousarray(u, dtype=np.float64).reshape(-1)
    ids = np.empty(flat.shape[0], dtype=np.int64)
    _draw(cdf, guide, flat, ids)
    return ids.reshape(np.shape(u))

"""Rank statistics for word-similarity evaluation, in NumPy (no SciPy).

Spearman's rho is the Pearson correlation of the two samples' ranks, with
tied values sharing the average of the ranks they span (``scipy.stats``'s
``rankdata(method="average")`` convention), which is what word-similarity
benchmarks report.
"""
from __future__ import annotations

import numpy as np


def rankdata(x) -> np.ndarray:
    """1-based ranks of a 1-D sample, ties given their average rank.

    >>> rankdata([10, 20, 10, 30]).tolist()
    [1.5, 3.0, 1.5, 4.0]
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"rankdata expects a 1-D sample, got shape {x.shape}")
    n = x.size
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    # start of each run of equal values, and the run each sorted item is in
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = sorted_x[1:] != sorted_x[:-1]
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], n)
    run_of = np.cumsum(new_run) - 1
    average = (starts + ends + 1) / 2.0          # mean of ranks starts+1 .. ends
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = average[run_of]
    return ranks


def pearson(x, y) -> float:
    """Pearson correlation of two equal-length 1-D samples; nan when either is
    constant or has fewer than two items."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"expected two 1-D samples of equal length, got shapes "
                         f"{x.shape} and {y.shape}")
    if x.size < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    denom = np.sqrt((dx @ dx) * (dy @ dy))
    return float(dx @ dy / denom) if denom > 0 else float("nan")


def spearman(x, y) -> float:
    """Spearman rank correlation (average ranks for ties).

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 40])
    1.0
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"spearman expects two 1-D samples of equal length, got shapes "
                         f"{x.shape} and {y.shape}")
    return pearson(rankdata(x), rankdata(y))

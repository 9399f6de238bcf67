"""Tests for autograd_nlp/text/stats.py (average-rank Spearman)."""
import math

import numpy as np
import pytest

from autograd_nlp.text import pearson, rankdata, spearman


def test_rankdata_averages_ties():
    assert rankdata([10, 20, 10, 30]).tolist() == [1.5, 3.0, 1.5, 4.0]
    assert rankdata([5, 5, 5]).tolist() == [2.0, 2.0, 2.0]
    assert rankdata([3, 1, 2]).tolist() == [3.0, 1.0, 2.0]
    assert rankdata([]).tolist() == []


def test_spearman_by_hand_with_a_tie():
    # ranks x: 1 2 3 4 5 ; ranks y (7 tied): 1 2 3.5 5 3.5
    # dx = -2 -1 0 1 2 ; dy = -2 -1 .5 2 .5 ; sum dx dy = 8 ; |dx|^2 = 10 ; |dy|^2 = 9.5
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))


def test_spearman_is_rank_based():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert spearman(x, x ** 3) == pytest.approx(1.0)
    assert spearman(x, -np.exp(x)) == pytest.approx(-1.0)


def test_constant_or_tiny_samples_give_nan():
    assert math.isnan(spearman([1, 2, 3], [4, 4, 4]))
    assert math.isnan(pearson([1], [2]))


def test_agrees_with_scipy_when_installed():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = rng.integers(0, 5, 40), rng.integers(0, 8, 40)
        np.testing.assert_allclose(rankdata(x), stats.rankdata(x))
        assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0])


def test_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        spearman([1, 2, 3], [1, 2])

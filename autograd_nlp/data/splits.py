"""Deterministic train / validation splits carved from a training set.

Tuning and early stopping need a validation split that the test split never
feeds: PTB ships one (``ptb.valid.txt``); the seq2seq sets get theirs here,
carved from their training rows only, so the book's test rows stay untouched.

    train_idx, valid_idx = validation_indices(45_000, fraction=0.1, seed=0)
    len(train_idx), len(valid_idx)      # (40500, 4500); same seed, same split

Plain NumPy; nothing here knows about the autodiff engine.
"""
import dataclasses

import numpy as np

VALIDATION_SEED = 0
"""Default seed of the validation carve (independent of the training seed, so
trials with different seeds are scored on the same validation rows)."""


def validation_indices(n, fraction, seed=VALIDATION_SEED):
    """Row indices ``(train, valid)`` of ``n`` training rows: ``floor(n *
    fraction)`` rows drawn by ``np.random.default_rng(seed)`` become the
    validation split; both index arrays are sorted, disjoint and cover
    ``range(n)``. ``fraction`` 0 gives an empty validation split."""
    if not 0 <= fraction < 1:
        raise ValueError(f"validation_indices: fraction must be in [0, 1), got {fraction}")
    n_valid = int(n * fraction)
    if fraction > 0 and (n_valid == 0 or n_valid == n):
        raise ValueError(f"validation_indices: a fraction {fraction} of {n} rows leaves "
                         f"{n - n_valid} for training and {n_valid} for validation; "
                         f"use a larger dataset or another fraction")
    chosen = np.zeros(n, dtype=bool)
    chosen[np.random.default_rng(seed).permutation(n)[:n_valid]] = True
    return np.flatnonzero(~chosen), np.flatnonzero(chosen)


def with_validation(ds, fraction, seed=VALIDATION_SEED):
    """A copy of the ``SeqDataset`` ``ds`` whose ``x_valid, t_valid`` are
    ``fraction`` of its training rows (``validation_indices``), removed from
    ``x_train, t_train``; the test rows are not touched."""
    train, valid = validation_indices(len(ds.x_train), fraction, seed)
    return dataclasses.replace(ds, x_train=ds.x_train[train], t_train=ds.t_train[train],
                               x_valid=ds.x_train[valid], t_valid=ds.t_train[valid])


def carve_validation(x, t, fraction, seed=VALIDATION_SEED):
    """``(x_train, t_train, x_valid, t_valid)``: ``fraction`` of the rows of
    the training arrays ``x`` (n, ...) and ``t`` (n, ...) set aside for
    validation (``validation_indices``); fraction 0 leaves the validation
    arrays empty. ValueError when the fraction leaves a side empty."""
    train, valid = validation_indices(len(x), fraction, seed)
    return x[train], t[train], x[valid], t[valid]

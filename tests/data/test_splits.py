"""Validation splits: seeded, deterministic, disjoint from each other and
carved from the training rows only (the test rows are never touched)."""
import numpy as np
import pytest

from autograd_nlp.data.seq import make_seq_dataset
from autograd_nlp.data.splits import validation_indices, with_validation


def test_same_seed_same_split_and_another_seed_another():
    a = validation_indices(1000, 0.1, seed=3)
    b = validation_indices(1000, 0.1, seed=3)
    c = validation_indices(1000, 0.1, seed=4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("n, fraction", [(10, 0.1), (1000, 0.1), (999, 0.25), (45_000, 0.1)])
def test_train_and_validation_are_disjoint_and_cover_every_row(n, fraction):
    train, valid = validation_indices(n, fraction)
    assert len(valid) == int(n * fraction)
    assert np.intersect1d(train, valid).size == 0
    np.testing.assert_array_equal(np.union1d(train, valid), np.arange(n))


def test_zero_fraction_means_no_validation_rows_and_impossible_fractions_are_refused():
    train, valid = validation_indices(50, 0.0)
    assert valid.size == 0 and train.size == 50
    with pytest.raises(ValueError, match="leaves 5 for training and 0 for validation"):
        validation_indices(5, 0.1)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        validation_indices(5, 1.0)


def rows(x, t):
    return {tuple(r) for r in np.concatenate([x, t], axis=1)}


def test_validation_rows_come_from_train_never_from_test():
    ds = make_seq_dataset("addition", n=600, seed=2)      # unique questions
    carved = with_validation(ds, 0.2, seed=5)
    train, valid, test = (rows(carved.x_train, carved.t_train),
                          rows(carved.x_valid, carved.t_valid), rows(ds.x_test, ds.t_test))
    assert len(valid) == int(len(ds.x_train) * 0.2)
    assert not valid & test and not valid & train
    assert train | valid == rows(ds.x_train, ds.t_train)
    np.testing.assert_array_equal(carved.x_test, ds.x_test)       # test rows untouched
    again = with_validation(make_seq_dataset("addition", n=600, seed=2), 0.2, seed=5)
    np.testing.assert_array_equal(again.x_valid, carved.x_valid)  # deterministic


def test_a_dataset_without_a_carve_has_an_empty_validation_split():
    ds = make_seq_dataset("date", n=100, seed=0)
    assert ds.x_valid.shape == (0, ds.question_length)
    assert ds.t_valid.shape == (0, ds.answer_length)

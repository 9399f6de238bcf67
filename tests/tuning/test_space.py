"""--param NAME=KIND:SPEC: parsing, errors that show the syntax, sampling
inside the bounds, and trial settings that depend on (seed, number) alone."""
import numpy as np
import pytest

from autograd_nlp.tuning import SpaceError, parse_param, parse_space, sample_space, trial_rng


def test_each_kind_parses_and_samples_inside_its_bounds():
    specs = parse_space(["lr=log:1e-4:1e-1", "dropout=float:0:0.5", "batch-size=int:32:64",
                         "hidden=choice:64,128,256", "adam=choice:book,torch"])
    assert [s.dest for s in specs] == ["lr", "dropout", "batch_size", "hidden", "adam"]
    assert specs[2].option == "--batch-size"
    assert specs[3].choices == (64, 128, 256) and specs[4].choices == ("book", "torch")
    rng = np.random.default_rng(0)
    draws = [sample_space(specs, rng) for _ in range(300)]
    lrs = np.array([d["lr"] for d in draws])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-1
    assert (lrs < 1e-3).mean() > 0.2                       # log-uniform: every decade drawn
    assert {d["batch_size"] for d in draws} == set(range(32, 65))
    assert all(isinstance(d["batch_size"], int) for d in draws)
    assert {d["hidden"] for d in draws} == {64, 128, 256}
    assert all(0 <= d["dropout"] <= 0.5 for d in draws)


def test_text_round_trips():
    for text in ["lr=log:0.0001:0.1", "hidden=choice:64,128", "batch_size=int:32:64"]:
        assert parse_param(text).text() == text


@pytest.mark.parametrize("text, message", [
    ("lr", "expected NAME=log:LOW:HIGH"),
    ("lr=normal:1:2", "expected NAME=log:LOW:HIGH"),
    ("lr=log:1e-1:1e-4", "LOW < HIGH"),
    ("lr=log:0:1", "LOW > 0"),
    ("lr=float:a:b", "two finite numbers"),
    ("n=int:1.5:3", "whole numbers"),
    ("hidden=choice:", "distinct values"),
    ("hidden=choice:64,64", "distinct values"),
])
def test_bad_params_say_the_syntax(text, message):
    with pytest.raises(SpaceError, match=message):
        parse_param(text)


def test_a_name_given_twice_is_refused():
    with pytest.raises(SpaceError, match="given twice"):
        parse_space(["lr=log:1e-3:1e-2", "lr=float:0.1:0.2"])


def test_a_trial_setting_depends_on_seed_and_number_only():
    specs = parse_space(["lr=log:1e-4:1e-1", "hidden=choice:64,128,256"])
    a = sample_space(specs, trial_rng(0, 3))
    assert a == sample_space(specs, trial_rng(0, 3))
    assert a != sample_space(specs, trial_rng(0, 4))

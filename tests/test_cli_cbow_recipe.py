"""``train cbow --recipe fast|book``: the options each recipe fills in, the
help that shows both defaults, and a tiny run of each."""
import numpy as np
import pytest

from autograd_nlp.cli import build_parser, main
from autograd_nlp.commands.common import config_from_args
from autograd_nlp.recipes.settings import resolve
from autograd_nlp.recipes.word_vectors import (RECIPES, CbowConfig, apply_recipe,
                                               filled_by_recipe)

from tests.test_cli_training import write_ptb


def _config(*argv):
    """Parsed and resolved as the cbow recipe does before its recipe fills in."""
    args = build_parser().parse_args(["train", "cbow", *argv])
    return resolve(config_from_args(CbowConfig, args))


def test_each_recipe_fills_only_the_options_left_unset():
    fast = _config()
    assert fast.recipe == "fast"
    fast = apply_recipe(fast)
    assert (fast.batch_size, fast.optimizer, fast.lr, fast.lr_decay, fast.subsample,
            fast.windows, fast.context) == (4000, "sgd", 60.0, "linear", 1e-3, "reduced", "sum")
    book = _config("--recipe", "book", "--lr", "0.005")
    assert filled_by_recipe(book) == {"batch_size": 100, "optimizer": "adam",
                                      "lr_decay": "none", "subsample": 0.0, "windows": "full",
                                      "context": "mean"}
    book = apply_recipe(book)
    assert (book.batch_size, book.lr) == (100, 0.005)          # --lr given: kept


def test_the_help_shows_both_recipes_defaults(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "cbow", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "targets per batch (default: 4000; with --recipe book: 100)" in text
    assert "(default: 60.0; with --recipe book: 0.001)" in text
    assert "(default: 0.001; with --recipe book: 0.0)" in text
    assert "(default: sgd; with --recipe book: adam)" in text
    for recipe in RECIPES.values():
        assert set(recipe) == {"batch_size", "optimizer", "lr", "lr_decay", "subsample",
                               "windows", "context"}


@pytest.mark.parametrize("recipe", ["fast", "book"])
def test_a_tiny_run_of_each_recipe(tmp_path, capsys, monkeypatch, recipe):
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    write_ptb(data, np.random.default_rng(0))
    out = tmp_path / recipe
    lr = ["--lr", "0.5"] if recipe == "fast" else []
    assert main(["train", "cbow", "--data-dir", str(data), "--epochs", "2", "--window", "2",
                 "--hidden", "6", "--batch-size", "20", "--recipe", recipe, *lr,
                 "--subsample", "0.01" if recipe == "fast" else "0", "--out", str(out),
                 "--quiet"]) == 0
    text = capsys.readouterr().out
    assert f"({recipe} recipe: lr decay {RECIPES[recipe]['lr_decay']}" in text
    assert ("SGD lr 0.5" if recipe == "fast" else "Adam lr 0.001") in text
    assert text.count("epoch 2:") == 1 and (out / "vectors.npz").exists()
    if recipe == "fast":        # the lr fell linearly over the run (to ~0 at the end)
        lrs = [float(line.split(", lr ")[1].split(",")[0]) for line in text.splitlines()
               if line.startswith("epoch ")]
        assert lrs[1] < lrs[0] < 0.5


def test_too_few_targets_after_subsampling_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    write_ptb(data, np.random.default_rng(0))
    assert main(["train", "cbow", "--data-dir", str(data), "--out", str(tmp_path / "x"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "fewer than one batch of 4000" in err and "--subsample 0" in err

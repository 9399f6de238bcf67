"""The word-vector recipes from Python (autograd_nlp/recipes/word_vectors.py):
tiny runs of cbow, skipgram, count-svd and the chapter-3 models return their
model, metrics and files; CBOW's recipe fills what was not given; a resumed
run takes the recorded settings; bad values and rules between fields are
refused before anything is written.

(Not named test_word_vectors.py: tests/text/ has one, and test folders are
not packages, so two files may not share a name.)"""
import os

import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.recipes import word_vectors
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.text import WordVectors
from autograd_nlp.training import load_checkpoint

from tests.cli_run import WORDS, write_ptb


@pytest.fixture
def data(tmp_path):
    return str(write_ptb(tmp_path / "data"))


def tiny_cbow(data, out, **changes):
    settings = dict(data_dir=data, out=str(out), epochs=1, window=1, hidden=4, batch_size=50,
                    recipe="book", quiet=True)
    return word_vectors.CbowConfig(**{**settings, **changes})


def test_cbow_trains_from_python_and_loads_back(data, tmp_path, capsys):
    result = word_vectors.run(tiny_cbow(data, tmp_path / "cbow"))
    assert type(result.model).__name__ == "CBOW"
    assert result.model.word_vectors.shape == (len(WORDS) + 1, 4)      # + "<eos>"
    assert np.isfinite(result.metrics["loss"]) and result.history["epoch"] == [1]
    assert result.checkpoint == os.path.join(str(tmp_path / "cbow"), "checkpoint.npz")
    assert os.path.isfile(result.checkpoint) and os.path.isfile(result.paths["vectors"])
    # the book recipe filled what was not given; what was given is kept
    assert (result.config.optimizer, result.config.lr, result.config.context) == \
        ("adam", 0.001, "mean")
    assert result.config.batch_size == 50
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings()
    assert "vectors" not in meta["settings"] and "out" not in meta["settings"]
    vectors = autograd_nlp.load(result.paths["vectors"])
    np.testing.assert_array_equal(vectors.vectors, result.model.word_vectors)
    assert [w for w, _ in vectors.most_similar("w1", 3)] == \
        [w for w, _ in autograd_nlp.load(result.checkpoint).most_similar("w1", 3)]
    assert "(book recipe: lr decay none" in capsys.readouterr().out


def test_the_fast_recipe_fills_every_option_left_unset():
    config = word_vectors.prepare(word_vectors.CbowConfig(lr=0.5))
    assert (config.batch_size, config.optimizer, config.lr, config.lr_decay,
            config.subsample, config.windows, config.context) == \
        (4000, "sgd", 0.5, "linear", 1e-3, "reduced", "sum")


def test_a_resumed_run_takes_the_recorded_settings_and_steps_as_one_run(data, tmp_path):
    whole = word_vectors.run(tiny_cbow(data, tmp_path / "whole", epochs=2))
    word_vectors.run(tiny_cbow(data, tmp_path / "part"))
    checkpoint = str(tmp_path / "part" / "checkpoint.npz")
    resumed = word_vectors.run(word_vectors.CbowConfig(
        data_dir=data, out=str(tmp_path / "part"), resume=checkpoint, epochs=2, quiet=True))
    assert (resumed.config.hidden, resumed.config.window, resumed.config.batch_size) == \
        (4, 1, 50)                                          # from the checkpoint
    assert resumed.config.recipe == "book" and resumed.history["epoch"] == [1, 2]
    np.testing.assert_array_equal(resumed.model.word_vectors, whole.model.word_vectors)


def test_skipgram_early_stops_on_the_valid_loss_and_calls_back_each_epoch(data, tmp_path):
    seen = []
    config = word_vectors.SkipGramConfig(data_dir=data, out=str(tmp_path / "sg.npz"),
                                         epochs=2, window=1, hidden=4, batch_size=50,
                                         early_stop=3, quiet=True)
    result = word_vectors.run(config, callbacks=Callbacks(
        on_epoch=lambda trainer, results: seen.append(results)))
    assert type(result.model).__name__ == "SkipGram" and len(seen) == 2
    assert "valid loss" in seen[-1] and result.metrics["valid loss"] == seen[-1]["valid loss"]
    assert result.paths["vectors"] == str(tmp_path / "sg.npz")          # --out X.npz
    assert result.checkpoint == os.path.join(str(tmp_path / "sg"), "checkpoint.npz")


def test_count_svd_returns_its_vectors(data, tmp_path, capsys):
    result = word_vectors.run(word_vectors.CountSvdConfig(
        data_dir=data, window=1, hidden=4, out=str(tmp_path / "svd.npz")))
    assert isinstance(result.model, WordVectors) and result.model.dim == 4
    assert result.paths == {"vectors": str(tmp_path / "svd.npz")}
    assert autograd_nlp.load(result.paths["vectors"]).words == result.model.words
    assert "-> PPMI -> SVD (4 dims)" in capsys.readouterr().out


@pytest.mark.parametrize("config_class, model", [
    (word_vectors.SimpleCbowConfig, "SimpleCBOW"),
    (word_vectors.SimpleSkipGramConfig, "SimpleSkipGram")])
def test_the_chapter_3_models_learn_the_toy_sentence(capsys, config_class, model):
    result = word_vectors.run(config_class(epochs=20))
    assert type(result.model).__name__ == model and result.paths == {}
    assert result.model.in_embed.W.data.shape == (7, 5)          # 7 words, hidden 5
    assert result.metrics["loss"] == result.history["loss"][-1]
    assert f"{config_class.model} on 'You say goodbye and I say hello.'" in \
        capsys.readouterr().out


@pytest.mark.parametrize("make, says", [
    (lambda: word_vectors.CbowConfig(window=0), "--window must be a positive integer"),
    (lambda: word_vectors.CbowConfig(optimizer="rmsprop"),
     "--optimizer must be one of adam, sgd, got 'rmsprop'"),
    (lambda: word_vectors.CbowConfig(subsample=-1), "--subsample must be a number >= 0"),
    (lambda: word_vectors.SkipGramConfig(sample_size=0), "--sample-size must be a positive"),
    (lambda: word_vectors.CountSvdConfig(hidden=0), "--hidden must be a positive integer"),
    (lambda: word_vectors.SimpleCbowConfig(text=3), "--text must be a string, got 3"),
])
def test_a_bad_value_is_refused_naming_the_option(make, says):
    with pytest.raises(ConfigError, match=says):
        make()


def test_a_text_too_short_for_the_window_is_refused_with_a_fix(capsys):
    with pytest.raises(ConfigError, match=r"--window 4: .* give a longer --text or "
                                          r"--window 3"):
        word_vectors.run(word_vectors.SimpleCbowConfig(window=4))   # 8 words: 3 a side
    with pytest.raises(ConfigError, match="has 2 word.* give a longer --text$"):
        word_vectors.run(word_vectors.SimpleSkipGramConfig(text="hi there"))
    assert capsys.readouterr().out == ""                   # refused before training
    word_vectors.SimpleCbowConfig(window=3).check_together()


def test_settings_leave_out_where_and_how_to_run():
    settings = word_vectors.CbowConfig().settings()
    for name in ("out", "vectors", "data_dir", "device", "distributed", "quiet", "resume"):
        assert name not in settings
    assert {"recipe", "window", "hidden", "sample_size", "early_stop", "seed"} <= set(settings)

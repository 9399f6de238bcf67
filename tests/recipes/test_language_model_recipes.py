"""The RNN language-model recipes from Python: a tiny run on a 20-word PTB
returns its model, metrics and files; the book's defaults per model; bad
values and rules between fields refused with the option's name; a resumed
run takes the recorded settings; callbacks hear every epoch and the test."""
import os

import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.recipes import language_model
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.training import load_checkpoint
from tiny_ptb import write_tiny_ptb

WORDS = [f"w{i}" for i in range(20)]
TINY = dict(batch_size=4, time_size=5, wordvec=4, hidden=4, eval_batch_size=2, epochs=1,
            quiet=True)


@pytest.fixture
def ptb(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    return str(write_tiny_ptb(tmp_path / "data", WORDS, {"train": 40, "valid": 10, "test": 10},
                              np.random.default_rng(0)))


def test_rnnlm_trains_from_python_and_loads_back(ptb, tmp_path, capsys):
    out = str(tmp_path / "lm")
    result = language_model.run(language_model.RnnlmConfig(data_dir=ptb, out=out, **TINY))
    assert type(result.model).__name__ == "Rnnlm"
    assert result.history["epoch"] == [1]
    assert set(result.metrics) == {"valid perplexity", "test perplexity"}
    assert all(1 < v < 100 for v in result.metrics.values())     # chance: 21 words
    assert result.checkpoint == os.path.join(out, "checkpoint.npz")
    assert all(os.path.isfile(path) for path in result.paths.values())
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings() and "command" not in meta
    assert "out" not in meta["settings"] and "distributed" not in meta["settings"]
    lm = autograd_nlp.load(result.checkpoint)
    assert lm.generate("w3", 5, seed=0).split()[0] == "w3"
    assert f"test perplexity: {result.metrics['test perplexity']:.2f}" in capsys.readouterr().out


def test_each_model_has_the_books_defaults():
    for name, config_class in language_model.CONFIGS.items():
        config = config_class()
        assert config.model == name and config.out == os.path.join("runs", name)
        for key, value in language_model.DEFAULTS[name].items():
            assert getattr(config, key) == value, (name, key)
    assert not hasattr(language_model.RnnlmConfig(), "dropout")


def test_the_training_corpus_is_scored_without_a_test_split(ptb, tmp_path):
    config = language_model.SimpleRnnlmConfig(data_dir=ptb, out=str(tmp_path / "s"),
                                              corpus_size=100, wordvec=4, hidden=4, epochs=1,
                                              quiet=True)
    result = language_model.run(config)
    assert type(result.model).__name__ == "SimpleRnnlm"
    assert set(result.metrics) == {"training-corpus perplexity"}
    assert len(load_checkpoint(result.checkpoint)["meta"]["vocab"]) <= len(WORDS) + 1


def test_bad_values_name_the_option():
    with pytest.raises(ConfigError, match=r"--time-size must be a positive integer.*got 0"):
        language_model.RnnlmConfig(time_size=0)
    with pytest.raises(ConfigError, match=r"--dropout must be in \[0, 1\), got 1.5"):
        language_model.BetterRnnlmConfig(dropout=1.5)
    with pytest.raises(ConfigError, match=r"--lr must be a number > 0"):
        language_model.SimpleRnnlmConfig(lr=-1)


def test_rules_between_fields_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match="--early-stop 2 watches the validation perplexity"):
        language_model.run(language_model.RnnlmConfig(out=str(out), corpus_size=100,
                                                      early_stop=2))
    with pytest.raises(ConfigError, match="--wordvec 8 must equal --hidden 16"):
        language_model.run(language_model.BetterRnnlmConfig(out=str(out), wordvec=8,
                                                            hidden=16))
    assert not out.exists()


def test_a_resumed_run_takes_the_recorded_settings_it_was_not_given(ptb, tmp_path):
    out = str(tmp_path / "run")
    first = language_model.run(language_model.RnnlmConfig(data_dir=ptb, out=out, **TINY))
    resumed = language_model.run(language_model.RnnlmConfig(
        data_dir=ptb, out=out, resume=first.checkpoint, epochs=2, quiet=True))
    assert (resumed.config.hidden, resumed.config.batch_size) == (4, 4)   # the checkpoint's
    assert resumed.history["epoch"] == [1, 2]
    with pytest.raises(ConfigError, match="--early-stop 1 watches the validation perplexity"):
        language_model.run(language_model.RnnlmConfig(
            data_dir=ptb, out=str(tmp_path / "other"), resume=first.checkpoint, epochs=3,
            early_stop=1, corpus_size=100))


def test_callbacks_hear_every_epoch_and_the_test_score(ptb, tmp_path):
    heard = []
    callbacks = Callbacks(on_epoch=lambda trainer, results: heard.append(("epoch", results)),
                          on_test=lambda name, value: heard.append((name, value)))
    result = language_model.run(language_model.RnnlmConfig(
        data_dir=ptb, out=str(tmp_path / "r"), **{**TINY, "epochs": 2}), callbacks=callbacks)
    assert [h[0] for h in heard] == ["epoch", "epoch", "test perplexity"]
    assert "valid perplexity" in heard[0][1]
    assert heard[-1][1] == result.metrics["test perplexity"]

"""The autoencoder recipes from Python: a tiny run returns its model,
metrics and files; bad values and rules between fields are ConfigErrors
naming the option; a resumed run takes the settings it recorded; callbacks
hear every epoch and the held-out score."""
import os

import numpy as np
import pytest

from autograd_nlp.recipes import autoencoder
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.training import load_checkpoint

TINY = dict(n=80, hidden=16, code=4, batch_size=32, samples=20, epochs=1, quiet=True)


def test_a_vae_trains_from_python(tmp_path, capsys):
    result = autoencoder.run(autoencoder.VaeConfig(out=str(tmp_path / "vae"), **TINY))
    assert type(result.model).__name__ == "VariationalAutoencoder"
    assert result.history["epoch"] == [1]
    assert 0 <= result.metrics["held-out exact accuracy"] <= 1
    assert {"KL", "real-date fraction", "sample real-date fraction"} <= set(result.metrics)
    assert result.checkpoint == os.path.join(str(tmp_path / "vae"), "checkpoint.npz")
    assert all(os.path.isfile(path) for path in result.paths.values())
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings()
    assert meta["settings"]["kl_anneal"] == 2000 and "out" not in meta["settings"]
    assert "20 samples from N(0, I)" in capsys.readouterr().out


def test_a_plain_autoencoder_has_no_kl_and_no_samples(tmp_path):
    result = autoencoder.run(autoencoder.AutoencoderConfig(out=str(tmp_path / "ae"), **TINY))
    assert type(result.model).__name__ == "SequenceAutoencoder"
    assert "KL" not in result.metrics and "sample real-date fraction" not in result.metrics
    assert not hasattr(result.config, "kl_anneal")


@pytest.mark.parametrize("field, value, words", [
    ("code", 0, "--code must be a positive integer"),
    ("n", 10 ** 11, "--n must be at most 10,000,000"),
    ("samples", 10 ** 9, "--samples must be at most 100,000"),
    ("free_bits", -1.0, "--free-bits must be a number >= 0"),
    ("valid_fraction", 1.0, "--valid-fraction must be in [0, 1)"),
])
def test_a_bad_value_is_refused_naming_the_option(field, value, words):
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("(", r"\(")
                       .replace(")", r"\)")):
        autoencoder.VaeConfig(**{field: value})


def test_rules_between_fields_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match="train vae: --n must be at least 10, got 3"):
        autoencoder.VaeConfig(out=str(out), n=3)
    with pytest.raises(ConfigError, match="--early-stop 2 watches the validation accuracy"):
        autoencoder.AutoencoderConfig(out=str(out), early_stop=2)
    assert not out.exists()


def test_a_resumed_run_takes_the_recorded_settings_and_continues_exactly(tmp_path):
    whole, part = str(tmp_path / "whole"), str(tmp_path / "part")
    settings = dict(TINY, kl_anneal=3, checkpoint_every=0)
    a = autoencoder.run(autoencoder.VaeConfig(out=whole, **{**settings, "epochs": 2}))
    autoencoder.run(autoencoder.VaeConfig(out=part, **settings))
    b = autoencoder.run(autoencoder.VaeConfig(
        out=part, epochs=2, quiet=True, resume=os.path.join(part, "checkpoint.npz")))
    assert (b.config.hidden, b.config.code, b.config.kl_anneal, b.config.n) == (16, 4, 3, 80)
    assert b.history["epoch"] == [1, 2]
    for (name, x), y in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert np.array_equal(x, y), name


def test_callbacks_hear_every_epoch_and_the_held_out_score(tmp_path):
    heard = []
    callbacks = Callbacks(on_epoch=lambda trainer, results: heard.append(("epoch", results)),
                          on_test=lambda name, value: heard.append((name, value)))
    result = autoencoder.run(autoencoder.AutoencoderConfig(
        out=str(tmp_path / "r"), valid_fraction=0.2, **{**TINY, "epochs": 2}),
        callbacks=callbacks)
    assert [h[0] for h in heard] == ["epoch", "epoch", "test exact accuracy"]
    assert heard[-1][1] == result.metrics["test exact accuracy"]
    assert "valid exact accuracy" in heard[0][1]

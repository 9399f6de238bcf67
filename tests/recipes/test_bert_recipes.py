"""The BERT recipes from Python (pre-training, fine-tuning) on a 20-word
PTB: a tiny run returns its model, metrics and files; bad values and rules
between fields are refused with the option's name (the rules after a
resumed run's settings are filled in); a resumed run takes the recorded
settings; callbacks hear every epoch and the test score."""
import os

import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.recipes import bert, bert_finetune
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.training import load_checkpoint
from tiny_ptb import write_tiny_ptb

WORDS = [f"w{i}" for i in range(20)]
TINY = dict(dim=8, heads=2, layers=1, batch_size=8, max_length=12, warmup=2, epochs=1,
            quiet=True)
TUNE = dict(batch_size=8, warmup=2, epochs=1, quiet=True)


@pytest.fixture
def ptb(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    return str(write_tiny_ptb(tmp_path / "data", WORDS, {"train": 40, "valid": 30, "test": 30},
                              np.random.default_rng(0), length=(3, 8)))


@pytest.fixture
def pretrained(ptb, tmp_path):
    """A tiny pre-training run: its Result."""
    return bert.run(bert.BertConfig(data_dir=ptb, out=str(tmp_path / "bert"), **TINY))


def test_bert_pretrains_from_python_and_loads_back(pretrained):
    result = pretrained
    assert type(result.model).__name__ == "Bert" and result.history["epoch"] == [1]
    assert set(result.metrics) == {"valid MLM accuracy", "valid NSP accuracy"}
    assert all(0 <= v <= 1 for v in result.metrics.values())
    assert result.metrics["valid MLM accuracy"] == \
        result.history["metrics"][0]["valid MLM accuracy"]
    assert set(result.paths) == {"checkpoint", "best_params", "vectors"}
    assert all(os.path.isfile(p) for p in result.paths.values())
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings() and "command" not in meta
    assert "vector_sentences" not in meta["settings"] and meta["settings"]["dim"] == 8
    encoder = autograd_nlp.load(result.checkpoint)
    assert encoder.encode("w1 w2 w3").shape == (3, 8)
    assert autograd_nlp.load(result.paths["vectors"]).dim == 8


def test_finetuning_from_python_with_callbacks(pretrained, ptb, tmp_path):
    heard = []
    callbacks = Callbacks(on_epoch=lambda trainer, results: heard.append(("epoch", results)),
                          on_test=lambda name, value: heard.append((name, value)))
    config = bert_finetune.BertFinetuneConfig(
        data_dir=ptb, out=str(tmp_path / "ft"), pretrained=pretrained.checkpoint,
        valid_fraction=0.25, **{**TUNE, "epochs": 2})
    result = bert_finetune.run(config, callbacks=callbacks)
    assert type(result.model).__name__ == "BertClassifier"
    assert [h[0] for h in heard] == ["epoch", "epoch", "test accuracy"]
    assert result.metrics["test accuracy"] == heard[-1][1]
    assert result.metrics["valid accuracy"] == result.history["metrics"][-1]["valid accuracy"]
    assert {"checkpoint", "best_params"} == set(result.paths)
    # the encoder came from the pre-trained checkpoint's sizes
    assert result.model.bert.dim == 8
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings()
    assert "skip_test" not in meta["settings"] and meta["settings"]["valid_fraction"] == 0.25


def test_bad_values_are_refused_with_the_options_name():
    with pytest.raises(ConfigError, match=r"--mask-rate must be in \[0, 1\), got 1.5"):
        bert.BertConfig(mask_rate=1.5)
    with pytest.raises(ConfigError, match="--heads must be a positive integer"):
        bert.BertConfig(heads=0)
    with pytest.raises(ConfigError, match="--schedule must be one of cosine"):
        bert.BertConfig(schedule="linear")
    with pytest.raises(ConfigError, match="--task must be one of shuffle, word-swap"):
        bert_finetune.BertFinetuneConfig(pretrained="x.npz", task="reverse")
    with pytest.raises(ConfigError, match="--train-examples must be a positive integer"):
        bert_finetune.BertFinetuneConfig(pretrained="x.npz", train_examples=0)


def test_rules_between_fields_are_refused_before_anything_is_written(ptb, tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match="--dim 10 is not divisible by --heads 3"):
        bert.run(bert.BertConfig(data_dir=ptb, out=str(out), **{**TINY, "dim": 10,
                                                                   "heads": 3}))
    with pytest.raises(ConfigError, match="--max-length 4 leaves no room"):
        bert.run(bert.BertConfig(data_dir=ptb, out=str(out), **{**TINY, "max_length": 4}))
    with pytest.raises(ConfigError, match="pass --pretrained CKPT"):
        bert_finetune.run(bert_finetune.BertFinetuneConfig(data_dir=ptb, out=str(out), **TUNE))
    with pytest.raises(ConfigError, match="--early-stop 2 watches the validation accuracy"):
        bert_finetune.run(bert_finetune.BertFinetuneConfig(
            data_dir=ptb, out=str(out), pretrained="x.npz", early_stop=2, **TUNE))
    assert not out.exists()


def test_a_resumed_run_takes_the_recorded_settings_then_checks_the_rules(pretrained, ptb,
                                                                         tmp_path):
    checkpoint = pretrained.checkpoint
    resumed = bert.run(bert.BertConfig(data_dir=ptb, out=str(tmp_path / "bert"),
                                       resume=checkpoint, epochs=2, quiet=True))
    assert (resumed.config.dim, resumed.config.heads, resumed.config.max_length) == (8, 2, 12)
    assert resumed.history["epoch"] == [1, 2]
    # heads 3 does not divide the recorded dim 8: known once the settings are filled in
    config = bert.BertConfig(data_dir=ptb, out=str(tmp_path / "never"), resume=checkpoint,
                             heads=3, quiet=True)
    with pytest.raises(ConfigError, match="--dim 8 is not divisible by --heads 3"):
        bert.run(config)
    assert not (tmp_path / "never").exists()

    out = str(tmp_path / "ft")
    bert_finetune.run(bert_finetune.BertFinetuneConfig(data_dir=ptb, out=out,
                                                       pretrained=checkpoint, **TUNE))
    # --pretrained and --valid-fraction come from the checkpoint
    resumed = bert_finetune.run(bert_finetune.BertFinetuneConfig(
        data_dir=ptb, out=out, resume=os.path.join(out, "checkpoint.npz"), epochs=2,
        quiet=True))
    assert resumed.config.pretrained == checkpoint and resumed.config.warmup == 2
    assert resumed.history["epoch"] == [1, 2] and "test accuracy" in resumed.metrics

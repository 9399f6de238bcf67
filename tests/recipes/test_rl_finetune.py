"""The rl-finetune recipe from Python: a tiny seq2seq run fine-tuned,
compared with supervised steps, written to rl-finetuned.npz; its settings
checked like the command line's."""
import os

import pytest

import autograd_nlp
from autograd_nlp.recipes import rl_finetune, seq2seq
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.training import load_checkpoint

DATA = dict(generate_size=300, seed=3)


@pytest.fixture(autouse=True)
def generated_data(monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)


def test_a_seq2seq_run_is_fine_tuned_from_python(tmp_path):
    trained = seq2seq.run(seq2seq.Seq2seqConfig(out=str(tmp_path / "s"), hidden=8,
                                                batch_size=32, epochs=1, quiet=True, **DATA))
    result = rl_finetune.run(rl_finetune.RlFinetuneConfig(
        checkpoint=trained.checkpoint, steps=2, batch_size=16, quiet=True, **DATA))
    assert result.checkpoint == os.path.join(str(tmp_path / "s"), "rl-finetuned.npz")
    assert set(result.metrics) == {"accuracy before", "accuracy rl", "accuracy supervised"}
    assert type(result.model).__name__ == "Seq2seq" and set(result.history) == {"rl",
                                                                                "supervised"}
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["rl_finetune"]["steps"] == 2 and meta["settings"] == trained.config.settings()
    assert autograd_nlp.load(result.checkpoint).translate("1+2").error is None
    again = rl_finetune.run(rl_finetune.RlFinetuneConfig(
        checkpoint=trained.checkpoint, steps=1, compare=False, overwrite=True, quiet=True,
        **DATA))
    assert set(again.metrics) == {"accuracy before", "accuracy rl"}


def test_settings_are_checked_like_the_command_lines():
    with pytest.raises(ConfigError, match="--steps must be a positive integer"):
        rl_finetune.RlFinetuneConfig(checkpoint="c.npz", steps=0)
    with pytest.raises(ConfigError, match="--dataset must be one of addition, date"):
        rl_finetune.RlFinetuneConfig(checkpoint="c.npz", dataset="poems")
    with pytest.raises(ConfigError, match="--checkpoint is required"):
        rl_finetune.RlFinetuneConfig()

"""The seq2seq recipes from Python: a tiny run returns its model, metrics and
files; the settings in use (the generated-dates recipe, a resumed run's);
callbacks; rules between fields refused before anything is written."""
import os

import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.recipes import seq2seq, transformer
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.training import load_checkpoint

TINY = dict(generate_size=300, hidden=8, wordvec=4, batch_size=32, epochs=1, quiet=True)


@pytest.fixture(autouse=True)
def generated_data(monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)


def test_attention_trains_from_python_and_loads_back(tmp_path, capsys):
    config = seq2seq.AttentionConfig(out=str(tmp_path / "dates"), **TINY)
    result = seq2seq.run(config)
    assert type(result.model).__name__ == "AttentionSeq2seq"
    assert 0 <= result.metrics["accuracy"] <= 1 and result.history["epoch"] == [1]
    assert result.checkpoint == os.path.join(str(tmp_path / "dates"), "checkpoint.npz")
    assert os.path.isfile(result.checkpoint)
    # the generated-dates recipe for what was not given; what was given is kept
    assert (result.config.lr, result.config.schedule, result.config.dropout) == \
        (0.003, "cosine", 0.1)
    assert result.config.generate_size == 300 and result.config.hidden == 8
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings()
    assert meta["answer_checks"] == "date" and 0 <= meta["confidence_threshold"] <= 1
    answer = autograd_nlp.load(result.checkpoint).translate("december 6, 2026")
    assert answer.error is None and len(answer.text) == 10
    assert "accuracy per epoch" in capsys.readouterr().out


def test_ignore_padding_trains_a_model_whose_answers_do_not_depend_on_padding(tmp_path):
    """--ignore-padding: the checkpoint records the padding's id and side, a
    resumed run keeps them, and an answer is the same however far the
    question was padded."""
    out = str(tmp_path / "run")
    result = seq2seq.run(seq2seq.AttentionConfig(out=out, ignore_padding=True, **TINY))
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["model_kwargs"]["pads_first"] is True            # questions reversed
    assert meta["settings"]["ignore_padding"] is True
    model = autograd_nlp.load(result.checkpoint).model
    pad = meta["model_kwargs"]["pad_id"]
    assert meta["chars"][pad] == " "
    x = autograd_nlp.load(result.checkpoint).vocabulary.encode_questions(["6 dec 2026"])
    wider = np.concatenate([np.full((1, 7), pad), x], axis=1)
    np.testing.assert_array_equal(model.generate(x, 0, 10), model.generate(wider, 0, 10))
    resumed = seq2seq.run(seq2seq.AttentionConfig(out=out, resume=result.checkpoint, epochs=2,
                                                  quiet=True))
    assert resumed.config.ignore_padding and resumed.model.encoder.pad_id == pad


def test_a_resumed_run_takes_the_recorded_settings_it_was_not_given(tmp_path):
    out = str(tmp_path / "run")
    seq2seq.run(seq2seq.Seq2seqConfig(out=out, **TINY))
    checkpoint = os.path.join(out, "checkpoint.npz")
    resumed = seq2seq.run(seq2seq.Seq2seqConfig(out=out, resume=checkpoint, epochs=2,
                                                generate_size=300, batch_size=32, quiet=True))
    assert resumed.config.hidden == 8 and resumed.config.wordvec == 4   # from the checkpoint
    assert resumed.history["epoch"] == [1, 2]


def test_callbacks_hear_every_epoch_and_the_test_score(tmp_path):
    heard = []
    callbacks = Callbacks(on_epoch=lambda trainer, results: heard.append(("epoch", results)),
                          on_test=lambda name, value: heard.append((name, value)))
    result = seq2seq.run(seq2seq.Seq2seqConfig(out=str(tmp_path / "r"), valid_fraction=0.1,
                                               **{**TINY, "epochs": 2}), callbacks=callbacks)
    assert [h[0] for h in heard] == ["epoch", "epoch", "test accuracy"]
    assert heard[-1][1] == result.metrics["test accuracy"]
    assert "valid accuracy" in result.metrics


def test_rules_between_fields_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match="--early-stop 2 watches the validation accuracy"):
        seq2seq.run(seq2seq.Seq2seqConfig(out=str(out), early_stop=2, **TINY))
    with pytest.raises(ConfigError, match="--generate-size 20 gives 18 training questions"):
        seq2seq.run(seq2seq.Seq2seqConfig(out=str(out), **{**TINY, "generate_size": 20}))
    with pytest.raises(ConfigError, match="--dim 6 is not divisible by --heads 4"):
        transformer.run(transformer.TransformerConfig(out=str(out), dim=6, quiet=True))
    assert not out.exists()


def test_the_transformer_trains_from_python(tmp_path):
    config = transformer.TransformerConfig(dataset="addition", generate_size=300, dim=8,
                                           heads=2, layers=1, batch_size=32, warmup=2,
                                           epochs=1, quiet=True, out=str(tmp_path / "tf"))
    result = transformer.run(config)
    assert type(result.model).__name__ == "TransformerSeq2seq"
    from autograd_nlp.training.plot import have_matplotlib
    expected = {"checkpoint", "curve", "heatmap"} if have_matplotlib() else {"checkpoint"}
    assert set(result.paths) == expected
    assert all(os.path.isfile(path) for path in result.paths.values())
    assert 0 <= result.metrics["accuracy"] <= 1
    assert autograd_nlp.load(result.checkpoint).translate("1+2").error is None

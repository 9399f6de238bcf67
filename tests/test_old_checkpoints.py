"""Checkpoints written by an earlier version (commit f3f04c9, before the
recipes) still load with ``autograd_nlp.load`` and resume with today's train
commands. The files are in tests/data/old_checkpoints (write.py made them)."""
import shutil
import sys
from pathlib import Path

import pytest

import autograd_nlp
from autograd_nlp.cli import main
from cli_run import write_ptb

OLD = Path(__file__).parent / "data" / "old_checkpoints"
sys.path.insert(0, str(OLD))
from write import runs  # noqa: E402


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_ptb(tmp_path_factory.mktemp("old-ckpt") / "data")


@pytest.mark.parametrize("kind", sorted(runs(Path("data"))))
def test_an_old_checkpoint_resumes_for_another_epoch(kind, data, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / kind
    out.mkdir()
    for name in ("checkpoint.npz", "vectors.npz"):
        if (OLD / kind / name).exists():
            shutil.copy(OLD / kind / name, out / name)
    argv = runs(data)[kind] + ["--epochs", "2", "--quiet", "--out", str(out),
                               "--resume", str(out / "checkpoint.npz")]
    assert main(argv) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    assert "epoch 2" in text and "epoch 1:" not in text       # only the second epoch ran
    history = autograd_nlp.training.load_checkpoint(out / "checkpoint.npz")["meta"]["history"]
    assert history["epoch"][-2:] == [1, 2]


def test_old_checkpoints_load_as_ready_objects():
    translator = autograd_nlp.load(str(OLD / "attention" / "checkpoint.npz"))
    answer = translator.translate("september 27, 1994")
    assert answer.error is None and len(answer.text) == 10
    assert translator.translate(["1+2"])[0] is not None
    adder = autograd_nlp.load(str(OLD / "seq2seq" / "checkpoint.npz"))
    assert adder.translate("12+3").text.strip() != ""
    lm = autograd_nlp.load(str(OLD / "rnnlm" / "checkpoint.npz"))
    assert lm.perplexity("w1 w2 w3 w4 w5 w6 w7") > 1
    tlm = autograd_nlp.load(str(OLD / "transformer-lm" / "checkpoint.npz"))
    assert len(tlm.generate("w1", 5, seed=0).split()) == 5
    vectors = autograd_nlp.load(str(OLD / "cbow" / "checkpoint.npz"))
    assert len(vectors.most_similar("w1", top=3)) == 3

"""``autograd-nlp train bert`` and ``train bert-finetune`` end to end on a
tiny PTB-like folder: the accuracies with their chance levels, the
context-averaged vectors, ``--resume``, fine-tuning from the checkpoint and
from scratch, and the argument checks."""
import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.text import WordVectors
from tiny_ptb import write_tiny_ptb

WORDS = [f"w{i}" for i in range(20)]
TINY = ["--dim", "8", "--heads", "2", "--layers", "1", "--batch-size", "8",
        "--max-length", "12", "--warmup", "2", "--quiet"]


@pytest.fixture
def ptb(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    return write_tiny_ptb(tmp_path / "data", WORDS, {"train": 40, "valid": 30, "test": 30},
                          np.random.default_rng(0), length=(3, 8))


def pretrain(ptb, out, *extra):
    return main(["train", "bert", "--data-dir", str(ptb), "--out", str(out), *TINY, *extra])


def test_pretrains_and_reports_accuracies_with_chance_levels(ptb, tmp_path, capsys):
    out = tmp_path / "bert"
    assert pretrain(ptb, out, "--epochs", "2") == 0
    text = capsys.readouterr().out
    assert "bert: " in text and "40 training pairs" in text and "30 validation pairs" in text
    assert "epoch 2: loss" in text and "valid MLM accuracy" in text
    mlm_line = next(line for line in text.splitlines() if line.startswith("valid masked-token"))
    assert "chance:" in mlm_line and "always 'w" in mlm_line
    assert "valid next-sentence accuracy:" in text and "(chance: 50.00 %)" in text
    with np.load(out / "checkpoint.npz", allow_pickle=False) as f:
        assert "model/embed.segment.W" in f.files and "model/nsp.W" in f.files
    vectors = WordVectors.load(out / "vectors.npz")
    assert set(vectors.words) <= set(WORDS) and "w3" in vectors and vectors.dim == 8
    assert main(["similar", "w3", "--vectors", str(out / "vectors.npz")]) == 0


def test_resume_continues_the_run(ptb, tmp_path, capsys):
    out = tmp_path / "bert"
    assert pretrain(ptb, out, "--epochs", "1", "--vector-sentences", "0") == 0
    assert pretrain(ptb, out, "--epochs", "2", "--vector-sentences", "0",
                    "--resume", str(out / "checkpoint.npz")) == 0
    text = capsys.readouterr().out
    assert "resumed from" in text and "epoch 2: loss" in text
    assert pretrain(ptb, out, "--epochs", "3", "--dim", "12",
                    "--resume", str(out / "checkpoint.npz")) == 2
    assert "dim" in capsys.readouterr().err


def test_finetunes_pretrained_and_from_scratch(ptb, tmp_path, capsys):
    bert = tmp_path / "bert"
    assert pretrain(ptb, bert, "--epochs", "1", "--vector-sentences", "0") == 0
    capsys.readouterr()
    for mode in ([], ["--scratch"]):
        out = tmp_path / ("scratch" if mode else "pretrained")
        assert main(["train", "bert-finetune", "--data-dir", str(ptb), "--pretrained",
                     str(bert / "checkpoint.npz"), "--out", str(out), "--epochs", "2",
                     "--batch-size", "8", "--warmup", "2", "--quiet", *mode]) == 0
        text = capsys.readouterr().out
        assert "62 training examples" in text and "62 test examples" in text
        line = next(x for x in text.splitlines() if x.startswith("test accuracy after"))
        assert "after 14 steps" in line and "(chance: 50.00 %)" in line
        assert ("from scratch" in line) == bool(mode)
        assert ("from random weights (--scratch)" in text) == bool(mode)
        assert ("from the encoder of" in text) != bool(mode)
        with np.load(out / "checkpoint.npz", allow_pickle=False) as f:
            assert "model/bert.embed.token.W" in f.files and f["model/classify.W"].shape == (8, 2)


def test_bad_settings_exit_2_with_a_message(ptb, tmp_path, capsys):
    assert pretrain(ptb, tmp_path, "--dim", "10", "--heads", "3") == 2
    assert "--dim 10 is not divisible by --heads 3" in capsys.readouterr().err
    assert main(["train", "bert-finetune", "--data-dir", str(ptb), "--out",
                 str(tmp_path), "--quiet"]) == 2
    assert "pass --pretrained CKPT" in capsys.readouterr().err
    assert main(["train", "bert-finetune", "--data-dir", str(ptb), "--out", str(tmp_path),
                 "--pretrained", str(ptb / "ptb.train.txt"), "--quiet"]) == 2
    assert "ptb.train.txt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["train", "bert", "--mask-rate", "1.5"])
    assert e.value.code == 2

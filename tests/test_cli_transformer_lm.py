"""``autograd-nlp train transformer-lm`` end to end on a tiny PTB-like
folder, then ``eval`` and ``generate`` with its checkpoint, ``--resume``,
and the argument checks."""
import numpy as np
import pytest

from autograd_nlp.cli import main
from tiny_ptb import write_tiny_ptb

WORDS = [f"w{i}" for i in range(20)]
TINY = ["--dim", "8", "--heads", "2", "--layers", "1", "--batch-size", "4", "--time-size", "6",
        "--eval-batch-size", "2", "--warmup", "3", "--quiet"]


@pytest.fixture
def ptb(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    return write_tiny_ptb(tmp_path / "data", WORDS, {"train": 40, "valid": 10, "test": 10},
                          np.random.default_rng(0))


def test_trains_evaluates_and_generates(ptb, tmp_path, capsys):
    out = tmp_path / "tlm"
    assert main(["train", "transformer-lm", "--data-dir", str(ptb), "--epochs", "1",
                 "--out", str(out), *TINY]) == 0
    text = capsys.readouterr().out
    assert "transformer-lm:" in text and "2 heads" in text and "tied output" in text
    assert "valid perplexity" in text and "test perplexity:" in text
    checkpoint = str(out / "checkpoint.npz")
    with np.load(checkpoint, allow_pickle=False) as f:
        assert "model/layers.layers.0.self_attention.query.W" in f.files
        assert not any("cross_attention" in k for k in f.files)
    assert main(["eval", "--checkpoint", checkpoint, "--split", "valid",
                 "--batch-size", "2"]) == 0
    ppl = float(capsys.readouterr().out.strip().split()[-1])
    assert 1 < ppl < 100                          # 21 words (with <eos>): chance is 21
    assert main(["generate", "--checkpoint", checkpoint, "--start", "w3", "--length", "15",
                 "--seed", "1", "--top-k", "5"]) == 0
    words = capsys.readouterr().out.replace(".\n", " <eos> ").split()
    assert words[0] == "w3" and len(words) == 15 and set(words) <= set(WORDS) | {"<eos>"}


def test_resumes_with_its_schedule(ptb, tmp_path, capsys):
    out = tmp_path / "tlm"
    args = ["train", "transformer-lm", "--data-dir", str(ptb), "--out", str(out),
            "--schedule", "cosine", *TINY]
    assert main(args + ["--epochs", "1"]) == 0
    assert main(args + ["--epochs", "2", "--resume", str(out / "checkpoint.npz")]) == 0
    text = capsys.readouterr().out
    assert "resumed from" in text and "epoch 2:" in text
    assert main(args + ["--epochs", "3", "--dim", "12", "--resume",
                        str(out / "checkpoint.npz")]) == 2
    assert "dim" in capsys.readouterr().err


def test_bad_settings_exit_2_with_a_message(ptb, tmp_path, capsys):
    assert main(["train", "transformer-lm", "--data-dir", str(ptb), "--dim", "10",
                 "--heads", "3", "--out", str(tmp_path), "--quiet"]) == 2
    assert "--dim 10 is not divisible by --heads 3" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["train", "transformer-lm", "--time-size", "0"])
    assert e.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err

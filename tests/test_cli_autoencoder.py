"""``autograd-nlp train autoencoder|vae`` and ``sample-dates`` end to end, tiny settings."""
import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.training import load_checkpoint

TINY = ["--n", "200", "--hidden", "16", "--code", "4", "--batch-size", "32",
        "--samples", "20", "--quiet"]


@pytest.mark.parametrize("model", ["autoencoder", "vae"])
def test_train_reports_reconstruction_and_draws_the_codes(model, tmp_path, capsys):
    out = tmp_path / model
    assert main(["train", model, "--epochs", "1", "--out", str(out)] + TINY) == 0
    text = capsys.readouterr().out
    assert "epoch 1: held-out reconstruction" in text
    assert ("20 samples from N(0, I)" in text) == (model == "vae")
    assert ("KL" in text) == (model == "vae")
    history = load_checkpoint(out / "checkpoint.npz")["meta"]["run"]["history"]
    assert history["epoch"] == [1] and 0 <= history["chars"][0] <= 1
    try:
        import matplotlib  # noqa: F401
    except ImportError:          # no pictures without matplotlib; the run still succeeds
        return
    for picture in ("accuracy.png", "codes.png"):
        assert (out / picture).stat().st_size > 1000


def test_vae_resume_continues_exactly_and_sample_dates_reads_the_checkpoint(tmp_path, capsys):
    whole, part = tmp_path / "whole", tmp_path / "part"
    args = ["train", "vae", "--kl-anneal", "3", "--checkpoint-every", "0"] + TINY + ["--n", "80"]
    assert main(args + ["--epochs", "2", "--out", str(whole)]) == 0
    assert main(args + ["--epochs", "1", "--out", str(part)]) == 0
    assert main(args + ["--epochs", "2", "--out", str(part),
                        "--resume", str(part / "checkpoint.npz")]) == 0
    a, b = load_checkpoint(whole / "checkpoint.npz"), load_checkpoint(part / "checkpoint.npz")
    for name, value in a["model"].items():
        assert np.array_equal(value, b["model"][name]), name
    capsys.readouterr()
    assert main(["sample-dates", "--checkpoint", str(whole / "checkpoint.npz"),
                 "--n", "3", "--seed", "5"]) == 0
    first = capsys.readouterr().out
    assert len(first.splitlines()) == 3
    assert main(["sample-dates", "--checkpoint", str(whole / "checkpoint.npz"),
                 "--n", "3", "--seed", "5"]) == 0
    assert capsys.readouterr().out == first


def test_sample_dates_refuses_a_plain_autoencoder(tmp_path, capsys):
    assert main(["train", "autoencoder", "--epochs", "1", "--out", str(tmp_path)] + TINY) == 0
    assert main(["sample-dates", "--checkpoint", str(tmp_path / "checkpoint.npz")]) == 2
    assert "not a `train vae` checkpoint" in capsys.readouterr().err


def test_too_few_strings_exit_2(tmp_path, capsys):
    assert main(["train", "vae", "--n", "3", "--out", str(tmp_path)]) == 2
    assert "--n must be at least 10" in capsys.readouterr().err

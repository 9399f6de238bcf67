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
    assert "epoch 1: loss" in text and "held-out exact accuracy" in text
    assert ("20 samples from N(0, I)" in text) == (model == "vae")
    assert ("KL" in text) == (model == "vae")
    history = load_checkpoint(out / "checkpoint.npz")["meta"]["history"]
    assert history["epoch"] == [1]
    assert 0 <= history["metrics"][0]["held-out character accuracy"] <= 1
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
    assert "this is an autoencoder checkpoint; sample-dates needs a vae checkpoint" in \
        capsys.readouterr().err


def test_too_few_strings_exit_2(tmp_path, capsys):
    assert main(["train", "vae", "--n", "3", "--out", str(tmp_path)]) == 2
    assert "--n must be at least 10" in capsys.readouterr().err


@pytest.mark.parametrize("model", ["autoencoder", "vae"])
def test_early_stopping_on_validation_reconstruction_restores_the_best_epoch(
        model, tmp_path, capsys):
    """The same evaluation options as every other train command: per-epoch
    reconstruction on a validation split carved from the training strings,
    the held-out strings once at the end with the best epoch's parameters
    (saved beside the checkpoint and put back)."""
    from autograd_nlp.data.date_string_set import DateStrings
    from autograd_nlp.recipes.autoencoder import build_model
    from autograd_nlp.training.autoencoder import reconstruction_accuracy
    from autograd_nlp.serialization import load_npz
    out = tmp_path / model
    assert main(["train", model, "--epochs", "6", "--out", str(out),
                 "--valid-fraction", "0.2", "--early-stop", "1"] + TINY) == 0
    text = capsys.readouterr().out
    meta = load_checkpoint(out / "checkpoint.npz")["meta"]
    exact = [m["valid exact accuracy"] for m in meta["history"]["metrics"]]
    assert len(exact) < 6 and "early stopping" in text        # patience 1 ran out
    assert meta["best_score"] == max(exact) and meta["best_epoch"] == 1 + exact.index(max(exact))

    ds = DateStrings(200, 1, valid_fraction=0.2)
    assert (len(ds.x_train), len(ds.x_valid), len(ds.x_test)) == (144, 36, 20)
    best, last = build_model(model, meta["model_kwargs"]), build_model(model, meta["model_kwargs"])
    best.load_state_dict(load_npz(out / "checkpoint.best-params.npz"))
    last.load_state_dict(load_checkpoint(out / "checkpoint.npz")["model"])
    assert any(not np.array_equal(a, b) for a, b in
               zip(best.state_dict().values(), last.state_dict().values()))
    assert reconstruction_accuracy(best, ds, ds.x_valid)[0] == meta["best_score"]
    held_out = reconstruction_accuracy(best, ds, ds.x_test)      # what was printed: best's
    assert (f"held-out reconstruction: {100 * held_out[0]:.2f}% exact, "
            f"{100 * held_out[1]:.2f}% of characters" in text)


def test_early_stop_without_a_validation_split_exits_2(tmp_path, capsys):
    assert main(["train", "autoencoder", "--early-stop", "2", "--out", str(tmp_path)]
                + TINY) == 2
    assert "--valid-fraction" in capsys.readouterr().err

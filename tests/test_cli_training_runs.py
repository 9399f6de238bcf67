"""Training runs as a user meets them (issue 10): non-finite losses stop
cleanly, resume refuses to mix runs, progress is visible in pipes, checkpoints
come by time, stale temporaries go away, a run's files stay in one folder."""
import hashlib
import io
import os
import time

import numpy as np
import pytest

from autograd_nlp.cli import build_parser, main
from autograd_nlp.data.generate_dates import generate_dates
from autograd_nlp.data.seq_format import write_dataset
from autograd_nlp.training import progress as progress_module
from autograd_nlp.training import load_checkpoint
from autograd_nlp.training.trainer import Trainer

PEEKY = ["train", "peeky", "--generate-size", "300", "--hidden", "8", "--wordvec", "8",
         "--batch-size", "32"]
ATTENTION = ["train", "attention", "--generate-size", "300", "--hidden", "8", "--wordvec", "8",
             "--batch-size", "32"]


@pytest.fixture(autouse=True)
def no_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))


def write_ptb(root, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(30)]
    root.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 400), ("valid", 120), ("test", 120)):
        lines = [" ".join(rng.choice(words, 8)) for _ in range(n // 8)]
        (root / f"ptb.{split}.txt").write_text("\n".join(lines) + "\n" + " ".join(words) + "\n")
    return root


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def params_of(path):
    return load_checkpoint(path)["model"]


# --- 1. one loop: exact resume through the CLI --------------------------------------
def test_a_run_killed_mid_epoch_resumes_bit_identically(tmp_path, capsys, monkeypatch):
    from autograd_nlp.training import MinibatchTrainer
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    assert main(PEEKY + ["--epochs", "2", "--out", str(straight), "--quiet"]) == 0
    calls, step = [], MinibatchTrainer.step

    def step_then_interrupt(self, batch):       # Ctrl-C during the 5th step of epoch 1
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return step(self, batch)
    monkeypatch.setattr(MinibatchTrainer, "step", step_then_interrupt)
    assert main(PEEKY + ["--epochs", "2", "--out", str(killed), "--quiet",
                         "--checkpoint-every", "3"]) == 130
    monkeypatch.undo()
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    assert main(["train", "peeky", "--out", str(killed), "--quiet",
                 "--resume", str(killed / "checkpoint.npz")]) == 0
    assert "resumed from" in capsys.readouterr().out
    a, b = params_of(straight / "checkpoint.npz"), params_of(killed / "checkpoint.npz")
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# --- 2. non-finite losses -----------------------------------------------------------
def test_diverging_lr_stops_with_exit_2_and_saves_nothing(tmp_path, capsys):
    """(--lr nan itself is refused by argparse; a finite but absurd lr diverges.)"""
    out = tmp_path / "nan"
    with np.errstate(all="ignore"):
        assert main(ATTENTION + ["--epochs", "1", "--lr", "1e300", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "loss is nan" in err and "--lr" in err and "Traceback" not in err
    assert not (out / "checkpoint.npz").exists()


def test_a_diverging_resume_leaves_the_last_good_checkpoint_untouched(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    before = digest(out / "checkpoint.npz")
    with np.errstate(all="ignore"):
        assert main(["train", "peeky", "--epochs", "3", "--lr", "1e300", "--out", str(out),
                     "--quiet", "--checkpoint-minutes", "0",
                     "--resume", str(out / "checkpoint.npz")]) == 2
    err = capsys.readouterr().err
    assert "training stopped" in err and "nan" in err
    assert digest(out / "checkpoint.npz") == before
    params = params_of(out / "checkpoint.npz")
    assert all(np.isfinite(v).all() for v in params.values())


def test_data_smaller_than_one_batch_is_a_clean_error(tmp_path, capsys):
    assert main(PEEKY + ["--epochs", "1", "--batch-size", "5000", "--out",
                         str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "fewer than one batch of 5000" in err and "Traceback" not in err


def test_overflowing_perplexity_is_a_clean_stop_not_an_overflow_error(tmp_path, capsys):
    data = write_ptb(tmp_path / "ptb")
    assert main(["train", "simple-rnnlm", "--data-dir", str(data), "--lr", "1e4",
                 "--corpus-size", "300", "--wordvec", "8", "--hidden", "8", "--epochs", "3",
                 "--out", str(tmp_path / "lm")]) == 2
    err = capsys.readouterr().err
    assert "overflows" in err and "Traceback" not in err and "OverflowError" not in err


# --- 3. resume refuses to mix runs ----------------------------------------------------
def test_every_checkpoint_says_what_the_run_was_made_of(tmp_path, capsys):
    out = tmp_path / "peeky"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    meta = load_checkpoint(out / "checkpoint.npz")["meta"]
    assert meta["kind"] == "peeky"
    assert meta["model_kwargs"] == {"vocab_size": meta["model_kwargs"]["vocab_size"],
                                    "wordvec_size": 8, "hidden_size": 8}
    assert meta["data"]["source"].startswith("generated addition")
    assert meta["data"]["fingerprint"].startswith("sha256:")
    assert meta["vocab_hash"].startswith("sha256:")
    settings = meta["settings"]
    assert (settings["batch_size"], settings["lr"], settings["generate_size"]) == (32, 0.001, 300)
    assert {"seed", "max_grad", "reverse", "adam", "epochs"} <= set(settings)


def test_resume_on_another_dataset_is_an_error_naming_both(tmp_path, capsys):
    out = tmp_path / "att"
    assert main(ATTENTION + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    data = tmp_path / "data"
    data.mkdir()
    write_dataset(generate_dates(300, seed=9), data / "date.txt")
    assert main(["train", "attention", "--data-dir", str(data), "--epochs", "2", "--quiet",
                 "--out", str(tmp_path / "other"),
                 "--resume", str(out / "checkpoint.npz")]) == 2
    err = capsys.readouterr().err
    assert "generated date (n=300, seed=1)" in err and str(data / "date.txt") in err
    assert "Traceback" not in err


def test_resume_into_another_model_kind_is_refused(tmp_path, capsys):
    out = tmp_path / "peeky"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["train", "seq2seq", "--generate-size", "300", "--hidden", "8", "--wordvec",
                 "8", "--batch-size", "32", "--epochs", "2", "--quiet", "--out",
                 str(tmp_path / "s"), "--resume", str(out / "checkpoint.npz")]) == 2
    assert "it is a peeky checkpoint, this is train seq2seq" in capsys.readouterr().err


def test_a_changed_batch_size_is_refused_with_both_values(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["train", "peeky", "--epochs", "2", "--batch-size", "16", "--out", str(out),
                 "--quiet", "--resume", str(out / "checkpoint.npz")]) == 2
    err = capsys.readouterr().err
    assert "--batch-size 16 (the checkpoint's: 32)" in err and "--lr" in err


def test_left_out_options_take_the_checkpoints_and_a_new_lr_is_announced(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    # no --batch-size/--hidden: the checkpoint's 32 and 8, not the defaults 128 and 128
    assert main(["train", "peeky", "--epochs", "2", "--lr", "0.01", "--out", str(out),
                 "--quiet", "--resume", str(out / "checkpoint.npz")]) == 0
    text = capsys.readouterr().out
    assert "lr 0.001 -> 0.01 from epoch 2" in text
    header = next(line for line in text.splitlines() if line.startswith("peeky:"))
    assert "batch 32" in header and "lr 0.01" in header and "batch 128" not in header
    checkpoint = load_checkpoint(out / "checkpoint.npz")
    meta = checkpoint["meta"]
    assert meta["settings"]["lr"] == 0.01 and "lr" not in meta   # the setting, stored once
    assert meta["settings"]["hidden"] == 8 and "command" not in meta


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY random bytes", b"PK\x03\x04trunc"],
                         ids=["empty", "random", "truncated"])
def test_an_unreadable_resume_file_is_a_clean_error(tmp_path, capsys, content):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    assert main(PEEKY + ["--epochs", "1", "--out", str(tmp_path / "r"), "--quiet",
                         "--resume", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a readable checkpoint" in err and "Traceback" not in err
    assert main(PEEKY + ["--epochs", "1", "--out", str(tmp_path / "r"), "--quiet",
                         "--resume", str(tmp_path)]) == 2
    assert "no such checkpoint file" in capsys.readouterr().err


def test_resume_rule_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["train", "attention", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "options left out take the checkpoint's values" in text
    assert "applied and announced" in text


def test_language_model_checkpoints_record_the_vocabulary_and_data(tmp_path, capsys):
    data = write_ptb(tmp_path / "ptb")
    out = tmp_path / "lm"
    args = ["train", "rnnlm", "--data-dir", str(data), "--epochs", "1", "--batch-size", "4",
            "--time-size", "5", "--wordvec", "8", "--hidden", "8", "--lr", "1",
            "--eval-batch-size", "2", "--out", str(out), "--quiet"]
    assert main(args) == 0
    meta = load_checkpoint(out / "checkpoint.npz")["meta"]
    assert meta["kind"] == "rnnlm" and str(data) in meta["data"]["source"]
    other = write_ptb(tmp_path / "ptb2", seed=5)
    assert main(["train", "rnnlm", "--data-dir", str(other), "--epochs", "2", "--quiet",
                 "--out", str(tmp_path / "lm2"), "--resume", str(out / "checkpoint.npz")]) == 2
    err = capsys.readouterr().err
    assert str(data) in err and str(other) in err


# --- 4. progress ------------------------------------------------------------------------
class FlushRecorder(io.StringIO):
    """A stdout that remembers what had been flushed at each flush."""

    def __init__(self):
        super().__init__()
        self.flushed = []

    def flush(self):
        self.flushed.append(self.getvalue())


def test_result_lines_are_flushed_as_printed(tmp_path, monkeypatch):
    stdout = FlushRecorder()
    monkeypatch.setattr("sys.stdout", stdout)
    assert main(PEEKY + ["--epochs", "2", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert any("epoch 1:" in s and "epoch 2:" not in s for s in stdout.flushed)
    assert any("peeky:" in s and "epoch 1:" not in s for s in stdout.flushed)


def test_piped_progress_prints_plain_lines_with_the_runs_eta(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_INTERVAL", 0.0)     # a line per update
    assert main(ATTENTION + ["--epochs", "2", "--out", str(tmp_path / "r")]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    train_lines = [line for line in lines if line.startswith("epoch 1/2 | ")]
    assert train_lines and "\r" not in captured.err and "[#" not in captured.err
    assert all("questions/s" in line and "| run " in line for line in train_lines)
    assert any(line.startswith("epoch 1 test") for line in lines)     # evaluation too
    epoch_lines = [line for line in captured.out.splitlines() if line.startswith("epoch ")]
    assert len(epoch_lines) == 2
    for line in epoch_lines:        # "accuracy 12.50%", as the summary, not "accuracy 0.125"
        shown = line.split("accuracy ")[1].split(",")[0]
        assert shown.endswith("%") and len(shown.split(".")[1]) == 3, line


def test_language_model_validation_shows_progress(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_INTERVAL", 0.0)
    data = write_ptb(tmp_path / "ptb")
    assert main(["train", "rnnlm", "--data-dir", str(data), "--epochs", "1", "--batch-size",
                 "4", "--time-size", "5", "--wordvec", "8", "--hidden", "8", "--lr", "1",
                 "--eval-batch-size", "2", "--out", str(tmp_path / "lm")]) == 0
    err = capsys.readouterr().err
    assert "epoch 1 validation" in err and "\ntest " in "\n" + err and "tokens/s" in err


def test_word2vec_progress_counts_targets(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_INTERVAL", 0.0)
    data = write_ptb(tmp_path / "ptb")
    assert main(["train", "cbow", "--data-dir", str(data), "--epochs", "1", "--window", "2",
                 "--hidden", "6", "--batch-size", "20", "--out", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "targets/s" in err and "tok/s" not in err


# --- 5. checkpoints by time ---------------------------------------------------------------
def count_saves(monkeypatch):
    saves = []
    original = Trainer.save

    def save(self, path=None):
        saves.append((self.epoch, self.iteration))
        original(self, path)
    monkeypatch.setattr(Trainer, "save", save)
    return saves


def test_checkpoints_come_at_epoch_ends_and_by_time(tmp_path, monkeypatch):
    saves = count_saves(monkeypatch)
    assert main(PEEKY + ["--epochs", "2", "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert saves == [(1, 0), (2, 0)]              # 5 minutes never passed: epoch ends only
    saves.clear()
    assert main(PEEKY + ["--epochs", "1", "--out", str(tmp_path / "b"), "--quiet",
                         "--checkpoint-minutes", "0"]) == 0
    assert saves == [(0, i) for i in range(1, 9)] + [(1, 0)]   # 270 // 32 = 8 steps
    saves.clear()
    assert main(PEEKY + ["--epochs", "1", "--out", str(tmp_path / "c"), "--quiet",
                         "--checkpoint-every", "3"]) == 0
    assert saves == [(0, 3), (0, 6), (1, 0)]


def test_help_shows_the_real_checkpoint_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["train", "cbow", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--checkpoint-minutes M" in text and "(default: 5.0)" in text
    assert build_parser().parse_args(["train", "cbow"]).checkpoint_every is None


# --- 6. stale temporaries -----------------------------------------------------------------
def test_stale_temporaries_of_the_checkpoint_are_removed_when_a_run_starts(tmp_path,
                                                                            monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    old = time.time() - 600
    dead = out / ".checkpoint.npz.99999999.abcd.tmp"       # pid above any pid_max
    unnamed = out / ".checkpoint.npz.k2j3h4.tmp"            # earlier versions: no pid
    live = out / f".checkpoint.npz.{os.getppid()}.live.tmp"  # a running writer's
    other = out / ".vectors.npz.99999999.x.tmp"             # another target's
    for path in (dead, unnamed, live, other):
        path.write_bytes(b"partial")
        os.utime(path, (old, old))
    from autograd_nlp.training import MinibatchTrainer
    monkeypatch.setattr(MinibatchTrainer, "step", lambda self, batch: 1 / 0)
    with pytest.raises(ZeroDivisionError):          # no save happened: removed at the start
        main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"])
    assert not dead.exists() and not unnamed.exists()
    assert live.exists() and other.exists()
    assert not [p for p in os.listdir(out) if p.startswith(".checkpoint.npz.")
                and p != live.name]


# --- 7. a run's files in one folder ---------------------------------------------------------
def test_cbow_out_npz_keeps_the_run_files_in_their_own_folder(tmp_path, capsys):
    data = write_ptb(tmp_path / "ptb")
    place = tmp_path / "place"
    place.mkdir()
    (place / "unrelated.txt").write_text("mine")
    assert main(["train", "cbow", "--data-dir", str(data), "--epochs", "1", "--window", "2",
                 "--hidden", "6", "--batch-size", "20", "--out", str(place / "mine.npz"),
                 "--quiet"]) == 0
    assert sorted(os.listdir(place)) == ["mine", "mine.npz", "unrelated.txt"]
    assert (place / "mine" / "checkpoint.npz").exists()
    text = capsys.readouterr().out
    assert f"run folder: {place / 'mine'}" in text and f"vectors: {place / 'mine.npz'}" in text


def test_a_checkpoint_of_an_earlier_version_resumes_with_the_settings_it_kept(tmp_path,
                                                                              capsys):
    from autograd_nlp.serialization import load_npz, save_npz
    out = tmp_path / "run"
    assert main(PEEKY + ["--epochs", "1", "--out", str(out), "--quiet"]) == 0
    arrays, meta = load_npz(out / "checkpoint.npz", with_meta=True)
    for key in ("settings", "kind", "data", "vocab_hash"):    # as written before issue 10
        meta.pop(key)
    meta["batch_size"] = 32
    save_npz(out / "checkpoint.npz", arrays, meta)
    capsys.readouterr()
    assert main(["train", "peeky", "--epochs", "2", "--generate-size", "300", "--hidden", "8",
                 "--wordvec", "8", "--out", str(out), "--quiet",
                 "--resume", str(out / "checkpoint.npz")]) == 0
    assert "batch 32" in capsys.readouterr().out

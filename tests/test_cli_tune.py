"""``autograd-nlp tune`` end to end on tiny generated data (seconds), and
the train commands' --valid-fraction / --early-stop / --skip-test."""
import json
import time
import types

import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.training import plot
from autograd_nlp.tuning import search as search_module

TINY = ["--set", "generate-size=300", "--set", "batch-size=32", "--set", "wordvec=4",
        "--epochs", "2"]
SPACE = ["--param", "lr=log:1e-3:1e-1", "--param", "hidden=choice:8,16"]


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    """Generated data, and no images (drawing them would take most of the
    time; tests/tuning/test_report.py draws the search's plot)."""
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    monkeypatch.setattr(plot, "have_matplotlib", lambda: False)


def tune(tmp_path, *extra):
    return main(["tune", "seq2seq", *SPACE, *TINY, "--out", str(tmp_path / "search"), *extra])


def test_a_budget_interrupts_the_search_and_a_rerun_continues_to_n(tmp_path, monkeypatch,
                                                                      capsys):
    ticks = iter(range(0, 10 ** 6, 25))              # every clock reading: 25 s later
    monkeypatch.setattr(search_module, "time", types.SimpleNamespace(
        monotonic=lambda: next(ticks)))
    assert tune(tmp_path, "--trials", "3", "--sampler", "random", "--budget-minutes", "2.5") == 0
    out = capsys.readouterr().out
    assert "time budget spent: 2 of 3 trials" in out
    assert "test accuracy" not in out                 # no test before the search ends
    log = json.loads((tmp_path / "search" / "trials.json").read_text())
    assert [t["number"] for t in log["trials"]] == [0, 1] and log["test"] is None
    first_two = log["trials"]

    monkeypatch.setattr(search_module, "time", time)
    assert tune(tmp_path, "--trials", "3", "--sampler", "random") == 0
    out = capsys.readouterr().out
    assert "3 trials (2 done before)" in out
    log = json.loads((tmp_path / "search" / "trials.json").read_text())
    assert log["trials"][:2] == first_two and len(log["trials"]) == 3
    assert log["test"]["metric"] == "test accuracy" and 0 <= log["test"]["value"] <= 1
    assert out.count("test accuracy of the best setting") == 1
    assert "| trial | lr | hidden | state | valid accuracy |" in out
    assert (tmp_path / "search" / "trials.md").exists()
    assert "plot: not drawn (matplotlib is not installed" in out
    assert (tmp_path / "search" / "trial-003" / "train.log").exists()
    best = log["test"]["trial"]
    assert "test accuracy" in (tmp_path / "search" / f"trial-{best + 1:03d}" /
                               "test.log").read_text()


def test_without_optuna_the_built_in_random_search_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "optuna", None)
    assert tune(tmp_path, "--trials", "1") == 0
    out = capsys.readouterr().out
    assert "sampler random (Optuna is not installed" in out
    assert tune(tmp_path, "--trials", "1", "--sampler", "optuna") == 2
    assert "Optuna is not installed" in capsys.readouterr().err


def test_optuna_sampler(tmp_path, capsys):
    pytest.importorskip("optuna")
    assert tune(tmp_path, "--trials", "2", "--sampler", "optuna") == 0
    log = json.loads((tmp_path / "search" / "trials.json").read_text())
    assert {t["sampler"] for t in log["trials"]} == {"optuna"}
    assert "sampler optuna" in capsys.readouterr().out


def test_tune_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["tune", "seq2seq", "--trials", "1", "--param", "colour=choice:1,2"]) == 2
    err = capsys.readouterr().err
    assert "train seq2seq has no searchable option --colour" in err and "hidden" in err
    assert main(["tune", "seq2seq", "--trials", "1", "--param", "lr=log:1:0.1"]) == 2
    assert "LOW < HIGH" in capsys.readouterr().err
    tune(tmp_path, "--trials", "1", "--sampler", "random")
    capsys.readouterr()
    assert main(["tune", "seq2seq", "--param", "lr=log:1e-3:1e-2", *TINY, "--trials", "1",
                 "--out", str(tmp_path / "search")]) == 2
    assert "holds another search" in capsys.readouterr().err


def test_train_with_a_validation_split_tests_once_and_early_stops(tmp_path, capsys):
    argv = ["train", "seq2seq", "--generate-size", "300", "--batch-size", "32", "--hidden",
            "8", "--wordvec", "4", "--epochs", "3", "--quiet", "--out", str(tmp_path)]
    assert main(argv + ["--early-stop", "1"]) == 2
    assert "add --valid-fraction 0.1" in capsys.readouterr().err
    assert main(argv + ["--valid-fraction", "0.2", "--early-stop", "1", "--lr", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "216 train / 54 validation (carved from train" in out
    assert "valid accuracy" in out and "restored the best parameters" in out
    assert out.count("test accuracy:") == 1
    assert (tmp_path / "checkpoint.best-params.npz").exists()
    assert main(argv + ["--valid-fraction", "0.2", "--skip-test", "--out",
                        str(tmp_path / "b")]) == 0
    assert "test accuracy" not in capsys.readouterr().out


def write_tiny_ptb(root):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(20)]
    root.mkdir(parents=True)
    for split, n in (("train", 600), ("valid", 200), ("test", 200)):
        lines = [" ".join(rng.choice(words, 10)) for _ in range(n // 10)] + [" ".join(words)]
        (root / f"ptb.{split}.txt").write_text("\n".join(lines) + "\n")
    return str(root)


def test_word2vec_early_stops_on_validation_loss_and_stays_exact(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    data = write_tiny_ptb(tmp_path / "ptb")
    argv = ["train", "cbow", "--data-dir", data, "--window", "2", "--hidden", "4",
            "--batch-size", "50", "--quiet", "--lr", "0.05", "--recipe", "book"]
    assert main(argv + ["--epochs", "30", "--early-stop", "2", "--out",
                        str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    losses = [float(line.split("valid loss ")[1].split(",")[0]) for line in out.splitlines()
              if line.startswith("epoch ")]
    assert "early stopping: valid loss has not improved for 2 epoch(s)" in out
    assert len(losses) < 30 and "restored the best parameters" in out
    # validating neither draws from nor shifts the training's random numbers
    assert main(argv + ["--epochs", "2", "--out", str(tmp_path / "b")]) == 0
    assert main(argv + ["--epochs", "2", "--early-stop", "5", "--out", str(tmp_path / "c")]) == 0
    b = np.load(tmp_path / "b" / "vectors.npz")
    c = np.load(tmp_path / "c" / "vectors.npz")
    np.testing.assert_array_equal(b["vectors"], c["vectors"])


# --- a search that several processes share (--storage) --------------------------------------

def tune_in_a_process(tmp_path, name, *extra):
    """Start ``tune`` in a forked process (it inherits this test's quick
    settings) with its output in ``tmp_path/name.out``; returns the process."""
    import multiprocessing
    import os
    import sys

    def target():
        with open(tmp_path / f"{name}.out", "w") as f:
            os.dup2(f.fileno(), 1)
            os.dup2(f.fileno(), 2)
            sys.stdout, sys.stderr = f, f
            code = tune(tmp_path, *extra)
            f.flush()
        os._exit(code)
    process = multiprocessing.get_context("fork").Process(target=target)
    process.start()
    return process


def test_two_tune_processes_share_one_sqlite_study(tmp_path, capsys):
    pytest.importorskip("optuna")
    shared = ["--trials", "4", "--storage", f"sqlite:///{tmp_path}/tune.db"]
    processes = [tune_in_a_process(tmp_path, name, *shared) for name in ("a", "b")]
    for p in processes:
        p.join(300)
    outputs = [(tmp_path / f"{name}.out").read_text() for name in ("a", "b")]
    assert [p.exitcode for p in processes] == [0, 0], outputs
    ran = [int(line.split()[1]) for out in outputs for line in out.splitlines()
           if line.startswith("trial ") and "finished)" in line]
    copy = json.loads((tmp_path / "search" / "trials.json").read_text())
    numbers = [t["number"] + 1 for t in copy["trials"]]
    assert len(numbers) == 4 and sorted(ran) == numbers          # none twice, none lost
    # (which process ran how many depends on the machine's load: one may find
    # the study full, or its last places taken, before it starts a trial)
    folders = sorted(p.name for p in (tmp_path / "search").glob("trial-*"))
    assert [f"trial-{n:03d}" for n in numbers] == [f for f in folders
                                                   if int(f[6:]) in numbers]
    assert all((tmp_path / "search" / f"trial-{n:03d}" / "train.log").exists() for n in numbers)
    assert copy["search"]["study"].startswith("seq2seq-")
    # any later call reads the whole study: no new trial, the table of all four
    assert tune(tmp_path, *shared) == 0
    out = capsys.readouterr().out
    assert "4 trials (4 done before)" in out and "finished)" not in out
    assert sum(line.startswith(f"| {n} |") for n in numbers for line in out.splitlines()) == 4


def test_shared_search_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch):
    pytest.importorskip("optuna")
    assert tune(tmp_path, "--trials", "1", "--study", "s") == 2
    assert "give --storage URL too" in capsys.readouterr().err
    assert tune(tmp_path, "--trials", "1", "--storage", "runs/tune") == 2
    assert "not a storage URL; give sqlite:///FILE.db" in capsys.readouterr().err
    assert tune(tmp_path, "--trials", "1", "--storage", f"sqlite:///{tmp_path}/no/t.db") == 2
    assert "does not exist; create it" in capsys.readouterr().err
    url = f"sqlite:///{tmp_path}/t.db"
    assert tune(tmp_path, "--trials", "1", "--storage", url, "--study", "s") == 0
    capsys.readouterr()
    assert main(["tune", "seq2seq", "--param", "lr=log:1e-3:1e-2", *TINY, "--trials", "1",
                 "--storage", url, "--study", "s", "--out", str(tmp_path / "other")]) == 2
    assert "study s in sqlite:///" in (err := capsys.readouterr().err)
    assert "holds another search (space:" in err and "another --study NAME" in err
    monkeypatch.setitem(__import__("sys").modules, "optuna", None)
    assert tune(tmp_path, "--trials", "1", "--storage", url) == 2
    assert "Optuna is not installed; pip install optuna" in capsys.readouterr().err

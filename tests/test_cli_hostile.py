"""Hostile command lines: every case ends with exit code 2 and one
``autograd-nlp: ...`` line (or argparse's usage error, also exit 2), or
succeeds where success is right; nothing is lost on the way.

Classes of cases (each test names its own): a second run into a finished
run's folder; output paths that cannot be written; damaged but readable
checkpoints on every reading path (``--resume`` included); zeros and sizes
that pass no bound; options that would be ignored; nan that goes unnoticed;
``--device cuda`` without CuPy; and the wording of a few messages.
Tiny settings throughout (seconds each); ``main`` runs in-process.
"""
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.training import run_folder as common
from autograd_nlp.serialization import load_npz, save_npz
from cli_run import run
from cli_run import write_ptb

SEQ2SEQ = ["train", "seq2seq", "--generate-size", "300", "--hidden", "8", "--wordvec", "4",
           "--batch-size", "32", "--epochs", "1", "--quiet"]
RNNLM = ["--batch-size", "4", "--time-size", "5", "--wordvec", "4", "--hidden", "4",
         "--eval-batch-size", "2", "--epochs", "1", "--quiet"]
VAE = ["train", "vae", "--n", "80", "--hidden", "16", "--code", "4", "--batch-size", "32",
       "--samples", "20", "--epochs", "1", "--quiet"]


def refused(capsys, *argv, says=()):
    """Exit 2, no traceback, ``says`` on stderr; a UserError is one line
    starting "autograd-nlp: " (argparse's refusals: usage + "error: argument"),
    after any warnings on the data (a tiny PTB is not the standard one)."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    for phrase in [says] if isinstance(says, str) else says:
        assert phrase in err, (phrase, err)
    if "error: argument" not in err:
        lines = [line for line in err.strip().splitlines() if not line.startswith("warning:")]
        assert len(lines) == 1 and lines[0].startswith("autograd-nlp: "), err
    return err


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def damaged(source, folder, how):
    """A readable copy of checkpoint ``source`` with its first weight missing,
    of another shape, or nan."""
    arrays, meta = load_npz(source, with_meta=True)
    key = next(k for k in arrays if k.startswith("model/"))
    if how == "missing":
        del arrays[key]
    elif how == "shape":
        arrays[key] = np.zeros(tuple(n + 1 for n in arrays[key].shape), arrays[key].dtype)
    else:
        arrays[key] = np.full_like(arrays[key], np.nan)
    path = folder / f"{how}.npz"
    save_npz(path, arrays, meta)
    return str(path), key[len("model/"):]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{"data", "seq2seq", "rnnlm", "vae", "dir"}: tiny finished runs."""
    root = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AUTOGRAD_NLP_DATA", raising=False)
        mp.setenv("AUTOGRAD_NLP_CACHE", str(root / "cache"))
        data = write_ptb(root / "data")
        assert main(SEQ2SEQ + ["--out", str(root / "seq2seq")]) == 0
        assert main(["train", "rnnlm", "--data-dir", str(data), *RNNLM,
                     "--out", str(root / "rnnlm")]) == 0
        assert main(VAE + ["--out", str(root / "vae")]) == 0
    return {"data": str(data), "dir": root,
            **{k: str(root / k / "checkpoint.npz") for k in ("seq2seq", "rnnlm", "vae")}}


@pytest.fixture(autouse=True)
def _environment(runs, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)   # seq2seq data: generated
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(runs["dir"] / "cache"))


def lm(runs):
    return ["train", "rnnlm", "--data-dir", runs["data"], *RNNLM]


# --- a second run never destroys the first -------------------------------------------------
# every train command that writes into --out, tiny options (the refusal comes
# before any data is read or any model built)
TRAIN_COMMANDS = {
    "seq2seq": [], "peeky": [], "attention": [], "transformer": [],
    "rnnlm": [], "better-rnnlm": [], "simple-rnnlm": [], "transformer-lm": [],
    "bert": [], "bert-finetune": ["--pretrained", "nowhere.npz"], "cbow": [],
    "skipgram": [], "count-svd": [], "autoencoder": [], "vae": [],
    "reinforce": [], "a2c": [],
}


@pytest.mark.parametrize("model", sorted(TRAIN_COMMANDS))
def test_every_train_command_refuses_a_folder_holding_an_earlier_run(model, runs, tmp_path,
                                                                    capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_DATA", runs["data"])     # never a download
    out = tmp_path / "run"
    out.mkdir()
    earlier = out / ("vectors.npz" if model == "count-svd" else "checkpoint.npz")
    earlier.write_bytes(b"the finished run")
    picture = out / "accuracy.png"
    picture.write_bytes(b"its curve")
    err = refused(capsys, "train", model, *TRAIN_COMMANDS[model], "--out", out,
                  says=[f"--out {out} already holds an earlier run", "--overwrite"])
    if model != "count-svd":
        assert f"--resume {earlier}" in err
    assert earlier.read_bytes() == b"the finished run" and picture.read_bytes() == b"its curve"
    assert not (out / common.LOCK_NAME).exists()          # released


def test_a_second_run_is_refused_then_overwrite_or_resume(runs, tmp_path, capsys):
    out = tmp_path / "s"
    assert main(SEQ2SEQ + ["--out", str(out)]) == 0
    before = {name: digest(out / name) for name in os.listdir(out)}
    refused(capsys, *SEQ2SEQ, "--out", out,
            says=[f"--out {out} already holds an earlier run (checkpoint.npz",
                  f"continue that run with --resume {out / 'checkpoint.npz'}",
                  "replace it with --overwrite, or pick another --out"])
    assert {name: digest(out / name) for name in os.listdir(out)} == before
    code, text, _ = run(capsys, *SEQ2SEQ, "--out", out, "--epochs", "2", "--resume",
                        out / "checkpoint.npz")
    assert code == 0 and "resumed from" in text
    code, text, _ = run(capsys, *SEQ2SEQ, "--out", out, "--overwrite", "--seed", "2")
    assert code == 0 and "--overwrite: removed the earlier run's checkpoint.npz" in text
    assert "checkpoint.npz" in os.listdir(out) and common.LOCK_NAME not in os.listdir(out)


def test_word_vectors_files_outside_the_folder_are_kept_too(runs, tmp_path, capsys):
    vectors = tmp_path / "mine.npz"
    vectors.write_bytes(b"earlier vectors")
    refused(capsys, "train", "count-svd", "--hidden", "4", "--out", vectors,
            says=[f"--out {vectors} already exists", "--overwrite"])
    refused(capsys, "train", "cbow", "--out", tmp_path / "c", "--vectors", vectors,
            says=[f"--vectors {vectors} already exists"])
    assert vectors.read_bytes() == b"earlier vectors"
    assert main(["train", "count-svd", "--hidden", "4", "--out", str(vectors),
                 "--data-dir", runs["data"], "--overwrite"]) == 0
    assert load_npz(vectors)["vectors"].shape[1] == 4


def test_rl_finetune_keeps_an_earlier_fine_tuning(runs, tmp_path, capsys):
    out = tmp_path / "rl"
    out.mkdir()
    (out / "rl-finetuned.npz").write_bytes(b"earlier")
    refused(capsys, "rl-finetune", "--checkpoint", runs["seq2seq"], "--generate-size", "300",
            "--steps", "1", "--out", out,
            says=[f"{out / 'rl-finetuned.npz'} already exists", "--overwrite"])
    assert (out / "rl-finetuned.npz").read_bytes() == b"earlier"


# --- one run per folder at a time ----------------------------------------------------------
def test_a_folder_in_use_by_a_live_run_is_refused(runs, tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    lock = out / common.LOCK_NAME
    lock.write_text(f"{os.getppid()}\n")                  # a live process: our parent
    refused(capsys, *SEQ2SEQ, "--out", out,
            says=[f"--out {out} is in use by another run (pid {os.getppid()}"])
    assert lock.read_text() == f"{os.getppid()}\n" and not (out / "checkpoint.npz").exists()


def test_a_stale_lock_of_a_killed_run_is_taken_over_and_released(runs, tmp_path, capsys):
    out = tmp_path / "stale"
    out.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()                                        # its pid is no longer running
    (out / common.LOCK_NAME).write_text(f"{finished.pid}\n")
    assert main(SEQ2SEQ + ["--out", str(out)]) == 0
    assert (out / "checkpoint.npz").exists() and not (out / common.LOCK_NAME).exists()
    (out / common.LOCK_NAME).write_text("")                # killed before writing its pid
    os.utime(out / common.LOCK_NAME, (0, 0))
    assert main(SEQ2SEQ + ["--out", str(out), "--overwrite"]) == 0
    assert not (out / common.LOCK_NAME).exists()


def test_the_lock_is_created_exclusively_and_released_after_a_failure(tmp_path, monkeypatch):
    out = tmp_path / "x"
    common.prepare_out(str(out))
    assert (out / common.LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert common.prepare_out(str(out)) == str(out)        # again in the same run: fine
    common.release_folders()
    assert not (out / common.LOCK_NAME).exists()
    from autograd_nlp.training import MinibatchTrainer
    monkeypatch.setattr(MinibatchTrainer, "step", lambda self, batch: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(SEQ2SEQ + ["--out", str(out)])
    assert not (out / common.LOCK_NAME).exists()


# --- output paths ---------------------------------------------------------------------------
@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize("argv", [
    ["train", "transformer", "--dim", "8", "--heads", "2", "--layers", "1"],
    ["train", "vae"], ["train", "seq2seq"], ["train", "rnnlm"], ["train", "cbow"],
    ["train", "count-svd"], ["train", "reinforce"], ["train", "bert"],
    ["tune", "seq2seq", "--trials", "1", "--param", "lr=log:1e-3:1e-2"],
    ["rl-finetune", "--checkpoint", "SEQ2SEQ", "--steps", "1"],
])
@pytest.mark.parametrize("where", ["the file", "under the file"])
def test_out_naming_a_file_or_a_path_under_one(runs, capsys, a_file, argv, where):
    argv = [runs["seq2seq"] if a == "SEQ2SEQ" else a for a in argv]
    out = a_file if where == "the file" else a_file / "sub" / "run"
    says = (f"--out {out} is a file, not a folder" if where == "the file"
            else f"{a_file} is a file, so there can be no folder under it")
    refused(capsys, *argv, "--out", out, says=says)
    assert a_file.read_text() == "not a folder"


@pytest.mark.parametrize("option", ["--vectors", "--out"])
def test_word_vectors_file_that_is_a_folder(tmp_path, capsys, option):
    folder = tmp_path / "v.npz"
    folder.mkdir()
    extra = ["--out", tmp_path / "run"] if option == "--vectors" else []
    refused(capsys, "train", "count-svd", option, folder, *extra,
            says=f"{option} {folder} is a folder")


@pytest.mark.parametrize("to", ["onnx", "torch"])
def test_export_onto_a_folder_or_under_a_file(runs, tmp_path, capsys, a_file, to):
    folder = tmp_path / "out.onnx"
    folder.mkdir()
    refused(capsys, "export", "--checkpoint", runs["rnnlm"], "--to", to, folder,
            says=f"OUT {folder} is a folder")
    refused(capsys, "export", "--checkpoint", runs["rnnlm"], "--to", to, a_file / "m.onnx",
            says=f"{a_file} is a file, so there can be no folder under it")
    (tmp_path / "m.py").mkdir()
    if to == "torch":       # the module file written beside OUT.pt
        refused(capsys, "export", "--checkpoint", runs["rnnlm"], "--to", "torch",
                tmp_path / "m.pt", says=f"{tmp_path / 'm.py'} is a folder")


def test_graph_and_plot_outputs(runs, tmp_path, capsys, a_file):
    refused(capsys, "graph", "mlp", "--out", a_file / "g", says=f"{a_file} is a file")
    (tmp_path / "g.dot").mkdir()
    refused(capsys, "graph", "mlp", "--out", tmp_path / "g", says="g.dot is a folder")
    (tmp_path / "p.png").mkdir()
    refused(capsys, "plot-accuracy", runs["seq2seq"], "--out", tmp_path / "p.png",
            says="p.png is a folder")
    refused(capsys, "plot-accuracy", runs["seq2seq"], "--out", a_file / "p.png",
            says=f"{a_file} is a file")


# --- damaged but readable checkpoints, on every reading path -----------------------------
@pytest.mark.parametrize("how, says", [("missing", "missing parameters ['{name}']"),
                                       ("shape", "parameter '{name}' has shape"),
                                       ("nan", "parameter {name} holds nan or inf")])
@pytest.mark.parametrize("kind", ["seq2seq", "rnnlm", "vae"])
def test_resume_refuses_a_damaged_checkpoint_naming_the_parameter(runs, tmp_path, capsys,
                                                                  kind, how, says):
    path, name = damaged(runs[kind], tmp_path, how)
    argv = {"seq2seq": SEQ2SEQ, "rnnlm": lm(runs), "vae": VAE}[kind]
    refused(capsys, *argv, "--epochs", "2", "--out", tmp_path / "r", "--resume", path,
            says=[f"cannot resume {path}", says.format(name=name)])


def test_resume_refuses_damaged_best_parameters_beside_the_checkpoint(runs, tmp_path, capsys):
    out = tmp_path / "lm"
    assert main(lm(runs) + ["--out", str(out)]) == 0
    best = out / "checkpoint.best-params.npz"
    state = load_npz(best)
    state["embed.W"] = state["embed.W"][:, :2]
    save_npz(best, state)
    refused(capsys, *lm(runs), "--epochs", "2", "--out", out, "--resume",
            out / "checkpoint.npz", says=[f"the best parameters {best}", "embed.W"])


@pytest.mark.parametrize("how", ["missing", "shape", "nan"])
@pytest.mark.parametrize("argv, kind", [
    (["sample-dates", "--checkpoint"], "vae"),
    (["rl-finetune", "--steps", "1", "--generate-size", "300", "--checkpoint"], "seq2seq"),
    (["export", "--to", "onnx", "OUT", "--checkpoint"], "seq2seq"),
    (["eval", "--batch-size", "2", "--time-size", "5", "--checkpoint"], "rnnlm"),
    (["generate", "--start", "w1", "--length", "3", "--checkpoint"], "rnnlm"),
])
def test_every_reading_command_refuses_a_damaged_checkpoint(runs, tmp_path, capsys, argv, kind,
                                                            how):
    path, name = damaged(runs[kind], tmp_path, how)
    argv = [str(tmp_path / "m.onnx") if a == "OUT" else a for a in argv]
    refused(capsys, *argv, path, says=[path, name])
    assert not (tmp_path / "m.onnx").exists()


def test_bert_finetune_refuses_a_damaged_pretrained_checkpoint(tmp_path, capsys):
    from tiny_ptb import write_tiny_ptb
    ptb = write_tiny_ptb(tmp_path / "data", [f"w{i}" for i in range(20)],
                         {"train": 40, "valid": 30, "test": 30}, np.random.default_rng(0),
                         length=(3, 8))
    tiny = ["--data-dir", str(ptb), "--batch-size", "8", "--warmup", "2", "--epochs", "1",
            "--quiet"]
    assert main(["train", "bert", *tiny, "--dim", "8", "--heads", "2", "--layers", "1",
                 "--max-length", "12", "--vector-sentences", "0",
                 "--out", str(tmp_path / "bert")]) == 0
    for how in ("missing", "shape", "nan"):
        path, name = damaged(tmp_path / "bert" / "checkpoint.npz", tmp_path, how)
        refused(capsys, "train", "bert-finetune", *tiny, "--pretrained", path, "--out",
                tmp_path / f"ft-{how}", says=[f"--pretrained {path}", name])


def test_other_kinds_are_named_as_what_they_are(runs, capsys):
    refused(capsys, "translate", "--checkpoint", runs["vae"], "1+1",
            says=[f"{runs['vae']}: this is a vae checkpoint; translate needs a seq2seq "
                  f"checkpoint"])
    refused(capsys, "sample-dates", "--checkpoint", runs["rnnlm"],
            says="this is an rnnlm checkpoint; sample-dates needs a vae checkpoint")
    refused(capsys, "rl-finetune", "--checkpoint", runs["vae"],
            says="this is a vae checkpoint; rl-finetune needs a seq2seq checkpoint")


def test_reinforcement_resume_reads_its_checkpoint_through_the_same_checks(runs, tmp_path,
                                                                           capsys):
    pytest.importorskip("gymnasium", reason="train reinforce needs gymnasium "
                        "(pip install .[rl])")
    refused(capsys, "train", "reinforce", "--out", tmp_path / "r", "--resume", runs["vae"],
            says="this is a vae checkpoint; train reinforce --resume needs a reinforcement")
    assert main(["train", "a2c", "--episodes", "2", "--eval-episodes", "0", "--quiet",
                 "--hidden", "4", "--out", str(tmp_path / "a")]) == 0
    path, name = damaged(tmp_path / "a" / "checkpoint.npz", tmp_path, "shape")
    refused(capsys, "train", "a2c", "--episodes", "3", "--hidden", "4", "--quiet", "--out",
            tmp_path / "b", "--resume", path, says=[f"cannot resume {path}", name])
    refused(capsys, "train", "a2c", "--episodes", "3", "--hidden", "8", "--quiet", "--out",
            tmp_path / "b", "--resume", tmp_path / "a" / "checkpoint.npz",
            says="pass the run's own --hidden")


# --- zeros and sizes: refused when parsed, with the limit and why --------------------------
@pytest.mark.parametrize("argv, says", [
    (["train", "autoencoder", "--code", "0"], "--code: must be a positive integer"),
    (["train", "vae", "--code", "0"], "--code: must be a positive integer"),
    (["train", "a2c", "--envs", "0"], "--envs: must be a positive integer"),
    (["train", "a2c", "--n-steps", "0"], "--n-steps: must be a positive integer"),
    (["rl-finetune", "--checkpoint", "c.npz", "--steps", "0"],
     "--steps: must be a positive integer"),
    (["train", "reinforce", "--gamma", "1.5"], "--gamma: must be in [0, 1], got '1.5'"),
    (["train", "a2c", "--gamma", "-0.1"], "--gamma: must be in [0, 1]"),
    (["train", "reinforce", "--gamma", "nan"], "--gamma: expected a finite number"),
    (["sample-dates", "--checkpoint", "c.npz", "--n", "100000000000"],
     "--n: must be at most 100,000 (the samples are decoded together"),
    (["graph", "transformer", "--layers", "100000"],
     "--layers: must be at most 24 (the drawing grows with it"),
    (["graph", "rnnlm", "--time", "100000"], "--time: must be at most 100"),
    (["export", "--checkpoint", "c.npz", "--to", "onnx", "x.onnx", "--time", "100000"],
     "--time: must be at most 1,000 (the graph is unrolled"),
    (["export", "--checkpoint", "c.npz", "--to", "onnx", "x.onnx", "--batch", "10000000"],
     "--batch: must be at most 4,096"),
    (["translate", "--checkpoint", "c.npz", "--beam", "100000", "1+1"],
     "--beam: must be at most 100 (the search scores K x vocabulary continuations"),
    (["generate", "--checkpoint", "c.npz", "--beam", "1000"], "--beam: must be at most 100"),
    (["train", "attention", "--beam", "1000"], "--beam: must be at most 100"),
    (["generate", "--checkpoint", "c.npz", "--length", "1000000000"],
     "--length: must be at most 10,000"),
    (["train", "seq2seq", "--generate-size", "100000000000"],
     "--generate-size: must be at most 10,000,000 (the examples are generated in memory"),
    (["train", "transformer", "--generate-size", "100000000000"],
     "--generate-size: must be at most 10,000,000"),
    (["train", "vae", "--n", "100000000000"], "--n: must be at most 10,000,000"),
    (["train", "vae", "--samples", "1000000000"], "--samples: must be at most 100,000"),
    (["rl-finetune", "--checkpoint", "c.npz", "--generate-size", "100000000000"],
     "--generate-size: must be at most 10,000,000"),
])
def test_zeros_and_sizes_without_a_bound_are_refused_when_parsed(capsys, argv, says):
    refused(capsys, *argv, says=says)


def test_the_bounds_themselves_are_accepted():
    from autograd_nlp.commands import common as command_line
    assert command_line.beam_width(str(command_line.MAX_BEAM)) == command_line.MAX_BEAM
    assert command_line.sample_count("100000") == 100_000
    assert command_line.unit_interval("0") == 0.0 and command_line.unit_interval("1") == 1.0


def test_eval_on_a_split_shorter_than_one_chunk(runs, capsys):
    refused(capsys, "eval", "--checkpoint", runs["rnnlm"], "--data-dir", runs["data"],
            says=["fewer than one chunk of --batch-size 10 x --time-size 35",
                  "pass smaller ones"])


# --- accepted, but would be ignored or wrong ------------------------------------------------
@pytest.mark.parametrize("argv, says", [
    (["--param", "hidden=choice:8,16", "--set", "hidden=32"],
     "--hidden is given both by --param and by --set hidden=32"),
    (["--param", "hidden=choice:8,16", "--set", "hid=32"],        # argparse's abbreviation
     "--hidden is given both by --param and by --set hid=32"),
    (["--param", "lr=log:1e-3:1e-2", "--set", "hidden=8", "--set", "hidden=16"],
     "both set --hidden; give each option once"),
    (["--param", "lr=log:1e-3:1e-2", "--set", "out=elsewhere"], "--out is not for --set"),
    (["--param", "lr=log:1e-3:1e-2", "--set", "epochs=3"], "use tune --epochs"),
])
def test_tune_refuses_an_option_given_twice_or_one_it_sets_itself(tmp_path, capsys, argv, says):
    refused(capsys, "tune", "seq2seq", "--trials", "1", *argv, "--out", tmp_path / "t",
            says=says)
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("argv, says", [
    (["tanh", "--all"], "'tanh' and --all given together"),
    (["rnnlm", "--list"], "'rnnlm' and --list given together"),
    (["--all", "--list"], "--all and --list given together"),
    ([], "gradcheck: nothing to check; pass an op"),
    (["nonsense"], "unknown op or example 'nonsense': use --list"),
])
def test_gradcheck_errors_go_to_stderr_with_the_prefix(capsys, argv, says):
    err = refused(capsys, "gradcheck", *argv, says=says)
    assert "None" not in err


def test_graph_collapse_of_a_scope_that_does_not_exist(tmp_path, capsys):
    refused(capsys, "graph", "transformer", "--collapse", "layer-norms", "--out",
            tmp_path / "g", says=["no scope 'layer-norms' in the transformer graph",
                                  "layer-norm, self-attention"])
    assert not (tmp_path / "g.dot").exists()
    assert main(["graph", "mlp", "--out", str(tmp_path / "m")]) == 0   # the default: fine


# --- nan goes noticed ---------------------------------------------------------------------
def test_export_refuses_nan_weights(runs, tmp_path, capsys):
    path, name = damaged(runs["rnnlm"], tmp_path, "nan")
    for to in ("onnx", "torch"):
        refused(capsys, "export", "--checkpoint", path, "--to", to, tmp_path / "m.x",
                says=[f"parameter {name} holds nan or inf", "export"])


def test_export_refuses_a_non_finite_check_and_writes_nothing(runs, tmp_path, capsys):
    pytest.importorskip("onnx", reason="export --to onnx needs onnx (pip install onnx)")
    pytest.importorskip("onnxruntime", reason="the check runs the graph in onnxruntime "
                        "(pip install onnxruntime)")
    arrays, meta = load_npz(runs["rnnlm"], with_meta=True)
    # finite weights whose logits overflow to inf (in both runtimes): the LSTM's
    # huge biases make every h positive, and 3e38 * (1 + sum(h)) > float32's max
    arrays["model/lstm.cell.b"] = np.full_like(arrays["model/lstm.cell.b"], 1e4)
    for name in ("model/out.W", "model/out.b"):
        arrays[name] = np.full_like(arrays[name], 3e38)
    path = tmp_path / "overflow.npz"
    save_npz(path, arrays, meta)
    out = tmp_path / "m.onnx"
    with np.errstate(over="ignore"):                # tracing the graph overflows too
        refused(capsys, "export", "--checkpoint", path, "--to", "onnx", out,
                says=["differ from autograd_nlp's by nan", "nothing was written"])
    assert not out.exists()
    code, text, _ = run(capsys, "export", "--checkpoint", runs["rnnlm"], "--to", "onnx", out)
    assert code == 0 and out.exists() and "max |onnx - autograd_nlp|" in text


# --- --device cuda --------------------------------------------------------------------------
def test_train_transformer_refuses_cuda_without_cupy(tmp_path, capsys):
    from autograd_nlp import backend
    if backend.cupy_available():
        pytest.skip("CuPy is installed: --device cuda would run")
    refused(capsys, "train", "transformer", "--device", "cuda", "--out", tmp_path / "tf",
            says="device 'cuda' needs CuPy")
    assert not (tmp_path / "tf").exists()


def test_train_transformer_trains_on_the_device_it_is_given(tmp_path, capsys, monkeypatch):
    """On the test-only fake device (tests/backend/fake_device.py): the model's
    parameters live there, and the run ends as on the CPU."""
    monkeypatch.syspath_prepend(os.path.join(os.path.dirname(__file__), "backend"))
    from fake_device import FAKE, FakeArray

    from autograd_nlp import backend
    from autograd_nlp.cli import build_parser
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    seen = []
    original = TransformerSeq2seq.to

    def spy(self, device):
        model = original(self, device)
        seen.append(all(type(p.data) is FakeArray for p in model.params()))
        return model
    monkeypatch.setattr(TransformerSeq2seq, "to", spy)
    backend.register_device(FAKE)
    try:
        args = build_parser().parse_args(
            ["train", "transformer", "--generate-size", "300", "--dim", "8", "--heads", "2",
             "--layers", "1", "--batch-size", "32", "--warmup", "5", "--epochs", "1",
             "--quiet", "--out", str(tmp_path / "tf")])
        args.device = "fake"
        assert args.run(args) == 0
    finally:
        backend.unregister_device("fake")
        common.release_folders()
    assert seen == [True]
    assert (tmp_path / "tf" / "checkpoint.npz").exists()


# --- messages -------------------------------------------------------------------------------
def test_a_missing_data_folder_is_one_line_naming_the_option(tmp_path, capsys, monkeypatch):
    for model in ("rnnlm", "seq2seq"):
        err = refused(capsys, "train", model, "--data-dir", tmp_path / "nowhere", "--out",
                      tmp_path / "r", says=["(from --data-dir)", "pass --data-dir DIR"])
        assert "data_dir" not in err


def test_resume_with_another_reverse_names_the_setting(runs, tmp_path, capsys):
    err = refused(capsys, *SEQ2SEQ, "--reverse", "--epochs", "2", "--out", tmp_path / "r",
                  "--resume", runs["seq2seq"],
                  says=f"cannot resume {runs['seq2seq']} with --reverse True (the "
                       f"checkpoint's: False)")
    assert "trained on" not in err

"""Every user mistake of issue 10 ends in exit code 2 and a short message
that says what to do, never a traceback; and no silent wrong answers.

Tiny checkpoints of three kinds (rnnlm, attention, cbow) are trained once for
the module; each case then drives ``autograd_nlp.cli.main`` in-process
(argparse's own errors arrive as SystemExit(2)).
"""
import os
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.commands import seq2seq as seq2seq_cmd
from autograd_nlp.recipes import seq2seq as seq2seq_recipe
from autograd_nlp.errors import BadFileError, CheckpointError, UserError
from cli_run import run, train_tiny_runs, write_ptb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assert_clean_error(capsys, *argv, says=()):
    """Exit 2, no traceback, the message on stderr naming ``says``; a
    UserError is one or two lines starting with "autograd-nlp:"."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    for phrase in ([says] if isinstance(says, str) else says):
        assert phrase in err, (phrase, err)
    if "error: argument" not in err:            # not argparse's usage + error
        lines = err.strip().splitlines()
        assert lines[0].startswith("autograd-nlp: ") and len(lines) <= 2, err
    return err


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{"data", "rnnlm", "attention", "cbow", "vectors", "dir"}: tiny runs, 1 epoch."""
    return train_tiny_runs(tmp_path_factory.mktemp("runs"))


# --- item 1: clean errors -------------------------------------------------------

def test_plot_accuracy_creates_missing_folders(runs, capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="plot-accuracy draws with matplotlib "
                        "(pip install matplotlib)")
    out = tmp_path / "missing_dir" / "deeper" / "x.png"
    code, text, _ = run(capsys, "plot-accuracy", runs["attention"], "--out", out)
    assert code == 0 and out.stat().st_size > 0 and str(out) in text


def test_plot_accuracy_unsupported_format_lists_the_supported_ones(runs, capsys, tmp_path):
    assert_clean_error(capsys, "plot-accuracy", runs["attention"], "--out",
                       tmp_path / "x.xyz", says=["unsupported format .xyz", ".png", ".svg"])


@pytest.mark.parametrize("argv, says", [
    (["similar", "w1", "--top", "0"], "--top: must be a positive integer"),
    (["analogy", "w1", "w2", "w3", "--top", "-1"], "--top: must be a positive integer"),
    (["generate", "--temperature", "0"], "--temperature: must be a number > 0"),
    (["generate", "--temperature", "-1"], "--temperature: must be a number > 0"),
    (["generate", "--temperature", "nan"], "--temperature: expected a finite number"),
    (["generate", "--temperature", "inf"], "--temperature: expected a finite number"),
    (["generate", "--top-k", "0"], "--top-k: must be a positive integer"),
    (["generate", "--top-k", "-3"], "--top-k: must be a positive integer"),
    (["generate", "--length", "0"], "--length: must be a positive integer"),
    (["generate", "--length", "-5"], "--length: must be a positive integer"),
    (["eval", "--batch-size", "0"], "--batch-size: must be a positive integer"),
    (["eval", "--time-size", "x"], "--time-size: expected an integer"),
])
def test_reading_options_are_validated_by_argparse(runs, capsys, argv, says):
    extra = ["--vectors", runs["vectors"]] if argv[0] in ("similar", "analogy") else \
        ["--checkpoint", runs["rnnlm"]]
    assert_clean_error(capsys, *argv, *extra, says=says)


@pytest.mark.parametrize("model, option, value, says", [
    ("rnnlm", "--batch-size", "0", "must be a positive integer"),
    ("rnnlm", "--hidden", "0", "must be a positive integer"),
    ("rnnlm", "--epochs", "0", "must be a positive integer"),
    ("rnnlm", "--lr", "nan", "expected a finite number"),
    ("rnnlm", "--lr", "0", "must be a number > 0"),
    ("better-rnnlm", "--dropout", "1", "must be in [0, 1)"),
    ("attention", "--batch-size", "0", "must be a positive integer"),
    ("attention", "--hidden", "0", "must be a positive integer"),
    ("seq2seq", "--lr", "-0.1", "must be a number > 0"),
    ("cbow", "--window", "0", "must be a positive integer"),
    ("skipgram", "--sample-size", "0", "must be a positive integer"),
    ("count-svd", "--hidden", "0", "must be a positive integer"),
    ("simple-cbow", "--epochs", "-1", "must be a positive integer"),
])
def test_training_options_are_validated_by_argparse(capsys, model, option, value, says):
    assert_clean_error(capsys, "train", model, option, value, says=[option, says])


def test_generate_size_smaller_than_a_batch(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    err = assert_clean_error(capsys, "train", "seq2seq", "--generate-size", "100",
                             "--out", tmp_path / "s", says="--generate-size")
    assert "90 training questions, fewer than one batch of 128" in err
    assert "--generate-size 143 or more" in err           # 143 - 14 >= 128
    assert_clean_error(capsys, "train", "seq2seq", "--generate-size", "5", "--batch-size",
                       "2", "--out", tmp_path / "s", says="gives no test question")


def test_missing_vectors_file(capsys, tmp_path):
    assert_clean_error(capsys, "analogy", "a", "b", "c", "--vectors",
                       tmp_path / "nonexistent.npz", says="does not exist")


def test_a_checkpoint_is_not_a_vectors_file(runs, capsys):
    assert_clean_error(capsys, "similar", "w1", "--vectors", runs["cbow"],
                       says=["expected arrays 'words' and 'vectors'", "vectors.npz"])


@pytest.mark.parametrize("argv, kind, wanted", [
    (["generate"], "attention", "generate needs a language-model checkpoint (rnnlm, "
                                "better-rnnlm, simple-rnnlm, transformer-lm)"),
    (["eval"], "attention", "eval needs a language-model checkpoint"),
    (["eval"], "cbow", "eval needs a language-model checkpoint (rnnlm, better-rnnlm, "
                       "simple-rnnlm, transformer-lm)"),
    (["translate", "1+1"], "rnnlm", "translate needs a seq2seq checkpoint (seq2seq, peeky, "
                                    "attention, transformer)"),
    (["translate", "1+1"], "cbow", "translate needs a seq2seq checkpoint"),
])
def test_a_checkpoint_of_another_kind_is_named(runs, capsys, argv, kind, wanted):
    article = "an" if kind[0] in "ar" else "a"
    assert_clean_error(capsys, *argv, "--checkpoint", runs[kind],
                       says=[f"this is {article} {kind} checkpoint", wanted])


def test_plot_accuracy_of_a_language_model(runs, capsys, tmp_path):
    assert_clean_error(capsys, "plot-accuracy", runs["rnnlm"], "--out", tmp_path / "a.png",
                       says=["this is an rnnlm checkpoint", "plot-accuracy needs a seq2seq"])


def test_a_vectors_file_is_not_a_checkpoint(runs, capsys):
    assert_clean_error(capsys, "eval", "--checkpoint", runs["vectors"],
                       says=["is a word-vectors file, not a checkpoint", "eval needs"])


def corrupt_copies(source, folder):
    """{how: path} of damaged copies of the checkpoint ``source``."""
    data = open(source, "rb").read()
    folder.mkdir()
    files = {"truncated": data[:len(data) // 2], "random": os.urandom(4000), "empty": b""}
    paths = {}
    for how, content in files.items():
        paths[how] = folder / f"{how}.npz"
        paths[how].write_bytes(content)
    # bad CRC: flip one byte inside the first stored array's data
    with zipfile.ZipFile(source) as z:
        info = z.infolist()[0]
    header = 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    damaged[info.header_offset + header + info.compress_size // 2] ^= 0xFF
    paths["bad CRC"] = folder / "crc.npz"
    paths["bad CRC"].write_bytes(bytes(damaged))
    paths["directory"] = folder / "dir.npz"
    paths["directory"].mkdir()
    return paths


@pytest.fixture(scope="module")
def corrupt(runs, tmp_path_factory):
    return corrupt_copies(runs["rnnlm"], tmp_path_factory.mktemp("corrupt") / "c")


@pytest.mark.parametrize("how, says", [
    ("truncated", "not an .npz file"), ("random", "not an .npz file"),
    ("empty", "is empty (0 bytes)"), ("bad CRC", "is corrupt (Bad CRC-32"),
    ("directory", "is a directory"),
])
@pytest.mark.parametrize("command", [["eval", "--checkpoint"], ["generate", "--checkpoint"],
                                     ["translate", "x", "--checkpoint"], ["plot-accuracy"],
                                     ["similar", "w1", "--vectors"]])
def test_corrupt_files(corrupt, capsys, how, says, command):
    err = assert_clean_error(capsys, *command, corrupt[how], says=says)
    assert "pickled" not in err


def test_eval_params_that_do_not_fit(runs, capsys):
    assert_clean_error(capsys, "eval", "--checkpoint", runs["rnnlm"], "--params",
                       runs["vectors"], "--data-dir", runs["data"],
                       says="--params")


def test_translate_params_that_do_not_fit(runs, capsys):
    assert_clean_error(capsys, "translate", "x", "--checkpoint", runs["attention"],
                       "--params", runs["vectors"], says=["--params", "attention"])


def test_a_checkpoint_given_as_params_is_named_as_such(runs, capsys):
    assert_clean_error(capsys, "translate", "x", "--checkpoint", runs["attention"],
                       "--params", runs["attention"],
                       says=["is a training checkpoint", "--checkpoint", ".best-params.npz"])


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 8])
def test_empty_or_binary_ptb_files(capsys, monkeypatch, tmp_path, content):
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    data = write_ptb(tmp_path / "data")
    (data / "ptb.train.txt").write_bytes(content)
    assert_clean_error(capsys, "train", "rnnlm", "--data-dir", data, "--epochs", "1",
                       "--out", tmp_path / "r", "--quiet", says="ptb.train.txt")


@pytest.mark.parametrize("command", [["train", "count-svd", "--hidden", "4"],
                                     ["train", "rnnlm", "--epochs", "1", "--quiet", "--batch-size", "2",
                                      "--time-size", "5", "--hidden", "4", "--wordvec", "4"]])
def test_training_names_its_data_and_warns_on_a_non_standard_ptb(capsys, monkeypatch,
                                                                 tmp_path, command):
    """A truncated or sample PTB trains, but never silently: the source, the
    token and vocabulary counts come first, and a warning names the gap."""
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    data = write_ptb(tmp_path / "data")
    assert main(command + ["--data-dir", str(data), "--out", str(tmp_path / "r")]) == 0
    out, err = capsys.readouterr()
    source = str((data / "ptb.train.txt").resolve())
    assert re.search(r"train data: [0-9,]+ tokens, vocabulary [0-9]+ words, from ", out)
    assert source in out
    assert "warning: ptb.train.txt has" in err and "929,589" in err


def test_error_classes_are_value_errors_for_library_callers():
    for cls in (CheckpointError, BadFileError):
        assert issubclass(cls, UserError) and issubclass(cls, ValueError)


def test_the_installed_command_exits_2_without_a_traceback(runs):
    result = subprocess.run([sys.executable, "-m", "autograd_nlp", "eval", "--checkpoint",
                             runs["cbow"]], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("autograd-nlp: ") and "cbow checkpoint" in result.stderr


# --- item 2: no silent wrong answers ---------------------------------------------------

def test_translate_refuses_an_empty_question(runs, capsys):
    assert_clean_error(capsys, "translate", "--checkpoint", runs["attention"], "",
                       says="the question is empty")
    assert_clean_error(capsys, "translate", "--checkpoint", runs["attention"], "   ",
                       says="the question is empty")


def test_translate_shows_its_confidence_and_warns_when_low(runs, capsys, monkeypatch):
    code, out, err = run(capsys, "translate", "--checkpoint", runs["attention"], "2011/10/03")
    assert code in (0, 3) and len(out.strip()) == 10       # stdout: the answer alone
    confidence = float(err.split("confidence ")[1].split()[0])
    lowest = float(err.split("lowest ")[1].split(",")[0])
    assert 0 < lowest <= confidence <= 1
    load = seq2seq_cmd.load_translator

    def with_threshold(threshold):
        def patched(*args, **kwargs):
            translator = load(*args, **kwargs)
            translator.threshold = threshold
            return translator
        monkeypatch.setattr(seq2seq_cmd, "load_translator", patched)

    with_threshold(lowest + 0.01)
    code, _, err = run(capsys, "translate", "--checkpoint", runs["attention"], "2011/10/03")
    assert "warning:" in err and "low confidence" in err and code == 3
    with_threshold(lowest - 0.01)
    assert "low confidence" not in run(capsys, "translate", "--checkpoint", runs["attention"],
                                       "2011/10/03")[2]


def test_answer_probabilities_are_the_greedy_steps_probabilities(runs):
    """Against decoding step by step and reading each chosen character's softmax."""
    from autograd_nlp.loading.checkpoint_kind import read_checkpoint, restore_model
    from autograd_nlp.training import restore
    checkpoint = read_checkpoint(runs["attention"], "test", "seq2seq")
    model = restore_model(checkpoint, runs["attention"], seq2seq_recipe.build_model, restore)
    meta = checkpoint["meta"]
    rng = np.random.default_rng(0)
    x = rng.integers(0, len(meta["chars"]), (3, meta["question_length"]))
    start = meta["chars"].index("_")
    answer = model.generate(x, start, meta["answer_length"] - 1)
    model.eval()                # decoding runs without dropout, as generate does
    memory = model.encoder(x)
    state = model.decoder.start(memory)
    y, probs = np.full((3, 1), start), []
    for step in range(answer.shape[1]):
        logits, state = model.decoder(y, state, memory)
        z = logits.data[:, 0].astype(np.float64)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        y = answer[:, step:step + 1]
        probs.append(p[np.arange(3), y[:, 0]])
        np.testing.assert_array_equal(p.argmax(axis=1), y[:, 0])
    np.testing.assert_allclose(np.exp(model.answer_log_probs(x, start, answer)),
                               np.stack(probs, axis=1), rtol=1e-5)


def test_similar_answers_known_words_and_names_every_unknown(runs, capsys):
    code, out, err = run(capsys, "similar", "w1", "foo", "w2", "bar", "--vectors",
                         runs["vectors"], "--top", "2")
    assert code == 0
    assert "[query] w1" in out and "[query] w2" in out
    assert "'foo', 'bar'" in err and "not in the vocabulary" in err
    assert_clean_error(capsys, "similar", "foo", "bar", "--vectors", runs["vectors"],
                       says="'foo', 'bar'")


def test_analogy_names_every_unknown_word(runs, capsys):
    assert_clean_error(capsys, "analogy", "foo", "w1", "baz", "--vectors", runs["vectors"],
                       says="not in the vocabulary (21 words): 'foo', 'baz'")


# --- item 4: eval finds the data the checkpoint was trained on ------------------------

def test_eval_uses_the_checkpoints_data_folder(runs, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(runs["dir"] / "cache"))
    code, out, err = run(capsys, "eval", "--checkpoint", runs["rnnlm"], "--split", "valid",
                         "--batch-size", "2", "--time-size", "5")
    assert code == 0, err
    assert f"data: {runs['data']} (the folder this checkpoint was trained from)" in out
    assert "rnnlm valid perplexity" in out


def test_eval_refuses_data_with_another_vocabulary(runs, capsys, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "ptb.train.txt").write_text("a b c\n")
    (other / "ptb.test.txt").write_text("a b\n")
    assert_clean_error(capsys, "eval", "--checkpoint", runs["rnnlm"], "--data-dir", other,
                       says="vocabulary")


# --- item 5: graph reports both files the same way ----------------------------------------

def test_graph_prints_absolute_paths(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "graph", "mlp", "--out", "pics/mlp")
    assert code == 0
    written = out.split("wrote ")[1].splitlines()[0].split(", ")
    assert written[0] == str(tmp_path / "pics" / "mlp.dot")
    assert all(os.path.isabs(path) and os.path.isfile(path) for path in written)
    if shutil.which("dot"):
        assert written[1] == str(tmp_path / "pics" / "mlp.svg")


@pytest.mark.parametrize("type_, good, bad", [
    ("positive_int", {"1": 1, "12": 12}, ["0", "-3", "1.5", "x", ""]),
    ("non_negative_int", {"0": 0, "7": 7}, ["-1", "2.0"]),
    ("positive_float", {"0.5": 0.5, "1e4": 1e4}, ["0", "-1", "nan", "inf", "-inf", "x"]),
    ("non_negative_float", {"0": 0.0, "2.5": 2.5}, ["-0.1", "nan", "inf"]),
    ("dropout_rate", {"0": 0.0, "0.5": 0.5}, ["1", "-0.1", "nan"]),
])
def test_argument_types(type_, good, bad):
    import argparse

    from autograd_nlp.commands import common
    convert = getattr(common, type_)
    for text, value in good.items():
        assert convert(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            convert(text)

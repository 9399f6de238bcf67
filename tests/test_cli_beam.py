"""``--beam K`` on the command line: the per-epoch accuracy of the seq2seq and
transformer train commands, ``translate`` and ``generate``; bad values and
sampling options beside it are clean errors."""
import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.recipes import seq2seq as seq2seq_recipe
from autograd_nlp.recipes import seq2seq_task
from autograd_nlp.loading.language_model import load_language_model
from autograd_nlp.training import seq2seq_accuracy
from cli_run import run

WORDS = [f"w{i}" for i in range(12)]


def record_beams(monkeypatch, module):
    """Wrap ``module.seq2seq_accuracy``; returns the beam widths it was called with."""
    beams = []

    def recording(*args, beam=1, **kwargs):
        beams.append(beam)
        return seq2seq_accuracy(*args, beam=beam, **kwargs)
    monkeypatch.setattr(module, "seq2seq_accuracy", recording)
    return beams


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Tiny seq2seq (trained with --beam 3) and rnnlm checkpoints."""
    root = tmp_path_factory.mktemp("beam-runs")
    rng = np.random.default_rng(0)
    for split in ("train", "valid", "test"):
        lines = [" ".join(rng.choice(WORDS, 6)) for _ in range(20)] + [" ".join(WORDS)]
        (root / f"ptb.{split}.txt").write_text("\n".join(lines) + "\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AUTOGRAD_NLP_DATA", raising=False)
        beams = record_beams(mp, seq2seq_task)
        assert main(["train", "seq2seq", "--generate-size", "300", "--hidden", "8",
                     "--wordvec", "8", "--batch-size", "32", "--epochs", "1", "--beam", "3",
                     "--valid-fraction", "0.1", "--quiet", "--out",
                     str(root / "seq2seq")]) == 0
        assert main(["train", "rnnlm", "--data-dir", str(root), "--batch-size", "4",
                     "--time-size", "5", "--wordvec", "4", "--hidden", "4", "--epochs", "1",
                     "--eval-batch-size", "2", "--quiet", "--out", str(root / "rnnlm")]) == 0
    return {"seq2seq": str(root / "seq2seq" / "checkpoint.npz"),
            "rnnlm": str(root / "rnnlm" / "checkpoint.npz"), "train_beams": beams}


def test_train_seq2seq_measures_validation_and_test_accuracy_with_the_beam(runs):
    assert runs["train_beams"] == [3, 3]          # epoch 1's validation, the final test


def test_train_transformer_measures_accuracy_with_the_beam(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    beams = record_beams(monkeypatch, seq2seq_task)      # fit_with_accuracy lives there
    assert main(["train", "transformer", "--task", "addition", "--epochs", "1", "--beam", "2",
                 "--generate-size", "300", "--dim", "8", "--heads", "2", "--layers", "1",
                 "--batch-size", "32", "--quiet", "--out", str(tmp_path / "tf")]) == 0
    assert beams == [2] and "accuracy per epoch" in capsys.readouterr().out


def test_translate_answers_with_the_beam_search(runs, capsys):
    from autograd_nlp.loading.checkpoint_kind import read_checkpoint, restore_model
    from autograd_nlp.training import restore
    checkpoint = read_checkpoint(runs["seq2seq"], "test", "seq2seq")
    model = restore_model(checkpoint, runs["seq2seq"], seq2seq_recipe.build_model, restore)
    chars = checkpoint["meta"]["chars"]
    ids = [chars.index(c) for c in "12+345".ljust(checkpoint["meta"]["question_length"])]
    expected = model.beam_search(np.array([ids]), chars.index("_"),
                                 checkpoint["meta"]["answer_length"] - 1, beam=4)[0]
    code, out, err = run(capsys, "translate", "--checkpoint", runs["seq2seq"], "--beam", "4",
                         "12+345")
    assert code in (0, 3) and "confidence" in err      # 3: a tiny model's answer is flagged
    assert out.strip() == "".join(chars[i] for i in expected).strip()


def test_generate_with_a_beam_is_the_models_beam_generate(runs, capsys):
    code, out, _ = run(capsys, "generate", "--checkpoint", runs["rnnlm"], "--start", "w3",
                       "--length", "8", "--beam", "3")
    lm = load_language_model(runs["rnnlm"])
    model, meta = lm.model, lm.meta
    vocab = meta["vocab"]
    ids = model.beam_generate(vocab.index("w3"), 8, 3)
    assert code == 0
    assert out.split() == [vocab[i] for i in ids]


@pytest.mark.parametrize("argv, says", [
    (["generate", "--beam", "0"], "--beam: must be a positive integer"),
    (["generate", "--beam", "3", "--greedy"], "--beam 3 searches for the most likely text"),
    (["generate", "--beam", "2", "--top-k", "5", "--temperature", "0.5"],
     "drop --temperature, --top-k"),
    (["translate", "--beam", "0", "1+1"], "--beam: must be a positive integer"),
])
def test_bad_beam_options_are_clean_errors(runs, capsys, argv, says):
    checkpoint = runs["seq2seq"] if argv[0] == "translate" else runs["rnnlm"]
    code, out, err = run(capsys, *argv, "--checkpoint", checkpoint)
    assert code == 2 and "Traceback" not in out + err and says in err, err


def test_train_seq2seq_refuses_a_zero_beam(capsys):
    code, _, err = run(capsys, "train", "seq2seq", "--beam", "0")
    assert code == 2 and "--beam: must be a positive integer" in err

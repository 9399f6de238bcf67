"""``autograd-nlp train bert`` and ``train bert-finetune`` end to end on a
tiny PTB-like folder: the accuracies with their chance levels, the
context-averaged vectors, ``--resume``, fine-tuning from the checkpoint and
from scratch, early stopping with the best parameters put back, and the
argument checks."""
from types import SimpleNamespace

import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.serialization import load_npz
from autograd_nlp.text import WordVectors
from autograd_nlp.training import load_checkpoint
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


def best_and_last(model_class, out, **kwargs):
    """The model of ``out``'s best-params file and of its checkpoint (the last step)."""
    meta = load_checkpoint(out / "checkpoint.npz")["meta"]
    best = model_class(**kwargs, **meta["model_kwargs"])
    last = model_class(**kwargs, **meta["model_kwargs"])
    best.load_state_dict(load_npz(out / "checkpoint.best-params.npz"))
    last.load_state_dict(load_checkpoint(out / "checkpoint.npz")["model"])
    assert any(not np.array_equal(a, b) for a, b in
               zip(best.state_dict().values(), last.state_dict().values()))
    return meta, best


def test_pretraining_early_stops_on_valid_mlm_accuracy_and_keeps_the_best(ptb, tmp_path,
                                                                            capsys):
    """--early-stop watches the validation masked-token accuracy; the best
    epoch's parameters are written beside the checkpoint, put back, and the
    context-averaged vectors are computed from them."""
    from autograd_nlp.recipes.bert_task import load_bert_vocabulary
    from autograd_nlp.training.bert_vectors import context_averaged_vectors
    from autograd_nlp.data.bert_pretraining import split_sentences
    from autograd_nlp.models.bert import Bert
    out = tmp_path / "bert"
    assert pretrain(ptb, out, "--epochs", "8", "--early-stop", "1") == 0
    text = capsys.readouterr().out
    meta, best = best_and_last(Bert, out)
    mlm = [m["valid MLM accuracy"] for m in meta["history"]["metrics"]]
    assert len(mlm) < 8 and "early stopping: valid MLM accuracy" in text
    assert meta["best_score"] == max(mlm) and meta["best_epoch"] == 1 + mlm.index(max(mlm))
    assert f"valid masked-token accuracy (epoch {meta['best_epoch']}'s parameters" in text
    corpus, vocab, eos_id = load_bert_vocabulary(SimpleNamespace(data_dir=str(ptb)), "test")
    expected = context_averaged_vectors(best, split_sentences(corpus, eos_id), vocab)
    written = WordVectors.load(out / "vectors.npz")
    assert written.words == expected.words
    np.testing.assert_allclose(written.vectors, expected.vectors, rtol=1e-6)


def test_finetuning_early_stops_on_a_validation_split_carved_from_training(ptb, tmp_path,
                                                                           capsys):
    """--valid-fraction sets aside a seeded share of the training examples
    (PTB's valid split; never the test split), --early-stop watches accuracy
    on it, and the test split is scored once, with the best parameters."""
    from autograd_nlp.data.splits import carve_validation
    from autograd_nlp.recipes.bert_task import load_bert_vocabulary
    from autograd_nlp.training.bert import classification_accuracy
    from autograd_nlp.data import load_ptb
    from autograd_nlp.data.word_order import make_word_order_examples
    from autograd_nlp.models.bert import BertClassifier
    bert, out = tmp_path / "bert", tmp_path / "finetune"
    assert pretrain(ptb, bert, "--epochs", "1", "--vector-sentences", "0") == 0
    finetune = ["train", "bert-finetune", "--data-dir", str(ptb), "--pretrained",
                str(bert / "checkpoint.npz"), "--batch-size", "8", "--warmup", "2",
                "--quiet", "--valid-fraction", "0.25"]
    capsys.readouterr()
    assert main(finetune + ["--out", str(out), "--epochs", "8", "--early-stop", "1"]) == 0
    text = capsys.readouterr().out
    assert "47 training examples" in text and "15 validation examples" in text
    meta, best = best_and_last(BertClassifier, out, num_classes=2)
    valid = [m["valid accuracy"] for m in meta["history"]["metrics"]]
    assert all(m.keys() == {"valid accuracy"} for m in meta["history"]["metrics"])
    assert len(valid) < 8 and "early stopping: valid accuracy" in text
    assert meta["best_score"] == max(valid) and meta["best_epoch"] == 1 + valid.index(max(valid))

    _, vocab, eos_id = load_bert_vocabulary(SimpleNamespace(data_dir=str(ptb)), "test")
    length = meta["model_kwargs"]["max_length"]
    examples = [make_word_order_examples(load_ptb(split, str(ptb))[0], eos_id, vocab, length,
                                         seed, "shuffle")
                for split, seed in (("valid", 1), ("test", 0))]
    _, _, x_valid, t_valid = carve_validation(*examples[0], 0.25)
    assert classification_accuracy(best, x_valid, t_valid) == meta["best_score"]
    test = classification_accuracy(best, *examples[1])
    assert (f"(pre-trained, epoch {meta['best_epoch']}'s parameters, the best): "
            f"{100 * test:.2f} %") in text

    assert main(finetune + ["--out", str(tmp_path / "skip"), "--epochs", "1",
                            "--skip-test"]) == 0
    assert "test accuracy: not measured (--skip-test)" in capsys.readouterr().out


def test_finetune_early_stop_without_a_validation_split_exits_2(ptb, tmp_path, capsys):
    assert main(["train", "bert-finetune", "--data-dir", str(ptb), "--out", str(tmp_path),
                 "--early-stop", "2", "--quiet"]) == 2
    assert "add --valid-fraction" in capsys.readouterr().err

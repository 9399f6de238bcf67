"""``autograd-nlp export`` end to end on tiny checkpoints written directly
(no training), to torch and to ONNX, and its error messages."""
import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.commands.export import model_from_checkpoint
from autograd_nlp.training.checkpoint import save_checkpoint
from models.attention_seq2seq import AttentionSeq2seq
from models.rnnlm import Rnnlm
from models.word2vec import CBOW

KW = dict(vocab_size=11, wordvec_size=4, hidden_size=5)


def randomize(model):
    rng = np.random.default_rng(0)
    for p in model.params():
        p.data = (rng.standard_normal(p.shape) * 0.5).astype(p.dtype)
    return model


@pytest.fixture
def rnnlm_checkpoint(tmp_path):
    path = tmp_path / "rnnlm.npz"
    save_checkpoint(path, randomize(Rnnlm(**KW)),
                    meta={"model": "rnnlm", "model_kwargs": KW, "command": {"time_size": 6}})
    return path


@pytest.fixture
def attention_checkpoint(tmp_path):
    path = tmp_path / "attention.npz"
    save_checkpoint(path, randomize(AttentionSeq2seq(**KW)),
                    meta={"kind": "attention", "model_kwargs": KW, "question_length": 7,
                          "answer_length": 4})
    return path


def test_checkpoint_meta_kind_or_model_names_the_model(rnnlm_checkpoint, attention_checkpoint):
    name, model, _ = model_from_checkpoint(rnnlm_checkpoint)
    assert name == "rnnlm" and isinstance(model, Rnnlm) and not model.training
    name, model, _ = model_from_checkpoint(attention_checkpoint)
    assert name == "attention" and isinstance(model, AttentionSeq2seq)


def test_export_to_torch_writes_weights_and_module_and_checks_them(
        rnnlm_checkpoint, tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "lm.pt"
    assert main(["export", "--checkpoint", str(rnnlm_checkpoint), "--to", "torch",
                 str(out)]) == 0
    text = capsys.readouterr().out
    assert out.exists() and (tmp_path / "lm.py").exists()
    diff = float(text.split("autograd_nlp| over the logits: ")[1].split()[0])
    assert diff < 1e-5
    assert "from lm import load" in text


def test_export_word2vec_to_torch(tmp_path, capsys):
    pytest.importorskip("torch")
    path = tmp_path / "cbow.npz"
    save_checkpoint(path, randomize(CBOW(11, 4, np.arange(11))), meta={"model": "cbow",
                                                                      "window": 2})
    assert main(["export", "--checkpoint", str(path), "--to", "torch",
                 str(tmp_path / "vecs.pt")]) == 0
    assert "over the word vectors: 0.00e+00" in capsys.readouterr().out
    assert main(["export", "--checkpoint", str(path), "--to", "onnx",
                 str(tmp_path / "vecs.onnx")]) == 2
    assert "with --to torch" in capsys.readouterr().err


def test_export_to_onnx_each_graph_runs_in_onnxruntime(
        rnnlm_checkpoint, attention_checkpoint, tmp_path, capsys):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    runs = [(rnnlm_checkpoint, ["--batch", "2"], "ids (2, 6)"),
            (rnnlm_checkpoint, ["--graph", "stateful", "--time", "1"],
             "ids (1, 1), h0 (1, 5), c0 (1, 5)")]
    runs += [(attention_checkpoint, ["--graph", graph], shapes) for graph, shapes in
             (("forward", "xs (1, 7), ys (1, 3)"), ("encoder", "xs (1, 7)"),
              ("decoder-step", "y (1, 1), h (1, 5), c (1, 5), encoder_hs (1, 7, 5)"))]
    for k, (checkpoint, options, shapes) in enumerate(runs):
        out = tmp_path / f"{k}.onnx"
        assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx", str(out),
                     *options]) == 0
        text = capsys.readouterr().out
        assert out.stat().st_size > 0 and f"inputs {shapes};" in text
        diff = float(text.split("over the outputs: ")[1].split()[0])
        assert diff < 1e-5


def test_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch, rnnlm_checkpoint):
    path, out_pt, out_onnx = tmp_path / "odd.npz", str(tmp_path / "x.pt"), str(tmp_path / "x.onnx")
    save_checkpoint(path, Rnnlm(**KW), meta={"model": "transformer"})
    assert main(["export", "--checkpoint", str(path), "--to", "torch", out_pt]) == 2
    err = capsys.readouterr().err
    assert "model 'transformer'" in err and "rnnlm" in err and len(err.splitlines()) == 1
    save_checkpoint(path, Rnnlm(**KW), meta={"model": "rnnlm"})
    assert main(["export", "--checkpoint", str(path), "--to", "torch", out_pt]) == 2
    assert "no 'model_kwargs'" in capsys.readouterr().err
    assert main(["export", "--checkpoint", str(tmp_path / "none.npz"), "--to", "onnx",
                 out_onnx]) == 2
    assert "none.npz" in capsys.readouterr().err
    monkeypatch.setitem(__import__("sys").modules, "onnx", None)     # as if not installed
    assert main(["export", "--checkpoint", str(rnnlm_checkpoint), "--to", "onnx",
                 out_onnx]) == 2
    assert "pip install onnx onnxruntime" in capsys.readouterr().err

"""``autograd-nlp export`` end to end on tiny checkpoints of every kind
written directly (no training), to torch and to ONNX: each file is read back
(ONNX Runtime; the torch module file in a process without autograd_nlp) and
gives our outputs at a batch size other than the one it was checked at, and
carries the vocabulary and special ids. Also the error messages."""
import contextlib
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from tiny_checkpoints import CHARS, KINDS, WORDS, write_checkpoint

from autograd_nlp.cli import main
from autograd_nlp.commands.export import model_from_checkpoint
from autograd_nlp.core import Variable, eval_mode, no_grad
from autograd_nlp.training.checkpoint import save_checkpoint
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.rnnlm import Rnnlm

SEQ2SEQ = ("seq2seq", "peeky", "attention", "transformer")
POLICIES = ("reinforce", "a2c")
AUTOENCODERS = ("autoencoder", "vae")
TOL = dict(rtol=1e-4, atol=1e-5)


def expected(kind, model, feeds):
    """Our model's forward output for the graph's feeds (ids as int64)."""
    if kind in POLICIES:
        with no_grad():
            return model(Variable(feeds["obs"].astype(np.float32)))[0].data
    feeds = {k: v.astype(np.int64) for k, v in feeds.items()}
    with no_grad(), eval_mode():
        if kind in SEQ2SEQ:
            memory = model.encoder(feeds["xs"])
            return model.decoder(feeds["ys"], model.decoder.start(memory), memory)[0].data
        if kind in ("bert", "bert-finetune"):
            return model(feeds["tokens"], feeds["segments"]).data
        if kind in ("cbow", "skipgram"):
            return model.word_vectors[feeds["ids"]]
        if kind in AUTOENCODERS:               # model.encode reads xs (reversing them itself)
            return model.decoder(feeds["ys"], model.encode(feeds["xs"]))[0].data
        model.reset_state()
        return model(feeds["ids"]).data


def feeds_for(session, kind, batch, id_dtype=np.int64):
    """Random ids for every input of the session, ``batch`` rows; the
    dynamic lengths (source, target, time) get sizes of their own."""
    rng = np.random.default_rng(5)
    sizes = {"batch": batch, "source": 9, "target": 4, "time": 7}
    feeds = {}
    for i in session.get_inputs():
        shape = [sizes[d] if isinstance(d, str) else d for d in i.shape]
        if i.type == "tensor(float)":
            feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
            continue
        chars = kind in SEQ2SEQ + AUTOENCODERS
        high = 2 if i.name == "segments" else (len(CHARS) if chars else len(WORDS))
        feeds[i.name] = rng.integers(0, high, shape).astype(id_dtype)
    return feeds


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_exports_to_onnx_with_its_vocabulary(kind, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    checkpoint, model, meta = write_checkpoint(tmp_path, kind)
    out = tmp_path / f"{kind}.onnx"
    assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx", str(out)]) == 0
    text = capsys.readouterr().out
    assert float(text.split("over the outputs: ")[1].split()[0]) < 1e-5
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    facts = {k: json.loads(v) for k, v in session.get_modelmeta().custom_metadata_map.items()}
    assert facts["kind"] == kind
    if kind in POLICIES:
        assert (facts["env"], facts["obs_size"], facts["n_actions"]) == ("CartPole-v1", 4, 2)
    else:
        special = ["[PAD]", "[CLS]", "[SEP]", "[MASK]"] if "bert" in kind else []
        chars = kind in SEQ2SEQ + AUTOENCODERS
        assert facts["vocab"] == (list(CHARS) if chars else WORDS + special)
    assert session.get_inputs()[0].shape[0] == "batch"       # any batch size
    feeds = feeds_for(session, kind, batch=3)
    np.testing.assert_allclose(session.run(None, feeds)[0], expected(kind, model, feeds), **TOL)
    if kind in SEQ2SEQ:
        assert (facts["start_id"], facts["pad_id"], facts["reverse"]) == (0, 1, True)
        assert (facts["question_length"], facts["answer_length"]) == (9, 5)
    if "bert" in kind:
        assert (facts["pad_id"], facts["cls_id"], facts["mask_id"]) == (10, 11, 13)
    if kind == "bert-finetune":
        assert facts["task"] == "shuffle" and sorted(facts["labels"]) == ["0", "1"]
    if kind in ("rnnlm", "transformer-lm"):
        assert (facts["eos_id"], facts["unk_id"]) == (0, 1)
    if kind in AUTOENCODERS:
        assert (facts["start_id"], facts["pad_id"], facts["width"], facts["code_size"]) == \
            (0, 1, 7, 3)


def torch_feeds(kind):
    """Inputs of the torch module's forward for ``kind`` (ids as int32)."""
    if kind in POLICIES:
        return {"obs": np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)}
    if kind in SEQ2SEQ:
        return {"xs": np.array([[3, 4, 5, 1, 1, 1, 1, 1, 1]] * 2, np.int32),
                "ys": np.array([[0, 3, 4]] * 2, np.int32)}
    if kind in AUTOENCODERS:
        return {"xs": np.array([[3, 4, 5, 6, 1, 1, 1]] * 2, np.int32),
                "ys": np.array([[0, 3, 4, 5, 6, 1, 1]] * 2, np.int32)}
    if "bert" in kind:
        return {"tokens": np.array([[11, 2, 3, 12, 10]] * 2, np.int32),
                "segments": np.zeros((2, 5), np.int32)}
    return {"ids": np.array([[2, 3, 4], [5, 6, 7]], np.int32)}


@pytest.fixture(scope="module")
def torch_exports(tmp_path_factory):
    """Every kind exported with ``--to torch`` into one folder (OUT named
    after the kind): {kind: (model, exit code, printed text)}."""
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("torch")
    exported = {}
    for kind in KINDS:
        checkpoint, model, _ = write_checkpoint(root / "runs", kind)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main(["export", "--checkpoint", str(checkpoint), "--to", "torch",
                         str(root / f"{kind.replace('-', '_')}.pt")])
        exported[kind] = (model, code, printed.getvalue())
    return root, exported


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_exports_to_torch_with_a_json_beside(kind, torch_exports):
    root, exported = torch_exports
    model, code, text = exported[kind]
    stem = kind.replace("-", "_")
    assert code == 0
    assert float(text.split("autograd_nlp| over the ")[1].split(": ")[1].split()[0]) < 1e-5
    assert f"from {stem} import load, read_facts" in text
    facts = json.loads((root / f"{stem}.json").read_text())
    assert facts["kind"] == kind and (root / f"{stem}.py").exists()
    assert len(facts.get("vocab", WORDS)) >= len(WORDS)


def test_torch_modules_load_without_autograd_nlp_and_give_our_outputs(torch_exports):
    """One Python process where autograd_nlp is not on the path loads every
    kind's module (word2vec's vectors are compared by the export's check)."""
    root, exported = torch_exports
    kinds = [k for k in KINDS if k not in ("cbow", "skipgram")]
    for kind in kinds:
        for name, value in torch_feeds(kind).items():
            np.save(root / f"{kind.replace('-', '_')}.{name}.npy", value)
    script = ("import importlib, sys, numpy as np, torch\n"
              "for stem, names in %r:\n"
              "    module = importlib.import_module(stem)\n"
              "    m = module.load(stem + '.pt')\n"
              "    assert module.read_facts(stem + '.pt')['model']\n"
              "    args = [torch.from_numpy(np.load(f'{stem}.{n}.npy')) for n in names]\n"
              "    with torch.no_grad():\n"
              "        y = m(*args)\n"
              "    np.save(stem + '.y.npy', (y[0] if isinstance(y, tuple) else y).numpy())\n"
              "assert 'autograd_nlp' not in sys.modules\n"
              % ([(k.replace("-", "_"), list(torch_feeds(k))) for k in kinds],))
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    for kind in kinds:
        ours = expected(kind, exported[kind][0], torch_feeds(kind))
        theirs = np.load(root / f"{kind.replace('-', '_')}.y.npy")
        np.testing.assert_allclose(theirs, ours, **TOL)


def test_int32_ids(tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    for kind in ("rnnlm", "transformer"):
        checkpoint, model, _ = write_checkpoint(tmp_path, kind)
        out = tmp_path / f"{kind}32.onnx"
        assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx", str(out),
                     "--ids", "int32"]) == 0
        assert "int32" in capsys.readouterr().out
        session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        assert session.get_inputs()[0].type == "tensor(int32)"
        feeds = feeds_for(session, kind, 2, np.int32)
        np.testing.assert_allclose(session.run(None, feeds)[0], expected(kind, model, feeds),
                                   **TOL)


@pytest.fixture
def rnnlm_checkpoint(tmp_path):
    return write_checkpoint(tmp_path, "rnnlm")[0]


@pytest.fixture
def attention_checkpoint(tmp_path):
    return write_checkpoint(tmp_path, "attention")[0]


def test_checkpoint_meta_kind_or_model_names_the_model(rnnlm_checkpoint, attention_checkpoint):
    name, model, _ = model_from_checkpoint(rnnlm_checkpoint)
    assert name == "rnnlm" and isinstance(model, Rnnlm) and not model.training
    name, model, _ = model_from_checkpoint(attention_checkpoint)
    assert name == "attention" and isinstance(model, AttentionSeq2seq)


def test_export_to_onnx_each_graph_runs_in_onnxruntime(
        rnnlm_checkpoint, attention_checkpoint, tmp_path, capsys):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    transformer = write_checkpoint(tmp_path, "transformer")[0]
    runs = [(rnnlm_checkpoint, ["--batch", "2"], "ids (batch, 5) int64"),
            (rnnlm_checkpoint, ["--graph", "stateful", "--time", "1"],
             "ids (batch, 1) int64, h0 (batch, 6) float32, c0 (batch, 6) float32")]
    runs += [(attention_checkpoint, ["--graph", graph], shapes) for graph, shapes in
             (("forward", "xs (batch, 9) int64, ys (batch, 5) int64"),
              ("encoder", "xs (batch, 9) int64"),
              ("decoder-step", "y (batch, 1) int64, h (batch, 6) float32, c (batch, 6) "
                               "float32, encoder_hs (batch, 9, 6) float32"))]
    runs += [(transformer, ["--graph", graph], shapes) for graph, shapes in
             (("forward", "xs (batch, source) int64, ys (batch, target) int64"),
              ("encoder", "xs (batch, source) int64"),
              ("decoder", "memory (batch, source, 8) float32, ys (batch, target) int64"))]
    for k, (checkpoint, options, shapes) in enumerate(runs):
        out = tmp_path / f"{k}.onnx"
        assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx", str(out),
                     *options]) == 0
        text = capsys.readouterr().out
        assert out.stat().st_size > 0 and f"inputs {shapes};" in text, text
        diff = float(text.split("over the outputs: ")[1].split()[0])
        assert diff < 1e-5


def test_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch, rnnlm_checkpoint):
    path, out_pt, out_onnx = tmp_path / "odd.npz", str(tmp_path / "x.pt"), str(tmp_path / "x.onnx")
    save_checkpoint(path, Rnnlm(11, 4, 5), meta={"model": "gpt"})
    assert main(["export", "--checkpoint", str(path), "--to", "torch", out_pt]) == 2
    err = capsys.readouterr().err
    assert "model 'gpt'" in err and "transformer" in err and len(err.splitlines()) == 1
    save_checkpoint(path, Rnnlm(11, 4, 5), meta={"model": "rnnlm"})
    assert main(["export", "--checkpoint", str(path), "--to", "torch", out_pt]) == 2
    assert "no 'model_kwargs'" in capsys.readouterr().err
    save_checkpoint(path, Rnnlm(11, 4, 5), meta={"model": "rnnlm", "model_kwargs": dict(
        vocab_size=11, wordvec_size=4, hidden_size=5)})
    pytest.importorskip("onnx")           # (without it, --to onnx says to install it first)
    assert main(["export", "--checkpoint", str(path), "--to", "onnx", out_onnx]) == 2
    assert "meta lacks vocab" in capsys.readouterr().err
    assert main(["export", "--checkpoint", str(rnnlm_checkpoint), "--to", "onnx", out_onnx,
                 "--graph", "decoder"]) == 2
    assert "exports the graphs forward, stateful, not 'decoder'" in capsys.readouterr().err
    assert main(["export", "--checkpoint", str(tmp_path / "none.npz"), "--to", "onnx",
                 out_onnx]) == 2
    assert "none.npz" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "onnx", None)     # as if not installed
    assert main(["export", "--checkpoint", str(rnnlm_checkpoint), "--to", "onnx",
                 out_onnx]) == 2
    assert "pip install onnx onnxruntime" in capsys.readouterr().err


def test_a_graph_that_does_not_run_at_another_batch_size_is_an_error(tmp_path):
    pytest.importorskip("onnxruntime")
    from autograd_nlp.export import ExportError, checkpoint
    from autograd_nlp.export.model_graphs import param_names
    from autograd_nlp.export.onnx import export_onnx
    _, model, meta = write_checkpoint(tmp_path, "rnnlm")
    fn, inputs, outputs = checkpoint.graph_fn("rnnlm", model, meta, "forward", 1)
    fixed = export_onnx(fn, inputs, outputs, param_names(model))    # batch fixed at 1
    with pytest.raises(ExportError, match=r"does not run on inputs of shapes ids \(2, 5\)"):
        checkpoint._check_onnx(fixed, "rnnlm", model, meta, "forward", 1, None,
                               np.dtype(np.int64), fn, inputs)


def test_bert_finetune_needs_the_bert_checkpoint_it_started_from(tmp_path, capsys):
    pytest.importorskip("onnx")
    checkpoint, _, _ = write_checkpoint(tmp_path, "bert-finetune")
    (tmp_path / "bert" / "checkpoint.npz").unlink()
    assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx",
                 str(tmp_path / "ft.onnx")]) == 2
    err = capsys.readouterr().err
    assert "holds only its vocabulary's hash" in err and "bert/checkpoint.npz" in err
    assert not (tmp_path / "ft.onnx").exists()


def _attention_ignoring_padding(tmp_path):
    from tiny_checkpoints import LSTM_KW, SEQ2SEQ_META, randomize
    kwargs = dict(vocab_size=len(CHARS), pad_id=1, pads_first=True, **LSTM_KW)
    model = randomize(AttentionSeq2seq(**kwargs))
    checkpoint = tmp_path / "checkpoint.npz"
    save_checkpoint(checkpoint, model, meta={"kind": "attention", "model": "attention",
                                             "model_kwargs": kwargs, **SEQ2SEQ_META})
    return checkpoint, model


def test_an_attention_model_that_ignores_padding_exports_to_torch_for_any_length(
        tmp_path, capsys):
    """Trained with --ignore-padding, the torch module reads a question
    without padding (the bundle says ignores_padding) and answers as our
    model does on the same question padded."""
    torch = pytest.importorskip("torch")
    checkpoint, model = _attention_ignoring_padding(tmp_path)
    out = tmp_path / "attention.pt"
    assert main(["export", "--checkpoint", str(checkpoint), "--to", "torch", str(out)]) == 0
    capsys.readouterr()
    question = np.array([[3, 4, 5, 9]])                   # reversed, no padding
    padded = np.concatenate([np.ones((1, 5), np.int64), question], axis=1)
    ys = np.array([[0, 3, 4, 5, 6]])
    with no_grad(), eval_mode():
        memory = model.encoder(padded)
        ours = model.decoder(ys, model.decoder.start(memory), memory)[0].data
    import importlib.util
    spec = importlib.util.spec_from_file_location("attention_export", tmp_path / "attention.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with torch.no_grad():
        theirs = module.load(str(out))(torch.from_numpy(question), torch.from_numpy(ys))
    facts = json.loads((tmp_path / "attention.json").read_text())
    assert facts["ignores_padding"] is True and facts["pad_id"] == 1
    np.testing.assert_allclose(theirs[0] if isinstance(theirs, tuple) else theirs, ours, **TOL)


def test_an_attention_model_that_ignores_padding_is_not_exported_to_fixed_length_onnx(
        tmp_path, capsys):
    pytest.importorskip("onnx")
    checkpoint, _ = _attention_ignoring_padding(tmp_path)
    out = tmp_path / "attention.onnx"
    assert main(["export", "--checkpoint", str(checkpoint), "--to", "onnx", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--ignore-padding" in err and "--to torch" in err and "fixed length (9)" in err
    assert not out.exists()

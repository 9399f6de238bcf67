"""autograd_nlp.export.onnx: traced graphs run in ONNX Runtime and give our
outputs, at any batch size; each op translation is checked on its own against
our forward. The Transformer family (export/onnx_transformer.py): every
configuration, every graph, dynamic batch and lengths, int32 and int64 ids,
padding masks computed from the ids, greedy decoding."""
import json

import numpy as np
import pytest

import autograd_nlp.functions as F
from autograd_nlp.core import Function, Parameter, eval_mode, no_grad
from autograd_nlp.export.model_graphs import (SEQ2SEQ_GRAPHS, language_model_graph,
                                              param_names, seq2seq_graph)
from autograd_nlp.export.onnx import (TRANSLATIONS, UnsupportedOpError, export_onnx,
                                      set_metadata, supported_ops)
from autograd_nlp.export.onnx_transformer import graph_max_length, transformer_graph
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.bert import Bert
from autograd_nlp.models.transformer_lm import TransformerLM
from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

VOCAB = 13
TOL = dict(rtol=1e-5, atol=1e-5)


def run(proto, feeds):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def randomize(model, seed=0):
    rng = np.random.default_rng(seed)
    for p in model.params():
        p.data = (rng.standard_normal(p.shape) * 0.5).astype(p.dtype)
    return model.eval()


def ids(shape, seed=1):
    return np.random.default_rng(seed).integers(0, VOCAB, shape)


# --- op by op ----------------------------------------------------------------------
def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


W = Parameter(_x(4, 5, seed=9))
OP_CASES = {
    "arithmetic": (lambda a, b: (a + b) * a - b / (F.exp(a) + 1) + (-a) ** 2,
                   {"a": _x(2, 3), "b": _x(3, seed=1)}),
    "unary": (lambda a: F.tanh(a) + F.sigmoid(a) + F.relu(a) + F.sin(a) * F.cos(a)
              + F.sqrt(F.abs(a) + 1) + F.log(F.abs(a) + 1), {"a": _x(2, 3)}),
    "max-min": (lambda a, b: F.maximum(a, b) - F.minimum(a, b),
                {"a": _x(2, 3), "b": _x(2, 3, seed=1)}),
    "softmax": (lambda a: F.softmax(a, axis=1) + F.log_softmax(a), {"a": _x(2, 3, 4)}),
    "linear": (lambda a: F.linear(a, W, W[0]) + F.matmul(a, W).sum(axis=0), {"a": _x(3, 4)}),
    "reductions": (lambda a: F.sum(a, axis=(0, 2), keepdims=True) + F.max(a, axis=1)
                   .sum() + F.min(a).reshape(1, 1, 1) + F.mean(a), {"a": _x(2, 3, 4)}),
    "shape": (lambda a: F.transpose(a, (2, 0, 1)).reshape(4, -1).T
              + F.broadcast_to(F.sum_to(a, (3, 1)), (2, 3, 4)).reshape(6, 4),
              {"a": _x(2, 3, 4)}),
    "join-split": (lambda a: F.concat(*F.split(a, [1, 3], axis=1)[::-1], axis=1)
                   + F.stack(F.unstack(a, axis=-1), axis=-1), {"a": _x(2, 4, 3)}),
    "getitem": (lambda a: a[1, ::-1] + a[0, 1:3].sum() + a[:, -1:, ::2].sum(), {"a": _x(2, 3, 4)}),
    "where": (lambda a: F.where(np.arange(12).reshape(3, 4) % 2 == 0, a, a * 3),
              {"a": _x(3, 4)}),
    "embedding": (lambda ids: F.embedding(W, ids), {"ids": np.array([[0, 3], [2, 2]])}),
    "lstm-step": (lambda x, c, h: F.lstm_step(x, c, Parameter(_x(2, 8, seed=3)), h)[0] +
                  F.lstm_step(x, c, Parameter(_x(2, 8, seed=4)))[1],
                  {"x": _x(3, 8), "c": _x(3, 2, seed=1), "h": _x(3, 2, seed=2)}),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_each_translation_matches_our_forward(case):
    fn, inputs = OP_CASES[case]
    with no_grad():
        expected = fn(**{k: F.reshape(v, v.shape) if v.dtype.kind == "f" else v
                         for k, v in inputs.items()})
    proto = export_onnx(fn, inputs, ["y"])
    np.testing.assert_allclose(run(proto, inputs)[0], expected.data, **TOL)
    # other inputs of the same shapes: the graph computes, it does not replay the trace
    other = {k: v[..., ::-1].copy() if v.dtype.kind == "f" else v for k, v in inputs.items()}
    if any(v.dtype.kind == "f" for v in inputs.values()):
        with no_grad():
            expected = fn(**{k: F.reshape(v, v.shape) if v.dtype.kind == "f" else v
                             for k, v in other.items()})
        np.testing.assert_allclose(run(proto, other)[0], expected.data, **TOL)


def test_every_translated_op_has_a_case_above():
    used = set()
    for fn, inputs in OP_CASES.values():
        proto = export_onnx(fn, inputs, ["y"])
        used |= {n.op_type for n in proto.graph.node}
    # the ONNX ops behind each translation we claim are all exercised
    for op in ("Gather", "Slice", "Split", "Squeeze", "Unsqueeze", "Expand", "Where",
               "ReduceMax", "ReduceMin", "ReduceSum", "Transpose", "Reshape", "Softmax",
               "LogSoftmax", "Sigmoid", "Relu", "Pow", "Max", "Min"):
        assert op in used, op


def test_unsupported_op_names_itself_and_the_supported_ones():
    class Frobnicate(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * 2

    with pytest.raises(UnsupportedOpError, match=r"the op Frobnicate; supported: Abs, Add,"):
        export_onnx(lambda a: Frobnicate()(a * 1.0), {"a": _x(2)}, ["y"])
    assert "LSTMStep" in supported_ops() and len(supported_ops()) == len(TRANSLATIONS)


def test_fancy_indexing_is_refused_with_what_translates():
    with pytest.raises(UnsupportedOpError, match=r"GetItem with index array\(\[2, 0\]\).*"
                                                 r"only ints and slices"):
        export_onnx(lambda a: a[np.array([2, 0])], {"a": _x(3, 2)}, ["y"])


def test_float64_graph_and_cast():
    proto = export_onnx(lambda a: F.exp(a) * 2, {"a": _x(3).astype(np.float64)}, ["y"])
    np.testing.assert_allclose(run(proto, {"a": _x(3).astype(np.float64)})[0],
                               np.exp(_x(3).astype(np.float64)) * 2, rtol=1e-12)


# --- models ---------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: SimpleRnnlm(VOCAB, 5, 6), lambda: Rnnlm(VOCAB, 5, 6),
                                  lambda: BetterRnnlm(VOCAB, 6, 6)],
                         ids=["SimpleRnnlm", "Rnnlm", "BetterRnnlm"])
def test_language_models_run_in_onnxruntime(make):
    model = randomize(make())
    fn, inputs, outputs = language_model_graph(model, batch=3, time=4)
    proto = export_onnx(fn, inputs, outputs, param_names(model), dynamic_batch=True)
    for batch in (3, 1, 5):             # traced at 3; the batch axis is dynamic
        xs = ids((batch, 4))
        model.reset_state()
        with no_grad(), eval_mode():
            expected = model(xs).data
        np.testing.assert_allclose(run(proto, {"ids": xs})[0], expected, **TOL)
    names = {i.name for i in proto.graph.initializer}
    assert "embed.W" in names
    assert not any(n.op_type == "Dropout" for n in proto.graph.node)


@pytest.mark.parametrize("make", [lambda: SimpleRnnlm(VOCAB, 5, 6),
                                  lambda: BetterRnnlm(VOCAB, 6, 6)],
                         ids=["SimpleRnnlm", "BetterRnnlm"])
def test_stateful_graph_carries_the_state_between_chunks(make):
    model = randomize(make())
    proto = export_onnx(*language_model_graph(model, 4, 3, "stateful"), param_names(model),
                        dynamic_batch=True)          # traced at batch 4, run at 2
    state_names = [i.name for i in proto.graph.input][1:]
    assert state_names == (["h0"] if isinstance(model, SimpleRnnlm) else ["h0", "c0", "h1", "c1"])
    chunks = [ids((2, 3)), ids((2, 3), seed=2)]
    model.reset_state()
    with no_grad(), eval_mode():
        expected = [model(xs).data for xs in chunks]
    state = {n: np.zeros((2, 6), np.float32) for n in state_names}
    for xs, want in zip(chunks, expected):
        logits, *new_state = run(proto, {"ids": xs, **state})
        np.testing.assert_allclose(logits, want, **TOL)
        state = dict(zip(state_names, new_state))


def test_tied_weights_are_one_initializer():
    model = randomize(BetterRnnlm(VOCAB, 6, 6))
    proto = export_onnx(*language_model_graph(model, 1, 2), param_names(model))
    names = [i.name for i in proto.graph.initializer]
    assert names.count("embed.W") == 1
    users = [n.op_type for n in proto.graph.node if "embed.W" in n.input]
    assert sorted(users) == ["Gather", "Transpose"]


@pytest.mark.parametrize("make", [lambda: Seq2seq(VOCAB, 4, 6), lambda: PeekySeq2seq(VOCAB, 4, 6),
                                  lambda: AttentionSeq2seq(VOCAB, 4, 6),
                                  lambda: AttentionSeq2seq(VOCAB, 4, 3, bidirectional=True)],
                         ids=["Seq2seq", "Peeky", "Attention", "Attention-bidirectional"])
def test_seq2seq_forward_and_greedy_decoding_in_onnxruntime(make):
    model = randomize(make())
    batch, S, T = 4, 7, 5
    xs, ys = ids((batch, S)), ids((batch, T), seed=3)
    graphs = {name: export_onnx(*seq2seq_graph(model, name, 2, S, T), param_names(model),
                                dynamic_batch=True)      # traced at batch 2, run at 4
              for name in SEQ2SEQ_GRAPHS}
    with no_grad(), eval_mode():
        memory = model.encoder(xs)
        expected = model.decoder(ys, model.decoder.start(memory), memory)[0].data
    np.testing.assert_allclose(run(graphs["forward"], {"xs": xs, "ys": ys})[0], expected, **TOL)
    # greedy decoding: the encoder graph once, then the step graph in a loop
    h, c, *extra = run(graphs["encoder"], {"xs": xs})
    extra_names = [i.name for i in graphs["decoder-step"].graph.input][3:]
    y, out = np.full((batch, 1), 2, dtype=np.int64), []
    for _ in range(6):
        logits, h, c = run(graphs["decoder-step"], {"y": y, "h": h, "c": c,
                                                    **dict(zip(extra_names, extra))})
        y = logits.argmax(axis=-1)
        out.append(y[:, 0])
    np.testing.assert_array_equal(np.stack(out, axis=1), model.generate(xs, 2, 6))


def test_int32_ids_make_an_int32_graph():
    model = randomize(Rnnlm(VOCAB, 5, 6))
    fn, inputs, outputs = language_model_graph(model, batch=2, time=3)
    proto = export_onnx(fn, {"ids": inputs["ids"].astype(np.int32)}, outputs,
                        param_names(model), dynamic_batch=True)
    xs = ids((3, 3))
    model.reset_state()
    with no_grad(), eval_mode():
        expected = model(xs).data
    np.testing.assert_allclose(run(proto, {"ids": xs.astype(np.int32)})[0], expected, **TOL)


def test_metadata_values_are_json():
    model = randomize(Rnnlm(VOCAB, 5, 6))
    proto = export_onnx(*language_model_graph(model, 1, 2), param_names(model),
                        metadata={"vocab": ["a", "b"], "kind": "rnnlm", "reverse": False})
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    stored = session.get_modelmeta().custom_metadata_map
    assert {k: json.loads(v) for k, v in stored.items()} == {
        "vocab": ["a", "b"], "kind": "rnnlm", "reverse": False}
    set_metadata(proto, {"kind": "x"})                  # replaces, does not add
    assert [(p.key, p.value) for p in proto.metadata_props] == [("kind", '"x"')]


# --- the Transformer family -------------------------------------------------------------
TRANSFORMER_CONFIGS = {
    "pre-norm": dict(),
    "post-norm-learned-gelu-padding": dict(norm_first=False, positional="learned",
                                           activation="gelu", pad_id=1),
    "gelu-tanh": dict(activation="gelu_tanh", num_layers=1),
}


def seq2seq_expected(model, xs, ys):
    with no_grad(), eval_mode():
        memory = model.encoder(xs)
        return memory[0].data, model.decoder(ys, model.decoder.start(memory), memory)[0].data


@pytest.mark.parametrize("config", sorted(TRANSFORMER_CONFIGS))
def test_transformer_graphs_at_any_batch_and_lengths(config):
    kwargs = {"num_layers": 2, **TRANSFORMER_CONFIGS[config]}
    model = randomize(TransformerSeq2seq(VOCAB, 8, 2, max_length=12, **kwargs))
    graphs = {g: transformer_graph(model, g) for g in ("forward", "encoder", "decoder")}
    for batch, S, T in ((2, 7, 5), (3, 12, 1), (1, 4, 9)):
        xs, ys = ids((batch, S)), ids((batch, T), seed=3)
        xs[0, -3:] = 1                                      # padding, where the model masks it
        memory, logits = seq2seq_expected(model, xs, ys)
        np.testing.assert_allclose(run(graphs["forward"], {"xs": xs, "ys": ys})[0], logits,
                                   **TOL)
        (theirs_memory,) = run(graphs["encoder"], {"xs": xs})
        np.testing.assert_allclose(theirs_memory, memory, **TOL)
        feeds = {"ys": ys, "memory": theirs_memory}
        if model.encoder.pad_id is not None:
            feeds["xs"] = xs
        np.testing.assert_allclose(run(graphs["decoder"], feeds)[0], logits, **TOL)
    inputs = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
              for i in graphs["forward"].graph.input}
    assert inputs == {"xs": ["batch", "source"], "ys": ["batch", "target"]}


def test_transformer_int32_ids_and_greedy_decoding_by_the_forward_graph():
    model = randomize(TransformerSeq2seq(VOCAB, 8, 2, 1, max_length=10))
    proto = transformer_graph(model, "forward", np.int32)
    xs = ids((4, 6)).astype(np.int32)
    ys = np.full((4, 1), 2, np.int32)
    for _ in range(5):                  # the answer grows by its most likely next id
        logits = run(proto, {"xs": xs, "ys": ys})[0]
        ys = np.concatenate([ys, logits[:, -1:].argmax(-1).astype(np.int32)], axis=1)
    np.testing.assert_array_equal(ys[:, 1:], model.generate(xs.astype(np.int64), 2, 5))
    with pytest.raises(Exception, match="tensor\\(int64\\)"):   # the graph is int32
        run(proto, {"xs": xs.astype(np.int64), "ys": ys.astype(np.int64)})


@pytest.mark.parametrize("tie", [True, False], ids=["tied", "untied"])
def test_transformer_lm_graph(tie):
    model = randomize(TransformerLM(VOCAB, 8, 2, 2, context_size=6, tie_weights=tie,
                                    positional="learned" if tie else "sinusoidal"))
    proto = transformer_graph(model)
    for shape in ((2, 6), (3, 1), (1, 4)):
        xs = ids(shape)
        with no_grad(), eval_mode():
            expected = model(xs).data
        np.testing.assert_allclose(run(proto, {"ids": xs})[0], expected, **TOL)
    names = [i.name for i in proto.graph.initializer]
    assert names.count("embed.embed.W") == 1 and ("out_bias" in names) == tie
    assert graph_max_length(model) == (6 if tie else 512)


def test_bert_graph_masks_the_padding_of_each_row():
    model = randomize(Bert(VOCAB, pad_id=0, dim=8, num_heads=2, num_layers=2, max_length=9))
    proto = transformer_graph(model, "forward", np.int32)
    tokens = ids((3, 7)) % 12 + 1
    tokens[1, 4:] = 0
    tokens[2, 2:] = 0
    segments = np.zeros_like(tokens)
    segments[:, 3:] = 1
    with no_grad(), eval_mode():
        hidden = model(tokens, segments)
        pooled = model.pooled(hidden).data
    theirs = run(proto, {"tokens": tokens.astype(np.int32), "segments": segments.astype(np.int32)})
    np.testing.assert_allclose(theirs[0], hidden.data, **TOL)
    np.testing.assert_allclose(theirs[1], pooled, **TOL)


def test_transformer_graph_errors_name_what_exports():
    from autograd_nlp.export import ExportError
    model = randomize(TransformerLM(VOCAB, 8, 2, 1))
    with pytest.raises(ExportError, match=r"TransformerLM exports one of \('forward',\)"):
        transformer_graph(model, "encoder")
    with pytest.raises(ExportError, match="ids are int32 or int64, not float32"):
        transformer_graph(model, "forward", np.float32)
    with pytest.raises(UnsupportedOpError, match="AttentionScores.*onnx_transformer.py"):
        export_onnx(lambda ids: model(ids), {"ids": ids((1, 3))}, ["logits"])


def test_bert_classifier_graph():
    from autograd_nlp.models.bert import BertClassifier
    model = randomize(BertClassifier(num_classes=3, vocab_size=VOCAB, pad_id=0, dim=8,
                                     num_heads=2, num_layers=1, max_length=9))
    proto = transformer_graph(model)
    tokens = ids((4, 6)) % 12 + 1
    tokens[0, 3:] = 0
    segments = np.zeros_like(tokens)
    with no_grad(), eval_mode():
        expected = model(tokens, segments).data
    (logits,) = run(proto, {"tokens": tokens, "segments": segments})
    assert logits.shape == (4, 3)
    np.testing.assert_allclose(logits, expected, **TOL)


@pytest.mark.parametrize("variational", [False, True], ids=["autoencoder", "vae"])
def test_autoencoder_graphs_rebuild_strings_greedily(variational):
    from autograd_nlp.export.model_graphs import autoencoder_graph
    from autograd_nlp.models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
    make = VariationalAutoencoder if variational else SequenceAutoencoder
    model = randomize(make(VOCAB, 4, 6, code_size=3, reverse=True))
    graphs = {g: export_onnx(*autoencoder_graph(model, g, 2, 5), param_names(model),
                             dynamic_batch=True)
              for g in ("encoder", "start", "decoder-step")}
    xs = ids((3, 5))                                    # in their own order
    code = run(graphs["encoder"], {"xs": xs})[0]        # (a VAE's mean)
    np.testing.assert_allclose(code, model.codes(xs), **TOL)
    h, c = run(graphs["start"], {"z": code})
    y, out = np.full((3, 1), 2, np.int64), []
    for _ in range(5):
        logits, h, c = run(graphs["decoder-step"], {"y": y, "z": code, "h": h, "c": c})
        y = logits.argmax(axis=-1)
        out.append(y[:, 0])
    np.testing.assert_array_equal(np.stack(out, axis=1), model.reconstruct(xs, 2))

"""Export a checkpoint's model as a usable bundle, checked against our own
outputs before anything is written: what ``autograd-nlp export`` does.

``onnx_bundle`` gives the ONNX graph (traced, or for the Transformer family
translated layer by layer) with the text facts (export/bundle.py) in its
metadata, after running it in ONNX Runtime at two batch sizes (and two
lengths where they are dynamic) with int32 or int64 ids; ``torch_bundle``
checks the torch.nn module with int64 and int32 ids, then writes OUT.pt,
OUT.py and OUT.json.
"""
import numpy as np

from autograd_nlp.core import Variable, eval_mode, no_grad
from autograd_nlp.export import ExportError, bundle
from autograd_nlp.export import model_graphs as graphs

TRANSFORMERS = ("transformer", "transformer-lm", "bert", "bert-finetune")
DEFAULT_TIME = 35
"""A language model's example length when the run recorded none."""


def model_from_checkpoint(path):
    """(kind, model in eval mode, meta) of the checkpoint at ``path``, rebuilt
    by ``autograd_nlp.loading.rebuild_model`` (the one way checkpoints are
    read back), for the kinds export knows (``bundle.KINDS``)."""
    from autograd_nlp.loading import rebuild_model
    from autograd_nlp.training import load_checkpoint
    checkpoint = load_checkpoint(path)
    meta = checkpoint["meta"]
    name = next((n for n in (meta.get("kind"), meta.get("model")) if n in bundle.KINDS), None)
    if name is None:
        raise ExportError(f"the checkpoint names no model export knows (kind "
                          f"{meta.get('kind')!r}, model {meta.get('model')!r}); known: "
                          f"{', '.join(sorted(bundle.KINDS))}")
    if name not in bundle.WORD2VEC and "model_kwargs" not in meta:
        raise ExportError(f"{path} holds a {name} but not its constructor arguments "
                          f"(no 'model_kwargs' in its meta); export the checkpoint.npz "
                          f"a train command wrote")
    checkpoint["kind"] = name
    model = rebuild_model(checkpoint, path, command="export")
    encoder = getattr(model, "encoder", None)
    if getattr(encoder, "pad_id", None) is not None:
        # a model that ignores padding is exported as what it computes on
        # questions without any (torch only): the bundle says so (ignores_padding)
        encoder.pad_id = None
    return name, model, meta


def default_graph(name):
    return "vectors" if name in bundle.WORD2VEC else "forward"


def graph_names(name):
    """The ONNX graphs a kind exports."""
    from autograd_nlp.export.onnx_transformer import GRAPHS
    if name in TRANSFORMERS:
        return GRAPHS[name]
    if name in bundle.WORD2VEC:
        return graphs.WORD2VEC_GRAPHS
    if name in bundle.POLICIES:
        return graphs.POLICY_GRAPHS
    if name in bundle.AUTOENCODERS:
        return graphs.AUTOENCODER_GRAPHS
    return graphs.SEQ2SEQ_GRAPHS if name in bundle.SEQ2SEQ else graphs.LANGUAGE_MODEL_GRAPHS


def _lengths(name, model, meta, time):
    """(length, target length) of the example inputs."""
    if name in bundle.SEQ2SEQ:
        return meta["question_length"], meta["answer_length"] - 1
    if name in bundle.WORD2VEC:
        return 2 * meta.get("window", 1), None
    if name in bundle.POLICIES:
        return None, None
    if name in bundle.AUTOENCODERS:
        return meta["width"], None
    if name == "transformer-lm":
        return min(time or DEFAULT_TIME, model.context_size), None
    if name in ("bert", "bert-finetune"):
        bert = getattr(model, "bert", model)
        return min(time or 16, bert.embed.position.max_length), None
    return time or _recorded_time_size(meta) or DEFAULT_TIME, None


def _recorded_time_size(meta):
    """The run's --time-size: in meta "settings" (newer checkpoints), the
    "command" entry or meta itself (older ones)."""
    for where in (meta.get("settings") or {}, meta.get("command") or {}, meta):
        if where.get("time_size"):
            return where["time_size"]
    return None


def graph_fn(name, model, meta, graph, batch, time=None, shorter=False):
    """(fn, example inputs, output names) of our side of the graph, at
    ``batch`` and the kind's lengths (one shorter with ``shorter``, for a
    Transformer whose lengths are dynamic)."""
    length, target = _lengths(name, model, meta, time)
    if name in TRANSFORMERS:
        cut = 1 if shorter else 0
        return graphs.transformer_graph_fn(model, graph, batch, max(length - cut, 1),
                                           target and max(target - cut, 1))
    if name in bundle.WORD2VEC:
        return graphs.word2vec_graph(model, batch, length, graph)
    if name in bundle.POLICIES:
        return graphs.policy_graph(model, batch, graph)
    if name in bundle.AUTOENCODERS:
        return graphs.autoencoder_graph(model, graph, batch, length)
    if name in bundle.SEQ2SEQ:
        return graphs.seq2seq_graph(model, graph, batch, length, target)
    return graphs.language_model_graph(model, batch, length, graph)


def example(inputs, vocab_size, id_dtype, rng):
    """Random values of the example inputs' shapes: ids within the
    vocabulary (BERT's segments 0 or 1) as ``id_dtype``, floats ~ N(0, 0.25)."""
    feeds = {}
    for k, v in inputs.items():
        if v.dtype.kind in "iu":
            feeds[k] = rng.integers(0, 2 if k == "segments" else vocab_size, v.shape) \
                .astype(id_dtype)
        else:
            feeds[k] = rng.standard_normal(v.shape).astype(v.dtype) * 0.5
    return feeds


def ours(fn, feeds):
    """Our outputs for ``feeds`` (floats as Variables, ids as int64), a list."""
    args = {k: Variable(v) if v.dtype.kind == "f" else v.astype(np.int64)
            for k, v in feeds.items()}
    with no_grad(), eval_mode(), np.errstate(all="ignore"):   # non-finite: refused later
        outputs = fn(**args)
    return [y.data for y in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def vocab_size(model):
    """The number of ids the model reads (0 for a policy, which reads none)."""
    if type(model).__name__ in ("ReinforceAgent", "ActorCritic"):
        return 0
    for path in ("embed", "encoder.embed", "embed.embed", "encoder.embed.embed", "embed.token",
                 "bert.embed.token", "in_embed"):
        layer = model
        for part in path.split("."):
            layer = getattr(layer, part, None)
        if getattr(layer, "W", None) is not None and layer.W.ndim == 2:
            return layer.W.shape[0]
    raise ExportError(f"export: cannot tell the vocabulary size of {type(model).__name__}")


def check_difference(diff, what, theirs):
    """A nan/inf difference (or output) means the export is wrong or the
    model computes nan: an ExportError, nothing written."""
    if not np.isfinite(diff):
        raise ExportError(f"the {theirs} outputs differ from autograd_nlp's by {diff} over "
                          f"the {what}: non-finite values, so the export cannot be trusted; "
                          f"nothing was written")


def _shape_text(value_info):
    dims = value_info.type.tensor_type.shape.dim
    return "(" + ", ".join(d.dim_param or str(d.dim_value) for d in dims) + ")"


def onnx_bundle(name, model, meta, graph=None, batch=2, time=None, id_dtype="int64",
                checkpoint_path=None):
    """(ModelProto, report): the model's ONNX graph with the text facts and
    the graph's description in its metadata. The report has the graph's
    "inputs"/"outputs" ({name: "(batch, 7) int64"}), its node count, and
    "diff", the largest |onnx - autograd_nlp| over the checks (None when
    onnxruntime is not installed: not checked)."""
    from autograd_nlp.export.model_graphs import param_names
    from autograd_nlp.export.onnx import export_onnx, set_metadata
    from autograd_nlp.export.onnx_transformer import graph_max_length, transformer_graph
    graph = graph or default_graph(name)
    if name in bundle.SEQ2SEQ and bundle.ignores_padding(meta):
        raise ExportError(f"ONNX export: this {name} model reads each question without "
                          f"its padding (trained with --ignore-padding), but its ONNX graphs "
                          f"take questions of one fixed length ({meta['question_length']}); "
                          f"export it --to torch (any length), or train it without "
                          f"--ignore-padding")
    if graph not in graph_names(name):
        raise ExportError(f"ONNX export: a {name} model exports the graphs "
                          f"{', '.join(graph_names(name))}, not {graph!r}")
    id_dtype = np.dtype(id_dtype)
    fn, inputs, outputs = graph_fn(name, model, meta, graph, batch, time)
    facts = bundle.text_facts(name, model, meta, checkpoint_path)
    if name in TRANSFORMERS:
        proto = transformer_graph(model, graph, id_dtype)
        facts["max_length"] = graph_max_length(model)
    else:
        typed = {k: v.astype(id_dtype) if v.dtype.kind in "iu" else v for k, v in inputs.items()}
        proto = export_onnx(fn, typed, outputs, param_names(model), graph_name=name,
                            dynamic_batch=True)
    report = {"inputs": {i.name: f"{_shape_text(i)} {_dtype_name(i)}" for i in proto.graph.input},
              "outputs": {o.name: _shape_text(o) for o in proto.graph.output},
              "nodes": len(proto.graph.node), "diff": None}
    facts.update(graph=graph, ids_dtype=id_dtype.name, inputs=report["inputs"],
                 outputs=report["outputs"])
    set_metadata(proto, facts)
    report["diff"] = _check_onnx(proto, name, model, meta, graph, batch, time, id_dtype, fn,
                                 inputs)
    return proto, report


def _dtype_name(value_info):
    from onnx import helper
    return np.dtype(helper.tensor_dtype_to_np_dtype(value_info.type.tensor_type.elem_type)).name


def _check_onnx(proto, name, model, meta, graph, batch, time, id_dtype, fn, inputs):
    """Run the graph at ``batch`` and at ``batch + 1`` (Transformers: also one
    shorter) against our outputs; the largest difference, or None without
    onnxruntime."""
    try:
        import onnxruntime
    except ImportError:
        return None
    session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    rng, size, diff = np.random.default_rng(0), vocab_size(model), 0.0
    other = graph_fn(name, model, meta, graph, batch + 1, time, shorter=True)
    for check_fn, check_inputs in ((fn, inputs), other[:2]):
        feeds = example(check_inputs, size, id_dtype, rng)
        try:
            theirs = session.run(None, feeds)
        except Exception as e:      # onnxruntime's own error types
            shapes = ", ".join(f"{k} {v.shape}" for k, v in feeds.items())
            raise ExportError(f"the ONNX graph does not run on inputs of shapes {shapes} "
                              f"({type(e).__name__}: {str(e).splitlines()[0][:300]}); an "
                              f"axis the trace took as fixed differs here; nothing was "
                              f"written") from None
        with np.errstate(all="ignore"):         # np.max, not max: a nan must stay nan
            diff = float(np.max([diff] + [np.abs(t - o).max()
                                          for t, o in zip(theirs, ours(check_fn, feeds))]))
        check_difference(diff, "outputs", "ONNX graph's")
    return diff


def torch_bundle(name, model, meta, out, checkpoint_path=None):
    """Check the torch.nn module against our outputs (int64 and int32 ids),
    then write OUT.pt, OUT.py and OUT.json (``save_torch``). Returns (paths,
    what was compared, the largest difference)."""
    import torch
    from autograd_nlp.export.torch import save_torch, to_torch
    module = to_torch(model)
    facts = bundle.text_facts(name, model, meta, checkpoint_path)
    if name in bundle.WORD2VEC:
        diff = float(np.abs(module.in_embed.weight.detach().numpy() - model.word_vectors).max())
        what = "word vectors"
    else:
        fn, inputs, _ = graph_fn(name, model, meta, "forward", 2, 5)
        rng, diff = np.random.default_rng(0), 0.0
        for id_dtype in (np.int64, np.int32):
            feeds = example(inputs, vocab_size(model), id_dtype, rng)
            expected = ours(fn, feeds)[0]
            with torch.no_grad():
                theirs = module(*[torch.from_numpy(v) for v in feeds.values()])
            theirs = theirs[0] if isinstance(theirs, tuple) else theirs
            with np.errstate(all="ignore"):     # np.max, not max: a nan must stay nan
                diff = float(np.max([diff, np.abs(theirs.numpy() - expected).max()]))
        what = {"bert": "hidden states", "bert-finetune": "class logits",
                "reinforce": "action logits",
                "a2c": "action logits"}.get(name, "logits")
    check_difference(diff, what, "torch module's")
    return save_torch(model, out, facts), what, diff

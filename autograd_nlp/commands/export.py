"""``autograd-nlp export --checkpoint C --to torch|onnx OUT``: hand a trained
model to PyTorch (a torch.nn module file + weights) or to ONNX Runtime (one
traced forward pass), and check the result against our own outputs."""
import os

import numpy as np

from autograd_nlp.commands.common import bounded_int, check_output_file
from autograd_nlp.core import Variable, eval_mode, no_grad
from autograd_nlp.errors import UserError
from autograd_nlp.export import ExportError
from autograd_nlp.serialization import atomic_write
from autograd_nlp.training import load_checkpoint

WORD2VEC = ("cbow", "skipgram")
INSTALL = {"torch": "pip install torch==2.13.0 (or the [torch] extra)",
           "onnx": "pip install onnx onnxruntime (or the [onnx] extra)"}
# the traced graph is unrolled: one copy of the step's nodes per time step
MAX_TIME = 1000
graph_time = bounded_int(MAX_TIME, "the graph is unrolled, one copy of a step's nodes per "
                                   "time step; for longer texts export --graph stateful and "
                                   "feed the states back")
MAX_BATCH = 4096
graph_batch = bounded_int(MAX_BATCH, "the example inputs the graph is traced and checked "
                                     "with are this big; the batch size is fixed in the graph")


def add_parsers(sub):
    from autograd_nlp.export.model_graphs import LANGUAGE_MODEL_GRAPHS, SEQ2SEQ_GRAPHS
    p = sub.add_parser("export", help="write a checkpoint's model as a PyTorch module or an "
                                      "ONNX graph, checked against our outputs")
    p.add_argument("--checkpoint", required=True, help="checkpoint.npz of a training run")
    p.add_argument("--to", required=True, choices=["torch", "onnx"],
                   help="torch: a torch.nn module with our weights; onnx: the traced graph")
    p.add_argument("out", help="OUT.pt (torch: also writes OUT.py, the module classes) or "
                               "OUT.onnx")
    graphs = list(dict.fromkeys(LANGUAGE_MODEL_GRAPHS + SEQ2SEQ_GRAPHS))
    p.add_argument("--graph", default="forward", choices=graphs,
                   help="onnx: which forward pass (default: forward). Language models: "
                        "forward (from the zero state) or stateful (states in and out); "
                        "seq2seq models: forward (teacher forcing), or encoder and "
                        "decoder-step for greedy decoding")
    p.add_argument("--batch", type=graph_batch, default=1,
                   help=f"onnx: the graph's batch size (at most {MAX_BATCH:,})")
    p.add_argument("--time", type=graph_time, default=None,
                   help=f"onnx, language models: the graph's sequence length, at most "
                        f"{MAX_TIME:,} (default: the training run's --time-size, else 35)")
    p.set_defaults(run=run)


def _model_name(meta):
    """The checkpoint's model name: meta "kind" (newer runs) or "model"."""
    from autograd_nlp.commands import seq2seq
    from models import language_models
    known = set(language_models()) | set(seq2seq.DEFAULTS) | set(WORD2VEC)
    for name in (meta.get("kind"), meta.get("model")):
        if name in known:
            return name
    raise ExportError(f"the checkpoint names no model export knows (kind "
                      f"{meta.get('kind')!r}, model {meta.get('model')!r}); known: "
                      f"{', '.join(sorted(known))}")


def model_from_checkpoint(path):
    """Rebuild the model a checkpoint holds: (name, model in eval mode, meta),
    with ``autograd_nlp.loading.rebuild_model`` (what ``autograd_nlp.load``
    and the other reading commands use), for the kinds export knows."""
    from autograd_nlp.loading import rebuild_model
    checkpoint = load_checkpoint(path)
    meta = checkpoint["meta"]
    name = _model_name(meta)
    if name not in WORD2VEC and "model_kwargs" not in meta:
        raise ExportError(f"{path} holds a {name} but not its constructor arguments "
                          f"(no 'model_kwargs' in its meta); export the checkpoint.npz "
                          f"a train command wrote")
    checkpoint["kind"] = name
    return name, rebuild_model(checkpoint, path, command="export"), meta


def _check_difference(diff, what, theirs_name):
    """A nan/inf difference (or output) means the export is wrong or the
    model computes nan: an ExportError, nothing written."""
    if not np.isfinite(diff):
        raise ExportError(f"the {theirs_name} outputs differ from autograd_nlp's by {diff} over "
                          f"the {what}: non-finite values, so the export cannot be trusted; "
                          f"nothing was written")


def _graph(name, model, meta, args):
    from autograd_nlp.commands import seq2seq
    from autograd_nlp.export import model_graphs
    if name in WORD2VEC:
        raise ExportError(f"{name} has no forward pass worth a graph (its loss draws random "
                          f"negatives); export it with --to torch, or use its vectors.npz")
    if name in seq2seq.DEFAULTS:
        return model_graphs.seq2seq_graph(model, args.graph, args.batch,
                                          meta["question_length"], meta["answer_length"] - 1)
    time = args.time or meta.get("command", {}).get("time_size") or 35
    return model_graphs.language_model_graph(model, args.batch, time, args.graph)


def _example(inputs, model, rng):
    """Random values of the example inputs' shapes (ids within the vocabulary)."""
    embed = getattr(model, "embed", None) or model.encoder.embed
    return {k: rng.integers(0, embed.W.shape[0], v.shape) if v.dtype.kind in "iu"
            else rng.standard_normal(v.shape).astype(v.dtype) * 0.5 for k, v in inputs.items()}


def _ours(fn, feeds):
    """Our outputs for ``feeds`` (floats as Variables), as a list of arrays."""
    with no_grad(), eval_mode():
        outputs = fn(**{k: Variable(v) if v.dtype.kind == "f" else v for k, v in feeds.items()})
    return [y.data for y in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def export_torch(name, model, meta, args):
    import torch
    from autograd_nlp.commands import seq2seq
    from autograd_nlp.export.torch import save_torch, to_torch
    module = to_torch(model)
    rng = np.random.default_rng(0)
    if name in WORD2VEC:
        diff = float(np.abs(module.in_embed.weight.detach().numpy() - model.word_vectors).max())
        what = "word vectors"
    else:
        fn, inputs, _ = _check_graph(name, model, meta)
        feeds = _example(inputs, model, rng)
        with np.errstate(all="ignore"):         # non-finite outputs: refused below
            ours = _ours(fn, feeds)[0]
        with torch.no_grad():
            tensors = [torch.from_numpy(v) for v in feeds.values()]
            theirs = module(*tensors)
            theirs = (theirs if name in seq2seq.DEFAULTS else theirs[0]).numpy()
        diff, what = float(np.abs(theirs - ours).max()), "logits"
    _check_difference(diff, what, "torch module's")
    weights, source = save_torch(model, args.out)
    print(f"wrote {weights} and {source} ({type(model).__name__} as torch.nn)")
    print(f"checked: max |torch - autograd_nlp| over the {what}: {diff:.2e}")
    stem = os.path.splitext(os.path.basename(source))[0]
    print(f"load it without autograd_nlp:  from {stem} import load; model = load({weights!r})")
    return 0


def _check_graph(name, model, meta):
    """A small forward pass (batch 2) to compare the torch module with."""
    from autograd_nlp.commands import seq2seq
    from autograd_nlp.export import model_graphs
    if name in seq2seq.DEFAULTS:
        return model_graphs.seq2seq_graph(model, "forward", 2, meta["question_length"],
                                          meta["answer_length"] - 1)
    return model_graphs.language_model_graph(model, 2, 5)


def export_onnx_file(name, model, meta, args):
    from autograd_nlp.export.model_graphs import param_names
    from autograd_nlp.export.onnx import export_onnx
    fn, inputs, outputs = _graph(name, model, meta, args)
    proto = export_onnx(fn, inputs, outputs, param_names(model), graph_name=name)
    shapes = ", ".join(f"{k} {v.shape}" for k, v in inputs.items())
    try:
        import onnxruntime
    except ImportError:
        onnxruntime = None
    diff = None
    if onnxruntime is not None:                 # checked before it is written
        feeds = _example(inputs, model, np.random.default_rng(0))
        session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                               providers=["CPUExecutionProvider"])
        theirs = session.run(None, feeds)
        with np.errstate(all="ignore"):         # non-finite outputs: refused just below
            diff = max(float(np.abs(t - o).max()) for t, o in zip(theirs, _ours(fn, feeds)))
        _check_difference(diff, "outputs", "ONNX graph's")
    atomic_write(args.out, lambda f: f.write(proto.SerializeToString()))
    print(f"wrote {args.out}: {len(proto.graph.node)} ONNX nodes; inputs {shapes}; "
          f"outputs {', '.join(outputs)}")
    if diff is None:
        print("not checked: onnxruntime is not installed")
    else:
        print(f"checked with onnxruntime: max |onnx - autograd_nlp| over the outputs: "
              f"{diff:.2e}")
    return 0


def check_outputs(args):
    """OUT (and for torch the OUT.py beside it) can be written as files:
    not folders, nothing above them a file. Checked before any work."""
    check_output_file(args.out, "OUT")
    if args.to == "torch":
        from autograd_nlp.export.torch import module_source_path
        check_output_file(module_source_path(args.out), "OUT's module file")


def run(args):
    try:
        check_outputs(args)
        name, model, meta = model_from_checkpoint(args.checkpoint)
        try:
            __import__(args.to)
        except ImportError:
            raise UserError(f"export: --to {args.to} needs the {args.to} package; "
                            f"{INSTALL[args.to]}") from None
        write = export_torch if args.to == "torch" else export_onnx_file
        return write(name, model, meta, args)
    except FileNotFoundError:
        raise UserError(f"export: no checkpoint at {args.checkpoint}") from None
    except (ExportError, KeyError, ValueError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise UserError(f"export: {message}") from None

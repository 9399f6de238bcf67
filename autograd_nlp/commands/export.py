"""``autograd-nlp export --checkpoint C --to torch|onnx OUT``: hand a trained
model to PyTorch (a torch.nn module file + weights + OUT.json) or to ONNX
Runtime (one graph, the vocabulary and special ids in its metadata), checked
against our own outputs first (autograd_nlp/export/checkpoint.py)."""
import os

from autograd_nlp.commands.common import bounded_int, check_output_file
from autograd_nlp.errors import UserError
from autograd_nlp.export import ExportError
from autograd_nlp.export.checkpoint import model_from_checkpoint  # noqa: F401 (tests, API)
from autograd_nlp.serialization import atomic_write

INSTALL = {"torch": "pip install torch==2.13.0 (or the [torch] extra)",
           "onnx": "pip install onnx onnxruntime (or the [onnx] extra)"}
# an LSTM's graph is unrolled: one copy of the step's nodes per time step
MAX_TIME = 1000
graph_time = bounded_int(MAX_TIME, "the graph is unrolled, one copy of an LSTM step's nodes "
                                   "per time step; for longer texts export --graph stateful "
                                   "and feed the states back")
MAX_BATCH = 4096
graph_batch = bounded_int(MAX_BATCH, "the example inputs the graph is traced and checked "
                                     "with are this big (the graph takes any batch size)")


def add_parsers(sub):
    from autograd_nlp.export.model_graphs import (AUTOENCODER_GRAPHS, LANGUAGE_MODEL_GRAPHS,
                                                  SEQ2SEQ_GRAPHS, WORD2VEC_GRAPHS)
    from autograd_nlp.export.onnx_transformer import GRAPHS
    p = sub.add_parser("export", help="write a checkpoint's model as a PyTorch module or an "
                                      "ONNX graph, with its vocabulary, checked against our "
                                      "outputs")
    p.add_argument("--checkpoint", required=True, help="checkpoint.npz of a training run")
    p.add_argument("--to", required=True, choices=["torch", "onnx"],
                   help="torch: a torch.nn module with our weights; onnx: the model's graph")
    p.add_argument("out", help="OUT.pt (torch: also writes OUT.py, the module classes, and "
                               "OUT.json, the vocabulary and sizes) or OUT.onnx")
    graphs = list(dict.fromkeys(LANGUAGE_MODEL_GRAPHS + SEQ2SEQ_GRAPHS + WORD2VEC_GRAPHS
                                + GRAPHS["transformer"] + AUTOENCODER_GRAPHS))
    p.add_argument("--graph", default=None, choices=graphs,
                   help="onnx: which graph (default: forward; word2vec: vectors). Language "
                        "models: forward (from the zero state) or stateful (states in and "
                        "out); LSTM seq2seq models: forward (teacher forcing), or encoder and "
                        "decoder-step for greedy decoding; transformer: forward, encoder, "
                        "decoder; autoencoder, vae: forward, encoder, start, decoder-step; "
                        "cbow, skipgram: vectors")
    p.add_argument("--batch", type=graph_batch, default=2,
                   help="onnx: the batch size the graph is traced and checked at, and one "
                        "more (it takes any batch size)")
    p.add_argument("--time", type=graph_time, default=None,
                   help=f"onnx, LSTM language models: the graph's sequence length, at most "
                        f"{MAX_TIME:,} (default: the training run's --time-size, else 35); "
                        f"a Transformer's lengths are dynamic")
    p.add_argument("--ids", choices=["int64", "int32"], default="int64",
                   help="onnx: the type of the graph's id inputs (default int64)")
    p.set_defaults(run=run)


def export_torch(name, model, meta, args):
    from autograd_nlp.export.checkpoint import torch_bundle
    (weights, source, facts), what, diff = torch_bundle(name, model, meta, args.out,
                                                        args.checkpoint)
    print(f"wrote {weights}, {source} and {facts} ({type(model).__name__} as torch.nn; "
          f"vocabulary and sizes in the .json)")
    ids = "" if name in ("reinforce", "a2c", "cbow", "skipgram") else " (int64 and int32 ids)"
    print(f"checked: max |torch - autograd_nlp| over the {what}{ids}: {diff:.2e}")
    stem = os.path.splitext(os.path.basename(source))[0]
    print(f"load it without autograd_nlp:  from {stem} import load, read_facts; "
          f"model = load({weights!r})")
    return 0


def export_onnx_file(name, model, meta, args):
    from autograd_nlp.export.checkpoint import onnx_bundle
    proto, report = onnx_bundle(name, model, meta, args.graph, args.batch, args.time,
                                args.ids, args.checkpoint)
    atomic_write(args.out, lambda f: f.write(proto.SerializeToString()))
    inputs = ", ".join(f"{k} {v}" for k, v in report["inputs"].items())
    outputs = ", ".join(f"{k} {v}" for k, v in report["outputs"].items())
    print(f"wrote {args.out}: {report['nodes']} ONNX nodes; inputs {inputs}; "
          f"outputs {outputs}")
    keys = ", ".join(p.key for p in proto.metadata_props)
    print(f"metadata (JSON values, custom_metadata_map in onnxruntime): {keys}")
    if report["diff"] is None:
        print("not checked: onnxruntime is not installed")
    else:
        print(f"checked with onnxruntime at two batch sizes: max |onnx - autograd_nlp| over "
              f"the outputs: {report['diff']:.2e}")
    return 0


def check_outputs(args):
    """OUT (and for torch the OUT.py and OUT.json beside it) can be written
    as files: not folders, nothing above them a file. Checked before any work."""
    check_output_file(args.out, "OUT")
    if args.to == "torch":
        from autograd_nlp.export.torch import facts_path, module_source_path
        check_output_file(module_source_path(args.out), "OUT's module file")
        check_output_file(facts_path(args.out), "OUT's .json")


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

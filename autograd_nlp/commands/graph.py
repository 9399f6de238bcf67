"""``autograd-nlp graph EXAMPLE``: draw a built-in example's computation graph."""
import contextlib
import os

import autograd_nlp as ag
from autograd_nlp.models import graph_examples as examples
from autograd_nlp.commands.common import bounded_int, check_output_file, positive_int
from autograd_nlp.core import walk_graph
from autograd_nlp.errors import UserError

# a picture of more cannot be read, and Graphviz's layout slows down steeply
MAX_TIME, MAX_LAYERS = 100, 24
WHY = "the drawing grows with it: larger ones cannot be read, and their layout takes very long"
DEFAULT_COLLAPSE = ["layer-norm"]


def add_parser(sub):
    p = sub.add_parser("graph", help="write the computation graph of an example to .dot/.svg")
    p.add_argument("example", choices=sorted(examples.EXAMPLES), help="which network to draw")
    p.add_argument("--time", type=bounded_int(MAX_TIME, WHY), default=3,
                   help=f"time steps for recurrent examples (at most {MAX_TIME})")
    p.add_argument("--out", default=None, help="output path without extension "
                   "(default: graphs/<example>)")
    p.add_argument("--format", default="svg", choices=["svg", "png", "pdf"],
                   help="image format written beside the .dot (needs Graphviz's dot)")
    p.add_argument("--fold", default="clusters", choices=["none", "clusters", "repeats"],
                   help="draw scopes (time steps) flat, as clusters, or fold repeats")
    p.add_argument("--max-depth", type=positive_int, default=None,
                   help="draw only Functions within this many steps of the loss "
                        "(default: all)")
    p.add_argument("--rankdir", default="TB", choices=["TB", "LR"],
                   help="layout direction: top to bottom or left to right")
    p.add_argument("--fused", action="store_true",
                   help="draw each LSTM layer call as the one fused lstm_sequence node "
                        "that training records (default: unrolled, one lstm_step per "
                        "time step, as the book draws backpropagation through time)")
    p.add_argument("--grad", action="store_true", help="run backward and show gradient shapes")
    p.add_argument("--values", choices=["shown", "hidden"], default=None,
                   help="draw the intermediate values as nodes, or hide them and label "
                        "the edges with their shapes (default: hidden for transformer, "
                        "shown for the others)")
    p.add_argument("--layers", type=bounded_int(MAX_LAYERS, WHY), default=1,
                   help=f"encoder and decoder layers of the transformer example (at most "
                        f"{MAX_LAYERS})")
    p.add_argument("--collapse", nargs="*", default=None, metavar="SCOPE",
                   help="draw each scope of these names as one box (default: layer-norm; "
                        "--collapse with no name draws every op)")
    p.set_defaults(run=run)


def output_paths(args):
    """The .dot and image files ``render_graph`` writes for --out (which may
    end in .dot/.svg/.png/.pdf), checked before the graph is built."""
    out = os.path.abspath(args.out or os.path.join("graphs", args.example))
    base, ext = os.path.splitext(out)
    image = args.format
    if ext.lstrip(".") in ("dot", "svg", "png", "pdf"):
        image = args.format if ext == ".dot" else ext.lstrip(".")
    else:
        base = out
    for path in (base + ".dot", base + "." + image):
        check_output_file(path, "--out")
    return out


def check_collapse(args, loss):
    """Every scope named by --collapse occurs in the graph (a typo would
    silently collapse nothing). Returns the scopes to collapse."""
    if args.collapse is None:
        return DEFAULT_COLLAPSE
    scopes = sorted({part for f in walk_graph([loss])
                     for part in (getattr(f, "scope", None) or "").split("/") if part})
    unknown = [name for name in args.collapse if name not in scopes]
    if unknown:
        raise UserError(f"graph --collapse: no scope {', '.join(map(repr, unknown))} in the "
                        f"{args.example} graph; its scopes: "
                        f"{', '.join(scopes) if scopes else 'none (nothing to collapse)'}")
    return args.collapse


def run(args):
    out = output_paths(args)
    with contextlib.nullcontext() if args.fused else ag.unrolled():
        model, loss_fn, title = examples.build(args.example, time=args.time,
                                               layers=args.layers)
        loss = loss_fn()
    if args.grad:
        loss.backward(retain_grad=True)
    collapse = check_collapse(args, loss)
    stats = ag.graph_stats(loss)
    # absolute (out), so the .dot and the image are reported the same way
    written, message = ag.render_graph(
        loss, out, format=args.format, fold=None if args.fold == "none" else args.fold,
        max_depth=args.max_depth, rankdir=args.rankdir, show_grad=args.grad,
        collapse=collapse, show_variables=show_values(args), module=model,
        title=f"{title}: {stats['functions']} functions, depth {stats['depth']}")
    print(f"{title}: {stats['functions']} Function nodes, depth {stats['depth']}, "
          f"{stats['bytes'] / 1024:.1f} KiB of arrays held")
    print(f"wrote {', '.join(written)}")
    if not message.startswith("wrote"):     # e.g. how to install Graphviz's dot
        print(message)
    return 0


def show_values(args):
    """--values, or the example's default: a Transformer block reads better
    with its intermediate values as edge labels."""
    if args.values is not None:
        return args.values == "shown"
    return args.example != "transformer"

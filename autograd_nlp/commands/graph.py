"""``autograd-nlp graph EXAMPLE``: draw a built-in example's computation graph."""
import contextlib
import os

import autograd_nlp as ag
from autograd_nlp.commands import examples
from autograd_nlp.commands.common import positive_int


def add_parser(sub):
    p = sub.add_parser("graph", help="write the computation graph of an example to .dot/.svg")
    p.add_argument("example", choices=sorted(examples.EXAMPLES), help="which network to draw")
    p.add_argument("--time", type=positive_int, default=3,
                   help="time steps for recurrent examples")
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
    p.add_argument("--layers", type=positive_int, default=1,
                   help="encoder and decoder layers of the transformer example")
    p.add_argument("--collapse", nargs="*", default=["layer-norm"], metavar="SCOPE",
                   help="draw each scope of these names as one box (default: layer-norm; "
                        "--collapse with no name draws every op)")
    p.set_defaults(run=run)


def run(args):
    with contextlib.nullcontext() if args.fused else ag.unrolled():
        model, loss_fn, title = examples.build(args.example, time=args.time,
                                               layers=args.layers)
        for name, p in model.named_params():     # label parameters by their last two names
            p.name = ".".join(name.split(".")[-2:])    # (e.g. query.W; the cluster says where)
        loss = loss_fn()
    if args.grad:
        loss.backward(retain_grad=True)
    stats = ag.graph_stats(loss)
    # absolute, so the .dot and the image are reported the same way
    out = os.path.abspath(args.out or os.path.join("graphs", args.example))
    written, message = ag.render_graph(
        loss, out, format=args.format, fold=None if args.fold == "none" else args.fold,
        max_depth=args.max_depth, rankdir=args.rankdir, show_grad=args.grad,
        collapse=args.collapse, show_variables=show_values(args),
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

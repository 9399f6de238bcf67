"""Computation graph -> Graphviz DOT.

``to_dot`` walks the graph once (linear time) and draws Variables as ellipses
(name, shape, dtype; Parameters filled), Functions as boxes, and a cut made by
``unchain``/``detach`` as a red scissors node, so a picture of truncated BPTT
shows where the truncation is. Functions created inside ``ag.scope(name)`` are
drawn as one cluster per scope; ``fold="repeats"`` collapses consecutive
identical scopes (the time steps of an unrolled RNN) into one cluster drawn
once with a repeat count.
"""
import collections
import os
import re
import shutil

from autograd_nlp.core import Parameter, Variable, walk_graph

FOLDS = (None, "clusters", "repeats")


def _describe(v, show_grad):
    name = v.name or ""
    if v.data.size == 1 and not v.requires_grad and not name:
        return f"{v.data.reshape(-1)[0]:.4g}"
    label = f"{name}\n{v.shape} {v.dtype}" if name else f"{v.shape} {v.dtype}"
    if show_grad and v.grad is not None:
        label += f"\ngrad {v.grad.shape}"
    return label


def _collect(outputs, max_depth):
    """Functions reachable from ``outputs`` (breadth first, at most
    ``max_depth`` steps), and the ids of Variables whose creator lies beyond."""
    funcs = list(walk_graph(outputs, order="breadth", max_depth=max_depth))
    drawn = {id(f) for f in funcs}
    beyond = {id(x) for f in funcs for x in f.inputs
              if x.creator is not None and id(x.creator) not in drawn}
    return funcs, beyond


def _fold_map(funcs, fold):
    """Map each Function to the one drawn in its place, and name clusters.

    Returns (representative: id -> Function, cluster: id -> label)."""
    rep = {id(f): f for f in funcs}
    cluster = {}
    by_scope = collections.defaultdict(list)
    for f in funcs:
        s = getattr(f, "scope", None)
        if s is not None and fold is not None:
            by_scope[s].append(f)
    for s, fs in by_scope.items():
        fs.sort(key=lambda f: f.order)
        for f in fs:
            cluster[id(f)] = s
    if fold != "repeats":
        return rep, cluster
    families = collections.defaultdict(list)
    for s, fs in by_scope.items():
        families[re.sub(r"\d+", "#", s)].append((fs[0].order, s))
    for members in families.values():
        members.sort()
        run = []
        for _, s in members + [(None, None)]:
            fs = by_scope.get(s)
            signature = None if fs is None else [type(f).__name__ for f in fs]
            if run and signature == [type(f).__name__ for f in by_scope[run[0]]]:
                run.append(s)
                continue
            if len(run) > 1:
                first = by_scope[run[0]]
                label = f"{run[0]} … {run[-1]}  (×{len(run)})"
                for other in run:
                    for k, f in enumerate(by_scope[other]):
                        rep[id(f)] = first[k]
                        cluster[id(f)] = label
            run = [s] if s is not None else []
    return rep, cluster


def to_dot(*outputs, show_grad=False, rankdir="TB", max_depth=None, fold="clusters",
           show_variables=True, title=None):
    """A ``graphviz.Digraph`` of the graph behind ``outputs``.

    show_grad: add gradient shapes to variable labels. rankdir: "TB" or "LR".
    max_depth: draw only Functions within this many steps of the outputs.
    fold: None (flat), "clusters" (one box per ``ag.scope``) or "repeats"
    (consecutive identical scopes drawn once, labelled ×N).
    show_variables: False draws Functions only (edges carry shapes).
    """
    if len(outputs) == 1 and isinstance(outputs[0], (list, tuple)):
        outputs = tuple(outputs[0])
    if fold not in FOLDS:
        raise ValueError(f"to_dot: fold must be one of {FOLDS}, got {fold!r}")
    import graphviz   # imported here: only drawing needs the package
    funcs, beyond = _collect(outputs, max_depth)
    rep, cluster = _fold_map(funcs, fold)

    def var_key(v):
        c = v.creator
        if c is not None and id(c) in rep and rep[id(c)] is not c:
            r = rep[id(c)]
            slot = next(i for i, ref in enumerate(c.outputs) if ref() is v)
            drawn = r.outputs[slot]()
            return f"v{id(drawn)}" if drawn is not None else f"v{id(v)}"
        return f"v{id(v)}"

    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir, "fontsize": "11",
                                       "label": title or "", "labelloc": "t"},
                           node_attr={"fontsize": "10", "fontname": "Helvetica"},
                           edge_attr={"arrowsize": "0.6"})
    bodies = collections.defaultdict(list)   # cluster label (or None) -> lines
    drawn_nodes, edges = set(), set()

    def node(key, where, **attrs):
        if key not in drawn_nodes:
            drawn_nodes.add(key)
            bodies[where].append((key, attrs))

    def draw_variable(v, where):
        key = var_key(v)
        if not show_variables and not isinstance(v, Parameter) and v.creator is not None:
            return None
        attrs = {"label": _describe(v, show_grad), "shape": "ellipse"}
        if isinstance(v, Parameter):
            attrs.update(style="filled", fillcolor="#f6c879")
        elif not v.requires_grad:
            attrs.update(color="gray60", fontcolor="gray40")
        elif id(v) in beyond:
            attrs.update(style="dotted", label=attrs["label"] + "\n(graph continues)")
        else:
            attrs.update(style="filled", fillcolor="#dbe9f6")
        node(key, where, **attrs)
        if v.cut is not None and v.creator is None:
            cut_key = f"cut{id(v)}"
            node(cut_key, where, label=f"✂ cut\n(was {v.cut})", shape="box",
                 style="dashed", color="red", fontcolor="red")
            edges.add((cut_key, key, (("style", "dashed"), ("color", "red"))))
        return key

    for y in outputs:
        draw_variable(y, cluster.get(id(y.creator)) if y.creator else None)
    for f in funcs:
        r = rep[id(f)]
        where = cluster.get(id(f))
        fkey = f"f{id(r)}"
        node(fkey, where, label=type(r).__name__, shape="box", style="filled,rounded",
             fillcolor="#cfe8c9")
        for x in f.inputs:
            inner = x.creator is not None and cluster.get(id(x.creator)) == where
            xkey = draw_variable(x, where if inner else None)
            if xkey is None:       # variables hidden: connect functions directly
                if x.creator is not None and id(x.creator) in rep:
                    edges.add((f"f{id(rep[id(x.creator)])}", fkey, (("label", str(x.shape)),)))
                continue
            edges.add((xkey, fkey, ()))
        if show_variables:
            for ref in f.outputs:
                y = ref()
                if y is not None:
                    edges.add((fkey, draw_variable(y, where), ()))

    for where, nodes in bodies.items():
        target = dot
        if where is not None:
            name = "cluster_" + re.sub(r"\W", "_", where)
            with dot.subgraph(name=name) as sub:
                sub.attr(label=where, style="rounded,dashed", color="gray50")
                for key, attrs in nodes:
                    sub.node(key, **attrs)
            continue
        for key, attrs in nodes:
            target.node(key, **attrs)
    for tail, head, attrs in sorted(edges):
        dot.edge(tail, head, **dict(attrs))
    return dot


def render_graph(outputs, path, format="svg", **options):
    """Write ``path`` + ".dot" always, and ``path`` + "." + format when the
    Graphviz ``dot`` program is installed. ``path`` may end in .dot/.svg/.png.
    Returns (written paths, message)."""
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    if not all(isinstance(y, Variable) for y in outputs):
        raise TypeError("render_graph: outputs must be Variables")
    base, ext = os.path.splitext(os.fspath(path))
    if ext.lstrip(".") in ("dot", "svg", "png", "pdf"):
        format = format if ext == ".dot" else ext.lstrip(".")
    else:
        base = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(base))
    os.makedirs(directory, exist_ok=True)
    dot = to_dot(*outputs, **options)
    dot_path = base + ".dot"
    with open(dot_path, "w", encoding="utf-8") as f:
        f.write(dot.source)
    written = [dot_path]
    if shutil.which("dot") is None:
        return written, ("Graphviz's `dot` program is not installed, so only the .dot "
                         "file was written. Install it (apt-get install graphviz, "
                         "brew install graphviz, or conda install graphviz) to get "
                         f".{format}, or paste the .dot file into an online viewer.")
    out = dot.render(filename=os.path.basename(base) + ".dot", directory=directory,
                     format=format, cleanup=False)
    written.append(out.replace(".dot." + format, "." + format)
                   if out.endswith(".dot." + format) else out)
    if out.endswith(".dot." + format):
        os.replace(out, written[-1])
    return written, f"wrote {', '.join(written)}"

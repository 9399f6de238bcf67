"""Computation graph -> Graphviz DOT.

``to_dot`` walks the graph once (linear time) and draws Variables as ellipses
(name, shape, dtype; Parameters filled), Functions as boxes, and a cut made by
``unchain``/``detach`` as a red scissors node, so a picture of truncated BPTT
shows where the truncation is. Functions created inside ``ag.scope(name)`` are
drawn as one cluster per scope; ``fold="repeats"`` collapses consecutive
identical scopes (the time steps of an unrolled RNN) into one cluster drawn
once with a repeat count, and folds the steps' own inputs and outputs outside
the scopes too (per-step slices, embedding lookups, output layers, losses and
targets, drawn once and labelled ×T), so the picture does not grow with T.
Nested scopes (``"encoder-layer-0/self-attention"``) are drawn as nested
clusters, and ``collapse`` draws every scope of a given name (e.g.
``"layer-norm"``) as one box, so a Transformer block reads as its sub-layers.

Names: given the ``module`` whose output is drawn, Parameters are labelled by
their path in it (``embed.W``, ``lstm.cell.Wx``: ``Module.named_params``)
instead of the attribute name alone ("W" twice). The outputs of an op with
several are labelled by the op's ``output_names`` (an LSTM step's ``h`` and
``c``; an op without them, like ``Unstack``, leaves its outputs unnamed).
"""
import collections
import os
import re
import shutil

from autograd_nlp.core import Parameter, Variable, walk_graph

FOLDS = (None, "clusters", "repeats")


def output_name(v):
    """What an unnamed output of a multi-output op is called: the op's
    ``output_names`` entry for its slot (``LSTMStep``: "h", "c"); None for a
    leaf, a single output, or an op that names none."""
    c = v.creator
    names = getattr(c, "output_names", None) if c is not None else None
    if not names or len(c.outputs) < 2:
        return None
    slot = next((i for i, ref in enumerate(c.outputs) if ref() is v), None)
    return names[slot] if slot is not None and slot < len(names) else None


def parameter_names(module):
    """{id(Parameter): dotted path} for every Parameter of ``module`` (a
    shared one by its first path), or {} for None."""
    if module is None:
        return {}
    if not hasattr(module, "named_params"):
        raise TypeError(f"to_dot: module must be a Module (its named_params() name the "
                        f"Parameters), got {type(module).__name__}")
    return {id(p): name for name, p in module.named_params()}


def _describe(v, show_grad, names=None):
    name = (names or {}).get(id(v)) or v.name or output_name(v) or ""
    if v.data.size == 1 and not v.requires_grad and not name:
        return f"{float(v.data.reshape(-1)[0]):.4g}"   # (a 0-d CuPy array has no format)
    label = f"{name}\n{v.shape} {v.dtype}" if name else f"{v.shape} {v.dtype}"
    if show_grad and v.grad is not None:
        label += f"\ngrad {v.grad.shape}"
    return label


def _is_constant(v):
    """A value nothing computes and nothing differentiates (e.g. an eps)."""
    return v.creator is None and not v.requires_grad and not isinstance(v, Parameter)


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

    Returns (representative: id -> Function, cluster: id -> label, alias:
    id(Variable) -> the Variable drawn in its place, count: id of a drawn
    Function/Variable outside the clusters -> how many it stands for)."""
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
        return rep, cluster, {}, {}
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
                # one flat cluster for the run ("/" would nest it in the first's)
                label = f"{run[0]} … {run[-1]}  (×{len(run)})".replace("/", " › ")
                for other in run:
                    for k, f in enumerate(by_scope[other]):
                        rep[id(f)] = first[k]
                        cluster[id(f)] = label
            run = [s] if s is not None else []
    folding = _StepIO(funcs, rep, cluster)
    folding.fold_inputs()
    folding.fold_outputs()
    return rep, cluster, folding.alias, folding.count


class _StepIO:
    """Folds what feeds the folded time steps and what they feed, so that a
    picture of T steps has as many nodes for T = 5 as for T = 50.

    * inputs: step t's input at slot k is drawn as the representative step's
      input at slot k (the T outputs of an ``Unstack`` become one node), and an
      unscoped producer used only by folded steps (a per-step embedding lookup,
      a per-step slice of the ids) folds into the representative's producer;
    * outputs: unscoped Functions of the same type whose inputs are drawn as
      the same nodes (a per-step output layer on h_t, a per-step loss on it
      and its per-step target) fold into the first of them.
    Folded nodes outside the clusters are labelled with how many they stand for.
    """

    def __init__(self, funcs, rep, cluster):
        # producers before consumers (generation), earlier steps first
        self.funcs = sorted(funcs, key=lambda f: (f.generation, getattr(f, "order", -1)))
        self.rep, self.cluster = rep, cluster
        self.alias, self.count = {}, {}
        self.consumers = collections.defaultdict(list)    # id(Variable) -> Functions
        for f in funcs:
            for x in f.inputs:
                self.consumers[id(x)].append(f)

    def folded(self, f):
        return self.rep.get(id(f), f) is not f

    def key(self, v):
        """The id of the Variable drawn for ``v``."""
        while id(v) in self.alias:
            v = self.alias[id(v)]
        c = v.creator
        if c is not None and self.folded(c):
            slot = next((i for i, ref in enumerate(c.outputs) if ref() is v), None)
            drawn = self.rep[id(c)].outputs[slot]() if slot is not None else None
            if drawn is not None:
                return id(drawn)
        return id(v)

    def only_feeds_folded(self, v):
        return all(self.folded(g) for g in self.consumers[id(v)])

    def fold_inputs(self):
        for f in self.funcs:
            if self.folded(f) and self.cluster.get(id(f)) is not None:
                r = self.rep[id(f)]
                for x, x0 in zip(f.inputs, r.inputs):
                    self.unify(x, x0)

    def unify(self, x, x0):
        """Draw ``x`` as ``x0`` (slot-wise equivalent inputs of two folded
        Functions), and fold its producer into ``x0``'s when only folded
        Functions use it."""
        if x is x0 or id(x) in self.alias or self.key(x) == self.key(x0):
            return
        c, c0 = x.creator, x0.creator
        if c is not None and self.cluster.get(id(c)) is not None:
            return                       # produced inside a step (recurrent state): drawn already
        if ((c is None) != (c0 is None) or x.shape != x0.shape or x.dtype != x0.dtype
                or isinstance(x, Parameter) or isinstance(x0, Parameter)
                or not self.only_feeds_folded(x)):
            return
        fold_creator = c is not None and c is not c0
        if fold_creator and (id(c) not in self.rep or self.folded(c)
                             or type(c) is not type(c0) or len(c.inputs) != len(c0.inputs)
                             or len(c.outputs) != len(c0.outputs)
                             or not all(self.only_feeds_folded(ref()) for ref in c.outputs
                                        if ref() is not None)):
            return                       # its producer stays drawn, so x stays too
        self.alias[id(x)] = x0
        self.count[id(x0)] = self.count.get(id(x0), 1) + 1
        if fold_creator:
            self.fold_function(c, c0)

    def fold_function(self, g, g0):
        self.rep[id(g)] = g0
        self.count[id(g0)] = self.count.get(id(g0), 1) + 1
        for x, x0 in zip(g.inputs, g0.inputs):
            self.unify(x, x0)

    def fold_outputs(self):
        # what varies from step to step: the steps' outputs and the folded inputs
        folded_keys = {self.key(ref()) for f in self.funcs if self.folded(f)
                       for ref in f.outputs if ref() is not None}
        folded_keys.update(id(v) for v in self.alias.values())
        first = {}
        for g in self.funcs:
            if self.folded(g) or self.cluster.get(id(g)) is not None:
                continue
            keys = [self.key(x) for x in g.inputs]
            if not any(k in folded_keys for k in keys):
                continue
            # inputs drawn as folded nodes, Parameters and shared inputs must be the
            # same node; an input private to g (a per-step target) only alike
            pattern = (type(g), len(g.outputs), tuple(
                k if (k in folded_keys or isinstance(x, Parameter)
                      or len(self.consumers[id(x)]) > 1)
                else (x.shape, x.dtype.str, type(x.creator))
                for k, x in zip(keys, g.inputs)))
            g0 = first.setdefault(pattern, g)
            if g0 is not g:
                self.fold_function(g, g0)
            folded_keys.update(self.key(ref()) for ref in g.outputs if ref() is not None)


def _collapsed(funcs, rep, cluster, collapse):
    """For Functions inside a scope whose name is in ``collapse``: id(function)
    -> (path of the outermost such scope, k), one box per call: the k-th set
    of that scope's Functions connected among themselves (two LayerNorms with
    the same path are two boxes). Also returns where each drawn Function
    sits: its cluster, or the box's enclosing one."""
    path_of, place = {}, {}
    for f in funcs:
        where = cluster.get(id(rep[id(f)]))
        parts = where.split("/") if where else []
        hit = next((i for i, part in enumerate(parts) if part in collapse), None)
        if hit is not None:
            path_of[id(f)] = "/".join(parts[:hit + 1])
            where = "/".join(parts[:hit]) or None
        place[id(f)] = where
    parent = {key: key for key in path_of}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key
    for f in funcs:
        for x in f.inputs if id(f) in path_of else ():
            c = x.creator
            if c is not None and path_of.get(id(c)) == path_of[id(f)]:
                parent[root(id(c))] = root(id(f))
    numbered, boxed = {}, {}          # root -> (path, k); id(function) -> its box
    for f in sorted((f for f in funcs if id(f) in path_of), key=lambda f: f.order):
        r = root(id(f))
        if r not in numbered:
            path = path_of[id(f)]
            numbered[r] = (path, sum(1 for p, _ in numbered.values() if p == path))
        boxed[id(f)] = numbered[r]
    return boxed, place


def _emit_clusters(dot, bodies):
    """Add the nodes of ``bodies`` (cluster path or None -> [(key, attrs)]) to
    ``dot``, a cluster per path, nested as the paths are ("a/b" inside "a")."""
    paths = {p for p in bodies if p is not None}
    for p in list(paths):
        parts = p.split("/")
        paths.update("/".join(parts[:i]) for i in range(1, len(parts)))

    def emit(graph, path):
        for key, attrs in bodies.get(path, ()):
            graph.node(key, **attrs)
        depth = 0 if path is None else path.count("/") + 1
        children = sorted(p for p in paths if p.count("/") == depth
                          and (path is None or p.startswith(path + "/")))
        for child in children:
            with graph.subgraph(name="cluster_" + re.sub(r"\W", "_", child)) as sub:
                sub.attr(label=child.rsplit("/", 1)[-1], style="rounded,dashed",
                         color="gray50")
                emit(sub, child)
    emit(dot, None)


def to_dot(*outputs, show_grad=False, rankdir="TB", max_depth=None, fold="clusters",
           show_variables=True, title=None, collapse=(), module=None):
    """A ``graphviz.Digraph`` of the graph behind ``outputs``.

    module: the Module that computed ``outputs``; its Parameters are then
    labelled by their dotted paths (``embed.W``), as ``named_params`` gives them.

    show_grad: add gradient shapes to variable labels. rankdir: "TB" or "LR".
    max_depth: draw only Functions within this many steps of the outputs.
    fold: None (flat), "clusters" (one box per ``ag.scope``) or "repeats"
    (consecutive identical scopes drawn once, labelled ×N).
    show_variables: False draws Functions only (edges carry shapes).
    collapse: scope names (the last part of a path, e.g. "layer-norm") whose
    scopes are each drawn as one box saying how many ops it hides; only the
    values that leave such a scope are drawn (with ``fold`` None: ignored).
    """
    if len(outputs) == 1 and isinstance(outputs[0], (list, tuple)):
        outputs = tuple(outputs[0])
    if fold not in FOLDS:
        raise ValueError(f"to_dot: fold must be one of {FOLDS}, got {fold!r}")
    import graphviz   # imported here: only drawing needs the package
    names = parameter_names(module)
    funcs, beyond = _collect(outputs, max_depth)
    rep, cluster, alias, count = _fold_map(funcs, fold)
    boxed, place = _collapsed(funcs, rep, cluster, frozenset(collapse))
    box_size = collections.Counter(boxed[id(f)] for f in funcs
                                   if id(f) in boxed and rep[id(f)] is f)

    def drawn_var(v):
        """The Variable drawn for ``v`` (itself unless folded)."""
        while id(v) in alias:
            v = alias[id(v)]
        c = v.creator
        if c is not None and id(c) in rep and rep[id(c)] is not c:
            slot = next(i for i, ref in enumerate(c.outputs) if ref() is v)
            drawn = rep[id(c)].outputs[slot]()
            return drawn if drawn is not None else v
        return v

    def var_key(v):
        return f"v{id(drawn_var(v))}"

    def times(obj):
        n = count.get(id(obj), 1)
        return f"\n×{n}" if n > 1 else ""

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
        v = drawn_var(v)
        key = f"v{id(v)}"
        if not show_variables and not isinstance(v, Parameter) and v.creator is not None:
            return None
        attrs = {"label": _describe(v, show_grad, names) + times(v), "shape": "ellipse"}
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

    def function_key(f):
        box = boxed.get(id(f))
        if box is None:
            return f"f{id(rep[id(f)])}"
        return "box_" + re.sub(r"\W", "_", box[0]) + f"_{box[1]}"

    def inside(c, box):
        return c is not None and box is not None and boxed.get(id(c)) == box

    for y in outputs:
        draw_variable(y, place.get(id(y.creator)) if y.creator else None)
    for f in funcs:
        r = rep[id(f)]
        where, box = place[id(f)], boxed.get(id(f))
        fkey = function_key(f)
        if box is None:
            node(fkey, where, label=type(r).__name__ + times(r), shape="box",
                 style="filled,rounded", fillcolor="#cfe8c9")
        else:
            node(fkey, where, label=f"{box[0].rsplit('/', 1)[-1]}\n({box_size[box]} ops)"
                 + times(r), shape="box3d", style="filled", fillcolor="#e3d7f0")
        for x in f.inputs:
            xc = drawn_var(x).creator      # a variable sits where its creator is drawn
            if inside(xc, box) or (box is not None and _is_constant(x)):
                continue                   # a value or a constant inside the collapsed scope
            home = where if isinstance(x, Parameter) else None   # beside its first user
            xkey = draw_variable(x, place.get(id(xc)) if xc is not None else home)
            if xkey is None:       # variables hidden: connect functions directly
                if xc is not None and id(xc) in rep:
                    label = " ".join(filter(None, (x.name or output_name(x), str(x.shape))))
                    edges.add((function_key(xc), fkey, (("label", label),)))
                continue
            edges.add((xkey, fkey, ()))
        if show_variables and box is None:
            for ref in f.outputs:
                y = ref()
                if y is not None:
                    edges.add((fkey, draw_variable(y, where), ()))
    if show_variables:          # the values that leave a collapsed scope
        for g in funcs:
            for x in g.inputs:
                c = drawn_var(x).creator
                if c is not None and id(c) in boxed and boxed[id(c)] != boxed.get(id(g)):
                    edges.add((function_key(c), draw_variable(x, place[id(c)]), ()))
        for y in outputs:
            if y.creator is not None and id(y.creator) in boxed:
                edges.add((function_key(y.creator), draw_variable(y, place[id(y.creator)]), ()))

    _emit_clusters(dot, bodies)
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

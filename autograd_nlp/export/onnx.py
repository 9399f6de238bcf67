"""Export one traced forward pass to ONNX.

``export_onnx(fn, inputs)`` runs ``fn`` once on the example ``inputs`` with the
graph recorded (eval mode, so dropout is the identity), walks the recorded
Functions from the outputs back (``walk_graph``) and translates each through
``TRANSLATIONS``, a table from Function class to ONNX nodes. Leaves become
graph inputs (the example arrays, matched by identity), initializers named
after their Parameters, or constants (anything else, e.g. a zero start state).
Sequence lengths are those of the trace (an LSTM is unrolled over them). With
``dynamic_batch=True`` axis 0 of every input and output is the symbolic
"batch": reshapes copy the leading axes they keep (ONNX's 0), broadcasts
expand only the axes they add, and a constant that repeats one row per batch
item (a zero start state) is expanded to the batch the graph is given.
``set_metadata`` adds the bundle's key/value pairs (``metadata_props``).
"""
import json

import numpy as np

from autograd_nlp.config import eval_mode, unrolled, using_config
from autograd_nlp.core import Cast, Parameter, Variable, walk_graph
from autograd_nlp.export import ExportError
from autograd_nlp.functions import activation, linalg, nn, recurrent, reduction, shape
from autograd_nlp.functions import math as ops

OPSET = 17
INT64_MIN = np.iinfo(np.int64).min
INT64_MAX = np.iinfo(np.int64).max
BATCH = "batch"


class UnsupportedOpError(ExportError):
    """A recorded Function has no ONNX translation."""


class GraphBuilder:
    """Collects ONNX nodes and initializers while the Functions are translated."""

    def __init__(self):
        from onnx import helper, numpy_helper
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers, self._count = [], [], 0
        self._params = {}

    def param(self, parameter, name):
        """The initializer of a Parameter, added once (a tied weight is one)."""
        key = id(parameter)
        if key not in self._params:
            self._params[key] = self.initializer(parameter.data, name)
        return self._params[key]

    def fresh(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def node(self, op, inputs, outputs=None, **attrs):
        """Add one node; returns its output name (or the list when several)."""
        outputs = outputs or [self.fresh(op)]
        self.nodes.append(self.helper.make_node(op, list(inputs), list(outputs), **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def initializer(self, array, name):
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def const(self, array, hint="const"):
        return self.initializer(array, self.fresh(hint))

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64), "ints")

    def dim(self, value, axis):
        """The runtime size of ``value``'s ``axis`` as a (1,) int64 tensor."""
        return self.node("Slice", [self.node("Shape", [value]), self.ints([axis]),
                                   self.ints([axis + 1])])

    def scalar_dim(self, value, axis):
        """The runtime size of ``value``'s ``axis`` as an int64 scalar."""
        return self.node("Squeeze", [self.dim(value, axis), self.ints([0])])


# --- translations: (builder, function, input names, output names) -> nodes ------------
def _op(onnx_op, **attrs):
    def translate(g, f, xs, ys):
        g.node(onnx_op, xs, ys, **attrs)
    return translate


def _linear(g, f, xs, ys):
    if len(xs) == 2:
        g.node("MatMul", xs, ys)
    else:
        g.node("Add", [g.node("MatMul", xs[:2]), xs[2]], ys)


def _embedding(g, f, xs, ys):
    W, ids = xs
    g.node("Gather", [W, ids], ys, axis=0)


def _reshape(g, f, xs, ys):
    """The leading axes the reshape keeps are copied (ONNX's 0), so a
    dynamic batch passes through; the others are the traced sizes."""
    source = f.inputs[0].shape
    target = list(np.empty(source, dtype=np.uint8).reshape(f.shape).shape)
    for axis in range(min(len(source), len(target))):
        if source[:axis + 1] != tuple(target[:axis + 1]) or 0 in target:
            break
        target[axis] = 0
    g.node("Reshape", [xs[0], g.ints(target)], ys)


def _transpose(g, f, xs, ys):
    ndim = f.inputs[0].ndim
    perm = list(reversed(range(ndim))) if f.axes is None else [a % ndim for a in f.axes]
    g.node("Transpose", xs, ys, perm=perm)


def _broadcast_to(g, f, xs, ys):
    """Expand broadcasts both ways: 1 where the input already has the size
    (so a dynamic batch axis is kept), the traced size where it grows."""
    source, target = f.inputs[0].shape, tuple(f.shape)
    lead = len(target) - len(source)
    shape = [1 if i >= lead and source[i - lead] == size else size
             for i, size in enumerate(target)]
    g.node("Expand", [xs[0], g.ints(shape)], ys)


def _reduced_axes(axis, ndim):
    if axis is None:
        return list(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return sorted(a % ndim for a in axes)


def _sum(g, f, xs, ys):
    axes = _reduced_axes(f.axis, f.inputs[0].ndim)
    g.node("ReduceSum", [xs[0], g.ints(axes)], ys, keepdims=int(f.keepdims))


def _extreme(onnx_op):
    def translate(g, f, xs, ys):
        g.node(onnx_op, xs, ys, axes=_reduced_axes(f.axis, f.inputs[0].ndim),
               keepdims=int(f.keepdims))
    return translate


def _sum_to(g, f, xs, ys):
    in_shape, target = f.inputs[0].shape, tuple(f.shape)
    lead = len(in_shape) - len(target)
    axes = list(range(lead)) + [i + lead for i, s in enumerate(target)
                                if s == 1 and in_shape[i + lead] != 1]
    summed = g.node("ReduceSum", [xs[0], g.ints(axes)], keepdims=1) if axes else xs[0]
    if lead:            # the reduced leading axes go (no fixed shape, so no fixed batch)
        g.node("Squeeze", [summed, g.ints(list(range(lead)))], ys)
    else:
        g.node("Identity", [summed], ys)


def _concat(g, f, xs, ys):
    g.node("Concat", xs, ys, axis=f.axis)


def _stack(g, f, xs, ys):
    axis = f.axis % (f.inputs[0].ndim + 1)
    axes = g.ints([axis])
    g.node("Concat", [g.node("Unsqueeze", [x, axes]) for x in xs], ys, axis=axis)


def _unstack(g, f, xs, ys):
    axis = f.axis % f.inputs[0].ndim
    n = f.inputs[0].shape[axis]
    pieces = g.node("Split", [xs[0], g.ints([1] * n)], [g.fresh("piece") for _ in range(n)],
                    axis=axis)
    pieces = pieces if isinstance(pieces, list) else [pieces]
    axes = g.ints([axis])
    for piece, y in zip(pieces, ys):
        g.node("Squeeze", [piece, axes], [y])


def _split(g, f, xs, ys):
    size = f.inputs[0].shape[f.axis]
    if isinstance(f.indices_or_sections, int):
        sizes = [size // f.indices_or_sections] * f.indices_or_sections
    else:
        bounds = [0] + list(f.indices_or_sections) + [size]
        sizes = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
    g.node("Split", [xs[0], g.ints(sizes)], ys, axis=f.axis)


def _getitem(g, f, xs, ys):
    index = f.index if isinstance(f.index, tuple) else (f.index,)
    if any(i is Ellipsis or i is None or not isinstance(i, (int, np.integer, slice))
           for i in index):
        raise UnsupportedOpError(
            f"ONNX export: GetItem with index {f.index!r} is not supported; only ints and "
            f"slices (basic indexing without None or ...) translate to Slice")
    # Python's own bounds (negative from the end, clamped), which ONNX's Slice
    # shares, so a slice of a dynamic axis means the same at any size
    starts, ends, axes, steps, squeeze = [], [], [], [], []
    for axis, item in enumerate(index):
        if isinstance(item, slice):
            step = 1 if item.step is None else int(item.step)
            start = (0 if step > 0 else -1) if item.start is None else int(item.start)
            stop = ((INT64_MAX if step > 0 else INT64_MIN) if item.stop is None
                    else int(item.stop))
        else:
            start, step = int(item), 1
            stop = INT64_MAX if start == -1 else start + 1
            squeeze.append(axis)
        starts.append(start)
        ends.append(stop)
        axes.append(axis)
        steps.append(step)
    sliced = g.node("Slice", [xs[0], g.ints(starts), g.ints(ends), g.ints(axes),
                              g.ints(steps)], None if squeeze else ys)
    if squeeze:
        g.node("Squeeze", [sliced, g.ints(squeeze)], ys)


def _where(g, f, xs, ys):
    g.node("Where", [g.const(np.asarray(f.condition, dtype=bool), "condition"), *xs], ys)


def _cast(g, f, xs, ys):
    from onnx import helper
    g.node("Cast", xs, ys, to=helper.np_dtype_to_tensor_dtype(np.dtype(f.dtype)))


def _lstm_step(g, f, xs, ys):
    """Our fused step as elementwise ONNX ops, gates [forget, input, output, candidate]:
    a = x_proj (+ h_prev @ Wh); c = s(f) c_prev + s(i) tanh(g); h = s(o) tanh(c)."""
    x_proj, c_prev, Wh = xs[:3]
    act = x_proj if len(xs) == 3 else g.node("Add", [x_proj, g.node("MatMul", [xs[3], Wh])])
    H = f.inputs[1].shape[-1]
    forget, inp, out, cand = g.node("Split", [act, g.ints([H] * 4)],
                                    [g.fresh(n) for n in ("f", "i", "o", "g")], axis=-1)
    c = g.node("Add", [g.node("Mul", [g.node("Sigmoid", [forget]), c_prev]),
                       g.node("Mul", [g.node("Sigmoid", [inp]), g.node("Tanh", [cand])])],
               [ys[1]])
    g.node("Mul", [g.node("Sigmoid", [out]), g.node("Tanh", [c])], [ys[0]])


TRANSLATIONS = {
    ops.Add: _op("Add"), ops.Sub: _op("Sub"), ops.Mul: _op("Mul"), ops.Div: _op("Div"),
    ops.Neg: _op("Neg"), ops.Pow: _op("Pow"), ops.Exp: _op("Exp"), ops.Log: _op("Log"),
    ops.Sqrt: _op("Sqrt"), ops.Tanh: _op("Tanh"), ops.Sin: _op("Sin"), ops.Cos: _op("Cos"),
    ops.Abs: _op("Abs"), ops.Maximum: _op("Max"), ops.Minimum: _op("Min"),
    activation.Sigmoid: _op("Sigmoid"), activation.ReLU: _op("Relu"),
    activation.Softmax: lambda g, f, xs, ys: g.node("Softmax", xs, ys, axis=f.axis),
    activation.LogSoftmax: lambda g, f, xs, ys: g.node("LogSoftmax", xs, ys, axis=f.axis),
    linalg.MatMul: _op("MatMul"), linalg.Linear: _linear,
    nn.Embedding: _embedding,
    shape.Reshape: _reshape, shape.Transpose: _transpose, shape.BroadcastTo: _broadcast_to,
    shape.SumTo: _sum_to, shape.Concat: _concat, shape.Stack: _stack,
    shape.Unstack: _unstack, shape.Split: _split, shape.GetItem: _getitem,
    shape.Where: _where,
    reduction.Sum: _sum, reduction.Max: _extreme("ReduceMax"),
    reduction.Min: _extreme("ReduceMin"),
    recurrent.LSTMStep: _lstm_step,
    Cast: _cast,
}


def supported_ops():
    """Names of the Function classes the exporter translates, sorted."""
    return sorted(cls.__name__ for cls in TRANSLATIONS)


# --- tracing ----------------------------------------------------------------------------
def trace(fn, inputs):
    """Run ``fn(**inputs)`` with the graph recorded, in eval mode, LSTM
    layers unrolled (one ``LSTMStep`` per time step, which translates to
    plain ONNX ops). Float
    arrays are passed as Variables that require gradients (so that every op
    on them is recorded), integer arrays (ids) as they are. Returns (the
    output Variables, the arrays fn received)."""
    given = {name: np.asarray(a) for name, a in inputs.items()}
    args = {name: Variable(a, requires_grad=True) if a.dtype.kind == "f" else a
            for name, a in given.items()}
    with using_config("enable_backprop", True), eval_mode(), unrolled():
        outputs = fn(**args)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    for k, y in enumerate(outputs):
        if not isinstance(y, Variable):
            raise ExportError(f"ONNX export: output {k} of the traced function is a "
                              f"{type(y).__name__}, not a Variable")
    return outputs, given


def _value_info(name, array, symbols=None):
    """A graph input/output typed like ``array``; ``symbols`` ({axis: name})
    makes those axes dynamic."""
    from onnx import helper
    shape = [(symbols or {}).get(axis, size) for axis, size in enumerate(array.shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(array.dtype),
                                         shape)


def set_metadata(model, metadata):
    """Store ``metadata`` ({key: JSON-able value}) in the model's
    ``metadata_props``, every value as JSON (a string too, quoted), so that
    ``json.loads`` reads each back; ONNX Runtime gives them as
    ``session.get_modelmeta().custom_metadata_map``."""
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value, ensure_ascii=False)
    return model


def _per_batch_row(array, batch):
    """A constant that is one row repeated for each of the ``batch`` items."""
    return (array.ndim >= 1 and array.shape[0] == batch and batch > 0
            and bool((array == array[:1]).all()))


def finish_model(g, graph_name, inputs, outputs, metadata=None):
    """The checked ModelProto of ``g``'s nodes; ``inputs``/``outputs``: value
    infos (``_value_info``)."""
    import onnx
    graph = onnx.helper.make_graph(g.nodes, graph_name, inputs, outputs, g.initializers)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="autograd_nlp")
    model.ir_version = min(model.ir_version, 8)      # what ONNX Runtime of opset 17 reads
    if metadata:
        set_metadata(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def export_onnx(fn, inputs, output_names, param_names=None, graph_name="autograd_nlp",
                dynamic_batch=False, metadata=None):
    """Trace ``fn(**inputs)`` once and translate its graph: returns an
    onnx.ModelProto (checked) whose inputs are named like ``inputs`` (a dict of
    example arrays; integer ids may be int32 or int64, the graph takes that
    type) and whose outputs are ``output_names``. ``param_names``
    ({id(Parameter): name}, e.g. from ``Module.named_params``) names the
    initializers. ``dynamic_batch``: axis 0 of every input and output is
    "batch", any size (see the module's docstring). ``metadata``: see
    ``set_metadata``. An op without a translation raises UnsupportedOpError."""
    outputs, given = trace(fn, inputs)
    if len(output_names) != len(outputs):
        raise ExportError(f"ONNX export: the traced function returned {len(outputs)} "
                          f"outputs but {len(output_names)} names were given: {output_names}")
    g = GraphBuilder()
    input_of = {id(a): name for name, a in given.items()}
    param_names = param_names or {}
    names = {}              # id(Variable) -> ONNX value name
    batch = None
    if dynamic_batch:
        first = next(iter(given))
        batch = given[first].shape[0]
        sizes = {name: a.shape[0] if a.ndim else None for name, a in given.items()}
        if any(size != batch for size in sizes.values()):
            raise ExportError(f"ONNX export: dynamic_batch needs every input's axis 0 to be "
                              f"the batch, but the example inputs have {sizes}")

    def constant(v):
        if batch is not None and _per_batch_row(v.data, batch):
            row = g.const(v.data[:1], v.name or "row")          # (1, ...) -> (batch, ...)
            shape = g.node("Concat", [g.dim(first, 0), g.ints([1] * (v.ndim - 1))], axis=0)
            return g.node("Expand", [row, shape])
        return g.const(v.data, v.name or "const")

    def name_of(v):
        key = id(v)
        if key not in names:
            if v.creator is not None:
                raise ExportError("ONNX export: internal error, a value was used before "
                                  "the node producing it")
            if id(v.data) in input_of:
                names[key] = input_of[id(v.data)]
            elif isinstance(v, Parameter):
                names[key] = g.param(v, param_names.get(key) or g.fresh("param"))
            else:
                names[key] = constant(v)
        return names[key]

    for f in reversed(list(walk_graph(outputs))):
        translate = TRANSLATIONS.get(type(f))
        if translate is None:
            raise UnsupportedOpError(
                f"ONNX export: no translation for the op {type(f).__name__}; supported: "
                f"{', '.join(supported_ops())}. Add one to TRANSLATIONS in "
                f"autograd_nlp/export/onnx.py (a Transformer's attention is exported "
                f"layer by layer: export/onnx_transformer.py)")
        xs = [name_of(x) for x in f.inputs]
        ys = [g.fresh(type(f).__name__) for _ in f.outputs]
        for ref, y in zip(f.outputs, ys):
            if ref() is not None:
                names[id(ref())] = y
        translate(g, f, xs, ys)
    for v, name in zip(outputs, output_names):
        g.node("Identity", [name_of(v)], [name])
    symbols = {0: BATCH} if dynamic_batch else None
    return finish_model(g, graph_name, [_value_info(n, a, symbols) for n, a in given.items()],
                        [_value_info(n, v.data, symbols) for n, v in zip(output_names, outputs)],
                        metadata)

"""The engine: Variable, Parameter, Function and the backward walk.

A forward pass records a graph of Functions as it runs (define-by-run). Each
Function keeps strong references to its inputs and weak references to its
outputs, so a graph is freed by reference counting as soon as the last output
goes out of scope. ``Variable.backward`` walks the graph with a heap keyed by
generation, so its cost is linear in the number of nodes.

Switches (``no_grad``, ``eval_mode``...) live in ``config.py``, NaN hunting in
``anomaly.py``, graph statistics in ``inspection.py``; their public names are
re-exported here as before.
"""
import collections
import heapq
import itertools
import weakref

import numpy as np

from autograd_nlp import backend as _backend
from autograd_nlp.anomaly import (changed_saved_array, check_forward,  # noqa: F401
                                  checked_backward, detect_anomaly, op_name,
                                  record_creation_site, record_saved_arrays)
from autograd_nlp.config import (Config, default_dtype, enable_grad, eval_mode,  # noqa: F401
                                 no_grad, scope, train_mode, using_config)


class ShapeError(ValueError):
    """Inputs of an op have shapes it cannot combine; the message names both."""


# ----------------------------------------------------------------------------
# Variable
# ----------------------------------------------------------------------------
def as_array(x, dtype=None):
    """Wrap NumPy scalars and Python numbers as ndarrays (optionally cast);
    arrays (NumPy or a device's, e.g. CuPy) stay where they are."""
    if isinstance(x, np.ndarray) or _backend.is_device_array(x):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return np.asarray(x, dtype=dtype)


class Variable:
    """A node of the graph: an ndarray ``data``, its gradient ``grad`` (a
    Variable, or None) and the Function that made it (``creator``).

    Float Variables require gradients by default; integer and boolean ones
    (token ids, masks) never do.
    """

    __slots__ = ("data", "name", "grad", "creator", "generation",
                 "requires_grad", "cut", "version", "__weakref__")
    __array_ufunc__ = None   # make ``ndarray + Variable`` call Variable.__radd__

    def __init__(self, data, name=None, requires_grad=None):
        if isinstance(data, Variable):
            raise TypeError("Variable(...) got a Variable; use .data or .detach()")
        if not isinstance(data, np.ndarray) and not _backend.is_device_array(data):
            data = np.asarray(data)
        floating = data.dtype.kind == "f"
        if requires_grad is None:
            requires_grad = floating
        elif requires_grad and not floating:
            raise TypeError(
                f"Variable {name or ''} has dtype {data.dtype}; only floating "
                f"arrays can require gradients. Convert it first, e.g. "
                f"Variable(x.astype(np.float32)), or pass requires_grad=False.")
        _fill(self, data, name, requires_grad)

    # --- array-like attributes ---------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    @property
    def device(self):
        """Name of the device holding ``data``: "cpu", "cuda"..."""
        return _backend.device_of(self.data)

    def to(self, device):
        """This Variable on ``device`` ("cpu", "cuda"): itself if it is
        already there, else a new leaf with a copy of the data (like
        PyTorch's ``tensor.to``; ``Module.to`` moves parameters in place)."""
        data = _backend.to_device(self.data, device)
        if data is self.data:
            return self
        return Variable(data, name=self.name, requires_grad=self.requires_grad)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * 9)
        name = f", name={self.name!r}" if self.name else ""
        return f"variable({body}{name})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In a Jupyter notebook: the text above, and the graph behind this
        Variable as a picture (see autograd_nlp/notebook_display.py)."""
        from autograd_nlp import notebook_display
        return notebook_display.variable_mimebundle(self, include, exclude)

    # --- graph ---------------------------------------------------------------
    def cleargrad(self):
        """Forget the accumulated gradient (``zero_grad`` in PyTorch)."""
        self.grad = None

    def detach(self):
        """A new Variable with the same data and no history (PyTorch's
        ``detach``); drawn as a cut in graph pictures."""
        v = Variable(self.data, name=self.name, requires_grad=self.requires_grad)
        v.cut = op_name(self.creator) if self.creator is not None else self.cut
        return v

    def unchain(self):
        """Cut this Variable from its creator, keeping its value."""
        if self.creator is not None:
            self.cut = op_name(self.creator)
            self.creator = None

    def unchain_backward(self):
        """Cut every Variable behind this one from its creator, so the graph
        that made it is freed (the book's name; in PyTorch you would
        ``detach`` the state instead)."""
        for f in walk_graph([self], order="breadth"):
            for x in f.inputs:
                x.unchain()

    def backward(self, retain_grad=False, create_graph=False, grad=None, leaf_done=None):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf.

        ``grad`` is the upstream gradient (default: ones, allowed only for a
        single-element output); ``self.grad`` is never read as one.
        ``retain_grad=True`` also adds this walk's gradient of every
        intermediate result to its ``.grad`` (a report, never the input of a
        later walk). With ``create_graph=True`` the backward pass is itself
        recorded, giving higher-order derivatives. ``leaf_done(leaf)``, if
        given, is called once per leaf of the graph as soon as this walk will
        add nothing more to its ``.grad`` (so that, e.g., distributed.py can
        start sending a parameter's gradient while the walk goes on).
        """
        _run_backward([(self, _seed_gradient(self, grad, "backward()"))],
                      retain_grad, create_graph, leaf_done=leaf_done)

    # --- operators (the ops live in autograd_nlp.functions) -----------------
    def __neg__(self):
        return _math.neg(self)

    def __add__(self, other):
        return _math.add(self, other)

    def __radd__(self, other):
        return _math.add(other, self)

    def __sub__(self, other):
        return _math.sub(self, other)

    def __rsub__(self, other):
        return _math.sub(other, self)

    def __mul__(self, other):
        return _math.mul(self, other)

    def __rmul__(self, other):
        return _math.mul(other, self)

    def __truediv__(self, other):
        return _math.div(self, other)

    def __rtruediv__(self, other):
        return _math.div(other, self)

    def __pow__(self, exponent):
        return _math.pow(self, exponent)

    def __rpow__(self, base):
        return _math.pow(base, self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __getitem__(self, index):
        return _shape.getitem(self, index)

    @property
    def T(self):
        return _shape.transpose(self)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _shape.transpose(self, axes or None)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _shape.reshape(self, shape)

    def sum(self, axis=None, keepdims=False):
        return _reduction.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return _reduction.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return _reduction.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return _reduction.min(self, axis, keepdims)


class Parameter(Variable):
    """A Variable that layers register and optimizers update.

    Floating data is cast to the default dtype (float32; see ``default_dtype``)
    unless ``dtype`` is given, so one model never mixes precisions silently.
    """

    __slots__ = ()

    def __init__(self, data, name=None, dtype=None):
        data = as_array(data)
        if data.dtype.kind != "f":
            raise TypeError(f"Parameter {name or ''} must hold floating data, "
                            f"got dtype {data.dtype}")
        data = data.astype(dtype or Config.default_dtype, copy=False)
        super().__init__(data, name=name, requires_grad=True)

    def __repr__(self):
        return "parameter" + super().__repr__()[8:]


def as_variable(x, like=None):
    """Return ``x`` as a Variable; arrays and numbers become constants.

    A Python number takes the dtype of ``like`` (an ndarray) so that
    ``float32_variable * 2.0`` stays float32.
    """
    if isinstance(x, Variable):
        return x
    if like is not None and isinstance(x, (int, float)) and type(x) is not bool \
            and like.dtype.kind == "f":                   # the hot path: y * 0.5
        key = (x, like.dtype)
        constant = _constants.get(key)
        if constant is None:
            constant = _new_variable(np.asarray(x, dtype=like.dtype), False)
            if x and len(_constants) < 1024:    # not 0: -0.0 == 0.0 would share a key
                _constants[key] = constant
        return constant
    return Variable(as_array(x), requires_grad=False)


# Python numbers met in arithmetic (``y * 0.5``), as constant Variables, one per
# (value, dtype): they never require gradients, so graphs may share them, and
# wrapping a number then costs a dict lookup instead of an array and a Variable.
_constants = {}


def _fill(v, data, name, requires_grad):
    """Set every field of a fresh Variable (the one place that lists them)."""
    v.data = data
    v.name = name
    v.grad = None
    v.creator = None
    v.generation = 0
    v.requires_grad = requires_grad
    v.cut = None   # name of the op this Variable was cut from, if any
    v.version = 0  # edit clock at its last in-place edit (see bump_version)


def _new_variable(data, requires_grad):
    """Fast constructor for op outputs (no validation: ops return arrays).
    The fields are ``_fill``'s, set inline: this runs once per op output."""
    if type(data) is not _ndarray and not _backend.is_device_array(data):
        data = np.asarray(data)
    v = _object_new(Variable)
    v.data = data
    v.name = v.grad = v.creator = v.cut = None
    v.generation = v.version = 0
    v.requires_grad = requires_grad
    return v


_object_new = object.__new__
_ndarray = np.ndarray
_weakref = weakref.ref


# ----------------------------------------------------------------------------
# In-place edits
# ----------------------------------------------------------------------------
_edit_clock = 0     # ticks once per in-place edit announced to bump_version


def bump_version(*variables):
    """Announce that the arrays of ``variables`` were changed in place (their
    ``.data`` written into or replaced): each gets a new, higher ``version``.

    Every in-place path of the library calls it (optimizer steps,
    ``Module.load_state_dict``...); call it after your own edits of ``.data``.
    A Function records the clock when it saves its inputs (``saved_at``);
    backward refuses to run through one that saved a Variable edited since,
    because its gradient would be computed from the new values (PyTorch's
    version counters; see docs/engine.md, "In-place edits and backward").
    """
    global _edit_clock
    if not variables:
        return
    _edit_clock += 1
    for v in variables:
        v.version = _edit_clock


def check_saved_arrays(outputs, anomaly=False):
    """Raise a RuntimeError naming the op and the Variable if a Function
    behind ``outputs`` kept a Variable (an input, or a live output) that was
    changed in place after the Function ran: a ``version`` above its
    ``saved_at`` (an edit announced by ``bump_version``), or, with
    ``anomaly``, an array whose checksum changed (a raw ``.data`` edit,
    see ``anomaly.record_saved_arrays``). The backward walk calls it once,
    before a gradient is computed from such a Function. Of several changed
    Variables it names the earliest made (the one edited, rather than a view
    of it that another op keeps)."""
    found = []
    for f in walk_graph(outputs, order="breadth"):
        saved_at = f.saved_at
        for i, x in enumerate(f.inputs):
            if x.version > saved_at:
                found.append((f, f"input {i}", x, _BY_OUR_PATHS))
        for i, ref in enumerate(f.outputs):
            y = ref()
            if y is not None and y.version > saved_at:
                found.append((f, f"output {i}", y, _BY_OUR_PATHS))
        if anomaly:
            changed = changed_saved_array(f)
            if changed is not None:
                found.append((f, *changed))
    if found:
        raise _modified_error(*min(found, key=lambda item: item[2].generation))


_BY_OUR_PATHS = ("was changed in place after {op} ran (an optimizer step, "
                 "load_state_dict, or another bump_version)")


def _modified_error(f, what, v, how):
    """The error of ``check_saved_arrays``: the op, the Variable, what to do."""
    op = op_name(f)
    kind = type(v).__name__
    who = f"{kind} {v.name!r}" if v.name else f"an unnamed {kind}"
    return RuntimeError(
        f"backward: a Variable needed for gradient computation was modified in "
        f"place: {op} saved its {what}, {who} of shape {v.shape}, which "
        f"{how.format(op=op)}, so the gradient would be computed from the new "
        f"values. Call backward() before changing it (forward, backward, "
        f"optimizer.update(), then forward again), or give {op} a copy "
        f"(ag.Variable(x.data.copy())) if you change the original before backward.")


# ----------------------------------------------------------------------------
# Function
# ----------------------------------------------------------------------------
class Function:
    """A differentiable op. Subclasses implement

    * ``forward(*arrays) -> array or tuple of arrays`` on ndarrays, and
    * ``backward(*grad_outputs) -> Variable or tuple`` on Variables, written with
      differentiable ops so that ``create_graph=True`` works. Return None for
      an input that has no gradient. A gradient may have the broadcast shape or
      another float dtype than the input: the engine reduces it to the input's
      shape (``sum_to``) and casts it to the input's dtype.

    Inputs are in ``self.inputs`` (Variables); outputs in ``self.outputs``
    (weak references). Unused outputs reach ``backward`` as None.
    """

    def __call__(self, *inputs):
        xs = []
        wants_grad = False
        for x in inputs:                    # one pass: arrays, and whether to record
            if type(x) is not Variable and not isinstance(x, Variable):
                like = next((x.data for x in inputs if isinstance(x, Variable)), None)
                return self(*[as_variable(x, like) for x in inputs])  # numbers, arrays
            xs.append(x.data)
            if x.requires_grad:
                wants_grad = True
        if len(xs) > 1:
            kind = type(xs[0])
            for a in xs:
                if type(a) is not kind:     # rare: arrays of two types meet
                    xs = _same_device(self, inputs, xs)
                    break
        try:
            ys = self.forward(*xs)
        except ValueError as e:
            if isinstance(e, ShapeError):
                raise
            shapes = ", ".join(str(x.shape) for x in inputs)
            raise ShapeError(f"{op_name(self)}: {e} (input shapes: {shapes})") from e
        if Config.detect_anomaly:
            check_forward(self, [x.data for x in inputs],
                          ys if type(ys) is tuple else (ys,))
        record = wants_grad and Config.enable_backprop
        if type(ys) is not tuple:           # the common single-output case
            result = _new_variable(ys, record)
            if not record:
                return result
            outputs = (result,)
            refs = (_weakref(result),)
        else:
            outputs = result = [_new_variable(y, record) for y in ys]
            if not record:
                return result
            refs = tuple([_weakref(y) for y in outputs])
        generation = 0                      # link this Function into the graph
        for x in inputs:
            if x.generation > generation:
                generation = x.generation
        self.generation = generation
        generation += 1
        for y in outputs:
            y.creator = self
            y.generation = generation
        self.inputs = inputs
        self.outputs = refs
        self.saved_at = _edit_clock         # backward checks no saved array changed since
        if Config.scope is not None or Config.detect_anomaly:
            self._annotate()
        return result

    def _annotate(self):
        """Graph-picture scope and creation order; anomaly mode's call site
        and checksums of the arrays this Function keeps."""
        if Config.scope is not None:
            self.scope = Config.scope
            self.order = next(_creation_order)
        if Config.detect_anomaly:
            record_creation_site(self)
            record_saved_arrays(self)

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, *gys):
        raise NotImplementedError(f"{op_name(self)} has no backward")


def _same_device(func, inputs, xs):
    """``xs`` ready for one device, or a DeviceError naming both devices.
    A 0-d NumPy constant (a Python number wrapped by ``as_variable``) may
    join a device array, as a NumPy scalar, which CuPy takes as a kernel
    argument (PyTorch also lets 0-d CPU tensors meet CUDA tensors)."""
    devices = [_backend.device_of(a) for a in xs]
    others = {d for d in devices if d != "cpu"}
    if not others:
        return xs                           # NumPy arrays of several subclasses
    if len(others) == 1:
        out = list(xs)
        for i, (a, d) in enumerate(zip(xs, devices)):
            if d == "cpu":
                if np.ndim(a) == 0 and not inputs[i].requires_grad:
                    out[i] = np.asarray(a)[()]
                else:
                    break
        else:
            return out
    raise _backend.describe_mismatch(op_name(func), xs)


class FusedFunction(Function):
    """An op whose backward works on arrays for speed (LSTM step, softmax
    cross-entropy...). Implement ``backward_arrays(*grad_arrays) -> arrays``.
    It is gradient-checked like any op, but it is not twice differentiable:
    ``create_graph=True`` through it raises instead of giving wrong answers.
    """

    def backward(self, *gys):
        if Config.enable_backprop:
            raise NotImplementedError(
                f"{op_name(self)} is a fused op with an array-level backward; it "
                f"is not twice differentiable (create_graph=True is not supported "
                f"through it)")
        gxs = self.backward_arrays(*[None if g is None else g.data for g in gys])
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        return tuple([None if g is None else _new_variable(g, False) for g in gxs])

    def backward_arrays(self, *gys):
        raise NotImplementedError


class Cast(Function):
    """``x`` converted to another float ``dtype``. The engine casts each
    gradient to its Variable's dtype with it (so the cast is differentiable
    under ``create_graph``); its own gradient is cast back the same way."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy


# ----------------------------------------------------------------------------
# Walking the graph
# ----------------------------------------------------------------------------
def walk_graph(outputs, order="generation", max_depth=None):
    """Yield each Function behind the Variables ``outputs`` once (the one
    graph traversal: backward, ``unchain_backward``, ``graph_stats``, pictures).

    order="generation": decreasing generation, so every Function comes after
    all consumers of its outputs (what backward needs; a heap, linear time).
    order="breadth": nearest first; ``max_depth`` then leaves out Functions
    more than that many steps from the outputs (their creators count as 1).
    A Function's inputs are followed before it is yielded, so the caller may
    cut them (``unchain``) while iterating.
    """
    if order not in ("generation", "breadth"):
        raise ValueError(f"walk_graph: order must be 'generation' or 'breadth', "
                         f"got {order!r}")
    roots = []
    depth = {}
    for y in outputs:
        c = y.creator
        if c is not None and id(c) not in depth:
            depth[id(c)] = 1
            roots.append(c)
    if order == "generation":
        return _by_generation(roots)
    return _by_breadth(roots, depth, max_depth)


def _by_breadth(roots, depth, max_depth):
    """``walk_graph``'s breadth-first order (``depth``: id -> distance)."""
    queue = collections.deque(roots)
    while queue:
        f = queue.popleft()
        d = depth[id(f)]
        if max_depth is None or d < max_depth:
            for x in f.inputs:
                c = x.creator
                if c is not None and id(c) not in depth:
                    depth[id(c)] = d + 1
                    queue.append(c)
        yield f


def _by_generation(roots):
    """``walk_graph``'s generation order: a heap keyed by -generation (ties in
    insertion order) and a set of the Functions already queued."""
    heap = [(-f.generation, i, f) for i, f in enumerate(roots)]
    heapq.heapify(heap)
    queued = {id(f) for f in roots}
    push, pop, queue = heapq.heappush, heapq.heappop, queued.add
    counter = len(heap)
    while heap:
        f = pop(heap)[2]
        for x in f.inputs:
            c = x.creator
            if c is not None and id(c) not in queued:
                queue(id(c))
                push(heap, (-c.generation, counter, c))
                counter += 1
        yield f


# ----------------------------------------------------------------------------
# The backward walk
# ----------------------------------------------------------------------------
def _seed_gradient(y, grad, caller):
    """The upstream gradient a walk starts from at ``y``: ``grad`` as a
    Variable of y's shape, or ones for a single-element ``y``."""
    if y.creator is None and not y.requires_grad:
        raise RuntimeError(
            f"{caller}: this Variable of shape {y.shape} has no graph and does not "
            f"require gradients, so there is nothing to differentiate. Most likely it "
            f"was computed inside ag.no_grad() (or only from constants); compute it "
            f"outside no_grad() from Variables that require gradients.")
    if grad is not None:
        seed = grad if isinstance(grad, Variable) else Variable(
            _backend.to_device(as_array(grad, y.data.dtype), _backend.device_of(y.data)),
            requires_grad=False)
    elif y.data.size != 1:
        raise ValueError(
            f"{caller} on a non-scalar output of shape {y.shape} needs an explicit "
            f"gradient: call y.backward(grad=...) with an array of that shape, or "
            f"reduce y first (y.sum()).")
    else:
        seed = Variable(_backend.get_array_module(y.data).ones_like(y.data),
                        requires_grad=False)
    if seed.shape != y.data.shape:
        raise ShapeError(f"{caller}: gradient shape {seed.shape} does not match "
                         f"output shape {y.shape}")
    return seed


def _run_backward(seeds, retain_grad, create_graph, wanted=None, leaf_done=None):
    """Propagate gradients from ``seeds`` ((Variable, gradient) pairs) back
    through the graph, visiting each Function once in decreasing generation.

    Gradients flow through a private map, never through ``.grad``: with
    ``wanted`` None they are added to the ``.grad`` of every leaf (and, with
    ``retain_grad``, reported in each intermediate's ``.grad``); with
    ``wanted`` (ids of Variables, for ``grad``) no ``.grad`` is touched and
    the map, holding the wanted gradients, is returned. ``leaf_done``: see
    ``_announcing_leaves`` (None costs nothing).
    """
    flowing = {}      # id(Variable) -> its gradient so far in this walk
    owned = set()     # ids whose gradient array this walk allocated itself
    keep = wanted or ()
    anomaly = Config.detect_anomaly
    edits = _edit_clock
    roots = [y for y, _ in seeds]

    def deliver(x, gx):
        data, gdata = x.data, gx.data
        if gdata.shape != data.shape:
            gx = _shape.sum_to(gx, data.shape)
        if gdata.dtype is not data.dtype and gdata.dtype != data.dtype:
            gx = Cast(data.dtype)(gx)
        key = id(x)
        if x.creator is None:
            if wanted is not None:
                if key not in wanted:
                    return
            else:                           # a leaf: gradients accumulate in .grad
                if x.grad is None:
                    x.grad = gx             # may be shared: never modified in place
                elif key in owned:
                    x.grad.data += gx.data  # our own sum from an earlier step
                elif create_graph:
                    x.grad = x.grad + gx    # recorded, so differentiable
                else:                       # a new array, ours to add into later
                    x.grad = _new_variable(x.grad.data + gx.data, False)
                    owned.add(key)
                return
        old = flowing.get(key)
        if old is None:
            flowing[key] = gx
        elif key in owned:
            old.data += gx.data
        elif create_graph:
            flowing[key] = old + gx
        else:
            flowing[key] = _new_variable(old.data + gx.data, False)
            owned.add(key)

    with using_config("enable_backprop", create_graph):
        for y, seed in seeds:
            deliver(y, seed)
        verified = anomaly                  # raw .data edits: checksums, before anything
        if anomaly:
            check_saved_arrays(roots, anomaly)
        functions = walk_graph(roots)
        if leaf_done is not None:
            functions = _announcing_leaves(functions, leaf_done)
        for f in functions:
            if f.saved_at != edits and not verified:   # something was edited since f ran:
                check_saved_arrays(roots)              # the whole graph, before f's gradient
                verified = True
            outputs = f.outputs
            if len(outputs) == 1:           # the common case, without the lists
                y = outputs[0]()
                if y is None:
                    continue
                key = id(y)
                g = flowing.get(key) if key in keep else flowing.pop(key, None)
                if g is None:
                    continue                # reachable, but no gradient flows here
                if retain_grad:
                    y.grad = g if y.grad is None else y.grad + g
                gxs = checked_backward(f, [g]) if anomaly else f.backward(g)
            else:
                gys = []
                for ref in outputs:
                    y = ref()
                    g = None
                    if y is not None:
                        key = id(y)
                        g = flowing.get(key) if key in keep else flowing.pop(key, None)
                        if g is not None and retain_grad:
                            y.grad = g if y.grad is None else y.grad + g
                    gys.append(g)
                if all(g is None for g in gys):
                    continue
                gxs = checked_backward(f, gys) if anomaly else f.backward(*gys)
            if type(gxs) is not tuple:
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if gx is not None and x.requires_grad:
                    deliver(x, gx)
    return flowing


def _announcing_leaves(functions, leaf_done):
    """``functions`` (the walk's order), calling ``leaf_done(leaf)`` for each
    leaf (a Variable without creator that requires a gradient) right after
    the walk has handled the last Function that takes it as an input: from
    then on its ``.grad`` is final for this walk (None if no gradient reached
    it). A pre-pass counts each leaf's consuming Functions; the count drops
    when the walk asks for the Function after one (also after a Function it
    skipped, through which no gradient flowed)."""
    functions = list(functions)
    pending = collections.Counter(id(x) for f in functions for x in f.inputs
                                  if x.creator is None and x.requires_grad)
    for f in functions:
        yield f
        for x in f.inputs:
            if x.creator is None and x.requires_grad:
                key = id(x)
                pending[key] -= 1
                if pending[key] == 0:
                    leaf_done(x)


def grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """Gradients of ``outputs`` with respect to ``inputs`` (like
    ``torch.autograd.grad``), returned as a list (None where an input does not
    influence the outputs). Inputs may be leaves or intermediate results; no
    ``.grad`` anywhere is read or changed.
    """
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(outputs)} outputs but {len(grad_outputs)} "
                         f"grad_outputs; give one upstream gradient (or None) per output")
    seeds = [(y, _seed_gradient(y, g, "grad()")) for y, g in zip(outputs, grad_outputs)]
    wanted = {id(x) for x in inputs}
    flowing = _run_backward(seeds, False, create_graph, wanted)
    return [flowing.get(id(x)) for x in inputs]


_creation_order = itertools.count()

# The operators above call into the op modules, which themselves need
# Variable and Function: import them last. graph_stats and
# live_function_count (inspection.py) are re-exported here as before.
from autograd_nlp.functions import math as _math  # noqa: E402
from autograd_nlp.functions import shape as _shape  # noqa: E402
from autograd_nlp.functions import reduction as _reduction  # noqa: E402
from autograd_nlp.functions import linalg as _linalg  # noqa: E402
from autograd_nlp.inspection import graph_stats, live_function_count  # noqa: E402,F401

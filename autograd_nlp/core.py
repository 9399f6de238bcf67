"""The engine: Variable, Parameter, Function, the backward walk, and global config.

A forward pass records a graph of Functions as it runs (define-by-run). Each
Function keeps strong references to its inputs and weak references to its
outputs, so a graph is freed by reference counting as soon as the last output
goes out of scope. ``Variable.backward`` walks the graph with a heap keyed by
generation, so its cost is linear in the number of nodes.
"""
import contextlib
import heapq
import itertools
import traceback
import weakref

import numpy as np


# ----------------------------------------------------------------------------
# Configuration
# ----------------------------------------------------------------------------
class Config:
    """Process-wide switches; change them through the context managers below."""

    enable_backprop = True   # record graphs (off inside no_grad)
    train = True             # dropout active (off inside eval_mode)
    detect_anomaly = False   # check every forward/backward output for NaN/Inf
    default_dtype = np.float32
    scope = None             # name of the current graph scope (for pictures)


@contextlib.contextmanager
def using_config(name, value):
    """Temporarily set ``Config.<name>`` to ``value``."""
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def no_grad():
    """Record no graph inside the block (like ``torch.no_grad``)."""
    return using_config("enable_backprop", False)


def enable_grad():
    """Record graphs again inside a ``no_grad`` block."""
    return using_config("enable_backprop", True)


def eval_mode():
    """Evaluation mode: dropout is the identity inside the block."""
    return using_config("train", False)


def train_mode():
    """Training mode (the default): dropout is active inside the block."""
    return using_config("train", True)


def detect_anomaly():
    """Raise ``FloatingPointError`` naming the first Function whose forward or
    backward produced NaN/Inf, with the line of user code that created it."""
    return using_config("detect_anomaly", True)


def default_dtype(dtype):
    """Parameters created inside the block use ``dtype`` (float32 outside)."""
    return using_config("default_dtype", np.dtype(dtype).type)


@contextlib.contextmanager
def scope(name):
    """Tag the Functions created inside the block with ``name`` (nested
    scopes join with "/"). Graph pictures draw each scope as a cluster and
    can fold identical ones, e.g. the time steps of an unrolled RNN."""
    old = Config.scope
    Config.scope = name if old is None else f"{old}/{name}"
    try:
        yield
    finally:
        Config.scope = old


class ShapeError(ValueError):
    """Inputs of an op have shapes it cannot combine; the message names both."""


# ----------------------------------------------------------------------------
# Variable
# ----------------------------------------------------------------------------
def as_array(x, dtype=None):
    """Wrap NumPy scalars and Python numbers as ndarrays (optionally cast)."""
    if isinstance(x, np.ndarray):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return np.asarray(x, dtype=dtype)


class Variable:
    """A node of the graph: an ndarray ``data``, its gradient ``grad`` (a
    Variable, or None) and the Function that made it (``creator``).

    Float Variables require gradients by default; integer and boolean ones
    (token ids, masks) never do.
    """

    __slots__ = ("data", "name", "grad", "creator", "generation",
                 "requires_grad", "cut", "__weakref__")
    __array_ufunc__ = None   # make ``ndarray + Variable`` call Variable.__radd__

    def __init__(self, data, name=None, requires_grad=None):
        if isinstance(data, Variable):
            raise TypeError("Variable(...) got a Variable; use .data or .detach()")
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
        floating = data.dtype.kind == "f"
        if requires_grad is None:
            requires_grad = floating
        elif requires_grad and not floating:
            raise TypeError(
                f"Variable {name or ''} has dtype {data.dtype}; only floating "
                f"arrays can require gradients. Convert it first, e.g. "
                f"Variable(x.astype(np.float32)), or pass requires_grad=False.")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0
        self.requires_grad = requires_grad
        self.cut = None   # name of the op this Variable was cut from, if any

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

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * 9)
        name = f", name={self.name!r}" if self.name else ""
        return f"variable({body}{name})"

    # --- graph ---------------------------------------------------------------
    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        """Forget the accumulated gradient (``zero_grad`` in PyTorch)."""
        self.grad = None

    def detach(self):
        """A new Variable with the same data and no history (PyTorch's
        ``detach``); drawn as a cut in graph pictures."""
        v = Variable(self.data, name=self.name, requires_grad=self.requires_grad)
        v.cut = _op_name(self.creator) if self.creator is not None else self.cut
        return v

    def unchain(self):
        """Cut this Variable from its creator, keeping its value."""
        if self.creator is not None:
            self.cut = _op_name(self.creator)
            self.creator = None

    def unchain_backward(self):
        """Cut every Variable behind this one from its creator, so the graph
        that made it is freed (the book's name; in PyTorch you would
        ``detach`` the state instead)."""
        if self.creator is None:
            return
        seen = {id(self.creator)}
        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            for x in f.inputs:
                if x.creator is not None:
                    if id(x.creator) not in seen:
                        seen.add(id(x.creator))
                        funcs.append(x.creator)
                    x.unchain()

    def backward(self, retain_grad=False, create_graph=False, grad=None):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf.

        ``grad`` is the upstream gradient (default: ones, allowed only for a
        single-element output). With ``create_graph=True`` the backward pass is
        itself recorded, giving higher-order derivatives.
        """
        if grad is not None:
            self.grad = grad if isinstance(grad, Variable) else \
                Variable(as_array(grad, self.data.dtype), requires_grad=False)
        elif self.grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a non-scalar output of shape {self.shape} "
                    f"needs an explicit gradient: call y.backward(grad=...) with "
                    f"an array of that shape, or reduce y first (y.sum()).")
            self.grad = Variable(np.ones_like(self.data), requires_grad=False)
        if self.grad.shape != self.data.shape:
            raise ShapeError(f"backward(): gradient shape {self.grad.shape} does "
                             f"not match output shape {self.shape}")
        if self.creator is not None:
            _run_backward(self.creator, retain_grad, create_graph)

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
    if like is not None and isinstance(x, (int, float)) and not isinstance(x, bool) \
            and like.dtype.kind == "f":
        return Variable(np.asarray(x, dtype=like.dtype), requires_grad=False)
    return Variable(as_array(x), requires_grad=False)


def _new_variable(data, requires_grad):
    """Fast constructor for op outputs (no validation: ops return arrays)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    v = _object_new(Variable)
    v.data = data
    v.name = None
    v.grad = None
    v.creator = None
    v.generation = 0
    v.requires_grad = requires_grad
    v.cut = None
    return v


_object_new = object.__new__
_creation_order = itertools.count()


# ----------------------------------------------------------------------------
# Function
# ----------------------------------------------------------------------------
def _op_name(func):
    return type(func).__name__


class Function:
    """A differentiable op. Subclasses implement

    * ``forward(*arrays) -> array or tuple of arrays`` on ndarrays, and
    * ``backward(*grad_outputs) -> Variable or tuple`` on Variables, written with
      differentiable ops so that ``create_graph=True`` works. Return None for
      an input that has no gradient. A gradient may have the broadcast shape of
      the output: the engine reduces it to the input's shape (``sum_to``).

    Inputs are in ``self.inputs`` (Variables); outputs in ``self.outputs``
    (weak references). Unused outputs reach ``backward`` as None.
    """

    twice_differentiable = True

    def __call__(self, *inputs):
        for x in inputs:
            if not isinstance(x, Variable):
                like = next((x.data for x in inputs if isinstance(x, Variable)), None)
                inputs = [as_variable(x, like) for x in inputs]
                break
        try:
            ys = self.forward(*[x.data for x in inputs])
        except ValueError as e:
            if isinstance(e, ShapeError):
                raise
            shapes = ", ".join(str(x.shape) for x in inputs)
            raise ShapeError(f"{_op_name(self)}: {e} (input shapes: {shapes})") from e
        if Config.detect_anomaly:
            _check_finite(self, ys if type(ys) is tuple else (ys,), "forward")
        record = False
        if Config.enable_backprop:
            for x in inputs:
                if x.requires_grad:
                    record = True
                    break
        if type(ys) is not tuple:       # the common single-output case
            y = _new_variable(ys, record)
            if record:
                self._record(inputs, (y,))
            return y
        outputs = [_new_variable(y, record) for y in ys]
        if record:
            self._record(inputs, outputs)
        return outputs

    def _record(self, inputs, outputs):
        """Link this Function into the graph between inputs and outputs."""
        generation = 0
        for x in inputs:
            if x.generation > generation:
                generation = x.generation
        self.generation = generation
        for y in outputs:
            y.creator = self
            y.generation = generation + 1
        self.inputs = inputs
        self.outputs = [weakref.ref(y) for y in outputs]
        if Config.scope is not None:
            self.scope = Config.scope
            self.order = next(_creation_order)
        if Config.detect_anomaly:
            self.created_at = "".join(traceback.format_stack(limit=9)[:-2])

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, *gys):
        raise NotImplementedError(f"{_op_name(self)} has no backward")


class FusedFunction(Function):
    """An op whose backward works on arrays for speed (LSTM step, softmax
    cross-entropy...). Implement ``backward_arrays(*grad_arrays) -> arrays``.
    It is gradient-checked like any op, but it is not twice differentiable:
    ``create_graph=True`` through it raises instead of giving wrong answers.
    """

    twice_differentiable = False

    def backward(self, *gys):
        if Config.enable_backprop:
            raise NotImplementedError(
                f"{_op_name(self)} is a fused op with an array-level backward; it "
                f"is not twice differentiable (create_graph=True is not supported "
                f"through it)")
        gxs = self.backward_arrays(*[None if g is None else g.data for g in gys])
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        return tuple(None if g is None else Variable(g, requires_grad=False)
                     for g in gxs)

    def backward_arrays(self, *gys):
        raise NotImplementedError


def _check_finite(func, arrays, phase):
    for i, a in enumerate(arrays):
        if a is None:
            continue
        a = a.data if isinstance(a, Variable) else a
        if a.dtype.kind in "fc" and not np.isfinite(a).all():
            where = getattr(func, "created_at", "")
            where = f"\nThe op was created at:\n{where}" if where else ""
            raise FloatingPointError(
                f"detect_anomaly: {_op_name(func)}.{phase} produced NaN/Inf in "
                f"{'output' if phase == 'forward' else 'gradient'} {i} "
                f"(shape {a.shape}){where}")


# ----------------------------------------------------------------------------
# The backward walk
# ----------------------------------------------------------------------------
def _run_backward(root, retain_grad, create_graph):
    """Propagate gradients from ``root``'s outputs to every leaf.

    Functions are visited in decreasing generation order through a heap, so
    each is processed once, after every consumer of its outputs (linear time).
    """
    heap = [(-root.generation, 0, root)]
    seen = {id(root)}
    owned = set()     # Variables whose .grad array this walk allocated itself
    counter = 1
    anomaly = Config.detect_anomaly
    push = heapq.heappush
    pop = heapq.heappop
    with using_config("enable_backprop", create_graph):
        while heap:
            f = pop(heap)[2]
            outputs = [ref() for ref in f.outputs]
            gys = [None if y is None else y.grad for y in outputs]
            if anomaly:
                gxs = _anomaly_checked_backward(f, gys)
            elif len(gys) == 1:
                gxs = f.backward(gys[0])
            else:
                gxs = f.backward(*gys)
            if type(gxs) is not tuple:
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if gx is None or not x.requires_grad:
                    continue
                if gx.data.shape != x.data.shape:
                    gx = _shape.sum_to(gx, x.data.shape)
                if x.grad is None:
                    x.grad = gx                 # may be shared: never modified in place
                elif id(x) in owned:
                    x.grad.data += gx.data      # our own sum from an earlier step
                else:
                    x.grad = x.grad + gx
                    if not create_graph:
                        owned.add(id(x))
                c = x.creator
                if c is not None and id(c) not in seen:
                    seen.add(id(c))
                    push(heap, (-c.generation, counter, c))
                    counter += 1
            if not retain_grad:
                for y in outputs:
                    if y is not None:
                        y.grad = None


def _anomaly_checked_backward(f, gys):
    """Run ``f.backward`` and name ``f`` if it (or an op inside it) made NaN/Inf."""
    try:
        gxs = f.backward(*gys)
    except FloatingPointError as e:
        where = getattr(f, "created_at", "")
        where = f"\nThe op was created at:\n{where}" if where else ""
        raise FloatingPointError(f"detect_anomaly: {_op_name(f)}.backward produced "
                                 f"NaN/Inf (inside it: {e}){where}") from e
    _check_finite(f, gxs if type(gxs) is tuple else (gxs,), "backward")
    return gxs


def grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """Gradients of ``outputs`` with respect to ``inputs`` (like
    ``torch.autograd.grad``), returned as a list; ``.grad`` of the inputs is
    left as it was.
    """
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    saved = [x.grad for x in inputs]
    for x in inputs:
        x.grad = None
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    for y, g in zip(outputs, grad_outputs):
        y.grad = None
        y.backward(retain_grad=False, create_graph=create_graph, grad=g)
    result = [x.grad for x in inputs]
    for x, g in zip(inputs, saved):
        x.grad = g
    return result


# ----------------------------------------------------------------------------
# Graph inspection
# ----------------------------------------------------------------------------
def graph_stats(*outputs):
    """Size of the live graph behind ``outputs``: a dict with ``functions``
    (Function nodes reachable), ``bytes`` (array bytes those nodes hold:
    inputs plus any arrays saved for backward) and ``depth`` (longest chain
    of Functions from an output back to a leaf)."""
    funcs = {}
    stack = [y.creator for y in outputs if y.creator is not None]
    while stack:
        f = stack.pop()
        if id(f) in funcs:
            continue
        funcs[id(f)] = f
        stack.extend(x.creator for x in f.inputs if x.creator is not None)
    arrays = {}
    for f in funcs.values():
        for x in f.inputs:
            arrays[id(x.data)] = x.data
        for v in vars(f).values():
            if isinstance(v, np.ndarray):
                arrays[id(v)] = v
    # depth: longest path, processed in decreasing generation (a topological order)
    depth = {}
    for f in sorted(funcs.values(), key=lambda f: -f.generation):
        d = depth.setdefault(id(f), 1)
        for x in f.inputs:
            c = x.creator
            if c is not None and id(c) in funcs and depth.get(id(c), 0) < d + 1:
                depth[id(c)] = d + 1
    return {"functions": len(funcs),
            "bytes": int(sum(a.nbytes for a in arrays.values())),
            "depth": max(depth.values(), default=0)}


def live_function_count(collect=True):
    """Number of Function objects alive in this process (for leak tests:
    truncated BPTT must keep this bounded). ``collect`` first runs the cycle
    collector so that unreachable garbage is not counted. Costs one pass over
    the objects the collector tracks; nothing is added to the hot path."""
    import gc
    if collect:
        gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Function))


# The operators above call into the op modules, which themselves need
# Variable and Function: import them last.
from autograd_nlp.functions import math as _math  # noqa: E402
from autograd_nlp.functions import shape as _shape  # noqa: E402
from autograd_nlp.functions import reduction as _reduction  # noqa: E402
from autograd_nlp.functions import linalg as _linalg  # noqa: E402

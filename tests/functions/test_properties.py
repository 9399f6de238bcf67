"""Property tests: random shapes, broadcasting pairs, axes and indices for the
elementwise, reduction and shape ops (the registry's fixed cases are in
test_registry.py and test_torch_oracle.py; these draw the cases instead).

Each family has two tests: values against NumPy plus a central-difference
gradcheck (always run), and values and gradients against torch's float64
autograd under a random upstream gradient (skipped without torch). Then
gradient accumulation: one input used several times, repeated fancy indices.

Deterministic (derandomize=True, no example database), a few seconds in all;
``AUTOGRAD_NLP_PROPERTY_EXAMPLES=300 python -m pytest tests/functions/test_properties.py``
searches deeper.
"""
import operator
import os
from dataclasses import dataclass

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="hypothesis is not installed (pip install -e '.[test]')")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import autograd_nlp as ag  # noqa: E402
import autograd_nlp.functions as F  # noqa: E402

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed (pip install torch==2.13.0)")

EXAMPLES = int(os.environ.get("AUTOGRAD_NLP_PROPERTY_EXAMPLES", "10"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
# torch is the second oracle (NumPy values + gradcheck are the first): half the examples
TORCH_PROPERTY = settings(PROPERTY, max_examples=max(1, EXAMPLES // 2))

# --- strategies -------------------------------------------------------------------
# Hypothesis draws the shapes, axes and indices; the values come from a drawn
# seed (drawing every element through hypothesis dominated the run time).
# A value kind maps (rng, shape) to a float64 array.
def uniform(low, high):
    return lambda rng, shape: rng.uniform(low, high, shape)


def grid(low, high, step, offset=0.0):
    """``k * step + offset`` for random integers ``low <= k <= high``."""
    return lambda rng, shape: rng.integers(low, high + 1, shape) * step + offset


def nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 3, shape)


def distinct(rng, shape):
    """Values at least 0.1 apart, so max/min have no ties (no kinks for gradcheck)."""
    size = int(np.prod(shape))
    return (rng.permutation(81)[:size].reshape(shape) - 40) / 10


SMOOTH = uniform(-3, 3)                  # for ops smooth everywhere
POSITIVE = uniform(0.5, 3)               # log, sqrt, pow bases
OFF_KINK = grid(-30, 29, 0.1, 0.05)      # at least 0.05 away from 0 (relu, abs)
EVEN_GRID = grid(-15, 15, 0.2)           # with ODD_GRID: maximum/minimum operands
ODD_GRID = grid(-15, 14, 0.2, 0.1)       # never closer than 0.1
TIED = grid(-1, 1, 1.0)                  # few values: many ties
NUMBERS = st.floats(0.5, 3) | st.floats(-3, -0.5)
SEEDS = st.integers(0, 2**32 - 1)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
BROADCAST_PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    min_side=1, max_side=3)


def arrays(shape, kind=SMOOTH):
    """float64 arrays of ``shape`` with values of the given kind."""
    return SEEDS.map(lambda seed: np.asarray(kind(np.random.default_rng(seed), shape),
                                             dtype=np.float64))


def axes_for(ndim):
    """None, one (possibly negative) axis, or a tuple of distinct axes."""
    if ndim == 0:
        return st.none()
    return st.none() | st.integers(-ndim, ndim - 1) | hnp.valid_tuple_axes(ndim, min_size=1)


# --- assertions -------------------------------------------------------------------
def assert_value_and_gradcheck(fn, inputs, expected):
    """``fn`` (on Variables) gives NumPy's ``expected``, and its gradients,
    shaped like the inputs, match central differences (in float64)."""
    y = fn(*[ag.Variable(a.copy()) for a in inputs])
    assert y.shape == np.shape(expected) and y.dtype == np.float64
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-15)
    assert ag.gradcheck(fn, *inputs)


def assert_matches_torch(fn, torch_fn, inputs, upstream_seed):
    """Value and input gradients of ``fn`` equal torch's (float64) for the
    loss ``sum(y * upstream)`` with a random upstream gradient."""
    xs = [ag.Variable(a.copy()) for a in inputs]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    y, ty = fn(*xs), torch_fn(*ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg="forward value")
    upstream = np.random.default_rng(upstream_seed).standard_normal(y.shape)
    (y * upstream).sum().backward()
    (ty * torch.from_numpy(upstream)).sum().backward()
    for i, (x, t) in enumerate(zip(xs, ts)):
        ours = np.zeros(x.shape) if x.grad is None else x.grad.data
        theirs = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        assert ours.shape == x.shape, f"gradient of input {i} has shape {ours.shape}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12,
                                   err_msg=f"gradient of input {i}")


# --- elementwise binary ops, broadcasting -------------------------------------------
@dataclass
class Binary:
    ours: object
    numpy: object
    left: object       # value kinds of the two operands
    right: object
    torch: str         # name of the torch function


BINARY = {
    "add": Binary(F.add, np.add, SMOOTH, SMOOTH, "add"),
    "sub": Binary(F.sub, np.subtract, SMOOTH, SMOOTH, "sub"),
    "mul": Binary(F.mul, np.multiply, SMOOTH, SMOOTH, "mul"),
    "div": Binary(F.div, np.divide, SMOOTH, nonzero, "div"),
    "pow": Binary(F.pow, np.power, POSITIVE, uniform(-2, 3), "pow"),
    "maximum": Binary(F.maximum, np.maximum, EVEN_GRID, ODD_GRID, "maximum"),
    "minimum": Binary(F.minimum, np.minimum, EVEN_GRID, ODD_GRID, "minimum"),
}


def draw_binary_operands(data, op):
    shapes = data.draw(BROADCAST_PAIRS, label="shapes")
    a = data.draw(arrays(shapes.input_shapes[0], op.left), label="x0")
    b = data.draw(arrays(shapes.input_shapes[1], op.right), label="x1")
    return a, b


@pytest.mark.parametrize("name", BINARY)
@PROPERTY
@given(data=st.data())
def test_binary_op_broadcasts_like_numpy(name, data):
    op = BINARY[name]
    a, b = draw_binary_operands(data, op)
    assert_value_and_gradcheck(op.ours, [a, b], op.numpy(a, b))


@needs_torch
@pytest.mark.parametrize("name", BINARY)
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_binary_op_matches_torch(name, data, seed):
    op = BINARY[name]
    a, b = draw_binary_operands(data, op)
    assert_matches_torch(op.ours, getattr(torch, op.torch), [a, b], seed)


OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul,
             "/": operator.truediv}


@PROPERTY
@given(data=st.data(), symbol=st.sampled_from(sorted(OPERATORS)), number=NUMBERS,
       number_first=st.booleans())
def test_python_number_on_either_side_of_an_operator(data, symbol, number, number_first):
    x = data.draw(arrays(data.draw(SHAPES, label="shape"), nonzero), label="x")
    op = OPERATORS[symbol]

    def fn(v):
        return op(number, v) if number_first else op(v, number)
    assert_value_and_gradcheck(fn, [x], fn(x))


# --- elementwise unary ops ------------------------------------------------------------
@dataclass
class Unary:
    ours: object
    numpy: object
    values: object     # value kind of the operand
    torch: object      # name of a torch function, or a function of one tensor


UNARY = {
    "neg": Unary(F.neg, np.negative, SMOOTH, "neg"),
    "exp": Unary(F.exp, np.exp, SMOOTH, "exp"),
    "log": Unary(F.log, np.log, POSITIVE, "log"),
    "sqrt": Unary(F.sqrt, np.sqrt, POSITIVE, "sqrt"),
    "tanh": Unary(F.tanh, np.tanh, SMOOTH, "tanh"),
    "sin": Unary(F.sin, np.sin, SMOOTH, "sin"),
    "cos": Unary(F.cos, np.cos, SMOOTH, "cos"),
    "sigmoid": Unary(F.sigmoid, lambda a: 1 / (1 + np.exp(-a)), SMOOTH, "sigmoid"),
    "relu": Unary(F.relu, lambda a: np.maximum(a, 0), OFF_KINK, "relu"),
    "abs": Unary(F.abs, np.abs, OFF_KINK, "abs"),
    "clip": Unary(lambda v: F.clip(v, -1.0, 1.0), lambda a: np.clip(a, -1, 1), OFF_KINK,
                  lambda t: torch.clamp(t, -1.0, 1.0)),
}


@pytest.mark.parametrize("name", UNARY)
@PROPERTY
@given(data=st.data())
def test_unary_op_matches_numpy(name, data):
    op = UNARY[name]
    x = data.draw(arrays(data.draw(SHAPES, label="shape"), op.values), label="x")
    assert_value_and_gradcheck(op.ours, [x], op.numpy(x))


@needs_torch
@pytest.mark.parametrize("name", UNARY)
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_unary_op_matches_torch(name, data, seed):
    op = UNARY[name]
    x = data.draw(arrays(data.draw(SHAPES, label="shape"), op.values), label="x")
    torch_fn = getattr(torch, op.torch) if isinstance(op.torch, str) else op.torch
    assert_matches_torch(op.ours, torch_fn, [x], seed)


MATMUL_SHAPES = hnp.mutually_broadcastable_shapes(signature="(m,n),(n,p)->(m,p)",
                                                  max_dims=2, max_side=3)


def draw_matmul_operands(data):
    shapes = data.draw(MATMUL_SHAPES, label="shapes")
    return [data.draw(arrays(s), label=f"x{i}") for i, s in enumerate(shapes.input_shapes)]


@PROPERTY
@given(data=st.data())
def test_matmul_broadcasts_batch_axes_like_numpy(data):
    a, b = draw_matmul_operands(data)
    assert_value_and_gradcheck(F.matmul, [a, b], np.matmul(a, b))


@needs_torch
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_matmul_broadcasts_batch_axes_like_torch(data, seed):
    assert_matches_torch(F.matmul, torch.matmul, draw_matmul_operands(data), seed)


def _softmax(a, axis):
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


AXISWISE = {"softmax": (F.softmax, _softmax, "softmax"),
            "log_softmax": (F.log_softmax, lambda a, axis: np.log(_softmax(a, axis)),
                            "log_softmax")}


def draw_array_and_axis(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    return data.draw(arrays(shape), label="x"), axis


@pytest.mark.parametrize("name", AXISWISE)
@PROPERTY
@given(data=st.data())
def test_softmax_family_over_a_random_axis(name, data):
    ours, reference, _ = AXISWISE[name]
    x, axis = draw_array_and_axis(data)
    assert_value_and_gradcheck(lambda v: ours(v, axis=axis), [x], reference(x, axis))


@needs_torch
@pytest.mark.parametrize("name", AXISWISE)
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_softmax_family_matches_torch(name, data, seed):
    ours, _, torch_name = AXISWISE[name]
    x, axis = draw_array_and_axis(data)
    assert_matches_torch(lambda v: ours(v, axis=axis),
                         lambda t: getattr(torch, torch_name)(t, dim=axis), [x], seed)


# --- reductions over random axes ------------------------------------------------------
def _np_logsumexp(a, axis, keepdims):
    return np.log(np.exp(a).sum(axis=axis, keepdims=keepdims))   # |a| <= 3: no overflow


REDUCTIONS = {   # name: (ours, numpy reference, values, torch function name)
    "sum": (F.sum, np.sum, SMOOTH, "sum"),
    "mean": (F.mean, np.mean, SMOOTH, "mean"),
    "max": (F.max, np.max, distinct, "amax"),
    "min": (F.min, np.min, distinct, "amin"),
    "logsumexp": (F.logsumexp, _np_logsumexp, SMOOTH, "logsumexp"),
}


def draw_reduction(data, values):
    shape = data.draw(SHAPES, label="shape")
    axis = data.draw(axes_for(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    return data.draw(arrays(shape, values), label="x"), axis, keepdims


def torch_reduce(name, axis, keepdims):
    """torch's reduction ``name`` over NumPy's ``axis`` (None: every axis)."""
    def fn(t):
        dims = tuple(range(t.ndim)) if axis is None else axis
        if dims == ():               # a 0-d input: reducing nothing is the identity
            return t
        return getattr(torch, name)(t, dim=dims, keepdim=keepdims)
    return fn


@pytest.mark.parametrize("name", REDUCTIONS)
@PROPERTY
@given(data=st.data())
def test_reduction_over_random_axes_matches_numpy(name, data):
    ours, reference, values, _ = REDUCTIONS[name]
    x, axis, keepdims = draw_reduction(data, values)
    assert_value_and_gradcheck(lambda v: ours(v, axis=axis, keepdims=keepdims), [x],
                               reference(x, axis=axis, keepdims=keepdims))


@needs_torch
@pytest.mark.parametrize("name", REDUCTIONS)
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_reduction_over_random_axes_matches_torch(name, data, seed):
    ours, _, values, torch_name = REDUCTIONS[name]
    x, axis, keepdims = draw_reduction(data, values)
    assert_matches_torch(lambda v: ours(v, axis=axis, keepdims=keepdims),
                         torch_reduce(torch_name, axis, keepdims), [x], seed)


@pytest.mark.parametrize("name", ["max", "min"])
@PROPERTY
@given(data=st.data())
def test_extreme_shares_its_gradient_equally_between_ties(name, data):
    x, axis, keepdims = draw_reduction(data, TIED)
    v = ag.Variable(x)
    REDUCTIONS[name][0](v, axis=axis, keepdims=keepdims).sum().backward()
    extreme = REDUCTIONS[name][1](x, axis=axis, keepdims=True)
    ties = (x == extreme).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(v.grad.data, (x == extreme) / ties, rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("name", ["max", "min"])
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_extreme_with_ties_matches_torch(name, data, seed):
    ours, _, _, torch_name = REDUCTIONS[name]
    x, axis, keepdims = draw_reduction(data, TIED)
    assert_matches_torch(lambda v: ours(v, axis=axis, keepdims=keepdims),
                         torch_reduce(torch_name, axis, keepdims), [x], seed)


# --- shape ops -------------------------------------------------------------------------
@st.composite
def reshapes(draw):
    """(shape, new shape with the same size): dims permuted, maybe two merged, maybe a -1."""
    shape = draw(SHAPES, label="shape")
    new = list(draw(st.permutations(shape))) if shape else []
    if len(new) >= 2 and draw(st.booleans()):
        i = draw(st.integers(0, len(new) - 2))
        new[i:i + 2] = [new[i] * new[i + 1]]
    if new and draw(st.booleans()):
        new[draw(st.integers(0, len(new) - 1))] = -1
    return shape, tuple(new)


@st.composite
def transposes(draw):
    """(shape, axes): None or a permutation, each axis possibly written negative."""
    shape = draw(SHAPES, label="shape")
    n = len(shape)
    axes = draw(st.none() | st.permutations(range(n)).flatmap(
        lambda p: st.tuples(*[st.sampled_from([a, a - n]) for a in p])), label="axes")
    return shape, axes


@st.composite
def swaps(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    n = len(shape)
    return shape, draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))


def _sum_to_reference(y, shape):
    """Sum ``y`` down to ``shape``: the adjoint of broadcasting, written plainly."""
    lead = y.ndim - len(shape)
    y = y.sum(axis=tuple(range(lead)))
    for i, n in enumerate(shape):
        if n == 1:
            y = y.sum(axis=i, keepdims=True)
    return y


@st.composite
def basic_indexing(draw):
    """(shape, index of ints, slices, ``...`` and ``None``; negative steps too)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    index = draw(hnp.basic_indices(shape, allow_newaxis=True) if len(shape) > 1
                 else st.slices(shape[0]) | st.integers(-shape[0], shape[0] - 1), label="index")
    return shape, index


@st.composite
def fancy_indexing(draw):
    """(shape, advanced index, often with repeats): an integer array on one axis
    after full slices, one array per axis (hypothesis' integer_array_indices),
    or a boolean mask over the leading axes."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    index_shape = hnp.array_shapes(min_dims=0, max_dims=2, max_side=5)
    kind = draw(st.sampled_from(["one-axis", "per-axis", "mask"]), label="kind")
    if kind == "per-axis":
        return shape, draw(hnp.integer_array_indices(shape, result_shape=index_shape),
                           label="index")
    axis = draw(st.integers(0, len(shape) - 1), label="axis")
    if kind == "mask":
        return shape, draw(hnp.arrays(bool, shape[:axis + 1]), label="index")
    n = shape[axis]
    array = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-n, n - 1)),
                 label="index")
    return shape, (slice(None),) * axis + (array,)


def _torch_index(index):
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    return torch.from_numpy(index) if isinstance(index, np.ndarray) else index


def _has_negative_step(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, slice) and (i.step or 1) < 0 for i in items)


@st.composite
def concat_pieces(draw):
    """(shapes equal but along ``axis``, axis) for 1 to 3 pieces."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="sizes")
    shapes = [shape[:axis % len(shape)] + (n,) + shape[axis % len(shape) + 1:] for n in sizes]
    return shapes, axis


@st.composite
def stack_pieces(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), label="shape")
    count = draw(st.integers(1, 3), label="count")
    axis = draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    return [shape] * count, axis


@st.composite
def split_points(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    n = shape[axis]
    points = sorted(draw(st.lists(st.integers(0, n), min_size=1, max_size=3), label="points"))
    return shape, axis, points


def _weighted_sum(pieces, weights):
    """Reduce a list of pieces to one output (each piece weighted, some dropped)."""
    return sum((p * w).sum() for p, w in zip(pieces, weights) if w)


def draw_weights(draw, count):
    """Weights for ``count`` pieces; a weight 0 leaves its piece unused."""
    return draw(st.lists(st.sampled_from([0.0, 1.0, -2.0]), min_size=count,
                         max_size=count), label="weights")


@st.composite
def shape_cases(draw, op):
    """(function of Variables, function of torch tensors, inputs, NumPy value)."""
    if op == "reshape":
        shape, new = draw(reshapes())
        x = draw(arrays(shape), label="x")
        return (lambda v: F.reshape(v, new), lambda t: t.reshape(new), [x], x.reshape(new))
    if op == "transpose":
        shape, axes = draw(transposes())
        x = draw(arrays(shape), label="x")
        return (lambda v: F.transpose(v, axes),
                lambda t: t.permute(axes if axes is not None else tuple(reversed(range(t.ndim)))),
                [x], x.transpose(axes))
    if op == "swapaxes":
        shape, a, b = draw(swaps())
        x = draw(arrays(shape), label="x")
        return (lambda v: F.swapaxes(v, a, b), lambda t: t.swapaxes(a, b), [x],
                np.swapaxes(x, a, b))
    if op in ("broadcast_to", "sum_to"):
        pair = draw(BROADCAST_PAIRS, label="shapes")
        small, big = pair.input_shapes[0], pair.result_shape
        if op == "broadcast_to":
            x = draw(arrays(small), label="x")
            return (lambda v: F.broadcast_to(v, big), lambda t: t.broadcast_to(big), [x],
                    np.broadcast_to(x, big))
        x = draw(arrays(big), label="x")
        return (lambda v: F.sum_to(v, small), lambda t: t.sum_to_size(small), [x],
                _sum_to_reference(x, small))
    if op in ("getitem-basic", "getitem-fancy"):
        shape, index = draw(basic_indexing() if op == "getitem-basic" else fancy_indexing())
        x = draw(arrays(shape), label="x")
        torch_fn = None if _has_negative_step(index) else \
            (lambda t: t[_torch_index(index)])     # torch has no negative-step slices
        return lambda v: v[index], torch_fn, [x], x[index]
    if op == "concat":
        shapes, axis = draw(concat_pieces())
        xs = [draw(arrays(s), label="piece") for s in shapes]
        return (lambda *vs: F.concat(*vs, axis=axis), lambda *ts: torch.cat(ts, dim=axis), xs,
                np.concatenate(xs, axis=axis))
    if op == "stack":
        shapes, axis = draw(stack_pieces())
        xs = [draw(arrays(s), label="piece") for s in shapes]
        return (lambda *vs: F.stack(*vs, axis=axis), lambda *ts: torch.stack(ts, dim=axis), xs,
                np.stack(xs, axis=axis))
    if op == "split":
        shape, axis, points = draw(split_points())
        x = draw(arrays(shape), label="x")
        weights = draw_weights(draw, len(points) + 1)
        expected = np.array(_weighted_sum(np.split(x, points, axis=axis), weights))
        # "+ 0 * sum": an output (and a zero gradient) even when every weight is 0
        return (lambda v: _weighted_sum(F.split(v, points, axis=axis), weights) + 0 * v.sum(),
                lambda t: _weighted_sum(torch.tensor_split(t, points, dim=axis), weights)
                + 0 * t.sum(), [x], expected)
    if op == "unstack":
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
        axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
        x = draw(arrays(shape), label="x")
        weights = draw_weights(draw, shape[axis])
        expected = np.array(_weighted_sum(list(np.moveaxis(x, axis, 0)), weights))
        return (lambda v: _weighted_sum(F.unstack(v, axis=axis), weights) + 0 * v.sum(),
                lambda t: _weighted_sum(torch.unbind(t, dim=axis), weights) + 0 * t.sum(),
                [x], expected)
    if op == "where":
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
                      label="shapes")
        condition = draw(hnp.arrays(bool, shapes.input_shapes[0]), label="condition")
        xs = [draw(arrays(s), label="x") for s in shapes.input_shapes[1:]]
        return (lambda a, b: F.where(condition, a, b),
                lambda a, b: torch.where(torch.from_numpy(condition), a, b), xs,
                np.where(condition, *xs))
    raise ValueError(op)


SHAPE_OPS = ["reshape", "transpose", "swapaxes", "broadcast_to", "sum_to", "getitem-basic",
             "getitem-fancy", "concat", "stack", "split", "unstack", "where"]


@pytest.mark.parametrize("op", SHAPE_OPS)
@PROPERTY
@given(data=st.data())
def test_shape_op_matches_numpy(op, data):
    fn, _, inputs, expected = data.draw(shape_cases(op))
    assert_value_and_gradcheck(fn, inputs, expected)


@needs_torch
@pytest.mark.parametrize("op", SHAPE_OPS)
@TORCH_PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_shape_op_matches_torch(op, data, seed):
    fn, torch_fn, inputs, _ = data.draw(shape_cases(op))
    if torch_fn is not None:
        assert_matches_torch(fn, torch_fn, inputs, seed)


@PROPERTY
@given(data=st.data(), seed=SEEDS)
def test_sum_to_is_the_adjoint_of_broadcast_to(data, seed):
    """<sum_to(y, s), x> == <y, broadcast_to(x, big)> for every x, y."""
    pair = data.draw(BROADCAST_PAIRS, label="shapes")
    small, big = pair.input_shapes[0], pair.result_shape
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(small), rng.standard_normal(big)
    left = np.sum(F.sum_to(ag.Variable(y), small).data * x)
    right = np.sum(y * F.broadcast_to(ag.Variable(x), big).data)
    assert left == pytest.approx(right, rel=1e-12, abs=1e-12)


# --- zero-size inputs, and the bugs these properties found ----------------------------------
ZERO_SIZE_PAIRS = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=1, max_dims=3, min_side=0, max_side=2).filter(
    lambda shapes: 0 in shapes.result_shape)


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_binary_op_on_zero_size_broadcasts_gives_zero_gradients(data, name):
    op = BINARY[name]
    shapes = data.draw(ZERO_SIZE_PAIRS, label="shapes")
    inputs = [ag.Variable(data.draw(arrays(s, kind), label=f"x{i}")) for i, (s, kind) in
              enumerate(zip(shapes.input_shapes, [op.left, op.right]))]
    y = op.ours(*inputs)
    assert y.shape == shapes.result_shape
    y.sum().backward()
    for x in inputs:
        np.testing.assert_array_equal(x.grad.data, np.zeros(x.shape))


def test_transpose_with_negative_axes():
    x = np.random.default_rng(0).standard_normal((2, 3))
    assert_value_and_gradcheck(lambda v: F.transpose(v, (-1, 0)), [x], x.transpose(-1, 0))


def test_mean_over_an_empty_axis_is_nan():
    with pytest.warns(RuntimeWarning, match="empty axis"):
        y = F.mean(ag.Variable(np.zeros((0, 3))), axis=0)
    assert y.shape == (3,) and np.isnan(y.data).all()


def test_logsumexp_over_an_empty_axis_is_minus_inf():
    y = F.logsumexp(ag.Variable(np.zeros((2, 0))), axis=-1)
    np.testing.assert_array_equal(y.data, [-np.inf, -np.inf])


# --- gradient accumulation ---------------------------------------------------------------
@dataclass
class Library:
    """The few calls an accumulation program needs, for ours or for torch."""
    tanh: object
    column_sum: object     # sum over axis 0, keeping it


OURS = Library(F.tanh, lambda v: v.sum(axis=0, keepdims=True))
TORCH = Library(lambda t: torch.tanh(t), lambda t: t.sum(dim=0, keepdim=True))
PROGRAMS = st.lists(st.tuples(st.sampled_from(["+", "-", "*"]),
                              st.sampled_from(["x", "y", "tanh(x)", "column_sum(x)"])),
                    min_size=1, max_size=4)


def run_program(lib, x, program):
    """y = x; then y = y <op> operand for each step; operands reuse x (and y)."""
    y = x
    for symbol, operand in program:
        other = {"x": x, "y": y, "tanh(x)": lib.tanh(x),
                 "column_sum(x)": lib.column_sum(x)}[operand]
        y = OPERATORS[symbol](y, other)
    return y


def draw_program_input(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    return data.draw(arrays(shape, uniform(-1.5, 1.5)), label="x")


@PROPERTY
@given(data=st.data(), program=PROGRAMS)
def test_input_used_several_times_accumulates_its_gradient(data, program):
    x = draw_program_input(data)
    assert ag.gradcheck(lambda v: run_program(OURS, v, program), x)


@needs_torch
@TORCH_PROPERTY
@given(data=st.data(), program=PROGRAMS, seed=SEEDS)
def test_input_used_several_times_matches_torch(data, program, seed):
    x = draw_program_input(data)
    assert_matches_torch(lambda v: run_program(OURS, v, program),
                         lambda t: run_program(TORCH, t, program), [x], seed)


@PROPERTY
@given(data=st.data(), program=PROGRAMS)
def test_backward_twice_without_cleargrad_doubles_the_gradient(data, program):
    x = draw_program_input(data)
    v = ag.Variable(x)
    run_program(OURS, v, program).sum().backward()
    once = v.grad.data.copy()
    run_program(OURS, v, program).sum().backward()
    np.testing.assert_allclose(v.grad.data, 2 * once, rtol=1e-12, atol=1e-12)


@st.composite
def repeated_rows(draw):
    """(shape, 1-d index into axis 0 where every row taken is taken at least twice)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    rows = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4))
    order = draw(st.permutations(rows + rows), label="index")
    return shape, np.array(order)


@PROPERTY
@given(case=repeated_rows())
def test_repeated_fancy_indices_count_every_use(case):
    shape, index = case
    x = ag.Variable(np.zeros(shape))
    x[index].sum().backward()
    counts = np.bincount(index % shape[0], minlength=shape[0]).astype(float)
    np.testing.assert_array_equal(x.grad.data, np.broadcast_to(
        counts.reshape((-1,) + (1,) * (len(shape) - 1)), shape))


@needs_torch
@TORCH_PROPERTY
@given(case=repeated_rows(), data=st.data(), seed=SEEDS)
def test_repeated_fancy_indices_and_reuse_match_torch(case, data, seed):
    """x[idx] * x[idx reversed] + x[idx] * x.sum(0): x used four times, idx repeated."""
    shape, index = case
    x = data.draw(arrays(shape), label="x")
    back = index[::-1].copy()
    i, j = torch.from_numpy(index), torch.from_numpy(back)
    assert_matches_torch(lambda v: v[index] * v[back] + v[index] * v.sum(axis=0),
                         lambda t: t[i] * t[j] + t[i] * t.sum(dim=0), [x], seed)

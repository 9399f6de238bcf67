"""Ops that move, copy or select elements: reshape, transpose, broadcast_to,
sum_to, getitem, concat, split, stack, where. All twice differentiable."""
import numpy as np

from autograd_nlp.backend import (device_of, get_array_module, is_device_array,
                                  scatter_add, to_device)
from autograd_nlp.core import Function, ShapeError, Variable, as_variable
from autograd_nlp.functions.registry import custom, randn, register


def _sum_to_array(x, shape):
    """Sum the broadcast axes of ``x`` away so that it has ``shape``."""
    shape = tuple(shape)
    lead = x.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(shape, x.shape[lead:])):
        raise ShapeError(
            f"sum_to: cannot sum an array of shape {x.shape} down to {shape}: the "
            f"target must broadcast to {x.shape} (compared from the last axis, each of "
            f"its axes equal to the input's or 1, and no more axes than the input)")
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead else y


class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.inputs[0].shape)


@register("reshape", {"flatten": randn((3, 4), shape=(12,)),
                      "split-axis": randn((2, 6), shape=(2, 3, -1))},
          zero_size={"flatten": randn((0, 4), shape=(-1,)), "split": randn((2, 0), shape=(0, 5))},
          torch=lambda t, x, shape: x.reshape(shape))
def reshape(x, shape):
    """View ``x`` with a new shape (one entry may be -1)."""
    if isinstance(x, Variable) and x.shape == tuple(shape):
        return x
    return Reshape(tuple(shape))(x)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        ndim = len(self.axes)        # negative axes count from the end, as in NumPy
        return transpose(gy, tuple(np.argsort([a % ndim for a in self.axes])))


@register("transpose", {"matrix": randn((3, 4)),
                        "axes": randn((2, 3, 4), axes=(1, 2, 0))},
          torch=lambda t, x, axes=None: x.permute(*(axes or reversed(range(x.ndim)))))
def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None), like ``ndarray.transpose``."""
    return Transpose(None if axes is None else tuple(axes))(x)


@register("swapaxes", {"matrix": randn((3, 4), axis1=0, axis2=1),
                       "last-two": randn((2, 3, 4), axis1=-1, axis2=-2)},
          torch=lambda t, x, axis1, axis2: x.swapaxes(axis1, axis2))
def swapaxes(x, axis1, axis2):
    """Exchange two axes (a transpose)."""
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return get_array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.inputs[0].shape)


@register("broadcast_to", {"row": randn((4,), shape=(3, 4)),
                           "column": randn((3, 1), shape=(2, 3, 5))},
          zero_size={"to-empty": randn((3, 1), shape=(3, 0)),
                     "empty-row": randn((0,), shape=(2, 0))},
          torch=lambda t, x, shape: x.broadcast_to(shape))
def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` (NumPy rules); backward sums back."""
    if isinstance(x, Variable) and x.shape == tuple(shape):
        return x
    return BroadcastTo(tuple(shape))(x)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return _sum_to_array(x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.inputs[0].shape)


@register("sum_to", {"rows": randn((3, 4), shape=(4,)),
                     "keep-ones": randn((2, 3, 5), shape=(3, 1))},
          torch=lambda t, x, shape: x.sum_to_size(shape))
def sum_to(x, shape):
    """Sum ``x`` down to ``shape`` (the inverse of broadcast_to)."""
    if isinstance(x, Variable) and x.shape == tuple(shape):
        return x
    return SumTo(tuple(shape))(x)


# --- indexing -------------------------------------------------------------------
def _plain_index(index, x):
    """Replace Variables inside an index by their arrays; index arrays go to
    the device of ``x`` (as PyTorch moves a CPU index for a CUDA tensor)."""
    data = x.data if isinstance(x, Variable) else x
    device = None if type(data) is np.ndarray else device_of(data)

    def plain(i):
        if isinstance(i, Variable):
            i = i.data
        if device is not None and device != "cpu" and isinstance(i, (np.ndarray, list)):
            i = to_device(np.asarray(i), device)
        return i
    if isinstance(index, tuple):
        return tuple(plain(i) for i in index)
    return plain(index)


def _is_basic(index):
    """True when the index has no integer/boolean arrays (a view, no repeats)."""
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, (np.ndarray, list)) or is_device_array(i) for i in items)


class GetItem(Function):
    def __init__(self, index):
        self.index = index

    def forward(self, x):
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (input shape {x.shape}, index "
                             f"{self.index!r})") from None

    def backward(self, gy):
        return GetItemGrad(self.index, self.inputs[0].shape)(gy)


class GetItemGrad(Function):
    """Scatter-add of ``gy`` into zeros of the input's shape (repeated
    integer indices accumulate)."""

    def __init__(self, index, in_shape):
        self.index = index
        self.in_shape = in_shape

    def forward(self, gy):
        gx = get_array_module(gy).zeros(self.in_shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        else:
            scatter_add(gx, self.index, gy)
        return gx

    def backward(self, ggx):
        return getitem(ggx, self.index)


def _getitem_cases():
    return {
        "int": randn((4, 3), index=1),
        "slice": randn((4, 5), index=(slice(1, 3), slice(None, None, 2))),
        "int-array-repeats": custom(lambda rng: (
            (rng.standard_normal((5, 3)),), {"index": np.array([0, 2, 2, 4, 0])})),
        "mixed": custom(lambda rng: (
            (rng.standard_normal((4, 5, 3)),),
            {"index": (np.array([1, 1, 3]), slice(None), 2)})),
    }


def _torch_getitem(t, x, index):
    if isinstance(index, tuple):
        index = tuple(t.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    elif isinstance(index, np.ndarray):
        index = t.as_tensor(index)
    return x[index]


@register("getitem", _getitem_cases(), torch=_torch_getitem,
          zero_size={"slice": randn((0, 5), index=(slice(1, 3), slice(None, None, 2))),
                     "empty-slice": randn((4, 5), index=slice(2, 2)),
                     "no-ids": custom(lambda rng: ((rng.standard_normal((5, 3)),),
                                                   {"index": np.array([], dtype=int)}))})
def getitem(x, index):
    """``x[index]`` for ints, slices and integer arrays; backward is a
    scatter-add, so repeated indices accumulate their gradients."""
    return GetItem(_plain_index(index, x))(x)


# --- joining and splitting ----------------------------------------------------------
class Concat(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return get_array_module(*xs).concatenate(xs, axis=self.axis)

    def backward(self, gy):
        sizes = [x.shape[self.axis] for x in self.inputs]
        return tuple(split(gy, list(np.cumsum(sizes)[:-1]), axis=self.axis)) \
            if len(sizes) > 1 else (gy,)


@register("concat", {"axis0": randn((2, 3), (4, 3), axis=0),
                     "last": randn((2, 3, 1), (2, 3, 4), (2, 3, 2), axis=-1)},
          torch=lambda t, *xs, axis: t.cat(xs, dim=axis))
def concat(*xs, axis=0):
    """Join arrays along an existing axis; also accepts one list: concat([a, b])."""
    if len(xs) == 1 and isinstance(xs[0], (list, tuple)):
        xs = tuple(xs[0])
    return Concat(axis)(*xs)


class Split(Function):
    def __init__(self, indices_or_sections, axis):
        self.indices_or_sections = indices_or_sections
        self.axis = axis

    def forward(self, x):
        return tuple(get_array_module(x).split(x, self.indices_or_sections, axis=self.axis))

    def backward(self, *gys):
        if any(g is None for g in gys):   # an unused piece has zero gradient
            x = self.inputs[0].data
            xp = get_array_module(x)
            pieces = xp.split(x, self.indices_or_sections, self.axis)
            gys = [as_variable(xp.zeros_like(p)) if g is None else g
                   for p, g in zip(pieces, gys)]
        return concat(*gys, axis=self.axis)


@register("split", {"sections": custom(lambda rng: ((rng.standard_normal((6, 4)),),
                                                    {"indices_or_sections": 3})),
                    "indices": custom(lambda rng: ((rng.standard_normal((2, 7)),),
                                                   {"indices_or_sections": [2, 3],
                                                    "axis": 1}))},
          torch_skip="returns several outputs; covered through concat")
def split(x, indices_or_sections, axis=0):
    """Split into pieces (np.split semantics); returns a list of Variables."""
    ys = Split(indices_or_sections, axis)(x)
    return list(ys) if isinstance(ys, list) else [ys]


class Stack(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return get_array_module(*xs).stack(xs, axis=self.axis)

    def backward(self, gy):
        n = len(self.inputs)
        axis = self.axis % gy.ndim
        pieces = split(gy, n, axis=axis)
        shape = self.inputs[0].shape
        return tuple(reshape(p, shape) for p in pieces)


@register("stack", {"axis0": randn((2, 3), (2, 3), (2, 3), axis=0),
                    "last": randn((4,), (4,), axis=-1)},
          torch=lambda t, *xs, axis: t.stack(xs, dim=axis))
def stack(*xs, axis=0):
    """Join same-shape arrays along a new axis; also accepts one list."""
    if len(xs) == 1 and isinstance(xs[0], (list, tuple)):
        xs = tuple(xs[0])
    return Stack(axis)(*xs)


class Unstack(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return tuple(get_array_module(x).moveaxis(x, self.axis, 0))

    def backward(self, *gys):
        if any(g is None for g in gys):   # an unused slice has zero gradient
            shape = self.inputs[0].shape[:self.axis % self.inputs[0].ndim] + \
                self.inputs[0].shape[self.axis % self.inputs[0].ndim + 1:]
            x = self.inputs[0].data
            zero = as_variable(get_array_module(x).zeros(shape, dtype=x.dtype))
            gys = [zero if g is None else g for g in gys]
        return stack(*gys, axis=self.axis)


@register("unstack", {"time": randn((2, 4, 3), axis=1), "first": randn((3, 2), axis=0)},
          torch_skip="returns several outputs; its backward is stack, checked against torch")
def unstack(x, axis=0):
    """Split ``x`` along ``axis`` into a list of its slices (the axis removed):
    (batch, time, d) -> time Variables of (batch, d), as one op."""
    ys = Unstack(axis)(x)
    return list(ys) if isinstance(ys, list) else [ys]


class Where(Function):
    def __init__(self, condition):
        self.condition = condition

    def forward(self, x0, x1):
        return get_array_module(x0, x1).where(self.condition, x0, x1)

    def backward(self, gy):
        # select, not multiply: a NaN/Inf upstream gradient at a position that
        # was not taken from an input must not reach it (0 * NaN is NaN)
        return where(self.condition, gy, 0.0), where(self.condition, 0.0, gy)


def _where_case(rng):
    return ((rng.standard_normal((3, 4)), rng.standard_normal((4,))),
            {"condition": rng.random((3, 4)) > 0.5})


@register("where", {"broadcast": custom(_where_case)},
          zero_size={"rows": custom(lambda rng: ((np.zeros((0, 4)), rng.standard_normal(4)),
                                                 {"condition": np.zeros((0, 4), bool)}))},
          call=lambda x0, x1, condition: where(condition, x0, x1),
          torch=lambda t, x0, x1, condition: t.where(t.as_tensor(condition), x0, x1))
def where(condition, x0, x1):
    """``x0`` where ``condition`` (a boolean array) holds, else ``x1``."""
    condition = _device_mask(condition, x0, x1).astype(bool, copy=False)
    like = x0.data if isinstance(x0, Variable) else (x1.data if isinstance(x1, Variable) else None)
    return Where(condition)(as_variable(x0, like), as_variable(x1, like))


def _device_mask(mask, *operands):
    """A mask (array, list or Variable) as an array on the device of the
    first Variable among ``operands`` (a NumPy mask goes to a CuPy operand's
    device, as an index does)."""
    mask = mask.data if isinstance(mask, Variable) else mask
    for v in operands:
        if isinstance(v, Variable):
            if type(v.data) is not np.ndarray:
                device = device_of(v.data)
                if device != "cpu":
                    return to_device(mask if is_device_array(mask) else np.asarray(mask),
                                     device)
            break
    return mask if is_device_array(mask) else np.asarray(mask)


def _masked_fill_case(mask_shape, value):
    def make(rng):
        return (rng.standard_normal((3, 4)), rng.random(mask_shape) > 0.5), {"value": value}
    return make


@register("masked_fill", {"same": custom(_masked_fill_case((3, 4), 2.5)),
                          "broadcast-mask": custom(_masked_fill_case((4,), -1.0))},
          torch=lambda t, x, mask, value: x.masked_fill(mask, value))
def masked_fill(x, mask, value):
    """``x`` with ``value`` where ``mask`` is True (e.g. -inf before a softmax).
    x: (...) float; mask: bool, broadcastable to x's shape; returns x's shape."""
    mask = _device_mask(mask, x)
    if mask.dtype != bool:
        raise TypeError(f"masked_fill: mask must be a boolean array, got dtype {mask.dtype}; "
                        f"compare first, e.g. ids == pad_id")
    shape = x.shape
    try:
        fits = np.broadcast_shapes(mask.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"masked_fill: mask of shape {mask.shape} does not broadcast to "
                         f"x's shape {shape} (the result keeps x's shape)")
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return where(mask, np.asarray(value, dtype=dtype), x)


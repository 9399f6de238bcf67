"""Reductions over axes: sum, mean, max, min, logsumexp. Twice differentiable."""
import warnings

import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Function, ShapeError
from autograd_nlp.functions.registry import distinct, randn, register
from autograd_nlp.functions.shape import broadcast_to, reshape


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


def _keepdims_shape(in_shape, axis):
    """The shape the reduced output has with keepdims=True."""
    axes = _normalize_axis(axis, len(in_shape))
    return tuple(1 if i in axes else s for i, s in enumerate(in_shape))


def _expand(gy, in_shape, axis, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input."""
    if not keepdims and len(in_shape) > 0:
        gy = reshape(gy, _keepdims_shape(in_shape, axis))
    return gy


class Sum(Function):
    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        shape = self.inputs[0].shape
        return broadcast_to(_expand(gy, shape, self.axis, self.keepdims), shape)


REDUCE_CASES = {
    "all": randn((3, 4)),
    "axis0": randn((3, 4), axis=0),
    "axis-last-keepdims": randn((2, 3, 4), axis=-1, keepdims=True),
    "two-axes": randn((2, 3, 4), axis=(0, 2)),
}
REDUCE_ZERO_SIZE = {"all": randn((0, 4)), "empty-axis": randn((3, 0), axis=-1),
                    "other-axis": randn((0, 4), axis=1, keepdims=True)}


@register("sum", REDUCE_CASES, zero_size=REDUCE_ZERO_SIZE,
          torch=lambda t, x, axis=None, keepdims=False:
          x.sum() if axis is None else x.sum(dim=axis, keepdim=keepdims))
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None)."""
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None). Over an empty axis the mean
    is NaN with a RuntimeWarning, as in NumPy and PyTorch."""
    axes = _normalize_axis(axis, x.ndim)
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    if count == 0:
        warnings.warn(f"mean: averaging over an empty axis (axis={axis} of shape "
                      f"{x.shape}) gives NaN", RuntimeWarning, stacklevel=2)
        return sum(x, axis, keepdims) * np.nan
    return sum(x, axis, keepdims) * (1.0 / count)


register("mean", REDUCE_CASES, zero_size=REDUCE_ZERO_SIZE,
         torch=lambda t, x, axis=None, keepdims=False:
         x.mean() if axis is None else x.mean(dim=axis, keepdim=keepdims))(mean)


class _Extreme(Function):
    """Max or min over an axis; the gradient goes to the extreme elements
    (shared equally between ties)."""

    reduce = None

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        axes = _normalize_axis(self.axis, x.ndim)
        if any(x.shape[a] == 0 for a in axes):
            name = type(self).__name__.lower()
            raise ShapeError(f"{name}: cannot take the {name}imum over an empty axis "
                             f"(input shape {x.shape}, axis={self.axis}): it has no "
                             f"value (torch.a{name} refuses too). Check where the "
                             f"length-0 axis comes from, e.g. an empty batch")
        y = getattr(x, self.reduce)(axis=self.axis, keepdims=True)
        mask = (x == y)
        self.weights = mask / mask.sum(axis=self.axis, keepdims=True)
        return y if self.keepdims else y.squeeze(axis=self.axis) \
            if self.axis is not None else y.reshape(())

    def backward(self, gy):
        shape = self.inputs[0].shape
        gy = _expand(gy, shape, self.axis, self.keepdims)
        return broadcast_to(gy, shape) * self.weights


class Max(_Extreme):
    reduce = "max"


class Min(_Extreme):
    reduce = "min"


EXTREME_CASES = {"all": distinct((3, 4)), "axis1": distinct((3, 4), axis=1),
                 "axis0-keepdims": distinct((2, 3, 4), axis=0, keepdims=True)}
EXTREME_ZERO_SIZE = {"all": distinct((0, 4)), "empty-axis": distinct((3, 0), axis=1),
                     "other-axis": distinct((0, 4), axis=1)}


def _torch_extreme(name):
    def f(t, x, axis=None, keepdims=False):
        op = getattr(t, "amax" if name == "max" else "amin")
        return op(x) if axis is None else op(x, dim=axis, keepdim=keepdims)
    return f


@register("max", EXTREME_CASES, zero_size=EXTREME_ZERO_SIZE, torch=_torch_extreme("max"))
def max(x, axis=None, keepdims=False):
    """Maximum over ``axis``."""
    return Max(axis, keepdims)(x)


@register("min", EXTREME_CASES, zero_size=EXTREME_ZERO_SIZE, torch=_torch_extreme("min"))
def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return Min(axis, keepdims)(x)


class LogSumExp(Function):
    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        xp = get_array_module(x)
        if x.size == 0:   # an empty sum of exponentials: log(0) = -inf, as torch
            y = xp.full(_keepdims_shape(x.shape, self.axis), -np.inf, dtype=x.dtype)
        else:
            m = xp.asarray(x.max(axis=self.axis, keepdims=True))
            m[~xp.isfinite(m)] = 0   # an all -inf row gives -inf (torch), not NaN
            with np.errstate(divide="ignore"):
                y = xp.log(xp.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        return y if self.keepdims else y.reshape(
            y.sum(axis=self.axis).shape)

    def backward(self, gy):
        from autograd_nlp.functions.math import exp
        x = self.inputs[0]
        y = _expand(self.outputs[0](), x.shape, self.axis, self.keepdims)
        gy = _expand(gy, x.shape, self.axis, self.keepdims)
        return gy * exp(x - y)


@register("logsumexp", {"last": randn((3, 5), axis=-1),
                        "keepdims": randn((2, 3, 4), axis=1, keepdims=True)},
          zero_size={"rows": randn((0, 5), axis=-1), "empty-axis": randn((3, 0), axis=-1),
                     "empty-axis-keepdims": randn((2, 0, 4), axis=1, keepdims=True)},
          torch=lambda t, x, axis, keepdims=False: t.logsumexp(x, dim=axis, keepdim=keepdims))
def logsumexp(x, axis=-1, keepdims=False):
    """``log(sum(exp(x), axis))`` computed stably (shifted by the maximum).
    A row that is all -inf (fully masked) gives -inf, as in PyTorch; its
    gradient is NaN there (also as PyTorch), and 0 at -inf entries of other rows."""
    return LogSumExp(axis, keepdims)(x)

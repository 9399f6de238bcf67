"""Activations: sigmoid, relu, softmax, log_softmax. Twice differentiable."""
import numpy as np

from autograd_nlp.core import Function
from autograd_nlp.functions.math import exp
from autograd_nlp.functions.reduction import sum
from autograd_nlp.functions.registry import away_from_zero, randn, register


class Sigmoid(Function):
    def forward(self, x):
        return np.tanh(x * 0.5) * 0.5 + 0.5   # stable for large |x|

    def backward(self, gy):
        return SigmoidGrad()(self.outputs[0](), gy)


class SigmoidGrad(Function):
    """``gy * y * (1 - y)`` as one op, so sigmoid's backward is a single call."""

    def forward(self, y, gy):
        return gy * y * (1 - y)

    def backward(self, ggx):
        y, gy = self.inputs
        return ggx * gy * (1 - 2 * y), ggx * y * (1 - y)


@register("sigmoid", {"matrix": randn((3, 4))}, torch=lambda t, x: t.sigmoid(x))
def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, elementwise."""
    return Sigmoid()(x)


class ReLU(Function):
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask


@register("relu", {"matrix": away_from_zero((3, 4))}, torch=lambda t, x: t.relu(x))
def relu(x):
    """``max(x, 0)``, elementwise."""
    return ReLU()(x)


class Softmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        y = np.exp(x - x.max(axis=self.axis, keepdims=True))
        y /= y.sum(axis=self.axis, keepdims=True)
        return y

    def backward(self, gy):
        y = self.outputs[0]()
        gx = y * gy
        return gx - y * sum(gx, axis=self.axis, keepdims=True)


@register("softmax", {"last": randn((3, 5)), "axis1": randn((2, 4, 3), axis=1)},
          torch=lambda t, x, axis=-1: t.softmax(x, dim=axis))
def softmax(x, axis=-1):
    """Softmax over ``axis``, shifted by the maximum for stability."""
    return Softmax(axis)(x)


class LogSoftmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        z = x - x.max(axis=self.axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def backward(self, gy):
        y = self.outputs[0]()
        return gy - exp(y) * sum(gy, axis=self.axis, keepdims=True)


@register("log_softmax", {"last": randn((3, 5)), "axis0": randn((4, 3), axis=0)},
          torch=lambda t, x, axis=-1: t.log_softmax(x, dim=axis))
def log_softmax(x, axis=-1):
    """``log(softmax(x))`` without overflow or log(0)."""
    return LogSoftmax(axis)(x)

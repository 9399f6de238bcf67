"""Elementwise arithmetic and elementwise functions.

Binary ops broadcast; the engine reduces their gradients back to each input's
shape, so no backward here calls ``sum_to``. Every backward is written with
differentiable ops: all of these are twice differentiable.
"""
import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Function, Variable, as_variable
from autograd_nlp.functions.registry import (away_from_zero, custom, positive,
                                             randn, register)
from autograd_nlp.functions.shape import where

BROADCAST_CASES = {
    "same": randn((3, 4), (3, 4)),
    "row": randn((3, 4), (4,)),
    "column": randn((3, 1), (1, 4)),
    "scalar": randn((2, 3, 4), ()),
    "left": randn((4,), (2, 3, 4)),
}


def _binary(op, x0, x1):
    """Wrap Python numbers with the dtype of the Variable operand."""
    if not isinstance(x0, Variable):
        x0 = as_variable(x0, x1.data if isinstance(x1, Variable) else None)
    if not isinstance(x1, Variable):
        x1 = as_variable(x1, x0.data)
    return op(x0, x1)


# --- arithmetic ----------------------------------------------------------------
class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


@register("add", BROADCAST_CASES, torch=lambda t, a, b: a + b)
def add(x0, x1):
    """``x0 + x1`` with broadcasting."""
    return _binary(Add(), x0, x1)


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        return gy, -gy


@register("sub", BROADCAST_CASES, torch=lambda t, a, b: a - b)
def sub(x0, x1):
    """``x0 - x1`` with broadcasting."""
    return _binary(Sub(), x0, x1)


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs                  # Mul() directly: the hottest backward
        return (Mul()(gy, x1) if x0.requires_grad else None,
                Mul()(gy, x0) if x1.requires_grad else None)


@register("mul", BROADCAST_CASES, torch=lambda t, a, b: a * b)
def mul(x0, x1):
    """``x0 * x1`` with broadcasting."""
    return _binary(Mul(), x0, x1)


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        gx0 = gy / x1
        gx1 = -gx0 * x0 / x1 if x1.requires_grad else None
        return gx0, gx1


def _div_cases():
    def make(shape0, shape1):
        def f(rng):
            return (rng.standard_normal(shape0), rng.uniform(0.5, 2.0, shape1)), {}
        return f
    return {"same": make((3, 4), (3, 4)), "row": make((3, 4), (4,)),
            "column": make((3, 1), (1, 4)), "scalar": make((2, 3), ())}


@register("div", _div_cases(), torch=lambda t, a, b: a / b)
def div(x0, x1):
    """``x0 / x1`` with broadcasting."""
    return _binary(Div(), x0, x1)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


@register("neg", {"matrix": randn((3, 4))}, torch=lambda t, a: -a)
def neg(x):
    """``-x``."""
    return Neg()(x)


class Pow(Function):
    """``x ** c``, elementwise, with PyTorch's values and gradients at 0,
    where the textbook formulas give 0 * inf (torch's ``pow_backward*``):

    * value: NumPy's, which is PyTorch's (``0 ** 0 = 1``, ``0 ** -1 = inf``);
    * d/dx = c x^(c-1), but 0 wherever c == 0, x = 0 included (x ** 0 is the
      constant 1; the formula gives 0 * 0^-1 = NaN there). At x = 0 it is
      otherwise 0 for c > 1, 1 for c = 1, and inf or -inf for c < 1;
    * d/dc = x^c log x, but 0 wherever x == 0 and c >= 0 (0 ** c is 0 for
      c > 0 and tends to 1 as c -> +0; the formula gives 0 * -inf = NaN, or
      -inf at c = 0); at x == 0 and c < 0 it stays -inf, as in PyTorch.

    The zeros are selections (``where``), and the masked elements never
    compute 0 ** -1 or log 0, so no NaN/Inf is made on the way (nothing for
    ``detect_anomaly`` to trip on). The backward is built from ``pow``
    itself, so second derivatives follow the same rules: d2/dx2 of x ** 0
    is 0 and of x ** 1 is 0 at x = 0 (the derivative of 1 * x ** 0), as in
    PyTorch. Where PyTorch's double backward multiplies the upstream 0 of a
    branch it selected away by an infinity (d2/dc2 of 0 ** c for c >= 0;
    d2/dx2 at x = 0 where a Variable exponent is 0), it gives NaN; here the
    selected zero is differentiated, giving 0.
    """

    def forward(self, x, c):
        return x ** c

    def backward(self, gy):
        x, c = self.inputs
        gx = gc = None
        if x.requires_grad:
            zero = c.data == 0                  # x ** 0: gradient 0
            if _any(zero):
                gx = where(zero, 0.0, gy * c * x ** where(zero, 1.0, c - 1))
            else:
                gx = gy * c * x ** (c - 1)
        if c.requires_grad:
            y = self.outputs[0]()
            flat = (x.data == 0) & (c.data >= 0)     # 0 ** c, c >= 0: gradient 0
            if _any(flat):
                gc = where(flat, 0.0, gy * y * log(where(flat, 1.0, x)))
            else:
                gc = gy * y * log(x)
        return gx, gc


def _any(mask):
    """Whether a NumPy mask has a True element; True for a device's mask,
    where asking would wait for the device (the selection is then made
    always; it gives the same numbers)."""
    if isinstance(mask, (np.ndarray, np.generic)):
        return bool(mask.any())
    return True


def _pow_cases():
    def var_exp(rng):
        return (rng.uniform(0.5, 2.0, (3, 4)), rng.uniform(-2, 3, (4,))), {}
    return {"square": custom(lambda rng: ((rng.standard_normal((3, 4)), 2), {})),
            "cube": custom(lambda rng: ((rng.standard_normal((3, 4)), 3.0), {})),
            "fractional": custom(lambda rng: ((rng.uniform(0.5, 2, (3, 4)), -1.5), {})),
            "variable-exponent": custom(var_exp)}


@register("pow", _pow_cases(), torch=lambda t, x, c: x ** c)
def pow(x, c):
    """``x ** c``; ``c`` a number or a Variable (then ``x`` must be
    positive, or 0: see ``Pow`` for the gradients at 0)."""
    return _binary(Pow(), x, c)


# --- elementwise functions ----------------------------------------------------
class Exp(Function):
    def forward(self, x):
        return get_array_module(x).exp(x)

    def backward(self, gy):
        return gy * self.outputs[0]()


@register("exp", {"matrix": randn((3, 4))}, torch=lambda t, x: t.exp(x))
def exp(x):
    """Elementwise ``e ** x``."""
    return Exp()(x)


class Log(Function):
    def forward(self, x):
        return get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


@register("log", {"matrix": positive((3, 4))}, torch=lambda t, x: t.log(x))
def log(x):
    """Natural logarithm, elementwise."""
    return Log()(x)


class Sqrt(Function):
    def forward(self, x):
        return get_array_module(x).sqrt(x)

    def backward(self, gy):
        return gy / (2 * self.outputs[0]())


@register("sqrt", {"matrix": positive((3, 4))}, torch=lambda t, x: t.sqrt(x))
def sqrt(x):
    """Elementwise square root."""
    return Sqrt()(x)


class Tanh(Function):
    def forward(self, x):
        return get_array_module(x).tanh(x)

    def backward(self, gy):
        return TanhGrad()(self.outputs[0](), gy)


class TanhGrad(Function):
    """``gy * (1 - y**2)`` as one op, so tanh's backward costs a single call."""

    def forward(self, y, gy):
        return gy * (1 - y * y)

    def backward(self, ggx):
        y, gy = self.inputs
        return ggx * gy * -2 * y, ggx * (1 - y * y)


@register("tanh", {"matrix": randn((3, 4))}, torch=lambda t, x: t.tanh(x))
def tanh(x):
    """Hyperbolic tangent, elementwise."""
    return Tanh()(x)


class Sin(Function):
    def forward(self, x):
        return get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


@register("sin", {"matrix": randn((3, 4))}, torch=lambda t, x: t.sin(x))
def sin(x):
    """Elementwise sine."""
    return Sin()(x)


class Cos(Function):
    def forward(self, x):
        return get_array_module(x).cos(x)

    def backward(self, gy):
        return gy * -sin(self.inputs[0])


@register("cos", {"matrix": randn((3, 4))}, torch=lambda t, x: t.cos(x))
def cos(x):
    """Elementwise cosine."""
    return Cos()(x)


class Maximum(Function):
    def forward(self, x0, x1):
        self.mask = x0 >= x1
        return get_array_module(x0, x1).maximum(x0, x1)

    def backward(self, gy):
        return gy * self.mask, gy * ~self.mask


def _separated(*shapes):
    def make(rng):
        a = rng.standard_normal(shapes[0])
        b = rng.standard_normal(shapes[1])
        b = np.where(np.abs(a - b) < 0.1, b + 0.3, b)
        return (a, b), {}
    return make


@register("maximum", {"same": _separated((3, 4), (3, 4)),
                      "row": _separated((3, 4), (4,))},
          torch=lambda t, a, b: t.maximum(a, b))
def maximum(x0, x1):
    """Elementwise maximum with broadcasting (ties send the gradient to x0)."""
    return _binary(Maximum(), x0, x1)


class Minimum(Function):
    def forward(self, x0, x1):
        self.mask = x0 <= x1
        return get_array_module(x0, x1).minimum(x0, x1)

    def backward(self, gy):
        return gy * self.mask, gy * ~self.mask


@register("minimum", {"same": _separated((3, 4), (3, 4)),
                      "row": _separated((3, 4), (4,))},
          torch=lambda t, a, b: t.minimum(a, b))
def minimum(x0, x1):
    """Elementwise minimum with broadcasting (ties send the gradient to x0)."""
    return _binary(Minimum(), x0, x1)


class Clip(Function):
    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.mask = (x >= self.low) & (x <= self.high)
        return get_array_module(x).clip(x, self.low, self.high)

    def backward(self, gy):
        return gy * self.mask


def _clip_case(rng):
    x = rng.uniform(-2, 2, (4, 5))
    x = np.where(np.abs(np.abs(x) - 1.0) < 0.05, x * 0.8, x)   # avoid the edges
    return (x,), {"low": -1.0, "high": 1.0}


@register("clip", {"matrix": custom(_clip_case)},
          torch=lambda t, x, low, high: t.clamp(x, low, high))
def clip(x, low, high):
    """Clamp ``x`` to [low, high]; the gradient is zero outside."""
    return Clip(low, high)(x)


class Abs(Function):
    def forward(self, x):
        return get_array_module(x).abs(x)

    def backward(self, gy):
        x = self.inputs[0].data
        return gy * get_array_module(x).sign(x)


@register("abs", {"matrix": away_from_zero((3, 4))}, torch=lambda t, x: t.abs(x))
def abs(x):
    """Elementwise absolute value."""
    return Abs()(x)

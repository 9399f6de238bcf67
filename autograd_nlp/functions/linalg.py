"""Matrix products: matmul (2-D and batched) and linear (x @ W + b).
Both twice differentiable."""
import numpy as np

from autograd_nlp import threads
from autograd_nlp.core import Function, ShapeError
from autograd_nlp.functions.registry import randn, register
from autograd_nlp.functions.shape import reshape, swapaxes


class MatMul(Function):
    def forward(self, a, b):
        if a.ndim < 2 or b.ndim < 2:
            raise ShapeError(f"MatMul: needs 2-D or batched operands, got shapes "
                             f"{a.shape} and {b.shape}; reshape a vector to "
                             f"(1, n) or (n, 1) first")
        if a.shape[-1] != b.shape[-2]:
            raise ShapeError(f"MatMul: shapes {a.shape} and {b.shape} do not "
                             f"match: {a.shape[-1]} (last axis of the first) != "
                             f"{b.shape[-2]} (second-to-last of the second)")
        if a.ndim == 2 and b.ndim == 2:
            return threads.matmul(a, b)      # split between threads once BLAS is claimed
        return a @ b

    def backward(self, gy):
        a, b = self.inputs
        ga = gy @ swapaxes(b, -1, -2) if a.requires_grad else None
        gb = swapaxes(a, -1, -2) @ gy if b.requires_grad else None
        return ga, gb   # batch axes that were broadcast are summed by the engine


@register("matmul", {"2d": randn((3, 4), (4, 5)),
                     "batched": randn((2, 3, 4), (2, 4, 5)),
                     "broadcast-batch": randn((2, 3, 4), (4, 5)),
                     "broadcast-left": randn((3, 4), (2, 4, 5))},
          zero_size={"rows": randn((0, 4), (4, 5)), "inner": randn((3, 0), (0, 5)),
                     "batch": randn((0, 3, 4), (4, 5))},
          torch=lambda t, a, b: a @ b)
def matmul(a, b):
    """``a @ b`` for 2-D matrices or stacks of them (batch axes broadcast)."""
    return MatMul()(a, b)


def _rows(shape):
    """Rows of the 2-D view (rows, shape[-1]); explicit, as -1 is ambiguous
    for a zero-size array."""
    return int(np.prod(shape[:-1]))


class Linear(Function):
    def forward(self, x, W, b=None):
        if x.shape[-1] != W.shape[0]:
            raise ShapeError(f"Linear: input has {x.shape[-1]} features (shape "
                             f"{x.shape}) but W has shape {W.shape}; W must be "
                             f"(in_features, out_features)")
        y = threads.matmul(x.reshape(_rows(x.shape), x.shape[-1]), W)
        if b is not None:
            y += b
        return y.reshape(x.shape[:-1] + (W.shape[1],))

    def backward(self, gy):
        # leading axes are flattened so that each product is one 2-D GEMM
        # (a 3-D @ 2-D matmul would run one small GEMM per batch row)
        x, W = self.inputs[:2]
        gy2 = reshape(gy, (_rows(gy.shape), gy.shape[-1]))
        gx = reshape(gy2 @ W.T, x.shape) if x.requires_grad else None
        gW = None
        if W.requires_grad:
            gW = reshape(x, (_rows(x.shape), x.shape[-1])).T @ gy2
        gb = gy if len(self.inputs) == 3 else None   # summed to (out,) by the engine
        return (gx, gW, gb) if len(self.inputs) == 3 else (gx, gW)


@register("linear", {"2d": randn((3, 4), (4, 5), (5,)),
                     "3d-input": randn((2, 3, 4), (4, 5), (5,)),
                     "no-bias": randn((3, 4), (4, 2))},
          zero_size={"rows": randn((0, 4), (4, 5), (5,)), "inner": randn((3, 0), (0, 5), (5,))},
          torch=lambda t, x, W, b=None: x @ W + (b if b is not None else 0))
def linear(x, W, b=None):
    """``x @ W + b`` with x: (..., in), W: (in, out), b: (out,) -> (..., out).
    Leading axes are flattened into one matrix product."""
    return Linear()(x, W) if b is None else Linear()(x, W, b)

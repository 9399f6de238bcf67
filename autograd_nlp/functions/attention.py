"""Attention ops: scaled dot-product scores, and a softmax that gives masked
positions exactly zero weight.

``softmax(masked_fill(x, ~mask, -inf))`` is NaN on a row whose every position
is masked (max of -inf, then -inf - -inf); ``-1e9`` instead of -inf gives such
a row uniform weights over positions that should not be seen. ``masked_softmax``
returns exact zeros at masked positions and an all-zero row when nothing may be
attended, with finite gradients everywhere.
"""
import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Function, ShapeError
from autograd_nlp.functions.linalg import matmul
from autograd_nlp.functions.reduction import sum
from autograd_nlp.functions.registry import custom, randn, register
from autograd_nlp.functions.shape import _device_mask, swapaxes


class AttentionScores(Function):
    """``q @ k^T * scale``; see ``attention_scores``."""

    def __init__(self, scale):
        self.scale = scale

    def forward(self, q, k):
        if q.ndim < 2 or q.shape[-1] != k.shape[-1]:
            raise ShapeError(f"attention_scores: queries {q.shape} and keys {k.shape} must be "
                             f"(..., T, d) and (..., S, d) with the same d")
        # k^T made contiguous first: heads are strided views, and NumPy's batched
        # matmul of a transposed strided view skips BLAS (3-4x slower here)
        xp = get_array_module(q, k)
        scores = q @ xp.ascontiguousarray(xp.swapaxes(k, -1, -2))
        scores *= xp.asarray(self.scale, dtype=scores.dtype)
        return scores

    def backward(self, gy):
        q, k = self.inputs
        gy = gy * self.scale
        gq = matmul(gy, k) if q.requires_grad else None
        gk = matmul(swapaxes(gy, -1, -2), q) if k.requires_grad else None
        return gq, gk


class MaskedSoftmax(Function):
    """Softmax over ``axis`` of the allowed entries only; see ``masked_softmax``."""

    def __init__(self, allowed, axis):
        self.allowed, self.axis = allowed, axis

    def forward(self, x):
        if x.size == 0:
            return x.copy()
        xp = get_array_module(x)
        shifted = xp.where(self.allowed, x, -xp.inf)
        top = shifted.max(axis=self.axis, keepdims=True)
        top[~xp.isfinite(top)] = 0.0                    # a fully masked row: nothing to shift
        e = xp.exp(xp.where(self.allowed, x - top, -xp.inf))   # exactly 0 where masked
        total = e.sum(axis=self.axis, keepdims=True)
        total[total == 0] = 1.0                         # a fully masked row stays all 0
        return e / total

    def backward(self, gy):
        # softmax's Jacobian-vector product; y == 0 at masked entries, so their
        # gradient is exactly 0 (and stays finite on fully masked rows)
        y = self.outputs[0]()
        gx = y * gy
        return gx - y * sum(gx, axis=self.axis, keepdims=True)


def _masked_case(shape, allowed_fn):
    def make(rng):
        return (rng.standard_normal(shape), allowed_fn(rng, shape)), {}
    return make


def _random_allowed(rng, shape):
    allowed = rng.random(shape) < 0.6
    allowed[..., 0] = True                    # at least one allowed entry per row
    return allowed


def _with_fully_masked_row(rng, shape):
    allowed = _random_allowed(rng, shape)
    allowed[0, ...] = False                   # every row of the first block is masked
    return allowed


def _causal(rng, shape):
    return np.broadcast_to(np.tril(np.ones(shape[-2:], dtype=bool)), shape).copy()


def _key_padding(rng, shape):
    # (batch, 1, 1, S) broadcast over heads and queries: the last keys of row 1 are padding
    allowed = np.ones((shape[0], 1, 1, shape[-1]), dtype=bool)
    allowed[1, ..., -2:] = False
    return allowed


def _torch_masked_softmax(t, x, allowed, axis=-1):
    # -1e30 underflows to exactly 0 after the max shift; "* allowed" zeroes the
    # uniform row a fully masked row would otherwise get (torch's -inf gives NaN)
    return t.softmax(x.masked_fill(~allowed, -1e30), dim=axis) * allowed


@register("attention_scores",
          {"2d": randn((3, 4), (5, 4), scale=0.5),
           "heads": randn((2, 3, 4, 2), (2, 3, 5, 2), scale=2 ** -0.5),
           "broadcast-keys": randn((2, 3, 4, 2), (3, 5, 2), scale=1.0)},
          zero_size={"no-keys": randn((2, 3, 2), (2, 0, 2), scale=1.0),
                     "no-batch": randn((0, 3, 2), (0, 5, 2), scale=1.0)},
          torch=lambda t, q, k, scale: q @ k.transpose(-1, -2) * scale)
def attention_scores(q, k, scale):
    """Scaled dot products ``q @ k^T * scale`` (scale: 1/sqrt(d) in a
    Transformer): q (..., T, d), k (..., S, d) -> (..., T, S), batch axes
    broadcast. One op rather than swapaxes + matmul + mul, for speed (see
    forward); its backward is made of matmuls, so twice differentiable."""
    return AttentionScores(scale)(q, k)


@register("masked_softmax",
          {"random-mask": custom(_masked_case((3, 5), _random_allowed)),
           "fully-masked-row": custom(_masked_case((2, 3, 4), _with_fully_masked_row)),
           "causal": custom(_masked_case((2, 4, 4), _causal)),
           "key-padding-broadcast": custom(_masked_case((2, 3, 4, 5), _key_padding))},
          zero_size={"rows": custom(_masked_case((0, 5), _random_allowed)),
                     "empty-axis": custom(lambda rng: ((rng.standard_normal((3, 0)),
                                                        np.ones((3, 0), dtype=bool)), {}))},
          torch=_torch_masked_softmax)
def masked_softmax(x, allowed, axis=-1):
    """Softmax of ``x`` over ``axis`` where ``allowed`` (bool, broadcastable to
    x's shape; True = may attend) and exactly 0 elsewhere. A row with nothing
    allowed is all 0 (not NaN, not uniform). x: (..., S) -> the same shape."""
    allowed = _device_mask(allowed, x)          # on x's device
    if allowed.dtype != bool:
        raise TypeError(f"masked_softmax: allowed must be a boolean array (True = may "
                        f"attend), got dtype {allowed.dtype}; compare first, e.g. ids != pad_id")
    try:
        fits = np.broadcast_shapes(allowed.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"masked_softmax: allowed of shape {allowed.shape} does not "
                         f"broadcast to x's shape {x.shape}")
    return MaskedSoftmax(allowed, axis)(x)

"""Losses: softmax_cross_entropy, sigmoid_cross_entropy, mean_squared_error.

``softmax_cross_entropy`` is the hot path of every language model: its forward
keeps the probabilities so the first backward costs no second ``exp``; the
backward is itself a Function with a differentiable backward, so the loss is
still twice differentiable.
"""
import numpy as np

from autograd_nlp import cuda_kernels, jit
from autograd_nlp.backend import get_array_module, ids_out_of_range
from autograd_nlp.core import Function, ShapeError
from autograd_nlp.functions.activation import sigmoid, softmax
from autograd_nlp.functions.reduction import sum
from autograd_nlp.functions.shape import where
from autograd_nlp.functions.registry import custom, randn, register

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


class SoftmaxCrossEntropy(Function):
    """Inputs: logits (..., C) float, targets (...) int. See softmax_cross_entropy."""

    def __init__(self, ignore_label, reduction):
        self.ignore_label = ignore_label
        self.reduction = reduction

    def forward(self, x, t):
        if t.dtype.kind not in "iu":
            raise TypeError(f"SoftmaxCrossEntropy: targets must be integer class "
                            f"ids, got dtype {t.dtype}")
        if x.shape[:-1] != t.shape:
            raise ShapeError(f"SoftmaxCrossEntropy: logits {x.shape} need targets of "
                             f"shape {x.shape[:-1]}, got {t.shape}")
        xp = get_array_module(x)
        n_class = x.shape[-1]
        x2 = x.reshape(-1, n_class)
        t1 = t.reshape(-1)
        valid = None if self.ignore_label is None else (t1 != self.ignore_label)
        safe_t = t1 if valid is None else xp.where(valid, t1, 0)
        if safe_t.size and ids_out_of_range(safe_t, n_class):
            bad = safe_t[(safe_t < 0) | (safe_t >= n_class)][0]
            raise IndexError(f"SoftmaxCrossEntropy: target id {bad} is outside "
                             f"[0, {n_class}) (ignore_label={self.ignore_label})")
        if xp is not np and cuda_kernels.usable(x2):      # one kernel for the rows
            p, losses = cuda_kernels.softmax_ce_forward(x2, safe_t, valid)
            return self._finish(xp, x, t, p, losses, safe_t, valid)
        if jit.usable(x2):          # three passes instead of five (jit.py)
            p, losses = jit.softmax_ce.softmax_ce_forward(x2, safe_t, valid)
            return self._finish(xp, x, t, p, losses, safe_t, valid)
        row_max = x2.max(axis=1, keepdims=True)
        if valid is not None and not xp.isfinite(row_max).all():
            # an ignored row may be fully masked (all -inf) or hold inf/NaN: it
            # must not make NaN (one pass over the logits only when that happens)
            x2 = xp.where(valid[:, None], x2, 0)
            row_max = x2.max(axis=1, keepdims=True)
        shifted = x2 - row_max
        p = xp.exp(shifted)
        norm = p.sum(axis=1, keepdims=True)
        p /= norm
        rows = xp.arange(len(t1))
        losses = xp.log(norm[:, 0]) - shifted[rows, safe_t]
        if valid is not None:
            losses *= valid
        return self._finish(xp, x, t, p, losses, safe_t, valid)

    def _finish(self, xp, x, t, p, losses, safe_t, valid):
        """Keep what backward needs; reduce the per-row losses."""
        self.probs, self.targets, self.valid = p, safe_t, valid
        self.count = int(valid.sum()) if valid is not None else len(safe_t)
        if self.reduction == "none":
            return losses.reshape(t.shape)
        total = losses.sum()
        if self.reduction == "mean":
            total = total / max(self.count, 1)
        return xp.asarray(total, dtype=x.dtype)

    def backward(self, gy):
        return SoftmaxCrossEntropyGrad(self)(self.inputs[0], gy), None


class SoftmaxCrossEntropyGrad(Function):
    """d(loss)/d(logits) = (softmax(x) - onehot(t)) * gy, from the forward's
    saved probabilities; its own backward recomputes softmax(x) with
    differentiable ops (only needed for second derivatives)."""

    def __init__(self, ce):
        self.ce = ce

    def forward(self, x, gy):
        ce = self.ce
        xp = get_array_module(ce.probs)
        if xp is not np and cuda_kernels.usable(ce.probs):
            g = cuda_kernels.softmax_ce_grad(ce.probs, ce.targets)   # probs - onehot
        elif jit.usable(ce.probs):     # (probs - onehot) * scale in one loop (jit.py)
            return jit.softmax_ce.softmax_ce_grad(ce.probs, ce.targets,
                                                  self._scale(gy, x.shape), x.shape)
        else:
            g = ce.probs.copy()
            g[xp.arange(len(ce.targets)), ce.targets] -= 1
        g = g.reshape(x.shape)
        g *= self._scale(gy, x.shape)
        return g

    def _scale(self, gy, x_shape):
        """Per-row factor (broadcastable against x) from upstream gradient gy."""
        ce = self.ce
        scale = gy[..., None] if ce.reduction == "none" else gy
        if ce.reduction == "mean":
            scale = scale / max(ce.count, 1)
        if ce.valid is not None:
            scale = scale * ce.valid.reshape(x_shape[:-1] + (1,))
        return scale

    def backward(self, ggx):
        ce = self.ce
        x, gy = self.inputs
        valid = 1.0 if ce.valid is None else ce.valid.reshape(x.shape[:-1] + (1,))
        if ce.valid is not None:   # as in the forward: ignored rows never make NaN
            x = where(valid, x, 0.0)
        p = softmax(x, axis=-1)
        xp = get_array_module(x.data)
        onehot = xp.zeros(x.shape, dtype=x.dtype)
        onehot.reshape(-1, x.shape[-1])[xp.arange(len(ce.targets)), ce.targets] = 1
        # gx = (p - onehot) * s, with s = gy * valid / count (per row)
        count = max(ce.count, 1) if ce.reduction == "mean" else 1
        s = (gy if ce.reduction != "none" else gy.reshape(gy.shape + (1,))) * valid / count
        g_p = ggx * s                               # d/dp of <ggx, (p - onehot) * s>
        g_x = p * (g_p - sum(g_p * p, axis=-1, keepdims=True))
        g_s = sum(ggx * (p - onehot), axis=-1, keepdims=True) * valid / count
        if ce.reduction == "none":
            g_gy = g_s.reshape(gy.shape)
        else:
            g_gy = sum(g_s)
        return g_x, g_gy


def _sce_case(shape, ignore=False, reduction="mean"):
    def make(rng):
        x = rng.standard_normal(shape)
        t = rng.integers(0, shape[-1], shape[:-1])
        kwargs = {"reduction": reduction}
        if ignore:
            t.reshape(-1)[::3] = -1
            kwargs["ignore_label"] = -1
        return (x, t), kwargs
    return make


def _torch_sce(t, x, targets, ignore_label=None, reduction="mean"):
    c = x.shape[-1]
    return t.nn.functional.cross_entropy(
        x.reshape(-1, c), targets.reshape(-1),
        ignore_index=-100 if ignore_label is None else ignore_label,
        reduction=reduction).reshape(targets.shape if reduction == "none" else ())


@register("softmax_cross_entropy",
          {"2d": custom(_sce_case((4, 5))),
           "3d": custom(_sce_case((2, 3, 5))),
           "ignore-label": custom(_sce_case((3, 4, 6), ignore=True)),
           "sum": custom(_sce_case((4, 5), reduction="sum")),
           "none": custom(_sce_case((2, 3, 4), ignore=True, reduction="none"))},
          # (the mean of nothing is 0 here, NaN in torch: tests/functions/test_edge_cases.py)
          zero_size={"sum": custom(_sce_case((0, 5), reduction="sum")),
                     "none": custom(_sce_case((2, 0, 5), reduction="none"))},
          torch=_torch_sce)
def softmax_cross_entropy(logits, targets, ignore_label=None, reduction="mean"):
    """Cross-entropy of softmax(logits) against integer targets.

    logits: (N, C) or (N, T, C); targets: (N,) or (N, T) ints. Targets equal
    to ``ignore_label`` (e.g. padding) add nothing and are not counted in the
    mean. ``reduction``: "mean" (default), "sum" or "none" (shape of targets).
    Stable for logits of any magnitude. Ignored rows give loss 0 and gradient
    0 even when fully masked (all -inf; torch gives NaN gradients there), and
    a batch with nothing counted has mean 0 (torch: NaN, from 0 / 0).
    """
    _check_reduction("softmax_cross_entropy", reduction)
    return SoftmaxCrossEntropy(ignore_label, reduction)(logits, targets)


class SigmoidCrossEntropy(Function):
    def __init__(self, reduction):
        self.reduction = reduction

    def forward(self, x, t):
        if x.shape != t.shape:
            raise ShapeError(f"SigmoidCrossEntropy: logits {x.shape} and targets "
                             f"{t.shape} must have the same shape")
        # -[t log s(x) + (1 - t) log(1 - s(x))] = max(x, 0) - x t + log(1 + e^-|x|)
        xp = get_array_module(x)
        losses = xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))
        if self.reduction == "none":
            return losses
        total = losses.sum() / (losses.size if self.reduction == "mean" else 1)
        return xp.asarray(total, dtype=x.dtype)

    def backward(self, gy):
        x, t = self.inputs
        g = sigmoid(x) - t.data.astype(x.dtype, copy=False)
        if self.reduction == "mean" and x.size:   # (an empty x has an empty gradient)
            g = g * (1.0 / x.size)
        return gy * g, None


def _sigmoid_ce_case(shape, reduction="mean"):
    def make(rng):
        return (rng.standard_normal(shape), rng.integers(0, 2, shape)), \
            {"reduction": reduction}
    return make


@register("sigmoid_cross_entropy",
          {"mean": custom(_sigmoid_ce_case((4, 3))),
           "none": custom(_sigmoid_ce_case((5,), reduction="none"))},
          torch=lambda t, x, y, reduction="mean":
          t.nn.functional.binary_cross_entropy_with_logits(x, y.to(x.dtype),
                                                           reduction=reduction))
def sigmoid_cross_entropy(logits, targets, reduction="mean"):
    """Binary cross-entropy of sigmoid(logits) against 0/1 targets of the same
    shape; "mean" over all elements (default), "sum" or "none"."""
    _check_reduction("sigmoid_cross_entropy", reduction)
    return SigmoidCrossEntropy(reduction)(logits, targets)


class MeanSquaredError(Function):
    def forward(self, x0, x1):
        diff = x0 - x1
        return get_array_module(diff).asarray((diff * diff).sum() / diff.size, dtype=diff.dtype)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        g = gy * diff * (2.0 / diff.size) if diff.size else gy * diff   # empty: empty
        return g, -g


@register("mean_squared_error", {"same": randn((3, 4), (3, 4)),
                                 "broadcast": randn((3, 4), (4,))},
          torch=lambda t, a, b: ((a - b) ** 2).mean())
def mean_squared_error(x0, x1):
    """``mean((x0 - x1) ** 2)`` over all elements (broadcasting allowed)."""
    return MeanSquaredError()(x0, x1)

"""Fused word2vec loss: CBOW's context mean, the dot products with the true
word's and the negatives' output vectors, and the binary cross-entropy, as
one op with an array-level backward that scatter-adds straight into both
embedding tables.

Composed from ``embedding``, ``mean``, ``mul``, ``sum`` and
``sigmoid_cross_entropy`` the same loss takes a dozen graph nodes and several
(batch, ·, hidden) temporaries per step; fused it is one node and the
backward is two batched products and two scatter-adds that build no
(batch, ·, hidden) copies. Measured (benchmarks/word2vec_iteration.py,
alternating rounds): a training step at ``train cbow``'s default batch of
4,000 takes 0.56x the composed loss's time; at the book's batch of 100 only
0.91-0.97x, because Adam's dense update of both tables dominates there.
On a GPU (CuPy, no weights) each direction is one fused kernel
(cuda_kernels.py). Not twice differentiable.
"""
import numpy as np

from autograd_nlp import cuda_kernels, jit
from autograd_nlp.backend import get_array_module
from autograd_nlp.core import FusedFunction, ShapeError
from autograd_nlp.functions.nn import scatter_add_rows
from autograd_nlp.functions.registry import custom, register

# Scatter-adds by flat np.add.at: in word2vec's batches most ids are distinct,
# where it beats sort + reduceat (benchmarks/scatter_add.py, docs/benchmarks.md).
SCATTER = "flat-add-at"


class NegativeSamplingLoss(FusedFunction):
    """Inputs W_in (V, D), W_out (V, D), contexts (B, C) int, samples
    (B, 1 + k) int (column 0 the true word), and optionally weights (B, C)
    float. See ``negative_sampling_loss``."""

    def forward(self, W_in, W_out, contexts, samples, weights=None):
        _check(W_in, W_out, contexts, samples, weights)
        xp = get_array_module(W_in)
        B, C = contexts.shape
        self.kernels = _kernels(W_in, W_out, weights)
        if self.kernels:                 # one kernel (and the sum) instead of ~12 launches
            self.h, self.g, losses = self.kernels.negative_sampling_forward(
                W_in, W_out, contexts, samples, *(() if weights is None else (weights,)))
            return xp.asarray(losses.sum() * W_in.dtype.type(1.0 / max(B, 1)))
        gathered = W_in[contexts]                                   # (B, C, D)
        if weights is None:
            h = gathered.sum(axis=1) * W_in.dtype.type(1.0 / max(C, 1))
        else:
            h = xp.einsum("bc,bcd->bd", weights.astype(W_in.dtype), gathered)
        w = W_out[samples]                                          # (B, K, D)
        scores = xp.matmul(w, h[:, :, None])[:, :, 0]               # (B, K)
        signs = xp.ones(scores.shape[1:], dtype=scores.dtype)
        signs[:1] = -1                                              # label 1 -> softplus(-s)
        loss = xp.logaddexp(0, scores * signs).sum() / max(B, 1)
        self.h, self.w, self.scores = h, w, scores
        return xp.asarray(loss, dtype=W_in.dtype)

    def backward_arrays(self, gy):
        W_in, W_out, contexts, samples = (x.data for x in self.inputs[:4])
        weights = self.inputs[4].data if len(self.inputs) > 4 else None
        xp = get_array_module(W_in)
        B, C = contexts.shape
        if self.kernels:
            gW_in, gW_out, *gweights = self.kernels.negative_sampling_backward(
                W_in, W_out, contexts, samples, self.h, self.g, gy,
                *(() if weights is None else (weights, self.inputs[4].requires_grad)))
            return (gW_in if self.inputs[0].requires_grad else None,
                    gW_out if self.inputs[1].requires_grad else None, None, None, *gweights)
        g = xp.exp(-xp.logaddexp(0, -self.scores))      # sigmoid(s), no overflow; - label:
        g[:, 0] -= 1
        g *= gy / max(B, 1)                                         # (B, K)
        gW_in = gW_out = None
        if self.inputs[1].requires_grad:            # sample (b, j) adds g[b, j] * h[b]
            K = samples.shape[1]
            gW_out = scatter_add_rows(samples.reshape(-1), self.h, W_out.shape[0],
                                      source=xp.repeat(xp.arange(B), K), scale=g.reshape(-1),
                                      method=SCATTER)
        gh = xp.matmul(g[:, None, :], self.w)[:, 0]                 # (B, D)
        if self.inputs[0].requires_grad:
            ids, owner = contexts.reshape(-1), xp.repeat(xp.arange(B), C)
            if weights is None:             # every context of target b adds gh[b] / C
                gW_in = scatter_add_rows(ids, gh * (1.0 / max(C, 1)), W_in.shape[0],
                                         source=owner, method=SCATTER)
            else:                           # ... adds weights[b, c] * gh[b]; 0s skipped
                scale = weights.reshape(-1).astype(gh.dtype)
                used = xp.flatnonzero(scale)
                gW_in = scatter_add_rows(ids[used], gh, W_in.shape[0], source=owner[used],
                                         scale=scale[used], method=SCATTER)
        if weights is None:
            return gW_in, gW_out, None, None
        gweights = None
        if self.inputs[4].requires_grad:                            # d/dweights = W_in[c] . gh
            gweights = xp.matmul(W_in[contexts], gh[:, :, None])[:, :, 0]
        return gW_in, gW_out, None, None, gweights


def _kernels(W_in, W_out, weights):
    """The fused kernels for these tables: CUDA (cuda_kernels.py; without
    weights), numba on the CPU (jit.py, the same contract plus weights), or
    None for the NumPy code above."""
    if weights is None and cuda_kernels.usable(W_in, W_out):
        return cuda_kernels
    return jit.negative_sampling if jit.usable(W_in, W_out) else None


def _check(W_in, W_out, contexts, samples, weights):
    op = "negative_sampling_loss"
    if W_in.ndim != 2 or W_out.ndim != 2 or W_in.shape[1] != W_out.shape[1]:
        raise ShapeError(f"{op}: W_in {W_in.shape} and W_out {W_out.shape} must be "
                         f"(vocab, dim) tables of the same dim")
    if contexts.ndim != 2 or samples.ndim != 2 or samples.shape[0] != contexts.shape[0] \
            or samples.shape[1] < 1:
        raise ShapeError(f"{op}: contexts {contexts.shape} must be (batch, window) and "
                         f"samples {samples.shape} (batch, 1 + negatives) for the same batch")
    if contexts.dtype.kind not in "iu" or samples.dtype.kind not in "iu":
        raise TypeError(f"{op}: contexts and samples must be integer ids, got "
                        f"{contexts.dtype} and {samples.dtype}")
    if weights is not None and weights.shape != contexts.shape:
        raise ShapeError(f"{op}: weights {weights.shape} must match contexts "
                         f"{contexts.shape}")


def _torch_negative_sampling_loss(t, W_in, W_out, contexts, samples, weights=None):
    ctx = W_in[contexts]
    h = ctx.mean(1) if weights is None else (weights.to(ctx.dtype)[:, :, None] * ctx).sum(1)
    scores = (W_out[samples] * h[:, None, :]).sum(-1)
    labels = t.zeros_like(scores)
    labels[:, 0] = 1
    losses = t.nn.functional.binary_cross_entropy_with_logits(scores, labels,
                                                              reduction="none")
    return losses.sum() / max(contexts.shape[0], 1)


def _ns_case(batch=3, window=4, k=3, weighted=False):
    def make(rng):
        V, D = 7, 3
        args = (rng.standard_normal((V, D)), rng.standard_normal((V, D)),
                rng.integers(0, V, (batch, window)), rng.integers(0, V, (batch, 1 + k)))
        if weighted:      # a reduced window: some contexts weigh 0, each row sums to 1
            keep = (rng.random((batch, window)) < 0.6)
            keep[:, 0] = True
            args += ((keep / keep.sum(1, keepdims=True)).astype(np.float32),)
        return args, {}
    return make


@register("negative_sampling_loss",
          {"mean-context": custom(_ns_case()),
           "weighted-context": custom(_ns_case(weighted=True)),
           "repeated-ids": custom(_ns_case(batch=6, window=6, k=5))},
          zero_size={"empty-batch": custom(_ns_case(batch=0))},
          twice_differentiable=False, torch=_torch_negative_sampling_loss)
def negative_sampling_loss(W_in, W_out, contexts, samples, weights=None):
    """word2vec's CBOW loss in one op. ``h = mean_c W_in[contexts[b, c]]``
    (or ``sum_c weights[b, c] * W_in[...]``, weights (B, C): e.g. a mask
    over a reduced window divided by its count),
    scores ``s[b, j] = W_out[samples[b, j]] . h[b]``; returns the scalar
    ``sum_b (softplus(-s[b, 0]) + sum_{j>0} softplus(s[b, j])) / B``: the
    true word (column 0) labelled 1, the negatives 0. Shapes: W_in, W_out
    (V, D); contexts (B, C) ints; samples (B, 1 + k) ints."""
    args = (W_in, W_out, contexts, samples)
    return NegativeSamplingLoss()(*args, *(() if weights is None else (weights,)))

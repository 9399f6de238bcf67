"""numba kernels for word2vec's negative-sampling loss (see jit.py), with the
contract of cuda_kernels.negative_sampling_forward / _backward.

NumPy's fused op still gathers (batch, window, D) and (batch, 1 + k, D)
copies of the embedding rows, and its backward scatter-adds with
``np.add.at`` (slow per element); here the forward is one loop per batch
row over the table rows it reads, and the backward adds each row's
gradients straight into the two (V, D) gradient tables. The scores' dot
products and the softplus are summed in another order than NumPy's
matmul and ``logaddexp``: results agree to float rounding, not bit for bit.

Shapes: W_in, W_out (V, D); contexts (B, C), samples (B, K) ids (column 0
the true word); optionally weights (B, C) (reduced windows, word2vec's sum:
the CUDA kernels have none); h (B, D) the context vectors; g (B, K) the
loss's gradient in each score; losses (B,).
"""
import math

import numpy as np

from autograd_nlp.jit import njit


@njit
def _forward(W_in, W_out, contexts, samples, weights, use_weights, inv_c, h, g, losses):
    B, C = contexts.shape
    K, D = samples.shape[1], W_in.shape[1]
    lanes = np.empty(8, dtype=h.dtype)       # the dot products' 8 partial sums
    D8 = D - D % 8
    for b in range(B):
        hb = h[b]
        hb[:] = 0
        for c in range(C):
            row = W_in[contexts[b, c]]
            if use_weights:
                wt = weights[b, c]
                if wt == 0:                      # outside a reduced window
                    continue
                for d in range(D):
                    hb[d] += wt * row[d]
            else:
                for d in range(D):
                    hb[d] += row[d]
        if not use_weights:
            for d in range(D):
                hb[d] *= inv_c
        loss = 0.0
        for k in range(K):
            w = W_out[samples[b, k]]
            lanes[:] = 0                         # 8 interleaved sums: LLVM vectorizes
            for d0 in range(0, D8, 8):           # them (one running sum it cannot,
                for j in range(8):               # without fastmath): 1.5x the forward
                    lanes[j] += w[d0 + j] * hb[d0 + j]
            s = 0.0
            for j in range(8):
                s += lanes[j]
            for d in range(D8, D):
                s += w[d] * hb[d]
            e = math.exp(-abs(s))
            x = -s if k == 0 else s              # label 1 -> softplus(-s), 0 -> softplus(s)
            loss += max(x, 0.0) + math.log1p(e)
            g[b, k] = (1.0 / (1.0 + e) if s >= 0 else e / (1.0 + e)) - (1.0 if k == 0 else 0.0)
        losses[b] = loss


def _ids_and_weights(W_in, contexts, samples, weights):
    contexts = np.ascontiguousarray(contexts, dtype=np.int64)
    samples = np.ascontiguousarray(samples, dtype=np.int64)
    if weights is None:
        return contexts, samples, np.zeros((1, 1), dtype=W_in.dtype), False
    return contexts, samples, np.ascontiguousarray(weights, dtype=W_in.dtype), True


def negative_sampling_forward(W_in, W_out, contexts, samples, weights=None):
    """Per batch row: h = the mean of W_in[contexts[b]] (with weights (B, C):
    their weighted sum), the scores W_out[samples[b, k]] . h, the row's
    loss and its gradient g in the scores. Returns h (B, D), g (B, K),
    losses (B,)."""
    contexts, samples, weights, use_weights = _ids_and_weights(W_in, contexts, samples, weights)
    (B, C), K, D = contexts.shape, samples.shape[1], W_in.shape[1]
    h, g, losses = (np.empty(shape, dtype=W_in.dtype) for shape in ((B, D), (B, K), (B,)))
    _forward(W_in, W_out, contexts, samples, weights, use_weights,
             W_in.dtype.type(1.0 / max(C, 1)), h, g, losses)
    return h, g, losses


@njit
def _backward(W_in, W_out, contexts, samples, weights, use_weights, h, g, scale, inv_c,
              gW_in, gW_out, gweights, want_gweights, gh):
    B, C = contexts.shape
    K, D = samples.shape[1], W_out.shape[1]
    for b in range(B):
        gh[:] = 0
        hb = h[b]
        for k in range(K):
            gk = g[b, k] * scale
            s = samples[b, k]
            w, out = W_out[s], gW_out[s]
            for d in range(D):
                gh[d] += gk * w[d]
            for d in range(D):
                out[d] += gk * hb[d]
        if not use_weights:
            for d in range(D):
                gh[d] *= inv_c
        for c in range(C):
            i = contexts[b, c]
            if want_gweights:                    # d loss / d weights[b, c] = W_in[i] . gh
                t = 0.0
                for d in range(D):
                    t += W_in[i, d] * gh[d]
                gweights[b, c] = t
            wt = weights[b, c] if use_weights else 1.0
            if wt == 0:
                continue
            out = gW_in[i]
            if use_weights:
                for d in range(D):
                    out[d] += wt * gh[d]
            else:
                for d in range(D):
                    out[d] += gh[d]


def negative_sampling_backward(W_in, W_out, contexts, samples, h, g, gy, weights=None,
                               weights_grad=False):
    """The gradients (V, D) of W_in and W_out from the forward's h and g and
    the loss's upstream gradient gy (a 0-d array); with weights, a third
    entry: their gradient (B, C) if weights_grad, else None."""
    contexts, samples, weights_, use_weights = _ids_and_weights(W_in, contexts, samples,
                                                                weights)
    B, C = contexts.shape
    T = W_out.dtype.type
    gW_in = np.zeros(W_in.shape, dtype=W_in.dtype)
    gW_out = np.zeros(W_out.shape, dtype=W_out.dtype)
    gweights = np.empty((B, C) if weights_grad else (1, 1), dtype=W_in.dtype)
    _backward(W_in, W_out, contexts, samples, weights_, use_weights, h, g,
              T(float(gy) / max(B, 1)), T(1.0 / max(C, 1)), gW_in, gW_out, gweights,
              weights_grad, np.empty(W_out.shape[1], dtype=W_out.dtype))
    if weights is None:
        return gW_in, gW_out
    return gW_in, gW_out, gweights if weights_grad else None

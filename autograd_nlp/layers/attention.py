"""Dot-product attention (chapter 8), batched over query positions.

query (batch, T, H) attends over keys (batch, S, H): weights (batch, T, S) =
softmax(query @ keys^T), each row summing to 1 over the source; the context
(batch, T, H) is weights @ values. Composed of registered ops (matmul,
softmax), so it is twice differentiable and needs no backward of its own.
"""
import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import ShapeError, Variable
from autograd_nlp.functions import masked_softmax, matmul, softmax, swapaxes
from autograd_nlp.layers.module import Module


def dot_product_attention(query, keys, values=None, mask=None, scale=False):
    """Returns (context (batch, T, H_v), weights (batch, T, S)).

    ``values`` default to ``keys`` (the book's attention over encoder states).
    ``mask`` (broadcastable to (batch, T, S), True = may attend) hides e.g.
    padding, through ``masked_softmax``: masked weights are exactly 0, and a
    query with nothing to attend to gets all-zero weights (a zero context). ``scale`` divides the scores by sqrt(H) (Transformer style)."""
    values = keys if values is None else values
    if query.shape[-1] != keys.shape[-1] or keys.shape[:-1] != values.shape[:-1]:
        raise ShapeError(f"dot_product_attention: query {query.shape}, keys {keys.shape} "
                         f"and values {values.shape} do not fit (batch, T, H) x "
                         f"(batch, S, H) x (batch, S, H_v)")
    scores = matmul(query, swapaxes(keys, -1, -2))                  # (batch, T, S)
    if scale:
        scores = scores * (1.0 / np.sqrt(query.shape[-1]))
    if mask is None:
        weights = softmax(scores, axis=-1)
    else:                     # exactly 0 where masked; a row with nothing allowed is all 0
        mask = mask.data if isinstance(mask, Variable) else mask
        weights = masked_softmax(scores, get_array_module(mask).asarray(mask, dtype=bool),
                                 axis=-1)
    return matmul(weights, values), weights


class Attention(Module):
    """The book's Attention layer: no parameters; ``forward(decoder_hs,
    encoder_hs)`` -> context (batch, T, H). The last weights (batch, T, S)
    are kept in ``self.weights`` for inspection and heatmaps."""

    def __init__(self, scale=False):
        super().__init__()
        self.scale = scale
        self.weights = None

    def forward(self, query, keys, values=None, mask=None):
        context, weights = dot_product_attention(query, keys, values, mask, self.scale)
        self.weights = weights.data
        return context

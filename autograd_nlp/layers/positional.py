"""Positional encodings: where each token stands, added to its embedding.

Both take ``offset``, the position of the first row of ``x``, so incremental
decoding (one new token per call) gets the right positions.
"""
import numpy as np

from autograd_nlp.backend import device_of, to_device

from autograd_nlp.core import Parameter
from autograd_nlp.functions import embedding
from autograd_nlp.layers import init as initializers
from autograd_nlp.layers.module import Module


def sinusoidal_table(length, dim):
    """(length, dim) float64: sin on even, cos on odd features, wavelengths
    from 2 pi to 10000 * 2 pi (Vaswani et al. 2017, section 3.5)."""
    positions = np.arange(length)[:, None]
    rates = np.exp(-np.log(10000.0) * (np.arange(0, dim, 2) / dim))
    table = np.zeros((length, dim))
    table[:, 0::2] = np.sin(positions * rates)
    table[:, 1::2] = np.cos(positions * rates[:dim // 2])
    return table


class SinusoidalPositionalEncoding(Module):
    """x (batch, T, dim) -> x + table[offset:offset + T]. No parameters, so
    it extends to any length; the table grows on demand."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self._table = sinusoidal_table(0, dim)

    def forward(self, x, offset=0):
        end = offset + x.shape[-2]
        if end > len(self._table):
            self._table = sinusoidal_table(max(end, 2 * len(self._table)), self.dim)
        rows = self._table[offset:end].astype(x.dtype)
        return x + to_device(rows, device_of(x.data))     # the table lives on the CPU


class LearnedPositionalEmbedding(Module):
    """x (batch, T, dim) -> x + W[offset:offset + T], W: (max_length, dim)
    learned (BERT/GPT style); positions past ``max_length`` are an error."""

    def __init__(self, max_length, dim, init=None):
        super().__init__()
        self.max_length = max_length
        self.W = Parameter((init or initializers.normal(0.02))((max_length, dim)))

    def forward(self, x, offset=0):
        end = offset + x.shape[-2]
        if end > self.max_length:
            raise ValueError(f"LearnedPositionalEmbedding: positions {offset}..{end - 1} "
                             f"requested but the table has max_length={self.max_length}; "
                             f"build it with a larger max_length")
        positions = to_device(np.arange(offset, end), device_of(self.W.data))
        return x + embedding(self.W, positions)

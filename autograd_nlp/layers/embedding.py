"""Embedding layer: a (vocab_size, dim) table looked up by integer ids."""
from autograd_nlp.core import Parameter
from autograd_nlp.functions import embedding
from autograd_nlp.layers import init as initializers
from autograd_nlp.layers.module import Module


class Embedding(Module):
    """ids (any shape, ints) -> ids.shape + (dim,). The book initialises with
    N(0, 0.01^2) (``init=normal(0.01)``, the default)."""

    def __init__(self, vocab_size, dim, init=None):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.W = Parameter((init or initializers.normal(0.01))((vocab_size, dim)))

    def forward(self, ids):
        return embedding(self.W, ids)

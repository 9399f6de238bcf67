"""Linear (affine) layer."""
from autograd_nlp.core import Parameter
from autograd_nlp.functions import linear
from autograd_nlp.layers import init as initializers
from autograd_nlp.layers.module import Module


class Linear(Module):
    """``x @ W + b``: x (..., in_size) -> (..., out_size). W: (in_size, out_size).

    ``W`` may be passed in to share a Parameter (e.g. the transposed embedding
    of a tied language model is handled by the model, not here)."""

    def __init__(self, in_size, out_size, bias=True, init="xavier"):
        super().__init__()
        self.in_size, self.out_size = in_size, out_size
        self.W = Parameter(initializers.get(init)((in_size, out_size)))
        self.b = Parameter(initializers.zeros((out_size,))) if bias else None

    def forward(self, x):
        return linear(x, self.W, self.b)

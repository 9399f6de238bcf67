"""The Transformer's position-wise feed-forward network."""
from autograd_nlp.functions import gelu, relu
from autograd_nlp.layers.dropout import Dropout
from autograd_nlp.layers.linear import Linear
from autograd_nlp.layers.module import Module

ACTIVATIONS = {"relu": relu, "gelu": gelu,
               "gelu_tanh": lambda x: gelu(x, approximate="tanh")}


class FeedForward(Module):
    """x (..., dim) -> linear(dim, hidden) -> activation -> dropout ->
    linear(hidden, dim), the same for every position. ``activation``: "relu"
    (the original Transformer), "gelu" (BERT; exact, slow here) or
    "gelu_tanh" (its tanh approximation, tens of times faster)."""

    def __init__(self, dim, hidden, activation="relu", dropout=0.0):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"FeedForward: activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {activation!r}")
        self.activation = activation
        self.inner = Linear(dim, hidden)
        self.dropout = Dropout(dropout)
        self.outer = Linear(hidden, dim)

    def forward(self, x):
        return self.outer(self.dropout(ACTIVATIONS[self.activation](self.inner(x))))

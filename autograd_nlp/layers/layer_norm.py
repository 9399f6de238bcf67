"""Layer normalisation as a layer: learned gain and bias over the last axis."""
import numpy as np

from autograd_nlp.config import scope
from autograd_nlp.core import Parameter
from autograd_nlp.functions import layer_norm
from autograd_nlp.layers.module import Module


class LayerNorm(Module):
    """x (..., dim) -> the same shape, each row normalised to zero mean and
    unit variance, then scaled by ``gamma`` (ones) and shifted by ``beta``
    (zeros), as ``torch.nn.LayerNorm(dim)``. Its ops sit in the scope
    "layer-norm", which graph pictures can draw as one box."""

    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.dim, self.eps = dim, eps
        self.gamma = Parameter(np.ones(dim))
        self.beta = Parameter(np.zeros(dim))

    def forward(self, x):
        with scope("layer-norm"):
            return layer_norm(x, self.gamma, self.beta, self.eps)

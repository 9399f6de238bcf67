"""Dropout layer (inverted dropout; the identity in eval mode)."""
from autograd_nlp.functions import dropout
from autograd_nlp.layers.module import Module


class Dropout(Module):
    """Zero each element with probability ``ratio`` while training, scaling
    the rest by 1 / (1 - ratio). Off after ``model.eval()`` or inside
    ``ag.eval_mode()``."""

    def __init__(self, ratio=0.5):
        super().__init__()
        self.ratio = ratio

    def forward(self, x):
        return dropout(x, self.ratio) if self.training else x

"""Weight initialisers: ``fn(shape) -> ndarray`` drawn from autograd_nlp's RNG.

The book's choices: ``normal(0.01)`` for word2vec and embeddings,
``xavier`` (randn / sqrt(fan_in)) for affine and recurrent weights.
"""
import numpy as np

from autograd_nlp import random as ag_random


def normal(std=0.01):
    """N(0, std^2)."""
    def init(shape):
        return ag_random.get_rng().standard_normal(shape) * std
    return init


def xavier(shape):
    """N(0, 1 / fan_in), fan_in = shape[0]: the book's ``randn(I, O) / sqrt(I)``."""
    return ag_random.get_rng().standard_normal(shape) / np.sqrt(shape[0])


def uniform(scale):
    """U(-scale, scale)."""
    def init(shape):
        return ag_random.get_rng().uniform(-scale, scale, shape)
    return init


def zeros(shape):
    return np.zeros(shape)


def get(init):
    """Accept an initialiser function or one of the names above."""
    if callable(init):
        return init
    named = {"xavier": xavier, "zeros": zeros, "normal": normal()}
    if init not in named:
        raise ValueError(f"unknown initialiser {init!r}; use one of {sorted(named)} "
                         f"or a function shape -> array")
    return named[init]

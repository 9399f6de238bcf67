"""The one random generator behind dropout, initialisers and samplers, so
that ``seed(n)`` makes a whole run repeatable."""
import numpy as np

_rng = np.random.default_rng()


def seed(value):
    """Reseed the generator used by every random op of autograd_nlp."""
    global _rng
    _rng = np.random.default_rng(value)


def get_rng():
    """The current ``numpy.random.Generator``."""
    return _rng


def get_state():
    """The generator's state (a dict of ints), for checkpoints."""
    return _rng.bit_generator.state


def set_state(state):
    """Restore a state returned by ``get_state``."""
    _rng.bit_generator.state = state

"""The one random generator behind dropout, initialisers and samplers, so
that ``seed(n)`` makes a whole run repeatable.

It is a ``numpy.random.Generator`` unless ``set_generator`` installs a legacy
``numpy.random.RandomState``: that replays the draws of code written against
``np.random.randn`` / ``np.random.permutation`` (the book's scripts) number
for number.
"""
import numpy as np

_rng = np.random.default_rng()


def seed(value):
    """Reseed the generator used by every random op of autograd_nlp."""
    global _rng
    _rng = np.random.default_rng(value)


def get_rng():
    """The current generator (a ``Generator``, or a ``RandomState`` if one was set)."""
    return _rng


def set_generator(rng):
    """Use ``rng`` (``numpy.random.Generator`` or ``RandomState``) from now on."""
    global _rng
    if not isinstance(rng, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"set_generator: expected a numpy.random.Generator or "
                        f"RandomState, got {type(rng).__name__}")
    _rng = rng


def get_state():
    """The generator's state as plain ints, lists and strings, for checkpoints."""
    if isinstance(_rng, np.random.RandomState):
        state = _rng.get_state(legacy=False)
        return {"legacy": True, "bit_generator": state["bit_generator"],
                "key": [int(k) for k in state["state"]["key"]],
                "pos": int(state["state"]["pos"]),
                "has_gauss": int(state["has_gauss"]), "gauss": float(state["gauss"])}
    return _rng.bit_generator.state


def set_state(state):
    """Restore a state returned by ``get_state`` (switching to a legacy
    ``RandomState`` or back to a ``Generator`` as the state requires)."""
    global _rng
    if state.get("legacy"):
        if not isinstance(_rng, np.random.RandomState):
            _rng = np.random.RandomState()
        _rng.set_state({"bit_generator": state["bit_generator"],
                        "state": {"key": np.array(state["key"], dtype=np.uint32),
                                  "pos": state["pos"]},
                        "has_gauss": state["has_gauss"], "gauss": state["gauss"]})
        return
    if not isinstance(_rng, np.random.Generator):
        _rng = np.random.default_rng()
    _rng.bit_generator.state = state

"""The one random generator behind dropout, initialisers and samplers, so
that ``seed(n)`` makes a whole run repeatable.

It is a ``numpy.random.Generator`` unless ``set_generator`` installs a legacy
``numpy.random.RandomState``: that replays the draws of code written against
``np.random.randn`` / ``np.random.permutation`` (the book's scripts) number
for number. Draw through the helpers below (``random_floats``), not the
generator's own methods where the two kinds differ (``Generator.random``
takes a ``dtype``, ``RandomState.random`` does not).

Draws for arrays on another device (dropout masks, negative samples on a
GPU) come from that device's own generator, made on first use and seeded
from the last ``seed(n)``, so a GPU run is repeatable too (its stream is
not the CPU's, and it is not part of ``get_state``).
"""
import numpy as np

_rng = np.random.default_rng()
_seed_value = None      # the last seed(n), for the device generators
_device_rngs = {}       # device name -> that device's generator


def seed(value):
    """Reseed the generator used by every random op of autograd_nlp (and
    restart every device's generator from the same seed)."""
    global _rng, _seed_value
    _rng = np.random.default_rng(value)
    _seed_value = value
    _device_rngs.clear()


def device_rng(xp):
    """The generator behind draws for arrays of module ``xp`` (numpy: the
    global one; cupy: a ``cupy.random.Generator`` seeded from ``seed``)."""
    if xp is np:
        return _rng
    from autograd_nlp.backend import get_device_of_module
    device = get_device_of_module(xp)
    gen = _device_rngs.get(device.name)
    if gen is None:
        gen = _device_rngs[device.name] = device.make_generator(_seed_value)
    return gen


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


def random_floats(shape, dtype=np.float64, rng=None, xp=np):
    """Uniform draws in [0, 1) of ``shape`` and ``dtype`` from ``rng`` (default:
    the global generator). A Generator draws in ``dtype`` directly; a
    RandomState draws float64 as ``np.random.rand`` does (the book's stream).
    ``xp`` (e.g. cupy): draw on that module's device, from its generator."""
    if xp is not np:
        return device_rng(xp).random(shape, dtype=dtype)
    rng = _rng if rng is None else rng
    if isinstance(rng, np.random.RandomState):
        return rng.random_sample(shape).astype(dtype, copy=False)
    if np.dtype(dtype) in (np.float32, np.float64):
        return rng.random(shape, dtype=dtype)
    return rng.random(shape).astype(dtype, copy=False)


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


def state_to_json(state):
    """A ``get_state()`` dict made JSON-safe: NumPy's bit-generator states hold
    ints wider than JSON numbers, so every int becomes ``{"int": "<digits>"}``."""
    def convert(x):
        if isinstance(x, dict):
            return {k: convert(v) for k, v in x.items()}
        if isinstance(x, int) and not isinstance(x, bool):
            return {"int": str(x)}
        return x
    return convert(state)


def state_from_json(state):
    """Undo ``state_to_json``: the dict ``set_state`` takes."""
    def convert(x):
        if isinstance(x, dict):
            if set(x) == {"int"}:
                return int(x["int"])
            return {k: convert(v) for k, v in x.items()}
        return x
    return convert(state)

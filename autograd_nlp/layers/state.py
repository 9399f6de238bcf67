"""Reindexing a decoding state along its batch axis, whatever its shape: what
beam search needs to follow the surviving hypotheses (and to copy one
question's encoder memory to its k beams)."""
import numpy as np

from autograd_nlp.backend import device_of, is_device_array, to_device
from autograd_nlp.core import Variable


def select_state(state, index):
    """``state`` with its batch rows picked by ``index`` (new_batch,) int:
    Variables (through ``getitem``, so a graph is kept when one is recorded)
    and arrays are indexed on axis 0; tuples, lists and dicts are reindexed
    element by element; None stays None; any other object must have a
    ``select(index)`` method (e.g. a Transformer's ``DecodingCache``)."""
    index = np.asarray(index)
    if state is None:
        return None
    if isinstance(state, Variable):
        return state[index]
    if isinstance(state, np.ndarray) or is_device_array(state):
        return state[to_device(index, device_of(state))]
    if isinstance(state, (tuple, list)):
        return type(state)(select_state(s, index) for s in state)
    if isinstance(state, dict):
        return {key: select_state(value, index) for key, value in state.items()}
    if hasattr(state, "select"):
        return state.select(index)
    raise TypeError(f"select_state: cannot reindex a {type(state).__name__} along the batch "
                    f"axis; give it a select(index) method or make it a tuple of Variables "
                    f"or arrays")

"""Checkpoints: one .npz holding everything needed to resume a run exactly.

Keys: ``model/<param>`` (parameters), ``optim/<key>`` (optimizer state),
``state/<module>/<i>`` (recurrent states carried between chunks) and a JSON
``__meta__`` (epoch, iteration, RNG state, best score, model config, ...).
Written atomically; read without unpickling.
"""
import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.core import Variable
from autograd_nlp.layers import recurrent_layers
from autograd_nlp.serialization import load_npz, save_npz


def save_checkpoint(path, model, optimizer=None, meta=None, extra_arrays=None):
    """Write model parameters, optimizer state, recurrent states, the RNG
    state and ``meta`` (a JSON-able dict) to ``path``."""
    arrays = {f"model/{k}": v for k, v in model.state_dict().items()}
    if optimizer is not None:
        arrays.update({f"optim/{k}": v for k, v in optimizer.state_dict().items()})
    for name, module in recurrent_layers(model):
        for i, v in enumerate(module.state or ()):
            arrays[f"state/{name}/{i}"] = v.data
    arrays.update({f"extra/{k}": np.asarray(v) for k, v in (extra_arrays or {}).items()})
    meta = dict(meta or {})
    meta["rng_state"] = ag_random.state_to_json(ag_random.get_state())
    save_npz(path, arrays, meta)


def load_checkpoint(path):
    """Read a checkpoint: a dict with ``model``, ``optim``, ``state``,
    ``extra`` (dicts of arrays) and ``meta``."""
    arrays, meta = load_npz(path, with_meta=True)
    parts = {"model": {}, "optim": {}, "state": {}, "extra": {}}
    for key, value in arrays.items():
        kind, _, name = key.partition("/")
        if kind not in parts:
            raise ValueError(f"{path}: unexpected entry {key!r}; not a checkpoint "
                             f"written by autograd_nlp")
        parts[kind][name] = value
    parts["meta"] = meta
    return parts


def restore(checkpoint, model, optimizer=None, rng=True):
    """Load a checkpoint (from ``load_checkpoint``) into a model of the same
    shape (errors name the parameter and both shapes), its optimizer, the
    recurrent states and the global RNG."""
    model.load_state_dict(checkpoint["model"])
    if optimizer is not None and checkpoint["optim"]:
        optimizer.load_state_dict(checkpoint["optim"])
    modules = dict(recurrent_layers(model))
    grouped = {}
    for key, value in checkpoint["state"].items():
        name, _, index = key.rpartition("/")
        grouped.setdefault(name, {})[int(index)] = value
    for name, module in modules.items():
        if name in grouped:
            values = grouped[name]
            module.state = tuple(Variable(to_device(values[i], model.device),
                                          requires_grad=False)
                                 for i in range(len(values)))
        else:
            module.state = None
    if rng and "rng_state" in checkpoint["meta"]:
        ag_random.set_state(ag_random.state_from_json(checkpoint["meta"]["rng_state"]))
    return checkpoint["meta"]


def non_finite_entries(arrays):
    """The names of the float arrays in ``arrays`` ({name: array}) holding
    nan or inf: a run never saves such parameters, so a checkpoint that
    holds them was damaged or edited."""
    return [name for name, value in arrays.items()
            if np.asarray(value).dtype.kind in "fc" and not np.isfinite(value).all()]


def describe_names(names, limit=3):
    """"a, b, c and 4 more"."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")

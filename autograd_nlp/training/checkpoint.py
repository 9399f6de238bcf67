"""Checkpoints: one .npz holding everything needed to resume a run exactly.

Keys: ``model/<param>`` (parameters), ``optim/<key>`` (optimizer state),
``state/<module>/<i>`` (recurrent states carried between chunks) and a JSON
``__meta__`` (epoch, iteration, RNG state, best score, model config, ...).
Written atomically; read without unpickling.

Beside a checkpoint ``run/checkpoint.npz``, a run that watches a validation
score keeps its best epoch's parameters in ``run/checkpoint.best-params.npz``
(``best_params_path``). ``restore_for_resume`` and ``check_best_params`` turn
a damaged or edited file into a ``CheckpointMismatchError`` naming the
parameter. ``Trainer.save``/``Trainer.resume`` use these; what a trainer
stores in ``__meta__`` (its ``resumable`` attributes) is the trainer's.
"""
import os

import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.core import Variable
from autograd_nlp.layers import recurrent_layers
from autograd_nlp.serialization import load_npz, save_npz
from autograd_nlp.training.errors import CheckpointMismatchError


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


def best_params_path(checkpoint_path):
    """Where the best epoch's parameters go: ``run/checkpoint.npz`` ->
    ``run/checkpoint.best-params.npz``."""
    base = str(checkpoint_path)
    return (base[:-4] if base.endswith(".npz") else base) + ".best-params.npz"


def restore_for_resume(checkpoint, path, model, optimizer):
    """``restore(checkpoint, model, optimizer)`` for ``--resume``: a
    checkpoint whose parameters are missing, of another shape or hold
    nan/inf (damaged or edited: a run never writes such) is a
    CheckpointMismatchError naming the parameter, not a KeyError/ValueError."""
    bad = non_finite_entries(checkpoint["model"])
    if bad:
        raise CheckpointMismatchError(
            f"cannot resume {path}: parameter {describe_names(bad)} holds nan or inf values "
            f"(a run never saves such; the file is damaged or was edited); resume from "
            f"another checkpoint, or start a new run without --resume")
    try:
        return restore(checkpoint, model, optimizer)
    except (KeyError, ValueError, TypeError, IndexError) as e:
        reason = e.args[0] if e.args else type(e).__name__
        if isinstance(e, KeyError) and " " not in str(reason):
            reason = f"entry {reason!r} is missing"
        raise CheckpointMismatchError(
            f"cannot resume {path}: it does not fit the model and optimizer its meta "
            f"describes ({reason}); the file is damaged or was edited. Resume from another "
            f"checkpoint, or start a new run without --resume") from None


def check_best_params(state, model, source):
    """The best parameters read on resume ({name: array} from ``source``)
    must fit ``model`` (they are put back when the run ends): else a
    CheckpointMismatchError now, naming the parameter, rather than a failure
    after the last epoch."""
    own = {name: p.shape for name, p in model.named_params()}
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = [f"{name} {tuple(state[name].shape)} (the model's: {own[name]})"
             for name in sorted(set(own) & set(state))
             if tuple(state[name].shape) != tuple(own[name])]
    bad = non_finite_entries(state)
    problems = ([f"missing {describe_names(missing)}"] if missing else []) + \
               ([f"unexpected {describe_names(unexpected)}"] if unexpected else []) + \
               ([f"shape of {describe_names(wrong)}"] if wrong else []) + \
               ([f"nan or inf in {describe_names(bad)}"] if bad else [])
    if problems:
        raise CheckpointMismatchError(
            f"cannot resume: the best parameters {source} beside the checkpoint do not "
            f"fit its model ({'; '.join(problems)}); the file is damaged or was edited. "
            f"Delete it to forget the best epoch, or start a new run without --resume")


def load_best_params(checkpoint_path, model, copy_to=None):
    """The best parameters saved beside ``checkpoint_path``, checked against
    ``model`` ({name: array}), or None when the file is missing. ``copy_to``
    (another run's checkpoint path) also writes them beside that one."""
    source = best_params_path(checkpoint_path)
    if not os.path.exists(source):
        return None
    state = load_npz(source)
    check_best_params(state, model, source)
    if copy_to and best_params_path(copy_to) != source:
        save_npz(best_params_path(copy_to), state)
    return state

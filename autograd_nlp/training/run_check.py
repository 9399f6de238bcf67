"""What a run is made of, and refusing to resume one run with another's.

Every checkpoint written for the CLI carries in its meta: ``kind`` (the model
as the CLI names it), ``model_kwargs`` (its sizes), ``data`` (``{"source":
a path or "generated ...", "fingerprint": hash of the training arrays}``),
``vocab_hash`` and ``settings`` (every hyperparameter, lr as in use when
saved). ``compare_runs`` checks a checkpoint against the run about to
continue it.
"""
import hashlib
import json

import numpy as np

from autograd_nlp.training.errors import CheckpointMismatchError


def fingerprint(*parts):
    """A short stable hash ("sha256:<16 hex>") of arrays and strings, e.g. a
    corpus, or the vocabulary joined by newlines."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            h.update(part.encode("utf-8"))
        else:
            a = np.ascontiguousarray(part)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        h.update(b"\0")
    return "sha256:" + h.hexdigest()[:16]


def option(name):
    return "--" + name.replace("_", "-")


def compare_runs(ours, theirs, path, adjustable=()):
    """Compare this run's meta (``ours``) with a checkpoint's (``theirs``).
    Returns ``[(setting, checkpoint value, our value)]`` for the settings in
    ``adjustable`` that differ (to be applied and announced); raises
    ``CheckpointMismatchError`` naming both sides for anything else that
    differs. Keys missing on either side (earlier versions) are not checked."""
    ours = json.loads(json.dumps(ours))       # tuples -> lists, as stored
    def refuse(what):
        raise CheckpointMismatchError(
            f"cannot resume {path}: {what}. Resume with the run's own data and model, "
            f"or start a new run (another --out) without --resume")

    if "kind" in ours and "kind" in theirs and ours["kind"] != theirs["kind"]:
        refuse(f"it is a {theirs['kind']} checkpoint, this is train {ours['kind']}")
    changes, refused = [], []
    settings_a, settings_b = ours.get("settings", {}), theirs.get("settings", {})
    for name in sorted(set(settings_a) & set(settings_b)):
        if settings_a[name] != settings_b[name]:
            (changes if name in adjustable else refused).append(
                (name, settings_b[name], settings_a[name]))
    if refused:
        shown = ", ".join(f"{option(n)} {new} (the checkpoint's: {old})"
                          for n, old, new in refused)
        allowed = ", ".join(option(n) for n in adjustable)
        raise CheckpointMismatchError(
            f"cannot resume {path} with {shown}: a resumed run keeps the settings it was "
            f"made with (only {allowed} may change). Leave the option out, or start a new "
            f"run (another --out) without --resume")
    # the data after the settings: a setting that shapes the data (--reverse,
    # --generate-size, --seed...) is named above rather than as two fingerprints
    data_a, data_b = ours.get("data"), theirs.get("data")
    if data_a and data_b and data_a.get("fingerprint") != data_b.get("fingerprint"):
        same = data_a.get("source") == data_b.get("source")
        refuse(f"it was trained on {data_b.get('source')} [{data_b.get('fingerprint')}], "
               f"this run reads {data_a.get('source')} [{data_a.get('fingerprint')}]"
               + (" (the same name, other contents: the files or the generator changed)"
                  if same else ""))
    if ("vocab_hash" in ours and "vocab_hash" in theirs
            and ours["vocab_hash"] != theirs["vocab_hash"]):
        refuse(f"its vocabulary [{theirs['vocab_hash']}] is not this run's "
               f"[{ours['vocab_hash']}]")
    kwargs_a, kwargs_b = ours.get("model_kwargs"), theirs.get("model_kwargs")
    if kwargs_a is not None and kwargs_b is not None and kwargs_a != kwargs_b:
        refuse(f"its model is {kwargs_b}, this run builds {kwargs_a}")
    return changes

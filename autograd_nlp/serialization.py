"""Safe, atomic .npz files: the only way this project writes arrays to disk.

Writing goes to a temporary file in the target directory, then ``os.replace``,
so a crash never leaves a half-written file under the final name. Reading
never unpickles (``allow_pickle=False``): loading a file cannot execute code.
Small metadata travels as JSON inside a 0-d string array.
"""
import json
import os
import tempfile

import numpy as np

META_KEY = "__meta__"


def save_npz(path, arrays, meta=None):
    """Write {name: array} (plus optional JSON-able ``meta``) to ``path``."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    arrays = dict(arrays)
    if meta is not None:
        arrays[META_KEY] = np.array(json.dumps(meta))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_npz(path, with_meta=False):
    """Read a file written by ``save_npz``: {name: array}, and the meta dict
    when ``with_meta``. Object arrays are refused (no unpickling)."""
    with np.load(os.fspath(path), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays.pop(META_KEY))) if META_KEY in arrays else {}
    return (arrays, meta) if with_meta else arrays

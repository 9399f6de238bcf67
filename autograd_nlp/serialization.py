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

from autograd_nlp.backend import to_device

META_KEY = "__meta__"


def atomic_write(path, write, text=False):
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it
    to ``path`` (``os.replace``). If ``write`` raises, the temporary file is
    removed and ``path`` is left as it was. The parent directory is created;
    the file is readable by all (``mkstemp`` alone makes it private)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                               suffix=".tmp")
    try:
        mode = "w" if text else "wb"
        kwargs = {"encoding": "utf-8", "newline": "\n"} if text else {}
        with os.fdopen(fd, mode, **kwargs) as f:
            write(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def save_npz(path, arrays, meta=None):
    """Write {name: array} (plus optional JSON-able ``meta``) to ``path``.
    Arrays on a device (CuPy) are written as NumPy arrays, so any machine
    can read the file."""
    arrays = {k: to_device(v, "cpu") for k, v in arrays.items()}
    if meta is not None:
        arrays[META_KEY] = np.array(json.dumps(meta))
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_npz(path, with_meta=False):
    """Read a file written by ``save_npz``: {name: array}, and the meta dict
    when ``with_meta``. Object arrays are refused (no unpickling)."""
    with np.load(os.fspath(path), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays.pop(META_KEY))) if META_KEY in arrays else {}
    return (arrays, meta) if with_meta else arrays

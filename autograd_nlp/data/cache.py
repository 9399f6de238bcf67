"""Derived-array cache: ``.npy`` files with a JSON sidecar that proves they are
fresh and intact.

Building PTB's id arrays from text takes about half a second; loading them
from ``.npy`` takes milliseconds. A cache is only worth having if it is never
silently wrong, so every ``name.npy`` has a sidecar ``name.json`` recording

* ``meta``: what the caller says the array was built from (format version,
  source files' size and SHA-256, ...). A different ``meta`` means *stale*;
* ``shape``, ``dtype`` and the SHA-256 of the array's bytes, so a truncated or
  corrupted file is detected even when it still parses.

Any mismatch, unreadable file or missing sidecar makes :func:`load_array`
return ``None`` and the caller rebuilds. Arrays are loaded with
``allow_pickle=False``; both files are written to a temporary name in the same
directory and moved into place with ``os.replace`` (array first, sidecar last),
so a crash never leaves a half-written file under the real name.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np

from autograd_nlp.data.download import sha256_file
from autograd_nlp.serialization import atomic_write

PathLike = Union[str, "os.PathLike[str]"]


def source_signature(path: PathLike) -> dict[str, Any]:
    """``{"name", "size", "sha256"}`` of a source file, for a cache's ``meta``.

    The content hash (not the mtime) decides freshness, so copying the data
    with new timestamps keeps the cache valid and an edit that preserves the
    size and mtime still invalidates it.
    """
    path = Path(path)
    return {"name": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def array_sha256(array: np.ndarray) -> str:
    """Hex SHA-256 of an array's bytes in C order."""
    return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()


def sidecar_path(npy_path: PathLike) -> Path:
    """``dir/name.npy`` -> ``dir/name.json``."""
    return Path(npy_path).with_suffix(".json")


def is_writable_dir(path: PathLike) -> bool:
    """True when ``path`` is a directory we may write *and* its mode grants
    write to someone. The second test matters for root: ``os.access`` says yes
    to root for a ``r-x`` directory, but those bits say "read-only data, leave
    it alone", so the cache goes elsewhere."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return (stat.S_ISDIR(mode) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            and os.access(path, os.W_OK | os.X_OK))


def atomic_save_npy(path: PathLike, array: np.ndarray) -> None:
    """``np.save`` to ``path`` through a temporary file and ``os.replace``."""
    atomic_write(path, lambda f: np.save(f, array, allow_pickle=False))


def atomic_write_json(path: PathLike, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` through a temporary file and ``os.replace``."""
    data = json.dumps(obj, indent=1, sort_keys=True).encode("utf-8")
    atomic_write(path, lambda f: f.write(data))


def load_array(npy_path: PathLike, meta: Mapping[str, Any]) -> Optional[np.ndarray]:
    """The cached array at ``npy_path`` if its sidecar matches ``meta`` and the
    bytes match the recorded shape, dtype and SHA-256; else ``None``.

    Never raises for a bad cache: missing, unreadable, truncated, corrupted
    and stale files all read as "not cached".
    """
    npy_path = Path(npy_path)
    try:
        with open(sidecar_path(npy_path), "r", encoding="utf-8") as f:
            side = json.load(f)
        if not isinstance(side, dict) or side.get("meta") != json.loads(json.dumps(meta)):
            return None
        array = np.load(npy_path, allow_pickle=False)
    except (OSError, ValueError, EOFError):  # JSONDecodeError is a ValueError
        return None
    if (list(array.shape) != side.get("shape") or array.dtype.str != side.get("dtype")
            or array_sha256(array) != side.get("sha256")):
        return None
    return array


def save_array(npy_path: PathLike, array: np.ndarray, meta: Mapping[str, Any]) -> None:
    """Write ``array`` and its sidecar (``meta`` plus shape/dtype/SHA-256).

    Raises ``OSError`` when the directory is not writable; callers treat the
    cache as optional and try the next location.
    """
    npy_path = Path(npy_path)
    array = np.ascontiguousarray(array)
    atomic_save_npy(npy_path, array)
    atomic_write_json(sidecar_path(npy_path), {
        "meta": dict(meta), "shape": list(array.shape),
        "dtype": array.dtype.str, "sha256": array_sha256(array)})


def load_first(dirs: Iterable[PathLike], filename: str,
               meta: Mapping[str, Any]) -> Optional[np.ndarray]:
    """The first valid cached ``filename`` among ``dirs`` (see :func:`load_array`)."""
    for d in dirs:
        array = load_array(Path(d) / filename, meta)
        if array is not None:
            return array
    return None


def save_first(dirs: Iterable[PathLike], filename: str, array: np.ndarray,
               meta: Mapping[str, Any]) -> Optional[Path]:
    """Save into the first of ``dirs`` that accepts the write (created if
    needed); returns the path written, or ``None`` when none is writable (the
    data is then simply rebuilt next time)."""
    for d in dirs:
        d = Path(d)
        try:
            if not d.exists():
                d.mkdir(parents=True)
            if not is_writable_dir(d):
                continue
            save_array(d / filename, array, meta)
            return d / filename
        except OSError:
            continue
    return None

"""Safe, atomic .npz files: the only way this project writes arrays to disk.

Writing goes to a temporary file in the target directory, fsynced, then
``os.replace``, then the directory is fsynced (what databases do): a crash
never leaves a half-written file under the final name, and once a write has
returned, the new file survives a power loss too. Reading
never unpickles (``allow_pickle=False``): loading a file cannot execute code.
Small metadata travels as JSON inside a 0-d string array.
"""
import errno
import json
import os
import tempfile
import time
import zipfile
import zlib

import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.errors import BadFileError

META_KEY = "__meta__"


STALE_SECONDS = 3600.0      # a temporary this old is stale even if its pid is alive again


def atomic_write(path, write, text=False):
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it
    to ``path`` (``os.replace``). If ``write`` raises, the temporary file is
    removed and ``path`` is left as it was. The parent directory is created;
    the file is readable by all (``mkstemp`` alone makes it private).
    Temporaries of ``path`` left by killed writers are removed first
    (``remove_stale_temporaries``).

    Durable: the temporary is fsynced before the rename, so the name never
    points at data still in the page cache, and the directory after it, so
    the rename itself is on disk when this returns. Without both, a power
    loss soon after a save can leave an empty or truncated file under the
    final name, or the old one."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=_temporary_prefix(path) + f"{os.getpid()}.",
                               suffix=".tmp")
    try:
        mode = "w" if text else "wb"
        kwargs = {"encoding": "utf-8", "newline": "\n"} if text else {}
        with os.fdopen(fd, mode, **kwargs) as f:
            write(f)
            f.flush()
            os.chmod(tmp, 0o644)
            os.fsync(f.fileno())            # data and mode, before the name points at them
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    fsync_directory(directory)              # the rename
    return path


def fsync_directory(directory):
    """Flush ``directory``'s entries (a rename, a new file) to disk. Where a
    directory cannot be opened or fsynced (Windows; some file systems answer
    EINVAL), there is nothing more to do, as PostgreSQL and SQLite also
    conclude."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EBADF, errno.EINVAL, errno.ENOTSUP, errno.EACCES):
            raise
    finally:
        os.close(fd)


def _temporary_prefix(path):
    return f".{os.path.basename(path)}."


def remove_stale_temporaries(path, now=None):
    """Remove the hidden temporaries ``.<name>.<pid>.<random>.tmp`` that a
    writer of ``path`` killed mid-write left behind: those whose pid is no
    longer running (or older than ``STALE_SECONDS``), and, for names
    without a pid (earlier versions), those older than a minute. Files of
    live writers and files of other targets are left alone. Returns the
    removed paths."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temporary_prefix(path)
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        parts = name[len(prefix):-len(".tmp")].split(".")
        if len(parts) == 2 and parts[0].isdigit():          # <pid>.<random>
            pid = int(parts[0])
            dead = pid != os.getpid() and not process_alive(pid)
            limit = float("-inf") if dead else STALE_SECONDS
        elif len(parts) == 1:                               # <random>: no pid recorded
            limit = 60.0
        else:                                               # another target's, e.g. "a.5"
            continue
        full = os.path.join(directory, name)
        try:
            stale = now - os.stat(full).st_mtime > limit
        except FileNotFoundError:
            continue
        if stale:
            try:
                os.remove(full)
                removed.append(full)
            except FileNotFoundError:
                pass
    return removed


def process_alive(pid):
    """Whether a process ``pid`` runs on this machine (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:         # someone else's live process
        return True
    except OSError as e:
        return e.errno == errno.EPERM
    return True


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
    when ``with_meta``. Object arrays are refused (no unpickling).

    A path that is missing, a directory, empty, truncated, corrupt (bad
    CRC) or not an ``.npz`` raises ``BadFileError`` saying which of these it
    is, instead of NumPy's messages (a random file reads as "pickled data")."""
    path = os.fspath(path)
    _check_npz_path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except ValueError as e:
        if "pickle" not in str(e):
            raise BadFileError(f"{path} is not a valid .npz file ({e})") from None
        raise BadFileError(f"{path} holds object (pickled) arrays, which this project "
                           f"never loads: it was not written by autograd_nlp") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as e:
        raise BadFileError(f"{path} is corrupt ({e}): the file was damaged after it "
                           f"was written; use another copy or rerun") from None
    except OSError as e:
        raise BadFileError(f"{path} cannot be read: {e.strerror or e}") from None
    meta = {}
    if META_KEY in arrays:
        try:
            meta = json.loads(str(arrays.pop(META_KEY)))
        except ValueError as e:
            raise BadFileError(f"{path}: its metadata is not valid JSON ({e})") from None
    return (arrays, meta) if with_meta else arrays


def _check_npz_path(path):
    """Name the common ways a path is not an .npz before NumPy guesses."""
    if os.path.isdir(path):
        inside = sorted(f for f in os.listdir(path) if f.endswith(".npz"))[:4]
        hint = (f"; it holds {', '.join(inside)}: pass one of them" if inside else
                "; pass the .npz file itself")
        raise BadFileError(f"{path} is a directory, not an .npz file{hint}")
    if not os.path.exists(path):
        raise BadFileError(f"{path} does not exist; check the path")
    size = os.path.getsize(path)
    if size == 0:
        raise BadFileError(f"{path} is empty (0 bytes); use another copy or rerun the "
                           f"command that wrote it")
    if not zipfile.is_zipfile(path):
        raise BadFileError(f"{path} is not an .npz file ({size:,} bytes, not a zip "
                           f"archive): truncated, or a file of another kind")


def npz_keys(path):
    """The array names in an .npz (``__meta__`` included) without reading the
    arrays; BadFileError as ``load_npz`` for a file that is not an .npz."""
    path = os.fspath(path)
    _check_npz_path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as e:
        raise BadFileError(f"{path} cannot be read as an .npz file ({e})") from None
    return [name[:-len(".npy")] if name.endswith(".npy") else name for name in names]

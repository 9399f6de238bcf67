"""A training run's output folder: created and claimed for one run at a time
(a lock file holding the writer's pid), an earlier run's files never replaced
unasked (``overwrite``), output files checked before a run starts. Used by the
recipes and the commands alike; errors are UserErrors naming the option.

``prepare_out(path, config)`` reads ``config.resume`` and ``config.overwrite``
(a recipe's Config, or the command line's arguments).
"""
import atexit
import os
import time

from autograd_nlp.errors import UserError
from autograd_nlp.serialization import process_alive


# --- output folders and files ----------------------------------------------------------
# what a train command writes into its --out folder: a folder holding any of
# these holds an earlier run, which is not replaced unless --overwrite says so
RUN_FILES = ("checkpoint.npz", "checkpoint.best-params.npz", "rl-finetuned.npz",
             "vectors.npz", "accuracy.png", "attention.png", "attention_heads.png",
             "codes.png", "returns.png", "perplexity.png", "loss.png")
LOCK_NAME = ".autograd-nlp.lock"


def prepare_out(path, args=None, writes=RUN_FILES, option="--out", lock=True):
    """The output folder ``path``, created (with its parents) and claimed for
    this run; returns ``path``. Raises UserError (naming ``option``) when it
    cannot be a folder (a file is there, or above it), when another live
    run is writing into it (its lock file), or, given the command's ``args``
    without ``--resume`` or ``--overwrite``, when it holds an earlier run (any
    of ``writes``): that run is never overwritten unasked. ``--overwrite``
    removes those files first. Calling it again for the same folder in one
    run does nothing more. ``lock=False``: the folder only holds a file the
    caller names itself (checked with ``claim_output_file``), so it is
    created but not claimed."""
    key = os.path.abspath(path)
    if key in _LOCKS:
        return path
    check_folder(path, option)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise UserError(f"{option} {path}: cannot create the folder "
                        f"({e.strerror or e})") from None
    if not lock:
        return path
    lock_folder(path, option)          # a live run in the folder: refused here
    if args is None or getattr(args, "resume", None):
        return path
    earlier = [name for name in writes if os.path.lexists(os.path.join(path, name))]
    if earlier and not getattr(args, "overwrite", False):
        release_folders(keep=set(_LOCKS) - {key})
        raise UserError(earlier_run_message(path, earlier, option))
    for name in earlier:
        try:
            os.remove(os.path.join(path, name))
        except OSError as e:
            raise UserError(f"--overwrite: cannot remove {os.path.join(path, name)} "
                            f"({e.strerror or e}); remove it yourself or pick another "
                            f"{option}") from None
    if earlier:
        print(f"--overwrite: removed the earlier run's {', '.join(earlier)} from {path}",
              flush=True)
    return path


def earlier_run_message(path, files, option="--out"):
    """Why a folder holding an earlier run is refused, and the ways out."""
    checkpoint = os.path.join(path, "checkpoint.npz")
    resume = (f"continue that run with --resume {checkpoint}, "
              if "checkpoint.npz" in files else "")
    return (f"{option} {path} already holds an earlier run ({', '.join(files)}); "
            f"{resume}replace it with --overwrite, or pick another {option}")


def check_folder(path, option="--out"):
    """``path`` can be (or become) a folder: it is not a file, and nothing
    above it is one. Raises UserError naming ``option``."""
    if os.path.lexists(path) and not os.path.isdir(path):
        raise UserError(f"{option} {path} is a file, not a folder; pass a folder (missing "
                        f"ones are created)")
    blocking = _file_above(path)
    if blocking is not None:
        raise UserError(f"{option} {path}: {blocking} is a file, so there can be no folder "
                        f"under it; pass another {option}")


def check_output_file(path, option):
    """``path`` can be written as a file: it is not a folder, and nothing
    above it is a file. Raises UserError naming ``option``; returns ``path``."""
    if os.path.isdir(path):
        raise UserError(f"{option} {path} is a folder; pass the path of a file to write")
    blocking = _file_above(path)
    if blocking is not None:
        raise UserError(f"{option} {path}: {blocking} is a file, so there can be no folder "
                        f"under it; pass another {option}")
    return path


def claim_output_file(path, args, option):
    """A file a run writes outside its --out folder (``--vectors P``,
    ``--out X.npz``): ``check_output_file``, and an existing one is an
    earlier run's, refused unless ``--overwrite`` (or ``--resume``, which
    continues that run). Returns ``path``."""
    check_output_file(path, option)
    if (os.path.lexists(path) and not getattr(args, "resume", None)
            and not getattr(args, "overwrite", False)):
        raise UserError(f"{option} {path} already exists (an earlier run's); replace it with "
                        f"--overwrite, or pick another {option}")
    return path


def _file_above(path):
    """The nearest existing ancestor of ``path`` when it is not a folder, else None."""
    parent = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        up = os.path.dirname(parent)
        if up == parent:
            return None
        parent = up


# --- one run per folder: a lock file holding the writer's pid ---------------------------
_LOCKS = {}            # absolute folder -> lock file path, held by this process


def lock_folder(path, option="--out"):
    """Claim folder ``path`` for this process: create ``path/.autograd-nlp.lock``
    (O_CREAT | O_EXCL) holding our pid. A lock whose pid is no longer
    running (a killed run) is taken over; a live one is a UserError. Held
    until ``release_folders`` (the CLI calls it when a command ends; at exit
    at the latest)."""
    key = os.path.abspath(path)
    if key in _LOCKS:
        return
    lock = os.path.join(key, LOCK_NAME)
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _lock_owner(lock)
            # our own pid on a lock we do not hold: left by a dead process whose pid
            # the system gave us again, so stale like any other dead one
            if pid is not None and pid != os.getpid() and process_alive(pid):
                raise UserError(f"{option} {path} is in use by another run (pid {pid}, "
                                f"see {lock}); wait for it to finish, or pick another "
                                f"{option}") from None
            _remove_stale_lock(lock, pid)
            continue
        except OSError as e:
            raise UserError(f"{option} {path}: cannot write into the folder "
                            f"({e.strerror or e})") from None
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        _LOCKS[key] = lock
        return
    raise UserError(f"{option} {path}: another run keeps claiming the folder ({lock}); "
                    f"pick another {option}")


def _lock_owner(lock):
    """The pid in a lock file; None when it holds none (unreadable, or a
    writer killed between creating and filling it, given a second to fill it)."""
    for attempt in range(2):
        try:
            with open(lock, encoding="ascii", errors="replace") as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        except OSError:
            text = ""
        if text.isdigit():
            return int(text)
        if attempt == 0:
            try:
                if time.time() - os.stat(lock).st_mtime > 1.0:
                    return None
            except OSError:
                return None
            time.sleep(1.0)
    return None


def _remove_stale_lock(lock, pid):
    """Remove a stale lock, unless it changed hands since it was read."""
    if _lock_owner_now(lock) != pid:
        return
    try:
        os.remove(lock)
    except FileNotFoundError:
        pass


def _lock_owner_now(lock):
    try:
        with open(lock, encoding="ascii", errors="replace") as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def held_folders():
    """The folders this process holds now (to release those claimed after)."""
    return set(_LOCKS)


def release_folders(keep=()):
    """Release the folders this process claimed (except those in ``keep``):
    their lock files are removed if they still hold our pid."""
    for key in [k for k in _LOCKS if k not in keep]:
        lock = _LOCKS.pop(key)
        if _lock_owner_now(lock) == os.getpid():
            try:
                os.remove(lock)
            except OSError:
                pass


atexit.register(release_folders)

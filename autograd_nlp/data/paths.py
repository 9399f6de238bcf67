"""Where datasets live: the data directory (argument > environment variable)
and the download cache.

Every loader in :mod:`autograd_nlp.data` resolves its files the same way, so a
user learns one rule:

1. the ``data_dir`` argument, if given;
2. else the ``AUTOGRAD_NLP_DATA`` environment variable, if set and non-empty;
3. else the loader may download into :func:`cache_root` (PTB does; the toy
   seq2seq sets can be generated instead).

Derived files (PTB's id arrays) are cached under :func:`cache_root` only, never
in the user's data directory.

Inside a data directory ``DIR`` a dataset's files may sit either in a
per-dataset subdirectory (``DIR/ptb/ptb.train.txt``) or directly in ``DIR``
(``DIR/ptb.train.txt``); the subdirectory wins when both hold the files.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from autograd_nlp.errors import UserError

DATA_ENV = "AUTOGRAD_NLP_DATA"
CACHE_ENV = "AUTOGRAD_NLP_CACHE"
XDG_CACHE_ENV = "XDG_CACHE_HOME"
DEFAULT_CACHE = Path("~/.cache/autograd_nlp")

PathLike = Union[str, "os.PathLike[str]"]


class DatasetError(UserError):
    """Base of the data problems a user can fix (files missing, empty, not
    text). The command line prints these as a short message, without a
    traceback, and exits with code 2."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A dataset's files are neither in the configured directory nor
    obtainable (download failed or offline). The message says which files to
    put where, and how to point the loader at them; ``cli_message`` says it
    in one line for the command line (``--data-dir DIR``), None if the
    message was not made by ``missing_files_message``."""

    def __init__(self, *args):
        super().__init__(*args)
        self.cli_message = getattr(args[0], "cli", None) if args else None


class _Message(str):
    """A message (for library callers) that carries its command-line wording in ``cli``."""
    cli = None


class DataError(DatasetError, ValueError):
    """A dataset file exists but cannot be used: empty, binary or not UTF-8
    text. The message names the file, what is wrong and what to do."""


def cache_root() -> Path:
    """The download / array cache directory: ``$AUTOGRAD_NLP_CACHE`` if set and
    non-empty, else ``$XDG_CACHE_HOME/autograd_nlp`` if that is set, else
    ``~/.cache/autograd_nlp``. Not created here."""
    env = os.environ.get(CACHE_ENV, "")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get(XDG_CACHE_ENV, "")
    if xdg:
        return Path(xdg).expanduser() / DEFAULT_CACHE.name
    return DEFAULT_CACHE.expanduser()


def configured_data_dir(data_dir: Optional[PathLike] = None) -> tuple[Optional[Path], str]:
    """The data directory chosen by the user, and where that choice came from.

    Returns ``(path, origin)``: ``path`` is the ``data_dir`` argument or
    ``$AUTOGRAD_NLP_DATA``, ``origin`` a phrase for error messages (e.g.
    ``"the data_dir argument"``). ``(None, "")`` when neither is set.
    """
    if data_dir is not None:
        return Path(data_dir).expanduser(), "the data_dir argument"
    env = os.environ.get(DATA_ENV, "")
    if env:
        return Path(env).expanduser(), f"${DATA_ENV}"
    return None, ""


def find_dataset_dir(root: PathLike, subdir: str, filenames: Iterable[str]) -> Optional[Path]:
    """The directory holding *all* of ``filenames``: ``root/subdir`` first,
    then ``root`` itself; ``None`` when neither holds every file."""
    names = list(filenames)
    root = Path(root)
    for candidate in (root / subdir, root):
        if all((candidate / name).is_file() for name in names):
            return candidate
    return None


def resolve_data_dir(data_dir: Optional[PathLike], subdir: str,
                     filenames: Sequence[str], hint: str = "",
                     cli_hint: Optional[str] = None) -> Optional[Path]:
    """Resolve a dataset directory from the ``data_dir`` argument or
    ``$AUTOGRAD_NLP_DATA``.

    Args:
        data_dir: directory given by the caller, or ``None``.
        subdir: the dataset's own subdirectory name (``"ptb"``, ``"seq"``).
        filenames: files that must all be present (``["ptb.train.txt"]``).
        hint: extra advice appended to the error (e.g. where to download).
        cli_hint: the advice for the command line's one-line message, if
            other than ``hint``.

    Returns:
        The directory holding the files (``DIR/subdir`` or ``DIR``), or
        ``None`` when no directory is configured at all, so the caller may fall
        back to a download or a generator.

    Raises:
        DatasetNotFoundError: a directory *is* configured but holds the files
            in neither layout. A misconfigured path is an error, never a
            silent fallback to a download.
    """
    root, origin = configured_data_dir(data_dir)
    if root is None:
        return None
    found = find_dataset_dir(root, subdir, filenames)
    if found is not None:
        return found
    raise DatasetNotFoundError(missing_files_message(
        filenames, subdir, f"{root / subdir} or {root} (from {origin})", hint, cli_hint))


def missing_files_message(filenames: Sequence[str], subdir: str, where: str,
                          hint: str = "", cli_hint: Optional[str] = None) -> str:
    """An error message that says which files to put where and how to point a
    loader at them; shared by every loader so the advice reads the same.
    Its ``cli`` attribute says the same in one line for the command line,
    where the folder is ``--data-dir DIR`` (and ``cli_hint``, if given,
    replaces ``hint`` there)."""
    names = ", ".join(filenames)
    lines = [
        f"could not find {names} in {where}.",
        f"Put the files in DIR/{subdir}/ or directly in DIR/, then either pass "
        f"data_dir=DIR or set the environment variable {DATA_ENV}=DIR.",
    ]
    if hint:
        lines.append(hint)
    message = _Message("\n".join(lines))
    cli_where = (where.replace("(from the data_dir argument)", "(from --data-dir)")
                 .replace("neither data_dir nor", "neither --data-dir nor"))
    cli_hint = hint if cli_hint is None else cli_hint
    cli = (f"could not find {names} in {cli_where}; put the files in DIR/{subdir}/ or "
           f"directly in DIR, then pass --data-dir DIR or set {DATA_ENV}=DIR")
    message.cli = " ".join((cli + (f". {cli_hint}" if cli_hint else "")).split())
    return message

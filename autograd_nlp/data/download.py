"""Download a file once, check its SHA-256, and move it into place atomically.

A partial download or a file whose digest differs from the expected one never
appears under the destination name: the bytes go to a temporary file in the
same directory, are hashed while they stream, and only a verified file is
renamed (``os.replace``) into place.
"""
from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path
from typing import Union

from autograd_nlp.serialization import atomic_write

PathLike = Union[str, "os.PathLike[str]"]

_CHUNK = 1 << 20


class DownloadError(OSError):
    """The file could not be fetched, or its SHA-256 did not match."""


def sha256_file(path: PathLike) -> str:
    """Hex SHA-256 digest of a file's bytes (streamed, constant memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(url: str, dest: PathLike, sha256: str, timeout: float = 30.0) -> Path:
    """Fetch ``url`` into ``dest`` and check its SHA-256.

    Args:
        url: any URL ``urllib`` can open (``https://``, ``file://``).
        dest: final path; its parent directory is created.
        sha256: expected hex digest of the file's bytes.
        timeout: seconds to wait for the connection / each read.

    Returns:
        ``dest`` as a :class:`~pathlib.Path`.

    Raises:
        DownloadError: network failure, or digest mismatch (nothing is left
            at ``dest`` in either case).
    """
    dest = Path(dest)

    def fetch(out):
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, ValueError) as err:  # URLError is an OSError
            raise DownloadError(f"could not download {url}: {err}") from err
        got = digest.hexdigest()
        if got != sha256.lower():     # raising here discards the temporary file
            raise DownloadError(
                f"SHA-256 mismatch for {url}: expected {sha256}, got {got}; "
                "the file was discarded (a proxy page or a changed upstream file?)")

    atomic_write(dest, fetch)
    return dest

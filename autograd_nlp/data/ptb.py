"""Penn Treebank (Mikolov's preprocessing), loaded exactly as the book does.

The book's ``dataset/ptb.py`` reads a split as
``open(path).read().replace('\\n', '<eos>').strip().split()`` and numbers the
word types of the *training* split in order of first occurrence; valid and
test are encoded with that training vocabulary. :func:`load_ptb` gives the
same ids and counts: train 929,589 tokens, valid 73,760, test 82,430, and
10,000 word types.

Files are looked up as described in :mod:`autograd_nlp.data.paths` (argument,
then ``$AUTOGRAD_NLP_DATA``, then a SHA-256-checked download into
``$AUTOGRAD_NLP_CACHE/ptb``). The id arrays and the vocabulary are cached as
``.npy`` under the user cache directory (:func:`~autograd_nlp.data.paths.cache_root`),
in a folder keyed by the text files' absolute directory; each array's sidecar
records the source files' size and SHA-256, so an edited file is re-read (see
:mod:`autograd_nlp.data.cache`). Nothing is ever written into the data folder.

An empty, binary or non-UTF-8 file raises :class:`DataError` naming the file.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

import numpy as np

from autograd_nlp.data import cache
from autograd_nlp.data.download import download_file, sha256_file
from autograd_nlp.data.paths import (DATA_ENV, DataError, DatasetNotFoundError,
                                     PathLike, cache_root, configured_data_dir,
                                     find_dataset_dir, missing_files_message,
                                     resolve_data_dir)

SPLITS = ("train", "valid", "test")
EOS = "<eos>"
URL = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/ptb.{split}.txt"
SHA256 = {
    "ptb.train.txt": "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
    "ptb.valid.txt": "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
    "ptb.test.txt": "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
}
# Bump when the way arrays are built changes, so old caches read as stale.
CACHE_FORMAT = 1


def ptb_filename(split: str) -> str:
    """``"train"`` -> ``"ptb.train.txt"``; raises ``ValueError`` for an unknown split."""
    if split not in SPLITS:
        raise ValueError(f"unknown PTB split {split!r}; expected one of {', '.join(SPLITS)}")
    return f"ptb.{split}.txt"


def load_ptb(split: str = "train", data_dir: Optional[PathLike] = None
             ) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Load one PTB split as word ids.

    Args:
        split: ``"train"``, ``"valid"`` or ``"test"``.
        data_dir: directory holding ``ptb/ptb.{split}.txt`` or
            ``ptb.{split}.txt``; defaults to ``$AUTOGRAD_NLP_DATA``, then to
            a download into ``$AUTOGRAD_NLP_CACHE/ptb`` (``~/.cache/autograd_nlp``).

    Returns:
        ``(corpus, word_to_id, id_to_word)``: ``corpus`` is ``(n_tokens,)``
        ``np.int64`` with ``<eos>`` at every line end; the two dicts hold the
        training vocabulary (10,000 words for the real data), ids in order of
        first occurrence in ``ptb.train.txt``.

    Raises:
        ValueError: unknown split, or a valid/test word missing from the
            training vocabulary.
        DataError: (a ``ValueError``) a needed file is empty, binary or not
            UTF-8 text; the message names the file.
        DatasetNotFoundError: (a ``FileNotFoundError``) the files are not in
            the configured directory, or none is configured and the download
            failed; the message says where to put which files.
    """
    names = _needed_files(split)
    src = resolve_data_dir(data_dir, "ptb", names, hint=_download_hint())
    if src is None:
        src = _ensure_downloaded(names)
    words, corpus = _load_arrays(src, split)
    word_to_id = {w: i for i, w in enumerate(words)}
    id_to_word = dict(enumerate(words))
    return corpus, word_to_id, id_to_word


def ptb_source(split: str = "train", data_dir: Optional[PathLike] = None) -> Path:
    """The text file :func:`load_ptb` reads for ``split`` (absolute path), for
    a data summary. Resolves like ``load_ptb`` but never downloads: with no
    data directory configured it is the download location under the cache."""
    root, _ = configured_data_dir(data_dir)
    src = find_dataset_dir(root, "ptb", _needed_files(split)) if root is not None else None
    return ((src if src is not None else cache_root() / "ptb") / ptb_filename(split)).absolute()


def _needed_files(split: str) -> list[str]:
    """The files ``split`` needs: its own and ``ptb.train.txt`` (the vocabulary)."""
    names = [ptb_filename("train")]
    if split != "train":
        names.append(ptb_filename(split))
    return names


def read_tokens(path: PathLike) -> list[str]:
    """The book's tokenisation of a PTB file: every newline becomes ``<eos>``,
    then split on whitespace. (``' <eos> '`` rather than the book's ``'<eos>'``
    so a line without a trailing space still splits; identical on PTB.)

    Raises :class:`DataError` when the file is empty (or only whitespace),
    binary, or not UTF-8 text."""
    return read_ptb_text(path).replace("\n", f" {EOS} ").split()


def read_ptb_text(path: PathLike) -> str:
    """The text of a PTB file, checked to be non-empty UTF-8 text without NUL
    bytes; :class:`DataError` names the file, the problem and the fix."""
    path = Path(path)
    data = path.read_bytes()
    fix = ("Replace it with the Penn Treebank text (one sentence per line, words "
           "separated by spaces), e.g. from " + URL.format(split="{train,valid,test}") + ".")
    if not data.strip():
        what = "empty (0 bytes)" if not data else f"empty (only {len(data)} bytes of whitespace)"
        raise DataError(f"{path.name} is {what}: {path}. {fix}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"{path.name} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset "
                        f"{err.start} cannot be decoded; is it a binary or compressed file?): "
                        f"{path}. {fix}") from None
    if "\x00" in text:
        raise DataError(f"{path.name} is not text (it contains NUL bytes, at offset "
                        f"{text.index(chr(0))}; is it a binary file?): {path}. {fix}")
    return text


def build_vocab(tokens: list[str]) -> list[str]:
    """Word types in order of first occurrence (``id -> word``)."""
    return list(dict.fromkeys(tokens))


def encode(tokens: list[str], word_to_id: dict[str, int], source: str = "") -> np.ndarray:
    """``tokens`` -> ``(len(tokens),)`` ``np.int64`` ids; :class:`DataError` (a
    ``ValueError``) names the first word that is not in ``word_to_id``."""
    try:
        return np.fromiter(map(word_to_id.__getitem__, tokens), dtype=np.int64,
                           count=len(tokens))
    except KeyError as err:
        where = f" in {source}" if source else ""
        raise DataError(f"word {err.args[0]!r}{where} is not in the PTB training "
                         f"vocabulary ({len(word_to_id)} words from ptb.train.txt); "
                         "are the files from the same PTB release?") from None


def _load_arrays(src: Path, split: str) -> tuple[list[str], np.ndarray]:
    """Vocabulary and ids of ``split`` from ``src``, through the array cache."""
    train_path = src / ptb_filename("train")
    split_path = src / ptb_filename(split)
    train_sig = cache.source_signature(train_path)
    split_sigs = [train_sig] if split == "train" else [train_sig, cache.source_signature(split_path)]
    vocab_meta = {"format": CACHE_FORMAT, "kind": "ptb-vocab", "sources": [train_sig]}
    ids_meta = {"format": CACHE_FORMAT, "kind": f"ptb-{split}-ids", "sources": split_sigs}
    dirs = _cache_dirs(src)
    vocab_file, ids_file = "ptb.vocab.npy", f"ptb.{split}.ids.npy"

    cached_vocab = cache.load_first(dirs, vocab_file, vocab_meta)
    cached_ids = cache.load_first(dirs, ids_file, ids_meta)
    if cached_vocab is not None and cached_ids is not None:
        return cached_vocab.tolist(), cached_ids

    train_tokens = None
    if cached_vocab is None:
        train_tokens = read_tokens(train_path)
        words = build_vocab(train_tokens)
        cache.save_first(dirs, vocab_file, np.array(words, dtype=str), vocab_meta)
    else:
        words = cached_vocab.tolist()
    if cached_ids is not None:
        return words, cached_ids

    if split == "train":
        tokens = train_tokens if train_tokens is not None else read_tokens(train_path)
    else:
        tokens = read_tokens(split_path)
    ids = encode(tokens, {w: i for i, w in enumerate(words)}, str(split_path))
    cache.save_first(dirs, ids_file, ids, ids_meta)
    return words, ids


def array_cache_dir(src: PathLike) -> Path:
    """Where the arrays built from the text files in ``src`` are cached:
    ``cache_root()/arrays/ptb-KEY``, KEY a hash of ``src``'s absolute, resolved
    path, so two data directories never share cache files. Freshness is
    decided by the sources' size and SHA-256 in each array's sidecar."""
    key = hashlib.sha256(str(Path(src).resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_root() / "arrays" / f"ptb-{key}"


def _cache_dirs(src: Path) -> list[Path]:
    """Where arrays for ``src`` may be cached: only under the user cache
    directory, never beside the user's text files."""
    return [array_cache_dir(src)]


def _download_hint() -> str:
    return ("The files can be downloaded from "
            + URL.format(split="{train,valid,test}") + ".")


def _ensure_downloaded(names: list[str]) -> Path:
    """``cache_root()/ptb`` holding ``names`` with the known SHA-256 digests,
    downloading the missing or damaged ones."""
    target = cache_root() / "ptb"
    for name in names:
        path = target / name
        if path.is_file() and sha256_file(path) == SHA256[name]:
            continue
        split = name.split(".")[1]
        url = URL.format(split=split)
        try:
            download_file(url, path, SHA256[name])
        except OSError as err:
            raise DatasetNotFoundError(
                missing_files_message(
                    [ptb_filename(s) for s in SPLITS], "ptb",
                    f"any data directory (neither data_dir nor ${DATA_ENV} is set)",
                    f"Downloading {url} into {target} failed ({err}). Without a network, "
                    f"copy the files from another machine into {target}/ or into "
                    "DIR/ptb/ as above.")) from err
    return target

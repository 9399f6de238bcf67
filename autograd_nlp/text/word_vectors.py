"""A vocabulary with one vector per word, saved as a plain ``.npz``.

Word vectors from any method of the book (count-based SVD, CBOW, skip-gram)
end up as a ``(V, D)`` matrix plus the ``id -> word`` list; this class keeps
the two together, answers similarity / analogy queries, and saves them without
pickle (``words`` as a unicode array, ``vectors`` as float32), so a file can be
loaded with ``allow_pickle=False`` and read by any NumPy program.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence, Union

import numpy as np

from autograd_nlp.errors import BadFileError
from autograd_nlp.serialization import atomic_write, load_npz
from autograd_nlp.text.similarity import analogy, most_similar, word_id

PathLike = Union[str, "os.PathLike[str]"]


class WordVectors:
    """Words and their vectors.

    Attributes:
        words: ``list[str]`` of length ``V``; ``words[i]`` is word id ``i``.
        vectors: ``(V, D)`` ``np.float32``.
        word_to_id: ``dict[str, int]``, the inverse of ``words``.

    >>> wv = WordVectors(["a", "b"], np.eye(2))
    >>> wv["b"].tolist(), wv.vectors.dtype.name
    ([0.0, 1.0], 'float32')
    """

    def __init__(self, words: Sequence[str], vectors) -> None:
        words = list(words)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be (V, D), got shape {vectors.shape}")
        if len(words) != vectors.shape[0]:
            raise ValueError(f"got {len(words)} words but {vectors.shape[0]} vectors "
                             f"(shape {vectors.shape}); expected one row per word")
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise TypeError(f"words must be str, got {type(bad[0]).__name__} {bad[0]!r}")
        word_to_id = {w: i for i, w in enumerate(words)}
        if len(word_to_id) != len(words):
            dup = next(w for i, w in enumerate(words) if word_to_id[w] != i)
            raise ValueError(f"words must be unique; {dup!r} appears more than once")
        self.words = words
        self.vectors = vectors
        self.word_to_id = word_to_id

    @classmethod
    def from_vocab(cls, id_to_word: Mapping[int, str], vectors) -> "WordVectors":
        """From the book's ``id_to_word`` dict (ids ``0 .. V-1``) and ``(V, D)`` rows."""
        return cls([id_to_word[i] for i in range(len(id_to_word))], vectors)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> "WordVectors":
        """From ``{word: (D,) vector}``, in the mapping's order."""
        words = list(mapping)
        if not words:
            raise ValueError("cannot build WordVectors from an empty mapping")
        return cls(words, np.stack([np.asarray(mapping[w], dtype=np.float32) for w in words]))

    @property
    def id_to_word(self) -> dict[int, str]:
        """``{id: word}``, the book's inverse vocabulary."""
        return dict(enumerate(self.words))

    @property
    def dim(self) -> int:
        """Vector length ``D``."""
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_id

    def __getitem__(self, word: str) -> np.ndarray:
        """The ``(D,)`` vector of ``word``; ``KeyError`` names an unknown word."""
        return self.vectors[word_id(word, self.word_to_id)]

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words, dim {self.dim})"

    def most_similar(self, query: str, top: int = 5) -> list[tuple[str, float]]:
        """See :func:`autograd_nlp.text.similarity.most_similar`."""
        return most_similar(query, self.word_to_id, self.id_to_word, self.vectors, top)

    def analogy(self, a: str, b: str, c: str, top: int = 5) -> list[tuple[str, float]]:
        """"``a`` is to ``b`` as ``c`` is to ?"; see
        :func:`autograd_nlp.text.similarity.analogy`."""
        return analogy(a, b, c, self.word_to_id, self.id_to_word, self.vectors, top)

    def save(self, path: PathLike) -> Path:
        """Write ``words`` (unicode array) and ``vectors`` (float32) to ``path``
        as ``.npz``, exactly at ``path`` (no suffix added), atomically: a
        temporary file in the same directory is renamed over ``path``."""
        path = Path(path)
        atomic_write(path, lambda f: np.savez(f, words=np.array(self.words, dtype=str),
                                              vectors=self.vectors))
        return path

    @classmethod
    def load(cls, path: PathLike) -> "WordVectors":
        """Read a file written by :meth:`save` (never unpickles). A missing,
        corrupt or non-.npz file raises ``BadFileError``; an .npz without
        ``words`` and ``vectors`` (e.g. a training checkpoint) ``BadFileError``
        naming what it holds."""
        archive = load_npz(path)
        missing = {"words", "vectors"} - set(archive)
        if missing:
            raise BadFileError(f"{path}: expected arrays 'words' and 'vectors', found "
                               f"{_describe_keys(archive)}; pass the vectors.npz "
                               f"that `autograd-nlp train cbow|skipgram|count-svd` writes")
        words, vectors = archive["words"], archive["vectors"]
        if words.ndim != 1 or words.dtype.kind != "U":
            raise BadFileError(f"{path}: 'words' must be a 1-D unicode array, got "
                             f"shape {words.shape} dtype {words.dtype}")
        return cls(words.tolist(), vectors)


def _describe_keys(arrays, shown=4):
    """"['W']" or "['model/a', 'model/b', ... (12 arrays)]" for error messages."""
    keys = sorted(arrays)
    more = f", ... ({len(keys)} arrays)" if len(keys) > shown else ""
    return "[" + ", ".join(repr(k) for k in keys[:shown]) + more + "]"


def as_word_vectors(vectors) -> WordVectors:
    """Accept the forms the evaluation functions take and return a
    :class:`WordVectors`: a ``WordVectors``; a ``(words, matrix)`` pair where
    ``words`` is a list of words or a ``word_to_id`` dict; or a mapping
    ``{word: vector}``."""
    if isinstance(vectors, WordVectors):
        return vectors
    if isinstance(vectors, tuple) and len(vectors) == 2:
        words, matrix = vectors
        if isinstance(words, Mapping):
            order = sorted(words.items(), key=lambda kv: kv[1])
            if [i for _, i in order] != list(range(len(order))):
                raise ValueError("a word_to_id dict must map to ids 0 .. V-1")
            words = [w for w, _ in order]
        return WordVectors(words, matrix)
    if isinstance(vectors, Mapping):
        return WordVectors.from_mapping(vectors)
    raise TypeError("expected WordVectors, a (words, matrix) pair or a {word: vector} "
                    f"mapping, got {type(vectors).__name__}")

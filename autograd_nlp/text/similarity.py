"""Cosine similarity, nearest neighbours and word analogies over a word-vector
matrix (book, chapters 2 and 4), vectorised over the whole vocabulary.

``word_matrix`` is ``(V, D)``: row ``i`` is the vector of ``id_to_word[i]``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np


def cos_similarity(x, y, eps: float = 1e-8) -> float:
    """Cosine similarity of two vectors, the book's way: each is divided by
    ``norm + eps`` so a zero vector gives 0 instead of a division error.

    Args:
        x, y: ``(D,)`` vectors.

    >>> round(cos_similarity(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 4)
    0.7071
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"cos_similarity expects two 1-D vectors of the same length, "
                         f"got shapes {x.shape} and {y.shape}")
    nx = x / (np.sqrt(np.sum(x * x)) + eps)
    ny = y / (np.sqrt(np.sum(y * y)) + eps)
    return float(nx @ ny)


def normalize_rows(matrix, eps: float = 1e-8) -> np.ndarray:
    """``(V, D)`` -> rows divided by ``norm + eps`` (zero rows stay zero);
    float32 input stays float32, anything else becomes float64."""
    matrix = np.asarray(matrix)
    if matrix.dtype not in (np.float32, np.float64):
        matrix = matrix.astype(np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    return matrix / (norms + eps)[:, None].astype(matrix.dtype)


def word_id(word: str, word_to_id: Mapping[str, int]) -> int:
    """``word_to_id[word]``, with a ``KeyError`` that says the word is out of
    vocabulary and how big the vocabulary is."""
    try:
        return word_to_id[word]
    except KeyError:
        raise KeyError(f"{word!r} is not in the vocabulary ({len(word_to_id)} words)") from None


def most_similar(query: str, word_to_id: Mapping[str, int], id_to_word: Mapping[int, str],
                 word_matrix, top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` words most cosine-similar to ``query``, excluding itself.

    Like the book's ``most_similar`` but returns ``[(word, similarity), ...]``
    in descending order (ties by word id) instead of printing.

    Args:
        query: a word in ``word_to_id``.
        word_matrix: ``(V, D)`` vectors.

    Raises:
        KeyError: ``query`` is out of vocabulary.
    """
    W = _check_matrix(word_matrix, word_to_id)
    qid = word_id(query, word_to_id)
    sims = _cosines(W, W[qid])
    sims[qid] = -np.inf
    return _top(sims, id_to_word, top)


def analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int],
            id_to_word: Mapping[int, str], word_matrix, top: int = 5
            ) -> list[tuple[str, float]]:
    """Solve "``a`` is to ``b`` as ``c`` is to ?" by 3CosAdd.

    Every vector is normalised to unit length, the query is ``b - a + c``, and
    the answer is the word with the highest cosine to the query, ``a``, ``b``
    and ``c`` excluded (book ch. 4: ``analogy('man', 'king', 'woman')`` ->
    ``queen``).

    Returns:
        ``[(word, cosine), ...]``, ``top`` entries, descending.

    Raises:
        KeyError: one of ``a``, ``b``, ``c`` is out of vocabulary (named).
    """
    W = normalize_rows(_check_matrix(word_matrix, word_to_id))
    ids = [word_id(w, word_to_id) for w in (a, b, c)]
    query = W[ids[1]] - W[ids[0]] + W[ids[2]]
    sims = _cosines(W, query, rows_normalized=True)
    sims[ids] = -np.inf
    return _top(sims, id_to_word, top)


def _check_matrix(word_matrix, word_to_id: Mapping[str, int]) -> np.ndarray:
    W = np.asarray(word_matrix)
    if W.ndim != 2:
        raise ValueError(f"word_matrix must be (V, D), got shape {W.shape}")
    if W.shape[0] < len(word_to_id):
        raise ValueError(f"word_matrix has {W.shape[0]} rows but the vocabulary has "
                         f"{len(word_to_id)} words")
    if W.dtype not in (np.float32, np.float64):
        W = W.astype(np.float64)    # e.g. raw int32 co-occurrence rows, as in the book
    return W


def _cosines(W: np.ndarray, q: np.ndarray, rows_normalized: bool = False,
             eps: float = 1e-8) -> np.ndarray:
    """``(V,)`` float64 cosines of every row of ``W`` with ``q`` (book's eps rule)."""
    q = np.asarray(q, dtype=np.float64)
    q = q / (np.sqrt(q @ q) + eps)
    dots = W @ q.astype(W.dtype)
    if rows_normalized:
        return dots.astype(np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", W, W, dtype=np.float64))
    return dots / (norms + eps)


def _top(sims: np.ndarray, id_to_word: Mapping[int, str], top: int) -> list[tuple[str, float]]:
    """Highest ``top`` entries of ``sims`` as ``(word, value)``; ``-inf``
    (excluded) and nan entries are never returned."""
    if isinstance(top, bool) or int(top) != top or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    order = np.argsort(-sims, kind="stable")
    result = []
    for i in order:
        if len(result) == top or not np.isfinite(sims[i]):
            break
        result.append((id_to_word[int(i)], float(sims[i])))
    return result

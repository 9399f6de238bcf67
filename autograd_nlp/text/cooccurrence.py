"""Co-occurrence counts (book, chapter 2): how often word j appears within
``window_size`` positions of word i.

The book counts with two nested Python loops; on PTB (929,589 tokens) that
takes tens of seconds. Here each offset ``d = 1 .. window_size`` pairs the
whole corpus with itself shifted by ``d`` at once, and the pairs are counted
by sorting their flat keys ``row * V + col``: no Python loop over tokens and
no ``V * V`` int64 temporary (a ``bincount`` with ``minlength=V*V`` would need
800 MB for PTB's 10,000 words, twice the result).

:func:`co_occurrence_pairs` stops at the sparse counts (about 1M distinct
pairs for PTB with window 2), which :func:`~autograd_nlp.text.pmi.ppmi_from_pairs`
turns into PPMI without ever building the dense count matrix.
"""
from __future__ import annotations

import numpy as np


def co_occurrence(corpus, vocab_size: int, window_size: int = 1) -> np.ndarray:
    """Symmetric window co-occurrence matrix.

    Exactly the book's ``create_co_matrix``: for every position ``t`` and every
    ``d`` in ``1..window_size``, ``C[w_t, w_{t-d}] += 1`` and
    ``C[w_t, w_{t+d}] += 1`` when those positions exist (near the ends the
    missing neighbours are skipped). A word next to itself counts on the
    diagonal twice, once from each side, as in the book.

    Args:
        corpus: ``(n_tokens,)`` integer word ids in ``[0, vocab_size)``.
        vocab_size: ``V``, the number of rows/columns.
        window_size: neighbours on each side, ``>= 1``.

    Returns:
        ``(V, V)`` ``np.int32`` counts (400 MB for ``V = 10,000``).

    >>> co_occurrence(np.array([0, 1, 2, 1]), 3).tolist()
    [[0, 1, 0], [1, 0, 2], [0, 2, 0]]
    """
    keys, counts = co_occurrence_pairs(corpus, vocab_size, window_size)
    vocab_size = int(vocab_size)
    matrix = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    matrix.reshape(-1)[keys] = counts  # keys are unique: plain assignment, no add.at
    return matrix


def co_occurrence_pairs(corpus, vocab_size: int, window_size: int = 1
                        ) -> tuple[np.ndarray, np.ndarray]:
    """The non-zero entries of :func:`co_occurrence`, in flat form.

    Returns:
        ``(keys, counts)``: ``keys`` ``(nnz,)`` int64, sorted and unique, each
        ``row * vocab_size + col``; ``counts`` ``(nnz,)`` int32, the matrix
        entries at those keys.
    """
    ids = _check_corpus(corpus, vocab_size, window_size)
    keys = _pair_keys(ids, int(vocab_size), int(window_size))
    if keys.size == 0:
        return keys, np.empty(0, dtype=np.int32)
    keys.sort()
    is_start = np.empty(keys.size, dtype=bool)    # first of each run of equal keys
    is_start[0] = True
    np.not_equal(keys[1:], keys[:-1], out=is_start[1:])
    starts = np.flatnonzero(is_start)
    counts = np.diff(starts, append=keys.size).astype(np.int32)
    return keys[starts], counts


def _check_corpus(corpus, vocab_size, window_size) -> np.ndarray:
    """Validate the arguments; return the corpus as a 1-D int64 array."""
    corpus = np.asarray(corpus)
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-D array of word ids, got shape {corpus.shape}")
    if corpus.size and not np.issubdtype(corpus.dtype, np.integer):
        raise TypeError(f"corpus must hold integer word ids, got dtype {corpus.dtype}")
    if isinstance(vocab_size, bool) or int(vocab_size) != vocab_size or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    if isinstance(window_size, bool) or int(window_size) != window_size or window_size < 1:
        raise ValueError(f"window_size must be a positive integer, got {window_size!r}")
    if corpus.size:
        lo, hi = int(corpus.min()), int(corpus.max())
        if lo < 0 or hi >= vocab_size:
            raise ValueError(f"corpus ids must lie in [0, {int(vocab_size)}) for vocab_size="
                             f"{int(vocab_size)}; got ids from {lo} to {hi}")
    return corpus.astype(np.int64, copy=False)


def _pair_keys(ids: np.ndarray, vocab_size: int, window_size: int) -> np.ndarray:
    """Flat keys ``row * V + col`` of every counted (word, neighbour) pair,
    both directions, all offsets: ``(2 * sum_d (n - d),)`` int64, unsorted."""
    parts = []
    for d in range(1, min(window_size, ids.size - 1) + 1):
        left, right = ids[:-d], ids[d:]
        parts.append(left * vocab_size + right)   # right neighbour of left
        parts.append(right * vocab_size + left)   # left neighbour of right
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(parts)

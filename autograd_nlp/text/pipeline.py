"""Count-based word vectors end to end (book, chapter 2):
co-occurrence -> PPMI -> truncated SVD.

The dense ``(V, V)`` count matrix is never built: the sparse counts from
:func:`~autograd_nlp.text.cooccurrence.co_occurrence_pairs` go straight into
:func:`~autograd_nlp.text.pmi.ppmi_from_pairs`, so the peak memory is one
``(V, V)`` float32 PPMI matrix (400 MB for PTB) plus ``O(nnz)``.
"""
from __future__ import annotations

import numpy as np

from autograd_nlp.text.cooccurrence import co_occurrence_pairs
from autograd_nlp.text.pmi import ppmi_from_pairs
from autograd_nlp.text.svd import SeedLike, truncated_svd


def count_svd_vectors(corpus, vocab_size: int, window_size: int = 2, dim: int = 100,
                      n_iter: int = 5, oversamples: int = 10, seed: SeedLike = 0,
                      singular_value_power: float = 0.0, eps: float = 1e-8) -> np.ndarray:
    """Word vectors from the PPMI of window co-occurrences, reduced by SVD.

    Args:
        corpus: ``(n_tokens,)`` word ids in ``[0, vocab_size)``.
        vocab_size: ``V``.
        window_size: context words on each side (the book uses 2 for PTB).
        dim: vector length ``D`` (the book: 100), ``<= V``.
        n_iter, oversamples, seed: passed to
            :func:`~autograd_nlp.text.svd.truncated_svd`.
        singular_value_power: vectors are ``U * S ** power``. ``0`` gives the
            book's ``U``; ``0.5`` is the "eigenvalue weighting" often better
            on similarity tasks (Levy, Goldberg & Dagan 2015); ``1`` gives
            ``U * S``.
        eps: PPMI's ``eps``.

    Returns:
        ``(V, D)`` ``np.float32``; row ``i`` is the vector of word id ``i``.

    >>> from autograd_nlp.data import preprocess
    >>> corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    >>> count_svd_vectors(corpus, len(word_to_id), window_size=1, dim=2).shape
    (7, 2)
    """
    if isinstance(dim, bool) or int(dim) != dim or not 1 <= dim <= vocab_size:
        raise ValueError(f"dim must be an integer in [1, vocab_size={vocab_size}], got {dim!r}")
    keys, counts = co_occurrence_pairs(corpus, vocab_size, window_size)
    M = ppmi_from_pairs(keys, counts, vocab_size, eps)
    del keys, counts
    U, S, _ = truncated_svd(M, int(dim), n_iter=n_iter, oversamples=oversamples, seed=seed)
    if singular_value_power:
        U = U * (S ** singular_value_power).astype(U.dtype)
    return U.astype(np.float32, copy=False)

"""Training pairs for word2vec: contexts around each target word."""
import numpy as np


def create_contexts_target(corpus, window_size=1):
    """The book's ``create_contexts_target``: for every position with a full
    window, contexts (n, 2 * window_size) ids (left then right neighbours) and
    targets (n,) ids, n = len(corpus) - 2 * window_size. Vectorised."""
    corpus = np.asarray(corpus)
    n = len(corpus) - 2 * window_size
    if window_size < 1 or n < 1:
        raise ValueError(f"create_contexts_target: window_size must be >= 1 and the "
                         f"corpus longer than 2 * window_size (got {window_size} and "
                         f"{len(corpus)} tokens)")
    target = corpus[window_size:-window_size]
    offsets = [o for o in range(-window_size, window_size + 1) if o != 0]
    contexts = np.stack([corpus[window_size + o: window_size + o + n] for o in offsets],
                        axis=1)
    return contexts, target

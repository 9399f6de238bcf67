"""Principal component analysis of a few vectors, on plain arrays: how the
autoencoders' codes are drawn in two dimensions (``train autoencoder|vae``'s
codes.png). Plain NumPy."""
import numpy as np


def principal_components(codes, k=2):
    """Project ``codes`` (N, d) on their first ``k`` principal axes (the SVD
    of the centred codes). Returns (projection (N, k), the fraction of the
    variance along each axis (k,))."""
    centred = codes - codes.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:k].T, (s[:k] ** 2) / max((s ** 2).sum(), 1e-12)

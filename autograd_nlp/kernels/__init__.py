"""Fused CPU kernels compiled with numba, one file per op family (lstm,
softmax_ce, negative_sampling, adam). Ops reach them only through
``autograd_nlp/jit.py``, which says when they apply; the NumPy code in
``autograd_nlp/functions`` and ``optim.py`` stays the reference."""

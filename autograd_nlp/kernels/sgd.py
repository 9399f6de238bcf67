"""numba kernel for one plain SGD step (see jit.py).

``optim.SGD.update_one`` in NumPy is ``p -= lr * g``: a temporary the size
of the parameter and two passes (0.4 ms for word2vec's 10,000 x 100 tables,
twice a step). Here it is one loop, in place, with lr rounded to the
arrays' dtype as NumPy rounds a Python float against them: bit-identical.
"""
from autograd_nlp.jit import njit


@njit
def _sgd(p, g, lr):
    for n in range(p.size):
        p[n] -= lr * g[n]


def sgd_update(p, g, lr):
    """p -= lr * g in place (p, g C-contiguous, one float dtype, any shape)."""
    _sgd(p.reshape(-1), g.reshape(-1), p.dtype.type(lr))

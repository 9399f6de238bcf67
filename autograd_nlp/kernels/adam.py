"""numba kernel for one Adam step (see jit.py).

``optim.Adam.update_one`` in NumPy makes about ten passes over a
parameter's size (m, v, a temporary for sqrt(v), the division, the step);
here it is one loop, in place on p, m and v. Each element gets NumPy's
operations in NumPy's order with the hyperparameters rounded to the
arrays' dtype as NumPy rounds a Python float against a float32 array, so
the result is bit-identical to the NumPy path.
"""
import math

import numpy as np

from autograd_nlp.jit import njit


@njit
def _adam(p, g, m, v, beta1, beta2, one_minus_beta1, one_minus_beta2, step_size,
          inv_correction2, eps):
    """torch.optim.Adam's ordering: p -= step_size * m / (sqrt(v) *
    inv_correction2 + eps), with m, v the updated moments."""
    for n in range(p.size):
        gn = g[n]
        mn = m[n] * beta1 + one_minus_beta1 * gn
        vn = v[n] * beta2 + one_minus_beta2 * (gn * gn)
        m[n] = mn
        v[n] = vn
        p[n] -= mn / (np.sqrt(vn) * inv_correction2 + eps) * step_size


@njit
def _adam_eps_hat(p, g, m, v, one_minus_beta1, one_minus_beta2, step_size, eps):
    """The paper's "efficient" ordering (eps not bias-corrected): p -=
    step_size * m / (sqrt(v) + eps)."""
    for n in range(p.size):
        gn = g[n]
        mn = m[n] + one_minus_beta1 * (gn - m[n])
        vn = v[n] + one_minus_beta2 * (gn * gn - v[n])
        m[n] = mn
        v[n] = vn
        p[n] -= step_size * mn / (np.sqrt(vn) + eps)


def adam_update(p, g, m, v, beta1, beta2, lr, t, eps, eps_hat):
    """One Adam step at step count t (>= 1), in place on p, m, v (any shape,
    C-contiguous, one dtype; g too): the arithmetic of optim.Adam.update_one
    element by element."""
    T = p.dtype.type
    flat = [a.reshape(-1) for a in (p, g, m, v)]
    if eps_hat:
        step_size = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        _adam_eps_hat(*flat, T(1 - beta1), T(1 - beta2), T(step_size), T(eps))
    else:
        _adam(*flat, T(beta1), T(beta2), T(1 - beta1), T(1 - beta2), T(lr / (1 - beta1 ** t)),
              T(1 / math.sqrt(1 - beta2 ** t)), T(eps))

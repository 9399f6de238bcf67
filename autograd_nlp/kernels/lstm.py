"""numba kernels for one LSTM step's elementwise work (see jit.py).

Drop-in replacements for the NumPy helpers of ``functions/recurrent.py``,
on the same gate-major activations act (4, batch, H), gates [forget, input,
output, candidate]:

* ``gates_forward`` / ``cell_forward``: NumPy's ten passes per step become
  two loops and NumPy's two vectorized ``tanh`` passes (kept: numba's scalar
  tanh is far slower) and one product. Every arithmetic operation is
  NumPy's, in its order, so the results are bit-identical.
* ``gates_backward``: NumPy's ~20 passes and the copy to the (batch, 4H)
  layout become one loop, writing the gate gradients straight into the
  layer's (batch, 4H) buffer; again bit-identical (pure arithmetic, same
  order, no fused multiply-add).

Constants reach the kernels as arguments of the arrays' dtype (``one``,
``half``), so float32 work stays float32 as in NumPy. An absent input (the
zero state, no gradient from above) is passed as zeros: x + 0 and x * 0 give
NumPy's numbers (up to the sign of a zero). The loops run over per-row,
per-gate slices: LLVM vectorizes those (it does not prove that
``dgates[b, j]`` and ``dgates[b, H + j]`` never overlap), 2-3x faster.
"""
import numpy as np

from autograd_nlp.jit import njit


@njit
def _preactivations(act, proj, rec, half):
    """act (4, B, H) <- proj (B, 4H) + rec (B, 4H), the three sigmoid gates
    halved (sigmoid(x) = 0.5 tanh(x / 2) + 0.5)."""
    B, H = act.shape[1], act.shape[2]
    for b in range(B):
        for k in range(4):
            src, r, dst = proj[b, k * H:(k + 1) * H], rec[b, k * H:(k + 1) * H], act[k, b]
            if k < 3:
                for j in range(H):
                    dst[j] = (r[j] + src[j]) * half
            else:
                for j in range(H):
                    dst[j] = r[j] + src[j]


@njit
def _cell(act, c_prev, c, half):
    """act's tanh'd sigmoid gates -> 0.5 t + 0.5 (in place); c (B, H) =
    f * c_prev + i * g."""
    for b in range(c.shape[0]):
        f, i, o, g, cp, cb = act[0, b], act[1, b], act[2, b], act[3, b], c_prev[b], c[b]
        for j in range(c.shape[1]):
            fj = f[j] * half + half
            ij = i[j] * half + half
            f[j] = fj
            i[j] = ij
            o[j] = o[j] * half + half
            cb[j] = fj * cp[j] + ij * g[j]


def gates_forward(xp, act, proj, h, Wh, rec=None):
    """As recurrent._gates_forward: act (4, batch, H) <- the activated gates
    from proj (batch, 4H) plus h (batch, H) @ Wh (H, 4H) (h None: the zero
    state; the product into ``rec`` (batch, 4H) when given), except that the
    sigmoid's last step (0.5 t + 0.5) is left to ``cell_forward``, which
    reads the gates anyway."""
    if h is None:
        rec = np.zeros_like(proj)
    else:
        rec = h @ Wh if rec is None else np.matmul(h, Wh, out=rec)
    _preactivations(act, proj, rec, act.dtype.type(0.5))
    np.tanh(act, out=act)


def cell_forward(xp, act, c_prev, h, c, tanh_c):
    """As recurrent._cell_forward (after ``gates_forward``): c = f * c_prev +
    i * g, h = o * tanh(c) into h, c, tanh_c (batch, H)."""
    _cell(act, np.zeros_like(c) if c_prev is None else c_prev, c, act.dtype.type(0.5))
    np.tanh(c, out=tanh_c)
    np.multiply(act[2], tanh_c, out=h)


@njit
def _backward(act, tanh_c, c_prev, dh, dh2, dc, dgates, dc_prev, one):
    """One step's backward: gate gradients into dgates (B, 4H), dc_prev
    (B, H); the gradient reaching h is dh + dh2."""
    B, H = tanh_c.shape
    for b in range(B):
        f_, i_, o_, g_ = act[0, b], act[1, b], act[2, b], act[3, b]
        tc_, cp_, dh_, dh2_, dc_, dcp = tanh_c[b], c_prev[b], dh[b], dh2[b], dc[b], dc_prev[b]
        d0, d1 = dgates[b, :H], dgates[b, H:2 * H]
        d2, d3 = dgates[b, 2 * H:3 * H], dgates[b, 3 * H:]
        for j in range(H):
            f, i, o, g, tc = f_[j], i_[j], o_[j], g_[j], tc_[j]
            dhv = dh_[j] + dh2_[j]
            ds = (one - tc * tc) * o * dhv + dc_[j]
            dcp[j] = ds * f
            d0[j] = f * (one - f) * ds * cp_[j]
            d1[j] = i * (one - i) * ds * g
            d2[j] = o * (one - o) * dhv * tc
            d3[j] = (one - g * g) * (ds * i)


def gates_backward(act, tanh_c, c_prev, dh, dc, dgates, dh_out=None):
    """recurrent._gates_backward and the copy to the (batch, 4H) layout in
    one loop: act (4, batch, H) the step's activated gates (left as they
    are), tanh_c, c_prev (batch, H); the gradient reaching h is dh + dh_out
    (dh_out: the layer's own output at this step, may be strided), dc that
    reaching c; any of c_prev, dh, dh_out, dc may be None (zero). Writes
    the gate gradients into dgates (batch, 4H); returns dc_prev (batch, H)."""
    zeros = None
    if c_prev is None or dh is None or dh_out is None or dc is None:
        zeros = np.zeros_like(tanh_c)
    dh_out = zeros if dh_out is None else np.ascontiguousarray(dh_out)
    dc_prev = np.empty_like(tanh_c)
    _backward(act, tanh_c, zeros if c_prev is None else c_prev, zeros if dh is None else dh,
              dh_out, zeros if dc is None else dc, dgates, dc_prev, act.dtype.type(1))
    return dc_prev

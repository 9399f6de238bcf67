"""Fused CUDA kernels for the hot spots of every chapter model on a GPU,
where a layer-per-kernel design is bound by kernel launches: the LSTM cell's
gates (forward and backward, one kernel each instead of ~12, the recurrent
sum and the gradient from the layer's output folded in), softmax
cross-entropy (one block per row instead of ~8 launches) and the Adam step
(one launch per parameter instead of 11).

Used by ``functions/recurrent.py``, ``functions/loss.py`` and ``optim.py`` only for CuPy
arrays of float32/float64, behind the same model code; the CuPy code path
with ordinary array ops stays as the fallback and as the reference the GPU
tests compare against (tests/backend/test_cupy.py). CuPy is imported on
first use. Set ``AUTOGRAD_NLP_FUSED_KERNELS=0`` to use the fallback. A kernel
that fails to compile is reported once (a warning) and the fallback is used.
"""
import os
import warnings

import numpy as np

from autograd_nlp.backend import get_array_module

_SOURCE = r"""
extern "C" {

// One thread per (row, unit). act (n_rows, 4H) holds the step's input
// projection [forget, input, output, candidate]; rec (same shape), when
// has_rec, the recurrent part h_prev @ Wh, added here. act is overwritten
// with the activated gates (kept for backward); h, c and tanh(c) (n_rows, H)
// are written where the caller says (a time step of its buffers). Without
// c_prev (has_c_prev = 0) the previous cell state is zero.
// sigmoid(x) = 0.5 tanh(x / 2) + 0.5 (stable).
__global__ void lstm_forward(T* act, const T* rec, const T* c_prev, T* h, T* c,
                             T* tanh_c, int n, int H, int has_rec, int has_c_prev) {
    int i = blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    long long k = (long long)(i / H) * 4 * H + i % H;
    T* a = act + k;
    T pf = a[0], pi = a[H], po = a[2 * H], pg = a[3 * H];
    if (has_rec) {
        const T* r = rec + k;
        pf += r[0]; pi += r[H]; po += r[2 * H]; pg += r[3 * H];
    }
    T f = tanh(pf * (T)0.5) * (T)0.5 + (T)0.5;
    T in = tanh(pi * (T)0.5) * (T)0.5 + (T)0.5;
    T o = tanh(po * (T)0.5) * (T)0.5 + (T)0.5;
    T g = tanh(pg);
    a[0] = f; a[H] = in; a[2 * H] = o; a[3 * H] = g;
    T cc = in * g;
    if (has_c_prev) cc = f * c_prev[i] + cc;
    T tc = tanh(cc);
    c[i] = cc;
    tanh_c[i] = tc;
    h[i] = o * tc;
}

// The activated gates in act are replaced by the gate gradients and dc_prev
// is written. The gradient reaching h is dh + dh_out (the recurrent part and
// the layer's output at this step); flags say which inputs are there (bit 0
// dh, bit 1 dh_out, bit 2 dc, bit 3 c_prev): an absent one is zero.
__global__ void lstm_backward(T* act, const T* tanh_c, const T* c_prev, const T* dh,
                              const T* dh_out, const T* dc, T* dc_prev, int n, int H,
                              int flags) {
    int i = blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    T* a = act + (long long)(i / H) * 4 * H + i % H;
    T f = a[0], in = a[H], o = a[2 * H], g = a[3 * H];
    T tc = tanh_c[i];
    T dhv = (flags & 1) ? dh[i] : (T)0;
    if (flags & 2) dhv += dh_out[i];
    T ds = ((flags & 4) ? dc[i] : (T)0) + dhv * o * ((T)1 - tc * tc);
    T cp = (flags & 8) ? c_prev[i] : (T)0;
    dc_prev[i] = ds * f;
    a[0] = ds * cp * f * ((T)1 - f);
    a[H] = ds * g * in * ((T)1 - in);
    a[2 * H] = dhv * tc * o * ((T)1 - o);
    a[3 * H] = ds * in * ((T)1 - g * g);
}

// One Adam step, one thread per element, in place on p, m and v, with
// torch.optim.Adam's arithmetic (eps_hat = 1: the paper's efficient form,
// eps not bias-corrected). step_size and inv_correction2 = 1 / sqrt(1 - b2^t)
// come from the host.
__global__ void adam_update(T* p, const T* g, T* m, T* v, long long n, T beta1,
                            T beta2, T step_size, T inv_correction2, T eps,
                            int eps_hat) {
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    T gi = g[i], mi = m[i], vi = v[i];
    if (eps_hat) {
        mi += ((T)1 - beta1) * (gi - mi);
        vi += ((T)1 - beta2) * (gi * gi - vi);
        p[i] -= step_size * mi / (sqrt(vi) + eps);
    } else {
        mi = mi * beta1 + ((T)1 - beta1) * gi;
        vi = vi * beta2 + ((T)1 - beta2) * (gi * gi);
        p[i] -= mi / (sqrt(vi) * inv_correction2 + eps) * step_size;
    }
    m[i] = mi;
    v[i] = vi;
}

// One block (BLOCK threads) per row of x (n_rows, C): probs = softmax(row),
// loss = logsumexp(row) - row[target]. A row with valid[row] == 0 (ignored
// label) is read as zeros, so it never makes NaN; its loss is 0.
__global__ void softmax_ce_forward(const T* x, const long long* t,
                                   const unsigned char* valid, int has_valid,
                                   T* probs, T* losses, int C) {
    __shared__ T buf[BLOCK];
    int row = blockIdx.x, tid = threadIdx.x;
    const T* xr = x + (long long)row * C;
    T* pr = probs + (long long)row * C;
    bool use = !has_valid || valid[row];
    T m = use ? xr[0] : (T)0;
    for (int j = tid; j < C; j += BLOCK) {
        T v = use ? xr[j] : (T)0;
        m = v > m ? v : m;
    }
    buf[tid] = m;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (tid < s && buf[tid + s] > buf[tid]) buf[tid] = buf[tid + s];
        __syncthreads();
    }
    m = buf[0];
    __syncthreads();
    T sum = 0;
    for (int j = tid; j < C; j += BLOCK) {
        T e = exp((use ? xr[j] : (T)0) - m);
        pr[j] = e;
        sum += e;
    }
    buf[tid] = sum;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (tid < s) buf[tid] += buf[tid + s];
        __syncthreads();
    }
    sum = buf[0];
    T inv = (T)1 / sum;
    for (int j = tid; j < C; j += BLOCK) pr[j] *= inv;
    if (tid == 0) losses[row] = use ? log(sum) - (xr[t[row]] - m) : (T)0;
}

// g = probs - onehot(t), elementwise over (n_rows, C).
__global__ void softmax_ce_grad(const T* probs, const long long* t, T* g,
                                long long n, int C) {
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    long long row = i / C;
    g[i] = probs[i] - (t[row] == i % C ? (T)1 : (T)0);
}

}
"""

BLOCK = 256
KERNELS = ("lstm_forward", "lstm_backward", "adam_update", "softmax_ce_forward",
           "softmax_ce_grad")
_modules = {}          # dtype name -> cupy.RawModule, or None when it failed
_disabled = os.environ.get("AUTOGRAD_NLP_FUSED_KERNELS", "1") == "0"


def source(dtype_name):
    """The CUDA source for one float type ("float" or "double")."""
    return f"typedef {dtype_name} T;\n#define BLOCK {BLOCK}\n" + _SOURCE


def set_enabled(flag):
    """Switch the fused kernels on or off (tests and benchmarks compare both)."""
    global _disabled
    _disabled = not flag


def usable(*arrays):
    """True when the fused kernels apply: CuPy float32/float64 arrays, kernels
    enabled and compiled."""
    if _disabled:
        return False
    a = arrays[0]
    if not type(a).__module__.startswith("cupy"):
        return False
    dtype = a.dtype
    if dtype != np.float32 and dtype != np.float64:
        return False
    for x in arrays:
        if x is not None and x.dtype != dtype:
            return False
    return _module(dtype) is not None


def _module(dtype):
    key = np.dtype(dtype).name
    if key not in _modules:
        try:
            import cupy
            module = cupy.RawModule(code=source("float" if key == "float32" else "double"))
            for name in KERNELS:
                module.get_function(name)        # compiles now, not mid-run
            _modules[key] = module
        except Exception as e:   # noqa: BLE001 - any compile/driver error: fall back
            warnings.warn(f"autograd_nlp.cuda_kernels: fused kernels unavailable for "
                          f"{key} ({type(e).__name__}: {e}); using CuPy array ops",
                          RuntimeWarning, stacklevel=3)
            _modules[key] = None
    return _modules[key]


def _blocks(n):
    return (n + BLOCK - 1) // BLOCK


def _launch(name, blocks, args):
    """Run kernel ``name`` on ``blocks`` blocks of BLOCK threads. Arrays are
    passed as pointers, NumPy integer scalars as their C type. (The CPU
    tests replace this with the kernels compiled as C++.)"""
    _module(args[0].dtype).get_function(name)((blocks,), (BLOCK,), args)


def _contiguous(xp, a):
    return a if a is None or a.flags.c_contiguous else xp.ascontiguousarray(a)


def lstm_forward(act, c_prev, rec=None, out=None):
    """One LSTM step's gates and cell update in one kernel. act (batch, 4H)
    C-contiguous: the input projection, overwritten with the activated gates;
    rec (batch, 4H) the recurrent part h_prev @ Wh, or None; c_prev (batch,
    H), or None for the zero state. Writes h, c, tanh(c) (batch, H) into
    ``out`` (three C-contiguous arrays, e.g. a time step of the layer's
    buffers) or new arrays, and returns them."""
    xp = get_array_module(act)
    B, H = act.shape[0], act.shape[1] // 4
    c_prev, rec = _contiguous(xp, c_prev), _contiguous(xp, rec)
    if out is None:
        out = tuple(xp.empty((B, H), dtype=act.dtype) for _ in range(3))
    n = B * H
    if n:
        h, c, tanh_c = out
        _launch("lstm_forward", _blocks(n),
                (act, act if rec is None else rec, act if c_prev is None else c_prev,
                 h, c, tanh_c, np.int32(n), np.int32(H), np.int32(rec is not None),
                 np.int32(c_prev is not None)))
    return out


def lstm_backward(act, tanh_c, c_prev, dh, dc, dh_out=None, dc_prev=None):
    """One LSTM step's backward in one kernel: the gate gradients are written
    into ``act`` (which held the activated gates) and dc_prev (batch, H) into
    ``dc_prev`` (or a new array), which is returned. The gradient reaching h
    is dh + dh_out; dh, dh_out, dc or c_prev may be None (zero)."""
    xp = get_array_module(act)
    B, H = act.shape[0], act.shape[1] // 4
    c_prev, dh, dh_out, dc = (_contiguous(xp, a) for a in (c_prev, dh, dh_out, dc))
    if dc_prev is None:
        dc_prev = xp.empty((B, H), dtype=act.dtype)
    n = B * H
    if n:
        flags = ((dh is not None) | (dh_out is not None) << 1 | (dc is not None) << 2
                 | (c_prev is not None) << 3)
        _launch("lstm_backward", _blocks(n),
                (act, tanh_c, act if c_prev is None else c_prev, act if dh is None else dh,
                 act if dh_out is None else dh_out, act if dc is None else dc, dc_prev,
                 np.int32(n), np.int32(H), np.int32(flags)))
    return dc_prev


def softmax_ce_forward(x2, targets, valid):
    """x2 (N, C) logits, targets (N,) ids in range, valid (N,) bool or None.
    Returns probs (N, C) and per-row losses (N,) (0 where not valid)."""
    xp = get_array_module(x2)
    x2 = _contiguous(xp, x2)
    targets = xp.ascontiguousarray(targets, dtype=xp.int64)
    N, C = x2.shape
    probs = xp.empty_like(x2)
    losses = xp.empty(N, dtype=x2.dtype)
    if N and C:
        flags = x2 if valid is None else xp.ascontiguousarray(valid, dtype=xp.uint8)
        _launch("softmax_ce_forward", N,
                (x2, targets, flags, np.int32(valid is not None), probs, losses, np.int32(C)))
    return probs, losses


def softmax_ce_grad(probs, targets):
    """probs (N, C) - onehot(targets), as a new array."""
    xp = get_array_module(probs)
    g = xp.empty_like(probs)
    n = probs.size
    if n:
        targets = xp.ascontiguousarray(targets, dtype=xp.int64)
        _launch("softmax_ce_grad", _blocks(n),
                (probs, targets, g, np.int64(n), np.int32(probs.shape[1])))
    return g


def adam_update(p, g, m, v, beta1, beta2, step_size, inv_correction2, eps, eps_hat):
    """One Adam step for one parameter in one kernel, in place on p, m and v
    (C-contiguous, one dtype); g is made contiguous if it is not. The
    arithmetic is optim.Adam.update_one's, element by element."""
    xp = get_array_module(p)
    g = _contiguous(xp, g)
    n = p.size
    if n:
        T = p.dtype.type
        _launch("adam_update", _blocks(n),
                (p, g, m, v, np.int64(n), T(beta1), T(beta2), T(step_size),
                 T(inv_correction2), T(eps), np.int32(bool(eps_hat))))

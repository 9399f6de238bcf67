"""Fused CUDA kernels for the two hot spots of every chapter model on a GPU,
where a layer-per-kernel design is bound by kernel launches: the LSTM cell's
gates (forward and backward, one kernel each instead of ~12) and softmax
cross-entropy (one block per row instead of ~8 launches).

Used by ``functions/recurrent.py`` and ``functions/loss.py`` only for CuPy
arrays of float32/float64, behind the same model code; the CuPy code path
with ordinary array ops stays as the fallback and as the reference the GPU
tests compare against (tests/backend/test_cupy.py). CuPy is imported on
first use. Set ``AUTOGRAD_NLP_FUSED_KERNELS=0`` to use the fallback. A kernel
that fails to compile is reported once (a warning) and the fallback is used.
"""
import os
import warnings

import numpy as np

_SOURCE = r"""
extern "C" {

// One thread per (row, unit): act (n_rows, 4H) holds the pre-activations
// [forget, input, output, candidate]; they are replaced by the activated
// gates (kept for backward). sigmoid(x) = 0.5 tanh(x / 2) + 0.5 (stable).
__global__ void lstm_forward(T* act, const T* c_prev, T* h, T* c, T* tanh_c,
                             int n, int H) {
    int i = blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    T* a = act + (long long)(i / H) * 4 * H + i % H;
    T f = tanh(a[0] * (T)0.5) * (T)0.5 + (T)0.5;
    T in = tanh(a[H] * (T)0.5) * (T)0.5 + (T)0.5;
    T o = tanh(a[2 * H] * (T)0.5) * (T)0.5 + (T)0.5;
    T g = tanh(a[3 * H]);
    a[0] = f; a[H] = in; a[2 * H] = o; a[3 * H] = g;
    T cc = f * c_prev[i] + in * g;
    T tc = tanh(cc);
    c[i] = cc;
    tanh_c[i] = tc;
    h[i] = o * tc;
}

// The activated gates in act are replaced by the gate gradients; dh or dc
// may be absent (has_dh / has_dc = 0: a zero gradient).
__global__ void lstm_backward(T* act, const T* tanh_c, const T* c_prev,
                              const T* dh, const T* dc, T* dc_prev,
                              int n, int H, int has_dh, int has_dc) {
    int i = blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= n) return;
    T* a = act + (long long)(i / H) * 4 * H + i % H;
    T f = a[0], in = a[H], o = a[2 * H], g = a[3 * H];
    T tc = tanh_c[i];
    T dhv = has_dh ? dh[i] : (T)0;
    T ds = (has_dc ? dc[i] : (T)0) + dhv * o * ((T)1 - tc * tc);
    dc_prev[i] = ds * f;
    a[0] = ds * c_prev[i] * f * ((T)1 - f);
    a[H] = ds * g * in * ((T)1 - in);
    a[2 * H] = dhv * tc * o * ((T)1 - o);
    a[3 * H] = ds * in * ((T)1 - g * g);
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
            for name in ("lstm_forward", "lstm_backward", "softmax_ce_forward",
                         "softmax_ce_grad"):
                module.get_function(name)        # compiles now, not mid-run
            _modules[key] = module
        except Exception as e:   # noqa: BLE001 - any compile/driver error: fall back
            warnings.warn(f"autograd_nlp.cuda_kernels: fused kernels unavailable for "
                          f"{key} ({type(e).__name__}: {e}); using CuPy array ops",
                          RuntimeWarning, stacklevel=3)
            _modules[key] = None
    return _modules[key]


def _blocks(n):
    return ((n + BLOCK - 1) // BLOCK,)


def lstm_forward(act, c_prev):
    """act (batch, 4H) pre-activations, overwritten with the activated gates;
    c_prev (batch, H). Returns h, c, tanh(c), each (batch, H)."""
    import cupy
    c_prev = cupy.ascontiguousarray(c_prev)
    n, H = c_prev.size, c_prev.shape[-1]
    h, c, tanh_c = (cupy.empty_like(c_prev) for _ in range(3))
    if n:
        _module(act.dtype).get_function("lstm_forward")(
            _blocks(n), (BLOCK,), (act, c_prev, h, c, tanh_c, np.int32(n), np.int32(H)))
    return h, c, tanh_c


def lstm_backward(act, tanh_c, c_prev, dh, dc):
    """Gate gradients written into ``act`` (which held the activated gates);
    returns dc_prev (batch, H). dh or dc may be None (zero)."""
    import cupy
    c_prev = cupy.ascontiguousarray(c_prev)
    n, H = c_prev.size, c_prev.shape[-1]
    dc_prev = cupy.empty_like(c_prev)
    dh_ = act if dh is None else cupy.ascontiguousarray(dh)
    dc_ = act if dc is None else cupy.ascontiguousarray(dc)
    if n:
        _module(act.dtype).get_function("lstm_backward")(
            _blocks(n), (BLOCK,), (act, tanh_c, c_prev, dh_, dc_, dc_prev, np.int32(n),
                                   np.int32(H), np.int32(dh is not None),
                                   np.int32(dc is not None)))
    return dc_prev


def softmax_ce_forward(x2, targets, valid):
    """x2 (N, C) logits, targets (N,) ids in range, valid (N,) bool or None.
    Returns probs (N, C) and per-row losses (N,) (0 where not valid)."""
    import cupy
    x2 = cupy.ascontiguousarray(x2)
    targets = cupy.ascontiguousarray(targets, dtype=cupy.int64)
    N, C = x2.shape
    probs = cupy.empty_like(x2)
    losses = cupy.empty(N, dtype=x2.dtype)
    if N and C:
        flags = x2 if valid is None else cupy.ascontiguousarray(valid, dtype=cupy.uint8)
        _module(x2.dtype).get_function("softmax_ce_forward")(
            (N,), (BLOCK,), (x2, targets, flags, np.int32(valid is not None), probs, losses,
                             np.int32(C)))
    return probs, losses


def softmax_ce_grad(probs, targets):
    """probs (N, C) - onehot(targets), as a new array."""
    import cupy
    g = cupy.empty_like(probs)
    n = probs.size
    if n:
        targets = cupy.ascontiguousarray(targets, dtype=cupy.int64)
        _module(probs.dtype).get_function("softmax_ce_grad")(
            _blocks(n), (BLOCK,), (probs, targets, g, np.int64(n), np.int32(probs.shape[1])))
    return g

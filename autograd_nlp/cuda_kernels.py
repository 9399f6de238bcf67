"""Fused CUDA kernels for the hot spots of every chapter model on a GPU,
where a layer-per-kernel design is bound by kernel launches: the LSTM cell's
gates (forward and backward, one kernel each instead of ~12, with the
recurrent product inside for small hidden sizes), CBOW's negative-sampling
loss (one kernel each way instead of ~12 and ~20 launches), softmax
cross-entropy (one block per row instead of ~8 launches) and the Adam step
(one launch per parameter instead of 11).

Used by ``functions/recurrent.py``, ``functions/negative_sampling.py``,
``functions/loss.py`` and ``optim.py`` only for CuPy
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

// One LSTM step. One thread per (group of ROWS batch rows, hidden unit j):
// j's four gates for those rows. act (B, 4H) holds the step's input
// projection [forget, input, output, candidate]; the recurrent part is
// either summed here, h_prev (B, H) @ Wh (H, 4H) (has_h = 1: Wh is read once
// per ROWS rows, coalesced across j, so the step is one launch), or given
// precomputed in rec (B, 4H) (has_h = 2). act is overwritten with the
// activated gates (kept for backward); h, c and tanh(c) (B, H) are written
// where the caller says (a time step of its buffers). Without c_prev
// (has_c_prev = 0) the previous cell state is zero.
// sigmoid(x) = 0.5 tanh(x / 2) + 0.5 (stable).
__global__ void lstm_forward(T* act, const T* h_prev, const T* Wh, const T* rec,
                             const T* c_prev, T* h, T* c, T* tanh_c, int B, int H,
                             int has_h, int has_c_prev) {
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= (long long)((B + ROWS - 1) / ROWS) * H) return;
    int j = (int)(i % H), b0 = (int)(i / H) * ROWS;
    int rows = B - b0 < ROWS ? B - b0 : ROWS;
    T s[ROWS][4];
    for (int r = 0; r < ROWS; ++r)
        for (int g = 0; g < 4; ++g) s[r][g] = (T)0;
    if (has_h == 1) {
        const T* hp = h_prev + (long long)b0 * H;
        #pragma unroll 8
        for (int k = 0; k < H; ++k) {      // unrolled: several loads in flight
            const T* w = Wh + (long long)k * 4 * H + j;
            T w0 = w[0], w1 = w[H], w2 = w[2 * H], w3 = w[3 * H];
            for (int r = 0; r < ROWS; ++r) {
                if (r < rows) {
                    T x = hp[(long long)r * H + k];
                    s[r][0] += x * w0; s[r][1] += x * w1;
                    s[r][2] += x * w2; s[r][3] += x * w3;
                }
            }
        }
    } else if (has_h == 2) {
        for (int r = 0; r < rows; ++r) {
            const T* q = rec + (long long)(b0 + r) * 4 * H + j;
            s[r][0] = q[0]; s[r][1] = q[H]; s[r][2] = q[2 * H]; s[r][3] = q[3 * H];
        }
    }
    for (int r = 0; r < rows; ++r) {
        long long u = (long long)(b0 + r) * H + j;
        T* a = act + (long long)(b0 + r) * 4 * H + j;
        T f = tanh((a[0] + s[r][0]) * (T)0.5) * (T)0.5 + (T)0.5;
        T in = tanh((a[H] + s[r][1]) * (T)0.5) * (T)0.5 + (T)0.5;
        T o = tanh((a[2 * H] + s[r][2]) * (T)0.5) * (T)0.5 + (T)0.5;
        T g = tanh(a[3 * H] + s[r][3]);
        a[0] = f; a[H] = in; a[2 * H] = o; a[3 * H] = g;
        T cc = in * g;
        if (has_c_prev) cc = f * c_prev[u] + cc;
        T tc = tanh(cc);
        c[u] = cc;
        tanh_c[u] = tc;
        h[u] = o * tc;
    }
}

// One LSTM step's backward, threads as in lstm_forward. The activated gates
// in act are replaced by the gate gradients and dc_prev is written. The
// gradient reaching h is the sum of what flags say is there: bit 0 dh
// (B, H), bit 1 dh_out (B, H, the layer's output at this step), bit 4 the
// next step's gate gradients dnext (B, 4H) @ Wh.T, summed here from WhT =
// Wh.T (4H, H) (coalesced across j). Bit 2: dc is there, bit 3: c_prev;
// an absent one is zero.
__global__ void lstm_backward(T* act, const T* tanh_c, const T* c_prev, const T* dh,
                              const T* dh_out, const T* dc, const T* dnext,
                              const T* WhT, T* dc_prev, int B, int H, int flags) {
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= (long long)((B + ROWS - 1) / ROWS) * H) return;
    int j = (int)(i % H), b0 = (int)(i / H) * ROWS;
    int rows = B - b0 < ROWS ? B - b0 : ROWS;
    T s[ROWS];
    for (int r = 0; r < ROWS; ++r) s[r] = (T)0;
    if (flags & 16) {
        const T* dn = dnext + (long long)b0 * 4 * H;
        #pragma unroll 8
        for (int m = 0; m < 4 * H; ++m) {
            T w = WhT[(long long)m * H + j];
            for (int r = 0; r < ROWS; ++r)
                if (r < rows) s[r] += dn[(long long)r * 4 * H + m] * w;
        }
    }
    for (int r = 0; r < rows; ++r) {
        long long u = (long long)(b0 + r) * H + j;
        T* a = act + (long long)(b0 + r) * 4 * H + j;
        T f = a[0], in = a[H], o = a[2 * H], g = a[3 * H];
        T tc = tanh_c[u];
        T dhv = s[r];
        if (flags & 1) dhv += dh[u];
        if (flags & 2) dhv += dh_out[u];
        T ds = ((flags & 4) ? dc[u] : (T)0) + dhv * o * ((T)1 - tc * tc);
        T cp = (flags & 8) ? c_prev[u] : (T)0;
        dc_prev[u] = ds * f;
        a[0] = ds * cp * f * ((T)1 - f);
        a[H] = ds * g * in * ((T)1 - in);
        a[2 * H] = dhv * tc * o * ((T)1 - o);
        a[3 * H] = ds * in * ((T)1 - g * g);
    }
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

// word2vec's CBOW loss with negative sampling, one block per batch row b:
// h[b] = the mean of W_in[contexts[b, c]] over c (kept for backward),
// s[b, k] = W_out[samples[b, k]] . h[b] (a block reduction per k), the row's
// loss softplus(-s[b, 0]) + sum_{k>0} softplus(s[b, k]) into losses[b] and
// g[b, k] = sigmoid(s[b, k]) - (k == 0), the loss's gradient in s.
__global__ void ns_forward(const T* W_in, const T* W_out, const long long* contexts,
                           const long long* samples, T* h, T* g, T* losses, int C, int K,
                           int D) {
    __shared__ T buf[BLOCK];
    int b = blockIdx.x, tid = threadIdx.x;
    const long long* ctx = contexts + (long long)b * C;
    const long long* smp = samples + (long long)b * K;
    T* hb = h + (long long)b * D;
    T inv_c = C > 0 ? (T)1 / (T)C : (T)0;
    for (int d = tid; d < D; d += BLOCK) {
        T sum = 0;
        for (int c = 0; c < C; ++c) sum += W_in[ctx[c] * D + d];
        hb[d] = sum * inv_c;
    }
    T loss = 0;
    for (int k = 0; k < K; ++k) {
        const T* w = W_out + smp[k] * D;
        T part = 0;
        for (int d = tid; d < D; d += BLOCK) part += w[d] * hb[d];   // this thread's own h
        buf[tid] = part;
        __syncthreads();
        for (int s = BLOCK / 2; s > 0; s >>= 1) {
            if (tid < s) buf[tid] += buf[tid + s];
            __syncthreads();
        }
        T score = buf[0];
        __syncthreads();                      // buf is reused for the next k
        if (tid == 0) {
            T x = k == 0 ? -score : score;   // softplus(x) = log(1 + e^x), stable
            loss += (x > (T)0 ? x : (T)0) + log1p(exp(-fabs(x)));
            T e = exp(-fabs(score));
            T sig = score >= (T)0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e);
            g[(long long)b * K + k] = sig - (k == 0 ? (T)1 : (T)0);
        }
    }
    if (tid == 0) losses[b] = loss;
}

// ns_forward's backward, one block per batch row b, threads over the
// hidden units d: with gk = g[b, k] * gy / B it adds gk * h[b] into
// gW_out[samples[b, k]] and (sum_k gk W_out[samples[b, k]]) / C into
// gW_in[contexts[b, c]] for every c (atomic adds: ids repeat across rows).
__global__ void ns_backward(const T* W_out, const long long* contexts,
                            const long long* samples, const T* h, const T* g, const T* gy,
                            T* gW_in, T* gW_out, int B, int C, int K, int D) {
    int b = blockIdx.x, tid = threadIdx.x;
    T scale = gy[0] / (T)B;
    T inv_c = C > 0 ? (T)1 / (T)C : (T)0;
    for (int d = tid; d < D; d += BLOCK) {
        T hd = h[(long long)b * D + d], gh = 0;
        for (int k = 0; k < K; ++k) {
            long long s = samples[(long long)b * K + k];
            T gk = g[(long long)b * K + k] * scale;
            gh += gk * W_out[s * D + d];
            atomicAdd(gW_out + s * D + d, gk * hd);
        }
        gh *= inv_c;
        for (int c = 0; c < C; ++c)
            atomicAdd(gW_in + contexts[(long long)b * C + c] * D + d, gh);
    }
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
ROWS = 4               # batch rows per thread in the LSTM kernels (Wh read once per ROWS)
KERNELS = ("lstm_forward", "lstm_backward", "adam_update", "ns_forward", "ns_backward",
           "softmax_ce_forward", "softmax_ce_grad")
_modules = {}          # dtype name -> cupy.RawModule, or None when it failed
_functions = {}        # (kernel name, dtype char) -> compiled kernel
_disabled = os.environ.get("AUTOGRAD_NLP_FUSED_KERNELS", "1") == "0"
_product = os.environ.get("AUTOGRAD_NLP_LSTM_PRODUCT", "auto")


def source(dtype_name):
    """The CUDA source for one float type ("float" or "double")."""
    return f"typedef {dtype_name} T;\n#define BLOCK {BLOCK}\n#define ROWS {ROWS}\n" + _SOURCE


def recurrent_product_in_kernel(batch, hidden):
    """Whether LSTMSequence's kernels sum the recurrent product h @ Wh (and
    its backward) themselves, one launch per step, rather than cuBLAS, two.
    ``AUTOGRAD_NLP_LSTM_PRODUCT=kernel|cublas`` forces a choice."""
    if _product != "auto":
        return _product == "kernel"
    # Measured on an H100 (benchmarks/gpu_iteration.py --compare-product): the
    # kernel's own product is faster up to hidden 256 (0.71-0.89x the step
    # time of Rnnlm, seq2seq, peeky, attention); at 650 (BetterRnnlm) its
    # loop over the hidden units made the step 2.1x slower than cuBLAS.
    return hidden <= 256


def set_recurrent_product(mode):
    """"kernel", "cublas" or "auto": who computes the LSTM layer's recurrent
    product (benchmarks compare the two)."""
    global _product
    if mode not in ("kernel", "cublas", "auto"):
        raise ValueError(f"set_recurrent_product: mode {mode!r} is not kernel, cublas or auto")
    _product = mode


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
    passed as pointers, NumPy scalars as their C type. (The CPU tests
    replace this with the kernels compiled as C++.)"""
    key = (name, args[0].dtype.char)
    function = _functions.get(key)
    if function is None:                  # looked up once: launches are the hot path
        function = _functions[key] = _module(args[0].dtype).get_function(name)
    function((blocks,), (BLOCK,), args)


def _contiguous(xp, a):
    return a if a is None or a.flags.c_contiguous else xp.ascontiguousarray(a)


def _or_stand_in(stand_in, *arrays):
    """The arrays, an absent one (None) replaced by ``stand_in``: a kernel
    gets a valid pointer it never reads (its flags say the input is absent)."""
    return tuple(stand_in if a is None else a for a in arrays)


def _step_threads(B, H):
    return -(-B // ROWS) * H


def lstm_forward(act, c_prev, h_prev=None, Wh=None, rec=None, out=None):
    """One LSTM step in one kernel. act (batch, 4H) C-contiguous: the input
    projection, overwritten with the activated gates. The recurrent part is
    h_prev (batch, H) @ Wh (H, 4H), summed inside the kernel, or ``rec``
    (batch, 4H) computed by the caller, or neither (the zero state). c_prev
    (batch, H), or None for zeros. Writes h, c, tanh(c) (batch, H) into
    ``out`` (three C-contiguous arrays, e.g. a time step of the layer's
    buffers) or new arrays, and returns them."""
    xp = get_array_module(act)
    B, H = act.shape[0], act.shape[1] // 4
    c_prev, h_prev, Wh, rec = (_contiguous(xp, a) for a in (c_prev, h_prev, Wh, rec))
    if out is None:
        out = tuple(xp.empty((B, H), dtype=act.dtype) for _ in range(3))
    threads = _step_threads(B, H)
    if threads:
        h, c, tanh_c = out
        has_h = 1 if h_prev is not None else 2 if rec is not None else 0
        _launch("lstm_forward", _blocks(threads),
                (act, *_or_stand_in(act, h_prev, Wh, rec, c_prev), h, c, tanh_c,
                 np.int32(B), np.int32(H), np.int32(has_h), np.int32(c_prev is not None)))
    return out


def lstm_backward(act, tanh_c, c_prev, dh, dc, dh_out=None, dnext=None, WhT=None,
                  dc_prev=None):
    """One LSTM step's backward in one kernel: the gate gradients are written
    into ``act`` (which held the activated gates) and dc_prev (batch, H) into
    ``dc_prev`` (or a new array), which is returned. The gradient reaching h
    is dh + dh_out + dnext @ WhT.T, where dnext (batch, 4H) is the next
    step's gate gradients and WhT = Wh.T (4H, H) contiguous: the recurrent
    product summed inside the kernel. Any of dh, dh_out, dnext, dc, c_prev
    may be None (zero)."""
    xp = get_array_module(act)
    B, H = act.shape[0], act.shape[1] // 4
    c_prev, dh, dh_out, dc = (_contiguous(xp, a) for a in (c_prev, dh, dh_out, dc))
    if dc_prev is None:
        dc_prev = xp.empty((B, H), dtype=act.dtype)
    threads = _step_threads(B, H)
    if threads:
        flags = ((dh is not None) | (dh_out is not None) << 1 | (dc is not None) << 2
                 | (c_prev is not None) << 3 | (dnext is not None) << 4)
        _launch("lstm_backward", _blocks(threads),
                (act, tanh_c, *_or_stand_in(act, c_prev, dh, dh_out, dc, dnext, WhT),
                 dc_prev, np.int32(B), np.int32(H), np.int32(flags)))
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


def negative_sampling_forward(W_in, W_out, contexts, samples):
    """CBOW's negative-sampling loss per row in one kernel: W_in, W_out (V,
    D), contexts (B, C) and samples (B, K) ids (column 0 the true word).
    Returns h (B, D) the context means, g (B, K) the gradient of each row's
    loss in its scores, and losses (B,)."""
    xp = get_array_module(W_in)
    W_in, W_out = _contiguous(xp, W_in), _contiguous(xp, W_out)
    contexts = xp.ascontiguousarray(contexts, dtype=xp.int64)
    samples = xp.ascontiguousarray(samples, dtype=xp.int64)
    (B, C), K, D = contexts.shape, samples.shape[1], W_in.shape[1]
    h, g, losses = (xp.empty(shape, dtype=W_in.dtype) for shape in ((B, D), (B, K), (B,)))
    if B:
        _launch("ns_forward", B, (W_in, W_out, contexts, samples, h, g, losses,
                                  np.int32(C), np.int32(K), np.int32(D)))
    return h, g, losses


def negative_sampling_backward(W_in, W_out, contexts, samples, h, g, gy):
    """The gradients (V, D) of W_in and W_out from negative_sampling_forward's
    h and g and the loss's incoming gradient gy (a 0-d device array: it is
    read in the kernel, not on the host), in one kernel after two fills."""
    xp = get_array_module(W_out)
    W_out = _contiguous(xp, W_out)
    contexts = xp.ascontiguousarray(contexts, dtype=xp.int64)
    samples = xp.ascontiguousarray(samples, dtype=xp.int64)
    gy = xp.ascontiguousarray(gy, dtype=W_out.dtype)
    (B, C), K, D = contexts.shape, samples.shape[1], W_out.shape[1]
    gW_in = xp.zeros(W_in.shape, dtype=W_in.dtype)
    gW_out = xp.zeros(W_out.shape, dtype=W_out.dtype)
    if B:
        _launch("ns_backward", B, (W_out, contexts, samples, h, g, gy, gW_in, gW_out,
                                   np.int32(B), np.int32(C), np.int32(K), np.int32(D)))
    return gW_in, gW_out

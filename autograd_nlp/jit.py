"""Optional CPU kernels compiled with numba (``pip install autograd-nlp[jit]``).

The hot elementwise work of the chapter models, each fused into one or two
loops where NumPy makes many passes over memory: the LSTM cell's arithmetic
around its products (``kernels/lstm.py``), softmax cross-entropy
(``kernels/softmax_ce.py``), word2vec's negative-sampling loss
(``kernels/negative_sampling.py``), the Adam and SGD steps
(``kernels/adam.py``, ``kernels/sgd.py``) and the negatives' draw
(``kernels/unigram_sampling.py``, ids exactly NumPy's), and the LSTM
layer's gate gradients summed per token when it reads ids
(``kernels/row_sums.py``). The matrix
products stay in BLAS, and so do NumPy's vectorized ``tanh`` and ``exp``
(numba calls the scalar libm ones, 10-40x slower per element here).

The NumPy code in the ops is the reference and the fallback: a kernel runs
only when numba imports, the switch is on, and every array is a C-contiguous
float32/float64 ``numpy.ndarray`` of one dtype; CuPy arrays keep their own
path (``cuda_kernels.py``). The LSTM step and Adam give NumPy's numbers bit
for bit; softmax cross-entropy's forward and the negative-sampling loss sum
in another order, and an LSTM reading ids sums its gate gradients per id
before its table's and Wx's gradients (the NumPy path takes them through
the input's gradient), so they agree to float rounding, which a training run
amplifies: a run with the kernels is another draw of the same run (the
numbers in docs/results.md and the notebooks are the NumPy path's). Switch
off with ``AUTOGRAD_NLP_JIT=0`` in the environment, or in code::

    from autograd_nlp import jit
    with jit.enabled_as(False):          # the NumPy reference path
        loss = model(x, t)

numba is imported on first use, not with the package, and the kernels are
compiled on their first call and cached on disk (numba's ``cache=True``),
so later processes load them instead of compiling
(``benchmarks/jit_kernels.py --compile`` measures both).
"""
import contextlib
import importlib
import os

import numpy as np

KERNEL_MODULES = ("lstm", "softmax_ce", "negative_sampling", "adam", "sgd", "unigram_sampling",
                  "row_sums")

_on = os.environ.get("AUTOGRAD_NLP_JIT", "1") != "0"
_numba = None          # None: not tried yet; False: not importable; else the module
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def available():
    """True when numba imports (tried once, never raises)."""
    global _numba
    if _numba is None:
        try:
            import numba
            _numba = numba
        except Exception:        # noqa: BLE001 - missing or broken: NumPy path
            _numba = False
    return _numba is not False


def enabled():
    """True when the kernels are switched on and numba imports."""
    return _on and available()


def set_enabled(flag):
    """Switch the kernels on or off; returns the previous setting."""
    global _on
    previous, _on = _on, bool(flag)
    return previous


@contextlib.contextmanager
def enabled_as(flag):
    """Run a block with the kernels on (True) or off (False, the NumPy path)."""
    previous = set_enabled(flag)
    try:
        yield
    finally:
        set_enabled(previous)


def usable(*arrays):
    """True when the kernels apply to ``arrays`` (None entries are skipped):
    switched on, numba importable, all C-contiguous NumPy arrays of one
    float32/float64 dtype."""
    if not _on:
        return False
    dtype = None
    for a in arrays:
        if a is None:
            continue
        if type(a) is not np.ndarray or not a.flags.c_contiguous:
            return False
        if dtype is None:
            if a.dtype not in _FLOATS:
                return False
            dtype = a.dtype
        elif a.dtype != dtype:
            return False
    return available()


def njit(fn):
    """numba.njit with the settings every kernel here uses: compiled on first
    call, cached on disk, no fastmath (so NumPy's operation order, and its
    rounding, is kept where a kernel repeats it), and NumPy's error model
    (x / 0 is inf, as in NumPy: Python's model checks every division, which
    stops LLVM from vectorizing a loop, 8x slower for Adam's)."""
    if not available():
        raise ImportError("autograd_nlp.jit: numba is not installed "
                          "(pip install autograd-nlp[jit])")
    return _numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


def __getattr__(name):
    """``jit.lstm``, ``jit.adam``...: the kernel module, imported on first use."""
    if name in KERNEL_MODULES:
        module = importlib.import_module(f"autograd_nlp.kernels.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'autograd_nlp.jit' has no attribute {name!r}")

"""A batch's rows on several CPU threads, for an LSTM's loop over time.

An LSTM layer runs one small product per time step ((batch, H) @ (H, 4H))
and the gate arithmetic around it on one thread, while BLAS's own threads
split only the products and spin between them. The rows of a batch are
independent in the recurrence, so each thread can run the whole time loop
for its own block of rows (NumPy, numba's kernels and BLAS release
Python's lock while they compute), and ``matmul`` splits the large
products (the engine's 2-D ones, and the LSTM's over all steps). Each
row's arithmetic is the same; a product of fewer rows may round
differently in BLAS, as BLAS's own threads may. Measured on 2 cores
(docs/benchmarks.md, round 4, third pass): the main job 3 min 43-52 s
against 4 min 36-41 s; on short loops (seq2seq's 7 and 5 steps) BLAS's
threads did as well, so those are left to them.

    blocks = row_blocks(batch, steps=time)        # slices of the batch's rows
    run_blocks(blocks, lambda k, rows: loop_over_time(rows))

How many threads: ``AUTOGRAD_NLP_THREADS`` if set, else BLAS's own count
as NumPy loaded it (``OPENBLAS_NUM_THREADS=1`` keeps everything on one
thread, as the one-thread benchmarks want; one where no OpenBLAS is found,
i.e. not Linux or another BLAS). A block has at least ``MIN_ROWS`` rows,
and a loop of fewer than ``MIN_STEPS`` steps is split only once BLAS is
claimed: splitting claims BLAS, which runs one thread from then on (its
idle threads would take the cores from the blocks); ``set_thread_count(1)``
gives its threads back.
"""
import atexit
import ctypes
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from autograd_nlp.errors import BadSettingError

MIN_ROWS = 32         # below this a block's products are too small to be worth a thread
MIN_STEPS = 16        # shorter loops stay with BLAS's threads until BLAS is claimed
MIN_PRODUCT = 2 ** 23   # multiply-adds below which ``matmul`` leaves a product whole
MIN_PRODUCT_ROWS = 64   # rows (or columns) of a product's block

_lock = threading.Lock()
_state = {"blas": None, "pool": None, "saved_blas": None, "threads": None}


class _OpenBLAS:
    """OpenBLAS's get/set_num_threads through ctypes, on the copy NumPy loaded."""

    NAMES = (("openblas_get_num_threads", "openblas_set_num_threads"),
             ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
             ("openblas_get_num_threads64_", "openblas_set_num_threads64_"))

    def __init__(self, lib):
        self.get = self.set = None
        for get_name, set_name in self.NAMES:
            if hasattr(lib, get_name) and hasattr(lib, set_name):
                self.get, self.set = getattr(lib, get_name), getattr(lib, set_name)
                self.set.argtypes = [ctypes.c_int]
                return

    @classmethod
    def find(cls):
        """The loaded OpenBLAS (Linux: read from /proc/self/maps), or None."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            with open("/proc/self/maps") as maps:
                paths = sorted({line.split()[-1] for line in maps
                                if "openblas" in line.lower() and "/" in line})
        except OSError:
            return None
        for path in paths:
            try:
                blas = cls(ctypes.CDLL(path))
            except OSError:
                continue
            if blas.get is not None:
                return blas
        return None


def _blas():
    if _state["blas"] is None:
        _state["blas"] = _OpenBLAS.find() or False
    return _state["blas"] or None


def thread_count():
    """Threads ``run_blocks`` may use: AUTOGRAD_NLP_THREADS, else BLAS's
    thread count (1 where that count cannot be read or set)."""
    if _state["threads"] is None:
        configured = os.environ.get("AUTOGRAD_NLP_THREADS", "").strip()
        if configured:
            try:
                count = int(configured)
            except ValueError:
                count = 0
            if count < 1:
                raise BadSettingError(f"AUTOGRAD_NLP_THREADS={configured!r}: expected a whole "
                                      f"number of threads, at least 1 (1: no extra threads), "
                                      f"or unset for BLAS's count")
        else:
            blas = _blas()
            count = max(1, int(blas.get())) if blas is not None else 1
        _state["threads"] = count
    return _state["threads"]


def set_thread_count(count):
    """Use ``count`` threads from now on (None: read the environment again)."""
    if count is not None and (isinstance(count, bool) or int(count) != count or count < 1):
        raise ValueError(f"set_thread_count: expected a whole number >= 1, got {count!r}")
    _release_blas()
    _state["threads"] = None if count is None else int(count)


def row_blocks(rows, threads=None, min_rows=None, steps=None):
    """The slices to split ``rows`` rows into: as many as threads allow,
    none smaller than ``min_rows`` (default ``MIN_ROWS``), sizes differing
    by at most one; one block for a loop of fewer than MIN_STEPS ``steps``
    while BLAS is not claimed. More than one block claims BLAS (it runs one
    thread from then on)."""
    threads = thread_count() if threads is None else threads
    min_rows = MIN_ROWS if min_rows is None else min_rows
    count = max(1, min(threads, rows // max(1, min_rows)))
    if steps is not None and steps < MIN_STEPS and not blas_claimed():
        count = 1
    if count > 1:
        _claim_blas()
    bounds = [rows * k // count for k in range(count + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(count)]


def run_blocks(blocks, work):
    """``work(k, block)`` for each of ``blocks`` (slices from
    ``row_blocks``), the first on this thread and the others on worker
    threads; returns when all are done (an error in any is raised here).
    With one block it is just ``work(0, block)``."""
    if len(blocks) == 1:
        work(0, blocks[0])
        return
    futures = [_pool(len(blocks) - 1).submit(work, k, block)
               for k, block in enumerate(blocks) if k]
    try:
        work(0, blocks[0])
    finally:
        errors = [f.exception() for f in futures]     # waits for every block
    for error in errors:
        if error is not None:
            raise error


def matmul(a, b, out=None):
    """a (M, K) @ b (K, N) (into ``out`` when given); once BLAS is claimed,
    a large product of NumPy arrays (at least ``MIN_PRODUCT``
    multiply-adds) has the longer of M and N split between the threads,
    since BLAS then runs one thread. The engine's 2-D products come here;
    other arrays (CuPy's) go straight to their own ``@``."""
    M, K = a.shape
    N = b.shape[1]
    blocks = []
    if type(a) is np.ndarray and type(b) is np.ndarray and M * K * N >= MIN_PRODUCT \
            and blas_claimed():
        blocks = row_blocks(max(M, N), min_rows=MIN_PRODUCT_ROWS)
    if len(blocks) < 2:
        return a @ b if out is None else np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((M, N), dtype=np.result_type(a, b))
    by_rows = M > N

    def work(k, part):
        if by_rows:
            np.matmul(a[part], b, out=out[part])
        else:
            out[:, part] = a @ b[:, part]

    run_blocks(blocks, work)
    return out


def _pool(workers):
    pool = _state["pool"]
    if pool is None or pool._max_workers < workers:
        if pool is not None:
            pool.shutdown(wait=False)
        pool = _state["pool"] = ThreadPoolExecutor(workers, thread_name_prefix="autograd_nlp")
    return pool


def blas_claimed():
    """True once row blocks have set BLAS to one thread."""
    return _state["saved_blas"] is not None


def _claim_blas():
    """BLAS to one thread, once (its idle threads spin for a while after
    each call and would compete with the row blocks' threads for the cores);
    ``set_thread_count(1)`` gives it its threads back."""
    with _lock:
        blas = _blas()
        if _state["saved_blas"] is None and blas is not None:
            _state["saved_blas"] = int(blas.get())
            blas.set(1)


def _release_blas():
    with _lock:
        blas = _blas()
        if _state["saved_blas"] is not None and blas is not None:
            blas.set(_state["saved_blas"])
        _state["saved_blas"] = None


def _forget_pool_in_child():
    """A forked child has none of the parent's worker threads: a pool
    inherited from the parent would take work and never run it."""
    _state["pool"] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


@atexit.register
def _shutdown():
    if _state["pool"] is not None:
        _state["pool"].shutdown(wait=False)

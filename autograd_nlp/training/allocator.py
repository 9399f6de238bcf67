"""Keep freed memory in the process while training (glibc's malloc).

A training step allocates and frees the same large arrays again and again.
glibc serves arrays above a threshold with fresh ``mmap`` pages and gives
freed space at the top of its heap back to the system, so the next step
takes page faults to get it again: 3,700 per step of the attention model
(9 % of its time: 133.8 against 122.1 ms a step alone in a process, one
thread, ``benchmarks/page_faults.py``). ``keep_freed_memory`` raises both
thresholds (``mallopt``), so freed arrays are reused; the price is that the
process keeps its peak heap until it exits, as PyTorch's caching allocator
does on a GPU. ``Trainer.fit`` calls it; ``AUTOGRAD_NLP_KEEP_MEMORY=0``
turns it off. Elsewhere than glibc (macOS, Windows, musl) it does nothing.
"""
import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3        # glibc's mallopt parameters
TRIM_BYTES = 1 << 30        # free heap kept before any is given back
MMAP_BYTES = 32 << 20       # arrays below this come from the heap (glibc's maximum)
SWITCH = "AUTOGRAD_NLP_KEEP_MEMORY"

_applied = None             # None: not tried yet; else whether it took


def keep_freed_memory():
    """Set glibc's trim and mmap thresholds once per process; True when they
    are set (False: switched off, or not glibc)."""
    global _applied
    if _applied is None:
        _applied = os.environ.get(SWITCH, "1") != "0" and _mallopt()
    return _applied


def _mallopt():
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):    # not glibc (Windows: no CDLL(None))
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_BYTES) and
                mallopt(M_MMAP_THRESHOLD, MMAP_BYTES))

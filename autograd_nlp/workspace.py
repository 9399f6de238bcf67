"""Arrays reused from one training step to the next.

Every step of a model allocates the same large arrays again (an LSTM layer's
saved activations: (time, batch, 4H) and three (time, batch, H)). A large
fresh array comes from the operating system as untouched pages, and writing
it costs a page fault per 4 KiB: in seq2seq's step 960 faults and 2.4 ms of
system time out of 13 ms, in the attention model's 7,490 and 18 ms of 142
(``benchmarks/page_faults.py``). An op takes such buffers here and gives
them back once nothing can read them any more (after its backward), so the
next step writes into memory that is already mapped.

Only plain NumPy arrays that own their memory are kept; an array never
given back (a forward without a backward) is freed by Python as usual.
At most ``LIMIT_BYTES`` are held: past it the spare arrays are dropped.
"""
import numpy as np

LIMIT_BYTES = 256 * 2 ** 20

_spare = {}          # (shape, dtype) -> arrays free for reuse
_held = 0            # their bytes


def take(shape, dtype):
    """An uninitialised array of ``shape`` and ``dtype`` (a spare one if any)."""
    global _held
    spare = _spare.get((shape, np.dtype(dtype)))
    if spare:
        array = spare.pop()
        _held -= array.nbytes
        return array
    return np.empty(shape, dtype=dtype)


def give(*arrays):
    """Hand back arrays from ``take`` that nothing reads any more (None and
    arrays that are views, or not NumPy's, are ignored)."""
    global _held
    for array in arrays:
        if type(array) is not np.ndarray or array.base is not None:
            continue
        if _held + array.nbytes > LIMIT_BYTES:
            clear()
            if array.nbytes > LIMIT_BYTES:
                continue
        _spare.setdefault((array.shape, array.dtype), []).append(array)
        _held += array.nbytes


def clear():
    """Drop every spare array (their memory goes back to the allocator)."""
    global _held
    _spare.clear()
    _held = 0


def held_bytes():
    """Bytes of spare arrays held now."""
    return _held

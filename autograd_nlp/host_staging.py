"""Moving gradients between a device and MPI: the one place arrays cross to
the host and back (``distributed.py`` and ``gradient_reducers.py`` call
nothing else), so NCCL or a CUDA-aware MPI can replace it later."""
import numpy as np

from autograd_nlp.backend import device_of, to_device


def to_host(array):
    """A contiguous NumPy copy (or view) of ``array`` for MPI buffers."""
    host = np.asarray(to_device(array, "cpu"))
    return host if host.flags.c_contiguous else host.copy()   # 0-d stays 0-d


def from_host(host, like):
    """``host`` (NumPy) on the device of ``like``."""
    return to_device(host, device_of(like))


def unique_params(params):
    """``params`` without repeats (a tied weight counts once), in order."""
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out

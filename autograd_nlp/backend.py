"""Array back-ends: which module (NumPy, CuPy...) holds an array, and moving
arrays between devices. Per array, no global flag: an op runs on whatever
module its inputs belong to (``xp = get_array_module(x)``).

Devices are registered by name: "cpu" (NumPy) always, "cuda" (CuPy) on first
use, and test-only ones (tests/fake_device.py). CuPy is imported lazily, never
when this package is imported.

    xp = get_array_module(x)            # numpy, or cupy for a CuPy array
    y = to_device(x, "cuda")            # a copy on the GPU (x itself if already there)
    device_of(y)                        # "cuda"
"""
import math
from dataclasses import dataclass

import numpy as np


class DeviceError(RuntimeError):
    """Arrays of two devices met in one op, or a device is unknown/unavailable."""


@dataclass(frozen=True)
class Device:
    """A place arrays live: its name, its array type, the NumPy-like module
    that makes and combines them, and the copies to and from host memory."""

    name: str
    array_type: type
    xp: object                  # numpy-like module: get_array_module returns it
    from_host: object           # numpy.ndarray -> array on this device
    to_host: object             # array on this device -> numpy.ndarray
    make_generator: object = None   # seed (int or None) -> generator with .random(shape, dtype)
    scatter_add: object = None      # (table, ids, values) -> None, in place
    erf: object = None              # elementwise error function (NumPy has none)
    ids_out_of_range: object = None  # (ids, n) -> bool, one launch (else array ops)


_BY_NAME = {}
_BY_TYPE = {}
_ndarray = np.ndarray
_CPU = Device("cpu", np.ndarray, np, lambda a: a, lambda a: a)


def register_device(device):
    """Make ``device`` known to ``to_device`` / ``get_array_module`` (the
    "cuda" device registers itself; tests register a fake one)."""
    _BY_NAME[device.name] = device
    _BY_TYPE[device.array_type] = device
    return device


def unregister_device(name):
    """Forget a device registered by ``register_device`` (tests)."""
    device = _BY_NAME.pop(name, None)
    for t, d in list(_BY_TYPE.items()):
        if d is device:
            del _BY_TYPE[t]


register_device(_CPU)


# --- CuPy, loaded on first use ------------------------------------------------------
def cupy_available():
    """True when CuPy imports and sees at least one GPU (never raises)."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def _cupy_scatter_add(table, ids, values):
    """``cupy.add.at`` (CuPy >= 13: float64 too); ``cupyx.scatter_add`` before."""
    import cupy
    at = getattr(cupy.add, "at", None)
    if at is not None:
        at(table, ids, values)
    else:
        import cupyx
        cupyx.scatter_add(table, ids, values)


def _cupy_erf(x):
    import cupyx.scipy.special
    return cupyx.scipy.special.erf(x)


_cupy_outside = None


def _cupy_ids_out_of_range(ids, n):
    """One reduction kernel and one read, where the array ops take four
    launches and the read (~100 us on an H100, benchmarks/gpu_launch_costs.py)."""
    global _cupy_outside
    if _cupy_outside is None:
        import cupy
        _cupy_outside = cupy.ReductionKernel("T x, int64 n", "bool y", "x < 0 || x >= n",
                                             "a || b", "y = a", "false", "ids_out_of_range")
    return bool(_cupy_outside(ids, np.int64(n)))


def _cuda_device():
    """Register CuPy as "cuda" (imports cupy; a clear error if it cannot)."""
    if "cuda" in _BY_NAME:
        return _BY_NAME["cuda"]
    try:
        import cupy
    except ImportError as e:
        raise DeviceError(f"device 'cuda' needs CuPy, which is not installed ({e}); "
                          f"install the wheel for your CUDA, e.g. pip install "
                          f"cupy-cuda12x, or use device 'cpu'") from None
    return register_device(Device(
        "cuda", cupy.ndarray, cupy, cupy.asarray, cupy.asnumpy,
        make_generator=lambda seed: cupy.random.default_rng(seed),
        scatter_add=_cupy_scatter_add, erf=_cupy_erf, ids_out_of_range=_cupy_ids_out_of_range))


def _lookup_type(t):
    """The Device of array type ``t`` (registering CuPy when ``t`` is its
    ndarray); the CPU for NumPy scalars, numbers and anything else. The
    answer is cached per type (Variables excepted: they are never arrays)."""
    device = _BY_TYPE.get(t)
    if device is not None:
        return device
    device = _CPU
    if t.__module__.startswith("cupy"):
        try:
            cuda = _cuda_device()
            if issubclass(t, cuda.array_type):
                device = cuda
        except DeviceError:
            pass
    else:
        for known, candidate in list(_BY_TYPE.items()):
            if candidate is not _CPU and issubclass(t, known):
                device = candidate
                break
    if not hasattr(t, "creator"):
        _BY_TYPE[t] = device
    return device


# --- queries ------------------------------------------------------------------------
def registered_device_names():
    """The names of the devices registered now ("cpu", and "cuda" once used)."""
    return sorted(_BY_NAME)


def get_device(name):
    """The registered Device called ``name`` ("cpu", "cuda", ...)."""
    if isinstance(name, Device):
        return name
    device = _BY_NAME.get(name)
    if device is None:
        if name == "cuda" or (isinstance(name, str) and name.startswith("cuda:")):
            return _cuda_device()
        raise DeviceError(f"unknown device {name!r}; use 'cpu' or 'cuda' "
                          f"(known: {sorted(_BY_NAME)})")
    return device


def _device_of_array(a):
    t = type(a)
    if t is np.ndarray:
        return _CPU
    device = _BY_TYPE.get(t)
    if device is not None:
        return device
    if hasattr(a, "data") and hasattr(a, "creator"):      # a Variable
        return _device_of_array(a.data)
    return _lookup_type(t)                    # numbers, NumPy scalars, lists: host


def device_of(array):
    """Name of the device holding ``array`` (an array or a Variable): "cpu"
    for NumPy arrays, scalars and lists."""
    return _device_of_array(array).name


def get_device_of_module(xp):
    """The Device whose array module is ``xp`` (numpy: the CPU)."""
    for device in list(_BY_NAME.values()):
        if device.xp is xp:
            return device
    raise DeviceError(f"no device is registered for module {getattr(xp, '__name__', xp)!r}")


def get_array_module(*arrays):
    """The NumPy-like module for ``arrays`` (arrays or Variables): numpy,
    unless one of them lives on another device (then cupy, or a test
    module). Cheap for NumPy: one type check per argument."""
    for a in arrays:
        if type(a) is not _ndarray:
            return _module_of(arrays)
    return np


def _module_of(arrays):
    for a in arrays:
        device = _BY_TYPE.get(type(a)) or _device_of_array(a)
        if device is not _CPU:
            return device.xp
    return np


def is_device_array(a):
    """True for an array of a registered non-CPU device (e.g. cupy.ndarray)."""
    t = type(a)
    return t is not _ndarray and (_BY_TYPE.get(t) or _lookup_type(t)) is not _CPU


def to_device(array, device):
    """``array`` on ``device`` ("cpu", "cuda"...): itself if it is already
    there, else a copy. NumPy scalars and lists become arrays."""
    target = get_device(device)
    source = _device_of_array(array)
    if source is target:
        return array
    host = source.to_host(array) if source is not _CPU else np.asarray(array)
    return target.from_host(host) if target is not _CPU else host


def scatter_add(table, ids, values):
    """``table[ids] += values`` with repeated ids accumulating, in place, on
    the table's device (``np.add.at`` on the CPU, ``cupy.add.at`` on CuPy)."""
    device = _device_of_array(table)
    if device is _CPU:
        np.add.at(table, ids, values)
    else:
        device.scatter_add(table, ids, values)


def ids_out_of_range(ids, n):
    """True when an integer id lies outside [0, n): min/max on the CPU, one
    reduction on a device (each read of a device value waits for the GPU)."""
    if type(ids) is np.ndarray:
        return ids.min() < 0 or ids.max() >= n
    device = _device_of_array(ids)
    if device.ids_out_of_range is not None:
        return device.ids_out_of_range(ids, n)
    return bool(((ids < 0) | (ids >= n)).any())


_host_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    """The error function, elementwise, on x's device: ``math.erf`` per
    element on the CPU (NumPy has no erf; ~0.3 us an element), a kernel on CuPy."""
    device = _device_of_array(x)
    if device is _CPU:
        return _host_erf(x).astype(x.dtype)
    return device.erf(x)


def describe_mismatch(op, arrays):
    """The error for an op whose inputs live on different devices."""
    places = ", ".join(f"input {i} {tuple(a.shape)} on {device_of(a)}"
                       for i, a in enumerate(arrays))
    devices = sorted({device_of(a) for a in arrays})
    return DeviceError(f"{op}: inputs are on different devices ({' and '.join(devices)}): "
                       f"{places}. Move them to one device first, e.g. model.to(device) "
                       f"and to_device(array, device)")

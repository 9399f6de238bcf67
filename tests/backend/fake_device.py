"""A test-only device, "fake": its arrays are a distinct type that refuses to
mix with NumPy arrays, the way CuPy arrays do, so that running code on it
proves no path reaches for ``np.`` on a device array.

``FakeArray`` wraps an ndarray without being one: ``isinstance(a, np.ndarray)``
is False, ``np.asarray(a)`` raises (as for CuPy), and every NumPy ufunc or
function given a FakeArray together with a plain ndarray raises
``FakeDeviceError``. ``fake_xp`` is the NumPy-like module that
``get_array_module`` returns for FakeArrays (as it returns cupy for CuPy).
Ufunc methods CuPy lacks (``np.add.at``, ``reduceat``) are refused too.
"""
import math
import types

import numpy as np

from autograd_nlp import backend
from autograd_nlp import random as ag_random


class FakeDeviceError(TypeError):
    """A plain NumPy array met a fake-device array."""


def _unwrap(x, what):
    """The plain arrays inside ``x``; a plain ndarray is refused."""
    t = type(x)
    if t is FakeArray:
        return x._a
    if isinstance(x, np.ndarray):
        raise FakeDeviceError(
            f"{what}: a NumPy array {x.shape} {x.dtype} met fake-device arrays; make it "
            f"with xp = get_array_module(...) or move it with to_device(...)")
    if t is tuple or t is list:
        return t(_unwrap(i, what) for i in x)
    if t is dict:
        return {k: _unwrap(v, what) for k, v in x.items()}
    return x


def _wrap(r):
    """Results back on the fake device (NumPy scalars become 0-d arrays, as
    CuPy returns 0-d arrays)."""
    if isinstance(r, np.ndarray):
        return FakeArray(r)
    if isinstance(r, np.generic):
        return FakeArray(np.asarray(r))
    if type(r) is tuple or type(r) is list:
        return type(r)(_wrap(i) for i in r)
    return r


def _refuses_ufuncs(x):
    return getattr(type(x), "__array_ufunc__", 0) is None   # e.g. a Variable


class FakeArray:
    """An ndarray on the fake device (see the module docstring)."""

    __slots__ = ("_a",)
    __array_priority__ = 1000
    __hash__ = None

    def __init__(self, a):
        self._a = a

    # --- the NumPy protocols ---------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("fake device: implicit conversion to a NumPy array is not "
                        "allowed (CuPy refuses it too); use to_device(x, 'cpu')")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(_refuses_ufuncs(x) for x in inputs):
            return NotImplemented
        if method not in ("__call__", "reduce", "accumulate"):
            raise FakeDeviceError(f"np.{ufunc.__name__}.{method} on a fake-device array: "
                                  f"CuPy has no such ufunc method; use backend.scatter_add")
        what = f"np.{ufunc.__name__}"
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_unwrap(inputs, what), **_unwrap(kwargs, what))
        if out is not None:
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        what = f"np.{func.__name__}"
        return _wrap(func(*_unwrap(args, what), **_unwrap(kwargs, what)))

    # --- attributes and methods ------------------------------------------------
    @property
    def shape(self):
        return self._a.shape

    @property
    def dtype(self):
        return self._a.dtype

    @property
    def ndim(self):
        return self._a.ndim

    @property
    def size(self):
        return self._a.size

    @property
    def T(self):
        return FakeArray(self._a.T)

    def __getattr__(self, name):
        if name in ("flat", "base", "ctypes", "__array_interface__", "__array_struct__"):
            raise AttributeError(f"fake device: {name} would expose host memory")
        attr = getattr(self._a, name)
        if callable(attr):
            what = f"ndarray.{name}"
            return lambda *a, **k: _wrap(attr(*_unwrap(a, what), **_unwrap(k, what)))
        return _wrap(attr)

    def get(self):
        """A NumPy copy (CuPy's ``ndarray.get``)."""
        return self._a.copy()

    def __getitem__(self, index):
        index = _unwrap(index, "indexing")
        result = self._a[index]
        if isinstance(result, np.generic):   # as CuPy: a 0-d view, not a copy
            result = self._a[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
        return _wrap(result)

    def __setitem__(self, index, value):
        self._a[_unwrap(index, "indexing")] = _unwrap(value, "assignment")

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(row) for row in self._a)

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __repr__(self):
        return f"fake_array({np.array2string(self._a)}, dtype={self._a.dtype})"

    __str__ = __repr__


def _operators():
    """Arithmetic and comparison operators, all through the ufuncs above."""
    binary = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
              "truediv": np.true_divide, "floordiv": np.floor_divide, "mod": np.remainder,
              "pow": np.power, "matmul": np.matmul, "and": np.bitwise_and,
              "or": np.bitwise_or, "xor": np.bitwise_xor}

    def make(ufunc):
        def op(self, other):
            return NotImplemented if _refuses_ufuncs(other) else ufunc(self, other)

        def rop(self, other):
            return ufunc(other, self)

        def iop(self, other):
            ufunc(self, other, out=(self,))
            return self
        return op, rop, iop

    for name, ufunc in binary.items():
        op, rop, iop = make(ufunc)
        setattr(FakeArray, f"__{name}__", op)
        setattr(FakeArray, f"__r{name}__", rop)
        setattr(FakeArray, f"__i{name}__", iop)
    for name, ufunc in {"eq": np.equal, "ne": np.not_equal, "lt": np.less,
                        "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}.items():
        setattr(FakeArray, f"__{name}__", make(ufunc)[0])
    for name, ufunc in {"neg": np.negative, "pos": np.positive, "abs": np.absolute,
                        "invert": np.invert}.items():
        setattr(FakeArray, f"__{name}__", lambda self, u=ufunc: u(self))


_operators()


# --- the module get_array_module returns ------------------------------------------
_HOST_TO_DEVICE = ("asarray", "array", "ascontiguousarray", "asanyarray")


class _FakeRandom:
    """``fake_xp.random``: nothing; the device's generator is below."""


class FakeGenerator:
    """The fake device's generator: draws from autograd_nlp's CPU generator
    and moves the numbers, so a run on the fake device draws exactly what
    the same run on the CPU draws (losses compare equal)."""

    def random(self, shape, dtype=np.float64):
        return FakeArray(ag_random.random_floats(shape, dtype))


class FakeModule(types.ModuleType):
    """numpy's API, on FakeArrays: functions unwrap, refuse plain ndarrays
    (except ``asarray``/``array``: the host-to-device copy) and wrap."""

    ndarray = FakeArray
    random = _FakeRandom()

    def __getattr__(self, name):
        attr = getattr(np, name)
        if isinstance(attr, (np.ufunc, type)) or not callable(attr):
            return attr                      # ufuncs dispatch by themselves; dtypes
        if name in _HOST_TO_DEVICE:
            def copy_in(a, *args, **kwargs):
                a = a.get() if type(a) is FakeArray else a
                return FakeArray(np.array(attr(a, *args, **kwargs), copy=True))
            return copy_in
        what = f"xp.{name}"
        return lambda *a, **k: _wrap(attr(*_unwrap(a, what), **_unwrap(k, what)))

    @staticmethod
    def asnumpy(a):
        return a.get() if type(a) is FakeArray else np.asarray(a)


fake_xp = FakeModule("fake_xp")


def _scatter_add(table, ids, values):
    np.add.at(table._a, _unwrap(ids, "scatter_add"), _unwrap(values, "scatter_add"))


_erf = np.frompyfunc(math.erf, 1, 1)


def _fake_erf(x):
    return FakeArray(_erf(x._a).astype(x.dtype))


FAKE = backend.Device("fake", FakeArray, fake_xp, lambda a: FakeArray(np.array(a)),
                      lambda a: a.get(), make_generator=lambda seed: FakeGenerator(),
                      scatter_add=_scatter_add, erf=_fake_erf)

"""``detect_anomaly``: find the first op that turned finite numbers into NaN/Inf.

Inside the block every forward output and every gradient is checked. The
error names the op, the output or gradient, and the line of user code that
created the op; when the NaN/Inf was already in what the op received (an
input, or the gradient coming from above), it says so and names that input
instead of blaming the op.

The block also catches raw in-place edits (``w.data -= 5``) of arrays a graph
keeps for its backward: each Function remembers a checksum of its inputs'
and outputs' arrays, which the backward walk compares before it computes a
gradient (``core.check_saved_arrays``).
"""
import traceback
import zlib

import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.config import using_config


def detect_anomaly():
    """Raise ``FloatingPointError`` naming the first Function whose forward or
    backward produced NaN/Inf, with the line of user code that created it."""
    return using_config("detect_anomaly", True)


def op_name(func):
    """The name an error message uses for a Function: its class name."""
    return type(func).__name__


def record_creation_site(func):
    """Remember the user code that created ``func`` (the caller of the op)."""
    func.created_at = "".join(traceback.format_stack(limit=10)[:-3])


def creation_note(func):
    """"\\nThe op was created at: ..." for ``func``, or "" if unknown."""
    where = getattr(func, "created_at", "")
    return f"\nThe op was created at:\n{where}" if where else ""


def record_saved_arrays(func):
    """Remember each array ``func`` keeps for its backward (its inputs' and
    outputs' ``.data``) with a CRC-32 of its bytes, so that ``changed_saved_array``
    can tell a raw edit (``w.data -= 5``, ``w.data[0] = 1``, or a new array
    in ``w.data``) that no version counter saw. One pass over the bytes per
    array: a debugging cost, paid inside ``detect_anomaly()`` only."""
    outputs = [ref() for ref in func.outputs]
    func.saved_checksums = [(x.data, _checksum(x.data)) for x in func.inputs] + \
                           [(y.data, _checksum(y.data)) for y in outputs]


def changed_saved_array(func):
    """(what, Variable, how) for the first input or live output of ``func``
    whose array was replaced or changed since ``record_saved_arrays``, or
    None. Arrays that are not NumPy's (CuPy's) are compared by identity
    only; Functions recorded outside ``detect_anomaly`` are not checked."""
    saved = getattr(func, "saved_checksums", None)
    if saved is None:
        return None
    kept = [(f"input {i}", x) for i, x in enumerate(func.inputs)] + \
           [(f"output {i}", ref()) for i, ref in enumerate(func.outputs)]
    for (what, v), (array, checksum) in zip(kept, saved):
        if v is None:                       # an output nobody holds any more
            continue
        if v.data is not array:
            return what, v, ("got a new array in its .data after {op} ran "
                             "(found by detect_anomaly)")
        if checksum is not None and _checksum(array) != checksum:
            return what, v, ("was written into after {op} ran (an edit of its .data, "
                             "found by detect_anomaly)")
    return None


def _checksum(a):
    """CRC-32 of a NumPy array's bytes; None for other arrays (CuPy's)."""
    if not isinstance(a, np.ndarray):
        return None
    return zlib.crc32(np.ascontiguousarray(a))


def _first_nonfinite(arrays):
    """(index, array) of the first floating array (or Variable) holding
    NaN/Inf, or None."""
    for i, a in enumerate(arrays):
        if a is None:
            continue
        if hasattr(a, "creator"):
            a = a.data                      # a Variable
        if a.dtype.kind in "fc" and not get_array_module(a).isfinite(a).all():
            return i, a
    return None


def _already_there(func, upstream):
    """Describe NaN/Inf that reached ``func`` from outside, or return None."""
    found = _first_nonfinite(upstream) if upstream is not None else None
    if found is not None:
        i, a = found
        return (f"the upstream gradient of its output {i} (shape {a.shape}) was "
                f"already NaN/Inf when it arrived, so the cause lies before this op: "
                f"check the gradient passed to backward(grad=...)")
    found = _first_nonfinite(getattr(func, "inputs", ()))
    if found is not None:
        i, a = found
        return (f"its input {i} (shape {a.shape}) was already NaN/Inf before this "
                f"op ran; the cause lies where that input was made (data, or an op "
                f"run outside detect_anomaly())")
    return None


def check_forward(func, inputs, outputs):
    """Raise if an output array of ``func.forward`` holds NaN/Inf."""
    bad = _first_nonfinite(outputs)
    if bad is None:
        return
    i, a = bad
    found = _first_nonfinite(inputs)
    if found is not None:
        j, x = found
        raise FloatingPointError(
            f"detect_anomaly: {op_name(func)}.forward got NaN/Inf that was already in "
            f"its input {j} (shape {x.shape}); the op did not make it. Look where "
            f"that input was made (data, or an op run outside detect_anomaly()).")
    raise FloatingPointError(f"detect_anomaly: {op_name(func)}.forward produced NaN/Inf "
                             f"in output {i} (shape {a.shape})")


def checked_backward(func, gys):
    """Run ``func.backward(*gys)``; raise naming ``func`` (or the NaN/Inf it
    received) if it, or an op inside it, made NaN/Inf."""
    try:
        gxs = func.backward(*gys)
    except FloatingPointError as e:
        cause = _already_there(func, gys)
        if cause is not None:
            raise FloatingPointError(f"detect_anomaly: {op_name(func)}.backward met "
                                     f"NaN/Inf: {cause}{creation_note(func)}") from e
        raise FloatingPointError(f"detect_anomaly: {op_name(func)}.backward produced "
                                 f"NaN/Inf (inside it: {e}){creation_note(func)}") from e
    bad = _first_nonfinite(gxs if type(gxs) is tuple else (gxs,))
    if bad is not None:
        i, a = bad
        cause = _already_there(func, gys)
        if cause is not None:
            raise FloatingPointError(f"detect_anomaly: {op_name(func)}.backward gave a "
                                     f"NaN/Inf gradient for input {i}, but {cause}"
                                     f"{creation_note(func)}")
        raise FloatingPointError(f"detect_anomaly: {op_name(func)}.backward produced "
                                 f"NaN/Inf in gradient {i} (shape {a.shape})"
                                 f"{creation_note(func)}")
    return gxs

"""Process-wide switches of the engine (DeZero's ``Config``), and the context
managers that change them for the length of a ``with`` block.

Plain Python: importing this module pulls in nothing but NumPy.
"""
import contextlib

import numpy as np


class Config:
    """Process-wide switches; change them through the context managers below."""

    enable_backprop = True   # record graphs (off inside no_grad)
    train = True             # dropout active (off inside eval_mode)
    detect_anomaly = False   # check every forward/backward output for NaN/Inf
    default_dtype = np.float32
    scope = None             # name of the current graph scope (for pictures)
    unroll_recurrence = False  # LSTM layers: one lstm_step node per time step


@contextlib.contextmanager
def using_config(name, value):
    """Temporarily set ``Config.<name>`` to ``value``."""
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def no_grad():
    """Record no graph inside the block (like ``torch.no_grad``)."""
    return using_config("enable_backprop", False)


def enable_grad():
    """Record graphs again inside a ``no_grad`` block."""
    return using_config("enable_backprop", True)


def eval_mode():
    """Evaluation mode: dropout is the identity inside the block."""
    return using_config("train", False)


def train_mode():
    """Training mode (the default): dropout is active inside the block."""
    return using_config("train", True)


def unrolled():
    """Inside the block, LSTM layers record one ``lstm_step`` node per time
    step (the unrolled graph the book draws for BPTT) instead of one fused
    ``lstm_sequence`` node per call: for graph pictures, the ONNX export and
    teaching. The numbers are the same up to float rounding."""
    return using_config("unroll_recurrence", True)


def default_dtype(dtype):
    """Parameters created inside the block use ``dtype`` (float32 outside)."""
    return using_config("default_dtype", np.dtype(dtype).type)


@contextlib.contextmanager
def scope(name):
    """Tag the Functions created inside the block with ``name`` (nested
    scopes join with "/"). Graph pictures draw each scope as a cluster and
    can fold identical ones, e.g. the time steps of an unrolled RNN."""
    old = Config.scope
    Config.scope = name if old is None else f"{old}/{name}"
    try:
        yield
    finally:
        Config.scope = old

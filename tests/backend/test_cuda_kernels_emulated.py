"""The fused CUDA kernels (autograd_nlp/cuda_kernels.py) run on the CPU: their
source compiled as C++ with a small shim (kernel_emulation/), every GPU thread
a std::thread, and compared with the NumPy ops they replace. On a machine
with nvcc the source is also compiled for the GPU (to PTX). Skipped without
g++. The GPU itself checks them in tests/backend/test_cupy.py."""
import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import cuda_kernels
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.functions.recurrent import LSTMStep

HERE = Path(__file__).parent / "kernel_emulation"


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed: cannot emulate the CUDA kernels on the CPU")
    out = tmp_path_factory.mktemp("kernels")
    (out / "kernels.cu").write_text(cuda_kernels.source("float"))
    cmd = ["g++", "-O1", "-std=c++20", "-shared", "-fPIC", f"-I{HERE}",
           '-DKERNEL_SOURCE="kernels.cu"', f"-I{out}", str(HERE / "launch.cpp"),
           "-o", str(out / "kernels.so"), "-lpthread"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode and "barrier" in result.stderr:
        pytest.skip("this g++ lacks C++20 <barrier>")
    assert result.returncode == 0, result.stderr
    return ctypes.CDLL(str(out / "kernels.so"))


def _p(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def _lstm_inputs(rng, B=5, H=7):
    arrays = [rng.standard_normal(s).astype(np.float32)
              for s in ((B, 4 * H), (B, H), (H, 4 * H), (B, H))]
    return arrays, B * H, H


def _batch_major(gates):
    """The NumPy step's saved (4, batch, H) gate activations as the kernels'
    (batch, 4H) layout (a copy)."""
    return gates.transpose(1, 0, 2).reshape(gates.shape[1], -1)


def test_lstm_forward_kernel_matches_the_numpy_step(kernels):
    (x_proj, c_prev, Wh, h_prev), n, H = _lstm_inputs(np.random.default_rng(0))
    step = LSTMStep()
    h_ref, c_ref = step.forward(x_proj, c_prev, Wh, h_prev)
    act = h_prev @ Wh + x_proj
    h, c, tanh_c = (np.empty_like(c_prev) for _ in range(3))
    kernels.run_lstm_forward(_p(act), _p(c_prev), _p(h), _p(c), _p(tanh_c), n, H)
    for got, want in ((act, _batch_major(step.saved[0])), (h, h_ref), (c, c_ref),
                      (tanh_c, step.saved[1])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("has_dh,has_dc", [(1, 1), (1, 0), (0, 1)])
def test_lstm_backward_kernel_matches_the_numpy_step(kernels, has_dh, has_dc):
    rng = np.random.default_rng(1)
    (x_proj, c_prev, Wh, h_prev), n, H = _lstm_inputs(rng)
    step = LSTMStep()
    step.inputs = [ag.Variable(a) for a in (x_proj, c_prev, Wh, h_prev)]
    step.forward(x_proj, c_prev, Wh, h_prev)
    act, tanh_c = _batch_major(step.saved[0]), step.saved[1]
    dh, dc = (rng.standard_normal(c_prev.shape).astype(np.float32) for _ in range(2))
    want = step.backward_arrays(dh if has_dh else None, dc if has_dc else None)
    dc_prev = np.empty_like(c_prev)
    kernels.run_lstm_backward(_p(act), _p(tanh_c), _p(c_prev), _p(dh), _p(dc), _p(dc_prev),
                              n, H, has_dh, has_dc)
    np.testing.assert_allclose(act, want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dc_prev, want[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("N,C,ignore", [(6, 5, False), (3, 1000, True), (4, 300, True)])
def test_softmax_cross_entropy_kernels_match_the_numpy_op(kernels, N, C, ignore):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((N, C)) * 3).astype(np.float32)
    t = rng.integers(0, C, N).astype(np.int64)
    valid = np.ones(N, np.uint8)
    if ignore:
        valid[::2] = 0
        x[0] = -np.inf                     # a fully masked ignored row: no NaN
    probs, losses = np.empty_like(x), np.empty(N, np.float32)
    kernels.run_softmax_ce_forward(_p(x), _p(t), _p(valid), int(ignore), _p(probs),
                                   _p(losses), N, C)
    targets = np.where(valid.astype(bool), t, -1)
    want = softmax_cross_entropy(ag.Variable(x), targets, ignore_label=-1, reduction="none")
    np.testing.assert_allclose(losses, want.data, rtol=1e-5, atol=1e-6)
    kept = valid.astype(bool)
    shifted = np.exp(x[kept] - x[kept].max(axis=1, keepdims=True))
    np.testing.assert_allclose(probs[kept], shifted / shifted.sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-7)
    assert np.isfinite(probs).all()
    g = np.empty_like(probs)
    kernels.run_softmax_ce_grad(_p(probs), _p(t), _p(g), N * C, C)
    np.testing.assert_allclose(g, probs - np.eye(C, dtype=np.float32)[t])


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
@pytest.mark.parametrize("dtype", ["float", "double"])
def test_kernels_compile_for_the_gpu(tmp_path, dtype):
    src = tmp_path / "k.cu"
    src.write_text(cuda_kernels.source(dtype))
    result = subprocess.run(["nvcc", "-ptx", str(src), "-o", str(tmp_path / "k.ptx")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    ptx = (tmp_path / "k.ptx").read_text()
    for name in ("lstm_forward", "lstm_backward", "softmax_ce_forward", "softmax_ce_grad"):
        assert f".entry {name}" in ptx

"""The fused CUDA kernels (autograd_nlp/cuda_kernels.py) run on the CPU: their
source compiled as C++ with a small shim (kernel_emulation/), every GPU thread
a std::thread, launched through cuda_kernels' own wrappers with NumPy
arrays, and compared with the NumPy ops they replace; LSTMSequence's GPU
branch runs on them against its CPU branch. On a machine
with nvcc the source is also compiled for the GPU (to PTX). Skipped without
g++. The GPU itself checks them in tests/backend/test_cupy.py."""
import ctypes
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import cuda_kernels, optim
import autograd_nlp.functions as F
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.functions.recurrent import LSTMStep

HERE = Path(__file__).parent / "kernel_emulation"


def _compile(out, dtype):
    (out / f"kernels_{dtype}.cu").write_text(cuda_kernels.source(dtype))
    cmd = ["g++", "-O1", "-std=c++20", "-shared", "-fPIC", f"-I{HERE}",
           f'-DKERNEL_SOURCE="kernels_{dtype}.cu"', f"-I{out}", str(HERE / "launch.cpp"),
           "-o", str(out / f"kernels_{dtype}.so"), "-lpthread"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode and "barrier" in result.stderr:
        pytest.skip("this g++ lacks C++20 <barrier>")
    assert result.returncode == 0, result.stderr
    return ctypes.CDLL(str(out / f"kernels_{dtype}.so"))


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """The kernels compiled for the CPU, by NumPy dtype."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed: cannot emulate the CUDA kernels on the CPU")
    out = tmp_path_factory.mktemp("kernels")
    return {np.dtype(np.float32): _compile(out, "float"),
            np.dtype(np.float64): _compile(out, "double")}


def _c_argument(a):
    if isinstance(a, np.ndarray):
        assert a.flags.c_contiguous, "a kernel was given a non-contiguous array"
        return a.ctypes.data_as(ctypes.c_void_p)
    return {np.int32: ctypes.c_int, np.int64: ctypes.c_longlong, np.float32: ctypes.c_float,
            np.float64: ctypes.c_double}[type(a)](a.item())


@pytest.fixture
def kernels(compiled, monkeypatch):
    """cuda_kernels with its launches run by the CPU build (NumPy arrays in
    place of CuPy ones) and ``usable`` true, so cuda_kernels' wrappers and
    the ops' kernel branches run here as they do on a GPU."""
    def launch(name, blocks, args):
        getattr(compiled[args[0].dtype], f"run_{name}")(
            ctypes.c_longlong(blocks), *[_c_argument(a) for a in args])
    monkeypatch.setattr(cuda_kernels, "_launch", launch)
    monkeypatch.setattr(cuda_kernels, "usable", lambda *arrays: True)
    return cuda_kernels


def _lstm_inputs(rng, B=5, H=7, dtype=np.float32):
    return [rng.standard_normal(s).astype(dtype)
            for s in ((B, 4 * H), (B, H), (H, 4 * H), (B, H))]


def _batch_major(gates):
    """The NumPy step's saved (4, batch, H) gate activations as the kernels'
    (batch, 4H) layout (a copy)."""
    return gates.transpose(1, 0, 2).reshape(gates.shape[1], -1).copy()   # batch 1: a view


@pytest.mark.parametrize("B", [1, 5, 8])         # a partial group of ROWS rows, one, two
@pytest.mark.parametrize("recurrent", ["in-kernel", "given", "none"])
@pytest.mark.parametrize("cell", [True, False], ids=["c", "zero-c"])
def test_lstm_forward_kernel_matches_the_numpy_step(kernels, B, recurrent, cell):
    x_proj, c_prev, Wh, h_prev = _lstm_inputs(np.random.default_rng(B), B=B)
    if not cell:
        c_prev = np.zeros_like(c_prev)
    step = LSTMStep()
    h_ref, c_ref = step.forward(x_proj, c_prev, Wh, None if recurrent == "none" else h_prev)
    act = x_proj.copy()
    out = tuple(np.full_like(c_prev, np.nan) for _ in range(3))     # every element written
    got = kernels.lstm_forward(act, c_prev if cell else None,
                               h_prev if recurrent == "in-kernel" else None,
                               Wh if recurrent == "in-kernel" else None,
                               h_prev @ Wh if recurrent == "given" else None, out=out)
    assert all(g is o for g, o in zip(got, out))
    for got, want in ((act, _batch_major(step.saved[0])), (out[0], h_ref), (out[1], c_ref),
                      (out[2], step.saved[1])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("B", [1, 5, 8])
@pytest.mark.parametrize("dh,dh_out,dnext,dc,c_prev",
                         [(1, 0, 0, 1, 1), (1, 0, 0, 0, 1), (0, 0, 0, 1, 1), (1, 1, 0, 1, 1),
                          (0, 1, 0, 0, 1), (1, 1, 0, 1, 0), (0, 0, 1, 1, 1), (1, 1, 1, 1, 1),
                          (0, 1, 1, 0, 0)])
def test_lstm_backward_kernel_matches_the_numpy_step(kernels, B, dh, dh_out, dnext, dc,
                                                      c_prev):
    """The gradient reaching h is dh + dh_out + dnext @ Wh.T (the last summed
    in the kernel); each part may be absent, as may dc and c_prev."""
    rng = np.random.default_rng(10 * B + 1)
    x_proj, c0, Wh, h_prev = _lstm_inputs(rng, B=B)
    c0 = c0 if c_prev else np.zeros_like(c0)
    step = LSTMStep()
    step.inputs = [ag.Variable(a) for a in (x_proj, c0, Wh, h_prev)]
    step.forward(x_proj, c0, Wh, h_prev)
    act, tanh_c = _batch_major(step.saved[0]), step.saved[1]
    parts = {name: rng.standard_normal(c0.shape).astype(np.float32)
             for name in ("dh", "dh_out", "dc")}
    next_gates = rng.standard_normal(x_proj.shape).astype(np.float32)
    total = (dh and parts["dh"]) + (dh_out and parts["dh_out"]) + (dnext and next_gates @ Wh.T)
    want = step.backward_arrays(total if dh or dh_out or dnext else None,
                                parts["dc"] if dc else None)
    dc_prev = np.full_like(c0, np.nan)
    got = kernels.lstm_backward(act, tanh_c, c0 if c_prev else None,
                                parts["dh"] if dh else None, parts["dc"] if dc else None,
                                parts["dh_out"] if dh_out else None,
                                next_gates if dnext else None,
                                np.ascontiguousarray(Wh.T) if dnext else None, dc_prev)
    assert got is dc_prev
    np.testing.assert_allclose(act, want[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dc_prev, want[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("product", ["kernel", "cublas"])
@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
@pytest.mark.parametrize("time", [1, 4])
def test_lstm_sequence_kernel_branch_matches_the_cpu_branch(kernels, monkeypatch, product,
                                                             state, time):
    """LSTMSequence's GPU branch (one launch per step each way with the
    recurrent product in the kernels, two with it in cuBLAS; states written
    into the layer's buffers) against its CPU branch, values and every
    gradient, in float64."""
    monkeypatch.setattr(kernels, "recurrent_product_in_kernel",
                        lambda batch, hidden: product == "kernel")
    rng = np.random.default_rng(6)
    B, D, H = 5, 4, 3
    arrays = [rng.standard_normal(s) for s in ((B, time, D), (D, 4 * H), (H, 4 * H), (4 * H,))]
    if state:
        arrays += [rng.standard_normal((B, H)), rng.standard_normal((B, H))]
    weights = [rng.standard_normal(s) for s in ((B, time, H), (B, H), (B, H))]

    def run():
        inputs = [ag.Variable(a.copy()) for a in arrays]
        hs, h, c = F.lstm_sequence(*inputs)
        ((hs * weights[0]).sum() + (h * weights[1]).sum() + (c * weights[2]).sum()).backward()
        return [hs.data, h.data, c.data] + [v.grad.data for v in inputs]
    on_kernels = run()
    kernels.usable = lambda *arrays: False                # the monkeypatch restores it
    for got, want in zip(on_kernels, run()):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch,window,k", [(9, 4, 5), (6, 6, 5), (1, 1, 1), (0, 4, 5)])
def test_negative_sampling_kernels_match_the_array_op(kernels, batch, window, k):
    """CBOW's loss and both table gradients through the op's kernel branch
    against its array branch, float64; ids repeat within and across rows
    (atomic adds), and an empty batch."""
    rng = np.random.default_rng(batch)
    V, D = 7, 300                               # D > BLOCK: threads loop over units
    arrays = (rng.standard_normal((V, D)), rng.standard_normal((V, D)))
    contexts, samples = rng.integers(0, V, (batch, window)), rng.integers(0, V, (batch, 1 + k))

    def run():
        W_in, W_out = (ag.Variable(a.copy()) for a in arrays)
        loss = F.negative_sampling_loss(W_in, W_out, contexts, samples) * 3.0
        loss.backward()
        return [loss.data, W_in.grad.data, W_out.grad.data]
    on_kernels = run()
    kernels.usable = lambda *arrays: False                # the monkeypatch restores it
    for got, want in zip(on_kernels, run()):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("eps_hat", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_kernel_matches_the_numpy_update(kernels, eps_hat, dtype):
    """Three steps of optim.Adam (the NumPy path) against the kernel given
    the same host-side step sizes, on a non-contiguous gradient."""
    rng = np.random.default_rng(7)
    start = rng.standard_normal((6, 5)).astype(dtype)
    grads = [rng.standard_normal((5, 6)).astype(dtype).T for _ in range(3)]
    p = ag.Parameter(start.copy(), dtype=dtype)
    opt = optim.Adam([p], lr=0.01, eps_hat=eps_hat, eps=1e-7 if eps_hat else 1e-8)
    mine, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for step, g in enumerate(grads, 1):
        p.grad = ag.Variable(g)
        opt.update()
        correction2 = math.sqrt(1 - opt.beta2 ** step)
        step_size = opt.lr * (correction2 if eps_hat else 1.0) / (1 - opt.beta1 ** step)
        kernels.adam_update(mine, g, m, v, opt.beta1, opt.beta2, step_size, 1 / correction2,
                            opt.eps, eps_hat)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(mine, p.data, rtol=tol, atol=tol)
    np.testing.assert_allclose(m, opt.slots[0]["m"], rtol=tol, atol=tol)
    np.testing.assert_allclose(v, opt.slots[0]["v"], rtol=tol, atol=tol)


@pytest.mark.parametrize("N,C,ignore", [(6, 5, False), (3, 1000, True), (4, 300, True)])
def test_softmax_cross_entropy_kernels_match_the_numpy_op(kernels, N, C, ignore):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((N, C)) * 3).astype(np.float32)
    t = rng.integers(0, C, N).astype(np.int64)
    valid = np.ones(N, bool)
    if ignore:
        valid[::2] = False
        x[0] = -np.inf                     # a fully masked ignored row: no NaN
    probs, losses = kernels.softmax_ce_forward(x, t, valid if ignore else None)
    targets = np.where(valid, t, -1)
    want = softmax_cross_entropy(ag.Variable(x), targets, ignore_label=-1, reduction="none")
    np.testing.assert_allclose(losses, want.data, rtol=1e-5, atol=1e-6)
    shifted = np.exp(x[valid] - x[valid].max(axis=1, keepdims=True))
    np.testing.assert_allclose(probs[valid], shifted / shifted.sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-7)
    assert np.isfinite(probs).all()
    g = kernels.softmax_ce_grad(probs, t)
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
    for name in cuda_kernels.KERNELS:
        assert f".entry {name}" in ptx


def test_who_computes_the_lstm_product(monkeypatch):
    """In the kernels up to hidden 256, by cuBLAS above (measured); a mode
    forces either, and an unknown mode is refused."""
    assert cuda_kernels.recurrent_product_in_kernel(128, 256)
    assert not cuda_kernels.recurrent_product_in_kernel(20, 650)
    monkeypatch.setattr(cuda_kernels, "_product", "auto")
    cuda_kernels.set_recurrent_product("cublas")
    assert not cuda_kernels.recurrent_product_in_kernel(20, 100)
    cuda_kernels.set_recurrent_product("kernel")
    assert cuda_kernels.recurrent_product_in_kernel(20, 650)
    with pytest.raises(ValueError, match="kernel, cublas or auto"):
        cuda_kernels.set_recurrent_product("cudnn")

"""What one call costs on a GPU, host and device: the primitives a training
step is made of (cuBLAS products, our fused LSTM kernels with the recurrent
product inside or beside them, CuPy elementwise ops and reductions, a read
of a device value) at the chapter models' LSTM sizes, next to torch.mm.

    python benchmarks/gpu_launch_costs.py [--calls 300]

Per primitive: host microseconds per call (the Python side, calls issued
back to back), microseconds per call once the device has finished them all
(throughput), and device microseconds per call between CUDA events. Where
host time exceeds device time the model is bound by launches, not by the GPU.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from autograd_nlp import cuda_kernels  # noqa: E402
from autograd_nlp.backend import cupy_available  # noqa: E402

SIZES = {"Rnnlm": (20, 100), "BetterRnnlm": (20, 650), "seq2seq": (128, 128),
         "attention": (128, 256)}


def measure(cupy, fn, calls):
    """(host us, wall us, device us) per call of ``fn``."""
    fn()
    cupy.cuda.runtime.deviceSynchronize()
    start, end = cupy.cuda.Event(), cupy.cuda.Event()
    t0 = time.perf_counter()
    start.record()
    for _ in range(calls):
        fn()
    host = time.perf_counter() - t0
    end.record()
    end.synchronize()
    wall = time.perf_counter() - t0
    device = cupy.cuda.get_elapsed_time(start, end) * 1e-3
    return host / calls * 1e6, wall / calls * 1e6, device / calls * 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=300)
    args = p.parse_args()
    if not cupy_available():
        print("gpu_launch_costs: skipped, CuPy or a CUDA GPU is not available")
        return 0
    import cupy
    rng = np.random.default_rng(0)
    rows = []

    def add(label, fn):
        try:
            rows.append((label,) + measure(cupy, fn, args.calls))
        except Exception as e:   # noqa: BLE001 - report and go on
            print(f"{label}: FAILED {type(e).__name__}: {e}", flush=True)

    def f32(*shape):
        return cupy.asarray(rng.standard_normal(shape).astype(np.float32))

    for model, (B, H) in SIZES.items():
        h, Wh, act, c = f32(B, H), f32(H, 4 * H) * 0.1, f32(B, 4 * H), f32(B, H)
        rec, out = cupy.empty((B, 4 * H), np.float32), [cupy.empty((B, H), np.float32)
                                                         for _ in range(3)]
        WhT, dh, dc_prev = cupy.ascontiguousarray(Wh.T), f32(B, H), cupy.empty((B, H), np.float32)
        gates = f32(B, 4 * H)
        tag = f"{model} {B}x{H}"
        add(f"{tag}: matmul h @ Wh, out=", lambda: cupy.matmul(h, Wh, out=rec))
        add(f"{tag}: h @ Wh (new array)", lambda: h @ Wh)
        add(f"{tag}: matmul dgates @ Wh.T, out=", lambda: cupy.matmul(gates, Wh.T, out=dh))
        add(f"{tag}: lstm_forward, product given", lambda: cuda_kernels.lstm_forward(
            act, c, rec=rec, out=out))
        add(f"{tag}: lstm_forward, product in kernel", lambda: cuda_kernels.lstm_forward(
            act, c, h, Wh, out=out))
        add(f"{tag}: lstm_backward, dh given", lambda: cuda_kernels.lstm_backward(
            act, out[2], c, dh, c, dc_prev=dc_prev))
        add(f"{tag}: lstm_backward, product in kernel", lambda: cuda_kernels.lstm_backward(
            act, out[2], c, None, c, None, gates, WhT, dc_prev))
    x, v = f32(128, 10_000), f32(100_000)
    add("x * 2 (elementwise, 1.3M)", lambda: x * 2)
    add("x.sum() (reduction, 1.3M)", lambda: x.sum())
    add("cupy.dot(v, v) (100k)", lambda: cupy.dot(v, v))
    add("(v * v).sum() (100k)", lambda: (v * v).sum())
    squares = cupy.ReductionKernel("T x", "T y", "x * x", "a + b", "y = a", "0", "squares")
    add("ReductionKernel sum of squares (100k)", lambda: squares(v))
    parts = [f32(64, 64) for _ in range(10)]
    add("cupy.concatenate of 10 raveled (64, 64)", lambda: cupy.concatenate(
        [q.ravel() for q in parts]))
    add("bool((v > 9).any()) (a read: waits for the GPU)", lambda: bool((v > 9).any()))
    add("cupy.empty((128, 256))", lambda: cupy.empty((128, 256), np.float32))
    add("x[3] (a view)", lambda: x[3])
    try:
        import torch
        for model, (B, H) in SIZES.items():
            th, tw = torch.randn(B, H, device="cuda"), torch.randn(H, 4 * H, device="cuda")
            to = torch.empty(B, 4 * H, device="cuda")
            add(f"torch.mm {B}x{H} @ {H}x{4 * H}, out=", lambda: torch.mm(th, tw, out=to))
    except Exception as e:   # noqa: BLE001 - torch is the peer, optional
        print(f"torch: {type(e).__name__}: {e}")
    print(f"{'primitive':58} {'host us':>8} {'wall us':>8} {'GPU us':>8}")
    for label, host, wall, device in rows:
        print(f"{label:58} {host:8.1f} {wall:8.1f} {device:8.1f}")


if __name__ == "__main__":
    sys.exit(main())

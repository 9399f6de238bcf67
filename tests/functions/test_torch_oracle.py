"""Values and gradients of every registered op against torch.autograd
(float64, random inputs, random upstream gradient). Skips without torch."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.functions.registry import all_ops

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch==2.13.0)")

CASES = [(name, label) for name, spec in sorted(all_ops().items()) if spec.torch
         for label in spec.cases]


def _to_torch(value):
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return torch.tensor(value, dtype=torch.float64, requires_grad=True)
        return torch.tensor(value)
    return value


@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_matches_torch(name, label):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(1))
    ours = [ag.Variable(a.astype(np.float64)) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else a for a in args]
    theirs = [_to_torch(a) for a in args]
    ys = spec(*ours, **kwargs)
    tys = spec.torch(torch, *theirs, **kwargs)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    tys = list(tys) if isinstance(tys, (list, tuple)) else [tys]
    rng = np.random.default_rng(2)
    total, ttotal = 0, 0
    for k, (y, ty) in enumerate(zip(ys, tys)):
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name}[{label}] forward, output {k}")
        upstream = rng.standard_normal(y.shape)
        total = total + (y * upstream).sum()
        ttotal = ttotal + (ty * torch.tensor(upstream)).sum()
    total.backward()
    ttotal.backward()
    for i, (a, t) in enumerate(zip(ours, theirs)):
        if isinstance(a, ag.Variable):
            ours_grad = np.zeros(a.shape) if a.grad is None else a.grad.data
            theirs_grad = np.zeros(a.shape) if t.grad is None else t.grad.numpy()
            np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name}[{label}] gradient of input {i}")

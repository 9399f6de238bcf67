"""Activations beyond their registry checks: extreme inputs, dtypes, options."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F

try:
    import torch
except ImportError:
    torch = None

EXTREME = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
TORCH = {
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.01),
    "elu": lambda x: torch.nn.functional.elu(x),
    "softplus": lambda x: torch.nn.functional.softplus(x),   # its threshold: x past 20
    "gelu": lambda x: torch.nn.functional.gelu(x),
}


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", sorted(TORCH))
def test_extreme_inputs_give_torchs_values_and_first_and_second_derivatives(name):
    """Finite everywhere, and torch's numbers. Absolute tolerance 1e-15: our
    sigmoid (softplus's derivative) is 0.5 tanh(x/2) + 0.5, exact to ~1e-17
    absolute but not relative deep in the left tail (x < -20)."""
    x = ag.Variable(EXTREME.copy())
    y = getattr(F, name)(x)
    (g,) = ag.grad(y.sum(), [x], create_graph=True)
    if g.requires_grad:
        (gg,) = ag.grad(g.sum(), [x])
        gg = np.zeros_like(EXTREME) if gg is None else gg.data
    else:                            # piecewise linear: the first derivative is a constant
        gg = np.zeros_like(EXTREME)
    tx = torch.tensor(EXTREME, requires_grad=True)
    ty = TORCH[name](tx)
    (tg,) = torch.autograd.grad(ty.sum(), tx, create_graph=True)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-12, atol=1e-15)
    smooth = EXTREME != 0            # elu's second derivative at its kink is a convention
    # atol 1e-13: past 20 torch's softplus threshold zeroes the second derivative
    # (exactly 9.4e-14 at 30, which is what we give)
    np.testing.assert_allclose(gg[smooth], tgg.numpy()[smooth], rtol=1e-9, atol=1e-13)
    assert np.isfinite(y.data).all() and np.isfinite(g.data).all() and np.isfinite(gg).all()


@pytest.mark.parametrize("name,kwargs", [("leaky_relu", {}), ("elu", {}), ("softplus", {}),
                                         ("gelu", {}), ("gelu", {"approximate": "tanh"})])
def test_float32_stays_float32(name, kwargs):
    x = ag.Variable(np.linspace(-3, 3, 7, dtype=np.float32))
    y = getattr(F, name)(x, **kwargs)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_gelu_tanh_approximation_is_close_to_the_exact_form():
    x = np.linspace(-5, 5, 101)
    exact = F.gelu(x).data
    approx = F.gelu(x, approximate="tanh").data
    assert 0 < np.abs(exact - approx).max() < 1e-3
    with pytest.raises(ValueError, match=r"gelu: approximate must be one of \('none', 'tanh'\)"):
        F.gelu(x, approximate="sigmoid")


def test_leaky_relu_and_elu_gradients_at_zero_follow_torch():
    x = ag.Variable(np.zeros(1))
    F.leaky_relu(x, 0.2).sum().backward()
    assert x.grad.data[0] == pytest.approx(0.2)
    x.cleargrad()
    F.elu(x, alpha=0.5).sum().backward()
    assert x.grad.data[0] == pytest.approx(0.5)

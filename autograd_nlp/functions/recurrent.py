"""Fused recurrent steps: the pointwise part of an LSTM step as one op.

``lstm_step`` is a FusedFunction: its backward works on arrays (one op per
time step instead of a dozen), so it is not twice differentiable. It is
gradient-checked in the registry like every other op.
"""
import numpy as np

from autograd_nlp.core import FusedFunction, ShapeError
from autograd_nlp.functions.registry import custom, register


class LSTMStep(FusedFunction):
    """gates (batch, 4H) in the order [forget, input, output, candidate],
    c_prev (batch, H) -> h, c (batch, H)."""

    def forward(self, gates, c_prev):
        H = c_prev.shape[-1]
        if gates.shape[-1] != 4 * H or gates.shape[:-1] != c_prev.shape[:-1]:
            raise ShapeError(f"LSTMStep: gates {gates.shape} must be (batch, 4 * H) "
                             f"for a cell state of shape {c_prev.shape}")
        sig = np.tanh(gates[:, :3 * H] * 0.5) * 0.5 + 0.5   # stable sigmoid
        f, i, o = sig[:, :H], sig[:, H:2 * H], sig[:, 2 * H:]
        g = np.tanh(gates[:, 3 * H:])
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        self.saved = (sig, g, tanh_c, c_prev)
        return h, c

    def backward_arrays(self, dh, dc):
        sig, g, tanh_c, c_prev = self.saved
        H = c_prev.shape[-1]
        f, i, o = sig[:, :H], sig[:, H:2 * H], sig[:, 2 * H:]
        ds = np.zeros_like(c_prev) if dc is None else dc.copy()
        if dh is not None:
            ds += dh * o * (1 - tanh_c * tanh_c)
        dgates = np.empty(c_prev.shape[:-1] + (4 * H,), dtype=sig.dtype)
        dgates[:, :H] = ds * c_prev
        dgates[:, H:2 * H] = ds * g
        dgates[:, 2 * H:3 * H] = 0 if dh is None else dh * tanh_c
        dgates[:, :3 * H] *= sig * (1 - sig)
        dgates[:, 3 * H:] = ds * i * (1 - g * g)
        return dgates, ds * f


def _torch_lstm_step(t, gates, c_prev):
    H = c_prev.shape[-1]
    f, i, o = (t.sigmoid(gates[:, k * H:(k + 1) * H]) for k in range(3))
    c = f * c_prev + i * t.tanh(gates[:, 3 * H:])
    return o * t.tanh(c), c


def _lstm_case(rng):
    return (rng.standard_normal((3, 8)), rng.standard_normal((3, 2))), {}


@register("lstm_step", {"batch3-hidden2": custom(_lstm_case)}, twice_differentiable=False,
          torch=_torch_lstm_step)
def lstm_step(gates, c_prev):
    """One LSTM step after the affine part: gates (batch, 4H) ordered
    [forget, input, output, candidate] and c_prev (batch, H) -> (h, c)."""
    return LSTMStep()(gates, c_prev)

"""autograd_nlp/workspace.py: buffers reused between steps, and the LSTM
layer that takes its saved activations from it."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import workspace


@pytest.fixture(autouse=True)
def empty_workspace():
    workspace.clear()
    yield
    workspace.clear()


def test_a_given_array_is_taken_again_and_views_are_not_kept():
    a = workspace.take((3, 4), np.float32)
    assert a.shape == (3, 4) and a.dtype == np.float32
    workspace.give(a, a[1:], None, [1, 2])            # the view and the others are ignored
    assert workspace.held_bytes() == a.nbytes
    assert workspace.take((3, 4), np.float32) is a
    assert workspace.take((3, 4), np.float32) is not a  # only one was given
    assert workspace.take((3, 4), np.float64).dtype == np.float64


def test_the_workspace_never_holds_more_than_its_limit(monkeypatch):
    monkeypatch.setattr(workspace, "LIMIT_BYTES", 1000)
    workspace.give(np.empty(100, np.float32))          # 400 bytes
    workspace.give(np.empty(100, np.float32))          # 800
    assert workspace.held_bytes() == 800
    workspace.give(np.empty(100, np.float32))          # over: the spares go first
    assert workspace.held_bytes() == 400
    workspace.give(np.empty(1000, np.float32))         # larger than the limit: not kept
    assert workspace.held_bytes() == 0


def _lstm_step(rng, B, T, D=3, H=4, state=True):
    xs = ag.Variable(rng.standard_normal((B, T, D)))
    Wx, Wh, b = (ag.Variable(rng.standard_normal(s)) for s in ((D, 4 * H), (H, 4 * H), (4 * H,)))
    extra = [ag.Variable(rng.standard_normal((B, H))) for _ in range(2)] if state else []
    hs, h, c = F.lstm_sequence(xs, Wx, Wh, b, *extra)
    (hs * hs).sum().backward()
    return [hs.data, h.data, c.data] + [v.grad.data for v in [xs, Wx, Wh, b] + extra]


@pytest.mark.parametrize("B,T", [(5, 6), (1, 6), (5, 1)], ids=["batch", "one-row", "one-step"])
def test_lstm_steps_with_reused_buffers_give_the_same_numbers(B, T):
    """The second and third steps run in buffers the first gave back; the
    numbers are those of a step with an empty workspace. With one row or one
    step the output is a view of the layer's buffer, which must then stay
    out of the workspace: the first step's output is checked after the
    later steps ran."""
    first = _lstm_step(np.random.default_rng(0), B, T)
    kept = [a.copy() for a in first]
    assert workspace.held_bytes() > 0
    for seed in (1, 0):
        again = _lstm_step(np.random.default_rng(seed), B, T)
    for a, b, c in zip(first, kept, again):
        np.testing.assert_array_equal(a, b)             # nothing wrote into the first step's
        np.testing.assert_array_equal(a, c)
    workspace.clear()
    for a, b in zip(_lstm_step(np.random.default_rng(0), B, T), kept):
        np.testing.assert_array_equal(a, b)

"""The fused LSTM ops beyond the registry's gradchecks: ``lstm_sequence``
gives the numbers of ``lstm_step`` run over every step (values and every
gradient), says what is wrong with bad shapes and refuses a second backward.
Its CUDA-kernel branch runs on the CPU-compiled kernels in
tests/backend/test_cuda_kernels_emulated.py."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.core import ShapeError


def _inputs(rng, batch=3, time=5, D=4, H=3, state=True):
    arrays = [rng.standard_normal(s) for s in ((batch, time, D), (D, 4 * H), (H, 4 * H),
                                               (4 * H,))]
    if state:
        arrays += [rng.standard_normal((batch, H)), rng.standard_normal((batch, H))]
    return [ag.Variable(a) for a in arrays]


def _unrolled(xs, Wx, Wh, b, h0=None, c0=None):
    """The reference: lstm_step over each time step."""
    proj = F.linear(xs, Wx, b)
    h, c = h0, c0
    if c is None:
        c = ag.Variable(np.zeros((xs.shape[0], Wh.shape[0])), requires_grad=False)
    hs = []
    for t in range(xs.shape[1]):
        h, c = F.lstm_step(proj[:, t], c, Wh) if h is None else \
            F.lstm_step(proj[:, t], c, Wh, h)
        hs.append(h)
    return F.stack(hs, axis=1), h, c


def _values_and_grads(fn, inputs, weights):
    for v in inputs:
        v.cleargrad()
    hs, h, c = fn(*inputs)
    loss = (hs * weights[0]).sum() + (h * weights[1]).sum() + (c * weights[2]).sum()
    loss.backward()
    return [hs.data, h.data, c.data] + [np.zeros_like(v.data) if v.grad is None
                                        else v.grad.data for v in inputs]


@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
@pytest.mark.parametrize("time", [1, 6])
def test_lstm_sequence_matches_lstm_step_over_each_time_step(state, time):
    rng = np.random.default_rng(time)
    inputs = _inputs(rng, time=time, state=state)
    weights = [rng.standard_normal(s) for s in ((3, time, 3), (3, 3), (3, 3))]
    fused = _values_and_grads(F.lstm_sequence, inputs, weights)
    unrolled = _values_and_grads(_unrolled, inputs, weights)
    for got, want in zip(fused, unrolled):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_lstm_sequence_only_final_state_used_and_empty_sequence():
    rng = np.random.default_rng(3)
    xs, Wx, Wh, b, h0, c0 = _inputs(rng)
    _, h, _ = F.lstm_sequence(xs, Wx, Wh, b, h0, c0)
    h.sum().backward()                      # hs and c unused: their gradients are None
    _, h_ref, _ = _unrolled(xs, Wx, Wh, b, h0, c0)
    grads = [v.grad.data.copy() for v in (xs, Wx, Wh, b, h0, c0)]
    for v in (xs, Wx, Wh, b, h0, c0):
        v.cleargrad()
    h_ref.sum().backward()
    for got, v in zip(grads, (xs, Wx, Wh, b, h0, c0)):
        np.testing.assert_allclose(got, v.grad.data, rtol=1e-10, atol=1e-12)
    hs, h, c = F.lstm_sequence(xs[:, :0], Wx, Wh, b, h0, c0)
    assert hs.shape == (3, 0, 3)
    np.testing.assert_array_equal(h.data, h0.data)
    np.testing.assert_array_equal(c.data, c0.data)


def test_lstm_sequence_errors_name_the_op_and_shapes():
    rng = np.random.default_rng(4)
    xs, Wx, Wh, b, h0, c0 = _inputs(rng)
    with pytest.raises(ShapeError, match=r"LSTMSequence: xs \(3, 5, 4\).*Wx \(5, 12\)"):
        F.lstm_sequence(xs, ag.Variable(rng.standard_normal((5, 12))), Wh, b)
    with pytest.raises(ShapeError, match=r"h0 and c0.*\(3, 3\)"):
        F.lstm_sequence(xs, Wx, Wh, b, h0[:2], c0[:2])
    with pytest.raises(ShapeError, match="both h0 and c0"):
        F.lstm_sequence(xs, Wx, Wh, b, h0)
    _, h, _ = F.lstm_sequence(xs, Wx, Wh, b)
    h.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        h.creator.backward_arrays(None, np.ones((3, 3)), None)


def test_lstm_sequence_is_first_order_only():
    rng = np.random.default_rng(5)
    xs, Wx, Wh, b, h0, c0 = _inputs(rng)
    _, h, _ = F.lstm_sequence(xs, Wx, Wh, b, h0, c0)
    with pytest.raises(NotImplementedError, match="LSTMSequence.*not twice differentiable"):
        h.sum().backward(create_graph=True)


PATHS = ["numpy"] + (["numba"] if ag.jit.available() else [])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
def test_lstm_sequence_with_lengths_is_each_row_read_alone(path, state):
    """lengths: row i reads its first lengths[i] steps, its hs are 0 after
    them, its final state is the one after its last step; its gradients are
    those of the row run alone on those steps (the weights': their sum)."""
    rng = np.random.default_rng(6)
    lengths = np.array([5, 2, 0, 3, 5, 1])
    inputs = _inputs(rng, batch=6, state=state)
    weights = [rng.standard_normal(s) for s in ((6, 5, 3), (6, 3), (6, 3))]
    with ag.jit.enabled_as(path == "numba"):
        got = _values_and_grads(lambda *a: F.lstm_sequence(*a, lengths=lengths), inputs,
                                weights)
    hs, h, c, dxs, dWx, dWh, db = got[:7]
    sums = [np.zeros_like(g) for g in (dWx, dWh, db)]
    for i, n in enumerate(lengths):
        row = [ag.Variable(inputs[0].data[i:i + 1, :n])] + inputs[1:4] + \
            [ag.Variable(v.data[i:i + 1]) for v in inputs[4:]]
        alone = _values_and_grads(F.lstm_sequence, row,
                                  [weights[0][i:i + 1, :n], weights[1][i:i + 1],
                                   weights[2][i:i + 1]])
        np.testing.assert_allclose(hs[i, :n], alone[0][0], rtol=1e-10, atol=1e-12)
        assert (hs[i, n:] == 0).all()
        np.testing.assert_allclose(h[i], alone[1][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(c[i], alone[2][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dxs[i, :n], alone[3][0], rtol=1e-10, atol=1e-12)
        assert (dxs[i, n:] == 0).all()
        for k in range(3):
            sums[k] += alone[4 + k]
        if state:                   # a row that reads nothing hands its gradient back
            np.testing.assert_allclose(got[7][i], alone[7][0], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(got[8][i], alone[8][0], rtol=1e-10, atol=1e-12)
    for got_sum, want in zip((dWx, dWh, db), sums):
        np.testing.assert_allclose(got_sum, want, rtol=1e-10, atol=1e-12)


def test_lstm_sequence_refuses_lengths_that_do_not_fit():
    xs, Wx, Wh, b = _inputs(np.random.default_rng(7), state=False)
    for bad in (np.array([1, 2]), np.array([1, 2, 6]), np.array([1.0, 2.0, 3.0]),
                np.array([-1, 2, 3])):
        with pytest.raises(ShapeError, match=r"LSTMSequence: lengths must be \(batch,\) = "
                                             r"\(3,\) integers in 0..5"):
            F.lstm_sequence(xs, Wx, Wh, b, lengths=bad)

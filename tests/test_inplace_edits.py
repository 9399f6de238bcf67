"""In-place edits of arrays a graph saved: backward raises, naming the op and
the Variable, before it computes a gradient from the changed values.

Edits through the library's own paths (optimizer steps, load_state_dict,
``ag.bump_version``) always raise; raw ``.data`` edits raise under
``detect_anomaly``. Training loops that update after backward, truncated
BPTT and ``no_grad`` keep working.
"""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import optim
from autograd_nlp.functions.registry import all_ops
from autograd_nlp.layers import LSTM, Linear, Module

CASES = [(name, label) for name, spec in sorted(all_ops().items())
         for label in spec.cases]
IDS = [f"{n}[{c}]" for n, c in CASES]


def _forward(name, label, anomaly=False):
    """The op on its first registry case: (the float input Variables, a scalar
    output of the graph). Inputs are named input0, input1..."""
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(0))
    xs, floats = [], []
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            a = ag.Variable(a, name=f"input{len(floats)}")
            floats.append(a)
        xs.append(a)
    with ag.using_config("detect_anomaly", anomaly):
        ys = spec(*xs, **kwargs)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        total = sum((y * np.float64(0.5)).sum() for y in ys)
    return floats, total


def _ops_keeping(x, total):
    """Class names of the Functions of the graph that hold ``x`` as an input."""
    return {type(f).__name__ for f in ag.walk_graph([total])
            if any(i is x for i in f.inputs)}


def _assert_raises_naming_op_and_variable(x, floats, total, anomaly=False):
    with pytest.raises(RuntimeError, match="modified in place") as info:
        with ag.using_config("detect_anomaly", anomaly):
            total.backward()
    message = str(info.value)
    assert f"'{x.name}' of shape {x.shape}" in message
    assert any(op in message for op in _ops_keeping(x, total)), message
    assert "backward() before" in message                     # what to do
    assert all(v.grad is None for v in floats)                 # raised before any gradient


@pytest.mark.parametrize("name,label", CASES, ids=IDS)
def test_an_announced_edit_of_a_saved_input_raises(name, label):
    """What an optimizer step does: change the array in place, bump the version."""
    floats, total = _forward(name, label)
    x = floats[0]
    x.data *= 1.5
    ag.bump_version(x)
    _assert_raises_naming_op_and_variable(x, floats, total)


@pytest.mark.parametrize("name,label", CASES, ids=IDS)
def test_a_raw_edit_of_a_saved_input_raises_under_detect_anomaly(name, label):
    floats, total = _forward(name, label, anomaly=True)
    x = floats[-1]
    x.data *= 1.5                                   # no bump_version: a raw .data edit
    _assert_raises_naming_op_and_variable(x, floats, total, anomaly=True)


@pytest.mark.parametrize("name,label", CASES, ids=IDS)
def test_without_an_edit_nothing_is_reported(name, label):
    """No false alarm, also from ops that overwrite buffers of their own in
    backward (the fused LSTM ops)."""
    floats, total = _forward(name, label, anomaly=True)
    with ag.detect_anomaly():
        total.backward()
    assert any(v.grad is not None for v in floats)


def test_an_optimizer_step_between_forward_and_backward_raises():
    W = ag.Parameter(np.ones((3, 2)), name="W")
    opt = optim.SGD([W], lr=0.1)
    x = np.ones((4, 3), np.float32)
    (x @ W).sum().backward()
    loss = F.tanh(x @ W).sum()                 # recorded with W as it is now
    opt.update()                               # W changes in place (its gradient is old)
    W.cleargrad()
    with pytest.raises(RuntimeError, match=r"MatMul saved its input 1, Parameter 'W' of "
                                           r"shape \(3, 2\).*optimizer step"):
        loss.backward()
    assert W.grad is None


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.Momentum(ps, lr=0.1),
    lambda ps: optim.AdaGrad(ps, lr=0.1), lambda ps: optim.RMSprop(ps, lr=0.1),
    lambda ps: optim.Adam(ps, lr=0.1), lambda ps: optim.AdamW(ps, lr=0.1)],
    ids=["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"])
def test_every_optimizer_bumps_the_versions_of_what_it_updates(make):
    W, unused = ag.Parameter(np.ones((2, 2)), name="W"), ag.Parameter(np.ones(2), name="b")
    opt = make([W, unused])
    (W * W).sum().backward()
    before = W.version, unused.version
    opt.update()
    assert W.version > before[0] and unused.version == before[1]   # b had no gradient


def test_load_state_dict_between_forward_and_backward_raises(tmp_path):
    model = Linear(3, 2)
    model.save(tmp_path / "params.npz")
    loss = model(np.ones((4, 3), np.float32)).sum()
    model.load(tmp_path / "params.npz")        # the same values, but new arrays
    with pytest.raises(RuntimeError, match=r"Linear saved its input 1, Parameter 'W'"):
        loss.backward()
    loss = model(np.ones((4, 3), np.float32)).sum()
    loss.backward()                            # recorded after the load: fine
    assert model.W.grad is not None


def test_normal_training_loops_keep_working():
    rng = np.random.default_rng(0)
    model = Linear(3, 1)
    opt = optim.Adam(list(model.params()), lr=0.05)
    x, t = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    losses = []
    for _ in range(30):                        # forward, backward, update, again
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]


def test_truncated_bptt_with_unchain_keeps_working_and_forgetting_it_raises():
    lstm, out = LSTM(4, 8, stateful=True), Linear(8, 1)
    params = list(lstm.params()) + list(out.params())
    opt = optim.SGD(params, lr=0.1)
    chunks = np.random.default_rng(1).standard_normal((3, 2, 5, 4)).astype(np.float32)
    for xs in chunks:                          # the book's loop: the state is carried
        loss = out(lstm(xs)).sum()
        for p in params:
            p.cleargrad()
        loss.backward()
        opt.update()
        lstm.unchain()
    loss = out(lstm(chunks[0])).sum()
    loss.backward()
    opt.update()                               # and no unchain: the next backward would
    loss = out(lstm(chunks[1])).sum()          # reach the previous chunk's graph, made
    with pytest.raises(RuntimeError, match="LSTMSequence saved its input 1, Parameter"):
        loss.backward()                        # with the weights before this update


def test_no_grad_records_nothing_to_check():
    W = ag.Parameter(np.ones((2, 2)), name="W")
    with ag.no_grad():
        y = (W * 2).sum()
    ag.bump_version(W)
    assert y.creator is None
    with ag.detect_anomaly(), ag.no_grad():
        W.data -= 1                            # nothing recorded, nothing to report
        (W * 2).sum()


def test_a_graph_older_than_an_unrelated_edit_still_backwards():
    a, b = ag.Parameter(np.ones(2), name="a"), ag.Parameter(np.ones(2), name="b")
    loss_a = (a * a).sum()
    ag.bump_version(b)                         # e.g. another model's optimizer step
    loss_a.backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0])


def test_an_edit_seen_only_through_a_view_raises_before_any_gradient():
    """W.T is a view of W's array: the op that keeps the view runs first in
    the backward walk, so the whole graph is checked before it."""
    W = ag.Parameter(np.ones((2, 3)), name="W")
    h = ag.Variable(np.ones((4, 3)), name="h")
    loss = F.tanh(h @ W.T).sum()
    W.data -= 5
    ag.bump_version(W)
    with pytest.raises(RuntimeError, match="Transpose saved its input 0, Parameter 'W'"):
        loss.backward()
    assert h.grad is None and W.grad is None


def test_raw_edits_under_detect_anomaly_name_how_the_array_changed():
    W = ag.Parameter(np.ones((3, 2)), name="W")
    x = ag.Variable(np.ones((4, 3)), name="x")
    with ag.detect_anomaly():
        loss = F.tanh(x @ W).sum()
        W.data[0, 0] = 2.0                     # one element, no version bump
        with pytest.raises(RuntimeError, match="MatMul saved its input 1, Parameter 'W'"
                                               ".*written into.*detect_anomaly"):
            loss.backward()
        loss = F.tanh(x @ W).sum()
        W.data = W.data - 1                    # a new array in .data
        with pytest.raises(RuntimeError, match="got a new array in its .data"):
            loss.backward()
        h = F.tanh(x @ W)
        loss = h.sum()
        h.data[0] = 0.0                        # an op's output, which Tanh keeps
        with pytest.raises(RuntimeError, match="an unnamed Variable of shape \\(4, 2\\)"):
            loss.backward()


def test_reordering_book_gates_bumps_the_lstm_weights():
    lstm = LSTM(2, 3)
    loss = lstm(np.ones((1, 2, 2), np.float32)).sum()
    lstm.cell.reorder_gates_from_book()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


class _Tied(Module):
    def __init__(self):
        super().__init__()
        self.W = ag.Parameter(np.ones((3, 2)), name="W")

    def forward(self, x):
        return x @ self.W


def test_astype_bumps_the_versions():
    model = _Tied()
    loss = model(np.ones((1, 3), np.float32)).sum()
    model.astype(np.float64)
    with pytest.raises(RuntimeError, match="Parameter 'W'"):
        loss.backward()

"""``Variable.backward(leaf_done=...)``: the engine says when a leaf's
gradient is final (what the overlapped all-reduce of distributed training
starts buckets on). It fires once per leaf of the graph, after the leaf's
last contribution, with the final gradient, while the walk still goes on."""
import numpy as np

import autograd_nlp as ag
from autograd_nlp.core import Function, Variable


def _two_layers():
    rng = np.random.default_rng(0)
    w1 = ag.Parameter(rng.normal(size=(3, 4)), name="w1", dtype=np.float64)
    w2 = ag.Parameter(rng.normal(size=(4, 2)), name="w2", dtype=np.float64)
    b = ag.Parameter(np.zeros(4), name="b", dtype=np.float64)
    x = Variable(rng.normal(size=(5, 3)), requires_grad=False)
    h = ag.functions.tanh(x @ w1 + b)
    # w1 is used again late in the graph (a tied weight): its gradient is final last
    loss = ((h @ w2) ** 2).sum() + (w1 * w1).sum() + (h * b).sum()
    return loss, (w1, w2, b)


def test_fires_once_per_leaf_after_its_last_contribution_with_the_final_gradient():
    loss, params = _two_layers()
    seen = []
    loss.backward(leaf_done=lambda leaf: seen.append(
        (leaf, None if leaf.grad is None else leaf.grad.data.copy(),
         [p.grad is not None for p in params])))
    assert sorted(id(v) for v, _, _ in seen) == sorted(id(p) for p in params)
    for leaf, grad_then, _ in seen:
        np.testing.assert_array_equal(grad_then, leaf.grad.data)     # nothing added after
    plain_loss, plain_params = _two_layers()           # the same graph, no hook
    plain_loss.backward()
    for p, q in zip(params, plain_params):
        np.testing.assert_allclose(p.grad.data, q.grad.data)


def test_fires_while_the_walk_goes_on():
    """w2 (used last in forward) is final before the walk reaches w1."""
    loss, (w1, w2, b) = _two_layers()
    state_when = {}
    loss.backward(leaf_done=lambda leaf: state_when.setdefault(leaf.name, w1.grad is None))
    assert state_when["w2"] is True                   # w1 had no gradient yet
    assert list(state_when)[-1] in ("w1", "b")


class _FirstOnly(Function):
    """x, y -> x + y whose backward gives y no gradient."""

    def forward(self, x, y):
        return x + y

    def backward(self, gy):
        return gy, None


def test_fires_for_a_leaf_that_no_gradient_reached():
    x = ag.Parameter(np.ones(3), dtype=np.float64)
    y = ag.Parameter(np.ones(3), dtype=np.float64)
    done = []
    _FirstOnly()(x, y).sum().backward(leaf_done=done.append)
    assert sorted(map(id, done)) == sorted([id(x), id(y)])
    assert y.grad is None and x.grad is not None


def test_a_leaf_used_twice_by_one_function_fires_once():
    x = ag.Parameter(np.arange(3.0), dtype=np.float64)
    done = []
    (x * x).sum().backward(leaf_done=done.append)
    assert done == [x]
    np.testing.assert_allclose(x.grad.data, 2 * np.arange(3.0))


def test_without_a_hook_nothing_changes():
    loss, params = _two_layers()
    loss.backward()
    assert all(p.grad is not None for p in params)

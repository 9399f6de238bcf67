"""Module: registration, shared parameters, modes, save/load."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.layers import Dropout, Embedding, Linear, Module, ModuleList, Sequential


class TwoLayer(Module):
    def __init__(self):
        super().__init__()
        self.embed = Embedding(10, 4)
        self.hidden = Linear(4, 8)
        self.out = Linear(8, 10)
        self.drop = Dropout(0.5)

    def forward(self, ids):
        return self.out(self.drop(self.hidden(self.embed(ids))))


def test_parameters_are_registered_with_dotted_names():
    model = TwoLayer()
    names = [n for n, _ in model.named_params()]
    assert names == ["embed.W", "hidden.W", "hidden.b", "out.W", "out.b"]
    assert all(p.dtype == np.float32 for p in model.params())
    assert model.num_params() == 10 * 4 + 4 * 8 + 8 + 8 * 10 + 10


def test_a_shared_parameter_is_counted_once_and_gets_both_gradients():
    model = TwoLayer()
    model.tied = Linear(4, 10)
    model.tied.W = model.embed.W            # one Parameter object, two owners
    assert len(list(model.params())) == 6   # tied.W is not counted again
    W, ids = model.embed.W, np.array([1, 2, 3, 2])
    F = ag.functions

    def grad_of(loss):
        W.cleargrad()
        loss.backward()
        return W.grad.data.copy()

    both = grad_of(F.linear(F.embedding(W, ids), W.T).sum())
    lookup_only = grad_of(F.linear(F.embedding(W, ids), W.T.detach()).sum())
    projection_only = grad_of(F.linear(F.embedding(W, ids).detach(), W.T).sum())
    np.testing.assert_allclose(both, lookup_only + projection_only, rtol=1e-5)
    assert np.abs(lookup_only).sum() > 0 and np.abs(projection_only).sum() > 0


def test_train_and_eval_switch_dropout():
    model = TwoLayer()
    ids = np.arange(10)
    model.eval()
    a, b = model(ids).data, model(ids).data
    np.testing.assert_array_equal(a, b)
    model.train()
    assert not np.array_equal(model(ids).data, model(ids).data)
    with ag.eval_mode():
        np.testing.assert_array_equal(model(ids).data, a)


def test_save_and_load_round_trip(tmp_path):
    model = TwoLayer()
    path = tmp_path / "model.npz"
    model.save(path)
    other = TwoLayer().load(path)
    for (n1, p1), (n2, p2) in zip(model.named_params(), other.named_params()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.data, p2.data)
    assert not list(tmp_path.glob(".tmp-*")), "temporary file left behind"


def test_load_names_the_parameter_and_both_shapes(tmp_path):
    path = tmp_path / "model.npz"
    TwoLayer().save(path)
    other = TwoLayer()
    other.hidden = Linear(4, 6)
    other.out = Linear(6, 10)
    with pytest.raises(ValueError, match=r"hidden\.W.*\(4, 6\).*\(4, 8\)"):
        other.load(path)


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"embed.W": np.array([object()], dtype=object)})
    with pytest.raises(ValueError):
        TwoLayer().load(path)


def test_module_list_and_sequential():
    seq = Sequential(Linear(3, 4), Linear(4, 2))
    assert seq(np.ones((5, 3), dtype=np.float32)).shape == (5, 2)
    assert [n for n, _ in seq.named_params()] == ["0.W", "0.b", "1.W", "1.b"]
    layers = ModuleList([Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and isinstance(layers[2], Linear)


def test_astype_for_float64_gradcheck():
    layer = Linear(3, 2).astype(np.float64)
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert layer.W.dtype == np.float64

    def f(W, b):
        layer.W.data, layer.b.data = W.data, b.data
        return ag.functions.linear(x, W, b)
    assert ag.gradcheck(f, layer.W.data, layer.b.data)


def test_params_follow_every_change_of_the_module_tree():
    """params() is cached between calls, and the cache follows added,
    replaced and deleted Parameters and sub-modules at any depth."""
    from autograd_nlp.core import Parameter
    from autograd_nlp.layers import Linear, Module

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.a = Linear(2, 3)
            self.b = Linear(3, 1)

    net = Net()
    assert len(list(net.params())) == 4
    assert list(net.params()) == list(net.params())
    net.b.extra = Parameter(np.zeros(2))                  # deeper: still seen
    assert len(list(net.params())) == 5
    old = net.a.W
    net.a.W = Parameter(np.zeros((2, 3)))                  # replaced
    assert old not in list(net.params()) and net.a.W in list(net.params())
    del net.b.extra
    assert len(list(net.params())) == 4
    net.b = None                                           # a sub-module removed
    assert len(list(net.params())) == 2
    net.c = net.a                                          # shared: still once
    assert len(list(net.params())) == 2

"""autograd_nlp.backend on the CPU and the fake device: array modules, moves,
the mixed-device error, Module.to with optimizer state, checkpoints."""
import numpy as np
import pytest
from fake_device import FakeArray, FakeDeviceError, fake_xp

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import backend, optim
from autograd_nlp import random as ag_random
from autograd_nlp.backend import DeviceError, device_of, get_array_module, to_device
from autograd_nlp.layers import LSTM, Linear, Module


def test_numpy_arrays_scalars_and_variables_are_on_the_cpu():
    x = np.ones(3)
    assert get_array_module(x, 2.0, np.float32(1)) is np
    assert get_array_module(ag.Variable(x)) is np
    assert device_of(x) == device_of(3) == device_of(ag.Variable(x)) == "cpu"
    assert to_device(x, "cpu") is x


def test_unknown_device_is_named_in_the_error():
    with pytest.raises(DeviceError, match="unknown device 'tpu'"):
        to_device(np.ones(2), "tpu")


def test_cuda_without_cupy_says_what_to_install():
    if backend.cupy_available():
        pytest.skip("CuPy and a GPU are present")
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(DeviceError, match="CuPy"):
            to_device(np.ones(2), "cuda")


def test_fake_arrays_round_trip(fake):
    x = np.arange(6.0).reshape(2, 3)
    y = to_device(x, "fake")
    assert type(y) is FakeArray and get_array_module(y) is fake_xp
    assert device_of(y) == "fake" and device_of(ag.Variable(y)) == "fake"
    back = to_device(y, "cpu")
    assert type(back) is np.ndarray and np.array_equal(back, x)


def test_the_fake_device_refuses_numpy_arrays(fake):
    """The property every other fake-device test relies on."""
    y = to_device(np.ones(3), "fake")
    with pytest.raises(FakeDeviceError):
        y + np.ones(3)
    with pytest.raises(FakeDeviceError):
        np.zeros(3) * y
    with pytest.raises(TypeError):
        np.asarray(y)
    with pytest.raises(FakeDeviceError):
        np.add.at(y, [0], 1.0)


def test_mixed_devices_in_one_op_name_both(fake):
    a = ag.Variable(to_device(np.ones((2, 3)), "fake"))
    b = ag.Variable(np.ones((2, 3)))
    with pytest.raises(DeviceError) as info:
        a + b
    message = str(info.value)
    assert "Add" in message and "cpu" in message and "fake" in message
    assert "(2, 3)" in message and ".to(" in message
    with pytest.raises(DeviceError, match="MatMul.*cpu and fake"):
        F.matmul(b, a.T)


def test_python_numbers_join_device_arrays(fake):
    a = ag.Variable(to_device(np.full((2, 2), 3.0, np.float32), "fake"))
    y = (a * 2.0 + 1) / 7
    assert type(y.data) is FakeArray and y.dtype == np.float32
    np.testing.assert_allclose(to_device(y.data, "cpu"), np.ones((2, 2)))


def test_a_cpu_constant_that_requires_grad_does_not_join(fake):
    a = ag.Variable(to_device(np.ones(3), "fake"))
    with pytest.raises(DeviceError):
        a * ag.Variable(np.array(2.0))


def test_variable_to_copies_to_the_device_and_back(fake):
    v = ag.Variable(np.arange(3.0), name="v")
    w = v.to("fake")
    assert type(w.data) is FakeArray and w.name == "v" and w.requires_grad
    assert v.to("cpu") is v and w.to("fake") is w
    assert np.array_equal(w.to("cpu").data, v.data)


class _Tiny(Module):
    def __init__(self):
        super().__init__()
        self.embed_lstm = LSTM(3, 4, stateful=True)
        self.out = Linear(4, 2)

    def forward(self, xs):
        return self.out(self.embed_lstm(xs))


def _loss(model, xs):
    return (model(xs) ** 2).sum()


@pytest.mark.parametrize("make_optimizer", [
    lambda ps: optim.Adam(ps, lr=0.01), lambda ps: optim.Momentum(ps, lr=0.1),
    lambda ps: optim.AdaGrad(ps), lambda ps: optim.RMSprop(ps),
    lambda ps: optim.SGD(ps, weight_decay=0.1)])
def test_module_to_moves_params_state_and_optimizer_slots(fake, make_optimizer):
    """Two steps on the CPU, then two on the fake device, equal to four CPU steps."""
    xs = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)

    def run(move_after):
        ag_random.seed(0)
        model = _Tiny()
        opt = make_optimizer(model.params())
        for k in range(4):
            if k == move_after:
                model.to("fake")
                assert model.device == "fake"
                assert all(type(p.data) is FakeArray for p in model.params())
                assert all(type(v.data) is FakeArray for v in model.embed_lstm.state)
            model.cleargrads()
            _loss(model, xs).backward()
            optim.clip_grads(model.params(), 1.0)
            opt.update()
            model.embed_lstm.unchain()
        return model, opt

    moved, opt = run(move_after=2)
    for slots in opt.slots:
        assert all(type(s) is FakeArray for s in slots.values())
    reference, _ = run(move_after=None)
    for p, q in zip(moved.params(), reference.params()):
        np.testing.assert_allclose(to_device(p.data, "cpu"), q.data, rtol=1e-5, atol=1e-7)
    moved.cpu()
    assert moved.device == "cpu" and all(type(p.data) is np.ndarray for p in moved.params())


def test_checkpoints_are_numpy_and_load_on_either_device(fake, tmp_path):
    from autograd_nlp.training.checkpoint import load_checkpoint, restore, save_checkpoint
    ag_random.seed(1)
    model = _Tiny().to("fake")
    opt = optim.Adam(model.params())
    model.cleargrads()
    _loss(model, np.ones((2, 5, 3), np.float32)).backward()
    opt.update()
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, model, opt)
    with np.load(path, allow_pickle=False) as f:
        assert all(type(f[k]) is np.ndarray for k in f.files)
    for device in ("cpu", "fake"):
        other = _Tiny().to(device)
        other_opt = optim.Adam(other.params())
        restore(load_checkpoint(path), other, other_opt)
        for p, q in zip(other.params(), model.params()):
            assert device_of(p.data) == device
            np.testing.assert_array_equal(to_device(p.data, "cpu"), to_device(q.data, "cpu"))
        assert all(device_of(v.data) == device for v in other.embed_lstm.state)
        other.cleargrads()
        _loss(other, np.ones((2, 5, 3), np.float32)).backward()
        other_opt.update()          # the restored slots are on the parameters' device


def test_device_draws_are_seeded_and_reproducible(fake):
    x = ag.Variable(to_device(np.ones((50, 40), np.float32), "fake"))
    ag_random.seed(7)
    a = F.dropout(x, 0.5)
    ag_random.seed(7)
    b = F.dropout(x, 0.5)
    assert type(a.data) is FakeArray
    np.testing.assert_array_equal(to_device(a.data, "cpu"), to_device(b.data, "cpu"))
    kept = float((to_device(a.data, "cpu") > 0).mean())
    assert 0.4 < kept < 0.6


def test_negative_samples_are_drawn_on_the_targets_device(fake):
    from autograd_nlp.text.sampler import UnigramSampler
    sampler = UnigramSampler(np.array([0, 1, 2, 3, 3, 3, 2, 1, 0, 4]), sample_size=3)
    targets = np.array([0, 3, 4, 1])
    ag_random.seed(3)
    on_cpu = sampler.get_negative_sample(targets)
    ag_random.seed(3)
    on_fake = sampler.get_negative_sample(to_device(targets, "fake"))
    ag_random.seed(3)
    first_draw = sampler.sample((4, 3))
    assert type(on_fake) is FakeArray
    on_fake = to_device(on_fake, "cpu")
    # the same first draw; clashes with the target are drawn again (on a
    # device by redrawing every slot and keeping the new id where they clash)
    kept = first_draw != targets[:, None]
    assert kept.sum() < kept.size                  # this seed has a clash to redraw
    np.testing.assert_array_equal(on_fake[kept], first_draw[kept])
    np.testing.assert_array_equal(on_cpu[kept], first_draw[kept])
    assert not (on_cpu == targets[:, None]).any() and not (on_fake == targets[:, None]).any()
    assert on_fake.min() >= 0 and on_fake.max() < 5


def test_get_array_module_answers_numpy_arrays_without_the_device_registry(fake, monkeypatch):
    """The CPU path is one type check per argument: plain ndarrays never reach
    the device lookup (its speed is benchmarks/engine_overhead.py's business);
    anything else does, and a device array among them wins."""
    def no_lookup(arrays):
        raise AssertionError(f"device lookup for {[type(a).__name__ for a in arrays]}")
    x = np.ones(3)
    with monkeypatch.context() as patch:
        patch.setattr(backend, "_module_of", no_lookup)
        assert get_array_module(x, x) is np and get_array_module() is np
    assert get_array_module(x, to_device(x, "fake")) is fake_xp
    assert get_array_module(x, 2.0, ag.Variable(x)) is np


def test_graph_pictures_and_stats_work_on_the_fake_device(fake):
    x = ag.Variable(to_device(np.ones((2, 3), np.float32), "fake"), name="x")
    y = (F.tanh(x) * 2.0).sum()
    dot = ag.to_dot(y).source
    assert "x" in dot and "2" in dot
    assert ag.graph_stats(y)["functions"] == 3

"""Every registered op, forward and backward, on the fake device: outputs and
gradients stay FakeArrays (no path fell back to NumPy), and gradcheck /
gradgradcheck pass there as on the CPU (tests/functions/test_registry.py)."""
import warnings

import numpy as np
import pytest
from fake_device import FakeArray, FakeDeviceError

import autograd_nlp as ag
from autograd_nlp.backend import to_device
from autograd_nlp.functions.registry import all_ops, zero_size_cases

CASES = [(name, label) for name, spec in sorted(all_ops().items())
         for label in spec.cases]
IDS = [f"{n}[{c}]" for n, c in CASES]


def _to_fake(x):
    """Arrays (also inside index tuples) moved to the fake device."""
    if isinstance(x, np.ndarray):
        return to_device(x, "fake")
    if isinstance(x, tuple):
        return tuple(_to_fake(i) for i in x)
    return x


def _fake_case(name, label, seed=0):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(seed))
    return spec, [_to_fake(a) for a in args], {k: _to_fake(v) for k, v in kwargs.items()}


@pytest.mark.parametrize("name,label", CASES, ids=IDS)
def test_op_stays_on_the_fake_device_and_gradchecks(fake, name, label):
    spec, args, kwargs = _fake_case(name, label)
    variables = [ag.Variable(a.astype(np.float64))
                 if isinstance(a, FakeArray) and a.dtype.kind == "f" else a
                 for a in args]
    outputs = spec(*variables, **kwargs)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    assert all(type(y.data) is FakeArray for y in outputs), name
    total = sum((y * y).sum() for y in outputs)
    total.backward()
    for v in variables:
        if isinstance(v, ag.Variable) and v.grad is not None:
            assert type(v.grad.data) is FakeArray, f"{name}: gradient left the device"
    assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance)


TWICE = [(c, i) for c, i in zip(CASES, IDS) if all_ops()[c[0]].twice_differentiable]


@pytest.mark.parametrize("name,label", [c for c, _ in TWICE], ids=[i for _, i in TWICE])
def test_op_gradgradchecks_on_the_fake_device(fake, name, label):
    spec, args, kwargs = _fake_case(name, label)
    assert ag.gradgradcheck(lambda *xs: spec(*xs, **kwargs), *args)


ZERO = [(name, label) for name, spec in sorted(all_ops().items())
        for label in zero_size_cases(spec)]


def _forward_backward(spec, args, kwargs):
    xs = [ag.Variable(a) if getattr(a, "dtype", None) is not None and a.dtype.kind == "f"
          else a for a in args]
    ys = spec(*xs, **kwargs)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    total = sum((y * y).sum() for y in ys)
    if total.requires_grad:
        total.backward()
    grads = [x.grad.data for x in xs if isinstance(x, ag.Variable) and x.grad is not None]
    return [y.data for y in ys], grads


@pytest.mark.parametrize("name,label", ZERO, ids=[f"{n}[{c}]" for n, c in ZERO])
def test_zero_size_inputs_behave_on_the_fake_device_as_on_the_cpu(fake, name, label):
    spec = all_ops()[name]
    args, kwargs = zero_size_cases(spec)[label](np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            want = _forward_backward(spec, args, kwargs)
        except Exception as e:   # noqa: BLE001 - the device must fail the same way
            with pytest.raises(type(e)) as info:
                _forward_backward(spec, [_to_fake(a) for a in args],
                                  {k: _to_fake(v) for k, v in kwargs.items()})
            assert not isinstance(info.value, FakeDeviceError) and str(info.value) == str(e)
            return
        got = _forward_backward(spec, [_to_fake(a) for a in args],
                                {k: _to_fake(v) for k, v in kwargs.items()})
    for g, w in zip(got[0] + got[1], want[0] + want[1]):
        assert type(g) is FakeArray
        np.testing.assert_array_equal(to_device(g, "cpu"), w)

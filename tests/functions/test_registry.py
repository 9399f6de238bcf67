"""ONE parametrized test over every registered op: gradcheck in float64 for
every input case (broadcast cases included), and gradgradcheck for the ops
that declare themselves twice differentiable. A new op cannot ship unchecked."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.functions.registry import all_ops

CASES = [(name, label) for name, spec in sorted(all_ops().items())
         for label in spec.cases]


def _make(name, label, seed=0):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(seed))
    return spec, args, kwargs


@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_gradcheck(name, label):
    spec, args, kwargs = _make(name, label)
    assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance)


@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_gradgradcheck(name, label):
    spec, args, kwargs = _make(name, label)
    if not spec.twice_differentiable:
        with pytest.raises(NotImplementedError, match="not twice differentiable"):
            ag.gradgradcheck(lambda *xs: spec(*xs, **kwargs), *args)
        return
    assert ag.gradgradcheck(lambda *xs: spec(*xs, **kwargs), *args)


def test_every_op_has_cases_and_a_torch_reference_or_a_reason():
    for name, spec in all_ops().items():
        assert spec.cases, f"{name} has no input cases"
        assert spec.torch is not None or spec.torch_skip, \
            f"{name} has neither a torch reference nor a reason for lacking one"


def _public_callables():
    import inspect

    import autograd_nlp.functions as F
    return {name for name, value in vars(F).items()
            if not name.startswith("_") and callable(value) and not inspect.ismodule(value)}


def test_every_public_op_is_registered_or_a_listed_composition():
    from autograd_nlp.functions.registry import COMPOSITIONS, NOT_OPS
    ops = all_ops()
    exported = _public_callables()
    unchecked = exported - set(ops) - set(COMPOSITIONS) - set(NOT_OPS)
    assert not unchecked, (f"{sorted(unchecked)} are exported by autograd_nlp.functions but "
                           f"neither registered nor listed in registry.COMPOSITIONS")
    import autograd_nlp.functions as F
    for name, spec in ops.items():   # registered under the name it is exported as
        assert getattr(F, name, None) is spec.fn, f"registry entry {name!r} is not F.{name}"
    stale = (set(COMPOSITIONS) | set(NOT_OPS)) - exported
    assert not stale, f"{sorted(stale)} are listed in the registry module but not exported"

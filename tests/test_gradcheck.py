"""gradgradcheck treats the upstream gradient as an input: a backward that
gets its upstream-gradient term wrong is caught (it was not while the
upstream gradient was held constant)."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.functions.activation import SigmoidGrad
from autograd_nlp.functions.loss import SoftmaxCrossEntropyGrad
from autograd_nlp.functions.math import TanhGrad
from autograd_nlp.functions.nn import EmbeddingGrad
from autograd_nlp.functions.registry import all_ops
from autograd_nlp.functions.shape import GetItemGrad

# (op, case label, the *Grad Function inside its backward, index of that
# Function's input that is the upstream gradient gy)
PLANTED = [
    ("sigmoid", "matrix", SigmoidGrad, 1),
    ("tanh", "matrix", TanhGrad, 1),
    ("getitem", "int-array-repeats", GetItemGrad, 0),
    ("getitem", "slice", GetItemGrad, 0),
    ("embedding", "2d-ids", EmbeddingGrad, 0),
    ("softmax_cross_entropy", "ignore-label", SoftmaxCrossEntropyGrad, 1),
    ("softmax_cross_entropy", "none", SoftmaxCrossEntropyGrad, 1),
]


def _plant_wrong_factor(monkeypatch, grad_cls, gy_index, factor=1.5):
    """Make ``grad_cls.backward`` return ``factor`` times the right gradient
    with respect to its upstream-gradient input (and the rest unchanged)."""
    right = grad_cls.backward

    def wrong(self, ggx):
        grads = right(self, ggx)
        grads = list(grads) if isinstance(grads, tuple) else [grads]
        grads[gy_index] = grads[gy_index] * factor
        return tuple(grads) if len(grads) > 1 else grads[0]

    monkeypatch.setattr(grad_cls, "backward", wrong)


def _case(name, label):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(0))
    return (lambda *xs: spec(*xs, **kwargs)), args


@pytest.mark.parametrize("name,label,grad_cls,gy_index", PLANTED,
                         ids=[f"{p[0]}[{p[1]}]" for p in PLANTED])
def test_a_wrong_upstream_term_fails_gradgradcheck(monkeypatch, name, label, grad_cls,
                                                    gy_index):
    fn, args = _case(name, label)
    assert ag.gradgradcheck(fn, *args)                 # the real backward passes
    _plant_wrong_factor(monkeypatch, grad_cls, gy_index)
    assert ag.gradcheck(fn, *args)                     # first order cannot see it
    with pytest.raises(ag.GradcheckError, match=r"gradgradcheck: gradient of upstream0"):
        ag.gradgradcheck(fn, *args)


def test_a_wrong_input_term_still_fails_gradgradcheck(monkeypatch):
    fn, args = _case("sigmoid", "matrix")
    _plant_wrong_factor(monkeypatch, SigmoidGrad, 0)
    with pytest.raises(ag.GradcheckError, match=r"gradient of input0"):
        ag.gradgradcheck(fn, *args)


def test_gradgradcheck_takes_given_upstream_gradients():
    x = np.array([0.3, -1.2])
    assert ag.gradgradcheck(F.sigmoid, x, grad_outputs=np.array([2.0, -0.5]))
    with pytest.raises(ValueError, match=r"grad_outputs\[0\] has shape \(3,\)"):
        ag.gradgradcheck(F.sigmoid, x, grad_outputs=np.zeros(3))


def test_second_order_reports_cover_inputs_and_upstream_gradients():
    from autograd_nlp.gradcheck import _prepare, compare_second_order
    args, variables = _prepare((np.ones((2, 3)), np.ones((3,))))
    reports = compare_second_order(F.mul, args, variables)
    assert [r.name for r in reports] == ["input0", "input1", "upstream0"]
    assert [r.shape for r in reports] == [(2, 3), (3,), (2, 3)]
    assert all(r.passed and r.checked == np.prod(r.shape) for r in reports)

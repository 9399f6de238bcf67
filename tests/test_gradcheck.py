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


# --- checking a model: stateful models, impure losses, integer inputs ------------------

def _stateful_lm():
    """An LSTM language model of one's own that carries its state between
    calls (no reset_state method of its own), in float64, and a loss on it."""
    from autograd_nlp.layers import LSTM, Embedding, Linear, Module

    class SkipLM(Module):
        def __init__(self):
            super().__init__()
            self.embed = Embedding(7, 4)
            self.lstm = LSTM(4, 4, stateful=True)
            self.out = Linear(4, 7)

        def forward(self, xs):
            e = self.embed(xs)
            return self.out(self.lstm(e) + e)

    ag.random.seed(0)
    with ag.default_dtype(np.float64):
        model = SkipLM()
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 7, (2, 3)), rng.integers(0, 7, (2, 3))
    return model, lambda: F.softmax_cross_entropy(model(xs), ts)


def test_check_module_resets_a_carried_state_before_each_evaluation():
    model, loss = _stateful_lm()
    model(np.zeros((2, 3), dtype=np.int64))          # a state carried from an earlier call
    reports = ag.check_module(model, loss, samples=6)
    assert [r.name for r in reports] == ["embed.W", "lstm.cell.Wx", "lstm.cell.Wh", "lstm.cell.b",
                                         "out.W", "out.b"]
    assert all(r.passed and r.checked > 0 for r in reports)
    assert ag.gradcheck_module(model, loss, samples=6)


def test_a_loss_that_changes_between_calls_is_named_not_a_wrong_gradient():
    model, loss = _stateful_lm()
    from autograd_nlp.gradcheck import ImpureLossError
    with pytest.raises(ImpureLossError, match=r"check_module: .* not a pure function of the "
                       r"parameters.*reset_state\(\).*stateful=False"):
        ag.check_module(model, loss, reset_state=False)


def test_dropout_in_training_mode_is_caught_and_eval_mode_passes():
    from autograd_nlp.gradcheck import ImpureLossError
    W = np.random.default_rng(1).standard_normal((3, 4))
    fn = lambda w: F.dropout(F.tanh(w), 0.5)             # noqa: E731
    with pytest.raises(ImpureLossError, match=r"gradcheck: .*ag\.eval_mode\(\)"):
        ag.gradcheck(fn, W)
    with ag.eval_mode():
        assert ag.gradcheck(fn, W)


def test_integer_inputs_get_advice_for_ids_not_a_cast():
    ids = np.array([[1, 2], [0, 3]])
    W = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(TypeError) as info:
        ag.gradcheck(lambda i: F.embedding(W, i), ids)
    message = str(info.value)
    assert "input0 ndarray int64 (2, 2)" in message
    assert "of an integer dtype (token ids" in message and "check_module" in message
    assert "astype" not in message
    # what the message proposes works: the ids as a constant beside W, or closed over
    assert ag.gradcheck(lambda w, i: F.embedding(w, i), W, ids)
    assert ag.gradcheck(lambda w: F.embedding(w, ids), W)


def test_a_model_called_on_ids_points_to_check_module():
    model, _ = _stateful_lm()
    with pytest.raises(TypeError, match=r"ag\.check_module\(model"):
        ag.gradcheck(model, np.zeros((2, 3), dtype=np.int64))


def test_no_float_input_without_integers_does_not_talk_about_ids():
    with pytest.raises(TypeError, match=r"pass float arrays or Variables") as info:
        ag.gradcheck(lambda x: x, [1.0, 2.0])
    assert "token ids" not in str(info.value)

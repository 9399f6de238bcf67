"""Optimizers against torch.optim, their checkpoints, and gradient clipping."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim

OURS_AND_THEIRS = [
    (lambda ps: optim.SGD(ps, lr=0.1), lambda t, ps: t.optim.SGD(ps, lr=0.1)),
    (lambda ps: optim.Momentum(ps, lr=0.1, momentum=0.9),
     lambda t, ps: t.optim.SGD(ps, lr=0.1, momentum=0.9)),
    (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.3),
     lambda t, ps: t.optim.SGD(ps, lr=0.1, weight_decay=0.3)),
    (lambda ps: optim.Momentum(ps, lr=0.1, momentum=0.9, weight_decay=0.3),
     lambda t, ps: t.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.3)),
    (lambda ps: optim.AdaGrad(ps, lr=0.1, eps=1e-10), lambda t, ps: t.optim.Adagrad(ps, lr=0.1)),
    (lambda ps: optim.RMSprop(ps, lr=0.01, decay=0.99, eps=1e-8),
     lambda t, ps: t.optim.RMSprop(ps, lr=0.01, alpha=0.99, eps=1e-8)),
    (lambda ps: optim.Adam(ps, lr=0.01), lambda t, ps: t.optim.Adam(ps, lr=0.01)),
    (lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1),
     lambda t, ps: t.optim.AdamW(ps, lr=0.01, weight_decay=0.1)),
]


def _loss(w, b, x):
    return ((x @ w + b) ** 2).sum() + (w ** 3).sum()


@pytest.mark.parametrize("make_ours,make_theirs", OURS_AND_THEIRS,
                         ids=["sgd", "momentum", "sgd-weight-decay", "momentum-weight-decay", "adagrad", "rmsprop", "adam", "adamw"])
def test_matches_torch_optim(make_ours, make_theirs):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    rng = np.random.default_rng(0)
    w0, b0, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((4, 3))
    w = ag.Parameter(w0, dtype=np.float64)
    b = ag.Parameter(b0, dtype=np.float64)
    tw = torch.tensor(w0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    ours, theirs = make_ours([w, b]), make_theirs(torch, [tw, tb])
    for _ in range(5):
        w.cleargrad(), b.cleargrad()
        _loss(w, b, x).backward()
        ours.update()
        theirs.zero_grad()
        _loss(tw, tb, torch.tensor(x)).backward()
        theirs.step()
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_adam_eps_hat_is_the_papers_efficient_form():
    """Kingma & Ba, section 2: the step size carries the bias correction and
    eps is added to sqrt(v) uncorrected (the book's and Keras's Adam)."""
    rng = np.random.default_rng(2)
    grads = rng.standard_normal((6, 5)) * np.logspace(-9, 0, 5)    # tiny to large
    p = ag.Parameter(np.zeros(5), dtype=np.float64)
    opt = optim.Adam([p], lr=0.01, eps=1e-7, eps_hat=True)
    plain = ag.Parameter(np.zeros(5), dtype=np.float64)
    torch_form = optim.Adam([plain], lr=0.01, eps=1e-7)
    expected, m, v = np.zeros(5), np.zeros(5), np.zeros(5)
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g ** 2
        expected -= 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-7)
        p.grad = ag.Variable(g)
        plain.grad = ag.Variable(g)
        opt.update()
        torch_form.update()
    np.testing.assert_allclose(p.data, expected, rtol=1e-12)
    # the forms agree where sqrt(v) >> eps and differ where the gradient is tiny
    np.testing.assert_allclose(p.data[-1], plain.data[-1], rtol=1e-5)
    assert abs(p.data[0]) < 0.5 * abs(plain.data[0])


def test_weight_decay_joins_the_gradient_before_the_momentum():
    """Two steps by hand: p = 1, g = 0.5 each step, lr 0.1, weight_decay 0.2."""
    def two_steps(opt, p):
        for _ in range(2):
            p.grad = ag.Variable(np.array([0.5]))
            opt.update()
        return float(p.data[0])

    p = ag.Parameter(np.array([1.0]), dtype=np.float64)
    # 1 - 0.1 * (0.5 + 0.2 * 1) = 0.93;  0.93 - 0.1 * (0.5 + 0.2 * 0.93) = 0.8614
    assert two_steps(optim.SGD([p], lr=0.1, weight_decay=0.2), p) == pytest.approx(0.8614)
    p = ag.Parameter(np.array([1.0]), dtype=np.float64)
    # v = -0.07, p = 0.93;  v = 0.9 * -0.07 - 0.1 * 0.686 = -0.1316, p = 0.7984
    opt = optim.Momentum([p], lr=0.1, momentum=0.9, weight_decay=0.2)
    assert two_steps(opt, p) == pytest.approx(0.7984)
    resumed = optim.Momentum([p], lr=0.1)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.weight_decay == pytest.approx(0.2)


@pytest.mark.parametrize("cls", [optim.Momentum, optim.AdaGrad, optim.RMSprop,
                                 optim.Adam, optim.AdamW,
                                 lambda ps, lr: optim.Adam(ps, lr, eps_hat=True),
                                 lambda ps, lr: optim.Momentum(ps, lr, weight_decay=0.1)])
def test_state_dict_resumes_exactly(cls):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3))
    start = rng.standard_normal((3, 2)), rng.standard_normal(2)

    def run(steps, opt=None, params=None):
        params = params or [ag.Parameter(a) for a in start]
        opt = opt or cls(params, lr=0.01)
        for _ in range(steps):
            for p in params:
                p.cleargrad()
            _loss(params[0], params[1], x).backward()
            opt.update()
        return params, opt

    straight, _ = run(5)
    params, opt = run(3)
    state = opt.state_dict()
    resumed_params = [ag.Parameter(p.data.copy()) for p in params]
    resumed = cls(resumed_params, lr=0.5)      # hyperparameters come from the state
    resumed.load_state_dict(state)
    assert resumed.lr == 0.01 and resumed.steps_taken == 3
    run(2, resumed, resumed_params)
    for a, b in zip(straight, resumed_params):
        np.testing.assert_array_equal(a.data, b.data)


def test_clip_grads_scales_to_max_norm():
    a, b = ag.Parameter(np.ones(4)), ag.Parameter(np.ones(9))
    a.grad = ag.Variable(np.full(4, 3.0))
    b.grad = ag.Variable(np.full(9, 4.0))
    norm = optim.clip_grads([a, b], 1.0)
    assert norm == pytest.approx(np.sqrt(4 * 9 + 9 * 16))
    assert optim.grad_norm([a, b]) == pytest.approx(1.0, rel=1e-5)
    small = optim.clip_grads([a, b], 10.0)       # below the limit: unchanged
    assert small == pytest.approx(1.0, rel=1e-5)


def test_clip_grads_with_a_gradient_shared_by_two_parameters():
    a, b = ag.Parameter(np.ones(3)), ag.Parameter(np.ones(3))
    (a + b).sum().backward()                       # Add hands the same gy to both
    assert a.grad is b.grad
    optim.clip_grads([a, b], 1.0)
    np.testing.assert_allclose(a.grad.data, b.grad.data)
    assert optim.grad_norm([a, b]) == pytest.approx(1.0, rel=1e-5)


def test_optimizer_needs_parameters():
    with pytest.raises(ValueError, match="no parameters"):
        optim.SGD([])


def test_the_step_counter_is_steps_taken_and_the_old_name_warns():
    W = ag.Parameter(np.ones((2, 2)))
    opt = optim.Adam([W], lr=0.1)
    for _ in range(2):
        W.cleargrad()
        (W * W).sum().backward()
        opt.update()
    assert opt.steps_taken == 2
    assert not callable(opt.steps_taken)
    with pytest.warns(DeprecationWarning, match="steps_taken"):
        assert opt.step == 2
    # checkpoints keep the key "step": a state written before the rename loads
    state = opt.state_dict()
    assert int(state["step"]) == 2 and "steps_taken" not in state
    old = {k: v for k, v in state.items()}          # what an old checkpoint holds
    fresh = optim.Adam([ag.Parameter(W.data.copy())], lr=0.5)
    fresh.load_state_dict(old)
    assert fresh.steps_taken == 2 and fresh.lr == 0.1

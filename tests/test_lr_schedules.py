"""Learning-rate schedules: values by formula, the optimizer following them,
and exact continuation after a checkpoint round trip."""
import math

import numpy as np
import pytest

from autograd_nlp import optim
from autograd_nlp.core import Parameter, Variable


def sgd():
    p = Parameter(np.ones(3))
    return p, optim.SGD([p], lr=123.0)


def test_inverse_sqrt_values():
    _, opt = sgd()
    s = optim.WarmupInverseSqrt(opt, peak_lr=0.01, warmup_steps=100)
    assert opt.lr == pytest.approx(0.0001)                  # set for the first update
    assert s.lr_at(50) == pytest.approx(0.005)
    assert s.lr_at(100) == pytest.approx(0.01)
    assert s.lr_at(400) == pytest.approx(0.005)             # 0.01 * sqrt(100 / 400)


def test_noam_is_vaswanis_formula():
    _, opt = sgd()
    s = optim.WarmupInverseSqrt.noam(opt, d_model=512, warmup_steps=4000)
    for step in (1, 1000, 4000, 10_000):
        expected = 512 ** -0.5 * min(step ** -0.5, step * 4000 ** -1.5)
        assert s.lr_at(step) == pytest.approx(expected)


def test_cosine_values():
    _, opt = sgd()
    s = optim.WarmupCosine(opt, peak_lr=1.0, total_steps=110, warmup_steps=10, min_lr=0.1)
    assert s.lr_at(5) == pytest.approx(0.5)
    assert s.lr_at(10) == pytest.approx(1.0)
    assert s.lr_at(60) == pytest.approx(0.55)               # half way: the mean
    assert s.lr_at(85) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 0.75)))
    assert s.lr_at(110) == s.lr_at(500) == pytest.approx(0.1)
    _, opt = sgd()
    assert optim.WarmupCosine(opt, peak_lr=2.0, total_steps=4).lr_at(1) == pytest.approx(
        1.0 + math.cos(math.pi / 4))                        # no warm-up


def test_every_update_uses_the_scheduled_lr():
    p, opt = sgd()
    optim.WarmupInverseSqrt(opt, peak_lr=1.0, warmup_steps=4)
    for step in range(1, 7):
        before = p.data.copy()
        p.grad = Variable(np.ones(3))
        opt.update()
        np.testing.assert_allclose(before - p.data, min(step / 4, math.sqrt(4 / step)), rtol=1e-6)


def test_a_resumed_optimizer_continues_the_schedule():
    p, opt = sgd()
    optim.WarmupCosine(opt, peak_lr=1.0, total_steps=20, warmup_steps=5)
    for _ in range(7):
        p.grad = Variable(np.ones(3))
        opt.update()
    state = opt.state_dict()
    expected = [opt.schedule.lr_at(s) for s in (8, 9, 10)]
    q = Parameter(p.data.copy())
    resumed = optim.SGD([q], lr=0.5)
    optim.WarmupCosine(resumed, peak_lr=1.0, total_steps=20, warmup_steps=5)
    resumed.load_state_dict(state)
    seen = []
    for _ in range(3):
        q.grad = Variable(np.ones(3))
        resumed.update()
        seen.append(resumed.lr)
    assert seen == pytest.approx(expected)


def test_one_schedule_per_optimizer_and_bad_settings():
    _, opt = sgd()
    optim.WarmupInverseSqrt(opt, 1.0, 10)
    with pytest.raises(ValueError, match="already follows WarmupInverseSqrt"):
        optim.WarmupCosine(opt, 1.0, 100)
    _, opt = sgd()
    with pytest.raises(ValueError, match="warmup_steps must be > 0"):
        optim.WarmupInverseSqrt(opt, 1.0, 0)
    with pytest.raises(ValueError, match=r"warmup_steps must be in \[0, total_steps=10\)"):
        optim.WarmupCosine(opt, 1.0, 10, warmup_steps=10)


def test_state_dict_lists_the_settings():
    _, opt = sgd()
    s = optim.WarmupInverseSqrt(opt, 0.5, 8)
    assert s.state_dict() == {"schedule": "WarmupInverseSqrt", "peak_lr": 0.5,
                              "warmup_steps": 8}


def test_linear_decay_is_word2vecs_schedule():
    from autograd_nlp.lr_schedules import LinearDecay
    p, opt = sgd()
    s = LinearDecay(opt, peak_lr=0.025, total_steps=100, min_lr=0.0001)
    assert opt.lr == pytest.approx(0.025)                   # the first update: the peak
    assert s.lr_at(51) == pytest.approx(0.025 + (0.0001 - 0.025) * 0.5)
    assert s.lr_at(101) == s.lr_at(1000) == pytest.approx(0.0001)
    for step in range(1, 4):
        before = p.data.copy()
        p.grad = Variable(np.ones(3))
        opt.update()
        np.testing.assert_allclose(before - p.data, s.lr_at(step), rtol=1e-6)
    with pytest.raises(ValueError, match="min_lr"):
        LinearDecay(sgd()[1], peak_lr=0.1, total_steps=10, min_lr=0.2)
    with pytest.raises(ValueError, match="total_steps"):
        LinearDecay(sgd()[1], peak_lr=0.1, total_steps=0)

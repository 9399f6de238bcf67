"""REINFORCE with a baseline and A2C: returns, losses, gradients, learning a bandit."""
import numpy as np
import pytest

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.core import Variable
from autograd_nlp.gradcheck import gradcheck, gradcheck_module
from autograd_nlp.training.trainer import Trainer
from autograd_nlp.models.actor_critic import ActorCritic, n_step_targets
from autograd_nlp.models.policy_gradient import (ReinforceAgent, categorical_entropy,
                                    categorical_log_prob, discounted_returns,
                                    sample_actions)


def test_discounted_returns_sum_the_discounted_future_and_bootstrap():
    got = discounted_returns(np.array([1.0, 2.0, 3.0]), 0.5, bootstrap=8.0)
    assert np.allclose(got, [1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 8, 2 + 0.5 * 3 + 0.25 * 8,
                             3 + 0.5 * 8])
    assert np.allclose(discounted_returns(np.ones(3), 1.0), [3, 2, 1])


def test_n_step_targets_stop_at_episode_ends_and_bootstrap_the_rest():
    rewards = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    dones = np.array([[False, False], [True, False], [False, False]])
    bootstrap = np.zeros((3, 2))
    bootstrap[1, 0] = 10.0                 # env 0 cut off by a time limit at step 1
    bootstrap[-1] = [4.0, 6.0]             # V(s_3) of both running episodes
    got = n_step_targets(rewards, dones, bootstrap, gamma=0.5)
    assert np.allclose(got[:, 0], [1 + 0.5 * (1 + 0.5 * 10), 1 + 0.5 * 10, 1 + 0.5 * 4])
    assert np.allclose(got[:, 1], [1 + 0.5 + 0.25 + 0.125 * 6, 1 + 0.5 + 0.25 * 6, 1 + 3])


def test_log_prob_and_entropy_match_numpy_and_gradcheck():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((5, 3))
    actions = np.array([0, 2, 1, 1, 0])
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert np.allclose(categorical_log_prob(Variable(logits), actions).data,
                       np.log(p[np.arange(5), actions]))
    assert np.allclose(categorical_entropy(Variable(logits)).data, -(p * np.log(p)).sum(-1))
    assert gradcheck(lambda x: categorical_log_prob(x, actions), logits)
    assert gradcheck(categorical_entropy, logits)


def test_sample_actions_follow_the_softmax():
    logits = np.log(np.array([[0.2, 0.8]] * 20000))
    actions = sample_actions(logits, np.random.default_rng(1))
    assert actions.shape == (20000,) and actions.dtype == np.int64
    assert abs(actions.mean() - 0.8) < 0.01


def bandit_step(agent, rng, n=64):
    """A two-armed bandit with one state: arm 1 pays 1, arm 0 pays 0."""
    obs = np.ones((n, 4), dtype=np.float32)
    actions = agent.act(obs, rng)
    return obs, actions, (actions == 1).astype(np.float64)


def arm_probability(agent):
    logits, _ = agent(Variable(np.ones((1, 4), dtype=np.float32)))
    p = np.exp(logits.data[0] - logits.data[0].max())
    return p[1] / p.sum()


@pytest.mark.parametrize("kind", ["reinforce", "a2c"])
def test_policy_loss_decreases_and_the_better_arm_wins_on_a_bandit(kind):
    ag_random.seed(0)
    rng = np.random.default_rng(0)
    agent = (ReinforceAgent if kind == "reinforce" else ActorCritic)(4, 2, hidden_size=16)
    trainer = Trainer(agent, optim.Adam(agent.params(), lr=0.01))
    before = arm_probability(agent)
    value_losses = []
    for _ in range(60):
        obs, actions, rewards = bandit_step(agent, rng)
        if kind == "reinforce":
            policy, value, _ = agent.losses(obs, actions, rewards)
            trainer.update(policy + value)
            value_losses.append(float(value.data))
        else:
            loss, parts = agent.loss(obs, actions, rewards, entropy_coef=0.0)
            trainer.update(loss)
            value_losses.append(parts["value"])
    assert before < 0.8
    assert arm_probability(agent) > 0.95
    assert np.mean(value_losses[-10:]) < np.mean(value_losses[:10])


def test_reinforce_loss_gradient_matches_central_differences():
    ag_random.seed(3)
    agent = ReinforceAgent(3, 2, hidden_size=5).astype(np.float64)
    obs = np.random.default_rng(0).standard_normal((6, 3))
    actions = np.array([0, 1, 1, 0, 1, 0])
    returns = np.linspace(1, 2, 6)

    def policy_loss():
        policy, _, entropy = agent.losses(obs, actions, returns)
        return policy - 0.1 * entropy

    def value_loss():
        return agent.losses(obs, actions, returns)[1]
    # the advantage holds V(s) constant (a semi-gradient), so each loss is
    # checked against the parameters it is meant to move
    assert gradcheck_module(agent.policy, policy_loss)
    assert gradcheck_module(agent.value, value_loss)

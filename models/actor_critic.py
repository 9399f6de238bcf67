"""Advantage actor-critic (A2C, Mnih et al. 2016, synchronous form).

The actor is a policy network, the critic a value network. Several
environments run side by side for ``n`` steps; each step's target is the
n-step return bootstrapped from the critic, ``R_t = r_t + gamma r_{t+1} + ...
+ gamma^k V(s_{t+k})``, the actor follows ``A_t = R_t - V(s_t)`` and the critic
regresses on ``R_t``; an entropy bonus keeps the policy exploring.

    agent = ActorCritic(obs_size=4, n_actions=2)
    targets = n_step_targets(rewards, dones, bootstrap, gamma)   # (n, envs)
    loss, parts = agent.loss(obs, actions, targets)

Forward code only.
"""
import numpy as np

from autograd_nlp.core import no_grad
from autograd_nlp.layers import Module
from autograd_nlp.models.policy_gradient import (MLP, categorical_entropy, categorical_log_prob,
                                    sample_actions)


def n_step_targets(rewards, dones, bootstrap, gamma):
    """n-step return targets of a rollout of ``n`` steps in ``E`` environments.

    rewards, dones: (n, E); ``dones[t, e]`` is true when the episode ended at
    step t. bootstrap: (n, E) array: the value to continue from after an
    ended episode (0 when it ended in a terminal state, V(final state) when a
    time limit cut it off), and in its last row V(s_n) for running episodes.
    Returns (n, E) float64 targets.
    """
    n = len(rewards)
    targets = np.empty((n, rewards.shape[1]), dtype=np.float64)
    running = np.asarray(bootstrap[-1], dtype=np.float64).copy()
    for t in range(n - 1, -1, -1):
        running = np.where(dones[t], bootstrap[t], running)
        running = rewards[t] + gamma * running
        targets[t] = running
    return targets


class ActorCritic(Module):
    """Actor (obs -> action logits) and critic (obs -> state value), two MLPs."""

    def __init__(self, obs_size, n_actions, hidden_size=128):
        super().__init__()
        self.actor = MLP(obs_size, hidden_size, n_actions)
        self.critic = MLP(obs_size, hidden_size, 1)

    def forward(self, obs):
        """obs (batch, obs_size) -> (logits (batch, A), values (batch,))."""
        return self.actor(obs), self.critic(obs).reshape(-1)

    def act(self, obs, rng, greedy=False):
        """obs (batch, obs_size) -> actions (batch,) int64, sampled with ``rng``
        (most likely when ``greedy``). Records no graph."""
        with no_grad():
            logits = self.actor(self.actor.as_input(obs)).data
        return logits.argmax(axis=-1) if greedy else sample_actions(logits, rng)

    def values(self, obs):
        """V(s) of obs (batch, obs_size) as a (batch,) array, no graph."""
        with no_grad():
            return self.critic(self.critic.as_input(obs)).data.reshape(-1)

    def loss(self, obs, actions, targets, value_coef=0.5, entropy_coef=0.01):
        """One A2C loss for a rollout flattened to N steps: obs (N, obs_size),
        actions (N,), targets (N,) n-step returns.

        ``policy_loss + value_coef * value_loss - entropy_coef * entropy``, with
        ``policy_loss = -mean(log pi(a|s) A)``, ``A = R - V(s)`` held constant,
        ``value_loss = mean((V(s) - R)^2)``. Returns (loss, dict of the parts
        as floats).
        """
        logits, values = self(self.actor.as_input(obs))
        targets = np.asarray(targets, dtype=values.dtype)
        advantage = targets - values.data
        policy_loss = -(categorical_log_prob(logits, actions) * advantage).mean()
        value_loss = ((values - targets) ** 2).mean()
        entropy = categorical_entropy(logits).mean()
        loss = policy_loss + value_coef * value_loss - entropy_coef * entropy
        return loss, {"policy": float(policy_loss.data), "value": float(value_loss.data),
                      "entropy": float(entropy.data)}

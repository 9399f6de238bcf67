"""Policy gradient (REINFORCE, Williams 1992) with a learned baseline.

A policy network maps an observation to action logits; a value network
estimates the return from a state and serves as the baseline, so the policy
gradient ``E[grad log pi(a|s) (G - V(s))]`` keeps its mean and loses variance.

    agent = ReinforceAgent(obs_size=4, n_actions=2)       # CartPole
    actions = agent.act(obs, rng)                         # obs (batch, 4) -> (batch,) ints
    policy_loss, value_loss, entropy = agent.losses(obs, actions, returns)

Forward code only: the gradients come from the recorded graph.
"""
import numpy as np

from autograd_nlp.core import Variable, no_grad
from autograd_nlp.functions import log_softmax, softmax, softmax_cross_entropy, tanh
from autograd_nlp.numeric import softmax_array
from autograd_nlp.layers import Linear, Module


class MLP(Module):
    """Two tanh hidden layers: x (batch, in_size) -> (batch, out_size)."""

    def __init__(self, in_size, hidden_size, out_size):
        super().__init__()
        self.fc1 = Linear(in_size, hidden_size)
        self.fc2 = Linear(hidden_size, hidden_size)
        self.out = Linear(hidden_size, out_size)

    def forward(self, x):
        return self.out(tanh(self.fc2(tanh(self.fc1(x)))))

    def as_input(self, x):
        """An observation array as a Variable of this network's parameter dtype."""
        return Variable(np.asarray(x, dtype=self.fc1.W.dtype))


def categorical_log_prob(logits, actions):
    """log pi(a|s) of integer ``actions`` (batch,) under ``logits`` (batch, A)
    -> (batch,): the negated per-row cross-entropy."""
    return -softmax_cross_entropy(logits, actions, reduction="none")


def categorical_entropy(logits):
    """Entropy of the softmax distribution of each row: (batch, A) -> (batch,)."""
    return -(softmax(logits) * log_softmax(logits)).sum(axis=-1)


def sample_actions(logits, rng):
    """One action per row of ``logits`` (batch, A) array, drawn from its softmax
    with ``rng`` (a numpy Generator) -> (batch,) int64."""
    p = softmax_array(logits)
    u = rng.random((len(p), 1))
    return np.minimum((p.cumsum(axis=-1) < u).sum(axis=-1), p.shape[-1] - 1).astype(np.int64)


def discounted_returns(rewards, gamma, bootstrap=0.0):
    """G_t = r_t + gamma r_{t+1} + ... for one episode: rewards (T,) -> (T,).
    ``bootstrap`` is the value of the state after the last reward (0 at a
    terminal state, V(s_T) when the episode was cut off by a time limit)."""
    returns = np.empty(len(rewards), dtype=np.float64)
    running = float(bootstrap)
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def normalized(x, eps=1e-8):
    """(x - mean) / std: advantages on one scale whatever the episode length."""
    return (x - x.mean()) / (x.std() + eps)


class ReinforceAgent(Module):
    """A policy MLP (obs -> action logits) and a value MLP (obs -> baseline)."""

    def __init__(self, obs_size, n_actions, hidden_size=128):
        super().__init__()
        self.policy = MLP(obs_size, hidden_size, n_actions)
        self.value = MLP(obs_size, hidden_size, 1)

    def forward(self, obs):
        """obs (batch, obs_size) -> (logits (batch, A), values (batch,))."""
        return self.policy(obs), self.value(obs).reshape(-1)

    def act(self, obs, rng, greedy=False):
        """obs (batch, obs_size) array -> actions (batch,) int64, sampled from
        the policy with ``rng`` (or its most likely action when ``greedy``).
        Records no graph."""
        with no_grad():
            logits = self.policy(self.policy.as_input(obs)).data
        return logits.argmax(axis=-1) if greedy else sample_actions(logits, rng)

    def values(self, obs):
        """The baseline V(s) of obs (batch, obs_size) as a (batch,) array, no graph."""
        with no_grad():
            return self.value(self.value.as_input(obs)).data.reshape(-1)

    def losses(self, obs, actions, returns, normalize=True):
        """The REINFORCE losses of a batch of steps: obs (N, obs_size),
        actions (N,), returns (N,) discounted returns G_t.

        Returns (policy_loss, value_loss, mean entropy) Variables:
        ``policy_loss = -mean(log pi(a|s) * A)`` with advantage
        ``A = G - V(s)`` (normalised when ``normalize``; V held constant), and
        ``value_loss = mean((V(s) - G)^2) / 2``.
        """
        logits, values = self(self.policy.as_input(obs))
        returns = np.asarray(returns, dtype=values.dtype)
        advantage = returns - values.data
        if normalize and len(advantage) > 1:
            advantage = normalized(advantage)
        policy_loss = -(categorical_log_prob(logits, actions) * advantage).mean()
        value_loss = ((values - returns) ** 2).mean() * 0.5
        return policy_loss, value_loss, categorical_entropy(logits).mean()

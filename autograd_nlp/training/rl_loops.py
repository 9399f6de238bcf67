"""The training loops of the policy-gradient agents (``train reinforce|a2c``)
on gymnasium environments: REINFORCE on whole episodes and synchronous
advantage actor-critic on short rollouts of several environments, each
update through a ``Trainer`` (clipping, the divergence check), each
finished episode added to an ``EpisodeRecord``.

Every episode is reset with its own seed (``episode_seed``: the run's seed
and the episode's number), so a run is repeatable and a resumed REINFORCE
run continues exactly; a resumed A2C run restarts the episodes that were in
progress.
"""
import time

import numpy as np

from autograd_nlp import random as ag_random

SEED_STRIDE = 1_000_003        # episode k of seed s is reset with s * SEED_STRIDE + k


def episode_seed(seed, k):
    """The reset seed of episode ``k`` of a run seeded ``seed``."""
    return seed * SEED_STRIDE + k


def run_episode(env, agent, rng, seed, greedy=False):
    """One episode: (observations (T, obs), actions (T,), rewards (T,),
    final observation, whether it ended in a terminal state)."""
    obs, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    while True:
        action = int(agent.act(obs[None], rng, greedy=greedy)[0])
        observations.append(obs)
        actions.append(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        if terminated or truncated:
            return (np.array(observations, dtype=np.float32), np.array(actions, dtype=np.int64),
                    np.array(rewards, dtype=np.float64), obs, terminated)


def evaluate_greedy(agent, env, episodes, seed):
    """Mean and min return of the greedy policy over ``episodes`` fresh
    episodes, reset with seeds ``seed``, ``seed + 1``, ..."""
    returns = [run_episode(env, agent, None, seed + k, greedy=True)[2].sum()
               for k in range(episodes)]
    return float(np.mean(returns)), float(np.min(returns))


def greedy_evaluation_seed(seed, episodes):
    """The first reset seed of the greedy evaluation after a run seeded
    ``seed``: just below the next seed's episodes, never a training one."""
    return (seed + 1) * SEED_STRIDE - episodes


class ReinforceLoop:
    """Monte-Carlo episodes on ``env``, one update per ``batch_episodes`` of
    them: the discounted returns (``gamma``; an episode cut off by a time
    limit is bootstrapped with the critic's value) weigh the log-probabilities,
    less ``entropy`` times the policy's entropy. Stops after ``episodes``
    episodes in all, or once the record says solved (unless ``keep_going``)."""

    def __init__(self, agent, trainer, env, *, episodes, batch_episodes=1, gamma=0.99,
                 entropy=0.0, seed=1, keep_going=False):
        self.agent, self.trainer, self.env = agent, trainer, env
        self.episodes, self.batch_episodes = episodes, batch_episodes
        self.gamma, self.entropy, self.seed, self.keep_going = gamma, entropy, seed, keep_going

    def run(self, record, on_episode):
        """Train until done, calling ``on_episode(record)`` after each episode is recorded."""
        from autograd_nlp.models.policy_gradient import discounted_returns
        rng = ag_random.get_rng()
        while len(record.returns) < self.episodes and not self.done(record):
            batch = []
            start = time.perf_counter()
            for _ in range(min(self.batch_episodes, self.episodes - len(record.returns))):
                seed = episode_seed(self.seed, len(record.returns) + len(batch))
                batch.append(run_episode(self.env, self.agent, rng, seed))
            obs, actions, returns = [], [], []
            for o, a, r, last_obs, terminated in batch:
                bootstrap = 0.0 if terminated else float(self.agent.values(last_obs[None])[0])
                obs.append(o)
                actions.append(a)
                returns.append(discounted_returns(r, self.gamma, bootstrap))
            policy_loss, value_loss, entropy = self.agent.losses(
                np.concatenate(obs), np.concatenate(actions), np.concatenate(returns))
            loss = policy_loss + value_loss - self.entropy * entropy
            self.trainer.update(loss)
            record.updates += 1
            record.elapsed += time.perf_counter() - start
            for episode in batch:
                record.add(episode[2].sum(), record.elapsed)
                on_episode(record)

    def done(self, record):
        return record.solved_at is not None and not self.keep_going


class A2CLoop:
    """The environments ``envs`` stepped together; one update per ``n_steps``
    steps of all of them, on n-step returns bootstrapped with the critic
    (``gamma``), the value loss weighted ``value_coef``, an ``entropy``
    bonus. Stops as ``ReinforceLoop`` does."""

    def __init__(self, agent, trainer, envs, *, episodes, n_steps=5, gamma=0.99,
                 value_coef=0.5, entropy=0.01, seed=1, keep_going=False):
        self.agent, self.trainer, self.envs = agent, trainer, list(envs)
        self.episodes, self.n_steps, self.gamma = episodes, n_steps, gamma
        self.value_coef, self.entropy, self.seed = value_coef, entropy, seed
        self.keep_going = keep_going
        self.started = 0           # episodes begun, for their seeds

    def reset(self, i):
        seed = episode_seed(self.seed, self.started)
        self.started += 1
        return self.envs[i].reset(seed=seed)[0]

    def run(self, record, on_episode):
        """Train until done, calling ``on_episode(record)`` after each episode is recorded."""
        from autograd_nlp.models.actor_critic import n_step_targets
        rng, agent = ag_random.get_rng(), self.agent
        self.started = len(record.returns)
        obs = np.array([self.reset(i) for i in range(len(self.envs))], dtype=np.float32)
        running = np.zeros(len(self.envs))
        while len(record.returns) < self.episodes and not (
                record.solved_at is not None and not self.keep_going):
            start = time.perf_counter()
            shape = (self.n_steps, len(self.envs))
            all_obs = np.empty(shape + obs.shape[1:], dtype=np.float32)
            actions = np.empty(shape, dtype=np.int64)
            rewards, dones = np.zeros(shape), np.zeros(shape, dtype=bool)
            bootstrap = np.zeros(shape)
            finished, cut_off = [], []      # returns of ended episodes; (t, i, final obs)
            for t in range(self.n_steps):
                all_obs[t] = obs
                actions[t] = agent.act(obs, rng)
                for i, env in enumerate(self.envs):
                    o, r, terminated, truncated, _ = env.step(int(actions[t, i]))
                    rewards[t, i] = r
                    running[i] += r
                    if terminated or truncated:
                        dones[t, i] = True
                        if truncated and not terminated:
                            cut_off.append((t, i, o))
                        finished.append(running[i])
                        running[i] = 0.0
                        o = self.reset(i)
                    obs[i] = o
            if cut_off:
                values = agent.values(np.array([o for _, _, o in cut_off]))
                for (t, i, _), v in zip(cut_off, values):
                    bootstrap[t, i] = v
            last = agent.values(obs)
            bootstrap[-1] = np.where(dones[-1], bootstrap[-1], last)
            targets = n_step_targets(rewards, dones, bootstrap, self.gamma)
            loss, _ = agent.loss(all_obs.reshape(-1, obs.shape[1]), actions.reshape(-1),
                                 targets.reshape(-1), self.value_coef, self.entropy)
            self.trainer.update(loss)
            record.updates += 1
            record.elapsed += time.perf_counter() - start
            for episode_return in finished:
                if len(record.returns) < self.episodes:
                    record.add(episode_return, record.elapsed)
                    on_episode(record)

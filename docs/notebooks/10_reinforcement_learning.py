# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Reinforcement learning: REINFORCE and A2C on CartPole
#
# The series closes with policy gradients: a network that picks actions is
# trained from the rewards they earn, with no right answer to copy. Written
# by hand, every policy-gradient method needs the gradient of
# log π(a|s) with respect to the network's weights, a softmax-and-log-of-a-pick
# backward pass worked out on paper. Here an agent is forward code: its loss
# is written as a formula of the network's outputs, and `loss.backward()`
# does the rest, as for every model of the book.
#
# The task is gymnasium's CartPole-v1: push a cart left or right to keep a
# pole upright, +1 reward per step, at most 500 steps. It counts as solved
# when the mean return of 100 consecutive training episodes reaches 475.
# The reference is [docs/autoencoders-and-rl.md](../autoencoders-and-rl.md).
#
# At full size both agents train until solved with the settings of
# `autograd-nlp train reinforce` and `train a2c` (seed 1), under a minute
# together on one core; their numbers are those of
# [docs/results.md](../results.md#reinforcement-learning).
# `AUTOGRAD_NLP_NOTEBOOK_SIZE=small` (what the tests run) stops each after
# 150 episodes, far from solved.

# %%
import inspect
import os
import tempfile

import gymnasium
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Code

import autograd_nlp
import autograd_nlp as ag
from autograd_nlp.recipes import reinforcement
from autograd_nlp.training.episodes import moving_mean

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"
episodes = 150 if SMALL else 3000          # 3000: the commands' cap; they stop when solved
eval_episodes = 10 if SMALL else 100
runs = tempfile.mkdtemp(prefix="rl-")       # checkpoints and pictures go here

# %% [markdown]
# ## The environment
#
# An observation is four numbers: the cart's position and velocity, the
# pole's angle and angular velocity. A policy that pushes at random keeps
# the pole up for a couple of dozen steps:

# %%
env = gymnasium.make("CartPole-v1")
observation, _ = env.reset(seed=0)
print("observation:", np.round(observation, 3), " actions:", env.action_space)

rng = np.random.default_rng(0)
random_returns = []
for episode in range(20):
    env.reset(seed=episode)
    done, total = False, 0.0
    while not done:
        _, reward, terminated, truncated, _ = env.step(int(rng.integers(2)))
        total += reward
        done = terminated or truncated
    random_returns.append(total)
print(f"random policy: mean return {np.mean(random_returns):.1f} over 20 episodes")

# %% [markdown]
# ## REINFORCE with a baseline: the loss is the algorithm
#
# `ReinforceAgent` is two small networks: a policy (observation → two action
# logits) and a value network V(s) that estimates the return from a state.
# After an episode, each step's discounted return G is compared with V(s):
# actions that did better than expected are made more likely. That sentence
# is the whole of `losses`, its forward code:

# %%
from autograd_nlp.models.policy_gradient import ReinforceAgent

Code(inspect.getsource(ReinforceAgent.losses), language="python")

# %% [markdown]
# `categorical_log_prob` is minus a softmax cross-entropy, so the gradient
# of log π(a|s) that a hand-written implementation derives is the one the
# engine already has. The graph of the policy loss on three made-up steps:
# the two tanh layers, the log-probability of the actions taken, the
# advantage (a constant: the baseline is not trained through the policy loss).

# %%
ag.random.seed(0)
agent = ReinforceAgent(obs_size=4, n_actions=2, hidden_size=8)
obs = np.random.default_rng(1).standard_normal((3, 4))
policy_loss, value_loss, entropy = agent.losses(obs, actions=np.array([0, 1, 1]),
                                                returns=np.array([3.0, 2.0, 1.0]))
policy_loss

# %% [markdown]
# ## Training REINFORCE
#
# `reinforcement.run` is `autograd-nlp train reinforce`: one update per
# episode, Adam lr 0.001, γ = 0.99, two tanh layers of 128 units, every
# episode reset with its own seed (so a run is repeatable), and at the end
# 100 fresh episodes with the greedy policy (always the likelier action).

# %%
reinforce = reinforcement.run(reinforcement.ReinforceConfig(
    episodes=episodes, eval_episodes=eval_episodes, out=os.path.join(runs, "reinforce")))
reinforce.metrics

# %% [markdown]
# `Result.history` is the episode record: every return and when it ended.
# The curve is noisy (each point is one episode of a stochastic policy);
# the running mean over 100 episodes is what decides "solved".

# %%
def plot_returns(ax, record, title):
    returns = record["returns"]
    episode = np.arange(1, len(returns) + 1)
    ax.plot(episode, returns, lw=0.6, alpha=0.5, label="episode return")
    ax.plot(episode, moving_mean(returns, 100), lw=2, label="mean of last 100")
    ax.axhline(475, color="gray", ls="--", lw=1, label="target 475")
    if record["solved_at"]:
        ax.axvline(record["solved_at"], color="green", lw=1)
    ax.set_title(title)
    ax.set_xlabel("episode")
    ax.grid(alpha=0.3)


fig, ax = plt.subplots(figsize=(6, 3))
plot_returns(ax, reinforce.history, "REINFORCE + baseline")
ax.set_ylabel("return")
ax.legend(loc="upper left", fontsize=8);

# %% [markdown]
# ## A2C: learning from every few steps
#
# REINFORCE waits for the end of an episode to know G. Advantage
# actor-critic runs 8 environments side by side, updates after every 5
# steps, and replaces the rest of the episode by the critic's estimate:
# the target is the n-step return R = r_t + γ r_{t+1} + … + γ^k V(s_{t+k}).
# The actor follows the advantage R − V(s), the critic regresses on R, and an
# entropy bonus keeps the policy exploring. Again one forward formula:

# %%
from autograd_nlp.models.actor_critic import ActorCritic

Code(inspect.getsource(ActorCritic.loss), language="python")

# %%
a2c = reinforcement.run(reinforcement.A2CConfig(
    episodes=episodes, eval_episodes=eval_episodes, out=os.path.join(runs, "a2c")))
a2c.metrics

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
plot_returns(axes[0], reinforce.history, "REINFORCE + baseline")
plot_returns(axes[1], a2c.history, "A2C (8 envs × 5 steps)")
axes[0].set_ylabel("return")
axes[0].legend(loc="upper left", fontsize=8);

# %% [markdown]
# Episodes are not the whole cost: the environment steps are. A2C makes many
# small updates (one per 40 steps) where REINFORCE makes one per episode:

# %%
for name, run in (("REINFORCE", reinforce), ("A2C", a2c)):
    record = run.history
    solved = (f"solved after {record['solved_at']:,} episodes" if record["solved_at"]
              else f"not solved in {len(record['returns']):,} episodes")
    print(f"{name:9}: {solved}, "
          f"{sum(record['returns']):,.0f} environment steps, {record['updates']:,} updates, "
          f"{record['elapsed']:.0f} s of training")

# %% [markdown]
# ## The trained policy
#
# `autograd_nlp.load` reads either checkpoint as a `Policy`:
# `act(observation)` is the action the network likes best. One episode with
# each trained policy and with random pushes, and the pole's angle along
# the way (CartPole ends an episode when it passes ±12°):

# %%
def pole_angles(choose, seed):
    observation, _ = env.reset(seed=seed)
    angles, done = [], False
    while not done:
        observation, _, terminated, truncated, _ = env.step(choose(observation))
        angles.append(np.degrees(observation[2]))
        done = terminated or truncated
    return angles


policies = {"REINFORCE": autograd_nlp.load(reinforce.paths["checkpoint"]),
            "A2C": autograd_nlp.load(a2c.paths["checkpoint"])}
print(policies["A2C"], "action for the first observation:", policies["A2C"].act(observation))

fig, ax = plt.subplots(figsize=(6, 3))
for name, policy in policies.items():
    ax.plot(pole_angles(policy.act, seed=12345), label=name)
ax.plot(pole_angles(lambda o: int(rng.integers(2)), seed=12345), label="random")
ax.axhline(12, color="gray", ls="--", lw=1)
ax.axhline(-12, color="gray", ls="--", lw=1)
ax.set_xlabel("step")
ax.set_ylabel("pole angle (°)")
ax.legend(fontsize=8);

# %% [markdown]
# Both agents solve the task at full size (the greedy policies hold the pole
# for all 500 steps of every one of 100 fresh episodes); over three seeds
# REINFORCE needed 295 to 1,000 episodes and A2C 477 to 812 (the table in
# [docs/results.md](../results.md#reinforcement-learning)). The same
# REINFORCE, applied to a whole generated answer instead of one push, is
# what `autograd-nlp rl-finetune` tries on the addition task of chapter 7.
#
# Next: [11 · hyperparameter search](11_hyperparameter_search.ipynb).

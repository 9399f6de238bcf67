"""Policy-gradient agents on a gymnasium environment (CartPole-v1 by
default): REINFORCE with a learned baseline, and synchronous advantage
actor-critic (A2C).

The environment comes from gymnasium (``pip install gymnasium`` or
``pip install .[rl]``). Training stops when the task is solved: the mean
return of the last ``window`` episodes reaches ``target`` (CartPole-v1:
475 over 100 consecutive episodes), or after ``episodes`` episodes. Every
episode is reset with its own seed, so a run is repeatable and ``resume``
of a REINFORCE run continues exactly; an A2C resume restarts the episodes
that were in progress.

    from autograd_nlp.recipes import reinforcement
    result = reinforcement.run(reinforcement.ReinforceConfig(episodes=50, out="runs/rf"))
    result.metrics["greedy mean return"], result.model.act(observation[None], None, greedy=True)
"""
import dataclasses
import os
from typing import ClassVar

import numpy as np

from autograd_nlp import optim
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.loading.checkpoint_kind import read_checkpoint
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import RunConfig, option
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import prepare_out_on_root, seed_everything
from autograd_nlp.recipes.settings import resolve
from autograd_nlp.training import Progress, format_duration, save_checkpoint
from autograd_nlp.training.episodes import EpisodeRecord, save_learning_curve
from autograd_nlp.training.gym_env import MissingGymnasium, make_env
from autograd_nlp.training.rl_loops import (A2CLoop, ReinforceLoop, evaluate_greedy,
                                            greedy_evaluation_seed)
from autograd_nlp.training.trainer import Trainer, restore_for_resume


@dataclasses.dataclass
class AgentConfig(RunConfig):
    """The settings both agents share: the environment, when to stop, the
    network and its optimizer, the run folder."""
    model: ClassVar[str] = None
    env: str = option("CartPole-v1", "gymnasium id (default: %(default)s)")
    episodes: int = option(3000, "stop after this many episodes if not solved (default: "
                                 "%(default)s)", checks.positive_int)
    target: float = option(475.0, "solved when the mean return of the last --window "
                                  "episodes reaches this (default: %(default)s, "
                                  "CartPole-v1's threshold)", checks.non_negative_float)
    window: int = option(100, "episodes in the moving average that decides 'solved'",
                         checks.positive_int)
    keep_going: bool = option(False, "train all --episodes even after solving")
    hidden: int = option(128, "hidden units", checks.positive_int)
    lr: float = option(1e-3, "learning rate", checks.positive_float)
    gamma: float = option(0.99, "discount factor, in [0, 1]", checks.unit_interval)
    entropy: float = option(0.0, "entropy bonus coefficient (default: %(default)s)",
                            checks.non_negative_float)
    max_grad: float = option(None, "clip the gradients' global norm to this",
                             checks.positive_float, none_help="none, no clipping")
    eval_episodes: int = option(100, "after training, run the greedy policy on this many "
                                     "fresh episodes (default: %(default)s; 0: skip)",
                                checks.non_negative_int, setting=False)
    checkpoint_every: int = option(100, "checkpoint every N episodes (default: %(default)s)",
                                   checks.positive_int, metavar="EPISODES", setting=False)
    quiet: bool = option(False, "no progress lines", setting=False)

    def loop(self, agent, trainer, env):
        raise NotImplementedError


@dataclasses.dataclass
class ReinforceConfig(AgentConfig):
    """``train reinforce``: REINFORCE with a learned baseline, one update per
    ``batch_episodes`` episodes."""
    model: ClassVar[str] = "reinforce"
    out: str = option(os.path.join("runs", "reinforce"), "output folder", setting=False)
    batch_episodes: int = option(1, "episodes per policy update (default: %(default)s)",
                                 checks.positive_int)

    def loop(self, agent, trainer, env):
        return ReinforceLoop(agent, trainer, env, episodes=self.episodes,
                             batch_episodes=self.batch_episodes, gamma=self.gamma,
                             entropy=self.entropy, seed=self.seed, keep_going=self.keep_going)


@dataclasses.dataclass
class A2CConfig(AgentConfig):
    """``train a2c``: synchronous advantage actor-critic, ``envs``
    environments side by side, ``n_steps``-step rollouts."""
    model: ClassVar[str] = "a2c"
    entropy: float = option(0.01, "entropy bonus coefficient (default: %(default)s)",
                            checks.non_negative_float)
    max_grad: float = option(1.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    out: str = option(os.path.join("runs", "a2c"), "output folder", setting=False)
    envs: int = option(8, "environments side by side", checks.positive_int)
    n_steps: int = option(5, "rollout length per update", checks.positive_int)
    value_coef: float = option(0.5, "weight of the value (critic) loss",
                               checks.non_negative_float)

    def loop(self, agent, trainer, env):
        envs = [open_env(self) for _ in range(self.envs)]
        return A2CLoop(agent, trainer, envs, episodes=self.episodes, n_steps=self.n_steps,
                       gamma=self.gamma, value_coef=self.value_coef, entropy=self.entropy,
                       seed=self.seed, keep_going=self.keep_going)


CONFIGS = {"reinforce": ReinforceConfig, "a2c": A2CConfig}
RESUME_RULE = ("--resume CKPT continues the run saved in CKPT: options left out take the "
               "values it recorded (checkpoints of earlier versions recorded none: pass the "
               "run's own --hidden and --env); a larger --episodes trains on. A REINFORCE "
               "run continues exactly; an A2C run restarts the episodes in progress.")
HELP = {"reinforce": "REINFORCE with a learned baseline (one update per --batch-episodes "
                     "episodes)",
        "a2c": "synchronous advantage actor-critic (--envs environments, --n-steps step "
               "rollouts)"}


def build_agent(name, kwargs):
    """A fresh ``name`` agent ("reinforce" or "a2c") with constructor ``kwargs``."""
    from autograd_nlp.models.actor_critic import ActorCritic
    from autograd_nlp.models.policy_gradient import ReinforceAgent
    return {"reinforce": ReinforceAgent, "a2c": ActorCritic}[name](**kwargs)


def open_env(config):
    """``config.env`` made by gymnasium; its absence is a UserError saying what to do."""
    try:
        return make_env(config.env)
    except MissingGymnasium as e:
        raise UserError(f"train: {e}") from None


def read_resumed(config):
    """The ``config.resume`` checkpoint, checked to be a readable checkpoint
    of this agent (before its settings are taken)."""
    saved = read_checkpoint(config.resume, f"train {config.model} --resume", "reinforcement")
    if saved["kind"] != config.model:
        raise UserError(f"train: {config.resume} is a {saved['kind']!r} checkpoint, not "
                        f"{config.model!r}")
    return saved


def check_resumed(saved, path, kwargs):
    """The resumed checkpoint holds this run's agent (``kwargs``) and an
    episode record."""
    if saved["meta"]["model_kwargs"] != kwargs:
        raise CheckpointError(f"cannot resume {path}: its agent is "
                              f"{saved['meta']['model_kwargs']}, this run builds {kwargs}; "
                              f"pass the run's own --hidden and --env")
    if not isinstance(saved["meta"].get("record"), dict):
        raise CheckpointError(f"cannot resume {path}: it holds no episode record "
                              f"(meta 'record'); the file is damaged or was edited")


def run(config, *, progress=True, callbacks=None):
    """Train ``config``'s agent (a ReinforceConfig or A2CConfig) until solved
    or out of episodes; then the greedy policy's returns, the checkpoint and
    the learning curve. Returns a Result (history: the episode record;
    metrics: the last window's mean return, when solved, the greedy returns)."""
    callbacks = callbacks or Callbacks()
    saved = read_resumed(config) if config.resume else None
    config = resolve(config)
    config.check_together()
    progress = progress and not config.quiet
    out = prepare_out_on_root(config.out, config, None)
    env = open_env(config)
    if not hasattr(env.action_space, "n"):
        raise UserError(f"train: {config.env} has a continuous action space "
                        f"({env.action_space}); these agents need discrete actions "
                        f"(e.g. CartPole-v1)")
    seed_everything(config.seed)
    kwargs = dict(obs_size=int(np.prod(env.observation_space.shape)),
                  n_actions=int(env.action_space.n), hidden_size=config.hidden)
    agent = build_agent(config.model, kwargs)
    optimizer = optim.Adam(agent.params(), lr=config.lr)
    trainer = Trainer(agent, optimizer, max_grad=config.max_grad)
    record = EpisodeRecord(config.window, config.target)
    checkpoint = os.path.join(out, "checkpoint.npz")
    meta = {"model": config.model, "model_kwargs": kwargs, "env": config.env,
            "gamma": config.gamma, "seed": config.seed, "settings": config.settings()}
    if saved is not None:
        check_resumed(saved, config.resume, kwargs)
        record.load_meta(restore_for_resume(saved, config.resume, agent, optimizer)["record"])
        print(f"resumed from {config.resume}: {len(record.returns)} episodes done")
    print(f"{config.model} on {config.env}: {agent.num_params():,} parameters, "
          f"Adam lr {config.lr}, gamma {config.gamma}; solved at a mean return >= "
          f"{config.target:g} over {config.window} episodes")

    def save():
        save_checkpoint(checkpoint, agent, optimizer, {**meta, "record": record.to_meta()})

    bar = Progress(config.episodes, config.model, enabled=progress)
    bar.count = len(record.returns)

    def on_episode(rec):
        bar.update(1, ret=rec.returns[-1], mean=rec.recent_mean())
        if rec.solved_at == len(rec.returns):
            bar.close()
            print(f"solved after {rec.solved_at} episodes, {format_duration(rec.solved_seconds)}"
                  f" of training ({rec.solved_seconds:.1f} s): mean return "
                  f"{rec.window_mean():.1f} over the last {rec.window}")
        if config.checkpoint_every and len(rec.returns) % config.checkpoint_every == 0:
            save()

    config.loop(agent, trainer, env).run(record, on_episode)
    bar.close()
    save()
    metrics = {"mean return": record.recent_mean(), "solved at": record.solved_at}
    if record.solved_at is None:
        print(f"not solved in {len(record.returns)} episodes ({format_duration(record.elapsed)}"
              f"): mean return of the last {min(config.window, len(record.returns))} episodes "
              f"{record.recent_mean():.1f} (target {config.target:g})")
    if config.eval_episodes:
        mean, low = evaluate_greedy(agent, env, config.eval_episodes,
                                    greedy_evaluation_seed(config.seed, config.eval_episodes))
        print(f"greedy policy on {config.eval_episodes} fresh episodes: mean return "
              f"{mean:.1f}, min {low:.0f}")
        metrics.update({"greedy mean return": mean, "greedy min return": low})
        if callbacks.on_test is not None:
            callbacks.on_test("greedy mean return", mean)
    paths = {"checkpoint": checkpoint,
             "curve": save_learning_curve(os.path.join(out, "returns.png"), record,
                                          f"{config.model} on {config.env}")}
    print("wrote: " + ", ".join(p for p in paths.values() if p))
    return Result(agent, record.to_meta(), metrics, {k: v for k, v in paths.items() if v},
                  config, trainer)

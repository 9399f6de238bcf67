"""``autograd-nlp train reinforce|a2c``: policy-gradient agents on CartPole.

The environment comes from gymnasium (``pip install gymnasium`` or
``pip install .[rl]``). Training stops when the task is solved: the mean
return of the last ``--window`` episodes reaches ``--target`` (CartPole-v1:
475 over 100 consecutive episodes), or after ``--episodes`` episodes.

Every episode is reset with its own seed (``--seed`` and its number), so a
run is repeatable and ``--resume`` of a REINFORCE run continues exactly; an
A2C resume restarts the episodes that were in progress.
"""
import os
import time

import numpy as np

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.loading.checkpoint_kind import read_checkpoint
from autograd_nlp.commands.common import (add_out_options, non_negative_float,
                                          non_negative_int, positive_float, positive_int,
                                          prepare_out, seed_everything, unit_interval)
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.training import Progress, format_duration, save_checkpoint, save_curves
from autograd_nlp.training.trainer import Trainer, restore_for_resume

DEFAULTS = {
    "reinforce": dict(episodes=3000, lr=1e-3, hidden=128, help="REINFORCE with a learned "
                      "baseline (one update per --batch-episodes episodes)"),
    "a2c": dict(episodes=3000, lr=1e-3, hidden=128, help="synchronous advantage "
                "actor-critic (--envs environments, --n-steps step rollouts)"),
}
SEED_STRIDE = 1_000_003        # episode k of seed s is reset with s * SEED_STRIDE + k


class MissingGymnasium(RuntimeError):
    pass


def add_train_parsers(train_sub):
    for name, d in DEFAULTS.items():
        p = train_sub.add_parser(name, help=f"{d['help']} on a gymnasium environment")
        p.add_argument("--env", default="CartPole-v1", help="gymnasium id (default: %(default)s)")
        p.add_argument("--episodes", type=positive_int, default=d["episodes"],
                       help="stop after this many episodes if not solved (default: %(default)s)")
        p.add_argument("--target", type=non_negative_float, default=475.0,
                       help="solved when the mean return of the last --window episodes "
                       "reaches this (default: %(default)s, CartPole-v1's threshold)")
        p.add_argument("--window", type=positive_int, default=100, help="episodes in the moving average that decides 'solved'")
        p.add_argument("--keep-going", action="store_true",
                       help="train all --episodes even after solving")
        p.add_argument("--hidden", type=positive_int, default=d["hidden"], help="hidden units")
        p.add_argument("--lr", type=positive_float, default=d["lr"], help="learning rate")
        p.add_argument("--gamma", type=unit_interval, default=0.99,
                       help="discount factor, in [0, 1]")
        p.add_argument("--entropy", type=non_negative_float, default=0.01 if name == "a2c" else 0.0,
                       help="entropy bonus coefficient (default: %(default)s)")
        p.add_argument("--max-grad", type=positive_float, default=1.0 if name == "a2c" else None, help="clip the gradients' global norm to this (default: none for reinforce, no clipping)")
        if name == "reinforce":
            p.add_argument("--batch-episodes", type=positive_int, default=1,
                           help="episodes per policy update (default: %(default)s)")
        else:
            p.add_argument("--envs", type=positive_int, default=8,
                           help="environments side by side")
            p.add_argument("--n-steps", type=positive_int, default=5,
                           help="rollout length per update")
            p.add_argument("--value-coef", type=non_negative_float, default=0.5, help="weight of the value (critic) loss")
        p.add_argument("--eval-episodes", type=non_negative_int, default=100,
                       help="after training, run the greedy policy on this many fresh "
                       "episodes (default: %(default)s; 0: skip)")
        add_out_options(p, os.path.join("runs", name))
        p.add_argument("--seed", type=non_negative_int, default=1, help="random seed")
        p.add_argument("--resume", default=None, metavar="CKPT", help="continue the run saved in this checkpoint (default: start anew)")
        p.add_argument("--checkpoint-every", type=positive_int, default=100, metavar="EPISODES",
                       help="checkpoint every N episodes (default: %(default)s)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")
        p.set_defaults(run=train, agent_name=name)


def make_env(env_id):
    """A gymnasium environment; MissingGymnasium says how to install it."""
    try:
        import gymnasium
    except ImportError:
        raise MissingGymnasium("gymnasium is not installed: pip install gymnasium "
                               "(or pip install .[rl])") from None
    try:
        return gymnasium.make(env_id)
    except Exception as e:  # gymnasium raises several kinds for an unknown id
        raise MissingGymnasium(f"gymnasium cannot make {env_id!r}: {e}") from None


def build_agent(name, kwargs):
    from models.actor_critic import ActorCritic
    from models.policy_gradient import ReinforceAgent
    return {"reinforce": ReinforceAgent, "a2c": ActorCritic}[name](**kwargs)


# --- the run's record ----------------------------------------------------------------
class Record:
    """Episode returns, the running window mean, when the task was solved, and
    the training time; all saved in a checkpoint's meta."""

    def __init__(self, window, target):
        self.window, self.target = window, target
        self.returns, self.seconds = [], []
        self.solved_at, self.solved_seconds = None, None
        self.elapsed = 0.0
        self.updates = 0

    def add(self, episode_return, elapsed):
        self.returns.append(float(episode_return))
        self.seconds.append(round(elapsed, 3))
        if self.solved_at is None and self.window_mean() >= self.target:
            self.solved_at, self.solved_seconds = len(self.returns), elapsed

    def window_mean(self):
        if len(self.returns) < self.window:
            return -np.inf
        return float(np.mean(self.returns[-self.window:]))

    def recent_mean(self):
        return float(np.mean(self.returns[-self.window:])) if self.returns else 0.0

    def to_meta(self):
        return {"returns": self.returns, "seconds": self.seconds, "solved_at": self.solved_at,
                "solved_seconds": self.solved_seconds, "elapsed": self.elapsed,
                "updates": self.updates}

    def load_meta(self, meta):
        for key, value in meta.items():
            setattr(self, key, value)


def moving_mean(values, window):
    """Mean of the last ``window`` values at each position (fewer at the start)."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=np.float64), 0, 0.0))
    k = np.arange(1, len(values) + 1)
    lo = np.maximum(k - window, 0)
    return (c[k] - c[lo]) / (k - lo)


def save_learning_curve(path, record, title):
    n = len(record.returns)
    episodes = list(range(1, n + 1))
    curves = {"episode return": (episodes, record.returns),
              f"mean of last {record.window}": (episodes,
                                                moving_mean(record.returns, record.window))}
    if n:
        curves[f"target {record.target:g}"] = ([1, n], [record.target, record.target])
    return save_curves(path, curves, "episode", "return", title=title)


# --- rollouts -------------------------------------------------------------------------
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
    """Mean and min return of the greedy policy over ``episodes`` fresh episodes."""
    returns = [run_episode(env, agent, None, seed + k, greedy=True)[2].sum()
               for k in range(episodes)]
    return float(np.mean(returns)), float(np.min(returns))


class ReinforceLoop:
    """Monte-Carlo episodes, one update per ``batch_episodes`` of them."""

    def __init__(self, agent, trainer, env, args):
        self.agent, self.trainer, self.env, self.args = agent, trainer, env, args

    def run(self, record, on_episode):
        from models.policy_gradient import discounted_returns
        args, rng = self.args, ag_random.get_rng()
        while len(record.returns) < args.episodes and not self.done(record):
            batch = []
            start = time.perf_counter()
            for _ in range(min(args.batch_episodes, args.episodes - len(record.returns))):
                seed = args.seed * SEED_STRIDE + len(record.returns) + len(batch)
                batch.append(run_episode(self.env, self.agent, rng, seed))
            obs, actions, returns = [], [], []
            for o, a, r, last_obs, terminated in batch:
                bootstrap = 0.0 if terminated else float(self.agent.values(last_obs[None])[0])
                obs.append(o)
                actions.append(a)
                returns.append(discounted_returns(r, args.gamma, bootstrap))
            policy_loss, value_loss, entropy = self.agent.losses(
                np.concatenate(obs), np.concatenate(actions), np.concatenate(returns))
            loss = policy_loss + value_loss - args.entropy * entropy
            self.trainer.update(loss)
            record.updates += 1
            record.elapsed += time.perf_counter() - start
            for episode in batch:
                record.add(episode[2].sum(), record.elapsed)
                on_episode(record)

    def done(self, record):
        return record.solved_at is not None and not self.args.keep_going


class A2CLoop:
    """``envs`` environments stepped together; one update per ``n_steps``."""

    def __init__(self, agent, trainer, env_id, args):
        self.agent, self.trainer, self.args = agent, trainer, args
        self.envs = [make_env(env_id) for _ in range(args.envs)]
        self.started = 0           # episodes begun, for their seeds

    def reset(self, i):
        seed = self.args.seed * SEED_STRIDE + self.started
        self.started += 1
        return self.envs[i].reset(seed=seed)[0]

    def run(self, record, on_episode):
        from models.actor_critic import n_step_targets
        args, rng, agent = self.args, ag_random.get_rng(), self.agent
        self.started = len(record.returns)
        obs = np.array([self.reset(i) for i in range(len(self.envs))], dtype=np.float32)
        running = np.zeros(len(self.envs))
        while len(record.returns) < args.episodes and not (
                record.solved_at is not None and not args.keep_going):
            start = time.perf_counter()
            shape = (args.n_steps, len(self.envs))
            all_obs = np.empty(shape + obs.shape[1:], dtype=np.float32)
            actions = np.empty(shape, dtype=np.int64)
            rewards, dones = np.zeros(shape), np.zeros(shape, dtype=bool)
            bootstrap = np.zeros(shape)
            finished, cut_off = [], []      # returns of ended episodes; (t, i, final obs)
            for t in range(args.n_steps):
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
            targets = n_step_targets(rewards, dones, bootstrap, args.gamma)
            loss, _ = agent.loss(all_obs.reshape(-1, obs.shape[1]), actions.reshape(-1),
                                 targets.reshape(-1), args.value_coef, args.entropy)
            self.trainer.update(loss)
            record.updates += 1
            record.elapsed += time.perf_counter() - start
            for episode_return in finished:
                if len(record.returns) < args.episodes:
                    record.add(episode_return, record.elapsed)
                    on_episode(record)


# --- the command ----------------------------------------------------------------------

def read_resume(args, kwargs):
    """The --resume checkpoint of this agent, checked: readable, this agent's
    kind and sizes, with its episode record."""
    saved = read_checkpoint(args.resume, f"train {args.agent_name} --resume", "reinforcement")
    kind = saved["kind"]
    if kind != args.agent_name:
        raise UserError(f"train: {args.resume} is a {kind!r} checkpoint, not "
                        f"{args.agent_name!r}")
    if saved["meta"]["model_kwargs"] != kwargs:
        raise CheckpointError(f"cannot resume {args.resume}: its agent is "
                              f"{saved['meta']['model_kwargs']}, this run builds {kwargs}; "
                              f"pass the run's own --hidden and --env")
    if not isinstance(saved["meta"].get("record"), dict):
        raise CheckpointError(f"cannot resume {args.resume}: it holds no episode record "
                              f"(meta 'record'); the file is damaged or was edited")
    return saved


def train(args):
    if args.episodes < 1 or args.window < 1:
        raise UserError(f"train: --episodes and --window must be >= 1, got {args.episodes}, "
                        f"{args.window}")
    out = prepare_out(args.out, args)
    try:
        env = make_env(args.env)
    except MissingGymnasium as e:
        raise UserError(f"train: {e}") from None
    if not hasattr(env.action_space, "n"):
        raise UserError(f"train: {args.env} has a continuous action space "
                        f"({env.action_space}); these agents need discrete actions "
                        f"(e.g. CartPole-v1)")
    seed_everything(args.seed)
    kwargs = dict(obs_size=int(np.prod(env.observation_space.shape)),
                  n_actions=int(env.action_space.n), hidden_size=args.hidden)
    agent = build_agent(args.agent_name, kwargs)
    optimizer = optim.Adam(agent.params(), lr=args.lr)
    trainer = Trainer(agent, optimizer, max_grad=args.max_grad)
    record = Record(args.window, args.target)
    checkpoint = os.path.join(out, "checkpoint.npz")
    meta = {"model": args.agent_name, "model_kwargs": kwargs, "env": args.env,
            "gamma": args.gamma, "seed": args.seed}
    if args.resume:
        saved = read_resume(args, kwargs)
        record.load_meta(restore_for_resume(saved, args.resume, agent, optimizer)["record"])
        print(f"resumed from {args.resume}: {len(record.returns)} episodes done")
    print(f"{args.agent_name} on {args.env}: {agent.num_params():,} parameters, "
          f"Adam lr {args.lr}, gamma {args.gamma}; solved at a mean return >= "
          f"{args.target:g} over {args.window} episodes")

    def save():
        save_checkpoint(checkpoint, agent, optimizer, {**meta, "record": record.to_meta()})

    bar = Progress(args.episodes, args.agent_name, enabled=not args.quiet)
    bar.count = len(record.returns)

    def on_episode(rec):
        bar.update(1, ret=rec.returns[-1], mean=rec.recent_mean())
        if rec.solved_at == len(rec.returns):
            bar.close()
            print(f"solved after {rec.solved_at} episodes, {format_duration(rec.solved_seconds)}"
                  f" of training ({rec.solved_seconds:.1f} s): mean return "
                  f"{rec.window_mean():.1f} over the last {rec.window}")
        if args.checkpoint_every and len(rec.returns) % args.checkpoint_every == 0:
            save()

    if args.agent_name == "reinforce":
        loop = ReinforceLoop(agent, trainer, env, args)
    else:
        loop = A2CLoop(agent, trainer, args.env, args)
    loop.run(record, on_episode)
    bar.close()
    save()
    if record.solved_at is None:
        print(f"not solved in {len(record.returns)} episodes ({format_duration(record.elapsed)}"
              f"): mean return of the last {min(args.window, len(record.returns))} episodes "
              f"{record.recent_mean():.1f} (target {args.target:g})")
    if args.eval_episodes:
        mean, low = evaluate_greedy(agent, env, args.eval_episodes, seed=(args.seed + 1)
                                    * SEED_STRIDE - args.eval_episodes)
        print(f"greedy policy on {args.eval_episodes} fresh episodes: mean return "
              f"{mean:.1f}, min {low:.0f}")
    written = [checkpoint]
    curve = save_learning_curve(os.path.join(out, "returns.png"), record,
                                f"{args.agent_name} on {args.env}")
    written += [curve] if curve else []
    print("wrote: " + ", ".join(written))
    return 0

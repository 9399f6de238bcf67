"""The record of a reinforcement-learning run (``train reinforce|a2c``):
every episode's return and when it ended, the running mean that decides
"solved", the time and updates spent; saved in a checkpoint's meta
(``meta["record"]``) so a resumed run goes on counting, and drawn as the
learning curve."""
import numpy as np

from autograd_nlp.training.plot import save_curves


class EpisodeRecord:
    """Episode returns, the running window mean, when the task was solved
    (the mean return of the last ``window`` episodes reached ``target``),
    and the training time; all saved in a checkpoint's meta."""

    def __init__(self, window, target):
        self.window, self.target = window, target
        self.returns, self.seconds = [], []
        self.solved_at, self.solved_seconds = None, None
        self.elapsed = 0.0
        self.updates = 0

    def add(self, episode_return, elapsed):
        """One finished episode's return, ``elapsed`` seconds of training in."""
        self.returns.append(float(episode_return))
        self.seconds.append(round(elapsed, 3))
        if self.solved_at is None and self.window_mean() >= self.target:
            self.solved_at, self.solved_seconds = len(self.returns), elapsed

    def window_mean(self):
        """The mean return of the last ``window`` episodes (-inf before there are as many)."""
        if len(self.returns) < self.window:
            return -np.inf
        return float(np.mean(self.returns[-self.window:]))

    def recent_mean(self):
        """The mean return of the last ``window`` episodes, or of those there are."""
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
    """Each episode's return, their running mean and the target, per episode."""
    n = len(record.returns)
    episodes = list(range(1, n + 1))
    curves = {"episode return": (episodes, record.returns),
              f"mean of last {record.window}": (episodes,
                                                moving_mean(record.returns, record.window))}
    if n:
        curves[f"target {record.target:g}"] = ([1, n], [record.target, record.target])
    return save_curves(path, curves, "episode", "return", title=title)

"""What a recipe's ``run`` returns, and the callbacks a caller may pass it."""
import dataclasses
from typing import Any, Callable, Optional


@dataclasses.dataclass
class Callbacks:
    """Hooks into a running recipe (``autograd-nlp tune`` uses them):
    ``on_epoch(trainer, results)`` after every epoch (results: that epoch's
    metrics; the trainer's ``stop`` ends the run early), ``on_test(name,
    value)`` with the final test score."""
    on_epoch: Optional[Callable] = None
    on_test: Optional[Callable] = None


@dataclasses.dataclass
class Result:
    """A finished run: ``model`` (the trained Module), ``history`` (the
    trainer's per-epoch record), ``metrics`` (final scores by name, e.g.
    {"test accuracy": 0.99}), ``paths`` (files written, by what they are:
    "checkpoint", "curve", ...), ``config`` (the settings in use, after
    ``--resume`` filled in the recorded ones) and ``trainer``."""
    model: Any
    history: dict
    metrics: dict
    paths: dict
    config: Any
    trainer: Any = None

    @property
    def checkpoint(self):
        """The run's checkpoint file (None if it wrote none)."""
        return self.paths.get("checkpoint")

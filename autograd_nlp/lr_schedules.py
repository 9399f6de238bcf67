"""Learning-rate schedules: the lr as a function of the optimizer's step.

A schedule attaches itself to an optimizer; every ``optimizer.update()`` then
sets ``optimizer.lr = schedule.lr_at(optimizer.steps_taken)`` before the step.
The position is the optimizer's own ``steps_taken`` counter, which checkpoints already
save, so a resumed run continues the schedule exactly; nothing else to store
(``state_dict`` lists the settings, for a checkpoint's meta).

    opt = optim.Adam(model.params())
    optim.WarmupInverseSqrt(opt, peak_lr=1e-3, warmup_steps=400)
    for xs, ts in batches: ...; opt.update()      # lr follows the schedule
"""
import math


class LRSchedule:
    """Base: subclasses define ``lr_at(step)`` for steps 1, 2, ... (the
    first update is step 1)."""

    def __init__(self, optimizer):
        if getattr(optimizer, "schedule", None) is not None:
            raise ValueError(f"{type(self).__name__}: the optimizer already follows "
                             f"{type(optimizer.schedule).__name__}; one schedule per optimizer")
        self.optimizer = optimizer
        optimizer.schedule = self
        optimizer.lr = self.lr_at(optimizer.steps_taken + 1)   # what the next update will use

    def lr_at(self, step):
        raise NotImplementedError

    def state_dict(self):
        """The schedule's settings (JSON-able), e.g. for a checkpoint's meta."""
        return {"schedule": type(self).__name__,
                **{k: v for k, v in vars(self).items() if k != "optimizer"}}

    def detach(self):
        """Stop following the schedule (the lr keeps its last value)."""
        self.optimizer.schedule = None


def _check_positive(name, **values):
    for key, value in values.items():
        if value <= 0:
            raise ValueError(f"{name}: {key} must be > 0, got {value}")


class WarmupInverseSqrt(LRSchedule):
    """Linear warm-up to ``peak_lr`` over ``warmup_steps``, then decay as
    1/sqrt(step): ``peak_lr * min(step / warmup, sqrt(warmup / step))``.
    With peak_lr = d_model^-0.5 * warmup^-0.5 this is Vaswani et al.'s
    schedule (``noam``)."""

    def __init__(self, optimizer, peak_lr, warmup_steps):
        _check_positive("WarmupInverseSqrt", peak_lr=peak_lr, warmup_steps=warmup_steps)
        self.peak_lr, self.warmup_steps = peak_lr, warmup_steps
        super().__init__(optimizer)

    @classmethod
    def noam(cls, optimizer, d_model, warmup_steps=4000, factor=1.0):
        """``factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)``."""
        return cls(optimizer, factor / math.sqrt(d_model * warmup_steps), warmup_steps)

    def lr_at(self, step):
        step = max(step, 1)
        return self.peak_lr * min(step / self.warmup_steps,
                                  math.sqrt(self.warmup_steps / step))


class WarmupCosine(LRSchedule):
    """Linear warm-up to ``peak_lr`` over ``warmup_steps``, then half a
    cosine down to ``min_lr`` at ``total_steps``; ``min_lr`` after that."""

    def __init__(self, optimizer, peak_lr, total_steps, warmup_steps=0, min_lr=0.0):
        _check_positive("WarmupCosine", peak_lr=peak_lr, total_steps=total_steps)
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"WarmupCosine: warmup_steps must be in [0, total_steps="
                             f"{total_steps}), got {warmup_steps}")
        self.peak_lr, self.total_steps = peak_lr, total_steps
        self.warmup_steps, self.min_lr = warmup_steps, min_lr
        super().__init__(optimizer)

    def lr_at(self, step):
        if self.warmup_steps and step <= self.warmup_steps:
            return self.peak_lr * step / self.warmup_steps
        if step >= self.total_steps:
            return self.min_lr
        progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        cosine = 0.5 * (1 + math.cos(math.pi * progress))      # 1 -> 0
        return self.min_lr + (self.peak_lr - self.min_lr) * cosine


class LinearDecay(LRSchedule):
    """word2vec's schedule: ``peak_lr`` at the first step, falling linearly
    to ``min_lr`` at ``total_steps`` (and ``min_lr`` after that)."""

    def __init__(self, optimizer, peak_lr, total_steps, min_lr=0.0):
        _check_positive("LinearDecay", peak_lr=peak_lr, total_steps=total_steps)
        if not 0 <= min_lr <= peak_lr:
            raise ValueError(f"LinearDecay: min_lr must be in [0, peak_lr={peak_lr}], "
                             f"got {min_lr}")
        self.peak_lr, self.total_steps, self.min_lr = peak_lr, total_steps, min_lr
        super().__init__(optimizer)

    def lr_at(self, step):
        progress = min(max(step - 1, 0) / self.total_steps, 1.0)
        return self.peak_lr + (self.min_lr - self.peak_lr) * progress


SCHEDULES = {"inverse-sqrt": WarmupInverseSqrt, "cosine": WarmupCosine}

"""The search loop: draw a setting, run a trial, record it, until N trials
are done or the time budget is spent.

Two samplers search the same ``ParamSpec`` space:

- ``"optuna"`` (when Optuna is installed, ``pip install autograd-nlp[tune]``):
  TPE, and Optuna's median pruner fed with each epoch's validation score.
- ``"random"``: independent draws, trial n's setting from (seed, n) alone,
  and the same median rule written here (``MedianRule``).

Either way the trial log (``TrialLog``) is the memory: finished trials are
replayed into a fresh Optuna study on resume, so an interrupted search goes on
from where it stopped. ``objective(number, params, report)`` runs one trial
and returns its score; ``report(epoch, score)`` raises ``TrialPruned`` when the
trial is hopeless; ``TrialFailed`` marks a trial that could not finish.
"""
import math
import statistics
import time

from autograd_nlp.tuning.space import sample_space, trial_rng


class TrialPruned(Exception):
    """Raised by ``report`` when a trial's scores so far are hopeless."""


class TrialFailed(Exception):
    """Raised by an objective whose trial could not finish (e.g. diverged)."""


def optuna_available():
    try:
        import optuna  # noqa: F401
        return True
    except ImportError:
        return False


def warmup_epochs(epochs):
    """The first epoch at which pruning may stop a trial: a quarter of the
    epochs in (early scores of seq2seq models are all near 0 and say little)."""
    return max(1, epochs // 4)


class MedianRule:
    """Prune a trial at epoch e >= ``warmup`` when its score is worse than
    the median of the finished trials' scores at epoch e (once ``startup``
    trials have finished): the rule of Optuna's MedianPruner
    (``n_warmup_steps=warmup``), for the built-in sampler."""

    def __init__(self, direction, warmup, startup=2):
        self.sign = 1 if direction == "maximize" else -1
        self.warmup, self.startup = warmup, startup

    def should_prune(self, epoch, score, trials):
        if epoch < self.warmup:
            return False
        others = [t["epoch_scores"][epoch - 1] for t in trials
                  if t["state"] == "complete" and len(t["epoch_scores"]) >= epoch]
        if len(others) < self.startup:
            return False
        return self.sign * score < self.sign * statistics.median(others)


class RandomSampler:
    name = "random"

    def __init__(self, specs, log, seed, warmup):
        self.specs, self.log, self.seed = specs, log, seed
        self.rule = MedianRule(log.search["direction"], warmup)

    def ask(self, number):
        params = sample_space(self.specs, trial_rng(self.seed, number))
        log = self.log

        def report(epoch, score):
            if self.rule.should_prune(epoch, score, log.trials):
                raise TrialPruned(f"epoch {epoch}: below the median of finished trials")
        return params, report

    def tell(self, state, value):
        pass


class OptunaSampler:
    name = "optuna"

    def __init__(self, specs, log, seed, warmup, n_trials):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.distributions = {s.dest: s.distribution() for s in specs}
        startup = min(10, max(3, n_trials // 3))
        self.study = optuna.create_study(
            direction=log.search["direction"],
            sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup),
            pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=warmup))
        for t in log.trials:            # replay what earlier sessions found
            self.study.add_trial(self._frozen(t))
        self.trial = None

    def _frozen(self, t):
        state = {"complete": "COMPLETE", "pruned": "PRUNED", "failed": "FAIL"}[t["state"]]
        TrialState = self.optuna.trial.TrialState
        return self.optuna.trial.create_trial(
            params=t["params"], distributions=self.distributions,
            value=t["value"] if t["state"] == "complete" else None,
            state=getattr(TrialState, state),
            intermediate_values={i + 1: s for i, s in enumerate(t["epoch_scores"])
                                 if s is not None and math.isfinite(s)})

    def ask(self, number):
        self.trial = trial = self.study.ask(self.distributions)

        def report(epoch, score):
            if score is None or not math.isfinite(score):
                return
            trial.report(score, epoch)
            if trial.should_prune():
                raise TrialPruned(f"epoch {epoch}: Optuna's median pruner")
        return dict(trial.params), report

    def tell(self, state, value):
        TrialState = self.optuna.trial.TrialState
        if state == "complete":
            self.study.tell(self.trial, value)
        else:
            self.study.tell(self.trial, state=TrialState.PRUNED if state == "pruned"
                            else TrialState.FAIL)


def make_sampler(kind, specs, log, seed, warmup, n_trials):
    """``kind`` "auto" (Optuna if installed, else random), "optuna" or "random"."""
    if kind == "auto":
        kind = "optuna" if optuna_available() else "random"
    if kind == "optuna":
        return OptunaSampler(specs, log, seed, warmup, n_trials)
    return RandomSampler(specs, log, seed, warmup)


def run_search(objective, sampler, log, n_trials, budget_seconds=None, clock=None,
               say=print):
    """Run trials until ``n_trials`` are finished in ``log`` (any state) or
    ``budget_seconds`` of this session are spent (no trial starts after
    that; ``clock`` defaults to ``time.monotonic``). Returns True when the
    search is complete."""
    clock = clock or time.monotonic
    start = clock()
    while len(log.trials) < n_trials:
        if budget_seconds is not None and clock() - start >= budget_seconds:
            say(f"time budget spent: {len(log.trials)} of {n_trials} trials finished; run "
                f"the same command again to continue")
            return False
        number = log.next_number()
        params, report = sampler.ask(number)
        state, value, scores, seconds, note = run_one(objective, number, params, report, clock)
        sampler.tell(state, value)
        log.add(number, params, state, value, scores, seconds, sampler.name, note)
        say(trial_line(log.trials[-1], n_trials, log.search["metric"]))
    return True


def run_one(objective, number, params, report, clock=None):
    """Run trial ``number`` with ``params``: ``objective(number, params,
    record)``, where ``record(epoch, score)`` keeps the score and passes it
    to ``report`` (which may raise ``TrialPruned``). Returns (state, value,
    epoch scores, seconds, note): "complete" with a finite value, "pruned"
    with its last score, or "failed" (``TrialFailed``, or no finite score);
    non-finite scores are None. Other exceptions (an interrupt) pass through."""
    clock = clock or time.monotonic
    scores = []

    def record(epoch, score):
        scores.append(score)
        report(epoch, score)

    began = clock()
    note = ""
    try:
        value = objective(number, params, record)
        state = "complete"
        if value is None or not math.isfinite(value):
            state, note = "failed", f"no finite validation score ({value})"
    except TrialPruned as e:
        state, value, note = "pruned", (scores[-1] if scores else None), str(e)
    except TrialFailed as e:
        state, value, note = "failed", None, str(e)
    if value is not None and not math.isfinite(value):
        value = None
    scores = [s if s is not None and math.isfinite(s) else None for s in scores]
    return state, value, scores, clock() - began, note


def trial_line(t, n_trials, metric, finished=None):
    """One line per finished trial, as the search goes; ``finished``: how
    many trials the (shared) study holds now, when numbers are not a count."""
    params = ", ".join(f"{k} {format_value(v)}" for k, v in t["params"].items())
    shown = "-" if t["value"] is None else format_score(metric, t["value"])
    where = (f"{t['number'] + 1}/{n_trials}" if finished is None
             else f"{t['number'] + 1} ({finished}/{n_trials} finished)")
    return (f"trial {where}: {params} -> {t['state']}, {metric} {shown}"
            f" ({len(t['epoch_scores'])} epochs, {t['seconds']:.0f} s)"
            + (f" [{t['note']}]" if t["note"] else ""))


def format_value(v):
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def format_score(metric, value):
    return f"{100 * value:.2f}%" if "accuracy" in metric else f"{value:.2f}"

"""An Optuna sampler whose random numbers for trial n come from (seed, n).

Several ``tune`` processes started with the same ``--seed`` would otherwise
draw the same settings (each process's TPE or random sampler running the
same random stream), so their first trials would be duplicates of one
another. Seeding each trial by its number in the shared study (a number no
other process gets) keeps every trial's draw its own, and the search
reproducible trial by trial as far as a shared search can be.
"""
import numpy as np

try:
    from optuna.samplers import BaseSampler
except ImportError:          # Optuna is optional: this module is used only with it
    BaseSampler = object


def trial_seed(seed, number):
    """A 32-bit seed for trial ``number`` of a search seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


class TrialSeededSampler(BaseSampler):
    """Delegates to ``make(seed)`` (e.g. ``lambda s: TPESampler(seed=s)``),
    made afresh for each trial with ``trial_seed(seed, trial.number)``.
    Everything the inner sampler learns, it reads from the study."""

    def __init__(self, make, seed):
        self.make, self.seed = make, seed
        self.inner = make(seed)           # until the first trial says its number

    def before_trial(self, study, trial):
        self.inner = self.make(trial_seed(self.seed, trial.number))
        self.inner.before_trial(study, trial)

    def infer_relative_search_space(self, study, trial):
        return self.inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self.inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self.inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study, trial, state, values):
        self.inner.after_trial(study, trial, state, values)

    def reseed_rng(self):
        self.inner.reseed_rng()

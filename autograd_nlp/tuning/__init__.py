"""Hyperparameter search: a search space from the command line (``space``),
the search loop with Optuna's TPE or a built-in random search and median
pruning (``search``), the trial log that lets a search resume
(``trial_log``), and its table and plot (``report``). A search that many
processes share lives in an Optuna storage (``storage``): the study as the
trial log (``study_log``), trials claimed from it (``claim``) by the shared
loop (``shared_search``, imported on demand: it imports Optuna). The command
is ``autograd_nlp/commands/tune.py``; see docs/tuning.md."""
from autograd_nlp.tuning.report import save_score_plot, trial_table  # noqa: F401
from autograd_nlp.tuning.search import (MedianRule, TrialFailed, TrialPruned,  # noqa: F401
                                        make_sampler, optuna_available, run_search,
                                        warmup_epochs)
from autograd_nlp.tuning.space import (ParamSpec, SpaceError, parse_param,  # noqa: F401
                                       parse_space, sample_space, trial_rng)
from autograd_nlp.tuning.trial_log import TrialLog, TrialLogMismatch  # noqa: F401
from autograd_nlp.tuning.storage import StorageError  # noqa: F401
from autograd_nlp.tuning.study_log import StudyMismatch, default_study_name  # noqa: F401

"""The search loop of a study that several ``tune`` processes share
(``--storage URL``): each process claims trials from the study (``Claim``)
until the study holds N finished trials, so that between them they run N
trials, none twice and none lost, whenever and wherever they are started.

``open_shared_search`` opens (or creates) the study with its sampler (TPE or
random, seeded per trial: ``TrialSeededSampler``) and Optuna's median
pruner, which compares a trial with every process's trials.
``run_shared_search`` is ``run_search``'s counterpart: same objective, same
records, same budget rule; a trial interrupted here (Ctrl-C, an error) is
told FAIL without a record, and one left running by a process that stopped
answering (no heartbeat for ``STALE_SECONDS``) is declared interrupted by
the next process that looks; either way another trial takes its place.
"""
import time

from autograd_nlp.tuning.claim import Claim
from autograd_nlp.tuning.search import run_one, trial_line
from autograd_nlp.tuning.seeded_sampler import TrialSeededSampler
from autograd_nlp.tuning.storage import display, open_storage
from autograd_nlp.tuning.study_log import HEARTBEAT_SECONDS, STALE_SECONDS, StudyLog


def make_shared_sampler(kind, seed, n_trials):
    """("optuna" or "random", an Optuna sampler): TPE for "auto"/"optuna"
    (``constant_liar``: running trials count as bad guesses, so processes
    that ask at once spread out), Optuna's random sampler for "random"."""
    import optuna
    if kind == "random":
        return "random", TrialSeededSampler(lambda s: optuna.samplers.RandomSampler(seed=s),
                                            seed)
    startup = min(10, max(3, n_trials // 3))
    return "optuna", TrialSeededSampler(
        lambda s: optuna.samplers.TPESampler(seed=s, n_startup_trials=startup,
                                             constant_liar=True), seed)


def open_shared_search(url, name, search, path, sampler_kind, seed, warmup, n_trials):
    """(``StudyLog`` of study ``name`` in ``--storage url``, the sampler's
    name). Raises ``StorageError`` (the URL) or ``StudyMismatch`` (the study
    or ``path`` holds another search)."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(url)
    sampler_name, sampler = make_shared_sampler(sampler_kind, seed, n_trials)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=warmup)
    log = StudyLog.open(storage, display(url), name, search, path, sampler, pruner)
    return log, sampler_name


def run_shared_search(objective, log, specs, n_trials, sampler_name, budget_seconds=None,
                      clock=None, say=print, stale_seconds=STALE_SECONDS,
                      heartbeat_seconds=HEARTBEAT_SECONDS):
    """Claim and run trials of ``log``'s study until it holds ``n_trials``
    finished ones (returns True), or until the places left are all taken by
    trials running in other processes, or ``budget_seconds`` of this session
    are spent (returns False: the other processes finish the search, or the
    same command run again continues it)."""
    from optuna.trial import TrialState
    clock = clock or time.monotonic
    start = clock()
    distributions = {s.dest: s.distribution() for s in specs}
    metric = log.search["metric"]
    while True:
        for number in log.interrupted(stale_seconds=stale_seconds):
            log.study.tell(number, state=TrialState.FAIL, skip_if_finished=True)
            say(f"trial {number + 1} was interrupted (no word from its process for "
                f"{stale_seconds:.0f} s): it does not count, another trial takes its place")
        finished, running = log.places(stale_seconds=stale_seconds)
        if finished >= n_trials:
            return True
        if finished + running >= n_trials:
            say(f"{finished} of {n_trials} trials finished; the other {running} "
                + ("is running in another process, which finishes" if running == 1 else
                   "are running in other processes, which finish") + " the search")
            return False
        if budget_seconds is not None and clock() - start >= budget_seconds:
            say(f"time budget spent: {finished} of {n_trials} trials finished; run the same "
                f"command again to continue")
            return False
        claim = Claim.take(log, distributions, n_trials, sampler_name, stale_seconds,
                           heartbeat_seconds)
        if claim is None:                # another process took the last place first
            continue
        try:
            outcome = run_one(objective, claim.number, claim.params, claim.report, clock)
        except BaseException:
            claim.abandon()
            raise
        record = claim.finish(*outcome)
        if record is None:
            say(f"trial {claim.number + 1} was declared interrupted by another process "
                f"while it ran (its heartbeat was late): not counted")
            continue
        done = log.places(stale_seconds=stale_seconds)[0]
        say(trial_line({"number": claim.number, "params": claim.params, **record},
                       n_trials, metric, finished=done))
        log.save()

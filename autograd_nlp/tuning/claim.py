"""One trial of a shared study, claimed by this process: asked from the
study (which numbers it: no other process gets the number), checked
against the search's N places, kept alive by a heartbeat while it runs,
and recorded when it ends.

The check makes the count exact however many processes ask at once: trial
numbers are handed out in order by the storage, and trial n runs only if
fewer than N trials numbered below n take a place (``takes_a_place``);
otherwise it is surplus, told FAIL at once and never counted. Whether trial
n runs depends on the trials below it alone, so two processes can never
both take the last place, and none is left empty while both see it taken.
"""
import threading
import time

from autograd_nlp.tuning.search import TrialPruned
from autograd_nlp.tuning.study_log import (HEARTBEAT_KEY, HEARTBEAT_SECONDS, RECORD_KEY,
                                           STALE_SECONDS, SURPLUS_KEY, takes_a_place)


class Claim:
    """Trial ``trial`` (an Optuna ``Trial``) of ``log``'s study, run here."""

    def __init__(self, log, trial, sampler_name, heartbeat_seconds=HEARTBEAT_SECONDS):
        self.log, self.trial, self.sampler_name = log, trial, sampler_name
        self.number, self.params = trial.number, dict(trial.params)
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, args=(heartbeat_seconds,),
                                      name=f"tune-heartbeat-{self.number}", daemon=True)
        self._beat.start()

    @classmethod
    def take(cls, log, distributions, n_trials, sampler_name, stale_seconds=STALE_SECONDS,
             heartbeat_seconds=HEARTBEAT_SECONDS):
        """A new trial of the study with a place among the first ``n_trials``,
        or None when the places were all taken (the trial asked for is then
        surplus: told FAIL, marked, never counted)."""
        from optuna.trial import TrialState
        study = log.study
        trial = study.ask(distributions)
        trial.set_user_attr(HEARTBEAT_KEY, time.time())
        now = time.time()
        below = sum(1 for t in study.get_trials(deepcopy=False)
                    if t.number < trial.number and takes_a_place(t, now, stale_seconds))
        if below >= n_trials:
            trial.set_user_attr(SURPLUS_KEY, True)
            study.tell(trial, state=TrialState.FAIL)
            return None
        return cls(log, trial, sampler_name, heartbeat_seconds)

    def _heartbeat(self, seconds):
        while not self._stop.wait(seconds):
            try:
                self.trial.set_user_attr(HEARTBEAT_KEY, time.time())
            except Exception:        # a storage hiccup: the next beat tries again
                pass

    def _silence(self):
        self._stop.set()
        self._beat.join()

    def report(self, epoch, score):
        """An epoch's validation score: to the study (Optuna's median pruner
        compares it with every process's trials); ``TrialPruned`` if hopeless."""
        if score is None or score != score or score in (float("inf"), float("-inf")):
            return
        self.trial.report(score, epoch)
        if self.trial.should_prune():
            raise TrialPruned(f"epoch {epoch}: Optuna's median pruner")

    def finish(self, state, value, epoch_scores, seconds, note=""):
        """Record the finished trial in the study; returns its record, or None
        when another process had declared it interrupted meanwhile (then it
        does not count, and another trial takes its place)."""
        from optuna.trial import TrialState
        self._silence()
        record = {"state": state, "value": value, "epoch_scores": list(epoch_scores),
                  "seconds": round(seconds, 2), "sampler": self.sampler_name, "note": note}
        try:
            self.trial.set_user_attr(RECORD_KEY, record)
        except Exception:
            if self._finished_elsewhere():
                return None
            raise
        if state == "complete":
            self.log.study.tell(self.trial, value, skip_if_finished=True)
        else:
            self.log.study.tell(self.trial, state=TrialState.PRUNED if state == "pruned"
                                else TrialState.FAIL, skip_if_finished=True)
        return record

    def abandon(self):
        """The trial stops unfinished (an interrupt, an error): told FAIL
        without a record, so it does not count and another trial takes its place."""
        from optuna.trial import TrialState
        self._silence()
        try:
            self.log.study.tell(self.trial, state=TrialState.FAIL, skip_if_finished=True)
        except Exception:            # the storage is gone too: the heartbeat stops anyway
            pass

    def _finished_elsewhere(self):
        frozen = self.log.study.get_trials(deepcopy=False)
        return any(t.number == self.number and t.state.is_finished() for t in frozen)

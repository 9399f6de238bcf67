"""The search's memory: ``trials.json`` in the run folder, rewritten
atomically after every trial, so an interrupted search resumes where it was.

    {"search": {model, space, fixed, metric, direction, epochs, seed, ...},
     "trials": [{"number", "params", "state", "value", "epoch_scores",
                 "seconds", "sampler", "note"}, ...],
     "test": {"trial", "params", "metric", "value"} or null}

``state`` is "complete", "pruned" (stopped early by the pruner: a hopeless
trial) or "failed" (e.g. diverged: the note says why). A trial that was
running when the search stopped is not in the log: it runs again.
"""
import json
import os

from autograd_nlp.serialization import atomic_write

STATES = ("complete", "pruned", "failed")
ADJUSTABLE = ("trials", "budget_minutes", "sampler")   # may differ on resume


class TrialLogMismatch(ValueError):
    """The folder holds another search; the message names what differs."""


class TrialLog:
    """The trials of one search, in ``path`` (JSON). ``search`` describes the
    search (what it is made of); ``trials`` and ``test`` are its results."""

    shared = False          # one process's search (StudyLog: a study many processes share)

    def __init__(self, path, search):
        self.path, self.search = os.fspath(path), dict(search)
        self.trials, self.test = [], None

    @classmethod
    def open(cls, path, search):
        """The log at ``path`` if there is one (it must describe the same
        ``search``, else ``TrialLogMismatch``), else a new empty one."""
        log = cls(path, search)
        if not os.path.exists(path):
            return log
        try:
            with open(path, encoding="utf-8") as f:
                stored = json.load(f)
            theirs, trials = stored["search"], stored["trials"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise TrialLogMismatch(f"{path} is not a readable trial log ({e}); move it "
                                   f"away or use another --out") from None
        if isinstance(theirs, dict) and theirs.get("study") and "study" not in log.search:
            raise TrialLogMismatch(f"{path} is a copy of study {theirs['study']} in "
                                   f"{theirs.get('storage')}: add --storage URL --study "
                                   f"{theirs['study']} to continue that search, or use "
                                   f"another --out")
        ours = json.loads(json.dumps(log.search))
        differ = [k for k in sorted(set(ours) | set(theirs))
                  if k not in ADJUSTABLE and ours.get(k) != theirs.get(k)]
        if differ:
            shown = "; ".join(f"{k}: {theirs.get(k)!r} there, {ours.get(k)!r} now"
                              for k in differ)
            raise TrialLogMismatch(f"{path} holds another search ({shown}); run the same "
                                   f"command to resume it, or use another --out")
        log.trials, log.test = list(trials), stored.get("test")
        return log

    def save(self):
        data = {"search": self.search, "trials": self.trials, "test": self.test}
        atomic_write(self.path, lambda f: json.dump(data, f, indent=1, allow_nan=False),
                     text=True)

    def add(self, number, params, state, value, epoch_scores, seconds, sampler, note=""):
        """Record a finished trial and write the log."""
        if state not in STATES:
            raise ValueError(f"TrialLog.add: state {state!r} is not one of {STATES}")
        self.trials.append({"number": number, "params": params, "state": state,
                            "value": value, "epoch_scores": list(epoch_scores),
                            "seconds": round(seconds, 2), "sampler": sampler, "note": note})
        self.save()

    def record_test(self, number, params, metric, value):
        self.test = {"trial": number, "params": params, "metric": metric, "value": value}
        self.save()

    def finished(self, state="complete"):
        return [t for t in self.trials if t["state"] == state]

    def best(self):
        """The best complete trial (the search's direction), or None."""
        complete = self.finished()
        if not complete:
            return None
        sign = 1 if self.search["direction"] == "maximize" else -1
        return max(complete, key=lambda t: (sign * t["value"], -t["number"]))

    def claim_test(self, number, trial_dir):
        """Why this process does not test trial ``number`` (None: it does; the
        search folder is this process's alone)."""
        return None

    def next_number(self):
        return max((t["number"] for t in self.trials), default=-1) + 1

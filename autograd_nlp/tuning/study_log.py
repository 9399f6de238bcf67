"""A search kept in an Optuna study that several ``tune`` processes share
(``--storage``): the same reading interface as ``TrialLog`` (``search``,
``trials``, ``test``, ``best()``), so the trial table, the plot and the
test of the best setting work unchanged, whichever process asks.

What the study holds, besides Optuna's own records:

- study attribute ``autograd_nlp.search``: the search's definition (model,
  space, fixed options, metric, epochs, seed...): a process whose search
  differs is refused, naming what differs;
- study attribute ``autograd_nlp.test``: the test score of the best setting;
- trial attribute ``autograd_nlp.trial``: a finished trial's record, as a
  ``TrialLog`` holds it (state, value, epoch scores, seconds, sampler, note),
  written just before the trial is told to Optuna;
- trial attribute ``autograd_nlp.heartbeat``: the Unix time a running trial's
  process last said it is alive (every ``HEARTBEAT_SECONDS``).

A trial takes one of the search's N places when it has a record, or is
running with a recent heartbeat (``takes_a_place``). The others are not
counted: a surplus trial (created by a process that then found the N
places taken; told FAIL at once) and an interrupted one (its process was
stopped, or went silent for ``STALE_SECONDS``; told FAIL, and another
trial takes its place).

``trials.json`` in the search folder is a copy of the study, rewritten by
each process after each of its trials (read it without Optuna); the study
is the truth.
"""
import hashlib
import json
import os
import time

from autograd_nlp.serialization import atomic_write
from autograd_nlp.tuning.trial_log import ADJUSTABLE, TrialLog

SEARCH_KEY = "autograd_nlp.search"
TEST_KEY = "autograd_nlp.test"
RECORD_KEY = "autograd_nlp.trial"
HEARTBEAT_KEY = "autograd_nlp.heartbeat"
SURPLUS_KEY = "autograd_nlp.surplus"
HEARTBEAT_SECONDS = 20.0     # a running trial's process writes its heartbeat this often
STALE_SECONDS = 300.0        # a running trial silent this long was interrupted


class StudyMismatch(ValueError):
    """The study (or the search folder) holds another search; the message
    names what differs and the way out."""


def defining(search):
    """The keys of ``search`` that make it this search (not the adjustable ones)."""
    return {k: v for k, v in json.loads(json.dumps(search)).items() if k not in ADJUSTABLE}


def default_study_name(search):
    """``MODEL-<8 hex digits of the search's definition>``: the same command
    (space, fixed options, epochs, seed...) names the same study, another
    search another study."""
    digest = hashlib.sha256(json.dumps(defining(search), sort_keys=True).encode()).hexdigest()
    return f"{search['model']}-{digest[:8]}"


def takes_a_place(trial, now, stale_seconds=STALE_SECONDS):
    """Whether an Optuna ``FrozenTrial`` takes one of the search's places:
    finished with a record, or running and heard from within ``stale_seconds``."""
    if RECORD_KEY in trial.user_attrs:
        return True
    if trial.state.name != "RUNNING":
        return False
    return now - last_heard(trial) < stale_seconds


def last_heard(trial):
    """Unix time of a running trial's last heartbeat (its start before the first)."""
    beat = trial.user_attrs.get(HEARTBEAT_KEY)
    if beat is not None:
        return float(beat)
    start = trial.datetime_start
    return start.timestamp() if start is not None else 0.0


class StudyLog(TrialLog):
    """The search in Optuna study ``study`` (storage shown as ``where``);
    ``path`` is the search folder's ``trials.json`` copy."""
    shared = True

    def __init__(self, study, where, search, path):
        self.study, self.where, self.search = study, where, dict(search)
        self.path = os.fspath(path)

    @property
    def name(self):
        return self.study.study_name

    @classmethod
    def open(cls, storage, where, name, search, path, sampler=None, pruner=None):
        """Study ``name`` in ``storage``, created for ``search`` if new; a
        study made for another search, or a ``path`` (trials.json) that holds
        another search, is a ``StudyMismatch``."""
        import optuna
        _check_copy(path, name)
        study = optuna.create_study(storage=storage, study_name=name, sampler=sampler,
                                    pruner=pruner, direction=search["direction"],
                                    load_if_exists=True)
        theirs = study.user_attrs.get(SEARCH_KEY)
        if theirs is None:
            if study.get_trials(deepcopy=False):
                raise StudyMismatch(f"study {name} in {where} was not made by autograd-nlp "
                                    f"tune; pick another --study")
            study.set_user_attr(SEARCH_KEY, defining(search))   # a new study: ours
            theirs = study.user_attrs.get(SEARCH_KEY)
        ours = defining(search)
        differ = [k for k in sorted(set(ours) | set(theirs)) if ours.get(k) != theirs.get(k)]
        if differ:
            shown = "; ".join(f"{k}: {theirs.get(k)!r} there, {ours.get(k)!r} now"
                              for k in differ)
            raise StudyMismatch(f"study {name} in {where} holds another search ({shown}); "
                                f"give the same settings to add trials to it, or another "
                                f"--study NAME")
        if study.direction.name.lower() != search["direction"]:
            raise StudyMismatch(f"study {name} in {where} is to {study.direction.name.lower()}"
                                f", this search to {search['direction']}; pick another --study")
        return cls(study, where, search, path)

    # --- what TrialLog keeps in memory, read from the study --------------------------
    @property
    def trials(self):
        """The finished trials' records, by number (any process's)."""
        records = []
        for t in self.study.get_trials(deepcopy=False):
            record = t.user_attrs.get(RECORD_KEY)
            if record is not None:
                records.append({"number": t.number, "params": dict(t.params), **record})
        return sorted(records, key=lambda r: r["number"])

    @property
    def test(self):
        return self.study.user_attrs.get(TEST_KEY)

    def next_number(self):
        raise NotImplementedError("a shared study numbers its trials itself (study.ask)")

    def places(self, now=None, stale_seconds=STALE_SECONDS):
        """(finished, running): trials that take a place, finished or not."""
        now = time.time() if now is None else now
        finished = running = 0
        for t in self.study.get_trials(deepcopy=False):
            if RECORD_KEY in t.user_attrs:
                finished += 1
            elif takes_a_place(t, now, stale_seconds):
                running += 1
        return finished, running

    def interrupted(self, now=None, stale_seconds=STALE_SECONDS):
        """Numbers of running trials not heard from for ``stale_seconds``."""
        now = time.time() if now is None else now
        return [t.number for t in self.study.get_trials(deepcopy=False)
                if t.state.name == "RUNNING" and now - last_heard(t) >= stale_seconds]

    # --- writing ----------------------------------------------------------------------
    def add(self, number, params, state, value, epoch_scores, seconds, sampler, note=""):
        raise NotImplementedError("a shared trial is recorded by its claim (shared_search)")

    def record_test(self, number, params, metric, value):
        self.study.set_user_attr(TEST_KEY, {"trial": number, "params": params,
                                            "metric": metric, "value": value})
        self.save()

    def claim_test(self, number, trial_dir):
        """Whether this process tests trial ``number``: only one that has the
        trial's checkpoint (its --out, or a folder shared with the process
        that ran it), and one at a time (it claims the trial folder, which
        it keeps until the command ends). None: go ahead; else why not."""
        from autograd_nlp.errors import UserError
        from autograd_nlp.training.run_folder import lock_folder
        checkpoint = os.path.join(trial_dir, "checkpoint.npz")
        if not os.path.exists(checkpoint):
            return (f"the best trial ({number + 1}) ran in a process with another --out: "
                    f"its checkpoint is not at {checkpoint}. The test split is evaluated "
                    f"where it is (run this command there, or share --out)")
        try:
            lock_folder(trial_dir)
        except UserError:
            return (f"another process is testing the best trial ({number + 1}) now; its "
                    f"test score will be in study {self.name}")
        return None

    def save(self):
        """Rewrite the search folder's ``trials.json`` copy; a failure to
        write it (another process replacing it at the same moment on a
        shared folder) is not the search's: the study keeps everything."""
        data = {"search": {**self.search, "storage": self.where, "study": self.name},
                "trials": self.trials, "test": self.test}
        try:
            atomic_write(self.path, lambda f: json.dump(data, f, indent=1, allow_nan=False),
                         text=True)
        except OSError:
            pass


def _check_copy(path, name):
    """A ``trials.json`` already in the search folder must be a copy of study
    ``name``: a folder holding a search of its own (or another study's) is
    left alone."""
    if not os.path.exists(path):
        return
    try:
        with open(path, encoding="utf-8") as f:
            theirs = json.load(f)["search"]
    except (OSError, ValueError, KeyError, TypeError):
        theirs = {}
    if theirs.get("study") != name:
        held = (f"study {theirs['study']}'s trials" if theirs.get("study")
                else "a search of its own (run without --storage)")
        raise StudyMismatch(f"{path} holds {held}; use another --out for study {name}")

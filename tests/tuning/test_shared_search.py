"""A search that several processes share through an Optuna storage, on a
toy objective (no training): processes started at once run exactly N
trials between them, none twice and none lost, on SQLite, a journal file
and (when a server can be had) PostgreSQL; interrupted and silent trials
give their place to new ones; a study or folder of another search is refused."""
import json
import multiprocessing
import os
import time

import pytest

optuna = pytest.importorskip("optuna")

from autograd_nlp.tuning import TrialLog, TrialLogMismatch, parse_space  # noqa: E402
from autograd_nlp.tuning.claim import Claim  # noqa: E402
from autograd_nlp.tuning.shared_search import open_shared_search, run_shared_search  # noqa: E402
from autograd_nlp.tuning.study_log import (HEARTBEAT_KEY, RECORD_KEY, SURPLUS_KEY,  # noqa: E402
                                           StudyMismatch, default_study_name)

SPACE = ["x=float:-2:2", "k=choice:1,2,3"]
SEARCH = {"model": "toy", "space": SPACE, "fixed": [], "metric": "valid score",
          "direction": "maximize", "epochs": 2, "patience": None, "seed": 0,
          "sampler": "auto", "trials": 8, "budget_minutes": None}


def open_log(url, folder, name="toy-study", search=SEARCH, n_trials=8):
    log, sampler = open_shared_search(url, name, search, os.path.join(folder, "trials.json"),
                                      search["sampler"], search["seed"], 1, n_trials)
    return log, sampler


def toy_objective(folder, barrier=0, delay=0.0):
    """Score 4 - (x - 1)^2 + k/10 over 2 "epochs"; every call is written to
    ``folder/ran-<pid>`` (trial number per line). With ``barrier`` the first
    trial of each process waits until that many processes have started one,
    so every process surely takes part."""
    def objective(number, params, report):
        with open(os.path.join(folder, f"ran-{os.getpid()}"), "a") as f:
            f.write(f"{number}\n")
        deadline = time.time() + 20
        while barrier and len(_ran_files(folder)) < barrier and time.time() < deadline:
            time.sleep(0.05)
        score = 4 - (params["x"] - 1) ** 2 + params["k"] / 10
        for epoch in (1, 2):
            time.sleep(delay)
            report(epoch, score * epoch / 2)
        return score
    return objective


def _ran_files(folder):
    return [n for n in os.listdir(folder) if n.startswith("ran-")]


def _worker(url, folder, n_trials, barrier, delay):
    log, sampler = open_log(url, folder, n_trials=n_trials)
    specs = parse_space(SPACE)
    run_shared_search(toy_objective(folder, barrier, delay), log, specs, n_trials, sampler,
                      say=lambda m: None)


def run_processes(url, folder, n_processes, n_trials, delay):
    context = multiprocessing.get_context("fork")
    procs = [context.Process(target=_worker, args=(url, folder, n_trials, n_processes, delay))
             for _ in range(n_processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * n_processes


def check_exact(url, folder, n_processes, n_trials):
    """N records, each trial run by exactly one process, every process's
    trials recorded, surplus trials never run, no setting drawn twice."""
    log, _ = open_log(url, folder, n_trials=n_trials)
    records = log.trials
    ran = {}
    for name in _ran_files(folder):
        with open(os.path.join(folder, name)) as f:
            ran[name] = [int(line) for line in f.read().split()]
    run_numbers = [n for numbers in ran.values() for n in numbers]
    assert len(records) == n_trials
    assert sorted(run_numbers) == sorted(r["number"] for r in records)   # none twice, none lost
    assert len(ran) == n_processes and all(ran.values())              # every process took part
    assert {r["state"] for r in records} <= {"complete", "pruned"}   # pruned: by the median
    settings = {(r["params"]["x"], r["params"]["k"]) for r in records}
    assert len(settings) == n_trials                                 # per-trial seeds differ
    for t in log.study.get_trials(deepcopy=False):
        if RECORD_KEY not in t.user_attrs:                           # only surplus claims
            assert t.user_attrs.get(SURPLUS_KEY) and t.state.name == "FAIL"
            assert t.number not in run_numbers
    assert log.places() == (n_trials, 0)
    return log


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_two_processes_share_one_study_and_run_n_trials_between_them(tmp_path, kind):
    url = (f"sqlite:///{tmp_path}/study.db" if kind == "sqlite"
           else f"journal:///{tmp_path}/study.log")
    run_processes(url, str(tmp_path), 2, 4, delay=0.05)
    check_exact(url, str(tmp_path), 2, 4)


def test_three_processes_with_instant_trials_stop_at_exactly_n(tmp_path):
    """The tightest race: trials that take no time, so processes claim the
    last places at the same moment."""
    url = f"sqlite:///{tmp_path}/study.db"
    run_processes(url, str(tmp_path), 3, 6, delay=0.0)
    check_exact(url, str(tmp_path), 3, 6)


def test_two_processes_share_a_postgresql_study(tmp_path, postgres_url):
    name = f"toy-{os.getpid()}-{time.time_ns()}"
    folder = str(tmp_path)

    def worker():
        log, sampler = open_log(postgres_url, folder, name=name, n_trials=5)
        run_shared_search(toy_objective(folder, 2, 0.05), log, parse_space(SPACE), 5, sampler,
                          say=lambda m: None)

    context = multiprocessing.get_context("fork")
    procs = [context.Process(target=worker) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    log, _ = open_log(postgres_url, folder, name=name, n_trials=5)
    numbers = sorted(r["number"] for r in log.trials)
    assert len(numbers) == 5 and len(set(numbers)) == 5
    ran = sorted(int(n) for f in _ran_files(folder) for n in open(os.path.join(folder, f)))
    assert ran == numbers and len(_ran_files(folder)) == 2


def test_a_silent_trial_gives_its_place_and_a_running_one_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    log, sampler = open_log(url, str(tmp_path), n_trials=3)
    specs = parse_space(SPACE)
    distributions = {s.dest: s.distribution() for s in specs}
    silent = log.study.ask(distributions)            # a process killed mid-trial
    silent.set_user_attr(HEARTBEAT_KEY, time.time() - 1000)
    alive = log.study.ask(distributions)             # a process still at work
    alive.set_user_attr(HEARTBEAT_KEY, time.time())
    said = []
    done = run_shared_search(toy_objective(str(tmp_path)), log, specs, 3, sampler,
                             say=said.append, stale_seconds=60)
    assert not done                                  # the live one finishes the search
    assert any("trial 1 was interrupted" in m for m in said)
    assert any("the other 1 is running in another process" in m for m in said)
    states = {t.number: t.state.name for t in log.study.get_trials()}
    assert states[0] == "FAIL" and states[1] == "RUNNING"
    assert [r["number"] for r in log.trials] == [2, 3]
    # the place of the live trial is taken: a claim now is surplus
    assert Claim.take(log, distributions, 3, sampler) is None
    surplus = log.study.get_trials()[-1]
    assert surplus.state.name == "FAIL" and surplus.user_attrs[SURPLUS_KEY]


def test_an_interrupted_trial_does_not_count_and_a_rerun_completes_n(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    log, sampler = open_log(url, str(tmp_path), n_trials=3)
    specs = parse_space(SPACE)
    calls = []

    def interrupted(number, params, report):
        calls.append(number)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return 1.0

    with pytest.raises(KeyboardInterrupt):
        run_shared_search(interrupted, log, specs, 3, sampler, say=lambda m: None)
    assert [r["number"] for r in log.trials] == [0]
    assert log.study.get_trials()[1].state.name == "FAIL"
    assert run_shared_search(interrupted, log, specs, 3, sampler, say=lambda m: None)
    assert [r["number"] for r in log.trials] == [0, 2, 3] and calls == [0, 1, 2, 3]
    copy = json.loads((tmp_path / "trials.json").read_text())      # the folder's copy
    assert [t["number"] for t in copy["trials"]] == [0, 2, 3]
    assert copy["search"]["study"] == "toy-study"
    with pytest.raises(TrialLogMismatch, match="is a copy of study toy-study in sqlite:///"):
        TrialLog.open(tmp_path / "trials.json", SEARCH)          # a local search there: no


def test_pruning_and_the_best_trial_read_every_process_s_trials(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    log, sampler = open_log(url, str(tmp_path), n_trials=6)
    specs = parse_space(SPACE)
    assert run_shared_search(toy_objective(str(tmp_path)), log, specs, 6, sampler,
                             say=lambda m: None)
    other, _ = open_log(url, str(tmp_path / "elsewhere"), n_trials=6)   # another process
    assert other.trials == log.trials and len(other.trials) == 6
    assert other.best() == log.best()
    assert log.best()["value"] == max(r["value"] for r in log.trials if r["value"] is not None)
    other.record_test(log.best()["number"], log.best()["params"], "test score", 0.5)
    assert log.test["value"] == 0.5                              # the study holds it


def test_a_study_or_folder_of_another_search_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    open_log(url, str(tmp_path))
    with pytest.raises(StudyMismatch, match=r"holds another search \(space: "):
        open_log(url, str(tmp_path), search={**SEARCH, "space": ["x=float:0:1"]})
    open_log(url, str(tmp_path), search={**SEARCH, "trials": 20, "budget_minutes": 5})
    optuna.create_study(storage=url, study_name="someone-else")
    study = optuna.load_study(study_name="someone-else", storage=url)
    study.enqueue_trial({"x": 0.0})
    with pytest.raises(StudyMismatch, match="not made by autograd-nlp tune"):
        open_log(url, str(tmp_path / "b"), name="someone-else")
    local = tmp_path / "local"
    local.mkdir()
    (local / "trials.json").write_text(json.dumps({"search": SEARCH, "trials": []}))
    with pytest.raises(StudyMismatch, match="a search of its own"):
        open_log(url, str(local))


def test_the_default_study_name_follows_the_search():
    a = default_study_name(SEARCH)
    assert a.startswith("toy-") and a == default_study_name({**SEARCH, "trials": 99})
    assert a != default_study_name({**SEARCH, "space": ["x=float:0:1"]})


@pytest.mark.parametrize("kind", ["auto", "random"])
def test_trial_n_draws_from_seed_and_n_alone(tmp_path, kind):
    """Two studies searched with the same seed draw the same settings trial
    by trial; another seed draws others."""
    def settings(name, seed):
        search = {**SEARCH, "sampler": kind, "seed": seed}
        log, sampler = open_shared_search(f"sqlite:///{tmp_path}/s.db", name, search,
                                          str(tmp_path / name / "trials.json"), kind, seed, 1, 3)
        assert sampler == ("random" if kind == "random" else "optuna")
        run_shared_search(lambda n, p, r: p["x"], log, parse_space(SPACE), 3, sampler,
                          say=lambda m: None)
        return [r["params"] for r in log.trials]
    first = settings("a", 0)
    assert settings("b", 0) == first and settings("c", 1) != first
    assert len({p["x"] for p in first}) == 3 and all(-2 <= p["x"] <= 2 for p in first)


def test_a_running_trial_s_heartbeat_is_written_while_it_runs(tmp_path):
    log, sampler = open_log(f"sqlite:///{tmp_path}/study.db", str(tmp_path), n_trials=1)
    beats = []

    def objective(number, params, report):
        for _ in range(3):
            beats.append(log.study.get_trials()[number].user_attrs[HEARTBEAT_KEY])
            time.sleep(0.3)
        return 1.0
    assert run_shared_search(objective, log, parse_space(SPACE), 1, sampler,
                             say=lambda m: None, heartbeat_seconds=0.1)
    assert beats[0] < beats[1] < beats[2]


def test_postgresql_through_psycopg2_when_psycopg_is_missing(postgres_url, monkeypatch):
    pytest.importorskip("psycopg2")
    from autograd_nlp.tuning.storage import open_storage
    monkeypatch.setitem(__import__("sys").modules, "psycopg", None)
    storage = open_storage(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    assert "psycopg2" in storage.engine.url.drivername

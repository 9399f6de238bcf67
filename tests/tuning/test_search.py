"""The search loop on a toy objective (no training): both samplers, the
median rule, failed trials, the budget, and resuming from the trial log."""
import sys

import pytest

from autograd_nlp.tuning import (MedianRule, TrialFailed, TrialLog, TrialLogMismatch,
                                 make_sampler, parse_space, run_search)

SPACE = ["x=float:-2:2", "k=choice:1,2,3"]
SEARCH = {"model": "toy", "space": SPACE, "metric": "valid score", "direction": "maximize",
          "trials": 8, "budget_minutes": None, "sampler": "auto"}


def objective_of(calls):
    """Score 4 - (x - 1)^2 + k/10 reported over 3 "epochs"; x > 1.9 diverges."""
    def objective(number, params, report):
        calls.append(number)
        if params["x"] > 1.9:
            raise TrialFailed("diverged")
        score = 4 - (params["x"] - 1) ** 2 + params["k"] / 10
        for epoch in (1, 2, 3):
            report(epoch, score * epoch / 3)
        return score
    return objective


def search(tmp_path, sampler, n_trials, budget=None, clock=None, search=SEARCH):
    specs = parse_space(search["space"])
    log = TrialLog.open(tmp_path / "trials.json", search)
    calls = []
    kwargs = {"clock": clock} if clock else {}
    done = run_search(objective_of(calls), make_sampler(sampler, specs, log, 0, 1, n_trials),
                      log, n_trials, budget, say=lambda m: None, **kwargs)
    return log, calls, done


def test_random_search_records_every_trial_and_finds_the_best(tmp_path):
    log, calls, done = search(tmp_path, "random", 8)
    assert done and calls == list(range(8)) and len(log.trials) == 8
    best = log.best()
    complete = [t for t in log.trials if t["state"] == "complete"]
    assert best["value"] == max(t["value"] for t in complete)
    assert all(len(t["epoch_scores"]) >= 1 and t["sampler"] == "random" for t in log.trials)
    reread = TrialLog.open(tmp_path / "trials.json", SEARCH)     # written to disk
    assert reread.trials == log.trials


def test_the_fallback_is_used_when_optuna_is_missing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)             # "import optuna" fails
    log, _, done = search(tmp_path, "auto", 4)
    assert done and {t["sampler"] for t in log.trials} == {"random"}


def test_optuna_tpe_search_and_its_replay_on_resume(tmp_path):
    pytest.importorskip("optuna")
    log, calls, done = search(tmp_path, "optuna", 5)
    assert done and len(log.trials) == 5 and {t["sampler"] for t in log.trials} == {"optuna"}
    log, calls, done = search(tmp_path, "optuna", 7)               # resumes: 2 more
    assert done and calls == [5, 6] and len(log.trials) == 7
    assert all(-2 <= t["params"]["x"] <= 2 for t in log.trials)


def test_a_budget_stops_the_search_and_a_rerun_continues_it(tmp_path):
    ticks = iter(range(0, 10 ** 6, 25))            # each clock reading is 25 s later
    clock = lambda: next(ticks)                    # noqa: E731
    log, calls, done = search(tmp_path, "random", 5, budget=150, clock=clock)
    assert not done and calls == [0, 1] and len(log.trials) == 2
    log, calls, done = search(tmp_path, "random", 5)
    assert done and calls == [2, 3, 4] and [t["number"] for t in log.trials] == list(range(5))


def test_failed_trials_are_recorded_and_never_best(tmp_path):
    search_ = {**SEARCH, "space": ["x=float:1.95:2", "k=choice:1"]}
    log, _, done = search(tmp_path, "random", 2, search=search_)
    assert done and [t["state"] for t in log.trials] == ["failed", "failed"]
    assert log.trials[0]["note"] == "diverged" and log.best() is None


def test_another_search_in_the_same_folder_is_refused(tmp_path):
    search(tmp_path, "random", 1)
    with pytest.raises(TrialLogMismatch, match="space"):
        TrialLog.open(tmp_path / "trials.json", {**SEARCH, "space": ["x=float:0:1"]})
    TrialLog.open(tmp_path / "trials.json", {**SEARCH, "trials": 20, "sampler": "random"})


def test_the_median_rule_prunes_only_after_warmup_and_below_the_median():
    trials = [{"state": "complete", "epoch_scores": [0.1, 0.5, 0.6]},
              {"state": "complete", "epoch_scores": [0.2, 0.3, 0.8]},
              {"state": "pruned", "epoch_scores": [0.0, 0.0]}]
    rule = MedianRule("maximize", warmup=2)
    assert not rule.should_prune(1, 0.0, trials)                 # before the warm-up's end
    assert rule.should_prune(2, 0.3, trials)                     # median 0.4
    assert not rule.should_prune(2, 0.45, trials)
    assert not MedianRule("minimize", warmup=2).should_prune(2, 0.3, trials)
    assert not rule.should_prune(2, 0.0, trials[:1])             # fewer than 2 finished

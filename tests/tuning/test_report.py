"""The search's table and plot, from a trial log."""
import pytest

from autograd_nlp.tuning import TrialLog, parse_space, save_score_plot, trial_table

SPACE = ["lr=log:1e-3:1e-1", "hidden=choice:64,128"]


def a_log(tmp_path):
    log = TrialLog(tmp_path / "trials.json", {"model": "seq2seq", "space": SPACE,
                                              "metric": "valid accuracy",
                                              "direction": "maximize"})
    log.add(0, {"lr": 0.01, "hidden": 64}, "complete", 0.25, [0.1, 0.25], 3.0, "random")
    log.add(1, {"lr": 0.002, "hidden": 128}, "complete", 0.5, [0.2, 0.5], 4.0, "random")
    log.add(2, {"lr": 0.09, "hidden": 64}, "pruned", 0.01, [0.01], 1.0, "random", "epoch 2")
    log.add(3, {"lr": 0.1, "hidden": 64}, "failed", None, [], 0.5, "random", "diverged")
    return log


def test_the_table_lists_every_trial_and_bolds_the_best(tmp_path):
    lines = trial_table(a_log(tmp_path)).splitlines()
    assert lines[0] == "| trial | lr | hidden | state | valid accuracy | epochs | time |"
    assert len(lines) == 2 + 4
    assert lines[3] == "| 2 | 0.002 | 128 | complete | **50.00%** | 2 | 4 s |"
    assert lines[5] == "| 4 | 0.1 | 64 | failed | - | 0 | 0 s |"


def test_the_plot_has_a_panel_per_parameter(tmp_path):
    pytest.importorskip("matplotlib")
    path = save_score_plot(str(tmp_path / "scores.png"), a_log(tmp_path), parse_space(SPACE))
    assert path and (tmp_path / "scores.png").stat().st_size > 1000

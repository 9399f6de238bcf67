"""``autograd-nlp train reinforce|a2c`` end to end on a few CartPole episodes."""
import importlib.util
import sys

import numpy as np
import pytest

from autograd_nlp.cli import main
from autograd_nlp.training import load_checkpoint


def test_without_gymnasium_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "gymnasium", None)      # import gymnasium fails
    assert main(["train", "reinforce", "--episodes", "3", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "pip install gymnasium" in err and "Traceback" not in err


needs_gymnasium = pytest.mark.skipif(importlib.util.find_spec("gymnasium") is None,
                                    reason="gymnasium is not installed (pip install .[rl])")


@needs_gymnasium
@pytest.mark.parametrize("agent", ["reinforce", "a2c"])
def test_a_few_episodes_train_checkpoint_and_plot(agent, tmp_path, capsys):
    out = tmp_path / agent
    assert main(["train", agent, "--episodes", "3", "--eval-episodes", "1",
                 "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "not solved in 3 episodes" in text and "greedy policy on 1" in text
    meta = load_checkpoint(out / "checkpoint.npz")["meta"]
    returns = meta["record"]["returns"]
    assert len(returns) == 3 and all(r >= 8 for r in returns)    # CartPole lasts >= 8 steps
    assert meta["record"]["updates"] >= 1
    assert (out / "returns.png").exists()


@needs_gymnasium
def test_reinforce_resume_continues_exactly(tmp_path, capsys):
    args = ["--eval-episodes", "0", "--quiet", "--hidden", "16"]
    whole, part = tmp_path / "whole", tmp_path / "part"
    assert main(["train", "reinforce", "--episodes", "5", "--out", str(whole)] + args) == 0
    assert main(["train", "reinforce", "--episodes", "3", "--out", str(part)] + args) == 0
    assert main(["train", "reinforce", "--episodes", "5", "--out", str(part), "--resume",
                 str(part / "checkpoint.npz")] + args) == 0
    assert "resumed from" in capsys.readouterr().out
    a, b = load_checkpoint(whole / "checkpoint.npz"), load_checkpoint(part / "checkpoint.npz")
    assert a["meta"]["record"]["returns"] == b["meta"]["record"]["returns"]
    for name, value in a["model"].items():
        assert np.array_equal(value, b["model"][name]), name


@needs_gymnasium
def test_resume_refuses_another_agents_checkpoint(tmp_path, capsys):
    assert main(["train", "a2c", "--episodes", "2", "--eval-episodes", "0", "--quiet",
                 "--out", str(tmp_path)]) == 0
    assert main(["train", "reinforce", "--episodes", "2", "--out", str(tmp_path / "r"),
                 "--resume", str(tmp_path / "checkpoint.npz")]) == 2
    assert "is a 'a2c' checkpoint" in capsys.readouterr().err


@needs_gymnasium
def test_an_unknown_environment_exits_2(tmp_path, capsys):
    assert main(["train", "a2c", "--env", "NoSuchEnv-v9", "--out", str(tmp_path)]) == 2
    assert "cannot make 'NoSuchEnv-v9'" in capsys.readouterr().err

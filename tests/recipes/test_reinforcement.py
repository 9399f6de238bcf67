"""The policy-gradient recipes from Python: a few CartPole episodes return
the agent, the episode record, metrics and files; bad values are
ConfigErrors naming the option; a resumed run takes the settings it
recorded and continues exactly."""
import os

import numpy as np
import pytest

from autograd_nlp.errors import UserError
from autograd_nlp.recipes import reinforcement
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.training import load_checkpoint


@pytest.mark.parametrize("field, value, words", [
    ("gamma", 1.5, r"--gamma must be in \[0, 1\], got 1.5"),
    ("envs", 0, "--envs must be a positive integer"),
    ("n_steps", 0, "--n-steps must be a positive integer"),
    ("max_grad", 0.0, "--max-grad must be a number > 0"),
])
def test_a_bad_value_is_refused_naming_the_option(field, value, words):
    with pytest.raises(ConfigError, match=words):
        reinforcement.A2CConfig(**{field: value})


def test_the_agents_defaults_differ_where_the_command_line_said_so():
    assert reinforcement.ReinforceConfig().max_grad is None
    assert reinforcement.A2CConfig().max_grad == 1.0
    assert (reinforcement.ReinforceConfig().entropy, reinforcement.A2CConfig().entropy) == \
        (0.0, 0.01)
    assert "eval_episodes" not in reinforcement.ReinforceConfig().settings()


def test_without_gymnasium_the_recipe_says_how_to_install_it(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "gymnasium", None)
    with pytest.raises(UserError, match="pip install gymnasium"):
        reinforcement.run(reinforcement.ReinforceConfig(episodes=2, out=str(tmp_path)))


def test_reinforce_trains_from_python_and_resumes_with_its_recorded_settings(tmp_path):
    pytest.importorskip("gymnasium", reason="the RL recipes need gymnasium (pip install .[rl])")
    small = dict(hidden=16, eval_episodes=0, quiet=True)
    whole = reinforcement.run(reinforcement.ReinforceConfig(
        episodes=5, out=str(tmp_path / "whole"), **small))
    assert type(whole.model).__name__ == "ReinforceAgent"
    assert len(whole.history["returns"]) == 5 and whole.metrics["solved at"] is None
    assert os.path.isfile(whole.checkpoint)
    meta = load_checkpoint(whole.checkpoint)["meta"]
    assert meta["settings"] == whole.config.settings() and meta["settings"]["hidden"] == 16
    part = str(tmp_path / "part")
    reinforcement.run(reinforcement.ReinforceConfig(episodes=3, out=part, **small))
    resumed = reinforcement.run(reinforcement.ReinforceConfig(
        episodes=5, out=part, quiet=True, eval_episodes=0,
        resume=os.path.join(part, "checkpoint.npz")))
    assert resumed.config.hidden == 16                     # from the checkpoint
    assert resumed.history["returns"] == whole.history["returns"]
    for (name, a), b in zip(whole.model.state_dict().items(),
                            resumed.model.state_dict().values()):
        assert np.array_equal(a, b), name


def test_a2c_reports_the_greedy_policy(tmp_path):
    pytest.importorskip("gymnasium", reason="the RL recipes need gymnasium (pip install .[rl])")
    heard = []
    from autograd_nlp.recipes.result import Callbacks
    result = reinforcement.run(reinforcement.A2CConfig(
        episodes=2, eval_episodes=1, hidden=8, quiet=True, out=str(tmp_path)),
        callbacks=Callbacks(on_test=lambda name, value: heard.append((name, value))))
    assert type(result.model).__name__ == "ActorCritic"
    assert heard == [("greedy mean return", result.metrics["greedy mean return"])]
    assert result.metrics["greedy min return"] >= 8          # CartPole lasts >= 8 steps

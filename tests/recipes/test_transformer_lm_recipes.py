"""The TransformerLM recipe from Python: a tiny run returns its model,
metrics and files and loads back; its own defaults over the Transformer
sizes'; bad values and the heads rule refused; resume through the Config."""
import os

import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.recipes import transformer_lm
from autograd_nlp.recipes.config import ConfigError
from autograd_nlp.training import load_checkpoint
from tiny_ptb import write_tiny_ptb

WORDS = [f"w{i}" for i in range(20)]
TINY = dict(dim=8, heads=2, layers=1, batch_size=4, time_size=6, eval_batch_size=2, warmup=3,
            epochs=1, quiet=True)


@pytest.fixture
def ptb(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    return str(write_tiny_ptb(tmp_path / "data", WORDS, {"train": 40, "valid": 10, "test": 10},
                              np.random.default_rng(0)))


def test_trains_from_python_and_loads_back(ptb, tmp_path):
    config = transformer_lm.TransformerLMConfig(data_dir=ptb, out=str(tmp_path / "tlm"),
                                                schedule="cosine", **TINY)
    result = transformer_lm.run(config)
    assert type(result.model).__name__ == "TransformerLM"
    assert 1 < result.metrics["test perplexity"] < 100 and result.history["epoch"] == [1]
    assert all(os.path.isfile(path) for path in result.paths.values())
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["settings"] == result.config.settings() and meta["schedule"] is not None
    assert meta["model_kwargs"]["context_size"] == 6 and meta["model_kwargs"]["tie_weights"]
    lm = autograd_nlp.load(result.checkpoint)
    assert lm.generate("w3", 4, seed=0).split()[0] == "w3"


def test_its_defaults_are_its_own():
    config = transformer_lm.TransformerLMConfig()
    assert (config.dim, config.layers, config.batch_size, config.time_size) == (128, 2, 16, 64)
    assert (config.lr, config.warmup, config.max_grad, config.tie) == (0.002, 400, 1.0, True)
    assert config.out == os.path.join("runs", "transformer-lm")
    assert transformer_lm.TransformerLMConfig.field_help("layers") == \
        "causal self-attention blocks"


def test_bad_values_and_the_heads_rule_are_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"--norm must be one of pre, post, got 'mid'"):
        transformer_lm.TransformerLMConfig(norm="mid")
    with pytest.raises(ConfigError, match=r"--warmup must be an integer >= 0"):
        transformer_lm.TransformerLMConfig(warmup=-1)
    with pytest.raises(ConfigError, match="--dim 10 is not divisible by --heads 3"):
        transformer_lm.TransformerLMConfig(dim=10, heads=3, out=str(tmp_path / "never"))
    assert not (tmp_path / "never").exists()


def test_resumes_through_the_config(ptb, tmp_path):
    out = str(tmp_path / "tlm")
    first = transformer_lm.run(transformer_lm.TransformerLMConfig(data_dir=ptb, out=out,
                                                                  **TINY))
    resumed = transformer_lm.run(transformer_lm.TransformerLMConfig(
        data_dir=ptb, out=out, resume=first.checkpoint, epochs=2, quiet=True))
    assert (resumed.config.dim, resumed.config.time_size) == (8, 6)     # the checkpoint's
    assert resumed.history["epoch"] == [1, 2]

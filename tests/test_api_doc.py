"""docs/api.md: its python blocks run (the trainings at a reduced size: the
replacements below, each of which must apply, so the page cannot drift from
what is tested), and its reference part is current with the code."""
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from tiny_ptb import write_tiny_ptb

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "api.md"
# the page's full-size calls -> the same calls at a test's size
REDUCED = {
    'AttentionConfig(out="runs/dates")':
        'AttentionConfig(out="runs/dates", epochs=1, generate_size=2000, hidden=16, quiet=True)',
    'RnnlmConfig(out="runs/rnnlm")':
        'RnnlmConfig(out="runs/rnnlm", data_dir=DATA, epochs=1, batch_size=4, time_size=5, wordvec=8, '
        'hidden=8, eval_batch_size=2, quiet=True)',
    'CbowConfig(out="runs/cbow")':
        'CbowConfig(out="runs/cbow", data_dir=DATA, epochs=1, window=1, hidden=8, batch_size=20, '
        'recipe="book", quiet=True)',
}
WORDS = ("the company said it expects to report higher earnings he she you bank stock "
         "market shares year new").split()


def test_the_python_blocks_run_at_a_reduced_size(tmp_path, monkeypatch, capsys):
    text = PAGE.read_text(encoding="utf-8")
    for full, reduced in REDUCED.items():
        assert full in text, f"docs/api.md no longer calls {full}: update REDUCED"
        text = text.replace(full, reduced)
    data = write_tiny_ptb(tmp_path / "ptb", WORDS, {"train": 60, "valid": 20, "test": 20},
                          np.random.default_rng(0))
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)    # the dates are generated
    monkeypatch.chdir(tmp_path)
    namespace = {"DATA": str(data)}                           # PTB: a tiny one
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    for i, block in enumerate(blocks):
        exec(compile(block, f"api.md block {i + 1}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "'december 6, 2026'" in out and "--dropout must be in [0, 1), got 1.5" in out
    assert (tmp_path / "runs" / "dates" / "checkpoint.npz").is_file()
    assert (tmp_path / "runs" / "cbow" / "vectors.npz").is_file()


def test_the_reference_is_current():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "scripts" / "api_reference.py"),
                           "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ["Variable", "softmax_cross_entropy", "LSTM", "Adam",
                                  "MinibatchTrainer", "AttentionConfig", "RnnlmConfig",
                                  "CbowConfig", "Translator", "load"])
def test_the_reference_lists_the_names_a_learner_looks_for(name):
    assert f"`{name}" in PAGE.read_text(encoding="utf-8")

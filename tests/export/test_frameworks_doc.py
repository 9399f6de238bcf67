"""docs/frameworks.md: its ```python blocks run for real. Ours, PyTorch and
ONNX Runtime run in order in one namespace; DeZero and JAX run after ours
(they compare their logits with ours, on our weights). A block whose optional
package is missing is skipped, and the test says which; the Chainer block is
```py (not run: the page says why). The block that runs an exported
Transformer on raw text also runs in a Python process where autograd_nlp and
models cannot be imported."""
import importlib.util
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"
OPTIONAL = {"torch", "onnx", "onnxruntime"}
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
PEERS = {"dezero": "from dezero", "jax": "import jax"}     # package -> how its block starts


def peer_of(block):
    return next((name for name, marker in PEERS.items() if marker in block), None)


def run_block(block, namespace):
    exec(compile(block, f"frameworks.md block {BLOCKS.index(block) + 1}", "exec"), namespace)


def test_our_torch_and_onnx_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = [b for b in BLOCKS if peer_of(b) is None]
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, block in enumerate(blocks):
        try:
            run_block(block, namespace)
        except ModuleNotFoundError as e:
            if e.name not in OPTIONAL:
                raise
            pytest.skip(f"frameworks.md: our blocks {i + 1}-{len(blocks)} need {e.name}")
    printed = capsys.readouterr().out
    assert "(2, 5, 20) (1, 2, 8)" in printed
    assert "transformer True" in printed
    assert printed.count("True") == 4 and "False" not in printed
    assert namespace["code"] == 0                          # the export command succeeded


RAW_TEXT = next(b for b in BLOCKS if "custom_metadata_map" in b)


def test_transformer_on_raw_text_needs_nothing_from_autograd_nlp(tmp_path, monkeypatch):
    """The export block, then the onnxruntime block alone in a fresh process
    where importing autograd_nlp or models fails; its answer is ours."""
    for name in ("onnx", "onnxruntime"):
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"frameworks.md: the raw-text block needs {name}")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    run_block(next(b for b in BLOCKS if '"date.onnx"])' in b), namespace)
    script = ("import sys\n"
              "sys.modules['autograd_nlp'] = sys.modules['models'] = None  # unimportable\n"
              + RAW_TEXT + "\nprint(repr(answer))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "transformer True"
    import autograd_nlp
    ours = autograd_nlp.load(str(tmp_path / "checkpoint.npz")).translate("december 6, 2026")
    assert done.stdout.splitlines()[1] == repr(ours.text)


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_peer_framework_block_gives_our_logits(peer, monkeypatch, capsys):
    """The DeZero / JAX Rnnlm, given our weights, prints our logits' shape and
    True (max difference < 1e-5); JAX's gradient has the parameters' shapes."""
    if importlib.util.find_spec(peer) is None:
        pytest.skip(f"{peer} is not installed (pip install '.[frameworks]')")
    if peer == "dezero":      # the block puts np.int back for DeZero 0.0.13; undo it after
        monkeypatch.setattr(np, "int", int, raising=False)
    (block,) = [b for b in BLOCKS if peer_of(b) == peer]
    namespace = {}
    run_block(BLOCKS[0], namespace)                       # ours: defines ours and xs
    capsys.readouterr()
    run_block(block, namespace)
    printed = capsys.readouterr().out.split("\n")
    assert printed[0] == "(2, 5, 20) True"
    if peer == "jax":
        assert printed[1] == "True"

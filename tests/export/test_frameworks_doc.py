"""docs/frameworks.md: its ```python blocks run in order, in one namespace
(the ```py blocks show DeZero, Chainer and JAX, not installed here). Blocks
after the first one needing a missing optional package (torch, onnx,
onnxruntime) are skipped, and the test says which."""
import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"
OPTIONAL = {"torch", "onnx", "onnxruntime"}


def test_frameworks_page_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"frameworks.md block {i + 1}", "exec"), namespace)
        except ModuleNotFoundError as e:
            if e.name not in OPTIONAL:
                raise
            pytest.skip(f"frameworks.md blocks {i + 1}-{len(blocks)} need {e.name}")
    printed = capsys.readouterr().out
    assert "(2, 5, 20) (1, 2, 8)" in printed
    assert printed.count("True") == 2 and "False" not in printed

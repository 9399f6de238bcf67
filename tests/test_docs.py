"""Run the ```python blocks of the tutorials, so the documentation stays true
(```py marks an excerpt that is not meant to run on its own)."""
import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
PAGES = ["engine.md", "language-models.md", "seq2seq.md", "training.md", "transformer.md",
         "autoencoders-and-rl.md", "tuning.md"]


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page, tmp_path, monkeypatch, capsys):
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{page} has no python blocks"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page} block {i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message is the point
            pytest.fail(f"{page}, python block {i + 1} failed: {type(e).__name__}: {e}\n{block}")

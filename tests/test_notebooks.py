"""Every notebook of docs/notebooks runs top to bottom at the reduced size
($AUTOGRAD_NLP_NOTEBOOK_SIZE=small), its committed .ipynb holds the cells of
its source, and, in a real kernel, a Variable draws its graph and a progress
bar is one output line redrawn in place."""
import importlib.util
import pathlib
import shutil

import pytest

for _module in ("nbclient", "nbformat", "jupytext", "ipykernel"):
    pytest.importorskip(_module, reason=f"{_module} is not installed "
                        f"(pip install '.[notebooks]')")

import jupytext  # noqa: E402
import nbformat  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "notebooks"


def load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()
SOURCES = build.sources()


def test_the_series_is_there_in_reading_order():
    names = [s.stem for s in SOURCES]
    assert names[:4] == ["00_engine", "01_count_based", "02_word2vec", "03_rnn"]
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(len(names))]


def needs_ptb(source):
    return "load_ptb" in source.read_text(encoding="utf-8")


def ptb_missing():
    from autograd_nlp.data import ptb_source
    try:
        return not ptb_source("train").exists()
    except Exception:                      # a misconfigured $AUTOGRAD_NLP_DATA
        return True


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebook_runs_at_the_reduced_size(source, monkeypatch):
    if needs_ptb(source) and ptb_missing():
        pytest.skip("PTB not found: set AUTOGRAD_NLP_DATA to the folder holding ptb/")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")     # steady on a shared machine
    try:
        notebook = build.execute(source, size="small", timeout=240)
    except CellExecutionError as e:
        pytest.fail(f"{source.name} failed at the reduced size:\n{e}")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)     # every cell ran


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_committed_notebook_is_its_source_executed(source):
    """The .ipynb beside each source has the source's cells, each code cell
    executed (rebuild with python docs/notebooks/build.py NAME)."""
    executed = source.with_suffix(".ipynb")
    assert executed.exists(), f"{executed.name} is missing: python docs/notebooks/build.py"
    ours = nbformat.read(str(executed), as_version=4)
    paired = jupytext.read(str(source))
    assert ([(c.cell_type, c.source) for c in ours.cells]
            == [(c.cell_type, c.source) for c in paired.cells]), \
        f"{executed.name} is stale: python docs/notebooks/build.py {source.stem}"
    code = [c for c in ours.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


PROBE = '''# %%
import time
import numpy as np
import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.training import Progress
x = ag.Variable(np.array([0.5, -1.0]), name="x")
F.tanh(x).sum()

# %%
for epoch in (1, 2):
    bar = Progress(4, f"epoch {epoch}/2", tty_interval=0.05)
    for _ in range(4):
        time.sleep(0.06)
        bar.update(1, loss=2.5)
    bar.close()
'''


def test_in_a_kernel_a_variable_is_drawn_and_a_bar_redrawn_in_place(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text(PROBE, encoding="utf-8")
    notebook = build.execute(source, size="small", timeout=120)
    drawn, trained = [c.outputs for c in notebook.cells if c.cell_type == "code"]
    assert len(drawn) == 1 and drawn[0].output_type == "execute_result"
    if shutil.which("dot"):
        assert "Tanh" in drawn[0].data["image/svg+xml"]
    assert "variable(" in drawn[0].data["text/plain"]
    # two bars of four redraws each: one output line in the end, the last state
    assert [o.output_type for o in trained] == ["display_data"], trained
    text = trained[0].data["text/plain"]
    assert text.startswith("epoch 2/2 | [" + "#" * 24 + "] 4/4 | loss 2.5000"), text

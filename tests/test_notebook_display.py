"""How Variables and progress bars show in a notebook, checked without one:
the display hooks are called directly, the kernel is faked."""
import io
import pathlib
import shutil
import sys
import types

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import notebook_display
from autograd_nlp.training import progress as progress_module
from autograd_nlp.training.progress import Progress

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")


def small_graph():
    x = ag.Variable(np.array([0.5, -1.0]), name="x")
    return (F.tanh(x) * x).sum()


@needs_dot
def test_a_computed_variable_shows_its_graph_with_its_value_as_caption():
    y = small_graph()
    bundle = y._repr_mimebundle_()
    assert bundle["text/plain"] == repr(y)
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg
    assert "Tanh" in svg and "Sum" in svg           # the ops behind y
    assert repr(y).splitlines()[0][:20] in svg       # the caption: its value


def test_a_leaf_shows_only_its_text():
    x = ag.Variable(np.arange(3.0), name="x")
    assert x._repr_mimebundle_() == {"text/plain": repr(x)}
    p = ag.Parameter(np.ones((2, 2)))
    assert set(p._repr_mimebundle_()) == {"text/plain"}


def test_no_picture_without_dot_or_when_svg_is_excluded(monkeypatch):
    y = small_graph()
    assert "image/svg+xml" not in y._repr_mimebundle_(exclude={"image/svg+xml"})
    assert "image/svg+xml" not in y._repr_mimebundle_(include={"text/plain"})
    monkeypatch.setattr(notebook_display.shutil, "which", lambda name: None)
    assert y._repr_mimebundle_() == {"text/plain": repr(y)}
    assert notebook_display.graph_svg(y) is None


def test_a_large_graph_is_folded_and_cut_to_its_last_levels():
    x = ag.Variable(np.ones(2))
    h = x
    for t in range(notebook_display.MAX_FUNCTIONS + 1):
        with ag.scope(f"step {t}"):
            h = F.tanh(h)
    assert notebook_display.graph_options([h]) == {
        "fold": "repeats", "max_depth": notebook_display.MAX_DEPTH}
    assert notebook_display.graph_options([small_graph()]) == {}


@needs_dot
def test_the_digraph_of_to_dot_displays_itself():
    bundle = ag.to_dot(small_graph())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_a_long_value_is_cut_in_the_caption():
    y = F.tanh(ag.Variable(np.linspace(-1, 1, 50)))
    title = notebook_display.short_title(y)
    assert title.endswith("(50,) float64")
    assert len(title) <= notebook_display.TITLE_CHARS + len("  (50,) float64")
    assert "…" in title


def test_jupyter_kernel_is_detected_only_with_a_kernel(monkeypatch):
    assert notebook_display.jupyter_kernel() is False    # pytest is no kernel
    shell = types.SimpleNamespace(kernel=object(), execution_count=7)
    fake = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert notebook_display.jupyter_kernel() is True
    line = notebook_display.live_line("epoch #/#")
    assert isinstance(line, notebook_display.LiveLine)
    assert notebook_display.live_line("epoch #/#") is line    # one line per kind and cell
    assert notebook_display.live_line("eval") is not line
    shell.execution_count = 8                                 # the next cell: a new line
    assert notebook_display.live_line("epoch #/#") is not line
    shell.kernel = None                                   # terminal IPython
    assert notebook_display.jupyter_kernel() is False
    assert notebook_display.live_line() is None


class FakeLine:
    def __init__(self):
        self.shown = []

    def show(self, text):
        self.shown.append(text)


def test_progress_in_a_notebook_redraws_one_line_and_keeps_the_final_state(monkeypatch,
                                                                          capsys):
    line = FakeLine()
    monkeypatch.setattr(progress_module.notebook_display, "live_line", lambda kind="": line)
    bar = Progress(5, "epoch 1/1", tty_interval=0)
    for _ in range(5):
        bar.update(1, loss=1.5)
    bar.close()
    assert len(line.shown) == 6                      # five redraws and the final state
    assert line.shown[0].startswith("epoch 1/1 | [")
    assert "] 1/5" in line.shown[0]
    assert line.shown[-1].startswith("epoch 1/1 | [" + "#" * 24 + "] 5/5 | loss 1.5000")
    assert capsys.readouterr().err == ""             # nothing on stderr: no flood of lines
    bar.update(1)                                    # a closed bar draws nothing more
    assert len(line.shown) == 6


def test_progress_redraws_a_notebook_line_at_most_every_interval(monkeypatch):
    line = FakeLine()
    monkeypatch.setattr(progress_module.notebook_display, "live_line", lambda kind="": line)
    bar = Progress(1000, "epoch")
    assert bar.interval == progress_module.NOTEBOOK_INTERVAL
    for _ in range(1000):
        bar.update(1)
    assert len(line.shown) <= 1                      # 1,000 quick steps: at most one redraw
    bar.close()
    assert "] 1000/1000" in line.shown[-1]


def test_a_given_stream_or_a_disabled_bar_never_uses_the_notebook(monkeypatch):
    line = FakeLine()
    monkeypatch.setattr(progress_module.notebook_display, "live_line", lambda kind="": line)
    stream = io.StringIO()
    bar = Progress(2, "epoch", stream=stream, log_interval=0)
    bar.update(2)
    bar.close()
    assert line.shown == [] and "2/2" in stream.getvalue()
    quiet = Progress(2, "epoch", enabled=False, tty_interval=0)
    quiet.update(2)
    quiet.close()
    assert line.shown == [] and quiet.live is None


def test_live_line_displays_once_then_updates_the_same_output():
    pytest.importorskip("IPython")
    calls = []

    class Handle:
        def update(self, obj):
            calls.append(("update", obj.data))

    def display(obj, display_id):
        calls.append(("display", obj.data, display_id))
        return Handle()

    line = notebook_display.LiveLine(display=display)
    line.show("a")
    line.show("b")
    line.show("c")
    assert calls == [("display", "a", True), ("update", "b"), ("update", "c")]


def test_the_agg_backend_is_chosen_outside_a_notebook_only(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    chosen = []
    monkeypatch.setattr(matplotlib, "use", chosen.append)
    notebook_display.use_agg_backend()
    assert chosen == ["Agg"]
    monkeypatch.setattr(notebook_display, "jupyter_kernel", lambda: True)
    notebook_display.use_agg_backend()
    assert chosen == ["Agg"]                 # the notebook's inline backend stays


def test_the_plotting_code_switches_to_agg_only_through_use_agg_backend():
    """A bare matplotlib.use("Agg") in the library would turn a notebook's
    inline backend off as soon as a recipe saves its curves: no later figure
    of the notebook would show."""
    package = pathlib.Path(notebook_display.__file__).parent
    bare = [f"{path.relative_to(package)}:{number}"
            for path in sorted(package.rglob("*.py")) if path.name != "notebook_display.py"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if "matplotlib.use(" in line or "switch_backend(" in line]
    assert not bare, f"use notebook_display.use_agg_backend() instead: {bare}"


def test_saving_curves_and_heatmaps_in_a_notebook_keeps_its_backend(monkeypatch, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    from autograd_nlp.training import plot
    chosen = []
    monkeypatch.setattr(matplotlib, "use", chosen.append)
    monkeypatch.setattr(notebook_display, "jupyter_kernel", lambda: True)
    assert plot.save_curves(tmp_path / "curve.png", {"train": ([1, 2], [3.0, 2.0])},
                            "epoch", "loss") is not None
    assert plot.save_heatmaps(tmp_path / "map.png", [np.eye(2)], [["a", "b"]],
                              [["c", "d"]]) is not None
    assert chosen == []                      # the kernel's inline backend stays
    monkeypatch.setattr(notebook_display, "jupyter_kernel", lambda: False)
    plot.save_curves(tmp_path / "again.png", {"train": ([1, 2], [3.0, 2.0])}, "epoch", "loss")
    assert chosen == ["Agg"]                 # a script or a command: off-screen


def test_the_epochs_of_a_run_share_a_line_and_evaluation_gets_its_own(monkeypatch):
    lines = {}
    monkeypatch.setattr(progress_module.notebook_display, "live_line",
                        lambda kind="": lines.setdefault(kind, FakeLine()))
    for epoch in (1, 2, 3):
        bar = Progress(2, f"epoch {epoch}/3", tty_interval=0)
        bar.update(2)
        bar.close()
        check = Progress(1, "eval", tty_interval=0)
        check.update(1)
        check.close()
    assert sorted(lines) == ["epoch #/#", "eval"]
    assert lines["epoch #/#"].shown[-1].startswith("epoch 3/3 | [")
    assert lines["eval"].shown[-1].startswith("eval | [")

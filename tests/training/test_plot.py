"""Tests for autograd_nlp/training/plot.py: whole-number epoch ticks, readable
log ticks, no plot from an empty history, formats and folders."""
import math

import pytest

from autograd_nlp.training import plot

matplotlib = pytest.importorskip("matplotlib", reason="plots need matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def visible_major_ticks(axis, limits):
    """(values, labels) of the major ticks inside the axis' view limits."""
    low, high = sorted(limits)
    ticks = [t for t in axis.get_major_ticks() if low <= t.get_loc() <= high]
    return [t.get_loc() for t in ticks], [t.label1.get_text() for t in ticks]


@pytest.fixture
def draw():
    figures = []

    def _draw(*args, **kwargs):
        fig = plot.draw_curves(*args, **kwargs)
        fig.canvas.draw()
        figures.append(fig)
        return fig.axes[0]
    yield _draw
    for fig in figures:
        plt.close(fig)


@pytest.mark.parametrize("epochs", [1, 4, 30])
def test_epoch_axis_has_whole_number_ticks(draw, epochs):
    xs = list(range(1, epochs + 1))
    ax = draw({"attention": (xs, [50 + k for k in xs])}, "epoch", "accuracy (%)")
    values, labels = visible_major_ticks(ax.xaxis, ax.get_xlim())
    assert values, "at least one labelled epoch"
    assert all(float(v).is_integer() for v in values), values
    assert all(label and "." not in label for label in labels), labels


def test_fractional_x_values_keep_fractional_ticks(draw):
    ax = draw({"loss": ([0.25, 0.5, 0.75, 1.0], [3, 2, 1.5, 1.2])}, "epoch", "loss")
    values, _ = visible_major_ticks(ax.xaxis, ax.get_xlim())
    assert any(not float(v).is_integer() for v in values)


@pytest.mark.parametrize("ppl", [
    [420.0, 260.0, 190.0, 150.0, 128.0],     # within one decade: formerly one "10^2" label
    [9000.0, 900.0, 300.0, 120.0],           # two decades
    [141.0, 140.5, 140.2],                   # a very narrow range
])
def test_log_axis_has_several_plain_labelled_ticks(draw, ppl):
    epochs = list(range(1, len(ppl) + 1))
    ax = draw({"train": (epochs, ppl)}, "epoch", "perplexity", logy=True)
    assert ax.get_yscale() == "log"
    values, labels = visible_major_ticks(ax.yaxis, ax.get_ylim())
    assert len(values) >= 3, (values, labels)
    for value, label in zip(values, labels):
        assert label and "$" not in label and "^" not in label and "e" not in label, labels
        assert math.isclose(float(label.replace(",", "")), value, rel_tol=1e-9)
    assert all(t.label1.get_text() == "" for t in ax.yaxis.get_minor_ticks())
    low, high = ax.get_ylim()
    assert low <= min(ppl) and max(ppl) <= high


def test_readable_log_ticks_are_round_and_bounded():
    for low, high in [(95, 420), (1.5, 2.5e5), (0.012, 0.9), (118, 182)]:
        ticks = plot.readable_log_ticks(low, high)
        assert 3 <= len(ticks) <= 8, ticks
        assert all(low <= t <= high for t in ticks) and ticks == sorted(ticks)
        assert all(len(f"{t:g}".replace("0", "").replace(".", "")) <= 2 for t in ticks), ticks
    with pytest.raises(ValueError, match="0 < low < high"):
        plot.readable_log_ticks(0, 10)


def test_empty_history_writes_no_plot(tmp_path, capsys):
    path = tmp_path / "accuracy.png"
    curves = {"attention": ([], []), "peeky": ([], [])}
    assert plot.curves_are_empty(curves)
    assert plot.save_curves(path, curves, "epoch", "accuracy (%)") is None
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert capsys.readouterr().out == ""


def test_save_curves_writes_an_image_and_creates_folders(tmp_path):
    path = tmp_path / "missing" / "dir" / "ppl.png"
    written = plot.save_curves(path, {"train": ([1, 2], [300.0, 200.0])}, "epoch",
                               "perplexity", logy=True)
    assert written == path and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["ppl.png"], "no temporary left"
    svg = plot.save_curves(tmp_path / "a.svg", {"a": ([1], [2.0])}, "epoch", "x")
    assert "<svg" in (tmp_path / "a.svg").read_text()[:500] and svg == tmp_path / "a.svg"


@pytest.mark.parametrize("name, needle", [("x.xyz", "extension .xyz"),
                                          ("plot", "no extension")])
def test_unsupported_extension_is_named(tmp_path, name, needle):
    with pytest.raises(ValueError, match=needle) as info:
        plot.save_curves(tmp_path / name, {"a": ([1], [1.0])}, "epoch", "x")
    assert ".png" in str(info.value) and ".svg" in str(info.value)
    assert list(tmp_path.iterdir()) == []

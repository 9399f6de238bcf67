"""Curves saved as images when matplotlib is installed (``pip install .[plot]``).

Axes are made for reading: whole-number x values (epochs, iterations) get
whole-number ticks, a log y axis gets several plainly labelled ticks
(100, 150, 200, 300) instead of one "10^2", and an empty history draws
nothing. Images are written atomically (temporary file, then rename).
"""
import math
import os

from autograd_nlp.notebook_display import use_agg_backend
from autograd_nlp.serialization import atomic_write

# What ``save_curves`` writes, by file extension (matplotlib's own backends).
PLOT_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "eps", "ps")
# Round numbers for log-axis ticks within a decade, densest first.
_NICE_MANTISSAS = ((1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9), (1, 1.5, 2, 3, 5, 7),
                   (1, 2, 3, 5), (1, 2, 5), (1, 3), (1,))


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def require_matplotlib(what):
    """Raise an ImportError saying how to install matplotlib when it is
    missing (for plots asked for by name, e.g. ``Trainer.plot``: a command's
    curves are skipped with a note instead, see :func:`save_curves`)."""
    if not have_matplotlib():
        raise ImportError(f"{what} needs matplotlib, which is not installed: pip install "
                          f"\"autograd-nlp[plot]\" (or pip install matplotlib)")


def plot_format(path):
    """The image format named by ``path``'s extension (``"x.png"`` -> ``"png"``).
    Raises ``ValueError`` naming the supported extensions when it has none or
    an unknown one, so a caller can check before anything is trained."""
    ext = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    if ext not in PLOT_FORMATS:
        got = f"extension .{ext}" if ext else "no extension"
        raise ValueError(f"plot file {os.fspath(path)!r} has {got}; use one of "
                         + ", ".join("." + f for f in PLOT_FORMATS))
    return ext


def curves_are_empty(curves):
    """True when no curve in {label: (xs, ys)} has a point (e.g. ``--epochs 0``)."""
    return all(len(xs) == 0 for xs, _ in curves.values())


def readable_log_ticks(low, high, max_ticks=8):
    """Tick values for a log axis spanning ``[low, high]`` (0 < low < high):
    round numbers (mantissas 1, 1.5, 2, 2.5, 3, 4, ... 9, thinned to 1, 2, 5
    or fewer when that makes more than ``max_ticks``); evenly spaced round
    numbers (120, 130, ...) when the range is too narrow to hold three.

    >>> readable_log_ticks(95, 420)
    [100, 150, 200, 250, 300, 400]
    >>> readable_log_ticks(40, 9000)
    [50, 100, 200, 500, 1000, 2000, 5000]
    >>> readable_log_ticks(118, 182)
    [120, 140, 160, 180]
    """
    if not 0 < low < high:
        raise ValueError(f"readable_log_ticks: need 0 < low < high, got {low}, {high}")
    exponents = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = []
    for mantissas in _NICE_MANTISSAS:
        ticks = [v for v in (float(f"{m * 10.0 ** e:.12g}") for e in exponents for m in mantissas)
                 if low <= v <= high]
        if len(ticks) <= max_ticks:
            break
    if len(ticks) > max_ticks:            # many decades: every k-th power of ten
        ticks = ticks[::math.ceil(len(ticks) / max_ticks)]
    if len(ticks) < 3:                    # a narrow range: evenly spaced round numbers
        ticks = _linear_ticks(low, high)
    return [int(v) if v.is_integer() and abs(v) < 1e15 else v for v in ticks]


def _linear_ticks(low, high, target=5):
    """Multiples of a round step (1, 2, 2.5 or 5 times a power of ten) in
    ``[low, high]``, about ``target`` of them."""
    raw = (high - low) / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step)
    return [float(f"{k * step:.12g}") for k in range(first, math.floor(high / step) + 1)]


def plain_number(value, _position=None):
    """A tick label without scientific notation: 100, 1,500, 0.25."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


def _all_integral(curves):
    return all(float(x).is_integer() for xs, _ in curves.values() for x in xs)


def save_curves(path, curves, xlabel, ylabel, title="", logy=False):
    """Plot {label: (xs, ys)} on one figure and write it to ``path`` (format
    from the extension, see :data:`PLOT_FORMATS`; missing folders are created).

    Returns the path written, or ``None`` when nothing was written:

    * the history is empty (no curve has a point, e.g. ``--epochs 0``): no
      file is written (an old one is left alone) and nothing is printed; the
      caller says why (:func:`curves_are_empty` tells it beforehand);
    * matplotlib is not installed: a line saying so is printed.

    Raises ``ValueError`` for an unsupported extension (:func:`plot_format`).
    """
    fmt = plot_format(path)
    if curves_are_empty(curves):
        return None
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no plot written to {path}; "
              f"pip install matplotlib)")
        return None
    use_agg_backend()            # not in a notebook: its inline plots stay
    return save_figure(draw_curves(curves, xlabel, ylabel, title, logy), path, fmt)


def save_figure(fig, path, fmt=None):
    """Write a matplotlib Figure to ``path`` atomically (format: ``fmt``, or
    the extension's) and close it; returns the path."""
    import matplotlib.pyplot as plt
    fmt = fmt or plot_format(path)
    try:
        atomic_write(path, lambda f: fig.savefig(f, format=fmt))
    finally:
        plt.close(fig)
    return path


def draw_curves(curves, xlabel, ylabel, title="", logy=False):
    """The matplotlib Figure that :func:`save_curves` writes; the caller
    closes it. Whole-number x values (epochs) get whole-number ticks; ``logy``
    draws a log axis labelled with :func:`readable_log_ticks` in plain numbers.
    ``curves`` must hold at least one point."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, marker="o" if len(xs) < 40 else None, markersize=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if _all_integral(curves):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        xs = {float(x) for xs, _ in curves.values() for x in xs}
        if len(xs) == 1:                   # one epoch: a unit-wide view, not 0.945..1.055
            ax.set_xlim(min(xs) - 1, min(xs) + 1)
    if logy:
        ax.set_yscale("log")
        values = [y for _, ys in curves.values() for y in ys
                  if y is not None and math.isfinite(y) and y > 0]
        if values:
            low, high = min(values) / 1.05, max(values) * 1.05
            ax.set_ylim(low, high)
            ax.yaxis.set_major_locator(FixedLocator(readable_log_ticks(low, high)))
            ax.yaxis.set_major_formatter(FuncFormatter(plain_number))
            ax.yaxis.set_minor_formatter(NullFormatter())
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_heatmaps(path, matrices, row_labels, col_labels, titles=None,
                  xlabel="source", ylabel="output"):
    """Draw several (rows, cols) matrices side by side (e.g. attention
    weights: output characters x source characters). Returns the path, or
    None when matplotlib is missing."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no heatmap written to {path}; "
              f"pip install matplotlib)")
        return None
    use_agg_backend()            # not in a notebook: its inline plots stay
    import matplotlib.pyplot as plt
    n = len(matrices)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), dpi=110, squeeze=False)
    for k, ax in enumerate(axes[0]):
        m = matrices[k]
        ax.imshow(m, cmap="Greys", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(m.shape[1]))
        ax.set_xticklabels([repr(c)[1:-1] if c != " " else "␣" for c in col_labels[k]],
                           fontsize=7)
        ax.set_yticks(range(m.shape[0]))
        ax.set_yticklabels(row_labels[k], fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if titles:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)

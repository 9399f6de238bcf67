"""What the engine shows in a Jupyter notebook.

* A ``Variable`` that an op made displays itself as the graph behind it (an
  SVG drawn by :func:`autograd_nlp.to_dot`, in memory: no file is written);
  a leaf, or any Variable when Graphviz's ``dot`` program is missing, shows
  its usual text. ``Variable._repr_mimebundle_`` is the small hook in
  ``core.py`` that calls :func:`variable_mimebundle`. (``ag.to_dot(y, ...)``
  returns a ``graphviz.Digraph``, which displays itself too: use it for the
  drawing options.)
* :func:`live_line` gives the progress bars of ``training/progress.py`` an
  output line of the running cell that they redraw in place (every epoch's
  bar the same line), instead of a line per redraw or per epoch.
* :func:`use_agg_backend` is ``matplotlib.use("Agg")`` that leaves a
  notebook's inline backend alone, so plots keep showing after a file is
  written.

Nothing here imports IPython or graphviz until a notebook asks for them.
"""
import shutil
import sys

# A graph with more Functions than this is drawn with its repeated time steps
# folded and only its last MAX_DEPTH levels, so that displaying a training
# loss does not lay out thousands of nodes.
MAX_FUNCTIONS = 200
MAX_DEPTH = 40
TITLE_CHARS = 80


def kernel_shell():
    """The IPython shell of the Jupyter kernel we run in, or None (no
    IPython, or a terminal IPython, which has no kernel attached)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        shell = ipython.get_ipython()
    except Exception:          # a half-imported or stubbed IPython
        return None
    return shell if getattr(shell, "kernel", None) is not None else None


def jupyter_kernel():
    """True inside a Jupyter kernel."""
    return kernel_shell() is not None


def short_title(variable):
    """The first line of a Variable's repr, cut to ``TITLE_CHARS``: the
    caption of its picture (its value, which the picture does not show)."""
    first = repr(variable).splitlines()[0]
    more = len(repr(variable).splitlines()) > 1
    if len(first) > TITLE_CHARS or more:
        first = first[:TITLE_CHARS - 1] + "…"
    return f"{first}  {variable.shape} {variable.dtype}"


def graph_options(outputs):
    """``to_dot`` options for a picture that stays readable: large graphs
    get ``fold="repeats"`` and ``max_depth=MAX_DEPTH``."""
    from autograd_nlp.core import walk_graph
    count = 0
    for _ in walk_graph(list(outputs), order="breadth"):
        count += 1
        if count > MAX_FUNCTIONS:
            return {"fold": "repeats", "max_depth": MAX_DEPTH}
    return {}


def graph_svg(*outputs, **options):
    """The SVG text of the graph behind ``outputs`` (options as
    :func:`autograd_nlp.to_dot`), or None when Graphviz's ``dot`` program is
    not installed."""
    if shutil.which("dot") is None:
        return None
    from autograd_nlp.graphviz import to_dot
    options = {**graph_options(outputs), **options}
    return to_dot(*outputs, **options).pipe(format="svg", encoding="utf-8")


def variable_mimebundle(variable, include=None, exclude=None):
    """IPython's rich display of a Variable: its text, plus its graph as SVG
    when an op made it (captioned with its value). ``include``/``exclude``
    are IPython's mime-type filters."""
    bundle = {"text/plain": repr(variable)}
    wanted = ((include is None or "image/svg+xml" in include)
              and not (exclude and "image/svg+xml" in exclude))
    if wanted and variable.creator is not None and variable.data is not None:
        svg = graph_svg(variable, title=short_title(variable))
        if svg is not None:
            bundle["image/svg+xml"] = svg
    return bundle


def use_agg_backend():
    """Switch matplotlib to its off-screen Agg backend before writing an
    image file, except inside a Jupyter kernel: there the inline backend
    draws off-screen already, and switching to Agg would stop every later
    figure of the notebook from showing. (For the ``matplotlib.use("Agg")``
    calls of the plotting code.)"""
    if not jupyter_kernel():
        import matplotlib
        matplotlib.use("Agg")


class LiveLine:
    """One text output of the running notebook cell, replaced on every
    ``show`` (an IPython display handle; the notebook keeps the last text)."""

    def __init__(self, display=None):
        self._display = display
        self._handle = None

    def show(self, text):
        from IPython.display import Pretty, display
        shown = Pretty(text)
        if self._handle is None:
            self._handle = (self._display or display)(shown, display_id=True)
        else:
            self._handle.update(shown)


_cell_lines = {"cell": None, "lines": {}}


def live_line(kind=""):
    """Inside a Jupyter kernel, the :class:`LiveLine` of the running cell for
    bars of this ``kind``: the same one for every bar of that kind the cell
    draws (a 100-epoch run is one line showing the current epoch and the
    run's ETA, not 100 lines; its validation bars another). None outside a
    kernel."""
    shell = kernel_shell()
    if shell is None:
        return None
    cell = (id(shell), getattr(shell, "execution_count", None))
    if _cell_lines["cell"] != cell:
        _cell_lines.update(cell=cell, lines={})
    return _cell_lines["lines"].setdefault(kind, LiveLine())

"""(Re)build the executed notebooks from their jupytext sources.

Each notebook is kept twice in this folder: ``NN_name.py``, the source (the
jupytext "percent" format: cells between ``# %%`` lines, prose in ``# %%
[markdown]`` cells; it is what you edit and what diffs), and
``NN_name.ipynb``, the same cells executed with their outputs, which is what
GitHub and Jupyter show. This script runs every source top to bottom in a
fresh kernel and writes the ``.ipynb`` beside it::

    pip install ".[notebooks]"
    python docs/notebooks/build.py                 # every notebook, full size
    python docs/notebooks/build.py 03_rnn          # one (a prefix of its name)
    python docs/notebooks/build.py --size small    # the reduced size the tests run

The size is passed to the notebooks in ``$AUTOGRAD_NLP_NOTEBOOK_SIZE``
(``full`` or ``small``; each notebook reads it in its first cell). The
committed notebooks are built at full size; PTB is found as everywhere else
(``$AUTOGRAD_NLP_DATA``, else a download; see README.md, "Data").
``tests/test_notebooks.py`` imports :func:`execute` from here.
"""
import argparse
import contextlib
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
SIZE_ENV = "AUTOGRAD_NLP_NOTEBOOK_SIZE"
SIZES = ("full", "small")
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def sources():
    """The notebook sources in reading order (``00_engine.py``, ...)."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


@contextlib.contextmanager
def environment(**values):
    """Set environment variables (inherited by the kernel) for a while."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(source, size="full", timeout=3600):
    """Run the notebook source ``source`` (a path) top to bottom in a new
    python3 kernel whose working folder is this one; returns the executed
    ``nbformat`` notebook. A cell that raises raises
    ``nbclient.exceptions.CellExecutionError`` (with the traceback)."""
    import jupytext
    from nbclient import NotebookClient
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    notebook = jupytext.read(str(source))
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(HERE)}},
                            record_timing=False)
    # the NumPy path (not the optional numba kernels, which round differently):
    # the committed notebooks' numbers are docs/results.md's
    jit = os.environ.get("AUTOGRAD_NLP_JIT", "0")
    with environment(**{SIZE_ENV: size, "AUTOGRAD_NLP_JIT": jit}):
        client.execute()
    return notebook


def build(source, size="full"):
    """Execute ``source`` and write ``<source>.ipynb``; returns its path."""
    import nbformat
    notebook = execute(source, size)
    target = pathlib.Path(source).with_suffix(".ipynb")
    nbformat.write(notebook, str(target))
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*",
                        help="notebooks to build, by the start of their name (default: all)")
    parser.add_argument("--size", choices=SIZES, default="full",
                        help="full (what is committed) or small (the tests' size)")
    args = parser.parse_args(argv)
    chosen = [s for s in sources()
              if not args.names or any(s.stem.startswith(n) for n in args.names)]
    if not chosen:
        parser.error(f"no notebook matches {args.names}; there are "
                     f"{', '.join(s.stem for s in sources())}")
    for source in chosen:
        start = time.perf_counter()
        target = build(source, args.size)
        print(f"{target.name}: executed at {args.size} size in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

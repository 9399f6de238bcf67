"""autograd_nlp: define-by-run automatic differentiation on NumPy, and the NLP
models of *Deep Learning from Scratch 2* written as forward code only.

    import autograd_nlp as ag
    import autograd_nlp.functions as F
    x = ag.Variable(np.array([1.0, 2.0]), name="x")
    y = F.tanh(x).sum()
    y.backward()          # x.grad == 1 - tanh(x) ** 2

    translator = ag.load("runs/attention/checkpoint.npz")   # any checkpoint kind

The names below are loaded on first use (PEP 562), so that importing a part
that does not need the engine (``autograd_nlp.data``) does not load it, nor
the graphviz package.
"""
import importlib
import os
import sys
import types

__version__ = "0.1.0"

_EXPORTS = {
    "autograd_nlp.config": ("Config", "default_dtype", "enable_grad", "eval_mode",
                            "no_grad", "scope", "train_mode", "unrolled", "using_config"),
    "autograd_nlp.anomaly": ("detect_anomaly",),
    "autograd_nlp.core": ("Function", "FusedFunction", "Parameter", "ShapeError",
                          "Variable", "as_variable", "bump_version", "grad", "walk_graph"),
    "autograd_nlp.inspection": ("graph_stats", "live_function_count"),
    "autograd_nlp.gradcheck": ("GradcheckError", "ImpureLossError", "check_module", "gradcheck",
                               "gradcheck_module", "gradgradcheck", "numerical_grad"),
    "autograd_nlp.graphviz": ("render_graph", "to_dot"),
    "autograd_nlp.loading": ("load",),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
_SUBMODULES = ("backend", "functions", "random")

__all__ = sorted(_HOME) + list(_SUBMODULES)


def __getattr__(name):
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        if name != "gradcheck":        # see _Package: that name is a property
            globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``ag.gradcheck`` is the function, although a submodule has the same
    name: importing ``autograd_nlp.gradcheck`` would otherwise rebind the
    package attribute to the module."""

    @property
    def gradcheck(self):
        return importlib.import_module(f"{__name__}.gradcheck").gradcheck

    @gradcheck.setter
    def gradcheck(self, value):
        if not isinstance(value, types.ModuleType):   # the import system sets the module
            raise AttributeError("autograd_nlp.gradcheck cannot be replaced; "
                                 "patch autograd_nlp.gradcheck.gradcheck instead")


sys.modules[__name__].__class__ = _Package


def _find_models_in_a_checkout():
    """``autograd_nlp.models`` is the top-level folder ``models/``: an
    installed package holds it as ``autograd_nlp/models`` (pyproject.toml maps
    the folder); imported straight from a checkout (its root on ``sys.path``,
    as when running the tests there), the package also looks in the
    checkout's root for it. A ``models/`` folder elsewhere is never used."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    if (not os.path.isdir(os.path.join(here, "models"))
            and os.path.isfile(os.path.join(root, "models", "__init__.py"))
            and os.path.isfile(os.path.join(root, "pyproject.toml"))):
        __path__.append(root)


_find_models_in_a_checkout()


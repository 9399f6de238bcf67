"""The op registry: every differentiable op, with makers of valid random inputs.

One parametrized test (tests/functions/test_registry.py) gradchecks every
entry, so an op registered here cannot ship unchecked; ``autograd-nlp
gradcheck --all`` prints the same checks as a table.

A case maker takes a ``numpy.random.Generator`` and returns ``(args, kwargs)``.
Float arrays in ``args`` are the differentiable inputs; integer arrays and
other values are held constant.
"""
from dataclasses import dataclass, field

import numpy as np

REGISTRY = {}


@dataclass
class OpSpec:
    name: str
    fn: object                      # the public function, e.g. functions.tanh
    cases: dict                     # label -> maker(rng) -> (args, kwargs)
    twice_differentiable: bool = True
    torch: object = None            # (torch, *args, **kwargs) -> tensor, or None
    torch_skip: str = ""            # why there is no torch reference, if none
    tolerance: dict = field(default_factory=dict)   # extra gradcheck kwargs
    call: object = None             # adapter (*arrays, **kwargs) when fn's order differs
    zero_size: dict = None          # label -> maker of zero-size inputs (default: derived)

    def __call__(self, *args, **kwargs):
        return (self.call or self.fn)(*args, **kwargs)


def register(name, cases, *, twice_differentiable=True, torch=None,
             torch_skip="", call=None, zero_size=None, **tolerance):
    """Decorator: ``@register("tanh", cases={...}, torch=lambda t, x: t.tanh(x))``.

    ``zero_size``: label -> maker of inputs with a zero-length axis, for ops
    where cutting the first case's leading axes to 0 (the default) does not
    give valid inputs (e.g. matmul, whose operands share an axis)."""
    def wrap(fn):
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is registered twice")
        REGISTRY[name] = OpSpec(name, fn, dict(cases), twice_differentiable,
                                torch, torch_skip, tolerance, call,
                                None if zero_size is None else dict(zero_size))
        return fn
    return wrap


def zero_size_cases(spec):
    """``spec``'s zero-size input makers: its own, or the first case with the
    leading axis of every array argument (float or int) cut to length 0."""
    if spec.zero_size is not None:
        return spec.zero_size
    first = next(iter(spec.cases.values()))

    def make(rng):
        args, kwargs = first(rng)
        return tuple(a[:0] if isinstance(a, np.ndarray) and a.ndim else a
                     for a in args), kwargs
    return {"leading-axis-0": make}


# Public callables of ``autograd_nlp.functions`` that are pure compositions of
# registered ops (name -> what they compose), so they need no cases of their
# own: every op inside them is gradchecked, gradgradchecked and torch-checked.
# tests/functions/test_registry.py fails when an export is neither here nor
# registered. Empty today: swapaxes and masked_fill, once listed here in
# spirit, are registered so that their own argument handling is checked too.
COMPOSITIONS = {}

# Exports of ``autograd_nlp.functions`` that are not differentiable ops at all.
NOT_OPS = {}


# --- input makers -------------------------------------------------------------
def randn(*shapes, **kwargs):
    """Standard normal float64 arrays of the given shapes (kwargs passed on)."""
    def make(rng):
        return tuple(rng.standard_normal(s) for s in shapes), dict(kwargs)
    return make


def positive(*shapes, low=0.5, high=2.0, **kwargs):
    """Uniform arrays in [low, high): for log, sqrt, division, pow bases."""
    def make(rng):
        return tuple(rng.uniform(low, high, s) for s in shapes), dict(kwargs)
    return make


def away_from_zero(*shapes, margin=0.1, **kwargs):
    """Normal arrays pushed at least ``margin`` away from 0 (for kinks)."""
    def make(rng):
        out = []
        for s in shapes:
            a = rng.standard_normal(s)
            out.append(np.where(a >= 0, a + margin, a - margin))
        return tuple(out), dict(kwargs)
    return make


def distinct(*shapes, **kwargs):
    """Arrays of well-separated distinct values (for max/min, no ties)."""
    def make(rng):
        out = []
        for s in shapes:
            n = int(np.prod(s)) if s else 1
            a = rng.permutation(n).astype(np.float64) * 0.5 + rng.uniform(0, 0.1, n)
            out.append(a.reshape(s))
        return tuple(out), dict(kwargs)
    return make


def custom(fn):
    """A maker written by hand: ``fn(rng) -> (args, kwargs)``."""
    return fn


def all_ops():
    """Import every op module so that the registry is complete."""
    from autograd_nlp import functions  # noqa: F401  (modules register on import)
    return REGISTRY

"""A search space written on the command line: ``--param NAME=KIND:SPEC``.

    lr=log:1e-4:1e-1          a float, log-uniform in [1e-4, 1e-1]
    dropout=float:0:0.5       a float, uniform in [0, 0.5]
    batch_size=int:32:256     an integer, uniform in [32, 256]
    hidden=choice:64,128,256  one of the listed values (ints, floats or words)

Each ``ParamSpec`` draws a value from NumPy's generator (the built-in random
search) or from an Optuna trial (``suggest``), so both samplers search the
same space.
"""
import dataclasses
import math

import numpy as np

KINDS = ("log", "float", "int", "choice")
SYNTAX = ("NAME=log:LOW:HIGH, NAME=float:LOW:HIGH, NAME=int:LOW:HIGH or "
          "NAME=choice:A,B,C (e.g. lr=log:1e-4:1e-1, hidden=choice:64,128,256)")


class SpaceError(ValueError):
    """A ``--param`` that cannot be read; the message says the syntax."""


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One searched option: ``name`` (as the train command spells its
    option, ``batch_size`` or ``batch-size``), ``kind`` (one of ``KINDS``),
    ``low``/``high`` for ranges, ``choices`` for ``choice``."""
    name: str
    kind: str
    low: float = None
    high: float = None
    choices: tuple = ()

    @property
    def dest(self):
        """The argparse destination: ``batch-size`` -> ``batch_size``."""
        return self.name.replace("-", "_")

    @property
    def option(self):
        return "--" + self.dest.replace("_", "-")

    def text(self):
        """The spec as typed (normalised): ``lr=log:0.0001:0.1``."""
        if self.kind == "choice":
            return f"{self.dest}=choice:{','.join(map(str, self.choices))}"
        return f"{self.dest}={self.kind}:{_num(self.low)}:{_num(self.high)}"

    def extremes(self):
        """The values that bound the space (to validate them up front)."""
        return list(self.choices) if self.kind == "choice" else [self.low, self.high]

    def sample(self, rng):
        """A value drawn by a ``numpy.random.Generator``."""
        if self.kind == "log":
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        if self.kind == "float":
            return float(rng.uniform(self.low, self.high))
        if self.kind == "int":
            return int(rng.integers(int(self.low), int(self.high) + 1))
        return self.choices[int(rng.integers(len(self.choices)))]

    def distribution(self):
        """The equivalent Optuna distribution (Optuna imported by the caller)."""
        import optuna.distributions as d
        if self.kind == "log":
            return d.FloatDistribution(self.low, self.high, log=True)
        if self.kind == "float":
            return d.FloatDistribution(self.low, self.high)
        if self.kind == "int":
            return d.IntDistribution(int(self.low), int(self.high))
        return d.CategoricalDistribution(self.choices)


def _num(x):
    return f"{x:g}" if isinstance(x, float) else str(x)


def _value(text):
    """A choice as typed: an int, else a float, else the word itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_param(text):
    """``ParamSpec`` of one ``NAME=KIND:SPEC``; raises ``SpaceError``."""
    name, eq, spec = text.partition("=")
    kind, colon, rest = spec.partition(":")
    name = name.strip()
    if not eq or not colon or not name or kind not in KINDS:
        raise SpaceError(f"cannot read --param {text!r}: expected {SYNTAX}")
    if kind == "choice":
        choices = tuple(_value(c.strip()) for c in rest.split(",") if c.strip())
        if not choices or len(set(choices)) != len(choices):
            raise SpaceError(f"--param {text!r}: list distinct values after 'choice:', "
                             f"e.g. {name}=choice:64,128,256")
        return ParamSpec(name, kind, choices=choices)
    bounds = rest.split(":")
    try:
        low, high = (float(b) for b in bounds) if len(bounds) == 2 else (None, None)
    except ValueError:
        low = high = None
    if low is None or not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise SpaceError(f"--param {text!r}: {kind} needs two finite numbers LOW:HIGH with "
                         f"LOW < HIGH, e.g. {name}={kind}:{'1e-4:1e-1' if kind != 'int' else '32:256'}")
    if kind == "log" and low <= 0:
        raise SpaceError(f"--param {text!r}: a log range needs LOW > 0")
    if kind == "int":
        if low != int(low) or high != int(high):
            raise SpaceError(f"--param {text!r}: int bounds must be whole numbers")
        low, high = int(low), int(high)
    return ParamSpec(name, kind, low, high)


def parse_space(texts):
    """``[ParamSpec]`` of several ``--param`` texts; a name given twice is an error."""
    specs = [parse_param(t) for t in texts]
    seen = set()
    for spec in specs:
        if spec.dest in seen:
            raise SpaceError(f"--param {spec.dest} is given twice; give each option once")
        seen.add(spec.dest)
    return specs


def sample_space(specs, rng):
    """{dest: value} drawn from every spec with ``rng`` (a numpy Generator)."""
    return {spec.dest: spec.sample(rng) for spec in specs}


def trial_rng(seed, number):
    """The generator of random-search trial ``number``: a trial's setting
    depends on (seed, number) alone, so a resumed search draws what an
    uninterrupted one would have."""
    return np.random.default_rng([seed, number])

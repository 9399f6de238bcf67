"""The value checks of the recipes' settings, shared by ``Config.validate``
(Python) and the command line's argument types (``commands/common.py``), so a
setting is refused the same way, with the same words, wherever it is given.

A check takes a value and returns it, or raises ``ValueError`` with what the
value must be ("must be a positive integer (1, 2, ...)"); the caller adds
which setting and what it got.
"""
import math


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, (int,)) and not (
            hasattr(value, "dtype") and value.dtype.kind in "iu"):
        raise ValueError("expected an integer")
    return int(value)


def _number(value):
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def positive_int(value):
    """An integer >= 1 (sizes, counts, epochs, top-k, lengths)."""
    value = _integer(value)
    if value < 1:
        raise ValueError("must be a positive integer (1, 2, ...)")
    return value


def non_negative_int(value):
    """An integer >= 0 (seeds; 0 meaning "off" where the help says so)."""
    value = _integer(value)
    if value < 0:
        raise ValueError("must be an integer >= 0")
    return value


def positive_float(value):
    """A finite number > 0 (learning rates, temperatures, clipping norms)."""
    value = _number(value)
    if value <= 0:
        raise ValueError("must be a number > 0")
    return value


def non_negative_float(value):
    """A finite number >= 0 (0 meaning "off" or "always" where the help says so)."""
    value = _number(value)
    if value < 0:
        raise ValueError("must be a number >= 0")
    return value


def fraction(value):
    """A number in [0, 1): a share of rows, a dropout rate (0 meaning "none")."""
    value = _number(value)
    if not 0 <= value < 1:
        raise ValueError("must be in [0, 1)")
    return value


def unit_interval(value):
    """A number in [0, 1] (a discount factor, a probability that may be 1)."""
    value = _number(value)
    if not 0 <= value <= 1:
        raise ValueError("must be in [0, 1]")
    return value


def at_most(limit, why):
    """A check: a positive integer at most ``limit``; ``why`` (a phrase) says
    in the refusal why larger values are not taken."""
    def check(value):
        value = positive_int(value)
        if value > limit:
            raise ValueError(f"must be at most {limit:,} ({why})")
        return value
    check.__name__ = f"positive_int_at_most_{limit}"
    check.parse = int
    return check


# how the command line reads each check's text before checking it
for _check in (positive_int, non_negative_int):
    _check.parse = int
for _check in (positive_float, non_negative_float, fraction, unit_interval):
    _check.parse = float

# sizes that are built in memory (or unrolled) at once: larger ones cannot finish
MAX_BEAM = 100
beam_width = at_most(MAX_BEAM, "the search scores K x vocabulary continuations of every "
                               "question at every step, so its time grows with K")
MAX_GENERATED = 10_000_000
generated_size = at_most(MAX_GENERATED, "the examples are generated in memory before "
                                        "training starts")
MAX_SAMPLES = 100_000
sample_count = at_most(MAX_SAMPLES, "the samples are decoded together, in one batch; run "
                                    "again with another --seed for more")


def device_name(value):
    """Where a model runs: "cpu", "cuda" (or "cuda:N"), or a device registered
    with ``backend.register_device`` (the tests' fake one)."""
    from autograd_nlp.backend import registered_device_names
    if not isinstance(value, str) or not (value in ("cpu", "cuda") or value.startswith("cuda:")
                                          or value in registered_device_names()):
        raise ValueError("must be cpu or cuda")
    return value


def from_text(check, text):
    """The value ``text`` gives a setting checked by ``check``, read as the
    command line reads it (the check's ``parse``: int, float; text
    otherwise). Raises ValueError with the refusal, quoting the text."""
    parse = getattr(check, "parse", str)
    try:
        value = parse(text)
    except ValueError:
        kind = "an integer" if parse is int else "a number"
        raise ValueError(f"expected {kind}, got {text!r}") from None
    try:
        return check(value)
    except ValueError as e:
        raise ValueError(f"{e}, got {text!r}") from None

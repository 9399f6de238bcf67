"""The settings of a recipe: a dataclass whose fields are the train command's
options (the same names, with underscores; the same defaults), each declared
once with ``option`` (its help, its check, its choices), validated in one
place (``Config.validate``), and turned into the command's argparse options
by ``commands/common.add_config_options``.

    config = AttentionConfig(epochs=2, hidden=64)      # refused at once if invalid
    config.settings()          # {"epochs": 2, "hidden": 64, ...} as checkpoints store
    AttentionConfig.field_help("hidden")
"""
import dataclasses
import os

from autograd_nlp.errors import UserError
from autograd_nlp.recipes import checks


class ConfigError(UserError, ValueError):
    """A setting that cannot be used; the message names the setting as the
    command line spells it (``--batch-size``) and what it must be."""


def option(default, help, check=None, choices=None, metavar=None, flags=None,
           negation=None, setting=True, none_help=None, nargs=None, const=None, parse=None):
    """A Config field: ``default``; ``help`` (the command's --help line);
    ``check`` (from ``recipes.checks``: what a value must be); ``choices``;
    ``flags`` (the option's spellings when not ``--field-name``, e.g. aliases);
    ``negation`` (for a boolean that defaults on: the ``--no-x`` spelling's help);
    ``setting=False`` for what says where and how to run, not what the run is
    made of (not stored in checkpoints, not taken from one on resume);
    ``none_help`` (what the default None means, shown as the default);
    ``nargs``/``const``/``parse`` for options argparse reads specially."""
    return dataclasses.field(default=default, metadata=dict(
        help=help, check=check, choices=choices, metavar=metavar, flags=flags,
        negation=negation, setting=setting, none_help=none_help, nargs=nargs,
        const=const, parse=parse))


def flag_of(field):
    """The command line's spelling of a field: ``batch_size`` -> ``--batch-size``."""
    return "--" + field.replace("_", "-")


class _RecordsGivenFields(type):
    """Makes a Config remember which fields its caller passed: those are the
    fields "given" (``Config.given``), whatever their values."""

    def __call__(cls, *args, **kwargs):
        config = super().__call__(*args, **kwargs)
        names = [f.name for f in dataclasses.fields(cls)]
        config._given = frozenset(names[:len(args)]) | frozenset(kwargs)
        return config


@dataclasses.dataclass
class Config(metaclass=_RecordsGivenFields):
    """The base of every recipe's settings (see the module's docstring)."""

    def __post_init__(self):
        self._given = frozenset()       # (the fields passed: set once the object is made)
        self.validate()
        if not getattr(self, "resume", None):    # resumed: once the recorded settings are in
            self.check_together()

    # --- what was given --------------------------------------------------------------
    def given(self):
        """The names of the fields set on purpose: those passed to the
        constructor (the command line: those typed). With ``resume``, the
        others take the checkpoint's values; on generated dates, the main
        job's recipe fills the others."""
        return set(self._given)

    def mark_given(self, names):
        """Record which fields count as given (the command line marks those
        typed; the recipes keep them across the copies they make)."""
        self._given = frozenset(names)
        return self

    def settings(self):
        """{name: value} of the fields that make the run (JSON-able), as
        checkpoints store them."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.metadata.get("setting", True)}

    def replace(self, **changes):
        """A copy with ``changes`` (validated); the copy remembers the
        original's given fields plus the changed ones."""
        given = self.given() | set(changes)
        return dataclasses.replace(self, **changes).mark_given(given)

    # --- validation ------------------------------------------------------------------
    def validate(self):
        """Check every field with its ``check`` and ``choices``. Raises
        ConfigError naming the option and what it must be. (The rules between
        fields, ``check_together``, follow at construction, or for a resumed
        run in the recipe, once the recorded settings are in.)"""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            check, choices = f.metadata.get("check"), f.metadata.get("choices")
            if check is not None:
                try:
                    setattr(self, f.name, check(value))
                except ValueError as e:
                    raise ConfigError(f"{flag_of(f.name)} {e}, got {value!r}") from None
            if choices is not None and value not in choices:
                raise ConfigError(f"{flag_of(f.name)} must be one of "
                                  f"{', '.join(map(str, choices))}, got {value!r}")

    def check_together(self):
        """Rules that involve several fields; subclasses raise ConfigError."""

    @classmethod
    def field_help(cls, name):
        return next(f.metadata["help"] for f in dataclasses.fields(cls) if f.name == name)


def variant(base, name, doc, **defaults):
    """A subclass of the Config ``base`` with other defaults (``defaults``),
    keeping every field's help and check: one model's settings from its
    family's (e.g. RnnlmConfig from LanguageModelConfig)."""
    fields = []
    by_name = {f.name: f for f in dataclasses.fields(base)}
    for key, value in defaults.items():
        if key not in by_name:
            raise TypeError(f"variant {name}: {base.__name__} has no field {key!r}")
        f = by_name[key]
        fields.append((key, f.type, dataclasses.field(default=value, metadata=f.metadata)))
    cls = dataclasses.make_dataclass(name, fields, bases=(base,))
    cls.__doc__ = doc
    cls.__module__ = base.__module__
    return cls


@dataclasses.dataclass
class RunConfig(Config):
    """What every run has: its folder (``out``, never overwritten unasked),
    the seed, the checkpoint it resumes, quiet progress."""
    out: str = option(os.path.join("runs", "run"), "output folder", setting=False)
    overwrite: bool = option(False, "replace the earlier run's files in --out (without it, "
                                    "a folder holding an earlier run is refused: continue "
                                    "that run with --resume, or pick another --out)",
                             setting=False)
    seed: int = option(1, "random seed", checks.non_negative_int)
    resume: str = option(None, "continue the run saved in this checkpoint (default: start "
                               "anew)", metavar="CKPT", setting=False)
    quiet: bool = option(False, "no progress bar", setting=False)


@dataclasses.dataclass
class TrainingConfig(RunConfig):
    """The settings every epoch-trained command has besides ``RunConfig``'s:
    data, epochs, checkpoints by time or iterations, the device."""
    data_dir: str = option(None, "dataset directory (default: $AUTOGRAD_NLP_DATA; when "
                                 "unset, PTB is downloaded and the seq2seq data generated)",
                           setting=False)
    epochs: int = option(1, "epochs to train", checks.positive_int)
    checkpoint_every: int = option(None, "checkpoint every N iterations (and at every epoch "
                                         "end) instead of every --checkpoint-minutes "
                                         "(default: not set)", checks.positive_int,
                                   metavar="N", setting=False)
    checkpoint_minutes: float = option(5.0, "checkpoint after every M minutes of training "
                                            "(0: after every step) and at every epoch end",
                                       checks.non_negative_float, metavar="M", setting=False)
    device: str = option("cpu", "where the model runs: cpu (NumPy) or cuda (a GPU, needs "
                                "CuPy) (default: cpu)", checks.device_name,
                         metavar="{cpu,cuda}", setting=False)


# --- options several recipes share (a factory each: every dataclass needs its own field)

def distributed_option():
    """``distributed``: data-parallel training over the MPI ranks (docs/distributed.md)."""
    return option(False, "data-parallel training over the MPI ranks the command was started "
                         "on: mpiexec -n N autograd-nlp train ... --distributed (pip install "
                         "'.[distributed]'; see docs/distributed.md)", setting=False)


def early_stop_option(score):
    """``early_stop``: patience in epochs without a better ``score`` (a phrase
    saying what is watched and where it is measured)."""
    return option(None, f"stop after PATIENCE epochs without a better {score} and put the "
                        f"best epoch's parameters back (default: train all epochs)",
                  checks.positive_int, metavar="PATIENCE")


def skip_test_option():
    """``skip_test``: no test evaluation at the end (``autograd-nlp tune`` sets it)."""
    return option(False, "do not evaluate on the test split at the end (a search scores "
                         "trials on validation and tests the best setting once)",
                  setting=False)

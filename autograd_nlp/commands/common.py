"""Helpers shared by the subcommands: the parser class (every option shows
its default), argument types that refuse impossible values at parse time
(exit 2 with argparse's message), and the bridge from a recipe's Config to
its options and back (``add_config_options``, ``config_from_args``). Output
folders live in ``autograd_nlp/training/run_folder.py`` (its functions that
the commands use are re-exported here) and what a run does before training
in ``autograd_nlp/recipes/runtime.py``."""
import argparse
import dataclasses
import os

from autograd_nlp.recipes import checks
from autograd_nlp.training.run_folder import (check_output_file, held_folders,  # noqa: F401
                                              prepare_out, release_folders)


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Appends "(default: X)" to every option's help, unless the help already
    says what the default is (options whose default is None explain it)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text.lower() or action.default is argparse.SUPPRESS
                or not action.option_strings or action.required
                or action.nargs == 0 or action.default is None):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` with ``DefaultsHelpFormatter``; sub-parsers made by
    ``add_subparsers`` inherit the class, so every command's help shows defaults."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)


# --- argument types: each takes the command-line text, returns the value or
# raises ArgumentTypeError (argparse prints "argument --x: <message>", exit 2).
# They are the recipes' value checks (autograd_nlp/recipes/checks.py) reading text.

def argument_type(check):
    """The argparse type of a value check (``recipes.checks.from_text``)."""
    def convert(text):
        try:
            return checks.from_text(check, text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    convert.__name__ = check.__name__      # argparse names the type in some errors
    return convert


positive_int = argument_type(checks.positive_int)
non_negative_int = argument_type(checks.non_negative_int)
positive_float = argument_type(checks.positive_float)
non_negative_float = argument_type(checks.non_negative_float)
non_negative_fraction = argument_type(checks.fraction)
dropout_rate = argument_type(checks.fraction)
unit_interval = argument_type(checks.unit_interval)


def bounded_int(limit, why):
    """An argument type: a positive integer at most ``limit``; ``why`` (a
    phrase) says in the refusal why larger values are not taken."""
    return argument_type(checks.at_most(limit, why))


MAX_BEAM, MAX_GENERATED, MAX_SAMPLES = checks.MAX_BEAM, checks.MAX_GENERATED, checks.MAX_SAMPLES
beam_width = argument_type(checks.beam_width)
generated_size = argument_type(checks.generated_size)
sample_count = argument_type(checks.sample_count)


IMAGE_FORMATS = ("png", "svg", "pdf")


def image_path(text):
    """A path whose extension names an image format matplotlib writes."""
    ext = os.path.splitext(text)[1].lower().lstrip(".")
    supported = supported_image_formats()
    if ext not in supported:
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: " + (f"unsupported format .{ext}" if ext else
                                          "no file extension")
            + f"; use one of {', '.join('.' + f for f in supported)}")
    return text


def supported_image_formats():
    """The extensions matplotlib can write (png, svg, pdf without it)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return IMAGE_FORMATS
    return tuple(sorted(FigureCanvasBase.get_supported_filetypes()))


def add_device_option(p):
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="where the model runs: cpu (NumPy) or cuda (a GPU, needs CuPy) "
                        "(default: cpu)")




# --- a recipe's Config as a command's options, and back -----------------------------------

class Default:
    """An option's default, marked as not typed; prints as the value itself
    (so ``--help`` shows the real default)."""

    def __init__(self, value):
        self.value = value

    def __str__(self):
        return str(self.value)

    __repr__ = __str__

    def __eq__(self, other):
        return plain_value(other) == self.value

    def __hash__(self):
        return hash(self.value)


def add_config_options(p, config_class, skip=()):
    """One option per field of ``config_class`` (a recipe's Config), declared
    from the field's ``option`` metadata: ``--batch-size`` for ``batch_size``,
    its help, check (as the argument type), choices; a boolean is a flag, with
    a ``--no-x`` twin when it defaults on (or declares a ``negation``).
    The defaults of settings are wrapped in ``Default`` so ``config_from_args``
    knows what was typed. ``skip``: fields the command does not offer."""
    for f in dataclasses.fields(config_class):
        if f.name in skip:
            continue
        m = f.metadata
        flags = m.get("flags") or (f"--{f.name.replace('_', '-')}",)
        help_text = m["help"]
        if f.default is None and m.get("none_help"):
            help_text = f"{help_text} (default: {m['none_help']})"
        if isinstance(f.default, bool):
            p.add_argument(*flags, dest=f.name, action="store_true", help=help_text)
            if f.default or m.get("negation"):
                p.add_argument(f"--no-{f.name.replace('_', '-')}", dest=f.name,
                               action="store_false", help=m.get("negation") or
                               f"the opposite of {flags[0]}")
        else:
            kwargs = {}
            if m.get("check") is not None:
                kwargs["type"] = argument_type(m["check"])
            elif m.get("parse") is not None:
                kwargs["type"] = m["parse"]
            for key in ("choices", "metavar", "nargs", "const"):
                if m.get(key) is not None:
                    kwargs[key] = m[key]
            p.add_argument(*flags, dest=f.name, help=help_text, **kwargs)
        # a setting's default is marked, so a resumed run can tell it from a typed
        # value; where-and-how options keep plain defaults
        p.set_defaults(**{f.name: Default(f.default) if m.get("setting", True) else f.default})


def config_from_args(config_class, args):
    """The ``config_class`` instance the parsed ``args`` describe, knowing
    which options were typed (the others are defaults: on --resume they take
    the checkpoint's values). A refused value is a UserError (exit 2)."""
    values, typed = {}, set()
    for f in dataclasses.fields(config_class):
        if not hasattr(args, f.name):
            continue
        value = getattr(args, f.name)
        if isinstance(value, Default):
            value = value.value
        elif f.metadata.get("setting", True) or value != f.default:
            typed.add(f.name)       # (a where-and-how option's default is plain)
        values[f.name] = value
    return config_class(**values).mark_given(typed)


def plain_value(value):
    """An option's value, unwrapped if it is a ``Default``."""
    return getattr(value, "value", value)


def train_command(config_class, run):
    """The ``run`` of a train sub-command: its arguments as ``config_class``,
    trained by the recipe's ``run``."""
    def train(args):
        from autograd_nlp.recipes.result import Callbacks
        callbacks = Callbacks(getattr(args, "on_epoch", None), getattr(args, "on_test", None))
        run(config_from_args(config_class, args), callbacks=callbacks)
        return 0
    return train

"""Helpers shared by the subcommands: the parser class (every option shows
its default), argument types that refuse impossible values at parse time
(exit 2 with argparse's message), output folders, seeding."""
import argparse
import math
import os

from autograd_nlp import random as ag_random
from autograd_nlp.data.paths import configured_data_dir


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
# raises ArgumentTypeError (argparse prints "argument --x: <message>", exit 2)

def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _finite_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_int(text):
    """An integer >= 1 (sizes, counts, epochs, top-k, lengths)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer (1, 2, ...), "
                                         f"got {text!r}")
    return value


def non_negative_int(text):
    """An integer >= 0 (seeds; 0 meaning "off" where the help says so)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def positive_float(text):
    """A finite number > 0 (learning rates, temperatures, clipping norms)."""
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def non_negative_float(text):
    """A finite number >= 0 (0 meaning "off" or "always" where the help says so)."""
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def non_negative_fraction(text):
    """A number in [0, 1): a share of rows (0 meaning "none")."""
    value = _finite_float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text!r}")
    return value


def dropout_rate(text):
    """A probability in [0, 1): the fraction of units dropped."""
    value = _finite_float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text!r}")
    return value


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


def add_common_training_options(p, epochs, out):
    p.add_argument("--data-dir", default=None,
                   help="dataset directory (default: $AUTOGRAD_NLP_DATA; when unset, PTB "
                        "is downloaded and the seq2seq data generated)")
    p.add_argument("--epochs", type=positive_int, default=epochs, help="epochs to train")
    p.add_argument("--out", default=out, help="output folder")
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed")
    p.add_argument("--resume", default=None, metavar="CKPT",
                   help="continue the run saved in this checkpoint (default: start anew)")
    p.add_argument("--checkpoint-every", type=positive_int, default=None, metavar="N",
                   help="checkpoint every N iterations (and at every epoch end) instead "
                        "of every --checkpoint-minutes (default: not set)")
    p.add_argument("--checkpoint-minutes", type=non_negative_float, default=5.0, metavar="M",
                   help="checkpoint after every M minutes of training (0: after every "
                        "step) and at every epoch end")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_device_option(p)


def add_device_option(p):
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="where the model runs: cpu (NumPy) or cuda (a GPU, needs CuPy) "
                        "(default: cpu)")


def add_valid_fraction_option(p, rows, held_out, measured, without):
    """``--valid-fraction F``: a validation split carved from the training
    ``rows`` (never the ``held_out`` ones), on which ``measured`` is taken
    each epoch; ``without`` says what happens at the default 0."""
    p.add_argument("--valid-fraction", type=non_negative_fraction, default=0.0, metavar="F",
                   help=f"carve a validation split of this fraction from the training "
                        f"{rows} (never the {held_out} {rows}; fixed seed): per-epoch "
                        f"{measured} is then measured on it and the {held_out} {rows} once, "
                        f"at the end (default: 0, {without})")


def add_early_stop_options(p, validation, test=True):
    """``--early-stop P`` (and, for commands that end with a test
    evaluation, ``--skip-test``) for a train command whose validation score
    is ``validation`` (a phrase for the help)."""
    p.add_argument("--early-stop", type=positive_int, default=None, metavar="PATIENCE",
                   help=f"stop after PATIENCE epochs without a better {validation} and "
                        f"put the best epoch's parameters back (default: train all epochs)")
    if not test:
        return
    p.add_argument("--skip-test", action="store_true",
                   help="do not evaluate on the test split at the end (a search scores "
                        "trials on validation and tests the best setting once)")


def run_listener(args, event):
    """The callable a caller (``autograd-nlp tune``) set on ``args`` for
    ``event`` ("on_epoch": fn(trainer, results) after each epoch; "on_test":
    fn(name, value) with the final test score), or None from the command line."""
    return getattr(args, event, None)


def plain_value(value):
    """An option's value, unwrapped if a wrapper marks it as a default (one
    with a ``value`` attribute, as the train commands' resume rule uses)."""
    return getattr(value, "value", value)


def data_dir_for_meta(data_dir):
    """The data folder a run reads (``--data-dir`` or ``$AUTOGRAD_NLP_DATA``)
    as an absolute path for a checkpoint's meta, so ``eval`` finds it again;
    None when the data was downloaded or generated."""
    path, _ = configured_data_dir(data_dir)
    return None if path is None else os.path.abspath(path)


def prepare_out(path):
    os.makedirs(path, exist_ok=True)
    return path


def seed_everything(seed):
    ag_random.seed(seed)


def load_ptb_announced(split, data_dir):
    """``load_ptb(split, data_dir)``, first printing what was read (source,
    tokens, vocabulary) and a warning on stderr when the file is not the
    standard PTB split (a truncated download, a sample): a run on the wrong
    data shows before it starts."""
    import sys

    from autograd_nlp.data import check_standard_ptb, describe_corpus, load_ptb, ptb_source
    corpus, word_to_id, id_to_word = load_ptb(split, data_dir)
    summary = describe_corpus(corpus, word_to_id, ptb_source(split, data_dir))
    print(f"{split} {summary}", flush=True)
    warning = check_standard_ptb(split, summary.tokens, summary.vocab_size)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    return corpus, word_to_id, id_to_word


def attach_schedule(optimizer, args, total_steps):
    """The learning-rate schedule named by ``args.schedule`` over
    ``total_steps`` updates, warmed up over ``args.warmup`` (0 when the
    command has no --warmup); None for "constant"."""
    from autograd_nlp import optim
    warmup = getattr(args, "warmup", 0)
    if args.schedule == "inverse-sqrt":
        return optim.WarmupInverseSqrt(optimizer, args.lr, max(warmup, 1))
    if args.schedule == "cosine":
        return optim.WarmupCosine(optimizer, args.lr, max(total_steps, 1),
                                  min(warmup, max(total_steps - 1, 0)))
    return None

"""Helpers shared by the subcommands: the parser class (every option shows
its default), argument types that refuse impossible values at parse time
(exit 2 with argparse's message), output folders and files (checked before
a run starts, an earlier run never overwritten unasked, one run per folder at a
time), seeding."""
import argparse
import atexit
import math
import os
import sys
import time

from autograd_nlp import random as ag_random
from autograd_nlp.data.paths import configured_data_dir
from autograd_nlp.errors import UserError
from autograd_nlp.serialization import process_alive


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


def unit_interval(text):
    """A number in [0, 1] (a discount factor, a probability that may be 1)."""
    value = _finite_float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text!r}")
    return value


def bounded_int(limit, why):
    """An argument type: a positive integer at most ``limit``; ``why`` (a
    phrase) says in the refusal why larger values are not taken."""
    def convert(text):
        value = positive_int(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be at most {limit:,} ({why}), got {text!r}")
        return value
    convert.__name__ = f"positive_int_at_most_{limit}"
    return convert


# sizes that are built in memory (or unrolled) at once: larger ones cannot finish
MAX_BEAM = 100
beam_width = bounded_int(MAX_BEAM, "the search scores K x vocabulary continuations of every "
                                   "question at every step, so its time grows with K")
MAX_GENERATED = 10_000_000
generated_size = bounded_int(MAX_GENERATED, "the examples are generated in memory before "
                                            "training starts")
MAX_SAMPLES = 100_000
sample_count = bounded_int(MAX_SAMPLES, "the samples are decoded together, in one batch; run "
                                        "again with another --seed for more")


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


def add_common_training_options(p, epochs, out, distributed=False):
    """The options of every train command; ``distributed=True`` adds
    ``--distributed`` (for commands whose training runs over MPI ranks)."""
    p.add_argument("--data-dir", default=None,
                   help="dataset directory (default: $AUTOGRAD_NLP_DATA; when unset, PTB "
                        "is downloaded and the seq2seq data generated)")
    p.add_argument("--epochs", type=positive_int, default=epochs, help="epochs to train")
    add_out_options(p, out)
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
    if distributed:
        p.add_argument("--distributed", action="store_true",
                       help="data-parallel training over the MPI ranks the command was "
                            "started on: mpiexec -n N autograd-nlp train ... --distributed "
                            "(pip install '.[distributed]'; see docs/distributed.md)")


def distributed_comm(args):
    """The MPI communicator for ``--distributed`` (None without it). Without
    mpi4py, or on one rank, a UserError says what to do. On ranks other than
    0, stdout goes to the null device: rank 0 alone prints."""
    global _COMM
    if not getattr(args, "distributed", False):
        return None
    if _COMM is not None:
        return _COMM
    from autograd_nlp import distributed
    try:
        comm = distributed.init()
    except distributed.MPIUnavailableError as e:
        raise UserError(f"--distributed: {e}; then start the command with "
                        f"mpiexec -n N autograd-nlp train ... --distributed") from None
    if comm.size < 2:
        raise UserError("--distributed: this process is the only MPI rank; start the "
                        "command with mpiexec -n N (N >= 2), e.g. mpiexec -n 2 autograd-nlp "
                        "train rnnlm --distributed, or leave out --distributed")
    if not comm.is_root:
        sys.stdout = open(os.devnull, "w")
    _COMM = comm
    return comm


_COMM = None            # the communicator of this process's --distributed run


def prepare_out_on_root(path, args, comm):
    """``prepare_out`` for a run over MPI ranks: rank 0 claims the folder
    (the other ranks write nothing); its refusal ends every rank (exit 2,
    the message printed once, by rank 0)."""
    if comm is None:
        return prepare_out(path, args)
    problem = None
    if comm.is_root:
        try:
            prepare_out(path, args)
        except UserError as e:
            problem = str(e)
    problem = comm.bcast(problem)
    if problem is not None:
        if comm.is_root:
            raise UserError(problem)
        raise SystemExit(2)
    return path


def add_out_options(p, default, help="output folder"):
    """``--out`` (a train command's run folder) and ``--overwrite``."""
    p.add_argument("--out", default=default, help=help)
    add_overwrite_option(p)


def add_overwrite_option(p, what="the earlier run's files in --out"):
    p.add_argument("--overwrite", action="store_true",
                   help=f"replace {what} (without it, a folder holding an earlier run is "
                        f"refused: continue that run with --resume, or pick another --out)")


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


# --- output folders and files ----------------------------------------------------------
# what a train command writes into its --out folder: a folder holding any of
# these holds an earlier run, which is not replaced unless --overwrite says so
RUN_FILES = ("checkpoint.npz", "checkpoint.best-params.npz", "rl-finetuned.npz",
             "vectors.npz", "accuracy.png", "attention.png", "attention_heads.png",
             "codes.png", "returns.png", "perplexity.png", "loss.png")
LOCK_NAME = ".autograd-nlp.lock"


def prepare_out(path, args=None, writes=RUN_FILES, option="--out", lock=True):
    """The output folder ``path``, created (with its parents) and claimed for
    this run; returns ``path``. Raises UserError (naming ``option``) when it
    cannot be a folder (a file is there, or above it), when another live
    run is writing into it (its lock file), or, given the command's ``args``
    without ``--resume`` or ``--overwrite``, when it holds an earlier run (any
    of ``writes``): that run is never overwritten unasked. ``--overwrite``
    removes those files first. Calling it again for the same folder in one
    run does nothing more. ``lock=False``: the folder only holds a file the
    caller names itself (checked with ``claim_output_file``), so it is
    created but not claimed."""
    key = os.path.abspath(path)
    if key in _LOCKS:
        return path
    check_folder(path, option)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise UserError(f"{option} {path}: cannot create the folder "
                        f"({e.strerror or e})") from None
    if not lock:
        return path
    lock_folder(path, option)          # a live run in the folder: refused here
    if args is None or getattr(args, "resume", None):
        return path
    earlier = [name for name in writes if os.path.lexists(os.path.join(path, name))]
    if earlier and not getattr(args, "overwrite", False):
        release_folders(keep=set(_LOCKS) - {key})
        raise UserError(earlier_run_message(path, earlier, option))
    for name in earlier:
        try:
            os.remove(os.path.join(path, name))
        except OSError as e:
            raise UserError(f"--overwrite: cannot remove {os.path.join(path, name)} "
                            f"({e.strerror or e}); remove it yourself or pick another "
                            f"{option}") from None
    if earlier:
        print(f"--overwrite: removed the earlier run's {', '.join(earlier)} from {path}",
              flush=True)
    return path


def earlier_run_message(path, files, option="--out"):
    """Why a folder holding an earlier run is refused, and the ways out."""
    checkpoint = os.path.join(path, "checkpoint.npz")
    resume = (f"continue that run with --resume {checkpoint}, "
              if "checkpoint.npz" in files else "")
    return (f"{option} {path} already holds an earlier run ({', '.join(files)}); "
            f"{resume}replace it with --overwrite, or pick another {option}")


def check_folder(path, option="--out"):
    """``path`` can be (or become) a folder: it is not a file, and nothing
    above it is one. Raises UserError naming ``option``."""
    if os.path.lexists(path) and not os.path.isdir(path):
        raise UserError(f"{option} {path} is a file, not a folder; pass a folder (missing "
                        f"ones are created)")
    blocking = _file_above(path)
    if blocking is not None:
        raise UserError(f"{option} {path}: {blocking} is a file, so there can be no folder "
                        f"under it; pass another {option}")


def check_output_file(path, option):
    """``path`` can be written as a file: it is not a folder, and nothing
    above it is a file. Raises UserError naming ``option``; returns ``path``."""
    if os.path.isdir(path):
        raise UserError(f"{option} {path} is a folder; pass the path of a file to write")
    blocking = _file_above(path)
    if blocking is not None:
        raise UserError(f"{option} {path}: {blocking} is a file, so there can be no folder "
                        f"under it; pass another {option}")
    return path


def claim_output_file(path, args, option):
    """A file a run writes outside its --out folder (``--vectors P``,
    ``--out X.npz``): ``check_output_file``, and an existing one is an
    earlier run's, refused unless ``--overwrite`` (or ``--resume``, which
    continues that run). Returns ``path``."""
    check_output_file(path, option)
    if (os.path.lexists(path) and not getattr(args, "resume", None)
            and not getattr(args, "overwrite", False)):
        raise UserError(f"{option} {path} already exists (an earlier run's); replace it with "
                        f"--overwrite, or pick another {option}")
    return path


def _file_above(path):
    """The nearest existing ancestor of ``path`` when it is not a folder, else None."""
    parent = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        up = os.path.dirname(parent)
        if up == parent:
            return None
        parent = up


# --- one run per folder: a lock file holding the writer's pid ---------------------------
_LOCKS = {}            # absolute folder -> lock file path, held by this process


def lock_folder(path, option="--out"):
    """Claim folder ``path`` for this process: create ``path/.autograd-nlp.lock``
    (O_CREAT | O_EXCL) holding our pid. A lock whose pid is no longer
    running (a killed run) is taken over; a live one is a UserError. Held
    until ``release_folders`` (the CLI calls it when a command ends; at exit
    at the latest)."""
    key = os.path.abspath(path)
    if key in _LOCKS:
        return
    lock = os.path.join(key, LOCK_NAME)
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _lock_owner(lock)
            # our own pid on a lock we do not hold: left by a dead process whose pid
            # the system gave us again, so stale like any other dead one
            if pid is not None and pid != os.getpid() and process_alive(pid):
                raise UserError(f"{option} {path} is in use by another run (pid {pid}, "
                                f"see {lock}); wait for it to finish, or pick another "
                                f"{option}") from None
            _remove_stale_lock(lock, pid)
            continue
        except OSError as e:
            raise UserError(f"{option} {path}: cannot write into the folder "
                            f"({e.strerror or e})") from None
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        _LOCKS[key] = lock
        return
    raise UserError(f"{option} {path}: another run keeps claiming the folder ({lock}); "
                    f"pick another {option}")


def _lock_owner(lock):
    """The pid in a lock file; None when it holds none (unreadable, or a
    writer killed between creating and filling it, given a second to fill it)."""
    for attempt in range(2):
        try:
            with open(lock, encoding="ascii", errors="replace") as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        except OSError:
            text = ""
        if text.isdigit():
            return int(text)
        if attempt == 0:
            try:
                if time.time() - os.stat(lock).st_mtime > 1.0:
                    return None
            except OSError:
                return None
            time.sleep(1.0)
    return None


def _remove_stale_lock(lock, pid):
    """Remove a stale lock, unless it changed hands since it was read."""
    if _lock_owner_now(lock) != pid:
        return
    try:
        os.remove(lock)
    except FileNotFoundError:
        pass


def _lock_owner_now(lock):
    try:
        with open(lock, encoding="ascii", errors="replace") as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def held_folders():
    """The folders this process holds now (to release those claimed after)."""
    return set(_LOCKS)


def release_folders(keep=()):
    """Release the folders this process claimed (except those in ``keep``):
    their lock files are removed if they still hold our pid."""
    for key in [k for k in _LOCKS if k not in keep]:
        lock = _LOCKS.pop(key)
        if _lock_owner_now(lock) == os.getpid():
            try:
                os.remove(lock)
            except OSError:
                pass


atexit.register(release_folders)


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

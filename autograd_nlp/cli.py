"""The ``autograd-nlp`` command (also ``python -m autograd_nlp``).

A mistake the user can fix (a ``UserError``: a bad file, the wrong kind of
checkpoint, an unknown word; or a missing dataset) prints one message,
``autograd-nlp: <message>``, and exits with code 2, as argparse does for a
bad option; a traceback means a bug. (An error may carry a ``cli_message``:
its wording for the command line, options spelled as typed, e.g. ``--data-dir``.)
Whatever the command ends with, the output folders it claimed are released.
"""
import sys

from autograd_nlp.backend import DeviceError, get_device
from autograd_nlp.commands import (autoencoder, bert_finetune, bert_pretraining, export,
                                   gradcheck, graph, info, language_model, reinforcement,
                                   rl_finetune, seq2seq, transformer, transformer_lm, tune,
                                   word_vectors)
from autograd_nlp.commands.common import (Parser, held_folders, plain_value,
                                          release_folders)
from autograd_nlp.errors import UserError

# the train sub-commands, one per chapter model, in the order --help lists them
TRAIN_COMMANDS = [seq2seq, transformer, language_model, transformer_lm, bert_pretraining,
                  bert_finetune, word_vectors, reinforcement, autoencoder]
COMMANDS = [seq2seq, language_model, word_vectors, graph, gradcheck, export, info,
            autoencoder, rl_finetune, tune]
USAGE_ERROR = 2


def build_parser():
    parser = Parser(
        prog="autograd-nlp",
        description="Define-by-run autodiff on NumPy and the models of "
                    "Deep Learning from Scratch 2.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = sub.add_parser("train", help="train a chapter model (see: autograd-nlp train -h)")
    train_sub = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    for command in TRAIN_COMMANDS:
        command.add_train_parsers(train_sub)
    for command in COMMANDS:
        (getattr(command, "add_parser", None) or command.add_parsers)(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    held = held_folders()                  # a caller's own folders stay claimed
    try:
        device = plain_value(getattr(args, "device", None))
        if device not in (None, "cpu"):
            get_device(device)             # no CuPy: refused now, before any work
        check = plain_value(getattr(args, "check", None))  # options that must agree
        if check is not None:
            check(args)
        return args.run(args) or 0
    except (UserError, DeviceError) as e:   # bad data/file/checkpoint/run, no GPU: no traceback
        print(f"autograd-nlp: {getattr(e, 'cli_message', None) or e}", file=sys.stderr)
        return USAGE_ERROR
    except MemoryError as e:                # sizes the machine cannot hold
        print(f"autograd-nlp: out of memory ({e or 'MemoryError'}); use smaller sizes "
              f"(e.g. --hidden, --batch-size, --generate-size)", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted (checkpoints written so far are intact; --resume continues)",
              file=sys.stderr)
        return 130
    finally:
        release_folders(keep=held)


if __name__ == "__main__":
    sys.exit(main())

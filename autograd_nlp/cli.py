"""The ``autograd-nlp`` command (also ``python -m autograd_nlp``).

A mistake the user can fix (a ``UserError``: a bad file, the wrong kind of
checkpoint, an unknown word; or a missing dataset) prints one message,
``autograd-nlp: <message>``, and exits with code 2, as argparse does for a
bad option; a traceback means a bug.
"""
import sys

from autograd_nlp.backend import DeviceError
from autograd_nlp.commands import (autoencoder, export, gradcheck, graph, info, language_model,
                                   rl_finetune, seq2seq, train, tune, word_vectors)
from autograd_nlp.commands.common import Parser, plain_value
from autograd_nlp.errors import UserError

COMMANDS = [train, seq2seq, language_model, word_vectors, graph, gradcheck, export, info,
            autoencoder, rl_finetune, tune]
USAGE_ERROR = 2


def build_parser():
    parser = Parser(
        prog="autograd-nlp",
        description="Define-by-run autodiff on NumPy and the models of "
                    "Deep Learning from Scratch 2.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        (getattr(command, "add_parser", None) or command.add_parsers)(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        check = plain_value(getattr(args, "check", None))  # options that must agree
        if check is not None:
            check(args)
        return args.run(args) or 0
    except (UserError, DeviceError) as e:   # bad data/file/checkpoint/run, no GPU: no traceback
        print(f"autograd-nlp: {e}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted (checkpoints written so far are intact; --resume continues)",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

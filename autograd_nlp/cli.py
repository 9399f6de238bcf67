"""The ``autograd-nlp`` command (also ``python -m autograd_nlp``)."""
import argparse
import sys

from autograd_nlp.commands import (autoencoder, gradcheck, graph, language_model,
                                   rl_finetune, seq2seq, train, word_vectors)
from autograd_nlp.data.paths import DatasetError

COMMANDS = [train, seq2seq, language_model, word_vectors, graph, gradcheck, autoencoder,
            rl_finetune]


def build_parser():
    parser = argparse.ArgumentParser(
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
        return args.run(args) or 0
    except DatasetError as e:       # missing/unusable data: say what to do, no traceback
        print(f"autograd-nlp: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted (checkpoints written so far are intact; --resume continues)",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The ``autograd-nlp`` command (also ``python -m autograd_nlp``)."""
import argparse
import sys

from autograd_nlp.commands import graph, gradcheck

COMMANDS = [graph, gradcheck]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="autograd-nlp",
        description="Define-by-run autodiff on NumPy and the models of "
                    "Deep Learning from Scratch 2.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Run the command line in-process for the CLI tests."""
from autograd_nlp.cli import main


def run(capsys, *argv):
    """(exit code, stdout, stderr) of one command, argparse exits included."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err

"""Writes the tiny checkpoints in this folder with the version of the code on
the path: they were written by commit f3f04c9 (main before the recipes of
issue 21), so tests/test_old_checkpoints.py can check that checkpoints of
earlier versions still load and resume. Rerun only to refresh them:

    git worktree add /tmp/old f3f04c9 && cd /tmp/old && \
        PYTHONPATH=/tmp/old python /path/to/tests/data/old_checkpoints/write.py

The data: cli_run.write_ptb's 20-word PTB (the tests write the same one) and
the seq2seq tasks generated from their seed.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))          # tests/: cli_run

from cli_run import write_ptb  # noqa: E402

from autograd_nlp.cli import main  # noqa: E402

QUIET = ["--epochs", "1", "--quiet"]


def runs(data):
    """{kind: argv} of the tiny runs (1 epoch each)."""
    ptb = ["--data-dir", str(data)]
    return {
        "rnnlm": ["train", "rnnlm", *ptb, "--batch-size", "4", "--time-size", "5",
                  "--wordvec", "4", "--hidden", "4", "--eval-batch-size", "2"],
        "attention": ["train", "attention", "--generate-size", "200", "--hidden", "8",
                      "--wordvec", "4", "--batch-size", "32"],
        "seq2seq": ["train", "seq2seq", "--generate-size", "200", "--hidden", "8",
                    "--wordvec", "4", "--batch-size", "32"],
        "transformer": ["train", "transformer", "--task", "addition", "--generate-size",
                        "200", "--dim", "8", "--heads", "2", "--layers", "1",
                        "--batch-size", "32", "--warmup", "2"],
        "transformer-lm": ["train", "transformer-lm", *ptb, "--dim", "8", "--heads", "2",
                           "--layers", "1", "--batch-size", "4", "--time-size", "6",
                           "--warmup", "2"],
        "cbow": ["train", "cbow", *ptb, "--window", "1", "--hidden", "4",
                 "--batch-size", "50", "--recipe", "book"],
        "vae": ["train", "vae", "--n", "200", "--hidden", "16", "--code", "4",
                "--batch-size", "32"],
    }


def main_():
    os.environ.pop("AUTOGRAD_NLP_DATA", None)
    with tempfile.TemporaryDirectory() as tmp:
        data = write_ptb(Path(tmp) / "data")
        for kind, argv in runs(data).items():
            out = Path(tmp) / kind
            assert main(argv + QUIET + ["--out", str(out)]) == 0, kind
            (HERE / kind).mkdir(exist_ok=True)
            for name in ("checkpoint.npz", "vectors.npz"):
                if (out / name).exists():
                    shutil.copy(out / name, HERE / kind / name)


if __name__ == "__main__":
    main_()

"""benchmarks/row_threads.py: each side's environment (the split, BLAS's
threads), one side measured in its own process, and the table for one
model (no timing asserted)."""
import json
import os
import subprocess
import sys

import pytest

from benchmarks import book_comparison, row_threads

SCRIPT = os.path.join(book_comparison.ROOT, "benchmarks", "row_threads.py")


def test_each_side_sets_the_split_and_blas_threads():
    rows, blas, one = (row_threads.side_environment(s, 2) for s in ("rows", "blas", "one"))
    assert rows["OPENBLAS_NUM_THREADS"] == "2" and "AUTOGRAD_NLP_THREADS" not in rows
    assert blas["OPENBLAS_NUM_THREADS"] == "2" and blas["AUTOGRAD_NLP_THREADS"] == "1"
    assert one["OPENBLAS_NUM_THREADS"] == "1" and "AUTOGRAD_NLP_THREADS" not in one


def test_one_side_prints_its_time():
    done = subprocess.run([sys.executable, SCRIPT, "--one", "rows", "main-job", "2", "2"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) > 0


def test_the_table_for_one_model():
    done = subprocess.run([sys.executable, SCRIPT, "--models", "seq2seq", "--sides",
                           "rows,blas", "--rounds", "1", "--iters", "2"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[1].startswith("seq2seq: rows ") and " blas " in lines[1]
    assert lines[2].startswith("  rows / blas (same round): ")


def test_unknown_models_and_sides_are_refused():
    for args in (["--models", "gpt"], ["--sides", "book"]):
        with pytest.raises(SystemExit):
            row_threads.parse_args(args)

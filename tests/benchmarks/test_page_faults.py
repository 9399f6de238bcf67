"""benchmarks/page_faults.py: one side measured in its own process (ours,
with and without fit's memory setting), and the whole table when the
book's code and torch are there (no timing asserted)."""
import json
import os
import subprocess
import sys

import pytest

from benchmarks import book_comparison

SCRIPT = os.path.join(book_comparison.ROOT, "benchmarks", "page_faults.py")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("side", ["ours", "ours-kept"])
def test_one_side_prints_its_time_and_faults(side):
    done = run("--side", side, "--models", "seq2seq", "--iters", "2")
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["ms"] > 0 and row["faults"] >= 0


def test_the_table_of_every_side():
    if not os.path.isdir(os.path.join(book_comparison.default_book_dir(), "common")):
        pytest.skip("the book's code is not in ../shared/reference")
    pytest.importorskip("torch", reason="torch is the peer (pip install torch)")
    pytest.importorskip("matplotlib", reason="the book's code imports it (pip install '.[plot]')")
    done = run("--models", "seq2seq", "--iters", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("| model | book ms (faults)") and lines[2].startswith("| seq2seq |")
    assert len(lines[2].split("|")) == 11

"""benchmarks/jit_kernels.py and benchmarks/jit_book_comparison.py run and
print their rows (one quick round each; no timing asserted)."""
import os
import subprocess
import sys

import pytest

from benchmarks import book_comparison

pytest.importorskip("numba", reason="numba is not installed (the optional [jit] extra)")

FOLDER = os.path.join(book_comparison.ROOT, "benchmarks")


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(FOLDER, script), *args],
                          capture_output=True, text=True, timeout=300)


def rows(stdout, start):
    return [[c.strip() for c in line.strip("|").split("|")]
            for line in stdout.splitlines() if line.startswith(start)]


def test_kernel_rows():
    result = run("jit_kernels.py", "--ops", "softmax_ce,negative_sampling", "--rounds", "1")
    assert result.returncode == 0, result.stderr
    found = rows(result.stdout, "| softmax_cross_entropy") + \
        rows(result.stdout, "| negative_sampling_loss")
    assert len(found) == 6 and all(float(r[1]) > 0 and float(r[2]) > 0 for r in found)


def test_missing_book_dir_skips_with_a_message(tmp_path):
    result = run("jit_book_comparison.py", "--book-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout


@pytest.mark.skipif(not os.path.isdir(os.path.join(book_comparison.default_book_dir(), "common")),
                    reason="the book's code is not beside the repository")
def test_one_quick_row_against_the_book():
    pytest.importorskip("matplotlib", reason="the book's code imports it (pip install '.[plot]')")
    result = run("jit_book_comparison.py", "--models", "seq2seq", "--rounds", "1",
                 "--warmup", "0")
    assert result.returncode == 0, result.stderr
    (row,) = rows(result.stdout, "| seq2seq")
    assert len(row) == 10 and all(float(row[i]) > 0 for i in (1, 2, 3))

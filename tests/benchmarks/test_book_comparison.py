"""benchmarks/book_comparison.py: its arguments, its skip when the book's
code is absent, and one quick row when it is present (no timing asserted)."""
import os
import subprocess
import sys

import pytest

from benchmarks import book_comparison

SCRIPT = os.path.join(book_comparison.ROOT, "benchmarks", "book_comparison.py")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=120)


def test_models_and_rounds_are_parsed():
    args = book_comparison.parse_args(["--models", "seq2seq, cbow", "--rounds", "3",
                                       "--book-dir", "somewhere"])
    assert args.models == ["seq2seq", "cbow"]
    assert (args.rounds, args.warmup, args.threads, args.book_dir) == (3, 2, 1, "somewhere")
    assert args.clock == "cpu" and book_comparison.parse_args(["--clock", "wall"]).clock == "wall"
    assert book_comparison.parse_args(["--models", "all"]).models == list(book_comparison.MODELS)
    assert book_comparison.parse_args([]).book_dir.endswith(
        os.path.join("shared", "reference", "dl2-book-code"))


def test_keep_memory_is_off_unless_asked_and_said_in_the_header():
    assert book_comparison.keep_memory_note(book_comparison.parse_args([])) == ""
    args = book_comparison.parse_args(["--keep-memory"])
    assert args.keep_memory
    code = ("from benchmarks import book_comparison as bc\n"
            "print(bc.keep_memory_note(bc.parse_args(['--keep-memory'])))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=book_comparison.ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in (", freed memory kept (every side)",
                                   ", --keep-memory had no effect (not glibc)")


@pytest.mark.parametrize("bad", [["--models", "seq2seq,gpt"], ["--models", ","],
                                 ["--rounds", "0"], ["--warmup", "-1"], ["--clock", "sundial"]])
def test_bad_arguments_exit_2(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        book_comparison.parse_args(bad)
    assert exit_info.value.code == 2
    assert "book_comparison" in capsys.readouterr().err


def test_missing_book_dir_skips_with_a_message(tmp_path):
    result = run("--book-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout and str(tmp_path / "nowhere") in result.stdout
    assert "--book-dir" in result.stdout


@pytest.mark.skipif(not os.path.isdir(os.path.join(book_comparison.default_book_dir(), "common")),
                    reason="the book's code is not beside the repository")
def test_one_quick_row_against_the_book():
    pytest.importorskip("matplotlib", reason="the book's code imports it (pip install '.[plot]')")
    result = run("--models", "seq2seq", "--rounds", "1", "--warmup", "0")
    assert result.returncode == 0, result.stderr
    row = [line for line in result.stdout.splitlines() if line.startswith("| seq2seq")]
    assert len(row) == 1
    cells = [c.strip() for c in row[0].strip("|").split("|")]
    assert len(cells) == 6 and float(cells[1]) > 0 and float(cells[2]) > 0


def test_without_matplotlib_the_book_is_skipped_with_the_reason(monkeypatch, tmp_path):
    (tmp_path / "common").mkdir()
    real = book_comparison.importlib.util.find_spec
    monkeypatch.setattr(book_comparison.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    assert "matplotlib" in book_comparison.why_no_book(str(tmp_path))
    assert "is not at" in book_comparison.why_no_book(str(tmp_path / "nowhere"))

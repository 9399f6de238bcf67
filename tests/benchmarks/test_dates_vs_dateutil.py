"""benchmarks/dates_vs_dateutil.py runs end to end on a tiny checkpoint
(the real numbers, from the main job's checkpoints, are in docs/results.md)."""
import datetime

from autograd_nlp.cli import main as cli_main
from benchmarks import dates_vs_dateutil as bench


def test_the_benchmark_prints_its_tables(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "att"
    assert cli_main(["train", "attention", "--generate-size", "300", "--hidden", "8",
                     "--wordvec", "4", "--batch-size", "32", "--epochs", "1", "--quiet",
                     "--out", str(out)]) == 0
    capsys.readouterr()
    assert bench.main(["--attention", str(out / "checkpoint.npz"), "--per-form", "2",
                       "--generator", "10", "--show-wrong", "1"]) == 0
    text = capsys.readouterr().out
    assert f"| held-out forms ({2 * len(bench.HELD_OUT_FORMS)}) |" in text and "| generator's forms (10) |" in text
    assert f"today ({datetime.date.today().isoformat()})" in text
    for form in bench.HELD_OUT_FORMS:
        assert f"| `{bench.HELD_OUT_FORMS[form](datetime.date(2011, 9, 5))}` |" in text
    assert "of them flagged" in text and "confidence threshold" in text


def test_today_questions_name_today():
    today = datetime.date(2026, 12, 6)
    questions = bench.today_questions(today)
    assert "december 6, 2026" in questions and "Sunday, December 6, 2026" in questions
    assert "2026-12-06" in questions and "20261206" in questions

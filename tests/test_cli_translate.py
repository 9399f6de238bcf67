"""``autograd-nlp translate``: one question or many (a file, stdin), plain or
JSON, every answer checked, with an exit code that says whether every answer
can be trusted."""
import io
import json

import pytest

from autograd_nlp.cli import main
from autograd_nlp.commands import seq2seq as seq2seq_cmd
from autograd_nlp.data.written_dates import ALPHABET
from autograd_nlp.text.translator import Translator
from cli_run import run
from stub_translator import StubModel


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("translate") / "attention"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AUTOGRAD_NLP_DATA", raising=False)
        assert main(["train", "attention", "--generate-size", "300", "--hidden", "8",
                     "--wordvec", "4", "--batch-size", "32", "--epochs", "1", "--quiet",
                     "--out", str(out)]) == 0
    return str(out / "checkpoint.npz")


def stub(monkeypatch, answer, p=0.99, threshold=0.9):
    """Make translate answer every question with ``answer``."""
    monkeypatch.setattr(seq2seq_cmd, "load_translator", lambda *a, **k: Translator(
        StubModel(answer, p), ALPHABET, 40, 11, True, checks="date", threshold=threshold))


def test_a_trained_checkpoint_records_its_calibrated_checks(checkpoint):
    from autograd_nlp.training import load_checkpoint
    meta = load_checkpoint(checkpoint)["meta"]
    assert meta["answer_checks"] == "date"
    assert 0 <= meta["confidence_threshold"] <= 1
    translator = seq2seq_cmd.load_translator(checkpoint)
    assert translator.threshold == meta["confidence_threshold"] and translator.checks == "date"


@pytest.mark.parametrize("answer, p, question, code, says", [
    ("2026-12-06", 0.99, "Sunday, December 6, 2026", 0, None),
    ("2001-02-31", 0.99, "february 31, 2001", 3, "not a real calendar date"),
    ("2026-12-06", 0.99, "Monday, December 6, 2026", 3, "another weekday"),
    ("2006-12-06", 0.99, "december 6, 2026", 3, "not written in the question"),
    ("2026-12-06", 0.5, "december 6, 2026", 3, "low confidence")])
def test_each_check_has_its_message_and_the_exit_code(monkeypatch, capsys, answer, p,
                                                      question, code, says):
    stub(monkeypatch, answer, p)
    got, out, err = run(capsys, "translate", "--checkpoint", "x.npz", question)
    assert got == code and out == answer + "\n"
    assert "confidence" in err
    if says:
        assert "warning:" in err and says in err
    got, out, err = run(capsys, "translate", "--checkpoint", "x.npz", "--strict", question)
    assert got == code and out == ("\n" if code else answer + "\n")
    if code:
        assert "(withheld)" in err


def test_words_on_the_command_line_are_one_question(monkeypatch, capsys):
    stub(monkeypatch, "2026-12-06")
    code, out, err = run(capsys, "translate", "--checkpoint", "x.npz", "december", "6,", "2026")
    assert code == 0 and out.splitlines() == ["2026-12-06"]
    help_text = run(capsys, "translate", "--help")[1]
    assert "joined" in help_text and "ONE question" in help_text and "Exit codes" in help_text


def test_many_questions_from_a_file_one_answer_per_line(checkpoint, tmp_path, capsys):
    questions = ["december 6, 2026", "", "6 décembre 2026", "Sunday, Dec. 6th, 2026", "12/6/26"]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "translate", "--checkpoint", checkpoint, "--file", path)
    lines = out.split("\n")[:-1]
    assert len(lines) == 5 and lines[1] == "" and lines[2] == ""
    assert all(len(lines[i]) == 10 for i in (0, 3, 4))
    assert code == 3          # two lines could not be read
    assert "line 2: cannot translate ''" in err and "line 3: cannot translate" in err
    assert "'é'" in err and "translate: 5 questions" in err
    code, out, err = run(capsys, "translate", "--checkpoint", checkpoint, "--file", path,
                         "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in records] == questions
    assert set(records[0]) == {"question", "answer", "confidence", "lowest", "flags", "error"}
    assert records[1]["answer"] is None and "empty" in records[1]["error"]
    assert all(0 <= r["lowest"] <= r["confidence"] <= 1 for r in records if r["answer"])
    untrusted = [r for r in records if r["flags"] or r["error"]]
    assert code == (3 if untrusted else 0)


@pytest.mark.parametrize("argv", [["-"], ["--file", "-"]])
def test_questions_from_standard_input(monkeypatch, capsys, argv):
    stub(monkeypatch, "2026-12-06")
    monkeypatch.setattr("sys.stdin", io.StringIO("december 6, 2026\nSunday 6 Dec 2026\n"))
    code, out, err = run(capsys, "translate", "--checkpoint", "x.npz", *argv, "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["answer"] for r in records] == ["2026-12-06"] * 2
    assert "2 answers passed every check, 0 did not" in err


def test_strict_batches_withhold_what_fails(monkeypatch, capsys, tmp_path):
    stub(monkeypatch, "2026-12-06")
    path = tmp_path / "q.txt"
    path.write_text("Sunday, December 6, 2026\nMonday, December 6, 2026\n")
    code, out, err = run(capsys, "translate", "--checkpoint", "x.npz", "--file", path,
                         "--strict", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 3 and [r["answer"] for r in records] == ["2026-12-06", None]
    assert records[1]["flags"] == ["weekday mismatch"] and "withheld" in err


@pytest.mark.parametrize("argv, says", [
    (["december 6, 2026", "--file", "q.txt"], "not both"),
    (["--file", "/nonexistent/q.txt"], "cannot read --file /nonexistent/q.txt"),
    ([], "no question"),
    (["6 décembre 2026"], "'é'"),
    (["   "], "the question is empty")])
def test_usage_errors_exit_2(monkeypatch, capsys, argv, says):
    stub(monkeypatch, "2026-12-06")
    code, out, err = run(capsys, "translate", "--checkpoint", "x.npz", *argv)
    assert code == 2 and says in err and err.startswith("autograd-nlp: ")


def test_several_quoted_questions_too_long_together_say_how_to_ask_several(monkeypatch,
                                                                           capsys):
    stub(monkeypatch, "2026-12-06")
    got, out, err = run(capsys, "translate", "--checkpoint", "x.npz", "december 6, 2026",
                        "Sunday, December 6th, 2026", "12/6/26")
    assert got == 2 and out == ""
    assert "this model reads at most 40" in err
    assert "the 3 arguments were joined into this one question" in err and "--file" in err
    got, out, err = run(capsys, "translate", "--checkpoint", "x.npz", "december", "6,", "2026")
    assert got == 0 and out == "2026-12-06\n"            # words of one question: still joined

"""Translator: strings in, checked answers out (on a stub model whose
answers and probabilities the test sets)."""
import numpy as np
import pytest

from autograd_nlp.data.written_dates import ALPHABET
from autograd_nlp.text.date_checks import NOT_A_DATE, WEEKDAY_MISMATCH
from autograd_nlp.text.translator import (LOW_CONFIDENCE, Translator, calibrate_threshold)
from stub_translator import StubModel


def translator(answer, p=0.99, threshold=0.9, reverse=True):
    return Translator(StubModel(answer, p), ALPHABET, 40, 11, reverse, checks="date",
                      threshold=threshold)


def test_a_trusted_answer():
    a = translator("2026-12-06").translate("Sunday, December 6, 2026")
    assert (a.text, a.flags, a.error, a.trusted) == ("2026-12-06", [], None, True)
    assert a.lowest == pytest.approx(0.99) and a.lowest_at == 5
    assert 0.99 < a.confidence < 1
    assert a.as_dict()["answer"] == "2026-12-06" and a.as_dict()["flags"] == []


@pytest.mark.parametrize("answer, p, question, flags", [
    ("2001-02-31", 0.99, "feb 31 2001", [NOT_A_DATE]),
    ("2026-12-06", 0.99, "Monday, December 6, 2026", [WEEKDAY_MISMATCH]),
    ("2026-12-06", 0.5, "december 6, 2026", [LOW_CONFIDENCE]),
    ("2026-12-06", float("nan"), "december 6, 2026", [LOW_CONFIDENCE]),
    ("2001-02-31", 0.5, "feb 31 2001", [NOT_A_DATE, LOW_CONFIDENCE])])
def test_each_check_flags_its_answers(answer, p, question, flags):
    a = translator(answer, p).translate(question)
    assert a.flags == flags and not a.trusted and a.text == answer


def test_questions_it_cannot_read_get_an_error_not_an_answer():
    t = translator("2026-12-06")
    answers = t.translate(["", "   ", "x" * 41, "6 décembre 2026", "december 6, 2026",
                           "  december   6,    2026   " + " " * 30])
    assert [a.error is None for a in answers] == [False] * 4 + [True] * 2
    assert "empty" in answers[0].error and "empty" in answers[1].error
    assert "at most 40" in answers[2].error and "'é'" in answers[3].error
    assert answers[0].text is None and answers[0].as_dict()["confidence"] is None
    assert len(t.model.calls) == 1 and t.model.calls[0].shape == (2, 40)


def test_questions_are_stripped_padded_and_reversed_as_in_training():
    t = translator("2026-12-06")
    t.translate("  12/6/2026 ")
    row = t.model.calls[0][0]
    assert "".join(ALPHABET[i] for i in row[::-1]).rstrip() == "12/6/2026"
    t = translator("2026-12-06", reverse=False)
    t.translate("12/6/2026")
    assert "".join(ALPHABET[i] for i in t.model.calls[0][0]).rstrip() == "12/6/2026"


def test_many_questions_run_in_batches(monkeypatch):
    import autograd_nlp.text.translator as module
    monkeypatch.setattr(module, "BATCH", 3)
    t = translator("2026-12-06")
    answers = t.translate([f"december {d}, 2026" for d in range(1, 8)])
    assert len(answers) == 7 and [len(x) for x in t.model.calls] == [3, 3, 1]


def test_calibrate_threshold_flags_at_most_the_allowed_share_of_right_answers():
    rng = np.random.default_rng(0)
    right = 1 - rng.random(10_000) ** 8 * 0.5        # mostly near 1
    wrong = rng.random(50) * 0.45
    lowest = np.concatenate([right, wrong])
    correct = np.r_[np.ones(10_000, bool), np.zeros(50, bool)]
    threshold = calibrate_threshold(lowest, correct, max_right_flagged=0.001)
    assert (right < threshold).sum() == 10
    assert (wrong < threshold).all()
    assert calibrate_threshold([0.3], [False]) == 1.0

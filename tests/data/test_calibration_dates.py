"""The forms the confidence threshold is set on: never generated, never the
benchmark's held-out forms, and their right answers pass every check."""
import datetime
import re

from autograd_nlp.data.calibration_dates import (CALIBRATION_FORMS, SKIP_DATES,
                                                 calibration_questions)
from autograd_nlp.data.written_dates import QUESTION_WIDTH, TWO_DIGIT_YEARS, generate_written_dates
from autograd_nlp.text.date_checks import date_answer_flags
from benchmarks.dates_vs_dateutil import HELD_OUT_FORMS


def norm(question):
    return re.sub(r"\s+", " ", question.lower()).strip()


def test_calibration_forms_are_never_generated():
    for line in generate_written_dates(20_000, seed=11):
        question, answer = line[:QUESTION_WIDTH], line[QUESTION_WIDTH + 1:]
        date = datetime.date.fromisoformat(answer)
        for form, write in CALIBRATION_FORMS.items():
            if not SKIP_DATES.get(form, lambda d: False)(date):
                assert norm(question) != norm(write(date)), (form, question)


def test_calibration_forms_are_not_the_benchmarks_held_out_forms():
    dates = [datetime.date(1900, 1, 1) + datetime.timedelta(days=k * 97) for k in range(700)]
    for date in dates:
        held_out = {norm(write(date)) for write in HELD_OUT_FORMS.values()}
        for form, write in CALIBRATION_FORMS.items():
            assert norm(write(date)) not in held_out, form


def test_calibration_questions_fit_and_pass_the_checks_with_their_right_answers():
    items = calibration_questions(100, seed=3)
    assert len(items) == 100 * len(CALIBRATION_FORMS)
    assert all(len(q) <= QUESTION_WIDTH for q, _ in items)
    assert [(q, a) for q, a in items if date_answer_flags(q, a)] == []
    two_digit = [(q, a) for q, a in items if re.match(r"\d\d-[a-z]+-\d\d$", q.lower())]
    assert two_digit and all(TWO_DIGIT_YEARS[0] <= int(a[:4]) <= TWO_DIGIT_YEARS[1]
                             for _, a in two_digit)
    assert not any(a[5:7] == "05" for q, a in two_digit)
    assert calibration_questions(5, seed=3) == calibration_questions(5, seed=3)

"""The checks a date answer passes before translate shows it."""
import datetime

import pytest

from autograd_nlp.text.date_checks import (NOT_A_DATE, NOT_IN_QUESTION, WEEKDAY_MISMATCH,
                                           date_answer_flags,
                                           parse_iso_date, weekday_in)


@pytest.mark.parametrize("answer, date", [
    ("2026-12-06", datetime.date(2026, 12, 6)), (" 2000-02-29 ", datetime.date(2000, 2, 29)),
    ("2001-02-29", None), ("2001-02-31", None), ("1999-13-01", None), ("1999-00-10", None),
    ("2011-09-00", None), ("20x1-01-01", None), ("2011-9-5", None), ("9999999999", None),
    ("", None)])
def test_parse_iso_date_accepts_only_real_calendar_days(answer, date):
    assert parse_iso_date(answer) == date


@pytest.mark.parametrize("question, weekday", [
    ("Sunday, December 6, 2026", 6), ("mon. 5 sep 2011", 0), ("TUES 9/6/2011", 1),
    ("thurs, 2011-09-08", 3), ("September 5, 2011", None), ("2011-09-05", None),
    ("monday or tuesday, 5 sep 2011", None), ("Monday, Monday 5 Sep 2011", 0),
    ("satsuma 5 sep 2011", None)])
def test_weekday_in_reads_names_and_abbreviations(question, weekday):
    assert weekday_in(question) == weekday


def test_date_answer_flags():
    assert date_answer_flags("Sunday, December 6, 2026", "2026-12-06") == []
    # the confident 2006 for today is no longer shown unflagged
    assert date_answer_flags("december 6, 2026", "2006-12-06") == [NOT_IN_QUESTION]
    assert date_answer_flags("Monday, December 6, 2026", "2026-12-06") == [WEEKDAY_MISMATCH]
    assert date_answer_flags("february 31, 2001", "2001-02-31") == [NOT_A_DATE]
    assert date_answer_flags("Monday, february 31, 2001", "2001-02-31") == [NOT_A_DATE]


@pytest.mark.parametrize("question, answer, inside", [
    ("2027 december 26", "2027-12-26", True), ("2027 december 26", "2026-12-27", False),
    ("20110905", "2011-09-05", True), ("20110905", "2011-05-09", False),
    ("05SEP2011", "2011-09-05", True), ("Sept. 5th, '11", "2011-09-05", True),
    ("9/5/11", "2011-09-05", True), ("9/5/11", "2011-05-09", True),     # the order is a policy
    ("1/2/05", "1905-01-02", False), ("1/2/05", "2005-01-02", True),    # POSIX's window
    ("the 5th of sep", "2011-09-05", False), ("5 mar 2011", "2011-05-03", False),
    ("19 JAN '15", "2019-01-19", False), ("19 JAN '15", "2015-01-19", True),   # one 19, two uses
    ("4/22/2007 20:56:22", "2022-04-22", False),     # a four-digit year is the year
    ("4/22/2007 20:56:22", "2007-04-22", True), ("5/5/05", "2005-05-05", True)])
def test_parts_in_question(question, answer, inside):
    flags = date_answer_flags(question, answer)
    assert (NOT_IN_QUESTION not in flags) == inside


def test_every_generated_and_held_out_question_passes_with_its_right_answer():
    """No check flags a right answer, on the generator's forms and on the
    benchmark's held-out ones."""
    from autograd_nlp.data.written_dates import generate_written_dates
    from benchmarks.dates_vs_dateutil import held_out_questions, today_questions
    items = [(line[:40].rstrip(), line[41:]) for line in generate_written_dates(20_000, seed=9)]
    items += [(q, a) for q, a, _ in held_out_questions(100)]
    items += [(q, "2026-12-06") for q in today_questions(datetime.date(2026, 12, 6))]
    assert [(q, a) for q, a in items if date_answer_flags(q, a)] == []

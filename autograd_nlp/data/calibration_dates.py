"""Dates in forms the generator never writes, to set the confidence threshold on.

A model is surest of the forms it trained on; the questions that need a
confidence check are the other ones. So ``translate``'s threshold is set on
both: fresh questions of the generator's forms, and these ``CALIBRATION_FORMS``,
which ``autograd_nlp.data.written_dates`` never produces (a test checks it) and
which differ from the benchmark's held-out forms
(``benchmarks/dates_vs_dateutil.py``), so the benchmark still measures the
threshold on forms nothing was tuned on. None of them is a numeric date with
the year last, so they read the same under either ``--date-order``.
Plain Python and NumPy.
"""
import datetime

import numpy as np

from autograd_nlp.data.generate_dates import MONTHS, WEEKDAYS
from autograd_nlp.data.written_dates import (CASE_WEIGHTS, CASES, QUESTION_WIDTH,
                                             TWO_DIGIT_YEARS, YEARS)


def _clock(d):
    return f"{d.toordinal() % 24:02d}:{(d.toordinal() * 11) % 60:02d}:{d.day * 2 % 60:02d}"


def _mon(d):
    return MONTHS[d.month - 1][:3]


CALIBRATION_FORMS = {
    "mon/dd/yyyy": lambda d: f"{_mon(d)}/{d.day:02d}/{d.year}",
    "dd-month-yy": lambda d: f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year % 100:02d}",
    "month, d yyyy": lambda d: f"{MONTHS[d.month - 1]}, {d.day} {d.year}",
    "wkd dd mon yyyy hh:mm:ss": lambda d: (f"{WEEKDAYS[d.weekday()][:3]} {d.day:02d} {_mon(d)} "
                                           f"{d.year} {_clock(d)}"),
    "yyyy/mon/dd": lambda d: f"{d.year}/{_mon(d)}/{d.day:02d}",
    "month d yyyy hh:mm:ss": lambda d: f"{MONTHS[d.month - 1]} {d.day} {d.year} {_clock(d)}",
    "yyyymmddThhmmss": lambda d: f"{d.year}{d.month:02d}{d.day:02d}T{_clock(d).replace(':', '')}",
    "dd month yyyy (weekday)": lambda d: (f"{d.day:02d} {MONTHS[d.month - 1]} {d.year} "
                                          f"({WEEKDAYS[d.weekday()]})"),
}
"""Form name -> function(date) -> lower-case question."""

TWO_DIGIT_FORMS = frozenset({"dd-month-yy"})
SKIP_DATES = {"dd-month-yy": lambda d: d.month == 5}
"""Dates a form leaves out because it would write them as the generator does
("28-may-81" is the generator's "dd-mon-yy")."""


def questions_in_forms(forms, per_form, seed=0, two_digit_forms=(),
                       two_digit_years=TWO_DIGIT_YEARS, skip_dates=None):
    """``per_form`` questions of every form of ``forms`` ({name: function(date)
    -> lower-case question}): a list of ``(question, iso answer, form)``, dates
    uniform over ``YEARS`` (``two_digit_forms``: over ``two_digit_years``),
    letter case drawn as the generator's. ``skip_dates`` ({form: predicate})
    moves a date a month on while the predicate holds."""
    skip_dates = skip_dates or {}
    rng = np.random.default_rng(seed)
    items = []
    for form, write in forms.items():
        first, last = two_digit_years if form in two_digit_forms else YEARS
        lo = datetime.date(first, 1, 1).toordinal()
        hi = datetime.date(last, 12, 31).toordinal()
        days = rng.integers(lo, hi + 1, size=per_form)
        cases = rng.choice(len(CASES), size=per_form, p=CASE_WEIGHTS)
        skip = skip_dates.get(form, lambda d: False)
        for day, case in zip(days.tolist(), cases.tolist()):
            date = datetime.date.fromordinal(day)
            while skip(date):
                date += datetime.timedelta(days=31)
            question = list(CASES.values())[case](write(date))
            if len(question) > QUESTION_WIDTH:
                raise ValueError(f"form {form!r} wrote {question!r}, longer than "
                                 f"{QUESTION_WIDTH} characters")
            items.append((question, date.isoformat(), form))
    return items


def calibration_questions(per_form, seed=0):
    """``per_form`` questions of every calibration form: a list of
    ``(question, iso answer)``, dates uniform over ``YEARS`` (two-digit
    forms: over ``TWO_DIGIT_YEARS``), letter case drawn as the generator's."""
    return [(q, a) for q, a, _ in questions_in_forms(CALIBRATION_FORMS, per_form, seed,
                                                       TWO_DIGIT_FORMS,
                                                       skip_dates=SKIP_DATES)]

"""Checks on a date a model wrote, before anyone sees it.

A seq2seq model always answers something. These checks catch the answers that
cannot be right whatever the question meant:

* ``not a date``: the answer is not ``YYYY-MM-DD`` naming a real calendar day
  (``2001-02-31``, ``1999-13-01``, ``20x1-01-01``);
* ``weekday mismatch``: the question names a weekday ("Monday", "tue.") and
  the answer's date falls on another one;
* ``not in the question``: the answer's year, month or day is not written in
  the question at all (as digits, a two-digit year, or a month name or its
  abbreviation), e.g. "2027 december 26" answered 2026-12-27;

and ``low confidence`` (in ``autograd_nlp.text.translator``) catches the
answers the model itself was unsure of. Plain Python.
"""
import datetime
import re

from autograd_nlp.data.generate_dates import MONTHS, WEEKDAYS
from autograd_nlp.data.written_dates import TWO_DIGIT_YEARS

NOT_A_DATE = "not a date"
WEEKDAY_MISMATCH = "weekday mismatch"
NOT_IN_QUESTION = "not in the question"

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# full names and the abbreviations people write: mon, tue(s), wed, thu(r)(s), fri, sat, sun
_WEEKDAY_WORDS = {}
for _number, _name in enumerate(WEEKDAYS):
    for _word in (_name, _name[:3]):
        _WEEKDAY_WORDS[_word] = _number
_WEEKDAY_WORDS.update({"tues": 1, "thur": 3, "thurs": 3, "weds": 2})


def parse_iso_date(answer):
    """``datetime.date`` of an answer ``YYYY-MM-DD`` (surrounding spaces
    ignored), or None when it is not one or names no real day."""
    match = _ISO.fullmatch(answer.strip())
    if match is None:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def weekday_in(question):
    """The weekday (0 = Monday) a question names, or None when it names none
    or several different ones."""
    named = {_WEEKDAY_WORDS[w] for w in re.findall(r"[a-z]+", question.lower())
             if w in _WEEKDAY_WORDS}
    return named.pop() if len(named) == 1 else None


def _compact_readings(run):
    """The dates a run of 6 or 8 digits can spell (yyyymmdd, mmddyyyy,
    ddmmyyyy; with two-digit years for 6), as (year, month, day) tuples,
    a two-digit year kept as such (< 100)."""
    if len(run) == 8:
        splits = ((0, 4, 6, 8, "ymd"), (0, 2, 4, 8, "mdy"), (0, 2, 4, 8, "dmy"))
    elif len(run) == 6:
        splits = ((0, 2, 4, 6, "ymd"), (0, 2, 4, 6, "mdy"), (0, 2, 4, 6, "dmy"))
    else:
        return []
    readings = []
    for a, b, c, d, order in splits:
        parts = dict(zip(order, (int(run[a:b]), int(run[b:c]), int(run[c:d]))))
        readings.append((parts["y"], parts["m"], parts["d"]))
    return readings


def parts_in_question(question, date):
    """Whether ``date``'s year, month and day are each written in
    ``question``, each by a number of its own: the year as four digits or
    (1969-2068) its last two, and as four digits whenever the question writes
    a four-digit number; the month as a number or, when the question names a
    month, that name (a word holding its first three letters: "sep", "Sept.",
    "september", "5sep", "ofmay": no weekday or filler word holds one); the
    day as a number ("5", "05", "5th"). "19 jan '15" answered 2019-01-19 fails:
    one "19" cannot be both the day and the year. A run of 6 or 8 digits counts
    when one of its readings is the date."""
    text = question.lower()
    runs = re.findall(r"\d+", text)
    for run in runs:
        for year, month, day in _compact_readings(run):
            if (year in (date.year, date.year % 100) and month == date.month
                    and day == date.day):
                return True
    four_digit = [i for i, run in enumerate(runs) if len(run) == 4]
    if four_digit:
        years = [i for i in four_digit if int(runs[i]) == date.year]
    else:
        two_digits = TWO_DIGIT_YEARS[0] <= date.year <= TWO_DIGIT_YEARS[1]
        years = [i for i, run in enumerate(runs)
                 if two_digits and run == "%02d" % (date.year % 100)]
    words = [w for w in re.findall(r"[a-z]+", text) if len(w) >= 3]
    named = {m for m, name in enumerate(MONTHS, start=1) for w in words if name[:3] in w}
    short = [i for i, run in enumerate(runs) if len(run) <= 2]
    if named:
        months = [None] if date.month in named else []
    else:
        months = [i for i in short if int(runs[i]) == date.month]
    days = [i for i in short if int(runs[i]) == date.day]
    return any(len({y, d} | ({m} if m is not None else set())) == 2 + (m is not None)
               for y in years for m in months for d in days)


def date_answer_flags(question, answer):
    """The checks ``answer`` fails as a reply to ``question``: a list holding
    ``NOT_A_DATE``, or ``WEEKDAY_MISMATCH`` and/or ``NOT_IN_QUESTION`` (empty
    when it passes)."""
    date = parse_iso_date(answer)
    if date is None:
        return [NOT_A_DATE]
    flags = []
    weekday = weekday_in(question)
    if weekday is not None and weekday != date.weekday():
        flags.append(WEEKDAY_MISMATCH)
    if not parts_in_question(question, date):
        flags.append(NOT_IN_QUESTION)
    return flags

"""Dates written the many ways people type them, for the main job.

The book's ``date.txt`` (and ``generate_dates``) holds a handful of fixed
forms from 1970-2017; a model trained on it answers "december 6, 2026" with a
confident 2006. This generator draws each question from a small grammar whose
choices combine freely, so a model learns the parts (a month name, an
ordinal, a year in any position) rather than a list of templates:

    layouts with a month name   september 5, 2011   5 Sept. 2011
                                the 5th of September, 2011   Sep 5th '11
                                05-SEP-2011   Sept the 5th, 2011
    numeric, year last          9/5/2011   09-05-11   9.5.2011
    numeric, year first         2011-09-05   2011/9/5   2011.09.05   20110905
    year first, a month name    2011 September 5   2011, sep. 5th
    a weekday before some of them, sometimes:
                                Monday, September 5, 2011   mon. 5 sep 2011
                                Mon 2011-09-05   Monday, 9/5/2011
    sometimes a time of day after the date:
                                9/5/2011 14:05   Sep 5, 2011, 2:05 pm   2011-09-05 2:05PM
    every letter case (Title, lower, UPPER), sometimes a doubled space, a
    missing one ("5sep 2011", "september5, 2011") or a comma without its space.

Policies, stated once:

* **Years** are drawn uniformly over the days of ``YEARS`` (1900-2099).
* **Two-digit years** (``11``, ``'11``) follow the POSIX rule of ``strptime``
  and Python's ``%y``: 69-99 are 1969-1999, 00-68 are 2000-2068. A date
  outside 1969-2068 is never written with two digits.
* **Numeric dates with the year last** are month-first (US, ``order="mdy"``,
  the default and the book's) or day-first (``order="dmy"``); every such
  question is read in the one order the data was made with. With the year
  first, numeric dates are always year-month-day (ISO). Day-first forms with a
  month *name* are never ambiguous and are always in the data.

Every question fits ``QUESTION_WIDTH`` characters and uses only printable
ASCII; the answer is ISO ``YYYY-MM-DD``. ``HELD_OUT_FORMS`` (in
``benchmarks/dates_vs_dateutil.py``) are never produced here: a test checks
it. Plain Python and NumPy; nothing here knows about the autodiff engine.
"""
import argparse
import datetime
import re

import numpy as np

from autograd_nlp.data.generate_dates import MONTHS, WEEKDAYS
from autograd_nlp.data.seq_format import format_line, write_dataset

QUESTION_WIDTH = 40
"""Width of a question: the longest form ("wednesday, the 21st of september,
2011" is 38) with room for a doubled space."""
ANSWER_WIDTH = 11
"""``_YYYY-MM-DD``."""
YEARS = (1900, 2099)
"""The years the dates are drawn from, both included."""
TWO_DIGIT_YEARS = (1969, 2068)
"""The years a two-digit ``yy`` names (POSIX: 69-99 -> 19yy, 00-68 -> 20yy)."""
ORDERS = ("mdy", "dmy")
"""How numeric dates with the year last are read: month first (US) or day first."""
ALPHABET = "".join(chr(c) for c in range(32, 127))
"""The vocabulary of the generated data: every printable ASCII character,
space first (id 0, the padding). ``_`` is among them as the answer's start
symbol; a question never holds one."""

_UNIFORMS = 24          # random numbers drawn per question (a fixed number, so
_BATCH = 4096           # the first k questions of n > k are those of k)


def two_digit_year(yy):
    """The year a two-digit ``yy`` (0-99) names: ``69 -> 1969``, ``68 -> 2068``."""
    if not 0 <= yy <= 99:
        raise ValueError(f"a two-digit year is 0..99, got {yy}")
    return 1900 + yy if yy >= 69 else 2000 + yy


def ordinal(day):
    """``1 -> '1st'``, ``2 -> '2nd'``, ``11 -> '11th'``, ``23 -> '23rd'``."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def title_case(text):
    """Capitalise every word that starts with a letter (``str.title`` would
    write ``5Th``): ``'the 5th of september' -> 'The 5th Of September'``."""
    return re.sub(r"(?<![0-9A-Za-z'])[a-z]", lambda m: m.group(0).upper(), text)


CASES = {"title": title_case, "lower": str.lower, "upper": str.upper}
CASE_WEIGHTS = (0.4, 0.3, 0.3)


class _Draws:
    """The uniform numbers of one question, consumed in order."""

    def __init__(self, row):
        self.row, self.at = row, 0

    def uniform(self):
        value = self.row[self.at]
        self.at += 1
        return value

    def pick(self, options, weights=None):
        u = self.uniform()
        if weights is None:
            return options[min(int(u * len(options)), len(options) - 1)]
        edge = 0.0
        for option, w in zip(options, weights):
            edge += w
            if u < edge:
                return option
        return options[-1]

    def chance(self, p):
        return self.uniform() < p


def _month_name(date, draws, abbreviated_only=False):
    name = MONTHS[date.month - 1]
    style = draws.pick(("full", "abbr", "abbr."), (0.0 if abbreviated_only else 0.45, 0.35, 0.2))
    if style == "full":
        return name
    short = "sept" if name == "september" and draws.chance(0.4) else name[:3]
    if name == "may":
        return "may"            # never "may."
    return short + ("." if style == "abbr." else "")


def _day(date, draws, ordinal_share=0.3, padded_share=0.15):
    u = draws.uniform()
    if u < ordinal_share:
        return ordinal(date.day)
    if u < ordinal_share + padded_share:
        return f"{date.day:02d}"
    return str(date.day)


def _year(date, draws, apostrophe=0.0, two_digit=0.0):
    """Four digits, or two ('11, 11) when the year has a two-digit form."""
    u = draws.uniform()
    if TWO_DIGIT_YEARS[0] <= date.year <= TWO_DIGIT_YEARS[1]:
        if u < apostrophe:
            return f"'{date.year % 100:02d}"
        if u < apostrophe + two_digit:
            return f"{date.year % 100:02d}"
    return f"{date.year:04d}"


def _weekday(date, draws):
    name = WEEKDAYS[date.weekday()]
    return draws.pick((name, name[:3], name[:3] + "."), (0.5, 0.35, 0.15))


def _month_first(date, d):        # september 5, 2011 / sep 5th '11 / sept the 5th, 2011
    if d.chance(0.15):
        body = f"{_month_name(date, d)} the {ordinal(date.day)}"
    else:
        body = f"{_month_name(date, d)} {_day(date, d)}"
    comma = "," if d.chance(0.7) else ""
    return f"{body}{comma} {_year(date, d, apostrophe=0.1, two_digit=0.05)}"


def _day_first(date, d):          # 5 september 2011 / 5th sep, 2011 / 05 Sept. 2011
    comma = "," if d.chance(0.25) else ""
    return f"{_day(date, d)} {_month_name(date, d)}{comma} {_year(date, d)}"


def _year_first(date, d):         # 2011 september 5 / 2011, sep. 5th
    comma = "," if d.chance(0.3) else ""
    return f"{date.year:04d}{comma} {_month_name(date, d)} {_day(date, d)}"


def _of_form(date, d):            # the 5th of september, 2011 / 5th of sep 2011
    the = "the " if d.chance(0.6) else ""
    comma = "," if d.chance(0.5) else ""
    return f"{the}{ordinal(date.day)} of {_month_name(date, d)}{comma} {_year(date, d)}"


def _dashed(date, d):             # 05-sep-2011 / 5-SEP-11
    day = f"{date.day:02d}" if d.chance(0.6) else str(date.day)
    month = MONTHS[date.month - 1][:3]
    return f"{day}-{month}-{_year(date, d, two_digit=0.3)}"


def _numeric_year_last(date, d, order):   # 9/5/2011 / 09-05-11 / 9.5.2011
    sep = d.pick(("/", "-", "."), (0.6, 0.25, 0.15))
    padded = d.chance(0.4)
    month, day = ((f"{date.month:02d}", f"{date.day:02d}") if padded
                  else (str(date.month), str(date.day)))
    first, second = (month, day) if order == "mdy" else (day, month)
    return f"{first}{sep}{second}{sep}{_year(date, d, two_digit=0.35)}"


def _numeric_year_first(date, d):          # 2011-09-05 / 2011/9/5 / 20110905
    sep = d.pick(("-", "/", ".", ""), (0.55, 0.2, 0.1, 0.15))
    padded = sep == "" or d.chance(0.75)
    month, day = ((f"{date.month:02d}", f"{date.day:02d}") if padded
                  else (str(date.month), str(date.day)))
    return f"{date.year:04d}{sep}{month}{sep}{day}"


LAYOUTS = {
    "month day year": (_month_first, 0.25, True),
    "day month year": (_day_first, 0.15, True),
    "year month day": (_year_first, 0.06, False),
    "the day of month year": (_of_form, 0.08, False),
    "dd-mon-yyyy": (_dashed, 0.07, False),
    "numeric, year last": (_numeric_year_last, 0.21, True),
    "numeric, year first": (_numeric_year_first, 0.18, True),
}
"""Layout name -> (writer, share of the questions, may a weekday precede it)."""


def write_date(date, draws, order="mdy"):
    """One question for ``date`` (lower case, before the letter case is
    applied), its layout chosen by ``draws`` (a ``_Draws``); returns
    ``(question, layout name)``."""
    names = tuple(LAYOUTS)
    name = draws.pick(names, [LAYOUTS[n][1] for n in names])
    writer, _, weekday_allowed = LAYOUTS[name]
    question = (writer(date, draws, order) if name == "numeric, year last"
                else writer(date, draws))
    if weekday_allowed and draws.chance(0.25):
        joiner = ", " if draws.chance(0.7) else " "
        question = f"{_weekday(date, draws)}{joiner}{question}"
    return question, name


def _spacing(question, draws):
    """Now and then a comma without its space, a doubled space or a missing
    one (one of the question's spaces, drawn)."""
    u, where = draws.uniform(), draws.uniform()
    spaces = [i for i, c in enumerate(question) if c == " "]
    if u < 0.05 and ", " in question:
        return question.replace(", ", ",", 1)
    if u < 0.10 and spaces:                     # doubled
        at = spaces[min(int(where * len(spaces)), len(spaces) - 1)]
        return question[:at] + " " + question[at:]
    # dropped, where no number runs into another ("nov 191907" would read two ways)
    spaces = [i for i in spaces if not (question[i - 1].isdigit() and question[i + 1].isdigit())]
    if u < 0.16 and spaces:
        at = spaces[min(int(where * len(spaces)), len(spaces) - 1)]
        return question[:at] + question[at + 1:]
    return question


def _time_of_day(draws):
    """A time as people add it to a date: ' 14:05', ', 14:05', ' 2:05 pm', ' 2:05pm'."""
    hour, minute = int(draws.uniform() * 24), int(draws.uniform() * 60)
    style = draws.pick(("24h", ", 24h", "am/pm", "am/pm tight"), (0.35, 0.15, 0.35, 0.15))
    if style.endswith("24h"):
        return f"{',' if style.startswith(',') else ''} {hour:02d}:{minute:02d}"
    half = "am" if hour < 12 else "pm"
    space = "" if style.endswith("tight") else " "
    return f" {(hour - 1) % 12 + 1}:{minute:02d}{space}{half}"


def written_date(date, draws, order="mdy"):
    """A question for ``date`` in a drawn layout, now and then with a time
    of day after it, in a drawn letter case and spacing."""
    question, _ = write_date(date, draws, order)
    if draws.chance(0.12):
        time = _time_of_day(draws)
        if len(question) + len(time) < QUESTION_WIDTH:
            question += time
    question = _spacing(question, draws)
    question = CASES[draws.pick(tuple(CASES), CASE_WEIGHTS)](question)
    return question


def generate_written_dates(n, seed=0, start_year=YEARS[0], end_year=YEARS[1], order="mdy"):
    """``n`` lines ``question_answer`` (``QUESTION_WIDTH``, ``ANSWER_WIDTH``),
    e.g. ``'Sunday, December 6, 2026                _2026-12-06'``. Dates are
    uniform over the days of ``start_year..end_year``; the same seed gives
    the same lines, and the first k lines of n > k are those of k."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS} (how a numeric date with the "
                         f"year last is read), got {order!r}")
    if not 1 <= start_year <= end_year <= 9999:
        raise ValueError(f"need 1 <= start_year <= end_year <= 9999, got "
                         f"start_year={start_year}, end_year={end_year}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    first = datetime.date(start_year, 1, 1).toordinal()
    last = datetime.date(end_year, 12, 31).toordinal()
    rng = np.random.default_rng(seed)
    lines = []
    while len(lines) < n:
        days = rng.integers(first, last + 1, size=_BATCH).tolist()
        uniforms = rng.random((_BATCH, _UNIFORMS))
        for day, row in zip(days, uniforms):
            date = datetime.date.fromordinal(day)
            question = written_date(date, _Draws(row), order)
            lines.append(format_line(question, date.isoformat(), QUESTION_WIDTH,
                                     ANSWER_WIDTH))
            if len(lines) == n:
                break
    return lines


def main(argv=None):
    """Write generated questions as a ``question_answer`` file:
    ``python -m autograd_nlp.data.written_dates PATH [--n N] [--seed S] [--order dmy]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd_nlp.data.written_dates",
        description="Write dates as people write them, one question_answer line each "
                    f"(questions {QUESTION_WIDTH} characters wide, answers ISO).")
    parser.add_argument("path", help="file to write, e.g. DATA/seq/date.txt")
    parser.add_argument("--n", type=int, default=150_000, help="number of lines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--order", choices=ORDERS, default="mdy",
                        help="numeric dates with the year last: month first or day first")
    args = parser.parse_args(argv)
    write_dataset(generate_written_dates(args.n, args.seed, order=args.order), args.path)
    print(f"wrote {args.n:,} lines to {args.path}")


if __name__ == "__main__":
    main()

"""Generate the date-normalisation toy dataset (book chapter 7).

Each line is a date as a person might write it, padded to 29 characters, then
``_`` and the ISO date (``_YYYY-MM-DD``, 11 characters), the widths of the
book's ``date.txt``::

    september 27, 1994           _1994-09-27
    TUESDAY, SEPTEMBER 25, 1984  _1984-09-25
    2/10/93                      _1993-02-10

Format families. The book's file (50,000 lines, counted) holds four, in
roughly equal shares, with the words in Title case about half the time and
lower or UPPER case a quarter each:

    "month d, yyyy"           september 27, 1994
    "mon d, yyyy"             Sep 27, 1994       (three letters: "sep", not "sept")
    "weekday, month d, yyyy"  Tuesday, September 25, 1984
    "m/d/yy"                  2/10/93            (US order, no leading zeros)

Days never have a leading zero there, and the dates run from 1970-01-01 to
2017-07-24. ``BOOK_DATE_FAMILIES`` names these four. This module adds more
ways people write dates, all unambiguous:

    "m/d/yyyy"  "mm/dd/yyyy"  "yyyy-mm-dd"  "month d yyyy"  "d month yyyy"
    "d mon yyyy"  "wkd, mon d, yyyy"

Numeric dates are always month-first (US) when the year comes last, and ISO
when it comes first; day-first orders appear only with a month *name*, so no
question reads two ways. A two-digit year ``yy`` means the one year in
``start_year .. start_year + 99`` that ends in ``yy`` (for the default
1970..2017: 70-99 are 19xx, 00-69 are 20xx, as in the book's file).

Every question uses only characters of the book's file (English month and
weekday names, digits, space, ``,``, ``/``, ``-``). Names are spelled here, not
taken from the locale, so the output is the same on every machine.

Command line: ``python -m autograd_nlp.data.generate_dates DIR/date.txt``.
"""
import argparse
import datetime

import numpy as np

from autograd_nlp.data.seq_format import DATE_WIDTHS, format_line, write_dataset

MONTHS = ("january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday")        # in the order of date.weekday()


def _month(d):
    return MONTHS[d.month - 1]


def _mon(d):
    return MONTHS[d.month - 1][:3]


def _weekday(d):
    return WEEKDAYS[d.weekday()]


def _wkd(d):
    return WEEKDAYS[d.weekday()][:3]


DATE_FAMILIES = {
    # the book's four
    "month d, yyyy": lambda d: f"{_month(d)} {d.day}, {d.year:04d}",
    "mon d, yyyy": lambda d: f"{_mon(d)} {d.day}, {d.year:04d}",
    "weekday, month d, yyyy": lambda d: f"{_weekday(d)}, {_month(d)} {d.day}, {d.year:04d}",
    "m/d/yy": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    # more of the same kinds
    "m/d/yyyy": lambda d: f"{d.month}/{d.day}/{d.year:04d}",
    "mm/dd/yyyy": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
    "yyyy-mm-dd": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "month d yyyy": lambda d: f"{_month(d)} {d.day} {d.year:04d}",
    "d month yyyy": lambda d: f"{d.day} {_month(d)} {d.year:04d}",
    "d mon yyyy": lambda d: f"{d.day} {_mon(d)} {d.year:04d}",
    "wkd, mon d, yyyy": lambda d: f"{_wkd(d)}, {_mon(d)} {d.day}, {d.year:04d}",
}
"""Family name -> function(datetime.date) -> lower-case question."""

BOOK_DATE_FAMILIES = ("month d, yyyy", "mon d, yyyy", "weekday, month d, yyyy",
                      "m/d/yy")
"""The four families of the book's ``date.txt``."""

TWO_DIGIT_YEAR_FAMILIES = frozenset({"m/d/yy"})

CASES = {"title": str.title, "lower": str.lower, "upper": str.upper}
CASE_WEIGHTS = {"title": 0.5, "lower": 0.25, "upper": 0.25}
"""How often each case is drawn, as in the book's file."""

_BATCH = 4096   # fixed, so that the first k lines of n > k lines are those of k


def format_date(date, family, case="title"):
    """The question for ``date`` (a ``datetime.date``) written in ``family``
    (a key of ``DATE_FAMILIES``) with its words in ``case`` (title, lower,
    upper; numbers are unaffected).

    >>> format_date(datetime.date(1984, 9, 25), "weekday, month d, yyyy", "upper")
    'TUESDAY, SEPTEMBER 25, 1984'
    >>> format_date(datetime.date(2005, 6, 4), "m/d/yy")
    '6/4/05'
    """
    if family not in DATE_FAMILIES:
        raise ValueError(f"unknown date format family {family!r}; choose from "
                         f"{sorted(DATE_FAMILIES)}")
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; choose from {sorted(CASES)}")
    return CASES[case](DATE_FAMILIES[family](date))


def generate_dates(n, seed=0, start_year=1970, end_year=2017, families=None):
    """``n`` date lines, e.g. ``'Sep 27, 1994                 _1994-09-27'``, as a
    list of strings without newlines. The same ``seed`` always gives the same
    lines, and the lines for ``n`` are the first ``n`` of those for any larger
    ``n``.

    The date is uniform over every day from January 1 of ``start_year`` to
    December 31 of ``end_year``; the family is uniform over ``families``
    (default: all of ``DATE_FAMILIES``; pass ``BOOK_DATE_FAMILIES`` for the
    book's mix); the case is drawn with ``CASE_WEIGHTS``.
    """
    families = tuple(DATE_FAMILIES) if families is None else tuple(families)
    if not families:
        raise ValueError("families is empty; pass at least one of "
                         f"{sorted(DATE_FAMILIES)}")
    unknown = [f for f in families if f not in DATE_FAMILIES]
    if unknown:
        raise ValueError(f"unknown date format families {unknown}; choose from "
                         f"{sorted(DATE_FAMILIES)}")
    if not 1 <= start_year <= end_year <= 9999:
        raise ValueError(f"need 1 <= start_year <= end_year <= 9999, got "
                         f"start_year={start_year}, end_year={end_year}")
    two_digit = TWO_DIGIT_YEAR_FAMILIES.intersection(families)
    if two_digit and end_year - start_year >= 100:
        raise ValueError(f"families {sorted(two_digit)} write two-digit years, which "
                         f"name one year only in a span of 100 years, but "
                         f"{start_year}..{end_year} spans {end_year - start_year + 1}; "
                         f"narrow the years or leave those families out")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    first = datetime.date(start_year, 1, 1).toordinal()
    last = datetime.date(end_year, 12, 31).toordinal()
    case_names = tuple(CASE_WEIGHTS)
    case_p = np.array([CASE_WEIGHTS[c] for c in case_names])
    question_width, answer_width = DATE_WIDTHS
    rng = np.random.default_rng(seed)
    lines = []
    while len(lines) < n:
        days = rng.integers(first, last + 1, size=_BATCH)
        fams = rng.integers(0, len(families), size=_BATCH)
        cases = rng.choice(len(case_names), size=_BATCH, p=case_p)
        for day, fam, case in zip(days.tolist(), fams.tolist(), cases.tolist()):
            date = datetime.date.fromordinal(day)
            question = format_date(date, families[fam], case_names[case])
            lines.append(format_line(question, date.isoformat(),
                                     question_width, answer_width))
            if len(lines) == n:
                break
    return lines


def main(argv=None):
    """Write a generated date file: ``PATH [--n N] [--seed S] [--book-formats]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd_nlp.data.generate_dates",
        description="Write a date-normalisation dataset in the format of the "
                    "book's date.txt (question_answer, fixed widths).")
    parser.add_argument("path", help="file to write, e.g. DATA/seq/date.txt")
    parser.add_argument("--n", type=int, default=50_000, help="number of lines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start-year", type=int, default=1970)
    parser.add_argument("--end-year", type=int, default=2017)
    parser.add_argument("--book-formats", action="store_true",
                        help="only the four format families of the book's file")
    args = parser.parse_args(argv)
    families = BOOK_DATE_FAMILIES if args.book_formats else None
    lines = generate_dates(args.n, args.seed, args.start_year, args.end_year, families)
    write_dataset(lines, args.path)
    print(f"wrote {args.n} lines to {args.path}")


if __name__ == "__main__":
    main()

"""Date strings with their format family, and a parser that reads them back.

For the sequence autoencoders: ``date_strings`` draws dates written the ways
of ``generate_dates`` and says which family wrote each (the colour of a code
in a 2-D projection); ``parse_date`` decides whether a generated string is a
real date written in one of those ways (the sample-quality measure).

    texts, families = date_strings(3, seed=0)
    parse_date("Tuesday, September 25, 1984")
    # (datetime.date(1984, 9, 25), 'weekday, month d, yyyy')
    parse_date("Monday, September 25, 1984")    # the wrong weekday: None

Plain Python and NumPy; nothing here knows about the autodiff engine.
"""
import datetime
import itertools
import re

import numpy as np

from autograd_nlp.data.generate_dates import (CASE_WEIGHTS, CASES, DATE_FAMILIES, MONTHS,
                                              TWO_DIGIT_YEAR_FAMILIES, format_date)


def date_strings(n, seed=0, start_year=1970, end_year=2017, families=None):
    """``n`` dates (uniform over the days of ``start_year..end_year``), each
    written in a family drawn uniformly from ``families`` (default: every key
    of ``DATE_FAMILIES``) and a case drawn with ``CASE_WEIGHTS``.
    Returns ``(texts, family_of_each)``, two lists of n str."""
    families = tuple(DATE_FAMILIES) if families is None else tuple(families)
    unknown = [f for f in families if f not in DATE_FAMILIES]
    if unknown or not families:
        raise ValueError(f"date_strings: unknown or no families {unknown or families}; "
                         f"choose from {sorted(DATE_FAMILIES)}")
    rng = np.random.default_rng(seed)
    first = datetime.date(start_year, 1, 1).toordinal()
    last = datetime.date(end_year, 12, 31).toordinal()
    days = rng.integers(first, last + 1, size=n)
    picked = rng.integers(0, len(families), size=n)
    cases = rng.choice(len(CASE_WEIGHTS), size=n, p=list(CASE_WEIGHTS.values()))
    case_names = tuple(CASE_WEIGHTS)
    texts, labels = [], []
    for day, f, c in zip(days.tolist(), picked.tolist(), cases.tolist()):
        texts.append(format_date(datetime.date.fromordinal(day), families[f], case_names[c]))
        labels.append(families[f])
    return texts, labels


_NAME_TO_MONTH = {**{m: i + 1 for i, m in enumerate(MONTHS)},
                  **{m[:3]: i + 1 for i, m in enumerate(MONTHS)}}


def _candidate_dates(text, start_year):
    """Every real date whose numbers and month name appear in ``text``."""
    numbers = [int(x) for x in re.findall(r"\d+", text)]
    words = re.findall(r"[a-z]+", text.lower())
    months = {_NAME_TO_MONTH[w] for w in words if w in _NAME_TO_MONTH}
    months |= {x for x in numbers if 1 <= x <= 12}
    years = {x for x in numbers if 1 <= x <= 9999}
    years |= {start_year + (x - start_year) % 100 for x in numbers if x < 100}
    days = {x for x in numbers if 1 <= x <= 31}
    for year, month, day in itertools.product(sorted(years), sorted(months), sorted(days)):
        try:
            yield datetime.date(year, month, day)
        except ValueError:
            pass


def parse_date(text, start_year=1970, families=None):
    """``(datetime.date, family)`` when ``text`` is exactly a real date as one
    of ``families`` (default: all of ``DATE_FAMILIES``) writes it, in any of
    the generator's cases; else None. Two-digit years are read as the
    generator writes them (``start_year .. start_year + 99``). Leading and
    trailing spaces are ignored (questions are padded)."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    families = tuple(DATE_FAMILIES) if families is None else tuple(families)
    for date in _candidate_dates(text, start_year):
        in_window = start_year <= date.year < start_year + 100
        for family in families:
            if family in TWO_DIGIT_YEAR_FAMILIES and not in_window:
                continue
            if any(format_date(date, family, case) == text for case in CASES):
                return date, family
    return None

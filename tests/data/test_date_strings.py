"""Date strings with their families, and the parser that reads them back."""
import datetime

import pytest

from autograd_nlp.data.date_strings import date_strings, parse_date
from autograd_nlp.data.generate_dates import BOOK_DATE_FAMILIES, DATE_FAMILIES, format_date


def test_date_strings_are_repeatable_and_labelled_by_the_family_that_wrote_them():
    texts, families = date_strings(500, seed=4)
    assert (texts, families) == date_strings(500, seed=4)
    assert texts != date_strings(500, seed=5)[0]
    assert set(families) == set(DATE_FAMILIES)
    for text, family in zip(texts, families):
        date, _ = parse_date(text)
        assert format_date(date, family, "lower") == text.lower()
        assert 1970 <= date.year <= 2017


def test_book_families_only():
    _, families = date_strings(200, seed=0, families=BOOK_DATE_FAMILIES)
    assert set(families) == set(BOOK_DATE_FAMILIES)
    with pytest.raises(ValueError, match="unknown or no families"):
        date_strings(3, families=["dd.mm.yyyy"])


@pytest.mark.parametrize("text, expected", [
    ("Tuesday, September 25, 1984", (datetime.date(1984, 9, 25), "weekday, month d, yyyy")),
    ("9/27/94", (datetime.date(1994, 9, 27), "m/d/yy")),
    ("6/4/05", (datetime.date(2005, 6, 4), "m/d/yy")),
    ("1994-09-27   ", (datetime.date(1994, 9, 27), "yyyy-mm-dd")),
    ("27 SEP 1994", (datetime.date(1994, 9, 27), "d mon yyyy")),
])
def test_parse_date_reads_every_family(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "Monday, September 25, 1984",     # the 25th was a Tuesday
    "february 30, 1990",              # no such day
    "sEptember 3, 1990",              # a case the generator never writes
    "September 3,, 1990",
    "1994-9-27",                      # ISO always has two-digit months
    "",
    "ddddddddddd",
])
def test_parse_date_rejects_what_is_not_a_real_date_in_a_known_format(text):
    assert parse_date(text) is None

"""The toy seq2seq generators: lines in the book's exact format, answers that
are right, seeding, format coverage, and the atomic file writer.

Tests that compare with the book's files read $AUTOGRAD_NLP_DATA (DIR/seq/*.txt
or DIR/*.txt) and skip when it is unset or the files are absent."""
import calendar
import datetime
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_nlp import serialization
from autograd_nlp.data import generate_addition as addition_module
from autograd_nlp.data import generate_dates as dates_module
from autograd_nlp.data.generate_addition import addition_widths, generate_addition
from autograd_nlp.data.generate_dates import (BOOK_DATE_FAMILIES, DATE_FAMILIES,
                                              format_date, generate_dates)
from autograd_nlp.data.seq_format import (ADDITION_WIDTHS, DATE_WIDTHS, format_line,
                                          split_line, write_dataset)

# ---------------------------------------------------------------- helpers

MONTHS = ["january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday"]
# every character of the book's date.txt, written out from the names above
BOOK_DATE_CHARS = (set("".join(MONTHS + WEEKDAYS)) | set("".join(MONTHS + WEEKDAYS).upper())
                   | set("0123456789 ,-/_"))


def book_file(name):
    """The book's file from $AUTOGRAD_NLP_DATA, or skip."""
    base = os.environ.get("AUTOGRAD_NLP_DATA")
    if not base:
        pytest.skip("AUTOGRAD_NLP_DATA is not set: cannot compare with the book's files")
    for path in (Path(base) / "seq" / name, Path(base) / name):
        if path.is_file():
            return path.read_text(encoding="utf-8").splitlines()
    pytest.skip(f"{name} is not in $AUTOGRAD_NLP_DATA={base} (nor its seq/)")


def parse_date_question(question, start_year=1970):
    """The date a question means, read with this test's own rules: month
    names full or 3-letter, optional weekday (checked), numeric dates
    month-first or ISO, two-digit years in start_year..start_year+99.
    Raises ValueError for an impossible date (e.g. Feb 29 of a common year)."""
    s = question.strip().lower()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s)
    if iso:
        return datetime.date(*map(int, iso.groups()))
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", s)
    if us:
        month, day = int(us[1]), int(us[2])
        year = int(us[3])
        if len(us[3]) == 2:
            year = start_year + (year - start_year) % 100
        return datetime.date(year, month, day)
    words = re.findall(r"[a-z]+", s)
    numbers = re.findall(r"\d+", s)
    assert re.fullmatch(r"[a-z0-9, ]+", s), question
    months = [MONTHS.index(m) + 1 for m in MONTHS for w in words if w in (m, m[:3])]
    assert len(months) == 1, question
    years = [int(n) for n in numbers if len(n) == 4]
    days = [int(n) for n in numbers if len(n) <= 2]
    assert len(years) == 1 and len(days) == 1, question
    date = datetime.date(years[0], months[0], days[0])
    weekdays = [w for w in words if w not in MONTHS and w not in [m[:3] for m in MONTHS]]
    for w in weekdays:
        assert w in (WEEKDAYS[date.weekday()], WEEKDAYS[date.weekday()][:3]), question
    return date


def signature(question):
    """Shape of a question: words become <T>itle / <L>ower / <U>pper (full or
    abbreviated name: <Ts> for 3 letters), digits become D."""
    def word(m):
        w = m.group(0)
        case = "U" if w.isupper() else "L" if w.islower() else "T"
        return f"<{case}{'s' if len(w) == 3 and w.lower() != 'may' else ''}>"
    return re.sub(r"\d", "D", re.sub(r"[A-Za-z]+", word, question.rstrip()))


# ---------------------------------------------------------------- format

def test_format_and_split_line_round_trip():
    line = format_line("16+75", "91", 7, 5)
    assert line == "16+75  _91  "
    assert split_line(line + "\n") == ("16+75  ", "_91  ")
    with pytest.raises(ValueError, match="width 7"):
        format_line("1000+1000", "2000", 7, 5)
    with pytest.raises(ValueError, match="'_'"):
        format_line("a_b", "c", 7, 5)
    with pytest.raises(ValueError, match="no '_'"):
        split_line("16+75  91  ")


def test_widths_are_the_books():
    for name, widths in (("addition.txt", ADDITION_WIDTHS), ("date.txt", DATE_WIDTHS)):
        lines = book_file(name)
        assert {len(split_line(l)[0]) for l in lines} == {widths[0]}
        assert {len(split_line(l)[1]) for l in lines} == {widths[1]}


# ---------------------------------------------------------------- addition

def test_addition_lines_parse_back_to_true_sums():
    lines = generate_addition(3000, seed=1)
    question_width, answer_width = ADDITION_WIDTHS
    for line in lines:
        assert len(line) == question_width + answer_width
        question, answer = split_line(line)
        assert re.fullmatch(r"\d{1,3}\+\d{1,3} *", question), line
        assert re.fullmatch(r"_\d{1,4} *", answer), line
        a, b = map(int, question.split("+"))
        assert 0 <= a <= 999 and 0 <= b <= 999
        assert int(answer[1:]) == a + b
        # left-aligned, no leading zeros, as in the book
        assert question.rstrip() == f"{a}+{b}" and answer.rstrip() == f"_{a + b}"


def test_addition_pairs_unique_like_the_book():
    pairs = [tuple(map(int, split_line(l)[0].split("+"))) for l in generate_addition(50000)]
    unordered = {tuple(sorted(p)) for p in pairs}
    assert len(unordered) == len(pairs)
    digits = Counter(len(str(a)) for a, _ in pairs)
    # the book's 50,000 lines: 9.7% / 32.5% / 57.8% one / two / three digits
    assert 0.07 < digits[1] / len(pairs) < 0.13
    assert 0.28 < digits[2] / len(pairs) < 0.37


def test_addition_matches_book_file_format():
    book = book_file("addition.txt")
    pattern = re.compile(r"\d{1,3}\+\d{1,3} *_\d{1,4} *")
    assert all(pattern.fullmatch(l) for l in book)
    generated = generate_addition(5000, seed=3)
    assert all(pattern.fullmatch(l) for l in generated)
    assert {len(l) for l in generated} == {len(l) for l in book} == {12}
    assert set("".join(generated)) == set("".join(book))


def test_addition_seeding():
    assert generate_addition(500, seed=7) == generate_addition(500, seed=7)
    assert generate_addition(500, seed=7) != generate_addition(500, seed=8)
    assert generate_addition(5000, seed=7)[:500] == generate_addition(500, seed=7)


def test_addition_max_digits_and_limits():
    lines = generate_addition(55, seed=0, max_digits=1)   # all 55 unordered pairs
    assert addition_widths(1) == (3, 3)
    assert {len(l) for l in lines} == {6}
    assert len({tuple(sorted(split_line(l)[0].split("+"))) for l in lines}) == 55
    with pytest.raises(ValueError, match="55 distinct"):
        generate_addition(56, max_digits=1)
    assert len(generate_addition(60, max_digits=1, unique=False)) == 60
    with pytest.raises(ValueError, match="max_digits"):
        generate_addition(5, max_digits=0)
    assert generate_addition(0) == []


# ---------------------------------------------------------------- dates

def test_date_lines_parse_back_to_their_iso_answer():
    lines = generate_dates(20000, seed=2)
    question_width, answer_width = DATE_WIDTHS
    feb29 = []
    for line in lines:
        assert len(line) == question_width + answer_width
        question, answer = split_line(line)
        assert not question.startswith(" ")
        assert re.fullmatch(r"_\d{4}-\d{2}-\d{2}", answer)
        date = parse_date_question(question)        # raises on impossible dates
        assert answer == "_" + date.isoformat(), line
        assert 1970 <= date.year <= 2017
        if (date.month, date.day) == (2, 29):
            feb29.append(date.year)
    assert feb29, "20,000 dates over 48 years should include a Feb 29"
    assert all(calendar.isleap(y) for y in feb29)


@settings(max_examples=300, deadline=None)
@given(date=st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31)),
       family=st.sampled_from(sorted(DATE_FAMILIES)),
       case=st.sampled_from(["title", "lower", "upper"]))
def test_every_family_round_trips(date, family, case):
    question = format_date(date, family, case)
    assert len(question) <= DATE_WIDTHS[0]
    assert set(question) <= BOOK_DATE_CHARS
    assert parse_date_question(question, start_year=1900) == date


def test_dates_cover_the_format_families():
    questions = [split_line(l)[0] for l in generate_dates(3000, seed=4)]
    sigs = Counter(signature(q) for q in questions)
    has = lambda pattern: any(re.fullmatch(pattern, s) for s in sigs)  # noqa: E731
    assert has(r"<T> D{1,2}, DDDD")                     # month name, full
    assert has(r"<Ts> D{1,2}, DDDD")                    # abbreviated
    assert has(r"<U>, <U> D{1,2}, DDDD")                # weekday, upper case
    assert has(r"<L> D{1,2}, DDDD")                     # lower case
    assert has(r"D{1,2}/D{1,2}/DD")                     # numeric, two-digit year
    assert has(r"D{1,2}/D{1,2}/DDDD")                   # numeric, four-digit year
    assert has(r"DDDD-DD-DD")                           # ISO
    assert has(r"<T> D{1,2} DDDD")                      # no comma
    assert has(r"D{1,2} <Ts> DDDD")                     # day first, with a name
    assert set("".join(questions)) <= BOOK_DATE_CHARS


def test_book_families_match_the_books_file():
    book = book_file("date.txt")
    book_sigs = Counter(signature(split_line(l)[0]) for l in book)
    ours = Counter(signature(split_line(l)[0])
                   for l in generate_dates(50000, seed=5, families=BOOK_DATE_FAMILIES))
    assert set(ours) == set(book_sigs)
    # and in similar proportions (each within 1.5 points of the book's share)
    for sig, count in book_sigs.items():
        assert abs(ours[sig] - count) / 50000 < 0.015, sig
    years = {split_line(l)[1][1:5] for l in book}
    assert min(years) == "1970" and max(years) == "2017"


def test_two_digit_years_follow_the_pivot():
    lines = generate_dates(3000, seed=6, start_year=1950, end_year=2049,
                           families=["m/d/yy"])
    for line in lines:
        question, answer = split_line(line)
        date = parse_date_question(question, start_year=1950)
        assert answer == "_" + date.isoformat()
        assert 1950 <= date.year <= 2049
    with pytest.raises(ValueError, match="two-digit"):
        generate_dates(10, start_year=1900, end_year=2017)
    # without two-digit years, any span is fine
    assert len(generate_dates(10, start_year=1, end_year=9999,
                              families=["yyyy-mm-dd", "month d, yyyy"])) == 10


def test_date_seeding_and_errors():
    assert generate_dates(300, seed=9) == generate_dates(300, seed=9)
    assert generate_dates(300, seed=9) != generate_dates(300, seed=10)
    assert generate_dates(5000, seed=9)[:300] == generate_dates(300, seed=9)
    with pytest.raises(ValueError, match="unknown date format families"):
        generate_dates(5, families=["d.m.y"])
    with pytest.raises(ValueError, match="start_year"):
        generate_dates(5, start_year=2000, end_year=1999)
    with pytest.raises(ValueError, match="unknown case"):
        format_date(datetime.date(2000, 1, 1), "m/d/yy", "camel")


# ---------------------------------------------------------------- files

def test_write_dataset_writes_lines_with_newlines(tmp_path):
    path = tmp_path / "sub" / "addition.txt"
    lines = generate_addition(100)
    assert write_dataset(lines, path) == str(path)
    assert path.read_text(encoding="utf-8") == "".join(l + "\n" for l in lines)
    write_dataset(lines[:10], path)                       # overwrites
    assert path.read_text(encoding="utf-8").splitlines() == lines[:10]
    assert os.listdir(path.parent) == ["addition.txt"]   # no temp file left
    with pytest.raises(ValueError, match="newline"):
        write_dataset(["a_b\n"], path)


def test_write_dataset_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "date.txt"
    write_dataset(["old_line"], path)

    def failing_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(serialization.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_dataset(generate_dates(50), path)
    assert path.read_text(encoding="utf-8") == "old_line\n"
    assert os.listdir(tmp_path) == ["date.txt"]


def test_command_lines_write_loadable_files(tmp_path, capsys):
    from autograd_nlp.data.seq import load_seq_dataset
    addition_module.main([str(tmp_path / "addition.txt"), "--n", "200", "--seed", "3"])
    dates_module.main([str(tmp_path / "seq" / "date.txt"), "--n", "100", "--book-formats"])
    assert "wrote 200 lines" in capsys.readouterr().out
    assert (tmp_path / "addition.txt").read_text().splitlines() == generate_addition(200, seed=3)
    ds = load_seq_dataset("date", data_dir=tmp_path)
    assert ds.x_train.shape == (90, 29) and ds.t_test.shape == (10, 11)

"""The main job's date generator: its forms, years, policies and vocabulary."""
import collections
import datetime
import re

import numpy as np
import pytest

from autograd_nlp.data.seq import make_seq_dataset
from autograd_nlp.data.written_dates import (ALPHABET, ANSWER_WIDTH, LAYOUTS, QUESTION_WIDTH,
                                             TWO_DIGIT_YEARS, _Draws, generate_written_dates,
                                             ordinal, title_case, two_digit_year, write_date)
from benchmarks.dates_vs_dateutil import HELD_OUT_FORMS, SKIP_DATES, held_out_questions

N = 30_000


@pytest.fixture(scope="module")
def lines():
    return generate_written_dates(N, seed=5)


def split(line):
    return line[:QUESTION_WIDTH].rstrip(), line[QUESTION_WIDTH + 1:]


def test_every_line_has_the_widths_printable_ascii_and_a_real_iso_answer(lines):
    for line in lines:
        assert len(line) == QUESTION_WIDTH + ANSWER_WIDTH and line[QUESTION_WIDTH] == "_"
        question, answer = split(line)
        assert question and set(question) <= set(ALPHABET) and "_" not in question
        datetime.date.fromisoformat(answer)


def test_years_cover_1900_to_2099(lines):
    years = [int(split(line)[1][:4]) for line in lines]
    assert min(years) == 1900 and max(years) == 2099
    counts = np.bincount(np.array(years) - 1900, minlength=200)
    assert counts.min() > 0.4 * counts.mean()          # uniform, no gap


def test_two_digit_years_follow_the_posix_pivot(lines):
    """A question whose only year is written with two digits names a year in
    1969..2068, and those two digits are the year's last two."""
    seen = 0
    for line in lines:
        question, answer = split(line)
        question = re.sub(r"(,\s*|\s+)\d{1,2}:\d\d(\s*[ap]m)?$", "", question, flags=re.I)
        if not re.search(r"\d{4}", question.replace("-", " ")) and not re.fullmatch(
                r"\d{8}", question):
            seen += 1
            year = int(answer[:4])
            assert TWO_DIGIT_YEARS[0] <= year <= TWO_DIGIT_YEARS[1], line
            assert re.search(rf"(^|\D){year % 100:02d}$", question), line
    assert seen > 0.03 * len(lines)
    assert two_digit_year(69) == 1969 and two_digit_year(68) == 2068
    assert two_digit_year(0) == 2000 and two_digit_year(99) == 1999
    with pytest.raises(ValueError, match="0..99"):
        two_digit_year(100)


def test_the_forms_people_write_are_all_there(lines):
    """Ordinals, 'the 5th of', abbreviations with and without a dot, Sept,
    ISO with each separator and none, apostrophe years, weekdays, every case,
    doubled spaces and commas without their space."""
    text = "\n".join(split(line)[0] for line in lines)
    patterns = {
        "ordinal": r"\b\d{1,2}(st|nd|rd|th)\b", "the nth of": r"(?i)\bthe \d+\w\w of\b",
        "abbreviation without a dot": r"(?i)\b(jan|feb|mar|apr|jun|jul|aug|oct|nov|dec) \d",
        "abbreviation with a dot": r"(?i)\b(jan|feb|aug|dec)\. ", "sept": r"(?i)\bsept\b",
        "iso -": r"\b\d{4}-\d{2}-\d{2}\b", "iso /": r"\b\d{4}/\d{1,2}/\d{1,2}\b",
        "iso .": r"\b\d{4}\.\d{1,2}\.\d{1,2}\b", "iso, no separator": r"(?m)^\d{8}$",
        "us /": r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", "us -": r"(?m)^\d{1,2}-\d{1,2}-\d{2,4}$",
        "us .": r"(?m)^\d{1,2}\.\d{1,2}\.\d{2,4}$", "apostrophe year": r"'\d\d\b",
        "weekday": r"(?i)\b(monday|tue|wed\.|thursday|fri|sat|sunday)\b",
        "weekday before iso": r"(?im)^[a-z]+\.?,? \d{4}-\d\d-\d\d$",
        "year first with a name": r"(?im)^\d{4},? [a-z]+",
        "day-month-abbr": r"(?i)\b\d{1,2}-[a-z]{3}-\d{2,4}\b",
        "doubled space": r"\S  \S", "comma without space": r",\S",
        "lower": r"(?m)^[a-z0-9 ,./'-]*[a-z][a-z0-9 ,./'-]*$",
        "upper": r"(?m)^[A-Z0-9 ,./'-]*[A-Z]{3}[A-Z0-9 ,./'-]*$",
        "title": r"\b[A-Z][a-z]+\b",
    }
    for name, pattern in patterns.items():
        assert re.search(pattern, text), name


def test_a_time_of_day_follows_some_dates(lines):
    questions = [split(line)[0] for line in lines]
    with_time = [q for q in questions if re.search(r"\d:\d\d( ?[ap]m)?$", q, flags=re.I)]
    assert 0.08 < len(with_time) / len(questions) < 0.13
    assert any(re.search(r" \d\d:\d\d$", q) for q in with_time)
    assert any(re.search(r"(?i), \d\d:\d\d$", q) for q in with_time)
    assert any(re.search(r"(?i)\d:\d\d [ap]m$", q) for q in with_time)
    assert any(re.search(r"(?i)\d:\d\d[ap]m$", q) for q in with_time)


def test_every_layout_is_drawn_and_no_question_overflows():
    rng = np.random.default_rng(0)
    counts = collections.Counter()
    for _ in range(5000):
        question, layout = write_date(datetime.date(2011, 9, 5), _Draws(rng.random(24)))
        counts[layout] += 1
        assert len(question) < QUESTION_WIDTH
    assert set(counts) == set(LAYOUTS)


def test_the_longest_questions_fit():
    longest = "wednesday, september the 21st, 2011"
    assert len(longest) + 1 < QUESTION_WIDTH          # a doubled space still fits


def test_same_seed_same_lines_and_prefixes():
    a = generate_written_dates(5000, seed=3)
    assert a == generate_written_dates(5000, seed=3)
    assert a[:100] == generate_written_dates(100, seed=3)
    assert a != generate_written_dates(5000, seed=4)


def test_numeric_order_is_a_policy():
    """The same draws write month-first numerics by default, day-first with
    order='dmy'; month names and ISO read the same either way."""
    mdy = generate_written_dates(3000, seed=1, order="mdy")
    dmy = generate_written_dates(3000, seed=1, order="dmy")
    numeric = re.compile(r"((?:[A-Za-z]+\.?,?\s*)?)(\d{1,2})([/.-])(\d{1,2})\3(\d{2,4})(\D.*)?")
    swapped = 0
    for a, b in zip(mdy, dmy):
        qa, qb = split(a)[0], split(b)[0]
        ma, mb = numeric.fullmatch(qa), numeric.fullmatch(qb)
        if ma:
            prefix, first, sep, second, year, time = ma.groups()
            assert mb.groups() == (prefix, second, sep, first, year, time)
            swapped += first != second
        else:
            assert qa == qb
    assert swapped > 100
    with pytest.raises(ValueError, match="order must be one of"):
        generate_written_dates(1, order="ymd")


def test_held_out_forms_are_never_generated(lines):
    """The benchmark's unseen forms stay unseen: no generated question is one
    of them (letter case and spacing aside)."""
    def norm(q):
        return re.sub(r"\s+", " ", q.lower()).strip()
    for line in lines:
        question, answer = split(line)
        date = datetime.date.fromisoformat(answer)
        for form, write in HELD_OUT_FORMS.items():
            if not SKIP_DATES.get(form, lambda d: False)(date):
                assert norm(question) != norm(write(date)), (form, question)
    items = held_out_questions(40)
    assert len(items) == 40 * len(HELD_OUT_FORMS)
    for question, answer, form in items:
        assert not SKIP_DATES.get(form, lambda d: False)(datetime.date.fromisoformat(answer))


def test_helpers():
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]
    assert title_case("the 5th of september, '11") == "The 5th Of September, '11"


def test_the_dataset_vocabulary_is_all_printable_ascii():
    """So a question is never refused for holding a '.', an apostrophe or a '#'."""
    ds = make_seq_dataset("date", n=200, seed=0)
    assert ds.vocab_size == 95 and ds.question_length == QUESTION_WIDTH
    assert "".join(ds.id_to_char[i] for i in range(95)) == ALPHABET
    ids = ds.encode_questions(["Sept. 5th, '11 #"])
    assert ids.shape == (1, QUESTION_WIDTH)
    book_forms = make_seq_dataset("date", n=200, seed=0, families=["yyyy-mm-dd"])
    assert book_forms.question_length == 29 and book_forms.vocab_size < 20


def test_the_module_writes_a_file_the_loader_reads(tmp_path):
    from autograd_nlp.data.seq import load_seq_dataset
    from autograd_nlp.data.written_dates import main
    path = tmp_path / "date.txt"
    main([str(path), "--n", "200", "--seed", "4"])
    assert path.read_text().splitlines() == generate_written_dates(200, seed=4)
    ds = load_seq_dataset(str(path))
    assert ds.question_length == QUESTION_WIDTH and len(ds.x_train) == 180

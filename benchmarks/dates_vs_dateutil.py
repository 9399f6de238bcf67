"""The date models against python-dateutil on dates written in forms they never trained on.

    python -m benchmarks.dates_vs_dateutil --attention runs/attention/checkpoint.npz \\
        --transformer runs/transformer/checkpoint.npz

Three question sets, years drawn uniformly over 1900-2099:

* **held-out forms** (``HELD_OUT_FORMS`` below): common ways of writing a
  date that ``autograd_nlp.data.written_dates`` never produces (a test checks
  it), so no model here has seen them: "2011 September 5", "05/Sep/2011",
  "Monday, 9/5/2011", "5. September 2011", ...;
* **generator's forms**: fresh questions from the generator (another seed than
  training's);
* **today**: today's date (whatever day this runs) in a dozen forms.

Each question is answered by every checkpoint given (through the
``translate`` command's ``Translator``: greedy answers, with their checks) and
by ``dateutil.parser.parse`` (month-first, as our default policy). Two-digit
years are drawn from 1977-2068, where POSIX's pivot (ours) and dateutil's
(within 50 years of today) agree, so the comparison is about reading forms,
not about a pivot. A model's row also gives how many of its wrong answers
were flagged (the goal: at least 95 %) and how many right ones were (at most
1 %). Without dateutil (``pip install python-dateutil``) its column is left
out.
"""
import argparse
import datetime
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd_nlp.data.calibration_dates import questions_in_forms  # noqa: E402
from autograd_nlp.data.generate_dates import _mon, _month, _weekday  # noqa: E402
from autograd_nlp.data.written_dates import (QUESTION_WIDTH,  # noqa: E402
                                             generate_written_dates, ordinal)

SHARED_TWO_DIGIT_YEARS = (1977, 2068)
"""Years whose two-digit form POSIX and dateutil (in 2026) read alike."""


def _clock(d):
    """A time of day that varies with the date: 'hh:mm'."""
    return f"{d.toordinal() % 24:02d}:{(d.toordinal() * 7) % 60:02d}"


HELD_OUT_FORMS = {
    "mon-dd-yyyy": lambda d: f"{_mon(d)}-{d.day:02d}-{d.year}",
    "dd/mon/yyyy": lambda d: f"{d.day:02d}/{_mon(d)}/{d.year}",
    "dd.mon.yyyy": lambda d: f"{d.day:02d}.{_mon(d)}.{d.year}",
    "ddmonyyyy": lambda d: f"{d.day:02d}{_mon(d)}{d.year}",
    "yyyy-mon-dd": lambda d: f"{d.year}-{_mon(d)}-{d.day:02d}",
    "d. month yyyy": lambda d: f"{d.day}. {_month(d)} {d.year}",
    "d-month-yyyy": lambda d: f"{d.day}-{_month(d)}-{d.year}",
    "wkd, dd-mon-yyyy": lambda d: f"{_weekday(d)[:3]}, {d.day:02d}-{_mon(d)}-{d.year}",
    "weekday the dth of month yyyy": lambda d: (f"{_weekday(d)} the {ordinal(d.day)} of "
                                                f"{_month(d)} {d.year}"),
    "d mon 'yy": lambda d: f"{d.day} {_mon(d)} '{d.year % 100:02d}",
    "month dth of yyyy": lambda d: f"{_month(d)} {ordinal(d.day)} of {d.year}",
    "month d, yyyy.": lambda d: f"{_month(d)} {d.day}, {d.year}.",
    # with a time of day, as logs and calendars write them
    "yyyy-mm-ddThh:mm:ss": lambda d: f"{d.isoformat()}T{_clock(d)}:{d.day % 60:02d}",
    "m/d/yyyy hh:mm:ss": lambda d: f"{d.month}/{d.day}/{d.year} {_clock(d)}:{d.day % 60:02d}",
    "month d, yyyy at h:mm pm": lambda d: (f"{_month(d)} {d.day}, {d.year} at "
                                           f"{d.toordinal() % 12 + 1}:{d.toordinal() % 60:02d} "
                                           f"{'am' if d.day % 2 else 'pm'}"),
}
"""Form name -> function(date) -> lower-case question: ways people write
dates that the generator never writes (never train on them)."""

TWO_DIGIT_FORMS = frozenset({"d mon 'yy"})
SKIP_DATES = {"d-month-yyyy": lambda d: d.month == 5}
"""Dates a held-out form leaves out because it would write them as the
generator does ("5-may-2011" is the generator's "d-mon-yyyy")."""


def today_questions(today):
    """Today's date the ways a person would type it first."""
    d = today
    return [f"{_month(d)} {d.day}, {d.year}", f"{_month(d).title()} {ordinal(d.day)}, {d.year}",
            f"{_weekday(d).title()}, {_month(d).title()} {d.day}, {d.year}",
            f"{d.day} {_month(d).title()} {d.year}", f"{d.month}/{d.day}/{d.year}",
            f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}", d.isoformat(),
            f"{_mon(d).title()} {d.day} {d.year}", f"{_mon(d).upper()}. {d.day}, {d.year}",
            f"the {ordinal(d.day)} of {_month(d)} {d.year}", f"{d.year}{d.month:02d}{d.day:02d}",
            f"{_weekday(d)[:3].title()} {d.day} {_mon(d).title()} {d.year}"]


def held_out_questions(per_form, seed=2026):
    """``per_form`` questions of every held-out form: a list of
    ``(question, iso answer, form)``, dates uniform over 1900-2099 (two-digit
    forms: over ``SHARED_TWO_DIGIT_YEARS``), letter case drawn as the
    generator draws it."""
    return questions_in_forms(HELD_OUT_FORMS, per_form, seed, TWO_DIGIT_FORMS,
                              SHARED_TWO_DIGIT_YEARS, SKIP_DATES)


def generator_questions(n, seed=20261206):
    """``n`` fresh questions of the generator's own forms (years 1900-2099)."""
    items = []
    for line in generate_written_dates(n, seed=seed):
        question, answer = line[:QUESTION_WIDTH].rstrip(), line[QUESTION_WIDTH + 1:]
        items.append((question, answer, "generator"))
    return items


def dateutil_answers(questions):
    """dateutil's reading of each question (ISO), or None where it raises."""
    from dateutil import parser
    answers = []
    for question in questions:
        try:
            answers.append(parser.parse(question, dayfirst=False, yearfirst=False)
                           .date().isoformat())
        except (ValueError, OverflowError):
            answers.append(None)
    return answers


def score(items, answers):
    right = [a == t for a, (_, t, _) in zip(answers, items)]
    return 100.0 * float(np.mean(right)) if items else float("nan"), right


def flag_rates(answers, right):
    """(% of wrong answers flagged, % of right answers flagged, wrong count)."""
    flagged = np.array([not a.trusted for a in answers])
    right = np.array(right)
    wrong = ~right
    wrong_flagged = 100.0 * flagged[wrong].mean() if wrong.any() else float("nan")
    right_flagged = 100.0 * flagged[right].mean() if right.any() else float("nan")
    return wrong_flagged, right_flagged, int(wrong.sum())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--attention", help="checkpoint of `train attention` (the main job)")
    p.add_argument("--transformer", help="checkpoint of `train transformer`")
    p.add_argument("--per-form", type=int, default=100,
                   help="questions per held-out form (default: %(default)s)")
    p.add_argument("--generator", type=int, default=2000,
                   help="questions of the generator's forms (default: %(default)s)")
    p.add_argument("--show-wrong", type=int, default=5,
                   help="wrong answers to list per model (default: %(default)s)")
    args = p.parse_args(argv)
    from autograd_nlp.commands.seq2seq import load_translator

    today = datetime.date.today()
    sets = {"held-out forms": held_out_questions(args.per_form),
            "generator's forms": generator_questions(args.generator),
            f"today ({today.isoformat()})": [(q, today.isoformat(), "today")
                                             for q in today_questions(today)]}
    columns = {}
    for name, path in (("attention", args.attention), ("transformer", args.transformer)):
        if path:
            columns[name] = load_translator(path)
    try:
        import dateutil  # noqa: F401
        columns["dateutil"] = None
    except ImportError:
        print("# python-dateutil is not installed: its column is left out")
    results = {}
    for set_name, items in sets.items():
        questions = [q for q, _, _ in items]
        for column, translator in columns.items():
            start = time.perf_counter()
            if translator is None:
                answers = dateutil_answers(questions)
                texts = answers
            else:
                answers = translator.translate(questions)
                texts = [a.text for a in answers]
            seconds = time.perf_counter() - start
            accuracy, right = score(items, texts)
            results[set_name, column] = (accuracy, right, answers, seconds)

    names = list(columns)
    print(f"| questions | {' | '.join(names)} |")
    print("|---|" + "---|" * len(names))
    for set_name, items in sets.items():
        cells = [f"{results[set_name, c][0]:.1f} %" for c in names]
        print(f"| {set_name} ({len(items)}) | {' | '.join(cells)} |")
    print()
    held = sets["held-out forms"]
    print(f"| held-out form | {' | '.join(names)} |")
    print("|---|" + "---|" * len(names))
    for form in HELD_OUT_FORMS:
        cells = []
        for c in names:
            right = results["held-out forms", c][1]
            cells.append(f"{100 * np.mean([r for r, it in zip(right, held) if it[2] == form]):.0f} %")
        print(f"| `{HELD_OUT_FORMS[form](datetime.date(2011, 9, 5))}` | {' | '.join(cells)} |")
    print()
    for c, translator in columns.items():
        if translator is None:
            continue
        print(f"{c}: confidence threshold {translator.threshold:.3f}")
        for set_name in sets:
            _, right, answers, seconds = results[set_name, c]
            wrong_flagged, right_flagged, n_wrong = flag_rates(answers, right)
            print(f"  {set_name}: {n_wrong} wrong, {wrong_flagged:.1f} % of them flagged; "
                  f"{right_flagged:.2f} % of the right ones flagged ({seconds:.1f} s)")
        shown = 0
        for set_name, items in sets.items():
            _, right, answers, _ = results[set_name, c]
            for ok, a, (q, t, form) in zip(right, answers, items):
                if not ok and shown < args.show_wrong:
                    print(f"    wrong: {q!r} -> {a.text} (expected {t}; {form}; "
                          f"flags: {', '.join(a.flags) or 'none'}; lowest {a.lowest:.3f})")
                    shown += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

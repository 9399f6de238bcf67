"""The confidence threshold a date model's answers are flagged under, set
after training on questions the model did not train on, so that few right
answers are flagged while wrong ones are (docs/seq2seq.md, "Answer checks").

Two sets: the validation split or, for generated data, a fresh draw of the
generator (another seed), where at most 0.05 % of the right answers may be
flagged; and for generated data also questions in forms the generator never
writes (``data/calibration_dates.py``), where at most 1 % may be. The lower
of the thresholds is kept.
"""
from autograd_nlp.data.calibration_dates import CALIBRATION_FORMS, calibration_questions
from autograd_nlp.data.seq import make_seq_dataset
from autograd_nlp.text.translator import DEFAULT_THRESHOLD, Translator, calibrate_threshold

CALIBRATION_SIZE = 5000
CALIBRATION_PER_FORM = 250
SEEN_RIGHT_FLAGGED = 0.0005
UNSEEN_RIGHT_FLAGGED = 0.01


def question_text(ds, ids):
    """The question ``ids`` (question_length,) as written (un-reversed, unpadded)."""
    return ds.decode(ids[::-1] if ds.reverse else ids).rstrip()


def calibrate_date_answers(model, ds, seed, order="mdy"):
    """The threshold for a date model trained on ``ds`` (a SeqDataset) and
    the report of each calibration set: (threshold, [(name, answers,
    correct)]); (None, []) when there is no set to calibrate on (book data
    without a validation split), after saying so. ``seed``, ``order``: the
    run's, so the fresh questions are new ones of the same data."""
    generated = ds.source.startswith("generated")
    if len(ds.x_valid):
        x, t, where = ds.x_valid, ds.t_valid, "the validation split"
    elif generated:
        fresh = make_seq_dataset("date", n=CALIBRATION_SIZE, seed=seed + 1, split_seed=None,
                                 test_ratio=0.0, reverse=ds.reverse, order=order)
        x, t = fresh.x_train, fresh.t_train
        where = f"{len(x):,} fresh generated questions (seed {seed + 1})"
    else:
        print("answer checks: no validation split to set the confidence threshold on; "
              f"translate uses {DEFAULT_THRESHOLD} (add --valid-fraction 0.1 to calibrate)")
        return None, []
    translator = Translator(model, "".join(ds.id_to_char[i] for i in range(ds.vocab_size)),
                            ds.question_length, ds.answer_length, ds.reverse, checks="date",
                            threshold=0.0)
    sets = [(where, [(question_text(ds, q), ds.decode(a[1:]).rstrip()) for q, a in zip(x, t)],
             SEEN_RIGHT_FLAGGED)]
    if generated:
        unseen = calibration_questions(CALIBRATION_PER_FORM, seed=seed + 1)
        sets.append((f"{len(unseen):,} questions in {len(CALIBRATION_FORMS)} forms it never "
                     f"saw", unseen, UNSEEN_RIGHT_FLAGGED))
    threshold, reports = 1.0, []
    for name, items, allowed in sets:
        answers = translator.translate([q for q, _ in items])
        correct = [a.text == answer for a, (_, answer) in zip(answers, items)]
        threshold = min(threshold, calibrate_threshold([a.lowest for a in answers], correct,
                                                       allowed))
        reports.append((name, answers, correct))
    return threshold, reports


def print_calibration(threshold, reports):
    """What ``calibrate_date_answers`` found, in a few lines."""
    print(f"answer checks: confidence threshold {threshold:.3f}, set on")
    for name, answers, correct in reports:
        wrong = [a for a, c in zip(answers, correct) if not c]
        flagged = sum(1 for a in wrong if a.flags or a.lowest < threshold)
        print(f"  {name}: {100 * sum(correct) / len(correct):.2f} % right; flags "
              f"{flagged} of {len(wrong)} wrong answers there")

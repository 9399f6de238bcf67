"""``autograd-nlp train seq2seq|peeky|attention`` (the recipes in
``autograd_nlp/recipes/seq2seq.py``), ``translate`` and ``plot-accuracy``
(which read Transformer checkpoints too)."""
import json
import os
import sys

from autograd_nlp.commands.common import (add_config_options, add_device_option, beam_width,
                                          check_output_file, image_path, train_command)
from autograd_nlp.commands.params_option import add_params_option
from autograd_nlp.errors import UserError
from autograd_nlp.loading.checkpoint_kind import read_checkpoint
from autograd_nlp.recipes import seq2seq as recipe
from autograd_nlp.recipes.checks import MAX_BEAM
from autograd_nlp.recipes.seq2seq_task import recipe_note
from autograd_nlp.recipes.settings import RESUME_RULE
from autograd_nlp.text.date_checks import NOT_A_DATE, NOT_IN_QUESTION, WEEKDAY_MISMATCH
from autograd_nlp.text.translator import LOW_CONFIDENCE
from autograd_nlp.training import save_curves

def add_train_parsers(train_sub):
    for name, config_class in recipe.CONFIGS.items():
        p = train_sub.add_parser(name, help=f"train the {name} model on "
                                 f"{config_class.dataset} (generated when no data directory is set)",
                                 epilog=recipe_note(recipe.GENERATED_DATE_RECIPE.get(name))
                                 + RESUME_RULE)
        add_config_options(p, config_class)
        p.set_defaults(run=train_command(config_class, recipe.run))


def add_beam_option(p, what):
    """``--beam K``: decode ``what`` with beam search of width K (1: greedy)."""
    p.add_argument("--beam", type=beam_width, default=1, metavar="K",
                   help=f"decode {what} with beam search of width K (at most {MAX_BEAM}), "
                        f"keeping the K most likely partial answers at every step "
                        f"(default: 1, greedy)")


def add_parsers(sub):
    p = sub.add_parser("translate", help="answer questions with a seq2seq checkpoint",
                       description="Answer questions with a seq2seq checkpoint: one from the "
                                   "command line, or many, one per line, from a file or "
                                   "standard input. Every answer is checked before it is "
                                   "shown (see the exit codes below).",
                       epilog=TRANSLATE_EXIT_CODES)
    p.add_argument("--checkpoint", required=True,
                   help="checkpoint.npz of a seq2seq, peeky, attention or transformer run")
    p.add_argument("text", nargs="*",
                   help='the question, e.g. "september 27, 1994". Several words are joined '
                        'by single spaces into ONE question (quote it to keep its spacing); '
                        'a lone "-" reads questions from standard input, one per line')
    p.add_argument("--file", metavar="PATH", default=None,
                   help="read the questions from PATH, one per line ('-': standard input); "
                        "the answers come one per line, in the same order (default: none, "
                        "the question on the command line)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per question instead: question, answer, confidence "
                        "(mean probability of the answer's characters), lowest (the smallest), "
                        "flags (the checks it failed), error (why a question was not read)")
    p.add_argument("--strict", action="store_true",
                   help="withhold every answer that fails a check: an empty line (--json: "
                        "answer null) instead of an answer not to trust")
    add_params_option(p)
    add_beam_option(p, "the answer")
    add_device_option(p)
    p.set_defaults(run=translate)

    p = sub.add_parser("plot-accuracy",
                       help="accuracy-per-epoch curves of several seq2seq runs on one plot")
    p.add_argument("checkpoints", nargs="+", help="checkpoint.npz files of finished runs")
    p.add_argument("--out", type=image_path, default="accuracy.png",
                   help="image to write; its extension picks the format "
                        "(missing folders are created)")
    p.set_defaults(run=plot_accuracy)


def load_translator(path, params=None, device="cpu"):
    """A ``Translator`` for the seq2seq checkpoint at ``path``: what
    ``autograd_nlp.load`` returns for one (autograd_nlp/loading/seq2seq.py)."""
    from autograd_nlp.loading.seq2seq import load_translator as load
    return load(path, params, device)


TRANSLATE_EXIT_CODES = (
    "Exit codes: 0, every answer passed its checks; 3, some answer did not (it is printed "
    "with a warning on stderr, or withheld under --strict) or, reading many questions, "
    "some line could not be read (an empty line is printed for it); 2, a usage error "
    "(a bad option or checkpoint, or a lone question that cannot be read). A date model's "
    "checks: the answer is a real calendar day, falls on the weekday the question names, "
    "has its year, month and day written in the question, and every character's "
    "probability is at least the threshold calibrated after "
    "training (a warning names it).")
FLAGGED_EXIT = 3


def read_questions(args):
    """The questions to answer and whether they came as a batch (a file or
    stdin) rather than one question on the command line."""
    source = args.file
    if source is None and args.text == ["-"]:
        source = "-"
    if source is not None:
        if args.text and args.text != ["-"]:
            raise UserError("translate: give the questions either on the command line or "
                            "with --file, not both")
        if source == "-":
            text = sys.stdin.read()
        else:
            try:
                with open(source, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as e:
                raise UserError(f"translate: cannot read --file {source}: "
                                f"{getattr(e, 'strerror', None) or e}") from None
        return text.splitlines(), True
    if not args.text:
        raise UserError('translate: no question; pass one (e.g. "september 27, 1994"), '
                        'or --file PATH / - to read one per line')
    return [" ".join(args.text)], False


def translate(args):
    translator = load_translator(args.checkpoint, args.params, args.device)
    questions, batch = read_questions(args)
    answers = translator.translate(questions, beam=args.beam)
    if not batch and answers[0].error is not None:
        hint = (f"; pass one like the training data's, e.g. "
                f"{example_question(translator)}" if not questions[0].strip() else "")
        if len(args.text) > 1:      # "a" "b" on the command line: one question, joined
            hint += (f" (the {len(args.text)} arguments were joined into this one question; "
                     f"to ask several, put them one per line in a file for --file, or pipe "
                     f"them to 'translate --checkpoint C -')")
        raise UserError(f"translate: cannot translate {questions[0]!r}: "
                        f"{answers[0].error}{hint}")
    untrusted = 0
    for number, answer in enumerate(answers, start=1):
        withheld = args.strict and not answer.trusted
        untrusted += not answer.trusted
        if args.json:
            record = answer.as_dict()
            if withheld:
                record["answer"] = None
            print(json.dumps(record))
        else:
            print("" if withheld or answer.text is None else answer.text)
        report_answer(answer, number if batch else None, translator, withheld)
    if batch:
        print(f"translate: {len(answers)} questions, {len(answers) - untrusted} answers "
              f"passed every check, {untrusted} did not"
              + (" (withheld: --strict)" if args.strict and untrusted else ""),
              file=sys.stderr)
    return FLAGGED_EXIT if untrusted else 0


def report_answer(answer, line, translator, withheld):
    """On stderr (stdout holds the answers alone): a lone question's
    confidence, and for any question what its answer failed."""
    where = f"line {line}: " if line is not None else ""
    if answer.error is not None:
        print(f"{where}cannot translate {answer.question!r}: {answer.error}", file=sys.stderr)
        return
    if line is None:
        print(f"confidence {answer.confidence:.2f} (mean probability of the answer's "
              f"characters; lowest {answer.lowest:.2f}, character {answer.lowest_at})",
              file=sys.stderr)
    if answer.flags:
        reasons = []
        for flag in answer.flags:
            if flag == LOW_CONFIDENCE:
                reasons.append(f"low confidence (character {answer.lowest_at} has probability "
                               f"{answer.lowest:.2f} < {translator.threshold:.2f}): the "
                               f"question may be in a form the model was not trained on")
            elif flag == WEEKDAY_MISMATCH:
                reasons.append("the answer's date falls on another weekday than the "
                               "question names")
            elif flag == NOT_A_DATE:
                reasons.append("the answer is not a real calendar date")
            elif flag == NOT_IN_QUESTION:
                reasons.append("the answer's year, month or day is not written in the "
                               "question")
        print(f"{where}warning: {answer.question.strip()!r} -> {answer.text}"
              f"{' (withheld)' if withheld else ''}: {'; '.join(reasons)}", file=sys.stderr)


def example_question(translator):
    """A hint for an empty question, by what the model answers."""
    return '"september 27, 1994"' if translator.checks == "date" else '"16+75"'


def run_label(meta, kind):
    """"seq2seq", "reversed", "peeky + reversed", "attention + reversed"..."""
    if kind == "seq2seq":
        return "reversed" if meta.get("reverse") else "seq2seq"
    return kind + (" + reversed" if meta.get("reverse") else "")


def plot_accuracy(args):
    check_output_file(os.path.abspath(args.out), "--out")
    curves = {}
    for path in args.checkpoints:
        checkpoint = read_checkpoint(path, "plot-accuracy", "seq2seq")
        meta = checkpoint["meta"]
        history = meta.get("history") or {}
        metrics = history.get("metrics") or []
        key = "valid accuracy" if metrics and "valid accuracy" in metrics[0] else "accuracy"
        if not metrics or any(key not in m for m in metrics):
            print(f"{path}: no finished epoch with an accuracy yet; left out",
                  file=sys.stderr)
            continue
        accuracy = [100 * m[key] for m in metrics]
        label = run_label(meta, checkpoint["kind"])
        if label in curves:
            label += f" ({os.path.basename(os.path.dirname(os.path.abspath(path)))})"
        curves[label] = (history["epoch"], accuracy)
        print(f"{label:22} " + " ".join(f"{a:.1f}" for a in accuracy))
    if not curves:
        raise UserError("plot-accuracy: none of the checkpoints has a finished epoch; "
                        "nothing to plot")
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    written = save_curves(out, curves, "epoch", "exact-match accuracy (%)")
    if written:
        print(f"wrote {written}")
    return 0

"""``autograd-nlp tune MODEL --trials N --param lr=log:1e-4:1e-1 ...``:
hyperparameter search on the training split, scored on the validation split,
with the best setting evaluated on the test split once, at the end.

Every trial is the ``train MODEL`` command itself, parsed by its own parser
and run by its own function, with ``--skip-test`` and ``--early-stop``
(so each trial keeps its best epoch); its output goes to
``OUT/trial-NNN/train.log``. The search logic is ``autograd_nlp.tuning``.
"""
import contextlib
import os
import shutil
import sys

from autograd_nlp.commands.common import (held_folders, non_negative_float, non_negative_int,
                                          positive_int, prepare_out, release_folders)
from autograd_nlp.errors import UserError
from autograd_nlp.tuning import (SpaceError, TrialFailed, TrialLog, TrialLogMismatch,
                                 make_sampler, optuna_available, parse_space, run_search,
                                 save_score_plot, trial_table, warmup_epochs)
from autograd_nlp.tuning.search import format_score

# the train commands a search can score: their validation score and its direction,
# and the options that give them a validation split
TUNABLE = {
    "seq2seq": ("valid accuracy", "maximize", ["--valid-fraction", "0.1"]),
    "peeky": ("valid accuracy", "maximize", ["--valid-fraction", "0.1"]),
    "attention": ("valid accuracy", "maximize", ["--valid-fraction", "0.1"]),
    "rnnlm": ("valid perplexity", "minimize", []),
    "better-rnnlm": ("valid perplexity", "minimize", []),
}
NEVER_STOP = 10 ** 6    # --early-stop patience that only keeps the best epoch
# the train options a search sets itself for every trial: not for --set
MANAGED = {"out": "the search puts each trial in OUT/trial-NNN",
           "resume": "the search resumes its trials itself",
           "overwrite": "each trial starts in a fresh folder",
           "quiet": "trials are always quiet (their output goes to train.log)",
           "epochs": "use tune --epochs", "early_stop": "use tune --patience",
           "skip_test": "the search tests the best setting once, at the end"}


def add_parser(sub):
    p = sub.add_parser(
        "tune", help="hyperparameter search: trials scored on validation, the best "
                     "setting tested once",
        epilog="Example: autograd-nlp tune seq2seq --trials 12 --epochs 25 "
               "--param lr=log:1e-3:3e-2 --param hidden=choice:128,256 "
               "--set data-dir=DATA. Run the same command again to resume an "
               "interrupted search (trials.json in --out); see docs/tuning.md.")
    p.add_argument("tune_model", metavar="MODEL", choices=sorted(TUNABLE),
                   help="the train command to tune: " + ", ".join(sorted(TUNABLE)))
    p.add_argument("--trials", type=positive_int, required=True,
                   help="trials in the whole search (a resumed search counts earlier ones)")
    p.add_argument("--param", action="append", required=True, metavar="NAME=KIND:SPEC",
                   help="a searched option of train MODEL (repeat): NAME=log:LOW:HIGH, "
                        "NAME=float:LOW:HIGH, NAME=int:LOW:HIGH or NAME=choice:A,B,C")
    p.add_argument("--set", action="append", default=[], metavar="OPTION[=VALUE]",
                   help="a fixed option of train MODEL for every trial (repeat), e.g. "
                        "--set data-dir=DATA --set batch-size=64 --set reverse "
                        "(default: none; the train command's defaults)")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help="epochs per trial (default: train MODEL's)")
    p.add_argument("--patience", type=positive_int, default=None,
                   help="stop a trial after this many epochs without a better validation "
                        "score (default: never; every trial keeps its best epoch)")
    p.add_argument("--budget-minutes", type=non_negative_float, default=None, metavar="M",
                   help="start no new trial after M minutes (default: no limit); run again "
                        "to continue")
    p.add_argument("--sampler", choices=["auto", "optuna", "random"], default="auto",
                   help="optuna: TPE with median pruning (pip install optuna); random: the "
                        "built-in random search with the same pruning rule; auto: optuna "
                        "when installed")
    p.add_argument("--seed", type=non_negative_int, default=0, help="the sampler's seed")
    p.add_argument("--out", default=None,
                   help="search folder: trials.json, trials.md, scores.png, one folder per "
                        "trial (default: runs/tune/MODEL)")
    p.set_defaults(run=run)


def fixed_argv(settings):
    """``--set`` values as train options: ``data-dir=D`` -> ``--data-dir D``."""
    argv = []
    for item in settings:
        name, eq, value = item.partition("=")
        name = name.strip().lstrip("-")
        if not name:
            raise UserError(f"tune: cannot read --set {item!r}; write OPTION=VALUE or OPTION")
        argv += [f"--{name}"] + ([value] if eq else [])
    return argv


def trial_argv(model, fixed, params, out_dir, epochs, patience, test=False):
    argv = ["train", model, *fixed, "--out", out_dir, "--quiet",
            "--early-stop", str(patience or NEVER_STOP)]
    if not test:
        argv.append("--skip-test")
    if epochs is not None:
        argv += ["--epochs", str(epochs)]
    for name, value in params.items():
        argv += ["--" + name.replace("_", "-"), repr(value) if isinstance(value, float)
                 else str(value)]
    return argv


def parse_train(argv):
    """The train command's namespace for ``argv``; its parser's error is a UserError."""
    from autograd_nlp.cli import build_parser
    parser = build_parser()
    try:
        with contextlib.redirect_stderr(sys.stdout):
            return parser.parse_args(argv)
    except SystemExit:
        raise UserError(f"tune: autograd-nlp {' '.join(argv)} is refused by train "
                        f"{argv[1]} (its message is above); fix --param or --set") from None


def train_option_dests(model):
    """{option string: dest} of ``train MODEL``'s parser."""
    from autograd_nlp.cli import build_parser

    def subparsers(parser):
        return next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    train = subparsers(build_parser()).choices["train"]
    return {option: action.dest for action in subparsers(train).choices[model]._actions
            for option in action.option_strings}


def check_fixed(model, fixed_items, specs):
    """Each option once: a --set option is neither searched by a --param too
    (each trial would get it twice, the last one winning) nor set twice,
    and none is one the search sets itself (MANAGED). Names are resolved as
    argparse does (a unique prefix stands for the option)."""
    options = train_option_dests(model)
    searched = {spec.dest: spec.option for spec in specs}
    seen = {}
    for item in fixed_items:
        name = "--" + item.partition("=")[0].strip().lstrip("-")
        matches = [o for o in options if o == name] or \
            [o for o in options if o.startswith(name) and o.startswith("--")]
        if len(matches) != 1:
            continue                     # unknown or ambiguous: train MODEL refuses it
        dest = options[matches[0]]
        if dest in MANAGED:
            raise UserError(f"tune: --set {item}: {matches[0]} is not for --set "
                            f"({MANAGED[dest]})")
        if dest in searched:
            raise UserError(f"tune: {searched[dest]} is given both by --param and by --set "
                            f"{item}; each trial would get it twice. Search it (--param) or "
                            f"fix it (--set), not both")
        if dest in seen:
            raise UserError(f"tune: --set {seen[dest]} and --set {item} both set "
                            f"{matches[0]}; give each option once")
        seen[dest] = item


def check_space(model, fixed, specs, epochs):
    """Every searched name is an option of train MODEL, and every bound of
    the space parses (so a bad range fails now, not in trial 7)."""
    options = vars(parse_train(trial_argv(model, fixed, {}, "x", epochs, None)))
    for spec in specs:
        if spec.dest not in options or spec.dest in ("out", "resume", "epochs", "early_stop"):
            searchable = sorted(k for k, v in options.items()
                                if isinstance(getattr(v, "value", v), (int, float))
                                and not isinstance(getattr(v, "value", v), bool)
                                and k not in ("epochs", "early_stop", "checkpoint_every",
                                              "checkpoint_minutes", "seed"))
            raise UserError(f"tune: --param {spec.dest}: train {model} has no searchable "
                            f"option {spec.option}; searchable: "
                            + ", ".join(s.replace("_", "-") for s in searchable))
    base = {s.dest: s.extremes()[0] for s in specs}
    for spec in specs:
        for value in spec.extremes():
            parse_train(trial_argv(model, fixed, {**base, spec.dest: value}, "x", epochs, None))


def run(args):
    model = args.tune_model
    metric, direction, validation = TUNABLE[model]
    out = args.out or os.path.join("runs", "tune", model)
    try:
        specs = parse_space(args.param)
    except SpaceError as e:
        raise UserError(f"tune: {e}") from None
    fixed = fixed_argv(args.set)
    check_fixed(model, args.set, specs)
    if validation and validation[0] not in fixed:
        fixed = validation + fixed
    if args.sampler == "optuna" and not optuna_available():
        raise UserError("tune --sampler optuna: Optuna is not installed; pip install optuna "
                        "(or the [tune] extra), or use --sampler random")
    check_space(model, fixed, specs, args.epochs)
    prepare_out(out)        # a folder (not a file) that no other search is writing into
    search = {"model": model, "space": [s.text() for s in specs], "fixed": fixed,
              "metric": metric, "direction": direction, "epochs": args.epochs,
              "patience": args.patience, "seed": args.seed, "sampler": args.sampler,
              "trials": args.trials, "budget_minutes": args.budget_minutes}
    try:
        log = TrialLog.open(os.path.join(out, "trials.json"), search)
    except TrialLogMismatch as e:
        raise UserError(f"tune: {e}") from None
    log.search.update(trials=args.trials, budget_minutes=args.budget_minutes)
    warmup = warmup_epochs(args.epochs or 4)
    sampler = make_sampler(args.sampler, specs, log, args.seed, warmup, args.trials)
    done = len(log.trials)
    print(f"tune {model}: {args.trials} trials ({done} done before), sampler {sampler.name}"
          + ("" if sampler.name == "optuna" or args.sampler == "random" else
             " (Optuna is not installed: pip install optuna for TPE)")
          + f", scored by {metric} ({direction}), pruning from epoch {warmup} on; "
            f"log {log.path}", flush=True)
    print("  space: " + "  ".join(search["space"]) + ("  fixed: " + " ".join(fixed)
                                                        if fixed else ""), flush=True)

    def objective(number, params, report):
        trial_dir = os.path.join(out, f"trial-{number + 1:03d}")
        if os.path.isdir(trial_dir):            # left by a trial that was interrupted
            shutil.rmtree(trial_dir)
        os.makedirs(trial_dir)
        return run_trial(trial_argv(model, fixed, params, trial_dir, args.epochs,
                                    args.patience), trial_dir, report)

    budget = None if args.budget_minutes is None else 60 * args.budget_minutes
    try:
        complete = run_search(objective, sampler, log, args.trials, budget)
    except KeyboardInterrupt:
        print(f"\ntune: interrupted; {len(log.trials)} finished trials are in {log.path}. "
              f"Run the same command again to continue", file=sys.stderr)
        raise
    summarize(log, specs, out, model, fixed, args, complete)
    return 0


class _Listener:
    """What a trial's train command tells the search: each epoch's score
    (passed on to ``report``, which may prune) and the best score."""

    def __init__(self, report, metric):
        self.report, self.metric = report, metric
        self.best, self.test = None, None

    def on_epoch(self, trainer, results):
        self.best = trainer.best_score
        if self.report is not None:
            self.report(trainer.epoch, results.get(self.metric))

    def on_test(self, name, value):
        self.test = (name, value)


def run_trial(argv, trial_dir, report, test=False):
    """Run ``autograd-nlp <argv>`` with its output in ``trial_dir``; returns
    its listener (test=True) or its best validation score."""
    args = parse_train(argv)
    metric = TUNABLE[argv[1]][0]
    listener = _Listener(None if test else report, metric)
    args.on_epoch, args.on_test = listener.on_epoch, listener.on_test
    name = "test.log" if test else "train.log"
    held = held_folders()
    with open(os.path.join(trial_dir, name), "w", encoding="utf-8") as f:
        try:
            with contextlib.redirect_stdout(f):
                args.run(args)
        except UserError as e:        # diverged, bad data...: this trial failed
            raise TrialFailed(str(e).splitlines()[0][:200]) from None
        finally:
            release_folders(keep=held)        # the trial's folder, claimed by its run
    return listener if test else listener.best


def summarize(log, specs, out, model, fixed, args, complete):
    table = trial_table(log)
    from autograd_nlp.serialization import atomic_write
    atomic_write(os.path.join(out, "trials.md"), lambda f: f.write(table + "\n"), text=True)
    print("\n" + table + "\n")
    plot = save_score_plot(os.path.join(out, "scores.png"), log, specs)
    print(f"plot: {plot}" if plot else
          "plot: not drawn (matplotlib is not installed: pip install matplotlib)"
          if log.trials else "plot: no trial finished yet")
    best = log.best()
    metric = log.search["metric"]
    if best is None:
        print("no trial finished with a validation score; nothing to test")
        return
    setting = " ".join(f"--{k.replace('_', '-')} {v!r}" for k, v in best["params"].items())
    print(f"best setting: {setting} (trial {best['number'] + 1}, {metric} "
          f"{format_score(metric, best['value'])})")
    if not complete:
        print("the test split is evaluated once the search has finished all its trials")
        return
    test = log.test
    if test is None or test["trial"] != best["number"]:
        trial_dir = os.path.join(out, f"trial-{best['number'] + 1:03d}")
        argv = trial_argv(model, fixed, best["params"], trial_dir, args.epochs, args.patience,
                          test=True) + ["--resume", os.path.join(trial_dir, "checkpoint.npz")]
        listener = run_trial(argv, trial_dir, None, test=True)
        if listener.test is None:
            raise UserError(f"tune: the best trial's test run printed no test score; see "
                            f"{os.path.join(trial_dir, 'test.log')}")
        if test is not None:
            print(f"note: the best trial changed since the test split was last used "
                  f"(trial {test['trial'] + 1}); it is measured for the new best")
        log.record_test(best["number"], best["params"], *listener.test)
        test = log.test
    print(f"{test['metric']} of the best setting: {format_score(test['metric'], test['value'])}"
          f" (trial {test['trial'] + 1}'s best epoch; the test split is used once, here)")
    print(f"reproduce: autograd-nlp train {model} {' '.join(fixed)} {setting}"
          + (f" --epochs {args.epochs}" if args.epochs else "")
          + f" --early-stop {args.patience or NEVER_STOP}")

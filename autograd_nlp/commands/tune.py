"""``autograd-nlp tune MODEL --trials N --param lr=log:1e-4:1e-1 ...``:
hyperparameter search on the training split, scored on the validation split,
with the best setting evaluated on the test split once, at the end.

Every trial is the ``train MODEL`` recipe itself, run on a Config built
from ``--set`` and the trial's values (``autograd_nlp.tuning.trial_config``),
skipping the test split and with early stopping that keeps its best epoch;
its output goes to ``OUT/trial-NNN/train.log``. The search logic is ``autograd_nlp.tuning``;
with ``--storage URL`` the search is an Optuna study that any number of
``tune`` processes share (``autograd_nlp.tuning.shared_search``).
"""
import contextlib
import os
import shutil
import sys

from autograd_nlp.commands.common import (held_folders, non_negative_float, non_negative_int,
                                          positive_int, prepare_out, release_folders)
from autograd_nlp.errors import UserError
from autograd_nlp.tuning import (SpaceError, StorageError, StudyMismatch, TrialFailed,
                                 TrialLog, TrialLogMismatch, default_study_name,
                                 make_sampler, optuna_available, parse_space, run_search,
                                 save_score_plot, trial_table, warmup_epochs)
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.tuning.search import format_score
from autograd_nlp.tuning.trial_config import (TUNABLE, check_space, command_line,
                                              fixed_settings, recipe_of, trial_config)


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
                        "trial (default: runs/tune/MODEL, with --storage runs/tune/STUDY)")
    p.add_argument("--storage", default=None, metavar="URL",
                   help="keep the search in an Optuna storage that any number of tune "
                        "processes share, each adding trials until the study holds --trials: "
                        "sqlite:///FILE.db (one machine), journal:///FILE.log (a folder "
                        "machines share) or postgresql://USER@HOST/DB (many machines) "
                        "(default: none; the search is trials.json in --out)")
    p.add_argument("--study", default=None, metavar="NAME",
                   help="the study's name in --storage (default: MODEL-<hash of the "
                        "search's settings>, the same for the same command)")
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


def run(args):
    model = args.tune_model
    metric, direction, validation = TUNABLE[model]
    if args.study is not None and args.storage is None:
        raise UserError("tune --study names a study in a shared storage; give --storage URL "
                        "too (e.g. --storage sqlite:///runs/tune.db)")
    try:
        specs = parse_space(args.param)
    except SpaceError as e:
        raise UserError(f"tune: {e}") from None
    fixed = fixed_argv(args.set)
    fixed_values = fixed_settings(model, args.set, specs)
    validation = [f"--{k.replace('_', '-')}={v}" for k, v in validation.items()
                  if k not in fixed_values]
    fixed = [part for item in validation for part in item.split("=")] + fixed
    if args.sampler == "optuna" and not optuna_available():
        raise UserError("tune --sampler optuna: Optuna is not installed; pip install optuna "
                        "(or the [tune] extra), or use --sampler random")
    check_space(model, fixed_values, specs, args.epochs)
    search = {"model": model, "space": [s.text() for s in specs], "fixed": fixed,
              "metric": metric, "direction": direction, "epochs": args.epochs,
              "patience": args.patience, "seed": args.seed, "sampler": args.sampler,
              "trials": args.trials, "budget_minutes": args.budget_minutes}
    warmup = warmup_epochs(args.epochs or 4)
    if args.storage is not None:
        log, sampler_name, out = open_study(args, search, warmup)
        where = f"study {log.name} in {log.where}"
    else:
        out = args.out or os.path.join("runs", "tune", model)
        prepare_out(out)        # a folder (not a file) that no other search is writing into
        try:
            log = TrialLog.open(os.path.join(out, "trials.json"), search)
        except TrialLogMismatch as e:
            raise UserError(f"tune: {e}") from None
        log.search.update(trials=args.trials, budget_minutes=args.budget_minutes)
        sampler = make_sampler(args.sampler, specs, log, args.seed, warmup, args.trials)
        sampler_name, where = sampler.name, f"log {log.path}"
    done = len(log.trials)
    print(f"tune {model}: {args.trials} trials ({done} done before), sampler {sampler_name}"
          + ("" if sampler_name == "optuna" or args.sampler == "random" else
             " (Optuna is not installed: pip install optuna for TPE)")
          + f", scored by {metric} ({direction}), pruning from epoch {warmup} on; "
            f"{where}", flush=True)
    print("  space: " + "  ".join(search["space"]) + ("  fixed: " + " ".join(fixed)
                                                        if fixed else ""), flush=True)

    def objective(number, params, report):
        trial_dir = os.path.join(out, f"trial-{number + 1:03d}")
        if os.path.isdir(trial_dir) and log.shared:     # numbers are new in a shared study
            raise UserError(f"tune: {trial_dir} exists, but trial {number + 1} of study "
                            f"{log.name} is new: --out {out} holds another study's trials; "
                            f"pass another --out")
        if os.path.isdir(trial_dir):            # left by a trial that was interrupted
            shutil.rmtree(trial_dir)
        os.makedirs(trial_dir)
        return run_trial(model, trial_config(model, fixed_values, params, trial_dir,
                                             args.epochs, args.patience), trial_dir, report)

    budget = None if args.budget_minutes is None else 60 * args.budget_minutes
    try:
        if log.shared:
            from autograd_nlp.tuning.shared_search import run_shared_search
            complete = run_shared_search(objective, log, specs, args.trials, sampler_name,
                                         budget)
        else:
            complete = run_search(objective, sampler, log, args.trials, budget)
    except KeyboardInterrupt:
        kept = f"study {log.name} in {log.where}" if log.shared else log.path
        print(f"\ntune: interrupted; {len(log.trials)} finished trials are in {kept}. "
              f"Run the same command again to continue", file=sys.stderr)
        raise
    summarize(log, specs, out, model, fixed_values, args, complete)
    return 0


def open_study(args, search, warmup):
    """(StudyLog, sampler name, search folder) of ``--storage``/``--study``:
    the folder is created but not claimed (processes share it; each trial
    claims its own)."""
    if not optuna_available():
        raise UserError("tune --storage: a shared search is an Optuna study, and Optuna is "
                        "not installed; pip install optuna (or the [tune] extra)")
    from autograd_nlp.tuning.shared_search import open_shared_search
    name = args.study or default_study_name(search)
    out = args.out or os.path.join("runs", "tune", name)
    prepare_out(out, lock=False)
    try:
        log, sampler_name = open_shared_search(
            args.storage, name, search, os.path.join(out, "trials.json"), args.sampler,
            args.seed, warmup, args.trials)
    except (StorageError, StudyMismatch) as e:
        raise UserError(f"tune: {e}") from None
    log.search.update(trials=args.trials, budget_minutes=args.budget_minutes)
    return log, sampler_name, out


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


def run_trial(model, config, trial_dir, report, test=False):
    """Run the recipe of train ``model`` on ``config`` with its output in
    ``trial_dir``; returns its listener (test=True) or its best validation
    score."""
    _, run_recipe = recipe_of(model)
    listener = _Listener(None if test else report, TUNABLE[model][0])
    name = "test.log" if test else "train.log"
    held = held_folders()
    with open(os.path.join(trial_dir, name), "w", encoding="utf-8") as f:
        try:
            with contextlib.redirect_stdout(f):
                run_recipe(config, progress=False,
                           callbacks=Callbacks(listener.on_epoch, listener.on_test))
        except UserError as e:        # diverged, bad data...: this trial failed
            raise TrialFailed(str(e).splitlines()[0][:200]) from None
        finally:
            release_folders(keep=held)        # the trial's folder, claimed by its run
    return listener if test else listener.best


def summarize(log, specs, out, model, fixed, args, complete):
    """The report of a search (``fixed``: the --set settings), and the test
    split measured once for the best trial when the search is complete."""
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
        print("the test split is evaluated once the search has finished all its trials"
              + (" (by the process that finishes the last one)" if log.shared else ""))
        return
    test = log.test
    if test is None or test["trial"] != best["number"]:
        trial_dir = os.path.join(out, f"trial-{best['number'] + 1:03d}")
        elsewhere = log.claim_test(best["number"], trial_dir)
        if elsewhere:               # a shared study: another process has it, or tests it
            print(elsewhere)
            return
        test = log.test             # (recorded by another process meanwhile?)
    if test is None or test["trial"] != best["number"]:
        config = trial_config(model, fixed, best["params"], trial_dir, args.epochs,
                              args.patience, test=True,
                              resume=os.path.join(trial_dir, "checkpoint.npz"))
        listener = run_trial(model, config, trial_dir, None, test=True)
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
    print("reproduce: " + command_line(model, args.set, best["params"], args.epochs,
                                       args.patience))

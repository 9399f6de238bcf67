"""What the seq2seq recipes share (seq2seq, peeky, attention, Transformer):
the settings of the task (data, batches, Adam, evaluation), the data
announced, the epochs with exact-match accuracy, the answer checks'
calibration, the summary of what was written."""
import dataclasses
import os

import numpy as np

from autograd_nlp.data.paths import configured_data_dir
from autograd_nlp.data.seq import load_seq_dataset, make_seq_dataset
from autograd_nlp.data.splits import with_validation
from autograd_nlp.data.written_dates import ORDERS
from autograd_nlp.errors import UserError
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import (ConfigError, TrainingConfig, distributed_option,
                                         early_stop_option, option, skip_test_option)
from autograd_nlp.text.answer_calibration import (calibrate_date_answers, print_calibration,
                                                  question_text)
from autograd_nlp.recipes.result import Result
from autograd_nlp.recipes.runtime import synchronize_ranks
from autograd_nlp.training import (MinibatchTrainer, fingerprint, save_curves,
                                   seq2seq_accuracy)
from autograd_nlp.training.trainer import best_params_path

SAMPLES_SHOWN = 4
ADAM_FORMS = {"book": dict(eps=1e-7, eps_hat=True), "torch": dict(eps=1e-8, eps_hat=False)}


@dataclasses.dataclass
class Seq2seqTaskConfig(TrainingConfig):
    """The settings of every seq2seq recipe: the task's data, batches and
    optimizer, and how accuracy is measured."""
    distributed: bool = distributed_option()
    dataset: str = option("addition", "which toy dataset", choices=("addition", "date"))
    reverse: bool = option(False, "reverse the questions (default: %(default)s)",
                           negation="keep the questions in reading order")
    batch_size: int = option(128, "questions per batch", checks.positive_int)
    lr: float = option(0.001, "Adam learning rate", checks.positive_float)
    max_grad: float = option(5.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    date_order: str = option("mdy", "generated dates only: numeric dates with the year last "
                                    "are month-first (mdy: 03/04/2011 is March 4, the US "
                                    "reading and the book's) or day-first (dmy: April 3); "
                                    "month names and year-first dates read the same either "
                                    "way (default: %(default)s)", choices=ORDERS)
    generate_size: int = option(50_000, "lines to generate when no data directory is set "
                                        "(a tenth of them become the test set)",
                                checks.generated_size)
    valid_fraction: float = option(0.0, "carve a validation split of this fraction from the "
                                        "training rows (never the test rows; fixed seed): "
                                        "per-epoch accuracy is then measured on it and the "
                                        "test rows once, at the end (default: 0, the book's "
                                        "way: test accuracy every epoch)", checks.fraction,
                                   metavar="F")
    early_stop: int = early_stop_option("validation accuracy (needs --valid-fraction)")
    skip_test: bool = skip_test_option()
    beam: int = option(1, "decode the per-epoch accuracy (and the final test accuracy) with "
                          f"beam search of width K (at most {checks.MAX_BEAM}), keeping the "
                          "K most likely partial answers at every step (default: 1, greedy)",
                       checks.beam_width, metavar="K", setting=False)

    def check_together(self):
        if self.early_stop is not None and not self.valid_fraction:
            raise ConfigError(f"--early-stop {self.early_stop} watches the validation "
                              f"accuracy, but there is no validation split; add "
                              f"--valid-fraction 0.1 (carved from the training rows)")
        if self.resume or configured_data_dir(self.data_dir)[0] is not None:
            return
        n_test = self.generate_size // 10
        n_train = self.generate_size - n_test
        if n_train < self.batch_size or n_test < 1:
            need = max(10, -(-self.batch_size * 10 // 9))
            problem = (f"{n_train} training questions, fewer than one batch of "
                       f"{self.batch_size}" if n_train < self.batch_size else "no test question")
            raise ConfigError(f"--generate-size {self.generate_size} gives {problem}; use "
                              f"--generate-size {need} or more, or a smaller --batch-size")


def apply_generated_recipe(config, recipe):
    """On generated dates (no data directory set), the fields not given take
    ``recipe``'s values (the main job's settings for its wider data) instead
    of the book's."""
    if (not recipe or config.dataset != "date"
            or configured_data_dir(config.data_dir)[0] is not None):
        return config
    given = config.given()
    changes = {k: v for k, v in recipe.items() if k not in given}
    return dataclasses.replace(config, **changes).mark_given(given)


def recipe_note(recipe):
    """The --help sentence on a generated-dates recipe ("" if none)."""
    if not recipe:
        return ""
    options = ", ".join((f"--{'' if value else 'no-'}{key.replace('_', '-')}"
                         if isinstance(value, bool)
                         else f"--{key.replace('_', '-')} {value}")
                        for key, value in recipe.items())
    return (f"On generated dates (no data directory set) the defaults are {options}: the "
            f"main job's recipe for its wider data; with --data-dir, the settings shown "
            f"above. ")


def load_dataset(config):
    """The run's SeqDataset, announced: the book's file (``data_dir``) or
    generated, with a validation split when ``valid_fraction``."""
    data_dir, origin = configured_data_dir(config.data_dir)
    if data_dir is not None:        # (config.data_dir: a missing file names where DIR came from)
        ds = load_seq_dataset(config.dataset, config.data_dir, reverse=config.reverse)
        print(f"data: {ds.source} (from {origin}), the book's split")
    else:
        order = getattr(config, "date_order", "mdy")
        ds = make_seq_dataset(config.dataset, n=config.generate_size, seed=config.seed,
                              reverse=config.reverse,
                              **({"order": order} if config.dataset == "date" else {}))
        print(f"data: {ds.source} -- no data directory set, so generated "
              f"(--data-dir DIR uses the book's {config.dataset}.txt)")
    valid = ""
    fraction = getattr(config, "valid_fraction", 0)
    if fraction:
        try:
            ds = with_validation(ds, fraction)
        except ValueError as e:
            raise UserError(f"--valid-fraction {fraction}: {e}") from None
        valid = f" / {len(ds.x_valid):,} validation (carved from train, seed fixed)"
    print(f"  {len(ds.x_train):,} train{valid} / {len(ds.x_test):,} test, vocabulary "
          f"{ds.vocab_size}, questions {ds.question_length} chars"
          f"{' (reversed)' if ds.reverse else ''}, answers {ds.answer_length - 1} chars")
    return ds


def dataset_meta(ds):
    """The checkpoint meta entries that describe a seq2seq run's data, read
    back by ``autograd_nlp.load`` (vocabulary, lengths, reversal) and by
    ``--resume`` (the fingerprint)."""
    from autograd_nlp.recipes.settings import vocab_hash
    chars = "".join(ds.id_to_char[i] for i in range(ds.vocab_size))
    return {"chars": chars, "vocab_hash": vocab_hash(chars),
            "question_length": ds.question_length, "answer_length": ds.answer_length,
            "reverse": ds.reverse, "dataset": ds.source,
            "data": {"source": ds.source, "fingerprint": fingerprint(
                ds.x_train, ds.t_train, ds.x_test, ds.t_test,
                *((ds.x_valid, ds.t_valid) if len(ds.x_valid) else ()))}}


def early_stop_options(config, ds, callbacks):
    """MinibatchTrainer's keyword arguments for early stopping on ``ds``'s
    validation accuracy (none without a validation split)."""
    return dict(early_stop=config.early_stop,
                monitor="valid accuracy" if len(ds.x_valid) else None,
                epoch_callback=callbacks.on_epoch)


def decode(model, x, start_id, length, beam=1):
    """Answers (n, length) to questions x (n, S): greedy, or beam search."""
    if beam > 1:
        return model.beam_search(x, start_id, length, beam)
    return model.generate(x, start_id, length)


def show_samples(model, ds, x, t, n=SAMPLES_SHOWN, beam=1):
    x, t = x[:n], t[:n]
    predicted = decode(model, x, ds.start_id, t.shape[1] - 1, beam)
    for q, p, a in zip(x, predicted, t[:, 1:]):
        mark = "✓" if np.array_equal(p, a) else "✗"
        print(f"    {mark} {question_text(ds, q):30} -> {ds.decode(p).rstrip():12}"
              + ("" if mark == "✓" else f" (expected {ds.decode(a).rstrip()})"))


def fit_with_accuracy(config, model, trainer, ds, progress, callbacks):
    """Train ``config.epochs`` epochs measuring exact-match accuracy after
    each: on the test split (the book's way) or, with a validation split, on
    it and the test split once at the end. Returns (history, accuracies,
    metric, final metrics)."""
    split, x_eval, t_eval = (("valid", ds.x_valid, ds.t_valid) if len(ds.x_valid)
                             else ("test", ds.x_test, ds.t_test))
    metric = "valid accuracy" if split == "valid" else "accuracy"

    def evaluate(trainer):
        accuracy = seq2seq_accuracy(model, x_eval, t_eval, progress=progress,
                                    desc=f"epoch {trainer.epoch + 1} {split}", beam=config.beam)
        show_samples(model, ds, x_eval, t_eval, beam=config.beam)
        return {metric: accuracy}

    history = trainer.fit((ds.x_train, ds.t_train), config.epochs, evaluate=evaluate)
    accuracies = [m[metric] for m in history["metrics"]]
    print(f"{metric} per epoch: " + ", ".join(f"{100 * a:.2f}%" for a in accuracies))
    metrics = {metric: accuracies[-1]} if accuracies else {}
    if split == "valid" and not config.skip_test:
        test_accuracy = seq2seq_accuracy(model, ds.x_test, ds.t_test, progress=progress,
                                         beam=config.beam)
        print(f"test accuracy: {100 * test_accuracy:.2f}% (measured once, "
              + (f"with the best epoch's parameters, epoch {trainer.best_epoch})"
                 if config.early_stop else "after the last epoch)"))
        metrics["test accuracy"] = test_accuracy
        if callbacks.on_test is not None:
            callbacks.on_test("test accuracy", test_accuracy)
    return history, accuracies, metric, metrics


def calibrate_answers(config, model, trainer, ds, checkpoint):
    """After training a date model: the confidence threshold ``translate``
    flags answers under (``text/answer_calibration.py``), written into the
    checkpoint's meta with the answer checks to run ("date")."""
    if "date" not in ds.source:
        return None
    threshold, reports = calibrate_date_answers(model, ds, config.seed,
                                                getattr(config, "date_order", "mdy"))
    if threshold is None:
        return None
    trainer.meta.update(answer_checks="date", confidence_threshold=threshold)
    trainer.save(checkpoint)
    print_calibration(threshold, reports)
    return threshold


def print_outputs(checkpoint, trainer, ds, files):
    """After a seq2seq run: the "wrote:" line (the checkpoint, the best epoch's
    parameters when early stopping kept them, then ``files``, None skipped)
    and a ``translate`` command to try, with ``--params`` for the best epoch.
    Returns the best epoch's parameters file (None if none)."""
    written, params, best = [checkpoint], "", None
    if trainer.best_score is not None:
        best = best_params_path(checkpoint)
        written.append(f"{best} (epoch {trainer.best_epoch}'s)")
        params = f" --params {best}"
    print("wrote: " + ", ".join(written + [f for f in files if f]))
    print(f"try:   autograd-nlp translate --checkpoint {checkpoint}{params} "
          f"\"{question_text(ds, ds.x_test[0])}\"")
    return best


def checkpoint_path(out):
    return os.path.join(out, "checkpoint.npz")


def make_trainer(config, model, optimizer, ds, checkpoint, meta, comm, progress, callbacks):
    """The MinibatchTrainer of a seq2seq run: checkpoints, early stopping on
    the validation accuracy, every rank starting from rank 0's state, and
    the run resumed from ``config.resume``."""
    trainer = MinibatchTrainer(model, optimizer, config.batch_size, config.max_grad,
                               checkpoint, config.checkpoint_every, meta, progress=progress,
                               unit="questions",
                               checkpoint_seconds=60 * config.checkpoint_minutes,
                               comm=comm, **early_stop_options(config, ds, callbacks))
    synchronize_ranks(model, optimizer, comm)
    if config.resume:
        trainer.resume(config.resume)
    return trainer


def train_and_report(config, model, trainer, ds, checkpoint, comm, progress, callbacks,
                     before_curve=None, picture=None):
    """The epochs with their accuracy, the answer checks calibrated, then (on
    rank 0) ``before_curve(out)`` (a file it writes, e.g. a fine-tuned
    checkpoint), the accuracy curve, ``picture(out)`` (a heatmap) and the
    summary of what was written. Returns the Result."""
    history, accuracies, metric, metrics = fit_with_accuracy(config, model, trainer, ds,
                                                             progress, callbacks)
    calibrate_answers(config, model, trainer, ds, checkpoint)
    result = Result(model, history, metrics, {"checkpoint": checkpoint}, config, trainer)
    if comm is not None and not comm.is_root:
        return result                       # rank 0 alone draws and writes
    out = os.path.dirname(checkpoint)
    paths = result.paths
    if before_curve is not None:
        paths["rl_finetuned"] = before_curve(out)
    paths["curve"] = save_curves(os.path.join(out, "accuracy.png"),
                                 {config.model: (history["epoch"],
                                                 [100 * a for a in accuracies])},
                                 "epoch", f"exact-match {metric} (%)", title=ds.source)
    if picture is not None:
        paths["heatmap"] = picture(out)
    best = print_outputs(checkpoint, trainer, ds, [paths.get("rl_finetuned"), paths["curve"],
                                                   paths.get("heatmap")])
    if best is not None:
        paths["best_params"] = best
    result.paths = {k: v for k, v in paths.items() if v}
    return result


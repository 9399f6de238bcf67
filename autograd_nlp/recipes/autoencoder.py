"""Sequence autoencoders on generated date strings: a plain autoencoder
(LSTM -> code -> LSTM) and a variational one that samples new dates.

The strings are generated (``autograd_nlp.data.date_strings``: every format
family of ``generate_dates``, or the book's four with ``book_formats``), so
no data files are needed. After each epoch the run reports the exact-match
reconstruction accuracy on held-out strings and, for the VAE, the KL and the
quality of strings decoded from codes drawn from N(0, I): the fraction that
are real dates written in one of the generator's formats. At the end it draws
the held-out codes projected on their first two principal components,
coloured by format family.

    from autograd_nlp.recipes import autoencoder
    result = autoencoder.run(autoencoder.VaeConfig(n=2000, epochs=2, out="runs/vae"))
    result.metrics["held-out exact accuracy"], result.paths["codes"]
"""
import dataclasses
import math
import os
from typing import ClassVar

from autograd_nlp import optim
from autograd_nlp.data.date_string_set import DateStrings
from autograd_nlp.data.generate_dates import BOOK_DATE_FAMILIES
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import (ConfigError, RunConfig, distributed_option,
                                         early_stop_option, option, skip_test_option)
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import (distributed_comm, prepare_out_on_root,
                                          seed_everything, synchronize_ranks)
from autograd_nlp.recipes.settings import in_use, vocab_hash
from autograd_nlp.training import fingerprint, save_curves
from autograd_nlp.training.autoencoder import (AutoencoderTrainer, epoch_evaluation,
                                               reconstruction_accuracy, sample_quality)
from autograd_nlp.training.code_projection import save_code_projection
from autograd_nlp.training.trainer import best_params_path

MIN_STRINGS = 10          # fewer leave no batch to train on and no held-out string
SHOWN = 4                 # held-out strings shown rebuilt at the end
SAMPLES_SHOWN = 6


@dataclasses.dataclass
class AutoencoderConfig(RunConfig):
    """``train autoencoder``: a sequence autoencoder (LSTM -> code -> LSTM) on
    generated date strings."""
    model: ClassVar[str] = "autoencoder"
    variational: ClassVar[bool] = False          # a KL term, samples from N(0, I)
    n: int = option(50_000, "date strings to generate, 10%% held out (default: %(default)s)",
                    checks.generated_size)
    book_formats: bool = option(False, "only the four format families of the book's date.txt")
    epochs: int = option(8, "epochs to train", checks.positive_int)
    batch_size: int = option(128, "sequences per batch", checks.positive_int)
    wordvec: int = option(16, "character embedding size", checks.positive_int)
    hidden: int = option(128, "hidden units", checks.positive_int)
    code: int = option(16, "code size (default: %(default)s)", checks.positive_int)
    lr: float = option(2e-3, "learning rate", checks.positive_float)
    max_grad: float = option(5.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    samples: int = option(1000, "codes drawn from N(0, I) to measure sample quality",
                          checks.sample_count)
    out: str = option(os.path.join("runs", "autoencoder"), "output folder", setting=False)
    checkpoint_every: int = option(500, "also checkpoint every N updates (0: only per epoch)",
                                   checks.non_negative_int, setting=False)
    quiet: bool = option(False, "no progress lines", setting=False)
    valid_fraction: float = option(0.0, "carve a validation split of this fraction from the "
                                        "training strings (never the held-out strings; fixed "
                                        "seed): per-epoch reconstruction is then measured on "
                                        "it and the held-out strings once, at the end "
                                        "(default: 0, held-out reconstruction every epoch)",
                                   checks.fraction, metavar="F")
    early_stop: int = early_stop_option("validation reconstruction accuracy (exact match; "
                                        "needs --valid-fraction)")
    skip_test: bool = skip_test_option()
    distributed: bool = distributed_option()

    def check_together(self):
        if self.n < MIN_STRINGS:
            raise ConfigError(f"train {self.model}: --n must be at least {MIN_STRINGS}, "
                              f"got {self.n}")
        if self.early_stop is not None and not self.valid_fraction:
            raise ConfigError(f"--early-stop {self.early_stop} watches the validation "
                              f"accuracy, but there is no validation split; add "
                              f"--valid-fraction 0.1 (carved from the training rows)")

    def model_kwargs(self, vocab_size):
        return dict(vocab_size=vocab_size, wordvec_size=self.wordvec,
                    hidden_size=self.hidden, code_size=self.code)

    def trainer_kwargs(self):
        """The KL term's settings (none for a plain autoencoder)."""
        return dict(kl_anneal=None, free_bits=0.0)


@dataclasses.dataclass
class VaeConfig(AutoencoderConfig):
    """``train vae``: a variational sequence autoencoder that samples new dates."""
    model: ClassVar[str] = "vae"
    variational: ClassVar[bool] = True
    epochs: int = option(10, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "vae"), "output folder", setting=False)
    kl_anneal: int = option(2000, "KL weight rises linearly from 0 to 1 over this many "
                                  "updates (default: %(default)s; 0: always 1)",
                            checks.non_negative_int, metavar="STEPS")
    free_bits: float = option(1.0, "each code dimension's KL counts as at least this many "
                                   "nats, against posterior collapse (default: "
                                   "%(default)s; 0: off)", checks.non_negative_float,
                              metavar="NATS")

    def trainer_kwargs(self):
        return dict(kl_anneal=self.kl_anneal, free_bits=self.free_bits)


CONFIGS = {"autoencoder": AutoencoderConfig, "vae": VaeConfig}


def build_model(name, kwargs):
    """A fresh ``name`` model ("autoencoder" or "vae") with constructor ``kwargs``."""
    from autograd_nlp.models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
    return {"autoencoder": SequenceAutoencoder, "vae": VariationalAutoencoder}[name](**kwargs)


def prepare(config):
    """The settings in use: the resumed checkpoint's for fields not given,
    then the rules between fields."""
    return in_use(config)


def load_strings(config):
    """The run's DateStrings, announced."""
    ds = DateStrings(config.n, config.seed, BOOK_DATE_FAMILIES if config.book_formats else None,
                     valid_fraction=config.valid_fraction)
    valid = (f", {len(ds.x_valid):,} of them carved off for validation"
             if len(ds.x_valid) else "")
    print(f"data: {len(ds.x_train) + len(ds.x_valid):,} generated date strings to train on"
          f"{valid}, {len(ds.x_test):,} held out; {ds.vocab_size} characters, "
          f"width {ds.width}")
    return ds


def run_meta(config, ds, kwargs):
    """The checkpoint's meta: the model, the vocabulary, the data's identity,
    the settings."""
    source = (f"generated date strings (n={config.n}, seed={config.seed}"
              f"{', book formats' if config.book_formats else ''})")
    return {"kind": config.model, "model": config.model, "model_kwargs": kwargs,
            "chars": ds.chars, "vocab_hash": vocab_hash(ds.chars), "width": ds.width,
            "data": {"source": source,
                     "fingerprint": fingerprint(ds.x_train, ds.x_valid, ds.x_test)},
            "settings": config.settings()}


def run(config, *, progress=True, callbacks=None):
    """Train ``config``'s model (an AutoencoderConfig or VaeConfig) on
    generated date strings: reconstruction per epoch, the checkpoint, the
    curves and the codes' picture. Returns a Result (metrics: the last
    epoch's scores, and with a validation split the held-out ones)."""
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    progress = progress and not config.quiet
    seed_everything(config.seed)
    comm = distributed_comm(config)           # None unless distributed
    out = prepare_out_on_root(config.out, config, comm)
    ds = load_strings(config)
    kwargs = config.model_kwargs(ds.vocab_size)
    model = build_model(config.model, kwargs)
    optimizer = optim.Adam(model.params(), lr=config.lr)
    checkpoint = os.path.join(out, "checkpoint.npz")
    evaluate, monitor = epoch_evaluation(model, ds, config.variational, config.samples,
                                         config.seed)
    trainer = AutoencoderTrainer(
        model, optimizer, ds.start_id, **config.trainer_kwargs(),
        batch_size=config.batch_size, max_grad=config.max_grad, checkpoint_path=checkpoint,
        checkpoint_every=config.checkpoint_every or None,
        checkpoint_seconds=math.inf,          # every --checkpoint-every updates, and per epoch
        meta=run_meta(config, ds, kwargs), progress=progress, early_stop=config.early_stop,
        monitor=monitor if len(ds.x_valid) else None, epoch_callback=callbacks.on_epoch,
        comm=comm)
    synchronize_ranks(model, optimizer, comm)
    if config.resume:
        trainer.resume(config.resume)
    print(f"{config.model}: {model.num_params():,} parameters, code {config.code}, "
          f"hidden {config.hidden}, batch {config.batch_size}, Adam lr {config.lr}, "
          f"epochs {config.epochs}", flush=True)
    history = trainer.fit((ds.x_train,), config.epochs, evaluate=evaluate)
    metrics = dict(history["metrics"][-1]) if history["metrics"] else {}
    if len(ds.x_valid) and not config.skip_test:
        metrics.update(test_reconstruction(config, model, trainer, ds, callbacks))
    result = Result(model, history, metrics, {"checkpoint": checkpoint}, config, trainer)
    if comm is not None and not comm.is_root:
        return result                       # rank 0 alone draws and writes
    if trainer.best_score is not None:
        result.paths["best_params"] = best_params_path(checkpoint)
    finish(config, model, ds, result, out)
    return result


def test_reconstruction(config, model, trainer, ds, callbacks):
    """The held-out strings rebuilt once, at the end (with a validation
    split): printed, told to ``callbacks.on_test``, returned as metrics."""
    exact, chars = reconstruction_accuracy(model, ds, ds.x_test)
    when = (f"the best epoch's parameters, epoch {trainer.best_epoch}"
            if config.early_stop else "after the last epoch")
    print(f"held-out reconstruction: {100 * exact:.2f}% exact, {100 * chars:.2f}% of "
          f"characters ({len(ds.x_test):,} strings, measured once, {when})")
    if callbacks.on_test is not None:
        callbacks.on_test("test exact accuracy", exact)
    return {"test exact accuracy": exact, "test character accuracy": chars}


def finish(config, model, ds, result, out):
    """Examples, the samples' quality (VAE), the pictures; prints what was
    written and adds it to ``result.paths``."""
    x = ds.x_test[:SHOWN]
    for original, rebuilt in zip(ds.decode(x), ds.decode(model.reconstruct(x, ds.start_id))):
        print(f"    {'✓' if original == rebuilt else '✗'} {original:30} -> {rebuilt}")
    if config.variational and config.samples > 0:
        texts, valid, distinct, novel = sample_quality(model, ds, config.samples, config.seed)
        print(f"{config.samples} samples from N(0, I): {100 * valid:.1f}% are real dates, "
              f"{100 * distinct:.1f}% distinct, {100 * novel:.1f}% of the real ones not in "
              f"the training strings; e.g. " + " | ".join(texts[:SAMPLES_SHOWN]))
        result.metrics.update({"sample real-date fraction": valid,
                               "sample distinct fraction": distinct,
                               "sample novel fraction": novel})
    paths = result.paths
    paths["curve"] = save_epoch_curves(os.path.join(out, "accuracy.png"), result.history,
                                       f"{config.model} on dates")
    if len(ds.x_test) >= 3:
        paths["codes"] = save_code_projection(
            os.path.join(out, "codes.png"), model.codes(ds.x_test), ds.families_test,
            f"{config.model}: codes of {len(ds.x_test):,} held-out dates (PCA)")
    written = [paths["checkpoint"]]
    if "best_params" in paths:
        written.append(f"{paths['best_params']} (epoch {result.trainer.best_epoch}'s)")
    written += [paths[k] for k in ("curve", "codes") if paths.get(k)]
    print("wrote: " + ", ".join(written))
    result.paths = {k: v for k, v in paths.items() if v}


def save_epoch_curves(path, history, title):
    """Reconstruction (and, for a VAE, sample quality) per epoch, from a
    ``MinibatchTrainer`` history."""
    epochs, metrics = history["epoch"], history["metrics"]
    curves = {}
    for name in metrics[0] if metrics else ():
        if name.endswith("accuracy") or name == "real-date fraction":
            curves[name] = (epochs, [100 * m[name] for m in metrics])
    return save_curves(path, curves, "epoch", "%", title=title)

"""``autograd-nlp train autoencoder|vae`` on date strings, and ``sample-dates``.

The strings are generated (``autograd_nlp.data.date_strings``: every format
family of ``generate_dates``, or the book's four with ``--book-formats``), so
no data files are needed. After each epoch the run reports the exact-match
reconstruction accuracy on held-out strings and, for the VAE, the KL and the
quality of strings decoded from codes drawn from N(0, I): the fraction that
are real dates written in one of the generator's formats. At the end it draws
the held-out codes projected on their first two principal components,
coloured by format family.
"""
import math
import os

import numpy as np

from autograd_nlp import optim
from autograd_nlp.loading.checkpoint_kind import (check_finite_parameters, read_checkpoint,
                                                   restore_model)
from autograd_nlp.commands.common import (add_early_stop_options, add_out_options,
                                          add_valid_fraction_option, generated_size,
                                          non_negative_float, non_negative_int,
                                          positive_float, positive_int, prepare_out,
                                          run_listener, sample_count, seed_everything)
from autograd_nlp.errors import UserError
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, resolve_settings,
                                                vocab_hash)
from autograd_nlp.commands.common import check_early_stop
from autograd_nlp.data.date_strings import date_strings, parse_date
from autograd_nlp.data.generate_dates import BOOK_DATE_FAMILIES
from autograd_nlp.data.seq_format import DATE_WIDTHS, PAD, START
from autograd_nlp.data.splits import validation_indices
from autograd_nlp.training import MinibatchTrainer, fingerprint, restore, save_curves
from autograd_nlp.training.plot import have_matplotlib, save_figure
from autograd_nlp.training.trainer import best_params_path

DEFAULTS = {
    "autoencoder": dict(epochs=8, help="a sequence autoencoder (LSTM -> code -> LSTM)"),
    "vae": dict(epochs=10, help="a variational sequence autoencoder (samples new dates)"),
}
EVAL_ROWS = 1000          # held-out strings scored after each epoch
SHOWN = 4


def add_train_parsers(train_sub):
    for name, d in DEFAULTS.items():
        p = train_sub.add_parser(name, help=f"{d['help']} on generated date strings",
                                 epilog=RESUME_RULE)
        p.add_argument("--n", type=generated_size, default=50_000,
                       help="date strings to generate, 10%% held out (default: %(default)s)")
        p.add_argument("--book-formats", action="store_true",
                       help="only the four format families of the book's date.txt")
        p.add_argument("--epochs", type=positive_int, default=d["epochs"], help="epochs to train")
        p.add_argument("--batch-size", type=positive_int, default=128, help="sequences per batch")
        p.add_argument("--wordvec", type=positive_int, default=16, help="character embedding size")
        p.add_argument("--hidden", type=positive_int, default=128, help="hidden units")
        p.add_argument("--code", type=positive_int, default=16,
                       help="code size (default: %(default)s)")
        p.add_argument("--lr", type=positive_float, default=2e-3, help="learning rate")
        p.add_argument("--max-grad", type=positive_float, default=5.0, help="clip the gradients' global norm to this (default: none for reinforce, no clipping)")
        if name == "vae":
            p.add_argument("--kl-anneal", type=non_negative_int, default=2000, metavar="STEPS",
                           help="KL weight rises linearly from 0 to 1 over this many "
                           "updates (default: %(default)s; 0: always 1)")
            p.add_argument("--free-bits", type=non_negative_float, default=1.0, metavar="NATS",
                           help="each code dimension's KL counts as at least this many "
                           "nats, against posterior collapse (default: %(default)s; 0: off)")
        p.add_argument("--samples", type=sample_count, default=1000,
                       help="codes drawn from N(0, I) to measure sample quality")
        add_out_options(p, os.path.join("runs", name))
        p.add_argument("--seed", type=non_negative_int, default=1, help="random seed")
        p.add_argument("--resume", default=None, metavar="CKPT", help="continue the run saved in this checkpoint (default: start anew)")
        p.add_argument("--checkpoint-every", type=non_negative_int, default=500,
                       help="also checkpoint every N updates (0: only per epoch)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")
        add_valid_fraction_option(p, "strings", "held-out", "reconstruction",
                                  "held-out reconstruction every epoch")
        add_early_stop_options(p, "validation reconstruction accuracy (exact match; "
                                  "needs --valid-fraction)")
        p.set_defaults(run=train, model_name=name)
        mark_defaults(p)


def add_parsers(sub):
    p = sub.add_parser("sample-dates", help="new date strings from a `train vae` checkpoint")
    p.add_argument("--checkpoint", required=True, help="a VAE checkpoint (checkpoint.npz of train vae)")
    p.add_argument("--n", type=sample_count, default=10, help="how many date strings to sample")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
    p.set_defaults(run=sample_dates)


class DateStrings:
    """Generated date strings as padded id arrays with a character vocabulary.

    x_train, x_valid, x_test: (N, 29) int64 ids (x_valid: ``valid_fraction``
    of the training strings, carved by ``validation_indices``; empty by
    default); families_train/test: the format family of each row; ``chars``:
    id -> character (``_`` is the start)."""

    def __init__(self, n, seed, families=None, test_ratio=0.1, valid_fraction=0.0):
        texts, labels = date_strings(n, seed=seed, families=families)
        self.width = DATE_WIDTHS[0]
        self.chars = "".join(sorted(set("".join(texts)) | {PAD})) + START
        self.char_to_id = {c: i for i, c in enumerate(self.chars)}
        ids, labels = self.encode(texts), np.array(labels)
        n_test = max(1, int(n * test_ratio)) if n > 1 else 0
        train, valid = validation_indices(n - n_test, valid_fraction)
        self.x_train, self.x_valid = ids[train], ids[valid]
        self.x_test = ids[n - n_test:]
        self.texts_train = {texts[i] for i in train}
        self.families_train, self.families_test = list(labels[train]), list(labels[n - n_test:])

    @classmethod
    def vocabulary_only(cls, chars, width):
        ds = cls.__new__(cls)
        ds.chars, ds.width = chars, width
        ds.char_to_id = {c: i for i, c in enumerate(chars)}
        return ds

    @property
    def vocab_size(self):
        return len(self.chars)

    @property
    def start_id(self):
        return self.char_to_id[START]

    def encode(self, texts):
        return np.array([[self.char_to_id[c] for c in t.ljust(self.width, PAD)]
                         for t in texts], dtype=np.int64)

    def decode(self, ids):
        return ["".join(self.chars[i] for i in row).rstrip() for row in ids]


def build_model(name, kwargs):
    from models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
    return {"autoencoder": SequenceAutoencoder, "vae": VariationalAutoencoder}[name](**kwargs)


# --- measuring -----------------------------------------------------------------------
def reconstruction_accuracy(model, ds, x):
    """(exact-match fraction, character accuracy) of greedy rebuilds of x."""
    rebuilt = np.concatenate([model.reconstruct(x[i:i + 500], ds.start_id)
                              for i in range(0, len(x), 500)])
    return float((rebuilt == x).all(axis=1).mean()), float((rebuilt == x).mean())


def sample_quality(model, ds, n, seed):
    """Decode ``n`` codes drawn from N(0, I): (texts, fraction that parse as
    real dates, fraction of distinct texts, fraction of valid texts not among
    the training strings)."""
    texts = ds.decode(model.sample(n, ds.start_id, ds.width, np.random.default_rng(seed)))
    valid = [t for t in texts if parse_date(t) is not None]
    novel = [t for t in valid if t not in ds.texts_train]
    return (texts, len(valid) / n, len(set(texts)) / n, len(novel) / max(len(valid), 1))


def mean_kl(model, x):
    from models.sequence_autoencoder import gaussian_kl
    from autograd_nlp.core import eval_mode, no_grad
    with no_grad(), eval_mode():
        mean, logvar = model.posterior(x)
        return float(gaussian_kl(mean, logvar).data.mean())


def principal_components(codes, k=2):
    """Project codes (N, d) on their first k principal axes (SVD of the
    centred codes) -> (projection (N, k), fraction of variance per axis)."""
    centred = codes - codes.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:k].T, (s[:k] ** 2) / max((s ** 2).sum(), 1e-12)


def save_code_projection(path, codes, families, title):
    """Scatter the 2-D PCA projection of ``codes`` coloured by family."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no picture written to {path})")
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xy, share = principal_components(codes)
    fig, ax = plt.subplots(figsize=(8.0, 5.2), dpi=110)
    names = sorted(set(families))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(names), 2)))
    labels = np.array(families)
    for name, colour in zip(names, colours):
        keep = labels == name
        ax.scatter(xy[keep, 0], xy[keep, 1], s=5, color=colour, label=name, alpha=0.7)
    ax.set_xlabel(f"PC 1 ({100 * share[0]:.0f}% of variance)")
    ax.set_ylabel(f"PC 2 ({100 * share[1]:.0f}% of variance)")
    ax.set_title(title)
    ax.legend(fontsize=7, markerscale=3, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return save_figure(fig, path, "png")


# --- training ------------------------------------------------------------------------
class AutoencoderTrainer(MinibatchTrainer):
    """``MinibatchTrainer`` on strings alone (``fit((x,), epochs)``): each
    update's KL weight follows the annealing schedule of the run's update
    count (``kl_anneal`` updates from 0 to 1; None: no KL term), and the
    progress line shows the loss's parts."""

    def __init__(self, model, optimizer, start_id, kl_anneal=None, free_bits=0.0, **kwargs):
        super().__init__(model, optimizer, loss_fn=self.string_loss, unit="strings", **kwargs)
        self.start_id, self.kl_anneal, self.free_bits = start_id, kl_anneal, free_bits
        self.parts = {}

    def kl_weight(self):
        """beta of the next update: linear from 0 to 1 over ``kl_anneal`` updates."""
        if self.kl_anneal is None:
            return 0.0
        done = self.epoch * self.iterations_per_epoch() + self.iteration
        return 1.0 if self.kl_anneal <= 0 else min(1.0, (done + 1) / self.kl_anneal)

    def string_loss(self, model, x):
        beta = self.kl_weight()
        loss, parts = model.loss(x, self.start_id, beta, free_bits=self.free_bits)
        self.parts = parts if self.kl_anneal is None else {**parts, "beta": beta}
        return loss

    def step_metrics(self):
        return self.parts


def epoch_evaluation(model, ds, args):
    """The per-epoch scores: exact-match and character reconstruction of
    ``EVAL_ROWS`` validation strings (held-out ones without a validation
    split), and for the VAE the mean KL and the fraction of 200 samples that
    are real dates. Returns (evaluate(trainer) -> dict, name of the exact score)."""
    split, x = ("valid", ds.x_valid) if len(ds.x_valid) else ("held-out", ds.x_test)
    x = x[:EVAL_ROWS]

    def evaluate(trainer):
        exact, chars = reconstruction_accuracy(model, ds, x)
        results = {f"{split} exact accuracy": exact, f"{split} character accuracy": chars}
        if args.model_name == "vae":
            _, valid, _, _ = sample_quality(model, ds, min(args.samples, 200), args.seed)
            results.update({"KL": mean_kl(model, x), "real-date fraction": valid})
        return results
    return evaluate, f"{split} exact accuracy"


def train(args):
    settings = resolve_settings(args)         # typed, resumed or default values from here
    if args.n < 10:
        raise UserError(f"train {args.model_name}: --n must be at least 10, got {args.n}")
    check_early_stop(args)
    seed_everything(args.seed)
    out = prepare_out(args.out, args)
    ds = DateStrings(args.n, args.seed, BOOK_DATE_FAMILIES if args.book_formats else None,
                     valid_fraction=args.valid_fraction)
    valid = (f", {len(ds.x_valid):,} of them carved off for validation"
             if len(ds.x_valid) else "")
    print(f"data: {len(ds.x_train) + len(ds.x_valid):,} generated date strings to train on"
          f"{valid}, {len(ds.x_test):,} held out; {ds.vocab_size} characters, "
          f"width {ds.width}")
    kwargs = dict(vocab_size=ds.vocab_size, wordvec_size=args.wordvec,
                  hidden_size=args.hidden, code_size=args.code)
    model = build_model(args.model_name, kwargs)
    optimizer = optim.Adam(model.params(), lr=args.lr)
    checkpoint = os.path.join(out, "checkpoint.npz")
    source = (f"generated date strings (n={args.n}, seed={args.seed}"
              f"{', book formats' if args.book_formats else ''})")
    meta = {"kind": args.model_name, "model": args.model_name, "model_kwargs": kwargs,
            "chars": ds.chars, "vocab_hash": vocab_hash(ds.chars), "width": ds.width,
            "data": {"source": source,
                     "fingerprint": fingerprint(ds.x_train, ds.x_valid, ds.x_test)},
            "settings": settings}
    evaluate, monitor = epoch_evaluation(model, ds, args)
    vae = args.model_name == "vae"
    trainer = AutoencoderTrainer(
        model, optimizer, ds.start_id, kl_anneal=args.kl_anneal if vae else None,
        free_bits=args.free_bits if vae else 0.0, batch_size=args.batch_size,
        max_grad=args.max_grad, checkpoint_path=checkpoint,
        checkpoint_every=args.checkpoint_every or None,
        checkpoint_seconds=math.inf,          # every --checkpoint-every updates, and per epoch
        meta=meta, progress=not args.quiet, early_stop=args.early_stop,
        monitor=monitor if len(ds.x_valid) else None,
        epoch_callback=run_listener(args, "on_epoch"))
    if args.resume:
        trainer.resume(args.resume)
    print(f"{args.model_name}: {model.num_params():,} parameters, code {args.code}, "
          f"hidden {args.hidden}, batch {args.batch_size}, Adam lr {args.lr}, "
          f"epochs {args.epochs}", flush=True)
    history = trainer.fit((ds.x_train,), args.epochs, evaluate=evaluate)
    if len(ds.x_valid) and not args.skip_test:
        exact, chars = reconstruction_accuracy(model, ds, ds.x_test)
        when = (f"the best epoch's parameters, epoch {trainer.best_epoch}"
                if args.early_stop else "after the last epoch")
        print(f"held-out reconstruction: {100 * exact:.2f}% exact, {100 * chars:.2f}% of "
              f"characters ({len(ds.x_test):,} strings, measured once, {when})")
        on_test = run_listener(args, "on_test")
        if on_test is not None:
            on_test("test exact accuracy", exact)
    written = [checkpoint]
    if trainer.best_score is not None:
        written.append(best_params_path(checkpoint) + f" (epoch {trainer.best_epoch}'s)")
    finish(model, ds, args, history, out, written)
    return 0


def finish(model, ds, args, history, out, written):
    """Examples, the final numbers, and the pictures; prints what was written."""
    x = ds.x_test[:SHOWN]
    for original, rebuilt in zip(ds.decode(x), ds.decode(model.reconstruct(x, ds.start_id))):
        print(f"    {'✓' if original == rebuilt else '✗'} {original:30} -> {rebuilt}")
    if args.model_name == "vae" and args.samples > 0:
        texts, valid, distinct, novel = sample_quality(model, ds, args.samples, args.seed)
        print(f"{args.samples} samples from N(0, I): {100 * valid:.1f}% are real dates, "
              f"{100 * distinct:.1f}% distinct, {100 * novel:.1f}% of the real ones not in "
              f"the training strings; e.g. " + " | ".join(texts[:6]))
    curve = save_epoch_curves(os.path.join(out, "accuracy.png"), history,
                              f"{args.model_name} on dates")
    written += [curve] if curve else []
    x, families = ds.x_test, ds.families_test
    if len(x) >= 3:
        picture = save_code_projection(
            os.path.join(out, "codes.png"), model.codes(x), families,
            f"{args.model_name}: codes of {len(x):,} held-out dates (PCA)")
        written += [picture] if picture else []
    print("wrote: " + ", ".join(written))


def save_epoch_curves(path, history, title):
    """Reconstruction (and, for a VAE, sample quality) per epoch, from a
    ``MinibatchTrainer`` history."""
    epochs, metrics = history["epoch"], history["metrics"]
    curves = {}
    for name in metrics[0] if metrics else ():
        if name.endswith("accuracy") or name == "real-date fraction":
            curves[name] = (epochs, [100 * m[name] for m in metrics])
    return save_curves(path, curves, "epoch", "%", title=title)


def sample_dates(args):
    checkpoint = read_checkpoint(args.checkpoint, "sample-dates", "autoencoder", ["vae"])
    meta = checkpoint["meta"]
    check_finite_parameters(checkpoint, args.checkpoint, "sample-dates")
    model = restore_model(checkpoint, args.checkpoint, build_model, restore)
    ds = DateStrings.vocabulary_only(meta["chars"], meta["width"])
    ids = model.sample(args.n, ds.start_id, ds.width, np.random.default_rng(args.seed))
    for text in ds.decode(ids):
        parsed = parse_date(text)
        print(f"{text:30} {parsed[0].isoformat() if parsed else '(not a date)'}")
    return 0

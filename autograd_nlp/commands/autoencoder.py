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
import os
import sys
import time

import numpy as np

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.commands.common import (non_negative_float, non_negative_int,
                                          positive_float, positive_int, prepare_out,
                                          seed_everything)
from autograd_nlp.data.date_strings import date_strings, parse_date
from autograd_nlp.data.generate_dates import BOOK_DATE_FAMILIES
from autograd_nlp.data.seq_format import DATE_WIDTHS, PAD, START
from autograd_nlp.serialization import atomic_write
from autograd_nlp.training import (Progress, format_duration, load_checkpoint, restore,
                                   save_checkpoint, save_curves)
from autograd_nlp.training.plot import have_matplotlib
from autograd_nlp.training.trainer import Trainer

DEFAULTS = {
    "autoencoder": dict(epochs=8, help="a sequence autoencoder (LSTM -> code -> LSTM)"),
    "vae": dict(epochs=10, help="a variational sequence autoencoder (samples new dates)"),
}
EVAL_ROWS = 1000          # held-out strings scored after each epoch
SHOWN = 4


def add_train_parsers(train_sub):
    for name, d in DEFAULTS.items():
        p = train_sub.add_parser(name, help=f"{d['help']} on generated date strings")
        p.add_argument("--n", type=positive_int, default=50_000,
                       help="date strings to generate, 10%% held out (default: %(default)s)")
        p.add_argument("--book-formats", action="store_true",
                       help="only the four format families of the book's date.txt")
        p.add_argument("--epochs", type=positive_int, default=d["epochs"], help="epochs to train")
        p.add_argument("--batch-size", type=positive_int, default=128, help="sequences per batch")
        p.add_argument("--wordvec", type=positive_int, default=16, help="character embedding size")
        p.add_argument("--hidden", type=positive_int, default=128, help="hidden units")
        p.add_argument("--code", type=int, default=16, help="code size (default: %(default)s)")
        p.add_argument("--lr", type=positive_float, default=2e-3, help="learning rate")
        p.add_argument("--max-grad", type=positive_float, default=5.0, help="clip the gradients' global norm to this (default: none for reinforce, no clipping)")
        if name == "vae":
            p.add_argument("--kl-anneal", type=non_negative_int, default=2000, metavar="STEPS",
                           help="KL weight rises linearly from 0 to 1 over this many "
                           "updates (default: %(default)s; 0: always 1)")
            p.add_argument("--free-bits", type=non_negative_float, default=1.0, metavar="NATS",
                           help="each code dimension's KL counts as at least this many "
                           "nats, against posterior collapse (default: %(default)s; 0: off)")
        p.add_argument("--samples", type=positive_int, default=1000,
                       help="codes drawn from N(0, I) to measure sample quality")
        p.add_argument("--out", default=os.path.join("runs", name), help="output folder")
        p.add_argument("--seed", type=non_negative_int, default=1, help="random seed")
        p.add_argument("--resume", default=None, metavar="CKPT", help="continue the run saved in this checkpoint (default: start anew)")
        p.add_argument("--checkpoint-every", type=non_negative_int, default=500,
                       help="also checkpoint every N updates (0: only per epoch)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")
        p.set_defaults(run=train, model_name=name)


def add_parsers(sub):
    p = sub.add_parser("sample-dates", help="new date strings from a `train vae` checkpoint")
    p.add_argument("--checkpoint", required=True, help="a VAE checkpoint (checkpoint.npz of train vae)")
    p.add_argument("--n", type=positive_int, default=10, help="how many date strings to sample")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
    p.set_defaults(run=sample_dates)


def fail(message):
    print(f"autograd-nlp: {message}", file=sys.stderr)
    return 2


class DateStrings:
    """Generated date strings as padded id arrays with a character vocabulary.

    x_train, x_test: (N, 29) int64 ids; families_train/test: the format
    family of each row; ``chars``: id -> character (``_`` is the start)."""

    def __init__(self, n, seed, families=None, test_ratio=0.1):
        texts, labels = date_strings(n, seed=seed, families=families)
        self.width = DATE_WIDTHS[0]
        self.chars = "".join(sorted(set("".join(texts)) | {PAD})) + START
        self.char_to_id = {c: i for i, c in enumerate(self.chars)}
        ids = self.encode(texts)
        n_test = max(1, int(n * test_ratio)) if n > 1 else 0
        self.x_train, self.x_test = ids[:n - n_test], ids[n - n_test:]
        self.texts_train = set(texts[:n - n_test])
        self.families_train, self.families_test = labels[:n - n_test], labels[n - n_test:]

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
    try:
        atomic_write(path, lambda f: fig.savefig(f, format="png"))
    finally:
        plt.close(fig)
    return path


# --- training ------------------------------------------------------------------------
class Run:
    """Where training stands, all of it saved in a checkpoint."""

    def __init__(self):
        self.epoch, self.position, self.iteration = 0, 0, 0
        self.seconds = 0.0
        self.history = {"epoch": [], "seconds": [], "reconstruction": [], "kl": [],
                        "exact": [], "chars": [], "valid": []}
        self.perm = None

    def meta(self):
        return {"epoch": self.epoch, "position": self.position, "iteration": self.iteration,
                "seconds": self.seconds, "history": self.history}


def kl_weight(args, iteration):
    if args.model_name != "vae":
        return 0.0
    return 1.0 if args.kl_anneal <= 0 else min(1.0, (iteration + 1) / args.kl_anneal)


def train(args):
    if args.n < 10:
        return fail(f"train {args.model_name}: --n must be at least 10, got {args.n}")
    if args.epochs < 0 or args.batch_size < 1:
        return fail(f"train {args.model_name}: need --epochs >= 0 and --batch-size >= 1")
    seed_everything(args.seed)
    out = prepare_out(args.out)
    ds = DateStrings(args.n, args.seed, BOOK_DATE_FAMILIES if args.book_formats else None)
    print(f"data: {len(ds.x_train):,} generated date strings to train on, "
          f"{len(ds.x_test):,} held out; {ds.vocab_size} characters, width {ds.width}")
    kwargs = dict(vocab_size=ds.vocab_size, wordvec_size=args.wordvec,
                  hidden_size=args.hidden, code_size=args.code)
    model = build_model(args.model_name, kwargs)
    optimizer = optim.Adam(model.params(), lr=args.lr)
    trainer = Trainer(model, optimizer, max_grad=args.max_grad)
    run = Run()
    checkpoint = os.path.join(out, "checkpoint.npz")
    meta = {"model": args.model_name, "model_kwargs": kwargs, "chars": ds.chars,
            "width": ds.width, "n": args.n, "seed": args.seed,
            "book_formats": args.book_formats}
    if args.resume:
        saved = load_checkpoint(args.resume)
        if saved["meta"].get("model") != args.model_name:
            return fail(f"{args.resume} is a {saved['meta'].get('model')!r} checkpoint, "
                        f"not {args.model_name!r}")
        state = restore(saved, model, optimizer)["run"]
        for key, value in state.items():
            setattr(run, key, value)
        run.perm = saved["extra"].get("perm")
        print(f"resumed from {args.resume}: epoch {run.epoch + 1}, update {run.iteration}")
    print(f"{args.model_name}: {model.num_params():,} parameters, code {args.code}, "
          f"hidden {args.hidden}, batch {args.batch_size}, Adam lr {args.lr}")

    def save():
        extra = {"perm": run.perm} if run.perm is not None else {}
        save_checkpoint(checkpoint, model, optimizer, {**meta, "run": run.meta()},
                        extra_arrays=extra)

    iters = max(1, len(ds.x_train) // args.batch_size)
    while run.epoch < args.epochs:
        if run.perm is None or run.position == 0:
            run.perm = ag_random.get_rng().permutation(len(ds.x_train))
        bar = Progress(iters, f"epoch {run.epoch + 1}/{args.epochs}", enabled=not args.quiet)
        bar.count = run.position
        start = time.perf_counter()
        while run.position < iters:
            i = run.position
            x = ds.x_train[run.perm[i * args.batch_size:(i + 1) * args.batch_size]]
            beta = kl_weight(args, run.iteration)
            loss, parts = model.loss(x, ds.start_id, beta,
                                     free_bits=getattr(args, "free_bits", 0.0))
            trainer.update(loss)
            run.position += 1
            run.iteration += 1
            bar.update(1, **parts, **({"beta": beta} if args.model_name == "vae" else {}))
            if args.checkpoint_every and run.iteration % args.checkpoint_every == 0:
                run.seconds += time.perf_counter() - start
                start = time.perf_counter()
                save()
        bar.close()
        run.seconds += time.perf_counter() - start
        run.epoch, run.position = run.epoch + 1, 0
        evaluate(model, ds, args, run, parts)
        save()
    save()
    finish(model, ds, args, run, out, checkpoint)
    return 0


def evaluate(model, ds, args, run, last_parts):
    """Score the held-out strings, record the epoch and print one line."""
    x = ds.x_test[:EVAL_ROWS]
    exact, chars = reconstruction_accuracy(model, ds, x)
    h = run.history
    h["epoch"].append(run.epoch)
    h["seconds"].append(round(run.seconds, 1))
    h["reconstruction"].append(last_parts["reconstruction"])
    h["exact"].append(exact)
    h["chars"].append(chars)
    line = (f"epoch {run.epoch}: held-out reconstruction {100 * exact:.1f}% exact, "
            f"{100 * chars:.2f}% of characters")
    if args.model_name == "vae":
        kl = mean_kl(model, x)
        _, valid, _, _ = sample_quality(model, ds, min(args.samples, 200), args.seed)
        h["kl"].append(kl)
        h["valid"].append(valid)
        line += f"; KL {kl:.2f} nats; {100 * valid:.0f}% of 200 samples are real dates"
    print(line + f" ({format_duration(run.seconds)} of training)", flush=True)


def finish(model, ds, args, run, out, checkpoint):
    """Examples, the final numbers, and the pictures."""
    x = ds.x_test[:SHOWN]
    for original, rebuilt in zip(ds.decode(x), ds.decode(model.reconstruct(x, ds.start_id))):
        print(f"    {'✓' if original == rebuilt else '✗'} {original:30} -> {rebuilt}")
    written = [checkpoint]
    if args.model_name == "vae" and args.samples > 0:
        texts, valid, distinct, novel = sample_quality(model, ds, args.samples, args.seed)
        print(f"{args.samples} samples from N(0, I): {100 * valid:.1f}% are real dates, "
              f"{100 * distinct:.1f}% distinct, {100 * novel:.1f}% of the real ones not in "
              f"the training strings; e.g. " + " | ".join(texts[:6]))
    curve = save_epoch_curves(os.path.join(out, "accuracy.png"), run.history,
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
    """Held-out reconstruction (and, for a VAE, sample quality) per epoch."""
    epochs = history["epoch"]
    curves = {"held-out strings rebuilt exactly": (epochs, [100 * a for a in history["exact"]]),
              "held-out characters right": (epochs, [100 * a for a in history["chars"]])}
    if history["valid"]:
        curves["samples that are real dates"] = (epochs, [100 * v for v in history["valid"]])
    return save_curves(path, curves, "epoch", "%", title=title)


def sample_dates(args):
    checkpoint = load_checkpoint(args.checkpoint)
    meta = checkpoint["meta"]
    if meta.get("model") != "vae":
        return fail(f"sample-dates: {args.checkpoint} is not a `train vae` checkpoint "
                    f"(model {meta.get('model')!r})")
    model = build_model("vae", meta["model_kwargs"])
    restore(checkpoint, model, rng=False)
    ds = DateStrings.vocabulary_only(meta["chars"], meta["width"])
    ids = model.sample(args.n, ds.start_id, ds.width, np.random.default_rng(args.seed))
    for text in ds.decode(ids):
        parsed = parse_date(text)
        print(f"{text:30} {parsed[0].isoformat() if parsed else '(not a date)'}")
    return 0

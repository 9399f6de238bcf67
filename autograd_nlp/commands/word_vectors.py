"""``autograd-nlp train cbow|skipgram|count-svd``, ``similar``, ``analogy``."""
import os
import sys
import time

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.commands.common import (add_common_training_options,
                                          add_early_stop_options, add_overwrite_option,
                                          claim_output_file, distributed_comm,
                                          load_ptb_announced,
                                          non_negative_float, non_negative_int,
                                          positive_float, positive_int,
                                          prepare_out, seed_everything)
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, ptb_identity,
                                                resolve_settings, vocab_hash)
from autograd_nlp.data import create_contexts_target
from autograd_nlp.errors import UserError
from autograd_nlp.loading.word_vectors import load_word_vectors
from autograd_nlp.optim import LinearDecay
from autograd_nlp.text import WordVectors, count_svd_vectors
from autograd_nlp.text.cbow_epochs import CbowEpochs
from autograd_nlp.training import MinibatchTrainer, ResampledMinibatchTrainer, save_curves

QUERIES = ["you", "year", "car", "toyota"]
ANALOGIES = [("man", "king", "woman"), ("take", "took", "go"), ("car", "cars", "child"),
             ("good", "better", "bad")]


TOY_TEXT = "You say goodbye and I say hello."


def add_train_parsers(train_sub):
    for name in ("simple-cbow", "simple-skipgram"):
        p = train_sub.add_parser(name, help=f"chapter 3's {name} (full softmax) on the "
                                 f"book's toy sentence; prints the learned vectors")
        p.add_argument("--text", default=TOY_TEXT, help="the sentence to learn from")
        p.add_argument("--epochs", type=positive_int, default=1000, help="epochs to train")
        p.add_argument("--hidden", type=positive_int, default=5, help="vector size")
        p.add_argument("--window", type=positive_int, default=1,
                       help="context words on each side")
        p.add_argument("--batch-size", type=positive_int, default=3, help="targets per batch")
        p.add_argument("--lr", type=positive_float, default=0.001, help="Adam learning rate")
        p.add_argument("--seed", type=non_negative_int, default=1, help="random seed")
        p.set_defaults(run=train_simple, model_name=name)
    for name in ("cbow", "skipgram"):
        p = train_sub.add_parser(name, help=f"word2vec {name} with negative sampling on PTB",
                                 epilog=RESUME_RULE)
        add_common_training_options(p, 10, os.path.join("runs", name), distributed=True)
        p.add_argument("--window", type=positive_int, default=5,
                       help="context words on each side")
        p.add_argument("--hidden", type=positive_int, default=100, help="vector size")
        if name == "cbow":
            add_recipe_options(p)
        else:
            p.add_argument("--batch-size", type=positive_int, default=100,
                           help="targets per batch")
            p.add_argument("--lr", type=positive_float, default=0.001,
                           help="Adam learning rate")
        p.add_argument("--sample-size", type=positive_int, default=5,
                       help="negatives per positive")
        p.add_argument("--vectors", default=None,
                       help="where to write the vectors (default: OUT/vectors.npz; an "
                            "--out X.npz names the vectors file itself and puts the run's "
                            "other files in the folder X)")
        add_early_stop_options(p, "validation loss (PTB's valid split, measured after "
                                  "each epoch only with this option)", test=False)
        p.set_defaults(run=train_word2vec, model_name=name)
        mark_defaults(p)
    p = train_sub.add_parser("count-svd", help="PPMI + SVD word vectors of PTB (chapter 2)")
    p.add_argument("--data-dir", default=None,
                   help="dataset directory (default: $AUTOGRAD_NLP_DATA)")
    p.add_argument("--window", type=positive_int, default=2,
                   help="context words on each side")
    p.add_argument("--hidden", type=positive_int, default=100, help="vector size")
    p.add_argument("--out", default=os.path.join("runs", "count-svd"),
                   help="output folder, or the vectors file if it ends in .npz")
    add_overwrite_option(p, "an earlier run's vectors file")
    p.add_argument("--vectors", default=None,
                   help="where to write the vectors (default: OUT/vectors.npz)")
    p.add_argument("--seed", type=non_negative_int, default=0,
                   help="random seed of the randomized SVD")
    p.set_defaults(run=train_count_svd)


# ``train cbow --recipe``: the settings an option left unset takes.
RECIPES = {
    "fast": {"batch_size": 4000, "optimizer": "sgd", "lr": 60.0, "lr_decay": "linear",
             "subsample": 1e-3, "windows": "reduced", "context": "sum"},
    "book": {"batch_size": 100, "optimizer": "adam", "lr": 0.001, "lr_decay": "none",
             "subsample": 0.0, "windows": "full", "context": "mean"},
}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}


def add_recipe_options(p):
    """CBOW's training recipe: a preset, and the options it fills in."""
    fast, book = RECIPES["fast"], RECIPES["book"]

    def both(key):
        return f"default: {fast[key]}; with --recipe book: {book[key]}"
    p.add_argument("--recipe", choices=sorted(RECIPES), default="fast",
                   help="fast: word2vec's own recipe in large batches (SGD with the lr "
                        "decaying linearly to 0, sub-sampling of frequent words, reduced "
                        "windows, the sum of the context vectors), a whole epoch's "
                        "contexts and negatives drawn at once; book: the book's batch 100 "
                        "and constant Adam lr 0.001 on the mean of every full window. "
                        "The options below override either")
    p.add_argument("--batch-size", type=positive_int, default=None,
                   help=f"targets per batch ({both('batch_size')})")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=None,
                   help=f"sgd or adam ({both('optimizer')})")
    p.add_argument("--lr", type=positive_float, default=None,
                   help=f"learning rate (of the first step under a decay) on the batch's "
                        f"mean loss, so with SGD lr / batch-size is the step per target: "
                        f"25 / 1000 would be word2vec's alpha 0.025 ({both('lr')})")
    p.add_argument("--lr-decay", choices=("linear", "none"), default=None,
                   help=f"linear: lr falls to 0 over the run, as in word2vec "
                        f"({both('lr_decay')})")
    p.add_argument("--subsample", type=non_negative_float, default=None, metavar="T",
                   help=f"drop each occurrence of a word of frequency f with probability "
                        f"1 - (sqrt(f/T) + 1) T/f, anew each epoch; 0 keeps every word "
                        f"({both('subsample')})")
    p.add_argument("--windows", choices=("reduced", "full"), default=None,
                   help=f"reduced: each target uses only its contexts within a window "
                        f"of b words, b drawn from 1..--window (word2vec); full: all "
                        f"2 x --window contexts ({both('windows')})")
    p.add_argument("--context", choices=("mean", "sum"), default=None,
                   help=f"the hidden vector: the mean of the context vectors (the book) "
                        f"or their sum (word2vec's cbow_mean=0) ({both('context')})")


def apply_recipe(args):
    """Fill the CBOW options left unset from ``--recipe``; returns them."""
    filled = {}
    for key, value in RECIPES[args.recipe].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
            filled[key] = value
    return filled


def add_parsers(sub):
    p = sub.add_parser("similar", help="nearest neighbours of words")
    p.add_argument("word", nargs="+", help="one or more query words")
    p.add_argument("--vectors", required=True,
                   help="vectors.npz written by train cbow, skipgram or count-svd")
    p.add_argument("--top", type=positive_int, default=5, help="neighbours to show per word")
    p.set_defaults(run=similar)
    p = sub.add_parser("analogy", help='"A is to B as C is to ?" (B - A + C)')
    p.add_argument("a", help="A, e.g. man")
    p.add_argument("b", help="B, e.g. king")
    p.add_argument("c", help="C, e.g. woman")
    p.add_argument("--vectors", required=True,
                   help="vectors.npz written by train cbow, skipgram or count-svd")
    p.add_argument("--top", type=positive_int, default=5, help="answers to show")
    p.set_defaults(run=analogy)


def show_neighbours(vectors, words=QUERIES, analogies=ANALOGIES, top=5):
    for word in words:
        if word in vectors:
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(word, top))
            print(f"  {word:8} -> {found}")
    for a, b, c in analogies:
        if all(w in vectors for w in (a, b, c)):
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.analogy(a, b, c, top=3))
            print(f"  {a}:{b} = {c}:? -> {found}")


def _out_and_vectors(args):
    """--out may be a folder (vectors in OUT/vectors.npz) or the vectors file."""
    if args.out.endswith(".npz"):
        out = prepare_out(os.path.dirname(os.path.abspath(args.out)), lock=False)
        path = args.vectors or args.out
        return out, claim_output_file(path, args, "--vectors" if args.vectors else "--out")
    out = prepare_out(args.out, args, writes=() if args.vectors else ("vectors.npz",))
    if args.vectors:
        claim_output_file(args.vectors, args, "--vectors")
    return out, args.vectors or os.path.join(out, "vectors.npz")


def train_simple(args):
    """Chapter 3: full-softmax CBOW / skip-gram on a toy sentence."""
    import numpy as np

    from autograd_nlp.data import preprocess
    from models.word2vec import SimpleCBOW, SimpleSkipGram
    seed_everything(args.seed)
    corpus, word_to_id, id_to_word = preprocess(args.text)
    contexts, target = create_contexts_target(corpus, args.window)
    model_class = SimpleCBOW if args.model_name == "simple-cbow" else SimpleSkipGram
    model = model_class(len(word_to_id), args.hidden)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=args.lr),
                               args.batch_size, progress=False, log=lambda *a: None)
    history = trainer.fit((contexts, target), args.epochs)
    print(f"{args.model_name} on {args.text!r}: {len(word_to_id)} words, {len(target)} "
          f"targets, loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f} "
          f"after {args.epochs} epochs")
    print("learned word vectors (rows of the input weights):")
    with np.printoptions(precision=3, suppress=True):
        for i in range(len(word_to_id)):
            print(f"  {id_to_word[i]:8} {model.in_embed.W.data[i]}")
    return 0


def run_folder_and_vectors(args):
    """A word2vec run's folder (checkpoint, loss curve) and its vectors file.
    ``--out DIR``: both in DIR. ``--out X.npz``: the vectors in X.npz and the
    run's other files in the folder X (beside it), not among X's neighbours."""
    if args.out.endswith(".npz"):
        out = prepare_out(args.out[:-len(".npz")], args)
        path = args.vectors or args.out
        return out, claim_output_file(path, args, "--vectors" if args.vectors else "--out")
    out = prepare_out(args.out, args)
    if args.vectors:
        claim_output_file(args.vectors, args, "--vectors")
    return out, args.vectors or os.path.join(out, "vectors.npz")


def run_folder_on_root(args, comm):
    """``run_folder_and_vectors`` over MPI ranks (``--distributed``): rank 0
    claims the folder and the vectors file; its refusal ends every rank."""
    if comm is None:
        return run_folder_and_vectors(args)
    result = None
    if comm.is_root:
        try:
            result = ("ok",) + run_folder_and_vectors(args)
        except UserError as e:
            result = ("error", str(e))
    result = comm.bcast(result)
    if result[0] == "error":
        if comm.is_root:
            raise UserError(result[1])
        raise SystemExit(2)
    return result[1], result[2]


def train_word2vec(args):
    from models.word2vec import CBOW, SkipGram
    settings = resolve_settings(args)
    if args.model_name == "cbow":
        settings.update(apply_recipe(args))
    comm = distributed_comm(args)           # None without --distributed
    seed_everything(args.seed)
    out, path = run_folder_on_root(args, comm)
    corpus, word_to_id, id_to_word = load_ptb_announced("train", args.data_dir)
    kwargs = {"vocab_size": len(word_to_id), "hidden_size": args.hidden,
              "sample_size": args.sample_size}
    if args.model_name == "cbow":
        kwargs["context"] = args.context
    model = (CBOW if args.model_name == "cbow" else SkipGram)(corpus=corpus, **kwargs)
    model.to(args.device)
    checkpoint = os.path.join(out, "checkpoint.npz")
    vocab = [id_to_word[i] for i in range(len(id_to_word))]
    meta = {"kind": args.model_name, "model": args.model_name, "window": args.window,
            "model_kwargs": kwargs,
            "vocab_hash": vocab_hash(vocab), "data": ptb_identity(args.data_dir, corpus),
            "settings": settings}
    evaluate = validation_evaluator(args, model) if args.early_stop is not None else None
    optimizer = getattr(optim, OPTIMIZERS[getattr(args, "optimizer", "adam")])(
        model.params(), lr=args.lr)
    loop = dict(checkpoint_path=checkpoint, checkpoint_every=args.checkpoint_every,
                meta=meta, progress=not args.quiet, curve_every=200, unit="targets",
                checkpoint_seconds=60 * args.checkpoint_minutes, early_stop=args.early_stop,
                monitor="valid loss" if evaluate else None, higher_is_better=False,
                comm=comm)
    if args.model_name == "cbow":
        epochs = CbowEpochs(corpus, args.window, model.sampler, args.subsample,
                            reduced_windows=args.windows == "reduced", context=args.context)
        if epochs.examples_per_epoch < args.batch_size:
            raise UserError(f"train cbow: an epoch has about {epochs.examples_per_epoch:,} "
                            f"targets (after sub-sampling {args.subsample:g}), fewer than one "
                            f"batch of {args.batch_size}; use a smaller --batch-size or "
                            f"--subsample 0 (--recipe book)")
        trainer = ResampledMinibatchTrainer(model, optimizer, epochs,
                                            epochs.examples_per_epoch, args.batch_size,
                                            **loop)
        if args.lr_decay == "linear":
            LinearDecay(optimizer, args.lr, args.epochs * trainer.iterations_per_epoch())
        data, targets = (), epochs.examples_per_epoch
        recipe = (f" ({args.recipe} recipe: lr decay {args.lr_decay}, sub-sampling "
                  f"{args.subsample:g}, {args.windows} windows, {args.context} of the "
                  f"contexts)")
    else:
        contexts, target = create_contexts_target(corpus, args.window)
        trainer = MinibatchTrainer(model, optimizer, args.batch_size, **loop)
        data, targets, recipe = ((contexts, target),), len(target), ""
    if args.resume:
        trainer.resume(args.resume)
    if comm is not None:        # every rank starts from rank 0's model, optimizer and RNG
        from autograd_nlp import distributed
        distributed.synchronize(model, optimizer, comm)
    print(f"{args.model_name}: vocab {len(word_to_id):,}, hidden {args.hidden}, window "
          f"{args.window}, {targets:,} targets per epoch, batch {args.batch_size}, "
          f"{args.sample_size} negatives, {type(optimizer).__name__} lr "
          f"{trainer.optimizer.lr:g}, epochs "
          f"{args.epochs}{recipe}", flush=True)
    print(f"run folder: {out}", flush=True)
    start = time.perf_counter()
    history = trainer.fit(*data, args.epochs, evaluate=evaluate)
    print(f"trained in {time.perf_counter() - start:.0f} s (this session)")
    vectors = WordVectors.from_vocab(id_to_word, model.word_vectors)
    curve = None
    if comm is None or comm.is_root:        # rank 0 alone writes
        vectors.save(path)
        curve = save_curves(os.path.join(out, "loss.png"),
                            {args.model_name: (history["curve_iteration"],
                                               history["curve_loss"])},
                            "iteration", "loss", title=f"{args.model_name} on PTB")
    show_neighbours(vectors)
    print(f"vectors: {path}\nrun folder: {out} (checkpoint.npz"
          + (", loss.png)" if curve else ")"))
    return 0


VALIDATION_SEED = 0


def validation_evaluator(args, model):
    """The per-epoch evaluation early stopping watches: the loss on PTB's
    valid split (full windows, the book's contexts)."""
    valid = load_ptb_announced("valid", args.data_dir)[0]
    valid_contexts, valid_target = create_contexts_target(valid, args.window)

    def evaluate(trainer):
        return {"valid loss": validation_loss(model, valid_contexts, valid_target,
                                              args.batch_size)}
    return evaluate


def validation_loss(model, contexts, target, batch_size):
    """Mean negative-sampling loss over PTB's valid split, with no graph and
    the same negative samples every epoch (drawn from a fixed seed; the
    training's random stream is put back afterwards, so runs stay exact)."""
    from autograd_nlp.core import no_grad
    state = ag_random.get_state()
    ag_random.seed(VALIDATION_SEED)
    total, count = 0.0, 0
    try:
        with no_grad():
            for i in range(0, len(target), batch_size):
                x, t = contexts[i:i + batch_size], target[i:i + batch_size]
                total += float(model(x, t).data) * len(t)
                count += len(t)
    finally:
        ag_random.set_state(state)
    return total / max(count, 1)


def train_count_svd(args):
    _, path = _out_and_vectors(args)
    corpus, word_to_id, id_to_word = load_ptb_announced("train", args.data_dir)
    start = time.perf_counter()
    matrix = count_svd_vectors(corpus, len(word_to_id), window_size=args.window,
                               dim=args.hidden, seed=args.seed)
    print(f"co-occurrence (window {args.window}) -> PPMI -> SVD ({args.hidden} dims) in "
          f"{time.perf_counter() - start:.1f} s")
    vectors = WordVectors.from_vocab(id_to_word, matrix)
    vectors.save(path)
    show_neighbours(vectors)
    print(f"vectors: {path}")
    return 0


def unknown_words_message(vectors, words):
    """"not in the vocabulary (10,000 words): 'foo', 'bar'"."""
    return (f"not in the vocabulary ({len(vectors):,} words): "
            + ", ".join(repr(w) for w in words))


def similar(args):
    """Answer every known word; name all unknown ones (exit 2 only when no
    word could be answered)."""
    vectors = load_word_vectors(args.vectors)
    unknown = [w for w in dict.fromkeys(args.word) if w not in vectors]
    for word in args.word:
        if word in vectors:
            print(f"[query] {word}")
            for w, s in vectors.most_similar(word, args.top):
                print(f"  {w}: {s:.4f}")
    if unknown and len(unknown) == len(set(args.word)):
        raise UserError(f"similar: {unknown_words_message(vectors, unknown)}")
    if unknown:
        print(f"autograd-nlp: similar: {unknown_words_message(vectors, unknown)}",
              file=sys.stderr)
    return 0


def analogy(args):
    vectors = load_word_vectors(args.vectors)
    unknown = [w for w in dict.fromkeys((args.a, args.b, args.c)) if w not in vectors]
    if unknown:
        raise UserError(f"analogy: {unknown_words_message(vectors, unknown)}")
    found = vectors.analogy(args.a, args.b, args.c, top=args.top)
    print(f"[analogy] {args.a}:{args.b} = {args.c}:?")
    for w, s in found:
        print(f"  {w}: {s:.4f}")
    return 0

"""``autograd-nlp train cbow|skipgram|count-svd``, ``similar``, ``analogy``."""
import os
import time

from autograd_nlp import optim
from autograd_nlp.commands.common import (add_common_training_options, prepare_out,
                                          seed_everything)
from autograd_nlp.data import create_contexts_target, load_ptb
from autograd_nlp.text import WordVectors, count_svd_vectors
from autograd_nlp.training import MinibatchTrainer, save_curves

QUERIES = ["you", "year", "car", "toyota"]
ANALOGIES = [("man", "king", "woman"), ("take", "took", "go"), ("car", "cars", "child"),
             ("good", "better", "bad")]


TOY_TEXT = "You say goodbye and I say hello."


def add_train_parsers(train_sub):
    for name in ("simple-cbow", "simple-skipgram"):
        p = train_sub.add_parser(name, help=f"chapter 3's {name} (full softmax) on the "
                                 f"book's toy sentence; prints the learned vectors")
        p.add_argument("--text", default=TOY_TEXT)
        p.add_argument("--epochs", type=int, default=1000)
        p.add_argument("--hidden", type=int, default=5)
        p.add_argument("--window", type=int, default=1)
        p.add_argument("--batch-size", type=int, default=3)
        p.add_argument("--lr", type=float, default=0.001, help="Adam learning rate")
        p.add_argument("--seed", type=int, default=1)
        p.set_defaults(run=train_simple, model_name=name)
    for name in ("cbow", "skipgram"):
        p = train_sub.add_parser(name, help=f"word2vec {name} with negative sampling on PTB")
        add_common_training_options(p, 10, os.path.join("runs", name))
        p.add_argument("--window", type=int, default=5)
        p.add_argument("--hidden", type=int, default=100)
        p.add_argument("--batch-size", type=int, default=100)
        p.add_argument("--sample-size", type=int, default=5, help="negatives per positive")
        p.add_argument("--lr", type=float, default=0.001, help="Adam learning rate")
        p.add_argument("--vectors", default=None,
                       help="where to write the vectors (default: OUT/vectors.npz; an "
                            "--out ending in .npz names the vectors file itself)")
        p.set_defaults(run=train_word2vec, model_name=name)
    p = train_sub.add_parser("count-svd", help="PPMI + SVD word vectors of PTB (chapter 2)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--window", type=int, default=2)
    p.add_argument("--hidden", type=int, default=100, help="vector size")
    p.add_argument("--out", default=os.path.join("runs", "count-svd"),
                   help="output folder, or the vectors file if it ends in .npz")
    p.add_argument("--vectors", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=train_count_svd)


def add_parsers(sub):
    p = sub.add_parser("similar", help="nearest neighbours of a word")
    p.add_argument("word", nargs="+")
    p.add_argument("--vectors", required=True)
    p.add_argument("--top", type=int, default=5)
    p.set_defaults(run=similar)
    p = sub.add_parser("analogy", help='"A is to B as C is to ?" (B - A + C)')
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("c")
    p.add_argument("--vectors", required=True)
    p.add_argument("--top", type=int, default=5)
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
        return prepare_out(os.path.dirname(os.path.abspath(args.out))), args.out
    out = prepare_out(args.out)
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


def train_word2vec(args):
    from models.word2vec import CBOW, SkipGram
    seed_everything(args.seed)
    out, path = _out_and_vectors(args)
    corpus, word_to_id, id_to_word = load_ptb("train", args.data_dir)
    contexts, target = create_contexts_target(corpus, args.window)
    model_class = CBOW if args.model_name == "cbow" else SkipGram
    model = model_class(len(word_to_id), args.hidden, corpus, sample_size=args.sample_size)
    model.to(args.device)
    checkpoint = os.path.join(out, "checkpoint.npz")
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=args.lr), args.batch_size,
                               checkpoint_path=checkpoint,
                               checkpoint_every=args.checkpoint_every,
                               meta={"model": args.model_name, "window": args.window},
                               progress=not args.quiet, curve_every=200)
    print(f"{args.model_name}: vocab {len(word_to_id):,}, hidden {args.hidden}, window "
          f"{args.window}, {len(target):,} targets, batch {args.batch_size}, "
          f"{args.sample_size} negatives, Adam lr {args.lr}")
    if args.resume:
        trainer.resume(args.resume)
    start = time.perf_counter()
    history = trainer.fit((contexts, target), args.epochs)
    print(f"trained in {time.perf_counter() - start:.0f} s (this session)")
    vectors = WordVectors.from_vocab(id_to_word, model.word_vectors)
    vectors.save(path)
    curve = save_curves(os.path.join(out, "loss.png"),
                        {args.model_name: (history["curve_iteration"], history["curve_loss"])},
                        "iteration", "loss", title=f"{args.model_name} on PTB")
    show_neighbours(vectors)
    print(f"vectors: {path}" + (f"\nloss curve: {curve}" if curve else ""))
    return 0


def train_count_svd(args):
    _, path = _out_and_vectors(args)
    corpus, word_to_id, id_to_word = load_ptb("train", args.data_dir)
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


def _load(path):
    return WordVectors.load(path)


def similar(args):
    vectors = _load(args.vectors)
    for word in args.word:
        try:
            found = vectors.most_similar(word, args.top)
        except KeyError as e:
            raise SystemExit(str(e).strip('"')) from None
        print(f"[query] {word}")
        for w, s in found:
            print(f"  {w}: {s:.4f}")
    return 0


def analogy(args):
    vectors = _load(args.vectors)
    try:
        found = vectors.analogy(args.a, args.b, args.c, top=args.top)
    except KeyError as e:
        raise SystemExit(str(e).strip('"')) from None
    print(f"[analogy] {args.a}:{args.b} = {args.c}:?")
    for w, s in found:
        print(f"  {w}: {s:.4f}")
    return 0

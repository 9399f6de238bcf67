"""``autograd-nlp train simple-cbow|simple-skipgram|cbow|skipgram|count-svd``
(the recipes in ``autograd_nlp/recipes/word_vectors.py``), ``similar`` and
``analogy`` (queries to a vectors file)."""
import sys

from autograd_nlp.commands.common import add_config_options, positive_int, train_command
from autograd_nlp.errors import UserError
from autograd_nlp.loading.word_vectors import load_word_vectors
from autograd_nlp.recipes import word_vectors as recipe
from autograd_nlp.recipes.settings import RESUME_RULE
from autograd_nlp.text.neighbours import unknown_words, unknown_words_message

TRAIN_HELP = {
    "simple-cbow": "chapter 3's simple-cbow (full softmax) on the book's toy sentence; "
                   "prints the learned vectors",
    "simple-skipgram": "chapter 3's simple-skipgram (full softmax) on the book's toy "
                       "sentence; prints the learned vectors",
    "cbow": "word2vec cbow with negative sampling on PTB",
    "skipgram": "word2vec skipgram with negative sampling on PTB",
    "count-svd": "PPMI + SVD word vectors of PTB (chapter 2)",
}
VECTORS_HELP = "vectors.npz written by train cbow, skipgram or count-svd"


def add_train_parsers(train_sub):
    for name, config_class in recipe.CONFIGS.items():
        resumable = issubclass(config_class, recipe.Word2vecConfig)
        p = train_sub.add_parser(name, help=TRAIN_HELP[name],
                                 epilog=RESUME_RULE if resumable else None)
        add_config_options(p, config_class)
        p.set_defaults(run=train_command(config_class, recipe.run))


def add_parsers(sub):
    p = sub.add_parser("similar", help="nearest neighbours of words")
    p.add_argument("word", nargs="+", help="one or more query words")
    p.add_argument("--vectors", required=True, help=VECTORS_HELP)
    p.add_argument("--top", type=positive_int, default=5, help="neighbours to show per word")
    p.set_defaults(run=similar)
    p = sub.add_parser("analogy", help='"A is to B as C is to ?" (B - A + C)')
    p.add_argument("a", help="A, e.g. man")
    p.add_argument("b", help="B, e.g. king")
    p.add_argument("c", help="C, e.g. woman")
    p.add_argument("--vectors", required=True, help=VECTORS_HELP)
    p.add_argument("--top", type=positive_int, default=5, help="answers to show")
    p.set_defaults(run=analogy)


def similar(args):
    """Answer every known word; name all unknown ones (exit 2 only when no
    word could be answered)."""
    vectors = load_word_vectors(args.vectors)
    unknown = unknown_words(vectors, args.word)
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
    unknown = unknown_words(vectors, (args.a, args.b, args.c))
    if unknown:
        raise UserError(f"analogy: {unknown_words_message(vectors, unknown)}")
    print(f"[analogy] {args.a}:{args.b} = {args.c}:?")
    for w, s in vectors.analogy(args.a, args.b, args.c, top=args.top):
        print(f"  {w}: {s:.4f}")
    return 0

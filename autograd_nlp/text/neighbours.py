"""What a word-vector run shows when it ends, and how an unknown word is
named: the nearest neighbours of a few PTB words and the answers to a few
analogies (``train cbow|skipgram|count-svd``), the message of ``similar`` and
``analogy`` for words not in the vocabulary."""

# PTB words whose neighbours show at a glance whether the vectors learned
# anything (the book's queries), and analogies with all four words in PTB
QUERIES = ["you", "year", "car", "toyota"]
ANALOGIES = [("man", "king", "woman"), ("take", "took", "go"), ("car", "cars", "child"),
             ("good", "better", "bad")]


def show_neighbours(vectors, words=QUERIES, analogies=ANALOGIES, top=5):
    """Print the ``top`` neighbours of each of ``words`` and the 3 best
    answers to each of ``analogies`` (``(a, b, c)``: a is to b as c is to ?),
    skipping those with a word not in ``vectors`` (a ``WordVectors``)."""
    for word in words:
        if word in vectors:
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(word, top))
            print(f"  {word:8} -> {found}")
    for a, b, c in analogies:
        if all(w in vectors for w in (a, b, c)):
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.analogy(a, b, c, top=3))
            print(f"  {a}:{b} = {c}:? -> {found}")


def unknown_words(vectors, words):
    """The distinct words of ``words`` (in their order) not in ``vectors``."""
    return [w for w in dict.fromkeys(words) if w not in vectors]


def unknown_words_message(vectors, words):
    """"not in the vocabulary (10,000 words): 'foo', 'bar'"."""
    return (f"not in the vocabulary ({len(vectors):,} words): "
            + ", ".join(repr(w) for w in words))

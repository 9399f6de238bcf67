"""Word vectors from a vectors.npz file (train cbow|skipgram|count-svd, or
bert's) or from a word2vec checkpoint (cbow, skipgram), as ``WordVectors``
with ``.model`` and ``.meta``."""
import os

from autograd_nlp.text.word_vectors import WordVectors


class LoadedWordVectors(WordVectors):
    """``WordVectors`` with where they came from: ``model``, the word2vec
    Module (None for a vectors file), and ``meta``, the checkpoint's meta
    ({"kind": "word-vectors"} for a vectors file)."""

    def __init__(self, words, vectors, model=None, meta=None):
        super().__init__(words, vectors)
        self.model = model
        self.meta = dict(meta or {})


def load_word_vectors(path):
    """The vectors.npz at ``path`` (``WordVectors.load``: a missing, corrupt
    or other file is a BadFileError saying what to pass)."""
    vectors = WordVectors.load(path)
    return LoadedWordVectors(vectors.words, vectors.vectors, None, {"kind": "word-vectors"})


def word_vectors_from_checkpoint(checkpoint, path, device="cpu"):
    """A word2vec checkpoint's vectors (its input embedding, as the run's
    vectors.npz), with its model. The checkpoint does not hold its words:
    they are read from the vectors.npz its run wrote beside it, which must
    have the vocabulary the checkpoint was trained on (meta "vocab_hash")."""
    from autograd_nlp.recipes.settings import vocab_hash
    from autograd_nlp.errors import CheckpointError
    from autograd_nlp.loading.rebuild import rebuild_model
    model = rebuild_model(checkpoint, path, None, device, "load")
    meta = {**checkpoint["meta"], "kind": checkpoint["kind"]}
    beside = os.path.join(os.path.dirname(os.path.abspath(path)), "vectors.npz")
    words = None
    if os.path.isfile(beside):
        words = WordVectors.load(beside).words
        wanted = meta.get("vocab_hash")
        if len(words) != len(model.word_vectors) or (wanted and vocab_hash(words) != wanted):
            words = None
    if words is None:
        raise CheckpointError(f"{path}: a {meta['kind']} checkpoint holds its vectors but not "
                              f"its words, and no vectors.npz of its vocabulary lies beside "
                              f"it; load the vectors.npz its run wrote (train "
                              f"--vectors/--out)")
    return LoadedWordVectors(words, model.word_vectors, model, meta)

"""The PTB split a language-model checkpoint is evaluated on: found where
the run read its data (the folder its meta recorded) unless told otherwise,
and checked against the checkpoint's vocabulary, so a perplexity is never
measured on ids that mean other words."""
import os

from autograd_nlp.errors import CheckpointError


def eval_data_dir(data_dir, meta):
    """``data_dir`` if given, else the folder the checkpoint was trained from
    (meta "data_dir") while it still exists (said on stdout), else None (the
    usual rule: $AUTOGRAD_NLP_DATA, then the download cache)."""
    if data_dir is not None:
        return data_dir
    trained_on = meta.get("data_dir")
    if trained_on and os.path.isdir(trained_on):
        print(f"data: {trained_on} (the folder this checkpoint was trained from)")
        return trained_on
    if trained_on:
        print(f"data: this checkpoint was trained from {trained_on}, which no longer "
              f"exists; using --data-dir / $AUTOGRAD_NLP_DATA / the download cache")
    return None


def check_vocabulary(meta, word_to_id, corpus, split):
    """The evaluation data must use the checkpoint's vocabulary (meta
    "vocab", words in id order): the same words with the same ids, a prefix
    of ``word_to_id`` when it was trained with --corpus-size, and ``corpus``
    (the ``split``'s ids) within it. Otherwise a CheckpointError."""
    vocab = meta["vocab"]
    mismatch = next((i for i, w in enumerate(vocab) if word_to_id.get(w) != i), None)
    if mismatch is not None or len(vocab) > len(word_to_id):
        raise CheckpointError(
            f"eval: the checkpoint's vocabulary ({len(vocab):,} words) is not this "
            f"data's ({len(word_to_id):,} words in ptb.train.txt); pass --data-dir with "
            f"the PTB folder it was trained on")
    if len(corpus) and int(corpus.max()) >= len(vocab):
        raise CheckpointError(
            f"eval: the {split} split uses words beyond the checkpoint's {len(vocab):,}-word "
            f"vocabulary (it was trained on the first tokens only, --corpus-size); "
            f"it cannot be evaluated on this split")

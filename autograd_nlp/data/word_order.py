"""Word-level sentence tasks on PTB for fine-tuning BERT: is this sentence
in its original word order (label 1), or was it corrupted (label 0)? Two
corruptions: ``word-swap`` exchanges two of its words, ``shuffle`` puts all
its words in a random order (easier: most word pairs are out of place).

Why this task: PTB's vocabulary is words, so a task over PTB words is one
where masked-LM pre-training on PTB can plausibly transfer (the encoder has
learned which word fits where); the book's addition and date tasks are
characters. Every sentence appears twice, in its order and corrupted, so
the labels are exactly balanced (chance 50 %) and no word, length or
sentence gives the answer away: only the order does. (With one version per
sentence, a model can fit the training labels by remembering which
sentences were corrupted, and the first runs did exactly that.) Plain NumPy.
"""
import numpy as np

from autograd_nlp.data.bert_pretraining import encode_pair, pad_rows, split_sentences


def swap_two_words(sentence, rng):
    """A copy of ``sentence`` (n,) ids with two positions that hold different
    words exchanged (positions drawn at random)."""
    out = np.array(sentence)
    while True:
        i, j = rng.choice(len(out), size=2, replace=False)
        if out[i] != out[j]:
            out[i], out[j] = out[j], out[i]
            return out


def shuffle_words(sentence, rng):
    """A copy of ``sentence`` (n,) ids in a random order that differs from
    the original (the sentence needs two different words)."""
    while True:
        out = rng.permutation(sentence)
        if not np.array_equal(out, sentence):
            return out


CORRUPTIONS = {"word-swap": swap_two_words, "shuffle": shuffle_words}


def make_word_order_examples(corpus, eos_id, vocab, max_length=64, seed=0, task="word-swap"):
    """One PTB split's ids (n,) -> (tokens (2m, max_length) ``[CLS] s [SEP]``
    padded with [PAD], labels (2m,)): each of the m sentences with at least
    two different words among its first ``max_length - 2``, once as it is
    (label 1) and once corrupted by ``task`` (a key of CORRUPTIONS, label 0),
    the rows in a random order."""
    if task not in CORRUPTIONS:
        raise ValueError(f"make_word_order_examples: task must be one of "
                         f"{sorted(CORRUPTIONS)}, got {task!r}")
    corrupt = CORRUPTIONS[task]
    rng = np.random.default_rng(seed)
    sentences = [s[:max_length - 2] for s in split_sentences(corpus, eos_id)]
    sentences = [s for s in sentences if len(np.unique(s)) >= 2]
    if not sentences:
        raise ValueError("make_word_order_examples: no sentence has two different words")
    rows = [encode_pair(version, None, vocab, max_length)[0]
            for s in sentences for version in (s, corrupt(s, rng))]
    labels = np.tile([1, 0], len(sentences))
    order = rng.permutation(len(rows))
    return pad_rows([rows[i] for i in order], max_length, vocab.pad_id), labels[order]

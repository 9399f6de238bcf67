"""Word-level sentence tasks on PTB for fine-tuning BERT: is this sentence
in its original word order (label 1), or was it corrupted (label 0)? Two
corruptions: ``word-swap`` exchanges two of its words, ``shuffle`` puts all
its words in a random order (easier: most word pairs are out of place).

Why this task: PTB's vocabulary is words, so a task over PTB words is one
where masked-LM pre-training on PTB can plausibly transfer (the encoder has
learned which word fits where); the book's addition and date tasks are
characters. The labels are exactly balanced, so chance is 50 %, and the
two classes use the same sentences' words, so no word or length gives the
answer away: only the order does. Plain NumPy.
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
    """One PTB split's ids (n,) -> (tokens (m, max_length) ``[CLS] s [SEP]``
    padded with [PAD], labels (m,) 1 = original order, 0 = corrupted by
    ``task`` (a key of CORRUPTIONS)), one example per sentence with at least
    two different words among its first ``max_length - 2``; exactly half
    (rounded down) corrupted."""
    if task not in CORRUPTIONS:
        raise ValueError(f"make_word_order_examples: task must be one of "
                         f"{sorted(CORRUPTIONS)}, got {task!r}")
    corrupt = CORRUPTIONS[task]
    rng = np.random.default_rng(seed)
    sentences = [s[:max_length - 2] for s in split_sentences(corpus, eos_id)]
    sentences = [s for s in sentences if len(np.unique(s)) >= 2]
    if len(sentences) < 2:
        raise ValueError(f"make_word_order_examples: need at least 2 sentences with two "
                         f"different words, got {len(sentences)}")
    labels = (rng.permutation(len(sentences)) >= len(sentences) // 2).astype(np.int64)
    rows = [encode_pair(s if label else corrupt(s, rng), None, vocab, max_length)[0]
            for s, label in zip(sentences, labels)]
    return pad_rows(rows, max_length, vocab.pad_id), labels

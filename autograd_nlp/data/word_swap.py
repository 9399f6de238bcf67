"""A word-level sentence task on PTB for fine-tuning BERT: is this sentence
in its original word order (label 1), or were two of its words swapped
(label 0)?

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


def make_word_swap_examples(corpus, eos_id, vocab, max_length=64, seed=0):
    """One PTB split's ids (n,) -> (tokens (m, max_length) ``[CLS] s [SEP]``
    padded with [PAD], labels (m,) 1 = original order, 0 = two words
    swapped), one example per sentence with at least two different words
    among its first ``max_length - 2``; exactly half (rounded down) swapped."""
    rng = np.random.default_rng(seed)
    sentences = [s[:max_length - 2] for s in split_sentences(corpus, eos_id)]
    sentences = [s for s in sentences if len(np.unique(s)) >= 2]
    if len(sentences) < 2:
        raise ValueError(f"make_word_swap_examples: need at least 2 sentences with two "
                         f"different words, got {len(sentences)}")
    labels = (rng.permutation(len(sentences)) >= len(sentences) // 2).astype(np.int64)
    rows = [encode_pair(s if label else swap_two_words(s, rng), None, vocab, max_length)[0]
            for s, label in zip(sentences, labels)]
    return pad_rows(rows, max_length, vocab.pad_id), labels

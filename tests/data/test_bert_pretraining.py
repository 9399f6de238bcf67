"""BERT's pre-training examples: 15 % of words chosen with 80/10/10
mask/random/keep, exactly half true next sentences, padding, truncation,
determinism; and the word-swap fine-tuning task."""
import numpy as np
import pytest

from autograd_nlp.data.bert_pretraining import (IGNORE, BertVocabulary, choose_pairs,
                                                encode_pair, make_pretraining_examples,
                                                mask_tokens, most_frequent_target_accuracy,
                                                split_sentences, trim_padding)
from autograd_nlp.data.word_order import make_word_order_examples, shuffle_words, swap_two_words

WORDS = [f"w{i}" for i in range(50)] + ["<eos>"]
EOS = 50


def corpus(sentences=400, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([np.r_[rng.integers(0, 50, rng.integers(3, 20)), EOS]
                           for _ in range(sentences)])


@pytest.fixture
def vocab():
    return BertVocabulary(WORDS)


def test_vocabulary_appends_the_special_tokens(vocab):
    assert len(vocab) == 55 and vocab.num_words == 51
    assert [vocab.words[i] for i in (vocab.pad_id, vocab.cls_id, vocab.sep_id, vocab.mask_id)] \
        == ["[PAD]", "[CLS]", "[SEP]", "[MASK]"]
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        BertVocabulary(["a", "[CLS]"])


def test_sentences_split_at_eos():
    assert [s.tolist() for s in split_sentences([1, 2, 9, 9, 3, 9, 4], 9)] == [[1, 2], [3], [4]]


def test_exactly_half_the_pairs_are_true_next_sentences():
    first, second, is_next = choose_pairs(1001, np.random.default_rng(0))
    assert is_next.sum() == 500 and len(is_next) == 1000
    assert np.all(second[is_next == 1] == first[is_next == 1] + 1)
    random_seconds = second[is_next == 0]
    assert np.all((random_seconds != first[is_next == 0])
                  & (random_seconds != first[is_next == 0] + 1))
    assert random_seconds.min() >= 0 and random_seconds.max() <= 1000
    assert len(np.unique(random_seconds)) > 300             # spread over the corpus


def test_masking_proportions(vocab):
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 51, (2000, 40))
    tokens[:, 0], tokens[:, -1] = vocab.cls_id, vocab.sep_id
    tokens[:, 30:39] = vocab.pad_id
    inputs, targets = mask_tokens(tokens, vocab, rng)
    chosen = targets != IGNORE
    words = tokens < vocab.num_words
    assert not (chosen & ~words).any()                       # specials never chosen
    np.testing.assert_array_equal(targets[chosen], tokens[chosen])
    assert chosen.sum(axis=1).tolist() == [4] * 2000          # round(0.15 * 29)
    masked = (inputs == vocab.mask_id) & chosen
    kept = (inputs == tokens) & chosen
    replaced = chosen & ~masked & ~kept
    n = chosen.sum()
    assert abs(masked.sum() / n - 0.8) < 0.02
    assert abs((kept.sum() + replaced.sum()) / n - 0.2) < 0.02
    # a random replacement may draw the same word (p = 1/51): kept is 10 % + a little
    assert abs(replaced.sum() / n - 0.1 * 50 / 51) < 0.01
    assert (inputs[replaced] < vocab.num_words).all()
    np.testing.assert_array_equal(inputs[~chosen], tokens[~chosen])


def test_pair_layout_and_truncation(vocab):
    ids, segments = encode_pair([1, 2, 3], [4, 5], vocab, 10)
    assert ids.tolist() == [vocab.cls_id, 1, 2, 3, vocab.sep_id, 4, 5, vocab.sep_id]
    assert segments.tolist() == [0, 0, 0, 0, 0, 1, 1, 1]
    ids, segments = encode_pair(list(range(10)), [20, 21], vocab, 8)   # the longer loses words
    assert ids.tolist() == [vocab.cls_id, 0, 1, 2, vocab.sep_id, 20, 21, vocab.sep_id]
    assert encode_pair([7] * 9, None, vocab, 6)[0].tolist() == [vocab.cls_id] + [7] * 4 + [
        vocab.sep_id]


def test_examples_are_padded_deterministic_and_balanced(vocab):
    data = corpus()
    a = make_pretraining_examples(data, EOS, vocab, max_length=24, seed=3)
    b = make_pretraining_examples(data, EOS, vocab, max_length=24, seed=3)
    c = make_pretraining_examples(data, EOS, vocab, max_length=24, seed=4)
    for x, y in zip(a.arrays(), b.arrays()):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.tokens, c.tokens)
    assert a.tokens.shape == (399, 24) and a.is_next.sum() == 199
    pad = a.padding_mask
    lengths = (~pad).sum(axis=1)
    assert np.all(pad == (np.arange(24) >= lengths[:, None]))        # padding only at the end
    assert (a.segments[pad] == 0).all() and (a.targets[pad] == IGNORE).all()
    assert lengths.min() < 24 and lengths.max() == 24
    assert ((a.targets != IGNORE).sum(axis=1) >= 1).all()


def test_trim_padding_and_the_mlm_chance_level(vocab):
    tokens = np.array([[5, 6, vocab.pad_id, vocab.pad_id], [5, vocab.pad_id] * 2])
    short, other = trim_padding(tokens, vocab.pad_id, tokens * 0)
    assert short.shape == other.shape == (2, 2)
    assert most_frequent_target_accuracy(np.array([[3, -1, 3], [4, 3, -1]])) == 0.75


def test_word_order_examples_hold_every_sentence_in_order_and_corrupted(vocab):
    data = corpus(200, seed=1)
    originals = {tuple(np.r_[vocab.cls_id, s[:14], vocab.sep_id])
                 for s in split_sentences(data, EOS)}
    for task in ("word-swap", "shuffle"):
        tokens, labels = make_word_order_examples(data, EOS, vocab, 16, seed=0, task=task)
        assert len(labels) == 400 and labels.sum() == 200 and 0 < labels[:20].sum() < 20
        rows = [tuple(row[row != vocab.pad_id]) for row in tokens]
        assert {r for r, label in zip(rows, labels) if label} == originals
        corrupted = [r for r, label in zip(rows, labels) if not label]
        assert not set(corrupted) & originals
        assert sorted(sorted(r) for r in corrupted) == sorted(sorted(r) for r in originals)
        if task == "word-swap":
            by_words = {tuple(sorted(r)): r for r in originals}
            assert all(sum(a != b for a, b in zip(r, by_words[tuple(sorted(r))])) == 2
                       for r in corrupted)
        again = make_word_order_examples(data, EOS, vocab, 16, seed=0, task=task)
        np.testing.assert_array_equal(again[0], tokens)
    with pytest.raises(ValueError, match="shuffle"):
        make_word_order_examples(data, EOS, vocab, task="reverse")


@pytest.mark.parametrize("corrupt", [swap_two_words, shuffle_words])
def test_corruptions_keep_the_words_and_change_the_order(corrupt):
    rng = np.random.default_rng(0)
    for _ in range(50):
        s = np.array([1, 1, 1, 2])
        changed = corrupt(s, rng)
        assert sorted(changed) == [1, 1, 1, 2] and not np.array_equal(changed, s)

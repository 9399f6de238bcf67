"""Tests for autograd_nlp/data/summary.py: the data summary line and the
non-standard-PTB warning."""
from pathlib import Path

import numpy as np
import pytest

from autograd_nlp.data import check_standard_ptb, describe_corpus, load_ptb, ptb_source
from autograd_nlp.data.summary import check_summary


def test_describe_corpus_counts_tokens_and_vocabulary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    summary = describe_corpus(np.array([3, 1, 3, 0]), {"a": 0, "b": 1, "c": 2, "d": 3},
                              "ptb.train.txt")
    assert (summary.tokens, summary.vocab_size) == (4, 4)
    assert summary.source == tmp_path / "ptb.train.txt"          # made absolute
    assert str(summary) == f"data: 4 tokens, vocabulary 4 words, from {tmp_path / 'ptb.train.txt'}"


def test_thousands_are_grouped():
    text = str(describe_corpus(np.zeros(929_589, dtype=np.int64),
                               {str(i): i for i in range(10_000)}, "/d/ptb.train.txt"))
    assert "929,589 tokens" in text and "vocabulary 10,000 words" in text


@pytest.mark.parametrize("split, tokens", [("train", 929_589), ("valid", 73_760),
                                           ("test", 82_430)])
def test_standard_sizes_give_no_warning(split, tokens):
    assert check_standard_ptb(split, tokens, 10_000) is None
    assert check_standard_ptb(split, tokens) is None


def test_truncated_train_file_is_warned_about():
    # about what a 100 KB head of ptb.train.txt holds
    warning = check_standard_ptb("train", 21_345, 3_210)
    assert warning.startswith("warning: ptb.train.txt has 21,345 tokens (standard 929,589)")
    assert "vocabulary of 3,210 words (standard 10,000)" in warning
    assert "not the standard Penn Treebank" in warning


@pytest.mark.parametrize("split, tokens, vocab, needle", [
    ("valid", 73_759, 10_000, "73,759 tokens (standard 73,760)"),
    ("test", 82_430, 9_999, "vocabulary of 9,999 words"),
])
def test_any_difference_is_named(split, tokens, vocab, needle):
    warning = check_standard_ptb(split, tokens, vocab)
    assert needle in warning and f"ptb.{split}.txt" in warning


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match="'dev'.*train, valid, test"):
        check_standard_ptb("dev", 1)


def test_summary_of_a_loaded_small_ptb(tmp_path):
    (tmp_path / "ptb.train.txt").write_text(" a b a \n c \n")
    corpus, word_to_id, _ = load_ptb("train", data_dir=tmp_path)
    summary = describe_corpus(corpus, word_to_id, ptb_source("train", tmp_path))
    assert (summary.tokens, summary.vocab_size) == (6, 4)
    assert summary.source == Path(tmp_path / "ptb.train.txt")
    assert check_summary(summary, "train").startswith("warning: ptb.train.txt has 6 tokens")


def test_real_ptb_is_standard(ptb_data_dir):
    for split in ("train", "valid", "test"):
        corpus, word_to_id, _ = load_ptb(split, data_dir=ptb_data_dir)
        summary = describe_corpus(corpus, word_to_id, ptb_source(split, ptb_data_dir))
        assert summary.source.is_file() and summary.source.name == f"ptb.{split}.txt"
        assert check_summary(summary, split) is None

"""What a run was trained on, in one line: source file, tokens, vocabulary.

Commands print :func:`describe_corpus` before training and the warning of
:func:`check_standard_ptb` when the Penn Treebank files are not the standard
ones (a truncated download, a sample file), so a run on the wrong data is
visible before it starts. Nothing here prints; the caller decides where to.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import numpy as np

# The book's split (Mikolov's preprocessing): tokens per split, word types of train.
STANDARD_PTB_TOKENS = {"train": 929_589, "valid": 73_760, "test": 82_430}
STANDARD_PTB_VOCAB = 10_000


@dataclass(frozen=True)
class CorpusSummary:
    """A loaded corpus described: ``source`` the text file it came from,
    ``tokens`` its length, ``vocab_size`` the number of word types the ids
    refer to (the training vocabulary for valid/test)."""

    source: Path
    tokens: int
    vocab_size: int

    def __str__(self) -> str:
        return (f"data: {self.tokens:,} tokens, vocabulary {self.vocab_size:,} words, "
                f"from {self.source}")


def describe_corpus(corpus: np.ndarray, word_to_id: dict,
                    source: Union[str, "os.PathLike[str]"]) -> CorpusSummary:
    """Summary of a loaded corpus: ``corpus`` ``(n_tokens,)`` ids,
    ``word_to_id`` its vocabulary, ``source`` the file read (made absolute).

    >>> str(describe_corpus(np.array([0, 1, 0]), {"a": 0, "b": 1}, "/d/x.txt"))
    'data: 3 tokens, vocabulary 2 words, from /d/x.txt'
    """
    return CorpusSummary(Path(source).absolute(), int(np.asarray(corpus).size),
                         len(word_to_id))


def check_standard_ptb(split: str, tokens: int, vocab_size: Optional[int] = None
                       ) -> Optional[str]:
    """A one-line warning when a PTB split is not the standard size
    (train 929,589 tokens and 10,000 words; valid 73,760; test 82,430), else
    ``None``. ``vocab_size`` is checked when given (it is the training
    vocabulary for every split).

    >>> check_standard_ptb("valid", 73_760, 10_000) is None
    True
    >>> print(check_standard_ptb("train", 21_000, 2_500))  # doctest: +ELLIPSIS
    warning: ptb.train.txt has 21,000 tokens (standard 929,589) and a vocabulary ...
    """
    if split not in STANDARD_PTB_TOKENS:
        raise ValueError(f"check_standard_ptb: unknown PTB split {split!r}; expected one of "
                         f"{', '.join(STANDARD_PTB_TOKENS)}")
    problems = []
    expected = STANDARD_PTB_TOKENS[split]
    if tokens != expected:
        problems.append(f"{tokens:,} tokens (standard {expected:,})")
    if vocab_size is not None and vocab_size != STANDARD_PTB_VOCAB:
        problems.append(f"a vocabulary of {vocab_size:,} words (standard {STANDARD_PTB_VOCAB:,})")
    if not problems:
        return None
    return (f"warning: ptb.{split}.txt has {' and '.join(problems)}: this is not the "
            "standard Penn Treebank split (truncated or a sample?), so results will not "
            "compare with the book's")


def check_summary(summary: CorpusSummary, split: str) -> Optional[str]:
    """:func:`check_standard_ptb` for a :class:`CorpusSummary` of PTB ``split``."""
    return check_standard_ptb(split, summary.tokens, summary.vocab_size)

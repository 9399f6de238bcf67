"""Turn a short text into word ids, exactly as the book's ``preprocess``.

The book lower-cases, puts a space before every period and splits on single
spaces (``text.lower().replace('.', ' .').split(' ')``); word ids are given in
order of first occurrence. Splitting on ``' '`` (not on any whitespace) is the
book's choice and is kept so results match its figures; a doubled space
therefore yields an empty-string token.
"""
from __future__ import annotations

import numpy as np


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Tokenise ``text`` and number its words.

    Returns:
        ``(corpus, word_to_id, id_to_word)``: ``corpus`` is ``(n_tokens,)``
        ``np.int64``; ids follow first occurrence.

    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> corpus.tolist()
    [0, 1, 2, 3, 4, 1, 5, 6]
    >>> id_to_word[6]
    '.'
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess expects a str, got {type(text).__name__}")
    words = text.lower().replace(".", " .").split(" ")
    word_to_id: dict[str, int] = {}
    for word in dict.fromkeys(words):
        word_to_id[word] = len(word_to_id)
    id_to_word = {i: w for w, i in word_to_id.items()}
    corpus = np.fromiter(map(word_to_id.__getitem__, words), dtype=np.int64, count=len(words))
    return corpus, word_to_id, id_to_word

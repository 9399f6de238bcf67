"""Intrinsic evaluation of word vectors: word similarity and word analogy.

* :func:`evaluate_similarity`: Spearman correlation between cosine similarity
  and human scores over word pairs (WordSim353, SimLex-999, MEN style files:
  ``word1 word2 score`` per line).
* :func:`evaluate_analogy`: 3CosAdd accuracy on ``a b c d`` questions grouped
  under ``: section`` headers (Mikolov's ``questions-words.txt`` format).

Items with an out-of-vocabulary word are skipped and counted: every result
reports ``coverage`` (items evaluated / items in the file), because a high
score on 10% of a test set says little. Lines starting with ``#`` and blank
lines are ignored; any other malformed line is an error naming file and line.

``vectors`` may be a :class:`~autograd_nlp.text.word_vectors.WordVectors`, a
``(words, matrix)`` pair or a ``{word: vector}`` mapping. With
``lowercase=True`` (the default, matching PTB and the book's ``preprocess``)
words from the file are lower-cased before lookup.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterator, Union

import numpy as np

from autograd_nlp.text.similarity import normalize_rows
from autograd_nlp.text.stats import spearman
from autograd_nlp.text.word_vectors import as_word_vectors

PathLike = Union[str, "os.PathLike[str]"]
NO_SECTION = "(no section)"


@dataclass(frozen=True)
class SimilarityResult:
    """Outcome of :func:`evaluate_similarity`.

    Attributes:
        spearman: rank correlation of cosine vs human score over the
            evaluated pairs (nan when fewer than two).
        n_evaluated: pairs with both words in the vocabulary.
        n_total: pairs in the file.
        coverage: ``n_evaluated / n_total`` (nan for an empty file).
        oov_words: distinct out-of-vocabulary words, sorted.
    """
    spearman: float
    n_evaluated: int
    n_total: int
    coverage: float
    oov_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalogyScore:
    """Accuracy over a set of analogy questions (one section, or all).

    Attributes:
        accuracy: ``n_correct / n_evaluated`` (nan when nothing was evaluated).
        n_correct: questions whose top answer (``a``, ``b``, ``c`` excluded) is ``d``.
        n_evaluated: questions with all four words in the vocabulary.
        n_total: questions in the file (or section).
        coverage: ``n_evaluated / n_total``.
    """
    accuracy: float
    n_correct: int
    n_evaluated: int
    n_total: int
    coverage: float


@dataclass(frozen=True)
class AnalogyResult:
    """Outcome of :func:`evaluate_analogy`: ``overall`` and one score per
    ``: section`` (in file order; questions before any header go to
    ``"(no section)"``)."""
    overall: AnalogyScore
    sections: dict[str, AnalogyScore] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.overall.accuracy

    @property
    def coverage(self) -> float:
        return self.overall.coverage


def evaluate_similarity(vectors, pairs_file: PathLike, lowercase: bool = True
                        ) -> SimilarityResult:
    """Spearman correlation of cosine similarity with human judgements.

    Args:
        vectors: word vectors (see module docstring).
        pairs_file: lines ``word1 word2 score``, tab- or space-separated.
        lowercase: lower-case the file's words before lookup.
    """
    wv = as_word_vectors(vectors)
    ids1, ids2, scores, oov, n_total = [], [], [], set(), 0
    for lineno, fields in _data_lines(pairs_file):
        if len(fields) != 3:
            raise ValueError(f"{pairs_file}:{lineno}: expected 'word1 word2 score', "
                             f"got {' '.join(fields)!r}")
        w1, w2 = (_norm(w, lowercase) for w in fields[:2])
        try:
            score = float(fields[2])
        except ValueError:
            raise ValueError(f"{pairs_file}:{lineno}: score {fields[2]!r} is not a number"
                             ) from None
        n_total += 1
        missing = [w for w in (w1, w2) if w not in wv.word_to_id]
        if missing:
            oov.update(missing)
            continue
        ids1.append(wv.word_to_id[w1])
        ids2.append(wv.word_to_id[w2])
        scores.append(score)

    n = len(scores)
    rho = float("nan")
    if n >= 2:
        a = wv.vectors[ids1].astype(np.float64)
        b = wv.vectors[ids2].astype(np.float64)
        eps = 1e-8
        cos = np.einsum("ij,ij->i", a, b) / (
            (np.linalg.norm(a, axis=1) + eps) * (np.linalg.norm(b, axis=1) + eps))
        rho = spearman(cos, np.array(scores))
    return SimilarityResult(rho, n, n_total, _ratio(n, n_total), tuple(sorted(oov)))


def evaluate_analogy(vectors, questions_file: PathLike, lowercase: bool = True,
                     batch_size: int = 1024) -> AnalogyResult:
    """3CosAdd accuracy: for ``a b c d``, is ``d`` the nearest word (cosine,
    unit-normalised vectors) to ``b - a + c``, with ``a``, ``b``, ``c``
    excluded? Same rule as :func:`~autograd_nlp.text.similarity.analogy`.

    Questions are scored in batches of ``batch_size`` with one
    ``(batch, D) @ (D, V)`` product each (``batch_size * V`` float32 of
    scratch: 40 MB for 1024 x 10,000).

    Args:
        vectors: word vectors (see module docstring).
        questions_file: ``: section`` headers, then lines ``a b c d``.
        lowercase: lower-case the file's words before lookup.
        batch_size: questions per matrix product.
    """
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    wv = as_word_vectors(vectors)
    totals: dict[str, int] = {}          # section -> questions in file, file order
    quads, quad_sections = [], []        # in-vocabulary questions as ids, their section
    current = NO_SECTION
    for lineno, fields in _data_lines(questions_file):
        if fields[0].startswith(":"):
            current = " ".join(fields)[1:].strip() or NO_SECTION
            continue
        if len(fields) != 4:
            raise ValueError(f"{questions_file}:{lineno}: expected 'a b c d' or ': section', "
                             f"got {' '.join(fields)!r}")
        totals[current] = totals.get(current, 0) + 1
        words = [_norm(w, lowercase) for w in fields]
        if all(w in wv.word_to_id for w in words):
            quads.append([wv.word_to_id[w] for w in words])
            quad_sections.append(current)

    sections = list(totals)
    quads_arr = np.array(quads, dtype=np.int64).reshape(-1, 4)
    correct = _solve(normalize_rows(wv.vectors), quads_arr, int(batch_size))
    position = {name: i for i, name in enumerate(sections)}
    sec_idx = np.array([position[name] for name in quad_sections], dtype=np.int64)
    n_sec = len(sections)
    evaluated = np.bincount(sec_idx, minlength=n_sec)
    right = np.bincount(sec_idx, weights=correct, minlength=n_sec).astype(np.int64)
    per_section = {
        name: _score(int(right[i]), int(evaluated[i]), totals[name])
        for i, name in enumerate(sections)}
    overall = _score(int(correct.sum()), len(quads), sum(totals.values()))
    return AnalogyResult(overall, per_section)


def _solve(Wn: np.ndarray, quads: np.ndarray, batch_size: int) -> np.ndarray:
    """``(Q,)`` bool: is column 3 the 3CosAdd answer for columns 0..2?"""
    correct = np.zeros(len(quads), dtype=bool)
    rows = np.arange(batch_size)
    for start in range(0, len(quads), batch_size):
        q = quads[start:start + batch_size]
        a, b, c, d = q.T
        query = Wn[b].astype(np.float64) - Wn[a] + Wn[c]
        query /= (np.linalg.norm(query, axis=1, keepdims=True) + 1e-8)
        sims = query.astype(Wn.dtype) @ Wn.T          # (batch, V)
        r = rows[:len(q)]
        sims[r, a] = -np.inf
        sims[r, b] = -np.inf
        sims[r, c] = -np.inf
        correct[start:start + len(q)] = sims.argmax(axis=1) == d
    return correct


def _data_lines(path: PathLike) -> Iterator[tuple[int, list[str]]]:
    """``(line number, whitespace-split fields)`` of non-blank, non-``#`` lines."""
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                yield lineno, fields


def _norm(word: str, lowercase: bool) -> str:
    return word.lower() if lowercase else word


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _score(n_correct: int, n_evaluated: int, n_total: int) -> AnalogyScore:
    return AnalogyScore(_ratio(n_correct, n_evaluated), n_correct, n_evaluated, n_total,
                        _ratio(n_evaluated, n_total))

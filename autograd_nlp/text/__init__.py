"""Count-based distributional semantics (book, chapter 2) and word-vector
utilities. Plain NumPy: nothing here imports the autodiff engine.

Pipeline::

    corpus, word_to_id, id_to_word = load_ptb("train")      # (929589,) int64
    C = co_occurrence(corpus, len(word_to_id), window_size=2)  # (V, V) int32
    M = ppmi(C)                                              # (V, V) float32
    U, S, Vt = truncated_svd(M, 100)                         # U: (V, 100)
    wv = WordVectors.from_vocab(id_to_word, U)
    wv.most_similar("you")

or in one call, ``count_svd_vectors(corpus, len(word_to_id))``.
"""
from autograd_nlp.text.cooccurrence import co_occurrence, co_occurrence_pairs
from autograd_nlp.text.evaluation import (AnalogyResult, AnalogyScore, SimilarityResult,
                                          evaluate_analogy, evaluate_similarity)
from autograd_nlp.text.pipeline import count_svd_vectors
from autograd_nlp.text.sampler import UnigramSampler
from autograd_nlp.text.pmi import ppmi, ppmi_from_pairs
from autograd_nlp.text.similarity import (analogy, cos_similarity, most_similar,
                                          normalize_rows)
from autograd_nlp.text.stats import pearson, rankdata, spearman
from autograd_nlp.text.svd import truncated_svd
from autograd_nlp.text.word_vectors import WordVectors, as_word_vectors

__all__ = [
    "co_occurrence", "co_occurrence_pairs", "ppmi", "ppmi_from_pairs", "truncated_svd",
    "cos_similarity", "most_similar", "analogy", "normalize_rows",
    "WordVectors", "as_word_vectors", "count_svd_vectors",
    "evaluate_similarity", "evaluate_analogy", "SimilarityResult", "AnalogyResult",
    "AnalogyScore", "rankdata", "spearman", "pearson", "UnigramSampler",
]

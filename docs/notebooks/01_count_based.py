# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Counting: co-occurrence, PPMI and SVD (chapter 2)
#
# Chapter 2 of the book gives every word a vector by counting which words
# appear next to it: a co-occurrence matrix, re-weighted by positive
# pointwise mutual information (PPMI), then shortened by a singular value
# decomposition. The book builds these matrices with Python loops over every
# cell, which takes many minutes on the Penn Treebank (PTB). Nothing here is
# trained, so there is no graph yet: the same steps are vectorised NumPy
# functions of `autograd_nlp.text`, and the whole PTB pipeline takes seconds.
# The reference is [docs/word-vectors.md](../word-vectors.md).
#
# `AUTOGRAD_NLP_NOTEBOOK_SIZE=small` (what the tests run) uses the first
# 150,000 words of PTB instead of all 929,589.

# %%
import os
import time

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Markdown

from autograd_nlp.data import load_ptb, preprocess
from autograd_nlp.text import WordVectors, co_occurrence, count_svd_vectors, ppmi, truncated_svd

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"


def table(matrix, words, fmt="{:g}"):
    """A matrix as a Markdown table with words on both axes."""
    head = "| | " + " | ".join(words) + " |\n|---|" + "---|" * len(words) + "\n"
    return Markdown(head + "\n".join(f"| **{w}** | " + " | ".join(fmt.format(v) for v in row)
                                     + " |" for w, row in zip(words, matrix)))


# %% [markdown]
# ## The book's sentence
#
# `preprocess` numbers the words in order of appearance, and `co_occurrence`
# counts, for each word, its neighbours within a window of one word on each
# side (the book's `create_co_matrix`, without the loop).

# %%
corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
words = [id_to_word[i] for i in range(len(id_to_word))]
C = co_occurrence(corpus, len(words), window_size=1)
table(C, words)

# %% [markdown]
# Raw counts favour frequent words. PPMI(x, y) = max(0, log₂ P(x, y) / (P(x) P(y)))
# keeps how much more often two words meet than chance would have them:

# %%
M = ppmi(C)
table(M, words, "{:.2f}")

# %% [markdown]
# The rows of M are as long as the vocabulary. The SVD M ≈ U S Vᵀ gives
# shorter vectors: the first columns of U. With two of them every word is a
# point on a plane, as in the book; words that share neighbours land near
# each other.

# %%
U, S, Vt = truncated_svd(M, 2)
fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.scatter(U[:, 0], U[:, 1], alpha=0.5)
for word, (u0, u1) in zip(words, U):
    ax.annotate(word, (u0, u1))

# %% [markdown]
# ## The Penn Treebank
#
# `load_ptb` reads PTB from `$AUTOGRAD_NLP_DATA` (or downloads it once) with
# the book's 10,000-word vocabulary. `count_svd_vectors` runs the same three
# steps without ever building the dense count matrix (the counts go straight
# into PPMI), and a randomized SVD keeps 100 dimensions.

# %%
corpus, word_to_id, id_to_word = load_ptb("train")
if SMALL:      # the first 150,000 words, numbered among themselves
    used, corpus = np.unique(corpus[:150_000], return_inverse=True)
    id_to_word = {i: id_to_word[int(w)] for i, w in enumerate(used)}
print(f"{len(corpus):,} words, vocabulary {len(id_to_word):,}")

start = time.perf_counter()
U = count_svd_vectors(corpus, len(id_to_word), window_size=2, dim=100, seed=0)
vectors = WordVectors.from_vocab(id_to_word, U)
print(f"co-occurrence -> PPMI -> SVD: {U.shape} in {time.perf_counter() - start:.1f} s")

# %% [markdown]
# Nearest neighbours by cosine similarity. Counting finds words used in the
# same places: topical neighbours (car → auto, vehicle, truck) and
# syntactic ones (you → i, we).

# %%
queries = [w for w in ("you", "year", "car", "toyota") if w in vectors]
Markdown("| query | nearest words |\n|---|---|\n" + "\n".join(
    f"| {q} | " + ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(q, 5)) + " |"
    for q in queries))

# %% [markdown]
# What counting does not give is analogies: king − man + woman lands
# nowhere near *queen*. Chapter 3's predicted vectors do better
# ([02 · word2vec](02_word2vec.ipynb)).

# %%
print(", ".join(f"{w} {s:.3f}" for w, s in vectors.analogy("man", "king", "woman", top=3)))

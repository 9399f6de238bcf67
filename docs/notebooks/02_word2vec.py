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
# # 02 · Predicting: word2vec (chapters 3–4)
#
# Chapters 3 and 4 learn word vectors by predicting a word from its
# neighbours (CBOW). The book builds the model from layers with hand-written
# backward passes: `MatMul` for the one-hot input, `SoftmaxWithLoss`, then,
# to make it fast, an `Embedding` layer whose backward scatters gradients
# into rows, `EmbeddingDot`, `SigmoidWithLoss` and a `NegativeSamplingLoss`
# that wires them together. Here each model is its forward pass; the engine
# records it and backpropagates.
#
# This notebook: chapter 3's simple CBOW on the book's sentence, the
# embedding lookup and negative sampling of chapter 4, then CBOW trained on
# PTB. The reference is [docs/word-vectors.md](../word-vectors.md).
#
# `AUTOGRAD_NLP_NOTEBOOK_SIZE=small` (what the tests run) trains on the
# first 100,000 words of PTB for 2 epochs instead of all 929,589 for 10.

# %%
import os

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Markdown

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.data import create_contexts_target, load_ptb, preprocess
from autograd_nlp.layers import Embedding
from autograd_nlp.text import UnigramSampler, WordVectors

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## Chapter 3: simple CBOW
#
# Each word of the sentence is a target; its context is the word before and
# the word after it.

# %%
corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
contexts, target = create_contexts_target(corpus, window_size=1)
[(f"{id_to_word[a]} _ {id_to_word[b]}", id_to_word[t]) for (a, b), t in zip(contexts, target)]

# %% [markdown]
# `SimpleCBOW` averages the vectors of the context words and scores every
# word of the vocabulary: `softmax_cross_entropy(out(mean(in_embed(contexts))), target)`.
# That one line is its whole `forward`; training is forward, backward, update.

# %%
from autograd_nlp.models.word2vec import SimpleCBOW

ag.random.seed(1)
model = SimpleCBOW(vocab_size=len(word_to_id), hidden_size=5)
optimizer = optim.Adam(model.params(), lr=0.01)
losses = []
for epoch in range(300):
    loss = model(contexts, target)           # all six targets as one batch
    model.cleargrads()
    loss.backward()
    optimizer.update()
    losses.append(float(loss.data))
print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}")

# %% [markdown]
# The graph the last step recorded: the embedding lookup, the mean over
# the context, the output layer and the loss. Nobody wrote its backward.

# %%
loss

# %% [markdown]
# The word vectors are the rows of the input embedding. Words that share
# their neighbours get similar vectors: *you* and *hello* (both beside
# *say*), *goodbye* and *i* (both between *say* and *and*).

# %%
W = model.in_embed.W.data
Markdown("| word | vector |\n|---|---|\n" + "\n".join(
    f"| {id_to_word[i]} | {np.array2string(W[i], precision=2)} |" for i in range(len(W))))

# %% [markdown]
# ## Chapter 4: Embedding and negative sampling
#
# A one-hot vector times a matrix is just a row of the matrix. The book
# writes an `Embedding` layer for this, and its backward by hand; here the
# lookup is an indexing op whose gradient the engine derives:

# %%
embed = Embedding(7, 3)
ids = np.array([1, 5])
one_hot = np.eye(7, dtype=np.float32)[ids]
np.allclose(embed(ids).data, one_hot @ embed.W.data)

# %% [markdown]
# The full softmax scores all 10,000 words of PTB for every target. Negative
# sampling replaces it by a yes/no question for the true word and for
# `sample_size` words drawn from the unigram distribution raised to 0.75
# (frequent words drawn more often, but less than in proportion):

# %%
text = "you say goodbye and i say hello . you say hello and i say goodbye ."
small_corpus, small_w2i, small_i2w = preprocess(text)
sampler = UnigramSampler(small_corpus, power=0.75, sample_size=3, vocab_size=len(small_w2i))
negatives = sampler.get_negative_sample(np.array([1, 5]))
[[small_i2w[int(i)] for i in row] for row in negatives]   # never the target itself

# %% [markdown]
# `autograd_nlp.models.word2vec.CBOW` computes the whole loss (the context vectors, their
# dot products with the true word's and the negatives' output vectors, the
# binary cross-entropy) as one fused op, `negative_sampling_loss`, that is
# gradient-checked like every other op. Its graph is short:

# %%
from autograd_nlp.models.word2vec import CBOW

ag.random.seed(0)
cbow = CBOW(vocab_size=len(small_w2i), hidden_size=4, corpus=small_corpus, sample_size=3)
small_contexts, small_target = create_contexts_target(small_corpus, window_size=1)
cbow(small_contexts, small_target)

# %% [markdown]
# ## CBOW on PTB
#
# The recipe is word2vec's own, as `autograd-nlp train cbow` runs it: every
# epoch a fresh draw of the corpus with frequent words sub-sampled, windows of
# 1 to 5 words, the contexts' vectors summed, 5 negatives per target, batches
# of 4,000 targets and plain SGD with the learning rate falling linearly to 0.
# `CbowEpochs` draws an epoch's arrays at once; `ResampledMinibatchTrainer`
# shows a progress bar (redrawn in place in a notebook) and keeps a loss curve.
# With the same seed these are the steps of `autograd-nlp train cbow`, and the
# vectors come out the same (about 2–3 minutes on one core at full size).

# %%
from autograd_nlp.optim import LinearDecay
from autograd_nlp.text.cbow_epochs import CbowEpochs
from autograd_nlp.training import ResampledMinibatchTrainer

corpus, word_to_id, id_to_word = load_ptb("train")
epochs = 2 if SMALL else 10
train_corpus = corpus[:100_000] if SMALL else corpus

ag.random.seed(1)
model = CBOW(len(word_to_id), hidden_size=100, corpus=train_corpus, sample_size=5,
             context="sum")
draw = CbowEpochs(train_corpus, window_size=5, sampler=model.sampler, subsample=1e-3,
                  reduced_windows=True, context="sum")
optimizer = optim.SGD(model.params(), lr=60.0)
trainer = ResampledMinibatchTrainer(model, optimizer, draw, draw.examples_per_epoch,
                                    batch_size=4000, unit="targets", curve_every=10)
LinearDecay(optimizer, 60.0, epochs * trainer.iterations_per_epoch())
history = trainer.fit(epochs)

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(history["curve_iteration"], history["curve_loss"])
ax.set_xlabel("iteration")
ax.set_ylabel("loss")
ax.grid(alpha=0.3)

# %% [markdown]
# Nearest neighbours of the learned vectors (`model.word_vectors`, the input
# embedding), and the analogies the book asks ("take is to took as go is
# to ?", computed as took − take + go):

# %%
vectors = WordVectors.from_vocab(id_to_word, model.word_vectors)
Markdown("| query | nearest words |\n|---|---|\n" + "\n".join(
    f"| {q} | " + ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(q, 5)) + " |"
    for q in ("you", "year", "car", "toyota")))

# %%
questions = [("take", "took", "go"), ("car", "cars", "child"), ("good", "better", "bad"),
             ("man", "king", "woman")]
Markdown("| question | top 3 |\n|---|---|\n" + "\n".join(
    f"| {a} : {b} = {c} : ? | " + ", ".join(f"{w} {s:.3f}" for w, s in vectors.analogy(a, b, c, 3))
    + " |" for a, b, c in questions))

# %% [markdown]
# PTB is too small for reliable analogies: *went* comes close for
# take : took = go : ?, the others miss, as most of them do in the book.
# Next: [03 · RNNs and truncated BPTT](03_rnn.ipynb).

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
# # 03 · Recurrent networks and truncated BPTT (chapter 5)
#
# Chapter 5 builds an RNN layer with a hand-written backward, then a
# `TimeRNN` that loops it over T time steps, keeps every hidden state for the
# backward loop through time, and hands the last state to the next block of
# T steps while stopping the gradient there: truncated backpropagation
# through time (BPTT), as bookkeeping. Here the RNN is its forward loop,
# h_t = tanh(x_t Wx + h_{t−1} Wh + b). Backpropagation through time is the
# graph that loop records, and truncating it is cutting that graph with
# `unchain()`. The reference is [docs/language-models.md](../language-models.md).
#
# It runs in seconds, at full size as at the tests' reduced size.

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.data import load_ptb
from autograd_nlp.layers import RNN
from autograd_nlp.training import LanguageModelTrainer

# %% [markdown]
# ## The unrolled graph
#
# An `RNN` layer runs its cell once per time step, each step inside a scope
# `rnn t=<t>`, so a picture draws every step as a cluster: backpropagation
# through time is the walk back through these clusters.

# %%
ag.random.seed(0)
rnn = RNN(3, 4, stateful=True, name="rnn")
for name, p in rnn.named_params():
    p.name = name                                   # label the weights in pictures
xs = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)  # (batch, time, in)

loss = (rnn(xs[:, :2]) ** 2).mean()                 # the first block: 2 steps
loss

# %% [markdown]
# ## Truncation is a cut
#
# A stateful layer starts each call from the state the previous call ended in.
# After the first block's backward pass, `rnn.unchain()` keeps the values of that
# state and forgets how they were made. The next block's graph starts from
# the cut, drawn in red: the gradient stops there, as the book's `TimeRNN`
# stops it by hand.

# %%
loss.backward()
rnn.unchain()                                        # keep h, cut the graph behind it
loss = (rnn(xs[:, 2:]) ** 2).mean()                  # the second block
loss

# %% [markdown]
# Without the cut, every block's graph would hang on to all the blocks before
# it. `ag.graph_stats` shows the difference over five blocks:

# %%
def graph_sizes(cut):
    layer = RNN(3, 4, stateful=True)
    sizes = []
    for block in range(5):
        loss = (layer(xs[:, :2]) ** 2).mean()
        sizes.append(ag.graph_stats(loss)["functions"])
        if cut:
            layer.unchain()
    return sizes


print("with unchain():   ", graph_sizes(cut=True))
print("without unchain():", graph_sizes(cut=False))

# %% [markdown]
# ## The chapter's language model
#
# `SimpleRnnlm` is an embedding, the RNN and a linear layer that scores the
# next word: three lines of `forward`. The book trains it on the first 1,000
# words of PTB in blocks of 5 time steps with 10 rows per batch, plain SGD
# with learning rate 0.1. `LanguageModelTrainer` reads the corpus the book's
# way, carries the state across blocks, calls `unchain()` after every update,
# and shows its progress bar as one line redrawn in place.

# %%
from autograd_nlp.models.rnnlm import SimpleRnnlm

corpus, word_to_id, id_to_word = load_ptb("train")
corpus = corpus[:1000]
vocab_size = int(corpus.max()) + 1

ag.random.seed(1)
model = SimpleRnnlm(vocab_size, wordvec_size=100, hidden_size=100)
trainer = LanguageModelTrainer(model, optim.SGD(model.params(), lr=0.1), batch_size=10,
                               time_size=5, max_grad=None, log=lambda message: None)
history = trainer.fit(corpus, epochs=100)
print(f"perplexity {history['train_ppl'][0]:.1f} after the first epoch, "
      f"{history['train_ppl'][-1]:.2f} after the last")

# %% [markdown]
# Perplexity is the exponential of the loss: the number of words the model
# still hesitates between. On 1,000 words it falls from the vocabulary's size
# towards a handful as the model learns them by heart, as in the book;
# a model that generalises needs the whole corpus and an LSTM (chapter 6).

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(history["epoch"], history["train_ppl"])
ax.set_xlabel("epoch")
ax.set_ylabel("perplexity")
ax.grid(alpha=0.3)

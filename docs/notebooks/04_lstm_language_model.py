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
# # 04 · LSTM language models (chapter 6)
#
# Chapter 6 replaces the RNN of chapter 5 by an LSTM. The book writes the
# LSTM's four gates and their backward pass by hand, a `TimeLSTM` that loops
# them over time, then `Rnnlm` (embedding, LSTM, linear) and `BetterRnnlm`
# (two LSTM layers, dropout, the output weights tied to the embedding), each
# with its own backward bookkeeping. Here the LSTM step is its forward
# formula, the models are a few lines of `forward`, and training is the
# `rnnlm` recipe, the same run as `autograd-nlp train rnnlm`. The reference
# is [docs/language-models.md](../language-models.md).
#
# At full size the notebook trains `Rnnlm` for one epoch of PTB (about two
# minutes on an idle core); `AUTOGRAD_NLP_NOTEBOOK_SIZE=small`
# (what the tests run) stops after 100 updates.

# %%
import inspect
import os
import tempfile
import time

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Code, Markdown

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.layers import LSTM, RNN

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"

# %% [markdown]
# ## The LSTM step is its formula
#
# One step computes four gates from the input and the previous h, then
# updates the cell state c and the output h. Written with the engine's ops,
# that is the whole step; its backward is the graph it records:

# %%
def lstm_step_by_hand(x_proj, c_prev, Wh, h_prev):
    """x_proj = x @ Wx + b (batch, 4H); gates ordered [forget, input, output, candidate]."""
    f, i, o, g = F.split(x_proj + F.matmul(h_prev, Wh), 4, axis=-1)
    c = F.sigmoid(f) * c_prev + F.sigmoid(i) * F.tanh(g)
    h = F.sigmoid(o) * F.tanh(c)
    return h, c


rng = np.random.default_rng(0)
H = 3
x_proj, c_prev, h_prev = (ag.Variable(rng.standard_normal(s), name=n)
                          for s, n in (((2, 4 * H), "x_proj"), ((2, H), "c"), ((2, H), "h")))
Wh = ag.Variable(rng.standard_normal((H, 4 * H)), name="Wh")
h, c = lstm_step_by_hand(x_proj, c_prev, Wh, h_prev)
h

# %% [markdown]
# The layers use `F.lstm_step`, the same step fused into one op whose
# backward works on whole arrays (faster, and gradient-checked like every
# op). The two agree:

# %%
h_fused, c_fused = F.lstm_step(x_proj, c_prev, Wh, h_prev)
np.allclose(h.data, h_fused.data), np.allclose(c.data, c_fused.data)

# %% [markdown]
# ## Why the gates help
#
# Backpropagation through time multiplies the gradient, step after step, by
# the RNN's `Wh` and the slope of its tanh, so it shrinks (or grows)
# geometrically. Along the LSTM's cell state it is only multiplied,
# element by element, by the forget gate. Below, the size of the gradient of
# the last hidden state with respect to each of 50 inputs: a plain RNN, an
# LSTM at its initialisation (forget gate about 0.5), and the same LSTM with
# its forget gate held open (bias +3, gate about 0.95), which is what
# training learns where a long memory pays.

# %%
def gradient_through_time(layer, steps=50):
    xs = ag.Variable(np.random.default_rng(0).standard_normal((1, steps, 16)).astype(np.float32))
    layer(xs)[:, -1].sum().backward()
    return np.linalg.norm(xs.grad.data[0], axis=-1)


ag.random.seed(0)
rnn = RNN(16, 32)
ag.random.seed(0)
lstm = LSTM(16, 32)
ag.random.seed(0)
open_lstm = LSTM(16, 32)
open_lstm.cell.b.data[:32] = 3.0               # the forget gate's bias

fig, ax = plt.subplots(figsize=(6, 3))
for name, layer in (("RNN", rnn), ("LSTM", lstm), ("LSTM, forget bias +3", open_lstm)):
    ax.semilogy(gradient_through_time(layer), label=name)
ax.set_xlabel("input time step (the loss reads the last one, 49)")
ax.set_ylabel("gradient norm")
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# ## Rnnlm and BetterRnnlm
#
# `Rnnlm` is chapter 5's model with the RNN swapped for an LSTM.
# `BetterRnnlm` adds the book's three improvements, each one line of
# `forward`: two LSTM layers stacked (`Stacked`), dropout between the layers
# and around them, and the output projection tied to the embedding (the
# output layer uses `embed.W.T`, the same Parameter the embedding looks up,
# so it gets the gradients of both uses).

# %%
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm

Code(inspect.getsource(Rnnlm) + "\n\n" + inspect.getsource(BetterRnnlm), language="python")

# %% [markdown]
# On PTB's 10,000 words, tying saves the 6.5 million weights of a separate
# output matrix:

# %%
sizes = {"Rnnlm (100 units)": Rnnlm(10_000).num_params(),
         "BetterRnnlm (650 units, tied)": BetterRnnlm(10_000).num_params()}
sizes["BetterRnnlm without tying"] = sizes["BetterRnnlm (650 units, tied)"] + 650 * 10_000
Markdown("| model | parameters |\n|---|---|\n"
         + "\n".join(f"| {name} | {n:,} |" for name, n in sizes.items()))

# %% [markdown]
# Dropout is active while training and the identity in evaluation
# (`ag.eval_mode()`, or `model.eval()`), so the same input gives different
# outputs only in training mode:

# %%
def same_output_twice(model, ids=np.array([[1, 2, 3]])):
    outputs = []
    for _ in range(2):
        model.reset_state()                      # the LSTMs carry their state between calls
        outputs.append(model(ids).data)
    return np.allclose(*outputs)


ag.random.seed(0)
tiny = BetterRnnlm(50, wordvec_size=8, hidden_size=8)
with ag.eval_mode():
    in_evaluation = same_output_twice(tiny)
{"training": same_output_twice(tiny), "evaluation": in_evaluation}

# %% [markdown]
# ## Training Rnnlm on PTB
#
# `language_model.RnnlmConfig` carries the book's settings (batch 20, 35 time
# steps of truncated BPTT, SGD with learning rate 20, gradients clipped to
# norm 0.25). `run` reads PTB, trains with a progress bar redrawn in place,
# measures validation perplexity after each epoch and test perplexity at the
# end, and writes a checkpoint. The book trains 4 epochs; here one (about two
# minutes on one core).

# %%
from autograd_nlp.recipes import language_model

config = language_model.RnnlmConfig(epochs=1, max_iters=100 if SMALL else None,
                                    out=tempfile.mkdtemp(prefix="rnnlm-"))
start = time.perf_counter()
result = language_model.run(config)
print(f"{time.perf_counter() - start:.0f} s")

# %% [markdown]
# The trainer keeps the loss of every update (`trainer.loss_list`, the book's
# `ppl_list`); `trainer.plot()` draws it as perplexity, averaged over groups
# of updates, on a log axis:

# %%
result.trainer.plot();

# %% [markdown]
# After one epoch the validation perplexity is about 200: the model hesitates
# between about 200 words where a uniform guess would weigh all 10,000. With
# the same seed this is the first epoch of the book's 4-epoch run in
# [results.md](../results.md#rnnlm--1-layer-lstm-wordvec-100-hidden-100)
# (train 306.69, validation 198.88 in its latest measurement), whose four
# epochs end at test perplexity 136.29 (135.07 in an earlier draw), about
# 6½ minutes on an idle core. `BetterRnnlm` takes about 13 minutes an epoch
# on a CPU and the book runs it for 40 (120.98 after 3 epochs in
# results.md).

# %%
history = result.history
Markdown("| epoch | train perplexity | valid perplexity | test perplexity |\n|---|---|---|---|\n"
         + "\n".join(f"| {e} | {tr:.2f} | {va:.2f} | {result.metrics['test perplexity']:.2f} |"
                     for e, tr, va in zip(history["epoch"], history["train_ppl"],
                                          history["valid_ppl"])))

# %% [markdown]
# ## Generating text
#
# `autograd_nlp.load` turns the checkpoint into a `LanguageModel` that
# knows its vocabulary: it scores text and writes text, one sampled word
# after another from the softmax of the logits, the state carried along
# (chapter 7's first section).

# %%
lm = ag.load(result.paths["checkpoint"])
print(lm.generate("the", 40, seed=0))

# %% [markdown]
# Perplexity tells a sentence from the same words shuffled:

# %%
sentence = "the company said it expects to report higher earnings for the third quarter"
shuffled = " ".join(np.random.default_rng(0).permutation(sentence.split()))
Markdown("| text | perplexity |\n|---|---|\n"
         + "\n".join(f"| {t} | {lm.perplexity(t):.0f} |" for t in (sentence, shuffled)))

# %% [markdown]
# Next: [05 · seq2seq](05_seq2seq.ipynb).

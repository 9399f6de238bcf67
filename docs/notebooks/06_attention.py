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
# # 06 · Attention: reading dates as people write them (chapter 8)
#
# Chapter 8 lets the decoder look back at every state of the encoder:
# at each output step it scores the encoder's states against its own,
# turns the scores into weights with a softmax, and reads their weighted
# sum. The book builds this from an `AttentionWeight` and a `WeightSum`
# layer, each with a backward written by hand (the repeat and the sum and
# their gradients), and trains it to turn dates into `YYYY-MM-DD`. Here
# attention is three lines of forward code, and training is the main job's
# recipe, the same run as `autograd-nlp train attention`: dates from 1900 to
# 2099 written the many ways people type them. The reference is
# [docs/seq2seq.md](../seq2seq.md).
#
# At full size this is the main job as documented, 150,000 dates and 5
# epochs (about 5 minutes on two cores); `AUTOGRAD_NLP_NOTEBOOK_SIZE=small`
# (what the tests run) trains 2 epochs on 8,000 dates, too few to learn
# the task.

# %%
import contextlib
import inspect
import io
import os
import tempfile
import textwrap
import time

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Code, Markdown

import autograd_nlp as ag
from autograd_nlp.data import make_seq_dataset

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"
# The recipes read the book's date.txt when $AUTOGRAD_NLP_DATA names a
# folder holding it; the main job generates its dates instead.
os.environ.pop("AUTOGRAD_NLP_DATA", None)

# %% [markdown]
# ## Attention is its forward code
#
# The decoder's hidden states are the queries, the encoder's the keys and
# values: scores are dot products, weights their softmax over the source,
# the context the weighted sum.

# %%
from autograd_nlp.layers.attention import dot_product_attention

source = inspect.getsource(dot_product_attention)
Code(textwrap.dedent(source[source.index("    scores ="):]), language="python")

# %% [markdown]
# On a batch of one, 2 decoder steps over 4 encoder states of size 3: each
# row of weights sums to 1, and the context's graph holds the matmuls and the
# softmax the engine backpropagates through.

# %%
from autograd_nlp.layers import Attention

rng = np.random.default_rng(0)
decoder_hs = ag.Variable(rng.standard_normal((1, 2, 3)), name="decoder hs")
encoder_hs = ag.Variable(rng.standard_normal((1, 4, 3)), name="encoder hs")
attention = Attention()
context = attention(decoder_hs, encoder_hs)
print(np.round(attention.weights, 3))
context

# %% [markdown]
# The decoder of chapter 8 runs its LSTM, attends over the encoder's states
# with its hidden states, and predicts from the context and its state side by
# side (`dropout` is the main job's addition; the book's model has none):

# %%
from autograd_nlp.models.attention_seq2seq import AttentionDecoder

Code(inspect.getsource(AttentionDecoder.forward), language="python")

# %% [markdown]
# ## Dates as people write them
#
# The generator writes each date in one of many forms: month names or
# numbers, ordinals, abbreviations, weekdays, two-digit years, times of day,
# any case. The questions are read reversed, as in the book.

# %%
sample = make_seq_dataset("date", n=2000, seed=3)
Markdown("| question | answer |\n|---|---|\n" + "\n".join(
    f"| `{sample.decode(sample.x_train[i]).strip()}` "
    f"| `{sample.decode(sample.t_train[i])[1:]}` |" for i in range(8)))

# %% [markdown]
# ## The main job
#
# `seq2seq.AttentionConfig()` on generated dates takes the main job's
# recipe: hidden 128, dropout 0.1, Adam lr 0.003 falling along half a
# cosine, 5 epochs on 150,000 dates (a tenth held out for testing). After
# training, the recipe calibrates the confidence below which `translate`
# flags an answer, on fresh questions and on forms the model never saw. The
# run prints four answers per epoch; we keep that log and show its summary.

# %%
from autograd_nlp.recipes import seq2seq

size = dict(generate_size=8_000, epochs=2) if SMALL else {}
config = seq2seq.AttentionConfig(out=tempfile.mkdtemp(prefix="attention-"), **size)
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as log:
    result = seq2seq.run(config)
print(f"{(time.perf_counter() - start) / 60:.1f} minutes")
lines = log.getvalue().splitlines()
print("\n".join(lines[next(i for i, l in enumerate(lines) if l.startswith("accuracy per")):
                      next(i for i, l in enumerate(lines) if l.startswith("wrote"))]))

# %%
history = result.history
Markdown("| epoch | training loss | held-out accuracy | seconds |\n|---|---|---|---|\n"
         + "\n".join(f"| {e} | {loss:.4f} | {100 * m['accuracy']:.2f} % | {s:.0f} |"
                     for e, loss, m, s in zip(history["epoch"], history["loss"],
                                              history["metrics"], history["seconds"])))

# %% [markdown]
# These are the main job's numbers in
# [results.md](../results.md#the-main-job-dates-as-people-write-them),
# digit for digit: 99.41, 99.87, 99.97, 99.99 and 99.99 % on the 15,000
# held-out questions, and the same calibration (threshold 0.782; 100.00 %
# of 5,000 fresh questions right; 96.85 % of the unseen forms, 62 of the 63
# wrong answers flagged). Like that run, this notebook was built with two
# BLAS threads (`OPENBLAS_NUM_THREADS=2`): with one thread the matrix
# products sum in another order, and training takes another, equally good,
# path. The times above are from an idle two-core machine (the README's
# command through a fresh clone: docs/results.md).
#
# ## Translating the dates people type
#
# `autograd_nlp.load` gives a `Translator`: strings in, and for each an
# `Answer` with the text, the probability of its least sure character, and
# the checks it failed: not a calendar day, another weekday than the
# question names, a number the question does not hold, or a character under
# the calibrated threshold. An answer with no flag is `trusted`.

# %%
translator = ag.load(result.paths["checkpoint"])
questions = ["december 6, 2026", "Sun 6 Dec 26", "12/6/26", "the 4th of july 1976",
             "1999-12-31T23:59:59", "Monday, December 6, 2026", "february 30 2026",
             "next tuesday"]
Markdown("| question | answer | lowest probability | flags | trusted |\n|---|---|---|---|---|\n"
         + "\n".join(f"| {a.question} | {a.text} | {a.lowest:.3f} | {', '.join(a.flags)} "
                     f"| {'yes' if a.trusted else 'no'} |"
                     for a in translator.translate(questions)))

# %% [markdown]
# December 6, 2026 is a Sunday, so the model's answer to "Monday, December
# 6, 2026" fails the weekday check; February has no 30th; "next tuesday"
# names no date, and whatever the model writes is not in the question.
#
# ## Where the model looks
#
# The decoder's attention weights, one row per character it writes and one
# column per character of the question (shown in reading order), for three
# of the dates above:

# %%
def attention_map(translator, question):
    """The answer to ``question`` and its attention weights (answer x question chars)."""
    vocabulary = translator.vocabulary
    text = translator.read(question)
    x = vocabulary.encode_questions([text])
    ids, weights = translator.model.generate(x, vocabulary.start_id,
                                             vocabulary.answer_length - 1,
                                             return_attention=True)
    source = vocabulary.decode(x[0])
    weights = weights[0]
    if vocabulary.reverse:                          # back to reading order
        source, weights = source[::-1], weights[:, ::-1]
    width = len(source.rstrip())
    return vocabulary.decode(ids[0]), source[:width], weights[:, :width]


shown = ["december 6, 2026", "Sun 6 Dec 26", "the 4th of july 1976"]
fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown), 3.4))
for ax, question in zip(axes, shown):
    answer, source, weights = attention_map(translator, question)
    ax.imshow(weights, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), ["␣" if c == " " else c for c in source], fontsize=8)
    ax.set_yticks(range(len(answer)), list(answer), fontsize=8)
    ax.set_title(f"{question} → {answer}", fontsize=9)
fig.tight_layout()

# %% [markdown]
# Writing the year, the model looks at the year's digits (and, for a
# two-digit year, at the two it has); writing the month, at the month's
# name; writing the day, at the day. The book's figure shows the same on
# its own dates.
#
# Next: [07 · the Transformer](07_transformer.ipynb).

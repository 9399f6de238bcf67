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
# # 08 · BERT: pre-training on PTB, then fine-tuning
#
# Keep the Transformer's encoder, drop its decoder, and train the encoder on
# unlabelled text with two tasks the text poses itself: that is BERT (Devlin
# et al. 2019). **Masked LM**: hide 15 % of the words of a pair of sentences
# and predict them from both sides. **Next-sentence prediction (NSP)**: is
# the second sentence the one that follows the first in the corpus, or a
# random one? Then the pre-trained encoder, with a new layer on top, is
# **fine-tuned** on a task with labels.
#
# Written by hand, this is the Transformer's backward pass (attention,
# layer normalisation, GELU) plus the two heads', with the masked LM's
# output tied to the input embedding so that both gradients meet in one
# matrix. Here `Bert` is forward code, and the loss is two cross-entropies
# added. The reference is
# [docs/transformer.md](../transformer.md#bert-pre-training-on-ptb).
#
# At full size the model is `autograd-nlp train bert`'s (dim 128, 2 layers,
# 4 heads, 1.7 million parameters) pre-trained for 600 steps, then fine-tuned
# twice for 2 epochs: 5 to 7 minutes on one core here. The command's own run is
# 3 epochs of 1,314 steps (34 minutes here) and its fine-tuning 5 epochs per
# arm: their numbers are in [docs/results.md](../results.md#bert-on-ptb).
# `AUTOGRAD_NLP_NOTEBOOK_SIZE=small` (what the tests run) uses a one-layer
# model of width 32 and a few dozen steps: every cell runs, nothing is learned.

# %%
import inspect
import os
import tempfile

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Code, Markdown

import autograd_nlp
from autograd_nlp.data import load_ptb
from autograd_nlp.data.bert_pretraining import (IGNORE, make_pretraining_examples,
                                                ptb_vocabulary)
from autograd_nlp.recipes import bert, bert_finetune

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"
sizes = dict(dim=32, heads=2, layers=1) if SMALL else {}        # {}: train bert's
pretrain_steps, warmup = (20, 5) if SMALL else (600, 100)
runs = tempfile.mkdtemp(prefix="bert-")        # checkpoints go here

# %% [markdown]
# ## The examples: PTB poses its own questions
#
# PTB has one sentence per line. Sentence *i* starts the pair
# `[CLS] A [SEP] B [SEP]`; for half of the pairs B is sentence *i* + 1, for the
# others a random sentence. In every pair 15 % of the words are chosen: a
# chosen word becomes `[MASK]` (80 %), a random word (10 %) or stays as it
# is (10 %), and only the chosen positions have a target. The four special
# tokens take the ids after PTB's 10,000 words. Two pairs, each chosen word
# shown as its input → **target** (PTB's first line is a list of rare words):

# %%
corpus, word_to_id, id_to_word = load_ptb("train")
vocab, eos_id = ptb_vocabulary(id_to_word)
examples = make_pretraining_examples(corpus[:3000], eos_id, vocab, max_length=64, seed=1)
print(f"{len(examples)} pairs from the first 3,000 words; shapes {examples.tokens.shape}; "
      f"{examples.is_next.mean():.0%} of them with the true next sentence")


def show_pair(i):
    """The pair's input, each chosen word as input→**target**."""
    shown = []
    for token, target in zip(examples.tokens[i], examples.targets[i]):
        if token == vocab.pad_id:
            break
        word = vocab.words[token]
        shown.append(f"{word}→**{vocab.words[target]}**" if target != IGNORE else word)
    return (f"is next: {bool(examples.is_next[i])}  \n" + " ".join(shown)).replace("[", "\\[")


Markdown(show_pair(0) + "\n\n" + show_pair(1))

# %% [markdown]
# ## The model is its forward code
#
# `Bert` embeds every position as token + segment (A or B) + learned
# position and runs a `TransformerEncoder` over the pair, padding masked.
# The masked-LM head reads the final vectors at the chosen positions only
# and scores them against the token embedding (tied weights); the NSP head
# reads the `[CLS]` vector through a pooler. The loss:

# %%
from autograd_nlp.models.bert import Bert

Code(inspect.getsource(Bert.pretraining_outputs) + inspect.getsource(Bert.pretraining_loss),
     language="python")

# %% [markdown]
# ## Pre-training
#
# `bert.run` is `autograd-nlp train bert`: the 42,067 pairs of PTB's training
# split, batches of 32, Adam (β₂ 0.98) with a linear warm-up and a cosine
# decay, clipping at 1. Here the epoch is cut to `max_iters` steps. After it,
# the recipe scores the 3,369 pairs of PTB's valid split beside the chance
# levels: always answering the most frequent word (*the*) for the masked LM,
# 50 % for NSP.

# %%
pretrained = bert.run(bert.BertConfig(epochs=1, max_iters=pretrain_steps, warmup=warmup,
                                      vector_sentences=0, out=os.path.join(runs, "bert"),
                                      **sizes))

# %% [markdown]
# The training loss of every step, from the trainer's history:

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(pretrained.history["iteration_loss"], lw=0.8)
ax.set_xlabel("step")
ax.set_ylabel("MLM + NSP loss")
ax.grid(alpha=0.3)

# %% [markdown]
# ## What the masked LM guesses
#
# The model's five best words for a hidden word (the `[MASK]` in the
# middle of a sentence of PTB's style). After so short a pre-training they
# are frequent words that fit the slot's neighbourhood, not yet the word:

# %%
model = pretrained.model
model.eval()


def fill_in(sentence, top=5):
    words = sentence.split()
    ids = [vocab.cls_id] + [vocab.mask_id if w == "[MASK]" else word_to_id[w] for w in words]
    tokens = np.array([ids + [vocab.sep_id]])
    col = ids.index(vocab.mask_id)
    with autograd_nlp.no_grad():
        hidden = model(tokens)
        logits = model.mlm_logits(hidden, np.array([0]), np.array([col])).data[0]
    best = np.argsort(logits)[::-1][:top]
    return ", ".join(vocab.words[i] for i in best)


sentences = ["the company said it [MASK] to report higher earnings",
             "the dow jones industrial [MASK] fell N points",
             "shares of the company [MASK] N cents to $ N"]
Markdown("| sentence | the model's best guesses |\n|---|---|\n" + "\n".join(
    f"| {s.replace('[MASK]', '___')} | {fill_in(s)} |" for s in sentences))

# %% [markdown]
# ## The encoder, loaded
#
# `autograd_nlp.load` reads the checkpoint as a `BertEncoder`: `encode`
# reads each sentence alone as `[CLS] sentence [SEP]` and returns its
# words' final-layer vectors, one (words, dim) array per sentence. The
# same word gets a different vector in each context. The cosine similarity
# of the words of two sentences that share *the*, *stock* and *market*: each
# shared word is closest to itself, but not at 1, since its context moved
# it:

# %%
encoder = autograd_nlp.load(pretrained.paths["checkpoint"])
a, b = "the stock market fell sharply", "investors sold stock as the market closed"
va, vb = encoder.encode([a, b])
print(encoder, "->", va.shape, vb.shape)


def unit(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


fig, ax = plt.subplots(figsize=(5.5, 4))
image = ax.imshow(unit(va) @ unit(vb).T, cmap="viridis")
ax.set_yticks(range(len(a.split())), a.split())
ax.set_xticks(range(len(b.split())), b.split(), rotation=45, ha="right")
fig.colorbar(image, ax=ax, label="cosine")
fig.tight_layout()

# %% [markdown]
# ## Fine-tuning, against the same model from scratch
#
# `bert_finetune.run` is `autograd-nlp train bert-finetune`: the encoder,
# its pooler and a new 2-way linear layer on the `[CLS]` vector, trained to
# tell whether a sentence is in PTB's word order or had its words shuffled.
# It trains on PTB's valid split (each sentence once in order and once
# shuffled), which pre-training never read, and is tested on the test
# split; here 10 % of the training examples are carved off for the
# per-epoch validation score, and the test split is scored once, at the end.
# `scratch=True` trains the same model from random weights, with the same
# data, seed and steps: the difference is what pre-training is worth.

# %%
finetune = dict(pretrained=pretrained.paths["checkpoint"], task="shuffle", valid_fraction=0.1,
                epochs=1 if SMALL else 2, **(dict(train_examples=320, max_iters=5) if SMALL else {}))
arms = {}
for scratch in (False, True):
    name = "from scratch" if scratch else "pre-trained"
    arms[name] = bert_finetune.run(bert_finetune.BertFinetuneConfig(
        scratch=scratch, out=os.path.join(runs, "finetune-" + name.replace(" ", "-")),
        **finetune))

# %%
fig, ax = plt.subplots(figsize=(6, 3))
for name, run in arms.items():
    ax.plot(run.history["epoch"], [100 * m["valid accuracy"] for m in run.history["metrics"]],
            "o-", label=name)
ax.axhline(50, color="gray", ls="--", lw=1, label="chance")
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy (%)")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
print(", ".join(f"{name}: test accuracy {100 * run.metrics['test accuracy']:.2f} %"
                for name, run in arms.items()))

# %% [markdown]
# Here pre-training bought nothing: after 600 steps the encoder is above
# chance at the masked LM (9.4 % against 5.9 %) but not yet at next-sentence
# prediction (51.0 %), and fine-tuned it ends level with the random start
# (64.2 % against 66.0 % on the test split, one seed each). In the
# command's full runs (3 epochs of pre-training, 14.5 % masked-token and
# 64.2 % next-sentence accuracy, then 1,045 steps of fine-tuning per arm)
# the pre-trained encoder reaches 73.95 % on the same test split against
# 70.03 % from scratch, and is 9 points ahead after the first epoch
# ([docs/results.md](../results.md#bert-on-ptb)): pre-training pays once the
# encoder has learned something about word order.
#
# Next: [09 · autoencoders](09_autoencoders.ipynb).

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
# # 12 · Handing a model on: PyTorch and ONNX
#
# A model trained here is a checkpoint (`.npz`: the weights and what it takes
# to rebuild the model). When it outgrows a NumPy engine (GPUs at scale, a
# product, a phone), `autograd-nlp export` hands it on, in one command, to
#
# * **PyTorch**: the same architecture as `torch.nn` classes in a plain
#   source file, our weights in its `state_dict`: a module to read, change
#   and train further;
# * **ONNX**: one graph with the weights in it, run by ONNX Runtime (or any
#   other ONNX engine) with no Python model code at all.
#
# Either way the vocabulary and the special ids travel with the model, and
# the export checks its outputs against ours before it writes anything. The
# book has no counterpart: its models live only in its own code. The
# reference is [docs/frameworks.md](../frameworks.md#taking-a-model-trained-here-further).
#
# The model handed on here is the Transformer of the dates task (dates as
# people type them, generated), trained by the recipe without dropout for 3
# epochs on 40,000 dates (90 % of its test dates right): 3 to 6 minutes on
# one core of a shared machine, a shorter run than the recipe's own for this
# data (150,000 dates, 5 epochs; see
# [docs/results.md](../results.md#the-main-job-dates-as-people-write-them)),
# so it still gets some dates wrong. `AUTOGRAD_NLP_NOTEBOOK_SIZE=small` (what
# the tests run) trains a one-layer model of width 32 for one epoch on 2,000
# dates: it is then bad at dates, but everything below holds for it just the
# same, since it is about the export, not the answers.

# %%
import collections
import importlib.util
import json
import os
import tempfile

import numpy as np
import onnx
import onnxruntime
import torch
from IPython.display import Markdown

import autograd_nlp
from autograd_nlp.cli import main as autograd_nlp_command
from autograd_nlp.recipes import transformer

SMALL = os.environ.get("AUTOGRAD_NLP_NOTEBOOK_SIZE", "full") == "small"
os.environ.pop("AUTOGRAD_NLP_DATA", None)   # the generated dates, not the book's date.txt
runs = tempfile.mkdtemp(prefix="export-")   # the checkpoint and the exported files go here

# %% [markdown]
# ## A model to hand on
#
# `transformer.run` is `autograd-nlp train transformer`. It prints the
# test accuracy after every epoch and, for a date model, calibrates the
# confidence under which `translate` flags an answer.

# %%
sizes = dict(dim=32, heads=2, layers=1) if SMALL else {}
result = transformer.run(transformer.TransformerConfig(
    dataset="date", epochs=1 if SMALL else 3, generate_size=2_000 if SMALL else 40_000,
    dropout=0.0, **sizes, out=os.path.join(runs, "transformer")))
checkpoint = result.paths["checkpoint"]

# %% [markdown]
# In autograd_nlp, the checkpoint is one `load` away from a translator:

# %%
questions = ["december 6, 2026", "Sun 6 Dec 26", "6/12/2026", "1999-03-04",
             "Friday, July 4, 1975", "MAY 1 2001"]
translator = autograd_nlp.load(checkpoint)
ours = [answer.text for answer in translator.translate(questions)]
dict(zip(questions, ours))

# %% [markdown]
# ## To ONNX
#
# The command, called from Python (the same as `autograd-nlp export
# --checkpoint CKPT --to onnx date.onnx` in a shell). It runs the graph in
# ONNX Runtime at two batch sizes and two lengths beside our own forward
# pass and reports the largest difference: float32 rounding.

# %%
onnx_path = os.path.join(runs, "date.onnx")
assert autograd_nlp_command(["export", "--checkpoint", checkpoint, "--to", "onnx", onnx_path]) == 0

# %% [markdown]
# A Transformer is not traced from one forward pass (its masks and
# positions depend on the input's length and padding, which a trace would
# freeze): `export/onnx_transformer.py` translates it layer by layer, with
# the padding mask computed inside the graph from the ids. The graph's
# nodes by type:

# %%
graph = onnx.load(onnx_path)
counts = collections.Counter(node.op_type for node in graph.graph.node)
print(f"{len(graph.graph.node)} nodes, {len(graph.graph.initializer)} weight tensors, "
      f"{os.path.getsize(onnx_path) / 1e6:.1f} MB")
print(", ".join(f"{op} {n}" for op, n in counts.most_common()))

# %% [markdown]
# ### A raw string through ONNX Runtime alone
#
# What follows uses NumPy and `onnxruntime` only, as a program on another
# machine would. The file carries the vocabulary and the facts of the
# task in its metadata: pad the question with spaces, reverse it if the model
# was trained so, start the answer with `start_id`, and call the graph with
# the answer so far until it is `answer_length` characters long (greedy
# decoding).

# %%
session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
facts = {k: json.loads(v) for k, v in session.get_modelmeta().custom_metadata_map.items()}
{k: facts[k] for k in ("kind", "question_length", "answer_length", "reverse", "start_id",
                       "inputs", "outputs")}

# %%
char_id = {c: i for i, c in enumerate(facts["vocab"])}


def onnx_translate(question):
    text = question.strip().ljust(facts["question_length"])
    xs = np.array([[char_id[c] for c in text]], dtype=np.int64)
    if facts["reverse"]:
        xs = np.ascontiguousarray(xs[:, ::-1])
    ys = np.array([[facts["start_id"]]], dtype=np.int64)
    for _ in range(facts["answer_length"]):
        logits = session.run(["logits"], {"xs": xs, "ys": ys})[0]
        ys = np.concatenate([ys, logits[:, -1:].argmax(axis=-1)], axis=1)
    return "".join(facts["vocab"][i] for i in ys[0, 1:]).rstrip()


onnx_answers = [onnx_translate(q) for q in questions]
Markdown("| question | ONNX Runtime | autograd_nlp |\n|---|---|---|\n" + "\n".join(
    f"| {q} | {a} | {b} |" for q, a, b in zip(questions, onnx_answers, ours)))

# %%
print("the same answers:", onnx_answers == ours)

# %% [markdown]
# The answers are the model's, right or wrong (*MAY 1 2001* became
# 2001-05-11), and ONNX Runtime gives the same ones.
#
# ## To PyTorch
#
# `--to torch date.pt` writes three files: `date.pt` (the weights, loaded
# with `weights_only=True`: opening it runs no code), `date.py` (the
# `torch.nn` classes, importing nothing but torch) and `date.json` (the
# same facts as the ONNX metadata).

# %%
torch_path = os.path.join(runs, "date.pt")
assert autograd_nlp_command(["export", "--checkpoint", checkpoint, "--to", "torch", torch_path]) == 0
sorted(name for name in os.listdir(runs) if name.startswith("date."))

# %% [markdown]
# The written `date.py` is imported like any file, and `load` gives an
# ordinary `nn.Module` in eval mode, whose `generate` decodes greedily:

# %%
spec = importlib.util.spec_from_file_location("date_module", os.path.join(runs, "date.py"))
date_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(date_module)

module = date_module.load(torch_path)
torch_facts = date_module.read_facts(torch_path)
print(type(module).__name__, f"{sum(p.numel() for p in module.parameters()):,} parameters")


def torch_translate(questions):
    rows = [[char_id[c] for c in q.strip().ljust(torch_facts["question_length"])]
            for q in questions]
    xs = torch.tensor(rows, dtype=torch.int64)
    if torch_facts["reverse"]:
        xs = xs.flip(1)
    ys = module.generate(xs, torch_facts["start_id"], torch_facts["answer_length"])
    return ["".join(torch_facts["vocab"][i] for i in row).rstrip() for row in ys.tolist()]


torch_answers = torch_translate(questions)
print("the same answers:", torch_answers == ours)

# %% [markdown]
# It is a module to train on, too: three steps of plain SGD in PyTorch
# (teacher-forced cross-entropy on the first question, our answer as the
# target) lower its loss. A user who moves on continues from here, on a GPU
# or under `DistributedDataParallel`.

# %%
xs = torch.tensor([[char_id[c] for c in questions[0].ljust(torch_facts["question_length"])]])
xs = xs.flip(1) if torch_facts["reverse"] else xs
answer = [torch_facts["start_id"]] + [char_id[c] for c in ours[0].ljust(torch_facts["answer_length"])]
ys = torch.tensor([answer])

module.train()
optimizer = torch.optim.SGD(module.parameters(), lr=0.01)
losses = []
for step in range(3):
    logits = module(xs, ys[:, :-1])
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ys[:, 1:].flatten())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print("loss before each step:", [f"{x:.4g}" for x in losses])

# %% [markdown]
# The same conversion without files is `autograd_nlp.export.torch.to_torch(model)`,
# and every model of the series exports this way: the chapter models (ONNX
# graphs traced from one recorded forward pass, an LSTM unrolled into its
# steps), word2vec's vectors, the Transformer family, BERT and its
# fine-tuned classifier, the autoencoders and the policies
# ([docs/frameworks.md](../frameworks.md#taking-a-model-trained-here-further)
# lists the graphs each exports). This is the end of the series; back to the
# start: [00 · the engine](00_engine.ipynb).

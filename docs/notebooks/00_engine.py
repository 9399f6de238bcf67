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
# # 00 · The engine: write the forward pass, get the backward pass
#
# In *Deep Learning from Scratch 2* every layer is a class with a `forward`
# and a hand-written `backward`, and chapter 1 checks them by hand. Here you
# write only the forward computation: `autograd_nlp` records a graph while
# it runs (*define-by-run*, as DeZero and PyTorch do) and walks it backwards
# when you call `backward()`. Every model of the later notebooks is forward
# code only.
#
# This notebook: Variables and Functions, the recorded graph as a picture,
# an op of your own and its gradient check, higher-order derivatives, and
# cutting a graph (which is all truncated BPTT is). It runs in seconds.
# The reference is [docs/engine.md](../engine.md).

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_nlp as ag
import autograd_nlp.functions as F

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Variable and Function
#
# A `Variable` wraps a NumPy array. Every op (`+`, `*`, `F.tanh`, ...) is a
# `Function` that computes its output and remembers its inputs, so that
# `backward()` can find its way back.

# %%
x = ag.Variable(np.array([0.5, -1.0, 2.0]), name="x")
y = (F.tanh(x) * x).sum()
y.backward()
x.grad

# %% [markdown]
# That is d/dx of Σ tanh(x)·x, which by hand is tanh(x) + x·(1 − tanh²(x)):

# %%
t = np.tanh(x.data)
t + x.data * (1 - t ** 2)

# %% [markdown]
# `y` is the end of the graph that was recorded. In a notebook a Variable that
# an op made shows itself as that graph (values as ellipses, Functions as
# boxes; the caption is its value):

# %%
y

# %% [markdown]
# Gradients **accumulate** across uses and calls, as in PyTorch: call
# `x.cleargrad()` (or `model.cleargrads()`) before the next backward.

# %%
x.cleargrad()
z = x * x + x          # dz/dx = 2x + 1
z.backward(grad=np.ones(3))
x.grad

# %% [markdown]
# ## An op of your own, and its gradient check
#
# Subclass `ag.Function`: `forward` works on arrays, `backward` on Variables.
# Writing `backward` with differentiable ops gives second derivatives for free.
# `ag.gradcheck` compares it with central differences in float64, element by
# element, as the book's chapter 1 does by hand for each layer.

# %%
class Cube(ag.Function):
    def forward(self, x):
        return x ** 3

    def backward(self, gy):
        x, = self.inputs
        return gy * 3 * x ** 2


def cube(x):
    return Cube()(x)


rng = np.random.default_rng(0)
x1, x2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
ag.gradcheck(cube, x1), ag.gradgradcheck(cube, x2)

# %% [markdown]
# A wrong backward is caught, and the message names the worst element:

# %%
class WrongCube(Cube):
    def backward(self, gy):
        x, = self.inputs
        return gy * 2 * x ** 2          # should be 3


try:
    ag.gradcheck(lambda v: WrongCube()(v), np.array([1.0, 2.0]))
except ag.GradcheckError as e:
    print(e)

# %% [markdown]
# A whole model is checked the same way, parameter by parameter, with
# `ag.check_module` (in float64). Here a small LSTM language model of the
# kind chapter 6 trains:

# %%
from IPython.display import Markdown

from autograd_nlp.layers import LSTM, Embedding, Linear, Module


class TinyLM(Module):
    def __init__(self, vocab_size, wordvec_size=4, hidden_size=5):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, stateful=True)
        self.out = Linear(hidden_size, vocab_size)

    def forward(self, xs):                         # (batch, time) ids -> logits
        return self.out(self.lstm(self.embed(xs)))


with ag.default_dtype(np.float64):
    model = TinyLM(vocab_size=7)
xs, ts = rng.integers(0, 7, (2, 3)), rng.integers(0, 7, (2, 3))
reports = ag.check_module(model, lambda: F.softmax_cross_entropy(model(xs), ts))
Markdown("| parameter | shape | max abs error | max rel error | |\n|---|---|---|---|---|\n"
         + "\n".join(f"| `{r.name}` | {r.shape} | {r.max_abs_error:.1e} | "
                     f"{r.max_rel_error:.1e} | {'pass' if r.passed else 'FAIL'} |"
                     for r in reports))

# %% [markdown]
# ## Higher-order derivatives
#
# `backward(create_graph=True)` records the backward pass too, so a gradient
# is a graph that can be differentiated again. The n-th derivative of tanh,
# differentiating the previous one each time:

# %%
x = ag.Variable(np.linspace(-4, 4, 200))
y = F.tanh(x)
curves = {"tanh": y.data}
for order in range(1, 5):
    x.cleargrad()
    y.backward(create_graph=True, grad=np.ones_like(x.data))
    y = x.grad                                   # the order-th derivative, still a graph
    curves[f"order {order}"] = y.data

fig, ax = plt.subplots(figsize=(6, 3.5))
for label, values in curves.items():
    ax.plot(x.data, values, label=label)
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# Newton's method on f(x) = x⁴ − 2x² uses the second derivative, taken by
# differentiating the first:

# %%
x = ag.Variable(np.array(2.0))
for i in range(6):
    y = x ** 4 - 2 * x ** 2
    x.cleargrad()
    y.backward(create_graph=True)
    gx = x.grad                      # f'(x) as a graph
    x.cleargrad()
    gx.backward()                    # f''(x) in x.grad
    x = ag.Variable(x.data - gx.data / x.grad.data)
    print(i, float(x.data))

# %% [markdown]
# ## Pictures of graphs, and cutting them
#
# `ag.scope(name)` groups the ops recorded inside it; a picture draws each
# scope as a cluster. Three steps of a tanh RNN, h = tanh(h W):

# %%
W = ag.Parameter(rng.standard_normal((3, 3)), name="W", dtype=np.float64)
h = ag.Variable(rng.standard_normal((1, 3)), name="h0")
for t in range(3):
    with ag.scope(f"rnn t={t}"):
        h = F.tanh(F.linear(h, W))
loss = h.sum()
loss

# %% [markdown]
# `ag.to_dot(...)` takes options and returns a Graphviz object that displays
# itself too: `fold="repeats"` draws identical consecutive steps once,
# labelled ×N (how a 35-step BPTT chunk stays readable), `rankdir="LR"` lays
# it out left to right.

# %%
ag.to_dot(loss, fold="repeats", rankdir="LR")

# %% [markdown]
# Cutting a graph keeps the values and drops the history: `h.unchain()`
# forgets how `h` was made, and the picture marks the cut in red. Truncated
# backpropagation through time is nothing more (notebook 03).

# %%
h.unchain()
with ag.scope("rnn t=3"):
    h = F.tanh(F.linear(h, W))
h.sum()

# %% [markdown]
# Next: [01 · count-based word vectors](01_count_based.ipynb).

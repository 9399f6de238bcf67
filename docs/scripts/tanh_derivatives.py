"""Plot tanh and its first four derivatives, each obtained by differentiating
the previous one with ``create_graph=True`` (docs/engine.md).

    python docs/scripts/tanh_derivatives.py docs/images/tanh_derivatives.png
"""
import sys

import numpy as np

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.training import save_curves

x = ag.Variable(np.linspace(-4, 4, 200), name="x")
y = F.tanh(x)
curves = {"tanh": (x.data, y.data.copy())}
for order in range(1, 5):
    x.cleargrad()
    y.backward(create_graph=True, grad=np.ones_like(x.data))
    y = x.grad
    curves[f"order {order}"] = (x.data, y.data.copy())
out = sys.argv[1] if len(sys.argv) > 1 else "tanh_derivatives.png"
save_curves(out, curves, "x", "value", title="tanh and its derivatives (create_graph=True)")
print(f"wrote {out}")

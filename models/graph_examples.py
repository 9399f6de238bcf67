"""Small built-in networks for ``autograd-nlp graph`` and ``gradcheck``."""
import numpy as np

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.layers import LSTM, RNN, Linear, Module


class MLP(Module):
    """A two-layer perceptron classifier: x (batch, 4) -> logits (batch, 3)."""

    def __init__(self, in_size=4, hidden=8, classes=3):
        super().__init__()
        self.hidden = Linear(in_size, hidden)
        self.out = Linear(hidden, classes)

    def forward(self, x):
        return self.out(F.sigmoid(self.hidden(x)))


def _rng():
    return np.random.default_rng(0)


def mlp_example(**_):
    model = MLP()
    x = ag.Variable(_rng().standard_normal((5, 4)).astype(np.float32), name="x")
    t = _rng().integers(0, 3, 5)
    return model, lambda: F.softmax_cross_entropy(model(x), t), "MLP + softmax cross-entropy"


def rnn_example(time=3, **_):
    model = RNN(3, 4, name="rnn")
    xs = _rng().standard_normal((2, time, 3)).astype(np.float32)
    return model, lambda: (model(xs) ** 2).mean(), f"tanh RNN unrolled over {time} steps"


def lstm_example(time=3, **_):
    model = LSTM(3, 4, name="lstm")
    xs = _rng().standard_normal((2, time, 3)).astype(np.float32)
    return model, lambda: (model(xs) ** 2).mean(), f"LSTM unrolled over {time} steps"


def rnnlm_example(time=3, **_):
    """An LSTM language model after one truncated-BPTT cut: the first chunk
    has run and ``unchain()`` cut its graph; the loss is of the second chunk."""
    from autograd_nlp.models.rnnlm import Rnnlm
    model = Rnnlm(vocab_size=20, wordvec_size=6, hidden_size=5)
    ids = _rng().integers(0, 20, (2, 2 * time + 1))
    model(ids[:, :time])            # chunk 1, then the cut
    model.unchain()
    state = tuple(v.data.copy() for v in model.lstm.state)
    cut = model.lstm.state[0].cut       # the op cut through: LSTMStep, or LSTMSequence fused

    def loss():
        model.lstm.set_state(tuple(ag.Variable(a) for a in state))
        for v, name in zip(model.lstm.state, ("h (carried)", "c (carried)")):
            v.name, v.cut = name, cut
        return F.softmax_cross_entropy(model(ids[:, time:2 * time]), ids[:, time + 1:])
    return model, loss, f"LSTM language model, {time} steps after a truncation"


def transformer_example(time=3, layers=1, **_):
    """A Transformer encoder-decoder (dim 8, 2 heads, ``layers`` layers
    each): each layer, sub-layer and LayerNorm is a scope (a cluster in the
    picture, nested); the heads live in one (batch, heads, T, S) array, so
    they are drawn once, whatever their number."""
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    model = TransformerSeq2seq(vocab_size=10, dim=8, num_heads=2, num_layers=layers,
                               ff_hidden=16, dropout=0.0)
    xs, ts = _rng().integers(0, 10, (2, time + 1)), _rng().integers(0, 10, (2, time + 1))
    return model, lambda: model(xs, ts), (f"Transformer, {layers}+{layers} layers, "
                                          f"{time} output steps")


EXAMPLES = {"mlp": mlp_example, "rnn": rnn_example, "lstm": lstm_example,
            "rnnlm": rnnlm_example, "transformer": transformer_example}


def build(name, **options):
    if name not in EXAMPLES:
        raise SystemExit(f"unknown example {name!r}; choose from {', '.join(EXAMPLES)}")
    return EXAMPLES[name](**options)

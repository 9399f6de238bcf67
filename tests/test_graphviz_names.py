"""Graph pictures name Parameters by their path in the module drawn
(embed.W, not W twice) and label the outputs of multi-output ops (h, c)."""
import re

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.layers import LSTM, Embedding, Linear, Module


class TinyLM(Module):
    def __init__(self):
        super().__init__()
        self.embed = Embedding(7, 4)
        self.lstm = LSTM(4, 5, stateful=True)
        self.out = Linear(5, 7)

    def forward(self, xs):
        return self.out(self.lstm(self.embed(xs)))


def labels(dot):
    """Every node label of a dot source, newlines as '|'."""
    found = re.findall(r'label=(?:"((?:[^"\\]|\\.)*)"|([^\s\]"]+))', dot.source)
    return [(quoted or bare).replace("\n", "|") for quoted, bare in found]


def lm_loss(unrolled=False):
    ag.random.seed(0)
    model = TinyLM()
    xs = np.array([[1, 2, 3], [4, 5, 6]])
    if unrolled:
        with ag.unrolled():
            return model, F.softmax_cross_entropy(model(xs), xs)
    return model, F.softmax_cross_entropy(model(xs), xs)


def test_parameters_are_named_by_their_module_path():
    model, loss = lm_loss()
    names = [label.split("|")[0] for label in labels(ag.to_dot(loss, module=model))]
    expected = [name for name, _ in model.named_params()]
    assert expected == ["embed.W", "lstm.cell.Wx", "lstm.cell.Wh", "lstm.cell.b",
                        "out.W", "out.b"]
    for name in expected:
        assert names.count(name) == 1, name
    assert "W" not in names


def test_without_the_module_parameters_keep_their_attribute_names():
    model, loss = lm_loss()
    names = [label.split("|")[0] for label in labels(ag.to_dot(loss))]
    assert names.count("W") == 2 and "embed.W" not in names


def test_a_shared_parameter_is_drawn_once_by_its_first_path():
    ag.random.seed(0)
    embed = Embedding(5, 3)

    class Tied(Module):
        def __init__(self):
            super().__init__()
            self.embed = embed
            self.decoder = Linear(3, 5)
            self.decoder.W = embed.W          # tied: one Parameter, two paths

        def forward(self, ids):
            return F.matmul(self.embed(ids), self.embed.W.T)

    model = Tied()
    y = model(np.array([0, 1])).sum()
    names = [label.split("|")[0] for label in labels(ag.to_dot(y, module=model))]
    assert names.count("embed.W") == 1 and "decoder.W" not in names


def test_lstm_step_outputs_are_labelled_h_and_c():
    model, loss = lm_loss(unrolled=True)
    found = labels(ag.to_dot(loss, module=model, fold=None))
    steps = sum(1 for label in found if label == "LSTMStep")
    assert steps == 3
    # each step's h and c (the last step's c feeds nothing drawn but is an output)
    assert sum(1 for label in found if label.startswith("h|(2, 5)")) >= steps
    assert sum(1 for label in found if label.startswith("c|(2, 5)")) >= steps - 1


def test_the_fused_lstm_outputs_are_labelled_and_edges_name_them():
    model, loss = lm_loss()
    found = labels(ag.to_dot(loss, module=model))
    assert any(label.startswith("hs|(2, 3, 5)") for label in found)
    # without variable nodes, the edge from the op carries the output's name
    source = ag.to_dot(loss, module=model, show_variables=False).source
    assert 'label="hs (2, 3, 5)"' in source


def test_a_named_variable_keeps_its_own_name():
    model, _ = lm_loss()
    model.lstm.reset_state()
    hs = model.lstm(model.embed(np.array([[1, 2]])))       # the fused op's output "hs"
    hs.name = "states"
    found = labels(ag.to_dot(hs.sum(), module=model))
    assert any(label.startswith("states|(1, 2, 5)") for label in found)
    assert not any(label.startswith("hs|") for label in found)


def test_module_must_be_a_module():
    _, loss = lm_loss()
    with pytest.raises(TypeError, match="module must be a Module"):
        ag.to_dot(loss, module={"W": 1})


def test_render_graph_passes_the_module_on(tmp_path):
    model, loss = lm_loss()
    written, _ = ag.render_graph(loss, tmp_path / "g.dot", module=model)
    assert "lstm.cell.Wh" in (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert written[0].endswith("g.dot")

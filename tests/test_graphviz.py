"""Graph export: node styles, cuts, clusters, folding, depth cut, rendering."""
import re
import shutil

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import graphviz as ag_graphviz
from autograd_nlp.models import graph_examples as examples


def unrolled_rnn(steps=5, cut_after=None):
    rng = np.random.default_rng(0)
    W = ag.Parameter(rng.standard_normal((3, 3)), name="W_h")
    x = ag.Variable(rng.standard_normal((2, 3)), name="x")
    h = ag.Variable(np.zeros((2, 3), dtype=np.float32), name="h0")
    for t in range(steps):
        with ag.scope(f"rnn t={t}"):
            h = F.tanh(F.linear(h, W) + x)
        if cut_after is not None and t == cut_after:
            h.unchain()
    return h.sum()


def test_dot_has_ops_variables_and_highlighted_parameters():
    src = ag.to_dot(unrolled_rnn(2), fold=None).source
    for op in ("Linear", "Add", "Tanh", "Sum"):
        assert f"label={op}" in src
    assert "W_h" in src and "#f6c879" in src          # parameter fill colour
    assert "(2, 3) float" in src
    assert "cluster" not in src


def test_truncation_is_drawn_as_a_cut():
    src = ag.to_dot(unrolled_rnn(4, cut_after=1)).source
    assert "✂ cut" in src and "was Tanh" in src and "color=red" in src
    assert src.count("label=Tanh") == 2              # only the steps after the cut


def test_scopes_become_clusters_and_repeats_fold():
    loss = unrolled_rnn(6)
    flat = ag.to_dot(loss, fold="clusters").source
    assert flat.count("subgraph cluster_") == 6
    folded = ag.to_dot(loss, fold="repeats").source
    assert folded.count("subgraph cluster_") == 1
    assert "×6" in folded and folded.count("label=Tanh") == 1


def test_max_depth_cuts_the_drawing():
    src = ag.to_dot(unrolled_rnn(5), max_depth=4, fold=None).source
    assert src.count("label=Tanh") == 1 and "graph continues" in src


def test_hidden_variables_connect_functions_directly():
    src = ag.to_dot(unrolled_rnn(2), show_variables=False, fold=None).source
    assert "label=\"(2, 3)\"" in src            # shapes move onto the edges
    assert src.count(" float") == 3                # only the leaves x, h0 and W_h


def test_gradient_shapes_on_request():
    loss = unrolled_rnn(2)
    loss.backward()
    assert "grad (3, 3)" in ag.to_dot(loss, show_grad=True).source


def test_large_graph_exports(tmp_path):
    x = ag.Variable(np.ones(2))
    y = x
    for _ in range(5000):
        y = F.tanh(y)
    src = ag.to_dot(y.sum(), fold=None).source
    assert src.count("label=Tanh") == 5000


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz `dot` is not installed (CI installs it)")
def test_render_svg_for_real(tmp_path):
    written, message = ag.render_graph(unrolled_rnn(3, cut_after=0), tmp_path / "rnn.svg")
    assert [p.rsplit(".", 1)[1] for p in written] == ["dot", "svg"]
    svg = (tmp_path / "rnn.svg").read_text()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    for op in ("Linear", "Tanh", "Add", "Sum"):
        assert f">{op}<" in svg


def test_render_without_dot_writes_dot_and_explains(tmp_path, monkeypatch):
    monkeypatch.setattr(ag_graphviz.shutil, "which", lambda name: None)
    written, message = ag.render_graph(unrolled_rnn(2), tmp_path / "g", format="png")
    assert written == [str(tmp_path / "g.dot")]
    assert "apt-get install graphviz" in message


# ---- folding the per-step inputs and outputs: the picture does not grow with T ----

def dot_nodes(src):
    """Node statements of a DOT source, as (id, label) pairs."""
    return re.findall(r'^\s*((?:v|f|cut)\d+) \[label=("[^"]*"|\S+)', src, re.M)


def rnnlm_dot(time):
    with ag.unrolled():                   # one LSTMStep per time step
        model, loss_fn, _ = examples.build("rnnlm", time=time)
        for name, p in model.named_params():
            p.name = name
        return ag.to_dot(loss_fn(), fold="repeats").source


def step_labels(src):
    return sorted(re.sub(r"\d+", "N", label) for _, label in dot_nodes(src))


def test_rnnlm_folded_picture_is_the_same_for_5_and_50_steps():
    short, long = rnnlm_dot(5), rnnlm_dot(50)
    assert len(dot_nodes(short)) == len(dot_nodes(long))
    assert step_labels(short) == step_labels(long)
    assert short.count(" -> ") == long.count(" -> ")
    # the 50 per-step inputs (outputs of Unstack) are one node saying so
    assert '(2, 20) float32\n×50"' in long and long.count("(2, 20) float32") == 1
    with ag.unrolled():
        unfolded = ag.to_dot(examples.build("rnnlm", time=50)[1](), fold="clusters").source
    assert len(dot_nodes(unfolded)) > len(dot_nodes(long)) + 90


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz `dot` is not installed (CI installs it)")
def test_rnnlm_folded_svg_size_does_not_grow_with_time(tmp_path):
    sizes = []
    for time in (5, 50):
        with ag.unrolled():
            model, loss_fn, _ = examples.build("rnnlm", time=time)
            loss = loss_fn()
        ag.render_graph(loss, tmp_path / f"r{time}.svg", fold="repeats")
        svg = (tmp_path / f"r{time}.svg").read_text()
        width, height = (float(v) for v in
                         re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
        sizes.append((width, height))
    (w5, h5), (w50, h50) = sizes
    assert w50 <= 1.1 * w5 and h50 <= 1.1 * h5, sizes


def decoder_loss(steps, heads=1):
    """A decoder written step by step: a per-step embedding lookup plus a
    slice of other features (unscoped), the recurrent step (scoped), a
    per-step output layer and a per-step loss against a per-step target
    (unscoped)."""
    rng = np.random.default_rng(0)
    E = ag.Parameter(rng.standard_normal((7, 3)), name="E")
    Wx = ag.Parameter(rng.standard_normal((3, 4)), name="Wx")
    Wh = ag.Parameter(rng.standard_normal((4, 4)), name="Wh")
    Wo = [ag.Parameter(rng.standard_normal((4, 7)), name=f"Wo{k}") for k in range(heads)]
    ids = rng.integers(0, 7, (2, steps))
    feats = ag.Variable(rng.standard_normal((2, steps, 3)), name="feats")
    h = ag.Variable(np.zeros((2, 4)), name="h0")
    losses = []
    for t in range(steps):
        x = F.embedding(E, ids[:, t]) + F.getitem(feats, (slice(None), t))
        with ag.scope(f"dec t={t}"):
            h = F.tanh(F.linear(x, Wx) + F.linear(h, Wh))
        for W in Wo:
            target = ag.Variable(rng.integers(0, 7, 2))
            losses.append(F.softmax_cross_entropy(F.linear(h, W), target))
    return F.stack(losses).sum()


def test_per_step_inputs_and_outputs_of_a_decoder_fold():
    short = ag.to_dot(decoder_loss(3), fold="repeats").source
    long = ag.to_dot(decoder_loss(12), fold="repeats").source
    assert len(dot_nodes(short)) == len(dot_nodes(long))
    assert step_labels(short) == step_labels(long)
    for op in ("Embedding", "GetItem", "Add", "Linear", "SoftmaxCrossEntropy"):
        assert f'label="{op}\n×12"' in long, op
    assert '"(2,) int64\n×12"' in long            # the per-step ids and targets
    assert long.count("label=Tanh") == 1 and "(×12)" in long


def test_distinct_output_heads_are_not_merged():
    """Two output layers with their own weights on the same state stay two."""
    src = ag.to_dot(decoder_loss(4, heads=2), fold="repeats").source
    assert "Wo0" in src and "Wo1" in src
    heads = [label for _, label in dot_nodes(src) if label.startswith('"Linear\n×')]
    assert heads == ['"Linear\n×4"', '"Linear\n×4"'], heads


def test_unfolded_decoder_draws_every_step():
    src = ag.to_dot(decoder_loss(5), fold="clusters").source
    assert src.count("label=Embedding") == 5 and src.count("label=SoftmaxCrossEntropy") == 5


def test_nested_scopes_become_nested_clusters():
    x = ag.Variable(np.ones((2, 3)), name="x")
    with ag.scope("layer-0"):
        with ag.scope("attention"):
            y = F.tanh(x)
        y = y * 2.0
    src = ag.to_dot(y.sum()).source
    outer = src.index("subgraph cluster_layer_0 {")
    inner = src.index("subgraph cluster_layer_0_attention {")
    assert outer < inner and 'label="layer-0"' in src and "label=attention" in src
    assert "layer-0/attention" not in src            # the inner label is its own name


def test_collapsed_scopes_are_one_box_per_call():
    """Two LayerNorm calls under the same scope path are two boxes; their
    inner ops, inner values and the eps constant are not drawn; the values
    that leave a box are."""
    from autograd_nlp.layers import LayerNorm
    rng = np.random.default_rng(0)
    norm_a, norm_b = LayerNorm(4), LayerNorm(4)
    x = ag.Variable(rng.standard_normal((2, 4)), name="x")
    y = F.tanh(norm_a(x)) + norm_b(x)
    full = ag.to_dot(y.sum()).source
    src = ag.to_dot(y.sum(), collapse=("layer-norm",)).source
    assert src.count("shape=box3d") == 2 and "layer-norm\n(" in src
    assert "1e-05" in full and "1e-05" not in src
    assert src.count("label=Tanh") == 1 and src.count("label=Add") == 1
    boxes = re.findall(r"(box_\w+) \[", src)
    assert len(set(boxes)) == 2
    for box in boxes:                    # x and gamma/beta in, one value out
        assert len(re.findall(rf"-> {box}\b", src)) == 3
        assert len(re.findall(rf"{box} ->", src)) == 1
    assert src.count("shape=") < full.count("shape=") - 10

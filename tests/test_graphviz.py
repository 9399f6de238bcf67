"""Graph export: node styles, cuts, clusters, folding, depth cut, rendering."""
import shutil

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import graphviz as ag_graphviz


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

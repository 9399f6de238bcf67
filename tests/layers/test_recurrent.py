"""Recurrent cells and sequence layers: gradients (float64), truncated BPTT,
statefulness, and agreement with torch.nn where it is installed."""
import contextlib

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.core import ShapeError
from autograd_nlp.layers import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, Stacked

CELLS = [RNNCell, LSTMCell, GRUCell]
SEQUENCES = [RNN, LSTM, GRU]


def float64(make):
    with ag.default_dtype(np.float64):
        return make()


def param_check(module, loss_fn):
    """gradcheck every parameter of ``module`` for the scalar ``loss_fn()``."""
    return ag.gradcheck_module(module, loss_fn)


@pytest.mark.parametrize("cell_class", CELLS, ids=lambda c: c.__name__)
def test_cell_gradcheck(cell_class):
    cell = float64(lambda: cell_class(3, 2))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    state = tuple(rng.standard_normal((4, 2)) for _ in range(cell.state_size))

    def loss():
        h, new_state = cell(x, tuple(ag.Variable(s) for s in state))
        return (h * h).sum() + sum((s * 0.5).sum() for s in new_state)
    assert param_check(cell, loss)
    # and with respect to the input and the state
    assert ag.gradcheck(lambda x_, *s: cell(x_, s)[0], x, *state)


@pytest.mark.parametrize("seq_class", SEQUENCES, ids=lambda c: c.__name__)
def test_three_step_sequence_gradcheck(seq_class):
    layer = float64(lambda: seq_class(3, 2))
    xs = np.random.default_rng(1).standard_normal((2, 3, 3))
    assert param_check(layer, lambda: (layer(xs) ** 2).sum())
    assert ag.gradcheck(lambda x: layer(x), xs)


def test_unchain_stops_gradients_while_the_state_carries_on():
    layer = float64(lambda: LSTM(3, 2, stateful=True))
    rng = np.random.default_rng(2)
    first = ag.Variable(rng.standard_normal((2, 4, 3)))
    second = rng.standard_normal((2, 4, 3))
    layer(first)
    carried = tuple(v.data.copy() for v in layer.state)
    layer.unchain()
    assert all(v.creator is None and v.cut == "LSTMSequence" for v in layer.state)
    hs = layer(second)
    hs.sum().backward()
    assert first.grad is None, "gradient crossed the truncation"
    assert layer.cell.Wh.grad is not None
    from_values = layer(second, state=tuple(ag.Variable(a) for a in carried))
    np.testing.assert_array_equal(hs.data, from_values.data)


def test_stateful_equals_one_long_sequence():
    layer = float64(lambda: LSTM(3, 4, stateful=True))
    xs = np.random.default_rng(3).standard_normal((2, 6, 3))
    whole = layer(xs).data
    layer.reset_state()
    a = layer(xs[:, :2]).data
    layer.unchain()
    b = layer(xs[:, 2:]).data
    np.testing.assert_allclose(np.concatenate([a, b], axis=1), whole, rtol=1e-12)


def test_book_gate_layout_is_reordered_into_ours():
    """Weights in the book's TimeLSTM layout [f, g, i, o] give the book's step."""
    H, rng = 3, np.random.default_rng(8)
    Wx, Wh, b = rng.standard_normal((2, 4 * H)), rng.standard_normal((H, 4 * H)), \
        rng.standard_normal(4 * H)
    x, h, c = rng.standard_normal((5, 2)), rng.standard_normal((5, H)), \
        rng.standard_normal((5, H))
    A = x @ Wx + h @ Wh + b
    sig = lambda a: 1 / (1 + np.exp(-a))     # noqa: E731
    f, g, i, o = sig(A[:, :H]), np.tanh(A[:, H:2 * H]), sig(A[:, 2 * H:3 * H]), sig(A[:, 3 * H:])
    book_c = f * c + g * i
    book_h = o * np.tanh(book_c)
    cell = LSTMCell(2, H).astype(np.float64)
    cell.Wx.data[...], cell.Wh.data[...], cell.b.data[...] = Wx, Wh, b
    cell.reorder_gates_from_book()
    ours_h, (_, ours_c) = cell(ag.Variable(x), (ag.Variable(h), ag.Variable(c)))
    np.testing.assert_allclose(ours_h.data, book_h, rtol=1e-12)
    np.testing.assert_allclose(ours_c.data, book_c, rtol=1e-12)


def test_stateless_starts_from_zero_every_call():
    layer = LSTM(3, 4)
    xs = np.random.default_rng(4).standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(xs).data, layer(xs).data)


def test_return_state_and_initial_state():
    layer = float64(lambda: GRU(3, 4))
    xs = np.random.default_rng(5).standard_normal((2, 5, 3))
    hs, (h,) = layer(xs, return_state=True)
    np.testing.assert_array_equal(hs.data[:, -1], h.data)
    hs2 = layer(xs[:, 3:], state=layer(xs[:, :3], return_state=True)[1])
    np.testing.assert_allclose(hs2.data, hs.data[:, 3:], rtol=1e-12)


def test_stacked_layers_with_dropout_between():
    stack = Stacked([LSTM(3, 4, stateful=True, name="lstm1"),
                     LSTM(4, 4, stateful=True, name="lstm2")], dropout=0.5)
    xs = np.ones((2, 3, 3), dtype=np.float32)
    stack.eval()
    a = stack(xs).data
    stack.reset_state()
    assert np.array_equal(stack(xs).data, a)
    stack.train()
    stack.reset_state()
    assert not np.array_equal(stack(xs).data, a)
    stack.unchain()
    assert all(v.creator is None for layer in stack.layers for v in layer.state)


def test_bad_input_rank_is_explained():
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        LSTM(3, 2)(np.ones((2, 3), dtype=np.float32))


def test_truncated_bptt_keeps_the_live_graph_bounded():
    layer = LSTM(4, 8, stateful=True)
    out = ag.Parameter(np.random.default_rng(6).standard_normal((8, 1)))
    xs = np.ones((2, 5, 4), dtype=np.float32)
    counts = []
    for it in range(60):
        loss = F.linear(layer(xs), out).sum()
        loss.backward()
        layer.unchain()
        del loss
        if it % 20 == 19:
            counts.append(ag.live_function_count())
    assert counts[0] == counts[-1], f"live Functions grew: {counts}"


def test_forgetting_unchain_shows_in_graph_stats():
    layer = LSTM(2, 3, stateful=True)
    xs = np.ones((1, 4, 2), dtype=np.float32)
    sizes = [ag.graph_stats(layer(xs).sum())["functions"] for _ in range(3)]
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize("ours,name", [(LSTM, "LSTM"), (GRU, "GRU"), (RNN, "RNN")])
def test_matches_torch_nn(ours, name):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    H, D = 3, 2
    layer = float64(lambda: ours(D, H))
    theirs = getattr(torch.nn, name)(D, H, batch_first=True).double()
    cell = layer.cell
    Wx, Wh, b = cell.Wx.data, cell.Wh.data, cell.b.data
    # torch gate order: LSTM [i, f, g, o], GRU [r, z, n]; ours: LSTM [f, i, o, g]
    order = {"LSTM": [1, 0, 3, 2], "GRU": [0, 1, 2], "RNN": [0]}[name]
    blocks = lambda m: np.concatenate([m[..., k * H:(k + 1) * H] for k in order], axis=-1)
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(torch.tensor(blocks(Wx).T))
        theirs.weight_hh_l0.copy_(torch.tensor(blocks(Wh).T))
        theirs.bias_ih_l0.copy_(torch.tensor(blocks(b)))
        theirs.bias_hh_l0.copy_(torch.tensor(blocks(cell.bh.data) if name == "GRU"
                                             else np.zeros(len(order) * H)))
    xs = np.random.default_rng(7).standard_normal((2, 4, D))
    hs = layer(xs)
    ths, _ = theirs(torch.tensor(xs))
    np.testing.assert_allclose(hs.data, ths.detach().numpy(), rtol=1e-10, atol=1e-12)
    hs.sum().backward()
    ths.sum().backward()
    np.testing.assert_allclose(blocks(cell.Wh.grad.data).T, theirs.weight_hh_l0.grad.numpy(),
                               rtol=1e-9, atol=1e-12)


def _two_chunks(layer, chunks):
    """Stateful LSTM over two chunks with a truncation between them: the
    second chunk's outputs and the parameters' gradients."""
    layer.reset_state()
    layer(ag.Variable(chunks[0]))
    layer.unchain()
    layer.cleargrads()
    hs = layer(ag.Variable(chunks[1]))
    (hs * hs).sum().backward()
    return [hs.data] + [p.grad.data.copy() for p in layer.params()]


def test_lstm_layer_fused_and_unrolled_agree_across_a_truncation():
    layer = float64(lambda: LSTM(3, 4, stateful=True))
    chunks = np.random.default_rng(7).standard_normal((2, 2, 5, 3))
    fused = _two_chunks(layer, chunks)
    with ag.unrolled():
        unrolled = _two_chunks(layer, chunks)
    for got, want in zip(fused, unrolled):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_unrolled_records_one_lstm_step_per_time_step():
    layer = LSTM(3, 4)
    xs = ag.Variable(np.ones((2, 5, 3), dtype=np.float32))

    def op_names(hs):
        return [type(f).__name__ for f in ag.walk_graph(hs)]
    assert op_names(layer(xs)).count("LSTMSequence") == 1
    with ag.unrolled():
        names = op_names(layer(xs))
    assert names.count("LSTMStep") == 5 and "LSTMSequence" not in names


@pytest.mark.parametrize("seq_class", [LSTM, RNN, GRU])
@pytest.mark.parametrize("unrolled", [False, True], ids=["fused", "unrolled"])
def test_a_constant_input_equals_joining_it_to_every_step(seq_class, unrolled):
    """``constant`` (batch, C) is projected once, not at every step: the same
    values and gradients (to rounding) as concatenating it before each
    step's features, with a given state too, in float64."""
    rng = np.random.default_rng(3)
    layer = seq_class(5 + 2, 4)
    for p in layer.params():
        p.data = rng.standard_normal(p.shape)
    xs, context = rng.standard_normal((3, 6, 2)), rng.standard_normal((3, 5))
    state = tuple(ag.Variable(rng.standard_normal((3, 4)))
                  for _ in range(layer.cell.state_size))
    weights = rng.standard_normal((3, 6, 4))

    def run(joined):
        layer.cleargrads()
        x, c = ag.Variable(xs), ag.Variable(context)
        with ag.unrolled() if unrolled else contextlib.nullcontext():
            if joined:
                peek = F.broadcast_to(c.reshape(3, 1, 5), (3, 6, 5))
                hs = layer(F.concat(peek, x, axis=-1), state=state)
            else:
                hs = layer(x, state=state, constant=c)
        (hs * weights).sum().backward()
        return [hs.data, x.grad.data, c.grad.data] + [p.grad.data for p in layer.params()]

    for got, want in zip(run(False), run(True)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_constant_of_the_wrong_width_is_explained():
    layer = LSTM(7, 4)
    with pytest.raises(ValueError, match=r"constant \(3, 4\) must be \(batch, C\) with C \+ "
                                         r"xs's 2 features = the layer's input size 7"):
        layer(ag.Variable(np.zeros((3, 6, 2))), constant=ag.Variable(np.zeros((3, 4))))


@pytest.mark.parametrize("seq_class", SEQUENCES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("unrolled", [False, True], ids=["fused", "unrolled"])
def test_lengths_read_each_row_as_if_alone(seq_class, unrolled):
    """lengths (batch,): each row reads its first lengths[i] steps; the
    outputs after them are 0 and the final state is the one after its last
    step, for every layer, fused or unrolled; gradients follow (float64)."""
    layer = float64(lambda: seq_class(3, 4))
    rng = np.random.default_rng(9)
    xs = rng.standard_normal((4, 5, 3))
    lengths = np.array([5, 0, 2, 4])
    with ag.unrolled() if unrolled else contextlib.nullcontext():
        hs, state = layer(ag.Variable(xs), lengths=lengths, return_state=True)
        for i, n in enumerate(lengths):
            assert (hs.data[i, n:] == 0).all()
            if not n:               # reads nothing: the zero initial state
                assert all((s.data[i] == 0).all() for s in state)
                continue
            alone, alone_state = layer(ag.Variable(xs[i:i + 1, :n]), return_state=True)
            np.testing.assert_allclose(hs.data[i, :n], alone.data[0], rtol=1e-12, atol=1e-14)
            for s, s_alone in zip(state, alone_state):
                np.testing.assert_allclose(s.data[i], s_alone.data[0], rtol=1e-12)
        assert param_check(layer, lambda: (layer(ag.Variable(xs), lengths=lengths) ** 2).sum())


def test_lengths_that_do_not_fit_are_explained():
    with pytest.raises(ValueError, match=r"LSTM: lengths must be \(batch,\) = \(2,\) integers "
                                         r"in 0..3"):
        LSTM(3, 4)(ag.Variable(np.zeros((2, 3, 3))), lengths=[1, 4])


def _reads(seq_class, vocab, ids_shape, **kwargs):
    """A layer and an Embedding (float64), and a function running the layer
    over ids either through ``embedding=`` or on ``embedding(ids)``: the
    outputs, the final state and every parameter's gradient."""
    from autograd_nlp.layers import Embedding
    rng = np.random.default_rng(11)
    layer, embed = float64(lambda: seq_class(3, 4)), float64(lambda: Embedding(vocab, 3))
    for p in [*layer.params(), *embed.params()]:
        p.data = rng.standard_normal(p.shape)
    ids = rng.integers(0, vocab, ids_shape)
    weights = rng.standard_normal(ids_shape + (4,))

    def run(through_table):
        layer.cleargrads()
        embed.cleargrads()
        if through_table:
            hs, state = layer(ids, embedding=embed, return_state=True, **kwargs)
        else:
            hs, state = layer(embed(ids), return_state=True, **kwargs)
        ((hs * weights).sum() + sum((s ** 2).sum() for s in state)).backward()
        return ([hs.data] + [s.data for s in state] +
                [p.grad.data for p in [*layer.params(), *embed.params()]])
    return layer, embed, ids, run


@pytest.mark.parametrize("seq_class", SEQUENCES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("path", ["numpy", "jit"])
@pytest.mark.parametrize("kwargs", [{}, {"lengths": np.array([5, 0, 2, 4])}],
                         ids=["whole", "lengths"])
def test_reading_ids_through_the_embedding_equals_reading_its_vectors(seq_class, path, kwargs):
    """``layer(ids, embedding=embed)`` gives ``layer(embed(ids))``'s outputs,
    state and gradients: bit for bit on the NumPy path (so a run's numbers
    do not change), to rounding with the kernels (the LSTM's gate gradients
    summed per id first). The LSTM goes through the table's projection
    (``lstm_sequence(..., ids=)``), the others look the vectors up first."""
    from autograd_nlp import jit
    if path == "jit" and not jit.available():
        pytest.skip("numba is not installed (the optional [jit] extra)")
    layer, embed, ids, run = _reads(seq_class, 6, (4, 5), **kwargs)
    with jit.enabled_as(path == "jit"):
        for got, want in zip(run(True), run(False)):
            if path == "numpy":
                np.testing.assert_array_equal(got, want)
            else:
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_the_lstm_reads_ids_through_the_table_only_where_it_pays():
    """Through the table (one LSTMSequence taking the table, no Embedding op)
    when the vocabulary is at most the batch's tokens; by the vectors when
    it is larger (a word-level model) or when the layer is unrolled."""
    from autograd_nlp.layers import Embedding

    def op_names(hs):
        return [type(f).__name__ for f in ag.walk_graph([hs])]
    layer, embed, ids, _ = _reads(LSTM, 20, (4, 5))
    assert op_names(layer(ids, embedding=embed)) == ["LSTMSequence"]
    assert "Embedding" in op_names(layer(ids, embedding=float64(lambda: Embedding(21, 3))))
    with ag.unrolled():
        assert "Embedding" in op_names(layer(ids, embedding=embed))


def test_ids_that_do_not_fit_are_explained():
    from autograd_nlp.layers import Embedding
    layer, embed = LSTM(3, 4), Embedding(6, 3)
    with pytest.raises(IndexError, match=r"lstm_sequence: id 6 is out of range \[0, 6\) "
                                         r"for an embedding table of shape \(6, 3\)"):
        layer(np.array([[1, 6, 2], [0, 0, 0]]), embedding=embed)
    with pytest.raises(ValueError, match=r"LSTM: with an embedding, expects token ids "
                                         r"\(batch, time\), got shape \(12,\)"):
        layer(np.arange(12) % 6, embedding=embed)
    with pytest.raises(ShapeError, match=r"lstm_sequence: ids must be \(batch, time\) "
                                         r"integers, got shape \(2, 3\) and dtype float64"):
        F.lstm_sequence(embed.W, layer.cell.Wx, layer.cell.Wh, layer.cell.b,
                        ids=np.zeros((2, 3)))

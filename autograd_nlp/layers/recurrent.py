"""Recurrent cells (one time step) and sequence layers (a loop over time).

Backpropagation through time is nothing but the graph the forward records:
the unrolled loop of steps for RNN and GRU, and for LSTM one fused
``lstm_sequence`` op per call (the same steps with one backward; inside
``autograd_nlp.unrolled()`` the LSTM records its steps too). Truncated BPTT
is ``unchain()``, which keeps the state's values but cuts the graph behind
them.

Shapes: xs (batch, time, in_size) -> hs (batch, time, hidden_size).
"""
import numpy as np

from autograd_nlp.backend import device_of, get_array_module, to_device
from autograd_nlp.config import Config
from autograd_nlp.core import Parameter, Variable, bump_version, scope
from autograd_nlp.functions import (concat, linear, lstm_sequence, lstm_step, matmul,
                                    sigmoid, split, stack, tanh, unstack)
from autograd_nlp.functions.recurrent import checked_lengths
from autograd_nlp.layers import init as initializers
from autograd_nlp.layers.dropout import Dropout
from autograd_nlp.layers.module import Module, ModuleList


# --- cells --------------------------------------------------------------------------
class _Cell(Module):
    """A cell splits its step in two: ``project`` (the input's affine part,
    done for all time steps at once by the sequence layer) and ``step``.
    Its state is a tuple of (batch, hidden) Variables, or None for the zero
    initial state (so the first step can skip the recurrent matmul)."""

    gates = 1
    state_size = 1

    def __init__(self, in_size, hidden_size, init="xavier"):
        super().__init__()
        self.in_size, self.hidden_size = in_size, hidden_size
        make = initializers.get(init)
        n = self.gates * hidden_size
        self.Wx = Parameter(make((in_size, n)))
        self.Wh = Parameter(make((hidden_size, n)))
        self.b = Parameter(np.zeros(n))

    def project(self, xs, constant=None):
        """xs (..., in_size) -> (..., gates * hidden): x @ Wx + b. With
        ``constant`` (batch, C), xs (batch, time, in_size - C) holds the rest
        of each step's input: as if ``constant`` were joined before xs's
        features at every step, but projected once."""
        if constant is None:
            return linear(xs, self.Wx, self.b)
        bias = self.constant_bias(constant)
        return linear(xs, self.input_weights(constant)) + bias.reshape(bias.shape[0], 1, -1)

    def input_weights(self, constant):
        """The rows of Wx that multiply xs when ``constant`` comes first."""
        return self.Wx[constant.shape[-1]:]

    def constant_bias(self, constant):
        """constant (batch, C) @ Wx[:C] + b: its part of every step's
        projection, (batch, gates * hidden)."""
        return linear(constant, self.Wx[:constant.shape[-1]], self.b)

    def initial_state(self, batch_size):
        zeros = get_array_module(self.Wh.data).zeros((batch_size, self.hidden_size),
                                                     dtype=self.Wh.dtype)
        return tuple(Variable(zeros, requires_grad=False) for _ in range(self.state_size))

    def forward(self, x, state=None):
        """One step on a raw input x (batch, in_size); returns (h, state)."""
        return self.step(self.project(x), state)

    def step(self, x_proj, state):
        raise NotImplementedError

    def reads_ids(self, table, ids):
        """Whether ``run`` takes token ids (batch, time) with their embedding
        table (vocab, in_size) itself (``table=``) instead of their vectors:
        only an LSTM does, see ``LSTMCell.reads_ids``."""
        return False

    def run(self, xs, state, name, constant=None, lengths=None, table=None):
        """All time steps of xs (batch, time, in_size): (hs (batch, time,
        hidden), final state). The graph is unrolled: one ``step`` per time
        step, each in a scope "<name> t=<t>" (a cluster in graph pictures).
        ``constant``: see ``project``. ``lengths`` (batch,): row i reads its
        first lengths[i] steps only; after them its state is kept and its hs
        are 0 (the rows are masked, as ``lstm_sequence`` defines)."""
        hs = []
        for t, x_t in enumerate(unstack(self.project(xs, constant), axis=1)):
            with scope(f"{name} t={t}"):
                h, new_state = self.step(x_t, state)
                if lengths is not None and (lengths <= t).any():
                    h, new_state = self._keep_done_rows(lengths > t, h, new_state, state)
            state = new_state
            hs.append(h)
        return stack(hs, axis=1), state

    def _keep_done_rows(self, reading, h, new_state, state):
        """A step's output and state where the rows not ``reading`` ((batch,)
        bool) keep their state and output 0."""
        xp = get_array_module(h.data)
        reads = xp.asarray(reading[:, None].astype(h.dtype))
        old = state or self.initial_state(h.shape[0])
        return h * reads, tuple(n * reads + o * (1 - reads) for n, o in zip(new_state, old))


class RNNCell(_Cell):
    """Elman RNN (chapter 5): h = tanh(x @ Wx + h_prev @ Wh + b)."""

    def step(self, x_proj, state):
        h = tanh(x_proj if state is None else x_proj + matmul(state[0], self.Wh))
        return h, (h,)


class LSTMCell(_Cell):
    """LSTM (chapter 6). Gates ordered [forget, input, output, candidate];
    the recurrent matmul and the gates are the fused ``lstm_step`` op. State (h, c)."""

    gates = 4
    state_size = 2

    def reorder_gates_from_book(self):
        """Move the gate columns of Wx, Wh and b from the book's ``TimeLSTM``
        layout [forget, candidate, input, output] to ours, in place: for
        weights copied from the book's code or drawn in its order."""
        H = self.hidden_size
        order = np.r_[0:H, 2 * H:3 * H, 3 * H:4 * H, H:2 * H]
        for p in (self.Wx, self.Wh, self.b):
            p.data[...] = p.data[..., to_device(order, device_of(p.data))]
        bump_version(self.Wx, self.Wh, self.b)

    def step(self, x_proj, state):
        if state is None:
            xp = get_array_module(x_proj.data)
            c0 = Variable(xp.zeros(x_proj.shape[:-1] + (self.hidden_size,), dtype=x_proj.dtype),
                          requires_grad=False)
            h, c = lstm_step(x_proj, c0, self.Wh)
        else:
            h, c = lstm_step(x_proj, state[1], self.Wh, state[0])
        return h, (h, c)

    def reads_ids(self, table, ids):
        """True for the fused layer when the table has at most as many rows
        as the batch has tokens: then looking each token's projection up in
        the table's projection (vocab, 4H) costs less than projecting the
        tokens' vectors (``lstm_sequence``'s ``ids``)."""
        return not Config.unroll_recurrence and 0 < table.shape[0] <= ids.size

    def run(self, xs, state, name, constant=None, lengths=None, table=None):
        """The whole sequence as one fused ``lstm_sequence`` op (faster: one
        backward for all steps); step by step inside ``autograd_nlp.unrolled()``.
        With ``constant`` its projection is the op's bias, one row per batch row.
        With ``table`` xs are token ids (batch, time) read from it."""
        if Config.unroll_recurrence:
            return super().run(xs, state, name, constant, lengths)
        inputs = xs if table is None else table
        ids = None if table is None else xs
        with scope(name):
            if constant is None:
                hs, h, c = lstm_sequence(inputs, self.Wx, self.Wh, self.b, *(state or ()),
                                         lengths=lengths, ids=ids)
            else:
                hs, h, c = lstm_sequence(inputs, self.input_weights(constant), self.Wh,
                                         self.constant_bias(constant), *(state or ()),
                                         lengths=lengths, ids=ids)
        return hs, (h, c)


class GRUCell(_Cell):
    """GRU (Cho et al. 2014; not in the book), as ``torch.nn.GRU``:
    r = s(xr + hr), z = s(xz + hz), n = tanh(xn + r * hn), h = (1 - z) n + z h_prev,
    where [hr, hz, hn] = h_prev @ Wh + bh. Composed of primitive ops."""

    gates = 3

    def __init__(self, in_size, hidden_size, init="xavier"):
        super().__init__(in_size, hidden_size, init)
        self.bh = Parameter(np.zeros(3 * hidden_size))

    def step(self, x_proj, state):
        h_prev = (state or self.initial_state(x_proj.shape[0]))[0]
        xr, xz, xn = split(x_proj, 3, axis=-1)
        hr, hz, hn = split(linear(h_prev, self.Wh, self.bh), 3, axis=-1)
        r = sigmoid(xr + hr)
        z = sigmoid(xz + hz)
        n = tanh(xn + r * hn)
        h = (1 - z) * n + z * h_prev
        return h, (h,)


# --- sequence layers ------------------------------------------------------------------
class _Sequence(Module):
    """Runs a cell over time. ``stateful=True`` starts each call from the
    state the previous call ended in (the book's Time LSTM); ``unchain()``
    cuts the graph behind that state, ``reset_state()`` forgets it."""

    cell_class = None

    def __init__(self, in_size, hidden_size, stateful=False, init="xavier", name=None):
        super().__init__()
        self.cell = self.cell_class(in_size, hidden_size, init)
        self.stateful = stateful
        self.name = name or type(self).__name__.lower()
        self.state = None

    @property
    def hidden_size(self):
        return self.cell.hidden_size

    def forward(self, xs, state=None, return_state=False, constant=None, lengths=None,
                embedding=None):
        """xs (batch, time, in) -> hs (batch, time, hidden); with
        ``return_state`` also the final state tuple. ``state`` overrides the
        initial state (e.g. an encoder's final state for a decoder).

        ``embedding`` (an ``Embedding`` layer): xs are token ids (batch, time)
        and the layer reads their vectors, as ``layer(embedding(xs))`` (the
        same numbers, up to rounding). An LSTM then looks each step's input
        projection up in the table's own (one ``lstm_sequence(..., ids=xs)``)
        where the vocabulary is no larger than the batch's tokens: the
        book's character models, not a 10,000-word language model.

        ``lengths`` (batch,) ints: sequences padded at the end; row i reads
        only its first lengths[i] steps (its hs are 0 after them, its final
        state is the one after its last step; an LSTM skips the work).

        ``constant`` (batch, C): input that is the same at every step (the
        peeky decoder's context), taken as joined before xs's features at
        every step (then xs is (batch, time, in - C)): the numbers of
        ``concat(constant repeated over time, xs)``, up to rounding, with its
        projection done once instead of ``time`` times."""
        table = None
        if embedding is not None:
            xs = xs.data if isinstance(xs, Variable) else xs
            xs = xs if hasattr(xs, "shape") else np.asarray(xs)     # (a nested list)
            if self.cell.reads_ids(embedding.W, xs):
                table = embedding.W
                if xs.ndim != 2:
                    raise ValueError(f"{type(self).__name__}: with an embedding, expects "
                                     f"token ids (batch, time), got shape {xs.shape}")
            else:
                xs = embedding(xs)
        if table is None and xs.ndim != 3:
            raise ValueError(f"{type(self).__name__}: expects (batch, time, features), "
                             f"got shape {xs.shape}")
        features = xs.shape[-1] if table is None else table.shape[1]
        width = features + (0 if constant is None else constant.shape[-1])
        if constant is not None and (constant.ndim != 2 or constant.shape[0] != xs.shape[0]
                                     or width != self.cell.in_size):
            raise ValueError(f"{type(self).__name__}: constant {constant.shape} must be "
                             f"(batch, C) with C + xs's {features} features = the "
                             f"layer's input size {self.cell.in_size}")
        if state is None:
            state = self.state if self.stateful else None      # None: zeros
        elif not isinstance(state, tuple):
            state = (state,)
        if lengths is not None:
            lengths = checked_lengths(lengths, xs.shape[0], xs.shape[1], type(self).__name__)
        hs, state = self.cell.run(xs, state, self.name, constant, lengths, table)
        if self.stateful:
            self.state = state
        return (hs, state) if return_state else hs

    def reset_state(self):
        """Start the next call from zeros."""
        self.state = None

    def unchain(self):
        """Truncated BPTT: keep the state's values, cut the graph behind them."""
        if self.state is not None:
            for v in self.state:
                v.unchain()

    def set_state(self, state):
        """Set the state the next (stateful) call starts from."""
        self.state = state if isinstance(state, tuple) else (state,)


class RNN(_Sequence):
    """Elman RNN over a sequence (the book's TimeRNN)."""

    cell_class = RNNCell


class LSTM(_Sequence):
    """LSTM over a sequence (the book's TimeLSTM). State (h, c). Each call is
    one fused ``lstm_sequence`` op (unrolled inside ``autograd_nlp.unrolled()``).
    ``layer(xs, lengths=...)`` reads sequences padded at the end only up to
    each row's length, spending nothing on the padding (packed sequences)."""

    cell_class = LSTMCell


class GRU(_Sequence):
    """GRU over a sequence."""

    cell_class = GRUCell


def recurrent_layers(module):
    """[(dotted name, layer)] for every sequence layer (RNN, LSTM, GRU) in
    ``module``: the layers whose state is carried between calls, cut by
    ``unchain()`` and saved in checkpoints. The one test of "is this a
    recurrent layer" (training, checkpoints and models all use it)."""
    return [(name, m) for name, m in module.named_modules() if isinstance(m, _Sequence)]


class Stacked(Module):
    """Recurrent layers one above the other, with dropout between them:
    ``Stacked([LSTM(650, 650), LSTM(650, 650)], dropout=0.5)``."""

    def __init__(self, layers, dropout=0.0):
        super().__init__()
        self.layers = ModuleList(layers)
        self.dropout = Dropout(dropout)

    def forward(self, xs):
        for k, layer in enumerate(self.layers):
            if k:
                xs = self.dropout(xs)
            xs = layer(xs)
        return xs

    def reset_state(self):
        for layer in self.layers:
            layer.reset_state()

    def unchain(self):
        for layer in self.layers:
            layer.unchain()


class Bidirectional(Module):
    """Run one layer forward in time and another backward, concatenating
    their hidden states: (batch, time, in) -> (batch, time, 2 * hidden). The
    final state is the two final states concatenated (each element (batch,
    2 * hidden)), e.g. to start a decoder of size 2 * hidden."""

    def __init__(self, forward_layer, backward_layer):
        super().__init__()
        self.forward_layer, self.backward_layer = forward_layer, backward_layer

    @property
    def hidden_size(self):
        return self.forward_layer.hidden_size + self.backward_layer.hidden_size

    def forward(self, xs, return_state=False):
        hs_f, state_f = self.forward_layer(xs, return_state=True)
        hs_b, state_b = self.backward_layer(xs[:, ::-1], return_state=True)
        hs = concat(hs_f, hs_b[:, ::-1], axis=-1)
        if not return_state:
            return hs
        return hs, tuple(concat(a, b, axis=-1) for a, b in zip(state_f, state_b))

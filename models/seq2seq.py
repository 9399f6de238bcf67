"""Sequence to sequence (chapter 7): an LSTM encoder reads the question, an
LSTM decoder writes the answer starting from the encoder's last state.

xs (batch, S) int question ids; ts (batch, 1 + T) int answer ids starting
with the start symbol. Training feeds ts[:, :-1] and predicts ts[:, 1:]
(teacher forcing); ``generate`` decodes greedily, one step at a time, for a
whole batch at once.
"""
import numpy as np

from autograd_nlp.backend import get_array_module, to_device
from autograd_nlp.core import Variable, eval_mode, no_grad
from autograd_nlp.functions import broadcast_to, concat, softmax_cross_entropy
from autograd_nlp.layers import LSTM, Embedding, Linear, Module


class Encoder(Module):
    """xs (batch, S) -> hs (batch, S, hidden) and the final state (h, c)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        return self.lstm(self.embed(xs), return_state=True)


class Decoder(Module):
    """Starts from the encoder's last h (cell state zero, as in the book)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="decoder")
        self.out = Linear(hidden_size, vocab_size)

    def forward(self, ys, state):
        """ys (batch, T) ids, state (h, c) -> logits (batch, T, vocab), new state."""
        hs, state = self.lstm(self.embed(ys), state=state, return_state=True)
        return self.out(hs), state


class PeekyDecoder(Decoder):
    """The encoder's last h is also fed to every LSTM step and to the output
    projection (concatenated with their usual inputs)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, context_size=None):
        Module.__init__(self)
        context_size = context_size or hidden_size
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(context_size + wordvec_size, hidden_size, name="decoder")
        self.out = Linear(context_size + hidden_size, vocab_size)

    def forward(self, ys, state, context):
        """context (batch, H): the encoder's last h, repeated over time."""
        batch, steps = ys.shape
        peek = broadcast_to(context.reshape(batch, 1, -1), (batch, steps, context.shape[-1]))
        hs, state = self.lstm(concat(peek, self.embed(ys), axis=-1), state=state,
                              return_state=True)
        return self.out(concat(peek, hs, axis=-1)), state


def _start_state(h, hidden_size):
    zeros = get_array_module(h.data).zeros((h.shape[0], hidden_size), dtype=h.dtype)
    return h, Variable(zeros, requires_grad=False)


class Seq2seq(Module):
    """Encoder + Decoder; ``model(xs, ts)`` returns the mean cross-entropy."""

    decoder_class = Decoder

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128):
        super().__init__()
        self.hidden_size = hidden_size
        self.encoder = Encoder(vocab_size, wordvec_size, hidden_size)
        self.decoder = self.decoder_class(vocab_size, wordvec_size, hidden_size)

    def encode(self, xs):
        """-> (encoder hs (batch, S, H), decoder start state, extra decoder args)."""
        hs, (h, _) = self.encoder(xs)
        return hs, _start_state(h, self.hidden_size), ()

    def decode(self, ys, state, extra):
        return self.decoder(ys, state, *extra)

    def forward(self, xs, ts):
        _, state, extra = self.encode(xs)
        logits, _ = self.decode(ts[:, :-1], state, extra)
        return softmax_cross_entropy(logits, ts[:, 1:])

    def generate(self, xs, start_id, length):
        """Greedy decoding of a batch: xs (batch, S) -> ids (batch, length),
        a NumPy array whatever the model's device."""
        with no_grad(), eval_mode():
            _, state, extra = self.encode(xs)
            y = np.full((len(xs), 1), start_id, dtype=np.int64)
            out = []
            for _ in range(length):
                logits, state = self.decode(y, state, extra)
                y = logits.data.argmax(axis=-1)
                out.append(y[:, 0])
        return to_device(get_array_module(y).stack(out, axis=1), "cpu")


class PeekySeq2seq(Seq2seq):
    """Seq2seq with a PeekyDecoder."""

    decoder_class = PeekyDecoder

    def encode(self, xs):
        hs, (h, _) = self.encoder(xs)
        return hs, _start_state(h, self.hidden_size), (h,)

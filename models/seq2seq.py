"""Sequence to sequence (chapter 7): an LSTM encoder reads the question, an
LSTM decoder writes the answer starting from the encoder's last state.

xs (batch, S) int question ids; ts (batch, 1 + T) int answer ids starting
with the start symbol. Training feeds ts[:, :-1] and predicts ts[:, 1:]
(teacher forcing); ``generate`` decodes greedily, one step at a time, for a
whole batch at once. Both come from ``EncoderDecoder`` (models/encoder_decoder.py).
"""

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Variable
from autograd_nlp.functions import broadcast_to, concat
from autograd_nlp.layers import LSTM, Embedding, Linear, Module
from autograd_nlp.models.encoder_decoder import EncoderDecoder


class Encoder(Module):
    """xs (batch, S) -> memory: hs (batch, S, hidden) and the final state (h, c)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        return self.lstm(xs, embedding=self.embed, return_state=True)


def start_from_encoder(memory):
    """An LSTM decoder's start state from an LSTM encoder's memory (hs, (h, c))
    (or (hs, (h, c), spans)): the encoder's last h and a zero cell state, as
    in the book."""
    h = memory[1][0]
    zeros = get_array_module(h.data).zeros(h.shape, dtype=h.dtype)   # on h's device
    return h, Variable(zeros, requires_grad=False)


class Decoder(Module):
    """Starts from the encoder's last h (cell state zero, as in the book)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="decoder")
        self.out = Linear(hidden_size, vocab_size)

    def start(self, memory):
        return start_from_encoder(memory)

    def forward(self, ys, state, memory=None):
        """ys (batch, T) ids, state (h, c) -> logits (batch, T, vocab), new state."""
        hs, state = self.lstm(ys, embedding=self.embed, state=state, return_state=True)
        return self.out(hs), state

    def attention_weights(self):
        return None


class PeekyDecoder(Module):
    """The encoder's last h is also fed to every LSTM step and to the output
    projection (concatenated with their usual inputs)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, context_size=None):
        super().__init__()
        context_size = context_size or hidden_size
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(context_size + wordvec_size, hidden_size, name="decoder")
        self.out = Linear(context_size + hidden_size, vocab_size)

    def start(self, memory):
        return start_from_encoder(memory)

    def forward(self, ys, state, memory):
        """The encoder's last h (batch, H) from ``memory``, repeated over time.
        The LSTM takes it as its ``constant`` input (the same numbers as
        concatenating it to every step's input, projected once a sequence)."""
        _, (context, _) = memory
        batch, steps = ys.shape
        hs, state = self.lstm(ys, embedding=self.embed, state=state, return_state=True,
                              constant=context)
        peek = broadcast_to(context.reshape(batch, 1, -1), (batch, steps, context.shape[-1]))
        return self.out(concat(peek, hs, axis=-1)), state

    def attention_weights(self):
        return None


class Seq2seq(EncoderDecoder):
    """Encoder + Decoder; ``model(xs, ts)`` returns the mean cross-entropy."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128):
        super().__init__(Encoder(vocab_size, wordvec_size, hidden_size),
                         Decoder(vocab_size, wordvec_size, hidden_size))


class PeekySeq2seq(EncoderDecoder):
    """Encoder + PeekyDecoder."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128):
        super().__init__(Encoder(vocab_size, wordvec_size, hidden_size),
                         PeekyDecoder(vocab_size, wordvec_size, hidden_size))

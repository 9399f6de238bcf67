"""Seq2seq with attention (chapter 8): at every output step the decoder
looks at all encoder states, weighted by softmax(decoder h . encoder h), and
concatenates that context with its own state before the output projection.
"""
import numpy as np

from autograd_nlp.backend import get_array_module, to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.functions import concat
from autograd_nlp.layers import LSTM, Attention, Bidirectional, Embedding, Linear, Module
from models.seq2seq import Seq2seq, _start_state


class AttentionEncoder(Module):
    """xs (batch, S) -> all hidden states (batch, S, H) and the final state;
    ``bidirectional`` reads the question both ways (H = 2 * hidden)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, bidirectional=False):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        if bidirectional:
            self.lstm = Bidirectional(LSTM(wordvec_size, hidden_size, name="encoder-fwd"),
                                      LSTM(wordvec_size, hidden_size, name="encoder-bwd"))
        else:
            self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        return self.lstm(self.embed(xs), return_state=True)


class AttentionDecoder(Module):
    """ys (batch, T), start state, encoder hs (batch, S, H) -> logits
    (batch, T, vocab); the attention weights (batch, T, S) stay in
    ``self.attention.weights``."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="decoder")
        self.attention = Attention()
        self.out = Linear(2 * hidden_size, vocab_size)

    def forward(self, ys, state, encoder_hs):
        hs, state = self.lstm(self.embed(ys), state=state, return_state=True)
        context = self.attention(hs, encoder_hs)                  # (batch, T, H)
        return self.out(concat(context, hs, axis=-1)), state


class AttentionSeq2seq(Seq2seq):
    """AttentionEncoder + AttentionDecoder."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=256, bidirectional=False):
        Module.__init__(self)
        self.hidden_size = 2 * hidden_size if bidirectional else hidden_size
        self.encoder = AttentionEncoder(vocab_size, wordvec_size, hidden_size, bidirectional)
        self.decoder = AttentionDecoder(vocab_size, wordvec_size, self.hidden_size)

    def encode(self, xs):
        hs, (h, _) = self.encoder(xs)
        return hs, _start_state(h, self.hidden_size), (hs,)

    def generate(self, xs, start_id, length, return_attention=False):
        """Greedy decoding; with ``return_attention`` also the weights
        (batch, length, S) of every output step; NumPy arrays whatever the
        model's device."""
        with no_grad(), eval_mode():
            _, state, extra = self.encode(xs)
            y = np.full((len(xs), 1), start_id, dtype=np.int64)
            out, weights = [], []
            for _ in range(length):
                logits, state = self.decode(y, state, extra)
                y = logits.data.argmax(axis=-1)
                out.append(y[:, 0])
                weights.append(self.decoder.attention.weights[:, 0])
        xp = get_array_module(y)
        ids = to_device(xp.stack(out, axis=1), "cpu")
        return (ids, to_device(xp.stack(weights, axis=1), "cpu")) if return_attention else ids

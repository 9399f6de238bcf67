"""Seq2seq with attention (chapter 8): at every output step the decoder
looks at all encoder states, weighted by softmax(decoder h . encoder h), and
concatenates that context with its own state before the output projection.
``dropout`` (0 by default, as the book) drops characters' vectors on both
sides and the decoder's [context, h] before the projection while training.

With ``pad_id`` the model ignores the questions' padding: the encoder reads
each question alone (moved to the front of its row, models/padding.py), the
decoder starts from the state at the question's last character and never
attends to padding. An answer then no longer depends on how far its
question was padded, and the encoder's LSTM spends nothing on padding
(``lengths``: each row stops at its question's end). Without ``pad_id`` (the
default) padding is read like any character, as in the book.
"""
import numpy as np

from autograd_nlp.functions import concat
from autograd_nlp.layers import LSTM, Attention, Bidirectional, Dropout, Embedding, Linear, Module
from autograd_nlp.models.encoder_decoder import EncoderDecoder
from autograd_nlp.models.padding import QuestionSpans
from autograd_nlp.models.seq2seq import start_from_encoder


def _maybe(dropout, x):
    """``dropout(x)``, or x itself when the model has no dropout (the book's:
    no op recorded, no random number drawn)."""
    return x if dropout is None else dropout(x)


def _lstm_over_ids(lstm, embed, dropout, ids, **kwargs):
    """``lstm`` over the vectors ``embed(ids)``, dropped out where the model
    has dropout. Without dropout an LSTM reads the ids through the table
    itself (``LSTM(..., embedding=...)``: the same numbers, to rounding with
    the numba kernels, and faster)."""
    if dropout is None and not isinstance(lstm, Bidirectional):
        return lstm(ids, embedding=embed, **kwargs)
    return lstm(_maybe(dropout, embed(ids)), **kwargs)


class AttentionEncoder(Module):
    """xs (batch, S) -> memory: all hidden states (batch, S, H) and the final
    state; ``bidirectional`` reads the question both ways (H = 2 * hidden).

    With ``pad_id`` (padding on the left when ``pads_first``): memory is
    (hs (batch, W, H), (h, c), spans): the states of each question moved to
    the front of its row (W its longest question; 0 after its end), the
    state after its last character (the LSTM reads no further:
    ``lengths``), and its ``QuestionSpans``."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, bidirectional=False, dropout=0.0,
                 pad_id=None, pads_first=False):
        super().__init__()
        self.pad_id, self.pads_first = pad_id, pads_first
        self.embed = Embedding(vocab_size, wordvec_size)
        self.dropout = Dropout(dropout) if dropout else None
        if bidirectional:
            self.lstm = Bidirectional(LSTM(wordvec_size, hidden_size, name="encoder-fwd"),
                                      LSTM(wordvec_size, hidden_size, name="encoder-bwd"))
        else:
            self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        if self.pad_id is None:
            return _lstm_over_ids(self.lstm, self.embed, self.dropout, xs, return_state=True)
        spans = QuestionSpans.find(xs, self.pad_id, self.pads_first)
        if not isinstance(self.lstm, Bidirectional):
            hs, state = _lstm_over_ids(self.lstm, self.embed, self.dropout,
                                  spans.front(xs, self.pad_id), lengths=spans.length,
                                  return_state=True)
            return hs, state, spans
        vectors = _maybe(self.dropout, self.embed(spans.front(xs, self.pad_id)))
        rows, flip = np.arange(len(xs))[:, None], spans.reversal()   # each question backwards
        hs_f, (h_f, c_f) = self.lstm.forward_layer(vectors, lengths=spans.length,
                                                   return_state=True)
        hs_b, (h_b, c_b) = self.lstm.backward_layer(vectors[rows, flip], lengths=spans.length,
                                                    return_state=True)
        hs = concat(hs_f, hs_b[rows, flip], axis=-1)
        state = (concat(h_f, h_b, axis=-1), concat(c_f, c_b, axis=-1))
        return hs, state, spans

    def question_lengths(self, xs):
        """(N,) each question's length without its padding (None without
        ``pad_id``: then every question is read whole)."""
        if self.pad_id is None:
            return None
        return QuestionSpans.find(xs, self.pad_id, self.pads_first).length


class AttentionDecoder(Module):
    """ys (batch, T), state, memory (encoder hs (batch, S, H), final state) ->
    logits (batch, T, vocab); the attention weights (batch, T, S) of the last
    call come back from ``attention_weights()``."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, dropout=0.0):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.dropout = Dropout(dropout) if dropout else None
        self.lstm = LSTM(wordvec_size, hidden_size, name="decoder")
        self.attention = Attention()
        self._spans = None            # the questions' spans of the last call (or None)
        self.out = Linear(2 * hidden_size, vocab_size)

    def start(self, memory):
        return start_from_encoder(memory)

    def forward(self, ys, state, memory):
        encoder_hs, _, *spans = memory
        self._spans = spans[0] if spans else None
        hs, state = _lstm_over_ids(self.lstm, self.embed, self.dropout, ys, state=state,
                              return_state=True)
        allowed = None if self._spans is None else self._spans.allowed()[:, None, :]
        context = self.attention(hs, encoder_hs, mask=allowed)    # (batch, T, H)
        return self.out(_maybe(self.dropout, concat(context, hs, axis=-1))), state

    def attention_weights(self):
        """The last call's weights (batch, T, S) over the question's columns
        as given (0 on padding when the encoder ignores it)."""
        weights = self.attention.weights
        if self._spans is None or weights is None:
            return weights
        return self._spans.to_columns(weights)


class AttentionSeq2seq(EncoderDecoder):
    """AttentionEncoder + AttentionDecoder; ``generate(...,
    return_attention=True)`` also returns the weights (batch, length, S)."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=256, bidirectional=False,
                 dropout=0.0, pad_id=None, pads_first=False):
        decoder_hidden = 2 * hidden_size if bidirectional else hidden_size
        super().__init__(AttentionEncoder(vocab_size, wordvec_size, hidden_size, bidirectional,
                                          dropout, pad_id, pads_first),
                         AttentionDecoder(vocab_size, wordvec_size, decoder_hidden, dropout))

    def question_lengths(self, xs):
        """(N,) the questions' lengths without padding, or None when the
        model reads padding (no ``pad_id``): evaluation runs questions in
        length order, so a batch's attention spans its longest question only."""
        return self.encoder.question_lengths(np.asarray(xs))

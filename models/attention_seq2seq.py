"""Seq2seq with attention (chapter 8): at every output step the decoder
looks at all encoder states, weighted by softmax(decoder h . encoder h), and
concatenates that context with its own state before the output projection.
``dropout`` (0 by default, as the book) drops characters' vectors on both
sides and the decoder's [context, h] before the projection while training.
"""
from autograd_nlp.functions import concat
from autograd_nlp.layers import LSTM, Attention, Bidirectional, Dropout, Embedding, Linear, Module
from autograd_nlp.models.encoder_decoder import EncoderDecoder
from autograd_nlp.models.seq2seq import start_from_encoder


def _maybe(dropout, x):
    """``dropout(x)``, or x itself when the model has no dropout (the book's:
    no op recorded, no random number drawn)."""
    return x if dropout is None else dropout(x)


class AttentionEncoder(Module):
    """xs (batch, S) -> memory: all hidden states (batch, S, H) and the final
    state; ``bidirectional`` reads the question both ways (H = 2 * hidden)."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, bidirectional=False, dropout=0.0):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.dropout = Dropout(dropout) if dropout else None
        if bidirectional:
            self.lstm = Bidirectional(LSTM(wordvec_size, hidden_size, name="encoder-fwd"),
                                      LSTM(wordvec_size, hidden_size, name="encoder-bwd"))
        else:
            self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        return self.lstm(_maybe(self.dropout, self.embed(xs)), return_state=True)


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
        self.out = Linear(2 * hidden_size, vocab_size)

    def start(self, memory):
        return start_from_encoder(memory)

    def forward(self, ys, state, memory):
        encoder_hs, _ = memory
        hs, state = self.lstm(_maybe(self.dropout, self.embed(ys)), state=state,
                              return_state=True)
        context = self.attention(hs, encoder_hs)                  # (batch, T, H)
        return self.out(_maybe(self.dropout, concat(context, hs, axis=-1))), state

    def attention_weights(self):
        return self.attention.weights


class AttentionSeq2seq(EncoderDecoder):
    """AttentionEncoder + AttentionDecoder; ``generate(...,
    return_attention=True)`` also returns the weights (batch, length, S)."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=256, bidirectional=False,
                 dropout=0.0):
        decoder_hidden = 2 * hidden_size if bidirectional else hidden_size
        super().__init__(AttentionEncoder(vocab_size, wordvec_size, hidden_size, bidirectional,
                                          dropout),
                         AttentionDecoder(vocab_size, wordvec_size, decoder_hidden, dropout))

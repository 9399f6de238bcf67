"""Recurrent language models of chapters 5 and 6.

xs (batch, time) int ids -> logits (batch, time, vocab). Training cuts the
graph between chunks with ``model.unchain()`` (truncated BPTT).
"""
from autograd_nlp.core import Parameter
from autograd_nlp.functions import linear
from autograd_nlp.layers import LSTM, RNN, Dropout, Embedding, Linear, Stacked
from autograd_nlp.layers import init
from autograd_nlp.models.language_model import LanguageModel


class SimpleRnnlm(LanguageModel):
    """Chapter 5: embedding -> Elman RNN -> linear."""

    def __init__(self, vocab_size, wordvec_size=100, hidden_size=100):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.rnn = RNN(wordvec_size, hidden_size, stateful=True)
        self.out = Linear(hidden_size, vocab_size)

    def forward(self, xs):
        return self.out(self.rnn(self.embed(xs)))


class Rnnlm(LanguageModel):
    """Chapter 6: embedding -> LSTM -> linear (wordvec 100, hidden 100)."""

    def __init__(self, vocab_size, wordvec_size=100, hidden_size=100):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, stateful=True)
        self.out = Linear(hidden_size, vocab_size)

    def forward(self, xs):
        return self.out(self.lstm(self.embed(xs)))


class BetterRnnlm(LanguageModel):
    """Chapter 6, improved: two LSTM layers, dropout 0.5 around them, and the
    output projection tied to the embedding (one Parameter used twice)."""

    def __init__(self, vocab_size, wordvec_size=650, hidden_size=650, dropout=0.5):
        super().__init__()
        if wordvec_size != hidden_size:
            raise ValueError("BetterRnnlm ties the output to the embedding: "
                             "wordvec_size must equal hidden_size")
        self.embed = Embedding(vocab_size, wordvec_size)
        self.drop = Dropout(dropout)
        self.lstm = Stacked([LSTM(wordvec_size, hidden_size, stateful=True, name="lstm1"),
                             LSTM(hidden_size, hidden_size, stateful=True, name="lstm2")],
                            dropout=dropout)
        self.out_bias = Parameter(init.zeros((vocab_size,)))

    def forward(self, xs):
        hs = self.drop(self.lstm(self.drop(self.embed(xs))))
        return linear(hs, self.embed.W.T, self.out_bias)    # tied weights

"""Transformer encoder-decoder (Vaswani et al. 2017) on the book's seq2seq
tasks, through the same interface as the LSTM models (EncoderDecoder).

The encoder reads the question with self-attention; the decoder writes the
answer with causal self-attention and multi-head cross-attention over the
encoder's states. Greedy decoding caches each layer's keys and values, so a
new token costs one decoder call on one position.
"""
import math

from autograd_nlp.backend import get_array_module

from autograd_nlp.functions import label_smoothed_cross_entropy
from autograd_nlp.layers import (Dropout, Embedding, LearnedPositionalEmbedding, Linear,
                                 Module, SinusoidalPositionalEncoding, TransformerDecoder,
                                 TransformerEncoder, init)
from autograd_nlp.models.encoder_decoder import EncoderDecoder

POSITIONAL = ("sinusoidal", "learned")


class TokenEmbedding(Module):
    """ids (batch, T) -> (batch, T, dim): embedding * sqrt(dim) + position
    (from ``offset``), then dropout."""

    def __init__(self, vocab_size, dim, positional="sinusoidal", max_length=128, dropout=0.0):
        super().__init__()
        if positional not in POSITIONAL:
            raise ValueError(f"TokenEmbedding: positional must be one of {POSITIONAL}, "
                             f"got {positional!r}")
        self.scale = math.sqrt(dim)
        self.embed = Embedding(vocab_size, dim, init=init.normal(1 / math.sqrt(dim)))
        self.position = (SinusoidalPositionalEncoding(dim) if positional == "sinusoidal"
                         else LearnedPositionalEmbedding(max_length, dim))
        self.dropout = Dropout(dropout)

    def forward(self, ids, offset=0):
        return self.dropout(self.position(self.embed(ids) * self.scale, offset))


class TransformerSourceEncoder(Module):
    """xs (batch, S) -> memory: states (batch, S, dim) and the padding mask
    (batch, S) (True = padding; None when there is no ``pad_id``)."""

    def __init__(self, vocab_size, dim, num_heads, num_layers, ff_hidden, dropout=0.0,
                 activation="relu", norm_first=True, positional="sinusoidal", max_length=128,
                 pad_id=None):
        super().__init__()
        self.pad_id = pad_id
        self.embed = TokenEmbedding(vocab_size, dim, positional, max_length, dropout)
        self.layers = TransformerEncoder(num_layers, dim, num_heads, ff_hidden, dropout,
                                         activation, norm_first)

    def forward(self, xs):
        xs = get_array_module(xs).asarray(xs)     # ids stay on their device
        padding = None if self.pad_id is None else xs == self.pad_id
        return self.layers(self.embed(xs), padding), padding


class TransformerTargetDecoder(Module):
    """ys (batch, T), state (a DecodingCache), memory -> logits (batch, T,
    vocab) and the cache, which now covers the T new positions too."""

    def __init__(self, vocab_size, dim, num_heads, num_layers, ff_hidden, dropout=0.0,
                 activation="relu", norm_first=True, positional="sinusoidal", max_length=128):
        super().__init__()
        self.embed = TokenEmbedding(vocab_size, dim, positional, max_length, dropout)
        self.layers = TransformerDecoder(num_layers, dim, num_heads, ff_hidden, dropout,
                                         activation, norm_first)
        self.out = Linear(dim, vocab_size)

    def start(self, memory):
        return self.layers.new_cache()

    def forward(self, ys, state, memory):
        states, padding = memory
        y = self.embed(get_array_module(ys).asarray(ys), offset=state.length)
        return self.out(self.layers(y, states, padding, cache=state)), state

    def attention_weights(self, layer=-1):
        """Cross-attention weights (batch, heads, T, S) of the last call, in
        ``layer`` (default: the last)."""
        return self.layers.layers[layer].cross_attention.weights


class TransformerSeq2seq(EncoderDecoder):
    """``TransformerSeq2seq(vocab_size, dim=64, num_heads=4, num_layers=2)``:
    pre-norm by default (trains without warm-up tricks; ``norm_first=False``
    is the paper's post-norm). ``label_smoothing`` > 0 smooths the targets."""

    def __init__(self, vocab_size, dim=64, num_heads=4, num_layers=2, ff_hidden=None,
                 dropout=0.1, activation="relu", norm_first=True, positional="sinusoidal",
                 max_length=128, pad_id=None, label_smoothing=0.0):
        ff_hidden = ff_hidden or 4 * dim
        shared = dict(dropout=dropout, activation=activation, norm_first=norm_first,
                      positional=positional, max_length=max_length)
        super().__init__(
            TransformerSourceEncoder(vocab_size, dim, num_heads, num_layers, ff_hidden,
                                     pad_id=pad_id, **shared),
            TransformerTargetDecoder(vocab_size, dim, num_heads, num_layers, ff_hidden,
                                     **shared))
        self.label_smoothing = label_smoothing

    def loss(self, logits, targets):
        return label_smoothed_cross_entropy(logits, targets, self.label_smoothing)

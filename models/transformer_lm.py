"""Decoder-only Transformer language model (GPT-style) on the chapter 5-6
interface: ids (batch, time) -> logits (batch, time, vocab).

Token embedding (* sqrt(dim)) + positional encoding, a stack of causal
self-attention blocks (``TransformerDecoder(cross_attention=False)``; pre-norm
ends with a LayerNorm), and the output projection, tied to the embedding by
default. A Transformer carries no state between calls: each training chunk of
``--time-size`` tokens is an independent context window, so ``reset_state``
and ``unchain`` (LanguageModel's, over no recurrent layers) do nothing.
"""
import numpy as np

from autograd_nlp.core import Parameter
from autograd_nlp.functions import linear
from autograd_nlp.layers import Linear, TransformerDecoder, init
from autograd_nlp.models.language_model import LanguageModel
from autograd_nlp.models.transformer_seq2seq import TokenEmbedding


class TransformerLM(LanguageModel):
    """``TransformerLM(vocab_size, dim=128, num_heads=4, num_layers=2)``.
    ``context_size``: the longest window it is meant to read (the training
    chunk; the learned positional table's length); ``generate`` slides its
    window so no step reads more. ``tie_weights``: logits = h @ embed.W.T + b."""

    def __init__(self, vocab_size, dim=128, num_heads=4, num_layers=2, ff_hidden=None,
                 dropout=0.1, activation="relu", norm_first=True, positional="sinusoidal",
                 context_size=64, tie_weights=True):
        super().__init__()
        self.vocab_size, self.context_size, self.tie_weights = vocab_size, context_size, tie_weights
        self.embed = TokenEmbedding(vocab_size, dim, positional, context_size, dropout)
        self.layers = TransformerDecoder(num_layers, dim, num_heads, ff_hidden or 4 * dim,
                                         dropout, activation, norm_first, cross_attention=False)
        if tie_weights:
            self.out_bias = Parameter(init.zeros((vocab_size,)))
        else:
            self.out = Linear(dim, vocab_size)

    def forward(self, xs, cache=None):
        """xs (batch, T) ids -> logits (batch, T, vocab). With ``cache`` (from
        ``new_cache``), xs holds only the new positions, which follow the
        cached ones; their keys/values join the cache."""
        offset = 0 if cache is None else cache.length
        h = self.layers(self.embed(np.asarray(xs), offset), cache=cache)
        if self.tie_weights:
            return linear(h, self.embed.embed.W.T, self.out_bias)
        return self.out(h)

    def new_cache(self):
        return self.layers.new_cache()

    # --- generation: LanguageModel.generate's hooks -----------------------------------
    def start_generation(self):
        """The state of a generation: the key/value cache and the ids it covers."""
        return {"cache": self.new_cache(), "ids": []}

    def next_logits(self, x, state):
        """Logits (vocab,) after id ``x``: one call per layer on one position.
        When the window is full (``context_size``), the cache restarts from
        the last half of the window (one call on those positions), so no
        step ever reads more than the model was trained on."""
        state["ids"].append(int(x))
        if state["cache"].length >= self.context_size:
            state["cache"] = self.new_cache()
            window = state["ids"][-(self.context_size // 2 + 1):]
            return self(np.array([window]), cache=state["cache"]).data[0, -1]
        return self(np.array([[x]]), cache=state["cache"]).data[0, -1]

    # --- beam search: LanguageModel.beam_generate's hooks -----------------------------
    def start_beam(self, length):
        """A fresh key/value cache; the beam reads at most ``context_size``
        positions (no sliding window here)."""
        if length - 1 > self.context_size:
            raise ValueError(f"beam_generate: a TransformerLM beam reads at most its "
                             f"context_size={self.context_size} positions; ask for length <= "
                             f"{self.context_size + 1} (or sample with generate)")
        self._beam_cache = self.new_cache()

    def beam_logits(self, last_ids):
        return self(last_ids[:, None], cache=self._beam_cache).data[:, -1]

    def reorder_state(self, index):
        self._beam_cache = self._beam_cache.select(index)

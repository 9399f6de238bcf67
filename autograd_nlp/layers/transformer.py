"""Transformer blocks: encoder and decoder layers and their stacks.

Every sub-layer (self-attention, cross-attention, feed-forward) sits in a
``ResidualBlock``: post-norm ``norm(x + dropout(f(x)))`` as in the original
paper, or pre-norm ``x + dropout(f(norm(x)))`` (``norm_first=True``, GPT-2
style; the stack then ends with one more LayerNorm). A decoder layer built
with ``cross_attention=False`` is a causal decoder-only block (a language
model's), so ``TransformerDecoder(..., cross_attention=False)`` is GPT's stack.
"""
from autograd_nlp.config import scope
from autograd_nlp.layers.dropout import Dropout
from autograd_nlp.layers.feed_forward import FeedForward
from autograd_nlp.layers.layer_norm import LayerNorm
from autograd_nlp.layers.module import Module, ModuleList
from autograd_nlp.layers.multi_head_attention import MultiHeadAttention
from autograd_nlp.layers.state import select_state


class ResidualBlock(Module):
    """x (..., dim), ``sublayer`` (a function of the normalised or raw x) ->
    x plus the sub-layer's output, normalised after (post-norm) or before
    (pre-norm). Holds the LayerNorm and the residual dropout."""

    def __init__(self, dim, dropout=0.0, norm_first=False):
        super().__init__()
        self.norm_first = norm_first
        self.norm = LayerNorm(dim)
        self.dropout = Dropout(dropout)

    def forward(self, x, sublayer):
        if self.norm_first:
            return x + self.dropout(sublayer(self.norm(x)))
        return self.norm(x + self.dropout(sublayer(x)))


class TransformerEncoderLayer(Module):
    """x (batch, S, dim) -> (batch, S, dim): self-attention over the whole
    sequence (padding masked), then the feed-forward network."""

    def __init__(self, dim, num_heads, ff_hidden, dropout=0.0, activation="relu",
                 norm_first=False):
        super().__init__()
        self.self_attention = MultiHeadAttention(dim, num_heads, dropout)
        self.attention_block = ResidualBlock(dim, dropout, norm_first)
        self.feed_forward = FeedForward(dim, ff_hidden, activation, dropout)
        self.feed_forward_block = ResidualBlock(dim, dropout, norm_first)

    def forward(self, x, padding_mask=None):
        """padding_mask (batch, S) bool, True = padding."""
        with scope("self-attention"):
            x = self.attention_block(
                x, lambda h: self.self_attention(h, key_padding_mask=padding_mask)[0])
        with scope("feed-forward"):
            return self.feed_forward_block(x, self.feed_forward)


class TransformerDecoderLayer(Module):
    """y (batch, T, dim), memory (batch, S, dim) -> (batch, T, dim): causal
    self-attention, cross-attention over the memory (unless
    ``cross_attention=False``: a decoder-only block), feed-forward."""

    def __init__(self, dim, num_heads, ff_hidden, dropout=0.0, activation="relu",
                 norm_first=False, cross_attention=True):
        super().__init__()
        self.self_attention = MultiHeadAttention(dim, num_heads, dropout)
        self.self_attention_block = ResidualBlock(dim, dropout, norm_first)
        if cross_attention:
            self.cross_attention = MultiHeadAttention(dim, num_heads, dropout)
            self.cross_attention_block = ResidualBlock(dim, dropout, norm_first)
        else:
            self.cross_attention = None
        self.feed_forward = FeedForward(dim, ff_hidden, activation, dropout)
        self.feed_forward_block = ResidualBlock(dim, dropout, norm_first)

    def forward(self, y, memory=None, memory_padding_mask=None, padding_mask=None, cache=None):
        """memory_padding_mask (batch, S), padding_mask (batch, T_total): True =
        padding. ``cache``: this layer's dict from a ``DecodingCache``."""
        self_cache = cross_cache = None
        if cache is not None:
            self_cache, cross_cache = cache.setdefault("self", {}), cache.setdefault("cross", {})
        with scope("self-attention"):
            y = self.self_attention_block(y, lambda h: self.self_attention(
                h, key_padding_mask=padding_mask, causal=True, cache=self_cache)[0])
        if self.cross_attention is not None:
            if memory is None:
                raise ValueError("TransformerDecoderLayer: this layer has cross-attention and "
                                 "needs the encoder's memory (batch, S, dim)")
            with scope("cross-attention"):
                y = self.cross_attention_block(y, lambda h: self.cross_attention(
                    h, memory, key_padding_mask=memory_padding_mask, cache=cross_cache,
                    static=True)[0])
        with scope("feed-forward"):
            return self.feed_forward_block(y, self.feed_forward)


class TransformerEncoder(Module):
    """``num_layers`` encoder layers (plus a final LayerNorm when pre-norm)."""

    def __init__(self, num_layers, dim, num_heads, ff_hidden, dropout=0.0, activation="relu",
                 norm_first=False):
        super().__init__()
        self.layers = ModuleList(TransformerEncoderLayer(dim, num_heads, ff_hidden, dropout,
                                                         activation, norm_first)
                                 for _ in range(num_layers))
        self.final_norm = LayerNorm(dim) if norm_first else None

    def forward(self, x, padding_mask=None):
        """x (batch, S, dim), padding_mask (batch, S) True = padding -> (batch, S, dim)."""
        for i, layer in enumerate(self.layers):
            with scope(f"encoder-layer-{i}"):
                x = layer(x, padding_mask)
        return x if self.final_norm is None else self.final_norm(x)


class DecodingCache:
    """Keys and values of the steps decoded so far, one dict per layer, and
    ``length``: how many target positions they cover (the next position)."""

    def __init__(self, num_layers):
        self.layers = [{} for _ in range(num_layers)]
        self.length = 0

    def select(self, index):
        """A new cache whose batch rows are this one's rows ``index``
        (new_batch,) int, e.g. the hypotheses beam search keeps."""
        chosen = DecodingCache(len(self.layers))
        chosen.layers = [select_state(layer, index) for layer in self.layers]
        chosen.length = self.length
        return chosen


class TransformerDecoder(Module):
    """``num_layers`` decoder layers (plus a final LayerNorm when pre-norm)."""

    def __init__(self, num_layers, dim, num_heads, ff_hidden, dropout=0.0, activation="relu",
                 norm_first=False, cross_attention=True):
        super().__init__()
        self.layers = ModuleList(TransformerDecoderLayer(dim, num_heads, ff_hidden, dropout,
                                                         activation, norm_first,
                                                         cross_attention)
                                 for _ in range(num_layers))
        self.final_norm = LayerNorm(dim) if norm_first else None

    def new_cache(self):
        """An empty cache for incremental decoding (``forward(..., cache=)``)."""
        return DecodingCache(len(self.layers))

    def forward(self, y, memory=None, memory_padding_mask=None, padding_mask=None, cache=None):
        """y (batch, T, dim) -> (batch, T, dim). With ``cache``, y holds only
        the new positions (cache.length onwards); earlier keys/values are reused."""
        for i, layer in enumerate(self.layers):
            with scope(f"decoder-layer-{i}"):
                y = layer(y, memory, memory_padding_mask, padding_mask,
                          None if cache is None else cache.layers[i])
        if cache is not None:
            cache.length += y.shape[1]
        return y if self.final_norm is None else self.final_norm(y)

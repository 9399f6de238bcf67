"""Multi-head scaled dot-product attention (Vaswani et al. 2017, section 3.2).

Chapter 8's attention scores a decoder state against every encoder state with
one dot product. Here queries, keys and values are first projected into
``num_heads`` smaller spaces, each head attends on its own (scores scaled by
1/sqrt(head_dim)), and the heads' contexts are concatenated and projected back.

Two masks, as in torch: ``key_padding_mask`` (batch, S), True = padding, and
``causal=True`` (query i sees keys up to i). Internally they are combined into
one "allowed" mask (True = may attend, as ``dot_product_attention``'s).
Masked positions get exactly zero weight (``masked_softmax``), also when a
whole row is masked: that row's output is the output projection's bias.
"""
import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import ShapeError
from autograd_nlp.functions import (attention_scores, concat, masked_softmax, matmul, reshape,
                                    softmax, transpose)
from autograd_nlp.layers.dropout import Dropout
from autograd_nlp.layers.linear import Linear
from autograd_nlp.layers.module import Module


def causal_mask(queries, keys):
    """(queries, keys) bool, True = may attend: query i sees keys up to
    ``keys - queries + i``, i.e. the queries are the last positions (which
    is what incremental decoding with cached keys needs)."""
    return np.tri(queries, keys, k=keys - queries, dtype=bool)


def allowed_positions(batch, queries, keys, key_padding_mask=None, causal=False):
    """The combined mask, broadcastable to (batch, heads, queries, keys), or
    None when nothing is masked."""
    allowed = None
    if key_padding_mask is not None:
        # built on the CPU (masked_softmax moves it to the scores' device)
        padding = np.asarray(to_device(key_padding_mask, "cpu"), dtype=bool)
        if padding.shape != (batch, keys):
            raise ShapeError(f"MultiHeadAttention: key_padding_mask has shape {padding.shape}, "
                             f"expected (batch, keys) = {(batch, keys)} (True = padding)")
        allowed = ~padding[:, None, None, :]
    if causal:
        triangle = causal_mask(queries, keys)[None, None]
        allowed = triangle if allowed is None else allowed & triangle
    return allowed


class MultiHeadAttention(Module):
    """query (batch, T, dim), key/value (batch, S, dim) -> output (batch, T,
    dim) and weights (batch, heads, T, S); the last weights are also kept in
    ``self.weights`` (an array) for heatmaps.

    ``cache`` (a dict, one per layer and decoding run) makes incremental
    decoding O(1) projections per step: with ``static=False`` (self-attention)
    the new keys/values are appended to the cached ones; with ``static=True``
    (cross-attention over a fixed memory) they are projected once and reused.
    """

    def __init__(self, dim, num_heads, dropout=0.0, bias=True):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"MultiHeadAttention: dim={dim} is not divisible by "
                             f"num_heads={num_heads}; pick a dim that is")
        self.dim, self.num_heads, self.head_dim = dim, num_heads, dim // num_heads
        self.query = Linear(dim, dim, bias=bias)
        self.key = Linear(dim, dim, bias=bias)
        self.value = Linear(dim, dim, bias=bias)
        self.out = Linear(dim, dim, bias=bias)
        self.dropout = Dropout(dropout)
        self.weights = None

    def split_heads(self, x):
        """(batch, T, dim) -> (batch, heads, T, head_dim)."""
        batch, steps = x.shape[0], x.shape[1]
        return transpose(reshape(x, (batch, steps, self.num_heads, self.head_dim)), (0, 2, 1, 3))

    def merge_heads(self, x):
        """(batch, heads, T, head_dim) -> (batch, T, dim)."""
        batch, steps = x.shape[0], x.shape[2]
        return reshape(transpose(x, (0, 2, 1, 3)), (batch, steps, self.dim))

    def project_keys_values(self, key, value, cache=None, static=False):
        """Keys and values (batch, heads, S, head_dim), read from / stored in ``cache``."""
        if cache is not None and static and "keys" in cache:
            return cache["keys"], cache["values"]
        keys, values = self.split_heads(self.key(key)), self.split_heads(self.value(value))
        if cache is not None:
            if not static and "keys" in cache:
                keys = concat(cache["keys"], keys, axis=2)
                values = concat(cache["values"], values, axis=2)
            cache["keys"], cache["values"] = keys, values
        return keys, values

    def forward(self, query, key=None, value=None, key_padding_mask=None, causal=False,
                cache=None, static=False):
        key = query if key is None else key
        value = key if value is None else value
        if query.shape[-1] != self.dim or key.shape[-1] != self.dim or value.shape[-1] != self.dim:
            raise ShapeError(f"MultiHeadAttention(dim={self.dim}): query {query.shape}, key "
                             f"{key.shape}, value {value.shape} must all end in {self.dim}")
        queries = self.split_heads(self.query(query))
        keys, values = self.project_keys_values(key, value, cache, static)
        scores = attention_scores(queries, keys, 1.0 / np.sqrt(self.head_dim))
        allowed = allowed_positions(query.shape[0], query.shape[1], keys.shape[2],
                                    key_padding_mask, causal)
        weights = (softmax(scores, axis=-1) if allowed is None     # (batch, heads, T, S)
                   else masked_softmax(scores, allowed, axis=-1))
        self.weights = weights.data
        context = matmul(self.dropout(weights), values)             # (batch, heads, T, head_dim)
        return self.out(self.merge_heads(context)), weights

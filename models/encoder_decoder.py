"""The one interface of every seq2seq model here (LSTM or Transformer), so
that teacher-forced training, greedy decoding and accuracy evaluation are
written once.

An encoder and a decoder are injected; they agree on a ``memory`` (what the
encoder hands over) and a decoding ``state`` (what the decoder carries from
one step to the next):

* ``encoder(xs)`` -> memory                         xs: (batch, S) ids
* ``decoder.start(memory)`` -> state                 (LSTM: (h, c); Transformer: a cache)
* ``decoder(ys, state, memory)`` -> (logits, state)  ys: (batch, T) ids,
  logits (batch, T, vocab); T = 1 in greedy decoding, the whole answer in training
* ``decoder.attention_weights()`` -> the last call's weights over the source,
  (batch, T, S) or (batch, heads, T, S), or None for a decoder without attention.
"""
import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.layers import Module


class EncoderDecoder(Module):
    """``model(xs, ts)`` -> mean cross-entropy of ts[:, 1:] given ts[:, :-1]
    (teacher forcing; ts starts with the start id); ``generate`` decodes."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def loss(self, logits, targets):
        """logits (batch, T, vocab), targets (batch, T) -> scalar; override to
        e.g. smooth the labels."""
        return softmax_cross_entropy(logits, targets)

    def forward(self, xs, ts):
        memory = self.encoder(xs)
        logits, _ = self.decoder(ts[:, :-1], self.decoder.start(memory), memory)
        return self.loss(logits, ts[:, 1:])

    def generate(self, xs, start_id, length, return_attention=False, cached=True):
        """Greedy decoding of a batch: xs (batch, S) -> ids (batch, length),
        NumPy arrays whatever the model's device.

        ``cached`` (default): one decoder call per new token, carrying the
        state; ``cached=False`` re-reads the whole prefix from the start state
        at every step (O(T^2), for checking the cache). ``return_attention``:
        also the weights each output step put on the source, (batch, length,
        S) or (batch, heads, length, S)."""
        with no_grad(), eval_mode():
            memory = self.encoder(xs)
            state = self.decoder.start(memory)
            ids = np.full((len(xs), 1), start_id, dtype=np.int64)
            weights = []
            for _ in range(length):
                if cached:
                    logits, state = self.decoder(ids[:, -1:], state, memory)
                else:
                    logits, _ = self.decoder(ids, self.decoder.start(memory), memory)
                # the ids stay NumPy (a moved model moves its inputs itself)
                next_ids = to_device(logits.data[:, -1].argmax(axis=-1), "cpu")
                ids = np.concatenate([ids, next_ids[:, None]], axis=1)
                if return_attention:
                    step_weights = self.decoder.attention_weights()
                    if step_weights is None:
                        raise ValueError(f"{type(self).__name__}.generate: its decoder has "
                                         f"no attention weights to return")
                    weights.append(to_device(step_weights[..., -1, :], "cpu"))
        ids = ids[:, 1:]
        return (ids, np.stack(weights, axis=-2)) if return_attention else ids

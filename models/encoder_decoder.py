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

Beam search (``beam_search``) reorders the state with ``select_state``
(layers/state.py): a tuple of Variables or arrays, or an object with
``select(index)``.
"""
import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.layers import Module, select_state
from autograd_nlp.numeric import log_softmax_array
from autograd_nlp.models.beam_search import beam_search


class EncoderDecoder(Module):
    """``model(xs, ts)`` -> mean cross-entropy of ts[:, 1:] given ts[:, :-1]
    (teacher forcing; ts starts with the start id); ``generate`` decodes."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def question_lengths(self, xs):
        """(N,) the questions' lengths without padding for a model that
        ignores padding (evaluation then runs them in length order), else
        None: this one reads every question whole."""
        return None

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

    def beam_search(self, xs, start_id, length, beam=3, eos_id=None, alpha=0.0, norm="gnmt",
                    return_scores=False):
        """Beam search of width ``beam`` for a batch: xs (batch, S) -> ids
        (batch, length), NumPy, the best answer found per question (see
        models/beam_search.py); ``return_scores``: also their summed
        log-probabilities (batch,). The batch runs as batch * (beam + 1) rows
        (the beam and a greedy row per question): the encoder reads each
        question once and its memory is copied to the question's rows.
        ``eos_id``: hypotheses end there (the rest of the row is eos_id) and
        are ranked by score / length penalty (``alpha``, ``norm``); without it
        every answer has ``length`` tokens. beam = 1 is ``generate``'s greedy
        answer."""
        with no_grad(), eval_mode():
            memory = self.encoder(xs)
            state = self.decoder.start(memory)

            def step(last_ids):
                nonlocal state
                logits, state = self.decoder(last_ids[:, None], state, memory)
                return to_device(logits.data[:, -1], "cpu")

            def reorder(index):        # the memory's rows follow the state's
                nonlocal state, memory
                state, memory = select_state(state, index), select_state(memory, index)

            ids, scores = beam_search(step, reorder, len(xs), start_id, length, beam, eos_id,
                                      alpha, norm)
        return (ids, scores) if return_scores else ids

    def answer_log_probs(self, xs, start_id, ids):
        """Log-probability (batch, T) float64 the model gives each token of
        answers ids (batch, T) to questions xs (batch, S), teacher-forced in
        one decoder call: for a greedy answer, the log of the maximum at every
        decoding step (the confidence of each character)."""
        ys = np.concatenate([np.full((len(xs), 1), start_id, dtype=np.int64),
                             np.asarray(ids, dtype=np.int64)[:, :-1]], axis=1)
        with no_grad(), eval_mode():
            memory = self.encoder(xs)
            logits, _ = self.decoder(ys, self.decoder.start(memory), memory)
        logp = log_softmax_array(to_device(logits.data, "cpu"))
        return np.take_along_axis(logp, np.asarray(ids)[..., None], axis=-1)[..., 0]

    def sequence_log_prob(self, xs, start_id, ids):
        """Summed log-probability (batch,) float64 of answers ids (batch, T)
        given questions xs (batch, S), teacher-forced in one decoder call."""
        return self.answer_log_probs(xs, start_id, ids).sum(axis=1)

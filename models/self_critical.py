"""Sequence-level REINFORCE for seq2seq models, with a self-critical baseline
(Rennie et al. 2017): fine-tune on the reward of a whole answer.

For each question the model samples an answer (one character at a time from
its softmax) and decodes one greedily; the reward is exact match with the
true answer (1 or 0), and the greedy answer's reward is the baseline:

    loss = -mean((r(sampled) - r(greedy)) * sum_t log p(y_t | y_<t, x))

Only samples that beat (or lose to) the model's own greedy answer move it.
Works with any model of the encoder-decoder interface (models/encoder_decoder.py):
``encoder(xs) -> memory``, ``decoder.start(memory) -> state``,
``decoder(ys, state, memory) -> (logits, state)`` and ``generate(xs, start_id,
length)``. Forward code only.
"""
import numpy as np

from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.models.policy_gradient import sample_actions


def sample_answers(model, xs, start_id, length, rng):
    """Sample ``length`` ids per question, recording the graph.
    xs (batch, S) -> (ids (batch, length) int64, log-probability of each
    sampled answer (batch,) Variable)."""
    memory = model.encoder(xs)
    state = model.decoder.start(memory)
    y = np.full((len(xs), 1), start_id, dtype=np.int64)
    ids, log_prob = [], 0
    for _ in range(length):
        logits, state = model.decoder(y, state, memory)
        step = logits.reshape(len(xs), -1)
        chosen = sample_actions(step.data, rng)
        log_prob = log_prob - softmax_cross_entropy(step, chosen, reduction="none")
        ids.append(chosen)
        y = chosen[:, None]
    return np.stack(ids, axis=1), log_prob


def exact_match(predicted, answers):
    """1.0 where a row of ``predicted`` (batch, T) equals ``answers``, else 0.0."""
    return (predicted == answers).all(axis=1).astype(np.float64)


def self_critical_loss(model, xs, ts, rng):
    """The self-critical REINFORCE loss of a batch: xs (batch, S) questions,
    ts (batch, 1 + T) answers led by the start id. Returns (loss Variable,
    {"sampled": mean reward of the samples, "greedy": of the greedy answers})."""
    start_id, answers = int(ts[0, 0]), ts[:, 1:]
    greedy = exact_match(model.generate(xs, start_id, answers.shape[1]), answers)
    sampled_ids, log_prob = sample_answers(model, xs, start_id, answers.shape[1], rng)
    sampled = exact_match(sampled_ids, answers)
    advantage = (sampled - greedy).astype(log_prob.dtype)
    loss = -(log_prob * advantage).mean()
    return loss, {"sampled": float(sampled.mean()), "greedy": float(greedy.mean())}

"""Sequence-level REINFORCE with a self-critical baseline."""
import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.models.self_critical import exact_match, sample_answers, self_critical_loss
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq


def test_sampled_log_probability_equals_the_teacher_forced_one():
    ag_random.seed(0)
    model = Seq2seq(6, wordvec_size=4, hidden_size=8).astype(np.float64)
    xs = np.random.default_rng(0).integers(0, 5, size=(4, 3))
    ids, log_prob = sample_answers(model, xs, 5, 4, np.random.default_rng(1))
    assert ids.shape == (4, 4) and log_prob.shape == (4,)
    ts = np.concatenate([np.full((4, 1), 5), ids], axis=1)
    memory = model.encoder(xs)
    logits, _ = model.decoder(ts[:, :-1], model.decoder.start(memory), memory)
    forced = -softmax_cross_entropy(logits, ts[:, 1:], reduction="none").data.sum(axis=1)
    assert np.allclose(log_prob.data, forced)


def test_exact_match_and_the_self_critical_advantage():
    assert np.array_equal(exact_match(np.array([[1, 2], [1, 3]]), np.array([[1, 2], [1, 2]])),
                          [1.0, 0.0])
    ag_random.seed(1)
    model = PeekySeq2seq(6, wordvec_size=4, hidden_size=8)
    xs = np.zeros((3, 2), dtype=np.int64)
    ts = np.array([[5, 1, 2]] * 3)
    loss, parts = self_critical_loss(model, xs, ts, np.random.default_rng(0))
    assert 0 <= parts["sampled"] <= 1 and 0 <= parts["greedy"] <= 1
    loss.backward()                                  # a graph through every sampled step
    assert model.encoder.embed.W.grad is not None and model.decoder.out.W.grad is not None

"""Beam search (models/beam_search.py) on every seq2seq model and on the
language models: width 1 is greedy decoding, a wider beam never finds a less
likely answer than greedy, a wide enough beam finds the most likely one (an
exhaustive search over a tiny vocabulary is the oracle), batching over
questions changes nothing, and end-of-sequence / length normalisation rank
complete hypotheses as documented."""
import itertools

import numpy as np
import pytest

from autograd_nlp.core import Variable
from autograd_nlp.layers import DecodingCache, select_state
from autograd_nlp.training import seq2seq_accuracy
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.beam_search import beam_search, length_penalty
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq

VOCAB = 7


def transformer(vocab):
    return TransformerSeq2seq(vocab, dim=8, num_heads=2, num_layers=2, dropout=0.1)


MODELS = {
    "seq2seq": lambda v: Seq2seq(v, 4, 8),
    "peeky": lambda v: PeekySeq2seq(v, 4, 8),
    "attention": lambda v: AttentionSeq2seq(v, 4, 8),
    "attention-bidirectional": lambda v: AttentionSeq2seq(v, 4, 8, bidirectional=True),
    "transformer": transformer,
}


def sharp_model(name, seed, vocab=VOCAB, scale=3.0):
    """A random model whose weights are scaled up, so that its next-token
    distributions are peaked and greedy decoding is often not the most likely
    answer (an untrained model is nearly uniform)."""
    from autograd_nlp import random as ag_random
    ag_random.seed(seed)
    model = MODELS[name](vocab)
    for p in model.params():
        p.data *= scale
    return model


@pytest.mark.parametrize("name", MODELS)
def test_width_one_is_greedy(name):
    model = sharp_model(name, 0)
    xs = np.random.default_rng(0).integers(1, VOCAB, (6, 5))
    greedy = model.generate(xs, 0, 6)
    np.testing.assert_array_equal(model.beam_search(xs, 0, 6, beam=1), greedy)


@pytest.mark.parametrize("name", MODELS)
def test_beam_is_never_less_likely_than_greedy_and_its_score_is_the_models(name):
    gains = []
    for seed in range(4):
        model = sharp_model(name, seed)
        xs = np.random.default_rng(seed).integers(1, VOCAB, (8, 5))
        greedy = model.sequence_log_prob(xs, 0, model.generate(xs, 0, 6))
        for beam in (2, 5):
            ids, scores = model.beam_search(xs, 0, 6, beam=beam, return_scores=True)
            np.testing.assert_allclose(scores, model.sequence_log_prob(xs, 0, ids), atol=1e-5)
            assert (scores >= greedy - 1e-6).all(), (seed, beam, scores - greedy)
            gains.append(scores - greedy)
    assert np.concatenate(gains).max() > 1e-3      # the search does find better answers


@pytest.mark.parametrize("name", ["seq2seq", "attention", "transformer"])
def test_a_wide_enough_beam_finds_the_most_likely_answer(name):
    vocab, length = 3, 3
    model = sharp_model(name, 5, vocab=vocab, scale=4.0)
    xs = np.random.default_rng(5).integers(0, vocab, (4, 4))
    every = np.array(list(itertools.product(range(vocab), repeat=length)))
    best = np.array([model.sequence_log_prob(np.repeat(x[None], len(every), 0), 0, every).max()
                     for x in xs])
    _, scores = model.beam_search(xs, 0, length, beam=vocab ** (length - 1),
                                  return_scores=True)
    np.testing.assert_allclose(scores, best, atol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_batched_search_matches_one_question_at_a_time(name):
    model = sharp_model(name, 2)
    xs = np.random.default_rng(2).integers(1, VOCAB, (5, 5))
    batch, scores = model.beam_search(xs, 0, 5, beam=3, return_scores=True)
    for i in range(len(xs)):
        one, score = model.beam_search(xs[i:i + 1], 0, 5, beam=3, return_scores=True)
        np.testing.assert_array_equal(one[0], batch[i])
        np.testing.assert_allclose(score[0], scores[i], atol=1e-5)


def test_with_eos_width_one_is_greedy_up_to_the_eos_and_pads_with_it():
    model = sharp_model("attention", 3, scale=4.0)
    xs = np.random.default_rng(3).integers(1, VOCAB, (30, 5))
    greedy = model.generate(xs, 0, 6)
    eos = int(np.bincount(greedy[:, :3].ravel()).argmax())   # an id greedy emits early
    ids = model.beam_search(xs, 0, 6, beam=1, eos_id=eos)
    stopped = 0
    for g, b in zip(greedy, ids):
        end = np.flatnonzero(g == eos)
        if end.size:
            stopped += 1
            np.testing.assert_array_equal(b[:end[0] + 1], g[:end[0] + 1])
            assert (b[end[0]:] == eos).all()
        else:
            np.testing.assert_array_equal(b, g)
    assert stopped > 0


def fixed_step(table):
    """A 'decoder' without state whose next-token log-probabilities depend
    only on the last token: table[last] (vocab,)."""
    table = np.log(np.asarray(table, dtype=np.float64))
    return (lambda last: table[last]), (lambda index: None)


def test_an_early_eos_competes_with_the_hypotheses_that_go_on():
    # from 0: eos (2) at p=0.4, or 1 at 0.6; from 1: 1 again at 0.9, eos at 0.1.
    # "eos" has log 0.4 = -0.916; "1 1 1 1" log(0.6 * 0.9 ** 3) = -0.827 beats it,
    # "1 1 1 1 1" log(0.6 * 0.9 ** 4) = -0.932 does not
    step, reorder = fixed_step([[1e-9, 0.6, 0.4], [1e-9, 0.9, 0.1], [1e-9, 0.5, 0.5]])
    ids, score = beam_search(step, reorder, 1, 0, 4, beam=2, eos_id=2)
    np.testing.assert_array_equal(ids[0], [1, 1, 1, 1])
    assert np.isclose(score[0], np.log(0.6 * 0.9 ** 3))
    ids, score = beam_search(step, reorder, 1, 0, 5, beam=2, eos_id=2)
    np.testing.assert_array_equal(ids[0], [2, 2, 2, 2, 2])
    assert np.isclose(score[0], np.log(0.4))


def test_short_answers_win_without_normalisation_and_long_ones_with_the_mean():
    # from 0: eos at 0.5 or 1 at 0.5; after 1 the rest is nearly certain (0.99 each)
    step, reorder = fixed_step([[1e-9, 0.5, 0.5], [1e-9, 0.99, 0.01], [1e-9, 0.5, 0.5]])
    short, score = beam_search(step, reorder, 1, 0, 6, beam=2, eos_id=2)
    np.testing.assert_array_equal(short[0], [2] * 6)
    assert np.isclose(score[0], np.log(0.5))
    long, score = beam_search(step, reorder, 1, 0, 6, beam=2, eos_id=2, norm="mean")
    np.testing.assert_array_equal(long[0], [1] * 6)
    assert np.isclose(score[0], np.log(0.5) + 5 * np.log(0.99))
    gnmt, _ = beam_search(step, reorder, 1, 0, 6, beam=2, eos_id=2, alpha=1.0)
    np.testing.assert_array_equal(gnmt[0], [1] * 6)


def test_length_penalty_forms():
    assert length_penalty(7, 0.0) == 1.0
    assert np.isclose(length_penalty(7, 1.0), 2.0)          # (5 + 7) / 6
    assert length_penalty(7, 0.3, norm="mean") == 7.0


@pytest.mark.parametrize("kwargs, says", [
    (dict(beam=0), "beam must be an integer >= 1"),
    (dict(beam=2, alpha=-1.0), "alpha must be >= 0"),
    (dict(beam=2, norm="max"), "norm must be one of"),
])
def test_bad_options_are_errors_naming_them(kwargs, says):
    step, reorder = fixed_step([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match=says):
        beam_search(step, reorder, 1, 0, 3, **kwargs)


def test_beam_accuracy_is_the_beam_searchs_exact_match():
    model = sharp_model("peeky", 4)
    rng = np.random.default_rng(4)
    xs = rng.integers(1, VOCAB, (20, 5))
    answers = model.beam_search(xs, 0, 4, beam=3)
    ts = np.concatenate([np.zeros((20, 1), dtype=np.int64), answers], axis=1)
    ts[:7, 2] = (ts[:7, 2] + 1) % VOCAB                       # 7 rows now wrong
    accuracy, predictions = seq2seq_accuracy(model, xs, ts, batch_size=6, beam=3,
                                             return_predictions=True)
    np.testing.assert_array_equal(predictions, answers)
    assert accuracy == pytest.approx(13 / 20)


# --- state reindexing ------------------------------------------------------------

def test_select_state_reindexes_tuples_dicts_arrays_and_caches():
    h, c = Variable(np.arange(6.0).reshape(3, 2)), np.arange(3)
    picked = select_state((h, c, None), [2, 2, 0])
    np.testing.assert_array_equal(picked[0].data, [[4, 5], [4, 5], [0, 1]])
    np.testing.assert_array_equal(picked[1], [2, 2, 0])
    assert picked[2] is None
    cache = DecodingCache(2)
    cache.layers[0]["self"] = {"keys": Variable(np.arange(3.0)[:, None])}
    cache.length = 4
    chosen = cache.select(np.array([1, 0]))
    assert chosen is not cache and chosen.length == 4 and chosen.layers[1] == {}
    np.testing.assert_array_equal(chosen.layers[0]["self"]["keys"].data[:, 0], [1, 0])
    np.testing.assert_array_equal(cache.layers[0]["self"]["keys"].data[:, 0], [0, 1, 2])
    with pytest.raises(TypeError, match="select_state: cannot reindex a str"):
        select_state("state", [0])


# --- language models -------------------------------------------------------------

LMS = {"rnnlm": lambda: Rnnlm(12, 6, 6), "simple-rnnlm": lambda: SimpleRnnlm(12, 6, 6),
       "better-rnnlm": lambda: BetterRnnlm(12, 6, 6, dropout=0.5)}


def sharp_lm(name, seed, scale=4.0):
    from autograd_nlp import random as ag_random
    ag_random.seed(seed)
    model = LMS[name]()
    for p in model.params():
        p.data *= scale
    return model


def lm_log_prob(model, ids):
    """Summed log-probability of ids[1:] after ids[0], one teacher-forced pass."""
    from autograd_nlp.core import eval_mode, no_grad
    from autograd_nlp.numeric import log_softmax_array as log_softmax
    model.reset_state()
    with no_grad(), eval_mode():
        logp = log_softmax(model(np.array([ids[:-1]])).data[0])
    model.reset_state()
    return float(logp[np.arange(len(ids) - 1), ids[1:]].sum())


@pytest.mark.parametrize("name", LMS)
def test_language_model_width_one_is_greedy_and_wider_is_at_least_as_likely(name):
    gains = []
    for seed in range(3):
        model = sharp_lm(name, seed)
        greedy = model.generate(1, 10, greedy=True)
        assert model.beam_generate(1, 10, beam=1) == greedy
        ids, score = model.beam_generate(1, 10, beam=4, return_score=True)
        assert len(ids) == 10 and ids[0] == 1
        assert score == pytest.approx(lm_log_prob(model, ids), abs=1e-4)
        gains.append(score - lm_log_prob(model, greedy))
        assert gains[-1] >= -1e-6
        assert model.training                  # left as it was
    assert max(gains) > 1e-3


def test_language_model_beam_skips_ids_and_stops_at_eos():
    model = sharp_lm("rnnlm", 7)
    free = model.beam_generate(1, 12, beam=3)
    skip = sorted(set(free[1:]))[:2]
    assert not set(model.beam_generate(1, 12, beam=3, skip_ids=skip)[1:]) & set(skip)
    eos = free[3]
    ids = model.beam_generate(1, 12, beam=3, eos_id=eos)
    assert ids[-1] == eos and eos not in ids[1:-1] and len(ids) <= 12


@pytest.mark.parametrize("name", ["seq2seq", "transformer"])
def test_with_eos_the_beam_never_scores_below_greedy_and_scores_up_to_the_eos(name):
    ended = 0
    for seed in range(3):
        model = sharp_model(name, seed, scale=4.0)
        xs = np.random.default_rng(seed).integers(1, VOCAB, (10, 5))
        _, greedy = model.beam_search(xs, 0, 6, beam=1, eos_id=3, return_scores=True)
        ids, scores = model.beam_search(xs, 0, 6, beam=3, eos_id=3, return_scores=True)
        assert (scores >= greedy - 1e-6).all()
        for i in np.flatnonzero((ids == 3).any(axis=1)):
            end = int(np.flatnonzero(ids[i] == 3)[0]) + 1
            ended += 1
            assert (ids[i, end:] == 3).all()
            np.testing.assert_allclose(
                scores[i], model.sequence_log_prob(xs[i:i + 1], 0, ids[i:i + 1, :end])[0],
                atol=1e-5)
    assert ended > 0

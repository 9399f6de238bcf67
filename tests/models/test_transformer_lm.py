"""TransformerLM: float64 gradients, causality, cached == uncached
generation, the sliding generation window, and learning a cycle through the
language-model trainer (stateless chunks)."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp import optim
from autograd_nlp.training import LanguageModelTrainer
from autograd_nlp.models.transformer_lm import TransformerLM

TINY = dict(dim=8, num_heads=2, num_layers=2, ff_hidden=12, dropout=0.0, context_size=8)


def f64(**kwargs):
    ag.random.seed(0)
    with ag.default_dtype(np.float64):
        return TransformerLM(11, **{**TINY, **kwargs})


@pytest.mark.parametrize("kwargs", [{}, {"norm_first": False, "num_layers": 1},
                                    {"tie_weights": False, "num_layers": 1},
                                    {"positional": "learned", "num_layers": 1}],
                         ids=["pre-norm-tied", "post-norm", "untied", "learned-positions"])
def test_logits_shape_and_gradcheck(kwargs):
    model = f64(**kwargs)
    ids = np.random.default_rng(0).integers(0, 11, (2, 4))
    assert model(ids).shape == (2, 4, 11)
    assert ag.gradcheck_module(
        model, lambda: F.softmax_cross_entropy(model(ids[:, :3]), ids[:, 1:]), samples=4)


def test_tied_output_shares_the_embedding():
    tied, untied = f64(), f64(tie_weights=False)
    names = [n for n, _ in tied.named_params()]
    assert "embed.embed.W" in names and not any(n.startswith("out.") for n in names)
    assert untied.num_params() - tied.num_params() == 8 * 11      # the separate W (bias in both)


def test_changing_a_later_token_leaves_earlier_logits_unchanged():
    model = f64()
    ids = np.random.default_rng(1).integers(0, 11, (1, 6))
    changed = ids.copy()
    changed[0, 3] = (ids[0, 3] + 1) % 11
    a, b = model(ids).data, model(changed).data
    np.testing.assert_allclose(a[0, :3], b[0, :3], rtol=1e-12, atol=1e-12)
    assert not np.allclose(a[0, 3:], b[0, 3:])


def uncached_generate(model, start_id, length, rng):
    """The reference: re-read the whole prefix at every step, no cache."""
    ids = [start_id]
    with ag.no_grad():
        while len(ids) < length:
            logits = model(np.array([ids])).data[0, -1].astype(np.float64)
            p = np.exp(logits - logits.max())
            ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return ids


def test_cached_generation_equals_uncached():
    model = f64(context_size=16)
    model.eval()
    cached = model.generate(2, 12, rng=np.random.default_rng(5))
    assert cached == uncached_generate(model, 2, 12, np.random.default_rng(5))
    greedy = model.generate(2, 12, greedy=True)
    reference = [2]
    for _ in range(11):
        reference.append(int(np.argmax(model(np.array([reference])).data[0, -1])))
    assert greedy == reference and len(set(cached)) > 1


def test_generation_slides_its_window_within_the_context():
    model = f64(context_size=6, positional="learned")     # a position >= 6 would raise
    seen = []
    forward = model.forward

    def recording(xs, cache=None):
        out = forward(xs, cache)
        seen.append(cache.length)
        return out
    model.forward = recording
    ids = model.generate(1, 25, rng=np.random.default_rng(0))
    assert len(ids) == 25 and max(seen) <= 6
    assert seen.count(4) > 1                   # restarted from half a window, more than once


def test_learns_a_cycle_from_independent_windows():
    ag.random.seed(0)
    model = TransformerLM(6, dim=16, num_heads=2, num_layers=1, dropout=0.0, context_size=6)
    opt = optim.Adam(model.params(), lr=0.01)
    text = np.array([0, 1, 2, 3, 4, 5] * 40)
    LanguageModelTrainer(model, opt, batch_size=4, time_size=6, max_grad=1.0,
                         progress=False, log=lambda *a: None).fit(text, epochs=12)
    assert model.generate(0, 14, greedy=True) == [0, 1, 2, 3, 4, 5] * 2 + [0, 1]


def test_beam_generation_is_greedy_at_width_one_and_never_less_likely():
    """The key/value cache follows the beam's surviving rows: width 1 is
    greedy decoding, and a wider beam's score is the model's own
    log-probability of its ids and never below greedy's."""
    from autograd_nlp import random as ag_random
    from autograd_nlp.core import eval_mode, no_grad
    from autograd_nlp.models.transformer_lm import TransformerLM
    for seed in range(3):
        ag_random.seed(seed)
        model = TransformerLM(20, dim=16, num_heads=2, num_layers=1, context_size=16,
                              dropout=0.0)
        for p in model.params():            # sharper distributions: beams differ
            p.data *= 4
        greedy = model.generate(3, 10, greedy=True)
        ids1, score1 = model.beam_generate(3, 10, beam=1, return_score=True)
        ids4, score4 = model.beam_generate(3, 10, beam=4, return_score=True)
        assert ids1 == greedy
        assert score4 >= score1 - 1e-6
        with no_grad(), eval_mode():
            logits = model(np.array([ids4[:-1]])).data[0].astype(np.float64)
        logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1,
                               keepdims=True)) - logits.max(-1, keepdims=True)
        assert np.isclose(logp[np.arange(9), ids4[1:]].sum(), score4, atol=1e-3)

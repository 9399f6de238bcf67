"""Language models: shapes, weight tying, generation options."""
import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm


@pytest.mark.parametrize("cls", [SimpleRnnlm, Rnnlm, BetterRnnlm], ids=lambda c: c.__name__)
def test_logits_shape_and_gradcheck(cls):
    ids = np.random.default_rng(0).integers(0, 11, (2, 3))
    with ag.default_dtype(np.float64):
        model = cls(11, 4, 4) if cls is not BetterRnnlm else cls(11, 4, 4, dropout=0.0)
    assert model(ids).shape == (2, 3, 11)
    model.reset_state()

    def loss():
        model.reset_state()
        return F.softmax_cross_entropy(model(ids[:, :2]), ids[:, 1:])
    assert ag.gradcheck_module(model, loss, samples=8)


def test_better_rnnlm_ties_output_to_embedding():
    model = BetterRnnlm(20, 6, 6)
    names = [n for n, _ in model.named_params()]
    assert "embed.W" in names and not any(n.startswith("out.W") for n in names)
    assert model.num_params() == 20 * 6 + 2 * (6 * 24 + 6 * 24 + 24) + 20


def _trained_on_cycle():
    ag.random.seed(0)
    model = Rnnlm(6, 8, 16)
    from autograd_nlp import optim
    from autograd_nlp.training import LanguageModelTrainer
    text = np.array([0, 1, 2, 3, 4, 5] * 50)
    LanguageModelTrainer(model, optim.Adam(model.params(), lr=0.05), batch_size=2, time_size=6,
                         max_grad=1.0, progress=False, log=lambda *a: None).fit(text, epochs=15)
    return model


def test_generation_greedy_top_k_skip_and_temperature():
    model = _trained_on_cycle()
    greedy = model.generate(0, 12, greedy=True)
    assert greedy == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]
    assert model.generate(0, 12, top_k=1) == greedy            # top-1 sampling is greedy
    cold = model.generate(0, 12, temperature=0.05, rng=np.random.default_rng(1))
    assert cold == greedy
    skipped = model.generate(0, 40, skip_ids=[3], rng=np.random.default_rng(2))
    assert 3 not in skipped[1:]
    with pytest.raises(ValueError, match="temperature"):
        model.generate(0, 5, temperature=0)


def test_generation_leaves_training_mode_alone():
    model = BetterRnnlm(10, 4, 4)
    model.train()
    model.generate(1, 5)
    assert model.training and model.drop.training

"""A few training steps of every chapter model on the fake device give the
losses the same steps give on the CPU (same seeds, so the same dropout masks;
CBOW is given the same negative samples), and every parameter ends on the
device. The trainers
take NumPy batches: the model (Module.__call__) and the LM loop move them."""
import numpy as np
import pytest
from fake_device import FakeArray

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.training import MinibatchTrainer, seq2seq_accuracy
from autograd_nlp.training.language_model import (LanguageModelTrainer, evaluate_perplexity,
                                                  lm_batch)
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
from autograd_nlp.models.word2vec import CBOW

STEPS = 3
CORPUS = np.random.default_rng(0).integers(0, 30, 400)


def _quiet(**kwargs):
    return dict(progress=False, log=lambda *a, **k: None, **kwargs)


def _language_model_losses(make_model, device):
    ag_random.seed(0)
    model = make_model().to(device)
    trainer = LanguageModelTrainer(model, optim.SGD(model.params(), lr=1.0),
                                   batch_size=4, time_size=5, **_quiet())
    losses = [trainer.step(lm_batch(CORPUS, 4, 5, k * 5)) for k in range(STEPS)]
    losses.append(evaluate_perplexity(model, CORPUS[:120], batch_size=2, time_size=5))
    return model, losses


def _seq2seq_data():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 12, (24, 6))
    t = np.concatenate([np.zeros((24, 1), int), rng.integers(1, 12, (24, 4))], axis=1)
    return x, t


def _minibatch_losses(make_model, device, data):
    ag_random.seed(0)
    model = make_model().to(device)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=0.01), batch_size=8,
                               max_grad=5.0, **_quiet())
    losses = [trainer.step([a[k * 8:(k + 1) * 8] for a in data]) for k in range(STEPS)]
    return model, losses


def _check(model, losses, reference):
    assert all(type(p.data) is FakeArray for p in model.params())
    np.testing.assert_allclose(losses, reference, rtol=2e-5)


@pytest.mark.parametrize("make_model", [
    lambda: Rnnlm(30, 8, 8),
    lambda: BetterRnnlm(30, 8, 8, dropout=0.5)], ids=["Rnnlm", "BetterRnnlm"])
def test_language_models_train_the_same_on_the_fake_device(fake, make_model):
    _, reference = _language_model_losses(make_model, "cpu")
    model, losses = _language_model_losses(make_model, "fake")
    _check(model, losses, reference)
    ag_random.seed(5)
    text = model.generate(3, length=6)
    assert len(text) == 6 and all(isinstance(i, int) for i in text)


@pytest.mark.parametrize("cls,kwargs", [
    (Seq2seq, {}), (PeekySeq2seq, {}), (AttentionSeq2seq, {}),
    (AttentionSeq2seq, {"pad_id": 0, "pads_first": True}),
    (AttentionSeq2seq, {"pad_id": 0, "bidirectional": True})],
    ids=["Seq2seq", "PeekySeq2seq", "AttentionSeq2seq", "AttentionSeq2seq-ignoring-padding",
         "AttentionSeq2seq-bidirectional-ignoring-padding"])
def test_seq2seq_models_train_the_same_on_the_fake_device(fake, cls, kwargs):
    x, t = _seq2seq_data()
    if "pad_id" in kwargs:                  # half the questions padded (id 0), 1-3 columns
        for i in range(12):
            pads = slice(0, 1 + i % 3) if kwargs.get("pads_first") else slice(5 - i % 3, 6)
            x[i, pads] = 0
    data = (x, t)
    make = lambda: cls(12, 5, 8, **kwargs)  # noqa: E731
    _, reference = _minibatch_losses(make, "cpu", data)
    model, losses = _minibatch_losses(make, "fake", data)
    _check(model, losses, reference)
    accuracy, predictions = seq2seq_accuracy(model, *data, return_predictions=True)
    assert type(predictions) is np.ndarray and 0.0 <= accuracy <= 1.0
    cpu_model = model.cpu()
    assert np.array_equal(predictions, seq2seq_accuracy(cpu_model, *data,
                                                        return_predictions=True)[1])


def test_cbow_with_negative_sampling_trains_the_same_on_the_fake_device(fake):
    """Given the same negatives, the same losses; drawing its own, the model
    draws them on the device (a device redraws clashes with the target its
    own way, so those draws differ from the CPU's: see test_backend.py)."""
    rng = np.random.default_rng(2)
    contexts, target = rng.integers(0, 30, (32, 4)), rng.integers(0, 30, 32)
    make = lambda: CBOW(30, 8, CORPUS, sample_size=3)  # noqa: E731
    negatives = make().sampler.get_negative_sample(target)
    _, reference = _minibatch_losses(make, "cpu", (contexts, target, negatives))
    model, losses = _minibatch_losses(make, "fake", (contexts, target, negatives))
    _check(model, losses, reference)
    model, losses = _minibatch_losses(make, "fake", (contexts, target))
    assert all(type(p.data) is FakeArray for p in model.params())
    assert np.isfinite(losses).all() and not np.allclose(losses, reference)


def test_a_model_on_the_device_takes_numpy_ids_and_returns_device_logits(fake):
    model = Rnnlm(30, 8, 8).to("fake")
    logits = model(np.zeros((2, 3), int))
    assert type(logits.data) is FakeArray and logits.shape == (2, 3, 30)
    assert type(to_device(logits.data, "cpu")) is np.ndarray

"""Trainer.fit: what every model's training loop gets without writing it."""
import numpy as np
import pytest

from autograd_nlp import optim
from autograd_nlp.layers import LSTM, Linear, Stacked, recurrent_layers
from autograd_nlp.training import NonFiniteLossError
from autograd_nlp.training.trainer import Trainer
from autograd_nlp.models.rnnlm import BetterRnnlm


def test_a_future_model_gets_the_non_finite_check_from_trainer_fit():
    class Diverging(Trainer):          # the least a new model's trainer must write
        def iterations_per_epoch(self):
            return 3

        def batch(self, iteration, iters):
            return [np.zeros(4)]

        def step(self, batch):
            return [1.0, float("inf")][self.iteration]

    model = Linear(2, 2)
    trainer = Diverging(model, optim.SGD(model.params()), progress=False, log=lambda m: None)
    with pytest.raises(NonFiniteLossError, match="loss is inf at epoch 1, iteration 2"):
        trainer.fit(1)


def test_non_finite_parameters_are_never_saved(tmp_path):
    model = Linear(2, 2)
    trainer = Trainer(model, optim.SGD(model.params()), checkpoint_path=tmp_path / "c.npz",
                      progress=False, log=lambda m: None)
    trainer.save()
    model.W.data[0, 0] = np.nan
    with pytest.raises(NonFiniteLossError, match="parameter W holds nan"):
        trainer.save()
    from autograd_nlp.training import load_checkpoint
    assert np.isfinite(load_checkpoint(tmp_path / "c.npz")["model"]["W"]).all()


def test_recurrent_layers_is_the_one_test_of_carried_state():
    model = BetterRnnlm(10, 4, 4)
    names = [name for name, _ in recurrent_layers(model)]
    assert names == ["lstm.layers.0", "lstm.layers.1"]          # not the Stacked wrapper
    assert [layer for _, layer in recurrent_layers(model)] == model.recurrent_layers()
    assert recurrent_layers(Stacked([LSTM(2, 3)]))[0][1].hidden_size == 3


def test_a_non_finite_loss_stops_before_the_update_touches_the_parameters():
    import autograd_nlp as ag
    from autograd_nlp.functions import softmax_cross_entropy
    model = Linear(2, 3)
    before = model.W.data.copy()
    trainer = Trainer(model, optim.SGD(model.params(), lr=1.0), progress=False,
                      log=lambda m: None)
    x = np.array([[np.nan, 1.0]], dtype=np.float32)
    with pytest.raises(NonFiniteLossError, match="loss is nan"):
        trainer.update(softmax_cross_entropy(model(ag.Variable(x)), np.array([0])))
    np.testing.assert_array_equal(model.W.data, before)


def test_resampled_epochs_resume_exactly_and_differ_between_epochs(tmp_path):
    """ResampledMinibatchTrainer draws each epoch's arrays from a seed it
    checkpoints: a run stopped mid-epoch and resumed ends bit-identical."""
    import autograd_nlp as ag
    from autograd_nlp.text.cbow_epochs import CbowEpochs
    from autograd_nlp.training import ResampledMinibatchTrainer
    from autograd_nlp.models.word2vec import CBOW
    corpus = np.minimum(np.random.default_rng(0).zipf(1.3, 600) - 1, 19)
    drawn = []

    def make(seed=0, path=None):
        ag.random.seed(seed)
        model = CBOW(20, 4, corpus, sample_size=2)
        epochs = CbowEpochs(corpus, 2, model.sampler, subsample=1e-2, reduced_windows=True)

        def draw(rng):
            arrays = epochs(rng)
            drawn.append(arrays[1])
            return arrays
        return ResampledMinibatchTrainer(model, optim.Adam(model.params(), lr=0.01), draw,
                                         epochs.examples_per_epoch, batch_size=16,
                                         progress=False, log=lambda *a: None,
                                         checkpoint_path=path)
    straight = make()
    straight.fit(epochs=2)
    assert len(drawn) == 2 and not np.array_equal(drawn[0][:50], drawn[1][:50])
    assert straight.iterations_per_epoch() == straight.examples_per_epoch() // 16
    part = make(path=tmp_path / "c.npz")
    part.fit(epochs=2, stop_after=straight.iterations_per_epoch() + 3)   # mid epoch 2
    resumed = make(seed=7, path=tmp_path / "c.npz")
    resumed.resume(tmp_path / "c.npz")
    resumed.fit(epochs=2)
    for a, b in zip(straight.model.params(), resumed.model.params()):
        np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(Exception, match="fewer than one batch"):
        ResampledMinibatchTrainer(straight.model, straight.optimizer, lambda rng: (), 10,
                                  batch_size=16)

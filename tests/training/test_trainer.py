"""Trainer.fit: what every model's training loop gets without writing it."""
import numpy as np
import pytest

from autograd_nlp import optim
from autograd_nlp.layers import LSTM, Linear, Stacked, recurrent_layers
from autograd_nlp.training import NonFiniteLossError
from autograd_nlp.training.trainer import Trainer
from models.rnnlm import BetterRnnlm


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

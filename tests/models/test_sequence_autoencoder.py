"""Sequence autoencoder and VAE: the KL term, the reparameterisation, sampling, learning."""
import numpy as np
import pytest

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.core import Variable
from autograd_nlp.gradcheck import gradcheck, gradcheck_module
from autograd_nlp.training.trainer import Trainer
from autograd_nlp.models.sequence_autoencoder import (SequenceAutoencoder, VariationalAutoencoder,
                                         free_bits_kl, gaussian_kl, reparameterize,
                                         teacher_inputs)


def test_gaussian_kl_matches_the_closed_form_and_is_zero_for_the_prior():
    rng = np.random.default_rng(0)
    mean, logvar = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = np.exp(logvar)
    expected = 0.5 * (mean ** 2 + var - 1 - logvar).sum(-1)
    assert np.allclose(gaussian_kl(Variable(mean), Variable(logvar)).data, expected)
    assert np.allclose(gaussian_kl(Variable(np.zeros((2, 3))), Variable(np.zeros((2, 3)))).data, 0)
    # against a Monte-Carlo estimate of E_q[log q(z) - log p(z)] for one row
    z = mean[0] + np.sqrt(var[0]) * rng.standard_normal((200_000, 3))
    log_q = -0.5 * (((z - mean[0]) ** 2) / var[0] + logvar[0]).sum(-1)
    log_p = -0.5 * (z ** 2).sum(-1)
    assert abs((log_q - log_p).mean() - expected[0]) < 0.02


def test_gaussian_kl_and_reparameterize_gradcheck():
    rng = np.random.default_rng(1)
    mean, logvar = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    noise = rng.standard_normal((3, 4))
    assert gradcheck(gaussian_kl, mean, logvar)
    assert gradcheck(lambda m, v: reparameterize(m, v, noise), mean, logvar)


def test_teacher_inputs_shift_right_after_the_start_symbol():
    xs = np.array([[3, 4, 5], [6, 7, 8]])
    assert np.array_equal(teacher_inputs(xs, 9), [[9, 3, 4], [9, 6, 7]])


def test_the_vae_loss_gradient_matches_central_differences():
    ag_random.seed(2)
    model = VariationalAutoencoder(7, wordvec_size=3, hidden_size=4, code_size=2)
    model.astype(np.float64)
    xs = np.array([[1, 2, 3, 0], [4, 5, 6, 0]])
    noise = np.random.default_rng(0).standard_normal((2, 2))
    assert gradcheck_module(model, lambda: model.loss(xs, 0, beta=0.7, noise=noise)[0],
                            samples=3)


def test_samples_have_the_shape_asked_for_and_repeat_with_the_seed():
    ag_random.seed(0)
    model = VariationalAutoencoder(9, wordvec_size=4, hidden_size=8, code_size=3)
    a = model.sample(5, 8, 6, np.random.default_rng(11))
    assert a.shape == (5, 6) and a.dtype == np.int64 and a.min() >= 0 and a.max() < 9
    assert np.array_equal(a, model.sample(5, 8, 6, np.random.default_rng(11)))
    assert not np.array_equal(model.sample(50, 8, 6, np.random.default_rng(11)),
                              model.sample(50, 8, 6, np.random.default_rng(12)))


@pytest.mark.parametrize("kind", [SequenceAutoencoder, VariationalAutoencoder])
def test_a_tiny_autoencoder_learns_to_rebuild_its_strings(kind):
    ag_random.seed(0)
    rng = np.random.default_rng(0)
    xs = rng.integers(0, 5, size=(8, 5))             # 8 strings over 5 symbols; start id 5
    model = kind(6, wordvec_size=8, hidden_size=32, code_size=4)
    trainer = Trainer(model, optim.Adam(model.params(), lr=0.02))
    losses = [trainer.update(model.loss(xs, 5, beta=0.01)[0]) for _ in range(150)]
    assert np.mean(losses[-5:]) < 0.2 * np.mean(losses[:5])
    assert (model.reconstruct(xs, 5) == xs).mean() > 0.9
    assert model.codes(xs).shape == (8, 4)


def test_free_bits_floor_each_dimensions_mean_kl_and_gradcheck():
    rng = np.random.default_rng(3)
    mean, logvar = 0.3 * rng.standard_normal((5, 3)), 0.3 * rng.standard_normal((5, 3))
    per_dim = (0.5 * (mean ** 2 + np.exp(logvar) - 1 - logvar)).mean(0)
    floor = float(np.sort(per_dim)[:2].mean())      # one dimension floored, none at the kink
    got = free_bits_kl(Variable(mean), Variable(logvar), floor).data
    assert np.isclose(got, np.maximum(per_dim, floor).sum())
    assert np.isclose(free_bits_kl(Variable(mean), Variable(logvar), 0.0).data, per_dim.sum())
    assert gradcheck(lambda m, v: free_bits_kl(m, v, floor), mean, logvar)

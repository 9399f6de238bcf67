"""autograd_nlp.random: one generator, seedable, replaceable by a legacy RandomState."""
import json

import numpy as np
import pytest

from autograd_nlp import random as ag_random
from autograd_nlp.layers import Linear


@pytest.fixture(autouse=True)
def _restore_generator():
    saved = ag_random.get_rng()
    yield
    ag_random.set_generator(saved)


def test_seed_repeats_the_draws():
    ag_random.seed(7)
    a = ag_random.get_rng().standard_normal(4)
    ag_random.seed(7)
    np.testing.assert_array_equal(a, ag_random.get_rng().standard_normal(4))


def test_a_random_state_replays_numpys_global_draws():
    ag_random.set_generator(np.random.RandomState(1984))
    layer = Linear(5, 3)
    order = ag_random.get_rng().permutation(10)
    np.random.seed(1984)
    book_w = (np.random.randn(5, 3) / np.sqrt(5)).astype("f")
    np.testing.assert_array_equal(layer.W.data, book_w)
    np.testing.assert_array_equal(order, np.random.permutation(np.arange(10)))


@pytest.mark.parametrize("make", [lambda: np.random.default_rng(3),
                                  lambda: np.random.RandomState(3)])
def test_state_survives_json_and_switches_generator_kind(make):
    ag_random.set_generator(make())
    ag_random.get_rng().standard_normal(3)        # leaves a cached gauss in a RandomState
    state = ag_random.state_from_json(
        json.loads(json.dumps(ag_random.state_to_json(ag_random.get_state()))))
    expected = ag_random.get_rng().standard_normal(5)
    other = np.random.RandomState(0) if isinstance(make(), np.random.Generator) \
        else np.random.default_rng(0)
    ag_random.set_generator(other)
    ag_random.set_state(state)
    assert type(ag_random.get_rng()) is type(make())
    np.testing.assert_array_equal(ag_random.get_rng().standard_normal(5), expected)


def test_set_generator_rejects_other_objects():
    with pytest.raises(TypeError, match="Generator or RandomState, got int"):
        ag_random.set_generator(3)


# --- every draw works with both kinds of generator -------------------------------------
KINDS = {"generator": lambda seed: np.random.default_rng(seed),
         "random-state": lambda seed: np.random.RandomState(seed)}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_floats_with_either_generator(kind, dtype):
    ag_random.set_generator(KINDS[kind](5))
    a = ag_random.random_floats((3, 4), dtype)
    assert a.shape == (3, 4) and a.dtype == dtype
    assert (a >= 0).all() and (a < 1).all() and len(np.unique(a)) == 12
    b = ag_random.random_floats(7, rng=KINDS[kind](5))     # an explicit rng
    assert b.shape == (7,) and b.dtype == np.float64


def test_random_floats_from_a_random_state_replay_np_random_rand():
    ag_random.set_generator(np.random.RandomState(11))
    got = ag_random.random_floats((2, 5), np.float32)
    np.random.seed(11)
    np.testing.assert_array_equal(got, np.random.rand(2, 5).astype(np.float32))


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_function_and_layer_with_either_generator(kind):
    import autograd_nlp.functions as F
    from autograd_nlp.layers import Dropout
    x = np.ones((50, 40), dtype=np.float32)
    ag_random.set_generator(KINDS[kind](0))
    y = F.dropout(x, 0.5).data
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    ag_random.set_generator(KINDS[kind](0))
    np.testing.assert_array_equal(Dropout(0.5)(x).data, y)   # same stream, same mask


def test_dropout_with_a_random_state_uses_the_books_mask():
    """The book: ``mask = np.random.rand(*x.shape) > ratio``."""
    import autograd_nlp.functions as F
    x = np.arange(1.0, 31.0).reshape(5, 6)
    ag_random.set_generator(np.random.RandomState(3))
    y = F.dropout(x, 0.3).data
    np.random.seed(3)
    book = x * (np.random.rand(5, 6) > 0.3) / 0.7
    np.testing.assert_allclose(y, book)


@pytest.mark.parametrize("kind", KINDS)
def test_negative_sampler_with_either_generator(kind):
    from autograd_nlp.text.sampler import UnigramSampler
    corpus = np.array([0, 1, 2, 3, 4, 1, 2, 3, 0, 1, 1, 4])
    sampler = UnigramSampler(corpus, power=0.75, sample_size=3)
    targets = np.array([[1, 2], [3, 4]])
    for rng in (None, KINDS[kind](9)):             # the global generator, then an explicit one
        ag_random.set_generator(KINDS[kind](9))
        neg = sampler.get_negative_sample(targets, rng=rng)
        assert neg.shape == (2, 2, 3) and neg.dtype.kind == "i"
        assert (neg != targets[..., None]).all()
        assert ((0 <= neg) & (neg < 5)).all()
        ids = sampler.sample(2000, rng=rng)
        np.testing.assert_allclose(np.bincount(ids, minlength=5) / 2000, sampler.p, atol=0.04)


@pytest.mark.parametrize("kind", KINDS)
def test_initialisers_with_either_generator(kind):
    from autograd_nlp.layers import init
    ag_random.set_generator(KINDS[kind](2))
    for make in (init.normal(0.5), init.xavier, init.uniform(0.3)):
        w = make((40, 30))
        assert w.shape == (40, 30) and np.isfinite(w).all() and w.std() > 0
    assert np.abs(init.uniform(0.3)((100,))).max() <= 0.3

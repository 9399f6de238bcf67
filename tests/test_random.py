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

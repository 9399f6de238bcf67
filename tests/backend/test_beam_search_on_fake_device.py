"""Beam search on the fake device: the state and memory are reindexed on the
device (select_state moves the index there) and the answers equal the CPU's."""
import numpy as np
from fake_device import FakeArray

from autograd_nlp import random as ag_random
import pytest

from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.rnnlm import Rnnlm
from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq

SEQ2SEQ = {"attention": lambda: AttentionSeq2seq(9, 4, 8),
           "attention-ignoring-padding": lambda: AttentionSeq2seq(9, 4, 8, pad_id=1,
                                                                  pads_first=True),
           "transformer": lambda: TransformerSeq2seq(9, 8, 2, 1, 16)}


@pytest.mark.parametrize("name", SEQ2SEQ)
def test_seq2seq_beam_search_on_the_device_equals_the_cpus(fake, name):
    ag_random.seed(0)
    model = SEQ2SEQ[name]()
    for p in model.params():
        p.data *= 3
    xs = np.random.default_rng(0).integers(1, 9, (4, 5))
    ids, scores = model.beam_search(xs, 0, 5, beam=3, return_scores=True)
    model.to("fake")
    assert all(type(p.data) is FakeArray for p in model.params())
    on_device, device_scores = model.beam_search(xs, 0, 5, beam=3, return_scores=True)
    assert type(on_device) is np.ndarray
    np.testing.assert_array_equal(on_device, ids)
    np.testing.assert_allclose(device_scores, scores, atol=1e-5)


def test_language_model_beam_generate_on_the_device_equals_the_cpus(fake):
    ag_random.seed(0)
    model = Rnnlm(20, 6, 6)
    for p in model.params():
        p.data *= 3
    expected = model.beam_generate(2, 8, beam=3)
    assert model.to("fake").beam_generate(2, 8, beam=3) == expected

"""Bert: shapes, float64 gradients of the whole pre-training loss and of
the classifier, padding invariance of the [CLS] output, the tied MLM head,
and learning a tiny masked-LM + NSP task."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.data.bert_pretraining import IGNORE
from autograd_nlp.models.bert import Bert, BertClassifier

VOCAB, PAD = 13, 12
TINY = dict(vocab_size=VOCAB, pad_id=PAD, dim=8, num_heads=2, num_layers=2, ff_hidden=12,
            dropout=0.0, max_length=10)


def f64(cls=Bert, **kwargs):
    ag.random.seed(0)
    with ag.default_dtype(np.float64):
        return cls(**{**TINY, **kwargs})


def batch():
    tokens = np.array([[10, 1, 2, 11, 3, 4, 11, PAD], [10, 5, 11, 6, 7, 8, 11, PAD]])
    segments = np.array([[0, 0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1, 0]])
    targets = np.full_like(tokens, IGNORE)
    targets[0, 2], targets[1, 4], targets[1, 5] = 2, 7, 3
    return tokens, segments, targets, np.array([1, 0])


def test_shapes():
    model = f64()
    tokens, segments, targets, _ = batch()
    hidden = model(tokens, segments)
    assert hidden.shape == (2, 8, 8)
    mlm, chosen, nsp = model.pretraining_outputs(tokens, segments, targets)
    assert mlm.shape == (3, VOCAB) and chosen.tolist() == [2, 7, 3] and nsp.shape == (2, 2)
    assert f64(BertClassifier, num_classes=3)(tokens).shape == (2, 3)


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
def test_gradcheck_of_the_pretraining_loss(norm_first):
    model = f64(norm_first=norm_first)
    data = batch()
    assert ag.gradcheck_module(model, lambda: model.pretraining_loss(*data), samples=4)


def test_gradcheck_of_the_classifier():
    model = f64(BertClassifier, num_layers=1)
    tokens = batch()[0]
    assert ag.gradcheck_module(model, lambda: model.loss(tokens, np.array([1, 0])), samples=4)


def test_mlm_head_is_tied_to_the_token_embedding():
    names = [n for n, _ in f64().named_params()]
    assert "embed.token.W" in names and "mlm_bias" in names
    assert not any(n.startswith("mlm_out") for n in names)


def test_extra_padding_leaves_the_cls_output_unchanged():
    model = f64()
    tokens, segments, _, _ = batch()
    padded = np.concatenate([tokens, np.full((2, 2), PAD)], axis=1)
    padded_segments = np.concatenate([segments, np.zeros((2, 2), int)], axis=1)
    a = model.pooled(model(tokens, segments)).data
    b = model.pooled(model(padded, padded_segments)).data
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    unpadded = model(tokens[:, :7], segments[:, :7]).data     # the real tokens too
    np.testing.assert_allclose(model(padded, padded_segments).data[:, :7], unpadded,
                               rtol=1e-10, atol=1e-12)


def test_segments_and_positions_matter():
    model = f64()
    tokens, segments, _, _ = batch()
    base = model(tokens, segments).data
    assert not np.allclose(base, model(tokens, np.zeros_like(segments)).data)
    swapped = tokens.copy()
    swapped[:, [1, 2]] = swapped[:, [2, 1]]
    assert not np.allclose(base[:, 0], model(swapped, segments).data[:, 0])


def test_learns_masked_tokens_and_next_sentences():
    """Sentence A repeats one word x three times, its middle copy masked;
    sentence B repeats x + 1 (mod 8) when it is the next one, a random word
    otherwise: both heads can learn their answer from the context."""
    ag.random.seed(1)
    rng = np.random.default_rng(0)
    model = Bert(**{**TINY, "dim": 16, "max_length": 9})
    opt = optim.Adam(model.params(), lr=0.01)
    segments = np.array([0] * 5 + [1] * 4)[None].repeat(32, 0)
    for _ in range(120):
        x = rng.integers(0, 8, (32, 1))
        is_next = rng.integers(0, 2, 32)
        y = np.where(is_next[:, None] == 1, (x + 1) % 8, rng.integers(0, 8, (32, 1)))
        tokens = np.concatenate([np.full((32, 1), 10), x, np.full((32, 1), 9), x,
                                 np.full((32, 1), 11), y, y, y, np.full((32, 1), 11)], axis=1)
        targets = np.full_like(tokens, IGNORE)
        targets[:, 2] = x[:, 0]                                  # [MASK] (9) stands there
        loss = model.pretraining_loss(tokens, segments, targets, is_next)
        model.cleargrads()
        loss.backward()
        opt.update()
    with ag.no_grad():
        mlm, chosen, nsp = model.pretraining_outputs(tokens, segments, targets)
    assert (mlm.data.argmax(-1) == chosen).mean() > 0.9
    assert (nsp.data.argmax(-1) == is_next).mean() > 0.8

"""TransformerSeq2seq and the shared EncoderDecoder interface: gradients,
cached == uncached greedy decoding for every seq2seq model, attention weights
per head, and a tiny Transformer learning to copy."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.training import MinibatchTrainer, seq2seq_accuracy
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq

TINY = dict(dim=8, num_heads=2, num_layers=1, ff_hidden=12, dropout=0.0)


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
def test_end_to_end_gradcheck(norm_first):
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 7, (2, 4)), rng.integers(0, 7, (2, 3))
    ag.random.seed(0)
    with ag.default_dtype(np.float64):
        model = TransformerSeq2seq(7, norm_first=norm_first, label_smoothing=0.1, **TINY)
    assert ag.gradcheck_module(model, lambda: model(xs, ts), samples=6)


@pytest.mark.parametrize("build", [
    lambda: Seq2seq(9, 4, 6), lambda: PeekySeq2seq(9, 4, 6), lambda: AttentionSeq2seq(9, 4, 6),
    lambda: TransformerSeq2seq(9, **TINY),
    lambda: TransformerSeq2seq(9, positional="learned", pad_id=0, **{**TINY, "num_layers": 2})],
    ids=["seq2seq", "peeky", "attention", "transformer", "transformer-learned-padded"])
def test_cached_and_uncached_decoding_give_the_same_tokens(build):
    ag.random.seed(3)
    model = build()
    xs = np.random.default_rng(1).integers(0, 9, (6, 5))
    cached = model.generate(xs, 1, 7)
    np.testing.assert_array_equal(cached, model.generate(xs, 1, 7, cached=False))
    assert len(np.unique(cached)) > 1                  # not a degenerate constant answer


def test_generate_is_batched_and_returns_every_heads_weights():
    ag.random.seed(4)
    model = TransformerSeq2seq(9, **{**TINY, "num_heads": 4})
    xs = np.random.default_rng(2).integers(0, 9, (3, 6))
    ids, weights = model.generate(xs, 0, 5, return_attention=True)
    assert weights.shape == (3, 4, 5, 6)               # (batch, heads, output, source)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    singles = np.concatenate([model.generate(xs[i:i + 1], 0, 5) for i in range(3)])
    np.testing.assert_array_equal(ids, singles)


def test_a_decoder_without_attention_says_so():
    with pytest.raises(ValueError, match="Seq2seq.generate: its decoder has no attention"):
        Seq2seq(5, 3, 4).generate(np.zeros((1, 3), dtype=int), 0, 2, return_attention=True)


def test_padding_in_the_question_is_ignored():
    ag.random.seed(5)
    model = TransformerSeq2seq(9, pad_id=0, **TINY)
    model.eval()
    xs = np.array([[3, 4, 5, 0, 0]])
    longer = np.array([[3, 4, 5, 0, 0, 0, 0]])
    ts = np.array([[1, 6, 7]])
    memory_a, memory_b = model.encoder(xs), model.encoder(longer)
    a = model.decoder(ts, model.decoder.start(memory_a), memory_a)[0].data
    b = model.decoder(ts, model.decoder.start(memory_b), memory_b)[0].data
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_tiny_transformer_learns_to_copy():
    ag.random.seed(0)
    x = np.random.default_rng(0).integers(2, 6, (1200, 4))      # symbols 2..5
    t = np.concatenate([np.zeros((1200, 1), dtype=x.dtype), x], axis=1)   # start id 0
    model = TransformerSeq2seq(6, dim=16, num_heads=2, num_layers=1, dropout=0.0)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=0.01), batch_size=32,
                               max_grad=5.0, progress=False, log=lambda *a: None)
    trainer.fit((x[:1000], t[:1000]), epochs=4)
    assert seq2seq_accuracy(model, x[1000:], t[1000:]) > 0.95

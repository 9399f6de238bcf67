"""LayerNorm, positional encodings, feed-forward and the Transformer blocks:
float64 gradients, causality, padding invariance and cached decoding."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.layers import (FeedForward, LayerNorm, LearnedPositionalEmbedding,
                                 SinusoidalPositionalEncoding, TransformerDecoder,
                                 TransformerDecoderLayer, TransformerEncoder,
                                 TransformerEncoderLayer, sinusoidal_table)


def f64(build):
    ag.random.seed(0)
    with ag.default_dtype(np.float64):
        return build()


def randn(*shape, seed=0):
    return ag.Variable(np.random.default_rng(seed).standard_normal(shape))


def test_layer_norm_normalises_and_gradchecks():
    ln = f64(lambda: LayerNorm(5))
    ln.gamma.data[:] = np.arange(1, 6)
    x = randn(2, 3, 5)
    y = ln(x).data / np.arange(1, 6)
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-4)
    assert ag.gradcheck_module(ln, lambda: (ln(x) ** 3).sum())


def test_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    ln = f64(lambda: LayerNorm(4))
    ln.gamma.data[:] = [0.5, 1, 2, 3]
    ln.beta.data[:] = [0, 1, 0, -1]
    x = np.random.default_rng(1).standard_normal((3, 4))
    ref = torch.nn.LayerNorm(4, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ln.gamma.data))
        ref.bias.copy_(torch.tensor(ln.beta.data))
    np.testing.assert_allclose(ln(ag.Variable(x)).data, ref(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)


def test_sinusoidal_table_follows_the_formula_and_offsets():
    table = sinusoidal_table(7, 6)
    pos, i = 5, 2                        # feature 2i = 4 -> sin(pos / 10000^(4/6))
    assert table[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 6)))
    assert table[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 6)))
    pe = SinusoidalPositionalEncoding(6)
    x = ag.Variable(np.zeros((1, 3, 6)))
    np.testing.assert_allclose(pe(x, offset=4).data[0], table[4:7])
    assert sinusoidal_table(3, 5).shape == (3, 5)          # odd dims work


def test_learned_positions_offset_and_limit():
    pe = f64(lambda: LearnedPositionalEmbedding(4, 3))
    x = ag.Variable(np.zeros((2, 2, 3)))
    np.testing.assert_allclose(pe(x, offset=2).data[1], pe.W.data[2:4])
    with pytest.raises(ValueError, match="max_length=4"):
        pe(x, offset=3)


@pytest.mark.parametrize("activation", ["relu", "gelu", "gelu_tanh"])
def test_feed_forward_gradchecks(activation):
    ff = f64(lambda: FeedForward(4, 6, activation))
    x = randn(2, 3, 4)
    assert ag.gradcheck_module(ff, lambda: (ff(x) ** 2).sum())
    with pytest.raises(ValueError, match="activation must be one of"):
        FeedForward(4, 6, "swish")


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_block_gradchecks_with_padding(norm_first):
    layer = f64(lambda: TransformerEncoderLayer(4, 2, 6, norm_first=norm_first))
    x = randn(2, 3, 4)
    padding = np.array([[False, False, True], [False, False, False]])
    assert ag.gradcheck_module(layer, lambda: (layer(x, padding) ** 2).sum(), samples=20)
    assert ag.gradcheck(lambda a: layer(a, padding), x.data)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_decoder_block_gradchecks(norm_first):
    layer = f64(lambda: TransformerDecoderLayer(4, 2, 6, norm_first=norm_first))
    y, memory = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2)
    memory_padding = np.array([[False] * 5, [False, False, False, True, True]])
    assert ag.gradcheck_module(layer, lambda: (layer(y, memory, memory_padding) ** 2).sum(),
                               samples=20)
    assert ag.gradcheck(lambda a, m: layer(a, m, memory_padding), y.data, memory.data)


def test_decoder_is_causal():
    decoder = f64(lambda: TransformerDecoder(2, 4, 2, 8))
    y, memory = randn(1, 5, 4, seed=3), randn(1, 3, 4, seed=4)
    changed = y.data.copy()
    changed[0, 2:] = 7.0
    a = decoder(y, memory).data
    b = decoder(ag.Variable(changed), memory).data
    np.testing.assert_allclose(a[0, :2], b[0, :2], rtol=1e-12)
    assert not np.allclose(a[0, 2:], b[0, 2:])


def test_extra_padding_does_not_change_unpadded_outputs():
    encoder = f64(lambda: TransformerEncoder(2, 4, 2, 8, norm_first=True))
    decoder = f64(lambda: TransformerDecoder(2, 4, 2, 8))
    x = randn(1, 3, 4, seed=5)
    padded = ag.Variable(np.concatenate([x.data, np.random.default_rng(6).normal(
        size=(1, 4, 4))], axis=1))                                  # 4 extra positions
    padding = np.array([[False] * 3 + [True] * 4])
    short, long = encoder(x).data, encoder(padded, padding).data
    np.testing.assert_allclose(long[:, :3], short, rtol=1e-10, atol=1e-12)
    y = randn(1, 2, 4, seed=7)
    np.testing.assert_allclose(decoder(y, ag.Variable(long), padding).data,
                               decoder(y, ag.Variable(short)).data, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cross_attention", [True, False], ids=["seq2seq", "decoder-only"])
def test_cached_decoding_equals_the_full_pass(cross_attention):
    decoder = f64(lambda: TransformerDecoder(2, 4, 2, 8, norm_first=True,
                                             cross_attention=cross_attention))
    y = randn(2, 4, 4, seed=8)
    memory = randn(2, 3, 4, seed=9) if cross_attention else None
    full = decoder(y, memory).data
    cache = decoder.new_cache()
    steps = [decoder(y[:, t:t + 1], memory, cache=cache).data for t in range(4)]
    assert cache.length == 4
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, rtol=1e-10, atol=1e-12)


def test_cross_attention_needs_memory():
    layer = f64(lambda: TransformerDecoderLayer(4, 2, 6))
    with pytest.raises(ValueError, match="needs the encoder's memory"):
        layer(randn(1, 2, 4))

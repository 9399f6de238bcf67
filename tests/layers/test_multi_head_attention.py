"""MultiHeadAttention: float64 gradients with both mask kinds, exactly zero
weight on masked positions (also on fully masked rows, with no NaN), and the
same outputs, weights and gradients as torch.nn.MultiheadAttention."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.layers import MultiHeadAttention, causal_mask

PADDING = np.array([[False, False, False, False, True],
                    [False, False, True, True, True]])   # True = padding


def build(dim=6, heads=3, seed=0):
    ag.random.seed(seed)
    with ag.default_dtype(np.float64):
        return MultiHeadAttention(dim, heads)


@pytest.mark.parametrize("mask", ["none", "padding", "causal", "both"])
def test_gradcheck_parameters_and_inputs(mask):
    mha = build()
    rng = np.random.default_rng(1)
    q = ag.Variable(rng.standard_normal((2, 5, 6)))
    kv = ag.Variable(rng.standard_normal((2, 5, 6)))
    kwargs = {"key_padding_mask": PADDING if mask in ("padding", "both") else None,
              "causal": mask in ("causal", "both")}
    assert ag.gradcheck_module(mha, lambda: (mha(q, kv, kv, **kwargs)[0] ** 2).sum())
    assert ag.gradcheck(lambda a, b: mha(a, b, b, **kwargs)[0], q.data, kv.data)


def test_masked_positions_get_exactly_zero_weight():
    mha = build()
    x = ag.Variable(np.random.default_rng(2).standard_normal((2, 5, 6)))
    _, w = mha(x, key_padding_mask=PADDING, causal=True)
    allowed = ~PADDING[:, None, None, :] & causal_mask(5, 5)
    assert np.all(w.data[np.broadcast_to(~allowed, w.shape)] == 0.0)
    np.testing.assert_allclose(w.data.sum(-1), 1.0)


def test_a_fully_masked_row_is_zero_and_its_gradients_are_finite():
    mha = build()
    x = ag.Variable(np.random.default_rng(3).standard_normal((2, 4, 6)))
    padding = np.array([[True] * 4, [False, True, True, True]])   # row 0: nothing to see
    y, w = mha(x, key_padding_mask=padding)
    assert np.all(w.data[0] == 0.0)
    assert np.all(np.isfinite(y.data))
    np.testing.assert_allclose(y.data[0], np.broadcast_to(mha.out.b.data, (4, 6)))
    (y * y).sum().backward()
    for p in [x, *mha.params()]:
        assert np.all(np.isfinite(p.grad.data)), p.name
    assert ag.gradcheck(lambda a: mha(a, key_padding_mask=padding)[0], x.data)


def test_causal_attention_ignores_later_positions():
    mha = build()
    x = np.random.default_rng(4).standard_normal((1, 5, 6))
    changed = x.copy()
    changed[0, 3:] += 10.0
    a = mha(ag.Variable(x), causal=True)[0].data
    b = mha(ag.Variable(changed), causal=True)[0].data
    np.testing.assert_allclose(a[0, :3], b[0, :3], rtol=1e-12)
    assert not np.allclose(a[0, 3:], b[0, 3:])


def test_dim_must_divide_into_heads():
    with pytest.raises(ValueError, match="not divisible by num_heads"):
        MultiHeadAttention(10, 3)


def test_padding_mask_shape_is_checked():
    mha = build()
    x = ag.Variable(np.zeros((2, 5, 6)))
    with pytest.raises(ValueError, match=r"key_padding_mask has shape \(2, 4\)"):
        mha(x, key_padding_mask=np.zeros((2, 4), dtype=bool))


@pytest.mark.parametrize("mask", ["padding", "causal", "both"])
def test_matches_torch_multihead_attention(mask):
    torch = pytest.importorskip("torch")
    mha = build(dim=8, heads=2, seed=5)
    rng = np.random.default_rng(6)
    q, k, v = (rng.standard_normal((2, 5, 8)) for _ in range(3))
    padding = PADDING if mask in ("padding", "both") else None
    causal = mask in ("causal", "both")

    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [mha.query.W.data.T, mha.key.W.data.T, mha.value.W.data.T])))
        ref.in_proj_bias.copy_(torch.tensor(np.concatenate(
            [mha.query.b.data, mha.key.b.data, mha.value.b.data])))
        ref.out_proj.weight.copy_(torch.tensor(mha.out.W.data.T))
        ref.out_proj.bias.copy_(torch.tensor(mha.out.b.data))
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    ty, tw = ref(tq, tk, tv, need_weights=True, average_attn_weights=False,
                 key_padding_mask=None if padding is None else torch.tensor(padding),
                 attn_mask=torch.tensor(~causal_mask(5, 5)) if causal else None)
    upstream = rng.standard_normal((2, 5, 8))
    (ty * torch.tensor(upstream)).sum().backward()

    vq, vk, vv = ag.Variable(q), ag.Variable(k), ag.Variable(v)
    y, w = mha(vq, vk, vv, key_padding_mask=padding, causal=causal)
    (y * upstream).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in [(vq, tq), (vk, tk), (vv, tv)]:
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mha.out.W.grad.data, ref.out_proj.weight.grad.numpy().T,
                               rtol=1e-9, atol=1e-12)
    in_grad = ref.in_proj_weight.grad.numpy()
    for i, lin in enumerate([mha.query, mha.key, mha.value]):
        np.testing.assert_allclose(lin.W.grad.data, in_grad[8 * i:8 * (i + 1)].T,
                                   rtol=1e-9, atol=1e-12)


def test_cached_keys_and_values_give_the_uncached_output():
    mha = build()
    x = ag.Variable(np.random.default_rng(7).standard_normal((2, 4, 6)))
    full = mha(x, causal=True)[0].data
    cache = {}
    steps = [mha(x[:, t:t + 1], causal=True, cache=cache)[0].data for t in range(4)]
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, rtol=1e-12, atol=1e-12)
    assert cache["keys"].shape == (2, 3, 4, 2)

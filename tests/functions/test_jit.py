"""The numba kernels (autograd_nlp/jit.py) against the NumPy reference path.

Bit-identical where the kernel repeats NumPy's operations in NumPy's order
(the LSTM step forward and backward, softmax cross-entropy's gradient from
given probabilities, Adam, SGD; the negatives' ids); within float rounding where the summation order
differs (softmax cross-entropy's forward: float64 partial sums where NumPy
sums pairwise; the negative-sampling loss: its dot products and softplus).
The registry's gradchecks and torch oracle of the ops with kernels run on
both paths. Skipped without numba (the NumPy path is then the only one).
"""
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("numba", reason="numba is not installed (the optional [jit] extra): "
                                    "only the NumPy path exists")

import autograd_nlp as ag  # noqa: E402
import autograd_nlp.functions as F  # noqa: E402
from autograd_nlp import jit, optim  # noqa: E402
from autograd_nlp.functions.registry import all_ops  # noqa: E402
from autograd_nlp.text.sampler import UnigramSampler  # noqa: E402

JIT_OPS = ("lstm_step", "lstm_sequence", "softmax_cross_entropy", "negative_sampling_loss")
CASES = [(name, label) for name in JIT_OPS for label in all_ops()[name].cases]
PATHS = [pytest.param(False, id="numpy"), pytest.param(True, id="jit")]
# float rounding where the summation order differs (see the module docstring)
TOLERANCE = {np.float32: dict(rtol=2e-6, atol=2e-7), np.float64: dict(rtol=1e-13, atol=1e-15)}


def _run(flag, fn, *arrays):
    """fn's output values and the gradients of every float input, with the
    kernels on (True) or off; the output's gradient is fixed random."""
    with jit.enabled_as(flag):
        xs = [ag.Variable(a) if a.dtype.kind == "f" else a for a in arrays]
        out = fn(*xs)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        rng = np.random.default_rng(1)
        total = 0
        for o in outs:
            total = total + (o * rng.standard_normal(o.shape).astype(o.dtype)).sum()
        total.backward()
    return [o.data for o in outs] + [None if x.grad is None else x.grad.data
                                     for x in xs if isinstance(x, ag.Variable)]


def _assert_same(a, b):
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        np.testing.assert_array_equal(x, y)


def _assert_close(a, b, dtype):
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, **TOLERANCE[dtype])


@pytest.mark.parametrize("flag", PATHS)
@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_gradcheck_on_both_paths(name, label, flag):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(0))
    with jit.enabled_as(flag):
        assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance)


@pytest.mark.parametrize("flag", PATHS)
@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_torch_oracle_on_both_paths(name, label, flag):
    pytest.importorskip("torch")
    from test_torch_oracle import test_matches_torch    # (tests/functions is on sys.path)
    with jit.enabled_as(flag):
        test_matches_torch(name, label)


def test_the_kernels_run_when_enabled_and_not_when_disabled(monkeypatch):
    calls = []
    for module, names in ((jit.lstm, ("gates_forward", "cell_forward", "gates_backward")),
                          (jit.softmax_ce, ("softmax_ce_forward", "softmax_ce_grad")),
                          (jit.negative_sampling, ("negative_sampling_forward",
                                                   "negative_sampling_backward")),
                          (jit.adam, ("adam_update",)), (jit.sgd, ("sgd_update",)),
                          (jit.unigram_sampling, ("draw",))):
        for name in names:
            def spy(*a, _f=getattr(module, name), _n=name, **k):
                calls.append(_n)
                return _f(*a, **k)
            monkeypatch.setattr(module, name, spy)

    def step():
        rng = np.random.default_rng(0)
        xs = ag.Variable(rng.standard_normal((2, 3, 4)))
        Wx, Wh, b = (ag.Variable(rng.standard_normal(s)) for s in ((4, 8), (2, 8), (8,)))
        hs, h, c = F.lstm_sequence(xs, Wx, Wh, b)
        logits = hs.reshape(6, 2)
        loss = F.softmax_cross_entropy(logits, rng.integers(0, 2, 6))
        W = ag.Variable(rng.standard_normal((5, 3)))
        loss = loss + F.negative_sampling_loss(W, W, rng.integers(0, 5, (2, 2)),
                                               rng.integers(0, 5, (2, 3)))
        opt = optim.Adam([Wx, Wh, b, W])
        loss.backward()
        opt.update()
        optim.SGD([W]).update()
        UnigramSampler(np.arange(5), sample_size=2).get_negative_sample(np.arange(3))

    with jit.enabled_as(False):
        step()
    assert calls == []
    with jit.enabled_as(True):
        step()
    assert set(calls) == {"gates_forward", "cell_forward", "gates_backward", "softmax_ce_forward",
                          "softmax_ce_grad", "negative_sampling_forward",
                          "negative_sampling_backward", "adam_update", "sgd_update", "draw"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
def test_lstm_sequence_and_step_are_bit_identical(dtype, state):
    rng = np.random.default_rng(0)
    B, T, D, H = 5, 4, 3, 7
    arrays = [rng.standard_normal(s).astype(dtype)
              for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,))]
    if state:
        arrays += [rng.standard_normal((B, H)).astype(dtype) for _ in range(2)]
    _assert_same(_run(False, F.lstm_sequence, *arrays), _run(True, F.lstm_sequence, *arrays))
    step = [rng.standard_normal(s).astype(dtype) for s in ((B, 4 * H), (B, H), (H, 4 * H))]
    step += [rng.standard_normal((B, H)).astype(dtype)] if state else []
    _assert_same(_run(False, F.lstm_step, *step), _run(True, F.lstm_step, *step))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"},
                                    {"ignore_label": -1, "reduction": "none"},
                                    {"ignore_label": -1}], ids=["mean", "sum", "none", "ignore"])
def test_softmax_cross_entropy_within_rounding(dtype, kwargs):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((7, 3, 37)) * 4).astype(dtype)
    t = rng.integers(0, 37, (7, 3))
    if "ignore_label" in kwargs:
        t[::2, 1] = -1
        x[0, 1] = -np.inf                   # an ignored, fully masked row: no NaN
    fn = lambda x_: F.softmax_cross_entropy(x_, t, **kwargs)  # noqa: E731
    a, b = _run(False, fn, x), _run(True, fn, x)
    assert all(np.isfinite(v).all() for v in b)
    _assert_close(a, b, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_gradient_kernel_is_bit_identical(dtype):
    rng = np.random.default_rng(0)
    probs = rng.random((6, 9)).astype(dtype)
    t = rng.integers(0, 9, 6)
    scale = rng.random((2, 3, 1)).astype(dtype)
    ref = probs.copy()
    ref[np.arange(6), t] -= 1
    ref = ref.reshape(2, 3, 9)
    ref *= scale
    _assert_same([ref], [jit.softmax_ce.softmax_ce_grad(probs, t, scale, (2, 3, 9))])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True], ids=["mean", "weights"])
@pytest.mark.parametrize("dim", [6, 19], ids=["dim6", "dim19"])   # 19: 8 lanes twice + 3
def test_negative_sampling_within_rounding(dtype, weighted, dim):
    rng = np.random.default_rng(0)
    W_in, W_out = (rng.standard_normal((11, dim)).astype(dtype) for _ in range(2))
    contexts, samples = rng.integers(0, 11, (8, 4)), rng.integers(0, 11, (8, 3))
    samples[1] = samples[0]                 # repeated ids accumulate
    arrays = [W_in, W_out]
    if weighted:                            # a reduced window (zeros), its gradient too
        arrays.append((rng.random((8, 4)) * (rng.random((8, 4)) < 0.7)).astype(dtype))
    fn = lambda a, b, *w: F.negative_sampling_loss(a, b, contexts, samples, *w)  # noqa: E731
    _assert_close(_run(False, fn, *arrays), _run(True, fn, *arrays), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls,kwargs", [(optim.Adam, {}), (optim.Adam, {"eps_hat": True}),
                                        (optim.AdamW, {})], ids=["adam", "eps-hat", "adamw"])
def test_adam_is_bit_identical(dtype, cls, kwargs):
    results = []
    for flag in (False, True):
        rng = np.random.default_rng(0)
        p = ag.Variable(rng.standard_normal((13, 5)).astype(dtype))
        opt = cls([p], lr=0.01, **kwargs)
        with jit.enabled_as(flag):
            for _ in range(4):
                p.grad = ag.Variable(rng.standard_normal((13, 5)).astype(dtype))
                opt.update()
        results.append([p.data, opt.slots[0]["m"], opt.slots[0]["v"]])
    _assert_same(*results)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.1], ids=["sgd", "weight-decay"])
def test_sgd_is_bit_identical(dtype, weight_decay):
    results = []
    for flag in (False, True):
        rng = np.random.default_rng(0)
        p = ag.Variable(rng.standard_normal((13, 5)).astype(dtype))
        opt = optim.SGD([p], lr=0.37, weight_decay=weight_decay)
        with jit.enabled_as(flag):
            for _ in range(3):
                p.grad = ag.Variable(rng.standard_normal((13, 5)).astype(dtype))
                opt.update()
        results.append([p.data])
    _assert_same(*results)


def test_negatives_are_the_ids_numpy_draws():
    """The guide-table draw gives searchsorted's ids exactly: on random
    draws (a skewed unigram distribution, words never seen included) and on
    the CDF's own values and their float neighbours, where a bucket's
    rounding could land on the wrong side."""
    rng = np.random.default_rng(0)
    corpus = rng.zipf(1.3, 20_000) % 700
    sampler = UnigramSampler(corpus, sample_size=5, vocab_size=703)
    for seed in range(3):
        targets = rng.integers(0, 703, (50, 7))
        got = [None, None]
        for flag in (False, True):
            with jit.enabled_as(flag):
                got[flag] = sampler.get_negative_sample(targets, np.random.default_rng(seed))
        np.testing.assert_array_equal(got[0], got[1])
        assert got[1].shape == (50, 7, 5) and (got[1] != targets[..., None]).all()
    cdf = sampler.cdf
    edges = np.concatenate([[0.0, np.nextafter(1.0, 0.0)], cdf, np.nextafter(cdf, 0.0),
                            np.nextafter(cdf, 2.0), np.arange(4 * 703) / (4 * 703)])
    edges = edges[(edges >= 0) & (edges < 1)]
    expected = np.minimum(np.searchsorted(cdf, edges, side="right"), 702)
    guide = jit.unigram_sampling.guide_table(cdf)
    np.testing.assert_array_equal(jit.unigram_sampling.draw(cdf, guide, edges), expected)


@jit.enabled_as(True)          # (even under AUTOGRAD_NLP_JIT=0)
def test_usable_only_for_contiguous_numpy_floats_of_one_dtype():
    a = np.zeros((3, 4), dtype=np.float32)
    assert jit.usable(a, None, a)
    assert not jit.usable(a.T)                                  # not C-contiguous
    assert not jit.usable(a, a.astype(np.float64))              # mixed dtypes
    assert not jit.usable(np.zeros(3, dtype=np.int64))
    assert not jit.usable(np.zeros(3, dtype=np.float16))
    with jit.enabled_as(False):
        assert not jit.usable(a) and not jit.enabled()
    assert jit.usable(a)


def test_without_numba_the_numpy_path_runs(monkeypatch):
    monkeypatch.setattr(jit, "_numba", False)                  # as if it failed to import
    assert not jit.available() and not jit.usable(np.zeros(2))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    with jit.enabled_as(False):
        ref = F.softmax_cross_entropy(x, np.arange(4)).data
    assert F.softmax_cross_entropy(x, np.arange(4)).data == ref


def test_environment_switch_turns_the_kernels_off():
    code = "from autograd_nlp import jit; print(jit.enabled())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "AUTOGRAD_NLP_JIT": "0"}, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


@jit.enabled_as(True)
def test_the_lstm_backward_kernel_takes_strided_gradients(monkeypatch):
    """The gradients reaching a layer's outputs may be strided slices (its hs
    joined to other features, as in the peeky decoder; its final h sliced):
    they are copied once, and every step still runs the kernel, with the
    NumPy path's numbers."""
    calls = []
    kernel = jit.lstm.gates_backward
    monkeypatch.setattr(jit.lstm, "gates_backward",
                        lambda *a, **k: calls.append(1) or kernel(*a, **k))
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(np.float32)
              for s in ((3, 5, 4), (4, 8), (2, 8), (8,), (3, 2), (3, 2))]
    side = rng.standard_normal((3, 5, 3)).astype(np.float32)

    def run():
        xs = [ag.Variable(a) for a in arrays]
        hs, h, c = F.lstm_sequence(*xs)
        joined = F.concat(hs, ag.Variable(side), axis=-1)       # dhs: a strided slice
        out = (joined * joined).sum() + (F.concat(h, h, axis=-1) ** 2).sum()
        out.backward()
        return [v.grad.data for v in xs]
    on = run()
    assert len(calls) == 5
    with jit.enabled_as(False):
        off = run()
    for a, b in zip(on, off):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_summed_by_id_are_np_add_at_bit_for_bit(dtype):
    """kernels/row_sums.py adds the rows in their order, as np.add.at does:
    the same sums bit for bit, repeated ids and ids never seen included."""
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 9, 300)
    ids[:5] = 3                                          # one id many times over
    rows = rng.standard_normal((300, 37)).astype(dtype)
    got, want = np.zeros((11, 37), dtype), np.zeros((11, 37), dtype)
    with jit.enabled_as(True):
        jit.row_sums.add_rows_by_id(ids, rows, got)
    np.add.at(want, ids, rows)
    np.testing.assert_array_equal(got, want)
    assert not got[9:].any()

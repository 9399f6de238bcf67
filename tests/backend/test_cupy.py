"""The real GPU: every registered op gradchecked on CuPy arrays, the fused
CUDA kernels against the CuPy array-op fallback, and training steps against
the CPU. Skipped (with the reason) when CuPy or a GPU is absent; run by
benchmarks/gpu_check.sh on a CUDA machine."""
import numpy as np
import pytest

from autograd_nlp import backend

if not backend.cupy_available():
    pytest.skip("CuPy or a CUDA GPU is not available (these tests need a real GPU; "
                "the fake-device tests cover the device logic on the CPU)",
                allow_module_level=True)

import cupy  # noqa: E402

import autograd_nlp as ag  # noqa: E402
from autograd_nlp import cuda_kernels, optim  # noqa: E402
from autograd_nlp import random as ag_random  # noqa: E402
from autograd_nlp.backend import DeviceError, to_device  # noqa: E402
from autograd_nlp.functions import softmax_cross_entropy  # noqa: E402
from autograd_nlp.functions.recurrent import LSTMStep  # noqa: E402
from autograd_nlp.functions.registry import all_ops  # noqa: E402

CASES = [(name, label) for name, spec in sorted(all_ops().items()) for label in spec.cases]


def _to_gpu(x):
    if isinstance(x, np.ndarray):
        return cupy.asarray(x)
    if isinstance(x, tuple):
        return tuple(_to_gpu(i) for i in x)
    return x


@pytest.fixture(params=[True, False], ids=["fused", "fallback"])
def fused(request):
    cuda_kernels.set_enabled(request.param)
    yield request.param
    cuda_kernels.set_enabled(True)


@pytest.mark.parametrize("name,label", CASES, ids=[f"{n}[{c}]" for n, c in CASES])
def test_every_op_gradchecks_on_the_gpu(name, label):
    spec = all_ops()[name]
    args, kwargs = spec.cases[label](np.random.default_rng(0))
    args = [_to_gpu(a) for a in args]
    kwargs = {k: _to_gpu(v) for k, v in kwargs.items()}
    out = spec(*[ag.Variable(a) if isinstance(a, cupy.ndarray) and a.dtype.kind == "f"
                 else a for a in args], **kwargs)
    out = out if isinstance(out, (list, tuple)) else [out]
    assert all(isinstance(y.data, cupy.ndarray) for y in out)
    assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance)


@pytest.mark.parametrize("name", ["lstm_step", "lstm_sequence", "softmax_cross_entropy"])
def test_fused_ops_gradcheck_with_and_without_kernels(fused, name):
    spec = all_ops()[name]
    for label, make in spec.cases.items():
        args, kwargs = make(np.random.default_rng(1))
        assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *[_to_gpu(a) for a in args])


def test_the_kernels_compile():
    assert cuda_kernels.usable(cupy.ones((2, 8), cupy.float32))
    assert cuda_kernels.usable(cupy.ones((2, 8), cupy.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lstm_kernels_equal_the_fallback(dtype):
    rng = np.random.default_rng(2)
    B, H = 16, 32
    arrays = [cupy.asarray(rng.standard_normal(s).astype(dtype))
              for s in ((B, 4 * H), (B, H), (H, 4 * H), (B, H))]
    dh, dc = (cupy.asarray(rng.standard_normal((B, H)).astype(dtype)) for _ in range(2))
    results = []
    for flag in (True, False):
        cuda_kernels.set_enabled(flag)
        step = LSTMStep()
        step.inputs = [ag.Variable(a) for a in arrays]
        h, c = step.forward(*arrays)
        grads = step.backward_arrays(dh, dc)
        results.append([h, c, *grads])
    cuda_kernels.set_enabled(True)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(*results):
        np.testing.assert_allclose(cupy.asnumpy(a), cupy.asnumpy(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("product", ["kernel", "cublas"])
@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
def test_lstm_sequence_kernels_equal_the_fallback(state, product):
    """Both GPU paths (the recurrent product in our kernels, or in cuBLAS)
    against CuPy array ops; batch 9: a partial group of kernel rows."""
    cuda_kernels.set_recurrent_product(product)
    rng = np.random.default_rng(4)
    B, T, D, H = 9, 6, 5, 16
    shapes = [(B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,)] + ([(B, H), (B, H)] if state else [])
    arrays = [cupy.asarray(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    weights = [cupy.asarray(rng.standard_normal(s).astype(np.float32)) for s in ((B, T, H),
                                                                               (B, H), (B, H))]
    results = []
    for flag in (True, False):
        cuda_kernels.set_enabled(flag)
        inputs = [ag.Variable(a) for a in arrays]
        hs, h, c = ag.functions.lstm_sequence(*inputs)
        ((hs * weights[0]).sum() + (h * weights[1]).sum() + (c * weights[2]).sum()).backward()
        results.append([hs.data, h.data, c.data] + [v.grad.data for v in inputs])
    cuda_kernels.set_enabled(True)
    cuda_kernels.set_recurrent_product("auto")
    for a, b in zip(*results):
        np.testing.assert_allclose(cupy.asnumpy(a), cupy.asnumpy(b), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("eps_hat", [False, True])
def test_adam_kernel_equals_the_fallback(eps_hat):
    rng = np.random.default_rng(5)
    start = cupy.asarray(rng.standard_normal((64, 33)).astype(np.float32))
    grads = [cupy.asarray(rng.standard_normal((64, 33)).astype(np.float32)) for _ in range(3)]
    results = []
    for flag in (True, False):
        cuda_kernels.set_enabled(flag)
        p = ag.Parameter(start.copy())
        opt = optim.Adam([p], lr=0.01, eps_hat=eps_hat)
        for g in grads:
            p.grad = ag.Variable(g)
            opt.update()
        results.append([p.data, opt.slots[0]["m"], opt.slots[0]["v"]])
    cuda_kernels.set_enabled(True)
    assert not cupy.array_equal(results[0][0], start)
    for a, b in zip(*results):      # float32 rounding of values of size 1 and steps of 0.01
        np.testing.assert_allclose(cupy.asnumpy(a), cupy.asnumpy(b), rtol=1e-5, atol=1e-6)


def test_negative_sampling_kernels_equal_the_fallback():
    rng = np.random.default_rng(6)
    W = [cupy.asarray(rng.standard_normal((50, 100)).astype(np.float32)) for _ in range(2)]
    contexts = cupy.asarray(rng.integers(0, 50, (100, 10)))
    samples = cupy.asarray(rng.integers(0, 50, (100, 6)))
    results = []
    for flag in (True, False):
        cuda_kernels.set_enabled(flag)
        W_in, W_out = (ag.Variable(w.copy()) for w in W)
        loss = ag.functions.negative_sampling_loss(W_in, W_out, contexts, samples)
        loss.backward()
        results.append([loss.data, W_in.grad.data, W_out.grad.data])
    cuda_kernels.set_enabled(True)
    for a, b in zip(*results):
        np.testing.assert_allclose(cupy.asnumpy(a), cupy.asnumpy(b), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("ignore", [False, True])
def test_softmax_cross_entropy_kernels_equal_the_fallback(ignore):
    rng = np.random.default_rng(3)
    x = cupy.asarray(rng.standard_normal((7, 9, 1000)).astype(np.float32) * 3)
    t = rng.integers(0, 1000, (7, 9))
    if ignore:
        t[:, ::4] = -1
    t = cupy.asarray(t)
    results = []
    for flag in (True, False):
        cuda_kernels.set_enabled(flag)
        v = ag.Variable(x)
        loss = softmax_cross_entropy(v, t, ignore_label=-1 if ignore else None)
        loss.backward()
        results.append((float(loss.data), cupy.asnumpy(v.grad.data)))
    cuda_kernels.set_enabled(True)
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_ids_out_of_range_on_the_gpu(dtype):
    from autograd_nlp.backend import ids_out_of_range
    ids = cupy.asarray(np.array([[0, 3], [9, 2]], dtype=dtype))
    assert not ids_out_of_range(ids, 10)
    assert ids_out_of_range(ids, 9)
    ids[0, 0] = -1
    assert ids_out_of_range(ids, 10)


def test_mixed_devices_name_cpu_and_cuda():
    a = ag.Variable(cupy.ones((2, 3)))
    with pytest.raises(DeviceError, match="cpu and cuda"):
        a + ag.Variable(np.ones((2, 3)))


def _lm_losses(device, steps=3):
    from autograd_nlp.models.rnnlm import Rnnlm
    from autograd_nlp.training.language_model import LanguageModelTrainer, lm_batch
    ag_random.seed(0)
    corpus = np.random.default_rng(0).integers(0, 50, 2000)
    model = Rnnlm(50, 16, 16).to(device)
    trainer = LanguageModelTrainer(model, optim.SGD(model.params(), lr=1.0), batch_size=4,
                                   time_size=8, progress=False, log=lambda *a: None)
    return [trainer.step(lm_batch(corpus, 4, 8, k * 8)) for k in range(steps)], model


def test_rnnlm_training_steps_match_the_cpu():
    gpu, model = _lm_losses("cuda")
    cpu, _ = _lm_losses("cpu")
    assert all(isinstance(p.data, cupy.ndarray) for p in model.params())
    np.testing.assert_allclose(gpu, cpu, rtol=1e-4)


@pytest.mark.parametrize("cls_name", ["Seq2seq", "PeekySeq2seq", "AttentionSeq2seq"])
def test_seq2seq_training_steps_match_the_cpu(cls_name):
    import autograd_nlp.models.attention_seq2seq as attention
    import autograd_nlp.models.seq2seq as seq2seq
    cls = getattr(seq2seq, cls_name, None) or getattr(attention, cls_name)
    rng = np.random.default_rng(1)
    x = rng.integers(1, 12, (16, 6))
    t = np.concatenate([np.zeros((16, 1), int), rng.integers(1, 12, (16, 4))], axis=1)
    losses = {}
    for device in ("cpu", "cuda"):
        ag_random.seed(0)
        model = cls(12, 8, 16).to(device)
        opt = optim.Adam(model.params())
        losses[device] = []
        for _ in range(3):
            loss = model(x, t)
            model.cleargrads()
            loss.backward()
            opt.update()
            losses[device].append(float(loss.data))
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=1e-3)   # Adam: float noise


def test_cbow_and_dropout_models_run_on_the_gpu():
    from autograd_nlp.models.rnnlm import BetterRnnlm
    from autograd_nlp.models.word2vec import CBOW
    corpus = np.random.default_rng(0).integers(0, 40, 500)
    cbow = CBOW(40, 8, corpus, sample_size=3).cuda()
    loss = cbow(np.random.default_rng(1).integers(0, 40, (8, 4)), corpus[:8])
    loss.backward()
    assert isinstance(cbow.out_embed.W.grad.data, cupy.ndarray) and np.isfinite(float(loss.data))
    targets = cupy.asarray(corpus[:300])
    negatives = cbow.sampler.get_negative_sample(targets)
    assert isinstance(negatives, cupy.ndarray) and negatives.shape == (300, 3)
    assert not bool((negatives == targets[:, None]).any())
    assert int(negatives.min()) >= 0 and int(negatives.max()) < 40
    better = BetterRnnlm(40, 8, 8).cuda()
    logits = better(corpus[:20].reshape(2, 10))
    assert logits.shape == (2, 10, 40) and isinstance(logits.data, cupy.ndarray)


def test_checkpoint_from_the_gpu_loads_on_the_cpu(tmp_path):
    from autograd_nlp.models.rnnlm import Rnnlm
    model = Rnnlm(20, 8, 8).cuda()
    model.save(tmp_path / "m.npz")
    cpu = Rnnlm(20, 8, 8).load(tmp_path / "m.npz")
    for p, q in zip(cpu.params(), model.params()):
        np.testing.assert_array_equal(p.data, to_device(q.data, "cpu"))

"""threads.py: a batch's rows split between threads give the numbers of the
unsplit batch (to rounding, on the NumPy and the numba paths), the LSTM
layer and the engine's products still pass their gradchecks when split, an
error in a worker thread reaches the caller, BLAS is claimed (before an
LSTM's first product) and given back, a forked child has its own workers,
and a bad AUTOGRAD_NLP_THREADS is refused by name."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import jit, threads
from autograd_nlp.errors import BadSettingError
from autograd_nlp.functions.recurrent import LSTMSequence
from autograd_nlp.functions.registry import all_ops


@pytest.fixture(autouse=True)
def _restore_thread_count():
    yield
    threads.set_thread_count(None)


@pytest.mark.parametrize("rows,count,want", [
    (128, 2, [(0, 64), (64, 128)]),
    (100, 3, [(0, 33), (33, 66), (66, 100)]),
    (63, 2, [(0, 63)]),                # two blocks would be under MIN_ROWS rows
    (20, 8, [(0, 20)]),
    (0, 2, [(0, 0)]),
    (128, 1, [(0, 128)]),
])
def test_row_blocks_cover_the_rows_in_near_equal_blocks(rows, count, want):
    blocks = threads.row_blocks(rows, threads=count)
    assert [(b.start, b.stop) for b in blocks] == want


def _layer(B, T, state, dtype, seed=5, H=24, D=5):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,))]
    if state:
        arrays += [rng.standard_normal((B, H)), rng.standard_normal((B, H))]
    grads_above = (rng.standard_normal((B, T, 2 * H))[:, :, :H],     # strided, as a slice
                   rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    return [a.astype(dtype) for a in arrays], [g.astype(dtype) for g in grads_above]


def _forward_backward(arrays, grads_above, lengths=None):
    op = LSTMSequence(lengths)
    outputs = op(*[ag.Variable(a) for a in arrays])
    grads = op.backward_arrays(*grads_above)
    return [o.data for o in outputs] + [g for g in grads]


PATHS = ["numpy"] + (["numba"] if jit.available() else [])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("B,T,state", [(96, 7, True), (96, 7, False), (64, 1, True),
                                       (64, 0, True), (20, 5, True)])
def test_lstm_layer_split_between_threads_gives_the_same_numbers(monkeypatch, path, dtype,
                                                                 B, T, state):
    monkeypatch.setattr(threads, "MIN_ROWS", 16)
    monkeypatch.setattr(threads, "MIN_STEPS", 0)        # split these short loops too
    arrays, grads_above = _layer(B, T, state, dtype)
    results = {}
    with jit.enabled_as(path == "numba"):
        for count in (1, 2, 3):
            threads.set_thread_count(count)
            results[count] = _forward_backward(arrays, grads_above)
    assert len(threads.row_blocks(B)) == min(3, B // 16)
    names = ["hs", "h", "c", "dxs", "dWx", "dWh", "db"] + (["dh0", "dc0"] if state else [])
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for count in (2, 3):
        for name, one, split in zip(names, results[1], results[count]):
            # each row's arithmetic is the same; BLAS may round a product of
            # fewer rows differently (as its own threads may)
            np.testing.assert_allclose(split, one, rtol=tol, atol=tol,
                                       err_msg=f"{name} with {count} threads")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("state", [True, False], ids=["with-state", "zero-state"])
def test_rows_of_different_lengths_split_between_threads_give_the_same_numbers(
        monkeypatch, path, dtype, state):
    """With lengths the rows are dealt to the blocks longest first; any
    thread count gives the numbers of one."""
    monkeypatch.setattr(threads, "MIN_ROWS", 16)
    arrays, grads_above = _layer(96, 19, state, dtype)
    lengths = np.random.default_rng(8).integers(0, 20, 96)
    results = {}
    with jit.enabled_as(path == "numba"):
        for count in (1, 2, 3):
            threads.set_thread_count(count)
            results[count] = _forward_backward(arrays, grads_above, lengths)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for count in (2, 3):
        for k, (one, split) in enumerate(zip(results[1], results[count])):
            np.testing.assert_allclose(split, one, rtol=tol, atol=tol,
                                       err_msg=f"output {k} with {count} threads")
    assert (results[1][0][lengths == 0] == 0).all()


def test_lstm_layer_gradchecks_when_its_rows_are_split(monkeypatch):
    monkeypatch.setattr(threads, "MIN_ROWS", 1)
    monkeypatch.setattr(threads, "MIN_STEPS", 0)
    monkeypatch.setattr(threads, "MIN_PRODUCT", 1)     # the weight products split too
    threads.set_thread_count(3)
    spec = all_ops()["lstm_sequence"]
    for label, case in spec.cases.items():
        args, kwargs = case(np.random.default_rng(0))
        if args[0].shape[0] < 3:
            continue
        assert len(threads.row_blocks(args[0].shape[0])) == 3
        assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance), label


@pytest.mark.parametrize("shape", [(300, 40, 200), (40, 300, 700)], ids=["rows", "columns"])
def test_matmul_splits_large_products_and_matches_numpy(monkeypatch, shape):
    monkeypatch.setattr(threads, "MIN_PRODUCT", 1)
    threads.set_thread_count(2)
    M, K, N = shape
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((M, K)), rng.standard_normal((K, N))
    assert len(threads.row_blocks(max(M, N), min_rows=threads.MIN_PRODUCT_ROWS)) == 2
    np.testing.assert_allclose(threads.matmul(a, b), a @ b, rtol=1e-12, atol=1e-12)
    # a transposed view, as the LSTM layer's weight gradients pass
    np.testing.assert_allclose(threads.matmul(b.T, a.T), b.T @ a.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["matmul", "linear"])
def test_the_engines_products_gradcheck_when_split(monkeypatch, op):
    if threads._blas() is None:
        pytest.skip("no OpenBLAS found in this process: products split only once BLAS "
                    "is claimed")
    monkeypatch.setattr(threads, "MIN_PRODUCT", 1)
    monkeypatch.setattr(threads, "MIN_PRODUCT_ROWS", 1)
    threads.set_thread_count(2)
    threads.row_blocks(128)                               # claims BLAS
    spec = all_ops()[op]
    args, kwargs = spec.cases["2d"](np.random.default_rng(0))
    assert ag.gradcheck(lambda *xs: spec(*xs, **kwargs), *args, **spec.tolerance)
    assert ag.gradgradcheck(lambda *xs: spec(*xs, **kwargs), *args)
    x, W = args[0], args[1]
    np.testing.assert_allclose(spec(*args).data, x @ W + (args[2] if len(args) > 2 else 0),
                               rtol=1e-12, atol=1e-12)


def test_short_loops_stay_with_blas_until_it_is_claimed():
    threads.set_thread_count(2)
    assert len(threads.row_blocks(128, steps=threads.MIN_STEPS - 1)) == 1
    assert not threads.blas_claimed()
    a = np.ones((512, 512))
    assert np.array_equal(threads.matmul(a, a), a @ a)      # unclaimed: BLAS's own threads
    if threads._blas() is None:
        pytest.skip("no OpenBLAS found in this process: BLAS cannot be claimed")
    assert len(threads.row_blocks(128, steps=threads.MIN_STEPS)) == 2
    assert threads.blas_claimed()
    assert len(threads.row_blocks(128, steps=1)) == 2


def test_an_error_in_a_worker_thread_is_raised_in_the_caller():
    threads.set_thread_count(2)
    blocks = threads.row_blocks(128)
    done = []

    def work(k, rows):
        if k == 1:
            raise ValueError("block 1 failed")
        done.append(k)

    with pytest.raises(ValueError, match="block 1 failed"):
        threads.run_blocks(blocks, work)
    assert done == [0]


def test_blas_is_claimed_for_split_work_and_given_back():
    blas = threads._blas()
    if blas is None:
        pytest.skip("no OpenBLAS found in this process (not Linux, or NumPy on another "
                    "BLAS): its thread count cannot be set")
    before = blas.get()
    threads.set_thread_count(2)
    threads.row_blocks(128)
    assert blas.get() == 1
    threads.set_thread_count(1)
    assert blas.get() == before


@pytest.mark.parametrize("value", ["two", "0", "-1"])
def test_a_bad_thread_count_in_the_environment_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("AUTOGRAD_NLP_THREADS", value)
    threads.set_thread_count(None)
    with pytest.raises(BadSettingError, match="AUTOGRAD_NLP_THREADS"):
        threads.thread_count()


def test_the_environment_sets_the_thread_count(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_THREADS", "3")
    threads.set_thread_count(None)
    assert threads.thread_count() == 3
    with pytest.raises(ValueError, match="set_thread_count"):
        threads.set_thread_count(0)


def test_the_command_line_names_a_bad_thread_count_without_a_traceback():
    import os
    import subprocess
    import sys
    env = dict(os.environ, AUTOGRAD_NLP_THREADS="two")
    done = subprocess.run([sys.executable, "-m", "autograd_nlp", "info"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "autograd-nlp: AUTOGRAD_NLP_THREADS='two'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork (POSIX)")
def test_a_forked_child_runs_row_blocks_on_its_own_threads():
    import multiprocessing
    threads.set_thread_count(2)
    blocks = threads.row_blocks(128)
    threads.run_blocks(blocks, lambda k, rows: None)     # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        done = pool.apply_async(_blocks_seen_in_child)
        assert done.get(timeout=60) == [0, 1]


def _blocks_seen_in_child():
    seen = []
    threads.run_blocks(threads.row_blocks(128, threads=2), lambda k, rows: seen.append(k))
    return sorted(seen)


def test_an_lstm_layer_claims_blas_before_its_first_product(monkeypatch):
    # every product of a run, its first step's included, then runs with the
    # same BLAS thread count (OpenBLAS may round differently with another):
    # a resumed run repeats the original's numbers
    if threads._blas() is None:
        pytest.skip("no OpenBLAS found in this process: BLAS cannot be claimed")
    threads.set_thread_count(2)
    assert not threads.blas_claimed()
    seen = []
    real = threads.matmul

    def recording(a, b, out=None):
        seen.append(threads.blas_claimed())
        return real(a, b, out=out)

    monkeypatch.setattr(threads, "matmul", recording)
    arrays, grads_above = _layer(128, threads.MIN_STEPS, True, np.float32)
    _forward_backward(arrays, grads_above)
    assert seen and all(seen)

"""Data-parallel training (autograd_nlp/distributed.py): 2 MPI ranks take
the same steps as one process on the whole batch, and a 2-rank checkpoint
resumes on one rank. The MPI tests run ``mpiexec -n 2`` on
tests/training/distributed_runs.py and skip when mpi4py or mpiexec is
missing (``pip install ".[distributed]"``)."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_launch import mpiexec

from autograd_nlp import distributed

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "distributed_runs.py")
sys.path.insert(0, HERE)
import distributed_runs  # noqa: E402

sys.path.remove(HERE)


def _mpi_run(tmp_path, *args, ranks=2, check=True, env=None):
    result = subprocess.run([mpiexec(), "-n", str(ranks), sys.executable, SCRIPT,
                             str(tmp_path), *args],
                            capture_output=True, text=True, timeout=240, cwd=HERE,
                            env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _max_relative_difference(got, want):
    keys = [k for k in want if k.startswith("param/")]
    assert keys and sorted(keys) == sorted(k for k in got if k.startswith("param/"))
    return max(float(np.max(np.abs(got[k] - want[k]) / np.maximum(np.abs(want[k]), 1e-12)))
               for k in keys)


# how the gradients cross (gradient_reducers.py): one flat buffer; buckets of ~100
# bytes (several per model) started during backward; the non-zero rows of every
# matrix of >= 10 rows (CBOW's embeddings, Rnnlm's, a seq2seq's)
ALLREDUCE = {"flat": {"AUTOGRAD_NLP_ALLREDUCE": "flat"},
             "overlap": {"AUTOGRAD_NLP_ALLREDUCE": "overlap",
                         "AUTOGRAD_NLP_BUCKET_MB": "0.0001"},
             "sparse": {"AUTOGRAD_NLP_ALLREDUCE": "sparse",
                        "AUTOGRAD_NLP_SPARSE_MIN_ROWS": "10"}}


@pytest.fixture(scope="module", params=sorted(ALLREDUCE))
def two_rank_runs(tmp_path_factory, request):
    out = tmp_path_factory.mktemp(f"mpi-{request.param}")
    _mpi_run(out, env=ALLREDUCE[request.param])
    return out


@pytest.mark.parametrize("name", distributed_runs.MODELS)
def test_two_ranks_take_the_steps_of_one_process_on_the_whole_batch(two_rank_runs, name):
    """float64, 3 steps, unequal slices (5, 7, 9 rows over 2 ranks), Adam /
    Momentum, clipping active at every step (the global norm, after the
    all-reduce): parameters within 1e-10 relative, same losses and norms;
    for each way the gradients cross (flat, overlapped buckets, sparse rows)."""
    want = distributed_runs.run(name)
    got = dict(np.load(two_rank_runs / f"{name}.npz"))
    assert np.all(want["_norms"] > distributed_runs.MAX_GRAD)      # clipping was on
    assert len(want["_losses"]) == distributed_runs.STEPS
    np.testing.assert_allclose(got["_norms"], want["_norms"], rtol=1e-10)
    np.testing.assert_allclose(got["_losses"], want["_losses"], rtol=1e-10)
    assert _max_relative_difference(got, want) <= 1e-10


@pytest.mark.parametrize("name", ["rnnlm", "seq2seq"])
def test_a_two_rank_checkpoint_resumes_on_one_rank_with_the_same_next_step(tmp_path, name):
    """Rank 0 alone writes the checkpoint (with the recurrent states of all
    the rows, gathered from both ranks); one process resumes it and its next
    step is the third step of an uninterrupted one-process run."""
    _mpi_run(tmp_path, "checkpoint")
    path = tmp_path / f"{name}-checkpoint.npz"
    assert path.exists()
    model, trainer, fit = distributed_runs.build(name)
    trainer.resume(path)
    assert (trainer.epoch, trainer.iteration) == (0, distributed_runs.STEPS - 1)
    fit(1)
    want = distributed_runs.run(name)
    got = {f"param/{k}": v for k, v in model.state_dict().items()}
    assert _max_relative_difference(got, want) <= 1e-10


# --- without MPI: the split, the weighting and the flat buffer ------------------------
class _Ranks:
    """Stand-in for rank ``rank`` of ``size`` (shard_bounds needs only these)."""

    def __init__(self, rank, size):
        self.rank, self.size = rank, size


@pytest.mark.parametrize("n,size", [(5, 2), (7, 3), (8, 4), (3, 3)])
def test_shards_cover_the_batch_in_rank_order(n, size):
    bounds = [distributed.shard_bounds(n, _Ranks(r, size)) for r in range(size)]
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert max(hi - lo for lo, hi in bounds) - min(hi - lo for lo, hi in bounds) <= 1


def test_a_batch_smaller_than_the_ranks_is_refused():
    with pytest.raises(ValueError, match="cannot be split over 4 ranks"):
        distributed.shard_bounds(3, _Ranks(0, 4))


def test_one_rank_allreduce_weights_the_gradients_and_the_loss():
    from autograd_nlp.layers import Linear
    model = Linear(3, 2)
    x = np.ones((4, 3), dtype=np.float32)
    model(x).sum().backward()
    before = {id(p): p.grad.data.copy() for p in model.params()}
    loss = distributed.allreduce_gradients(model.params(), distributed.local(), 0.25, 2.0)
    assert loss == pytest.approx(0.5)
    for p in model.params():
        np.testing.assert_allclose(p.grad.data, 0.25 * before[id(p)], rtol=1e-6)
        assert p.grad.dtype == p.dtype


def test_init_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(distributed.MPIUnavailableError, match="distributed"):
        distributed.init()


def test_a_failure_on_one_rank_ends_every_rank_with_a_message(tmp_path):
    """Rank 1 raises mid-run while rank 0 waits in the all-reduce: both end
    (MPI Abort) within the timeout, with the failing rank named."""
    result = _mpi_run(tmp_path, "fail", check=False)
    assert result.returncode != 0
    assert "rank 1 of 2 failed: RuntimeError: a failure on rank 1 only" in result.stderr


# --- the command: mpiexec -n 2 autograd-nlp train rnnlm --distributed -----------------
def _tiny_ptb(root):
    sys.path.insert(0, os.path.dirname(HERE))
    try:
        from tiny_ptb import write_tiny_ptb
    finally:
        sys.path.remove(os.path.dirname(HERE))
    return write_tiny_ptb(root, [f"w{i}" for i in range(20)],
                          {"train": 80, "valid": 30, "test": 30}, np.random.default_rng(0))


SIZES = {"rnnlm": ["--time-size", "5", "--wordvec", "4", "--eval-batch-size", "2"],
         "cbow": ["--window", "2", "--recipe", "book"]}


@pytest.mark.parametrize("name,allreduce", [("rnnlm", "flat"), ("cbow", "flat"),
                                            ("rnnlm", "overlap"), ("cbow", "sparse")])
def test_train_distributed_over_two_ranks_prints_and_writes_once(tmp_path, name, allreduce):
    """Also with the all-reduce chosen by $AUTOGRAD_NLP_ALLREDUCE (no option)."""
    data = _tiny_ptb(tmp_path / "data")
    out = tmp_path / "run"
    command = [mpiexec(), "-n", "2", sys.executable, "-m", "autograd_nlp", "train", name,
               "--data-dir", str(data), "--batch-size", "5", *SIZES[name], "--hidden", "4",
               "--epochs", "1", "--quiet", "--out", str(out), "--distributed"]
    root = os.path.dirname(os.path.dirname(HERE))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "AUTOGRAD_NLP_ALLREDUCE": allreduce, "AUTOGRAD_NLP_BUCKET_MB": "0.0002",
           "AUTOGRAD_NLP_SPARSE_MIN_ROWS": "10"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=root,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("epoch 1: ") == 1          # rank 0 alone prints
    from autograd_nlp.training import load_checkpoint
    assert load_checkpoint(out / "checkpoint.npz")["meta"]["epoch"] == 1
    if name == "cbow":
        assert (out / "vectors.npz").exists()


def test_distributed_on_one_process_says_to_start_it_with_mpiexec(tmp_path, capsys):
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (pip install '.[distributed]')")
    from autograd_nlp.cli import main
    data = _tiny_ptb(tmp_path / "data")
    code = main(["train", "rnnlm", "--data-dir", str(data), "--out", str(tmp_path / "r"),
                 "--distributed"])
    assert code == 2
    assert "mpiexec -n N" in capsys.readouterr().err


def test_distributed_without_mpi4py_says_what_to_install(tmp_path, capsys, monkeypatch):
    from autograd_nlp.cli import main
    from autograd_nlp.recipes import runtime
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setattr(runtime, "_COMM", None)
    data = _tiny_ptb(tmp_path / "data")
    code = main(["train", "rnnlm", "--data-dir", str(data), "--out", str(tmp_path / "r"),
                 "--distributed"])
    assert code == 2
    err = capsys.readouterr().err
    assert "autograd-nlp: --distributed" in err and "[distributed]" in err


@pytest.mark.parametrize("name", ["attention", "transformer"])
def test_train_seq2seq_over_two_ranks_takes_one_process_steps(tmp_path, name):
    """`mpiexec -n 2 autograd-nlp train attention|transformer --distributed`
    (no dropout, so no random mask differs between ranks) ends with the
    parameters of the same command on one process (float32 sums in another
    order: 1e-5 relative), and rank 0 alone prints and writes."""
    sizes = (["--hidden", "16", "--wordvec", "8", "--dropout", "0"] if name == "attention"
             else ["--dim", "16", "--heads", "2", "--layers", "1", "--dropout", "0"])
    common = ["train", name, "--generate-size", "600", "--batch-size", "32", "--epochs", "2",
              "--quiet", *sizes]
    root = os.path.dirname(os.path.dirname(HERE))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1"}
    env.pop("AUTOGRAD_NLP_DATA", None)
    two = subprocess.run([mpiexec(), "-n", "2", sys.executable, "-m", "autograd_nlp", *common,
                          "--out", str(tmp_path / "two"), "--distributed"],
                         capture_output=True, text=True, timeout=300, cwd=root, env=env)
    assert two.returncode == 0, two.stdout + two.stderr
    assert two.stdout.count("epoch 2: ") == 1 and two.stdout.count("wrote: ") == 1
    one = subprocess.run([sys.executable, "-m", "autograd_nlp", *common, "--out",
                          str(tmp_path / "one")], capture_output=True, text=True, timeout=300,
                         cwd=root, env=env)
    assert one.returncode == 0, one.stdout + one.stderr
    with np.load(tmp_path / "one" / "checkpoint.npz") as a, \
            np.load(tmp_path / "two" / "checkpoint.npz") as b:
        names = [k for k in a.files if k.startswith("model/")]
        assert names and sorted(names) == sorted(k for k in b.files if k.startswith("model/"))
        # an attention key's bias shifts every score of a row alike: its true gradient
        # is 0, so Adam turns float32 rounding noise into steps of size lr there
        names = [k for k in names if not k.endswith("key.b")]
        for k in names:
            scale = float(np.abs(a[k]).max()) or 1.0
            assert float(np.abs(a[k] - b[k]).max()) / scale < 1e-5, k


def test_rl_finetune_is_refused_with_distributed(capsys):
    from autograd_nlp.cli import main
    code = main(["train", "attention", "--rl-finetune", "5", "--distributed"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--distributed" in err


# --- the overlapped and sparse all-reduces without MPI (gradient_reducers.py) -----------
class _TwoEqualRanks(distributed.LocalCommunicator):
    """Rank 0 of 2 whose peer holds the same gradients; records what each
    all-reduce started and which parameters still had no gradient then."""

    def __init__(self, model, **settings):
        super().__init__(**settings)
        self.size, self.model, self.started = 2, model, []

    def allreduce_sum(self, host):
        self.started.append((host.size, [p.grad is None for p in self.model.params()]))
        return host + host

    def allgather(self, obj):
        return [obj, obj]


def _mlp_step(allreduce, bucket_mb=None, seed=0):
    from autograd_nlp import functions as F
    from autograd_nlp import random as ag_random
    from autograd_nlp.layers import Linear, Module

    class MLP(Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = Linear(6, 5), Linear(5, 4), Linear(4, 3)

        def forward(self, x):
            return self.c(F.tanh(self.b(F.tanh(self.a(x)))))

    ag_random.seed(seed)
    model = MLP()
    comm = _TwoEqualRanks(model, allreduce=allreduce, bucket_mb=bucket_mb)
    reducer = distributed.gradient_reducer(model.params(), comm)
    x = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    losses = []
    for _ in range(2):
        model.cleargrads()
        losses.append(reducer.backward((model(x) ** 2).mean(), 0.5))
    return model, comm, reducer, losses


def test_overlapped_buckets_start_during_backward_and_sum_like_the_flat_buffer():
    flat_model, flat_comm, _, flat_losses = _mlp_step("flat")
    model, comm, reducer, losses = _mlp_step("overlap", bucket_mb=40 / 2 ** 20)
    assert len(flat_comm.started) == 2 and len(reducer.buckets) >= 3
    # per step: the loss, then every bucket; the first bucket (the last layer's)
    # starts while earlier layers have no gradient yet
    per_step = 1 + len(reducer.buckets)
    assert len(comm.started) == 2 * per_step
    assert any(comm.started[1][1]) and any(comm.started[per_step + 1][1])
    assert losses == flat_losses
    for p, q in zip(model.params(), flat_model.params()):
        np.testing.assert_array_equal(p.grad.data, q.grad.data)
        assert p.grad.dtype == p.dtype


def test_overlapped_buckets_follow_the_first_steps_order_and_stay_whole():
    model, _, reducer, _ = _mlp_step("overlap", bucket_mb=1e-9)   # one parameter each
    assert [len(b.params) for b in reducer.buckets] == [1] * len(list(model.params()))
    _, _, big, _ = _mlp_step("overlap", bucket_mb=1)               # all in one
    assert len(big.buckets) == 1
    assert big.seconds["backward"] > 0 and big.seconds["communication"] > 0


def test_sparse_rows_sum_like_the_flat_buffer(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_SPARSE_MIN_ROWS", "5")
    flat_model, _, _, flat_losses = _mlp_step("flat")
    model, comm, reducer, losses = _mlp_step("sparse")
    assert [p.data.shape for p in reducer.sparse] == [(6, 5), (5, 4)]
    assert losses == flat_losses
    for p, q in zip(model.params(), flat_model.params()):
        np.testing.assert_array_equal(p.grad.data, q.grad.data)


def test_an_unknown_allreduce_or_bucket_size_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="is not one of flat, overlap, sparse"):
        distributed.local(allreduce="ring")
    monkeypatch.setenv("AUTOGRAD_NLP_BUCKET_MB", "lots")
    with pytest.raises(ValueError, match="positive number of MB"):
        distributed.local()


@pytest.mark.parametrize("dtype,cols", [(np.float32, 100), (np.float64, 3), (np.float32, 3),
                                        (np.float16, 1)])
def test_nonzero_rows_finds_every_row_with_a_non_zero_bit(dtype, cols):
    from autograd_nlp.gradient_reducers import nonzero_rows
    g = np.zeros((9, cols), dtype)
    g[1, -1], g[4, 0], g[7, :] = 1e-30 if dtype != np.float16 else 1e-7, -0.0, np.nan
    np.testing.assert_array_equal(nonzero_rows(g), [1, 4, 7])


def test_two_ranks_on_one_machine_have_local_ranks_0_and_1():
    """What ``bind_device`` picks each rank's GPU by (MPI's shared-memory split)."""
    code = ("from autograd_nlp import distributed; c = distributed.init(); "
            "got = c.gather(c.node_rank()); c.is_root and print(got)")
    root = os.path.dirname(os.path.dirname(HERE))
    result = subprocess.run([mpiexec(), "-n", "2", sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=120, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[(0, 2), (1, 2)]"


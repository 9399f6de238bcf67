"""``mpiexec -n 2 autograd-nlp train autoencoder|vae --distributed``: rank 0
alone prints and writes; the plain autoencoder (no random numbers in its
steps) ends with the parameters of the same command on one process; the
VAE's ranks draw their noise from streams of their own. Skipped without
mpi4py or mpiexec (``pip install ".[distributed]"``)."""
import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_launch import mpiexec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = ["--n", "300", "--hidden", "16", "--code", "4", "--batch-size", "33", "--samples", "20",
        "--epochs", "2", "--quiet"]


def train(command, out):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(command + ["--out", str(out)], capture_output=True, text=True,
                            timeout=240, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["autoencoder", "vae"])
def test_train_over_two_ranks_prints_and_writes_once(tmp_path, name):
    """Batches of 33 rows: the ranks take 17 and 16."""
    cli = [sys.executable, "-m", "autograd_nlp", "train", name, *TINY]
    text = train([mpiexec(), "-n", "2", *cli, "--distributed"], tmp_path / "two")
    assert text.count("epoch 2: ") == 1 and text.count("wrote: ") == 1
    assert ("20 samples from N(0, I)" in text) == (name == "vae")
    from autograd_nlp.training import load_checkpoint
    meta = load_checkpoint(tmp_path / "two" / "checkpoint.npz")["meta"]
    assert meta["epoch"] == 2 and "distributed" not in meta["settings"]
    if name == "vae":
        return
    train(cli, tmp_path / "one")
    with np.load(tmp_path / "one" / "checkpoint.npz") as a, \
            np.load(tmp_path / "two" / "checkpoint.npz") as b:
        names = [k for k in a.files if k.startswith("model/")]
        assert names and sorted(names) == sorted(k for k in b.files if k.startswith("model/"))
        for k in names:           # float32 sums in another order
            scale = float(np.abs(a[k]).max()) or 1.0
            assert float(np.abs(a[k] - b[k]).max()) / scale < 1e-5, k

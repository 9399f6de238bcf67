"""`mpiexec -n 2 autograd-nlp train bert|bert-finetune --distributed`: two
ranks end with the parameters of the same command on one process, and rank
0 alone prints and writes. The masked-LM loss is a mean over the chosen
positions, whose count differs between the ranks' shards: a mask rate that
chooses several words per pair makes the test fail unless each rank's term
is weighted by its share of them (training/bert.py's PretrainingTrainer).
Skipped when mpi4py or mpiexec is missing (``pip install ".[distributed]"``)."""
import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_launch import mpiexec

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# no dropout (each rank would draw its own masks); several masked words per pair
COMMON = ["--batch-size", "8", "--warmup", "2", "--dropout", "0", "--epochs", "2", "--quiet"]
PRETRAIN = ["--dim", "8", "--heads", "2", "--layers", "1", "--max-length", "16", "--mask-rate",
            "0.4", "--vector-sentences", "5", *COMMON]


def _train(args, ranks=1):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1"}
    env.pop("AUTOGRAD_NLP_DATA", None)
    launch = [mpiexec(), "-n", str(ranks)] if ranks > 1 else []
    extra = ["--distributed"] if ranks > 1 else []
    result = subprocess.run([*launch, sys.executable, "-m", "autograd_nlp", "train", *args,
                             *extra], capture_output=True, text=True, timeout=240, cwd=ROOT,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _assert_same_parameters(one, two):
    with np.load(one / "checkpoint.npz") as a, np.load(two / "checkpoint.npz") as b:
        names = [k for k in a.files if k.startswith("model/")]
        assert names and sorted(names) == sorted(k for k in b.files if k.startswith("model/"))
        # an attention key's bias shifts every score of a row alike: its true gradient
        # is 0, so Adam turns float32 rounding noise into steps of size lr there
        for k in (k for k in names if not k.endswith("key.b")):
            scale = float(np.abs(a[k]).max()) or 1.0
            assert float(np.abs(a[k] - b[k]).max()) / scale < 1e-5, k


@pytest.fixture
def ptb(tmp_path):
    mpiexec()
    sys.path.insert(0, os.path.dirname(HERE))
    try:
        from tiny_ptb import write_tiny_ptb
    finally:
        sys.path.remove(os.path.dirname(HERE))
    return write_tiny_ptb(tmp_path / "data", [f"w{i}" for i in range(20)],
                          {"train": 40, "valid": 30, "test": 30}, np.random.default_rng(0),
                          length=(3, 12))


def test_bert_and_finetuning_over_two_ranks_take_one_process_steps(ptb, tmp_path):
    data = ["--data-dir", str(ptb)]
    _train(["bert", *data, *PRETRAIN, "--out", str(tmp_path / "one")])
    two = _train(["bert", *data, *PRETRAIN, "--out", str(tmp_path / "two")], ranks=2)
    assert two.count("epoch 2: ") == 1 and two.count("checkpoint: ") == 1
    assert two.count("context-averaged vectors of") == 1
    assert (tmp_path / "two" / "vectors.npz").exists()
    _assert_same_parameters(tmp_path / "one", tmp_path / "two")

    finetune = ["bert-finetune", *data, *COMMON, "--pretrained",
                str(tmp_path / "one" / "checkpoint.npz")]
    _train([*finetune, "--out", str(tmp_path / "ft-one")])
    two = _train([*finetune, "--out", str(tmp_path / "ft-two")], ranks=2)
    assert two.count("epoch 2: ") == 1 and two.count("test accuracy after") == 1
    _assert_same_parameters(tmp_path / "ft-one", tmp_path / "ft-two")

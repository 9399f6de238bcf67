"""The GPU benchmark scripts' dry runs on the CPU (benchmarks/gpu_check.sh
runs them on a GPU): every section runs and every model gets a row. No
timing is asserted."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = ("Rnnlm", "BetterRnnlm", "seq2seq", "peeky", "attention", "CBOW")


def run(*command, timeout=300):
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=ROOT)
    return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env)


def rows(stdout):
    return {line.split()[0]: line.split()[1:] for line in stdout.splitlines()
            if line.split() and line.split()[0] in MODELS}


def test_iteration_dry_run_gives_every_model_a_row():
    result = run(sys.executable, "benchmarks/gpu_iteration.py", "--device", "cpu", "--quick",
                 "--budget", "3")
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert set(table) == set(MODELS), result.stdout
    for cells in table.values():
        assert float(cells[0]) > 0 and float(cells[1]) > 0      # ours, ours on array ops
    assert "FAILED" not in result.stdout


@pytest.mark.parametrize("mode,expect", [("--compare-product", "kernel/cublas"),
                                         ("--profile", "ms/step synchronized")])
def test_product_comparison_and_profile_dry_runs(mode, expect):
    result = run(sys.executable, "benchmarks/gpu_iteration.py", "--device", "cpu", "--quick",
                 mode, "--models", "Rnnlm", "seq2seq")
    assert result.returncode == 0, result.stderr
    assert expect in result.stdout and "FAILED" not in result.stdout
    assert "Rnnlm" in result.stdout and "seq2seq" in result.stdout


def test_launch_costs_skip_without_a_gpu():
    from autograd_nlp.backend import cupy_available
    if cupy_available():
        pytest.skip("a GPU is here: the script measures instead of skipping")
    result = run(sys.executable, "benchmarks/gpu_launch_costs.py")
    assert result.returncode == 0 and "skipped" in result.stdout, result.stderr


def test_gpu_check_dry_run_runs_every_section():
    result = run("bash", "benchmarks/gpu_check.sh", "--device", "cpu", "--quick", timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    sections = re.findall(r"^=== (.+?) \(t=", out, flags=re.M)
    assert sections[0] == "machine" and sections[-1] == "done", sections
    for name in ("ms per training iteration", "short BetterRnnlm run", "recurrent product",
                 "every registered op"):
        assert any(name in s for s in sections), sections
    assert "timed out" not in out
    assert set(rows(out.split("=== ms per training iteration")[1])) >= set(MODELS)

"""``autograd-nlp info``: versions, BLAS, the LSTM layers' thread count and
the devices, one line each, for bug reports."""
import os
import subprocess
import sys

import numpy as np


def run_info(**env):
    done = subprocess.run([sys.executable, "-m", "autograd_nlp", "info"],
                          env=dict(os.environ, **env), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_info_names_versions_blas_threads_and_devices():
    lines = run_info(AUTOGRAD_NLP_THREADS="3")
    assert lines[0].startswith("autograd_nlp ")
    assert f"NumPy {np.__version__}" in lines
    assert any(line.startswith("  BLAS: ") for line in lines)
    assert "  LSTM layers: a batch's rows on 3 threads (AUTOGRAD_NLP_THREADS; " \
           "docs/training.md)" in lines
    assert "devices: cpu" in lines


def test_info_says_one_thread_in_the_singular():
    lines = run_info(AUTOGRAD_NLP_THREADS="1")
    assert any(line.startswith("  LSTM layers: a batch's rows on 1 thread (") for line in lines)

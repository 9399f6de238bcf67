"""training/allocator.py: glibc's thresholds set once per process by fit."""
import ctypes
import subprocess
import sys

import pytest

from autograd_nlp.training import allocator


def _glibc():
    try:
        ctypes.CDLL(None).mallopt
        return sys.platform.startswith("linux")
    except (OSError, AttributeError, TypeError):
        return False


def test_switched_off_by_the_environment_and_on_by_default():
    code = ("from autograd_nlp.training import allocator; "
            "print(allocator.keep_freed_memory(), allocator.keep_freed_memory())")
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, allocator.SWITCH: "0"}, check=True)
    assert off.stdout.split() == ["False", "False"]
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                        check=True)
    assert on.stdout.split() == ([str(_glibc())] * 2)


@pytest.mark.skipif(not _glibc(), reason="glibc's mallopt is not in this C library")
def test_fit_sets_the_thresholds_on_glibc():
    code = ("import numpy as np, autograd_nlp as ag\n"
            "from autograd_nlp import optim\n"
            "from autograd_nlp.training import MinibatchTrainer, allocator\n"
            "from autograd_nlp.layers import Linear\n"
            "model = Linear(3, 2)\n"
            "trainer = MinibatchTrainer(model, optim.SGD(model.params()), 4, progress=False,\n"
            "    log=lambda m: None, loss_fn=lambda m, x: (m(x) ** 2).sum())\n"
            "assert allocator._applied is None\n"
            "trainer.fit((np.ones((8, 3), np.float32),), 1)\n"
            "print(allocator._applied)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "True"

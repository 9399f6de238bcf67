"""The mpiexec the MPI tests launch their ranks with."""
import importlib.util
import os
import shutil
import sys

import pytest


def mpiexec():
    """mpiexec of the mpich wheel beside this Python (else on PATH), or skip."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (pip install '.[distributed]')")
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    found = beside if os.access(beside, os.X_OK) else shutil.which("mpiexec")
    if not found:
        pytest.skip("no mpiexec found (pip install mpich, or '.[distributed]')")
    return found

"""benchmarks/distributed_scaling.py runs on one process (the 2-rank run is
exercised by tests/training/test_distributed.py's mpiexec tests)."""
from benchmarks import distributed_scaling


def test_one_process_prints_ms_per_step(capsys):
    assert distributed_scaling.main(["--steps", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ranks=1: ") and out.strip().endswith("ms per step")

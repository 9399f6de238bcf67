"""benchmarks/distributed_scaling.py: a worker's run on one process (the
2-rank runs are exercised by tests/training/test_distributed.py's mpiexec
tests) and the cost model for N machines built from it."""
import json

import pytest

from benchmarks import distributed_scaling as bench


def test_a_worker_prints_one_json_line_of_a_step(capsys):
    """CBOW at the book's sizes, 1 process, 2 timed steps."""
    assert bench.main(["--worker", "cbow", "--warmup", "1", "--steps", "2"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["params"] == 2 * 10000 * 100 and one["rows"] == 100
    assert one["ranks"] == 1 and one["comm_ms"] == 0
    assert one["ms"] > one["replicated_ms"] > 0 and one["cpu_ms"] > 0


def test_the_cost_model_of_n_machines():
    # 8 MB both ways over 10 Gb/s: 2 * (1/2) * 8e6 / 1.25e9 s = 6.4 ms for 2 ranks
    assert bench.ring_allreduce_ms(8e6, 2, 10e9 / 8) == pytest.approx(6.4)
    free = {"ms": 100.0, "replicated_ms": 0.0, "params": 0, "rows": 100}
    assert bench.predicted_speedup(free, 4, 1e9) == pytest.approx(4.0)
    assert bench.predicted_speedup(free, 200, 1e9) is None          # 100 rows only
    half = {**free, "replicated_ms": 50.0}                          # Amdahl: < 2x
    assert bench.predicted_speedup(half, 64, 1e9) == pytest.approx(100 / (50 + 50 / 64))
    table = bench.cost_model_table({"cbow": free})
    assert "10 Gb/s" in table and "100 Gb/s" in table and "cbow" in table


def test_a_worker_on_a_share_of_the_batch_and_the_fast_cbow_recipe(capsys):
    """--divide N: the batch of one of N ranks (what --ceiling runs);
    cbow-fast: train cbow's own recipe (batch 4,000, SGD)."""
    assert bench.main(["--worker", "cbow", "--warmup", "1", "--steps", "1",
                       "--divide", "4"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 25
    assert bench.main(["--worker", "cbow-fast", "--warmup", "1", "--steps", "1",
                       "--divide", "2"]) == 0
    fast = json.loads(capsys.readouterr().out)
    assert fast["rows"] == 2000 and fast["items"] == 2000 and fast["ms"] > 0

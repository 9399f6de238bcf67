"""Data-parallel scaling of the chapter models: ms per training step on one
process and on N MPI ranks (the same global batch), throughput, parallel
efficiency, and the all-reduce's share of a step, for each way the gradients
cross (flat buffer, overlapped buckets, sparse rows; docs/distributed.md).

    python -m benchmarks.distributed_scaling                       # every model, 2 ranks
    python -m benchmarks.distributed_scaling --models cbow,rnnlm --rounds 5 --steps 10

The driver alternates the configurations within each round (1 process, then
N ranks with each all-reduce), each in a fresh process (``mpiexec -n N`` for
the ranks) with one BLAS thread per rank (OPENBLAS/OMP/MKL_NUM_THREADS=1),
and prints the median over the rounds of each configuration. "cpu ms" is
the CPU time of a step (the busiest rank's; MPI's busy waiting included),
and "cpu x" one process's over it: on a machine shared with other jobs,
where wall times say little, what the speedup would be with a free core per
rank. Every run
builds the model at the book's sizes on random ids, takes ``--warmup``
steps, then times ``--steps`` steps of ``Trainer.fit`` (SGD or Adam, with
clipping, as the book trains it). The all-reduce's time is measured inside
the step by the trainer's gradient reducer (gradient_reducers.py): packing,
host staging, MPI and unpacking that backward did not hide.

A worker run (what the driver starts) prints one JSON line:

    OPENBLAS_NUM_THREADS=1 mpiexec -n 2 python -m benchmarks.distributed_scaling \\
        --worker cbow --allreduce sparse --steps 20 --mpi
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from autograd_nlp import distributed, optim  # noqa: E402
from autograd_nlp import random as ag_random  # noqa: E402

ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS")}


# --- the models at the book's sizes ------------------------------------------------------
def _language_model(model, lr, comm, batch=20, time_size=35):
    from autograd_nlp.training.language_model import LanguageModelTrainer
    corpus = np.random.default_rng(0).integers(0, 10000, 200_000)
    trainer = LanguageModelTrainer(model, optim.SGD(model.params(), lr=lr), batch_size=batch,
                                   time_size=time_size, max_grad=0.25, **_quiet(comm))
    return trainer, lambda steps: trainer.fit(corpus, 1, stop_after=steps), batch * time_size


def _minibatch(model, arrays, batch, comm, loss_fn=None, lr=None):
    from autograd_nlp.training.minibatch import MinibatchTrainer
    opt = optim.Adam(model.params()) if lr is None else optim.SGD(model.params(), lr=lr)
    trainer = MinibatchTrainer(model, opt, batch_size=batch, max_grad=5.0, loss_fn=loss_fn,
                               **_quiet(comm))
    return trainer, lambda steps: trainer.fit(arrays, 1, stop_after=steps), batch


def _quiet(comm):
    return dict(progress=False, log=lambda message: None, comm=comm)


def _ids(rng, high, shape):
    return rng.integers(0, high, size=shape)


def build(name, comm, divide=1):
    """(trainer, fit(steps), items per step) for model ``name`` at the book's
    sizes (chapters 4-8), on random ids; ``divide``: batches of 1 / divide
    the book's rows (what each of that many ranks computes)."""
    ag_random.seed(0)
    rng = np.random.default_rng(0)
    if name == "rnnlm":                 # ch. 6: vocab 10,000, 100/100, batch 20 x 35
        from autograd_nlp.models.rnnlm import Rnnlm
        return _language_model(Rnnlm(10000, 100, 100), 20.0, comm, batch=20 // divide)
    if name == "better-rnnlm":          # ch. 6: vocab 10,000, 650/650, dropout 0.5, tied
        from autograd_nlp.models.rnnlm import BetterRnnlm
        return _language_model(BetterRnnlm(10000, 650, 650, dropout=0.5), 20.0, comm,
                               batch=20 // divide)
    if name == "seq2seq":               # ch. 7: addition, vocab 13, 16/128, batch 128
        from autograd_nlp.models.seq2seq import Seq2seq
        arrays = (_ids(rng, 13, (128 * 200, 7)), _ids(rng, 13, (128 * 200, 5)))
        return _minibatch(Seq2seq(13, 16, 128), arrays, 128 // divide, comm)
    if name == "attention":             # ch. 8: dates, vocab 59, 16/256, batch 128
        from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
        arrays = (_ids(rng, 59, (128 * 200, 29)), _ids(rng, 59, (128 * 200, 11)))
        return _minibatch(AttentionSeq2seq(59, 16, 256), arrays, 128 // divide, comm)
    if name == "cbow":                  # ch. 4: vocab 10,000, hidden 100, window 5, k 5
        from autograd_nlp.models.word2vec import CBOW
        n = 100 * 400
        corpus = _ids(rng, 10000, 100_000)
        arrays = (_ids(rng, 10000, (n, 10)), _ids(rng, 10000, n), _ids(rng, 10000, (n, 5)))
        model = CBOW(10000, 100, corpus, sample_size=5)
        return _minibatch(model, arrays, 100 // divide, comm,
                          loss_fn=lambda m, c, t, negs: m(c, t, negatives=negs))
    if name == "cbow-fast":             # train cbow's default ("fast") recipe: batch 4,000,
        from autograd_nlp.models.word2vec import CBOW      # SGD lr 60, sub-sampling 1e-3,
        from autograd_nlp.text.cbow_epochs import CbowEpochs    # reduced windows, sums
        from autograd_nlp.training.minibatch import ResampledMinibatchTrainer
        corpus = rng.zipf(1.3, 929_589) % 10000              # PTB's length, Zipf-like counts
        model = CBOW(10000, 100, corpus, sample_size=5, context="sum")
        epochs = CbowEpochs(corpus, 5, model.sampler, 1e-3, reduced_windows=True,
                            context="sum")
        trainer = ResampledMinibatchTrainer(model, optim.SGD(model.params(), lr=60.0), epochs,
                                            epochs.examples_per_epoch, 4000 // divide,
                                            **_quiet(comm))
        return trainer, lambda steps: trainer.fit(1, stop_after=steps), 4000 // divide
    raise ValueError(f"unknown model {name!r}; use one of {', '.join(MODELS)}")


MODELS = ("rnnlm", "better-rnnlm", "seq2seq", "attention", "cbow", "cbow-fast")
CEILING = "ceiling"     # the driver's labels (--ceiling): N independent processes at
ALONE = "alone"         # once, each 1/N of the batch; one such process alone


# --- one measured run (a worker) ---------------------------------------------------------
def worker(name, allreduce, warmup, steps, mpi, divide=1):
    """Time ``steps`` steps after ``warmup``; rank 0 prints a JSON line."""
    comm = distributed.init(allreduce=allreduce) if mpi else None
    if comm is not None and comm.size == 1:
        comm = None
    trainer, fit, items = build(name, comm, divide)
    if comm is not None:
        distributed.synchronize(trainer.model, trainer.optimizer, comm)
    fit(warmup)
    reducer = trainer.gradient_reducer
    before = dict(reducer.seconds) if reducer is not None else {}
    if comm is not None:
        comm.barrier()
    replicated = _ReplicatedWorkTimer(trainer)
    start, cpu_start = time.perf_counter(), time.process_time()
    fit(steps)
    seconds = (time.perf_counter() - start) / steps
    cpu = (time.process_time() - cpu_start) / steps
    if comm is not None:                # the busiest rank's
        cpu = max(comm.allgather(cpu))
    optim.clip_grads = replicated.clip
    after = reducer.seconds if reducer is not None else {}
    comm_seconds = (after.get("communication", 0.0) - before.get("communication", 0.0)) / steps
    result = {"model": name, "ranks": comm.size if comm else 1,
              "allreduce": allreduce if comm else "-", "ms": 1000 * seconds,
              "comm_ms": 1000 * comm_seconds, "items": items, "cpu_ms": 1000 * cpu,
              "replicated_ms": 1000 * replicated.seconds / steps,
              "rows": trainer.batch_size,
              "params": sum(p.data.size for p in distributed._unique(trainer.model.params()))}
    if comm is None or comm.is_root:
        print(json.dumps(result), flush=True)


class _ReplicatedWorkTimer:
    """Times, from now on, what every rank repeats whole whatever the number
    of ranks: clipping (the global norm) and the optimizer's update. (Wraps
    ``optim.clip_grads`` and ``trainer.optimizer.update``; the worker puts
    the first back.)"""

    def __init__(self, trainer):
        self.seconds, self.clip = 0.0, optim.clip_grads
        self.update = trainer.optimizer.update
        optim.clip_grads = self._timed(self.clip)
        trainer.optimizer.update = self._timed(self.update)

    def _timed(self, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
        return timed


# --- the cost model for N machines -------------------------------------------------------
RANKS = (2, 4, 8, 16, 32, 64)
BANDWIDTHS = {"10 Gb/s": 10e9 / 8, "100 Gb/s": 100e9 / 8}      # bytes per second


def ring_allreduce_ms(nbytes, ranks, bandwidth):
    """A ring all-reduce's time: each rank sends and receives 2(N-1)/N of the
    buffer (reduce-scatter, then all-gather); latency left out."""
    return 1000 * 2 * (ranks - 1) / ranks * nbytes / bandwidth


def predicted_speedup(one, ranks, bandwidth):
    """One process's step ``one`` (ms, replicated_ms, params, rows) on ``ranks``
    machines: the replicated work (clipping, the optimizer) whole, the rest
    divided, plus the flat float32 all-reduce (not overlapped)."""
    if ranks > one["rows"]:
        return None                     # fewer rows than ranks: no split
    rest = one["ms"] - one["replicated_ms"]
    step = (one["replicated_ms"] + rest / ranks
            + ring_allreduce_ms(4 * one["params"], ranks, bandwidth))
    return one["ms"] / step


def cost_model_table(ones):
    """Predicted speedups on N machines from the measured 1-process steps."""
    lines = ["cost model: N machines, ring all-reduce 2(N-1)/N x bytes / bandwidth "
             "(float32, flat), step = replicated + rest / N + all-reduce; speedup "
             "(- where N > the batch's rows)",
             f"{'model':13} {'MB':>6} {'ms':>7} {'repl.':>6} {'link':>9} "
             + " ".join(f"{'N=' + str(n):>6}" for n in RANKS) + "  limit"]
    for name, one in ones.items():
        for link, bandwidth in BANDWIDTHS.items():
            cells = [predicted_speedup(one, n, bandwidth) for n in RANKS]
            bound = one["replicated_ms"] + ring_allreduce_ms(4 * one["params"], 10 ** 9,
                                                              bandwidth)
            limit = one["ms"] / bound if bound > 0 else float("inf")   # N -> infinity
            lines.append(f"{name:13} {4 * one['params'] / 1e6:6.1f} {one['ms']:7.1f} "
                         f"{one['replicated_ms']:6.1f} {link:>9} "
                         + " ".join(f"{c:6.1f}" if c is not None else f"{'-':>6}"
                                    for c in cells) + f"  {limit:5.1f}x")
    return "\n".join(lines)


# --- the driver ------------------------------------------------------------------------
def _mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.access(beside, os.X_OK) else shutil.which("mpiexec")


def _worker_command(name, allreduce, args, divide=1):
    return [sys.executable, "-m", "benchmarks.distributed_scaling", "--worker", name,
            "--allreduce", allreduce, "--warmup", str(args.warmup), "--steps", str(args.steps),
            "--divide", str(divide)]


def _worker_env():
    return {**os.environ, **ONE_THREAD,
            "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _result(command, returncode, stdout, stderr):
    if returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stdout}{stderr}")
    return json.loads(stdout.strip().splitlines()[-1])


def _run(name, ranks, allreduce, args):
    command = _worker_command(name, allreduce, args)
    if ranks > 1:
        command = [_mpiexec(), "-n", str(ranks)] + command + ["--mpi"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_worker_env(),
                          timeout=args.timeout)
    return _result(command, done.returncode, done.stdout, done.stderr)


def _run_ceiling(name, ranks, args, at_once):
    """``at_once`` independent processes at the same time (1 or ``ranks``),
    each with one rank's share of the batch (1 / ranks) and no
    communication: with ``ranks`` of them, what data parallelism could reach
    on this machine at best (the cores' and the memory bus's own limits; the
    slowest process's step); with one, the smaller batch alone."""
    command = _worker_command(name, "flat", args, divide=ranks)
    started = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=ROOT, env=_worker_env())
               for _ in range(at_once)]
    results = []
    for process in started:
        stdout, stderr = process.communicate(timeout=args.timeout)
        results.append(_result(command, process.returncode, stdout, stderr))
    return max(results, key=lambda r: r["ms"])


def _allreduces(name, wanted):
    """The all-reduces to compare for ``name`` (sparse only where rows can be)."""
    return [a for a in wanted if a != "sparse" or name.startswith("cbow")]


def drive(args):
    models = args.models.split(",")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}")
    if _mpiexec() is None:
        raise SystemExit("no mpiexec: pip install '.[distributed]'")
    print(f"{args.ranks} ranks vs 1 process, one BLAS thread each; median of {args.rounds} "
          f"rounds of {args.steps} steps after {args.warmup} (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)
    header = (f"{'model':13} {'run':16} {'ms/step':>9} {'items/s':>9} {'speedup':>8} "
              f"{'effic.':>7} {'allreduce':>10} {'share':>6} {'cpu ms':>8} {'cpu x':>6}")
    print(header)
    summary, ones, ceilings, alone = {}, {}, {}, {}
    for name in models:
        configs = [(1, "flat")] + [(args.ranks, a)
                                   for a in _allreduces(name, args.allreduce.split(","))]
        if args.ceiling:
            configs += [(args.ranks, ALONE), (args.ranks, CEILING)]
        runs = {c: [] for c in configs}
        for _ in range(args.rounds):
            for ranks, allreduce in configs:     # alternate: load drifts hit all alike
                runs[(ranks, allreduce)].append(
                    _run_ceiling(name, ranks, args, 1 if allreduce == ALONE else ranks)
                    if allreduce in (ALONE, CEILING) else _run(name, ranks, allreduce, args))
        one = statistics.median(r["ms"] for r in runs[configs[0]])
        one_cpu = statistics.median(r["cpu_ms"] for r in runs[configs[0]])
        params = runs[configs[0]][0]["params"]
        ones[name] = {**runs[configs[0]][0], "ms": one, "replicated_ms": statistics.median(
            r["replicated_ms"] for r in runs[configs[0]])}
        print(f"{name:13} {params:,} parameters: {4 * params / 1e6:.1f} MB all-reduced "
              f"per step (float32, flat)")
        for ranks, allreduce in configs:
            ms = statistics.median(r["ms"] for r in runs[(ranks, allreduce)])
            comm_ms = statistics.median(r["comm_ms"] for r in runs[(ranks, allreduce)])
            items = runs[(ranks, allreduce)][0]["items"] * (ranks if allreduce == CEILING else 1)
            cpu_ms = statistics.median(r["cpu_ms"] for r in runs[(ranks, allreduce)])
            label = ("1 process" if ranks == 1 else f"{ranks} x 1/{ranks} batch" if
                     allreduce == CEILING else f"1 x 1/{ranks} batch" if allreduce == ALONE
                     else f"{ranks} ranks {allreduce}")
            share = ranks if allreduce == ALONE else 1      # throughputs: 1 / ranks of a batch
            speedup = one / ms / share
            print(f"{name:13} {label:16} {ms:9.1f} {1000 * items / ms:9.0f} {speedup:7.2f}x "
                  f"{speedup / ranks:7.0%} {comm_ms:8.1f}ms {comm_ms / ms:6.0%} "
                  f"{cpu_ms:8.1f} {one_cpu / cpu_ms / share:5.2f}x", flush=True)
            if allreduce == CEILING:
                ceilings[name] = speedup
            elif allreduce == ALONE:
                alone[name] = speedup * ranks
            elif ranks > 1:
                summary.setdefault(name, []).append((speedup, allreduce))
    print()
    print(cost_model_table(ones))
    target = {"better-rnnlm": 1.7, "cbow": 1.7, "cbow-fast": 1.7}
    for name, results in summary.items():
        speedup, allreduce = max(results)
        goal = f" (target >= {target[name]}x: {'met' if speedup >= target[name] else 'NOT met'})" \
            if name in target else ""
        print(f"{name}: {args.ranks} ranks train at {speedup:.2f}x one process's "
              f"throughput, best with the {allreduce} all-reduce{goal}")
        if name in ceilings:
            print(f"{name}: ceiling {ceilings[name]:.2f}x ({args.ranks} processes at once, "
                  f"each 1/{args.ranks} of the batch, no communication; one such process "
                  f"alone would give {alone[name]:.2f}x: the rest is the ranks sharing "
                  f"the machine)")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated, of: %(default)s")
    p.add_argument("--ranks", type=int, default=2, help="MPI ranks (default: %(default)s)")
    p.add_argument("--allreduce", default="flat,overlap,sparse",
                   help="all-reduces to compare (default: %(default)s; sparse: cbow only)")
    p.add_argument("--rounds", type=int, default=3, help="rounds (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps (default: %(default)s)")
    p.add_argument("--steps", type=int, default=10, help="timed steps (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    p.add_argument("--ceiling", action="store_true",
                   help="also run N independent processes at once, each 1/N of the batch "
                        "and no communication: the best data parallelism can do here")
    p.add_argument("--divide", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--worker", choices=MODELS, help=argparse.SUPPRESS)
    p.add_argument("--mpi", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker, args.allreduce, args.warmup, args.steps, args.mpi, args.divide)
        return 0
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())

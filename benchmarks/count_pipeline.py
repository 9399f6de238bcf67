"""Benchmark: the count-based PTB pipeline of the book's chapter 2.

    AUTOGRAD_NLP_DATA=/path/to/data python -m benchmarks.count_pipeline

Stages on the PTB training split (929,589 tokens, V = 10,000): co-occurrence
(window 2) -> PPMI -> randomized SVD to 100 dimensions, all with ONE BLAS
thread. Two implementations are timed in the same process:

* ``ours``: :mod:`autograd_nlp.text` (``co_occurrence``, ``ppmi``,
  ``truncated_svd``), plus the fused ``count_svd_vectors`` that never builds
  the dense count matrix;
* ``reference``: the straightforward plain-NumPy version of the same steps
  (``np.add.at`` into a dense matrix, the PPMI formula on the whole dense
  matrix in float64). Its SVD stage uses the same randomized SVD, since
  ``np.linalg.svd`` of a 10,000 x 10,000 matrix takes many minutes; when
  PyTorch is installed, ``torch.svd_lowrank`` (same sketch width and power
  iterations, one thread) is timed as a peer for that stage.

Each stage reports the median over ``--repeat`` runs after one warm-up run.
The nearest neighbours of a few words are printed at the end as a sanity
check (the book's chapter 2 lists "you" -> i, we, ...).
"""
from __future__ import annotations

import os

# One BLAS thread, set before NumPy is imported (threadpoolctl below enforces
# it again at run time when installed).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from autograd_nlp.data import load_ptb  # noqa: E402
from autograd_nlp.text import (WordVectors, co_occurrence, count_svd_vectors,  # noqa: E402
                               ppmi, truncated_svd)

QUERIES = ("you", "year", "car", "toyota")


def limit_threads(n: int) -> str:
    """Pin BLAS (and torch, if present) to ``n`` threads; describe the result."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return f"{n} (environment variables only; threadpoolctl not installed)"
    threadpool_limits(n)
    pools = ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info())
    return f"{n} (threadpoolctl: {pools or 'no BLAS pool found'})"


# ---- the plain-NumPy reference ---------------------------------------------------

def reference_co_occurrence(corpus: np.ndarray, vocab_size: int, window_size: int) -> np.ndarray:
    """Dense ``np.add.at`` per offset and direction: ``(V, V)`` int32."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for d in range(1, window_size + 1):
        np.add.at(C, (corpus[:-d], corpus[d:]), 1)
        np.add.at(C, (corpus[d:], corpus[:-d]), 1)
    return C


def reference_ppmi(C: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """The book's formula on the whole dense matrix, float64: ``(V, V)`` float32."""
    N = C.sum()
    S = C.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(C * (N / np.outer(S, S)) + eps)
    return np.maximum(pmi, 0).astype(np.float32)


def torch_svd_lowrank(M: np.ndarray, k: int, n_iter: int, oversamples: int):
    """PyTorch's randomized SVD on the same matrix (shared memory, no copy)."""
    import torch
    torch.manual_seed(0)
    U, S, V = torch.svd_lowrank(torch.from_numpy(M), q=k + oversamples, niter=n_iter)
    return U[:, :k].numpy(), S[:k].numpy()


# ---- timing ----------------------------------------------------------------------

def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def run_stages(stages, first_input, repeat: int) -> tuple[dict[str, float], object]:
    """Run ``stages`` (name, fn(previous output)) ``1 + repeat`` times; the
    first run is a warm-up. Returns median seconds per stage and the output."""
    times: dict[str, list[float]] = {name: [] for name, _ in stages}
    output = None
    for run in range(1 + repeat):
        value = first_input
        for name, fn in stages:
            value, seconds = timed(fn, value)
            if run:
                times[name].append(seconds)
        output = value
        del value
    return {name: statistics.median(ts) for name, ts in times.items()}, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="PTB data directory (default: $AUTOGRAD_NLP_DATA, else download)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--n-iter", type=int, default=5, help="SVD power iterations")
    parser.add_argument("--oversamples", type=int, default=10)
    parser.add_argument("--no-reference", action="store_true", help="time ours only")
    args = parser.parse_args()

    threads = limit_threads(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None

    corpus, word_to_id, id_to_word = load_ptb("train", args.data_dir)
    V, k = len(word_to_id), args.dim
    print(f"# count pipeline on PTB train: {corpus.size:,} tokens, V = {V:,}, "
          f"window {args.window}, dim {k}, SVD n_iter {args.n_iter} + {args.oversamples} "
          "oversamples")
    print(f"# python {platform.python_version()}, numpy {np.__version__}, "
          f"{'torch ' + torch.__version__ if torch else 'torch not installed'}, "
          f"BLAS threads {threads}")
    print(f"# median of {args.repeat} runs after 1 warm-up run, seconds")

    def svd(M):
        return truncated_svd(M, k, n_iter=args.n_iter, oversamples=args.oversamples, seed=0)[0]

    ours_stages = [
        ("co-occurrence", lambda c: co_occurrence(c, V, args.window)),
        ("ppmi", ppmi),
        ("svd", svd),
    ]
    ours, U = run_stages(ours_stages, corpus, args.repeat)
    fused, _ = run_stages([("count_svd_vectors", lambda c: count_svd_vectors(
        c, V, args.window, k, n_iter=args.n_iter, oversamples=args.oversamples, seed=0))],
        corpus, args.repeat)

    rows = [(name, ours[name]) for name in ours]
    reference = None
    if not args.no_reference:
        ref_stages = [
            ("co-occurrence", lambda c: reference_co_occurrence(c, V, args.window)),
            ("ppmi", reference_ppmi),
            ("svd", svd),
        ]
        reference, _ = run_stages(ref_stages, corpus, args.repeat)

    print(f"{'stage':<20}{'ours':>10}{'reference':>12}{'ref/ours':>10}")
    for name, t in rows:
        if reference:
            r = reference[name]
            print(f"{name:<20}{t:>10.3f}{r:>12.3f}{r / t:>10.1f}")
        else:
            print(f"{name:<20}{t:>10.3f}")
    total = sum(ours.values())
    if reference:
        ref_total = sum(reference.values())
        print(f"{'total (stages)':<20}{total:>10.3f}{ref_total:>12.3f}{ref_total / total:>10.1f}")
    else:
        print(f"{'total (stages)':<20}{total:>10.3f}")
    print(f"{'count_svd_vectors':<20}{fused['count_svd_vectors']:>10.3f}"
          "   (fused: no dense count matrix)")

    if torch is not None:
        M = ppmi(co_occurrence(corpus, V, args.window))
        peer, _ = run_stages([("torch", lambda m: torch_svd_lowrank(
            m, k, args.n_iter, args.oversamples))], M, args.repeat)
        ours_svd = ours["svd"]
        print(f"svd peer: torch.svd_lowrank {peer['torch']:.3f} s vs ours {ours_svd:.3f} s "
              f"(torch/ours {peer['torch'] / ours_svd:.2f}, same width and power iterations)")
        del M

    wv = WordVectors.from_vocab(id_to_word, U)
    print("\n# nearest neighbours (cosine), ours")
    for query in QUERIES:
        neighbours = ", ".join(f"{w} {s:.3f}" for w, s in wv.most_similar(query, top=5))
        print(f"{query:>8}: {neighbours}")


if __name__ == "__main__":
    main()

"""Embedding backward: four ways to scatter-add rows of a gradient.

    python benchmarks/scatter_add.py

Compares ``np.add.at``, per-column ``np.bincount``, the sort +
``np.add.reduceat`` segment sum that ``autograd_nlp.functions.nn`` uses by
default, and ``np.add.at`` on the flattened table (its ``flat-add-at``
method, which the fused word2vec loss uses), on the shapes of the book's
models and of the CBOW fast recipe's batches (sub-sampled, so the ids are
more often distinct). Prints the median time of each (ms) and the
ratio to the fastest.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import header, median_time, pin_threads  # noqa: E402

NOTE = pin_threads(1)

import numpy as np  # noqa: E402

from autograd_nlp.functions.nn import scatter_add_rows  # noqa: E402


def add_at(ids, values, rows):
    out = np.zeros((rows, values.shape[1]), dtype=values.dtype)
    np.add.at(out, ids, values)
    return out


def bincount(ids, values, rows):
    out = np.empty((rows, values.shape[1]), dtype=values.dtype)
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(ids, weights=values[:, j], minlength=rows)
    return out


def flat_add_at(ids, values, rows):
    return scatter_add_rows(ids, values, rows, method="flat-add-at")


CASES = [  # (description, number of ids, vocabulary, dim)
    ("Rnnlm batch 20x35, V 10000, D 100", 700, 10000, 100),
    ("CBOW batch 100 x window 10, V 10000, D 100", 1000, 10000, 100),
    ("CBOW out-embed 100 x (1+5), D 100", 600, 10000, 100),
    ("BetterRnnlm 20x35, D 650", 700, 10000, 650),
    ("seq2seq batch 128 x 29 chars, V 59, D 16", 128 * 29, 59, 16),
    ("CBOW fast recipe, 1000 x (1+5) sub-sampled", 6000, 10000, 100),
]
ZIPF = {"CBOW fast recipe, 1000 x (1+5) sub-sampled": 1.05}   # flatter than text


def main():
    header("scatter-add for embedding backward", NOTE)
    rng = np.random.default_rng(0)
    print(f"{'case':45} {'add.at':>9} {'bincount':>9} {'sort+reduceat':>14} "
          f"{'flat add.at':>12}   fastest")
    for name, n, rows, dim in CASES:
        # Zipf-like ids, as in text: a few words repeat a lot
        ids = np.minimum(rng.zipf(ZIPF.get(name, 1.3), n) - 1, rows - 1)
        values = rng.standard_normal((n, dim)).astype(np.float32)
        reference = add_at(ids, values, rows)
        times = {}
        for label, fn in (("add.at", add_at), ("bincount", bincount),
                          ("sort+reduceat", scatter_add_rows), ("flat add.at", flat_add_at)):
            np.testing.assert_allclose(fn(ids, values, rows), reference, rtol=1e-4, atol=1e-4)
            times[label] = median_time(lambda: fn(ids, values, rows), repeat=9, number=5)
        best = min(times, key=times.get)
        print(f"{name:45} {times['add.at'] * 1e3:9.3f} {times['bincount'] * 1e3:9.3f} "
              f"{times['sort+reduceat'] * 1e3:14.3f} {times['flat add.at'] * 1e3:12.3f}   {best} "
              f"({max(times.values()) / times[best]:.1f}x the slowest)")


if __name__ == "__main__":
    main()

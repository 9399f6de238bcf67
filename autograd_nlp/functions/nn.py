"""Neural-network ops: embedding lookup, dropout, layer normalisation."""
import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import (get_array_module, ids_out_of_range, is_device_array,
                                  scatter_add)
from autograd_nlp.core import Config, Function, ShapeError, Variable
from autograd_nlp.functions.math import sqrt
from autograd_nlp.functions.reduction import mean
from autograd_nlp.functions.registry import custom, randn, register


# --- embedding ------------------------------------------------------------------
SCATTER_METHODS = ("reduceat", "flat-add-at")


def scatter_add_rows(ids, values, num_rows, source=None, scale=None, method="reduceat"):
    """Sum the rows of ``values`` (n, D) into a (num_rows, D) array by ``ids``
    (n,), repeated ids accumulating. With ``source`` (n,) ints the i-th row
    added is ``values[source[i]]`` (values (m, D)), without building the
    (n, D) copy: e.g. one gradient row shared by a target's 10 contexts;
    ``scale`` (n,) multiplies the i-th row.

    On the CPU, ``method="reduceat"``: a sort + ``np.add.reduceat`` segment
    sum, fastest when ids repeat a lot (batches of text);
    ``"flat-add-at"``: ``np.add.at`` on the flattened table, no sort, faster
    when most ids are distinct (word2vec's sub-sampled batches: many
    segments of one or two rows). benchmarks/scatter_add.py compares them
    with 2-D ``np.add.at`` and per-column ``np.bincount``. On a device: its
    scatter-add kernel (``cupy.add.at``: atomic adds)."""
    if method not in SCATTER_METHODS:
        raise ValueError(f"scatter_add_rows: method must be one of {SCATTER_METHODS}, "
                         f"got {method!r}")
    xp = get_array_module(values)
    D = values.shape[1]
    out = xp.zeros((num_rows, D), dtype=values.dtype)
    if len(ids) == 0:
        return out
    if xp is not np or method == "flat-add-at":
        rows = values if source is None else values[source]
        rows = rows if scale is None else rows * scale[:, None]
        if xp is not np:
            scatter_add(out, ids, rows)
        else:
            flat = (ids[:, None] * D + np.arange(D)).reshape(-1)
            np.add.at(out.reshape(-1), flat, rows.reshape(-1))
        return out
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    rows = values[order if source is None else source[order]]
    if scale is not None:
        rows *= scale[order][:, None]
    out[sorted_ids[starts]] = np.add.reduceat(rows, starts, axis=0)
    return out


def check_ids_in_range(ids, table_shape, op, table="a table"):
    """Raise an IndexError naming ``op``, the first of the integer ``ids``
    outside [0, table_shape[0]) and the table's shape, if there is one."""
    vocab = table_shape[0]
    if ids.size and ids_out_of_range(ids, vocab):
        bad = ids[(ids < 0) | (ids >= vocab)].reshape(-1)[0]
        raise IndexError(f"{op}: id {bad} is out of range [0, {vocab}) for {table} of "
                         f"shape {tuple(table_shape)}")


class Embedding(Function):
    """Row lookup ``W[ids]``; see ``embedding``."""

    def forward(self, W, ids):
        if ids.dtype.kind not in "iu":
            raise TypeError(f"embedding: ids must be integers, got dtype {ids.dtype}")
        check_ids_in_range(ids, W.shape, "embedding")
        return W[ids]

    def backward(self, gy):
        W, ids = self.inputs
        return EmbeddingGrad(ids.data, W.shape[0])(gy), None


class EmbeddingGrad(Function):
    """Scatter-add of the output gradient into a (vocab, dim) table."""

    def __init__(self, ids, num_rows):
        self.ids, self.num_rows = ids, num_rows

    def forward(self, gy):
        dim = gy.shape[-1]
        return scatter_add_rows(self.ids.reshape(-1), gy.reshape(-1, dim), self.num_rows)

    def backward(self, ggW):
        return embedding(ggW, self.ids)


def _embedding_case(ids_shape):
    def make(rng):
        return (rng.standard_normal((6, 3)), rng.integers(0, 6, ids_shape)), {}
    return make


@register("embedding", {"1d-ids": custom(_embedding_case((8,))),
                        "2d-ids": custom(_embedding_case((3, 4))),
                        "scalar-id": custom(_embedding_case(()))},
          zero_size={"no-ids": custom(_embedding_case((0,))),
                     "empty-batch": custom(_embedding_case((2, 0)))},
          torch=lambda t, W, ids: t.nn.functional.embedding(ids, W))
def embedding(W, ids):
    """Look up rows of ``W`` (vocab, dim) for integer ``ids`` of any shape;
    returns ids.shape + (dim,). Backward scatter-adds into W (repeated ids
    accumulate). Out-of-range ids raise IndexError naming the range."""
    if isinstance(ids, Variable):
        ids = ids.data
    return Embedding()(W, ids if is_device_array(ids) else np.asarray(ids))


# --- dropout --------------------------------------------------------------------
class Dropout(Function):
    def __init__(self, ratio):
        self.ratio = ratio

    def forward(self, x):
        xp = get_array_module(x)
        keep = ag_random.random_floats(x.shape, np.float32, xp=xp) >= self.ratio
        self.mask = keep * x.dtype.type(1.0 / (1.0 - self.ratio))
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask


def _seeded_dropout(x, ratio):
    ag_random.seed(0)   # the same mask on every call, for gradcheck
    return dropout(x, ratio)


@register("dropout", {"half": randn((4, 5), ratio=0.5)}, call=_seeded_dropout,
          torch_skip="random mask; checked against its own mask in tests/functions/test_nn.py")
def dropout(x, ratio=0.5):
    """Inverted dropout: zero each element with probability ``ratio`` and
    scale the rest by 1 / (1 - ratio) in training; the identity in eval mode."""
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f"dropout: ratio must be in [0, 1), got {ratio}")
    if not Config.train or ratio == 0.0:
        return x if isinstance(x, Variable) else Variable(x, requires_grad=False)
    return Dropout(ratio)(x)


# --- layer normalisation ----------------------------------------------------------
@register("layer_norm", {"2d": randn((3, 5), (5,), (5,)),
                         "3d": randn((2, 3, 4), (4,), (4,))},
          zero_size={"rows": randn((0, 5), (5,), (5,))},
          torch=lambda t, x, g, b: t.nn.functional.layer_norm(x, x.shape[-1:], g, b, 1e-5))
def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalise the last axis to zero mean and unit variance, then scale by
    ``gamma`` and shift by ``beta`` (both (features,)). Composed of primitive
    ops, so twice differentiable."""
    if gamma.shape != x.shape[-1:] or beta.shape != x.shape[-1:]:
        raise ShapeError(f"layer_norm: gamma {gamma.shape} and beta {beta.shape} "
                         f"must have shape {x.shape[-1:]} for input {x.shape}")
    centered = x - mean(x, axis=-1, keepdims=True)
    variance = mean(centered * centered, axis=-1, keepdims=True)
    return centered / sqrt(variance + eps) * gamma + beta


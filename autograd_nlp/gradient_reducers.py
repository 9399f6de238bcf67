"""How a step's gradients cross between MPI ranks: backward, then the
weighted sum over the ranks in every parameter's ``.grad`` (docs/distributed.md).

``make_reducer(params, comm)`` returns the communicator's choice
(``comm.allreduce``, set by ``distributed.init(allreduce=...)`` or
``$AUTOGRAD_NLP_ALLREDUCE``). Every reducer has ``backward(loss, weight)``
-> the global loss (``sum_r weight_r * loss_r``), and ``seconds``, the time
it spent per phase (summed over steps; the scaling benchmark reads it):

- ``"flat"`` (``FlatAllreduce``, the default): the whole backward, then ONE
  ``Allreduce`` of one flat buffer (``distributed.allreduce_gradients``).
- ``"overlap"`` (``OverlappedAllreduce``): PyTorch DDP's idea. Parameters
  are grouped in buckets of about ``comm.bucket_mb`` MB, in the order their
  gradients become final during backward (reverse parameter order for the
  first step, then the order rank 0 saw in that step). The engine tells us
  when a leaf's gradient is final (``Variable.backward(leaf_done=...)``);
  when every parameter of a bucket is, the bucket is packed (on the device),
  staged to the host and a non-blocking ``Iallreduce`` starts while backward
  goes on. Buckets start in bucket order on every rank (MPI matches
  collectives by order); after backward the rest start and all are waited
  on, before clipping.
- ``"sparse"`` (``SparseRowsAllreduce``): for word2vec-like models, whose
  big embedding gradients are zero except for the rows of the batch's
  words. Matrices of at least ``SPARSE_MIN_ROWS`` rows (or
  ``$AUTOGRAD_NLP_SPARSE_MIN_ROWS``) send only their
  non-zero rows (ids + rows, an ``allgather``), summed in rank order on
  every rank; the other parameters and the loss take the flat path.

All three give the same sums (for two ranks, bit for bit: ``a + b``, and
``0 + a`` for a row one rank did not touch), and the same on every rank.
Device arrays are staged through ``distributed.to_host`` / ``from_host``
only (``seconds["communication"]`` includes that staging).
"""
import os
import time

import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Variable

MODES = ("flat", "overlap", "sparse")
SPARSE_MIN_ROWS = 1000      # "sparse": matrices with at least this many rows send rows
SPARSE_ENV = "AUTOGRAD_NLP_SPARSE_MIN_ROWS"     # (to change it)


def make_reducer(params, comm):
    """The reducer ``comm.allreduce`` names, for ``params`` (a model's)."""
    mode = getattr(comm, "allreduce", "flat")
    if mode == "flat":
        return FlatAllreduce(params, comm)
    if mode == "overlap":
        return OverlappedAllreduce(params, comm, getattr(comm, "bucket_mb", None))
    if mode == "sparse":
        min_rows = int(os.environ.get(SPARSE_ENV) or SPARSE_MIN_ROWS)
        return SparseRowsAllreduce(params, comm, min_rows)
    raise ValueError(f"unknown all-reduce {mode!r}; use one of {', '.join(MODES)}")


def _unique(params):
    from autograd_nlp.host_staging import unique_params as unique
    return unique(params)


class Bucket:
    """Parameters whose gradients cross together in one host buffer: their
    gradients times the rank's weight (zeros for a missing one), one "has a
    gradient" flag per parameter, then ``extra`` values (the loss). The
    buffers are kept from step to step (a fresh 8 MB array costs page faults
    every step), so the summed ``.grad`` are views of this bucket's output
    buffer until the next step's sum (``cleargrads`` comes first)."""

    def __init__(self, params, extra=0):
        self.params = params
        self.sizes = [p.data.size for p in params]
        self.n = sum(self.sizes)
        self.dtype = (np.result_type(*[p.dtype for p in params]) if params
                      else np.dtype(np.float64))
        self.host = np.empty(self.n + len(params) + extra, self.dtype)
        self.out = np.empty_like(self.host)
        self.waiting = 0            # (overlap) parameters whose gradient is not final yet
        self.pending = None         # (overlap) the started Iallreduce

    def pack(self, weight, extra=()):
        """Fill the host buffer from the parameters' ``.grad``; returns it."""
        from autograd_nlp.host_staging import to_host
        host, n, w = self.host, self.n, self.dtype.type(weight)
        grads = [p.grad.data if p.grad is not None else None for p in self.params]
        present = [g for g in grads if g is not None]
        xp = get_array_module(*present) if present else np
        if xp is np:                # scaled straight into the buffer: one pass
            offset = 0
            for g, size in zip(grads, self.sizes):
                part = host[offset:offset + size]
                if g is None:
                    part[...] = 0
                else:
                    np.multiply(g.reshape(-1), w, out=part)
                offset += size
        else:                       # one device->host copy per bucket
            host[:n] = to_host(xp.concatenate(
                [g.reshape(-1) if g is not None else xp.zeros(size, self.dtype)
                 for g, size in zip(grads, self.sizes)]))
            host[:n] *= w
        host[n:n + len(grads)] = [g is not None for g in grads]
        host[n + len(grads):] = extra
        return host

    def unpack(self, total):
        """Put the summed ``total`` (this bucket's layout) into the ``.grad`` of
        every parameter some rank had a gradient for; returns the extra values."""
        from autograd_nlp.host_staging import from_host
        n = self.n
        if self.params:
            summed = from_host(total[:n], self.params[0].data)   # one host->device copy
            offset = 0
            for p, size, flag in zip(self.params, self.sizes, total[n:n + len(self.params)]):
                if flag > 0:
                    p.grad = Variable(summed[offset:offset + size].reshape(p.data.shape)
                                      .astype(p.dtype, copy=False), requires_grad=False)
                offset += size
        return total[n + len(self.params):]

    def reduce(self, comm, weight, extra=()):
        """Pack, all-reduce (started and waited for) and unpack; returns the
        summed extras."""
        return self.unpack(comm.iallreduce_sum(self.pack(weight, extra), self.out).wait())


class FlatAllreduce:
    """Backward, then one flat ``Allreduce`` of every gradient and the loss."""

    def __init__(self, params, comm):
        self.params, self.comm = _unique(params), comm
        self.bucket = Bucket(self.params, extra=1)
        self.seconds = {"backward": 0.0, "communication": 0.0}

    def backward(self, loss, weight=None):
        """``loss.backward()`` and the weighted sum over ranks in each ``.grad``;
        returns the global loss."""
        weight = 1.0 / self.comm.size if weight is None else float(weight)
        start = time.perf_counter()
        loss.backward()
        middle = time.perf_counter()
        value = float(self.bucket.reduce(self.comm, weight, [weight * float(loss.data)])[0])
        self.seconds["backward"] += middle - start
        self.seconds["communication"] += time.perf_counter() - middle
        return value


# --- overlap: buckets started during backward -------------------------------------------
def plan_buckets(params, bucket_bytes):
    """``params`` (in the order they should start) cut into lists of about
    ``bucket_bytes`` bytes each (one dtype per bucket; a parameter larger
    than that gets a bucket of its own)."""
    buckets, current, size = [], [], 0
    for p in params:
        nbytes = p.data.size * np.dtype(p.dtype).itemsize
        if current and (size + nbytes > bucket_bytes or p.dtype != current[0].dtype):
            buckets.append(current)
            current, size = [], 0
        current.append(p)
        size += nbytes
    if current:
        buckets.append(current)
    return buckets


class OverlappedAllreduce:
    """Buckets of gradients all-reduced (``Iallreduce``) as soon as backward
    has finished with them (see the module docstring)."""

    def __init__(self, params, comm, bucket_mb=None):
        self.params, self.comm = _unique(params), comm
        self.bucket_bytes = int((4.0 if bucket_mb is None else bucket_mb) * 2 ** 20)
        self.seconds = {"backward": 0.0, "communication": 0.0}
        self._ready_order = None        # the first step records when each became final
        self._rebucketed = False
        self._loss = np.empty(1), np.empty(1)
        self._set_buckets(list(reversed(self.params)))

    def _set_buckets(self, order):
        self.buckets = [Bucket(group) for group in plan_buckets(order, self.bucket_bytes)]
        self._bucket_of = {id(p): b for b in self.buckets for p in b.params}

    def backward(self, loss, weight=None):
        """``loss.backward()`` with the buckets' all-reduces started during it;
        returns the global loss once every bucket is summed."""
        comm = self.comm
        weight = 1.0 / comm.size if weight is None else float(weight)
        self._weight, self._next = weight, 0
        for b in self.buckets:
            b.waiting, b.pending = len(b.params), None
        self._spent = 0.0
        start = time.perf_counter()
        self._loss[0][0] = weight * float(loss.data)
        loss_sum = comm.iallreduce_sum(*self._loss)
        first_step = not self._rebucketed
        self._ready_order = [] if first_step else None
        loss.backward(leaf_done=self._leaf_done)
        middle = time.perf_counter()
        for b in self.buckets:          # parameters backward did not reach
            b.waiting = 0
        self._start_ready()
        for b in self.buckets:
            b.unpack(b.pending.wait())
        value = float(loss_sum.wait()[0])
        end = time.perf_counter()
        self.seconds["backward"] += middle - start - self._spent
        self.seconds["communication"] += end - middle + self._spent
        if first_step:
            self._rebucket()
        return value

    def _leaf_done(self, leaf):
        bucket = self._bucket_of.get(id(leaf))
        if bucket is None:
            return                      # a leaf that is not a parameter (a carried state)
        start = time.perf_counter()
        if self._ready_order is not None:
            self._ready_order.append(leaf)
        bucket.waiting -= 1
        if bucket.waiting == 0:
            self._start_ready()
        self._spent += time.perf_counter() - start

    def _start_ready(self):
        """Start, in bucket order, every bucket whose gradients are all final
        (the same order on every rank), and let MPI progress the others."""
        while self._next < len(self.buckets) and self.buckets[self._next].waiting == 0:
            bucket = self.buckets[self._next]
            bucket.pending = self.comm.iallreduce_sum(bucket.pack(self._weight), bucket.out)
            self._next += 1
        for b in self.buckets[:self._next]:
            b.pending.test()

    def _rebucket(self):
        """After the first step: buckets in the order rank 0's gradients became
        final (parameters it never saw last), the same on every rank."""
        index = {id(p): i for i, p in enumerate(self.params)}
        seen = [index[id(p)] for p in self._ready_order]
        seen = self.comm.bcast(seen if self.comm.rank == 0 else None)
        known = set(seen)
        rest = [i for i in range(len(self.params)) if i not in known]
        self._ready_order, self._rebucketed = None, True
        self._set_buckets([self.params[i] for i in seen + rest])


# --- sparse: only the touched rows of big matrices --------------------------------------
def nonzero_rows(matrix):
    """Indices of the rows of a NumPy ``matrix`` (rows, cols) holding a bit
    that is not 0 (-0.0 and nan count as non-zero: sending them changes
    nothing). An OR over each row's bytes read as the widest unsigned
    integers that fit: twice as fast as ``matrix.any(axis=1)``."""
    matrix = np.ascontiguousarray(matrix)
    row_bytes = matrix.shape[1] * matrix.dtype.itemsize
    word = next(w for w in (8, 4, 2, 1) if row_bytes % w == 0)
    words = matrix.view(np.dtype(f"u{word}")).reshape(matrix.shape[0], -1)
    if words.shape[1] == 0:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.bitwise_or.reduce(words, axis=1))


class SparseRowsAllreduce(FlatAllreduce):
    """Flat all-reduce, except that matrices with at least ``min_rows`` rows
    send only their non-zero rows (see the module docstring)."""

    def __init__(self, params, comm, min_rows=SPARSE_MIN_ROWS):
        super().__init__(params, comm)
        self.sparse = [p for p in self.params if p.data.ndim == 2 and p.data.shape[0] >= min_rows]
        chosen = {id(p) for p in self.sparse}
        self.dense = [p for p in self.params if id(p) not in chosen]
        self.bucket = Bucket(self.dense, extra=1)
        self._sums = [None] * len(self.sparse)     # host buffers of the sums, kept

    def backward(self, loss, weight=None):
        from autograd_nlp.host_staging import from_host, to_host
        comm = self.comm
        weight = 1.0 / comm.size if weight is None else float(weight)
        start = time.perf_counter()
        loss.backward()
        middle = time.perf_counter()
        mine = []
        for p in self.sparse:
            if p.grad is None:
                mine.append(None)
                continue
            g = to_host(p.grad.data)
            rows = nonzero_rows(g)
            mine.append((rows, g[rows] * g.dtype.type(weight)))
        everyone = comm.allgather(mine)
        for i, p in enumerate(self.sparse):
            sent = [ranks[i] for ranks in everyone if ranks[i] is not None]
            if not sent:
                continue
            total = self._zeroed_sum(i, p)
            for rows, values in sent:           # rank order: the same sum on every rank
                total[rows] += values
            p.grad = Variable(from_host(total, p.data), requires_grad=False)
        value = float(self.bucket.reduce(comm, weight, [weight * float(loss.data)])[0])
        self.seconds["backward"] += middle - start
        self.seconds["communication"] += time.perf_counter() - middle
        return value

    def _zeroed_sum(self, i, p):
        """The host buffer of parameter ``i``'s sum, filled with zeros: kept
        between steps (a fresh 4 MB array costs page faults every step), and
        zeroed whole (``.grad``, a view of it until the next step, may have
        been written into)."""
        total = self._sums[i]
        if total is None or total.dtype != p.dtype:
            total = self._sums[i] = np.zeros(p.data.shape, p.dtype)
        else:
            total.fill(0)
        return total

"""Data-parallel training over MPI (mpi4py): N processes ("ranks"), one model
replica each, the same update as one process on the whole batch.

- ``init()`` -> a ``Communicator`` (rank, size) over ``MPI.COMM_WORLD``;
  ``local()`` is the one-process stand-in (size 1, no MPI needed).
- ``synchronize(model, optimizer, comm)``: rank 0's parameters, optimizer
  state and RNG state on every rank (then each other rank switches to its own
  stream, so that dropout masks differ between ranks; the trainers take an
  epoch's permutation or data seed from rank 0).
- ``shard_bounds(n, comm)``: the rows ``[lo, hi)`` of a global batch of ``n``
  this rank computes (contiguous, sizes differing by at most one).
- ``allreduce_gradients(params, comm, weight, loss)``: every rank's gradient
  times ``weight`` (its share of the global batch, e.g. ``(hi - lo) / n``),
  summed over the ranks in ONE flat ``Allreduce``. Our losses are means over
  the batch, so ``sum_r (n_r / n) * mean_r = mean`` over the global batch:
  the same gradient as one process, also when the slices are unequal. The
  loss value travels in the same buffer. Clipping runs after this, on the
  global gradient, so it is identical on every rank.
- ``gathered_states(model, comm)``: for checkpoints, the recurrent states of
  the global batch (each rank carries the rows of its shard) on rank 0.

Device arrays (CuPy) go through the host: ``to_host``/``from_host`` are the
only places that copy, so that a CUDA-aware MPI or NCCL can replace them.
"""
import contextlib
import json
import zlib

import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import device_of, get_array_module, to_device
from autograd_nlp.core import Variable
from autograd_nlp.layers import recurrent_layers

INSTALL_HINT = "pip install 'autograd-nlp[distributed]' (mpi4py and the mpich wheel)"


class MPIUnavailableError(RuntimeError):
    """mpi4py is not installed (or MPI could not start)."""


# --- host staging: the one place arrays cross between device and MPI --------------
def to_host(array):
    """A contiguous NumPy copy (or view) of ``array`` for MPI buffers."""
    host = np.asarray(to_device(array, "cpu"))
    return host if host.flags.c_contiguous else host.copy()   # 0-d stays 0-d


def from_host(host, like):
    """``host`` (NumPy) on the device of ``like``."""
    return to_device(host, device_of(like))


# --- communicators --------------------------------------------------------------------
class Communicator:
    """mpi4py communicator with the few collectives training uses."""

    def __init__(self, comm):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()

    @property
    def is_root(self):
        return self.rank == 0

    def allreduce_sum(self, host):
        """Elementwise sum over the ranks of a NumPy array (same shape/dtype on all)."""
        from mpi4py import MPI
        out = np.empty_like(host)
        self.comm.Allreduce(host, out, op=MPI.SUM)
        return out

    def bcast(self, obj, root=0):
        """A picklable object from ``root`` (small things: states, decisions)."""
        return self.comm.bcast(obj, root=root)

    def bcast_array(self, host, root=0):
        """Rank ``root``'s NumPy array (shape and dtype first, then one Bcast)."""
        spec = self.comm.bcast((host.shape, host.dtype.str) if self.rank == root else None,
                               root=root)
        if self.rank != root:
            host = np.empty(spec[0], dtype=np.dtype(spec[1]))
        self.comm.Bcast(host, root=root)
        return host

    def gather(self, obj, root=0):
        return self.comm.gather(obj, root=root)

    def barrier(self):
        self.comm.Barrier()

    def abort(self, code=1):
        self.comm.Abort(code)


class LocalCommunicator(Communicator):
    """One process, no MPI: every collective is the identity."""

    def __init__(self):
        self.comm, self.rank, self.size = None, 0, 1

    def allreduce_sum(self, host):
        return host.copy()

    def bcast(self, obj, root=0):
        return obj

    def bcast_array(self, host, root=0):
        return host

    def gather(self, obj, root=0):
        return [obj]

    def barrier(self):
        pass

    def abort(self, code=1):
        raise SystemExit(code)


def init(comm=None):
    """A ``Communicator`` over ``comm`` (default ``MPI.COMM_WORLD``).
    Raises ``MPIUnavailableError`` when mpi4py is missing."""
    if comm is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise MPIUnavailableError(f"distributed training needs mpi4py ({e}); "
                                      f"{INSTALL_HINT}") from None
        comm = MPI.COMM_WORLD
    return Communicator(comm)


def local():
    return LocalCommunicator()


# --- the data split -------------------------------------------------------------------
def shard_bounds(n, comm):
    """``(lo, hi)``: this rank's contiguous rows of a global batch of ``n``
    (the first ``n % size`` ranks take one row more). Every rank needs at
    least one row."""
    if n < comm.size:
        raise ValueError(f"a global batch of {n} cannot be split over {comm.size} ranks "
                         f"(each needs at least one row); use a larger --batch-size "
                         f"or fewer ranks")
    base, extra = divmod(n, comm.size)
    lo = comm.rank * base + min(comm.rank, extra)
    return lo, lo + base + (comm.rank < extra)


# --- broadcasts from rank 0 -----------------------------------------------------------
def _unique(params):
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def broadcast_parameters(params, comm, root=0):
    """Rank ``root``'s parameter values on every rank (one flat Bcast per dtype)."""
    params = _unique(params)
    by_dtype = {}
    for p in params:
        by_dtype.setdefault(np.dtype(p.dtype).str, []).append(p)
    for group in by_dtype.values():
        flat = to_host(get_array_module(group[0].data).concatenate(
            [p.data.reshape(-1) for p in group])) if comm.rank == root else None
        flat = comm.bcast_array(flat, root)
        offset = 0
        for p in group:
            n = p.data.size
            p.data[...] = from_host(flat[offset:offset + n].reshape(p.data.shape), p.data)
            offset += n


def broadcast_optimizer_state(optimizer, comm, root=0):
    """Rank ``root``'s optimizer state (step, lr, slots) on every rank."""
    state = ({k: to_host(v) for k, v in optimizer.state_dict().items()}
             if comm.rank == root else None)
    state = comm.bcast(state, root)
    if comm.rank != root:
        optimizer.load_state_dict(state)


def broadcast_rng_state(comm, root=0, own_streams=True):
    """Rank ``root``'s autograd_nlp RNG state on every rank. With
    ``own_streams`` (default) the other ranks then switch to a stream of
    their own, derived from that state and their rank (root's is untouched,
    and is what checkpoints save): draws per row (dropout masks, noise) are
    independent between ranks instead of repeating root's. What must be
    equal on every rank (the permutation of an epoch, its data seed) the
    trainers take from rank 0 (``bcast``)."""
    text = (json.dumps(ag_random.state_to_json(ag_random.get_state()))
            if comm.rank == root else None)
    text = comm.bcast(text, root)
    if comm.rank != root:
        ag_random.set_state(ag_random.state_from_json(json.loads(text)))
        if own_streams:
            ag_random.set_generator(np.random.default_rng(
                [zlib.crc32(text.encode()), comm.rank]))


def synchronize(model, optimizer, comm, root=0):
    """Start every rank from rank ``root``'s parameters, optimizer and RNG."""
    broadcast_parameters(model.params(), comm, root)
    if optimizer is not None:
        broadcast_optimizer_state(optimizer, comm, root)
    broadcast_rng_state(comm, root)


# --- gradients ------------------------------------------------------------------------
def allreduce_gradients(params, comm, weight=None, loss=None):
    """Replace every gradient by ``sum over ranks of weight_r * grad_r`` with
    one Allreduce of one flat buffer (gradients, then one "has a gradient"
    flag per parameter, then ``weight * loss``). ``weight`` defaults to
    ``1 / size`` (equal shards). A parameter with a gradient on some rank
    only gets one on every rank (zeros count for the others). Returns the
    global loss (``sum_r weight_r * loss_r``), or None without ``loss``."""
    params = _unique(params)
    weight = 1.0 / comm.size if weight is None else float(weight)
    grads = [p.grad.data if p.grad is not None else None for p in params]
    present = [g for g in grads if g is not None]
    xp = get_array_module(*present) if present else np
    dtype = np.result_type(*[g.dtype for g in present]) if present else np.float64
    parts = [(g.reshape(-1) if g is not None else xp.zeros(p.data.size, dtype=dtype))
             for p, g in zip(params, grads)]
    flat = xp.concatenate(parts).astype(dtype, copy=False) if parts else xp.zeros(0, dtype)
    flat = flat * dtype.type(weight)
    tail = np.array([g is not None for g in grads]
                    + [weight * (0.0 if loss is None else float(loss))], dtype=dtype)
    host = np.concatenate([to_host(flat), tail])
    total = comm.allreduce_sum(host)
    summed = from_host(total[:flat.size], flat)
    flags = total[flat.size:flat.size + len(params)]
    offset = 0
    for p, g, flag in zip(params, grads, flags):
        n = p.data.size
        if flag > 0:
            grad_dtype = g.dtype if g is not None else p.dtype
            p.grad = Variable(summed[offset:offset + n].reshape(p.data.shape)
                              .astype(grad_dtype, copy=False), requires_grad=False)
        offset += n
    return None if loss is None else float(total[-1])


# --- recurrent states (truncated BPTT: each rank carries its rows) --------------------
def take_state_rows(model, comm):
    """After loading states of the global batch (a checkpoint), keep this
    rank's rows of every recurrent state."""
    for _, layer in recurrent_layers(model):
        if layer.state:
            lo, hi = shard_bounds(layer.state[0].shape[0], comm)
            layer.state = tuple(Variable(v.data[lo:hi], requires_grad=False)
                                for v in layer.state)


@contextlib.contextmanager
def gathered_states(model, comm, root=0):
    """Inside the block, rank ``root``'s recurrent layers hold the states of
    the whole global batch (the ranks' rows in rank order), as one process
    would: what a checkpoint saves. Collective: every rank enters it."""
    layers = recurrent_layers(model)
    local_states = [layer.state for _, layer in layers]
    hosts = [None if s is None else [to_host(v.data) for v in s] for s in local_states]
    gathered = comm.gather(hosts, root) if comm.size > 1 else [hosts]
    try:
        if comm.rank == root and comm.size > 1:
            for i, (_, layer) in enumerate(layers):
                per_rank = [g[i] for g in gathered]
                if any(s is None for s in per_rank):
                    layer.state = None
                    continue
                like = local_states[i][0].data
                layer.state = tuple(
                    Variable(from_host(np.concatenate([s[j] for s in per_rank]), like),
                             requires_grad=False)
                    for j in range(len(per_rank[0])))
        yield
    finally:
        for (_, layer), state in zip(layers, local_states):
            layer.state = state

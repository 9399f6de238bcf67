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
``bind_device(device, comm)`` gives each rank the GPU of its local rank.

How the gradients cross (one flat buffer after backward, buckets overlapped
with backward, sparse rows) is gradient_reducers.py's; ``comm.allreduce``
chooses (``init(allreduce=...)`` or ``$AUTOGRAD_NLP_ALLREDUCE``).
"""
import contextlib
import json
import os
import time
import zlib

import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Variable
from autograd_nlp.host_staging import from_host, to_host, unique_params as _unique  # noqa: F401
from autograd_nlp.layers import recurrent_layers

ABORT_PAUSE_SECONDS = 0.5     # before an Abort: see Communicator.abort

INSTALL_HINT = "pip install 'autograd-nlp[distributed]' (mpi4py and the mpich wheel)"


class MPIUnavailableError(RuntimeError):
    """mpi4py is not installed (or MPI could not start)."""


# --- host staging: the one place arrays cross between device and MPI --------------
# --- communicators --------------------------------------------------------------------
class Communicator:
    """mpi4py communicator with the few collectives training uses.
    ``allreduce`` names how the trainers sum gradients ("flat", "overlap",
    "sparse": gradient_reducers.py) and ``bucket_mb`` the size of the
    overlapped path's buckets."""

    def __init__(self, comm, allreduce=None, bucket_mb=None):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.allreduce, self.bucket_mb = allreduce_settings(allreduce, bucket_mb)

    @property
    def is_root(self):
        return self.rank == 0

    def allreduce_sum(self, host, out=None):
        """Elementwise sum over the ranks of a NumPy array (same shape/dtype on
        all), into ``out`` if given (an array like ``host``); returns it."""
        from mpi4py import MPI
        out = np.empty_like(host) if out is None else out
        self.comm.Allreduce(host, out, op=MPI.SUM)
        return out

    def iallreduce_sum(self, host, out=None):
        """``allreduce_sum`` started now (``Iallreduce``): a ``PendingSum``
        whose ``wait()`` returns the sum. Keep ``host`` unchanged until then."""
        from mpi4py import MPI
        out = np.empty_like(host) if out is None else out
        return PendingSum(self.comm.Iallreduce(host, out, op=MPI.SUM), host, out)

    def allgather(self, obj):
        """Every rank's picklable ``obj``, in rank order."""
        return self.comm.allgather(obj)

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

    def node_rank(self):
        """``(local rank, ranks on this machine)``: this rank's place among
        the ranks sharing its machine (MPI-3's shared-memory split, which
        every MPI has; no launcher's environment variables needed)."""
        from mpi4py import MPI
        node = self.comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank)
        try:
            return node.Get_rank(), node.Get_size()
        finally:
            node.Free()

    def barrier(self):
        self.comm.Barrier()

    def abort(self, code=1):
        """End every rank. A half-second pause first lets the launcher forward
        what this rank has just written to stderr (its reason): under load,
        mpiexec sometimes ended the job before that reached the terminal."""
        time.sleep(ABORT_PAUSE_SECONDS)
        self.comm.Abort(code)


class PendingSum:
    """A started ``Iallreduce``: ``test()`` lets MPI progress it (MPI moves
    data only inside its calls unless it has a progress thread), ``wait()``
    returns the sum."""

    def __init__(self, request, host, out):
        self.request, self.host, self.out = request, host, out

    def test(self):
        return self.request is None or self.request.Test()

    def wait(self):
        if self.request is not None:
            self.request.Wait()
            self.request = self.host = None
        return self.out


class LocalCommunicator(Communicator):
    """One process, no MPI: every collective is the identity (subclasses in
    the tests play other ranks by overriding ``allreduce_sum`` and friends)."""

    def __init__(self, allreduce=None, bucket_mb=None):
        self.comm, self.rank, self.size = None, 0, 1
        self.allreduce, self.bucket_mb = allreduce_settings(allreduce, bucket_mb)

    def allreduce_sum(self, host):
        return host.copy()

    def iallreduce_sum(self, host, out=None):
        return PendingSum(None, host, self.allreduce_sum(host))

    def allgather(self, obj):
        return [obj] * self.size

    def bcast(self, obj, root=0):
        return obj

    def bcast_array(self, host, root=0):
        return host

    def gather(self, obj, root=0):
        return [obj]

    def node_rank(self):
        return 0, 1

    def barrier(self):
        pass

    def abort(self, code=1):
        raise SystemExit(code)


ALLREDUCE_ENV, BUCKET_ENV = "AUTOGRAD_NLP_ALLREDUCE", "AUTOGRAD_NLP_BUCKET_MB"


def allreduce_settings(allreduce=None, bucket_mb=None):
    """``(allreduce, bucket_mb)``: the arguments, else ``$AUTOGRAD_NLP_ALLREDUCE``
    (flat, overlap or sparse; default flat) and ``$AUTOGRAD_NLP_BUCKET_MB``
    (default 4), checked."""
    from autograd_nlp.gradient_reducers import MODES
    allreduce = allreduce or os.environ.get(ALLREDUCE_ENV) or "flat"
    if allreduce not in MODES:
        raise ValueError(f"all-reduce {allreduce!r} (argument or ${ALLREDUCE_ENV}) is not "
                         f"one of {', '.join(MODES)}")
    text = bucket_mb if bucket_mb is not None else os.environ.get(BUCKET_ENV) or 4
    try:
        bucket_mb = float(text)
    except (TypeError, ValueError):
        bucket_mb = -1.0
    if not bucket_mb > 0:
        raise ValueError(f"bucket size {text!r} (argument or ${BUCKET_ENV}) must be a "
                         f"positive number of MB")
    return allreduce, bucket_mb


def gradient_reducer(params, comm):
    """The object that sums ``params``' gradients over ``comm``'s ranks after
    (or during) backward, as ``comm.allreduce`` says (gradient_reducers.py)."""
    from autograd_nlp.gradient_reducers import make_reducer
    return make_reducer(params, comm)


def init(comm=None, allreduce=None, bucket_mb=None):
    """A ``Communicator`` over ``comm`` (default ``MPI.COMM_WORLD``);
    ``allreduce``/``bucket_mb``: see ``allreduce_settings``.
    Raises ``MPIUnavailableError`` when mpi4py is missing."""
    if comm is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise MPIUnavailableError(f"distributed training needs mpi4py ({e}); "
                                      f"{INSTALL_HINT}") from None
        comm = MPI.COMM_WORLD
    return Communicator(comm, allreduce, bucket_mb)


def local(allreduce=None, bucket_mb=None):
    return LocalCommunicator(allreduce, bucket_mb)


# --- GPU ranks: one device per rank ---------------------------------------------------
def bind_device(device, comm):
    """The device this rank trains on, for the ``--device`` of the run: with
    "cuda", GPU number ``local rank`` of this machine, made CuPy's current
    device (so "cuda" arrays this process makes, the model's first, land
    there) — call it before the model moves. One rank per GPU: more ranks
    on a machine than GPUs is refused. Other devices ("cpu", test ones) are
    returned unchanged. Gradients still cross through the host
    (``to_host``/``from_host``, the one place to put NCCL)."""
    if device is None or not str(device).startswith("cuda"):
        return device
    if device != "cuda":
        raise ValueError(f"--device {device} with --distributed: each rank takes the GPU "
                         f"of its local rank; give --device cuda (without :N)")
    local, on_machine = comm.node_rank()
    from autograd_nlp.backend import get_device
    cupy = get_device("cuda").xp                # a clear DeviceError without CuPy
    count = cupy.cuda.runtime.getDeviceCount()
    if on_machine > count:
        raise ValueError(f"{on_machine} ranks on this machine but {count} GPU(s): one rank "
                         f"per GPU; start at most {count} rank(s) per machine")
    cupy.cuda.Device(local).use()
    return "cuda"


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
    global loss (``sum_r weight_r * loss_r``), or None without ``loss``.
    (The trainers keep the buffer from step to step: gradient_reducers.py.)"""
    from autograd_nlp.gradient_reducers import Bucket
    weight = 1.0 / comm.size if weight is None else float(weight)
    total = Bucket(_unique(params), extra=1).reduce(
        comm, weight, [weight * (0.0 if loss is None else float(loss))])
    return None if loss is None else float(total[0])


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

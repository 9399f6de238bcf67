"""GPU ranks (docs/distributed.md, "Devices"): each rank takes the GPU of its
local rank (``distributed.bind_device``), and every way the gradients cross
(flat, overlapped buckets, sparse rows) stages device arrays through the host
and gives device gradients back. No GPU and no MPI here: a stand-in CuPy
says how many GPUs there are and records which one is used; the fake device
stands in for CuPy arrays; a stand-in communicator plays two ranks."""
import types

import numpy as np
import pytest
from fake_device import FakeArray

from autograd_nlp import backend, distributed
from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.models.rnnlm import Rnnlm


class _Ranks(distributed.LocalCommunicator):
    """Rank ``rank`` of ``size``, all on one machine, whose peers hold the same
    arrays; refuses buffers that are not NumPy's."""

    def __init__(self, rank=0, size=2, **settings):
        super().__init__(**settings)
        self.rank, self.size = rank, size

    def node_rank(self):
        return self.rank, self.size

    def allreduce_sum(self, host):
        assert type(host) is np.ndarray
        return host * self.size

    def allgather(self, obj):
        return [obj] * self.size


def _stand_in_cupy(monkeypatch, gpus):
    used = []
    cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=lambda: gpus),
        Device=lambda k: types.SimpleNamespace(use=lambda: used.append(k)))
    cupy = types.SimpleNamespace(cuda=cuda)
    real = backend.get_device
    monkeypatch.setattr(backend, "get_device", lambda name: types.SimpleNamespace(xp=cupy)
                        if name == "cuda" else real(name))
    return used


def test_each_rank_uses_the_gpu_of_its_local_rank(monkeypatch):
    used = _stand_in_cupy(monkeypatch, gpus=2)
    assert distributed.bind_device("cuda", _Ranks(rank=1)) == "cuda"
    assert distributed.bind_device("cuda", _Ranks(rank=0)) == "cuda"
    assert used == [1, 0]


def test_more_ranks_on_a_machine_than_gpus_is_refused(monkeypatch):
    _stand_in_cupy(monkeypatch, gpus=2)
    with pytest.raises(ValueError, match="3 ranks on this machine but 2 GPU"):
        distributed.bind_device("cuda", _Ranks(rank=2, size=3))
    with pytest.raises(ValueError, match="without :N"):
        distributed.bind_device("cuda:1", _Ranks())


def test_other_devices_are_left_as_they_are(fake):
    assert distributed.bind_device("cpu", _Ranks()) == "cpu"
    assert distributed.bind_device("fake", _Ranks()) == "fake"
    assert distributed.bind_device(None, _Ranks()) is None


@pytest.mark.parametrize("allreduce", ["flat", "overlap", "sparse"])
def test_every_allreduce_stages_device_gradients_through_the_host(fake, monkeypatch,
                                                                   allreduce):
    monkeypatch.setenv("AUTOGRAD_NLP_SPARSE_MIN_ROWS", "5")      # the 7-word embedding
    ag_random.seed(0)
    model = Rnnlm(7, 3, 4)
    model.to("fake")
    xs = np.random.default_rng(0).integers(0, 7, size=(2, 3))
    loss = softmax_cross_entropy(model(xs), to_device(xs, "fake"))
    model.reset_state()
    plain = softmax_cross_entropy(model(xs), to_device(xs, "fake"))
    model.cleargrads()
    plain.backward()
    want = {id(p): to_device(p.grad.data, "cpu").copy() for p in model.params()}
    model.cleargrads()
    comm = _Ranks(allreduce=allreduce, bucket_mb=100 / 2 ** 20)   # several buckets
    reducer = distributed.gradient_reducer(model.params(), comm)
    assert reducer.backward(loss, 0.5) == pytest.approx(float(to_device(loss.data, "cpu")))
    for p in model.params():
        assert type(p.grad.data) is FakeArray
        np.testing.assert_allclose(to_device(p.grad.data, "cpu"), want[id(p)], rtol=1e-6)

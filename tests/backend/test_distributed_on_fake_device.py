"""Data-parallel collectives with device arrays (the fake device standing in
for CuPy): MPI sees only NumPy buffers (staged through the host by
distributed.to_host / from_host), and the gradients, parameters and states
come back on the device. No MPI needed: a stand-in communicator plays two
ranks holding the same arrays."""
import numpy as np
from fake_device import FakeArray

from autograd_nlp import distributed
from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.models.rnnlm import Rnnlm


class TwoEqualRanks(distributed.LocalCommunicator):
    """Rank 0 of 2 whose peer holds the same arrays; refuses non-NumPy buffers."""

    def __init__(self):
        super().__init__()
        self.size, self.buffers = 2, []

    def allreduce_sum(self, host):
        assert type(host) is np.ndarray
        self.buffers.append(host)
        return host + host

    def bcast_array(self, host, root=0):
        assert type(host) is np.ndarray
        return host

    def gather(self, obj, root=0):
        return [obj, obj]


def test_allreduce_stages_device_gradients_through_the_host_once(fake):
    ag_random.seed(0)
    model = Rnnlm(7, 3, 4)
    model.to("fake")
    xs = np.random.default_rng(0).integers(0, 7, size=(2, 3))
    softmax_cross_entropy(model(xs), to_device(xs, "fake")).backward()
    before = {id(p): to_device(p.grad.data, "cpu").copy() for p in model.params()}
    comm = TwoEqualRanks()
    loss = distributed.allreduce_gradients(model.params(), comm, 0.5, 1.5)
    assert len(comm.buffers) == 1 and loss == 1.5
    for p in model.params():
        assert type(p.grad.data) is FakeArray
        np.testing.assert_allclose(to_device(p.grad.data, "cpu"), before[id(p)], rtol=1e-6)
    distributed.broadcast_parameters(model.params(), comm)
    assert all(type(p.data) is FakeArray for p in model.params())
    with distributed.gathered_states(model, comm):
        h = model.lstm.state[0].data
        assert type(h) is FakeArray and h.shape == (4, 4)      # both ranks' 2 rows
    assert model.lstm.state[0].shape == (2, 4)

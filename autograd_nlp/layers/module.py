"""Module: the base of every layer and model.

Parameters and sub-modules are registered by attribute assignment, so a model
reads like the book's figures. ``params()`` yields each Parameter once, even
when two modules share it (weight tying).
"""
import numpy as np

from autograd_nlp.backend import device_of, get_array_module, get_device, to_device
from autograd_nlp.core import Parameter, Variable, bump_version
from autograd_nlp.serialization import load_npz, save_npz


_structure_version = 0      # bumped whenever any module's Parameters or sub-modules change


def _structure_changed():
    global _structure_version
    _structure_version += 1


class Module:
    """Subclasses assign Parameters / Modules as attributes and define
    ``forward``; calling the module calls ``forward``.

    After ``to("cuda")`` a call moves NumPy array arguments (token ids from
    a data set) to the module's device, so data pipelines stay on the CPU."""

    _device = None      # set by to(): the device NumPy inputs are moved to

    def __init__(self):
        object.__setattr__(self, "training", True)

    def __call__(self, *args, **kwargs):
        if self._device is not None:
            args, kwargs = _inputs_to(self._device, args, kwargs)
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __setattr__(self, name, value):
        if isinstance(value, Parameter) and value.name is None:
            value.name = name
        if isinstance(value, (Parameter, Module)) or \
                isinstance(self.__dict__.get(name), (Parameter, Module)):
            _structure_changed()
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if isinstance(self.__dict__.get(name), (Parameter, Module)):
            _structure_changed()
        object.__delattr__(self, name)

    # --- traversal ------------------------------------------------------------
    def children(self):
        """Direct sub-modules as (attribute name, module), in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def modules(self):
        """This module and every sub-module, depth first, each once."""
        seen, stack = set(), [self]
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield m
            stack.extend(reversed([c for _, c in m.children()]))

    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("") and every sub-module."""
        yield prefix.rstrip("."), self
        for name, child in self.children():
            yield from child.named_modules(prefix + name + ".")

    def named_params(self, prefix=""):
        """(dotted name, Parameter) for every Parameter, each yielded once."""
        seen = set()
        for name, p in self._named_params_with_repeats(prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def _named_params_with_repeats(self, prefix):
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value._named_params_with_repeats(prefix + name + ".")

    def params(self):
        """Every Parameter once (shared ones are not repeated). The list is
        kept until any module gains, loses or replaces a Parameter or a
        sub-module: a training step asks for it several times (clearing,
        clipping), and walking the tree each time cost 0.5 ms of seq2seq's
        10 ms step."""
        cached = self.__dict__.get("_params_cache")
        if cached is None or cached[0] != _structure_version:
            cached = (_structure_version, tuple(p for _, p in self.named_params()))
            object.__setattr__(self, "_params_cache", cached)
        return iter(cached[1])

    def num_params(self):
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.params()))

    def cleargrads(self):
        """Forget all gradients (``zero_grad`` in PyTorch)."""
        for p in self.params():
            p.cleargrad()

    # --- modes ------------------------------------------------------------------
    def train(self, mode=True):
        """Training mode (dropout on) for this module and its children."""
        object.__setattr__(self, "training", mode)
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Evaluation mode (dropout off) for this module and its children."""
        return self.train(False)

    # --- devices ----------------------------------------------------------------
    def to(self, device):
        """Move every parameter (and its gradient) and every recurrent state
        to ``device`` ("cpu", "cuda"), in place; returns self. Optimizers
        move their state to their parameters' device on the next update."""
        name = get_device(device).name          # fails early for an unknown device
        for m in self.modules():
            object.__setattr__(m, "_device", None if name == "cpu" else name)
        for p in self.params():
            p.data = to_device(p.data, name)
            if p.grad is not None:
                p.grad = Variable(to_device(p.grad.data, name), requires_grad=False)
        for m in self.modules():
            state = getattr(m, "state", None)
            if isinstance(state, tuple) and all(isinstance(v, Variable) for v in state):
                m.state = tuple(v.to(name) for v in state)
        return self

    def cuda(self):
        """``to("cuda")``: parameters on the GPU (needs CuPy)."""
        return self.to("cuda")

    def cpu(self):
        """``to("cpu")``: parameters back in NumPy arrays."""
        return self.to("cpu")

    @property
    def device(self):
        """The device of the parameters ("cpu" for a module without any)."""
        for p in self.params():
            return device_of(p.data)
        return "cpu" if self._device is None else self._device

    def astype(self, dtype):
        """Cast every Parameter in place (e.g. float64 for gradcheck); a new
        version for each (``bump_version``), as its values are new."""
        for p in self.params():
            p.data = p.data.astype(dtype)
            p.grad = None
            bump_version(p)
        return self

    # --- state ------------------------------------------------------------------
    def state_dict(self):
        """{dotted name: array} of the parameters (copies)."""
        return {name: p.data.copy() for name, p in self.named_params()}

    def load_state_dict(self, state, strict=True):
        """Copy arrays into the parameters; names and shapes must match. The
        loaded parameters get a new version (``bump_version``): a graph
        recorded before the load cannot be backwarded after it."""
        own = dict(self.named_params())
        if strict:
            missing = sorted(set(own) - set(state))
            unexpected = sorted(set(state) - set(own))
            if missing or unexpected:
                raise KeyError(f"{type(self).__name__}.load_state_dict: missing "
                               f"parameters {missing}, unexpected {unexpected}")
        for name, array in state.items():
            if name not in own:
                continue
            p = own[name]
            if p.shape != array.shape:
                raise ValueError(f"{type(self).__name__}.load_state_dict: parameter "
                                 f"{name!r} has shape {p.shape} in the model but "
                                 f"{array.shape} in the saved state")
            value = to_device(array, device_of(p.data))    # saved on the CPU
            p.data = get_array_module(value).array(value, dtype=p.dtype)
            bump_version(p)

    def save(self, path):
        """Write the parameters to ``path`` (.npz, no pickle), atomically."""
        save_npz(path, self.state_dict())

    def load(self, path):
        """Read parameters written by ``save`` (never executes code)."""
        self.load_state_dict(load_npz(path))
        return self

    def __repr__(self):
        lines = [f"{type(self).__name__}("]
        for name, child in self.children():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                lines.append(f"  {name}: Parameter{value.shape}")
        return "\n".join(lines) + ")" if len(lines) > 1 else lines[0] + ")"


def _inputs_to(device, args, kwargs):
    """NumPy arrays among a call's arguments, moved to ``device``."""
    args = tuple(to_device(a, device) if isinstance(a, np.ndarray) else a for a in args)
    if kwargs:
        kwargs = {k: to_device(a, device) if isinstance(a, np.ndarray) else a
                  for k, a in kwargs.items()}
    return args, kwargs


class ModuleList(Module):
    """An indexable list of modules, registered as ``0``, ``1``, ..."""

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        setattr(self, str(len(self)), module)

    def __len__(self):
        return sum(1 for _ in self.children())

    def __iter__(self):
        return (module for _, module in self.children())

    def __getitem__(self, index):
        return list(self)[index]


class Sequential(ModuleList):
    """Apply modules one after the other."""

    def __init__(self, *modules):
        super().__init__(modules)

    def forward(self, x):
        for module in self:
            x = module(x)
        return x

"""Optimizers over ``model.params()`` and gradient clipping.

Updates are in place on the parameter arrays, and give the parameters a new
version (a graph recorded before a step cannot be backwarded after it). Every
optimizer can save and restore its state (``state_dict`` /
``load_state_dict``: flat dicts of arrays, ready for an .npz checkpoint).
Learning-rate schedules (lr_schedules.py) attach to an optimizer and are
re-exported here.

``optimizer.steps_taken`` counts the updates done (Adam's bias correction and
the schedules read it). It was called ``step``, which reads like torch's
``optimizer.step()`` method but was an int; ``step`` still answers, with a
DeprecationWarning, and checkpoints keep the key ``step`` in the optimizer's
state, so files written before and after the rename load either way.
"""
import math
import warnings

import numpy as np

from autograd_nlp import cuda_kernels, jit
from autograd_nlp.backend import device_of, get_array_module, to_device
from autograd_nlp.core import Variable, bump_version


class Optimizer:
    """Base: ``update()`` applies one step to every parameter with a gradient.

    Subclasses implement ``update_one(p, g, slots)`` where ``g`` is the
    gradient array and ``slots`` this parameter's dict of state arrays.
    State arrays live on their parameter's device: made there on first use,
    and moved there when the parameter has moved (``Module.to``).
    """

    slot_names = ()

    def __init__(self, params, lr):
        unique, seen = [], set()
        for p in params:
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimize")
        self.params = unique
        self.lr = lr
        self.steps_taken = 0     # updates done so far (the schedules' and Adam's t)
        self.schedule = None     # an LRSchedule sets lr before each step
        self.slots = [{} for _ in unique]

    def update(self):
        """One step for every parameter that has a gradient. The updated
        parameters get a new version (``bump_version``), so that a backward
        through a graph recorded before the step raises instead of giving
        gradients of the new values: call backward before ``update``."""
        self.steps_taken += 1
        if self.schedule is not None:
            self.lr = self.schedule.lr_at(self.steps_taken)
        updated = []
        for p, slots in zip(self.params, self.slots):
            if p.grad is not None:
                updated.append(p)
                if not slots:
                    xp = get_array_module(p.data)
                    for name in self.slot_names:
                        slots[name] = xp.zeros_like(p.data)
                elif type(next(iter(slots.values()))) is not type(p.data):
                    device = device_of(p.data)      # the parameter moved
                    for name in slots:
                        slots[name] = to_device(slots[name], device)
                self.update_one(p, p.grad.data, slots)
        bump_version(*updated)

    def update_one(self, p, g, slots):
        raise NotImplementedError

    @property
    def step(self):
        """Deprecated name of ``steps_taken`` (an int, not torch's ``step()``)."""
        warnings.warn("Optimizer.step is now Optimizer.steps_taken (an int counting the "
                      "updates; use update() to take a step)", DeprecationWarning,
                      stacklevel=2)
        return self.steps_taken

    @step.setter
    def step(self, value):
        warnings.warn("Optimizer.step is now Optimizer.steps_taken", DeprecationWarning,
                      stacklevel=2)
        self.steps_taken = value

    def cleargrads(self):
        for p in self.params:
            p.cleargrad()

    # --- checkpoints -----------------------------------------------------------
    def hyperparams(self):
        """Scalar settings saved with the state (lr and subclass extras)."""
        return {"lr": self.lr}

    def state_dict(self):
        """Flat {name: array}: ``step`` (the file's name for ``steps_taken``),
        hyperparameters and slot arrays."""
        state = {"step": np.array(self.steps_taken)}
        state.update({f"hyper.{k}": np.array(v) for k, v in self.hyperparams().items()})
        for i, slots in enumerate(self.slots):
            for name, array in slots.items():
                state[f"slot.{i}.{name}"] = array.copy()
        return state

    def load_state_dict(self, state):
        """Restore what ``state_dict`` returned (for the same parameter list)."""
        self.steps_taken = int(state["step"])
        for key, value in state.items():
            if key.startswith("hyper."):
                setattr(self, key[len("hyper."):], value.item())
        self.slots = [{} for _ in self.params]
        for key, value in state.items():
            if key.startswith("slot."):
                _, index, name = key.split(".", 2)
                index = int(index)
                if index >= len(self.params) or value.shape != self.params[index].shape:
                    got = self.params[index].shape if index < len(self.params) else "none"
                    raise ValueError(f"{type(self).__name__}.load_state_dict: slot {key} "
                                     f"has shape {value.shape}, parameter {index} has {got}")
                p = self.params[index]
                value = to_device(value, device_of(p.data))
                self.slots[index][name] = get_array_module(value).array(value, dtype=p.dtype)


def _with_weight_decay(g, p, weight_decay):
    """``g + weight_decay * p`` (L2 regularisation folded into the gradient,
    as ``torch.optim.SGD``'s ``weight_decay``); ``g`` itself when it is 0."""
    if not weight_decay:
        return g
    return g + p.dtype.type(weight_decay) * p.data


class SGD(Optimizer):
    """``p -= lr * (g + weight_decay * p)``."""

    def __init__(self, params, lr=0.01, weight_decay=0.0):
        super().__init__(params, lr)
        self.weight_decay = weight_decay

    def hyperparams(self):
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def update_one(self, p, g, slots):
        g = _with_weight_decay(g, p, self.weight_decay)
        if jit.usable(p.data, g):               # one numba loop, same numbers (jit.py)
            jit.sgd.sgd_update(p.data, g, self.lr)
        else:
            p.data -= self.lr * g


class Momentum(Optimizer):
    """``g += weight_decay * p; v = momentum * v - lr * g; p += v`` (the
    book's form; with a constant lr the same steps as ``torch.optim.SGD``
    with ``momentum`` and ``weight_decay``: the decay joins the gradient
    before the momentum)."""

    slot_names = ("velocity",)

    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = momentum
        self.weight_decay = weight_decay

    def hyperparams(self):
        return {"lr": self.lr, "momentum": self.momentum,
                "weight_decay": self.weight_decay}

    def update_one(self, p, g, slots):
        g = _with_weight_decay(g, p, self.weight_decay)
        v = slots["velocity"]
        v *= self.momentum
        v -= self.lr * g
        p.data += v


class AdaGrad(Optimizer):
    """``h += g^2; p -= lr * g / (sqrt(h) + eps)``."""

    slot_names = ("sum_squares",)

    def __init__(self, params, lr=0.01, eps=1e-7):
        super().__init__(params, lr)
        self.eps = eps

    def hyperparams(self):
        return {"lr": self.lr, "eps": self.eps}

    def update_one(self, p, g, slots):
        h = slots["sum_squares"]
        h += g * g
        p.data -= self.lr * g / (get_array_module(h).sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """``h = decay * h + (1 - decay) * g^2; p -= lr * g / (sqrt(h) + eps)``."""

    slot_names = ("mean_squares",)

    def __init__(self, params, lr=0.01, decay=0.99, eps=1e-7):
        super().__init__(params, lr)
        self.decay, self.eps = decay, eps

    def hyperparams(self):
        return {"lr": self.lr, "decay": self.decay, "eps": self.eps}

    def update_one(self, p, g, slots):
        h = slots["mean_squares"]
        h *= self.decay
        h += (1 - self.decay) * g * g
        p.data -= self.lr * g / (get_array_module(h).sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``:
    ``p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)``.

    ``eps_hat=True`` is the paper's "efficient" ordering, used by the book and
    Keras: ``p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``. Its
    eps is not bias-corrected, so early steps of parameters with tiny
    gradients are damped (the book pairs it with eps=1e-7).
    """

    slot_names = ("m", "v")

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, eps_hat=False):
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps, self.eps_hat = beta1, beta2, eps, eps_hat

    def hyperparams(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps,
                "eps_hat": self.eps_hat}

    def update_one(self, p, g, slots):
        m, v = slots["m"], slots["v"]
        xp = get_array_module(v)
        if xp is not np and cuda_kernels.usable(p.data, g, m, v) and p.data.flags.c_contiguous:
            cuda_kernels.adam_update(          # one launch instead of 11 (launch-bound GPUs)
                p.data, g, m, v, self.beta1, self.beta2,
                self.lr * (math.sqrt(1 - self.beta2 ** self.steps_taken) if self.eps_hat else 1.0)
                / (1 - self.beta1 ** self.steps_taken),
                1 / math.sqrt(1 - self.beta2 ** self.steps_taken), self.eps, self.eps_hat)
            return
        if jit.usable(p.data, g, m, v):            # one numba loop, same numbers (jit.py)
            jit.adam.adam_update(p.data, g, m, v, self.beta1, self.beta2, self.lr,
                                 self.steps_taken, self.eps, self.eps_hat)
            return
        if self.eps_hat:
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g ** 2 - v)
            step_size = (self.lr * math.sqrt(1 - self.beta2 ** self.steps_taken)
                         / (1 - self.beta1 ** self.steps_taken))
            p.data -= step_size * m / (xp.sqrt(v) + self.eps)
            return
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * (g * g)
        step_size = self.lr / (1 - self.beta1 ** self.steps_taken)
        denom = xp.sqrt(v)
        denom *= 1 / math.sqrt(1 - self.beta2 ** self.steps_taken)
        denom += self.eps
        xp.divide(m, denom, out=denom)
        denom *= step_size
        p.data -= denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as
    ``torch.optim.AdamW``: ``p *= 1 - lr * weight_decay`` before the Adam step."""

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.01):
        super().__init__(params, lr, beta1, beta2, eps)
        self.weight_decay = weight_decay

    def hyperparams(self):
        return {**super().hyperparams(), "weight_decay": self.weight_decay}

    def update_one(self, p, g, slots):
        p.data *= 1 - self.lr * self.weight_decay
        super().update_one(p, g, slots)


def grad_norm(params):
    """Global L2 norm of the gradients of ``params`` (each counted once).
    On a device the gradients are joined into one vector and its squares
    summed there, read back once: two launches, where one product per
    gradient cost ~66 us each on an H100 (benchmarks/gpu_launch_costs.py)."""
    seen, total, on_device = set(), 0.0, {}
    for p in params:
        if p.grad is not None and id(p) not in seen:
            seen.add(id(p))
            g = p.grad.data.reshape(-1)
            if type(g) is np.ndarray:
                total += float(np.dot(g, g))
            else:
                on_device.setdefault((type(g), g.dtype), []).append(g)
    for grads in on_device.values():             # one vector per array type and dtype
        flat = get_array_module(grads[0]).concatenate(grads) if len(grads) > 1 else grads[0]
        total += float(flat @ flat)
    return math.sqrt(total)


def clip_grads(params, max_norm):
    """Scale all gradients by ``max_norm / norm`` when their global norm
    exceeds ``max_norm`` (``clip_grad_norm_`` in PyTorch). Returns the norm
    before clipping. Gradients are replaced, not scaled in place, because two
    parameters may share one gradient array."""
    params = list(params)
    norm = grad_norm(params)
    rate = max_norm / (norm + 1e-6)
    if rate < 1:
        seen = set()
        for p in params:
            if p.grad is not None and id(p) not in seen:
                seen.add(id(p))
                p.grad = Variable(p.grad.data * p.grad.dtype.type(rate),
                                  requires_grad=False)
    return norm


from autograd_nlp.lr_schedules import (SCHEDULES, LinearDecay, LRSchedule,  # noqa: E402,F401
                                       WarmupCosine, WarmupInverseSqrt)

"""Numerical gradients and gradient checking (first and second order).

Everything is promoted to float64. The output is reduced to a scalar with a
random upstream gradient, so every element of a non-scalar output is checked.
Analytic gradients come from ``backward``; numerical ones from central
differences, one input element at a time (or a random sample of elements).
Inputs on a device (CuPy) are checked there; the comparison runs on the CPU.

Central differences assume the function is pure: the same parameters give the
same value. Before differencing, the function is evaluated a second time at
the unchanged inputs; a different value (a recurrent state carried from one
call to the next, dropout in training mode, a random draw) raises
``ImpureLossError`` instead of a misleading "gradient is wrong".
``check_module`` resets the module's recurrent states before every
evaluation, so a stateful language model is checked as it stands.
"""
import math
from dataclasses import dataclass

import numpy as np

from autograd_nlp import core
from autograd_nlp.backend import device_of, get_array_module, is_device_array, to_device
from autograd_nlp.core import Variable, as_array


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message names the worst
    element, both values and the tolerance."""


class ImpureLossError(GradcheckError):
    """The checked function gave two values at the same inputs, so central
    differences would measure the change between calls, not the gradient."""


@dataclass
class GradientReport:
    """How well one input's gradient matched (one row of the CLI table)."""

    name: str
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    passed: bool
    worst_index: tuple = ()
    analytic: float = 0.0
    numerical: float = 0.0
    checked: int = 0


def _as_float64_variable(x, index):
    data = x.data if isinstance(x, Variable) else as_array(x)
    name = (x.name if isinstance(x, Variable) else None) or f"input{index}"
    return Variable(get_array_module(data).array(data, dtype=np.float64), name=name)


def _prepare(inputs):
    """Split the inputs into differentiable float64 Variables and constants."""
    args, variables = [], []
    for i, x in enumerate(inputs):
        data = x.data if isinstance(x, Variable) else x
        if (isinstance(data, (np.ndarray, np.generic)) or is_device_array(data)) and \
                data.dtype.kind == "f":
            v = _as_float64_variable(x, i)
            variables.append(v)
            args.append(v)
        else:
            args.append(x)
    if not variables:
        raise TypeError(_no_float_input_message(inputs))
    return args, variables


def _dtype_kind(x):
    """"i"/"u"/"b"/"f"... for an array or Variable, None for anything else."""
    data = x.data if isinstance(x, Variable) else x
    dtype = getattr(data, "dtype", None)
    return None if dtype is None else dtype.kind


def _no_float_input_message(inputs, what="gradcheck"):
    """Why there is nothing to differentiate, and what to do instead. Integer
    inputs are token ids or labels: converting them to float (which the
    check cannot guess is meant) would be wrong advice, so the message points
    at checking the float parameters that read them."""
    described = ", ".join(
        f"input{i} {type(x).__name__}"
        + (f" {x.dtype} {tuple(x.shape)}" if _dtype_kind(x) is not None else "")
        for i, x in enumerate(inputs)) or "no inputs"
    if any(_dtype_kind(x) in ("i", "u", "b") for x in inputs):
        return (f"{what}: no floating input to differentiate (got {described}). Inputs "
                f"of an integer dtype (token ids, labels, masks) are not differentiated: they are "
                f"passed through as constants. Check the float values that read them: "
                f"give them beside the ids (gradcheck(lambda W, ids: F.embedding(W, ids), "
                f"W, ids) checks W only) or close over the ids (gradcheck(lambda W: "
                f"F.embedding(W, ids), W)); for a model's parameters use "
                f"ag.check_module(model, lambda: loss_of(model(ids), targets)), which "
                f"checks every parameter by its name (docs/engine.md, \"Checking a model\")")
    return (f"{what}: no floating input to differentiate (got {described}); pass float "
            f"arrays or Variables (np.asarray(x, dtype=np.float64) for Python numbers "
            f"or lists); to check a model's parameters use ag.check_module(model, loss_fn)")


def _outputs(result):
    if isinstance(result, (list, tuple)):
        return [y for y in result if y is not None]
    return [result]


def _scalar_value(outputs, directions):
    return sum(float((y.data * r).sum()) for y, r in zip(outputs, directions))


def _like(host_array, y):
    """``host_array`` (NumPy) moved to the device of Variable ``y``."""
    return to_device(host_array, device_of(y.data))


def compare_gradients(fn, variables, eps=1e-6, atol=1e-5, rtol=1e-4,
                      samples=None, seed=0, names=None, what="gradcheck"):
    """Compare analytic with numerical gradients of ``fn()`` (which reads
    ``variables``, float64 Variables, and returns Variable(s)).

    Returns one ``GradientReport`` per variable. ``samples`` limits the check
    to that many random elements per variable (None: all of them). Raises
    ``ImpureLossError`` when two calls of ``fn()`` at the same inputs give
    different values (``what`` names the check in that message).
    """
    rng = np.random.default_rng(seed)
    outputs = _outputs(fn())
    directions = [_like(rng.standard_normal(y.shape), y) for y in outputs]
    for v in variables:
        v.grad = None
    total = sum((y * r).sum() for y, r in zip(outputs, directions))
    if total.requires_grad:      # else no input reaches the outputs: all gradients are 0
        total.backward()
    analytic = [np.zeros(v.shape, v.dtype) if v.grad is None else
                np.asarray(to_device(v.grad.data, "cpu")) for v in variables]

    def value():
        return _scalar_value(_outputs(fn()), directions)

    _check_pure(_scalar_value(outputs, directions), value(), what)

    reports = []
    for v, a in zip(variables, analytic):
        if a.shape != v.shape:
            raise GradcheckError(f"gradcheck: gradient of {v.name} has shape "
                                 f"{a.shape}, expected {v.shape}")
        flat = v.data.reshape(-1)     # a view: perturbing it perturbs v.data
        indices = np.arange(flat.size)
        if samples is not None and flat.size > samples:
            indices = rng.choice(flat.size, samples, replace=False)
        numerical = np.empty(len(indices))
        for k, i in enumerate(indices):
            old = float(flat[i])     # a copy: on CuPy flat[i] is a 0-d view
            flat[i] = old + eps
            plus = value()
            flat[i] = old - eps
            minus = value()
            flat[i] = old
            numerical[k] = (plus - minus) / (2 * eps)
        got = a.reshape(-1)[indices]
        abs_err = np.abs(got - numerical)
        rel_err = abs_err / np.maximum(np.abs(numerical), atol)
        excess = abs_err - (atol + rtol * np.abs(numerical))
        worst = int(np.argmax(excess)) if len(indices) else 0
        reports.append(GradientReport(
            name=names[len(reports)] if names else (v.name or "?"), shape=v.shape,
            max_abs_error=float(abs_err.max(initial=0.0)),
            max_rel_error=float(rel_err.max(initial=0.0)),
            passed=bool((excess <= 0).all()),
            worst_index=tuple(int(j) for j in np.unravel_index(indices[worst], v.shape))
            if len(indices) else (),
            analytic=float(got[worst]) if len(indices) else 0.0,
            numerical=float(numerical[worst]) if len(indices) else 0.0,
            checked=len(indices)))
    return reports


def _check_pure(first, again, what):
    """Two evaluations at the same inputs must agree (to float rounding:
    1e-10 relative, far below what a central difference measures)."""
    if first == again or (math.isnan(first) and math.isnan(again)):
        return
    if abs(first - again) <= 1e-10 * max(1.0, abs(first)):
        return
    raise ImpureLossError(
        f"{what}: the checked function gave {first:.12g} and then {again:.12g} (its "
        f"output against the check's random upstream gradient) at the same "
        f"parameters: the loss is not a pure function of the parameters, so numerical "
        f"gradients would measure the change between calls. Usual causes: a recurrent "
        f"state carried from one call to the next (call model.reset_state() at the start "
        f"of the loss function, or build the layer with stateful=False; check_module "
        f"does this itself unless reset_state=False), dropout in training mode (run the "
        f"check inside ag.eval_mode()), or a random draw (seed it inside the function)")


def _raise_on_failure(reports, atol, rtol, what="gradcheck"):
    for r in reports:
        if not r.passed:
            raise GradcheckError(
                f"{what}: gradient of {r.name} {r.shape} is wrong at index "
                f"{r.worst_index}: analytic {r.analytic:.8g}, numerical "
                f"{r.numerical:.8g} (abs error {abs(r.analytic - r.numerical):.3g} > "
                f"atol {atol:g} + rtol {rtol:g} * |numerical|)")
    return True


def numerical_grad(fn, *inputs, eps=1e-6, grad_output=None):
    """Central-difference gradients of ``fn(*inputs)`` (summed against
    ``grad_output``, default ones) for every floating input, as float64
    arrays in input order."""
    args, variables = _prepare(inputs)
    outputs = _outputs(fn(*args))
    if grad_output is None:
        directions = [_like(np.ones(y.shape), y) for y in outputs]
    else:
        directions = grad_output if isinstance(grad_output, (list, tuple)) else [grad_output]
        directions = [_like(np.asarray(to_device(d, "cpu")), y)
                      for d, y in zip(directions, outputs)]
    grads = []
    for v in variables:
        g = np.empty(v.shape)
        flat, gflat = v.data.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = float(flat[i])     # a copy: on CuPy flat[i] is a 0-d view
            flat[i] = old + eps
            plus = _scalar_value(_outputs(fn(*args)), directions)
            flat[i] = old - eps
            minus = _scalar_value(_outputs(fn(*args)), directions)
            flat[i] = old
            gflat[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-4, samples=None, seed=0):
    """Check ``fn``'s analytic gradients against central differences.

    Floating inputs (arrays or Variables) are copied to float64 and checked;
    integer arrays and other values are passed through as constants. Returns
    True, or raises ``GradcheckError`` naming the worst element.
    """
    args, variables = _prepare(inputs)
    reports = compare_gradients(lambda: fn(*args), variables, eps, atol, rtol,
                                samples, seed)
    return _raise_on_failure(reports, atol, rtol)


def _upstream_variables(outputs, grad_outputs, rng):
    """The upstream gradients of ``outputs`` as float64 Variables that require
    gradients (random normal unless given): inputs of the first gradient."""
    if grad_outputs is None:
        grad_outputs = [rng.standard_normal(y.shape) for y in outputs]
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"gradgradcheck: {len(outputs)} outputs but "
                         f"{len(grad_outputs)} grad_outputs")
    upstream = []
    for k, (y, g) in enumerate(zip(outputs, grad_outputs)):
        g = to_device(g.data if isinstance(g, Variable) else g, device_of(y.data))
        g = get_array_module(g).array(g, dtype=np.float64)
        if g.shape != y.shape:
            raise ValueError(f"gradgradcheck: grad_outputs[{k}] has shape {g.shape}, "
                             f"output {k} has shape {y.shape}")
        upstream.append(Variable(g, name=f"upstream{k}"))
    return upstream


def compare_second_order(fn, args, variables, grad_outputs=None, eps=1e-6, atol=1e-4,
                         rtol=1e-3, samples=None, seed=0):
    """Reports for the first gradient of ``fn(*args)`` as a function of the
    inputs AND of the upstream gradient (like torch.autograd.gradgradcheck).

    The first gradient g(x, u) = d<fn(x), u>/dx is taken with
    ``create_graph=True``; its derivatives with respect to x (the Hessian
    part) and to u (the backward's own linearity in u, which a wrong factor
    in a ``*Grad`` op's upstream term breaks) are compared with central
    differences. One report per input, then one per upstream gradient
    (named ``upstream0``...).
    """
    rng = np.random.default_rng(seed + 1)
    upstream = _upstream_variables(_outputs(fn(*args)), grad_outputs, rng)

    def first_gradients():
        with core.enable_grad():
            outputs = _outputs(fn(*args))
            total = sum((y * u).sum() for y, u in zip(outputs, upstream))
            grads = core.grad(total, variables, create_graph=True)
        return [Variable(get_array_module(v.data).zeros(v.shape)) if g is None else g
                for v, g in zip(variables, grads)]

    return compare_gradients(first_gradients, variables + upstream, eps, atol, rtol,
                             samples, seed, what="gradgradcheck")


def gradgradcheck(fn, *inputs, grad_outputs=None, eps=1e-6, atol=1e-4, rtol=1e-3,
                  samples=None, seed=0):
    """Check second derivatives, upstream gradient included: gradcheck of the
    first gradient d<fn(x), u>/dx with respect to both the floating inputs x
    and the upstream gradient u (random, or ``grad_outputs``), as
    torch.autograd.gradgradcheck does. Returns True or raises GradcheckError.
    """
    args, variables = _prepare(inputs)
    reports = compare_second_order(fn, args, variables, grad_outputs, eps, atol, rtol,
                                   samples, seed)
    return _raise_on_failure(reports, atol, rtol, what="gradgradcheck")


def reset_states(module):
    """Start every recurrent layer of ``module`` from a zero state: the
    module's own ``reset_state()`` when it has one (a language model's), and
    ``reset_state()`` of every RNN/LSTM/GRU inside it (a model of your own
    that holds a stateful LSTM need not define one)."""
    from autograd_nlp.layers import recurrent_layers   # layers import this module's users
    reset = getattr(module, "reset_state", None)
    if callable(reset):
        reset()
    for _, layer in recurrent_layers(module):
        layer.reset_state()


def check_module(module, loss_fn, eps=1e-6, atol=1e-5, rtol=1e-4, samples=None, seed=0,
                 reset_state=True):
    """Compare analytic and numerical gradients of ``loss_fn()`` with respect
    to every parameter of ``module`` (which must be float64: build it inside
    ``ag.default_dtype(np.float64)`` or call ``module.astype(np.float64)``).
    Returns one GradientReport per parameter, named by its dotted path.

    ``loss_fn()`` takes no arguments: it closes over the inputs (token ids,
    targets) and returns a Variable (e.g. the scalar loss). With
    ``reset_state`` (the default) every recurrent state of ``module`` is
    reset before each evaluation (``reset_states``), so a stateful model is
    checked from the same zero state each time; the state it carries after
    the check is that of one evaluation. A loss that still changes between
    two evaluations at the same parameters raises ``ImpureLossError``."""
    if not callable(loss_fn):
        raise TypeError(f"check_module: loss_fn must be a function of no arguments "
                        f"returning the loss (e.g. lambda: loss(model(ids), targets)), "
                        f"got {type(loss_fn).__name__}")
    named = list(module.named_params())
    bad = [n for n, p in named if p.dtype != np.float64]
    if bad:
        raise TypeError(f"check_module: parameters {bad} are not float64; call "
                        f"module.astype(np.float64) first (central differences need it)")
    def evaluate():
        if reset_state:
            reset_states(module)
        return loss_fn()
    return compare_gradients(evaluate, [p for _, p in named], eps, atol, rtol, samples,
                             seed, names=[n for n, _ in named], what="check_module")


def gradcheck_module(module, loss_fn, eps=1e-6, atol=1e-5, rtol=1e-4, samples=None, seed=0,
                     reset_state=True):
    """``check_module``, raising GradcheckError on the first wrong parameter."""
    reports = check_module(module, loss_fn, eps, atol, rtol, samples, seed, reset_state)
    return _raise_on_failure(reports, atol, rtol, what="check_module")

"""Numerical edge cases against torch in float64: masked (-inf) rows, pow at 0,
empty axes, zero-size inputs for every registered op, error messages."""
import warnings

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F
from autograd_nlp.functions.registry import all_ops, zero_size_cases

try:
    import torch
except ImportError:   # the torch comparisons skip; the rest still runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None,
                                 reason="PyTorch is not installed (pip install torch==2.13.0)")


def _normalized(name):
    return name.replace("_", "").lower()


# --- zero-size inputs, every registered op ------------------------------------
ZERO_CASES = [(name, label) for name, spec in sorted(all_ops().items())
              for label in zero_size_cases(spec)]


def _run_ours(spec, args, kwargs, upstream_rng):
    """Forward, then backward with a random upstream gradient; returns
    (outputs, the input Variables, their gradients)."""
    xs = [ag.Variable(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
          for a in args]
    ys = spec(*xs, **kwargs)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    upstream = [upstream_rng.standard_normal(y.shape) for y in ys]
    total = sum((y * u).sum() for y, u in zip(ys, upstream))
    total.backward()
    variables = [x for x in xs if isinstance(x, ag.Variable)]
    return ys, upstream, variables


def _run_torch(spec, args, kwargs, upstream):
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray)
          else a for a in args]
    tys = spec.torch(torch, *ts, **kwargs)
    tys = list(tys) if isinstance(tys, (list, tuple)) else [tys]
    total = sum((ty * torch.tensor(u)).sum() for ty, u in zip(tys, upstream))
    if total.requires_grad:
        total.backward()
    grads = [t.grad if t.grad is not None else torch.zeros_like(t)
             for t in ts if isinstance(t, torch.Tensor) and t.requires_grad]
    return tys, grads


@pytest.mark.parametrize("name,label", ZERO_CASES, ids=[f"{n}[{c}]" for n, c in ZERO_CASES])
def test_zero_size_inputs_work_or_raise_an_error_naming_the_op(name, label):
    spec = all_ops()[name]
    args, kwargs = zero_size_cases(spec)[label](np.random.default_rng(0))
    empty_input = any(isinstance(a, np.ndarray) and a.size == 0 for a in args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # mean of nothing: NaN, warned
        try:
            ys, upstream, variables = _run_ours(spec, args, kwargs, np.random.default_rng(1))
        except Exception as e:   # noqa: BLE001 - the message is what is checked
            assert _normalized(name) in _normalized(str(e)), \
                f"{name}: zero-size input raised an error that does not name the op: {e!r}"
            if spec.torch is not None and torch is not None:
                with pytest.raises(Exception):    # noqa: B017 - only where torch refuses too
                    spec.torch(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a
                                        for a in args], **kwargs)
            return
    assert empty_input or any(y.size == 0 for y in ys), "neither input nor output is empty"
    for v in variables:
        assert v.grad is None or v.grad.shape == v.shape, f"{name}: gradient shape"
    if spec.torch is None or torch is None:
        return
    tys, tgrads = _run_torch(spec, args, kwargs, upstream)
    for y, ty in zip(ys, tys):
        assert y.shape == tuple(ty.shape), f"{name}: output shape {y.shape} vs torch {ty.shape}"
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    for v, tg in zip(variables, tgrads):
        ours = np.zeros(v.shape) if v.grad is None else v.grad.data
        np.testing.assert_allclose(ours, tg.numpy(), rtol=1e-12, atol=1e-12)


# --- masked (-inf) rows -----------------------------------------------------------
INF = np.inf
MASKED_ROWS = np.array([[-INF, -INF, -INF, -INF],     # fully masked
                        [0.5, -INF, 1.5, -INF],       # partly masked
                        [0.3, -1.0, 2.0, 0.1]])       # unmasked


def _ours_and_torchs(fn, torch_fn, x, upstream):
    v = ag.Variable(x.copy())
    with np.errstate(invalid="ignore"):
        y = fn(v)
        y.backward(grad=upstream)
    t = torch.tensor(x, requires_grad=True)
    ty = torch_fn(t)
    ty.backward(torch.tensor(upstream))
    return y.data, v.grad.data, ty.detach().numpy(), t.grad.numpy()


@needs_torch
@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
def test_masked_rows_match_torch_and_keep_nan_out_of_other_rows(name):
    torch_fns = {"logsumexp": lambda t: torch.logsumexp(t, -1),
                 "softmax": lambda t: torch.softmax(t, -1),
                 "log_softmax": lambda t: torch.log_softmax(t, -1)}
    fn = getattr(F, name)
    shape = (3,) if name == "logsumexp" else (3, 4)
    upstream = np.random.default_rng(0).standard_normal(shape)
    y, g, ty, tg = _ours_and_torchs(fn, torch_fns[name], MASKED_ROWS, upstream)
    np.testing.assert_allclose(y, ty, rtol=1e-12)     # same values, same -inf/NaN positions
    np.testing.assert_allclose(g, tg, rtol=1e-12)
    assert np.isfinite(g[1:]).all()                   # rows with a finite entry: finite gradients
    if name == "logsumexp":
        assert y[0] == -INF                           # was NaN


@needs_torch
def test_logsumexp_with_plus_inf_matches_torch():
    x = np.array([[INF, 0.0, 1.0], [INF, INF, 0.0], [2.0, -INF, 1.0]])
    upstream = np.ones(3)
    y, g, ty, tg = _ours_and_torchs(lambda v: F.logsumexp(v, axis=-1),
                                    lambda t: torch.logsumexp(t, -1), x, upstream)
    np.testing.assert_allclose(y, ty, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)


@needs_torch
def test_masked_fill_then_softmax_sends_no_nan_to_the_masked_inputs():
    """A fully masked row's softmax is NaN (as torch), but the masked inputs
    get gradient 0: where/masked_fill select the gradient, never multiply it."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    mask = np.isinf(MASKED_ROWS)
    upstream = rng.standard_normal((3, 4))
    y, g, ty, tg = _ours_and_torchs(lambda v: F.softmax(F.masked_fill(v, mask, -INF)),
                                    lambda t: torch.softmax(t.masked_fill(
                                        torch.tensor(mask), -INF), -1), x, upstream)
    np.testing.assert_allclose(y, ty, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)
    assert np.isfinite(g).all() and (g[mask] == 0).all()


@needs_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_on_masked_rows(reduction):
    """Partly masked rows: torch's loss and gradient. An ignored, fully masked
    row (e.g. padding): loss 0 and gradient 0, where torch's gradient is NaN."""
    x = MASKED_ROWS
    targets = np.array([-1, 2, 1])                    # the fully masked row is ignored
    upstream = np.ones(3) if reduction == "none" else np.array(1.5)
    y, g, ty, tg = _ours_and_torchs(
        lambda v: F.softmax_cross_entropy(v, targets, ignore_label=-1, reduction=reduction),
        lambda t: torch.nn.functional.cross_entropy(t, torch.tensor(targets), ignore_index=-1,
                                                    reduction=reduction), x, upstream)
    np.testing.assert_allclose(y, ty, rtol=1e-12)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(g[1:], tg[1:], rtol=1e-12)
    assert np.isnan(tg[0]).all() and (g[0] == 0).all()


def test_cross_entropy_second_derivatives_stay_finite_on_an_ignored_masked_row():
    x = ag.Variable(MASKED_ROWS.copy())
    loss = F.softmax_cross_entropy(x, np.array([-1, 2, 1]), ignore_label=-1)
    (g,) = ag.grad(loss, [x], create_graph=True)
    (gg,) = ag.grad((g * g).sum(), [x])
    assert np.isfinite(gg.data[0]).all() and (gg.data[0] == 0).all()
    assert np.isfinite(gg.data[2]).all()


def test_cross_entropy_with_nothing_counted_is_zero_not_nan():
    """A deliberate difference from torch (0 / 0 = NaN there): a batch that is
    all padding adds nothing instead of poisoning the parameters with NaN."""
    x = ag.Variable(np.random.default_rng(2).standard_normal((2, 3)))
    loss = F.softmax_cross_entropy(x, np.array([-1, -1]), ignore_label=-1)
    loss.backward()
    assert float(loss.data) == 0.0 and (x.grad.data == 0).all()
    empty = F.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    assert float(empty.data) == 0.0


# --- empty axes -------------------------------------------------------------------
def test_mean_over_an_empty_axis_is_nan_with_a_warning_like_numpy_and_torch():
    x = ag.Variable(np.zeros((3, 0)))
    with pytest.warns(RuntimeWarning, match="mean: averaging over an empty axis"):
        y = F.mean(x, axis=1)
    assert y.shape == (3,) and np.isnan(y.data).all()
    with pytest.warns(RuntimeWarning):
        expected = np.zeros((3, 0)).mean(axis=1)
    np.testing.assert_array_equal(y.data, expected)
    y.backward(grad=np.ones(3))
    assert x.grad.shape == (3, 0)
    with pytest.warns(RuntimeWarning):
        assert np.isnan(F.mean(np.zeros(0)).data)


def test_reductions_over_an_empty_axis_follow_torch():
    x = np.zeros((2, 0))
    np.testing.assert_array_equal(F.sum(x, axis=1).data, [0.0, 0.0])
    np.testing.assert_array_equal(F.logsumexp(x, axis=1).data, [-INF, -INF])
    assert F.softmax(x).shape == (2, 0) and F.log_softmax(x).shape == (2, 0)
    with pytest.raises(ag.ShapeError, match=r"max: cannot take the maximum over an empty "
                                            r"axis \(input shape \(2, 0\), axis=1\)"):
        F.max(x, axis=1)


# --- error messages -------------------------------------------------------------
def test_sum_to_an_impossible_shape_names_the_op_both_shapes_and_the_rule():
    with pytest.raises(ag.ShapeError) as e:
        F.sum_to(np.zeros((1, 20)), (10,))
    message = str(e.value)
    assert "sum_to" in message and "(1, 20)" in message and "(10,)" in message
    assert "broadcast" in message and "equal to the input's or 1" in message
    with pytest.raises(ag.ShapeError, match="no more axes than the input"):
        F.sum_to(np.zeros(4), (2, 4))


def test_masked_fill_and_getitem_errors_name_the_op():
    x = np.zeros((3, 4))
    with pytest.raises(ag.ShapeError, match=r"masked_fill: mask of shape \(2, 3, 4\) does "
                                            r"not broadcast to x's shape \(3, 4\)"):
        F.masked_fill(x, np.zeros((2, 3, 4), bool), 0.0)
    with pytest.raises(TypeError, match="masked_fill: mask must be a boolean array"):
        F.masked_fill(x, np.zeros((3, 4), int), 0.0)
    with pytest.raises(IndexError,
                       match=r"getitem: index 5 is out of bounds .*input shape \(3, 4\)"):
        F.getitem(x, 5)


# --- pow at zero: PyTorch's values, gradients and second derivatives ----------
def _derivatives(f, at):
    """f(x), f'(x) and f''(x) of an elementwise ``f`` at the points ``at``."""
    x = ag.Variable(np.array(at, dtype=np.float64))
    y = f(x)
    gx, = ag.grad(y, [x], grad_outputs=np.ones(y.shape), create_graph=True)
    ggx, = ag.grad(gx, [x], grad_outputs=np.ones(x.shape))
    return y.data, gx.data, ggx.data


def _torch_derivatives(f, at):
    x = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    y = f(x)
    gx, = torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)
    ggx = None
    if gx.requires_grad:            # torch's d/dx x ** 0 is a constant zeros_like(x)
        ggx, = torch.autograd.grad(gx, x, torch.ones_like(gx), allow_unused=True)
    ggx = torch.zeros_like(x) if ggx is None else ggx
    return y.detach().numpy(), gx.detach().numpy(), ggx.numpy()


POW_AT_ZERO = {   # f, points, (values, first derivatives, second derivatives)
    "x**0": (lambda x: x ** 0, [0.0, 2.0, -1.0], ([1, 1, 1], [0, 0, 0], [0, 0, 0])),
    "x**0.0": (lambda x: x ** 0.0, [0.0, 2.0], ([1, 1], [0, 0], [0, 0])),
    "x**1": (lambda x: x ** 1, [0.0, 2.0, -1.0], ([0, 2, -1], [1, 1, 1], [0, 0, 0])),
    "x**2": (lambda x: x ** 2, [0.0, 3.0], ([0, 9], [0, 6], [2, 2])),
    "x**3": (lambda x: x ** 3, [0.0, -1.0], ([0, -1], [0, 3], [0, -6])),
}


@pytest.mark.parametrize("case", POW_AT_ZERO)
def test_pow_of_a_number_exponent_at_zero(case):
    f, at, expected = POW_AT_ZERO[case]
    with np.errstate(all="raise"):             # and no NaN/Inf is made on the way
        got = _derivatives(f, at)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, np.array(e, dtype=np.float64))
    if torch is not None:
        for g, t in zip(got, _torch_derivatives(f, at)):
            np.testing.assert_array_equal(g, t)


def test_pow_of_zero_to_a_variable_exponent():
    """d/dy 0 ** y is 0 for y >= 0 (torch: 0 ** y is 0 for y > 0 and tends
    to 1 as y -> +0) and -inf for y < 0; the second derivative of the
    selected 0 is 0."""
    with np.errstate(all="raise"):
        value, d1, d2 = _derivatives(lambda y: F.pow(0.0, y), [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(value, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(d1, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(d2, [0.0, 0.0, 0.0])
    y = ag.Variable(np.array([-1.0, -2.0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 0.0 ** y                                     # Variable.__rpow__
        z.backward(grad=np.ones(2))
    np.testing.assert_array_equal(z.data, [np.inf, np.inf])
    np.testing.assert_array_equal(y.grad.data, [-np.inf, -np.inf])
    if torch is not None:
        ty = torch.tensor([0.0, 0.5, 2.0, -1.0], dtype=torch.float64, requires_grad=True)
        (0.0 ** ty).backward(torch.ones(4, dtype=torch.float64))
        np.testing.assert_array_equal(ty.grad.numpy(), [0.0, 0.0, 0.0, -np.inf])


def test_pow_with_both_variables_at_zero():
    x = ag.Variable(np.array([0.0, 0.0, 0.0, 2.0]))
    c = ag.Variable(np.array([0.0, 1.0, 2.0, 0.0]))
    with np.errstate(all="raise"):
        y = x ** c
        y.backward(grad=np.ones(4))
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0, 0.0])     # c == 0: 0
    np.testing.assert_array_equal(c.grad.data, [0.0, 0.0, 0.0, np.log(2.0)])
    if torch is not None:
        tx = torch.tensor(x.data, requires_grad=True)
        tc = torch.tensor(c.data, requires_grad=True)
        (tx ** tc).backward(torch.ones(4, dtype=torch.float64))
        np.testing.assert_array_equal(tx.grad.numpy(), x.grad.data)
        np.testing.assert_array_equal(tc.grad.numpy(), c.grad.data)


def test_pow_at_zero_passes_detect_anomaly():
    x = ag.Variable(np.array([0.0, 1.0]))
    with ag.detect_anomaly():
        (x ** 0).sum().backward()
        F.pow(0.0, x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])

"""The engine: Variable, Function, the backward walk, config switches,
memory behaviour and error messages."""
import gc
import weakref

import numpy as np
import pytest

import autograd_nlp as ag
import autograd_nlp.functions as F


def var(*values, **kwargs):
    return ag.Variable(np.array(values, dtype=np.float64), **kwargs)


# --- basics -----------------------------------------------------------------------
def test_variable_accepts_numbers_and_numpy_scalars():
    assert ag.Variable(3.0).shape == ()
    assert ag.Variable(np.float32(2.0)).dtype == np.float32
    x = ag.Variable(np.ones((2, 3)), name="x")
    assert (x.shape, x.ndim, x.size, x.name, len(x)) == ((2, 3), 2, 6, "x", 2)
    assert "name='x'" in repr(x)


def test_backward_of_a_simple_expression():
    x = var(2.0)
    y = x ** 3 + 2 * x      # dy/dx = 3x^2 + 2 = 14
    y.backward()
    assert x.grad.data[0] == pytest.approx(14.0)


def test_gradients_accumulate_over_reuse():
    x = var(3.0)
    y = x * x + x           # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad.data[0] == pytest.approx(7.0)
    y2 = x * 2
    y2.backward()           # accumulates on top
    assert x.grad.data[0] == pytest.approx(9.0)
    x.cleargrad()
    assert x.grad is None


def test_diamond_graph_visits_each_function_once():
    x = var(1.5)
    a = F.tanh(x)
    y = a * a + F.exp(a)    # a used by three consumers
    y.backward()
    t = np.tanh(1.5)
    assert x.grad.data[0] == pytest.approx((2 * t + np.exp(t)) * (1 - t * t))


def test_intermediate_gradients_are_released_unless_retained():
    x = var(1.0, 2.0)
    h = x * 2
    y = (h * h).sum()
    y.backward()
    assert h.grad is None and x.grad is not None
    x.cleargrad()
    y = ((x * 2) ** 2).sum()
    h = y.creator.inputs[0]
    y.backward(retain_grad=True)
    assert h.grad is not None


def test_operators_with_arrays_and_scalars_on_either_side():
    x = ag.Variable(np.array([1.0, 2.0], dtype=np.float32))
    a = np.array([3.0, 4.0], dtype=np.float32)
    for y, expected in [(a + x, [4, 6]), (a - x, [2, 2]), (a * x, [3, 8]),
                        (a / x, [3, 2]), (2.0 - x, [1, 0]), (1.0 / x, [1, 0.5]),
                        (-x, [-1, -2]), (x ** 2, [1, 4])]:
        assert isinstance(y, ag.Variable)
        np.testing.assert_allclose(y.data, expected)
        assert y.dtype == np.float32, "a Python scalar must not promote float32"
    m = ag.Variable(np.arange(6.0).reshape(2, 3))
    assert (m.T.shape, m.reshape(3, 2).shape, m.transpose(1, 0).shape) == ((3, 2), (3, 2), (3, 2))
    assert m.sum(axis=0).shape == (3,) and m.mean().shape == ()
    assert (np.eye(2) @ m).shape == (2, 3) and (m @ np.ones((3, 1))).shape == (2, 1)
    assert m[1, 1:].data.tolist() == [4.0, 5.0]


# --- errors ----------------------------------------------------------------------
def test_backward_on_non_scalar_needs_an_explicit_gradient():
    y = var(1.0, 2.0) * 3
    with pytest.raises(ValueError, match="non-scalar"):
        y.backward()
    y.backward(grad=np.array([1.0, 10.0]))
    assert y.creator.inputs[0].grad.data.tolist() == [3.0, 30.0]


def test_shape_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"Add.*\(2, 3\).*\(4,\)"):
        ag.Variable(np.ones((2, 3))) + np.ones(4)
    with pytest.raises(ag.ShapeError, match=r"MatMul.*\(2, 3\).*\(4, 5\)"):
        F.matmul(np.ones((2, 3)), ag.Variable(np.ones((4, 5))))


def test_integer_arrays_cannot_require_gradients():
    with pytest.raises(TypeError, match="floating"):
        ag.Variable(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="integer"):
        ag.gradcheck(F.tanh, np.arange(3))
    ids = ag.Variable(np.arange(3))
    assert not ids.requires_grad


def test_embedding_ids_out_of_range():
    W = ag.Parameter(np.zeros((5, 2)))
    with pytest.raises(IndexError, match=r"\[0, 5\)"):
        F.embedding(W, np.array([1, 5]))


# --- config switches --------------------------------------------------------------
def test_no_grad_records_nothing():
    x = var(1.0)
    with ag.no_grad():
        y = F.tanh(x) * 2
    assert y.creator is None and not y.requires_grad
    with ag.no_grad():
        with ag.enable_grad():
            assert F.tanh(x).creator is not None


def test_constants_do_not_record_a_graph():
    y = F.tanh(np.ones(3)) * 2
    assert y.creator is None


def test_detect_anomaly_names_the_function():
    x = var(-1.0, 1.0)
    with pytest.raises(FloatingPointError, match="Log.forward"):
        with ag.detect_anomaly(), np.errstate(invalid="ignore"):
            F.log(x)
    z = var(0.0)
    with pytest.raises(FloatingPointError, match="Sqrt.backward") as info:
        with ag.detect_anomaly(), np.errstate(divide="ignore"):
            F.sqrt(z).backward()
    assert "test_core.py" in str(info.value), "should say where the op was created"


def test_parameters_default_to_float32():
    p = ag.Parameter(np.ones((2, 2)))
    assert p.dtype == np.float32
    with ag.default_dtype(np.float64):
        assert ag.Parameter(np.ones(2)).dtype == np.float64
    assert ag.Parameter(np.ones(2), dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError):
        ag.Parameter(np.arange(3))


# --- graph surgery -------------------------------------------------------------------
def test_unchain_backward_cuts_the_graph_and_keeps_values():
    x = var(0.5)
    h = F.tanh(x)
    y = h * 3
    y.unchain_backward()
    assert h.creator is None and h.cut == "Tanh"
    y.backward()
    assert h.grad is not None and x.grad is None
    assert y.data[0] == pytest.approx(3 * np.tanh(0.5))


def test_detach_stops_gradients():
    x = var(2.0)
    d = (x * x).detach()
    y = d * x
    y.backward()
    assert x.grad.data[0] == pytest.approx(4.0)   # d treated as a constant
    assert d.cut == "Mul"


def test_grad_function_leaves_dot_grad_untouched():
    x = var(1.0, 2.0)
    x.grad = ag.Variable(np.array([5.0, 5.0]))
    (g,) = ag.grad((x * x).sum(), [x])
    assert g.data.tolist() == [2.0, 4.0]
    assert x.grad.data.tolist() == [5.0, 5.0]


# --- memory ------------------------------------------------------------------------
def test_graph_is_freed_by_reference_counting():
    gc.disable()
    try:
        x = var(1.0, 2.0)
        y = x
        for _ in range(50):
            y = F.tanh(y) * 1.5
        first = weakref.ref(y.creator)
        inner = y.creator.inputs[0].creator
        probe = weakref.ref(inner)
        del inner
        loss = y.sum()
        del y
        assert first() is not None
        del loss
        assert first() is None and probe() is None, \
            "graph should be freed without the cycle collector"
    finally:
        gc.enable()


def test_graph_stats_and_live_function_count():
    x = var(1.0, 2.0, 3.0)
    base = ag.live_function_count()
    y = x
    for _ in range(10):
        y = F.tanh(y)
    loss = y.sum()
    stats = ag.graph_stats(loss)
    assert stats["functions"] == 11 and stats["depth"] == 11
    assert stats["bytes"] >= 11 * 3 * 8
    assert ag.live_function_count() - base == 11
    del y, loss
    assert ag.live_function_count(collect=False) == base   # freed by reference counting


def test_long_chain_has_no_recursion_limit():
    x = var(1.0)
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.backward()
    assert x.grad.data[0] == pytest.approx(1.0)


# --- higher order --------------------------------------------------------------------
def test_newton_method_with_second_derivatives():
    """Minimise f(x) = x^4 - 2x^2 from x = 2: converges to 1 (DeZero step 29)."""
    x = ag.Variable(np.array(2.0))
    for _ in range(10):
        y = x ** 4 - 2 * x ** 2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        x = ag.Variable(x.data - gx.data / x.grad.data)
    assert float(x.data) == pytest.approx(1.0, abs=1e-10)


def test_nth_derivatives_of_tanh():
    x = ag.Variable(np.array(0.3))
    y = F.tanh(x)
    t = np.tanh(0.3)
    expected = [1 - t ** 2, -2 * t * (1 - t ** 2), (1 - t ** 2) * (6 * t ** 2 - 2)]
    for want in expected:
        x.cleargrad()
        y.backward(create_graph=True)
        y = x.grad
        assert float(y.data) == pytest.approx(want)


def test_fused_function_refuses_create_graph():
    class Double(ag.FusedFunction):
        def forward(self, x):
            return 2 * x

        def backward_arrays(self, gy):
            return 2 * gy

    x = var(1.0, 2.0)
    assert ag.gradcheck(lambda v: Double()(v), x.data)
    with pytest.raises(NotImplementedError, match="not twice differentiable"):
        Double()(x).sum().backward(create_graph=True)


def test_custom_function_in_the_docs_style():
    class Cube(ag.Function):
        def forward(self, x):
            return x ** 3

        def backward(self, gy):
            x, = self.inputs
            return gy * 3 * x ** 2

    assert ag.gradcheck(lambda v: Cube()(v), np.array([0.5, -1.0]))
    assert ag.gradgradcheck(lambda v: Cube()(v), np.array([0.5, -1.0]))


def test_gradcheck_reports_the_worst_element():
    class Wrong(ag.Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            return gy * self.inputs[0]   # missing the factor 2

    with pytest.raises(ag.GradcheckError, match="analytic .* numerical"):
        ag.gradcheck(lambda v: Wrong()(v), np.array([1.0, 2.0]))


def test_numerical_grad_matches_closed_form():
    x = np.array([0.1, 0.7])
    (g,) = ag.numerical_grad(lambda v: F.sin(v), x)
    np.testing.assert_allclose(g, np.cos(x), rtol=1e-8)


def test_in_place_accumulation_never_touches_arrays_others_hold():
    x = var(1.0, 2.0)
    (x * x).sum().backward()
    first = x.grad
    kept = first.data.copy()
    y = x * 3
    (y + y + x).sum().backward()        # several contributions into x.grad
    np.testing.assert_array_equal(first.data, kept)     # the earlier gradient is intact
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 7)
    a, b = var(1.0), var(2.0)
    s = a + b                           # Add hands the same gradient object to both
    (s * s + a).sum().backward()
    assert a.grad.data[0] == pytest.approx(2 * 3.0 + 1)
    assert b.grad.data[0] == pytest.approx(2 * 3.0)


# --- ag.grad: any requested Variable, no .grad touched ---------------------------------
def test_grad_of_an_intermediate_result():
    x = var(0.5, -1.0)
    h = F.tanh(x)
    y = (h * h).sum()
    gh, gx = ag.grad(y, [h, x])
    np.testing.assert_allclose(gh.data, 2 * np.tanh(x.data))
    np.testing.assert_allclose(gx.data, 2 * np.tanh(x.data) * (1 - np.tanh(x.data) ** 2))
    assert x.grad is None and h.grad is None


def test_grad_touches_no_dot_grad_anywhere():
    x, w = var(1.0, 2.0), var(3.0, 4.0)
    h = x * w
    (gx,) = ag.grad(h.sum(), [x])
    assert gx.data.tolist() == [3.0, 4.0]
    assert w.grad is None and x.grad is None and h.grad is None


def test_grad_of_several_outputs_walks_once_and_sums():
    x = var(1.0, 2.0)
    a = x * x                       # da/dx = 2x
    b = a * 3                       # db/dx = 6x
    ga, gb = np.array([1.0, 1.0]), np.array([10.0, 0.0])
    (g,) = ag.grad([a, b], [x], grad_outputs=[ga, gb])
    np.testing.assert_allclose(g.data, 2 * x.data * ga + 6 * x.data * gb)
    assert ag.grad(a.sum(), [var(5.0)]) == [None]      # not on the path
    with pytest.raises(ValueError, match="grad_outputs"):
        ag.grad([a, b], [x], grad_outputs=[ga])


def test_grad_with_create_graph_gives_a_hessian_vector_product():
    x = var(0.3, -0.7)
    y = (x ** 3).sum() + (x[0] * x[1])
    (g,) = ag.grad(y, [x], create_graph=True)        # (3x0^2 + x1, 3x1^2 + x0)
    (hv,) = ag.grad((g * np.array([1.0, 2.0])).sum(), [x])
    # H = [[6 x0, 1], [1, 6 x1]];  H @ (1, 2)
    np.testing.assert_allclose(hv.data, [6 * 0.3 + 2, 1 + 12 * -0.7])
    assert x.grad is None


# --- backward twice: retained gradients are reports, never inputs ------------------------
def test_backward_twice_with_retained_gradients_matches_torch():
    """tanh(x)^2 summed, backward twice: twice one backward (torch), not four times."""
    data = np.array([0.5, 1.0])
    x = ag.Variable(data.copy())
    z = (F.tanh(x) ** 2).sum()
    z.backward(retain_grad=True)
    once = x.grad.data.copy()
    np.testing.assert_allclose(once, 2 * np.tanh(data) * (1 - np.tanh(data) ** 2))
    z.backward()
    np.testing.assert_allclose(x.grad.data, 2 * once)
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    tx = torch.tensor(data, requires_grad=True)
    tz = (torch.tanh(tx) ** 2).sum()
    tz.backward(retain_graph=True)
    tz.backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)


def test_second_backward_from_an_intermediate_ignores_its_retained_gradient():
    """y = (2x).sum(); z = 3y; z.backward(retain_grad=True); x.cleargrad();
    y.backward(): x.grad is 2 (dy/dx), not 12 (the retained 3 used as seed)."""
    x = var(1.0, 2.0)
    y = (2 * x).sum()
    z = 3 * y
    z.backward(retain_grad=True)
    assert x.grad.data.tolist() == [6.0, 6.0]
    assert float(y.grad.data) == 3.0 and float(z.grad.data) == 1.0   # reports
    x.cleargrad()
    y.backward()
    assert x.grad.data.tolist() == [2.0, 2.0]
    assert float(y.grad.data) == 3.0            # a walk without retain_grad leaves it
    z.backward(retain_grad=True)
    assert float(y.grad.data) == 6.0            # reports accumulate, like leaves
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    tx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    ty = (2 * tx).sum()
    tz = 3 * ty
    tz.backward(retain_graph=True)
    tx.grad = None
    ty.backward()
    assert tx.grad.tolist() == [2.0, 2.0]


def test_retained_gradients_do_not_change_the_leaves():
    x = var(0.2, 0.4)
    h = F.exp(x)
    y = (h * h).sum()
    y.backward(retain_grad=True)
    first = x.grad.data.copy()
    x.cleargrad()
    y.backward(retain_grad=True)
    np.testing.assert_allclose(x.grad.data, first)
    np.testing.assert_allclose(h.grad.data, 2 * 2 * np.exp(x.data))   # two reports summed


def test_backward_of_a_leaf_accumulates_ones():
    x = var(1.0)
    x.backward()
    x.backward()
    assert x.grad.data.tolist() == [2.0]


def test_backward_without_a_graph_names_no_grad():
    x = var(1.0, 2.0)
    with ag.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"no_grad\(\)"):
        y.backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        ag.grad(y, [x])
    assert x.grad is None
    constant = ag.Variable(np.ones(2), requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        constant.sum().backward()


# --- dtypes -----------------------------------------------------------------------------
def test_gradients_have_their_variables_dtype():
    """float64 data into a float32 Parameter: values follow NumPy's promotion
    (float64 activations), gradients are cast to each Variable's dtype."""
    W = ag.Parameter(np.ones((3, 2)))                           # float32
    b = ag.Parameter(np.zeros(2))
    x = np.random.default_rng(0).standard_normal((4, 3))        # float64 data
    h = F.tanh(x @ W + b)
    assert h.dtype == np.float64
    loss = (h * h).sum()
    loss.backward(retain_grad=True)
    assert W.grad.dtype == np.float32 and b.grad.dtype == np.float32
    assert h.grad.dtype == np.float64
    t = np.tanh(x @ np.ones((3, 2)))
    np.testing.assert_allclose(W.grad.data, x.T @ (2 * t * (1 - t ** 2)), rtol=1e-5)
    loss.backward()                                             # accumulation keeps it
    assert W.grad.dtype == np.float32


def test_gradient_casts_are_differentiable():
    w = ag.Variable(np.array([0.5, 2.0], dtype=np.float32))
    y = (w * np.array([1.0, 3.0]) * w).sum()                    # float64 result
    (g,) = ag.grad(y, [w], create_graph=True)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.data, [1.0, 12.0])            # 2 c w
    (gg,) = ag.grad(g.sum(), [w])
    assert gg.dtype == np.float32
    np.testing.assert_allclose(gg.data, [2.0, 6.0])            # 2 c


# --- detect_anomaly blames the right place ---------------------------------------------
def test_detect_anomaly_says_when_the_input_was_already_nan():
    x = ag.Variable(np.array([[1.0, np.nan, 2.0]]))
    with pytest.raises(FloatingPointError) as info, ag.detect_anomaly():
        F.tanh(x)
    message = str(info.value)
    assert "already" in message and "input 0" in message and "(1, 3)" in message
    assert "Tanh.forward produced" not in message


def test_detect_anomaly_says_when_the_upstream_gradient_was_already_nan():
    x = var(1.0, 2.0)
    y = F.exp(x)
    with pytest.raises(FloatingPointError) as info, ag.detect_anomaly():
        y.backward(grad=np.array([1.0, np.inf]))
    message = str(info.value)
    assert "upstream gradient" in message and "already" in message and "(2,)" in message


# --- one graph walk -----------------------------------------------------------------------
def test_walk_graph_orders():
    x = var(1.0)
    a = F.tanh(x)
    b = F.exp(a)
    y = a * b                        # Mul consumes a directly and through Exp
    by_generation = [type(f).__name__ for f in ag.walk_graph([y])]
    assert by_generation == ["Mul", "Exp", "Tanh"]  # each after all its consumers
    by_breadth = [type(f).__name__ for f in ag.walk_graph([y], order="breadth")]
    assert sorted(by_breadth) == ["Exp", "Mul", "Tanh"] and by_breadth[0] == "Mul"
    near = [type(f).__name__ for f in ag.walk_graph([y], order="breadth", max_depth=1)]
    assert near == ["Mul"]
    with pytest.raises(ValueError, match="order"):
        list(ag.walk_graph([y], order="random"))


def test_importing_the_data_package_loads_neither_engine_nor_graphviz():
    import subprocess
    import sys
    code = ("import sys, autograd_nlp.data; "
            "print(sorted(m for m in sys.modules if m.startswith(('autograd_nlp.core', "
            "'autograd_nlp.functions', 'autograd_nlp.gradcheck', 'graphviz', "
            "'autograd_nlp.graphviz'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=__file__.rsplit("/tests/", 1)[0])
    assert out.stdout.strip() == "[]", out.stdout
    code = ("import sys, numpy as np, autograd_nlp as ag; "
            "y = ag.functions.tanh(ag.Variable(np.ones(2))); "
            "before = 'graphviz' in sys.modules; ag.to_dot(y); "
            "print(before, 'graphviz' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=__file__.rsplit("/tests/", 1)[0])
    assert out.stdout.split() == ["False", "True"]


def test_public_names_importable_from_top_level_and_core():
    from autograd_nlp import core
    from autograd_nlp.gradcheck import gradcheck as gradcheck_function
    for name in ("Config", "using_config", "no_grad", "enable_grad", "eval_mode",
                 "train_mode", "default_dtype", "scope", "detect_anomaly", "graph_stats",
                 "live_function_count", "grad", "Variable", "Parameter", "Function"):
        assert getattr(ag, name) is getattr(core, name), name
    assert ag.gradcheck is gradcheck_function       # the function, not the submodule


def test_python_numbers_become_shared_constants_that_never_take_gradients():
    x = ag.Variable(np.array([1.0, -2.0], dtype=np.float32))
    a, b = x * 0.5, x * 0.5
    const_a, const_b = a.creator.inputs[1], b.creator.inputs[1]
    assert const_a is const_b and const_a.data.dtype == np.float32
    assert not const_a.requires_grad
    (a + b).sum().backward()
    assert const_a.grad is None
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])
    y = ag.Variable(np.array([1.0]))                       # float64: its own constant
    assert (y * 0.5).creator.inputs[1].data.dtype == np.float64
    neg, pos = (x * -0.0).data, (x * 0.0).data              # -0.0 is not confused with 0.0
    assert np.signbit(neg[0]) and not np.signbit(pos[0])

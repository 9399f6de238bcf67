"""autograd_nlp: define-by-run automatic differentiation on NumPy, and the NLP
models of *Deep Learning from Scratch 2* written as forward code only.

    import autograd_nlp as ag
    import autograd_nlp.functions as F
    x = ag.Variable(np.array([1.0, 2.0]), name="x")
    y = F.tanh(x).sum()
    y.backward()          # x.grad == 1 - tanh(x) ** 2
"""
from autograd_nlp.core import (Config, Function, FusedFunction, Parameter,  # noqa: F401
                               ShapeError, Variable, as_variable, default_dtype,
                               detect_anomaly, enable_grad, eval_mode, grad,
                               graph_stats, live_function_count, no_grad, scope,
                               train_mode, using_config)
from autograd_nlp.gradcheck import (GradcheckError, check_module,  # noqa: F401
                                    gradcheck, gradcheck_module, gradgradcheck,
                                    numerical_grad)
from autograd_nlp.graphviz import render_graph, to_dot  # noqa: F401
from autograd_nlp import functions, random  # noqa: F401

__version__ = "0.1.0"

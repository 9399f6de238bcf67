"""Differentiable ops, grouped by family. ``import autograd_nlp.functions as F``.

Every op here is registered in ``registry.REGISTRY`` with input makers, and
gradient-checked (first and second order) and compared with torch by one
parametrized test; an export that is not registered must be listed in
``registry.COMPOSITIONS`` (tests/functions/test_registry.py enforces it).
"""
from autograd_nlp.functions.math import (abs, add, clip, cos, div, exp, log,  # noqa: F401
                                         maximum, minimum, mul, neg, pow, sin,
                                         sqrt, sub, tanh)
from autograd_nlp.functions.shape import (broadcast_to, concat, getitem,  # noqa: F401
                                          masked_fill, reshape, split, stack,
                                          sum_to, swapaxes, transpose, unstack,
                                          where)
from autograd_nlp.functions.reduction import logsumexp, max, mean, min, sum  # noqa: F401
from autograd_nlp.functions.linalg import linear, matmul  # noqa: F401
from autograd_nlp.functions.activation import (elu, gelu, leaky_relu,  # noqa: F401
                                               log_softmax, relu, sigmoid,
                                               softmax, softplus)
from autograd_nlp.functions.loss import (mean_squared_error,  # noqa: F401
                                         sigmoid_cross_entropy,
                                         softmax_cross_entropy)
from autograd_nlp.functions.nn import dropout, embedding, layer_norm  # noqa: F401
from autograd_nlp.functions.recurrent import lstm_sequence, lstm_step  # noqa: F401
from autograd_nlp.functions.attention import attention_scores, masked_softmax  # noqa: F401
from autograd_nlp.functions.label_smoothing import label_smoothed_cross_entropy  # noqa: F401
from autograd_nlp.functions.negative_sampling import negative_sampling_loss  # noqa: F401

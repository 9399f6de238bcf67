"""Cross-entropy against label-smoothed targets (Szegedy et al. 2016), as a
composition of registered ops (softmax_cross_entropy, log_softmax, where,
sum): the target puts 1 - smoothing on the right class and spreads
``smoothing`` uniformly over all C classes, so

    loss = (1 - smoothing) * CE(logits, t) + smoothing * mean_c(-log softmax(logits)_c)

which is ``torch.nn.functional.cross_entropy(..., label_smoothing=smoothing)``.
"""
import numpy as np

from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Variable

from autograd_nlp.functions.activation import log_softmax
from autograd_nlp.functions.loss import softmax_cross_entropy
from autograd_nlp.functions.reduction import sum
from autograd_nlp.functions.registry import custom, register
from autograd_nlp.functions.shape import where


def _smoothing_case(shape, smoothing, ignore=False, reduction="mean"):
    def make(rng):
        x = rng.standard_normal(shape)
        t = rng.integers(0, shape[-1], shape[:-1])
        kwargs = {"smoothing": smoothing, "reduction": reduction}
        if ignore:
            t.reshape(-1)[::3] = -1
            kwargs["ignore_label"] = -1
        return (x, t), kwargs
    return make


def _torch_smoothed(t, x, targets, smoothing=0.1, ignore_label=None, reduction="mean"):
    c = x.shape[-1]
    return t.nn.functional.cross_entropy(
        x.reshape(-1, c), targets.reshape(-1), label_smoothing=smoothing,
        ignore_index=-100 if ignore_label is None else ignore_label, reduction=reduction)


@register("label_smoothed_cross_entropy",
          {"2d": custom(_smoothing_case((4, 5), 0.1)),
           "3d-ignore": custom(_smoothing_case((2, 3, 6), 0.2, ignore=True)),
           "sum": custom(_smoothing_case((3, 4), 0.3, ignore=True, reduction="sum"))},
          # (the mean of nothing is 0 here, NaN in torch, as for softmax_cross_entropy)
          zero_size={"sum": custom(_smoothing_case((0, 5), 0.1, reduction="sum"))},
          torch=_torch_smoothed)
def label_smoothed_cross_entropy(logits, targets, smoothing=0.1, ignore_label=None,
                                 reduction="mean"):
    """Cross-entropy of softmax(logits) (..., C) against integer targets (...)
    smoothed by ``smoothing`` in [0, 1), "mean" over the counted targets or
    "sum"; targets equal to ``ignore_label`` add nothing and are not counted.
    smoothing=0 is softmax_cross_entropy."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"label_smoothed_cross_entropy: reduction must be 'mean' or "
                         f"'sum', got {reduction!r}")
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"label_smoothed_cross_entropy: smoothing must be in [0, 1), "
                         f"got {smoothing}")
    targets = targets.data if isinstance(targets, Variable) else targets
    if not hasattr(targets, "shape"):                  # a list: onto the CPU
        targets = np.asarray(targets)
    hard = softmax_cross_entropy(logits, targets, ignore_label, reduction)
    if smoothing == 0.0:
        return hard
    counted = get_array_module(targets).ones(targets.shape, dtype=bool) if ignore_label is None \
        else targets != ignore_label
    spread = -sum(log_softmax(logits, axis=-1), axis=-1) * (1.0 / logits.shape[-1])
    spread = sum(where(counted, spread, 0.0))
    if reduction == "mean":
        spread = spread * (1.0 / max(int(counted.sum()), 1))
    return hard * (1.0 - smoothing) + spread * smoothing

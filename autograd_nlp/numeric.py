"""Softmax on plain arrays, for the code that reads a model's outputs
(decoding, sampling, confidence) rather than differentiating them: the one
NumPy softmax of the project (the differentiable ones are in
autograd_nlp/functions/activation.py)."""
import numpy as np


def softmax_array(logits, axis=-1):
    """Probabilities along ``axis`` of an array of logits, in its own dtype
    (the maximum is subtracted first, so large logits do not overflow)."""
    z = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def log_softmax_array(logits, axis=-1):
    """Log-probabilities along ``axis``, in float64: what scores summed over
    many steps (beam search, a sequence's log-probability) need."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))

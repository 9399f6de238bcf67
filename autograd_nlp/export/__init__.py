"""Handing a trained model to other frameworks.

``torch.py``: the same architecture in torch.nn with our weights (``save_torch``,
``to_torch``). ``onnx.py``: one traced forward pass, every recorded Function
translated to ONNX nodes (``export_onnx``). Both import torch / onnx only when
called, so neither is a dependency of autograd_nlp.
"""
from autograd_nlp.errors import UserError


class ExportError(UserError, ValueError):
    """The model cannot be exported as asked; the message says why and what can."""

"""Handing a trained model to other frameworks.

``torch.py``: the same architecture in torch.nn with our weights (``save_torch``,
``to_torch``; the classes in ``torch_modules.py``). ``onnx.py``: one traced
forward pass, every recorded Function translated to ONNX nodes
(``export_onnx``); ``onnx_transformer.py``: the Transformer family translated
layer by layer (``transformer_graph``); ``model_graphs.py``: which forward
passes are exported. ``bundle.py``: the vocabulary, special ids and sizes an
export carries; ``checkpoint.py``: a checkpoint exported and checked, what
``autograd-nlp export`` runs. All import torch / onnx only when called, so
neither is a dependency of autograd_nlp.
"""
from autograd_nlp.errors import UserError


class ExportError(UserError, ValueError):
    """The model cannot be exported as asked; the message says why and what can."""

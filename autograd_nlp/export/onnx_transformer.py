"""The Transformer family in ONNX, translated layer by layer.

A trace (export/onnx.py) cannot carry these models: their masks (padding:
``ids == pad_id``, causal: a triangle) and positions (a table slice of the
traced length) are computed with NumPy from the inputs' values and shapes,
outside the recorded graph, so a trace would freeze them. Here each layer
becomes ONNX nodes that compute them from the inputs at run time, so batch
and sequence axes are dynamic (sequences up to the model's ``max_length``):

* ``TokenEmbedding``: Gather * sqrt(dim) + the positions ``[0, T)`` sliced
  from the sinusoidal table (``max_length`` rows) or the learned one;
* ``BertEmbedding``: token + segment + position, LayerNormalization;
* ``MultiHeadAttention``: projections, heads split with Reshape (0, 0, heads,
  head_dim) + Transpose, scores ``q @ k^T / sqrt(head_dim)``, the allowed
  mask (``Not(Equal(ids, pad_id))``, ``Range`` <= ``Range`` for causal) as a
  Where to -inf before the Softmax and to 0 after (a query with nothing to
  see gets weight 0, as ``masked_softmax``), heads merged back;
* ``LayerNorm``: LayerNormalization; ``FeedForward``: MatMul/Add, Relu or
  GELU (exact with Erf, or the tanh form); residual blocks pre- or post-norm.

``transformer_graph(model, graph, id_dtype)`` returns the ModelProto of one of
``GRAPHS[kind]``; shapes are given as (batch, time) symbols.
"""
import math

import numpy as np

from autograd_nlp.export import ExportError
from autograd_nlp.export.onnx import GraphBuilder, finish_model

SINUSOIDAL_ROWS = 512
"""Rows of the sinusoidal table a graph holds when no ``max_length`` is given."""
GRAPHS = {"transformer": ("forward", "encoder", "decoder"),
          "transformer-lm": ("forward",),
          "bert": ("forward",),
          "bert-finetune": ("forward",)}


class LayerTranslator:
    """Emits one model's layers into a GraphBuilder ``g``; parameters are
    initializers named by their module path (a tied weight is one)."""

    def __init__(self, model, id_dtype, max_length):
        self.g = GraphBuilder()
        self.names = {id(p): name for name, p in model.named_params()}
        self.id_dtype, self.max_length = id_dtype, max_length

    def param(self, p):
        return self.g.param(p, self.names.get(id(p), "param"))

    def linear(self, layer, x):
        """x (..., in) -> (..., out): MatMul with W (in, out), Add b."""
        y = self.g.node("MatMul", [x, self.param(layer.W)])
        return y if layer.b is None else self.g.node("Add", [y, self.param(layer.b)])

    def layer_norm(self, norm, x):
        return self.g.node("LayerNormalization", [x, self.param(norm.gamma),
                                                  self.param(norm.beta)],
                           axis=-1, epsilon=float(norm.eps))

    def positions(self, table, x):
        """Rows [0, T) of ``table`` (an initializer name), T = x's axis 1."""
        return self.g.node("Slice", [table, self.g.ints([0]), self.g.dim(x, 1),
                                     self.g.ints([0])])

    def position_table(self, position, dtype):
        """The positional table: a learned one's Parameter, or the sinusoidal
        rows up to ``self.max_length`` as a constant."""
        from autograd_nlp.layers.positional import sinusoidal_table
        if hasattr(position, "W"):
            return self.param(position.W)
        table = sinusoidal_table(self.max_length, position.dim).astype(dtype)
        return self.g.const(table, "sinusoidal_positions")

    def token_embedding(self, embedding, ids):
        """TokenEmbedding: ids (batch, T) -> (batch, T, dim)."""
        W = embedding.embed.W
        x = self.g.node("Gather", [self.param(W), ids], axis=0)
        x = self.g.node("Mul", [x, self.g.const(np.asarray(embedding.scale, W.dtype), "scale")])
        table = self.position_table(embedding.position, W.dtype)
        return self.g.node("Add", [x, self.positions(table, ids)])

    def split_heads(self, attention, x, perm):
        split = self.g.node("Reshape", [x, self.g.ints([0, 0, attention.num_heads,
                                                        attention.head_dim])])
        return self.g.node("Transpose", [split], perm=perm)

    def attention(self, attention, query, memory, allowed):
        """MultiHeadAttention: query (batch, T, dim), memory (batch, S, dim),
        allowed (bool, broadcastable to (batch, heads, T, S), or None)."""
        g = self.g
        q = self.split_heads(attention, self.linear(attention.query, query), [0, 2, 1, 3])
        k_t = self.split_heads(attention, self.linear(attention.key, memory), [0, 2, 3, 1])
        v = self.split_heads(attention, self.linear(attention.value, memory), [0, 2, 1, 3])
        W = attention.query.W
        scale = g.const(np.asarray(1.0 / np.sqrt(attention.head_dim), W.dtype), "scale")
        scores = g.node("Mul", [g.node("MatMul", [q, k_t]), scale])     # (batch, heads, T, S)
        if allowed is None:
            weights = g.node("Softmax", [scores], axis=-1)
        else:
            low = g.const(np.asarray(-np.inf, W.dtype), "minus_inf")
            zero = g.const(np.asarray(0.0, W.dtype), "zero")
            weights = g.node("Softmax", [g.node("Where", [allowed, scores, low])], axis=-1)
            weights = g.node("Where", [allowed, weights, zero])   # a fully masked row: 0
        context = g.node("Transpose", [g.node("MatMul", [weights, v])], perm=[0, 2, 1, 3])
        merged = g.node("Reshape", [context, g.ints([0, 0, attention.dim])])
        return self.linear(attention.out, merged)

    def feed_forward(self, ff, x):
        g = self.g
        h = self.linear(ff.inner, x)
        dtype = ff.inner.W.dtype

        def c(value):
            return g.const(np.asarray(value, dtype), "c")
        if ff.activation == "relu":
            h = g.node("Relu", [h])
        elif ff.activation == "gelu":           # x * (1 + erf(x / sqrt 2)) / 2
            erf = g.node("Erf", [g.node("Mul", [h, c(1 / math.sqrt(2))])])
            h = g.node("Mul", [g.node("Mul", [h, g.node("Add", [erf, c(1.0)])]), c(0.5)])
        elif ff.activation == "gelu_tanh":      # x * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2
            cube = g.node("Mul", [g.node("Mul", [g.node("Mul", [h, h]), h]), c(0.044715)])
            inner = g.node("Mul", [g.node("Add", [h, cube]), c(math.sqrt(2 / math.pi))])
            h = g.node("Mul", [g.node("Mul", [h, g.node("Add", [g.node("Tanh", [inner]),
                                                                c(1.0)])]), c(0.5)])
        else:
            raise ExportError(f"ONNX export: no translation for the feed-forward activation "
                              f"{ff.activation!r}; supported: relu, gelu, gelu_tanh")
        return self.linear(ff.outer, h)

    def residual(self, block, x, sublayer):
        """ResidualBlock: pre-norm x + f(norm(x)), or post-norm norm(x + f(x))."""
        if block.norm_first:
            return self.g.node("Add", [x, sublayer(self.layer_norm(block.norm, x))])
        return self.layer_norm(block.norm, self.g.node("Add", [x, sublayer(x)]))

    def encoder_stack(self, stack, x, allowed):
        """TransformerEncoder: x (batch, S, dim) -> (batch, S, dim)."""
        for layer in stack.layers:
            x = self.residual(layer.attention_block, x,
                              lambda h: self.attention(layer.self_attention, h, h, allowed))
            x = self.residual(layer.feed_forward_block, x,
                              lambda h: self.feed_forward(layer.feed_forward, h))
        return x if stack.final_norm is None else self.layer_norm(stack.final_norm, x)

    def decoder_stack(self, stack, y, causal, memory=None, memory_allowed=None):
        """TransformerDecoder (no cache): y (batch, T, dim) -> (batch, T, dim)."""
        for layer in stack.layers:
            y = self.residual(layer.self_attention_block, y,
                              lambda h: self.attention(layer.self_attention, h, h, causal))
            if layer.cross_attention is not None:
                y = self.residual(layer.cross_attention_block, y, lambda h: self.attention(
                    layer.cross_attention, h, memory, memory_allowed))
            y = self.residual(layer.feed_forward_block, y,
                              lambda h: self.feed_forward(layer.feed_forward, h))
        return y if stack.final_norm is None else self.layer_norm(stack.final_norm, y)

    # --- masks ------------------------------------------------------------------------
    def padding_allowed(self, ids, pad_id):
        """(batch, 1, 1, S) bool: True where ids are not ``pad_id`` (None: no mask)."""
        if pad_id is None:
            return None
        pad = self.g.const(np.asarray(pad_id, self.id_dtype), "pad_id")
        keep = self.g.node("Not", [self.g.node("Equal", [ids, pad])])
        return self.g.node("Unsqueeze", [keep, self.g.ints([1, 2])])

    def causal_allowed(self, x):
        """(T, T) bool, query i sees keys up to i; T = x's axis 1 at run time."""
        g = self.g
        steps = g.node("Range", [g.const(np.asarray(0, np.int64), "zero"),
                                 g.scalar_dim(x, 1), g.const(np.asarray(1, np.int64), "one")])
        rows = g.node("Unsqueeze", [steps, g.ints([1])])
        cols = g.node("Unsqueeze", [steps, g.ints([0])])
        return g.node("LessOrEqual", [cols, rows])


def graph_max_length(model, max_length=None):
    """The longest sequence ``transformer_graph(model, ...)`` reads."""
    first = {"TransformerSeq2seq": lambda m: m.encoder.embed.position,
             "TransformerLM": lambda m: m.embed.position,
             "Bert": lambda m: m.embed.position,
             "BertClassifier": lambda m: m.bert.embed.position}[type(model).__name__](model)
    return _positions_read(first, max_length)


def _check_id_dtype(id_dtype):
    dtype = np.dtype(id_dtype)
    if dtype not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise ExportError(f"ONNX export: ids are int32 or int64, not {dtype}")
    return dtype


def _ids_input(name, dtype, axis_name):
    from onnx import helper
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(dtype),
                                         ["batch", axis_name])


def _float_value(name, dtype, shape):
    from onnx import helper
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(dtype), shape)


def transformer_graph(model, graph="forward", id_dtype=np.int64, metadata=None,
                      max_length=None):
    """The ONNX ModelProto of one of the Transformer family's graphs:

    * TransformerSeq2seq "forward": xs (batch, source), ys (batch, target)
      -> logits (batch, target, vocab) (teacher forcing; for greedy decoding
      call it with ys growing by the argmax of the last position);
      "encoder": xs -> memory (batch, source, dim); "decoder": ys, memory
      (and xs when the model masks padding) -> logits;
    * TransformerLM "forward": ids (batch, time) -> logits (batch, time, vocab);
    * Bert "forward": tokens, segments (batch, time) -> hidden (batch, time,
      dim), pooled (batch, dim) (the [CLS] summary);
    * BertClassifier "forward": tokens, segments -> logits (batch, classes).

    ``id_dtype``: int64 or int32, the type of every ids input.
    ``metadata``: stored in the file (``onnx.set_metadata``). ``max_length``:
    the longest sequence a sinusoidal model's graph reads (default 512; a
    learned table reads its own rows); ``graph_max_length`` tells.
    """
    from autograd_nlp.models.bert import Bert, BertClassifier
    from autograd_nlp.models.transformer_lm import TransformerLM
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    dtype = _check_id_dtype(id_dtype)
    builders = {TransformerSeq2seq: ("transformer", _seq2seq), TransformerLM:
                ("transformer-lm", _language_model), Bert: ("bert", _bert),
                BertClassifier: ("bert-finetune", _bert_classifier)}
    for cls, (kind, build) in builders.items():
        if isinstance(model, cls):
            if graph not in GRAPHS[kind]:
                raise ExportError(f"ONNX export: a {type(model).__name__} exports one of "
                                  f"{GRAPHS[kind]}, not {graph!r}")
            t = LayerTranslator(model, dtype, graph_max_length(model, max_length))
            inputs, outputs = build(t, model, graph, dtype)
            return finish_model(t.g, kind, inputs, outputs, metadata)
    raise ExportError(f"ONNX export: {type(model).__name__} is not a Transformer model "
                      f"(TransformerSeq2seq, TransformerLM, Bert, BertClassifier)")


def _seq2seq(t, model, graph, dtype):
    fdtype = model.decoder.out.W.dtype
    dim, vocab = model.decoder.out.W.shape
    encoder, decoder = model.encoder, model.decoder
    inputs, outputs = [], []

    def take_ids(name, axis_name):
        inputs.append(_ids_input(name, dtype, axis_name))
        return name

    needs_xs = graph != "decoder" or encoder.pad_id is not None
    xs = take_ids("xs", "source") if needs_xs else None
    memory_allowed = t.padding_allowed("xs", encoder.pad_id) if needs_xs else None
    if graph in ("forward", "encoder"):
        memory = t.encoder_stack(encoder.layers, t.token_embedding(encoder.embed, xs),
                                 memory_allowed)
        if graph == "encoder":
            t.g.node("Identity", [memory], ["memory"])
            return inputs, [_float_value("memory", fdtype, ["batch", "source", dim])]
    else:
        memory = "memory"
        inputs.append(_float_value("memory", fdtype, ["batch", "source", dim]))
    ys = take_ids("ys", "target")
    y = t.token_embedding(decoder.embed, ys)
    h = t.decoder_stack(decoder.layers, y, t.causal_allowed(ys), memory, memory_allowed)
    t.g.node("Identity", [t.linear(decoder.out, h)], ["logits"])
    outputs.append(_float_value("logits", fdtype, ["batch", "target", vocab]))
    return inputs, outputs


def _language_model(t, model, graph, dtype):
    fdtype = model.embed.embed.W.dtype
    h = t.decoder_stack(model.layers, t.token_embedding(model.embed, "ids"),
                        t.causal_allowed("ids"))
    if model.tie_weights:            # h @ embed.W^T + b, the one embedding initializer
        W_t = t.g.node("Transpose", [t.param(model.embed.embed.W)], perm=[1, 0])
        logits = t.g.node("Add", [t.g.node("MatMul", [h, W_t]), t.param(model.out_bias)])
    else:
        logits = t.linear(model.out, h)
    t.g.node("Identity", [logits], ["logits"])
    return ([_ids_input("ids", dtype, "time")],
            [_float_value("logits", fdtype, ["batch", "time", model.vocab_size])])


def _bert_encoder(t, model):
    """Bert's embeddings and encoder on the inputs tokens, segments -> (hidden, pooled)."""
    g, embed = t.g, model.embed
    x = g.node("Add", [g.node("Gather", [t.param(embed.token.W), "tokens"], axis=0),
                       g.node("Gather", [t.param(embed.segment.W), "segments"], axis=0)])
    x = g.node("Add", [x, t.positions(t.param(embed.position.W), "tokens")])
    x = t.layer_norm(embed.norm, x)
    hidden = t.encoder_stack(model.encoder, x, t.padding_allowed("tokens", model.pad_id))
    first = g.node("Gather", [hidden, g.const(np.asarray(0, np.int64), "cls")], axis=1)
    return hidden, g.node("Tanh", [t.linear(model.pooler, first)])


def _bert_inputs(dtype):
    return [_ids_input("tokens", dtype, "time"), _ids_input("segments", dtype, "time")]


def _bert(t, model, graph, dtype):
    hidden, pooled = _bert_encoder(t, model)
    t.g.node("Identity", [hidden], ["hidden"])
    t.g.node("Identity", [pooled], ["pooled"])
    fdtype = model.embed.token.W.dtype
    return (_bert_inputs(dtype),
            [_float_value("hidden", fdtype, ["batch", "time", model.dim]),
             _float_value("pooled", fdtype, ["batch", model.dim])])


def _bert_classifier(t, model, graph, dtype):
    _, pooled = _bert_encoder(t, model.bert)
    t.g.node("Identity", [t.linear(model.classify, pooled)], ["logits"])
    classes = model.classify.W.shape[1]
    return (_bert_inputs(dtype),
            [_float_value("logits", model.classify.W.dtype, ["batch", classes])])


def _positions_read(position, max_length):
    """How many positions the graph reads: a learned table's rows; for the
    sinusoidal encoding (any length) ``max_length`` rows of its table."""
    return getattr(position, "max_length", None) or max_length or SINUSOIDAL_ROWS

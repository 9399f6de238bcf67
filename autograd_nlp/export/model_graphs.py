"""Which forward passes of the chapter models are exported to ONNX, with
example inputs of the shapes the exported graph will have.

A language model exports ``forward``: ids (batch, time) -> logits, from the
zero state, or ``stateful``: the same with the recurrent states in and out.
A seq2seq model exports ``forward`` (xs (batch, S), ys (batch, T) -> logits,
teacher forcing), or the two halves of greedy decoding: ``encoder``
(xs -> h, c and the decoder's extra input) and ``decoder-step`` (y (batch, 1),
h, c, extra -> logits (batch, 1, vocab), h_next, c_next). The extra input is
``encoder_hs`` (batch, S, H) for attention, ``context`` (batch, H) for peeky.
These are traced; their batch axis is dynamic when exported with
``dynamic_batch=True``, their lengths are those of the trace (the LSTMs are
unrolled).

The Transformer family is translated layer by layer (export/onnx_transformer.py),
every batch and sequence axis dynamic; ``transformer_graph_fn`` gives our
side of those graphs (the function and example inputs to check them with).
Word2vec exports ``vectors``: ids (batch, n) -> their word vectors. A policy
(ReinforceAgent, ActorCritic) exports ``forward``: obs (batch, obs_size) ->
logits (batch, actions), values (batch,). An autoencoder (or VAE) exports
``forward`` (xs, ys (batch, width) -> logits, teacher forcing), ``encoder``
(xs -> code; a VAE's mean and logvar), ``start`` (z -> the decoder's h, c)
and ``decoder-step`` (y (batch, 1), z, h, c -> logits, h_next, c_next).
"""
import numpy as np

from autograd_nlp.export import ExportError

LANGUAGE_MODEL_GRAPHS = ("forward", "stateful")
SEQ2SEQ_GRAPHS = ("forward", "encoder", "decoder-step")
WORD2VEC_GRAPHS = ("vectors",)
POLICY_GRAPHS = ("forward",)
AUTOENCODER_GRAPHS = ("forward", "encoder", "start", "decoder-step")


def param_names(model):
    """{id(Parameter): dotted name} for naming ONNX initializers."""
    return {id(p): name for name, p in model.named_params()}


def language_model_graph(model, batch, time, graph="forward"):
    """(fn, example inputs, output names) of a language model's forward pass:
    "forward" from the zero state, or "stateful", which also takes and
    returns the state of every recurrent layer k (``h{k}``, ``c{k}`` in,
    ``h{k}_next``, ``c{k}_next`` out; no c for an Elman RNN), for generating
    or reading a long text chunk by chunk."""
    ids = {"ids": np.zeros((batch, time), dtype=np.int64)}
    if graph == "forward":
        def forward(ids):
            model.reset_state()
            return model(ids)
        return forward, ids, ["logits"]
    if graph != "stateful":
        raise ExportError(f"ONNX export: a language model exports one of "
                          f"{LANGUAGE_MODEL_GRAPHS}, not {graph!r}")
    layers = model.recurrent_layers()
    names = [[f"{part}{k}" for part in "hc"[:layer.cell.state_size]]
             for k, layer in enumerate(layers)]
    inputs = dict(ids)
    for layer, layer_names in zip(layers, names):
        inputs.update({n: np.zeros((batch, layer.hidden_size), np.float32)
                       for n in layer_names})

    def stateful(ids, **state):
        for layer, layer_names in zip(layers, names):
            layer.set_state(tuple(state[n] for n in layer_names))
        logits = model(ids)
        return [logits] + [v for layer in layers for v in layer.state]
    return stateful, inputs, ["logits"] + [f"{n}_next" for ns in names for n in ns]


def _extra_name(model):
    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from autograd_nlp.models.seq2seq import PeekySeq2seq
    if isinstance(model, AttentionSeq2seq):
        return "encoder_hs"
    return "context" if isinstance(model, PeekySeq2seq) else None


def seq2seq_graph(model, graph, batch, question_length, answer_length):
    """(fn, example inputs, output names) of one of ``SEQ2SEQ_GRAPHS``;
    ``answer_length`` counts the decoder's inputs (T)."""
    extra = _extra_name(model)
    xs = np.zeros((batch, question_length), dtype=np.int64)
    if graph == "forward":
        def forward(xs, ys):
            memory = model.encoder(xs)
            return model.decoder(ys, model.decoder.start(memory), memory)[0]
        return forward, {"xs": xs, "ys": np.zeros((batch, answer_length), np.int64)}, ["logits"]
    if graph == "encoder":
        def encoder(xs):
            memory = model.encoder(xs)
            h, c = model.decoder.start(memory)
            more = {"encoder_hs": [memory[0]], "context": [memory[1][0]]}.get(extra, [])
            return [h, c, *more]
        return encoder, {"xs": xs}, ["h", "c"] + ([extra] if extra else [])
    if graph == "decoder-step":
        H = model.decoder.lstm.hidden_size
        inputs = {"y": np.zeros((batch, 1), np.int64),
                  "h": np.zeros((batch, H), np.float32), "c": np.zeros((batch, H), np.float32)}
        if extra == "encoder_hs":
            inputs[extra] = np.zeros((batch, question_length, H), np.float32)
        elif extra == "context":
            inputs[extra] = np.zeros((batch, H), np.float32)

        def decoder_step(y, h, c, encoder_hs=None, context=None):
            # the parts of the encoder's memory (hs, (h, c)) each decoder reads
            memory = (encoder_hs, (context, None))
            logits, (h, c) = model.decoder(y, (h, c), memory)
            return logits, h, c
        return decoder_step, inputs, ["logits", "h_next", "c_next"]
    raise ExportError(f"ONNX export: a seq2seq model exports one of {SEQ2SEQ_GRAPHS}, "
                      f"not {graph!r}")


def word2vec_graph(model, batch, length=2, graph="vectors"):
    """(fn, example inputs, output names) of a word2vec model's ``vectors``
    graph: ids (batch, length) -> vectors (batch, length, hidden), rows of
    the input embedding (the word vectors)."""
    from autograd_nlp.functions import embedding
    if graph != "vectors":
        raise ExportError(f"ONNX export: a word2vec model exports {WORD2VEC_GRAPHS}, not "
                          f"{graph!r} (its loss draws random negatives; the torch module "
                          f"has the scores)")

    def vectors(ids):
        return embedding(model.in_embed.W, ids)
    return vectors, {"ids": np.zeros((batch, length), np.int64)}, ["vectors"]


def transformer_graph_fn(model, graph, batch, length, target_length=None):
    """(fn, example inputs, output names) of our side of
    ``onnx_transformer.transformer_graph(model, graph)``, for checking it:
    ``length`` is the (source) sequence length, ``target_length`` a
    TransformerSeq2seq's decoder inputs (default ``length``)."""
    from autograd_nlp.core import Variable
    from autograd_nlp.models.bert import Bert, BertClassifier
    from autograd_nlp.models.transformer_lm import TransformerLM
    ids = np.zeros((batch, length), np.int64)
    if isinstance(model, TransformerLM):
        return (lambda ids: model(ids)), {"ids": ids}, ["logits"]
    if isinstance(model, BertClassifier):
        return ((lambda tokens, segments: model(tokens, segments)),
                {"tokens": ids, "segments": np.zeros_like(ids)}, ["logits"])
    if isinstance(model, Bert):
        def bert(tokens, segments):
            hidden = model(tokens, segments)
            return [hidden, model.pooled(hidden)]
        return bert, {"tokens": ids, "segments": np.zeros_like(ids)}, ["hidden", "pooled"]
    ys = np.zeros((batch, target_length or length), np.int64)
    encoder, decoder = model.encoder, model.decoder
    if graph == "forward":
        def forward(xs, ys):
            memory = encoder(xs)
            return decoder(ys, decoder.start(memory), memory)[0]
        return forward, {"xs": ids, "ys": ys}, ["logits"]
    if graph == "encoder":
        return (lambda xs: encoder(xs)[0]), {"xs": ids}, ["memory"]
    dim = decoder.out.W.shape[0]
    inputs = {"ys": ys, "memory": np.zeros((batch, length, dim), decoder.out.W.dtype)}
    if encoder.pad_id is not None:
        inputs = {"xs": ids, **inputs}

    def decode(ys, memory, xs=None):
        padding = None if xs is None else np.asarray(xs) == encoder.pad_id
        memory = (memory if isinstance(memory, Variable) else Variable(memory), padding)
        return decoder(ys, decoder.start(memory), memory)[0]
    return decode, inputs, ["logits"]


def policy_graph(model, batch, graph="forward"):
    """(fn, example inputs, output names) of a policy's forward pass: obs
    (batch, obs_size) -> action logits (batch, actions), values (batch,)."""
    if graph != "forward":
        raise ExportError(f"ONNX export: a policy exports {POLICY_GRAPHS}, not {graph!r}")
    network = getattr(model, "policy", None) or model.actor
    obs = np.zeros((batch, network.fc1.W.shape[0]), network.fc1.W.dtype)

    def forward(obs):
        return list(model(obs))
    return forward, {"obs": obs}, ["logits", "values"]


def autoencoder_graph(model, graph, batch, width):
    """(fn, example inputs, output names) of one of ``AUTOENCODER_GRAPHS``
    of a SequenceAutoencoder / VariationalAutoencoder. xs are strings in
    their own order: when the encoder reads backwards, the graph reverses
    the embedded characters itself (``[:, ::-1]``, a Slice)."""
    encoder, decoder = model.encoder, model.decoder
    variational = hasattr(model, "to_logvar")
    dtype = decoder.out.W.dtype
    xs = np.zeros((batch, width), np.int64)
    code = np.zeros((batch, model.code_size), dtype)

    def hidden(xs):
        embedded = encoder.embed(xs)
        _, (h, _) = encoder.lstm(embedded[:, ::-1] if encoder.reverse else embedded,
                                 return_state=True)
        return h

    if graph == "forward":
        def forward(xs, ys):
            return decoder(ys, model.to_code(hidden(xs)))[0]
        return forward, {"xs": xs, "ys": np.zeros_like(xs)}, ["logits"]
    if graph == "encoder":
        def encode(xs):
            h = hidden(xs)
            return [model.to_code(h), model.to_logvar(h)] if variational else model.to_code(h)
        return encode, {"xs": xs}, ["mean", "logvar"] if variational else ["code"]
    if graph == "start":
        return (lambda z: list(decoder.start_state(z))), {"z": code}, ["h", "c"]
    if graph == "decoder-step":
        H = decoder.out.W.shape[0]
        inputs = {"y": np.zeros((batch, 1), np.int64), "z": code,
                  "h": np.zeros((batch, H), dtype), "c": np.zeros((batch, H), dtype)}

        def step(y, z, h, c):
            logits, (h, c) = decoder(y, z, (h, c))
            return [logits, h, c]
        return step, inputs, ["logits", "h_next", "c_next"]
    raise ExportError(f"ONNX export: an autoencoder exports one of {AUTOENCODER_GRAPHS}, "
                      f"not {graph!r}")

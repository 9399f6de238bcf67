"""Which forward passes of the chapter models are exported to ONNX, with
example inputs of the shapes the exported graph will have.

A language model exports ``forward``: ids (batch, time) -> logits, from the
zero state, or ``stateful``: the same with the recurrent states in and out. A seq2seq model exports ``forward`` (xs (batch, S), ys (batch, T)
-> logits, teacher forcing), or the two halves of greedy decoding: ``encoder``
(xs -> h, c and the decoder's extra input) and ``decoder-step`` (y (batch, 1),
h, c, extra -> logits (batch, 1, vocab), h_next, c_next). The extra input is
``encoder_hs`` (batch, S, H) for attention, ``context`` (batch, H) for peeky.
"""
import numpy as np

from autograd_nlp.export import ExportError

LANGUAGE_MODEL_GRAPHS = ("forward", "stateful")
SEQ2SEQ_GRAPHS = ("forward", "encoder", "decoder-step")


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
    from models.attention_seq2seq import AttentionSeq2seq
    from models.seq2seq import PeekySeq2seq
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

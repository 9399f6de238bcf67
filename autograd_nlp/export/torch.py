"""Export a chapter model to PyTorch: the same architecture in torch.nn
(nn.Embedding, nn.LSTM / nn.RNN, nn.Linear, tied weights kept tied) with our
weights copied in.

Layouts differ in two places, both handled here: our LSTM gates are ordered
[forget, input, output, candidate] with one bias and weights (in, 4H), torch's
[input, forget, candidate, output] with two biases and weights (4H, in); our
Linear holds W (in, out), torch's weight (out, in).

``save_torch(model, "m.pt")`` writes ``m.pt`` (architecture, config and
state_dict; ``torch.load(weights_only=True)`` reads it) and ``m.py``, the
torch.nn classes (torch_modules.py, which imports only torch), so
``from m import load; load("m.pt")`` works without autograd_nlp.
"""
import os

import numpy as np

from autograd_nlp.export import ExportError
from autograd_nlp.serialization import atomic_write
from autograd_nlp.layers import Bidirectional

# our gate blocks [f, i, o, g] taken in torch's order [i, f, g, o]
TORCH_GATE_ORDER = (1, 0, 3, 2)


def lstm_to_torch(cell, suffix=""):
    """Our LSTMCell -> nn.LSTM state_dict entries of one layer (``suffix``
    e.g. "_l1" or "_l0_reverse"): weights transposed, gates reordered, our
    single bias as bias_ih and zeros as bias_hh."""
    H = cell.hidden_size
    order = np.concatenate([np.arange(k * H, (k + 1) * H) for k in TORCH_GATE_ORDER])
    return {f"weight_ih{suffix}": cell.Wx.data[:, order].T,
            f"weight_hh{suffix}": cell.Wh.data[:, order].T,
            f"bias_ih{suffix}": cell.b.data[order],
            f"bias_hh{suffix}": np.zeros_like(cell.b.data)}


def rnn_to_torch(cell, suffix=""):
    """Our RNNCell -> nn.RNN (tanh) state_dict entries of one layer."""
    return {f"weight_ih{suffix}": cell.Wx.data.T, f"weight_hh{suffix}": cell.Wh.data.T,
            f"bias_ih{suffix}": cell.b.data, f"bias_hh{suffix}": np.zeros_like(cell.b.data)}


def linear_to_torch(layer):
    """Our Linear (W (in, out), b) -> nn.Linear's weight (out, in) and bias."""
    state = {"weight": layer.W.data.T}
    if layer.b is not None:
        state["bias"] = layer.b.data
    return state


def _prefixed(prefix, state):
    return {f"{prefix}.{k}": v for k, v in state.items()}


def _encoder_lstm(layer):
    if isinstance(layer, Bidirectional):
        return {**lstm_to_torch(layer.forward_layer.cell, "_l0"),
                **lstm_to_torch(layer.backward_layer.cell, "_l0_reverse")}
    return lstm_to_torch(layer.cell, "_l0")


def _language_model(model):
    from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
    if not isinstance(model, (SimpleRnnlm, Rnnlm, BetterRnnlm)):
        return None
    vocab, wordvec = model.embed.W.shape
    state = {"embed.weight": model.embed.W.data}
    if isinstance(model, SimpleRnnlm):
        config = dict(vocab_size=vocab, wordvec_size=wordvec, hidden_size=model.rnn.hidden_size)
        state.update(_prefixed("rnn", rnn_to_torch(model.rnn.cell, "_l0")))
        state.update(_prefixed("out", linear_to_torch(model.out)))
        return "SimpleRnnlm", config, state
    if isinstance(model, BetterRnnlm):
        layers = list(model.lstm.layers)
        config = dict(vocab_size=vocab, wordvec_size=wordvec, hidden_size=layers[0].hidden_size,
                      num_layers=len(layers), dropout=model.drop.ratio, tied=True)
        for k, layer in enumerate(layers):
            state.update(_prefixed("lstm", lstm_to_torch(layer.cell, f"_l{k}")))
        state.update({"out.weight": model.embed.W.data, "out.bias": model.out_bias.data})
        return "Rnnlm", config, state
    if isinstance(model, Rnnlm):
        config = dict(vocab_size=vocab, wordvec_size=wordvec, hidden_size=model.lstm.hidden_size)
        state.update(_prefixed("lstm", lstm_to_torch(model.lstm.cell, "_l0")))
        state.update(_prefixed("out", linear_to_torch(model.out)))
        return "Rnnlm", config, state
    return None


def _seq2seq(model):
    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
    if not isinstance(model, (Seq2seq, PeekySeq2seq, AttentionSeq2seq)):
        return None
    encoder, decoder = model.encoder, model.decoder
    bidirectional = isinstance(encoder.lstm, Bidirectional)
    vocab, wordvec = encoder.embed.W.shape
    decoder_hidden = decoder.lstm.hidden_size
    hidden = decoder_hidden // 2 if bidirectional else decoder_hidden
    config = dict(vocab_size=vocab, wordvec_size=wordvec, hidden_size=hidden,
                  peeky=isinstance(model, PeekySeq2seq),
                  attention=isinstance(model, AttentionSeq2seq), bidirectional=bidirectional)
    state = {"encoder_embed.weight": encoder.embed.W.data,
             "decoder_embed.weight": decoder.embed.W.data}
    state.update(_prefixed("encoder_lstm", _encoder_lstm(encoder.lstm)))
    state.update(_prefixed("decoder_lstm", lstm_to_torch(decoder.lstm.cell, "_l0")))
    state.update(_prefixed("out", linear_to_torch(decoder.out)))
    return "Seq2seq", config, state


def _word2vec(model):
    from autograd_nlp.models.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram
    vocab, hidden = model.in_embed.W.shape if hasattr(model, "in_embed") else (0, 0)
    if isinstance(model, (SimpleCBOW, SimpleSkipGram)):
        return "SimpleWord2vec", dict(vocab_size=vocab, hidden_size=hidden), {
            "in_embed.weight": model.in_embed.W.data, "out.weight": model.out.W.data.T}
    if not isinstance(model, (CBOW, SkipGram)):
        return None
    return "Word2vec", dict(vocab_size=vocab, hidden_size=hidden), {
        "in_embed.weight": model.in_embed.W.data, "out_embed.weight": model.out_embed.W.data}


def mirrored_state(model):
    """The state_dict of a torch module that keeps our module names (the
    Transformer family in torch_modules): a Linear's W (in, out) is
    ``weight`` (out, in), an Embedding's or a learned position table's W is
    ``weight``, a LayerNorm's gamma/beta are ``weight``/``bias``, a bare
    Parameter (``out_bias``) keeps its name. A tied weight appears once."""
    from autograd_nlp.layers import Embedding, LayerNorm, Linear
    owners = dict(model.named_modules())
    renamed = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias"}
    state = {}
    for name, p in model.named_params():
        path, _, leaf = name.rpartition(".")
        owner = owners.get(path)
        if isinstance(owner, (Linear, Embedding, LayerNorm)) or (leaf == "W" and owner):
            value = p.data.T if isinstance(owner, Linear) and leaf == "W" else p.data
            state[f"{path}.{renamed[leaf]}"] = value
        else:
            state[name] = p.data
    return state


def _stack_config(stack):
    layer = stack.layers[0]
    return dict(num_heads=layer.self_attention.num_heads, num_layers=len(stack.layers),
                ff_hidden=layer.feed_forward.inner.W.shape[1],
                activation=layer.feed_forward.activation,
                norm_first=stack.final_norm is not None)


def _positional(position):
    learned = hasattr(position, "W")
    return dict(positional="learned" if learned else "sinusoidal",
                max_length=position.max_length if learned else 128)


def _transformer(model):
    from autograd_nlp.models.bert import Bert, BertClassifier
    from autograd_nlp.models.transformer_lm import TransformerLM
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    if isinstance(model, BertClassifier):
        _, config, _ = _transformer(model.bert)
        return "BertClassifier", dict(num_classes=model.classify.W.shape[1], **config), \
            mirrored_state(model)
    if isinstance(model, TransformerSeq2seq):
        vocab, dim = model.encoder.embed.embed.W.shape
        config = dict(vocab_size=vocab, dim=dim, **_stack_config(model.encoder.layers),
                      **_positional(model.encoder.embed.position), pad_id=model.encoder.pad_id)
        return "TransformerSeq2seq", config, mirrored_state(model)
    if isinstance(model, TransformerLM):
        position = _positional(model.embed.position)
        config = dict(vocab_size=model.vocab_size, dim=model.embed.embed.W.shape[1],
                      **_stack_config(model.layers), positional=position["positional"],
                      context_size=model.context_size, tie_weights=model.tie_weights)
        return "TransformerLM", config, mirrored_state(model)
    if isinstance(model, Bert):
        config = dict(vocab_size=model.vocab_size, pad_id=model.pad_id, dim=model.dim,
                      **_stack_config(model.encoder),
                      max_length=model.embed.position.max_length)
        return "Bert", config, mirrored_state(model)
    return None


def _autoencoder(model):
    from autograd_nlp.models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
    if not isinstance(model, SequenceAutoencoder):
        return None
    encoder, decoder = model.encoder, model.decoder
    vocab, wordvec = encoder.embed.W.shape
    config = dict(vocab_size=vocab, wordvec_size=wordvec, hidden_size=encoder.lstm.hidden_size,
                  code_size=model.code_size, reverse=encoder.reverse,
                  variational=isinstance(model, VariationalAutoencoder))
    state = {"encoder.embed.weight": encoder.embed.W.data,
             "decoder.embed.weight": decoder.embed.W.data}
    state.update(_prefixed("encoder.lstm", lstm_to_torch(encoder.lstm.cell, "_l0")))
    state.update(_prefixed("decoder.lstm", lstm_to_torch(decoder.lstm.cell, "_l0")))
    layers = {"to_code": model.to_code, "decoder.init_h": decoder.init_h,
              "decoder.out": decoder.out}
    if config["variational"]:
        layers["to_logvar"] = model.to_logvar
    for prefix, layer in layers.items():
        state.update(_prefixed(prefix, linear_to_torch(layer)))
    return "SequenceAutoencoder", config, state


def _policy(model):
    from autograd_nlp.models.actor_critic import ActorCritic
    from autograd_nlp.models.policy_gradient import ReinforceAgent
    if not isinstance(model, (ReinforceAgent, ActorCritic)):
        return None
    network = model.policy if isinstance(model, ReinforceAgent) else model.actor
    config = dict(obs_size=network.fc1.W.shape[0], n_actions=network.out.W.shape[1],
                  hidden_size=network.fc1.W.shape[1])
    return type(model).__name__, config, mirrored_state(model)


SUPPORTED = ("SimpleRnnlm", "Rnnlm", "BetterRnnlm", "Seq2seq", "PeekySeq2seq",
             "AttentionSeq2seq (also bidirectional)", "TransformerSeq2seq", "TransformerLM",
             "Bert", "BertClassifier", "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram",
             "SequenceAutoencoder", "VariationalAutoencoder", "ReinforceAgent", "ActorCritic")


def torch_state(model):
    """Our model -> (architecture name in torch_modules, its constructor
    config, state_dict as NumPy arrays). Raises ExportError for other models."""
    for convert in (_language_model, _seq2seq, _transformer, _word2vec, _policy,
                    _autoencoder):
        found = convert(model)
        if found is not None:
            return found
    raise ExportError(f"export to torch: no torch.nn counterpart for "
                      f"{type(model).__name__}; supported: {', '.join(SUPPORTED)}")


def to_torch(model):
    """Our model -> the equivalent torch.nn.Module (eval mode) with our
    weights; tied weights stay one Parameter."""
    import torch
    from autograd_nlp.export import torch_modules
    architecture, config, state = torch_state(model)
    module = torch_modules.ARCHITECTURES[architecture](**config)
    module.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
                            for k, v in state.items()})
    return module.eval()


def module_source_path(path):
    """Where ``save_torch`` puts the torch.nn classes for ``path``: m.pt ->
    m.py. The stem must be importable and must not hide torch itself."""
    root, _ = os.path.splitext(os.fspath(path))
    stem = os.path.basename(root)
    if not stem.isidentifier() or stem == "torch":
        raise ExportError(f"export to torch: the output name {os.fspath(path)!r} would give "
                          f"the module file {stem}.py, which Python cannot import as "
                          f"'from {stem} import load'; use a name like rnnlm.pt")
    return root + ".py"


def facts_path(path):
    """Where ``save_torch`` puts the JSON of what the model needs to be used
    on text, for ``path``: m.pt -> m.json."""
    return os.path.splitext(os.fspath(path))[0] + ".json"


def save_torch(model, path, facts=None):
    """Write ``path`` (torch.save of {architecture, config, state_dict}), the
    classes that rebuild it (``module_source_path(path)``) and a JSON beside
    it (``facts_path(path)``): the architecture, its config and ``facts``
    (export/bundle.py: vocabulary, special ids, sizes). Returns the three paths."""
    import json

    import torch
    from autograd_nlp.export import torch_modules
    source = module_source_path(path)
    module = to_torch(model)
    architecture, config, _ = torch_state(model)
    saved = {"architecture": architecture, "config": config,
             "state_dict": module.state_dict()}
    atomic_write(path, lambda f: torch.save(saved, f))
    with open(torch_modules.__file__, encoding="utf-8") as f:
        text = f.read()
    atomic_write(source, lambda f: f.write(text), text=True)
    info = json.dumps({"architecture": architecture, "config": config, **(facts or {})},
                      ensure_ascii=False, indent=1)
    atomic_write(facts_path(path), lambda f: f.write(info + "\n"), text=True)
    return os.fspath(path), source, facts_path(path)

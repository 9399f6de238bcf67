"""What an exported model needs beside its weights to be used on text: the
vocabulary, the special ids, whether questions are reversed, the sizes.

``text_facts(kind, model, meta)`` gives them as a JSON-able dict, for every
checkpoint kind; the export stores it in the ONNX file's ``metadata_props``
(each value JSON, so ``json.loads(session.get_modelmeta().custom_metadata_map[key])``)
and as ``OUT.json`` beside a ``.pt``. The keys, by family:

* every kind: ``kind`` (the CLI's model name), ``model`` (the class),
  ``vocab`` (token i has id i: characters for seq2seq, words otherwise);
* seq2seq (seq2seq, peeky, attention, transformer): ``start_id`` (``_``,
  the decoder's first input), ``pad_id`` (the space questions are padded with
  on the right to ``question_length``), ``reverse`` (the padded question is
  fed reversed), ``question_length``, ``answer_length`` (characters to
  generate, the start excluded), ``ignores_padding`` (true for an attention
  model trained with ``--ignore-padding``, exported to torch only: feed it
  each question without padding, reversed when ``reverse``, questions of
  one length per batch);
* language models: ``eos_id`` (``<eos>``, a line end), ``unk_id`` (``<unk>``,
  or null), ``context_size`` (transformer-lm: the longest window it was
  trained on);
* bert: ``pad_id``, ``cls_id``, ``sep_id``, ``mask_id``, ``max_length``
  (the longest input, [CLS] and [SEP] included); bert-finetune the same (its
  vocabulary read from the pre-trained checkpoint its run names, checked
  against the hash it recorded) and ``task``, ``labels`` ({class: meaning});
* cbow, skipgram: ``vocab`` from the run's vectors.npz beside the checkpoint
  (null when it is not there: the checkpoint holds no words);
* autoencoder, vae: ``start_id``, ``pad_id`` (the space strings are padded
  with on the right to ``width``), ``width``, ``code_size`` (the graphs read
  strings in their own order: the encoder's reversal is inside them);
* reinforce, a2c (no text): ``env`` (the Gymnasium environment it was
  trained on), ``obs_size``, ``n_actions`` (an action is the argmax of the
  logits, or a sample from their softmax).
"""
import os

from autograd_nlp.export import ExportError

SEQ2SEQ = ("seq2seq", "peeky", "attention", "transformer")
LANGUAGE_MODELS = ("rnnlm", "better-rnnlm", "simple-rnnlm", "transformer-lm")
WORD2VEC = ("cbow", "skipgram")
POLICIES = ("reinforce", "a2c")
AUTOENCODERS = ("autoencoder", "vae")
KINDS = SEQ2SEQ + LANGUAGE_MODELS + WORD2VEC + POLICIES + AUTOENCODERS + ("bert",
                                                                          "bert-finetune")
LABELS = {"0": "corrupted (words swapped or shuffled)", "1": "in its original word order"}
"""bert-finetune's classes (autograd_nlp/data/word_order.py)."""


def text_facts(kind, model, meta, checkpoint_path=None):
    """The dict described in the module's docstring (``meta``: the
    checkpoint's meta; ``checkpoint_path``: where a word2vec checkpoint's
    vectors.npz is looked for)."""
    facts = {"kind": kind, "model": type(model).__name__}
    if kind in SEQ2SEQ:
        facts.update(_seq2seq(meta))
    elif kind in LANGUAGE_MODELS:
        facts.update(_language_model(model, meta))
    elif kind == "bert":
        facts.update(_bert(model, meta))
    elif kind == "bert-finetune":
        facts.update(_bert(model.bert, {"vocab": _pretrained_vocab(meta)}))
        settings = meta.get("settings") or {}
        facts.update(task=settings.get("task"), labels=LABELS)
    elif kind in WORD2VEC:
        facts["vocab"] = _word2vec_words(model, meta, checkpoint_path)
    elif kind in AUTOENCODERS:
        facts.update(_autoencoder(model, meta))
    elif kind in POLICIES:
        first, last = _policy_layers(model)
        facts.update(env=meta.get("env"), obs_size=int(first.W.shape[0]),
                     n_actions=int(last.W.shape[1]))
    else:
        raise ExportError(f"export: no text facts for the kind {kind!r}; known: "
                          f"{', '.join(KINDS)}")
    return facts


def _policy_layers(model):
    """The first and last Linear of a policy's action network."""
    network = getattr(model, "policy", None) or model.actor
    return network.fc1, network.out


def _needed(meta, keys, kind):
    missing = [k for k in keys if k not in meta]
    if missing:
        raise ExportError(f"the {kind} checkpoint's meta lacks {', '.join(missing)}, which "
                          f"the export stores for using the model on text; export the "
                          f"checkpoint.npz a train command wrote")


def _seq2seq(meta):
    from autograd_nlp.data.seq_format import PAD, START
    _needed(meta, ("chars", "question_length", "answer_length", "reverse"), "seq2seq")
    chars = list(meta["chars"])
    if START not in chars:
        raise ExportError(f"the checkpoint's characters have no start symbol {START!r}")
    return {"vocab": chars, "start_id": chars.index(START),
            "pad_id": chars.index(PAD) if PAD in chars else None,
            "reverse": bool(meta["reverse"]),
            "question_length": int(meta["question_length"]),
            "answer_length": int(meta["answer_length"]) - 1,
            "ignores_padding": ignores_padding(meta)}


def ignores_padding(meta):
    """Whether the checkpoint's model reads its questions without padding
    (an attention model trained with ``--ignore-padding``)."""
    return (meta.get("model_kwargs") or {}).get("pad_id") is not None


def _autoencoder(model, meta):
    from autograd_nlp.data.seq_format import PAD, START
    _needed(meta, ("chars", "width"), "autoencoder")
    chars = list(meta["chars"])
    return {"vocab": chars, "start_id": chars.index(START),
            "pad_id": chars.index(PAD) if PAD in chars else None,
            "width": int(meta["width"]), "code_size": int(model.code_size)}


def _language_model(model, meta):
    from autograd_nlp.data.ptb import EOS
    _needed(meta, ("vocab",), "language-model")
    words = list(meta["vocab"])
    facts = {"vocab": words, "eos_id": words.index(EOS) if EOS in words else None,
             "unk_id": words.index("<unk>") if "<unk>" in words else None}
    if hasattr(model, "context_size"):
        facts["context_size"] = int(model.context_size)
    return facts


def _bert(model, meta):
    from autograd_nlp.data.bert_pretraining import SPECIAL_TOKENS
    _needed(meta, ("vocab",), "bert")
    words = list(meta["vocab"])
    if words[-len(SPECIAL_TOKENS):] != list(SPECIAL_TOKENS):      # older meta: without them
        words += list(SPECIAL_TOKENS)
    ids = {token: words.index(token) for token in SPECIAL_TOKENS}
    return {"vocab": words, "pad_id": ids["[PAD]"], "cls_id": ids["[CLS]"],
            "sep_id": ids["[SEP]"], "mask_id": ids["[MASK]"],
            "max_length": int(model.embed.position.max_length)}


def _pretrained_vocab(meta):
    """A bert-finetune run's vocabulary: its checkpoint records only the
    hash, the words are those of the ``train bert`` checkpoint it started
    from (settings "pretrained"), which must still be there and match."""
    from autograd_nlp.data.bert_pretraining import SPECIAL_TOKENS
    from autograd_nlp.training import fingerprint, load_checkpoint
    pretrained = (meta.get("settings") or {}).get("pretrained")
    words = None
    if pretrained and os.path.isfile(pretrained):
        words = list(load_checkpoint(pretrained)["meta"].get("vocab") or [])
        full = words if words[-len(SPECIAL_TOKENS):] == list(SPECIAL_TOKENS) \
            else words + list(SPECIAL_TOKENS)
        if meta.get("vocab_hash") not in (fingerprint("\n".join(words)),
                                          fingerprint("\n".join(full))):
            words = None
    if not words:
        raise ExportError(f"a bert-finetune checkpoint holds only its vocabulary's hash; its "
                          f"words are read from the train bert checkpoint it started from "
                          f"(--pretrained {pretrained}), which is not there or has another "
                          f"vocabulary; export from where that run's files are")
    return words


def _word2vec_words(model, meta, checkpoint_path):
    from autograd_nlp.text.word_vectors import WordVectors
    if checkpoint_path is None:
        return None
    beside = os.path.join(os.path.dirname(os.path.abspath(checkpoint_path)), "vectors.npz")
    if not os.path.isfile(beside):
        return None
    words = list(WordVectors.load(beside).words)
    return words if len(words) == len(model.word_vectors) else None

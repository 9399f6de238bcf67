"""``autograd_nlp.load(path)``: a checkpoint (or a vectors file) as a ready
object, the one way the library and the CLI rebuild a model from a file.

    import autograd_nlp
    translator = autograd_nlp.load("runs/attention/checkpoint.npz")
    translator.translate("december 6, 2026").text          # '2026-12-06'
    lm = autograd_nlp.load("runs/rnnlm/checkpoint.npz")
    lm.perplexity("the company said"), lm.generate("you", 20, seed=0)
    vectors = autograd_nlp.load("runs/cbow/vectors.npz")
    vectors.most_similar("you")

What comes back, by the checkpoint's kind (every object has ``.model``, the
restored Module in eval mode, and ``.meta``, the checkpoint's meta):

* seq2seq, peeky, attention, transformer: a ``Translator``
  (autograd_nlp/text/translator.py), ``.translate(str | list[str])``;
* rnnlm, better-rnnlm, simple-rnnlm, transformer-lm: a ``LanguageModel``
  (``.generate``, ``.perplexity``; loading/language_model.py);
* cbow, skipgram, and vectors.npz files: ``WordVectors`` (``.most_similar``,
  ``.analogy``; a vectors file has ``.model`` None);
* reinforce, a2c: a ``Policy`` (``.act(observation)``; loading/policy.py);
* bert: a ``BertEncoder`` (``.encode(sentences)``; loading/bert.py).

Other kinds (bert-finetune, autoencoder, vae) are a CheckpointError
naming these. Loading never unpickles (``np.load(allow_pickle=False)``); an
unreadable file is a BadFileError, a checkpoint that does not fit a
CheckpointError (both ``UserError`` and ``ValueError``).
"""
from autograd_nlp.loading.rebuild import SUPPORTED, build_model, rebuild_model, unsupported  # noqa: F401


def load(path, *, params=None, device="cpu"):
    """The object for the checkpoint or vectors file at ``path`` (see the
    module's docstring). ``params``: a parameters file to use instead of the
    checkpoint's own (e.g. the ``.best-params.npz`` an early-stopped run
    writes); ``device``: where the model computes ("cpu", "cuda")."""
    from autograd_nlp.loading.checkpoint_kind import family_of, read_checkpoint
    from autograd_nlp.serialization import npz_keys
    if {"words", "vectors"} <= set(npz_keys(path)):
        from autograd_nlp.loading.word_vectors import load_word_vectors
        return load_word_vectors(path)
    checkpoint = read_checkpoint(path, "load", None)
    family = family_of(checkpoint["kind"])
    if family == "seq2seq":
        from autograd_nlp.loading.seq2seq import translator_from_checkpoint
        return translator_from_checkpoint(checkpoint, path, params, device, "load")
    if family == "language-model":
        from autograd_nlp.loading.language_model import language_model_from_checkpoint
        return language_model_from_checkpoint(checkpoint, path, params, device, "load")
    if family == "word2vec":
        from autograd_nlp.loading.word_vectors import word_vectors_from_checkpoint
        return word_vectors_from_checkpoint(checkpoint, path, device)
    if family == "reinforcement":
        from autograd_nlp.loading.policy import policy_from_checkpoint
        return policy_from_checkpoint(checkpoint, path, params, device)
    if family == "bert":
        from autograd_nlp.loading.bert import encoder_from_checkpoint
        return encoder_from_checkpoint(checkpoint, path, params, device)
    raise unsupported(path, checkpoint["kind"])

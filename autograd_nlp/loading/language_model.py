"""A language-model checkpoint (rnnlm, better-rnnlm, simple-rnnlm,
transformer-lm) as a ``LanguageModel``: its model with its vocabulary,
generating text and measuring perplexity as ``generate`` and ``eval`` do."""
import numpy as np

from autograd_nlp.data.ptb import EOS

EVAL_BATCH_SIZE = 10
"""``eval``'s --batch-size default."""
EVAL_TIME_SIZE = 35
"""``eval``'s --time-size default for a recurrent model (a transformer-lm:
its ``context_size``)."""
SKIPPED_WORDS = ("N", "<unk>", "$")
"""Words ``generate`` never produces (PTB's placeholders), where the
vocabulary has them."""


class LanguageModel:
    """A language model with its vocabulary (``vocab[i]`` is word id i).

    model: the restored Module (eval mode); meta: the checkpoint's meta.
    """

    def __init__(self, model, vocab, meta=None):
        self.model = model
        self.vocab = list(vocab)
        self.word_to_id = {w: i for i, w in enumerate(self.vocab)}
        self.meta = dict(meta or {})

    def __repr__(self):
        return (f"LanguageModel({self.meta.get('kind', type(self.model).__name__)}, "
                f"{len(self.vocab):,} words)")

    def ids(self, text, unknown=None):
        """Word ids of ``text``: a str (split on whitespace; a line end is
        ``<eos>``, as PTB's files are read) or a list of words. A word
        outside the vocabulary is a ValueError naming it, unless ``unknown``
        names a vocabulary word to read it as (e.g. "<unk>"). An integer
        array is taken as ids already."""
        if isinstance(text, np.ndarray) and text.dtype.kind in "iu":
            return text.astype(np.int64, copy=False)        # ids already
        words = text.replace("\n", f" {EOS} ").split() if isinstance(text, str) else list(text)
        if unknown is not None and unknown not in self.word_to_id:
            raise ValueError(f"unknown={unknown!r} is not in the vocabulary either")
        missing = [w for w in dict.fromkeys(words) if w not in self.word_to_id]
        if missing and unknown is None:
            shown = ", ".join(repr(w) for w in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            hint = (" (pass unknown='<unk>' to read them as <unk>)"
                    if "<unk>" in self.word_to_id else "")
            raise ValueError(f"not in the vocabulary ({len(self.vocab):,} words): "
                             f"{shown}{more}{hint}")
        fallback = self.word_to_id.get(unknown)
        return np.array([self.word_to_id.get(w, fallback) for w in words], dtype=np.int64)

    def perplexity(self, text, batch_size=None, time_size=None, unknown=None, progress=False):
        """Perplexity of ``text`` (see ``ids``) read as ``eval`` reads a
        split: ``batch_size`` streams side by side (default 10), chunks of
        ``time_size`` steps (default 35; a transformer-lm's context), the
        state carried from a reset. With those, it is ``eval``'s number on
        the same text. A text too short for the defaults is read as one
        stream, in chunks of up to 35 (every word after the first scored)."""
        from autograd_nlp.training import evaluate_perplexity, iterations_per_epoch
        corpus = self.ids(text, unknown)
        if len(corpus) < 2:
            raise ValueError(f"perplexity needs at least 2 words, got {len(corpus)}")
        default_time = getattr(self.model, "context_size", EVAL_TIME_SIZE)
        batch = batch_size or EVAL_BATCH_SIZE
        time = time_size or default_time
        if iterations_per_epoch(corpus, batch, time) == 0:
            if batch_size is not None or time_size is not None:
                raise ValueError(f"a text of {len(corpus):,} words is too short for "
                                 f"batch_size {batch} x time_size {time} (+1); pass "
                                 f"smaller ones")
            batch, time = 1, min(default_time, len(corpus) - 1)
        return evaluate_perplexity(self.model, corpus, batch, time, progress=progress)

    def generate(self, start="you", length=100, temperature=1.0, top_k=None, greedy=False,
                 beam=1, seed=None, rng=None, skip=SKIPPED_WORDS):
        """Text of ``length`` words starting with the word ``start``, as the
        ``generate`` command prints it (each ``<eos>`` a "." and a line end):
        sampled from the softmax of the logits / ``temperature``, among the
        ``top_k`` most likely words if given, or the most likely one
        (``greedy``); or, with ``beam`` > 1, the most likely continuation a
        beam search of that width finds. ``seed`` (or a NumPy Generator
        ``rng``): the sampling's random numbers (default: autograd_nlp's
        global generator). Words in ``skip`` are never produced."""
        if start not in self.word_to_id:
            raise ValueError(f"start word {start!r} is not in the vocabulary "
                             f"({len(self.vocab):,} words, e.g. {', '.join(self.vocab[:3])})")
        sampling = [name for name, given in (("temperature", temperature != 1.0),
                                             ("top_k", top_k is not None),
                                             ("greedy", greedy)) if given]
        if beam > 1 and sampling:
            raise ValueError(f"beam={beam} searches for the most likely text and does not "
                             f"sample; drop {', '.join(sampling)} or beam")
        skip_ids = [self.word_to_id[w] for w in skip if w in self.word_to_id]
        if beam > 1:
            ids = self.model.beam_generate(self.word_to_id[start], length, beam,
                                           skip_ids=skip_ids)
        else:
            if rng is None and seed is not None:
                rng = np.random.default_rng(seed)
            ids = self.model.generate(self.word_to_id[start], length, skip_ids=skip_ids,
                                      temperature=temperature, top_k=top_k, greedy=greedy,
                                      rng=rng)
        return " ".join(self.vocab[i] for i in ids).replace(f" {EOS}", ".\n")


def load_language_model(path, params=None, device="cpu", command="this command"):
    """A ``LanguageModel`` for the language-model checkpoint at ``path``
    (``params``: a parameters file to use instead of its own, e.g. the
    ``.best-params.npz`` a run with validation writes). Another kind of
    checkpoint, or a damaged one, is a CheckpointError / BadFileError."""
    from autograd_nlp.loading.checkpoint_kind import read_checkpoint
    checkpoint = read_checkpoint(path, command, "language-model")
    return language_model_from_checkpoint(checkpoint, path, params, device, command)


def language_model_from_checkpoint(checkpoint, path, params=None, device="cpu",
                                   command="this command"):
    """``load_language_model`` for a checkpoint already read."""
    from autograd_nlp.loading.rebuild import rebuild_model
    model = rebuild_model(checkpoint, path, params, device, command)
    meta = {**checkpoint["meta"], "kind": checkpoint["kind"]}
    return LanguageModel(model, meta["vocab"], meta)

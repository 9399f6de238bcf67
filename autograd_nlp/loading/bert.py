"""A BERT pre-training checkpoint (``train bert``) as a ``BertEncoder``:
sentences in, the encoder's final-layer vector of every word out."""
import numpy as np

BATCH = 64


class BertEncoder:
    """A pre-trained ``Bert`` (``model``) with its vocabulary and ``meta``.

    ``encode(sentences)``: for each sentence (a str, split on whitespace, or
    a list of words), read alone as ``[CLS] sentence [SEP]`` as ``train
    bert`` reads one for its context-averaged vectors, a (words, dim) array
    of its words' final-layer vectors ([CLS] and [SEP] left out). A sentence
    longer than the model's ``max_length`` - 2 words loses its last words,
    as pre-training truncates. A word outside the vocabulary is a ValueError
    naming it, unless ``unknown`` names a vocabulary word to read it as."""

    def __init__(self, model, vocab, meta=None):
        from autograd_nlp.data.bert_pretraining import SPECIAL_TOKENS, BertVocabulary
        words = list(vocab)
        if words[-len(SPECIAL_TOKENS):] == list(SPECIAL_TOKENS):    # meta holds all V + 4
            words = words[:-len(SPECIAL_TOKENS)]
        self.model = model
        self.vocabulary = BertVocabulary(words)
        self.word_to_id = {w: i for i, w in enumerate(words)}
        self.meta = dict(meta or {})

    def __repr__(self):
        return f"BertEncoder({self.vocabulary.num_words:,} words, dim {self.model.dim})"

    def ids(self, sentence, unknown=None):
        words = sentence.split() if isinstance(sentence, str) else list(sentence)
        if unknown is not None and unknown not in self.word_to_id:
            raise ValueError(f"unknown={unknown!r} is not in the vocabulary either")
        missing = [w for w in dict.fromkeys(words) if w not in self.word_to_id]
        if missing and unknown is None:
            raise ValueError(f"not in the vocabulary ({len(self.word_to_id):,} words): "
                             + ", ".join(repr(w) for w in missing[:5])
                             + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
        fallback = self.word_to_id.get(unknown)
        return [self.word_to_id.get(w, fallback) for w in words]

    def encode(self, sentences, unknown=None, batch_size=BATCH):
        from autograd_nlp.backend import to_device
        from autograd_nlp.core import eval_mode, no_grad
        from autograd_nlp.data.bert_pretraining import encode_pair, pad_rows
        single = isinstance(sentences, str)
        items = [sentences] if single else list(sentences)
        max_length = self.model.embed.position.max_length
        rows = [encode_pair(self.ids(s, unknown), None, self.vocabulary, max_length)[0]
                for s in items]
        out = []
        with no_grad(), eval_mode():
            for start in range(0, len(rows), batch_size):
                chunk = rows[start:start + batch_size]
                tokens = pad_rows(chunk, max(len(r) for r in chunk), self.vocabulary.pad_id)
                hidden = to_device(self.model(to_device(tokens, self.model.device)).data, "cpu")
                out.extend(np.asarray(h[1:len(r) - 1]) for h, r in zip(hidden, chunk))
        return out[0] if single else out


def encoder_from_checkpoint(checkpoint, path, params=None, device="cpu"):
    from autograd_nlp.loading.rebuild import rebuild_model
    model = rebuild_model(checkpoint, path, params, device, "load")
    meta = {**checkpoint["meta"], "kind": checkpoint["kind"]}
    return BertEncoder(model, meta["vocab"], meta)

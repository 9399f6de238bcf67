"""Word vectors from a pre-trained BERT encoder (what ``train bert`` writes
as ``vectors.npz``, read by ``autograd-nlp similar``): each word's
final-layer vector averaged over every place it occurs."""
import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.data.bert_pretraining import encode_pair, pad_rows
from autograd_nlp.text import WordVectors


def context_averaged_vectors(model, sentences, vocab, batch_size=64):
    """WordVectors (dim = ``model.dim``) of the words in ``sentences`` (a
    list of id arrays): each word's final-layer vector averaged over all its
    occurrences, each sentence read alone as ``[CLS] s [SEP]`` (unmasked,
    eval mode, truncated to the model's max_length). Words that never occur
    are left out; the vectors are NumPy float32 whatever the model's device."""
    total = np.zeros((len(vocab), model.dim))
    count = np.zeros(len(vocab))
    with no_grad(), eval_mode():
        for start in range(0, len(sentences), batch_size):
            rows = [encode_pair(s, None, vocab, model.embed.position.max_length)[0]
                    for s in sentences[start:start + batch_size]]
            tokens = pad_rows(rows, max(len(r) for r in rows), vocab.pad_id)
            hidden = to_device(model(to_device(tokens, model.device)).data, "cpu")
            words = tokens < vocab.num_words
            np.add.at(total, tokens[words], hidden[words])
            np.add.at(count, tokens[words], 1)
    seen = np.flatnonzero(count)
    return WordVectors([vocab.words[i] for i in seen],
                       (total[seen] / count[seen, None]).astype(np.float32))

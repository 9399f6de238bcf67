"""Generated date strings as padded id arrays, for the sequence autoencoders
(``autograd-nlp train autoencoder|vae``): the strings of ``date_strings``
with a character vocabulary, split into training, validation and held-out
rows. Plain NumPy; nothing here knows about the autodiff engine.

    ds = DateStrings(200, seed=1, valid_fraction=0.2)
    ds.x_train.shape                      # (144, 29): ids, padded with spaces
    ds.decode(ds.x_test[:2])              # back to text
"""
import numpy as np

from autograd_nlp.data.date_strings import date_strings
from autograd_nlp.data.seq_format import DATE_WIDTHS, PAD, START
from autograd_nlp.data.splits import validation_indices


class DateStrings:
    """Generated date strings as padded id arrays with a character vocabulary.

    x_train, x_valid, x_test: (N, 29) int64 ids (x_valid: ``valid_fraction``
    of the training strings, carved by ``validation_indices``; empty by
    default; x_test: the last ``test_ratio`` of the strings, at least one);
    texts_train: the training strings (to tell a sample new from a copy);
    families_train/test: the format family of each row; ``chars``: id ->
    character (``_``, the last, is the decoder's start)."""

    def __init__(self, n, seed, families=None, test_ratio=0.1, valid_fraction=0.0):
        texts, labels = date_strings(n, seed=seed, families=families)
        self.width = DATE_WIDTHS[0]
        self.chars = "".join(sorted(set("".join(texts)) | {PAD})) + START
        self.char_to_id = {c: i for i, c in enumerate(self.chars)}
        ids, labels = self.encode(texts), np.array(labels)
        n_test = max(1, int(n * test_ratio)) if n > 1 else 0
        train, valid = validation_indices(n - n_test, valid_fraction)
        self.x_train, self.x_valid = ids[train], ids[valid]
        self.x_test = ids[n - n_test:]
        self.texts_train = {texts[i] for i in train}
        self.families_train, self.families_test = list(labels[train]), list(labels[n - n_test:])

    @classmethod
    def vocabulary_only(cls, chars, width):
        """The vocabulary of a checkpoint (``chars``, ``width`` from its meta)
        without any strings: enough to decode a model's samples."""
        ds = cls.__new__(cls)
        ds.chars, ds.width = chars, width
        ds.char_to_id = {c: i for i, c in enumerate(chars)}
        return ds

    @property
    def vocab_size(self):
        return len(self.chars)

    @property
    def start_id(self):
        return self.char_to_id[START]

    def encode(self, texts):
        """Strings -> ids (len(texts), width), padded on the right."""
        return np.array([[self.char_to_id[c] for c in t.ljust(self.width, PAD)]
                         for t in texts], dtype=np.int64)

    def decode(self, ids):
        """Ids (n, T) -> n strings, the padding stripped."""
        return ["".join(self.chars[i] for i in row).rstrip() for row in ids]

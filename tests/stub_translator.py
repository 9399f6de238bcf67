"""A stand-in seq2seq model for the translator tests: its answers and
their probabilities are set by the test."""
import numpy as np

from autograd_nlp.data.written_dates import ALPHABET


class StubModel:
    """Answers every question with ``answer`` and gives each character
    probability ``p``; records what it was asked."""

    def __init__(self, answer, p=0.99):
        self.answer, self.p, self.calls = answer, p, []

    def _ids(self, x):
        ids = [ALPHABET.index(c) for c in self.answer.ljust(10)]
        return np.tile(np.array(ids), (len(x), 1))

    def generate(self, x, start_id, length):
        self.calls.append(x)
        assert start_id == ALPHABET.index("_") and length == 10
        return self._ids(x)

    def beam_search(self, x, start_id, length, beam):
        return self.generate(x, start_id, length)

    def answer_log_probs(self, x, start_id, ids):
        p = np.full(ids.shape, 0.999)
        p[:, 4] = self.p
        return np.log(p)

"""Where each question sits inside its padding, and the question moved to
the front of its row, so that an encoder can read it without the padding.

A seq2seq batch is padded with ``pad_id`` to one width S: on the right, or,
once reversed (the book's trick), on the left. ``QuestionSpans.find`` says
where each row's question starts and how long it is; ``front`` gives the
ids (batch, W) with each question first, then padding up to W, the longest
of the batch. A recurrent encoder that stops at each question's end
(``length``) then reads the same characters however far it was padded.

Plain NumPy (or CuPy) on the ids; nothing here is differentiated.
"""
import dataclasses

import numpy as np

from autograd_nlp.backend import device_of, get_array_module, to_device


@dataclasses.dataclass
class QuestionSpans:
    """start, length: (batch,) int64, the columns ``start .. start + length - 1``
    of each row hold its question; width: the rows' width S. A row of
    padding only counts as a one-character question (its last column)."""
    start: np.ndarray
    length: np.ndarray
    width: int

    @classmethod
    def find(cls, xs, pad_id, pads_first):
        """The spans of ``xs`` (batch, S) ids padded with ``pad_id`` on the
        left (``pads_first``, reversed questions) or on the right."""
        xp = get_array_module(xs)
        if xs.ndim != 2:
            raise ValueError(f"QuestionSpans.find: questions must be (batch, S) ids, got "
                             f"shape {xs.shape}")
        width = xs.shape[1]
        real = xs != pad_id
        some = real.any(axis=1)
        if pads_first:
            start = xp.where(some, real.argmax(axis=1), width - 1)
            length = width - start
        else:
            last = width - 1 - real[:, ::-1].argmax(axis=1)
            length = xp.where(some, last + 1, 1)
            start = xp.zeros_like(length)
        return cls(start.astype(np.int64), length.astype(np.int64), width)

    def _steps(self):
        xp = get_array_module(self.length)
        return xp.arange(int(self.length.max()))

    def allowed(self):
        """(batch, W) bool, True on each question's characters once moved to
        the front (W = the longest question)."""
        return self._steps() < self.length[:, None]

    def front(self, xs, pad_id):
        """(batch, W) ids: each row's question moved to the front, ``pad_id``
        after it."""
        xp = get_array_module(xs)
        columns = xp.minimum(self.start[:, None] + self._steps(), self.width - 1)
        return xp.where(self.allowed(), xp.take_along_axis(xs, columns, axis=1), pad_id)

    def reversal(self):
        """(batch, W) index that reverses each row's question in place (the
        padding after it stays): ``row[index]`` read front to back is the
        question back to front. Its own inverse."""
        steps, length = self._steps(), self.length[:, None]
        return get_array_module(steps).where(steps < length, length - 1 - steps, steps)

    def to_columns(self, weights):
        """Weights over the front-moved positions (..., W), the batch first,
        put back at their columns of the padded rows: (..., S), 0 on the
        padding."""
        xp = get_array_module(weights)
        steps = np.arange(weights.shape[-1])
        start, length = (to_device(a, "cpu")[:, None] for a in (self.start, self.length))
        columns = np.where(steps < length, start + steps, self.width)   # padding: a spare one
        columns = to_device(columns, device_of(weights))
        columns = columns.reshape(columns.shape[:1] + (1,) * (weights.ndim - 2)
                                  + columns.shape[1:])
        full = xp.zeros(weights.shape[:-1] + (self.width + 1,), dtype=weights.dtype)
        xp.put_along_axis(full, xp.broadcast_to(columns, weights.shape), weights, axis=-1)
        return full[..., :self.width]

    def select(self, index):
        """The spans of rows ``index`` (beam search follows its hypotheses)."""
        index = to_device(index, device_of(self.start))
        return QuestionSpans(self.start[index], self.length[index], self.width)

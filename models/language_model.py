"""What every language model shares: truncated-BPTT hooks and text generation."""
import numpy as np

from autograd_nlp import random as ag_random
from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.layers import Module, recurrent_layers, select_state
from autograd_nlp.numeric import softmax_array
from autograd_nlp.models.beam_search import beam_search


class LanguageModel(Module):
    """A model mapping ids (batch, time) to logits (batch, time, vocab), with
    the stateful recurrent layers listed in ``recurrent_layers()`` (none in a
    Transformer: there ``reset_state`` and ``unchain`` do nothing)."""

    def recurrent_layers(self):
        return [layer for _, layer in recurrent_layers(self)]

    def reset_state(self):
        for layer in self.recurrent_layers():
            layer.reset_state()

    def unchain(self):
        """Truncated BPTT: cut the graph behind the carried state."""
        for layer in self.recurrent_layers():
            layer.unchain()

    def generate(self, start_id, length=100, skip_ids=None, temperature=1.0, top_k=None,
                 greedy=False, rng=None):
        """Sample ``length`` ids (the start id first) one at a time from the
        softmax of the logits / temperature, restricted to the ``top_k`` most
        likely when given; ``skip_ids`` are never produced; ``greedy`` takes
        the argmax. The recurrent state is reset first and left afterwards
        (``start_generation`` / ``next_logits`` are the per-model hooks)."""
        if temperature <= 0:
            raise ValueError(f"generate: temperature must be > 0, got {temperature}")
        rng = rng or ag_random.get_rng()
        skip = np.asarray(sorted(set(skip_ids or ())), dtype=np.int64)
        ids = [int(start_id)]
        with no_grad(), eval_mode():
            was_training = self.training
            self.eval()
            try:
                x = int(start_id)
                state = self.start_generation()
                while len(ids) < length:
                    logits = self.next_logits(x, state).astype(np.float64)
                    logits = to_device(logits, "cpu")           # sampling runs on the CPU
                    x = self._pick(logits, skip, temperature, top_k, greedy, rng)
                    ids.append(x)
            finally:
                self.train(was_training)
        return ids

    def start_generation(self):
        """The state ``next_logits`` carries between generated ids: none
        beyond the recurrent layers' own, which start from zero."""
        self.reset_state()
        return None

    def next_logits(self, x, state):
        """Logits (vocab,) of the id after id ``x``, given what came before
        (carried in the recurrent layers here; a Transformer's key/value cache)."""
        return self(np.array([[x]])).data[0, -1]

    def start_beam(self, length):
        """Prepare the carried state for ``beam_generate`` of ``length`` ids:
        the recurrent layers start from zero."""
        self.reset_state()

    def beam_logits(self, last_ids):
        """Logits (rows, vocab) after each row's last id (rows,), advancing
        the carried state (here the recurrent layers')."""
        return self(last_ids[:, None]).data[:, -1]

    def reorder_state(self, index):
        """Make the carried state's batch rows its rows ``index`` (batch,) int
        (beam search follows the surviving hypotheses with it). A model whose
        state lives elsewhere than its recurrent layers overrides this."""
        for layer in self.recurrent_layers():
            if layer.state is not None:
                layer.set_state(select_state(layer.state, index))

    def beam_generate(self, start_id, length=100, beam=3, eos_id=None, alpha=0.0, norm="gnmt",
                      skip_ids=None, return_score=False):
        """The most likely continuation beam search of width ``beam`` finds:
        ``length`` ids, the start id first (fewer when it ends at ``eos_id``,
        which is then the last); ``skip_ids`` are never produced. The beam's
        hypotheses run as one batch of beam + 1 rows (models/beam_search.py);
        beam = 1 is ``generate(..., greedy=True)``. ``return_score``: also
        the continuation's summed log-probability. The recurrent state is
        reset first and left afterwards."""
        if length < 1:
            raise ValueError(f"beam_generate: length must be >= 1 (it counts the start id), "
                             f"got {length}")
        self.start_beam(length)
        with no_grad(), eval_mode():
            was_training = self.training
            self.eval()
            try:
                def step(last_ids):
                    return to_device(self.beam_logits(last_ids), "cpu")

                ids, score = beam_search(step, self.reorder_state, 1, int(start_id),
                                         length - 1, beam, eos_id, alpha, norm, skip_ids)
            finally:
                self.train(was_training)
        ids = [int(start_id)] + [int(i) for i in ids[0]]
        if eos_id is not None and eos_id in ids[1:]:
            ids = ids[:ids.index(eos_id, 1) + 1]
        return (ids, float(score[0])) if return_score else ids

    @staticmethod
    def _pick(logits, skip, temperature, top_k, greedy, rng):
        logits = logits / temperature
        if skip.size:
            logits[skip] = -np.inf
        if top_k is not None and top_k < logits.size:
            cutoff = np.partition(logits, -top_k)[-top_k]
            logits = np.where(logits < cutoff, -np.inf, logits)
        if greedy:
            return int(np.argmax(logits))
        p = softmax_array(logits)
        return int(rng.choice(len(p), p=p))

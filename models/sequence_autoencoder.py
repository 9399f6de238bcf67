"""Sequence autoencoders: an LSTM reads a string into a fixed-size code, and
an LSTM decoder writes the string back from the code alone.

``SequenceAutoencoder`` maps each string to one code; ``VariationalAutoencoder``
(Kingma & Welling 2014; for sentences Bowman et al. 2016) maps it to a
Gaussian ``N(mu, diag(exp(logvar)))``, decodes a draw ``z = mu + sigma * eps``
(the reparameterisation trick, so gradients flow through the draw) and adds
``KL(q(z|x) || N(0, I))`` to the loss, so codes drawn from ``N(0, I)`` decode
to new strings.

    xs: (batch, T) int ids; the decoder reads [start, x_1 .. x_{T-1}] and
    predicts x_1 .. x_T (teacher forcing). codes: (batch, code_size).

Forward code only.
"""
import numpy as np

from autograd_nlp.core import Variable, eval_mode, no_grad
from autograd_nlp.functions import (broadcast_to, concat, exp, maximum, softmax_cross_entropy,
                                    tanh)
from autograd_nlp.layers import LSTM, Embedding, Linear, Module


def gaussian_kl(mean, logvar):
    """KL(N(mean, diag(exp(logvar))) || N(0, I)) of each row, in nats:
    ``0.5 * sum(mean^2 + exp(logvar) - 1 - logvar)``; (batch, d) -> (batch,)."""
    return 0.5 * (mean ** 2 + exp(logvar) - 1.0 - logvar).sum(axis=-1)


def free_bits_kl(mean, logvar, free_bits):
    """The batch's KL summed over code dimensions, each dimension's batch mean
    counted as at least ``free_bits`` nats (Kingma et al. 2016): below that
    floor a dimension carries information for free, which keeps a strong
    decoder from ignoring the code (posterior collapse). (batch, d) -> scalar."""
    per_dim = (0.5 * (mean ** 2 + exp(logvar) - 1.0 - logvar)).mean(axis=0)
    return maximum(per_dim, free_bits).sum()


def reparameterize(mean, logvar, noise):
    """A draw from N(mean, diag(exp(logvar))) as ``mean + exp(logvar / 2) * noise``
    with ``noise`` (batch, d) standard normal: differentiable in mean and logvar."""
    return mean + exp(0.5 * logvar) * noise


class StringEncoder(Module):
    """xs (batch, T) ids -> the LSTM's last hidden state (batch, hidden).
    With ``reverse`` it reads the string backwards (the book's chapter 7
    trick): the string's first characters, which the decoder writes first,
    are then the last the encoder saw."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, reverse=True):
        super().__init__()
        self.reverse = reverse
        self.embed = Embedding(vocab_size, wordvec_size)
        self.lstm = LSTM(wordvec_size, hidden_size, name="encoder")

    def forward(self, xs):
        xs = np.ascontiguousarray(xs[:, ::-1]) if self.reverse else xs
        _, (h, _) = self.lstm(self.embed(xs), return_state=True)
        return h


class CodeDecoder(Module):
    """Writes a string from a code: the code sets the LSTM's first hidden
    state and is also fed beside every input character (as the peeky decoder
    of chapter 7), so the decoder cannot forget it."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, code_size):
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        self.init_h = Linear(code_size, hidden_size)
        self.lstm = LSTM(code_size + wordvec_size, hidden_size, name="decoder")
        self.out = Linear(hidden_size, vocab_size)

    def start_state(self, z):
        h = tanh(self.init_h(z))
        return h, Variable(np.zeros(h.shape, dtype=h.dtype), requires_grad=False)

    def forward(self, ys, z, state=None):
        """ys (batch, T) input ids, z (batch, code) -> logits (batch, T, vocab), state."""
        batch, steps = ys.shape
        peek = broadcast_to(z.reshape(batch, 1, -1), (batch, steps, z.shape[-1]))
        state = self.start_state(z) if state is None else state
        hs, state = self.lstm(concat(peek, self.embed(ys), axis=-1), state=state,
                              return_state=True)
        return self.out(hs), state

    def generate(self, z, start_id, length):
        """Greedy decoding: z (batch, code) -> ids (batch, length)."""
        with no_grad(), eval_mode():
            z = Variable(np.asarray(z.data if isinstance(z, Variable) else z,
                                    dtype=self.out.W.dtype))
            y = np.full((len(z), 1), start_id, dtype=np.int64)
            state, out = None, []
            for _ in range(length):
                logits, state = self(y, z, state)
                y = logits.data.argmax(axis=-1)
                out.append(y[:, 0])
        return np.stack(out, axis=1)


def teacher_inputs(xs, start_id):
    """The decoder's inputs for targets xs (batch, T): [start, x_1 .. x_{T-1}]."""
    return np.concatenate([np.full((len(xs), 1), start_id, dtype=xs.dtype), xs[:, :-1]], 1)


class SequenceAutoencoder(Module):
    """Encoder LSTM -> Linear -> code (batch, code_size) -> CodeDecoder."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128, code_size=16,
                 reverse=True):
        super().__init__()
        self.code_size = code_size
        self.encoder = StringEncoder(vocab_size, wordvec_size, hidden_size, reverse)
        self.to_code = Linear(hidden_size, code_size)
        self.decoder = CodeDecoder(vocab_size, wordvec_size, hidden_size, code_size)

    def encode(self, xs):
        """xs (batch, T) -> codes (batch, code_size)."""
        return self.to_code(self.encoder(xs))

    def reconstruction_loss(self, xs, z, start_id):
        """Cross-entropy of rebuilding xs from z, summed over the T characters
        and averaged over the batch (nats per string)."""
        logits, _ = self.decoder(teacher_inputs(xs, start_id), z)
        return softmax_cross_entropy(logits, xs) * xs.shape[1]

    def loss(self, xs, start_id, beta=1.0, free_bits=0.0):
        """(loss, {"reconstruction": nats per string}); beta and free_bits are
        unused here (no KL term)."""
        recon = self.reconstruction_loss(xs, self.encode(xs), start_id)
        return recon, {"reconstruction": float(recon.data)}

    def codes(self, xs):
        """The code of each string as an array (batch, code_size), no graph."""
        with no_grad(), eval_mode():
            return self.encode(xs).data

    def reconstruct(self, xs, start_id):
        """Greedy rebuild of xs (batch, T) from their codes -> ids (batch, T)."""
        return self.decoder.generate(self.codes(xs), start_id, xs.shape[1])


class VariationalAutoencoder(SequenceAutoencoder):
    """The encoder gives a Gaussian per string; the loss is the negative ELBO
    ``reconstruction + beta * KL`` (beta annealed from 0 to 1 by the caller)."""

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128, code_size=16,
                 reverse=True):
        super().__init__(vocab_size, wordvec_size, hidden_size, code_size, reverse)
        self.to_logvar = Linear(hidden_size, code_size)

    def posterior(self, xs):
        """xs (batch, T) -> (mean, logvar), each (batch, code_size)."""
        h = self.encoder(xs)
        return self.to_code(h), self.to_logvar(h)

    def encode(self, xs):
        """The posterior mean: the code used to reconstruct and to plot."""
        return self.posterior(xs)[0]

    def loss(self, xs, start_id, beta=1.0, noise=None, free_bits=0.0):
        """(reconstruction + beta * KL term, {"reconstruction", "kl"} as floats;
        "kl" is the mean KL per string, without the floor). The KL term is the
        mean KL, or with ``free_bits`` > 0 nats ``free_bits_kl``. ``noise``
        (batch, code_size): the standard-normal draw (default: from
        autograd_nlp's generator)."""
        from autograd_nlp import random as ag_random
        mean, logvar = self.posterior(xs)
        if noise is None:
            noise = ag_random.get_rng().standard_normal(mean.shape)
        z = reparameterize(mean, logvar, np.asarray(noise, dtype=mean.dtype))
        recon = self.reconstruction_loss(xs, z, start_id)
        kl = gaussian_kl(mean, logvar).mean()
        term = free_bits_kl(mean, logvar, free_bits) if free_bits > 0 else kl
        return recon + beta * term, {"reconstruction": float(recon.data), "kl": float(kl.data)}

    def sample(self, n, start_id, length, rng):
        """n new strings: codes drawn from N(0, I) with ``rng`` (a numpy
        Generator), decoded greedily -> ids (n, length)."""
        z = rng.standard_normal((n, self.code_size))
        return self.decoder.generate(z, start_id, length)

"""Our training steps shared by the benchmark scripts (import after
``pin_threads``: this imports NumPy through autograd_nlp)."""
import autograd_nlp.functions as F
from autograd_nlp import optim


def language_model_step(model, xs, ts, clip=0.25, lr=20.0):
    """The book's Rnnlm/BetterRnnlm iteration as a closure: forward on ids
    xs (batch, time), cross-entropy with ts, backward, clip, SGD, then cut
    the graph behind the carried state (truncated BPTT)."""
    opt = optim.SGD(model.params(), lr=lr)

    def step():
        loss = F.softmax_cross_entropy(model(xs), ts)
        model.cleargrads()
        loss.backward()
        optim.clip_grads(model.params(), clip)
        opt.update()
        model.unchain()
    return step


def seq2seq_step(model, xs, ts, clip=5.0, lr=0.001):
    """A seq2seq iteration (teacher-forced loss on questions xs and answers
    ts, backward, clip, Adam) as a closure."""
    opt = optim.Adam(model.params(), lr=lr)

    def step():
        loss = model(xs, ts)
        model.cleargrads()
        loss.backward()
        optim.clip_grads(model.params(), clip)
        opt.update()
    return step

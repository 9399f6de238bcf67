"""The validation loss of a word2vec model (CBOW, skip-gram), which early
stopping watches: the mean negative-sampling loss over a held-out corpus,
measured so that it neither draws from nor shifts the training's random
numbers (a run with it takes the same steps as one without)."""
from autograd_nlp import random as ag_random
from autograd_nlp.data.contexts import create_contexts_target

VALIDATION_SEED = 0         # the negatives of every validation pass


def validation_loss(model, contexts, target, batch_size):
    """Mean negative-sampling loss of ``model`` on ``contexts`` (n, 2 w) and
    ``target`` (n,), in batches of ``batch_size``, with no graph and the
    same negative samples every epoch (drawn from ``VALIDATION_SEED``; the
    training's random stream is put back afterwards, so runs stay exact)."""
    from autograd_nlp.core import no_grad
    state = ag_random.get_state()
    ag_random.seed(VALIDATION_SEED)
    total, count = 0.0, 0
    try:
        with no_grad():
            for i in range(0, len(target), batch_size):
                x, t = contexts[i:i + batch_size], target[i:i + batch_size]
                total += float(model(x, t).data) * len(t)
                count += len(t)
    finally:
        ag_random.set_state(state)
    return total / max(count, 1)


def validation_evaluator(model, corpus, window, batch_size):
    """The trainer's per-epoch ``evaluate``: {"valid loss": ...} over
    ``corpus`` (the valid split's ids) with full windows of ``window`` words
    each side (the book's contexts)."""
    contexts, target = create_contexts_target(corpus, window)

    def evaluate(trainer):
        return {"valid loss": validation_loss(model, contexts, target, batch_size)}
    return evaluate

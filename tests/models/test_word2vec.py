"""word2vec models: shapes, gradients (float64), sampler, and learning."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.data.contexts import create_contexts_target
from autograd_nlp.text.sampler import UnigramSampler
from autograd_nlp.training import MinibatchTrainer
from autograd_nlp.models.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram


def test_contexts_target_like_the_book():
    corpus = np.array([0, 1, 2, 3, 4, 1, 5, 6])       # "you say goodbye and i say hello ."
    contexts, target = create_contexts_target(corpus, window_size=1)
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    c2, t2 = create_contexts_target(corpus, window_size=2)
    np.testing.assert_array_equal(c2[0], [0, 1, 3, 4])
    assert t2[0] == 2
    with pytest.raises(ValueError):
        create_contexts_target(corpus[:2], window_size=1)


def test_sampler_distribution_and_never_the_target():
    corpus = np.repeat(np.arange(5), [50, 20, 10, 5, 1])
    sampler = UnigramSampler(corpus, power=0.75, sample_size=4)
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 5, 50000)
    neg = sampler.get_negative_sample(targets, rng)
    assert neg.shape == (50000, 4)
    assert not (neg == targets[:, None]).any()
    # for a fixed target, frequencies follow p^0.75 restricted to the others
    fixed = sampler.get_negative_sample(np.zeros(40000, dtype=int), rng).ravel()
    counts = np.bincount(fixed, minlength=5) / fixed.size
    p = np.array([50, 20, 10, 5, 1], dtype=float) ** 0.75
    p[0] = 0
    np.testing.assert_allclose(counts, p / p.sum(), atol=0.01)
    unrestricted = np.bincount(sampler.sample(200000, rng), minlength=5) / 200000
    p = np.array([50, 20, 10, 5, 1], dtype=float) ** 0.75
    np.testing.assert_allclose(unrestricted, p / p.sum(), atol=0.005)


def _batch(vocab=12, window=2, n=6, seed=0):
    corpus = np.random.default_rng(seed).integers(0, vocab, 200)
    contexts, target = create_contexts_target(corpus, window)
    return corpus, contexts[:n], target[:n]


@pytest.mark.parametrize("cls", [SimpleCBOW, SimpleSkipGram, CBOW, SkipGram],
                         ids=lambda c: c.__name__)
def test_gradcheck_float64(cls):
    corpus, contexts, target = _batch()
    with ag.default_dtype(np.float64):
        model = cls(12, 4, corpus) if cls in (CBOW, SkipGram) else cls(12, 4)

    def loss():
        ag.random.seed(3)      # the same negatives on every evaluation
        return model(contexts, target)
    assert ag.gradcheck_module(model, loss)


def _float64_cbow(n=6, **kwargs):
    """A float64 CBOW (vocab 12, hidden 4, 3 negatives) and n of its batches."""
    corpus, contexts, target = _batch(n=n)
    with ag.default_dtype(np.float64):
        return CBOW(12, 4, corpus, sample_size=3, **kwargs), contexts, target


def test_negative_sampling_loss_matches_the_books_sum_of_terms():
    model, contexts, target = _float64_cbow()
    ag.random.seed(5)
    loss = float(model(contexts, target).data)
    ag.random.seed(5)
    negatives = model.sampler.get_negative_sample(target)
    h = model.in_embed.W.data[contexts].mean(axis=1)
    W = model.out_embed.W.data
    log_sigmoid = lambda x: -np.logaddexp(0, -x)
    expected = -log_sigmoid((W[target] * h).sum(1)).mean()
    for k in range(3):
        expected += -log_sigmoid(-(W[negatives[:, k]] * h).sum(1)).mean()
    assert loss == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("cls", [CBOW, SkipGram], ids=lambda c: c.__name__)
def test_words_sharing_contexts_move_together(cls):
    """Words 0 and 1 occur in identical contexts, word 2 in other ones."""
    rng = np.random.default_rng(0)
    sentences = []
    for _ in range(600):
        if rng.random() < 0.5:
            sentences += [3, 4, int(rng.integers(0, 2)), 5, 6]      # 0 or 1 between 4 and 5
        else:
            sentences += [7, 8, 2, 9, 10]                            # 2 elsewhere
    corpus = np.array(sentences)
    contexts, target = create_contexts_target(corpus, 2)
    ag.random.seed(0)
    model = cls(11, 10, corpus, sample_size=3)
    unit = lambda v: v / np.linalg.norm(v)
    cos = lambda a, b: float(unit(model.word_vectors[a]) @ unit(model.word_vectors[b]))
    before = cos(0, 1) - cos(0, 2)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=0.01), batch_size=50,
                               progress=False, log=lambda *a: None)
    trainer.fit((contexts, target), epochs=5)
    assert cos(0, 1) - cos(0, 2) > before + 0.5
    assert trainer.history["loss"][-1] < trainer.history["loss"][0]


def test_simple_cbow_learns_the_toy_sentence():
    from autograd_nlp.data import preprocess
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus, 1)
    ag.random.seed(0)
    model = SimpleCBOW(len(word_to_id), 5)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=0.05), batch_size=3,
                               progress=False, log=lambda *a: None)
    trainer.fit((contexts, target), epochs=300)
    assert trainer.history["loss"][-1] < 0.5 * trainer.history["loss"][0]


def test_minibatch_resume_matches_uninterrupted(tmp_path):
    corpus, contexts, target = _batch(n=100)
    contexts, target = create_contexts_target(corpus, 2)

    def make(seed=0, path=None):
        ag.random.seed(seed)
        model = CBOW(12, 4, corpus)
        return MinibatchTrainer(model, optim.Adam(model.params()), batch_size=16,
                                progress=False, log=lambda *a: None, checkpoint_path=path)
    straight = make()
    straight.fit((contexts, target), epochs=2)
    part = make(path=tmp_path / "c.npz")
    part.fit((contexts, target), epochs=2, stop_after=15)
    resumed = make(seed=7, path=tmp_path / "c.npz")
    resumed.resume(tmp_path / "c.npz")
    resumed.fit((contexts, target), epochs=2)
    for a, b in zip(straight.model.params(), resumed.model.params()):
        np.testing.assert_array_equal(a.data, b.data)


def test_fused_cbow_loss_and_gradients_match_the_composed_ops():
    """CBOW's one fused op against the same loss composed of embedding, mean
    and sigmoid_cross_entropy (the book's layers as forward code)."""
    model, contexts, target = _float64_cbow(n=20)
    ag.random.seed(5)
    fused = model(contexts, target)
    model.cleargrads()
    fused.backward()
    fused_grads = [p.grad.data.copy() for p in model.params()]
    ag.random.seed(5)
    composed = model.negative_sampling_loss(model.in_embed(contexts).mean(axis=1), target)
    model.cleargrads()
    composed.backward()
    assert float(fused.data) == pytest.approx(float(composed.data), rel=1e-12)
    for a, p in zip(fused_grads, model.params()):
        np.testing.assert_allclose(a, p.grad.data, rtol=1e-10, atol=1e-14)


def test_cbow_takes_given_negatives_and_weights():
    model, contexts, target = _float64_cbow(n=8)
    ag.random.seed(2)
    drawn = float(model(contexts, target).data)
    ag.random.seed(2)
    negatives = model.sampler.get_negative_sample(target)
    assert float(model(contexts, target, negatives).data) == drawn
    uniform = np.full(contexts.shape, 1 / contexts.shape[1])
    assert float(model(contexts, target, negatives, uniform).data) == pytest.approx(drawn)
    only_first = np.zeros(contexts.shape)
    only_first[:, 0] = 1                          # h = the first context's vector
    single = float(model(contexts[:, :1], target, negatives).data)
    assert float(model(contexts, target, negatives, only_first).data) == pytest.approx(single)


def test_cbow_context_sum_is_the_mean_times_the_window():
    summed, contexts, target = _float64_cbow(n=8, context="sum")
    ag.random.seed(2)
    negatives = summed.sampler.get_negative_sample(target)
    loss = float(summed(contexts, target, negatives).data)
    ones = np.full(contexts.shape, 1.0)
    assert loss == pytest.approx(float(summed(contexts, target, negatives, ones).data))
    summed.context = "mean"
    summed.in_embed.W.data *= contexts.shape[1]       # mean of C x vectors = their sum
    assert float(summed(contexts, target, negatives).data) == pytest.approx(loss)
    with pytest.raises(ValueError, match="context"):
        CBOW(12, 4, np.arange(12), context="max")

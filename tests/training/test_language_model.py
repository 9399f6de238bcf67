"""LM batching, perplexity, the truncated-BPTT loop, and exact resume."""
import math

import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.training import (LanguageModelTrainer, evaluate_perplexity,
                                   iterations_per_epoch, lm_batch, load_checkpoint)
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm


def book_batch(corpus, batch_size, time_size, time_idx):
    """The book's RnnlmTrainer.get_batch, loop for loop."""
    xs, ts = corpus[:-1], corpus[1:]
    data_size = len(xs)
    jump = data_size // batch_size
    offsets = [i * jump for i in range(batch_size)]
    bx = np.empty((batch_size, time_size), dtype=int)
    bt = np.empty((batch_size, time_size), dtype=int)
    for t in range(time_size):
        for i, offset in enumerate(offsets):
            bx[i, t] = xs[(offset + time_idx) % data_size]
            bt[i, t] = ts[(offset + time_idx) % data_size]
        time_idx += 1
    return bx, bt


def test_batches_match_the_books_loop():
    corpus = np.random.default_rng(0).integers(0, 50, 1000)
    for it in (0, 1, 7, 40):
        ours = lm_batch(corpus, 4, 35, it * 35)
        theirs = book_batch(corpus, 4, 35, it * 35)
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
    assert iterations_per_epoch(corpus, 4, 35) == 999 // 140


def tiny_trainer(tmp_path=None, model_seed=0, **kwargs):
    ag.random.seed(model_seed)
    model = BetterRnnlm(12, 8, 8, dropout=0.3)      # dropout: the RNG must be resumed too
    opt = optim.Adam(model.params(), lr=0.01)
    return LanguageModelTrainer(model, opt, batch_size=3, time_size=5, progress=False,
                                log=lambda *a: None,
                                checkpoint_path=tmp_path and tmp_path / "ckpt.npz",
                                checkpoint_every=0, **kwargs)


def test_resume_matches_an_uninterrupted_run(tmp_path):
    corpus = np.random.default_rng(1).integers(0, 12, 400)
    straight = tiny_trainer()
    straight.fit(corpus, epochs=2)
    interrupted = tiny_trainer(tmp_path)
    interrupted.fit(corpus, epochs=2, stop_after=30)        # mid first epoch (26 per epoch)
    resumed = tiny_trainer(tmp_path, model_seed=99)         # different init, overwritten
    resumed.resume(tmp_path / "ckpt.npz")
    assert (resumed.epoch, resumed.iteration) == (1, 4)
    resumed.fit(corpus, epochs=2)
    for (name, a), (_, b) in zip(straight.model.named_params(), resumed.model.named_params()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)
    assert straight.history["train_ppl"] == pytest.approx(resumed.history["train_ppl"])


def test_checkpoint_into_another_shape_names_the_parameter(tmp_path):
    trainer = tiny_trainer(tmp_path)
    trainer.save()
    other = BetterRnnlm(12, 6, 6)
    with pytest.raises(ValueError, match=r"embed\.W.*\(12, 6\).*\(12, 8\)"):
        ag.training.restore(load_checkpoint(tmp_path / "ckpt.npz"), other)


def test_tiny_lm_overfits_a_repeated_text():
    ag.random.seed(0)
    text = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 40)
    model = Rnnlm(10, 16, 32)
    trainer = LanguageModelTrainer(model, optim.Adam(model.params(), lr=0.02), batch_size=4,
                                   time_size=10, max_grad=1.0, progress=False,
                                   log=lambda *a: None)
    trainer.fit(text, epochs=30)
    ppl = evaluate_perplexity(model, text, batch_size=4, time_size=10)
    assert ppl < 1.1, ppl


def test_lr_is_divided_when_validation_gets_worse():
    corpus = np.random.default_rng(2).integers(0, 12, 300)
    trainer = tiny_trainer(lr_decay=4.0)
    trainer.optimizer.lr = 1.0                         # too large: validation gets worse
    trainer.best_ppl = 1.0                             # nothing can beat this
    trainer.fit(corpus, epochs=1, valid_corpus=corpus[:200])
    assert trainer.optimizer.lr == 0.25
    assert trainer.history["valid_ppl"][0] > 1.0


def test_memory_stays_flat_over_many_iterations():
    corpus = np.random.default_rng(3).integers(0, 12, 20000)
    trainer = tiny_trainer()
    counts = []
    for _ in range(5):
        trainer.fit(corpus, epochs=trainer.epoch + 1, stop_after=200)
        counts.append(ag.live_function_count())
    assert max(counts) == min(counts), counts


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    model = Rnnlm(7, 4, 4)
    model.out.W.data[...] = 0
    corpus = np.random.default_rng(4).integers(0, 7, 500)
    assert evaluate_perplexity(model, corpus, 5, 10) == pytest.approx(7.0, rel=1e-5)
    assert math.isfinite(evaluate_perplexity(model, corpus, 5, 10))

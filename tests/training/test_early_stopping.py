"""Early stopping in Trainer.fit: watches a validation score, stops after
``early_stop`` epochs without improvement, puts the best epoch's parameters
back, and resumes (best score, best parameters, patience count) exactly."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.layers import Linear
from autograd_nlp.training import MinibatchTrainer
from autograd_nlp.training.trainer import best_params_path

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
T = (X[:, 0] > 0).astype(np.int64)


def make_trainer(scores, snapshots, path=None, early_stop=2, higher_is_better=True):
    """A trainer whose validation score at epoch e is ``scores[e - 1]``;
    ``snapshots[e]`` records the parameters that epoch ended with."""
    ag.random.seed(0)
    model = Linear(3, 2)
    trainer = MinibatchTrainer(
        model, optim.SGD(model.params(), lr=0.5), batch_size=10, checkpoint_path=path,
        progress=False, log=lambda m: None, early_stop=early_stop, monitor="valid score",
        higher_is_better=higher_is_better,
        loss_fn=lambda m, x, t: softmax_cross_entropy(m(ag.Variable(x)), t))

    def evaluate(tr):
        snapshots[tr.epoch + 1] = model.state_dict()
        return {"valid score": scores[tr.epoch]}
    return trainer, evaluate


def assert_params(model, state):
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[name])


def test_stops_after_patience_and_restores_the_best_epoch():
    snapshots = {}
    trainer, evaluate = make_trainer([0.1, 0.5, 0.3, 0.4, 0.9, 0.9], snapshots)
    trainer.fit((X, T), epochs=6, evaluate=evaluate)
    assert trainer.history["epoch"] == [1, 2, 3, 4]        # 0.3, 0.4: two without gain
    assert trainer.stopped_early and trainer.best_epoch == 2 and trainer.best_score == 0.5
    assert not np.array_equal(snapshots[4]["W"], snapshots[2]["W"])   # it did train on
    assert_params(trainer.model, snapshots[2])


def test_lower_is_better_scores_and_no_stop_without_patience_running_out():
    snapshots = {}
    trainer, evaluate = make_trainer([9.0, 7.0, 8.0, 6.0], snapshots, early_stop=2,
                                     higher_is_better=False)
    trainer.fit((X, T), epochs=4, evaluate=evaluate)
    assert not trainer.stopped_early and trainer.history["epoch"] == [1, 2, 3, 4]
    assert trainer.best_epoch == 4
    assert_params(trainer.model, snapshots[4])


def test_early_stopping_without_a_validation_score_is_refused():
    model = Linear(3, 2)
    trainer = MinibatchTrainer(model, optim.SGD(model.params()), batch_size=10,
                               progress=False, log=lambda m: None, early_stop=2)
    with pytest.raises(ValueError, match="needs a validation score"):
        trainer.fit((X, T), epochs=1)


def test_a_resumed_run_stops_and_restores_as_an_uninterrupted_one(tmp_path):
    scores = [0.1, 0.5, 0.3, 0.2, 0.9]
    whole_snapshots, part_snapshots = {}, {}
    whole, evaluate = make_trainer(scores, whole_snapshots, tmp_path / "a" / "c.npz")
    whole.fit((X, T), epochs=5, evaluate=evaluate)

    path = tmp_path / "b" / "c.npz"
    first, evaluate = make_trainer(scores, part_snapshots, path)
    first.fit((X, T), epochs=5, evaluate=evaluate, stop_after=4 * 3 + 1)  # epoch 4 begun
    assert first.bad_epochs == 1 and first.best_epoch == 2
    assert (tmp_path / "b" / "c.best-params.npz").exists()
    assert best_params_path(path) == str(tmp_path / "b" / "c.best-params.npz")

    second, evaluate = make_trainer(scores, part_snapshots, path)   # a fresh process
    second.resume(path)
    assert (second.best_score, second.best_epoch, second.bad_epochs) == (0.5, 2, 1)
    second.fit((X, T), epochs=5, evaluate=evaluate)
    assert second.history["epoch"] == whole.history["epoch"] == [1, 2, 3, 4]
    assert second.stopped_early
    assert_params(second.model, whole_snapshots[2])
    assert_params(whole.model, whole_snapshots[2])


def test_resuming_with_a_larger_patience_goes_on(tmp_path):
    path = tmp_path / "c.npz"
    trainer, evaluate = make_trainer([0.5, 0.1, 0.2, 0.9, 0.1], {}, path, early_stop=2)
    trainer.fit((X, T), epochs=5, evaluate=evaluate)
    assert trainer.history["epoch"] == [1, 2, 3]
    again, evaluate = make_trainer([0.5, 0.1, 0.2, 0.9, 0.1], {}, path, early_stop=4)
    again.meta["settings"] = {"early_stop": 4}
    again.resume(path)
    assert not again.stopped_early
    again.fit((X, T), epochs=5, evaluate=evaluate)
    assert again.history["epoch"] == [1, 2, 3, 4, 5] and again.best_epoch == 4


def test_language_models_stop_on_validation_perplexity_lower_being_better():
    from autograd_nlp.training import LanguageModelTrainer
    from autograd_nlp.models.rnnlm import Rnnlm
    ag.random.seed(0)
    model = Rnnlm(12, 4, 4)
    corpus = np.random.default_rng(1).integers(0, 12, 400)
    trainer = LanguageModelTrainer(model, optim.SGD(model.params(), lr=50.0), batch_size=4,
                                   time_size=5, max_grad=None, progress=False,
                                   log=lambda m: None, early_stop=1)
    assert trainer.monitor == "valid perplexity" and not trainer.higher_is_better
    trainer.fit(corpus, epochs=6, valid_corpus=corpus[:200])   # lr 50: it gets worse
    ppl = trainer.history["valid_ppl"]
    assert trainer.stopped_early and len(ppl) < 6
    assert trainer.best_score == min(ppl) and trainer.best_ppl == min(ppl)
    from autograd_nlp.training import evaluate_perplexity
    assert evaluate_perplexity(model, corpus[:200], 10, 5) == pytest.approx(min(ppl), rel=1e-5)

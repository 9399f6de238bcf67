"""The per-iteration history every Trainer keeps (the book's loss_list and
ppl_list), carried by checkpoints, and Trainer.plot."""
import math

import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.serialization import load_npz, save_npz
from autograd_nlp.training import LanguageModelTrainer, load_checkpoint, plot
from autograd_nlp.training.history import align_iteration_history, grouped_means
from autograd_nlp.models.rnnlm import Rnnlm

CORPUS = np.random.default_rng(1).integers(0, 12, 400)      # 26 iterations per epoch


def lm_trainer(path=None, seed=0):
    ag.random.seed(seed)
    model = Rnnlm(12, 8, 8)
    return LanguageModelTrainer(model, optim.Adam(model.params(), lr=0.01), batch_size=3,
                                time_size=5, progress=False, log=lambda *a: None,
                                checkpoint_path=path, checkpoint_every=0)


def test_every_iteration_is_recorded_and_perplexity_is_its_exp():
    trainer = lm_trainer()
    trainer.fit(CORPUS, epochs=2)
    assert len(trainer.loss_list) == 52
    assert trainer.loss_list is trainer.history["iteration_loss"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in trainer.loss_list)
    assert trainer.ppl_list == pytest.approx([math.exp(v) for v in trainer.loss_list])
    first_epoch = trainer.loss_list[:26]                  # the epoch's mean is their mean
    assert math.exp(sum(first_epoch) / 26) == pytest.approx(trainer.history["train_ppl"][0])


def test_a_resumed_run_continues_the_history_of_an_uninterrupted_one(tmp_path):
    straight = lm_trainer()
    straight.fit(CORPUS, epochs=2)
    interrupted = lm_trainer(tmp_path / "c.npz")
    interrupted.fit(CORPUS, epochs=2, stop_after=30)
    assert len(load_checkpoint(tmp_path / "c.npz")["meta"]["history"]["iteration_loss"]) == 30
    resumed = lm_trainer(tmp_path / "c.npz", seed=5)
    resumed.resume(tmp_path / "c.npz")
    resumed.fit(CORPUS, epochs=2)
    assert resumed.loss_list == straight.loss_list          # bit-exact resume


def test_a_checkpoint_without_the_history_resumes_with_a_gap(tmp_path):
    """A checkpoint written before the per-iteration history existed (its
    history lacks the key) still resumes; the iterations it did are None."""
    trainer = lm_trainer(tmp_path / "c.npz")
    trainer.fit(CORPUS, epochs=2, stop_after=30)
    arrays, meta = load_npz(tmp_path / "c.npz", with_meta=True)
    del meta["history"]["iteration_loss"]
    save_npz(tmp_path / "old.npz", arrays, meta)
    resumed = lm_trainer(tmp_path / "new.npz", seed=5)
    resumed.resume(tmp_path / "old.npz")
    resumed.fit(CORPUS, epochs=2)
    assert resumed.loss_list[:30] == [None] * 30
    assert resumed.loss_list[30:] == pytest.approx(lm_trainer_losses()[30:])
    assert len(resumed.ppl_list) == 52 and resumed.ppl_list[0] is None
    xs, _ = grouped_means(resumed.loss_list, 10)
    assert xs == [40, 50, 52]                       # no point for the unknown iterations


def lm_trainer_losses():
    trainer = lm_trainer()
    trainer.fit(CORPUS, epochs=2)
    return trainer.loss_list


def test_the_new_history_leaves_what_older_code_reads_as_it_was(tmp_path):
    """Code written before the history (the CLI's curves, eval, load) reads
    the per-epoch keys; they are unchanged, one entry per epoch."""
    trainer = lm_trainer(tmp_path / "c.npz")
    trainer.fit(CORPUS, epochs=2)
    history = load_checkpoint(tmp_path / "c.npz")["meta"]["history"]
    assert set(history) == {"epoch", "train_ppl", "valid_ppl", "lr", "seconds",
                            "iteration_loss"}
    assert [len(history[k]) for k in ("epoch", "train_ppl", "valid_ppl", "lr", "seconds")] \
        == [2] * 5


def test_align_pads_only_what_is_missing():
    history = {"iteration_loss": [1.0, 2.0]}
    assert align_iteration_history(history, 2) == [1.0, 2.0]
    assert align_iteration_history({}, 3) == [None, None, None]


def test_plot_without_matplotlib_says_how_to_install_it(monkeypatch):
    trainer = lm_trainer()
    trainer.fit(CORPUS, epochs=1)
    monkeypatch.setattr(plot, "have_matplotlib", lambda: False)
    with pytest.raises(ImportError, match=r'LanguageModelTrainer\.plot needs matplotlib.*'
                                          r'pip install "autograd-nlp\[plot\]"'):
        trainer.plot()


def test_plot_before_fit_is_refused():
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="no iteration recorded yet"):
        lm_trainer().plot()


def test_plot_draws_perplexity_per_iteration_and_writes_a_file(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    trainer = lm_trainer()
    trainer.fit(CORPUS, epochs=2)
    fig = trainer.plot(every=4)
    ax = fig.axes[0]
    xs, ys = ax.lines[0].get_data()
    assert list(xs) == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52]
    assert ys[0] == pytest.approx(math.exp(np.mean(trainer.loss_list[:4])))
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "perplexity"
    assert ax.get_xlabel() == "iteration (mean of 4)"
    plt.close(fig)
    written = trainer.plot(tmp_path / "curve.png", ylim=(1, 100))
    assert written == tmp_path / "curve.png" and (tmp_path / "curve.png").stat().st_size > 0
    with pytest.raises(ValueError, match="extension"):
        trainer.plot(tmp_path / "curve.txt")


def test_every_trainer_plots_its_loss():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from autograd_nlp.functions import softmax_cross_entropy
    from autograd_nlp.layers import Linear
    from autograd_nlp.training import MinibatchTrainer
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int64)
    ag.random.seed(0)
    model = Linear(3, 2)
    trainer = MinibatchTrainer(model, optim.SGD(model.params(), lr=0.5), batch_size=10,
                               progress=False, log=lambda *a: None,
                               loss_fn=lambda m, xb, tb: softmax_cross_entropy(m(xb), tb))
    trainer.fit((x, t), epochs=3)
    assert len(trainer.loss_list) == 12
    fig = trainer.plot()
    assert fig.axes[0].get_ylabel() == "loss" and fig.axes[0].get_yscale() == "linear"
    assert list(fig.axes[0].lines[0].get_ydata()) == pytest.approx(trainer.loss_list)
    plt.close(fig)


def test_checkpoint_helpers_moved_out_of_trainer_are_still_importable_from_it():
    from autograd_nlp.training import checkpoint, trainer
    assert trainer.best_params_path is checkpoint.best_params_path
    assert trainer.restore_for_resume is checkpoint.restore_for_resume
    assert checkpoint.best_params_path("run/c.npz") == "run/c.best-params.npz"

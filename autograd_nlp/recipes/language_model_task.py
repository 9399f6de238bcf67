"""What the language-model recipes share (rnnlm, better-rnnlm, simple-rnnlm,
transformer-lm): the settings of the task (PTB, truncated-BPTT batches,
clipping, evaluation), the data announced, and the run itself once the model
and its optimizer exist: checkpoint meta, the trainer (``--resume``), the
epochs with validation perplexity, the perplexity curve and the final test
(or training-corpus) perplexity."""
import dataclasses
import os

from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import (ConfigError, TrainingConfig, distributed_option,
                                         early_stop_option, option, skip_test_option)
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import (data_dir_for_meta, load_ptb_announced,
                                          synchronize_ranks)
from autograd_nlp.recipes.settings import ptb_identity, vocab_hash
from autograd_nlp.training import LanguageModelTrainer, evaluate_perplexity, save_curves
from autograd_nlp.training.trainer import best_params_path


@dataclasses.dataclass
class LanguageModelTaskConfig(TrainingConfig):
    """The settings of every language-model recipe: PTB (or its first
    ``corpus_size`` tokens), (batch, time) chunks, the gradient clip, the
    perplexity evaluations. Each model's Config sets the defaults."""
    distributed: bool = distributed_option()
    batch_size: int = option(20, "sequences per batch", checks.positive_int)
    time_size: int = option(35, "time steps per truncated-BPTT chunk", checks.positive_int)
    lr: float = option(20.0, "SGD learning rate", checks.positive_float)
    max_grad: float = option(0.25, "clip the gradients' global norm to this",
                             checks.positive_float, none_help="no clipping")
    corpus_size: int = option(None, "train on the first N tokens only", checks.positive_int,
                              none_help="all")
    eval_batch_size: int = option(10, "batch size of the perplexity evaluations (the "
                                      "book's: 10)", checks.positive_int)
    max_iters: int = option(None, "cap iterations per epoch, for quick trials",
                            checks.positive_int, none_help="no cap")
    early_stop: int = early_stop_option("validation perplexity (PTB's valid split)")
    skip_test: bool = skip_test_option()

    def check_together(self):
        if self.early_stop is not None and self.corpus_size:
            raise ConfigError(f"--early-stop {self.early_stop} watches the validation "
                              f"perplexity, which a run on the first --corpus-size tokens "
                              f"does not measure; leave out --corpus-size or --early-stop")


class LanguageModelData:
    """What a language-model run reads: ``corpus`` (the training ids, 1-D),
    ``vocab`` (the words in id order) and ``valid``/``test`` (ids; None with
    ``corpus_size``, which trains on a prefix whose vocabulary the other
    splits may exceed)."""

    def __init__(self, corpus, vocab, valid, test):
        self.corpus, self.vocab, self.valid, self.test = corpus, vocab, valid, test
        self.vocab_size = len(vocab)


def load_lm_data(config):
    """PTB for a language-model run (``config.data_dir``, ``config.corpus_size``),
    each split announced as it is read."""
    corpus, word_to_id, id_to_word = load_ptb_announced("train", config.data_dir)
    if config.corpus_size:
        corpus = corpus[:config.corpus_size]
    vocab_size = int(corpus.max()) + 1 if config.corpus_size else len(word_to_id)
    valid = test = None
    if not config.corpus_size:
        valid = load_ptb_announced("valid", config.data_dir)[0]
        test = load_ptb_announced("test", config.data_dir)[0]
    return LanguageModelData(corpus, [id_to_word[i] for i in range(vocab_size)], valid, test)


def perplexity_curves(history):
    """{train, valid: (epochs, perplexities)} of a language-model trainer's
    history, for ``save_curves`` (valid only for the epochs that measured it)."""
    curves = {"train": (history["epoch"], history["train_ppl"])}
    valid = [(e, v) for e, v in zip(history["epoch"], history["valid_ppl"]) if v is not None]
    if valid:
        curves["valid"] = tuple(zip(*valid))
    return curves


def lm_meta(config, data, kwargs, extra=None):
    """A language-model checkpoint's meta: the kind, how to rebuild the model
    (``model_kwargs``), the vocabulary, the data's identity, the settings
    (once), the data folder for ``eval``; ``extra`` adds entries (a schedule)."""
    return {"kind": config.model, "model": config.model, "model_kwargs": kwargs,
            "vocab": data.vocab, "vocab_hash": vocab_hash(data.vocab),
            "data": ptb_identity(config.data_dir, data.corpus), "settings": config.settings(),
            "data_dir": data_dir_for_meta(config.data_dir), **(extra or {})}


def fit_and_test(config, data, model, optimizer, kwargs, header, *, out, comm=None,
                 progress=True, callbacks=None, extra_meta=None):
    """The rest of every language-model run once ``model`` and ``optimizer``
    exist: the trainer (resumed from ``config.resume``), the epochs, the
    perplexity curve (rank 0), and the test perplexity (the best epoch's
    parameters first when the lr decayed on validation), or without a test
    split the training corpus's. ``header`` starts the line describing the
    run. Returns a Result."""
    callbacks = callbacks or Callbacks()
    corpus = data.corpus
    checkpoint = os.path.join(out, "checkpoint.npz")
    lr_decay = getattr(config, "lr_decay", None)
    trainer = LanguageModelTrainer(model, optimizer, config.batch_size, config.time_size,
                                   config.max_grad, lr_decay, checkpoint,
                                   config.checkpoint_every,
                                   lm_meta(config, data, kwargs, extra_meta),
                                   progress=progress, max_iters_per_epoch=config.max_iters,
                                   checkpoint_seconds=60 * config.checkpoint_minutes,
                                   early_stop=config.early_stop,
                                   epoch_callback=callbacks.on_epoch, comm=comm)
    if config.resume:
        trainer.resume(config.resume)
    synchronize_ranks(model, optimizer, comm)   # after the resume: rank 0's state for all
    print(f"{header}, {len(corpus):,} training tokens, batch {config.batch_size} x time "
          f"{config.time_size}, lr {trainer.optimizer.lr:g}, clip {config.max_grad}, epochs "
          f"{config.epochs}", flush=True)
    history = trainer.fit(corpus, config.epochs, valid_corpus=data.valid,
                          eval_batch_size=config.eval_batch_size)
    paths = {"checkpoint": checkpoint}
    if comm is None or comm.is_root:
        paths["curve"] = save_curves(os.path.join(out, "perplexity.png"),
                                     perplexity_curves(history), "epoch", "perplexity",
                                     title=f"{config.model} on PTB", logy=True)
    metrics = final_perplexities(config, data, model, trainer, checkpoint, progress, callbacks)
    best = best_params_path(checkpoint)
    if trainer.best_score is not None and os.path.exists(best):
        paths["best_params"] = best
    curve = paths.get("curve")
    print(f"checkpoint: {checkpoint}" + (f"\nperplexity curve: {curve}" if curve else ""))
    return Result(model, history, metrics, {k: v for k, v in paths.items() if v}, config,
                  trainer)


def final_perplexities(config, data, model, trainer, checkpoint, progress, callbacks):
    """The run's final scores, printed: the last validation perplexity, then
    the test perplexity (not with ``skip_test``) or, for a run on a prefix of
    the corpus (no test split), the training corpus's."""
    valid = [v for v in trainer.history["valid_ppl"] if v is not None]
    metrics = {"valid perplexity": valid[-1]} if valid else {}
    if data.test is not None and config.skip_test:
        print("test perplexity: not measured (--skip-test)")
    elif data.test is not None:
        best = best_params_path(checkpoint)
        if trainer.lr_decay and config.early_stop is None and os.path.exists(best):
            model.load(best)
            print(f"loaded the best parameters (validation perplexity "
                  f"{trainer.best_ppl:.2f}) from {best}")
        model.reset_state()
        test_ppl = evaluate_perplexity(model, data.test, config.eval_batch_size,
                                       config.time_size, progress=progress, desc="test")
        print(f"test perplexity: {test_ppl:.2f}")
        metrics["test perplexity"] = test_ppl
        if callbacks.on_test is not None:
            callbacks.on_test("test perplexity", test_ppl)
    else:
        model.reset_state()
        ppl = evaluate_perplexity(model, data.corpus, batch_size=config.batch_size,
                                  time_size=config.time_size, progress=progress,
                                  desc="training corpus")
        print(f"training-corpus perplexity: {ppl:.2f}")
        metrics["training-corpus perplexity"] = ppl
    return metrics

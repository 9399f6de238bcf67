"""Chapters 5-6: the RNN language models on PTB (simple-rnnlm, rnnlm,
better-rnnlm) at the book's settings: truncated BPTT with SGD, the gradient
clip, validation perplexity every epoch (better-rnnlm divides the lr when it
gets worse), the perplexity curve and the test perplexity.

    from autograd_nlp.recipes import language_model
    result = language_model.run(language_model.RnnlmConfig(epochs=1, max_iters=50))
    result.metrics["test perplexity"], result.checkpoint
"""
import dataclasses
import os
from typing import ClassVar

from autograd_nlp import optim
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import ConfigError, option, variant
from autograd_nlp.recipes.language_model_task import (LanguageModelTaskConfig, fit_and_test,
                                                      load_lm_data)
from autograd_nlp.recipes.runtime import distributed_comm, prepare_out_on_root, seed_everything
from autograd_nlp.recipes.settings import in_use

# the book's settings (chapter 5: ch05/train.py; chapter 6: ch06/train_rnnlm.py,
# ch06/train_better_rnnlm.py)
DEFAULTS = {
    "simple-rnnlm": dict(epochs=100, batch_size=10, time_size=5, lr=0.1, max_grad=None,
                         wordvec=100, hidden=100, corpus_size=1000, lr_decay=None),
    "rnnlm": dict(epochs=4, batch_size=20, time_size=35, lr=20.0, max_grad=0.25,
                  wordvec=100, hidden=100, corpus_size=None, lr_decay=None),
    "better-rnnlm": dict(epochs=40, batch_size=20, time_size=35, lr=20.0, max_grad=0.25,
                         wordvec=650, hidden=650, corpus_size=None, lr_decay=4.0,
                         dropout=0.5),
}


@dataclasses.dataclass
class LanguageModelConfig(LanguageModelTaskConfig):
    """The settings of an RNN language model on PTB (``train rnnlm``'s
    defaults; RnnlmConfig, SimpleRnnlmConfig and BetterRnnlmConfig carry
    each model's, the book's)."""
    model: ClassVar[str] = "rnnlm"
    epochs: int = option(4, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "rnnlm"), "output folder", setting=False)
    wordvec: int = option(100, "word-vector (embedding) size", checks.positive_int)
    hidden: int = option(100, "hidden-state size", checks.positive_int)
    lr_decay: float = option(None, "divide lr by this when validation perplexity gets worse",
                             checks.positive_float, none_help="never")

    def model_kwargs(self, vocab_size):
        """The model's constructor arguments for a vocabulary of ``vocab_size``."""
        return dict(vocab_size=vocab_size, wordvec_size=self.wordvec, hidden_size=self.hidden)


@dataclasses.dataclass
class _DropoutLanguageModelConfig(LanguageModelConfig):
    """An RNN language model with dropout and the output projection tied to
    the embedding (better-rnnlm's family)."""
    dropout: float = option(0.5, "dropout rate", checks.fraction)

    def check_together(self):
        if self.wordvec != self.hidden:
            raise ConfigError(f"train {self.model} ties the output projection to the "
                              f"embedding, so --wordvec {self.wordvec} must equal --hidden "
                              f"{self.hidden}; pass the same size to both")
        super().check_together()

    def model_kwargs(self, vocab_size):
        return {**super().model_kwargs(vocab_size), "dropout": self.dropout}


def _book_variant(base, name, class_name, doc):
    cls = variant(base, class_name, doc, out=os.path.join("runs", name), **DEFAULTS[name])
    cls.model = name
    return cls


RnnlmConfig = _book_variant(LanguageModelConfig, "rnnlm", "RnnlmConfig",
                            "``train rnnlm``: chapter 6's LSTM language model "
                            "(ch06/train_rnnlm.py's settings).")
SimpleRnnlmConfig = _book_variant(LanguageModelConfig, "simple-rnnlm", "SimpleRnnlmConfig",
                                  "``train simple-rnnlm``: chapter 5's plain-RNN language "
                                  "model on PTB's first 1,000 tokens (ch05/train.py's "
                                  "settings).")
BetterRnnlmConfig = _book_variant(_DropoutLanguageModelConfig, "better-rnnlm",
                                  "BetterRnnlmConfig",
                                  "``train better-rnnlm``: chapter 6's two-layer LSTM with "
                                  "dropout and tied weights (ch06/train_better_rnnlm.py's "
                                  "settings).")

CONFIGS = {"simple-rnnlm": SimpleRnnlmConfig, "rnnlm": RnnlmConfig,
           "better-rnnlm": BetterRnnlmConfig}


def build_model(name, kwargs):
    from autograd_nlp.models import language_models
    return language_models()[name](**kwargs)


def prepare(config):
    """The settings in use: the resumed checkpoint's for fields not given,
    then the rules between fields."""
    return in_use(config)


def run(config, *, progress=True, callbacks=None):
    """Train the RNN language model ``config`` describes (RnnlmConfig,
    SimpleRnnlmConfig or BetterRnnlmConfig) on PTB. Returns a Result:
    metrics "valid perplexity" (the last epoch's), "test perplexity" (or
    "training-corpus perplexity" with ``corpus_size``); paths "checkpoint",
    "curve" (perplexity.png), "best_params" when kept."""
    config = prepare(config)
    progress = progress and not config.quiet
    comm = distributed_comm(config)             # None unless distributed
    seed_everything(config.seed)
    out = prepare_out_on_root(config.out, config, comm)
    data = load_lm_data(config)
    kwargs = config.model_kwargs(data.vocab_size)
    model = build_model(config.model, kwargs)
    model.to(config.device)
    optimizer = optim.SGD(model.params(), lr=config.lr)
    return fit_and_test(config, data, model, optimizer, kwargs,
                        f"{config.model}: {model.num_params():,} parameters", out=out,
                        comm=comm, progress=progress, callbacks=callbacks)

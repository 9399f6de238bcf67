"""The decoder-only Transformer language model on PTB, in the language-model
family: the same data, trainer, checkpoints and resume rule as the RNN
language models, and ``eval`` / ``generate`` / ``autograd_nlp.load`` read
its checkpoints.

A Transformer carries no state between chunks: each (batch, time_size)
chunk is an independent context window, trained with Adam under a warm-up
schedule (inverse square root or cosine) instead of the book's plain SGD.

    from autograd_nlp.recipes import transformer_lm
    result = transformer_lm.run(transformer_lm.TransformerLMConfig(epochs=1, max_iters=50))
    result.metrics["test perplexity"], result.checkpoint
"""
import dataclasses
import os
from typing import ClassVar

from autograd_nlp import optim
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import option
from autograd_nlp.recipes.language_model_task import (LanguageModelTaskConfig, fit_and_test,
                                                      load_lm_data)
from autograd_nlp.recipes.runtime import (attach_schedule, distributed_comm,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.recipes.settings import in_use
from autograd_nlp.recipes.transformer import SCHEDULES, TransformerSizes
from autograd_nlp.training.language_model import iterations_per_epoch


@dataclasses.dataclass
class TransformerLMConfig(LanguageModelTaskConfig, TransformerSizes):
    """``train transformer-lm``: a decoder-only Transformer on PTB, sized for
    one CPU thread."""
    model: ClassVar[str] = "transformer-lm"
    epochs: int = option(4, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "transformer-lm"), "output folder", setting=False)
    dim: int = option(128, "model width", checks.positive_int)
    layers: int = option(2, "causal self-attention blocks", checks.positive_int)
    positional: str = option("sinusoidal", "positional encoding",
                             choices=("sinusoidal", "learned"))
    activation: str = option("relu", "feed-forward activation",
                             choices=("relu", "gelu", "gelu_tanh"))
    tie: bool = option(True, "project the output with the embedding's transpose (default: "
                             "%(default)s)",
                       negation="a separate output projection instead of the embedding's "
                                "transpose")
    batch_size: int = option(16, "windows per batch", checks.positive_int)
    time_size: int = option(64, "tokens per window: the context the model reads (each chunk "
                                "is independent; no state is carried)", checks.positive_int)
    lr: float = option(0.002, "peak learning rate of the schedule", checks.positive_float)
    schedule: str = option("inverse-sqrt", "learning-rate schedule after the linear warm-up",
                           choices=SCHEDULES)
    warmup: int = option(400, "warm-up steps", checks.non_negative_int)
    max_grad: float = option(1.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    eval_batch_size: int = option(10, "batch size of the perplexity evaluations",
                                  checks.positive_int)

    def check_together(self):
        self.check_heads(self.model)
        super().check_together()

    def model_kwargs(self, vocab_size):
        """TransformerLM's constructor arguments for a vocabulary of ``vocab_size``."""
        return dict(vocab_size=vocab_size, dim=self.dim, num_heads=self.heads,
                    num_layers=self.layers, ff_hidden=self.ff_hidden, dropout=self.dropout,
                    activation=self.activation, norm_first=self.norm == "pre",
                    positional=self.positional, context_size=self.time_size,
                    tie_weights=self.tie)


def prepare(config):
    """The settings in use: the resumed checkpoint's for fields not given,
    then the rules between fields."""
    return in_use(config)


def run(config, *, progress=True, callbacks=None):
    """Train the TransformerLM ``config`` describes on PTB. Returns a Result
    (metrics and paths as ``recipes.language_model.run``'s)."""
    from autograd_nlp.models.transformer_lm import TransformerLM
    config = prepare(config)
    progress = progress and not config.quiet
    comm = distributed_comm(config)             # None unless distributed
    seed_everything(config.seed)
    out = prepare_out_on_root(config.out, config, comm)
    data = load_lm_data(config)
    kwargs = config.model_kwargs(data.vocab_size)
    model = TransformerLM(**kwargs)
    model.to(config.device)
    optimizer = optim.Adam(model.params(), lr=config.lr, beta2=0.98)
    iters = iterations_per_epoch(data.corpus, config.batch_size, config.time_size)
    if config.max_iters:
        iters = min(iters, config.max_iters)
    schedule = attach_schedule(optimizer, config, config.epochs * iters)
    header = (f"{config.model}: {model.num_params():,} parameters ({config.layers} layers, "
              f"dim {config.dim}, {config.heads} heads, {config.norm}-norm, "
              f"{'tied' if config.tie else 'untied'} output), Adam peak lr {config.lr:g} "
              f"({config.schedule}, warm-up {config.warmup})")
    return fit_and_test(config, data, model, optimizer, kwargs, header, out=out, comm=comm,
                        progress=progress, callbacks=callbacks,
                        extra_meta={"schedule": schedule.state_dict() if schedule else None})

"""The Transformer encoder-decoder on the seq2seq tasks (dates, additions),
wired like attention: the same data, checkpoints, progress, accuracy plot and
``translate``, plus a grid of cross-attention heatmaps (layers x heads).

    from autograd_nlp.recipes import transformer
    result = transformer.run(transformer.TransformerConfig(epochs=1, generate_size=5000))
"""
import dataclasses
import os
from typing import ClassVar

from autograd_nlp import optim
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import ConfigError, option
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.recipes.runtime import (attach_schedule, distributed_comm,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.recipes.seq2seq import GENERATED_DATE_RECIPE
from autograd_nlp.recipes.seq2seq_task import (ADAM_FORMS, Seq2seqTaskConfig,
                                               apply_generated_recipe, checkpoint_path,
                                               dataset_meta, load_dataset, make_trainer,
                                               train_and_report)
from autograd_nlp.recipes.settings import in_use
from autograd_nlp.training.attention_plots import save_head_heatmaps

SCHEDULES = ("inverse-sqrt", "cosine", "constant")


@dataclasses.dataclass
class TransformerSizes:
    """The sizes of a Transformer stack, shared by the Transformer recipes
    (seq2seq, language model, BERT): mixed into their Configs."""
    dim: int = option(64, "model width", checks.positive_int)
    heads: int = option(4, "attention heads", checks.positive_int)
    layers: int = option(2, "encoder and decoder layers each", checks.positive_int)
    ff_hidden: int = option(None, "feed-forward width", checks.positive_int,
                            none_help="4 x dim")
    dropout: float = option(0.1, "dropout rate", checks.fraction)
    norm: str = option("pre", "LayerNorm before each sub-layer (pre) or after (post)",
                       choices=("pre", "post"))

    def check_heads(self, command):
        """--dim must split evenly over --heads (ConfigError naming both, with a fix)."""
        if self.dim % self.heads:
            raise ConfigError(f"train {command}: --dim {self.dim} is not divisible by --heads "
                              f"{self.heads}; pick e.g. --dim "
                              f"{self.heads * (self.dim // self.heads + 1)}")


@dataclasses.dataclass
class TransformerConfig(Seq2seqTaskConfig, TransformerSizes):
    """``train transformer``: a Transformer encoder-decoder on dates or additions."""
    model: ClassVar[str] = "transformer"
    epochs: int = option(5, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "transformer"), "output folder", setting=False)
    dataset: str = option("date", "the seq2seq task", choices=("addition", "date"),
                          flags=("--dataset", "--task"))
    reverse: bool = option(False, "reverse the questions (default: %(default)s; attention "
                                  "does not need it)", negation="read the questions as written")
    positional: str = option("sinusoidal", "positional encoding",
                             choices=("sinusoidal", "learned"))
    activation: str = option("relu", "feed-forward activation",
                             choices=("relu", "gelu", "gelu_tanh"))
    label_smoothing: float = option(0.0, "probability mass spread over the other characters",
                                    checks.fraction)
    lr: float = option(0.002, "peak learning rate of the schedule", checks.positive_float)
    schedule: str = option("inverse-sqrt", "learning-rate schedule after the linear warm-up "
                                           "(default: %(default)s)", choices=SCHEDULES)
    warmup: int = option(200, "warm-up steps", checks.non_negative_int)
    max_grad: float = option(1.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    adam: str = option("torch", "torch: torch.optim.Adam's form; book: eps added before the "
                                "bias correction, as Keras", choices=tuple(sorted(ADAM_FORMS)))

    def check_together(self):
        self.check_heads(self.model)
        super().check_together()

    def model_kwargs(self, vocab_size, max_length):
        return dict(vocab_size=vocab_size, dim=self.dim, num_heads=self.heads,
                    num_layers=self.layers, ff_hidden=self.ff_hidden, dropout=self.dropout,
                    activation=self.activation, norm_first=self.norm == "pre",
                    positional=self.positional, max_length=max_length,
                    label_smoothing=self.label_smoothing)


def prepare(config):
    """The settings in use: the generated-dates recipe for fields not given,
    then the resumed checkpoint's, then the rules between fields."""
    config = apply_generated_recipe(config, GENERATED_DATE_RECIPE.get(config.model))
    return in_use(config)


def run(config, *, progress=True, callbacks=None):
    """Train the Transformer ``config`` describes on its task. Returns a Result."""
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    progress = progress and not config.quiet
    seed_everything(config.seed)
    comm = distributed_comm(config)
    out = prepare_out_on_root(config.out, config, comm)
    ds = load_dataset(config)
    kwargs = config.model_kwargs(ds.vocab_size, max(ds.question_length, ds.answer_length))
    model = TransformerSeq2seq(**kwargs)
    model.to(config.device)
    checkpoint = checkpoint_path(out)
    optimizer = optim.Adam(model.params(), lr=config.lr, beta2=0.98, **ADAM_FORMS[config.adam])
    steps = config.epochs * (len(ds.x_train) // config.batch_size)
    schedule = attach_schedule(optimizer, config, steps)
    meta = {"kind": config.model, "model": config.model, "model_kwargs": kwargs,
            **dataset_meta(ds), "settings": config.settings(),
            "schedule": schedule.state_dict() if schedule else None}
    meta.pop("book_rng", None)
    trainer = make_trainer(config, model, optimizer, ds, checkpoint, meta, comm, progress,
                           callbacks)
    print(f"transformer: {model.num_params():,} parameters ({config.layers}+{config.layers} "
          f"layers, dim {config.dim}, {config.heads} heads, {config.norm}-norm), batch "
          f"{config.batch_size}, Adam peak lr {config.lr:g} ({config.schedule}, warm-up "
          f"{config.warmup}), epochs {config.epochs}", flush=True)

    return train_and_report(config, model, trainer, ds, checkpoint, comm, progress, callbacks,
                            picture=lambda out: save_head_heatmaps(
                                model, ds, os.path.join(out, "attention_heads.png")))

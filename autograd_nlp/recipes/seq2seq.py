"""Chapters 7-8: seq2seq, peeky seq2seq and attention on the toy tasks
(additions, dates), at the book's settings; on generated dates (no data
directory) attention takes the main job's recipe (``GENERATED_DATE_RECIPE``).

    from autograd_nlp.recipes import seq2seq
    result = seq2seq.run(seq2seq.AttentionConfig(epochs=1, generate_size=5000))
    result.metrics["accuracy"], result.checkpoint
"""
import dataclasses
import os
from typing import ClassVar

import numpy as np

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.data.seq import book_random_state
from autograd_nlp.errors import UserError
from autograd_nlp.layers import LSTMCell
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import option, variant
from autograd_nlp.recipes.result import Callbacks
from autograd_nlp.recipes.runtime import (attach_schedule, distributed_comm,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.recipes.seq2seq_task import (ADAM_FORMS, Seq2seqTaskConfig,
                                               apply_generated_recipe, checkpoint_path,
                                               dataset_meta, load_dataset, make_trainer,
                                               train_and_report)
from autograd_nlp.recipes.settings import in_use
from autograd_nlp.training import seq2seq_accuracy
from autograd_nlp.training.attention_plots import save_attention_heatmap

# the main job's recipe: attention on generated dates (no data directory) uses
# these where the book's settings would be too slow for the wider data (200
# years, many written forms); measured in docs/results.md
GENERATED_DATE_RECIPE = {
    "attention": dict(epochs=5, hidden=128, lr=0.003, schedule="cosine", dropout=0.1,
                      generate_size=150_000),
    "transformer": dict(epochs=5, schedule="cosine", reverse=True, generate_size=150_000),
}


def book_rng(value):
    """``book_rng``: "book" or an integer seed."""
    if value == "book":
        return value
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value) if isinstance(value, str) else checks.non_negative_int(value)
    except ValueError:
        raise ValueError("expected 'book' or an integer seed") from None


@dataclasses.dataclass
class Seq2seqConfig(Seq2seqTaskConfig):
    """``train seq2seq``: chapter 7's encoder-decoder, at the book's settings."""
    model: ClassVar[str] = "seq2seq"
    epochs: int = option(25, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "seq2seq"), "output folder", setting=False)
    wordvec: int = option(16, "character-vector (embedding) size", checks.positive_int)
    hidden: int = option(128, "hidden-state size", checks.positive_int)
    schedule: str = option("constant", "learning rate: constant, as the book's, or falling "
                                       "along half a cosine to 0 over the run (default: "
                                       "%(default)s)", choices=("constant", "cosine"))
    adam: str = option("book", "book: the book's Adam (eps 1e-7 added before the bias "
                               "correction, as Keras); torch: torch.optim.Adam's form, eps "
                               "1e-8 (default: %(default)s)", choices=tuple(sorted(ADAM_FORMS)))
    book_rng: object = option(None, "draw the initial weights and epoch shuffles from "
                                    "NumPy's legacy generator as the book's script does: "
                                    "alone, as its load_data leaves it (seed 1984, one "
                                    "shuffle), i.e. the book's own random numbers; with SEED, "
                                    "seeded with it (the NumPy reference's --streams SEED). "
                                    "Overrides --seed (default: off)", book_rng,
                              metavar="SEED", nargs="?", const="book")
    rl_finetune: int = option(0, "after training, fine-tune STEPS Adam updates with "
                                 "self-critical REINFORCE on exact match (written to "
                                 "rl-finetuned.npz; the run's checkpoint is left as trained; "
                                 "0: none)", checks.non_negative_int, metavar="STEPS",
                              setting=False)
    rl_lr: float = option(1e-5, "Adam learning rate of --rl-finetune", checks.positive_float,
                          setting=False)

    def model_kwargs(self, vocab_size):
        return dict(vocab_size=vocab_size, wordvec_size=self.wordvec, hidden_size=self.hidden)


PeekyConfig = variant(Seq2seqConfig, "PeekyConfig",
                      "``train peeky``: the decoder sees the encoding at every step; "
                      "questions reversed.", reverse=True, out=os.path.join("runs", "peeky"))
PeekyConfig.model = "peeky"


@dataclasses.dataclass
class AttentionConfig(Seq2seqConfig):
    """``train attention``: chapter 8's attention seq2seq on dates (the main job)."""
    model: ClassVar[str] = "attention"
    dataset: str = option("date", "which toy dataset", choices=("addition", "date"))
    reverse: bool = option(True, "reverse the questions (default: %(default)s)",
                           negation="keep the questions in reading order")
    epochs: int = option(4, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "attention"), "output folder", setting=False)
    hidden: int = option(256, "hidden-state size", checks.positive_int)
    bidirectional: bool = option(False, "bidirectional LSTM encoder")
    dropout: float = option(0.0, "drop characters' vectors and the decoder's [context, h] "
                                 "with this probability while training (default: "
                                 "%(default)s, none, as the book)", checks.fraction)
    ignore_padding: bool = option(False, "read each question without its padding: the "
                                         "encoder stops at the question's last character "
                                         "(and spends nothing on the padding) and attention "
                                         "never looks at padding; faster, but it read "
                                         "date forms it never saw worse in our runs "
                                         "(docs/seq2seq.md) (default: off, padding read as "
                                         "a character, as the book)",
                            negation="read the padding as a character, as the book does")

    def model_kwargs(self, vocab_size):
        kwargs = super().model_kwargs(vocab_size)
        if self.bidirectional:
            kwargs["bidirectional"] = True
        if self.dropout:
            kwargs["dropout"] = self.dropout
        return kwargs


CONFIGS = {"seq2seq": Seq2seqConfig, "peeky": PeekyConfig, "attention": AttentionConfig}


def build_model(name, kwargs):
    from autograd_nlp.models import seq2seq_models
    return seq2seq_models()[name](**kwargs)


def prepare(config):
    """The settings in use: the generated-dates recipe for fields not given,
    then the resumed checkpoint's, then the rules between fields."""
    config = apply_generated_recipe(config, GENERATED_DATE_RECIPE.get(config.model))
    return in_use(config)


def use_book_random_numbers(config, ds):
    if config.book_rng == "book":
        ag_random.set_generator(book_random_state(len(ds.x_train) + len(ds.x_test)))
        print("random numbers: the book's (NumPy's legacy generator seeded 1984, "
              "after the split's shuffle)")
    elif config.book_rng is not None:
        ag_random.set_generator(np.random.RandomState(config.book_rng))
        print(f"random numbers: NumPy's legacy generator seeded {config.book_rng}, "
              f"drawn in the book's order")


def run(config, *, progress=True, callbacks=None):
    """Train ``config``'s model (a Seq2seqConfig, PeekyConfig or
    AttentionConfig) on its task: the accuracy per epoch, the checkpoint, the
    accuracy plot (and attention heatmaps), the answer checks calibrated on
    dates. Returns a Result."""
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    progress = progress and not config.quiet
    seed_everything(config.seed)
    comm = distributed_comm(config)           # None unless distributed
    if comm is not None and config.rl_finetune:
        raise UserError("--rl-finetune runs on one process; train with --distributed, then "
                        "run `autograd-nlp rl-finetune --checkpoint ...` without it")
    out = prepare_out_on_root(config.out, config, comm)
    ds = load_dataset(config)
    kwargs = config.model_kwargs(ds.vocab_size)
    if getattr(config, "ignore_padding", False):     # the padding's id and side
        kwargs.update(pad_id=ds.pad_id, pads_first=ds.reverse)
    use_book_random_numbers(config, ds)
    model = build_model(config.model, kwargs)
    model.to(config.device)
    if config.book_rng is not None:       # the draws filled the book's gate layout
        for cell in model.modules():
            if isinstance(cell, LSTMCell):
                cell.reorder_gates_from_book()
    checkpoint = checkpoint_path(out)
    meta = {"kind": config.model, "model": config.model, "model_kwargs": kwargs,
            **dataset_meta(ds), "book_rng": config.book_rng, "settings": config.settings()}
    optimizer = optim.Adam(model.params(), lr=config.lr, **ADAM_FORMS[config.adam])
    schedule = attach_schedule(optimizer, config,
                               config.epochs * (len(ds.x_train) // config.batch_size))
    meta["schedule"] = schedule.state_dict() if schedule else None
    trainer = make_trainer(config, model, optimizer, ds, checkpoint, meta, comm, progress,
                           callbacks)
    print(f"{config.model}: {model.num_params():,} parameters, batch {config.batch_size}, "
          f"Adam ({config.adam}'s form) lr {config.lr:g}"
          f"{' (cosine)' if config.schedule == 'cosine' else ''}, clip {config.max_grad}, "
          f"epochs {config.epochs}", flush=True)

    # the book's way: test accuracy every epoch; with a validation split,
    # validation accuracy every epoch and the test split once at the end
    finetune = (None if not config.rl_finetune else
                lambda out: rl_finetune_after_training(config, model, trainer, ds, out, progress))
    heatmap = (None if config.model != "attention" else
               lambda out: save_attention_heatmap(model, ds, os.path.join(out, "attention.png")))
    return train_and_report(config, model, trainer, ds, checkpoint, comm, progress, callbacks,
                            before_curve=finetune, picture=heatmap)


def rl_finetune_after_training(config, model, trainer, ds, out, progress):
    """``rl_finetune`` steps of self-critical REINFORCE on exact match after
    the supervised epochs, accuracy on the test split before and after; the
    result goes to its own checkpoint (rl-finetuned.npz)."""
    from autograd_nlp.training.rl_finetune import run_finetune
    before = seq2seq_accuracy(model, ds.x_test, ds.t_test, beam=config.beam)
    rewards = run_finetune(model, ds, config.rl_finetune, config.batch_size, config.rl_lr,
                           config.max_grad, "rl", progress=progress)
    after = seq2seq_accuracy(model, ds.x_test, ds.t_test, beam=config.beam)
    print(f"rl-finetune: {config.rl_finetune} steps (lr {config.rl_lr:g}, "
          f"{rewards['seconds']:.1f} s): test accuracy {100 * before:.2f}% -> "
          f"{100 * after:.2f}%", flush=True)
    path = os.path.join(out, "rl-finetuned.npz")
    trainer.save(path)
    return path

"""What the BERT recipes share (pre-training, fine-tuning): the optimizer's
settings (batch, Adam's peak lr and its schedule, clipping, a step cap) and
``--distributed``; PTB's vocabulary with BERT's special tokens; the Adam
trainer over the run folder's checkpoint; the closing lines (which epoch's
parameters the model holds, where they were written)."""
import dataclasses
import os

from autograd_nlp import optim
from autograd_nlp.data.bert_pretraining import ptb_vocabulary
from autograd_nlp.errors import UserError
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import TrainingConfig, distributed_option, option
from autograd_nlp.recipes.runtime import attach_schedule, load_ptb_announced, synchronize_ranks
from autograd_nlp.recipes.settings import in_use
from autograd_nlp.training import MinibatchTrainer
from autograd_nlp.training.trainer import best_params_path

SCHEDULES = ("cosine", "inverse-sqrt", "constant")


@dataclasses.dataclass
class BertTaskConfig(TrainingConfig):
    """The settings of both BERT recipes besides the model: batches, Adam
    under a warmed-up schedule, clipping, MPI ranks."""
    distributed: bool = distributed_option()
    batch_size: int = option(32, "examples per batch", checks.positive_int)
    lr: float = option(0.001, "peak learning rate of the schedule (Adam)", checks.positive_float)
    schedule: str = option("cosine", "learning-rate schedule after the linear warm-up",
                           choices=SCHEDULES)
    warmup: int = option(300, "warm-up steps", checks.non_negative_int)
    max_grad: float = option(1.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    max_iters: int = option(None, "cap the steps of every epoch, e.g. to fit a time budget "
                                  "(default: no cap)", checks.positive_int)


def prepare(config):
    """The settings in use: the resumed checkpoint's for the fields not
    given, then the rules between fields."""
    return in_use(config)


def load_bert_vocabulary(config, command):
    """PTB's train split of ``config.data_dir`` (ids (n,), announced), its
    vocabulary with BERT's special tokens (``BertVocabulary``) and the <eos>
    id its sentences are split at. A corpus without line ends is a
    UserError naming ``command``."""
    corpus, _, id_to_word = load_ptb_announced("train", config.data_dir)
    try:
        vocab, eos_id = ptb_vocabulary(id_to_word)
    except ValueError as e:
        raise UserError(f"{command}: {e}") from None
    return corpus, vocab, eos_id


def adam_trainer(config, model, examples, meta, loss_fn, unit, checkpoint, *, monitor=None,
                 comm=None, progress=True, epoch_callback=None, trainer_class=MinibatchTrainer):
    """Adam (beta2 0.98) under ``config.schedule`` and the trainer
    (``trainer_class``, a MinibatchTrainer) of a BERT recipe over
    ``examples`` training rows, checkpointing to ``checkpoint``, its ranks
    synchronized (``comm``) and resumed from ``config.resume``; it keeps the
    best parameters by the validation score ``monitor`` (higher is better;
    None: no validation) and stops early after ``config.early_stop`` epochs
    without a better one. Returns the trainer and the steps per epoch."""
    optimizer = optim.Adam(model.params(), lr=config.lr, beta2=0.98)
    iters = examples // config.batch_size
    iters = min(iters, config.max_iters) if config.max_iters else iters
    schedule = attach_schedule(optimizer, config, config.epochs * iters)
    meta = {**meta, "schedule": schedule.state_dict() if schedule else None}
    trainer = trainer_class(model, optimizer, config.batch_size, config.max_grad, checkpoint,
                            config.checkpoint_every, meta, progress=progress,
                            loss_fn=loss_fn, unit=unit,
                            checkpoint_seconds=60 * config.checkpoint_minutes,
                            max_iters_per_epoch=config.max_iters,
                            early_stop=config.early_stop, monitor=monitor,
                            epoch_callback=epoch_callback, comm=comm)
    synchronize_ranks(model, optimizer, comm)
    if config.resume:
        trainer.resume(config.resume)
    return trainer, iters


def checkpoint_path(out):
    return os.path.join(out, "checkpoint.npz")


def percent(x):
    return f"{100 * x:.2f} %"


def held_epoch(config, trainer):
    """The epoch whose parameters the model holds after ``fit``: the best
    one with ``early_stop`` (put back by the trainer), else the last."""
    if config.early_stop is not None and trainer.best_epoch is not None:
        return trainer.best_epoch
    return trainer.epoch


def print_checkpoints(trainer):
    """The checkpoint (the last step's parameters, to resume from) and the
    best epoch's parameters beside it, when a validation score chose them.
    Returns {"checkpoint": path, "best_params": path (if any)}."""
    paths = {"checkpoint": trainer.checkpoint_path}
    print(f"checkpoint: {trainer.checkpoint_path}")
    if trainer.best_score is not None:
        paths["best_params"] = best_params_path(trainer.checkpoint_path)
        print(f"best parameters: {paths['best_params']} (epoch {trainer.best_epoch}, "
              f"{trainer.monitor} {percent(trainer.best_score)})")
    return paths

"""Fine-tuning BERT: a pre-trained encoder (the checkpoint of ``train
bert``) plus a new classifier on its [CLS] vector, trained on a word-level
PTB task; ``scratch`` trains the same model from random weights, the same
steps, so the value of pre-training is measured.

The tasks (``task``: shuffle or word-swap, autograd_nlp/data/word_order.py):
is a sentence in PTB's word order, or were all its words shuffled (two of
its words swapped)? It trains on the sentences of PTB's valid split and is
scored on the test split: text that pre-training (on the train split) never
read. ``valid_fraction`` carves a validation split from those training
sentences (never from test): accuracy on it is measured every epoch
(``early_stop`` watches it) and the test split is scored once, at the end.

    from autograd_nlp.recipes import bert_finetune
    config = bert_finetune.BertFinetuneConfig(pretrained="runs/bert/checkpoint.npz")
    bert_finetune.run(config).metrics["test accuracy"]
"""
import dataclasses
import os
from typing import ClassVar

from autograd_nlp.data.splits import carve_validation
from autograd_nlp.data.word_order import CORRUPTIONS, make_word_order_examples
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.loading.checkpoint_kind import check_finite_parameters, read_checkpoint
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.bert_task import (BertTaskConfig, adam_trainer, checkpoint_path,
                                            held_epoch, load_bert_vocabulary, percent, prepare,
                                            print_checkpoints)
from autograd_nlp.recipes.config import (ConfigError, early_stop_option, option,
                                         skip_test_option)
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import (distributed_comm, load_ptb_announced,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.recipes.settings import ptb_identity, vocab_hash
from autograd_nlp.training.bert import classification_accuracy, classification_loss

NAME = "bert-finetune"
TEST_SEED = 0           # the test examples are the same for every run


@dataclasses.dataclass
class BertFinetuneConfig(BertTaskConfig):
    """``train bert-finetune``: a pre-trained BERT (``pretrained``, needed)
    fine-tuned on a PTB sentence task, or trained from scratch."""
    model: ClassVar[str] = NAME
    epochs: int = option(5, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", NAME), "output folder", setting=False)
    pretrained: str = option(None, "checkpoint.npz of a train bert run: its encoder, sizes "
                                   "and vocabulary (needed, also with --scratch; default: "
                                   "none)", metavar="CKPT")
    scratch: bool = option(False, "use only the checkpoint's sizes and vocabulary and start "
                                  "from random weights (the baseline pre-training is measured "
                                  "against)")
    task: str = option("shuffle", "is a sentence in its original order (1) or corrupted (0): "
                                  "word-swap: two words exchanged; shuffle: all words shuffled",
                       choices=tuple(sorted(CORRUPTIONS)))
    train_examples: int = option(None, "fine-tune on the first N of the (shuffled) training "
                                        "examples only (default: all)", checks.positive_int)
    dropout: float = option(0.1, "dropout rate", checks.fraction)
    lr: float = option(0.0003, "peak learning rate of the schedule (Adam)",
                       checks.positive_float)
    warmup: int = option(50, "warm-up steps", checks.non_negative_int)
    valid_fraction: float = option(0.0, "carve a validation split of this fraction from the "
                                        "training examples (never the test examples; fixed "
                                        "seed): per-epoch accuracy is then measured on it and "
                                        "the test examples once, at the end (default: 0, test "
                                        "accuracy every epoch)", checks.fraction, metavar="F")
    early_stop: int = early_stop_option("validation accuracy (needs --valid-fraction)")
    skip_test: bool = skip_test_option()

    def check_together(self):
        if self.early_stop is not None and not self.valid_fraction:
            raise ConfigError(f"--early-stop {self.early_stop} watches the validation "
                              f"accuracy, but there is no validation split; add "
                              f"--valid-fraction 0.1 (carved from the training rows)")
        if self.pretrained is None:
            raise ConfigError(f"train {NAME}: pass --pretrained CKPT, the checkpoint.npz of a "
                              f"train bert run (with --scratch only its sizes and vocabulary "
                              f"are used)")


def load_pretrained(path, scratch=False):
    """(model_kwargs, vocabulary words, parameters) of a train bert checkpoint
    (whose parameters must be finite unless ``scratch``: then only its sizes
    and vocabulary are used)."""
    checkpoint = read_checkpoint(path, f"train {NAME} --pretrained", "bert")
    if not scratch:
        check_finite_parameters(checkpoint, f"--pretrained {path}", f"train {NAME}")
    meta = checkpoint["meta"]
    return meta["model_kwargs"], meta["vocab"], checkpoint["model"]


def build_classifier(kwargs, params, config):
    """A BertClassifier (2 classes) of the pre-trained sizes ``kwargs``, its
    encoder loaded with ``params`` unless ``config.scratch``; parameters
    that do not fit the sizes are a CheckpointError."""
    from autograd_nlp.models.bert import BertClassifier
    try:
        model = BertClassifier(num_classes=2, **kwargs)
        if not config.scratch:
            model.bert.load_state_dict(params)
    except (TypeError, ValueError, KeyError) as e:
        reason = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise CheckpointError(f"--pretrained {config.pretrained}: its parameters do not fit "
                              f"the bert model its meta describes ({reason}); the file is "
                              f"damaged or was edited") from None
    return model


def word_order_splits(config, eos_id, vocab, max_length):
    """The task's examples: training rows from PTB's valid split (less a
    validation share, ``valid_fraction``; the first ``train_examples``), test
    rows from its test split. Returns ((x, t) train, valid, test) and the
    valid split's corpus."""
    valid_corpus = load_ptb_announced("valid", config.data_dir)[0]
    test_corpus = load_ptb_announced("test", config.data_dir)[0]
    x_train, t_train = make_word_order_examples(valid_corpus, eos_id, vocab, max_length,
                                                config.seed, config.task)
    try:
        x_train, t_train, x_valid, t_valid = carve_validation(x_train, t_train,
                                                              config.valid_fraction)
    except ValueError as e:
        raise UserError(f"train {NAME} --valid-fraction {config.valid_fraction}: "
                        f"{e}") from None
    if config.train_examples:
        x_train, t_train = x_train[:config.train_examples], t_train[:config.train_examples]
    x_test, t_test = make_word_order_examples(test_corpus, eos_id, vocab, max_length,
                                              TEST_SEED, config.task)
    return (x_train, t_train), (x_valid, t_valid), (x_test, t_test), valid_corpus


def run(config, *, progress=True, callbacks=None):
    """Fine-tune (or, with ``scratch``, train anew) the classifier ``config``
    (a BertFinetuneConfig) describes: accuracy per epoch, the test accuracy
    at the end, the checkpoint. Returns a Result (metrics: the held epoch's
    and "test accuracy"; paths: checkpoint, best_params)."""
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    progress = progress and not config.quiet
    seed_everything(config.seed)
    comm = distributed_comm(config)           # None unless distributed
    out = prepare_out_on_root(config.out, config, comm)
    kwargs, words, params = load_pretrained(config.pretrained, config.scratch)
    corpus, vocab, eos_id = load_bert_vocabulary(config, f"train {NAME}")
    if vocab.words != words:
        raise CheckpointError(f"train {NAME}: the checkpoint's vocabulary ({len(words):,} "
                              f"tokens) is not this PTB's ({len(vocab):,}); pass --data-dir "
                              f"with the PTB folder {config.pretrained} was trained on")
    train, valid, test, valid_corpus = word_order_splits(config, eos_id, vocab,
                                                         kwargs["max_length"])
    (x_train, t_train), (x_valid, t_valid), (x_test, t_test) = train, valid, test
    kwargs = {**kwargs, "dropout": config.dropout}
    model = build_classifier(kwargs, params, config)
    model.to(config.device)
    meta = {"kind": NAME, "model": NAME, "model_kwargs": kwargs,
            "vocab_hash": vocab_hash(vocab.words),
            "data": ptb_identity(config.data_dir, valid_corpus, split="valid"),
            "settings": config.settings()}
    trainer, iters = adam_trainer(config, model, len(x_train), meta, classification_loss,
                                  "sentences", checkpoint_path(out),
                                  monitor="valid accuracy" if len(x_valid) else None,
                                  comm=comm, progress=progress,
                                  epoch_callback=callbacks.on_epoch)
    start = ("random weights (--scratch)" if config.scratch
             else f"the encoder of {config.pretrained}")
    chance = max(t_test.mean(), 1 - t_test.mean())
    print(f"{NAME} ({config.task}): {model.num_params():,} parameters from {start}; "
          f"{len(x_train):,} training examples (valid split, {t_train.mean():.1%} in order), "
          f"{len(x_valid):,} validation examples (carved from those), "
          f"{len(x_test):,} test examples (test split), batch {config.batch_size}, Adam peak "
          f"lr {config.lr:g} ({config.schedule}, warm-up {config.warmup}), {iters} steps per "
          f"epoch, epochs {config.epochs}", flush=True)

    # without a validation split, test accuracy every epoch (as the book's
    # tasks); with one, validation accuracy every epoch and the test split
    # once at the end
    x_epoch, t_epoch, name = ((x_valid, t_valid, "valid accuracy") if len(x_valid)
                              else (x_test, t_test, "test accuracy"))

    def evaluate(trainer):
        return {name: classification_accuracy(model, x_epoch, t_epoch)}

    history = trainer.fit((x_train, t_train), config.epochs, evaluate=evaluate)
    epoch = held_epoch(config, trainer)
    metrics = dict(history["metrics"][epoch - 1]) if history["metrics"] else {}
    start = "from scratch" if config.scratch else "pre-trained"
    if len(x_valid) and config.skip_test:
        print("test accuracy: not measured (--skip-test)")
    else:
        accuracy = (history["metrics"][-1]["test accuracy"]
                    if history["metrics"] and not len(x_valid)
                    else classification_accuracy(model, x_test, t_test))
        when = f", epoch {epoch}'s parameters, the best" if config.early_stop else ""
        print(f"test accuracy after {trainer.optimizer.steps_taken} steps ({start}{when}): "
              f"{percent(accuracy)} (chance: {percent(chance)})")
        metrics["test accuracy"] = accuracy
        if callbacks.on_test is not None:
            callbacks.on_test("test accuracy", accuracy)
    paths = print_checkpoints(trainer)
    return Result(model, history, metrics, paths, config, trainer)

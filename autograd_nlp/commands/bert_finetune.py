"""``autograd-nlp train bert-finetune``: a pre-trained BERT encoder (the
checkpoint of ``train bert``) plus a new classifier on its [CLS] vector,
trained on a word-level PTB task; ``--scratch`` trains the same model from
random weights, the same steps, so the value of pre-training is measured.

The tasks (``--task shuffle|word-swap``, autograd_nlp/data/word_order.py):
is a sentence in PTB's word order, or were all its words shuffled (two of
its words swapped)? It trains on
the sentences of PTB's valid split and is scored on the test split: text
that pre-training (on the train split) never read. ``--valid-fraction``
carves a validation split from those training sentences (never from test):
accuracy on it is measured every epoch (``--early-stop`` watches it) and the
test split is scored once, at the end.
"""
import os

from autograd_nlp.commands.bert_pretraining import (adam_trainer, add_optimizer_options,
                                                    held_epoch, load_bert_vocabulary, percent,
                                                    print_checkpoints, to_model, to_numpy)
from autograd_nlp.loading.checkpoint_kind import check_finite_parameters, read_checkpoint
from autograd_nlp.commands.common import (add_common_training_options,
                                          add_early_stop_options, add_valid_fraction_option,
                                          dropout_rate, load_ptb_announced, positive_int,
                                          prepare_out, seed_everything)
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, ptb_identity,
                                                resolve_settings, vocab_hash)
from autograd_nlp.commands.common import check_early_stop
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.data.bert_pretraining import trim_padding
from autograd_nlp.data.splits import validation_indices
from autograd_nlp.data.word_order import CORRUPTIONS, make_word_order_examples
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.functions import softmax_cross_entropy

NAME = "bert-finetune"
TEST_SEED = 0           # the test examples are the same for every run


def add_train_parsers(train_sub):
    p = train_sub.add_parser(NAME, help="fine-tune a pre-trained BERT (train bert) on a "
                             "PTB sentence task, or train it from scratch (--scratch)",
                             description=RESUME_RULE)
    add_common_training_options(p, 5, os.path.join("runs", NAME))
    p.add_argument("--pretrained", default=None, metavar="CKPT",
                   help="checkpoint.npz of a train bert run: its encoder, sizes and "
                        "vocabulary (needed, also with --scratch; default: none)")
    p.add_argument("--scratch", action="store_true",
                   help="use only the checkpoint's sizes and vocabulary and start from "
                        "random weights (the baseline pre-training is measured against)")
    p.add_argument("--task", choices=sorted(CORRUPTIONS), default="shuffle",
                   help="is a sentence in its original order (1) or corrupted (0): "
                        "word-swap: two words exchanged; shuffle: all words shuffled")
    p.add_argument("--train-examples", type=positive_int, default=None,
                   help="fine-tune on the first N of the (shuffled) training examples "
                        "only (default: all)")
    p.add_argument("--dropout", type=dropout_rate, default=0.1, help="dropout rate")
    add_optimizer_options(p, lr=0.0003, warmup=50, batch_size=32)
    add_valid_fraction_option(p, "examples", "test", "accuracy",
                              "test accuracy every epoch")
    add_early_stop_options(p, "validation accuracy (needs --valid-fraction)")
    p.set_defaults(run=train, model_name=NAME)
    mark_defaults(p)


def load_pretrained(path, scratch=False):
    """(model_kwargs, vocabulary words, parameters) of a train bert checkpoint
    (whose parameters must be finite unless ``scratch``: then only its sizes
    and vocabulary are used)."""
    if path is None:
        raise UserError(f"train {NAME}: pass --pretrained CKPT, the checkpoint.npz of a "
                        f"train bert run (with --scratch only its sizes and vocabulary "
                        f"are used)")
    checkpoint = read_checkpoint(path, f"train {NAME} --pretrained", "bert")
    if not scratch:
        check_finite_parameters(checkpoint, f"--pretrained {path}", f"train {NAME}")
    meta = checkpoint["meta"]
    return meta["model_kwargs"], meta["vocab"], checkpoint["model"]


def classification_loss(model, tokens, labels):
    tokens, = trim_padding(tokens, model.bert.pad_id)
    tokens, labels = to_model(model, (tokens, labels))
    return softmax_cross_entropy(model(tokens), labels)


def classification_accuracy(model, tokens, labels, batch_size=128):
    correct = 0
    with no_grad(), eval_mode():
        for start in range(0, len(tokens), batch_size):
            batch, = trim_padding(tokens[start:start + batch_size], model.bert.pad_id)
            logits = model(*to_model(model, (batch,)))
            correct += int((to_numpy(logits.data).argmax(-1)
                            == labels[start:start + batch_size]).sum())
    return correct / max(len(tokens), 1)


def carve_validation(x, t, fraction):
    """``(x_train, t_train, x_valid, t_valid)``: ``fraction`` of the training
    examples (seeded, ``validation_indices``) set aside for validation."""
    try:
        train, valid = validation_indices(len(x), fraction)
    except ValueError as e:
        raise UserError(f"train {NAME} --valid-fraction {fraction}: {e}") from None
    return x[train], t[train], x[valid], t[valid]


def train(args):
    from models.bert import BertClassifier
    settings = resolve_settings(args)
    check_early_stop(args)
    seed_everything(args.seed)
    prepare_out(args.out, args)
    kwargs, words, params = load_pretrained(args.pretrained, args.scratch)
    corpus, vocab, eos_id = load_bert_vocabulary(args, f"train {NAME}")
    if vocab.words != words:
        raise CheckpointError(f"train {NAME}: the checkpoint's vocabulary ({len(words):,} "
                              f"tokens) is not this PTB's ({len(vocab):,}); pass --data-dir "
                              f"with the PTB folder {args.pretrained} was trained on")
    valid_corpus = load_ptb_announced("valid", args.data_dir)[0]
    test_corpus = load_ptb_announced("test", args.data_dir)[0]
    max_length = kwargs["max_length"]
    x_train, t_train = make_word_order_examples(valid_corpus, eos_id, vocab, max_length,
                                                args.seed, args.task)
    x_train, t_train, x_valid, t_valid = carve_validation(x_train, t_train,
                                                          args.valid_fraction)
    if args.train_examples:
        x_train, t_train = x_train[:args.train_examples], t_train[:args.train_examples]
    x_test, t_test = make_word_order_examples(test_corpus, eos_id, vocab, max_length,
                                              TEST_SEED, args.task)
    kwargs = {**kwargs, "dropout": args.dropout}
    try:
        model = BertClassifier(num_classes=2, **kwargs)
        if not args.scratch:
            model.bert.load_state_dict(params)
    except (TypeError, ValueError, KeyError) as e:
        reason = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise CheckpointError(f"--pretrained {args.pretrained}: its parameters do not fit the "
                              f"bert model its meta describes ({reason}); the file is damaged "
                              f"or was edited") from None
    model.to(args.device)
    meta = {"kind": NAME, "model": NAME, "model_kwargs": kwargs,
            "vocab_hash": vocab_hash(vocab.words),
            "data": ptb_identity(args.data_dir, valid_corpus, split="valid"),
            "settings": settings}
    trainer, iters = adam_trainer(args, model, len(x_train), meta, classification_loss,
                                  "sentences",
                                  monitor="valid accuracy" if len(x_valid) else None)
    start = "random weights (--scratch)" if args.scratch else f"the encoder of {args.pretrained}"
    chance = max(t_test.mean(), 1 - t_test.mean())
    print(f"{NAME} ({args.task}): {model.num_params():,} parameters from {start}; "
          f"{len(x_train):,} training examples (valid split, {t_train.mean():.1%} in order), "
          f"{len(x_valid):,} validation examples (carved from those), "
          f"{len(x_test):,} test examples (test split), batch {args.batch_size}, Adam peak lr "
          f"{args.lr:g} ({args.schedule}, warm-up {args.warmup}), {iters} steps per epoch, "
          f"epochs {args.epochs}", flush=True)

    # without a validation split, test accuracy every epoch (as before); with
    # one, validation accuracy every epoch and the test split once at the end
    x_epoch, t_epoch, name = ((x_valid, t_valid, "valid accuracy") if len(x_valid)
                              else (x_test, t_test, "test accuracy"))

    def evaluate(trainer):
        return {name: classification_accuracy(model, x_epoch, t_epoch)}

    history = trainer.fit((x_train, t_train), args.epochs, evaluate=evaluate)
    start = "from scratch" if args.scratch else "pre-trained"
    if len(x_valid) and args.skip_test:
        print("test accuracy: not measured (--skip-test)")
    else:
        accuracy = (history["metrics"][-1]["test accuracy"]
                    if history["metrics"] and not len(x_valid)
                    else classification_accuracy(model, x_test, t_test))
        when = (f", epoch {held_epoch(args, trainer)}'s parameters, the best"
                if args.early_stop else "")
        print(f"test accuracy after {trainer.optimizer.step} steps ({start}{when}): "
              f"{percent(accuracy)} (chance: {percent(chance)})")
    print_checkpoints(trainer)
    return 0


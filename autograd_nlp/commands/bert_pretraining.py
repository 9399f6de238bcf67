"""``autograd-nlp train bert``: BERT's pre-training on PTB (masked LM plus
next-sentence prediction), with checkpoints, progress and resume like the
other train commands. After every epoch it reports the masked-token and NSP
accuracies on pairs built from PTB's valid split, beside their chance
levels; at the end it writes the encoder's context-averaged word vectors
(``vectors.npz``, read by ``autograd-nlp similar``).
"""
import os

import numpy as np

from autograd_nlp import optim
from autograd_nlp.backend import to_device
from autograd_nlp.commands.common import (add_common_training_options,
                                          add_early_stop_options, dropout_rate,
                                          load_ptb_announced, non_negative_int, positive_float,
                                          positive_int, prepare_out, seed_everything)
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, ptb_identity,
                                                resolve_settings, vocab_hash)
from autograd_nlp.commands.common import attach_schedule
from autograd_nlp.commands.transformer import add_size_options, check_heads
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.data.bert_pretraining import (BertVocabulary, encode_pair,
                                                make_pretraining_examples,
                                                most_frequent_target_accuracy, pad_rows,
                                                split_sentences, trim_padding)
from autograd_nlp.data.ptb import EOS
from autograd_nlp.errors import UserError
from autograd_nlp.text import WordVectors
from autograd_nlp.training import MinibatchTrainer
from autograd_nlp.training.trainer import best_params_path

NAME = "bert"
SCHEDULES = ("cosine", "inverse-sqrt", "constant")
VALID_SEED = 0          # the validation pairs and masks are the same for every run
MONITOR = "valid MLM accuracy"      # the score the best parameters are chosen by
QUERIES = ("you", "year", "car", "toyota", "said", "stock", "japan")


def add_optimizer_options(p, lr, warmup, batch_size):
    """Batch size, Adam's peak lr and its schedule, clipping, ``--max-iters``
    (the BERT commands' own defaults)."""
    p.add_argument("--batch-size", type=positive_int, default=batch_size,
                   help="examples per batch")
    p.add_argument("--lr", type=positive_float, default=lr,
                   help="peak learning rate of the schedule (Adam)")
    p.add_argument("--schedule", choices=SCHEDULES, default="cosine",
                   help="learning-rate schedule after the linear warm-up")
    p.add_argument("--warmup", type=non_negative_int, default=warmup, help="warm-up steps")
    p.add_argument("--max-grad", type=positive_float, default=1.0,
                   help="clip the gradients' global norm to this")
    p.add_argument("--max-iters", type=positive_int, default=None,
                   help="cap the steps of every epoch, e.g. to fit a time budget "
                        "(default: no cap)")


def add_train_parsers(train_sub):
    p = train_sub.add_parser(NAME, help="pre-train BERT (masked LM + next-sentence "
                             "prediction) on PTB", description=RESUME_RULE)
    add_common_training_options(p, 3, os.path.join("runs", NAME))
    add_size_options(p, 128, "encoder layers")
    p.add_argument("--max-length", type=positive_int, default=64,
                   help="tokens per pair, [CLS] and [SEP]s included (longer pairs are "
                        "truncated)")
    add_optimizer_options(p, lr=0.001, warmup=300, batch_size=32)
    p.add_argument("--mask-rate", type=dropout_rate, default=0.15,
                   help="share of each pair's words chosen for the masked LM (at least "
                        "one per pair)")
    p.add_argument("--vector-sentences", type=non_negative_int, default=20_000,
                   help="training sentences the context-averaged word vectors are "
                        "averaged over (0: write no vectors)")
    add_early_stop_options(p, "validation masked-token accuracy (PTB's valid split; the "
                              "vectors then come from the best epoch)", test=False)
    p.set_defaults(run=train, model_name=NAME)
    mark_defaults(p)


def model_kwargs(args, vocab):
    return dict(vocab_size=len(vocab), pad_id=vocab.pad_id, dim=args.dim,
                num_heads=args.heads, num_layers=args.layers, ff_hidden=args.ff_hidden,
                dropout=args.dropout, norm_first=args.norm == "pre",
                max_length=args.max_length)


def load_bert_vocabulary(args, command):
    """PTB's train split (ids, announced) and its vocabulary with BERT's
    special tokens; the <eos> id the sentences are split at."""
    corpus, word_to_id, id_to_word = load_ptb_announced("train", args.data_dir)
    if EOS not in word_to_id:
        raise UserError(f"{command}: the PTB files have no line ends ({EOS}), so they "
                        f"cannot be split into sentences; pass the PTB folder with one "
                        f"sentence per line")
    return corpus, BertVocabulary([id_to_word[i] for i in range(len(id_to_word))]), \
        word_to_id[EOS]


def to_model(model, arrays):
    """Data arrays (NumPy) on the model's device."""
    return [to_device(a, model.device) for a in arrays]


def to_numpy(array):
    return to_device(array, "cpu")


def pretraining_loss(model, tokens, segments, targets, is_next):
    tokens, segments, targets = trim_padding(tokens, model.pad_id, segments, targets)
    return model.pretraining_loss(*to_model(model, (tokens, segments, targets, is_next)))


def pretraining_accuracy(model, examples, batch_size=64):
    """(masked-token accuracy, NSP accuracy) of ``model`` on ``examples``,
    in eval mode (no dropout), without a graph."""
    correct_mlm = total_mlm = correct_nsp = 0
    with no_grad(), eval_mode():
        for start in range(0, len(examples), batch_size):
            batch = [a[start:start + batch_size] for a in examples.arrays()]
            tokens, segments, targets = trim_padding(batch[0], model.pad_id, *batch[1:3])
            mlm, chosen, nsp = model.pretraining_outputs(
                *to_model(model, (tokens, segments, targets)))
            correct_mlm += int((to_numpy(mlm.data).argmax(-1) == to_numpy(chosen)).sum())
            total_mlm += len(chosen)
            correct_nsp += int((to_numpy(nsp.data).argmax(-1) == batch[3]).sum())
    return correct_mlm / max(total_mlm, 1), correct_nsp / max(len(examples), 1)


def context_averaged_vectors(model, sentences, vocab, batch_size=64):
    """WordVectors of the words in ``sentences``: each word's final-layer
    vector averaged over all its occurrences, each sentence read alone as
    ``[CLS] s [SEP]`` (unmasked). Words that never occur are left out."""
    total = np.zeros((len(vocab), model.dim))
    count = np.zeros(len(vocab))
    with no_grad(), eval_mode():
        for start in range(0, len(sentences), batch_size):
            rows = [encode_pair(s, None, vocab, model.embed.position.max_length)[0]
                    for s in sentences[start:start + batch_size]]
            tokens = pad_rows(rows, max(len(r) for r in rows), vocab.pad_id)
            hidden = to_numpy(model(to_device(tokens, model.device)).data)
            words = tokens < vocab.num_words
            np.add.at(total, tokens[words], hidden[words])
            np.add.at(count, tokens[words], 1)
    seen = np.flatnonzero(count)
    return WordVectors([vocab.words[i] for i in seen],
                       (total[seen] / count[seen, None]).astype(np.float32))


def adam_trainer(args, model, examples, meta, loss_fn, unit, monitor=None):
    """Adam (beta2 0.98) under ``--schedule`` and the MinibatchTrainer of a
    BERT command over ``examples`` training rows, checkpointing to
    ``--out``/checkpoint.npz and resumed from ``--resume``; it keeps the best
    parameters by the validation score ``monitor`` (higher is better; None:
    no validation) and stops early after ``--early-stop`` epochs without a
    better one. Returns the trainer and the steps per epoch."""
    optimizer = optim.Adam(model.params(), lr=args.lr, beta2=0.98)
    iters = examples // args.batch_size
    iters = min(iters, args.max_iters) if args.max_iters else iters
    schedule = attach_schedule(optimizer, args, args.epochs * iters)
    meta = {**meta, "schedule": schedule.state_dict() if schedule else None}
    trainer = MinibatchTrainer(model, optimizer, args.batch_size, args.max_grad,
                               os.path.join(prepare_out(args.out, args), "checkpoint.npz"),
                               args.checkpoint_every, meta, progress=not args.quiet,
                               loss_fn=loss_fn, unit=unit,
                               checkpoint_seconds=60 * args.checkpoint_minutes,
                               max_iters_per_epoch=args.max_iters,
                               early_stop=args.early_stop, monitor=monitor)
    if args.resume:
        trainer.resume(args.resume)
    return trainer, iters


def percent(x):
    return f"{100 * x:.2f} %"


def train(args):
    from models.bert import Bert
    settings = resolve_settings(args)
    check_heads(args, NAME)
    if args.max_length < 5:
        raise UserError(f"train bert: --max-length {args.max_length} leaves no room for two "
                        f"sentences beside [CLS] and two [SEP]s; use at least 5")
    seed_everything(args.seed)
    prepare_out(args.out, args)
    corpus, vocab, eos_id = load_bert_vocabulary(args, "train bert")
    valid_corpus = load_ptb_announced("valid", args.data_dir)[0]
    train_set = make_pretraining_examples(corpus, eos_id, vocab, args.max_length,
                                          args.seed, args.mask_rate)
    valid_set = make_pretraining_examples(valid_corpus, eos_id, vocab, args.max_length,
                                          VALID_SEED, args.mask_rate)
    mlm_chance = most_frequent_target_accuracy(valid_set.targets)
    nsp_chance = max(valid_set.is_next.mean(), 1 - valid_set.is_next.mean())
    kwargs = model_kwargs(args, vocab)
    model = Bert(**kwargs)
    model.to(args.device)
    meta = {"kind": NAME, "model": NAME, "model_kwargs": kwargs, "vocab": vocab.words,
            "vocab_hash": vocab_hash(vocab.words), "data": ptb_identity(args.data_dir, corpus),
            "settings": settings}
    trainer, iters = adam_trainer(args, model, len(train_set), meta, pretraining_loss, "pairs",
                                  monitor=MONITOR)
    print(f"bert: {model.num_params():,} parameters ({args.layers} layers, dim {args.dim}, "
          f"{args.heads} heads, {args.norm}-norm), {len(train_set):,} training pairs of at "
          f"most {args.max_length} tokens, {len(valid_set):,} validation pairs, batch "
          f"{args.batch_size}, Adam peak lr {args.lr:g} ({args.schedule}, warm-up "
          f"{args.warmup}), {iters} steps per epoch, epochs {args.epochs}", flush=True)

    def evaluate(trainer):
        mlm, nsp = pretraining_accuracy(model, valid_set)
        return {"valid MLM accuracy": mlm, "valid NSP accuracy": nsp}

    history = trainer.fit(train_set.arrays(), args.epochs, evaluate=evaluate)
    epoch = held_epoch(args, trainer)
    if history["metrics"]:
        held = history["metrics"][epoch - 1]
        mlm, nsp = held["valid MLM accuracy"], held["valid NSP accuracy"]
    else:
        mlm, nsp = pretraining_accuracy(model, valid_set)
    top = np.bincount(valid_set.targets[valid_set.targets >= 0]).argmax()
    which = f" (epoch {epoch}'s parameters, the best)" if args.early_stop else ""
    print(f"valid masked-token accuracy{which}: {percent(mlm)} (chance: {percent(mlm_chance)}, "
          f"always {vocab.words[top]!r})")
    print(f"valid next-sentence accuracy: {percent(nsp)} (chance: {percent(nsp_chance)})")
    print_checkpoints(trainer)
    if args.vector_sentences:
        write_vectors(model, split_sentences(corpus, eos_id)[:args.vector_sentences], vocab,
                      os.path.join(args.out, "vectors.npz"))
    return 0


def held_epoch(args, trainer):
    """The epoch whose parameters the model holds after ``fit``: the best
    one with ``--early-stop`` (put back by the trainer), else the last."""
    if args.early_stop is not None and trainer.best_epoch is not None:
        return trainer.best_epoch
    return trainer.epoch


def print_checkpoints(trainer):
    """The checkpoint (the last step's parameters, to resume from) and the
    best epoch's parameters beside it, when a validation score chose them."""
    print(f"checkpoint: {trainer.checkpoint_path}")
    if trainer.best_score is not None:
        print(f"best parameters: {best_params_path(trainer.checkpoint_path)} (epoch "
              f"{trainer.best_epoch}, {trainer.monitor} {percent(trainer.best_score)})")


def write_vectors(model, sentences, vocab, path):
    vectors = context_averaged_vectors(model, sentences, vocab)
    vectors.save(path)
    print(f"context-averaged vectors of {len(vectors):,} words (over {len(sentences):,} "
          f"training sentences): {path}")
    for word in QUERIES:
        if word in vectors:
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(word, 5))
            print(f"  {word}: {found}")
    print(f"try:   autograd-nlp similar you year car toyota --vectors {path}")

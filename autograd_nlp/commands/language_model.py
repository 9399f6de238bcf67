"""``autograd-nlp train rnnlm|better-rnnlm|simple-rnnlm``, ``eval``, ``generate``
(which also read transformer-lm checkpoints: commands/transformer_lm.py)."""
import os

from autograd_nlp import optim
from autograd_nlp.commands.params_option import add_params_option
from autograd_nlp.commands.common import (add_common_training_options, add_device_option,
                                          MAX_BEAM, add_early_stop_options, beam_width,
                                          bounded_int, data_dir_for_meta, distributed_comm,
                                          dropout_rate, load_ptb_announced, non_negative_int,
                                          positive_float, positive_int,
                                          prepare_out_on_root,
                                          run_listener, seed_everything)
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, ptb_identity,
                                                resolve_settings, vocab_hash)
from autograd_nlp.data import load_ptb
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.loading.language_model import load_language_model
from autograd_nlp.training import (LanguageModelTrainer, evaluate_perplexity,
                                   iterations_per_epoch, save_curves)
from autograd_nlp.training.trainer import best_params_path

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


def add_train_parsers(train_sub):
    for name, d in DEFAULTS.items():
        p = train_sub.add_parser(name, help=f"train {name} on PTB (book's settings)",
                                 epilog=RESUME_RULE)
        add_common_training_options(p, d["epochs"], os.path.join("runs", name),
                                    distributed=True)
        p.add_argument("--batch-size", type=positive_int, default=d["batch_size"],
                       help="sequences per batch")
        p.add_argument("--time-size", type=positive_int, default=d["time_size"],
                       help="time steps per truncated-BPTT chunk")
        p.add_argument("--lr", type=positive_float, default=d["lr"],
                       help="SGD learning rate")
        p.add_argument("--max-grad", type=positive_float, default=d["max_grad"],
                       help="clip the gradients' global norm to this (default: "
                            + (f"{d['max_grad']})" if d["max_grad"] else "no clipping)"))
        p.add_argument("--wordvec", type=positive_int, default=d["wordvec"],
                       help="word-vector (embedding) size")
        p.add_argument("--hidden", type=positive_int, default=d["hidden"],
                       help="hidden-state size")
        p.add_argument("--corpus-size", type=positive_int, default=d["corpus_size"],
                       help="train on the first N tokens only (default: "
                            + (f"{d['corpus_size']})" if d["corpus_size"] else "all)"))
        p.add_argument("--lr-decay", type=positive_float, default=d["lr_decay"],
                       help="divide lr by this when validation perplexity gets worse "
                            "(default: " + (f"{d['lr_decay']})" if d["lr_decay"] else
                                            "never)"))
        p.add_argument("--eval-batch-size", type=positive_int, default=10,
                       help="batch size of the perplexity evaluations (the book's: 10)")
        p.add_argument("--max-iters", type=positive_int, default=None,
                       help="cap iterations per epoch, for quick trials (default: no cap)")
        add_early_stop_options(p, "validation perplexity (PTB's valid split)")
        if "dropout" in d:
            p.add_argument("--dropout", type=dropout_rate, default=d["dropout"],
                           help="dropout rate")
        p.set_defaults(run=train, model_name=name)
        mark_defaults(p)


MAX_GENERATED_WORDS = 10_000
generated_words = bounded_int(MAX_GENERATED_WORDS, "one forward step per word; generate "
                                                   "again from the last words for more")


def add_parsers(sub):
    p = sub.add_parser("eval", help="perplexity of a language-model checkpoint on a PTB split")
    p.add_argument("--checkpoint", required=True,
                   help="checkpoint.npz of an rnnlm, better-rnnlm, simple-rnnlm or "
                        "transformer-lm run")
    add_params_option(p)
    p.add_argument("--split", default="test", choices=["train", "valid", "test"],
                   help="which PTB split to evaluate on")
    p.add_argument("--data-dir", default=None,
                   help="PTB folder (default: the folder the checkpoint was trained "
                        "from if it still exists, else $AUTOGRAD_NLP_DATA, else the "
                        "download cache)")
    p.add_argument("--batch-size", type=positive_int, default=10,
                   help="sequences evaluated side by side")
    p.add_argument("--time-size", type=positive_int, default=None,
                   help="time steps per chunk (default: 35; for a transformer-lm, the "
                        "context it was trained on)")
    add_device_option(p)
    p.set_defaults(run=evaluate)

    p = sub.add_parser("generate", help="sample text from a language-model checkpoint")
    p.add_argument("--checkpoint", required=True,
                   help="checkpoint.npz of an rnnlm, better-rnnlm, simple-rnnlm or "
                        "transformer-lm run")
    p.add_argument("--start", default="you", help="the first word")
    p.add_argument("--length", type=generated_words, default=100,
                   help="words to produce, the start word included (at most "
                        f"{MAX_GENERATED_WORDS:,})")
    p.add_argument("--temperature", type=positive_float, default=1.0,
                   help="divide the logits by this before sampling (< 1: safer, "
                        "> 1: more varied)")
    p.add_argument("--top-k", type=positive_int, default=None,
                   help="sample only among the K most likely words (default: all)")
    p.add_argument("--greedy", action="store_true", help="always take the most likely word")
    p.add_argument("--beam", type=beam_width, default=1, metavar="K",
                   help=f"beam search of width K (at most {MAX_BEAM}): the most likely "
                        "continuation found while keeping the K best partial ones at every "
                        "step (deterministic; not with --temperature, --top-k, --greedy) "
                        "(default: 1, sampling)")
    p.add_argument("--seed", type=non_negative_int, default=None,
                   help="random seed (default: a fresh one each run)")
    add_device_option(p)
    p.set_defaults(run=generate)


def build_model(name, kwargs):
    from models import language_models
    return language_models()[name](**kwargs)


def model_from_checkpoint(path, params=None, command="this command"):
    """(model, meta) of the language-model checkpoint at ``path``: the
    ``.model`` and ``.meta`` of what ``autograd_nlp.load`` returns for it
    (autograd_nlp/loading/language_model.py). ``params`` optionally
    overrides the parameters (e.g. the ``.best-params.npz`` file a run with
    validation writes). Another kind of checkpoint, or a damaged one, is a
    CheckpointError / BadFileError."""
    lm = load_language_model(path, params, command=command)
    return lm.model, lm.meta


def train(args):
    settings = resolve_settings(args)
    comm = distributed_comm(args)           # None without --distributed
    seed_everything(args.seed)
    prepare_out_on_root(args.out, args, comm)
    data = load_lm_data(args)
    kwargs = dict(vocab_size=data.vocab_size, wordvec_size=args.wordvec,
                  hidden_size=args.hidden)
    if getattr(args, "dropout", None) is not None:
        kwargs["dropout"] = args.dropout
    model = build_model(args.model_name, kwargs)
    model.to(args.device)
    optimizer = optim.SGD(model.params(), lr=args.lr)
    return fit_and_test(args, settings, data, model, optimizer, kwargs,
                        f"{args.model_name}: {model.num_params():,} parameters")


class LanguageModelData:
    """What a language-model run reads: the training ids, the vocabulary (id
    order) and the valid/test ids (None with --corpus-size)."""

    def __init__(self, corpus, vocab, valid, test):
        self.corpus, self.vocab, self.valid, self.test = corpus, vocab, valid, test
        self.vocab_size = len(vocab)


def load_lm_data(args):
    """PTB for a language-model train command (``--data-dir``,
    ``--corpus-size``), announced; --early-stop without a validation split
    is a UserError."""
    corpus, word_to_id, id_to_word = load_ptb_announced("train", args.data_dir)
    if args.corpus_size:
        corpus = corpus[:args.corpus_size]
    vocab_size = int(corpus.max()) + 1 if args.corpus_size else len(word_to_id)
    valid = test = None
    if not args.corpus_size:
        valid = load_ptb_announced("valid", args.data_dir)[0]
        test = load_ptb_announced("test", args.data_dir)[0]
    if args.early_stop is not None and valid is None:
        raise UserError(f"--early-stop {args.early_stop} watches the validation perplexity, "
                        f"which a run on the first --corpus-size tokens does not measure; "
                        f"leave out --corpus-size or --early-stop")
    return LanguageModelData(corpus, [id_to_word[i] for i in range(vocab_size)], valid, test)


def fit_and_test(args, settings, data, model, optimizer, kwargs, header, extra_meta=None):
    """The rest of every language-model train command: checkpoint meta, the
    trainer (``--resume``), the epochs, the perplexity curve and the test (or
    training-corpus) perplexity. ``header`` starts the line describing the run."""
    comm = distributed_comm(args)
    out = prepare_out_on_root(args.out, args, comm)
    corpus, vocab = data.corpus, data.vocab
    checkpoint = os.path.join(out, "checkpoint.npz")
    meta = {"kind": args.model_name, "model": args.model_name, "model_kwargs": kwargs,
            "vocab": vocab, "vocab_hash": vocab_hash(vocab),
            "data": ptb_identity(args.data_dir, corpus), "settings": settings,
            "data_dir": data_dir_for_meta(args.data_dir),
            "command": vars_for_meta(args), **(extra_meta or {})}
    lr_decay = getattr(args, "lr_decay", None)
    trainer = LanguageModelTrainer(model, optimizer, args.batch_size, args.time_size,
                                   args.max_grad, lr_decay, checkpoint,
                                   args.checkpoint_every, meta, progress=not args.quiet,
                                   max_iters_per_epoch=args.max_iters,
                                   checkpoint_seconds=60 * args.checkpoint_minutes,
                                   early_stop=args.early_stop,
                                   epoch_callback=run_listener(args, "on_epoch"),
                                   comm=comm)
    if args.resume:
        trainer.resume(args.resume)
    if comm is not None:        # every rank starts from rank 0's model, optimizer and RNG
        from autograd_nlp import distributed
        distributed.synchronize(model, optimizer, comm)
    print(f"{header}, {len(corpus):,} training tokens, batch {args.batch_size} x time "
          f"{args.time_size}, lr {trainer.optimizer.lr:g}, clip {args.max_grad}, epochs "
          f"{args.epochs}", flush=True)
    history = trainer.fit(corpus, args.epochs, valid_corpus=data.valid,
                          eval_batch_size=args.eval_batch_size)
    curve = None if comm is not None and not comm.is_root else save_curves(
        os.path.join(out, "perplexity.png"), perplexity_curves(history), "epoch",
        "perplexity", title=f"{args.model_name} on PTB", logy=True)
    if data.test is not None and args.skip_test:
        print("test perplexity: not measured (--skip-test)")
    elif data.test is not None:
        best = best_params_path(checkpoint)
        if lr_decay and args.early_stop is None and os.path.exists(best):
            model.load(best)
            print(f"loaded the best parameters (validation perplexity "
                  f"{trainer.best_ppl:.2f}) from {best}")
        model.reset_state()
        test_ppl = evaluate_perplexity(model, data.test, args.eval_batch_size, args.time_size,
                                       progress=not args.quiet, desc="test")
        print(f"test perplexity: {test_ppl:.2f}")
        on_test = run_listener(args, "on_test")
        if on_test is not None:
            on_test("test perplexity", test_ppl)
    else:
        model.reset_state()
        ppl = evaluate_perplexity(model, corpus, batch_size=args.batch_size,
                                  time_size=args.time_size, progress=not args.quiet,
                                  desc="training corpus")
        print(f"training-corpus perplexity: {ppl:.2f}")
    print(f"checkpoint: {checkpoint}" + (f"\nperplexity curve: {curve}" if curve else ""))
    return 0


def vars_for_meta(args):
    return {k: v for k, v in vars(args).items()
            if isinstance(v, (int, float, str, bool, type(None)))}


def perplexity_curves(history):
    """{train, valid: (epochs, perplexities)} of a history, for ``save_curves``."""
    curves = {"train": (history["epoch"], history["train_ppl"])}
    valid = [(e, v) for e, v in zip(history["epoch"], history["valid_ppl"]) if v is not None]
    if valid:
        curves["valid"] = tuple(zip(*valid))
    return curves


def evaluate(args):
    lm = load_language_model(args.checkpoint, args.params, args.device, command="eval")
    model, meta = lm.model, lm.meta
    data_dir = eval_data_dir(args.data_dir, meta)
    corpus, word_to_id, _ = load_ptb(args.split, data_dir)
    check_vocabulary(meta, word_to_id, corpus, args.split)
    time_size = args.time_size or getattr(model, "context_size", 35)
    if iterations_per_epoch(corpus, args.batch_size, time_size) == 0:
        raise UserError(f"eval: the {args.split} split has {len(corpus):,} tokens, fewer than "
                        f"one chunk of --batch-size {args.batch_size} x --time-size "
                        f"{time_size} (+1); pass smaller ones")
    ppl = lm.perplexity(corpus, args.batch_size, time_size, progress=True)
    print(f"{meta['kind']} {args.split} perplexity: {ppl:.2f}")
    return 0


def eval_data_dir(data_dir, meta):
    """--data-dir if given, else the folder the checkpoint was trained from
    (meta "data_dir") while it still exists, else None (the usual rule:
    $AUTOGRAD_NLP_DATA, then the download cache)."""
    if data_dir is not None:
        return data_dir
    trained_on = meta.get("data_dir")
    if trained_on and os.path.isdir(trained_on):
        print(f"data: {trained_on} (the folder this checkpoint was trained from)")
        return trained_on
    if trained_on:
        print(f"data: this checkpoint was trained from {trained_on}, which no longer "
              f"exists; using --data-dir / $AUTOGRAD_NLP_DATA / the download cache")
    return None


def check_vocabulary(meta, word_to_id, corpus, split):
    """The evaluation data must use the checkpoint's vocabulary: same words,
    same ids (a prefix when it was trained with --corpus-size)."""
    vocab = meta["vocab"]
    mismatch = next((i for i, w in enumerate(vocab) if word_to_id.get(w) != i), None)
    if mismatch is not None or len(vocab) > len(word_to_id):
        raise CheckpointError(
            f"eval: the checkpoint's vocabulary ({len(vocab):,} words) is not this "
            f"data's ({len(word_to_id):,} words in ptb.train.txt); pass --data-dir with "
            f"the PTB folder it was trained on")
    if len(corpus) and int(corpus.max()) >= len(vocab):
        raise CheckpointError(
            f"eval: the {split} split uses words beyond the checkpoint's {len(vocab):,}-word "
            f"vocabulary (it was trained on the first tokens only, --corpus-size); "
            f"it cannot be evaluated on this split")


def generate(args):
    sampling = [name for name, given in (("--temperature", args.temperature != 1.0),
                                         ("--top-k", args.top_k is not None),
                                         ("--greedy", args.greedy)) if given]
    if args.beam > 1 and sampling:
        raise UserError(f"generate: --beam {args.beam} searches for the most likely text "
                        f"and does not sample; drop {', '.join(sampling)} or --beam")
    lm = load_language_model(args.checkpoint, device=args.device, command="generate")
    vocab = lm.vocab
    if args.start not in lm.word_to_id:
        raise UserError(f"generate: start word {args.start!r} is not in the vocabulary "
                        f"({len(vocab):,} words, e.g. {', '.join(vocab[:3])}); pass "
                        f"another --start")
    if args.seed is not None:
        seed_everything(args.seed)
    text = lm.generate(args.start, args.length, temperature=args.temperature,
                       top_k=args.top_k, greedy=args.greedy, beam=args.beam)
    print(text)
    return 0

"""``autograd-nlp train rnnlm|better-rnnlm|simple-rnnlm``, ``eval``, ``generate``."""
import os

from autograd_nlp import optim
from autograd_nlp.commands.common import (add_common_training_options, add_device_option,
                                          prepare_out, seed_everything)
from autograd_nlp.data import load_ptb
from autograd_nlp.training import (LanguageModelTrainer, evaluate_perplexity,
                                   load_checkpoint, restore, save_curves)

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
        p = train_sub.add_parser(name, help=f"train {name} on PTB (book's settings)")
        add_common_training_options(p, d["epochs"], os.path.join("runs", name))
        p.add_argument("--batch-size", type=int, default=d["batch_size"])
        p.add_argument("--time-size", type=int, default=d["time_size"])
        p.add_argument("--lr", type=float, default=d["lr"])
        p.add_argument("--max-grad", type=float, default=d["max_grad"])
        p.add_argument("--wordvec", type=int, default=d["wordvec"])
        p.add_argument("--hidden", type=int, default=d["hidden"])
        p.add_argument("--corpus-size", type=int, default=d["corpus_size"],
                       help="train on the first N tokens only")
        p.add_argument("--lr-decay", type=float, default=d["lr_decay"],
                       help="divide lr by this when validation perplexity gets worse")
        p.add_argument("--eval-batch-size", type=int, default=10,
                       help="batch size of the perplexity evaluations (the book's: 10)")
        p.add_argument("--max-iters", type=int, default=None,
                       help="cap iterations per epoch (quick trials)")
        if "dropout" in d:
            p.add_argument("--dropout", type=float, default=d["dropout"])
        p.set_defaults(run=train, model_name=name)


def add_parsers(sub):
    p = sub.add_parser("eval", help="perplexity of a language-model checkpoint on a PTB split")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--params", default=None,
                   help="parameters to use instead of the checkpoint's (e.g. its "
                        ".best-params.npz)")
    p.add_argument("--split", default="test", choices=["train", "valid", "test"])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--time-size", type=int, default=35)
    add_device_option(p)
    p.set_defaults(run=evaluate)

    p = sub.add_parser("generate", help="sample text from a language-model checkpoint")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--start", default="you")
    p.add_argument("--length", type=int, default=100)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-k", type=int, default=None)
    p.add_argument("--greedy", action="store_true", help="always take the most likely word")
    p.add_argument("--seed", type=int, default=None)
    add_device_option(p)
    p.set_defaults(run=generate)


def build_model(name, kwargs):
    from models import language_models
    return language_models()[name](**kwargs)


def model_from_checkpoint(path, params=None):
    """Rebuild a model from a checkpoint alone (its meta names the class);
    ``params`` optionally overrides the parameters (e.g. the
    ``.best-params.npz`` file a run with validation writes)."""
    checkpoint = load_checkpoint(path)
    meta = checkpoint["meta"]
    if "model" not in meta:
        raise SystemExit(f"{path} does not say which model it holds (no 'model' in its "
                         f"meta); pass the checkpoint.npz of a training run")
    model = build_model(meta["model"], meta["model_kwargs"])
    restore(checkpoint, model, rng=False)
    if params is not None:
        model.load(params)
    model.reset_state()
    return model, meta


def train(args):
    seed_everything(args.seed)
    out = prepare_out(args.out)
    corpus, word_to_id, id_to_word = load_ptb("train", args.data_dir)
    if args.corpus_size:
        corpus = corpus[:args.corpus_size]
    vocab_size = int(corpus.max()) + 1 if args.corpus_size else len(word_to_id)
    valid = test = None
    if not args.corpus_size:
        valid = load_ptb("valid", args.data_dir)[0]
        test = load_ptb("test", args.data_dir)[0]
    kwargs = dict(vocab_size=vocab_size, wordvec_size=args.wordvec, hidden_size=args.hidden)
    if getattr(args, "dropout", None) is not None:
        kwargs["dropout"] = args.dropout
    model = build_model(args.model_name, kwargs)
    model.to(args.device)
    optimizer = optim.SGD(model.params(), lr=args.lr)
    checkpoint = os.path.join(out, "checkpoint.npz")
    meta = {"model": args.model_name, "model_kwargs": kwargs,
            "vocab": [id_to_word[i] for i in range(vocab_size)],
            "command": vars_for_meta(args)}
    trainer = LanguageModelTrainer(model, optimizer, args.batch_size, args.time_size,
                                   args.max_grad, args.lr_decay, checkpoint,
                                   args.checkpoint_every, meta, progress=not args.quiet,
                                   max_iters_per_epoch=args.max_iters)
    print(f"{args.model_name}: {model.num_params():,} parameters, {len(corpus):,} training "
          f"tokens, batch {args.batch_size} x time {args.time_size}, lr {args.lr}")
    if args.resume:
        trainer.resume(args.resume)
    history = trainer.fit(corpus, args.epochs, valid_corpus=valid,
                          eval_batch_size=args.eval_batch_size)
    curve = save_curves(os.path.join(out, "perplexity.png"),
                        _curves(history), "epoch", "perplexity",
                        title=f"{args.model_name} on PTB", logy=True)
    if test is not None:
        best = checkpoint[:-4] + ".best-params.npz"
        if args.lr_decay and os.path.exists(best):
            model.load(best)
            print(f"loaded the best parameters (validation perplexity "
                  f"{trainer.best_ppl:.2f}) from {best}")
        model.reset_state()
        test_ppl = evaluate_perplexity(model, test, args.eval_batch_size, args.time_size,
                                       progress=not args.quiet)
        print(f"test perplexity: {test_ppl:.2f}")
    else:
        model.reset_state()
        ppl = evaluate_perplexity(model, corpus, batch_size=args.batch_size,
                                  time_size=args.time_size)
        print(f"training-corpus perplexity: {ppl:.2f}")
    print(f"checkpoint: {checkpoint}" + (f"\nperplexity curve: {curve}" if curve else ""))
    return 0


def vars_for_meta(args):
    return {k: v for k, v in vars(args).items()
            if isinstance(v, (int, float, str, bool, type(None)))}


def _curves(history):
    curves = {"train": (history["epoch"], history["train_ppl"])}
    valid = [(e, v) for e, v in zip(history["epoch"], history["valid_ppl"]) if v is not None]
    if valid:
        curves["valid"] = tuple(zip(*valid))
    return curves


def evaluate(args):
    model, meta = model_from_checkpoint(args.checkpoint, args.params)
    model.to(args.device)
    corpus = load_ptb(args.split, args.data_dir)[0]
    ppl = evaluate_perplexity(model, corpus, args.batch_size, args.time_size, progress=True)
    print(f"{meta['model']} {args.split} perplexity: {ppl:.2f}")
    return 0


def generate(args):
    model, meta = model_from_checkpoint(args.checkpoint)
    model.to(args.device)
    vocab = meta["vocab"]
    word_to_id = {w: i for i, w in enumerate(vocab)}
    if args.start not in word_to_id:
        raise SystemExit(f"start word {args.start!r} is not in the vocabulary "
                         f"({len(vocab)} words)")
    if args.seed is not None:
        seed_everything(args.seed)
    skip = [word_to_id[w] for w in ("N", "<unk>", "$") if w in word_to_id]
    ids = model.generate(word_to_id[args.start], args.length, skip_ids=skip,
                         temperature=args.temperature, top_k=args.top_k, greedy=args.greedy)
    text = " ".join(vocab[i] for i in ids).replace(" <eos>", ".\n")
    print(text)
    return 0


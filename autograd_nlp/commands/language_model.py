"""``autograd-nlp train rnnlm|better-rnnlm|simple-rnnlm`` (the recipes in
``autograd_nlp/recipes/language_model.py``), ``eval`` and ``generate`` (which
read transformer-lm checkpoints too, through ``autograd_nlp.load``)."""
from autograd_nlp.commands.common import (add_config_options, add_device_option, beam_width,
                                          bounded_int, non_negative_int, positive_float,
                                          positive_int, train_command)
from autograd_nlp.commands.params_option import add_params_option
from autograd_nlp.data import load_ptb
from autograd_nlp.data.checkpoint_ptb import check_vocabulary, eval_data_dir
from autograd_nlp.errors import UserError
from autograd_nlp.loading.language_model import load_language_model
from autograd_nlp.recipes import language_model as recipe
from autograd_nlp.recipes.checks import MAX_BEAM
from autograd_nlp.recipes.runtime import seed_everything
from autograd_nlp.recipes.settings import RESUME_RULE
from autograd_nlp.training import iterations_per_epoch


def add_train_parsers(train_sub):
    for name, config_class in recipe.CONFIGS.items():
        p = train_sub.add_parser(name, help=f"train {name} on PTB (book's settings)",
                                 epilog=RESUME_RULE)
        add_config_options(p, config_class)
        p.set_defaults(run=train_command(config_class, recipe.run))


MAX_GENERATED_WORDS = 10_000
generated_words = bounded_int(MAX_GENERATED_WORDS, "one forward step per word; generate "
                                                   "again from the last words for more")
CHECKPOINT_HELP = ("checkpoint.npz of an rnnlm, better-rnnlm, simple-rnnlm or transformer-lm "
                   "run")


def add_parsers(sub):
    p = sub.add_parser("eval", help="perplexity of a language-model checkpoint on a PTB split")
    p.add_argument("--checkpoint", required=True, help=CHECKPOINT_HELP)
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
    p.add_argument("--checkpoint", required=True, help=CHECKPOINT_HELP)
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


def evaluate(args):
    lm = load_language_model(args.checkpoint, args.params, args.device, command="eval")
    data_dir = eval_data_dir(args.data_dir, lm.meta)
    corpus, word_to_id, _ = load_ptb(args.split, data_dir)
    check_vocabulary(lm.meta, word_to_id, corpus, args.split)
    time_size = args.time_size or getattr(lm.model, "context_size", 35)
    if iterations_per_epoch(corpus, args.batch_size, time_size) == 0:
        raise UserError(f"eval: the {args.split} split has {len(corpus):,} tokens, fewer than "
                        f"one chunk of --batch-size {args.batch_size} x --time-size "
                        f"{time_size} (+1); pass smaller ones")
    ppl = lm.perplexity(corpus, args.batch_size, time_size, progress=True)
    print(f"{lm.meta['kind']} {args.split} perplexity: {ppl:.2f}")
    return 0


def generate(args):
    sampling = [name for name, given in (("--temperature", args.temperature != 1.0),
                                         ("--top-k", args.top_k is not None),
                                         ("--greedy", args.greedy)) if given]
    if args.beam > 1 and sampling:
        raise UserError(f"generate: --beam {args.beam} searches for the most likely text "
                        f"and does not sample; drop {', '.join(sampling)} or --beam")
    lm = load_language_model(args.checkpoint, device=args.device, command="generate")
    if args.start not in lm.word_to_id:
        raise UserError(f"generate: start word {args.start!r} is not in the vocabulary "
                        f"({len(lm.vocab):,} words, e.g. {', '.join(lm.vocab[:3])}); pass "
                        f"another --start")
    if args.seed is not None:
        seed_everything(args.seed)
    print(lm.generate(args.start, args.length, temperature=args.temperature,
                      top_k=args.top_k, greedy=args.greedy, beam=args.beam))
    return 0

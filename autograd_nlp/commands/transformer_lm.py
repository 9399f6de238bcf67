"""``autograd-nlp train transformer-lm``: the decoder-only Transformer on PTB,
in the language-model family: the same data, trainer, checkpoints and resume
rule as ``train rnnlm``, and ``eval`` / ``generate`` read its checkpoints.

A Transformer carries no state between chunks: each (batch, --time-size)
chunk is an independent context window, trained with Adam under a warm-up
schedule (inverse square root or cosine) instead of the book's plain SGD.
"""
import os

from autograd_nlp import optim
from autograd_nlp.commands.common import (add_common_training_options, add_early_stop_options,
                                          non_negative_int, positive_float,
                                          positive_int, prepare_out_on_root,
                                          seed_everything, distributed_comm)
from autograd_nlp.commands.language_model import fit_and_test, load_lm_data
from autograd_nlp.commands.run_settings import RESUME_RULE, mark_defaults, resolve_settings
from autograd_nlp.commands.common import attach_schedule
from autograd_nlp.commands.transformer import add_size_options, check_heads
from autograd_nlp.training.language_model import iterations_per_epoch

NAME = "transformer-lm"
SCHEDULES = ("inverse-sqrt", "cosine", "constant")


def add_train_parsers(train_sub):
    p = train_sub.add_parser(NAME, help="train a decoder-only Transformer language model on "
                             "PTB (one CPU thread sized)", description=RESUME_RULE)
    add_common_training_options(p, 4, os.path.join("runs", NAME), distributed=True)
    add_size_options(p, 128, "causal self-attention blocks")
    p.add_argument("--positional", choices=["sinusoidal", "learned"], default="sinusoidal",
                   help="positional encoding")
    p.add_argument("--activation", choices=["relu", "gelu", "gelu_tanh"], default="relu",
                   help="feed-forward activation")
    p.add_argument("--no-tie", dest="tie", action="store_false",
                   help="a separate output projection instead of the embedding's transpose")
    p.add_argument("--batch-size", type=positive_int, default=16, help="windows per batch")
    p.add_argument("--time-size", type=positive_int, default=64,
                   help="tokens per window: the context the model reads (each chunk is "
                        "independent; no state is carried)")
    p.add_argument("--lr", type=positive_float, default=0.002,
                   help="peak learning rate of the schedule")
    p.add_argument("--schedule", choices=SCHEDULES, default="inverse-sqrt",
                   help="learning-rate schedule after the linear warm-up")
    p.add_argument("--warmup", type=non_negative_int, default=400, help="warm-up steps")
    p.add_argument("--max-grad", type=positive_float, default=1.0,
                   help="clip the gradients' global norm to this")
    p.add_argument("--corpus-size", type=positive_int, default=None,
                   help="train on the first N tokens only (default: all)")
    p.add_argument("--eval-batch-size", type=positive_int, default=10,
                   help="batch size of the perplexity evaluations")
    p.add_argument("--max-iters", type=positive_int, default=None,
                   help="cap iterations per epoch, for quick trials (default: no cap)")
    add_early_stop_options(p, "validation perplexity (PTB's valid split)")
    p.set_defaults(run=train, model_name=NAME)
    mark_defaults(p)


def model_kwargs(args, vocab_size):
    return dict(vocab_size=vocab_size, dim=args.dim, num_heads=args.heads,
                num_layers=args.layers, ff_hidden=args.ff_hidden, dropout=args.dropout,
                activation=args.activation, norm_first=args.norm == "pre",
                positional=args.positional, context_size=args.time_size,
                tie_weights=args.tie)


def train(args):
    from models.transformer_lm import TransformerLM
    settings = resolve_settings(args)         # typed, resumed or default values from here
    check_heads(args, NAME)
    comm = distributed_comm(args)             # None without --distributed
    seed_everything(args.seed)
    prepare_out_on_root(args.out, args, comm)
    data = load_lm_data(args)
    kwargs = model_kwargs(args, data.vocab_size)
    model = TransformerLM(**kwargs)
    model.to(args.device)
    optimizer = optim.Adam(model.params(), lr=args.lr, beta2=0.98)
    iters = iterations_per_epoch(data.corpus, args.batch_size, args.time_size)
    if args.max_iters:
        iters = min(iters, args.max_iters)
    schedule = attach_schedule(optimizer, args, args.epochs * iters)
    header = (f"{NAME}: {model.num_params():,} parameters ({args.layers} layers, dim "
              f"{args.dim}, {args.heads} heads, {args.norm}-norm, "
              f"{'tied' if args.tie else 'untied'} output), Adam peak lr {args.lr:g} "
              f"({args.schedule}, warm-up {args.warmup})")
    return fit_and_test(args, settings, data, model, optimizer, kwargs, header,
                        {"schedule": schedule.state_dict() if schedule else None})

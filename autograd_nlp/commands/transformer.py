"""``autograd-nlp train transformer`` (the recipe is
``autograd_nlp/recipes/transformer.py``; ``translate`` and ``plot-accuracy``
read its checkpoints too)."""
from autograd_nlp.commands.common import (add_config_options, dropout_rate, positive_int,
                                          train_command)
from autograd_nlp.errors import UserError
from autograd_nlp.recipes import transformer as recipe
from autograd_nlp.recipes.seq2seq import GENERATED_DATE_RECIPE
from autograd_nlp.recipes.seq2seq_task import recipe_note
from autograd_nlp.recipes.settings import RESUME_RULE


def add_train_parsers(train_sub):
    p = train_sub.add_parser("transformer", help="train a Transformer encoder-decoder on dates "
                             "or additions (generated when no data directory is set)",
                             description=recipe_note(GENERATED_DATE_RECIPE["transformer"])
                             + RESUME_RULE)
    add_config_options(p, recipe.TransformerConfig)
    p.set_defaults(run=train_command(recipe.TransformerConfig, recipe.run))


def add_size_options(p, dim, layers_help, layers=2):
    """``--dim --heads --layers --ff-hidden --dropout --norm``: the sizes of a
    Transformer stack (train transformer-lm, bert, ...)."""
    p.add_argument("--dim", type=positive_int, default=dim, help="model width")
    p.add_argument("--heads", type=positive_int, default=4, help="attention heads")
    p.add_argument("--layers", type=positive_int, default=layers, help=layers_help)
    p.add_argument("--ff-hidden", type=positive_int, default=None,
                   help="feed-forward width (default: 4 x dim)")
    p.add_argument("--dropout", type=dropout_rate, default=0.1, help="dropout rate")
    p.add_argument("--norm", choices=["pre", "post"], default="pre",
                   help="LayerNorm before each sub-layer (pre) or after (post)")


def check_heads(args, command):
    """--dim must split evenly over --heads (UserError naming both, with a fix)."""
    if args.dim % args.heads:
        raise UserError(f"train {command}: --dim {args.dim} is not divisible by --heads "
                        f"{args.heads}; pick e.g. --dim "
                        f"{args.heads * (args.dim // args.heads + 1)}")

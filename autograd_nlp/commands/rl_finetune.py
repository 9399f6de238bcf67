"""``autograd-nlp rl-finetune``: fine-tune a trained seq2seq checkpoint with
sequence-level REINFORCE on exact match (the recipe in
``autograd_nlp/recipes/rl_finetune.py``), and compare with as many
supervised steps.

    autograd-nlp train seq2seq --reverse --out runs/rev
    autograd-nlp rl-finetune --checkpoint runs/rev/checkpoint.npz --steps 300
"""
from autograd_nlp.commands.common import add_config_options, train_command
from autograd_nlp.recipes import rl_finetune as recipe


def add_parsers(sub):
    p = sub.add_parser("rl-finetune", help="fine-tune a seq2seq checkpoint with REINFORCE "
                       "on exact match (self-critical baseline)")
    p.add_argument("--checkpoint", required=True,
                   help=recipe.RlFinetuneConfig.field_help("checkpoint"))
    add_config_options(p, recipe.RlFinetuneConfig, skip=("checkpoint",))
    p.set_defaults(run=train_command(recipe.RlFinetuneConfig, recipe.run))

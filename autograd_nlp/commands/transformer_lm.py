"""``autograd-nlp train transformer-lm``: the decoder-only Transformer on PTB
(the recipe is ``autograd_nlp/recipes/transformer_lm.py``); ``eval`` and
``generate`` read its checkpoints."""
from autograd_nlp.commands.common import add_config_options, train_command
from autograd_nlp.recipes import transformer_lm as recipe
from autograd_nlp.recipes.settings import RESUME_RULE


def add_train_parsers(train_sub):
    p = train_sub.add_parser(recipe.TransformerLMConfig.model,
                             help="train a decoder-only Transformer language model on PTB "
                                  "(one CPU thread sized)", description=RESUME_RULE)
    add_config_options(p, recipe.TransformerLMConfig)
    p.set_defaults(run=train_command(recipe.TransformerLMConfig, recipe.run))

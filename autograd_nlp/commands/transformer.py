"""``autograd-nlp train transformer`` (the recipe is
``autograd_nlp/recipes/transformer.py``; ``translate`` and ``plot-accuracy``
read its checkpoints too)."""
from autograd_nlp.commands.common import add_config_options, train_command
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

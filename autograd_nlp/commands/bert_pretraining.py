"""``autograd-nlp train bert``: BERT's pre-training on PTB (the recipe is
``autograd_nlp/recipes/bert.py``; ``similar`` reads the vectors it writes)."""
from autograd_nlp.commands.common import add_config_options, train_command
from autograd_nlp.recipes import bert as recipe
from autograd_nlp.recipes.settings import RESUME_RULE


def add_train_parsers(train_sub):
    p = train_sub.add_parser("bert", help="pre-train BERT (masked LM + next-sentence "
                             "prediction) on PTB", description=RESUME_RULE)
    add_config_options(p, recipe.BertConfig)
    p.set_defaults(run=train_command(recipe.BertConfig, recipe.run))

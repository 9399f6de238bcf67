"""``autograd-nlp train reinforce|a2c``: policy-gradient agents on a
gymnasium environment (the recipes in ``autograd_nlp/recipes/reinforcement.py``)."""
from autograd_nlp.commands.common import add_config_options, train_command
from autograd_nlp.recipes import reinforcement as recipe


def add_train_parsers(train_sub):
    for name, config_class in recipe.CONFIGS.items():
        p = train_sub.add_parser(name, help=f"{recipe.HELP[name]} on a gymnasium environment",
                                 epilog=recipe.RESUME_RULE)
        add_config_options(p, config_class)
        p.set_defaults(run=train_command(config_class, recipe.run))

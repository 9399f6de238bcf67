"""``autograd-nlp train bert-finetune``: a pre-trained BERT (the checkpoint
of ``train bert``) fine-tuned on a PTB sentence task, or trained from
scratch (the recipe is ``autograd_nlp/recipes/bert_finetune.py``)."""
from autograd_nlp.commands.common import add_config_options, train_command
from autograd_nlp.recipes import bert_finetune as recipe
from autograd_nlp.recipes.settings import RESUME_RULE


def add_train_parsers(train_sub):
    p = train_sub.add_parser(recipe.NAME, help="fine-tune a pre-trained BERT (train bert) on "
                             "a PTB sentence task, or train it from scratch (--scratch)",
                             description=RESUME_RULE)
    add_config_options(p, recipe.BertFinetuneConfig)
    p.set_defaults(run=train_command(recipe.BertFinetuneConfig, recipe.run))

"""``autograd-nlp train autoencoder|vae`` (the recipes in
``autograd_nlp/recipes/autoencoder.py``) and ``sample-dates``."""
import numpy as np

from autograd_nlp.commands.common import (add_config_options, non_negative_int, sample_count,
                                          train_command)
from autograd_nlp.data.date_string_set import DateStrings
from autograd_nlp.data.date_strings import parse_date
from autograd_nlp.loading.checkpoint_kind import read_checkpoint
from autograd_nlp.loading.rebuild import rebuild_model
from autograd_nlp.recipes import autoencoder as recipe
from autograd_nlp.recipes.settings import RESUME_RULE

HELP = {"autoencoder": "a sequence autoencoder (LSTM -> code -> LSTM)",
        "vae": "a variational sequence autoencoder (samples new dates)"}


def add_train_parsers(train_sub):
    for name, config_class in recipe.CONFIGS.items():
        p = train_sub.add_parser(name, help=f"{HELP[name]} on generated date strings",
                                 epilog=RESUME_RULE)
        add_config_options(p, config_class)
        p.set_defaults(run=train_command(config_class, recipe.run))


def add_parsers(sub):
    p = sub.add_parser("sample-dates", help="new date strings from a `train vae` checkpoint")
    p.add_argument("--checkpoint", required=True,
                   help="a VAE checkpoint (checkpoint.npz of train vae)")
    p.add_argument("--n", type=sample_count, default=10, help="how many date strings to sample")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
    p.set_defaults(run=sample_dates)


def sample_dates(args):
    checkpoint = read_checkpoint(args.checkpoint, "sample-dates", "autoencoder", ["vae"])
    meta = checkpoint["meta"]
    model = rebuild_model(checkpoint, args.checkpoint, command="sample-dates")
    ds = DateStrings.vocabulary_only(meta["chars"], meta["width"])
    ids = model.sample(args.n, ds.start_id, ds.width, np.random.default_rng(args.seed))
    for text in ds.decode(ids):
        parsed = parse_date(text)
        print(f"{text:30} {parsed[0].isoformat() if parsed else '(not a date)'}")
    return 0

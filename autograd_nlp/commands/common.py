"""Helpers shared by the subcommands: output folders, seeding, messages."""
import os

from autograd_nlp import random as ag_random


def add_common_training_options(p, epochs, out):
    p.add_argument("--data-dir", default=None,
                   help="dataset directory (default: $AUTOGRAD_NLP_DATA)")
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--out", default=out, help=f"output folder (default: {out})")
    p.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    p.add_argument("--resume", default=None, metavar="CKPT",
                   help="continue the run saved in this checkpoint")
    p.add_argument("--checkpoint-every", type=int, default=None, metavar="N",
                   help="checkpoint every N iterations (and at every epoch end) instead "
                        "of every --checkpoint-minutes (default: not set)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0, metavar="M",
                   help="checkpoint after every M minutes of training and at every epoch "
                        "end (default: 5.0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def prepare_out(path):
    os.makedirs(path, exist_ok=True)
    return path


def seed_everything(seed):
    ag_random.seed(seed)

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
    p.add_argument("--checkpoint-every", type=int, default=500,
                   help="also checkpoint every N iterations (0: only per epoch)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_device_option(p)


def add_device_option(p):
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="where the model runs: cpu (NumPy) or cuda (a GPU, needs CuPy) "
                        "(default: cpu)")


def prepare_out(path):
    os.makedirs(path, exist_ok=True)
    return path


def seed_everything(seed):
    ag_random.seed(seed)

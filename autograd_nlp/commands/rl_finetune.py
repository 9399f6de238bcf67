"""``autograd-nlp rl-finetune``: fine-tune a trained seq2seq checkpoint with
sequence-level REINFORCE on exact match (self-critical baseline, see
``models/self_critical.py``), and compare with as many supervised steps.

    autograd-nlp train seq2seq --reverse --out runs/rev
    autograd-nlp rl-finetune --checkpoint runs/rev/checkpoint.npz --steps 300

The data options (``--data-dir``, ``--dataset``, ``--generate-size``,
``--seed``) must be those of the training run, so that the questions, the
vocabulary and the held-out split are the same; the vocabulary is checked.
``run_finetune`` is the piece a ``train seq2seq ... --rl-finetune STEPS``
option would call after ``fit``.
"""
import argparse
import copy
import os

from autograd_nlp import random as ag_random
from autograd_nlp.recipes import seq2seq as seq2seq_recipe
from autograd_nlp.recipes.seq2seq_task import load_dataset
from autograd_nlp.loading.checkpoint_kind import (check_finite_parameters, read_checkpoint,
                                                   restore_model)
from autograd_nlp.commands.common import (add_overwrite_option, check_output_file,
                                          generated_size, non_negative_int, positive_float,
                                          positive_int, prepare_out)
from autograd_nlp.errors import UserError
from autograd_nlp.training import (format_duration, restore, save_checkpoint,
                                   seq2seq_accuracy)
from autograd_nlp.training.rl_finetune import run_finetune


def add_parsers(sub):
    p = sub.add_parser("rl-finetune", help="fine-tune a seq2seq checkpoint with REINFORCE "
                       "on exact match (self-critical baseline)")
    p.add_argument("--checkpoint", required=True, help="a `train seq2seq|peeky|attention` run")
    p.add_argument("--steps", type=positive_int, default=300,
                   help="updates (default: %(default)s)")
    p.add_argument("--batch-size", type=positive_int, default=128, help="sequences per batch")
    p.add_argument("--lr", type=positive_float, default=1e-4, help="learning rate")
    p.add_argument("--max-grad", type=positive_float, default=5.0, help="clip the gradients' global norm to this (default: none for reinforce, no clipping)")
    p.add_argument("--no-compare", dest="compare", action="store_false",
                   help="skip the supervised run of as many steps from the same start")
    p.add_argument("--data-dir", default=None, help="folder holding the book's seq files (default: $AUTOGRAD_NLP_DATA; when unset, generated data)")
    p.add_argument("--dataset", default=None, choices=["addition", "date"],
                   help="default: the checkpoint's")
    p.add_argument("--generate-size", type=generated_size, default=50_000, help="lines to generate when no data directory is set")
    p.add_argument("--seed", type=non_negative_int, default=1, help="the training run's --seed")
    p.add_argument("--out", default=None, help="folder for the fine-tuned checkpoint "
                   "(default: beside the input, rl-finetuned.npz)")
    add_overwrite_option(p, "an rl-finetuned.npz already in that folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)



FINETUNED = "rl-finetuned.npz"


def claim_output(args):
    """rl-finetuned.npz in --out (default: beside --checkpoint): the folder
    checked and claimed, and an earlier fine-tuning's file there kept unless
    --overwrite. Returns its path."""
    out = args.out or os.path.dirname(os.path.abspath(args.checkpoint))
    prepare_out(out)
    path = check_output_file(os.path.join(out, FINETUNED), "--out")
    if os.path.lexists(path) and not args.overwrite:
        raise UserError(f"rl-finetune: {path} already exists (an earlier fine-tuning's); "
                        f"replace it with --overwrite, or pick another --out")
    return path


def run(args):
    checkpoint = read_checkpoint(args.checkpoint, "rl-finetune", "seq2seq",
                                 list(seq2seq_recipe.CONFIGS))
    check_finite_parameters(checkpoint, args.checkpoint, "rl-finetune")
    path = claim_output(args)
    meta = checkpoint["meta"]
    dataset = args.dataset or ("date" if "date" in meta.get("dataset", "") else "addition")
    data_args = argparse.Namespace(data_dir=args.data_dir, dataset=dataset,
                                   reverse=meta["reverse"], seed=args.seed,
                                   generate_size=args.generate_size)
    ds = load_dataset(data_args)
    chars = "".join(ds.id_to_char[i] for i in range(ds.vocab_size))
    if chars != meta["chars"]:
        raise UserError("rl-finetune: this data has another vocabulary than the checkpoint's; "
                        "pass the training run's --data-dir / --dataset / --generate-size / "
                        "--seed")
    model = restore_model(checkpoint, args.checkpoint, seq2seq_recipe.build_model, restore)
    ag_random.seed(args.seed)
    start_state = ag_random.get_state()
    before = seq2seq_accuracy(model, ds.x_test, ds.t_test)
    print(f"{checkpoint['kind']} from {args.checkpoint}: held-out exact match {100 * before:.2f}%")
    results = {}
    objectives = ["rl", "supervised"] if args.compare else ["rl"]
    tuned = None
    for objective in objectives:
        candidate = copy.deepcopy(model)
        ag_random.set_state(start_state)
        stats = run_finetune(candidate, ds, args.steps, args.batch_size, args.lr,
                             args.max_grad, objective, progress=not args.quiet)
        accuracy = seq2seq_accuracy(candidate, ds.x_test, ds.t_test)
        results[objective] = accuracy
        extra = (f"; mean training reward: samples {stats['sampled']:.3f}, greedy "
                 f"{stats['greedy']:.3f}" if objective == "rl" else "")
        print(f"after {args.steps} {objective} steps ({format_duration(stats['seconds'])}): "
              f"held-out exact match {100 * accuracy:.2f}%{extra}", flush=True)
        if objective == "rl":
            tuned = candidate
    if args.compare:
        gain = results["rl"] - results["supervised"]
        print(f"REINFORCE vs supervised at {args.steps} extra steps: "
              f"{100 * results['rl']:.2f}% vs {100 * results['supervised']:.2f}% "
              f"({'+' if gain >= 0 else ''}{100 * gain:.2f} points)")
    save_checkpoint(path, tuned, None, {**meta, "rl_finetune": {
        "steps": args.steps, "lr": args.lr, "batch_size": args.batch_size,
        "accuracy_before": before, **{f"accuracy_{k}": v for k, v in results.items()}}})
    print(f"wrote: {path}")
    return 0

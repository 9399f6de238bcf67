"""Fine-tuning a trained seq2seq checkpoint with sequence-level REINFORCE on
exact match (self-critical baseline, see ``models/self_critical.py``), and
comparing with as many supervised steps from the same start; the loop is
``autograd_nlp/training/rl_finetune.py``'s ``run_finetune``.

    from autograd_nlp.recipes import rl_finetune
    result = rl_finetune.run(rl_finetune.RlFinetuneConfig(
        checkpoint="runs/rev/checkpoint.npz", steps=300))
    result.metrics["accuracy rl"], result.checkpoint       # .../rl-finetuned.npz

The data settings (``data_dir``, ``dataset``, ``generate_size``, ``seed``)
must be those of the training run, so that the questions, the vocabulary
and the held-out split are the same; the vocabulary is checked.
"""
import copy
import dataclasses
import os
import types

from autograd_nlp import random as ag_random
from autograd_nlp.errors import UserError
from autograd_nlp.loading.checkpoint_kind import check_finite_parameters, read_checkpoint
from autograd_nlp.loading.rebuild import rebuild_model
from autograd_nlp.recipes import checks
from autograd_nlp.recipes import seq2seq as seq2seq_recipe
from autograd_nlp.recipes.config import Config, ConfigError, option
from autograd_nlp.recipes.result import Result
from autograd_nlp.recipes.seq2seq_task import load_dataset
from autograd_nlp.recipes.settings import recorded_settings
from autograd_nlp.training import format_duration, save_checkpoint, seq2seq_accuracy
from autograd_nlp.training.rl_finetune import run_finetune
from autograd_nlp.training.run_folder import check_output_file, prepare_out

FINETUNED = "rl-finetuned.npz"


@dataclasses.dataclass
class RlFinetuneConfig(Config):
    """``rl-finetune``: which checkpoint, how many updates, and the training
    run's data settings (to rebuild its questions and held-out split)."""
    checkpoint: str = option(None, "a `train seq2seq|peeky|attention` run", setting=False)
    steps: int = option(300, "updates (default: %(default)s)", checks.positive_int)
    batch_size: int = option(128, "sequences per batch", checks.positive_int)
    lr: float = option(1e-4, "learning rate", checks.positive_float)
    max_grad: float = option(5.0, "clip the gradients' global norm to this",
                             checks.positive_float)
    compare: bool = option(True, "also run as many supervised steps from the same start, "
                                 "to compare",
                           negation="skip the supervised run of as many steps from the "
                                    "same start")
    data_dir: str = option(None, "folder holding the book's seq files (default: "
                                 "$AUTOGRAD_NLP_DATA; when unset, generated data)",
                           setting=False)
    dataset: str = option(None, "the training run's dataset", choices=("addition", "date"),
                          none_help="the checkpoint's")
    generate_size: int = option(50_000, "lines to generate when no data directory is set",
                                checks.generated_size)
    seed: int = option(1, "the training run's --seed", checks.non_negative_int)
    out: str = option(None, "folder for the fine-tuned checkpoint (default: beside the "
                            "input, rl-finetuned.npz)", setting=False)
    overwrite: bool = option(False, "replace an rl-finetuned.npz already in that folder "
                                    "(without it, a folder holding an earlier run is "
                                    "refused: continue that run with --resume, or pick "
                                    "another --out)", setting=False)
    quiet: bool = option(False, "no progress bar", setting=False)

    def check_together(self):
        if self.checkpoint is None:
            raise ConfigError("--checkpoint is required: the checkpoint.npz of a `train "
                              "seq2seq|peeky|attention` run")


def claim_output(config):
    """rl-finetuned.npz in ``config.out`` (default: beside the checkpoint):
    the folder checked and claimed, and an earlier fine-tuning's file there
    kept unless ``overwrite``. Returns its path."""
    out = config.out or os.path.dirname(os.path.abspath(config.checkpoint))
    prepare_out(out)
    path = check_output_file(os.path.join(out, FINETUNED), "--out")
    if os.path.lexists(path) and not config.overwrite:
        raise UserError(f"rl-finetune: {path} already exists (an earlier fine-tuning's); "
                        f"replace it with --overwrite, or pick another --out")
    return path


def training_data(config, meta):
    """The training run's SeqDataset rebuilt from ``config``'s data settings
    (the dataset named by the checkpoint unless given; its reversal and
    date order), checked to have the checkpoint's vocabulary."""
    dataset = config.dataset or ("date" if "date" in meta.get("dataset", "") else "addition")
    recorded = recorded_settings(meta)
    ds = load_dataset(types.SimpleNamespace(
        data_dir=config.data_dir, dataset=dataset, reverse=meta["reverse"], seed=config.seed,
        generate_size=config.generate_size, date_order=recorded.get("date_order", "mdy")))
    chars = "".join(ds.id_to_char[i] for i in range(ds.vocab_size))
    if chars != meta["chars"]:
        raise UserError("rl-finetune: this data has another vocabulary than the checkpoint's; "
                        "pass the training run's --data-dir / --dataset / --generate-size / "
                        "--seed")
    return ds


def run(config, *, progress=True, callbacks=None):
    """Fine-tune ``config.checkpoint`` for ``steps`` updates of self-critical
    REINFORCE (and, with ``compare``, as many supervised ones from the same
    start), held-out exact match before and after each; the REINFORCE model
    is written to rl-finetuned.npz. Returns a Result (model: the fine-tuned
    one; metrics: "accuracy before", "accuracy rl", "accuracy supervised")."""
    del callbacks                     # no epochs, no test score to report
    config.check_together()
    progress = progress and not config.quiet
    checkpoint = read_checkpoint(config.checkpoint, "rl-finetune", "seq2seq",
                                 list(seq2seq_recipe.CONFIGS))
    check_finite_parameters(checkpoint, config.checkpoint, "rl-finetune")   # before any file
    path = claim_output(config)
    meta = checkpoint["meta"]
    ds = training_data(config, meta)
    model = rebuild_model(checkpoint, config.checkpoint, command="rl-finetune").train()
    ag_random.seed(config.seed)
    start_state = ag_random.get_state()
    before = seq2seq_accuracy(model, ds.x_test, ds.t_test)
    print(f"{checkpoint['kind']} from {config.checkpoint}: held-out exact match "
          f"{100 * before:.2f}%")
    results, history, tuned = {}, {}, None
    for objective in ["rl", "supervised"] if config.compare else ["rl"]:
        candidate = copy.deepcopy(model)
        ag_random.set_state(start_state)
        stats = run_finetune(candidate, ds, config.steps, config.batch_size, config.lr,
                             config.max_grad, objective, progress=progress)
        accuracy = seq2seq_accuracy(candidate, ds.x_test, ds.t_test)
        results[objective], history[objective] = accuracy, stats
        extra = (f"; mean training reward: samples {stats['sampled']:.3f}, greedy "
                 f"{stats['greedy']:.3f}" if objective == "rl" else "")
        print(f"after {config.steps} {objective} steps ({format_duration(stats['seconds'])}): "
              f"held-out exact match {100 * accuracy:.2f}%{extra}", flush=True)
        if objective == "rl":
            tuned = candidate
    if config.compare:
        gain = results["rl"] - results["supervised"]
        print(f"REINFORCE vs supervised at {config.steps} extra steps: "
              f"{100 * results['rl']:.2f}% vs {100 * results['supervised']:.2f}% "
              f"({'+' if gain >= 0 else ''}{100 * gain:.2f} points)")
    save_checkpoint(path, tuned, None, {**meta, "rl_finetune": {
        "steps": config.steps, "lr": config.lr, "batch_size": config.batch_size,
        "accuracy_before": before, **{f"accuracy_{k}": v for k, v in results.items()}}})
    print(f"wrote: {path}")
    metrics = {"accuracy before": before, **{f"accuracy {k}": v for k, v in results.items()}}
    return Result(tuned, history, metrics, {"checkpoint": path}, config)

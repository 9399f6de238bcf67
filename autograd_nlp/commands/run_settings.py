"""The settings of a training run: what was typed, what is the default, and
what a resumed checkpoint recorded.

Every option of a ``train`` command that shapes the run (sizes, data, seed,
optimizer...) gets its default wrapped in ``Default`` by ``mark_defaults``, so
that after parsing a typed value can be told from a default. With
``--resume``, an option left out takes the checkpoint's value, so the run
continues as it was; a typed value that differs is applied and announced if
the trainer may change it mid-run (lr, max-grad, epochs...), and refused
otherwise (``Trainer.resume``). The header then prints what is in use.
"""
import os
import zipfile

from autograd_nlp.commands.common import Default
from autograd_nlp.training import TrainingError, fingerprint, load_checkpoint

# options that say where and how to run, not what the run is made of
NOT_SETTINGS = frozenset({"out", "overwrite", "resume", "quiet", "checkpoint_every",
                          "checkpoint_minutes", "data_dir", "run", "model_name", "command",
                          "model", "vectors", "device", "skip_test", "beam", "rl_finetune", "rl_lr",
                          "vector_sentences"})

RESUME_RULE = (
    "--resume CKPT continues the run saved in CKPT with the settings it recorded: options "
    "left out take the checkpoint's values. The data, the vocabulary, the model and its "
    "sizes, the batch shape and the seed must match (a mismatch is an error naming both); "
    "--epochs, --lr, --max-grad, --early-stop (and for language models --lr-decay, --eval-batch-size, "
    "--max-iters) may be given anew: the change is applied and announced, e.g. "
    "\"lr 0.001 -> 0.01 from epoch 5\".")


def mark_defaults(parser):
    """Wrap the default of every setting of ``parser`` in ``Default``."""
    for dest, value in vars(parser.parse_args([])).items():
        if dest not in NOT_SETTINGS and not isinstance(value, Default):
            parser.set_defaults(**{dest: Default(value)})


def resolve_settings(args):
    """Replace every ``Default`` in ``args`` by the value in use: the
    checkpoint's (``--resume``) when it recorded one, else the default.
    Returns the settings ({name: value}, JSON-able) to store in checkpoints."""
    recorded = {}
    if getattr(args, "resume", None):
        if not os.path.isfile(args.resume):
            raise TrainingError(f"--resume {args.resume}: no such checkpoint file; pass the "
                                f"checkpoint.npz of an earlier run")
        try:
            checkpoint = load_checkpoint(args.resume)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise TrainingError(f"--resume {args.resume}: not a readable checkpoint "
                                f"({type(e).__name__}: {e}); pass the checkpoint.npz of an "
                                f"earlier run") from None
        recorded = recorded_settings(checkpoint["meta"])
    settings = {}
    for name, value in vars(args).items():
        if isinstance(value, Default):
            value = recorded.get(name, value.value)
            setattr(args, name, value)
        if name not in NOT_SETTINGS and isinstance(value, (int, float, str, bool, type(None))):
            settings[name] = value
    return settings


def recorded_settings(meta):
    """The settings a checkpoint's meta recorded; for checkpoints of earlier
    versions, what they kept of them (the LM command's arguments, the batch
    size and the lr in use)."""
    if "settings" in meta:
        return meta["settings"]
    recorded = dict(meta.get("command", {}))
    recorded.update({k: meta[k] for k in ("batch_size", "time_size", "lr") if k in meta})
    return {k: v for k, v in recorded.items() if k not in NOT_SETTINGS}


def ptb_identity(data_dir, corpus, split="train"):
    """The ``data`` entry of a PTB run's checkpoints: where the split came
    from and a fingerprint of its ids (``corpus``, after any truncation)."""
    from autograd_nlp.data.paths import configured_data_dir
    root, origin = configured_data_dir(data_dir)
    where = f"{root} (from {origin})" if root is not None else "the downloaded copy"
    return {"source": f"PTB {split} split, {len(corpus):,} tokens, in {where}",
            "fingerprint": fingerprint(corpus)}


def vocab_hash(words):
    """A fingerprint of a vocabulary in id order (words or characters)."""
    return fingerprint("\n".join(words))

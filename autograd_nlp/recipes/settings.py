"""A run's settings across ``--resume``: fields not given take the values the
checkpoint recorded, so a resumed run continues as it was; the ones the
trainer may change mid-run (lr, max-grad, epochs...) are applied and
announced when given anew, the others must match (``Trainer.resume``).

Checkpoints store the settings once, in ``meta["settings"]``; older ones
kept some of them elsewhere (``recorded_settings`` reads those too).
"""
import dataclasses
import os
import zipfile

from autograd_nlp.training import TrainingError, fingerprint, load_checkpoint

RESUME_RULE = (
    "--resume CKPT continues the run saved in CKPT with the settings it recorded: options "
    "left out take the checkpoint's values. The data, the vocabulary, the model and its "
    "sizes, the batch shape and the seed must match (a mismatch is an error naming both); "
    "--epochs, --lr, --max-grad, --early-stop (and for language models --lr-decay, --eval-batch-size, "
    "--max-iters) may be given anew: the change is applied and announced, e.g. "
    "\"lr 0.001 -> 0.01 from epoch 5\".")

# names an older checkpoint's "command" entry held that are not settings
_NOT_SETTINGS = frozenset({"out", "overwrite", "resume", "quiet", "checkpoint_every",
                           "checkpoint_minutes", "data_dir", "run", "model_name", "command",
                           "model", "vectors", "device", "skip_test", "beam", "rl_finetune",
                           "rl_lr", "vector_sentences", "distributed"})


def resolve(config):
    """``config`` with every field not given replaced by the checkpoint's
    recorded value (``config.resume``; unchanged without it). A missing or
    unreadable checkpoint is a TrainingError."""
    if not config.resume:
        return config
    recorded = recorded_settings(read_resumed(config.resume)["meta"])
    given = config.given()
    changes = {f.name: recorded[f.name] for f in dataclasses.fields(config)
               if f.metadata.get("setting", True) and f.name not in given
               and f.name in recorded}
    resolved = dataclasses.replace(config, **changes)
    return resolved.mark_given(given)


def in_use(config):
    """The settings a run uses: ``resolve``'s (the resumed checkpoint's for
    the fields not given), then checked together (``check_together``)."""
    config = resolve(config)
    config.check_together()
    return config


def read_resumed(path):
    if not os.path.isfile(path):
        raise TrainingError(f"--resume {path}: no such checkpoint file; pass the "
                            f"checkpoint.npz of an earlier run")
    try:
        return load_checkpoint(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise TrainingError(f"--resume {path}: not a readable checkpoint "
                            f"({type(e).__name__}: {e}); pass the checkpoint.npz of an "
                            f"earlier run") from None


def recorded_settings(meta):
    """The settings a checkpoint's meta recorded; for checkpoints of earlier
    versions, what they kept of them (the LM command's arguments, the batch
    size and the lr in use)."""
    if "settings" in meta:
        return meta["settings"]
    recorded = dict(meta.get("command", {}))
    recorded.update({k: meta[k] for k in ("batch_size", "time_size", "lr") if k in meta})
    return {k: v for k, v in recorded.items() if k not in _NOT_SETTINGS}


def vocab_hash(words):
    """A fingerprint of a vocabulary in id order (words or characters)."""
    return fingerprint("\n".join(words))


def ptb_identity(data_dir, corpus, split="train"):
    """The ``data`` entry of a PTB run's checkpoints: where the split came
    from and a fingerprint of its ids (``corpus``, after any truncation)."""
    from autograd_nlp.data.paths import configured_data_dir
    root, origin = configured_data_dir(data_dir)
    where = f"{root} (from {origin})" if root is not None else "the downloaded copy"
    return {"source": f"PTB {split} split, {len(corpus):,} tokens, in {where}",
            "fingerprint": fingerprint(corpus)}

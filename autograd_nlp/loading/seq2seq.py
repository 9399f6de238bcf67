"""A seq2seq checkpoint (seq2seq, peeky, attention, transformer) as a
``Translator`` (autograd_nlp/text/translator.py)."""


def load_translator(path, params=None, device="cpu", command="translate"):
    """A ``Translator`` for the seq2seq checkpoint at ``path``: its model
    restored (with ``params`` instead of its own parameters when given), its
    vocabulary, its calibrated confidence threshold (0.8 for checkpoints
    written before calibration) and, for a date model, the date checks.
    Another kind of checkpoint is a CheckpointError saying so."""
    from autograd_nlp.loading.checkpoint_kind import read_checkpoint
    checkpoint = read_checkpoint(path, command, "seq2seq")
    return translator_from_checkpoint(checkpoint, path, params, device, command)


def translator_from_checkpoint(checkpoint, path, params=None, device="cpu", command="translate"):
    """``load_translator`` for a checkpoint already read (``read_checkpoint``)."""
    from autograd_nlp.loading.rebuild import rebuild_model
    from autograd_nlp.text.translator import DEFAULT_THRESHOLD, Translator
    model = rebuild_model(checkpoint, path, params, device, command)
    meta = {**checkpoint["meta"], "kind": checkpoint["kind"]}
    checks = meta.get("answer_checks")
    if checks is None and "date" in str(meta.get("dataset", "")):
        checks = "date"
    return Translator(model, meta["chars"], meta["question_length"], meta["answer_length"],
                      meta["reverse"], checks=checks,
                      threshold=meta.get("confidence_threshold", DEFAULT_THRESHOLD), meta=meta)

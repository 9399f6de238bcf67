"""What kind of model a checkpoint holds, and reading one for a command that
needs a given family: the command says "this is a cbow checkpoint; eval needs
a language-model checkpoint (...)" instead of failing on a missing key.

A checkpoint names its kind in ``meta["kind"]`` (the CLI's model name); older
ones are recognised by ``meta["model"]`` or, failing that, by their
parameter names and shapes.
"""
from autograd_nlp.errors import CheckpointError, UserError
from autograd_nlp.serialization import npz_keys
from autograd_nlp.training import load_checkpoint
from autograd_nlp.training.checkpoint import describe_names, non_finite_entries

FAMILIES = {
    "language-model": ("rnnlm", "better-rnnlm", "simple-rnnlm", "transformer-lm"),
    "seq2seq": ("seq2seq", "peeky", "attention", "transformer"),
    "word2vec": ("cbow", "skipgram"),
    "bert": ("bert",),
}
# meta keys each family's reading commands use
REQUIRED_META = {
    "language-model": ("model_kwargs", "vocab"),
    "seq2seq": ("model_kwargs", "chars", "question_length", "answer_length", "reverse"),
    "word2vec": (),
    "bert": ("model_kwargs", "vocab"),
}
# kinds of the other train commands: named when given to a command that reads
# none of them ("this is a vae checkpoint; translate needs ..."); their meta
# always names them
OTHER_FAMILIES = {
    "autoencoder": ("autoencoder", "vae"),
    "reinforcement": ("reinforce", "a2c"),
    "bert-classifier": ("bert-finetune",),
}
REQUIRED_META.update({"autoencoder": ("model_kwargs", "chars", "width"),
                      "reinforcement": ("model_kwargs",), "bert-classifier": ("model_kwargs",)})
WORD2VEC_BY_KEYS = "cbow or skipgram"     # the parameters alone cannot tell them apart


def checkpoint_kind(checkpoint):
    """The CLI name of the model in ``checkpoint`` (from ``load_checkpoint``),
    ``"cbow or skipgram"`` for a word2vec checkpoint without meta, or None."""
    meta = checkpoint["meta"]
    for key in ("kind", "model"):
        if meta.get(key) in kind_family_map():
            return meta[key]
    return kind_from_parameters(checkpoint["model"])


def kind_from_parameters(params):
    """Recognise a model by its parameter names and shapes ({name: array})."""
    names = set(params)
    if {"in_embed.W", "out_embed.W"} <= names:
        return WORD2VEC_BY_KEYS
    if "rnn.cell.Wx" in names:
        return "simple-rnnlm"
    if "lstm.layers.0.cell.Wx" in names:
        return "better-rnnlm"
    if "lstm.cell.Wx" in names and "embed.W" in names:
        return "rnnlm"
    needed = {"decoder.embed.W", "decoder.lstm.cell.Wx", "decoder.lstm.cell.Wh",
              "decoder.out.W"}
    if needed <= names:
        wordvec = params["decoder.embed.W"].shape[1]
        hidden = params["decoder.lstm.cell.Wh"].shape[0]
        if params["decoder.lstm.cell.Wx"].shape[0] == wordvec + hidden:
            return "peeky"                      # the decoder's LSTM also reads h
        return "attention" if params["decoder.out.W"].shape[0] == 2 * hidden else "seq2seq"
    return None


def kind_family_map():
    """{kind: family} over every kind a checkpoint can name."""
    return {kind: family for families in (FAMILIES, OTHER_FAMILIES)
            for family, kinds in families.items() for kind in kinds}


def family_kinds(family):
    return FAMILIES.get(family) or OTHER_FAMILIES[family]


def family_of(kind):
    return "word2vec" if kind == WORD2VEC_BY_KEYS else kind_family_map().get(kind)


def with_article(kind):
    """"a cbow", "an attention", "an rnnlm" (said "ar-en-en-lm")."""
    return ("an " if kind[0] in "aeiour" else "a ") + kind


def read_checkpoint(path, command, family, kinds=None):
    """``load_checkpoint(path)`` for ``command``, which needs a checkpoint of
    ``family`` (a key of FAMILIES or OTHER_FAMILIES; None: any kind), and of
    one of ``kinds`` if given. Raises BadFileError (unreadable file) or
    CheckpointError (another kind, or meta the command needs is missing),
    both saying what to pass instead."""
    if family is None:
        kinds, wanted = (), f"{command} needs a checkpoint.npz of a training run"
    else:
        kinds = tuple(kinds or family_kinds(family))
        what = f"{family} checkpoint ({', '.join(kinds)})" if len(kinds) > 1 else \
            f"{kinds[0]} checkpoint (the checkpoint.npz of `train {kinds[0]}`)"
        wanted = f"{command} needs {'an' if what[0] in 'aeiou' else 'a'} {what}"
    keys = npz_keys(path)
    if {"words", "vectors"} <= set(keys):
        raise CheckpointError(f"{path} is a word-vectors file, not a checkpoint; {wanted} "
                              f"(the checkpoint.npz of a training run)")
    try:
        checkpoint = load_checkpoint(path)
    except UserError:
        raise
    except ValueError as e:        # entries no checkpoint has
        raise CheckpointError(f"{e}; {wanted}") from None
    kind = checkpoint_kind(checkpoint)
    if kind is None:
        raise CheckpointError(f"{path} does not say which model it holds and its "
                              f"parameters match none of this project's; {wanted}")
    if family is None:
        family = family_of(kind)
    elif family_of(kind) != family or kind not in kinds:
        raise CheckpointError(f"{path}: this is {with_article(kind)} checkpoint; {wanted}")
    missing = [k for k in REQUIRED_META[family] if k not in checkpoint["meta"]]
    if missing:
        raise CheckpointError(f"{path}: this {kind} checkpoint lacks {', '.join(missing)} "
                              f"in its meta (written by an older version?); retrain it "
                              f"with `autograd-nlp train {kind}`")
    checkpoint["kind"] = kind
    return checkpoint


def check_finite_parameters(checkpoint, path, command):
    """A CheckpointError when the checkpoint's parameters hold nan or inf
    (a run never saves such; the file was damaged or edited): ``command``
    would compute nothing but nan with them."""
    bad = non_finite_entries(checkpoint["model"])
    if bad:
        raise CheckpointError(f"{path}: parameter {describe_names(bad)} holds nan or inf "
                              f"values, so {command} would compute nothing but nan; the file "
                              f"is damaged or was edited (use another checkpoint of the run)")


def restore_model(checkpoint, path, build, restore, params=None):
    """Build the checkpoint's model with ``build(kind, model_kwargs)`` and load
    its parameters with ``restore``; ``params`` optionally names a parameters
    file to use instead (e.g. the ``.best-params.npz`` an early-stopped run
    writes). A mismatch is a CheckpointError."""
    meta = checkpoint["meta"]
    try:
        model = build(checkpoint["kind"], meta.get("model_kwargs"))
        restore(checkpoint, model, rng=False)
    except (TypeError, ValueError, KeyError) as e:
        reason = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise CheckpointError(f"{path}: its parameters do not fit the {checkpoint['kind']} "
                              f"model its meta describes ({reason}); the file is damaged "
                              f"or was edited") from None
    if params is not None:
        if any(key.startswith("model/") for key in npz_keys(params)):
            raise CheckpointError(f"--params {params} is a training checkpoint, not a "
                                  f"parameters file; pass it as --checkpoint, or pass the "
                                  f".best-params.npz an early-stopped run writes beside it")
        try:
            model.load(params)
        except UserError:
            raise
        except (ValueError, KeyError) as e:
            reason = e.args[0] if isinstance(e, KeyError) and e.args else e
            raise CheckpointError(f"--params {params} does not fit the checkpoint's "
                                  f"{checkpoint['kind']} model: {reason}") from None
    return model

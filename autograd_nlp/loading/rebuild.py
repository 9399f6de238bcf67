"""One way to rebuild the model a checkpoint holds: build it from its kind
and constructor arguments, restore its parameters, check them, move it to
its device (``autograd_nlp.load`` and every reading command use it)."""
import numpy as np

SUPPORTED = ("seq2seq, peeky, attention, transformer (a Translator); rnnlm, better-rnnlm, "
             "simple-rnnlm, transformer-lm (a LanguageModel); cbow, skipgram and vectors.npz "
             "files (WordVectors); reinforce, a2c (a Policy); bert (a BertEncoder)")


def unsupported(path, kind):
    from autograd_nlp.loading.checkpoint_kind import with_article
    from autograd_nlp.errors import CheckpointError
    return CheckpointError(f"{path}: this is {with_article(kind)} checkpoint, which "
                           f"autograd_nlp.load does not read yet; it reads {SUPPORTED}")


def build_model(kind, kwargs, params=None):
    """A fresh model of ``kind`` (a CLI model name) with constructor
    arguments ``kwargs`` (the checkpoint's meta "model_kwargs"); ``params``
    ({name: array}, the checkpoint's) gives word2vec's table sizes, which
    older checkpoints do not record. A missing ``kwargs`` is a KeyError."""
    from autograd_nlp.loading.checkpoint_kind import family_of
    family = family_of(kind)
    if family == "word2vec":
        from autograd_nlp.models.word2vec import CBOW, SkipGram
        vocab, hidden = params["in_embed.W"].shape
        extra = {"context": kwargs["context"]} if kind == "cbow" and kwargs and \
            "context" in kwargs else {}
        return (SkipGram if kind == "skipgram" else CBOW)(vocab, hidden, np.arange(vocab),
                                                          **extra)
    if kwargs is None:
        raise KeyError("model_kwargs")
    if family == "language-model":
        from autograd_nlp.models import language_models
        return language_models()[kind](**kwargs)
    if family == "seq2seq":
        from autograd_nlp.models import seq2seq_models
        return seq2seq_models()[kind](**kwargs)
    if family == "reinforcement":
        from autograd_nlp.models.actor_critic import ActorCritic
        from autograd_nlp.models.policy_gradient import ReinforceAgent
        return {"reinforce": ReinforceAgent, "a2c": ActorCritic}[kind](**kwargs)
    if family == "bert":
        from autograd_nlp.models.bert import Bert
        return Bert(**kwargs)
    if family == "bert-classifier":           # train bert-finetune (export reads it)
        from autograd_nlp.models.bert import BertClassifier
        return BertClassifier(**kwargs)
    if family == "autoencoder":               # train autoencoder|vae (export reads them)
        from autograd_nlp.models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
        return {"autoencoder": SequenceAutoencoder, "vae": VariationalAutoencoder}[kind](**kwargs)
    raise unsupported("this checkpoint", kind)


def rebuild_model(checkpoint, path, params=None, device="cpu", command="this command"):
    """The model of ``checkpoint`` (``read_checkpoint``'s dict, with its
    "kind"): built, its parameters restored (``params``: a parameters file to
    use instead), checked finite, moved to ``device``, its recurrent state
    reset, in eval mode. Misfits are CheckpointErrors naming ``path``."""
    from autograd_nlp.loading.checkpoint_kind import check_finite_parameters, restore_model
    from autograd_nlp.training import restore
    check_finite_parameters(checkpoint, path, command)
    model = restore_model(checkpoint, path,
                          lambda kind, kwargs: build_model(kind, kwargs, checkpoint["model"]),
                          restore, params)
    if params is not None:
        check_finite_parameters({"model": model.state_dict()}, f"--params {params}", command)
    model.to(device)
    if hasattr(model, "reset_state"):
        model.reset_state()
    return model.eval()

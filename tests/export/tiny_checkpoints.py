"""Tiny checkpoints of every kind export reads, written directly (random
weights, no training), with the meta a train command writes: the
vocabulary, the lengths, the constructor arguments."""
import numpy as np

from autograd_nlp.data.bert_pretraining import SPECIAL_TOKENS
from autograd_nlp.text.word_vectors import WordVectors
from autograd_nlp.training import fingerprint
from autograd_nlp.training.checkpoint import save_checkpoint

CHARS = "_ 0123456789-/abcdejmnorsuv,"          # "_" starts answers, " " pads questions
WORDS = ["<eos>", "<unk>", "the", "cat", "sat", "on", "a", "mat", "dog", "ran"]
SEQ2SEQ_META = {"chars": CHARS, "question_length": 9, "answer_length": 6, "reverse": True}
LSTM_KW = dict(wordvec_size=4, hidden_size=6)
KINDS = ("seq2seq", "peeky", "attention", "transformer", "simple-rnnlm", "rnnlm",
         "better-rnnlm", "transformer-lm", "bert", "bert-finetune", "cbow", "skipgram",
         "reinforce", "a2c", "autoencoder", "vae")
BERT_KW = dict(vocab_size=len(WORDS) + len(SPECIAL_TOKENS), pad_id=len(WORDS), dim=8,
               num_heads=2, num_layers=1, dropout=0.0, max_length=10)


def randomize(model, seed=0):
    rng = np.random.default_rng(seed)
    for p in model.params():
        p.data = (rng.standard_normal(p.shape) * 0.5).astype(p.dtype)
    return model.eval()


def model_and_meta(kind, pretrained=None):
    """(model with random weights, meta) of a tiny model of ``kind``
    (``pretrained``: the bert checkpoint a bert-finetune run names)."""
    from autograd_nlp.loading import build_model
    if kind in ("seq2seq", "peeky", "attention"):
        kwargs = dict(vocab_size=len(CHARS), **LSTM_KW)
        meta = dict(SEQ2SEQ_META)
    elif kind == "transformer":
        kwargs = dict(vocab_size=len(CHARS), dim=8, num_heads=2, num_layers=1, dropout=0.0,
                      max_length=9)
        meta = dict(SEQ2SEQ_META)
    elif kind in ("simple-rnnlm", "rnnlm", "better-rnnlm"):
        kwargs = dict(vocab_size=len(WORDS), wordvec_size=6, hidden_size=6)
        meta = {"vocab": WORDS, "command": {"time_size": 5}}
    elif kind == "transformer-lm":
        kwargs = dict(vocab_size=len(WORDS), dim=8, num_heads=2, num_layers=1, dropout=0.0,
                      context_size=8)
        meta = {"vocab": WORDS}
    elif kind == "bert":
        kwargs, meta = BERT_KW, {"vocab": WORDS + list(SPECIAL_TOKENS)}
    elif kind == "bert-finetune":        # its run's settings name the bert checkpoint
        kwargs = BERT_KW
        meta = {"vocab_hash": fingerprint("\n".join(WORDS + list(SPECIAL_TOKENS))),
                "settings": {"task": "shuffle", "pretrained": pretrained}}
    elif kind in ("autoencoder", "vae"):
        kwargs = dict(vocab_size=len(CHARS), wordvec_size=4, hidden_size=6, code_size=3,
                      reverse=kind == "vae")
        meta = {"chars": CHARS, "width": 7}
    elif kind in ("reinforce", "a2c"):
        kwargs = dict(obs_size=4, n_actions=2, hidden_size=8)
        meta = {"env": "CartPole-v1"}
    else:
        from autograd_nlp.models.word2vec import CBOW, SkipGram
        model = (CBOW if kind == "cbow" else SkipGram)(len(WORDS), 4, np.arange(len(WORDS)))
        return randomize(model), {"kind": kind, "model": kind, "window": 1}
    model = build_model(kind, kwargs)
    return randomize(model), {"kind": kind, "model": kind, "model_kwargs": kwargs, **meta}


def write_checkpoint(folder, kind):
    """``folder/kind/checkpoint.npz`` (and a word2vec run's vectors.npz
    beside it; for bert-finetune also the bert run it names); returns
    (path, model, meta)."""
    run = folder / kind
    run.mkdir(parents=True, exist_ok=True)
    pretrained = None
    if kind == "bert-finetune":
        pretrained = str(write_checkpoint(folder, "bert")[0])
    model, meta = model_and_meta(kind, pretrained)
    path = run / "checkpoint.npz"
    save_checkpoint(path, model, meta=meta)
    if kind in ("cbow", "skipgram"):
        WordVectors(WORDS, model.word_vectors).save(run / "vectors.npz")
    return path, model, meta

"""Which model a checkpoint holds: meta "kind", then meta "model", then the
parameters' names and shapes (checkpoints written before "kind" existed)."""
import numpy as np
import pytest

from autograd_nlp.loading.checkpoint_kind import (FAMILIES, WORD2VEC_BY_KEYS,
                                                   checkpoint_kind, family_of,
                                                   kind_from_parameters)


def build(kind):
    from autograd_nlp.models import language_models
    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
    from autograd_nlp.models.word2vec import CBOW, SkipGram
    classes = {**language_models(), "seq2seq": Seq2seq, "peeky": PeekySeq2seq,
               "attention": AttentionSeq2seq}
    if kind in classes:
        return classes[kind](11, 6, 6)
    return {"cbow": CBOW, "skipgram": SkipGram}[kind](11, 4, np.arange(11))


ALL_KINDS = [kind for kinds in FAMILIES.values() for kind in kinds]
# kinds whose checkpoints may predate the meta "kind" key (the Transformers' and BERT's never do)
LEGACY_KINDS = [kind for kind in ALL_KINDS
                if kind not in ("transformer", "transformer-lm", "bert")]


@pytest.mark.parametrize("kind", LEGACY_KINDS)
def test_the_parameters_tell_the_kind(kind):
    params = build(kind).state_dict()
    expected = WORD2VEC_BY_KEYS if kind in ("cbow", "skipgram") else kind
    assert kind_from_parameters(params) == expected
    assert family_of(kind_from_parameters(params)) == family_of(kind)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_meta_kind_comes_first(kind):
    params = build("rnnlm").state_dict()
    assert checkpoint_kind({"meta": {"kind": kind}, "model": params}) == kind
    assert checkpoint_kind({"meta": {"model": kind}, "model": params}) == kind
    assert checkpoint_kind({"meta": {}, "model": params}) == "rnnlm"


def test_unknown_parameters():
    assert checkpoint_kind({"meta": {"model": "mlp"}, "model": {"w": np.ones(2)}}) is None

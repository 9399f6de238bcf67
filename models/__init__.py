"""The chapter models of Deep Learning from Scratch 2, forward code only."""


def language_models():
    """CLI name -> class of the language models (chapters 5-6 and the
    decoder-only Transformer)."""
    from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
    from autograd_nlp.models.transformer_lm import TransformerLM
    return {"simple-rnnlm": SimpleRnnlm, "rnnlm": Rnnlm, "better-rnnlm": BetterRnnlm,
            "transformer-lm": TransformerLM}


def seq2seq_models():
    """CLI name -> class of the seq2seq models (chapters 7-8 and the Transformer);
    ``translate`` rebuilds a checkpoint's model from it."""
    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    return {"seq2seq": Seq2seq, "peeky": PeekySeq2seq, "attention": AttentionSeq2seq,
            "transformer": TransformerSeq2seq}

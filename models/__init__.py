"""The chapter models of Deep Learning from Scratch 2, forward code only."""


def language_models():
    """CLI name -> class of the chapter 5-6 language models."""
    from models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
    return {"simple-rnnlm": SimpleRnnlm, "rnnlm": Rnnlm, "better-rnnlm": BetterRnnlm}

"""One module per task the command line trains, each a ``Config`` dataclass
(its fields are the train command's options: same names with underscores,
same defaults, checked in one place) and ``run(config, *, progress=True,
callbacks=None) -> Result``:

    from autograd_nlp.recipes import seq2seq
    result = seq2seq.run(seq2seq.AttentionConfig(epochs=2, out="runs/dates"))
    result.metrics, result.paths["checkpoint"], result.model

``autograd-nlp train MODEL`` is argparse around the same call. See
docs/api.md for every recipe and its Config.
"""

"""Evaluating seq2seq models: exact-match accuracy over a dataset, in batches
(the book checks one example at a time, which is slow)."""
import numpy as np

from autograd_nlp.training.progress import Progress


def seq2seq_accuracy(model, x, t, batch_size=1000, return_predictions=False, progress=False,
                     desc="test", beam=1):
    """Fraction of rows whose generated answer equals t[:, 1:] exactly:
    greedy, or with ``beam`` > 1 beam search of that width (``batch_size``
    questions at a time either way). x (N, S) question ids; t (N, 1 + T)
    answers with the start id first. Runs with no graph and dropout off;
    ``progress`` shows a display. A model that ignores padding gets its
    questions in length order (each batch then as short as its longest)."""
    start_id = int(t[0, 0])
    length = t.shape[1] - 1
    lengths = model.question_lengths(x) if hasattr(model, "question_lengths") else None
    order = np.arange(len(x)) if lengths is None else np.argsort(lengths, kind="stable")
    predictions = np.empty((len(x), length), dtype=t.dtype)
    bar = Progress(-(-len(x) // batch_size), desc, enabled=progress, unit="questions")
    for i in range(0, len(x), batch_size):
        rows = order[i:i + batch_size]
        if beam > 1:
            predictions[rows] = model.beam_search(x[rows], start_id, length, beam)
        else:
            predictions[rows] = model.generate(x[rows], start_id, length)
        bar.update(1, items=len(rows))
    bar.close()
    accuracy = float((predictions == t[:, 1:]).all(axis=1).mean())
    return (accuracy, predictions) if return_predictions else accuracy

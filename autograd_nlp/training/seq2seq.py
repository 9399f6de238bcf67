"""Evaluating seq2seq models: exact-match accuracy over a dataset, in batches
(the book checks one example at a time, which is slow)."""
import numpy as np


def seq2seq_accuracy(model, x, t, batch_size=1000, return_predictions=False):
    """Fraction of rows whose greedily generated answer equals t[:, 1:]
    exactly. x (N, S) question ids; t (N, 1 + T) answers with the start id
    first. Runs with no graph and dropout off."""
    start_id = int(t[0, 0])
    length = t.shape[1] - 1
    predictions = np.empty((len(x), length), dtype=t.dtype)
    for i in range(0, len(x), batch_size):
        predictions[i:i + batch_size] = model.generate(x[i:i + batch_size], start_id, length)
    accuracy = float((predictions == t[:, 1:]).all(axis=1).mean())
    return (accuracy, predictions) if return_predictions else accuracy

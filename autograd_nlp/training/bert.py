"""BERT's objectives and scores (``train bert``, ``train bert-finetune``):
the losses a ``MinibatchTrainer`` steps on, the accuracies measured after
each epoch, and a trainer whose distributed steps equal one process's.

Batches arrive as NumPy arrays (the trainer slices them); each function
trims the padding columns no row of its batch uses (``trim_padding``), then
moves the arrays to the model's device, so the same code runs on a CPU, a
GPU or the tests' fake device. Scores come back as Python floats.
"""
from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.data.bert_pretraining import IGNORE, trim_padding
from autograd_nlp.functions import softmax_cross_entropy
from autograd_nlp.training.minibatch import MinibatchTrainer


def to_model(model, arrays):
    """Data arrays (NumPy) on the model's device, as a list."""
    return [to_device(a, model.device) for a in arrays]


def to_numpy(array):
    """A device array back in NumPy (itself if it is one)."""
    return to_device(array, "cpu")


# --- pre-training: masked LM + next-sentence prediction (models/bert.py's Bert) -------------
def pretraining_loss(model, tokens, segments, targets, is_next, mlm_weight=None):
    """BERT's objective on one batch: tokens, segments, targets (batch, S)
    ints (targets ``IGNORE`` where the MLM loss skips), is_next (batch,).
    ``mlm_weight`` (a float) scales the masked-LM term, for the distributed
    steps of ``PretrainingTrainer``; None: ``Bert.pretraining_loss`` as it is."""
    tokens, segments, targets = trim_padding(tokens, model.pad_id, segments, targets)
    arrays = to_model(model, (tokens, segments, targets, is_next))
    if mlm_weight is None:
        return model.pretraining_loss(*arrays)
    mlm, chosen, nsp = model.pretraining_outputs(*arrays[:3])
    return mlm_weight * softmax_cross_entropy(mlm, chosen) + softmax_cross_entropy(nsp, arrays[3])


def pretraining_accuracy(model, examples, batch_size=64):
    """(masked-token accuracy, NSP accuracy) of ``model`` on ``examples``
    (``PretrainingExamples``), in eval mode (no dropout), without a graph."""
    correct_mlm = total_mlm = correct_nsp = 0
    with no_grad(), eval_mode():
        for start in range(0, len(examples), batch_size):
            batch = [a[start:start + batch_size] for a in examples.arrays()]
            tokens, segments, targets = trim_padding(batch[0], model.pad_id, *batch[1:3])
            mlm, chosen, nsp = model.pretraining_outputs(
                *to_model(model, (tokens, segments, targets)))
            correct_mlm += int((to_numpy(mlm.data).argmax(-1) == to_numpy(chosen)).sum())
            total_mlm += len(chosen)
            correct_nsp += int((to_numpy(nsp.data).argmax(-1) == batch[3]).sum())
    return correct_mlm / max(total_mlm, 1), correct_nsp / max(len(examples), 1)


class PretrainingTrainer(MinibatchTrainer):
    """A ``MinibatchTrainer`` over ``pretraining_loss`` whose steps over MPI
    ranks equal one process's on the whole batch. The masked-LM term is a
    mean over the chosen positions, and the ranks' shards hold different
    numbers of them, while the all-reduce weights each rank by its share of
    the rows (``grad_weight``); so each rank's batch carries the MLM weight
    (its share of the chosen positions / its share of the rows) that makes
    the weighted sum the global mean. On one process the batch is as it is."""

    def batch(self, iteration, iters):
        shard = super().batch(iteration, iters)
        if self.comm is None:
            return shard
        rows = self.permutation[iteration * self.batch_size:(iteration + 1) * self.batch_size]
        chosen = int((self.arrays[2][rows] != IGNORE).sum())
        here = int((shard[2] != IGNORE).sum())
        return shard + [here / max(chosen, 1) / self.grad_weight]


# --- fine-tuning: a sentence classifier (models/bert.py's BertClassifier) -------------------
def classification_loss(model, tokens, labels):
    """Cross-entropy of ``model`` (a BertClassifier) on tokens (batch, S)
    padded with [PAD], labels (batch,); the mean over the rows."""
    tokens, = trim_padding(tokens, model.bert.pad_id)
    tokens, labels = to_model(model, (tokens, labels))
    return softmax_cross_entropy(model(tokens), labels)


def classification_accuracy(model, tokens, labels, batch_size=128):
    """The share of rows of tokens (n, S) whose most likely class is their
    label (labels (n,), NumPy), in eval mode, without a graph."""
    correct = 0
    with no_grad(), eval_mode():
        for start in range(0, len(tokens), batch_size):
            batch, = trim_padding(tokens[start:start + batch_size], model.bert.pad_id)
            logits = model(*to_model(model, (batch,)))
            correct += int((to_numpy(logits.data).argmax(-1)
                            == labels[start:start + batch_size]).sum())
    return correct / max(len(tokens), 1)

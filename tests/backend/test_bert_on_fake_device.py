"""BERT on the fake device: pre-training and fine-tuning steps through the
recipes' loss functions (autograd_nlp/training/bert.py) give the CPU's
losses and accuracies (the NumPy batches are moved to the model's device),
and the context-averaged vectors come back to NumPy."""
import numpy as np
from fake_device import FakeArray

from autograd_nlp import optim
from autograd_nlp import random as ag_random
from autograd_nlp.data.bert_pretraining import (BertVocabulary, make_pretraining_examples,
                                                split_sentences)
from autograd_nlp.data.word_order import make_word_order_examples
from autograd_nlp.training import MinibatchTrainer
from autograd_nlp.training.bert import (classification_accuracy, classification_loss,
                                        pretraining_accuracy, pretraining_loss)
from autograd_nlp.training.bert_vectors import context_averaged_vectors
from autograd_nlp.models.bert import Bert, BertClassifier

VOCAB = BertVocabulary([f"w{i}" for i in range(15)] + ["<eos>"])
CORPUS = np.concatenate([np.r_[np.random.default_rng(i).integers(0, 15, 3 + i % 5), 15]
                         for i in range(40)])
SIZES = dict(vocab_size=len(VOCAB), pad_id=VOCAB.pad_id, dim=8, num_heads=2, num_layers=1,
             max_length=12)


def _run(device):
    ag_random.seed(0)
    bert = Bert(**SIZES).to(device)
    examples = make_pretraining_examples(CORPUS, 15, VOCAB, 12, seed=0)
    trainer = MinibatchTrainer(bert, optim.Adam(bert.params(), lr=0.01), batch_size=8,
                               loss_fn=pretraining_loss, progress=False)
    losses = [trainer.step([a[k * 8:(k + 1) * 8] for a in examples.arrays()])
              for k in range(3)]
    accuracies = list(pretraining_accuracy(bert, examples))
    vectors = context_averaged_vectors(bert, split_sentences(CORPUS, 15), VOCAB)
    classifier = BertClassifier(**SIZES).to(device)
    x, t = make_word_order_examples(CORPUS, 15, VOCAB, 12, seed=0, task="shuffle")
    trainer = MinibatchTrainer(classifier, optim.Adam(classifier.params(), lr=0.01),
                               batch_size=8, loss_fn=classification_loss, progress=False)
    losses += [trainer.step([x[k * 8:(k + 1) * 8], t[k * 8:(k + 1) * 8]]) for k in range(3)]
    accuracies.append(classification_accuracy(classifier, x, t))
    return bert, losses, accuracies, vectors


def test_bert_steps_on_the_device_equal_the_cpus(fake):
    _, cpu_losses, cpu_accuracies, cpu_vectors = _run("cpu")
    bert, losses, accuracies, vectors = _run("fake")
    assert all(type(p.data) is FakeArray for p in bert.params())
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-5)
    assert accuracies == cpu_accuracies
    assert type(vectors.vectors) is np.ndarray and vectors.words == cpu_vectors.words
    np.testing.assert_allclose(vectors.vectors, cpu_vectors.vectors, rtol=1e-4, atol=1e-5)

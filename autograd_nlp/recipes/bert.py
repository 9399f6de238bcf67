"""BERT's pre-training on PTB (masked LM plus next-sentence prediction),
with checkpoints, progress and resume like the other recipes. After every
epoch it reports the masked-token and NSP accuracies on pairs built from
PTB's valid split, beside their chance levels; at the end it writes the
encoder's context-averaged word vectors (``vectors.npz``, read by
``autograd-nlp similar``).

    from autograd_nlp.recipes import bert
    result = bert.run(bert.BertConfig(epochs=1, dim=32, heads=2, layers=1))
    result.metrics["valid MLM accuracy"], result.paths["vectors"]
"""
import dataclasses
import os
from typing import ClassVar

import numpy as np

from autograd_nlp.data.bert_pretraining import (make_pretraining_examples,
                                                most_frequent_target_accuracy,
                                                split_sentences)
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.bert_task import (BertTaskConfig, adam_trainer, checkpoint_path,
                                            held_epoch, load_bert_vocabulary, percent, prepare,
                                            print_checkpoints)
from autograd_nlp.recipes.config import ConfigError, early_stop_option, option
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import (distributed_comm, load_ptb_announced,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.recipes.settings import ptb_identity, vocab_hash
from autograd_nlp.recipes.transformer import TransformerSizes
from autograd_nlp.training.bert import (PretrainingTrainer, pretraining_accuracy,
                                        pretraining_loss)
from autograd_nlp.training.bert_vectors import context_averaged_vectors

VALID_SEED = 0          # the validation pairs and masks are the same for every run
MONITOR = "valid MLM accuracy"      # the score the best parameters are chosen by
QUERIES = ("you", "year", "car", "toyota", "said", "stock", "japan")


@dataclasses.dataclass
class BertConfig(TransformerSizes, BertTaskConfig):
    """``train bert``: pre-train a BERT encoder on PTB's train split."""
    model: ClassVar[str] = "bert"
    epochs: int = option(3, "epochs to train", checks.positive_int)
    out: str = option(os.path.join("runs", "bert"), "output folder", setting=False)
    dim: int = option(128, "model width", checks.positive_int)
    layers: int = option(2, "encoder layers", checks.positive_int)
    max_length: int = option(64, "tokens per pair, [CLS] and [SEP]s included (longer pairs "
                                 "are truncated)", checks.positive_int)
    mask_rate: float = option(0.15, "share of each pair's words chosen for the masked LM (at "
                                    "least one per pair)", checks.fraction)
    vector_sentences: int = option(20_000, "training sentences the context-averaged word "
                                           "vectors are averaged over (0: write no vectors)",
                                   checks.non_negative_int, setting=False)
    early_stop: int = early_stop_option("validation masked-token accuracy (PTB's valid split; "
                                        "the vectors then come from the best epoch)")

    def check_together(self):
        self.check_heads(self.model)
        if self.max_length < 5:
            raise ConfigError(f"train bert: --max-length {self.max_length} leaves no room for "
                              f"two sentences beside [CLS] and two [SEP]s; use at least 5")

    def model_kwargs(self, vocab):
        return dict(vocab_size=len(vocab), pad_id=vocab.pad_id, dim=self.dim,
                    num_heads=self.heads, num_layers=self.layers, ff_hidden=self.ff_hidden,
                    dropout=self.dropout, norm_first=self.norm == "pre",
                    max_length=self.max_length)


def run(config, *, progress=True, callbacks=None):
    """Pre-train the BERT ``config`` (a BertConfig) describes: the masked-token
    and NSP accuracies per epoch, the checkpoint, the context-averaged word
    vectors. Returns a Result (metrics: the validation accuracies of the
    parameters the model holds; paths: checkpoint, best_params, vectors)."""
    from autograd_nlp.models.bert import Bert
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    progress = progress and not config.quiet
    seed_everything(config.seed)
    comm = distributed_comm(config)           # None unless distributed
    out = prepare_out_on_root(config.out, config, comm)
    corpus, vocab, eos_id = load_bert_vocabulary(config, "train bert")
    valid_corpus = load_ptb_announced("valid", config.data_dir)[0]
    train_set = make_pretraining_examples(corpus, eos_id, vocab, config.max_length,
                                          config.seed, config.mask_rate)
    valid_set = make_pretraining_examples(valid_corpus, eos_id, vocab, config.max_length,
                                          VALID_SEED, config.mask_rate)
    mlm_chance = most_frequent_target_accuracy(valid_set.targets)
    nsp_chance = max(valid_set.is_next.mean(), 1 - valid_set.is_next.mean())
    kwargs = config.model_kwargs(vocab)
    model = Bert(**kwargs)
    model.to(config.device)
    meta = {"kind": config.model, "model": config.model, "model_kwargs": kwargs,
            "vocab": vocab.words, "vocab_hash": vocab_hash(vocab.words),
            "data": ptb_identity(config.data_dir, corpus), "settings": config.settings()}
    trainer, iters = adam_trainer(config, model, len(train_set), meta, pretraining_loss,
                                  "pairs", checkpoint_path(out), monitor=MONITOR, comm=comm,
                                  progress=progress, epoch_callback=callbacks.on_epoch,
                                  trainer_class=PretrainingTrainer)
    print(f"bert: {model.num_params():,} parameters ({config.layers} layers, dim {config.dim}, "
          f"{config.heads} heads, {config.norm}-norm), {len(train_set):,} training pairs of at "
          f"most {config.max_length} tokens, {len(valid_set):,} validation pairs, batch "
          f"{config.batch_size}, Adam peak lr {config.lr:g} ({config.schedule}, warm-up "
          f"{config.warmup}), {iters} steps per epoch, epochs {config.epochs}", flush=True)

    def evaluate(trainer):
        mlm, nsp = pretraining_accuracy(model, valid_set)
        return {"valid MLM accuracy": mlm, "valid NSP accuracy": nsp}

    history = trainer.fit(train_set.arrays(), config.epochs, evaluate=evaluate)
    epoch = held_epoch(config, trainer)
    if history["metrics"]:
        held = history["metrics"][epoch - 1]
        mlm, nsp = held["valid MLM accuracy"], held["valid NSP accuracy"]
    else:
        mlm, nsp = pretraining_accuracy(model, valid_set)
    top = np.bincount(valid_set.targets[valid_set.targets >= 0]).argmax()
    which = f" (epoch {epoch}'s parameters, the best)" if config.early_stop else ""
    print(f"valid masked-token accuracy{which}: {percent(mlm)} (chance: "
          f"{percent(mlm_chance)}, always {vocab.words[top]!r})")
    print(f"valid next-sentence accuracy: {percent(nsp)} (chance: {percent(nsp_chance)})")
    paths = print_checkpoints(trainer)
    metrics = {"valid MLM accuracy": mlm, "valid NSP accuracy": nsp}
    result = Result(model, history, metrics, paths, config, trainer)
    if comm is not None and not comm.is_root:
        return result                       # rank 0 alone writes the vectors
    if config.vector_sentences:
        paths["vectors"] = write_vectors(
            model, split_sentences(corpus, eos_id)[:config.vector_sentences], vocab,
            os.path.join(out, "vectors.npz"))
    return result


def write_vectors(model, sentences, vocab, path):
    """The context-averaged vectors of ``sentences``' words, saved to
    ``path`` and announced with the nearest neighbours of a few words."""
    vectors = context_averaged_vectors(model, sentences, vocab)
    vectors.save(path)
    print(f"context-averaged vectors of {len(vectors):,} words (over {len(sentences):,} "
          f"training sentences): {path}")
    for word in QUERIES:
        if word in vectors:
            found = ", ".join(f"{w} {s:.3f}" for w, s in vectors.most_similar(word, 5))
            print(f"  {word}: {found}")
    print(f"try:   autograd-nlp similar you year car toyota --vectors {path}")
    return path

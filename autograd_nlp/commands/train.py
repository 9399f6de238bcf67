"""``autograd-nlp train MODEL``: one sub-command per chapter model."""
from autograd_nlp.commands import (autoencoder, bert_finetune, bert_pretraining,
                                   language_model, reinforcement, seq2seq, transformer,
                                   transformer_lm, word_vectors)


def add_parser(sub):
    p = sub.add_parser("train", help="train a chapter model (see: autograd-nlp train -h)")
    train_sub = p.add_subparsers(dest="model", required=True, metavar="MODEL")
    seq2seq.add_train_parsers(train_sub)
    transformer.add_train_parsers(train_sub)
    language_model.add_train_parsers(train_sub)
    transformer_lm.add_train_parsers(train_sub)
    bert_pretraining.add_train_parsers(train_sub)
    bert_finetune.add_train_parsers(train_sub)
    word_vectors.add_train_parsers(train_sub)
    reinforcement.add_train_parsers(train_sub)
    autoencoder.add_train_parsers(train_sub)

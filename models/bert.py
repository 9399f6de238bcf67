"""BERT (Devlin et al. 2019) on the Transformer encoder, forward code only.

Each position's input is the sum of three embeddings: its token, its segment
(sentence A or B) and its position (learned), normalised and dropped out.
A stack of encoder layers (self-attention over the whole pair, padding
masked) turns them into contextual vectors ``hidden`` (batch, S, dim), read
by two heads:

- masked LM: at the chosen positions only, dense + GELU + LayerNorm, then
  the token embedding's transpose (tied) plus a bias -> logits over the vocabulary;
- next-sentence prediction: the [CLS] vector (position 0) through the
  pooler (dense + tanh) -> two logits (0: B is a random sentence, 1: B follows A).

``BertClassifier`` puts a fresh linear layer on the pooled [CLS] vector for
fine-tuning on a sentence task.
"""
from autograd_nlp.backend import get_array_module
from autograd_nlp.core import Parameter
from autograd_nlp.data.bert_pretraining import IGNORE
from autograd_nlp.functions import gelu, getitem, linear, softmax_cross_entropy, tanh
from autograd_nlp.layers import (Dropout, Embedding, LayerNorm, LearnedPositionalEmbedding,
                                 Linear, Module, TransformerEncoder, init)


class BertEmbedding(Module):
    """tokens, segments (batch, S) ints -> (batch, S, dim): token + segment +
    learned position embeddings, LayerNorm, dropout."""

    def __init__(self, vocab_size, dim, max_length, num_segments=2, dropout=0.0):
        super().__init__()
        self.token = Embedding(vocab_size, dim, init=init.normal(0.02))
        self.segment = Embedding(num_segments, dim, init=init.normal(0.02))
        self.position = LearnedPositionalEmbedding(max_length, dim)
        self.norm = LayerNorm(dim)
        self.dropout = Dropout(dropout)

    def forward(self, tokens, segments):
        return self.dropout(self.norm(self.position(self.token(tokens) + self.segment(segments))))


class Bert(Module):
    """``Bert(vocab_size, pad_id, dim=128, num_heads=4, num_layers=2)``:
    ``bert(tokens, segments)`` -> hidden (batch, S, dim); ``pad_id`` marks
    the padding that attention skips. ``max_length``: the longest input."""

    def __init__(self, vocab_size, pad_id, dim=128, num_heads=4, num_layers=2, ff_hidden=None,
                 dropout=0.1, activation="gelu_tanh", norm_first=True, max_length=64):
        super().__init__()
        self.vocab_size, self.pad_id, self.dim = vocab_size, pad_id, dim
        self.embed = BertEmbedding(vocab_size, dim, max_length, dropout=dropout)
        self.encoder = TransformerEncoder(num_layers, dim, num_heads, ff_hidden or 4 * dim,
                                          dropout, activation, norm_first)
        self.mlm_dense = Linear(dim, dim)
        self.mlm_norm = LayerNorm(dim)
        self.mlm_bias = Parameter(init.zeros((vocab_size,)))
        self.pooler = Linear(dim, dim)
        self.nsp = Linear(dim, 2)

    def forward(self, tokens, segments=None):
        xp = get_array_module(tokens)
        tokens = xp.asarray(tokens)
        segments = xp.zeros_like(tokens) if segments is None else xp.asarray(segments)
        return self.encoder(self.embed(tokens, segments), padding_mask=tokens == self.pad_id)

    def pooled(self, hidden):
        """hidden (batch, S, dim) -> the [CLS] summary (batch, dim): tanh(dense(h[:, 0]))."""
        return tanh(self.pooler(hidden[:, 0]))

    def nsp_logits(self, hidden):
        """(batch, 2): is B the sentence after A (1) or a random one (0)."""
        return self.nsp(self.pooled(hidden))

    def mlm_logits(self, hidden, rows, cols):
        """Logits (n, vocab) at the n positions (rows[k], cols[k]) only:
        dense, GELU, LayerNorm, then the tied token embedding."""
        h = self.mlm_norm(gelu(self.mlm_dense(getitem(hidden, (rows, cols))),
                               approximate="tanh"))
        return linear(h, self.embed.token.W.T, self.mlm_bias)

    def pretraining_outputs(self, tokens, segments, targets):
        """MLM logits (n, vocab) at the chosen positions (targets != IGNORE,
        row-major order), their targets (n,), and NSP logits (batch, 2)."""
        xp = get_array_module(targets)
        hidden = self(tokens, segments)
        rows, cols = xp.nonzero(xp.asarray(targets) != IGNORE)
        return self.mlm_logits(hidden, rows, cols), targets[rows, cols], self.nsp_logits(hidden)

    def pretraining_loss(self, tokens, segments, targets, is_next):
        """Masked-LM cross-entropy (mean over the chosen positions) plus
        NSP cross-entropy (mean over the pairs): BERT's objective."""
        mlm, chosen, nsp = self.pretraining_outputs(tokens, segments, targets)
        return softmax_cross_entropy(mlm, chosen) + softmax_cross_entropy(nsp, is_next)


class BertClassifier(Module):
    """A ``Bert`` encoder (``self.bert``, e.g. loaded from pre-training) and
    a new linear layer on its pooled [CLS] vector: tokens (batch, S) ->
    logits (batch, num_classes)."""

    def __init__(self, num_classes=2, dropout=0.1, **bert_kwargs):
        super().__init__()
        self.bert = Bert(dropout=dropout, **bert_kwargs)
        self.dropout = Dropout(dropout)
        self.classify = Linear(self.bert.dim, num_classes)

    def forward(self, tokens, segments=None):
        return self.classify(self.dropout(self.bert.pooled(self.bert(tokens, segments))))

    def loss(self, tokens, labels):
        return softmax_cross_entropy(self(tokens), labels)

"""PyTorch versions of the autograd_nlp chapter models (torch.nn only).

This file imports nothing but torch: ``autograd-nlp export --to torch OUT.pt``
copies it beside the weights as ``OUT.py``, so that

    from OUT import load, read_facts   # OUT.py next to OUT.pt
    model = load("OUT.pt")             # an ordinary torch.nn.Module, eval mode
    facts = read_facts("OUT.pt")       # OUT.json: vocabulary, special ids, sizes

works where autograd_nlp is not installed. Shapes: ids (batch, time), int64
or int32; logits (batch, time, vocab); LSTM states (h, c) of (layers *
directions, batch, hidden), as torch.nn.LSTM has them. The Transformer
family (TransformerSeq2seq, TransformerLM, Bert) keeps our module names, so
each of our parameters ``a.b.W`` is ``a.b.weight`` here (a Linear's
transposed).
"""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

State = Tuple[Tensor, Tensor]


class SimpleRnnlm(nn.Module):
    """Embedding -> Elman RNN (tanh) -> linear; forward(ids, state) -> (logits, h)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, wordvec_size)
        self.rnn = nn.RNN(wordvec_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: Tensor, state: Optional[Tensor] = None):
        hs, h = self.rnn(self.embed(ids), state)
        return self.out(hs), h


class Rnnlm(nn.Module):
    """Embedding -> LSTM (``num_layers`` stacked, dropout between) -> linear,
    the output optionally tied to the embedding (BetterRnnlm);
    forward(ids, state) -> (logits, (h, c))."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 num_layers: int = 1, dropout: float = 0.0, tied: bool = False):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, wordvec_size)
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(wordvec_size, hidden_size, num_layers=num_layers,
                            dropout=dropout if num_layers > 1 else 0.0, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)
        if tied:
            self.out.weight = self.embed.weight    # one Parameter, used twice

    def forward(self, ids: Tensor, state: Optional[State] = None):
        hs, state = self.lstm(self.drop(self.embed(ids)), state)
        return self.out(self.drop(hs)), state


class Seq2seq(nn.Module):
    """Encoder LSTM -> decoder LSTM starting from the encoder's last h (cell
    zero), as in the book. ``peeky``: the encoder's last h is also fed to
    every decoder step and to the output layer. ``attention``: the decoder
    attends over all encoder states (dot product) and the output layer reads
    [context, h]. ``bidirectional`` (attention only): a two-way encoder.

    forward(xs (batch, S), ys (batch, T)) -> logits (batch, T, vocab) with
    teacher forcing; ``encode`` and ``decode`` for step-by-step generation;
    ``generate`` decodes greedily.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 peeky: bool = False, attention: bool = False, bidirectional: bool = False):
        super().__init__()
        self.peeky, self.attention = peeky, attention
        decoder_hidden = 2 * hidden_size if bidirectional else hidden_size
        context = decoder_hidden if peeky else 0
        self.encoder_embed = nn.Embedding(vocab_size, wordvec_size)
        self.encoder_lstm = nn.LSTM(wordvec_size, hidden_size, batch_first=True,
                                    bidirectional=bidirectional)
        self.decoder_embed = nn.Embedding(vocab_size, wordvec_size)
        self.decoder_lstm = nn.LSTM(context + wordvec_size, decoder_hidden, batch_first=True)
        reads = 2 * decoder_hidden if (peeky or attention) else decoder_hidden
        self.out = nn.Linear(reads, vocab_size)

    def encode(self, xs: Tensor) -> Tuple[Tensor, State]:
        """xs (batch, S) -> encoder hs (batch, S, H) and the decoder's start state."""
        hs, (h, _) = self.encoder_lstm(self.encoder_embed(xs))
        h = torch.cat([h[k] for k in range(h.shape[0])], dim=-1).unsqueeze(0)  # (1, batch, H)
        return hs, (h, torch.zeros_like(h))

    def decode(self, ys: Tensor, state: State, encoder_hs: Tensor,
               start_h: Tensor) -> Tuple[Tensor, State]:
        """ys (batch, T), state, encoder hs, the start h (1, batch, H) ->
        logits (batch, T, vocab), new state."""
        x = self.decoder_embed(ys)
        peek = start_h[0].unsqueeze(1).expand(-1, ys.shape[1], -1)
        if self.peeky:
            x = torch.cat([peek, x], dim=-1)
        hs, state = self.decoder_lstm(x, state)
        if self.attention:
            weights = torch.softmax(hs @ encoder_hs.transpose(1, 2), dim=-1)   # (batch, T, S)
            hs = torch.cat([weights @ encoder_hs, hs], dim=-1)
        elif self.peeky:
            hs = torch.cat([peek, hs], dim=-1)
        return self.out(hs), state

    def forward(self, xs: Tensor, ys: Tensor) -> Tensor:
        encoder_hs, state = self.encode(xs)
        return self.decode(ys, state, encoder_hs, state[0])[0]

    @torch.no_grad()
    def generate(self, xs: Tensor, start_id: int, length: int) -> Tensor:
        """Greedy decoding: xs (batch, S) -> ids (batch, length)."""
        encoder_hs, state = self.encode(xs)
        start_h = state[0]
        y = torch.full((xs.shape[0], 1), start_id, dtype=torch.long)
        out = []
        for _ in range(length):
            logits, state = self.decode(y, state, encoder_hs, start_h)
            y = logits.argmax(dim=-1)
            out.append(y)
        return torch.cat(out, dim=1)


class Word2vec(nn.Module):
    """CBOW / skip-gram with negative sampling: ``in_embed`` holds the word
    vectors. forward(inputs (batch, n), candidates (batch, m, k)) -> scores
    (batch, m, k): the mean of the inputs' vectors dotted with each
    candidate's output vector (CBOW: inputs are the contexts, m = 1;
    skip-gram: inputs are the targets (batch, 1), m = 2 * window)."""

    def __init__(self, vocab_size: int, hidden_size: int):
        super().__init__()
        self.in_embed = nn.Embedding(vocab_size, hidden_size)
        self.out_embed = nn.Embedding(vocab_size, hidden_size)

    def forward(self, inputs: Tensor, candidates: Tensor) -> Tensor:
        h = self.in_embed(inputs).mean(dim=1)                     # (batch, hidden)
        return (self.out_embed(candidates) * h[:, None, None, :]).sum(dim=-1)


class SimpleWord2vec(nn.Module):
    """Chapter 3's SimpleCBOW / SimpleSkipGram: forward(inputs (batch, n)) ->
    scores (batch, vocab) of a full softmax over the vocabulary, from the
    mean of the inputs' vectors (CBOW: the contexts; skip-gram: the target
    as (batch, 1), its scores shared by every context position)."""

    def __init__(self, vocab_size: int, hidden_size: int):
        super().__init__()
        self.in_embed = nn.Embedding(vocab_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size, bias=False)

    def forward(self, inputs: Tensor) -> Tensor:
        return self.out(self.in_embed(inputs).mean(dim=1))


# --- the Transformer family --------------------------------------------------------
ACTIVATIONS = {"relu": torch.relu, "gelu": nn.functional.gelu,
               "gelu_tanh": lambda x: nn.functional.gelu(x, approximate="tanh")}


def masked_softmax(scores: Tensor, allowed: Optional[Tensor]) -> Tensor:
    """Softmax over the last axis where ``allowed`` (bool, True = may
    attend), exactly 0 elsewhere; a row with nothing allowed is all 0."""
    if allowed is None:
        return torch.softmax(scores, dim=-1)
    weights = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
    return weights.masked_fill(~allowed, 0.0)


def causal_allowed(steps: int, device=None) -> Tensor:
    """(steps, steps) bool: query i sees keys up to i."""
    return torch.ones(steps, steps, dtype=torch.bool, device=device).tril()


def padding_allowed(ids: Tensor, pad_id: Optional[int]) -> Optional[Tensor]:
    """(batch, 1, 1, S) bool, False at padding (None: nothing is masked)."""
    return None if pad_id is None else (ids != pad_id)[:, None, None, :]


class Attention(nn.Module):
    """Multi-head scaled dot-product attention: query (batch, T, dim),
    memory (batch, S, dim), allowed (broadcastable to (batch, heads, T, S))
    -> (batch, T, dim)."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.query, self.key = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.value, self.out = nn.Linear(dim, dim), nn.Linear(dim, dim)

    def heads(self, x: Tensor) -> Tensor:
        return x.unflatten(-1, (self.num_heads, self.head_dim)).transpose(1, 2)

    def forward(self, query: Tensor, memory: Tensor, allowed: Optional[Tensor] = None):
        q, k, v = self.heads(self.query(query)), self.heads(self.key(memory)), \
            self.heads(self.value(memory))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        context = masked_softmax(scores, allowed) @ v             # (batch, heads, T, hd)
        return self.out(context.transpose(1, 2).flatten(2))


class Residual(nn.Module):
    """Pre-norm ``x + f(norm(x))`` or post-norm ``norm(x + f(x))``."""

    def __init__(self, dim: int, norm_first: bool):
        super().__init__()
        self.norm_first, self.norm = norm_first, nn.LayerNorm(dim)

    def forward(self, x: Tensor, sublayer) -> Tensor:
        if self.norm_first:
            return x + sublayer(self.norm(x))
        return self.norm(x + sublayer(x))


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int, activation: str):
        super().__init__()
        self.activation = activation
        self.inner, self.outer = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.outer(ACTIVATIONS[self.activation](self.inner(x)))


class EncoderLayer(nn.Module):
    def __init__(self, dim, num_heads, ff_hidden, activation, norm_first):
        super().__init__()
        self.self_attention = Attention(dim, num_heads)
        self.attention_block = Residual(dim, norm_first)
        self.feed_forward = FeedForward(dim, ff_hidden, activation)
        self.feed_forward_block = Residual(dim, norm_first)

    def forward(self, x: Tensor, allowed: Optional[Tensor] = None) -> Tensor:
        x = self.attention_block(x, lambda h: self.self_attention(h, h, allowed))
        return self.feed_forward_block(x, self.feed_forward)


class DecoderLayer(nn.Module):
    """Causal self-attention, cross-attention over ``memory`` (unless
    ``cross_attention`` is False: a language model's block), feed-forward."""

    def __init__(self, dim, num_heads, ff_hidden, activation, norm_first, cross_attention=True):
        super().__init__()
        self.self_attention = Attention(dim, num_heads)
        self.self_attention_block = Residual(dim, norm_first)
        if cross_attention:
            self.cross_attention = Attention(dim, num_heads)
            self.cross_attention_block = Residual(dim, norm_first)
        self.has_cross_attention = cross_attention
        self.feed_forward = FeedForward(dim, ff_hidden, activation)
        self.feed_forward_block = Residual(dim, norm_first)

    def forward(self, y: Tensor, memory: Optional[Tensor] = None,
                memory_allowed: Optional[Tensor] = None) -> Tensor:
        causal = causal_allowed(y.shape[1], y.device)
        y = self.self_attention_block(y, lambda h: self.self_attention(h, h, causal))
        if self.has_cross_attention:
            y = self.cross_attention_block(
                y, lambda h: self.cross_attention(h, memory, memory_allowed))
        return self.feed_forward_block(y, self.feed_forward)


class Stack(nn.Module):
    """``layers`` in turn, then ``final_norm`` (pre-norm stacks only)."""

    def __init__(self, layers, dim: int, norm_first: bool):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.final_norm = nn.LayerNorm(dim) if norm_first else None

    def forward(self, x: Tensor, *args) -> Tensor:
        for layer in self.layers:
            x = layer(x, *args)
        return x if self.final_norm is None else self.final_norm(x)


def sinusoidal_table(length: int, dim: int) -> Tensor:
    """(length, dim): sin on even, cos on odd features (Vaswani et al. 2017)."""
    positions = torch.arange(length, dtype=torch.float64)[:, None]
    rates = torch.exp(-math.log(10000.0) * (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    table = torch.zeros(length, dim, dtype=torch.float64)
    table[:, 0::2] = torch.sin(positions * rates)
    table[:, 1::2] = torch.cos(positions * rates[:dim // 2])
    return table.float()


class Positions(nn.Module):
    """x (batch, T, dim) -> x + the positions [0, T): a learned table
    (``weight``, max_length rows) or the sinusoidal one (any length)."""

    def __init__(self, dim: int, learned: bool, max_length: int):
        super().__init__()
        self.dim = dim
        self.weight = nn.Parameter(torch.zeros(max_length, dim)) if learned else None

    def forward(self, x: Tensor) -> Tensor:
        steps = x.shape[-2]
        if self.weight is not None:
            return x + self.weight[:steps]
        return x + sinusoidal_table(steps, self.dim).to(x.device)


class TokenEmbedding(nn.Module):
    """ids (batch, T) -> embedding * sqrt(dim) + positions."""

    def __init__(self, vocab_size, dim, positional, max_length):
        super().__init__()
        self.scale = math.sqrt(dim)
        self.embed = nn.Embedding(vocab_size, dim)
        self.position = Positions(dim, positional == "learned", max_length)

    def forward(self, ids: Tensor) -> Tensor:
        return self.position(self.embed(ids) * self.scale)


class Coder(nn.Module):
    """An embedding and a stack (and an output layer for a decoder)."""

    def __init__(self, embed, layers, out=None):
        super().__init__()
        self.embed, self.layers = embed, layers
        if out is not None:
            self.out = out


class TransformerSeq2seq(nn.Module):
    """Transformer encoder-decoder: forward(xs (batch, S), ys (batch, T)) ->
    logits (batch, T, vocab), teacher forcing; ``generate`` decodes greedily."""

    def __init__(self, vocab_size: int, dim: int, num_heads: int, num_layers: int,
                 ff_hidden: int, activation: str = "relu", norm_first: bool = True,
                 positional: str = "sinusoidal", max_length: int = 128,
                 pad_id: Optional[int] = None):
        super().__init__()
        self.pad_id = pad_id
        layer_args = (dim, num_heads, ff_hidden, activation, norm_first)
        self.encoder = Coder(TokenEmbedding(vocab_size, dim, positional, max_length),
                             Stack([EncoderLayer(*layer_args) for _ in range(num_layers)],
                                   dim, norm_first))
        self.decoder = Coder(TokenEmbedding(vocab_size, dim, positional, max_length),
                             Stack([DecoderLayer(*layer_args) for _ in range(num_layers)],
                                   dim, norm_first), nn.Linear(dim, vocab_size))

    def encode(self, xs: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        """xs (batch, S) -> memory (batch, S, dim) and its allowed mask."""
        allowed = padding_allowed(xs, self.pad_id)
        return self.encoder.layers(self.encoder.embed(xs), allowed), allowed

    def decode(self, ys: Tensor, memory: Tensor, allowed: Optional[Tensor]) -> Tensor:
        y = self.decoder.layers(self.decoder.embed(ys), memory, allowed)
        return self.decoder.out(y)

    def forward(self, xs: Tensor, ys: Tensor) -> Tensor:
        return self.decode(ys, *self.encode(xs))

    @torch.no_grad()
    def generate(self, xs: Tensor, start_id: int, length: int) -> Tensor:
        """Greedy decoding: xs (batch, S) -> ids (batch, length)."""
        memory, allowed = self.encode(xs)
        ys = torch.full((xs.shape[0], 1), start_id, dtype=torch.long, device=xs.device)
        for _ in range(length):
            next_id = self.decode(ys, memory, allowed)[:, -1].argmax(dim=-1, keepdim=True)
            ys = torch.cat([ys, next_id], dim=1)
        return ys[:, 1:]


class TransformerLM(nn.Module):
    """Decoder-only Transformer: forward(ids (batch, T)) -> logits (batch, T,
    vocab), T at most ``context_size`` for what it was trained on; the
    output tied to the embedding unless ``tie_weights`` is False."""

    def __init__(self, vocab_size: int, dim: int, num_heads: int, num_layers: int,
                 ff_hidden: int, activation: str = "relu", norm_first: bool = True,
                 positional: str = "sinusoidal", context_size: int = 64,
                 tie_weights: bool = True):
        super().__init__()
        self.context_size, self.tie_weights = context_size, tie_weights
        self.embed = TokenEmbedding(vocab_size, dim, positional, context_size)
        self.layers = Stack([DecoderLayer(dim, num_heads, ff_hidden, activation, norm_first,
                                          cross_attention=False) for _ in range(num_layers)],
                            dim, norm_first)
        if tie_weights:
            self.out_bias = nn.Parameter(torch.zeros(vocab_size))
        else:
            self.out = nn.Linear(dim, vocab_size)

    def forward(self, ids: Tensor) -> Tensor:
        h = self.layers(self.embed(ids))
        if self.tie_weights:
            return h @ self.embed.embed.weight.T + self.out_bias
        return self.out(h)


class BertEmbedding(nn.Module):
    def __init__(self, vocab_size: int, dim: int, max_length: int):
        super().__init__()
        self.token, self.segment = nn.Embedding(vocab_size, dim), nn.Embedding(2, dim)
        self.position = Positions(dim, True, max_length)
        self.norm = nn.LayerNorm(dim)

    def forward(self, tokens: Tensor, segments: Tensor) -> Tensor:
        return self.norm(self.position(self.token(tokens) + self.segment(segments)))


class Bert(nn.Module):
    """BERT encoder: forward(tokens, segments=None (all sentence A)) ->
    hidden (batch, S, dim); ``pooled(hidden)`` -> the [CLS] summary;
    ``mlm_logits(hidden)`` and ``nsp_logits(hidden)``: the pre-training heads."""

    def __init__(self, vocab_size: int, pad_id: int, dim: int, num_heads: int,
                 num_layers: int, ff_hidden: int, activation: str = "gelu_tanh",
                 norm_first: bool = True, max_length: int = 64):
        super().__init__()
        self.pad_id = pad_id
        self.embed = BertEmbedding(vocab_size, dim, max_length)
        self.encoder = Stack([EncoderLayer(dim, num_heads, ff_hidden, activation, norm_first)
                              for _ in range(num_layers)], dim, norm_first)
        self.mlm_dense, self.mlm_norm = nn.Linear(dim, dim), nn.LayerNorm(dim)
        self.mlm_bias = nn.Parameter(torch.zeros(vocab_size))
        self.pooler, self.nsp = nn.Linear(dim, dim), nn.Linear(dim, 2)

    def forward(self, tokens: Tensor, segments: Optional[Tensor] = None) -> Tensor:
        segments = torch.zeros_like(tokens) if segments is None else segments
        return self.encoder(self.embed(tokens, segments), padding_allowed(tokens, self.pad_id))

    def pooled(self, hidden: Tensor) -> Tensor:
        return torch.tanh(self.pooler(hidden[:, 0]))

    def nsp_logits(self, hidden: Tensor) -> Tensor:
        return self.nsp(self.pooled(hidden))

    def mlm_logits(self, hidden: Tensor) -> Tensor:
        h = self.mlm_norm(nn.functional.gelu(self.mlm_dense(hidden), approximate="tanh"))
        return h @ self.embed.token.weight.T + self.mlm_bias


class BertClassifier(nn.Module):
    """A ``Bert`` encoder and a linear layer on its pooled [CLS] vector
    (train bert-finetune): forward(tokens, segments=None) -> logits
    (batch, num_classes)."""

    def __init__(self, num_classes: int, **bert_config):
        super().__init__()
        self.bert = Bert(**bert_config)
        self.classify = nn.Linear(bert_config["dim"], num_classes)

    def forward(self, tokens: Tensor, segments: Optional[Tensor] = None) -> Tensor:
        return self.classify(self.bert.pooled(self.bert(tokens, segments)))


# --- string autoencoders (train autoencoder|vae) -----------------------------------
class StringEncoder(nn.Module):
    """xs (batch, T) -> the LSTM's last h (batch, hidden), reading the
    string backwards when ``reverse``."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, reverse: bool):
        super().__init__()
        self.reverse = reverse
        self.embed = nn.Embedding(vocab_size, wordvec_size)
        self.lstm = nn.LSTM(wordvec_size, hidden_size, batch_first=True)

    def forward(self, xs: Tensor) -> Tensor:
        _, (h, _) = self.lstm(self.embed(xs.flip(1) if self.reverse else xs))
        return h[0]


class CodeDecoder(nn.Module):
    """ys (batch, T), z (batch, code), state -> logits (batch, T, vocab),
    state: the code starts h (tanh(init_h(z)), cell zero) and is fed beside
    every input character."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, code_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, wordvec_size)
        self.init_h = nn.Linear(code_size, hidden_size)
        self.lstm = nn.LSTM(code_size + wordvec_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def start_state(self, z: Tensor) -> State:
        h = torch.tanh(self.init_h(z))[None]
        return h, torch.zeros_like(h)

    def forward(self, ys: Tensor, z: Tensor, state: Optional[State] = None):
        peek = z[:, None, :].expand(-1, ys.shape[1], -1)
        hs, state = self.lstm(torch.cat([peek, self.embed(ys)], dim=-1),
                              self.start_state(z) if state is None else state)
        return self.out(hs), state


class SequenceAutoencoder(nn.Module):
    """forward(xs, ys) -> logits (teacher forcing from the code of xs);
    ``encode(xs)`` -> codes (a VAE: the posterior mean; ``posterior`` gives
    mean and logvar); ``generate(z, start_id, length)`` decodes greedily."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, code_size: int,
                 reverse: bool = True, variational: bool = False):
        super().__init__()
        self.encoder = StringEncoder(vocab_size, wordvec_size, hidden_size, reverse)
        self.to_code = nn.Linear(hidden_size, code_size)
        if variational:
            self.to_logvar = nn.Linear(hidden_size, code_size)
        self.decoder = CodeDecoder(vocab_size, wordvec_size, hidden_size, code_size)

    def posterior(self, xs: Tensor) -> Tuple[Tensor, Tensor]:
        h = self.encoder(xs)
        return self.to_code(h), self.to_logvar(h)

    def encode(self, xs: Tensor) -> Tensor:
        return self.to_code(self.encoder(xs))

    def forward(self, xs: Tensor, ys: Tensor) -> Tensor:
        return self.decoder(ys, self.encode(xs))[0]

    @torch.no_grad()
    def generate(self, z: Tensor, start_id: int, length: int) -> Tensor:
        y = torch.full((z.shape[0], 1), start_id, dtype=torch.long, device=z.device)
        state, out = None, []
        for _ in range(length):
            logits, state = self.decoder(y, z, state)
            y = logits.argmax(dim=-1)
            out.append(y)
        return torch.cat(out, dim=1)


# --- policies (train reinforce|a2c) ---------------------------------------------------
class MLP(nn.Module):
    """Two tanh hidden layers: x (batch, in_size) -> (batch, out_size)."""

    def __init__(self, in_size: int, hidden_size: int, out_size: int):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(in_size, hidden_size), nn.Linear(hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, out_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class ReinforceAgent(nn.Module):
    """REINFORCE's policy and value networks: forward(obs (batch, obs_size))
    -> (action logits (batch, n_actions), values (batch,))."""

    def __init__(self, obs_size: int, n_actions: int, hidden_size: int):
        super().__init__()
        self.policy = MLP(obs_size, hidden_size, n_actions)
        self.value = MLP(obs_size, hidden_size, 1)

    def forward(self, obs: Tensor) -> Tuple[Tensor, Tensor]:
        return self.policy(obs), self.value(obs).reshape(-1)


class ActorCritic(nn.Module):
    """A2C's actor and critic: forward(obs) -> (action logits, values (batch,))."""

    def __init__(self, obs_size: int, n_actions: int, hidden_size: int):
        super().__init__()
        self.actor = MLP(obs_size, hidden_size, n_actions)
        self.critic = MLP(obs_size, hidden_size, 1)

    def forward(self, obs: Tensor) -> Tuple[Tensor, Tensor]:
        return self.actor(obs), self.critic(obs).reshape(-1)


ARCHITECTURES = {"SimpleRnnlm": SimpleRnnlm, "Rnnlm": Rnnlm, "Seq2seq": Seq2seq,
                 "Word2vec": Word2vec, "SimpleWord2vec": SimpleWord2vec,
                 "TransformerSeq2seq": TransformerSeq2seq, "TransformerLM": TransformerLM,
                 "Bert": Bert, "BertClassifier": BertClassifier,
                 "SequenceAutoencoder": SequenceAutoencoder, "ReinforceAgent": ReinforceAgent,
                 "ActorCritic": ActorCritic}


def load(path: str) -> nn.Module:
    """Rebuild the module saved by ``autograd-nlp export --to torch`` (a dict
    of architecture, config and state_dict; read with weights_only=True, so
    loading never runs code from the file), in eval mode."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = ARCHITECTURES[saved["architecture"]](**saved["config"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()


def read_facts(path: str) -> dict:
    """The JSON written beside ``path`` (OUT.pt -> OUT.json): the
    architecture, its config and what using it on text takes (``vocab``,
    token i being id i, the special ids, ``reverse``, the lengths)."""
    import json
    import os
    with open(os.path.splitext(path)[0] + ".json", encoding="utf-8") as f:
        return json.load(f)


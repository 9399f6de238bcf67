"""PyTorch versions of the autograd_nlp chapter models (torch.nn only).

This file imports nothing but torch: ``autograd-nlp export --to torch OUT.pt``
copies it beside the weights as ``OUT.py``, so that

    from OUT import load          # OUT.py next to OUT.pt
    model = load("OUT.pt")        # an ordinary torch.nn.Module, eval mode

works where autograd_nlp is not installed. Shapes: ids (batch, time) int64;
logits (batch, time, vocab); LSTM states (h, c) of (layers * directions,
batch, hidden), as torch.nn.LSTM has them.
"""
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


ARCHITECTURES = {"SimpleRnnlm": SimpleRnnlm, "Rnnlm": Rnnlm, "Seq2seq": Seq2seq,
                 "Word2vec": Word2vec, "SimpleWord2vec": SimpleWord2vec}


def load(path: str) -> nn.Module:
    """Rebuild the module saved by ``autograd-nlp export --to torch`` (a dict
    of architecture, config and state_dict; read with weights_only=True, so
    loading never runs code from the file), in eval mode."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = ARCHITECTURES[saved["architecture"]](**saved["config"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()

"""PyTorch peers of the chapter models, written the idiomatic torch way
(nn.LSTM, cuDNN on a GPU), shared by the CPU and GPU benchmarks."""


def torch_lm(torch, vocab, wordvec, hidden, layers=1, tied=False, dropout=0.0):
    """Rnnlm / BetterRnnlm: ids (batch, time) -> logits, the LSTM state
    carried (detached) between calls, as truncated BPTT."""
    nn = torch.nn

    class TorchLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, wordvec)
            self.lstm = nn.LSTM(wordvec, hidden, layers, batch_first=True,
                                dropout=dropout if layers > 1 else 0.0)
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(hidden, vocab)
            if tied:
                self.out.weight = self.embed.weight
            self.state = None

        def forward(self, x):
            h, state = self.lstm(self.drop(self.embed(x)), self.state)
            self.state = tuple(s.detach() for s in state)
            return self.out(self.drop(h))
    return TorchLM()


def torch_seq2seq(torch, kind, vocab, wordvec, hidden):
    """seq2seq / peeky / attention: (xs, ts) -> mean cross-entropy of
    ts[:, 1:] given ts[:, :-1] (teacher forcing)."""
    nn = torch.nn

    class TorchSeq2seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_embed = nn.Embedding(vocab, wordvec)
            self.encoder = nn.LSTM(wordvec, hidden, batch_first=True)
            self.dec_embed = nn.Embedding(vocab, wordvec)
            peek = hidden if kind == "peeky" else 0
            self.decoder = nn.LSTM(wordvec + peek, hidden, batch_first=True)
            wide = kind in ("peeky", "attention")
            self.out = nn.Linear(2 * hidden if wide else hidden, vocab)

        def forward(self, xs, ts):
            enc_hs, (h, _) = self.encoder(self.enc_embed(xs))
            ys = self.dec_embed(ts[:, :-1])
            if kind == "peeky":
                peek = h.transpose(0, 1).expand(-1, ys.shape[1], -1)
                ys = torch.cat([peek, ys], dim=-1)
            hs, _ = self.decoder(ys, (h, torch.zeros_like(h)))
            if kind == "peeky":
                hs = torch.cat([peek, hs], dim=-1)
            elif kind == "attention":
                weights = torch.softmax(hs @ enc_hs.transpose(1, 2), dim=-1)
                hs = torch.cat([weights @ enc_hs, hs], dim=-1)
            logits = self.out(hs)
            return nn.functional.cross_entropy(logits.reshape(-1, vocab), ts[:, 1:].reshape(-1))
    return TorchSeq2seq()


def torch_cbow(torch, vocab, hidden):
    """CBOW with negative sampling: (contexts (batch, 2 * window), targets
    (batch,), negatives (batch, k)) -> mean over the batch of the summed
    binary cross-entropies of the target (label 1) and the negatives (0)."""
    nn = torch.nn

    class TorchCBOW(nn.Module):
        def __init__(self):
            super().__init__()
            self.in_embed = nn.Embedding(vocab, hidden)
            self.out_embed = nn.Embedding(vocab, hidden)
            nn.init.normal_(self.in_embed.weight, std=0.01)
            nn.init.normal_(self.out_embed.weight, std=0.01)

        def forward(self, contexts, targets, negatives):
            h = self.in_embed(contexts).mean(dim=1)                            # (B, H)
            ids = torch.cat([targets[:, None], negatives], dim=1)              # (B, 1 + k)
            scores = (self.out_embed(ids) * h[:, None, :]).sum(-1)
            labels = torch.zeros_like(scores)
            labels[:, 0] = 1
            return nn.functional.binary_cross_entropy_with_logits(
                scores, labels, reduction="none").sum(1).mean()
    return TorchCBOW()

"""A PyTorch peer for the seq2seq results: the book's seq2seq (same
initialisation: embeddings N(0, 0.01^2), LSTM and output weights
randn / sqrt(fan_in), zero biases; Adam lr 0.001; clip 5; batch 128; the
book's split), trained in PyTorch, to tell a seed's luck from a bug.

    python benchmarks/torch_seq2seq_peer.py --data-dir D [--reverse] [--peeky] --seeds 1 2 3
    python benchmarks/torch_seq2seq_peer.py --data-dir D --dataset date --attention \
        --reverse --hidden 256 --epochs 3 --seeds 1 2 3

Prints the exact-match accuracy on the held-out set after every epoch.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from autograd_nlp.data import load_seq_dataset  # noqa: E402


class BookSeq2seq(torch.nn.Module):
    def __init__(self, vocab, wordvec=16, hidden=128, peeky=False, attention=False):
        super().__init__()
        self.peeky, self.attention, self.hidden = peeky, attention, hidden
        self.enc_embed = torch.nn.Embedding(vocab, wordvec)
        self.encoder = torch.nn.LSTM(wordvec, hidden, batch_first=True)
        self.dec_embed = torch.nn.Embedding(vocab, wordvec)
        self.decoder = torch.nn.LSTM(wordvec + (hidden if peeky else 0), hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden * (2 if peeky or attention else 1), vocab)
        with torch.no_grad():
            for emb in (self.enc_embed, self.dec_embed):
                emb.weight.normal_(0, 0.01)
            for lstm in (self.encoder, self.decoder):
                lstm.weight_ih_l0.copy_(torch.randn_like(lstm.weight_ih_l0) / lstm.input_size ** 0.5)
                lstm.weight_hh_l0.copy_(torch.randn_like(lstm.weight_hh_l0) / hidden ** 0.5)
                lstm.bias_ih_l0.zero_()
                lstm.bias_hh_l0.zero_()
            self.out.weight.copy_(torch.randn_like(self.out.weight) / self.out.in_features ** 0.5)
            self.out.bias.zero_()

    def decode(self, ys, state, h, enc_hs):
        e = self.dec_embed(ys)
        if self.peeky:
            peek = h.transpose(0, 1).expand(-1, ys.shape[1], -1)
            e = torch.cat([peek, e], dim=-1)
        hs, state = self.decoder(e, state)
        if self.peeky:
            hs = torch.cat([peek, hs], dim=-1)
        elif self.attention:
            weights = torch.softmax(hs @ enc_hs.transpose(1, 2), dim=-1)
            hs = torch.cat([weights @ enc_hs, hs], dim=-1)
        return self.out(hs), state

    def forward(self, xs, ts):
        enc_hs, (h, _) = self.encoder(self.enc_embed(xs))
        logits, _ = self.decode(ts[:, :-1], (h, torch.zeros_like(h)), h, enc_hs)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 ts[:, 1:].reshape(-1))

    @torch.no_grad()
    def generate(self, xs, start_id, length):
        enc_hs, (h, _) = self.encoder(self.enc_embed(xs))
        state, y, out = (h, torch.zeros_like(h)), torch.full((len(xs), 1), start_id), []
        for _ in range(length):
            logits, state = self.decode(y, state, h, enc_hs)
            y = logits.argmax(-1)
            out.append(y)
        return torch.cat(out, dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--reverse", action="store_true")
    parser.add_argument("--peeky", action="store_true")
    parser.add_argument("--attention", action="store_true")
    parser.add_argument("--dataset", default="addition", choices=["addition", "date"])
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    args = parser.parse_args()
    torch.set_num_threads(1)
    ds = load_seq_dataset(args.dataset, args.data_dir, reverse=args.reverse)
    x_train, t_train = torch.as_tensor(ds.x_train), torch.as_tensor(ds.t_train)
    x_test, t_test = torch.as_tensor(ds.x_test), torch.as_tensor(ds.t_test)
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = BookSeq2seq(ds.vocab_size, hidden=args.hidden, peeky=args.peeky,
                            attention=args.attention)
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        accuracies = []
        for _ in range(args.epochs):
            order = torch.randperm(len(x_train))
            for i in range(len(x_train) // 128):
                idx = order[i * 128:(i + 1) * 128]
                loss = model(x_train[idx], t_train[idx])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
            guess = model.generate(x_test, ds.start_id, t_test.shape[1] - 1)
            accuracies.append(100 * float((guess == t_test[:, 1:]).all(dim=1).float().mean()))
        kind = "attention" if args.attention else "peeky" if args.peeky else "seq2seq"
        print(f"torch {kind} on {args.dataset}{' reversed' if args.reverse else ''} "
              f"seed {seed}: " + ", ".join(f"{a:.1f}" for a in accuracies), flush=True)


if __name__ == "__main__":
    main()

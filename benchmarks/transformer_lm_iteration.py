"""TransformerLM speed: ms per training iteration (forward, backward, clip
1.0, Adam) at the ``train transformer-lm`` defaults (batch 16 x time 64,
vocab 10,000, dim 128, 2 pre-norm layers, 4 heads, feed-forward 512, dropout
0.1, tied output), and the equivalent PyTorch model in the same run.

    python benchmarks/transformer_lm_iteration.py [--threads 1]

The PyTorch peer: nn.Embedding (* sqrt(dim)) + the same sinusoidal table ->
nn.TransformerEncoder of pre-norm nn.TransformerEncoderLayer (ReLU, batch
first) with a causal mask and a final nn.LayerNorm -> nn.Linear tied to the
embedding, cross-entropy, clip_grad_norm_, Adam. The two run in alternating
rounds; the ratio is the median of the per-round ratios. Rnnlm's iteration
(batch 20 x time 35, SGD) is timed in the same run, for tokens per second
side by side (what a wall-time budget buys each model).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import compare, header, median_time, pin_threads, try_torch  # noqa: E402

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--repeat", type=int, default=9)
OPTIONS = ARGS.parse_args()
NOTE = pin_threads(OPTIONS.threads)

import numpy as np  # noqa: E402

import autograd_nlp as ag  # noqa: E402
import autograd_nlp.functions as F  # noqa: E402
from autograd_nlp import optim  # noqa: E402
from autograd_nlp.layers import sinusoidal_table  # noqa: E402
from benchmarks.our_steps import language_model_step  # noqa: E402
from autograd_nlp.models.rnnlm import Rnnlm  # noqa: E402
from autograd_nlp.models.transformer_lm import TransformerLM  # noqa: E402

V, B, T, DIM, LAYERS, HEADS, DROPOUT = 10_000, 16, 64, 128, 2, 4, 0.1


def ours(xs, ts):
    ag.random.seed(0)
    model = TransformerLM(V, DIM, HEADS, LAYERS, dropout=DROPOUT, context_size=T)
    opt = optim.Adam(model.params(), lr=1e-3, beta2=0.98)

    def step():
        loss = F.softmax_cross_entropy(model(xs), ts)
        model.cleargrads()
        loss.backward()
        optim.clip_grads(model.params(), 1.0)
        opt.update()
    return step, model.num_params()


def torch_model(torch):
    nn = torch.nn

    class TorchTransformerLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, DIM)
            layer = nn.TransformerEncoderLayer(DIM, HEADS, 4 * DIM, DROPOUT, batch_first=True,
                                               norm_first=True)
            self.layers = nn.TransformerEncoder(layer, LAYERS, norm=nn.LayerNorm(DIM),
                                                enable_nested_tensor=False)
            self.drop = nn.Dropout(DROPOUT)
            self.out = nn.Linear(DIM, V)
            self.out.weight = self.embed.weight                    # tied
            self.register_buffer("position", torch.tensor(sinusoidal_table(T, DIM),
                                                          dtype=torch.float32))
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(T))

        def forward(self, x):
            h = self.drop(self.embed(x) * math.sqrt(DIM) + self.position[:x.shape[1]])
            return self.out(self.layers(h, mask=self.mask, is_causal=True))
    return TorchTransformerLM()


def theirs(torch, xs, ts):
    torch.manual_seed(0)
    model = torch_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    tx, tt = torch.as_tensor(xs), torch.as_tensor(ts)

    def step():
        loss = torch.nn.functional.cross_entropy(model(tx).reshape(-1, V), tt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step, sum(p.numel() for p in model.parameters())


def rnnlm_step():
    rng = np.random.default_rng(1)
    xs, ts = rng.integers(0, V, (20, 35)), rng.integers(0, V, (20, 35))
    return language_model_step(Rnnlm(V), xs, ts)


def main():
    header(f"TransformerLM training iteration, batch {B} x time {T}, vocab {V}, dim {DIM}, "
           f"{LAYERS} layers, {HEADS} heads", NOTE)
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    step, params = ours(xs, ts)
    torch = try_torch()
    if torch is None:
        t_ours = median_time(step, repeat=OPTIONS.repeat)
        print(f"TransformerLM ours {t_ours * 1e3:7.1f} ms/iter ({B * T / t_ours:,.0f} tokens/s)")
    else:
        peer, torch_params = theirs(torch, xs, ts)
        if torch_params != params:
            raise SystemExit(f"the peer has {torch_params:,} parameters, ours {params:,}: "
                             f"not the same model")
        t_ours, t_torch, ratio = compare(step, peer, rounds=OPTIONS.repeat, number=1)
        print(f"TransformerLM ours {t_ours * 1e3:7.1f} ms/iter ({B * T / t_ours:,.0f} tokens/s)"
              f" | torch {t_torch * 1e3:7.1f} ms/iter ({B * T / t_torch:,.0f} tokens/s) | "
              f"ratio {ratio:.2f} (target <= 1.5), {params:,} parameters each")
    t_rnnlm = median_time(rnnlm_step(), repeat=OPTIONS.repeat)
    print(f"Rnnlm         ours {t_rnnlm * 1e3:7.1f} ms/iter ({20 * 35 / t_rnnlm:,.0f} tokens/s) "
          f"at batch 20 x time 35, for the wall-time comparison")


if __name__ == "__main__":
    main()

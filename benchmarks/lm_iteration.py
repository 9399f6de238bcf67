"""Language-model speed: ms per training iteration (forward, backward, clip,
SGD update, unchain) of the book's Rnnlm and BetterRnnlm at batch 20 x time
35, vocab 10,000, and the equivalent PyTorch models in the same run.

    python benchmarks/lm_iteration.py [--threads 1]

The PyTorch peer: nn.Embedding -> nn.LSTM (batch_first, 1 or 2 layers,
dropout between) -> nn.Linear (tied to the embedding for BetterRnnlm),
cross-entropy, clip_grad_norm_, SGD, state detached between chunks. The two
run in alternating rounds; the ratio is the median of the per-round ratios.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import compare, header, median_time, pin_threads, try_torch  # noqa: E402
from benchmarks.torch_peers import torch_lm  # noqa: E402

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--repeat", type=int, default=9)
OPTIONS = ARGS.parse_args()
NOTE = pin_threads(OPTIONS.threads)

import numpy as np  # noqa: E402

from benchmarks.our_steps import language_model_step  # noqa: E402
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm  # noqa: E402

V, B, T = 10_000, 20, 35


def theirs(torch, model, xs, ts):
    opt = torch.optim.SGD(model.parameters(), lr=20.0)
    tx, tt = torch.as_tensor(xs), torch.as_tensor(ts)

    def step():
        loss = torch.nn.functional.cross_entropy(model(tx).reshape(-1, V), tt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
    return step


def main():
    header(f"LM training iteration, batch {B} x time {T}, vocab {V}", NOTE)
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    torch = try_torch()
    cases = [("Rnnlm", lambda: Rnnlm(V), (100, 100, 1, False, 0.0), 1.5),
             ("BetterRnnlm", lambda: BetterRnnlm(V), (650, 650, 2, True, 0.5), 2.0)]
    for name, make, torch_args, target in cases:
        repeat = OPTIONS.repeat if name == "Rnnlm" else max(3, OPTIONS.repeat // 2)
        step = language_model_step(make(), xs, ts)
        if torch is None:
            t_ours = median_time(step, repeat=repeat)
            print(f"{name:12} ours {t_ours * 1e3:7.1f} ms/iter ({B * T / t_ours:,.0f} tokens/s)")
            continue
        peer = theirs(torch, torch_lm(torch, V, *torch_args), xs, ts)
        t_ours, t_torch, ratio = compare(step, peer, rounds=repeat, number=1)
        print(f"{name:12} ours {t_ours * 1e3:7.1f} ms/iter ({B * T / t_ours:,.0f} tokens/s) | "
              f"torch {t_torch * 1e3:7.1f} ms/iter ({B * T / t_torch:,.0f} tokens/s) | "
              f"ratio {ratio:.2f} (target <= {target})")


if __name__ == "__main__":
    main()

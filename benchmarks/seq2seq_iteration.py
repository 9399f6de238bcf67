"""seq2seq speed: ms per training iteration (forward, backward, clip 5, Adam)
of the chapter 7-8 models at the book's configurations, and the equivalent
PyTorch models in the same run (alternating rounds; the ratio is the median
of the per-round ratios, so machine noise hits both sides alike).

    python benchmarks/seq2seq_iteration.py [--threads 1]

Addition: questions 7 chars, answers 1 + 4, vocab 13, wordvec 16, hidden 128,
batch 128 (seq2seq, peeky). Dates: questions 29 chars, answers 1 + 10, vocab
59, wordvec 16, hidden 256, batch 128 (attention).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import compare, header, median_time, pin_threads, try_torch  # noqa: E402
from benchmarks.torch_peers import torch_seq2seq  # noqa: E402

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=1)
OPTIONS = ARGS.parse_args()
NOTE = pin_threads(OPTIONS.threads)

import numpy as np  # noqa: E402

from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq  # noqa: E402
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq  # noqa: E402
from benchmarks.our_steps import seq2seq_step  # noqa: E402

BATCH = 128
CASES = [  # name, our class, vocab, question length, answer length (with start), wordvec, hidden
    ("seq2seq (addition)", Seq2seq, 13, 7, 5, 16, 128),
    ("peeky (addition)", PeekySeq2seq, 13, 7, 5, 16, 128),
    ("attention (dates)", AttentionSeq2seq, 59, 29, 11, 16, 256),
]


def ours(cls, vocab, wordvec, hidden, xs, ts):
    return seq2seq_step(cls(vocab, wordvec, hidden), xs, ts)


def theirs(torch, model, xs, ts):
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    tx, tt = torch.as_tensor(xs), torch.as_tensor(ts)

    def step():
        loss = model(tx, tt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    return step


def main():
    header(f"seq2seq training iteration, batch {BATCH}", NOTE)
    rng = np.random.default_rng(0)
    torch = try_torch()
    for name, cls, vocab, q_len, a_len, wordvec, hidden in CASES:
        xs, ts = rng.integers(0, vocab, (BATCH, q_len)), rng.integers(0, vocab, (BATCH, a_len))
        step = ours(cls, vocab, wordvec, hidden, xs, ts)
        if torch is None:
            t_ours = median_time(step, repeat=9, number=5)
            print(f"{name:20} ours {t_ours * 1e3:7.2f} ms/iter ({t_ours * 351:5.1f} s/epoch)")
            continue
        kind = name.split()[0]
        peer = theirs(torch, torch_seq2seq(torch, kind, vocab, wordvec, hidden), xs, ts)
        t_ours, t_torch, ratio = compare(step, peer, rounds=9, number=5)
        print(f"{name:20} ours {t_ours * 1e3:7.2f} ms/iter ({t_ours * 351:5.1f} s/epoch) | "
              f"torch {t_torch * 1e3:7.2f} ms/iter | ratio {ratio:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()

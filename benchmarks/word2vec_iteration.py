"""word2vec speed: ms per training iteration of CBOW with negative sampling at
the book's configuration (vocab 10,000, hidden 100, window 5, batch 100,
5 negatives, Adam), and the same model in PyTorch in the same run.

    python benchmarks/word2vec_iteration.py

Both sides run one thread. The corpus is PTB-sized random Zipf text, so no
data is needed; the negatives come from the same unigram ** 0.75 sampler.
It also times our CBOW with the loss composed of separate ops (embedding,
mean, products, sigmoid_cross_entropy) against the fused
``negative_sampling_loss`` that the model uses, in alternating rounds: at
the book's configuration, and at ``train cbow``'s default recipe (batch
4,000, SGD, the sum of a reduced window's context vectors, an epoch's
negatives drawn beforehand: ``CbowEpochs``).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import compare, header, median_time, pin_threads, try_torch  # noqa: E402
from benchmarks.torch_peers import torch_cbow  # noqa: E402

NOTE = pin_threads(1)

import numpy as np  # noqa: E402

from autograd_nlp import optim  # noqa: E402
from autograd_nlp.data import create_contexts_target  # noqa: E402
from autograd_nlp.models.word2vec import CBOW  # noqa: E402

V, H, WINDOW, BATCH, NEG = 10_000, 100, 5, 100, 5
PTB_TARGETS = 929_589 - 2 * WINDOW


def make_corpus(rng, n=200_000):
    return np.minimum(rng.zipf(1.2, n) - 1, V - 1)


def ours(corpus, contexts, target, rng, fused=True):
    model = CBOW(V, H, corpus, sample_size=NEG)
    opt = optim.Adam(model.params())

    def loss_of(x, t):
        if fused:
            return model(x, t)
        return model.negative_sampling_loss(model.in_embed(x).mean(axis=1), t)

    def step():
        idx = rng.integers(0, len(target), BATCH)
        loss = loss_of(contexts[idx], target[idx])
        model.cleargrads()
        loss.backward()
        opt.update()
    return step


def fast_recipe(corpus, rng, fused=True, batch=4000):
    """One SGD step of ``train cbow``'s default recipe, fused or composed."""
    from autograd_nlp.text.cbow_epochs import CbowEpochs
    model = CBOW(V, H, corpus, sample_size=NEG, context="sum")
    arrays = CbowEpochs(corpus, WINDOW, model.sampler, 1e-3, True, "sum")(rng)
    opt = optim.SGD(model.params(), lr=60.0)

    def step():
        idx = rng.integers(0, len(arrays[1]), batch)
        x, t, negatives, w = (a[idx] for a in arrays)
        if fused:
            loss = model(x, t, negatives, w)
        else:           # draws its own negatives: 20,000 draws, under 1 % of the step
            loss = model.negative_sampling_loss((model.in_embed(x) * w[:, :, None]).sum(axis=1), t)
        model.cleargrads()
        loss.backward()
        opt.update()
    return step


def theirs(torch, corpus, contexts, target, rng, sampler):
    model = torch_cbow(torch, V, H)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    tc, tt = torch.as_tensor(contexts), torch.as_tensor(target)

    def step():
        idx = rng.integers(0, len(target), BATCH)
        neg = torch.as_tensor(sampler.get_negative_sample(target[idx]))
        loss = model(tc[idx], tt[idx], neg)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def main():
    header("CBOW + negative sampling, ms per iteration (forward, backward, Adam)", NOTE)
    rng = np.random.default_rng(0)
    corpus = make_corpus(rng)
    contexts, target = create_contexts_target(corpus, WINDOW)
    step = ours(corpus, contexts, target, rng)
    iters = PTB_TARGETS // BATCH
    torch = try_torch()
    if torch is None:
        t_ours = median_time(step, repeat=9, number=20)
    else:
        from autograd_nlp.text.sampler import UnigramSampler
        sampler = UnigramSampler(corpus, 0.75, NEG, V)
        peer = theirs(torch, corpus, contexts, target, rng, sampler)
        t_ours, t_torch, ratio = compare(step, peer, rounds=9, number=20)
    print(f"ours : {t_ours * 1e3:7.2f} ms/iter, {BATCH / t_ours:,.0f} targets/s, "
          f"PTB epoch ({iters:,} iters) ~ {iters * t_ours / 60:.1f} min")
    if torch is not None:
        print(f"torch: {t_torch * 1e3:7.2f} ms/iter, {BATCH / t_torch:,.0f} targets/s")
        print(f"ratio ours/torch: {ratio:.2f} (median of alternating rounds; target <= 1.2)")
    composed = ours(corpus, contexts, target, rng, fused=False)
    t_fused, t_composed, gain = compare(step, composed, rounds=9, number=20)
    print(f"ours with the loss composed of separate ops: {t_composed * 1e3:7.2f} ms/iter; "
          f"fused/composed {gain:.2f} (median of alternating rounds)")
    t_fused, t_composed, gain = compare(fast_recipe(corpus, rng), fast_recipe(corpus, rng, False),
                                        rounds=7, number=3)
    print(f"train cbow's recipe (batch 4000, SGD, reduced windows): fused {t_fused * 1e3:.1f} "
          f"ms/iter, composed {t_composed * 1e3:.1f} ms/iter, fused/composed {gain:.2f}")


if __name__ == "__main__":
    main()

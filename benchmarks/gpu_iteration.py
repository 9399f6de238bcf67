"""GPU speed of every chapter model: ms per training iteration (forward,
backward, clip, update) at the book's configurations, ours on CuPy (with and
without the fused kernels) and PyTorch with cuDNN on the same GPU; then,
with ``--ptb DIR``, a short BetterRnnlm run on a slice of PTB (perplexity and
time per epoch, and the projection to the book's 40 full epochs).

    python benchmarks/gpu_iteration.py --device cuda [--budget 150] [--ptb DIR]
    python benchmarks/gpu_iteration.py --device cpu --quick     # dry run, no GPU
    python benchmarks/gpu_iteration.py --device cuda --profile  # where the host time goes
    python benchmarks/gpu_iteration.py --device cuda --compare-product   # LSTM product A/B

Each timing synchronizes the device before and after a step and reports the
median after warm-up (kernel compilation happens in the warm-up); the sides
(ours fused, ours on array ops, torch, the book) take turns in rounds, so a
host whose speed drifts slows them alike. Every model gets an equal share
of ``--budget`` seconds; a side that fails prints its error and the others
go on. Configurations as in
benchmarks/lm_iteration.py, seq2seq_iteration.py and word2vec_iteration.py.
"""
import argparse
import math
import os
import statistics
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import autograd_nlp.functions as F  # noqa: E402
from autograd_nlp import cuda_kernels, optim  # noqa: E402
from autograd_nlp import random as ag_random  # noqa: E402
from autograd_nlp.backend import to_device  # noqa: E402
from autograd_nlp.core import eval_mode, no_grad  # noqa: E402
from benchmarks.our_steps import language_model_step  # noqa: E402
from benchmarks.torch_peers import torch_cbow, torch_lm, torch_seq2seq  # noqa: E402

# the book's own CuPy code on one H200, ms/iteration, as measured in issue 14
BOOK_CUPY_H200 = {"Rnnlm": 35.2, "BetterRnnlm": 71.8, "seq2seq": 14.2, "peeky": 14.8,
                  "attention": 45.9, "CBOW": 4.69}


def say(*parts):
    print(*parts, flush=True)


# --- devices ------------------------------------------------------------------------
def make_sync(device):
    if device == "cuda":
        import cupy
        return cupy.cuda.runtime.deviceSynchronize
    return lambda: None


def torch_device(torch, device):
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("torch sees no CUDA device")
    return torch.device(device)


def timed_steps(step, sync, n):
    """Seconds of each of ``n`` calls of ``step``, the device synchronized
    before and after each."""
    times = []
    for _ in range(n):
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return times


def time_alternating(sides, budget, steps=5, warmup=3, min_rounds=3, max_rounds=12):
    """Per side (key, step, sync, fused): a list of seconds per step, the
    sides timed in turn within each round (``steps`` synchronized steps
    each) until ``budget`` seconds have passed (at least ``min_rounds``), so
    a host whose speed drifts slows every side alike. The fused kernels are
    switched on or off for each side's turn. A side that fails is reported
    and dropped."""
    live, times = [], {}
    for key, make, sync, fused in sides:
        cuda_kernels.set_enabled(fused)
        try:
            step = make()
            for _ in range(warmup):           # kernel compilation happens here
                step()
            sync()
            live.append((key, step, sync, fused))
            times[key] = []
        except Exception as e:   # noqa: BLE001 - report and go on with the others
            say(f"  {key} FAILED: {type(e).__name__}: {e}")
            traceback.print_exc(limit=-3)
            sys.stdout.flush()
    start, rounds = time.perf_counter(), 0
    while live and rounds < max_rounds and (rounds < min_rounds
                                            or time.perf_counter() - start < budget):
        rounds += 1
        for key, step, sync, fused in list(live):
            cuda_kernels.set_enabled(fused)
            try:
                times[key] += timed_steps(step, sync, steps)
            except Exception as e:   # noqa: BLE001 - report and go on
                say(f"  {key} FAILED: {type(e).__name__}: {e}")
                live.remove((key, step, sync, fused))
                del times[key]
    cuda_kernels.set_enabled(True)
    return times


# --- the cases: (our model, our step) and the PyTorch peer --------------------------
def lm_case(name, V, B, T, quick):
    from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm
    size, layers, tied, dropout = (100, 1, False, 0.0) if name == "Rnnlm" else (650, 2, True, 0.5)
    if quick:
        size = 32
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))

    def ours(device):
        model = (Rnnlm(V, size, size) if name == "Rnnlm" else BetterRnnlm(V, size, size))
        model.to(device)
        return language_model_step(model, to_device(xs, device), to_device(ts, device))

    def theirs(torch, device):
        nn = torch.nn

        dev = torch_device(torch, device)
        model = torch_lm(torch, V, size, size, layers, tied, dropout).to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=20.0)
        tx, tt = torch.as_tensor(xs, device=dev), torch.as_tensor(ts, device=dev)

        def step():
            loss = nn.functional.cross_entropy(model(tx).reshape(-1, V), tt.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
        return step
    return ours, theirs


def seq2seq_case(kind, vocab, q_len, a_len, wordvec, hidden, batch, quick):
    from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
    from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
    cls = {"seq2seq": Seq2seq, "peeky": PeekySeq2seq, "attention": AttentionSeq2seq}[kind]
    if quick:
        hidden, batch = 16, 8
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, vocab, (batch, q_len)), rng.integers(0, vocab, (batch, a_len))

    def ours(device):
        model = cls(vocab, wordvec, hidden).to(device)
        opt = optim.Adam(model.params())
        x, t = to_device(xs, device), to_device(ts, device)

        def step():
            loss = model(x, t)
            model.cleargrads()
            loss.backward()
            optim.clip_grads(model.params(), 5.0)
            opt.update()
        return step

    def theirs(torch, device):
        nn = torch.nn

        dev = torch_device(torch, device)
        model = torch_seq2seq(torch, kind, vocab, wordvec, hidden).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        tx, tt = torch.as_tensor(xs, device=dev), torch.as_tensor(ts, device=dev)

        def step():
            loss = model(tx, tt)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        return step
    return ours, theirs


def cbow_case(V, H, window, batch, negatives, quick):
    from autograd_nlp.data import create_contexts_target
    from autograd_nlp.models.word2vec import CBOW
    rng = np.random.default_rng(0)
    corpus = np.minimum(rng.zipf(1.2, 20_000 if quick else 200_000) - 1, V - 1)
    contexts, target = create_contexts_target(corpus, window)
    batches = [rng.integers(0, len(target), batch) for _ in range(16)]

    def ours(device):
        model = CBOW(V, H, corpus, sample_size=negatives).to(device)
        opt = optim.Adam(model.params())
        data = [(to_device(contexts[i], device), to_device(target[i], device)) for i in batches]
        position = [0]

        def step():
            c, t = data[position[0] % len(data)]
            position[0] += 1
            loss = model(c, t)
            model.cleargrads()
            loss.backward()
            opt.update()
        return step

    def theirs(torch, device):
        dev = torch_device(torch, device)
        counts = np.bincount(corpus, minlength=V).astype(np.float64) ** 0.75
        p = torch.as_tensor(counts / counts.sum(), device=dev)
        model = torch_cbow(torch, V, H).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        data = [(torch.as_tensor(contexts[i], device=dev), torch.as_tensor(target[i], device=dev))
                for i in batches]
        position = [0]

        def step():
            c, t = data[position[0] % len(data)]
            position[0] += 1
            negative = torch.multinomial(p, t.shape[0] * negatives, replacement=True)
            loss = model(c, t, negative.reshape(-1, negatives))
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step
    return ours, theirs


BOOK_NAMES = {"Rnnlm": "rnnlm", "BetterRnnlm": "better-rnnlm", "seq2seq": "seq2seq",
              "peeky": "peeky", "attention": "attention", "CBOW": "cbow"}


def book_step(name, book_dir, device):
    """The book's own code at the same configuration, on CuPy when device is
    cuda (its GPU flag on, inputs moved to the GPU as its trainer does):
    benchmarks/book_comparison.py's book side."""
    here = os.path.dirname(os.path.abspath(__file__))  # its common.py would hide the book's
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    from benchmarks import book_comparison
    key = BOOK_NAMES[name]
    data = book_comparison.make_data(key, np, book_dir)
    data["gpu"] = device == "cuda"
    if data["gpu"]:
        import cupy
        if not hasattr(cupy, "scatter_add"):   # the book's CuPy 4-era name, gone in CuPy 14
            cupy.scatter_add = cupy.add.at
        data["xs"], data["ts"] = (None if a is None else cupy.asarray(a)
                                  for a in (data["xs"], data["ts"]))
        if data["batches"] is not None:
            on_cpu = data["batches"]
            data["batches"] = lambda: tuple(cupy.asarray(a) for a in on_cpu())
    return book_comparison.book_side(key, np, data)


def cases(quick):
    V = 1000 if quick else 10_000
    B, T = (4, 8) if quick else (20, 35)
    return [
        ("Rnnlm", lambda: lm_case("Rnnlm", V, B, T, quick)),
        ("BetterRnnlm", lambda: lm_case("BetterRnnlm", V, B, T, quick)),
        ("seq2seq", lambda: seq2seq_case("seq2seq", 13, 7, 5, 16, 128, 128, quick)),
        ("peeky", lambda: seq2seq_case("peeky", 13, 7, 5, 16, 128, 128, quick)),
        ("attention", lambda: seq2seq_case("attention", 59, 29, 11, 16, 256, 128, quick)),
        ("CBOW", lambda: cbow_case(V, 100, 5, 100, 5, quick)),
    ]


def iteration_benchmark(args):
    try:
        import torch
    except ImportError:
        torch = None
    sync = make_sync(args.device)
    torch_sync = (torch.cuda.synchronize if torch is not None and args.device == "cuda"
                  else (lambda: None))
    all_cases = [c for c in cases(args.quick) if not args.models or c[0] in args.models]
    share = args.budget / max(len(all_cases), 1)
    say(f"# ms per training iteration on {args.device}: medians of synchronized steps, the "
        f"sides alternating in rounds of 5 after warm-up ({share:.0f} s per model)")
    if torch is not None:
        say(f"# torch {torch.__version__}, cudnn "
            f"{torch.backends.cudnn.version() if args.device == 'cuda' else '-'}, "
            f"tf32 matmul {torch.backends.cuda.matmul.allow_tf32}")
    say(f"{'model':12} {'ours':>9} {'ours-nofuse':>12} {'torch':>9} {'ours/torch':>10} "
        f"{'book':>9} {'book/ours':>10} {'H200 book/ours':>12}")
    say("# book: the book's own code in this run (its CuPy mode on a GPU); H200 book/ours: "
        "the issue's H200 figure for the book's CuPy code over ours")
    for name, make in all_cases:
        try:
            ag_random.seed(0)
            ours, theirs = make()
        except Exception as e:   # noqa: BLE001 - report and go on with the next model
            say(f"{name:12} FAILED to build: {type(e).__name__}: {e}")
            continue
        def seeded(make_step):
            def make():
                ag_random.seed(0)
                if torch is not None:
                    torch.manual_seed(0)
                return make_step()
            return make
        sides = [("ours", seeded(lambda: ours(args.device)), sync, True),
                 ("nofuse", seeded(lambda: ours(args.device)), sync, False)]
        if torch is not None:
            sides.append(("torch", seeded(lambda: theirs(torch, args.device)), torch_sync,
                          True))
        if args.book_dir and not args.quick:
            sides.append(("book", seeded(lambda: book_step(name, args.book_dir, args.device)),
                          sync, True))
        times = time_alternating(sides, share)
        ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}

        def cell(key, width):
            return f"{ms[key]:{width}.2f}" if key in ms else f"{'-':>{width}}"
        ratio = f"{ms['ours'] / ms['torch']:10.2f}" if "ours" in ms and "torch" in ms else \
            f"{'-':>10}"
        book = f"{BOOK_CUPY_H200[name] / ms['ours']:12.1f}" \
            if "ours" in ms and args.device == "cuda" else f"{'-':>12}"
        same = f"{ms['book'] / ms['ours']:10.1f}" if "ours" in ms and "book" in ms \
            else f"{'-':>10}"
        if ms:
            say(f"{name:12} {cell('ours', 9)} {cell('nofuse', 12)} {cell('torch', 9)} "
                f"{ratio} {cell('book', 9)} {same} {book}   "
                f"(n={len(next(iter(times.values())))} each)")


# --- the LSTM's recurrent product: in our kernels or in cuBLAS ----------------------
def compare_product(args, rounds=7, steps=10):
    """Per LSTM model: ms per step with the recurrent product summed inside
    the fused LSTM kernels (one launch per time step) and with cuBLAS doing
    it (two), the same model alternating between the two in ``rounds``
    rounds of ``steps`` synchronized steps; medians."""
    sync = make_sync(args.device)
    say(f"# LSTM recurrent product: in the kernels vs cuBLAS ({rounds} alternating rounds "
        f"of {steps} steps, median ms per step)")
    say(f"{'model':12} {'kernel':>8} {'cublas':>8} {'kernel/cublas':>14}")
    for name, make in cases(args.quick):
        if name == "CBOW" or (args.models and name not in args.models):
            continue
        try:
            ag_random.seed(0)
            step = make()[0](args.device)
            times = {"kernel": [], "cublas": []}
            for mode in times:
                cuda_kernels.set_recurrent_product(mode)
                for _ in range(3):
                    step()
            for _ in range(rounds):
                for mode in times:
                    cuda_kernels.set_recurrent_product(mode)
                    times[mode] += timed_steps(step, sync, steps)
        except Exception as e:   # noqa: BLE001 - report and go on
            say(f"{name:12} FAILED: {type(e).__name__}: {e}")
            continue
        finally:
            cuda_kernels.set_recurrent_product("auto")
        k, c = (statistics.median(times[m]) * 1e3 for m in ("kernel", "cublas"))
        say(f"{name:12} {k:8.2f} {c:8.2f} {k / c:14.2f}")


# --- where the host time goes ------------------------------------------------------
def profile_models(args, steps=20):
    """Per model (ours, fused kernels): ms per step synchronized and
    pipelined (``steps`` calls back to back, one sync at the end: the host's
    pace when the GPU keeps up), then the functions that take the host's
    time under cProfile (ms per step, own time and with callees)."""
    import cProfile
    import pstats
    sync = make_sync(args.device)
    for name, make in cases(args.quick):
        if args.models and name not in args.models:
            continue
        try:
            ag_random.seed(0)
            step = make()[0](args.device)
            for _ in range(5):
                step()
            sync()
            start = time.perf_counter()
            for _ in range(steps):
                step()
                sync()
            synced = (time.perf_counter() - start) / steps
            start = time.perf_counter()
            for _ in range(steps):
                step()
            sync()
            pipelined = (time.perf_counter() - start) / steps
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(steps):
                step()
            sync()
            profile.disable()
        except Exception as e:   # noqa: BLE001 - report and go on
            say(f"# {name}: profile FAILED: {type(e).__name__}: {e}")
            continue
        stats = pstats.Stats(profile).stats
        total = sum(v[2] for v in stats.values()) / steps
        say(f"# {name}: {synced * 1e3:.2f} ms/step synchronized, {pipelined * 1e3:.2f} "
            f"pipelined; under cProfile {total * 1e3:.2f} ms of host time per step, top:")
        say(f"#   {'own ms':>7} {'cum ms':>7} {'calls':>6}  function")
        top = sorted(stats.items(), key=lambda kv: -kv[1][2])[:args.profile_top]
        for (filename, line, function), (_, calls, own, cumulative, _) in top:
            where = f"{os.path.basename(filename)}:{line}" if line else filename
            say(f"#   {own / steps * 1e3:7.3f} {cumulative / steps * 1e3:7.3f} "
                f"{calls / steps:6.1f}  {function} ({where})")


# --- a short BetterRnnlm run on PTB ---------------------------------------------------
def ptb_run(args):
    from autograd_nlp.data import load_ptb
    from autograd_nlp.models.rnnlm import BetterRnnlm
    sync = make_sync(args.device)
    train, word_to_id, _ = load_ptb("train", args.ptb)
    valid = load_ptb("valid", args.ptb)[0]
    full_tokens = len(train)
    train, valid = train[:args.ptb_tokens], valid[:args.ptb_valid_tokens]
    B, T = (4, 8) if args.quick else (20, 35)
    size = 32 if args.quick else 650
    ag_random.seed(1)
    model = BetterRnnlm(len(word_to_id), size, size).to(args.device)
    opt = optim.SGD(model.params(), lr=20.0)
    iters = (len(train) - 1) // (B * T)
    full_iters = (full_tokens - 1) // (B * T)
    say(f"# BetterRnnlm on the first {len(train):,} PTB training tokens ({iters} iterations "
        f"of batch {B} x time {T}; a full epoch is {full_iters}), validation on the first "
        f"{len(valid):,} validation tokens, lr 20, clip 0.25, {args.device}")
    start_all = time.perf_counter()
    best = math.inf
    for epoch in range(1, args.ptb_epochs + 1):
        model.reset_state()
        model.train()
        jump = (len(train) - 1) // B
        offsets = np.arange(B)[:, None] * jump
        total, start = 0.0, time.perf_counter()
        for it in range(iters):
            positions = offsets + it * T + np.arange(T)[None, :]
            xs = to_device(train[positions], args.device)
            ts = to_device(train[positions + 1], args.device)
            loss = F.softmax_cross_entropy(model(xs), ts)
            model.cleargrads()
            loss.backward()
            optim.clip_grads(model.params(), 0.25)
            opt.update()
            model.unchain()
            total += float(loss.data)
        sync()
        seconds = time.perf_counter() - start
        valid_ppl = perplexity(model, valid, args.device, T)
        if valid_ppl > best:
            opt.lr /= 4.0
        best = min(best, valid_ppl)
        per_iter = seconds / iters
        say(f"epoch {epoch}: train ppl {math.exp(total / iters):8.2f}, valid ppl "
            f"{valid_ppl:8.2f}, {seconds:6.1f} s ({per_iter * 1e3:.1f} ms/iter) -> a full "
            f"epoch ~ {per_iter * full_iters / 60:.1f} min, 40 epochs ~ "
            f"{per_iter * full_iters * 40 / 3600:.1f} h (training only)")
        if time.perf_counter() - start_all > args.budget * epoch / (epoch + 1):
            say("# stopping: the time budget is spent")
            break


def perplexity(model, corpus, device, T, B=10):
    """exp(mean cross-entropy) over ``corpus`` read as the book does (batch 10)."""
    model.reset_state()
    jump = (len(corpus) - 1) // B
    iters = max(1, jump // T)
    offsets = np.arange(B)[:, None] * jump
    total = 0.0
    with no_grad(), eval_mode():
        for it in range(iters):
            positions = (offsets + it * T + np.arange(T)[None, :]) % (len(corpus) - 1)
            logits = model(to_device(corpus[positions], device))
            total += float(F.softmax_cross_entropy(
                logits, to_device(corpus[positions + 1], device)).data)
    model.reset_state()
    return math.exp(total / iters)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", choices=["cpu", "cuda"])
    p.add_argument("--quick", action="store_true", help="tiny sizes: a dry run of the code")
    p.add_argument("--budget", type=float, default=150.0, help="seconds for this part")
    p.add_argument("--models", nargs="*", default=None, help="only these models")
    p.add_argument("--book-dir", default=None, metavar="DIR",
                   help="the book's code (dl2-book-code): time it too, same run and device")
    p.add_argument("--ptb", default=None, metavar="DIR",
                   help="PTB folder: run the short BetterRnnlm training instead")
    p.add_argument("--ptb-tokens", type=int, default=120_000)
    p.add_argument("--ptb-valid-tokens", type=int, default=20_000)
    p.add_argument("--ptb-epochs", type=int, default=4)
    p.add_argument("--profile", action="store_true",
                   help="instead: where each model's host time goes (cProfile)")
    p.add_argument("--profile-top", type=int, default=18, help="functions listed per model")
    p.add_argument("--compare-product", action="store_true",
                   help="instead: the LSTM's recurrent product in our kernels vs cuBLAS")
    args = p.parse_args()
    if args.compare_product:
        compare_product(args)
    elif args.profile:
        profile_models(args)
    elif args.ptb:
        ptb_run(args)
    else:
        iteration_benchmark(args)


if __name__ == "__main__":
    main()

"""The book's own code (hand-written backward passes) next to ours and
idiomatic PyTorch CPU: ms per training iteration (forward, backward, clip
where the book clips, optimizer step) at the book's configurations.

    python benchmarks/book_comparison.py [--book-dir DIR] [--models rnnlm,seq2seq] [--rounds 7]

The book's code (MIT, oreilly-japan/deep-learning-from-scratch-2) is imported
at run time from DIR (default ../shared/reference/dl2-book-code beside the
repository); without it the script says so and exits 0. Its GPU flag stays
False and its global ``np.random`` is seeded before each model is built. All
three run one BLAS thread and one torch thread, in alternating rounds after a
warm-up, timed by default in this thread's CPU time (all three compute in
it); the ratios are medians of the per-round ratios, so a shared machine's
noise hits the three alike.

Models (the book's scripts' settings): Rnnlm and BetterRnnlm (batch 20 x
time 35, vocab 10,000, SGD lr 20, clip 0.25), seq2seq and peeky on addition
(vocab 13, wordvec 16, hidden 128, batch 128, Adam, clip 5), attention on
dates (vocab 59, wordvec 16, hidden 256, batch 128, Adam, clip 5), CBOW with
negative sampling (vocab 10,000, hidden 100, window 5, batch 100, 5
negatives, Adam, no clip). Inputs are random ids of the datasets' shapes.
"""
import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_book_dir():
    """../shared/reference/dl2-book-code beside the repository (or beside the
    folder above it, for a git worktree such as wt/NAME); the first that exists."""
    candidates = [os.path.join(up, "shared", "reference", "dl2-book-code")
                  for up in (os.path.dirname(ROOT), os.path.dirname(os.path.dirname(ROOT)))]
    return next((c for c in candidates if os.path.isdir(c)), candidates[0])


MODELS = ("rnnlm", "better-rnnlm", "seq2seq", "peeky", "attention", "cbow")
LABELS = {"rnnlm": "Rnnlm", "better-rnnlm": "BetterRnnlm", "seq2seq": "seq2seq (addition)",
          "peeky": "peeky (addition)", "attention": "attention (dates)",
          "cbow": "CBOW + negative sampling"}
CALLS_PER_ROUND = {"rnnlm": 2, "better-rnnlm": 1, "seq2seq": 10, "peeky": 10,
                   "attention": 2, "cbow": 5}   # each round ~0.1-1 s per side


def model_list(text):
    """'rnnlm,seq2seq' -> ['rnnlm', 'seq2seq'] ('all' = every model)."""
    names = list(MODELS) if text == "all" else [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or '(none given)'}; choose from "
            f"{', '.join(MODELS)} or 'all'")
    return names


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="book_comparison.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--book-dir", default=default_book_dir(),
                        help="folder of the book's code (default: %(default)s)")
    parser.add_argument("--models", type=model_list, default=list(MODELS),
                        help=f"comma-separated subset of {','.join(MODELS)} or 'all' "
                             f"(default: all)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="alternating timing rounds per model (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed iterations of each side first (default: %(default)s)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: this thread's CPU time (steady on a shared machine; the "
                             "BLAS and torch threads are this one); wall: elapsed time "
                             "(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and torch threads on every side (default: %(default)s)")
    parser.add_argument("--keep-memory", action="store_true",
                        help="keep freed memory in the process first, as Trainer.fit does "
                             "(training/allocator.py; process-wide, so every side runs "
                             "with it)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("--rounds and --threads must be >= 1 and --warmup >= 0")
    return args


def import_book(book_dir, gpu=False):
    """Make the book's packages (common, ch04...) importable, GPU flag off
    (on: its layers compute with CuPy, as its scripts do with GPU = True;
    it must be set before the first of them is imported)."""
    for path in (book_dir, os.path.join(book_dir, "ch07")):   # peeky: "from seq2seq import"
        if path not in sys.path:
            sys.path.append(path)
    config = importlib.import_module("common.config")
    if "common.np" in sys.modules and config.GPU != gpu:
        raise RuntimeError(f"the book's code is already imported with GPU = {config.GPU}")
    config.GPU = gpu
    import matplotlib
    matplotlib.use("Agg")                       # common.trainer imports pyplot
    return importlib.import_module("common.trainer"), importlib.import_module("common.util")


# --- the three sides of each model ---------------------------------------------------
def book_side(name, np, data):
    """The book's model, optimizer and its Trainer's inner step."""
    trainer, util = import_book(data["book_dir"], data.get("gpu", False))
    optimizer = importlib.import_module("common.optimizer")
    np.random.seed(0)
    if name == "rnnlm":
        model = importlib.import_module("ch06.rnnlm").Rnnlm(data["vocab"], 100, 100)
    elif name == "better-rnnlm":
        model = importlib.import_module("ch06.better_rnnlm").BetterRnnlm(data["vocab"], 650, 650)
    elif name == "seq2seq":
        model = importlib.import_module("ch07.seq2seq").Seq2seq(data["vocab"], 16, 128)
    elif name == "peeky":
        model = importlib.import_module("peeky_seq2seq").PeekySeq2seq(data["vocab"], 16, 128)
    elif name == "attention":
        model = importlib.import_module("ch08.attention_seq2seq").AttentionSeq2seq(
            data["vocab"], 16, 256)
    else:
        model = importlib.import_module("ch04.cbow").CBOW(data["vocab"], 100, 5, data["corpus"])
    opt = optimizer.SGD(lr=20.0) if data["sgd"] else optimizer.Adam()
    xs, ts, batches = data["xs"], data["ts"], data["batches"]

    def step():
        x, t = (xs, ts) if batches is None else batches()
        model.forward(x, t)
        model.backward()
        params, grads = trainer.remove_duplicate(model.params, model.grads)
        if data["clip"] is not None:
            util.clip_grads(grads, data["clip"])
        opt.update(params, grads)
    return step


def our_side(name, data):
    from autograd_nlp import optim
    if name in ("rnnlm", "better-rnnlm"):
        from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm
        from benchmarks.our_steps import language_model_step
        model = Rnnlm(data["vocab"]) if name == "rnnlm" else BetterRnnlm(data["vocab"])
        return language_model_step(model, data["xs"], data["ts"], data["clip"])
    if name == "cbow":
        from autograd_nlp.models.word2vec import CBOW
        model = CBOW(data["vocab"], 100, data["corpus"], sample_size=5)
    else:
        from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
        from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
        cls = {"seq2seq": Seq2seq, "peeky": PeekySeq2seq, "attention": AttentionSeq2seq}[name]
        model = cls(data["vocab"], 16, data["hidden"])
    opt = optim.Adam(model.params())
    xs, ts, batches = data["xs"], data["ts"], data["batches"]

    def step():
        x, t = (xs, ts) if batches is None else batches()
        loss = model(x, t)
        model.cleargrads()
        loss.backward()
        if data["clip"] is not None:
            optim.clip_grads(model.params(), data["clip"])
        opt.update()
    return step


def torch_side(name, torch, data):
    from benchmarks.torch_peers import torch_cbow, torch_lm, torch_seq2seq
    vocab = data["vocab"]
    if name == "rnnlm":
        model = torch_lm(torch, vocab, 100, 100)
    elif name == "better-rnnlm":
        model = torch_lm(torch, vocab, 650, 650, layers=2, tied=True, dropout=0.5)
    elif name == "cbow":
        model = torch_cbow(torch, vocab, 100)
    else:
        model = torch_seq2seq(torch, name, vocab, 16, data["hidden"])
    opt = (torch.optim.SGD(model.parameters(), lr=20.0) if data["sgd"]
           else torch.optim.Adam(model.parameters(), lr=0.001))
    xs, ts, batches = data["xs"], data["ts"], data["batches"]
    tx, tt = (None, None) if xs is None else (torch.as_tensor(xs), torch.as_tensor(ts))

    def loss_of():
        if name in ("rnnlm", "better-rnnlm"):
            return torch.nn.functional.cross_entropy(model(tx).reshape(-1, vocab),
                                                     tt.reshape(-1))
        if name == "cbow":
            x, t = batches()
            negatives = data["sampler"].get_negative_sample(t)
            return model(torch.as_tensor(x), torch.as_tensor(t), torch.as_tensor(negatives))
        return model(tx, tt)

    def step():
        loss = loss_of()
        opt.zero_grad()
        loss.backward()
        if data["clip"] is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), data["clip"])
        opt.step()
    return step


def make_data(name, np, book_dir):
    """Inputs of the book's shapes: random ids (a Zipf corpus for CBOW)."""
    rng = np.random.default_rng(0)
    data = {"book_dir": book_dir, "clip": 5.0, "sgd": False, "hidden": 128,
            "batches": None, "corpus": None}
    if name in ("rnnlm", "better-rnnlm"):
        data.update(vocab=10_000, clip=0.25, sgd=True, xs=rng.integers(0, 10_000, (20, 35)),
                    ts=rng.integers(0, 10_000, (20, 35)))
    elif name in ("seq2seq", "peeky", "attention"):
        vocab, q_len, a_len = (59, 29, 11) if name == "attention" else (13, 7, 5)
        data.update(vocab=vocab, xs=rng.integers(0, vocab, (128, q_len)),
                    ts=rng.integers(0, vocab, (128, a_len)))
        if name == "attention":
            data["hidden"] = 256
    else:
        from autograd_nlp.data import create_contexts_target
        from autograd_nlp.text.sampler import UnigramSampler
        vocab = 10_000                      # every id occurs (the book's sampler counts them)
        corpus = np.concatenate([np.arange(vocab), np.minimum(rng.zipf(1.2, 200_000) - 1,
                                                              vocab - 1)])
        rng.shuffle(corpus)
        contexts, target = create_contexts_target(corpus, 5)

        def batches():
            idx = rng.integers(0, len(target), 100)
            return contexts[idx], target[idx]
        data.update(vocab=vocab, clip=None, corpus=corpus, xs=None, ts=None, batches=batches,
                    sampler=UnigramSampler(corpus, 0.75, 5, vocab))
    return data


def why_no_book(book_dir):
    """Why the book's code cannot run here (None when it can): its folder
    is missing, or matplotlib, which its common.trainer imports."""
    if not os.path.isdir(os.path.join(book_dir, "common")):
        return (f"the book's code is not at {book_dir} (give its folder with --book-dir "
                f"DIR; it is oreilly-japan/deep-learning-from-scratch-2)")
    if importlib.util.find_spec("matplotlib") is None:
        return "the book's code imports matplotlib, which is not installed (pip install '.[plot]')"
    return None


def keep_memory_note(args):
    """With --keep-memory: glibc told to keep freed memory, for every side
    (what ``Trainer.fit`` does); the header's note says so."""
    if not args.keep_memory:
        return ""
    from autograd_nlp.training import allocator
    return (", freed memory kept (every side)" if allocator.keep_freed_memory()
            else ", --keep-memory had no effect (not glibc)")


def main(argv=None):
    args = parse_args(argv)
    book_dir = os.path.abspath(args.book_dir)
    if why_no_book(book_dir):
        print(f"book_comparison: skipped, {why_no_book(book_dir)}")
        return 0
    here = os.path.dirname(os.path.abspath(__file__))    # its common.py would hide the book's
    sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    from benchmarks.common import alternate_rounds, header, pin_threads, try_torch
    note = pin_threads(args.threads) + keep_memory_note(args)
    import numpy as np
    torch = try_torch()
    header("the book's code vs autograd_nlp vs PyTorch CPU, ms per training iteration",
           note + f", book code from {book_dir}")
    print(f"# {args.rounds} alternating rounds after {args.warmup} warm-up iterations, "
          f"{args.clock} clock; ratios are medians of per-round ratios")
    print("| model | book | ours | torch | ours/book | ours/torch |")
    print("|---|---|---|---|---|---|")
    for name in args.models:
        data = make_data(name, np, book_dir)
        steps = [book_side(name, np, data), our_side(name, data)]
        if torch is not None:
            steps.append(torch_side(name, torch, data))
        times = alternate_rounds(steps, args.rounds, CALLS_PER_ROUND[name], args.warmup,
                                 time.thread_time if args.clock == "cpu" else time.perf_counter)
        ms = [f"{statistics.median(t) * 1e3:.1f}" for t in times]
        vs_book = statistics.median([o / b for o, b in zip(times[1], times[0])])
        row = [LABELS[name], ms[0], ms[1], ms[2] if torch else "-", f"{vs_book:.2f}"]
        row.append(f"{statistics.median([o / t for o, t in zip(times[1], times[2])]):.2f}"
                   if torch else "-")
        print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

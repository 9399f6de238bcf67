"""Generate the addition toy dataset (book chapter 7) in the book's format.

    >>> lines = generate_addition(3, seed=0)   # e.g. '822+17 _839 '
    >>> [len(line) for line in lines], [line[7] for line in lines]
    ([12, 12, 12], ['_', '_', '_'])

Each line is ``a+b`` padded to ``2 * max_digits + 1`` characters, then ``_``
and the sum padded to ``max_digits + 2`` (for the default 3 digits: 7 and 5,
the widths of the book's ``addition.txt``). The operands follow the shape of
the book's file, counted from it: each operand first draws a number of digits
uniformly from 1..max_digits, then a value with that many digit positions
(leading zeros allowed, so ``007`` is 7); and an unordered pair {a, b} occurs
at most once, so ``a+b`` and ``b+a`` never both appear. That makes short
operands common (about 10% one-digit, 32% two-digit in the book's file) and
every pair of one-digit numbers present once a file is large.

Command line: ``python -m autograd_nlp.data.generate_addition DIR/addition.txt``.
"""
import argparse

import numpy as np

from autograd_nlp.data.seq_format import format_line, write_dataset

_BATCH = 4096   # fixed, so that the first k lines of n > k lines are those of k


def addition_widths(max_digits=3):
    """(question, answer) widths for operands of up to ``max_digits`` digits:
    ``"999+999"`` and ``"_1998"`` for 3."""
    return 2 * max_digits + 1, max_digits + 2


def generate_addition(n, seed=0, max_digits=3, unique=True):
    """``n`` addition lines, e.g. ``'16+75  _91  '``, as a list of strings
    without newlines. The same ``seed`` always gives the same lines, and the
    lines for ``n`` are the first ``n`` of those for any larger ``n``.

    unique: each unordered operand pair at most once, as in the book's file
        (then ``n`` can be at most the number of such pairs; as ``n`` nears
        that, drawing the last rare pairs gets slow).
    """
    if not isinstance(max_digits, (int, np.integer)) or not 1 <= max_digits <= 18:
        raise ValueError(f"max_digits must be an int in 1..18 (sums must fit in "
                         f"int64), got {max_digits!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    values = 10 ** max_digits
    n_pairs = values * (values + 1) // 2
    if unique and n > n_pairs:
        raise ValueError(f"only {n_pairs} distinct unordered pairs of numbers below "
                         f"{values} exist, but n={n} unique lines were asked for; "
                         f"raise max_digits or pass unique=False")
    question_width, answer_width = addition_widths(max_digits)
    rng = np.random.default_rng(seed)
    seen, lines = set(), []
    while len(lines) < n:
        digits = rng.integers(1, max_digits + 1, size=(_BATCH, 2))
        pairs = rng.integers(0, 10 ** digits)
        for a, b in pairs.tolist():
            if unique:
                key = (a, b) if a <= b else (b, a)
                if key in seen:
                    continue
                seen.add(key)
            lines.append(format_line(f"{a}+{b}", str(a + b),
                                     question_width, answer_width))
            if len(lines) == n:
                break
    return lines


def main(argv=None):
    """Write a generated addition file: ``PATH [--n N] [--seed S]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd_nlp.data.generate_addition",
        description="Write an addition dataset in the format of the book's "
                    "addition.txt (question_answer, fixed widths).")
    parser.add_argument("path", help="file to write, e.g. DATA/seq/addition.txt")
    parser.add_argument("--n", type=int, default=50_000, help="number of lines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-digits", type=int, default=3)
    args = parser.parse_args(argv)
    write_dataset(generate_addition(args.n, args.seed, args.max_digits), args.path)
    print(f"wrote {args.n} lines to {args.path}")


if __name__ == "__main__":
    main()

"""Run the command line in-process for the CLI tests."""
import numpy as np
import pytest

from autograd_nlp.cli import main

WORDS = [f"w{i}" for i in range(20)]


def run(capsys, *argv):
    """(exit code, stdout, stderr) of one command, argparse exits included."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def write_ptb(root):
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 240), ("valid", 80), ("test", 80)):
        lines = [" ".join(rng.choice(WORDS, 8)) for _ in range(n // 8)]
        if split == "train":
            lines.append(" ".join(WORDS))       # every word occurs in train
        (root / f"ptb.{split}.txt").write_text("\n".join(lines) + "\n")
    return root


def train_tiny_runs(root):
    """Tiny runs of three kinds (rnnlm, attention, cbow; 1 epoch, a 20-word
    PTB) trained with the CLI in-process under ``root``: {"data", "rnnlm",
    "attention", "cbow", "vectors", "dir"}."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AUTOGRAD_NLP_DATA", raising=False)
        mp.setenv("AUTOGRAD_NLP_CACHE", str(root / "cache"))
        data = write_ptb(root / "data")
        quiet = ["--epochs", "1", "--quiet"]
        assert main(["train", "rnnlm", "--data-dir", str(data), "--batch-size", "4",
                     "--time-size", "5", "--wordvec", "4", "--hidden", "4",
                     "--eval-batch-size", "2", "--out", str(root / "rnnlm"), *quiet]) == 0
        assert main(["train", "attention", "--generate-size", "200", "--hidden", "8",
                     "--wordvec", "4", "--batch-size", "32", "--out",
                     str(root / "attention"), *quiet]) == 0
        assert main(["train", "cbow", "--data-dir", str(data), "--window", "1",
                     "--hidden", "4", "--batch-size", "50", "--recipe", "book",
                     "--out", str(root / "cbow"),
                     *quiet]) == 0
    paths = {kind: str(root / kind / "checkpoint.npz") for kind in
             ("rnnlm", "attention", "cbow")}
    return {**paths, "data": str(data), "vectors": str(root / "cbow" / "vectors.npz"),
            "dir": root}

"""Greedy against beam-search exact-match accuracy of seq2seq checkpoints on
their test split (the numbers under "Beam search" in docs/results.md).

    OPENBLAS_NUM_THREADS=1 python docs/scripts/beam_accuracy.py --data-dir D \
        runs/add-seq2seq/checkpoint.npz runs/add-reversed/checkpoint.npz --beams 1 3 5 10

Run from the project root. Each checkpoint is re-read with the data it was
trained on (its fingerprint is checked), and the accuracy is
``seq2seq_accuracy(..., beam=K)``, as ``train seq2seq --beam K`` measures it.
Each cell: accuracy (mean model log-probability of the answers given, time).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from autograd_nlp.loading.checkpoint_kind import read_checkpoint, restore_model  # noqa: E402
from autograd_nlp.commands.seq2seq import run_label  # noqa: E402
from autograd_nlp.recipes.seq2seq import build_model  # noqa: E402
from autograd_nlp.data.seq import load_seq_dataset  # noqa: E402
from autograd_nlp.training import fingerprint, restore, seq2seq_accuracy  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", help="checkpoint.npz of seq2seq runs")
    parser.add_argument("--data-dir", required=True, help="folder with the book's addition.txt")
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 3, 5, 10],
                        help="beam widths to measure (1: greedy)")
    args = parser.parse_args(argv)
    print("| model | epochs | " + " | ".join("greedy" if k == 1 else f"beam {k}"
                                              for k in args.beams) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in args.beams) + " |")
    notes = []
    for path in args.checkpoints:
        checkpoint = read_checkpoint(path, "beam_accuracy", "seq2seq")
        meta = checkpoint["meta"]
        model = restore_model(checkpoint, path, build_model, restore)
        ds = load_seq_dataset(meta["settings"]["dataset"], args.data_dir,
                              reverse=meta["reverse"])
        if fingerprint(ds.x_train, ds.t_train, ds.x_test, ds.t_test) != \
                meta["data"]["fingerprint"]:
            sys.exit(f"{path}: was not trained on {ds.source}")
        cells, changes = [], []
        greedy = model.generate(ds.x_test, ds.start_id, ds.t_test.shape[1] - 1)
        greedy_right = (greedy == ds.t_test[:, 1:]).all(axis=1)
        greedy_log_prob = model.sequence_log_prob(ds.x_test, ds.start_id, greedy)
        for k in args.beams:
            began = time.perf_counter()
            accuracy, answers = seq2seq_accuracy(model, ds.x_test, ds.t_test, beam=k,
                                                 return_predictions=True)
            seconds = time.perf_counter() - began
            log_prob = model.sequence_log_prob(ds.x_test, ds.start_id, answers)
            cells.append(f"{100 * accuracy:.2f} % ({log_prob.mean():.3f}, {seconds:.1f} s)")
            right = (answers == ds.t_test[:, 1:]).all(axis=1)
            below = int((log_prob < greedy_log_prob - 1e-5).sum())
            changes.append(f"beam {k}: {(answers != greedy).any(axis=1).sum()} answers "
                           f"changed, {(right & ~greedy_right).sum()} made right, "
                           f"{(greedy_right & ~right).sum()} made wrong, {below} less likely "
                           f"than greedy's")
        epochs = len(meta.get("history", {}).get("metrics", []))
        print(f"| {run_label(meta, checkpoint['kind'])} | {epochs} | " + " | ".join(cells)
              + " |", flush=True)
        truth = model.sequence_log_prob(ds.x_test, ds.start_id, ds.t_test[:, 1:]).mean()
        notes.append(f"{run_label(meta, checkpoint['kind'])}: the true answers' mean "
                     f"log-probability {truth:.3f}; against greedy, " + "; ".join(changes[1:]))
    print("\n".join(notes))


if __name__ == "__main__":
    main()

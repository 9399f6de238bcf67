"""``autograd-nlp rl-finetune`` end to end on a tiny seq2seq run."""
from autograd_nlp.cli import main


def test_rl_finetune_continues_a_seq2seq_run_and_compares_with_supervised(tmp_path, capsys,
                                                                          monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "s"
    data = ["--generate-size", "300", "--seed", "3"]
    assert main(["train", "seq2seq", "--epochs", "1", "--hidden", "8", "--batch-size", "32",
                 "--out", str(out), "--quiet"] + data) == 0
    capsys.readouterr()
    assert main(["rl-finetune", "--checkpoint", str(out / "checkpoint.npz"), "--steps", "2",
                 "--batch-size", "16", "--quiet"] + data) == 0
    text = capsys.readouterr().out
    assert "after 2 rl steps" in text and "after 2 supervised steps" in text
    assert "REINFORCE vs supervised at 2 extra steps" in text
    assert (out / "rl-finetuned.npz").exists()
    assert main(["rl-finetune", "--checkpoint", str(out / "checkpoint.npz"), "--steps", "1",
                 "--dataset", "date", "--overwrite"] + data) == 2
    assert "another vocabulary" in capsys.readouterr().err


def test_train_seq2seq_rl_finetune_writes_its_own_checkpoint(tmp_path, capsys):
    """``train seq2seq --rl-finetune STEPS``: the supervised run's checkpoint
    stays as trained; the fine-tuned model goes to rl-finetuned.npz, which
    translate reads."""
    import numpy as np
    out = tmp_path / "run"
    assert main(["train", "seq2seq", "--reverse", "--generate-size", "300", "--hidden", "8",
                 "--wordvec", "8", "--batch-size", "32", "--epochs", "1", "--quiet",
                 "--rl-finetune", "3", "--rl-lr", "0.01", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rl-finetune: 3 steps" in text and "test accuracy" in text
    # (after 1 epoch every reward is 0, so the parameters need not move here;
    # tests/models/test_self_critical.py checks the REINFORCE gradients)
    with np.load(out / "checkpoint.npz") as a, np.load(out / "rl-finetuned.npz") as b:
        assert sorted(a.files) == sorted(b.files)
    assert main(["translate", "--checkpoint", str(out / "rl-finetuned.npz"), "1+2"]) in (0, 3)  # 3: flagged

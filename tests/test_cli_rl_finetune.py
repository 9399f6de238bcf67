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
                 "--dataset", "date"] + data) == 2
    assert "another vocabulary" in capsys.readouterr().err

"""The training commands end to end, on tiny settings (seconds each)."""
import re

import numpy as np

from autograd_nlp.cli import main
from autograd_nlp.data.generate_addition import generate_addition
from autograd_nlp.data.seq_format import write_dataset


def test_attention_generates_its_data_trains_and_translates(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "att"
    assert main(["train", "attention", "--epochs", "1", "--generate-size", "400",
                 "--hidden", "16", "--batch-size", "32", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "generated date" in text and "accuracy per epoch" in text
    assert ("✓" in text) or ("✗" in text)
    assert (out / "checkpoint.npz").exists()
    assert main(["translate", "--checkpoint", str(out / "checkpoint.npz"),
                 "september 27, 1994"]) in (0, 3)  # 3: flagged
    answer, err = capsys.readouterr()
    assert len(answer.strip()) == 10 and "confidence" in err
    assert main(["translate", "--checkpoint", str(out / "checkpoint.npz"),
                 "sept€mber 27"]) == 2
    assert re.search(r"not in the vocabulary.*'€'", capsys.readouterr().err)


def test_seq2seq_resume_continues_the_epochs(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "s"
    args = ["train", "peeky", "--generate-size", "300", "--hidden", "8", "--batch-size",
            "32", "--out", str(out), "--quiet"]
    assert main(args + ["--epochs", "1"]) == 0
    assert main(args + ["--epochs", "2", "--resume", str(out / "checkpoint.npz")]) == 0
    text = capsys.readouterr().out
    assert "resumed from" in text and "epoch 2:" in text


def test_book_rng_replaces_the_seed_with_the_books_draws(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    write_dataset(generate_addition(300, seed=5), tmp_path / "addition.txt")
    params = []
    for seed, book_rng in (("1", []), ("2", []), ("1", ["3"])):
        out = tmp_path / f"{seed}-{book_rng}"
        assert main(["train", "seq2seq", "--data-dir", str(tmp_path), "--hidden", "8",
                     "--batch-size", "32", "--epochs", "1", "--seed", seed, "--book-rng",
                     *book_rng, "--out", str(out), "--quiet"]) == 0
        with np.load(out / "checkpoint.npz", allow_pickle=False) as f:
            params.append({k: f[k] for k in f.files if k.startswith("model/")})
    text = capsys.readouterr().out
    assert "the book's" in text and "legacy generator seeded 3" in text
    # the initial weights and the shuffles come from the book's generator, not --seed
    for key in params[0]:
        np.testing.assert_array_equal(params[0][key], params[1][key])
    assert not np.array_equal(params[0]["model/decoder.out.W"], params[2]["model/decoder.out.W"])


def write_ptb(root, rng):
    words = [f"w{i}" for i in range(30)]
    for split, n in (("train", 400), ("valid", 120), ("test", 120)):
        lines = [" ".join(rng.choice(words, 8)) for _ in range(n // 8)]
        (root / f"ptb.{split}.txt").write_text("\n".join(lines) + "\n")
    # every word must occur in train
    with open(root / "ptb.train.txt", "a") as f:
        f.write(" ".join(words) + "\n")


def test_language_model_train_eval_generate(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    write_ptb(data, np.random.default_rng(0))
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "lm"
    assert main(["train", "rnnlm", "--data-dir", str(data), "--epochs", "2", "--batch-size",
                 "4", "--time-size", "5", "--wordvec", "8", "--hidden", "8", "--lr", "1", "--eval-batch-size", "2",
                 "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "valid perplexity" in text and "test perplexity" in text
    ckpt = str(out / "checkpoint.npz")
    assert main(["eval", "--checkpoint", ckpt, "--data-dir", str(data), "--split",
                 "valid", "--batch-size", "2", "--time-size", "5"]) == 0
    assert "valid perplexity" in capsys.readouterr().out
    assert main(["generate", "--checkpoint", ckpt, "--start", "w3", "--length", "12",
                 "--seed", "0"]) == 0
    words = capsys.readouterr().out.replace(".", " ").split()
    assert words[0] == "w3" and len(words) >= 10
    assert main(["generate", "--checkpoint", ckpt, "--start", "zebra"]) == 2
    assert "not in the vocabulary" in capsys.readouterr().err


def test_word2vec_and_queries(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    write_ptb(data, np.random.default_rng(1))
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "cbow"
    assert main(["train", "cbow", "--data-dir", str(data), "--epochs", "1", "--window", "2",
                 "--hidden", "6", "--batch-size", "20", "--out", str(out), "--quiet"]) == 0
    vectors = str(out / "vectors.npz")
    assert main(["similar", "w1", "--vectors", vectors, "--top", "3"]) == 0
    assert main(["analogy", "w1", "w2", "w3", "--vectors", vectors]) == 0
    assert main(["train", "count-svd", "--data-dir", str(data), "--window", "1", "--hidden",
                 "4", "--out", str(tmp_path / "svd")]) == 0
    text = capsys.readouterr().out
    assert "[query] w1" in text and "[analogy] w1:w2 = w3:?" in text
    assert main(["similar", "nope", "--vectors", vectors]) == 2
    assert "not in the vocabulary" in capsys.readouterr().err


def test_simple_word2vec_on_the_toy_sentence(capsys):
    assert main(["train", "simple-cbow", "--epochs", "300"]) == 0
    text = capsys.readouterr().out
    assert "learned word vectors" in text and "goodbye" in text
    loss = text.split("loss ")[1].split(" after")[0]
    first, last = (float(v) for v in loss.split(" -> "))
    assert last < first


def test_word_vectors_out_may_name_the_file(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    write_ptb(data, np.random.default_rng(2))
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "vecs" / "mine.npz"
    assert main(["train", "count-svd", "--data-dir", str(data), "--window", "1", "--hidden",
                 "3", "--out", str(out)]) == 0
    assert out.exists()


def test_missing_data_is_explained_without_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NLP_CACHE", str(tmp_path / "cache"))
    assert main(["train", "rnnlm", "--data-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "ptb.train.txt" in err and "AUTOGRAD_NLP_DATA" in err

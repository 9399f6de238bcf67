"""benchmarks/word2vec_vs_gensim.py: its options, its skip without gensim,
and our evaluation on the analogy, WordSim353 and SimLex-999 files gensim ships."""
import numpy as np
import pytest

from benchmarks import word2vec_vs_gensim as bench


def test_options_and_their_defaults():
    args = bench.parse_args([])
    assert (args.epochs, args.with_book, args.out, args.seed, args.data_dir) == \
        (10, False, None, 1, None)
    args = bench.parse_args(["--epochs", "1", "--with-book", "--out", "x"])
    assert (args.epochs, args.with_book, args.out) == (1, True, "x")


def test_without_gensim_it_says_so_and_skips(monkeypatch, capsys):
    monkeypatch.setattr(bench, "gensim_evaluation_files", lambda: None)
    monkeypatch.setattr(bench, "pin_threads", lambda n: "threads=1")
    assert bench.main(["--epochs", "1"]) == 0
    assert "gensim is not installed" in capsys.readouterr().out


def test_ptb_sentences_keep_every_token_in_order():
    id_to_word = {0: "a", 1: "b", 2: "<eos>"}
    corpus = np.array([0, 1, 2, 1, 2, 0])
    sentences = bench.ptb_sentences(corpus, id_to_word)
    assert sentences == [["a", "b", "<eos>"], ["b", "<eos>"], ["a"]]


def test_table_gives_ratios_to_gensim():
    scores = {"analogy": 0.05, "analogy coverage": 0.24, "analogy n": 4716,
              "wordsim": 0.25, "wordsim coverage": 0.67, "wordsim n": 237,
              "simlex": 0.125, "simlex n": 600}
    table = bench.format_table({"gensim": (10.0, 9.0, scores), "ours": (25.0, 18.0, scores)})
    assert ("| ours | 25.0 s | 2.50x | 18.0 s | 2.00x | 5.00 % of 4,716 (24 % covered) | "
            "0.250 on 237 pairs (67 % covered) | 0.125 on 600 pairs |") in table


def test_our_evaluation_reads_gensims_files():
    files = bench.gensim_evaluation_files()
    if files is None:
        pytest.skip("gensim is not installed (pip install '.[compare]')")
    from autograd_nlp.text import WordVectors, evaluate_analogy, evaluate_similarity
    questions, pairs, simlex_pairs = files
    words = sorted({w.lower() for line in open(questions, encoding="utf-8")
                    if not line.startswith(":") for w in line.split()})
    rng = np.random.default_rng(0)
    vectors = WordVectors(words, rng.standard_normal((len(words), 8)))
    analogy = evaluate_analogy(vectors, questions)
    assert analogy.overall.n_total == 19544 and analogy.coverage == 1.0
    assert len(analogy.sections) == 14 and analogy.accuracy < 0.01   # random vectors
    similarity = evaluate_similarity(vectors, pairs)
    assert similarity.n_total == 353 and 0 < similarity.coverage < 1
    pair_lines = [line.split("\t") for line in open(pairs, encoding="utf-8")
                  if not line.startswith("#")]
    assert len(pair_lines) == 353
    simlex = evaluate_similarity(vectors, simlex_pairs)
    assert simlex.n_total == 999 and 0 < simlex.coverage < 1

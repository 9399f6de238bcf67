"""Tests for autograd_nlp/text/evaluation.py on small files in tmp_path."""
import math

import numpy as np
import pytest

from autograd_nlp.text import WordVectors, analogy, evaluate_analogy, evaluate_similarity

WORDS = ["man", "king", "woman", "queen", "apple", "pear", "car"]
VECS = np.array([[1.0, 0.0, 0.1, 0.0],     # man
                 [1.0, 1.0, 0.1, 0.0],     # king
                 [-1.0, 0.0, 0.1, 0.0],    # woman
                 [-1.0, 1.0, 0.1, 0.0],    # queen
                 [0.0, 0.0, 1.0, 0.2],     # apple
                 [0.0, 0.1, 1.0, 0.3],     # pear
                 [0.0, -1.0, 0.0, 1.0]])   # car


@pytest.fixture
def wv():
    return WordVectors(WORDS, VECS)


def cos(a, b):
    a, b = VECS[WORDS.index(a)], VECS[WORDS.index(b)]
    return a @ b / np.linalg.norm(a) / np.linalg.norm(b)


def test_similarity_perfect_order_and_coverage(wv, tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("# word1 word2 score\n"
                    "\n"
                    "apple\tpear\t9.0\n"
                    "King Queen 7.5\n"          # lower-cased by default
                    "man  car 1.0\n"
                    "apple zebra 5.0\n"         # OOV
                    "unicorn\tcar\t2\n")       # OOV
    # the human order matches the cosine order: apple-pear > king-queen > man-car
    assert cos("apple", "pear") > cos("king", "queen") > cos("man", "car")
    result = evaluate_similarity(wv, path)
    assert result.spearman == pytest.approx(1.0)
    assert (result.n_evaluated, result.n_total) == (3, 5)
    assert result.coverage == pytest.approx(0.6)
    assert result.oov_words == ("unicorn", "zebra")


def test_similarity_hand_computed_rho(wv, tmp_path):
    pairs = [("apple", "pear", 1.0), ("king", "queen", 2.0), ("man", "car", 3.0),
             ("man", "woman", 4.0)]
    path = tmp_path / "pairs.txt"
    path.write_text("".join(f"{a} {b} {s}\n" for a, b, s in pairs))
    cosines = [cos(a, b) for a, b, _ in pairs]
    # cosine ranks are 4, 3, 2, 1 except man-woman (cos < 0): ranks 4 3 2 1 -> rho = -1
    assert cosines[0] > cosines[1] > cosines[2] > cosines[3]
    assert evaluate_similarity(wv, path).spearman == pytest.approx(-1.0)


def test_similarity_case_sensitive_option(wv, tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("King queen 1\nman woman 2\n")
    result = evaluate_similarity(wv, path, lowercase=False)
    assert (result.n_evaluated, result.n_total, result.oov_words) == (1, 2, ("King",))
    assert math.isnan(result.spearman)


def test_similarity_accepts_pairs_and_mappings(wv, tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("apple pear 3\nking queen 2\nman car 1\n")
    expected = evaluate_similarity(wv, path)
    assert evaluate_similarity((WORDS, VECS), path) == expected
    assert evaluate_similarity(dict(zip(WORDS, VECS)), path) == expected


@pytest.mark.parametrize("line, match", [("a b\n", r"pairs.txt:2: expected 'word1 word2 score'"),
                                         ("a b high\n", "'high' is not a number")])
def test_similarity_malformed_lines(wv, tmp_path, line, match):
    path = tmp_path / "pairs.txt"
    path.write_text("apple pear 1\n" + line)
    with pytest.raises(ValueError, match=match):
        evaluate_similarity(wv, path)


QUESTIONS = """\
# comment
: gender
man king woman queen
Man King Woman Queen
king man queen woman
man king woman prince
: fruit
apple pear man woman
apple pear king car
zebra pear king car
"""


def test_analogy_accuracy_per_section_and_coverage(wv, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(QUESTIONS)
    expected = []              # (line, solved by analogy()?) for in-vocabulary questions
    for line in QUESTIONS.lower().splitlines():
        parts = line.split()
        if len(parts) == 4 and all(p in WORDS for p in parts):
            top = analogy(*parts[:3], wv.word_to_id, wv.id_to_word, wv.vectors, top=1)
            expected.append((line, top[0][0] == parts[3]))
    result = evaluate_analogy(wv, path)
    assert list(result.sections) == ["gender", "fruit"]
    gender, fruit = result.sections["gender"], result.sections["fruit"]
    assert (gender.n_correct, gender.n_evaluated, gender.n_total) == (3, 3, 4)
    assert gender.accuracy == pytest.approx(1.0) and gender.coverage == pytest.approx(0.75)
    assert (fruit.n_evaluated, fruit.n_total) == (2, 3)
    assert fruit.n_correct == sum(ok for line, ok in expected if line.startswith("apple"))
    overall = result.overall
    assert (overall.n_evaluated, overall.n_total) == (5, 7)
    assert overall.n_correct == sum(ok for _, ok in expected) == 3 + fruit.n_correct
    assert result.accuracy == pytest.approx(overall.n_correct / 5)
    assert result.coverage == pytest.approx(5 / 7)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_batched_analogy_agrees_with_one_by_one(tmp_path, batch_size):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    vectors = rng.standard_normal((40, 6)).astype(np.float32)
    quads = rng.choice(40, size=(25, 4), replace=True)
    path = tmp_path / "q.txt"
    path.write_text(": random\n" + "".join(" ".join(words[i] for i in q) + "\n" for q in quads))
    wv = WordVectors(words, vectors)
    expected = sum(
        analogy(*(words[i] for i in q[:3]), wv.word_to_id, wv.id_to_word, vectors, top=1)[0][0]
        == words[q[3]] for q in quads)
    result = evaluate_analogy(wv, path, batch_size=batch_size)
    assert result.overall.n_correct == expected
    assert result.overall.n_evaluated == result.overall.n_total == 25


def test_questions_before_any_header_and_empty_file(wv, tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("man king woman queen\n")
    assert list(evaluate_analogy(wv, path).sections) == ["(no section)"]
    path.write_text("# nothing\n")
    result = evaluate_analogy(wv, path)
    assert result.overall.n_total == 0 and math.isnan(result.accuracy)


def test_analogy_malformed_line(wv, tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": s\nman king woman\n")
    with pytest.raises(ValueError, match=r"q.txt:2: expected 'a b c d'"):
        evaluate_analogy(wv, path)

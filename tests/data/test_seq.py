"""The seq dataset loader: the book's exact split and vocabulary, file lookup
and its error, reversing, and encode / decode.

Tests on the book's files read $AUTOGRAD_NLP_DATA (DIR/seq/*.txt or DIR/*.txt)
and skip when it is unset or the files are absent."""
import os
from pathlib import Path

import numpy as np
import pytest

from autograd_nlp.data.generate_addition import generate_addition
from autograd_nlp.data.paths import DATA_ENV, DatasetNotFoundError
from autograd_nlp.data.seq import (SeqDataset,
                                   UnknownCharacterError, book_random_state, book_split_indices,
                                   find_seq_file, load_seq_dataset, make_seq_dataset,
                                   seq_dataset_from_lines)
from autograd_nlp.data.seq_format import write_dataset


@pytest.fixture(scope="module")
def book_dir():
    """The data directory holding the book's seq files, or skip."""
    base = os.environ.get("AUTOGRAD_NLP_DATA")
    if not base:
        pytest.skip("AUTOGRAD_NLP_DATA is not set: the book's seq files are needed")
    for name in ("addition.txt", "date.txt"):
        if not any((Path(base) / sub / name).is_file() for sub in ("", "seq")):
            pytest.skip(f"{name} is not in $AUTOGRAD_NLP_DATA={base} (nor its seq/)")
    return base


@pytest.fixture
def small_dataset():
    return make_seq_dataset("addition", n=200, seed=1)


def book_reference(path, seed=1984):
    """The book's ``sequence.load_data`` procedure, written naively: vocab in
    order of first appearance (each line's question, then its answer), the
    global legacy generator seeded and shuffled, the last N // 10 as test.
    Restores the global generator's state afterwards."""
    questions, answers, char_to_id = [], [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cut = line.index("_")
            questions.append(line[:cut])
            answers.append(line[cut:-1])
    for q, a in zip(questions, answers):
        for c in q + a:
            if c not in char_to_id:
                char_to_id[c] = len(char_to_id)
    x = np.array([[char_to_id[c] for c in q] for q in questions])
    t = np.array([[char_to_id[c] for c in a] for a in answers])
    state = np.random.get_state()
    try:
        indices = np.arange(len(x))
        np.random.seed(seed)
        np.random.shuffle(indices)
    finally:
        np.random.set_state(state)
    x, t = x[indices], t[indices]
    split_at = len(x) - len(x) // 10
    return x[:split_at], t[:split_at], x[split_at:], t[split_at:], char_to_id


# ---------------------------------------------------------------- the book's files

@pytest.mark.parametrize("name,widths", [("addition", (7, 5)), ("date", (29, 11))])
def test_book_split_is_exactly_the_books(book_dir, name, widths):
    ds = load_seq_dataset(name, data_dir=book_dir)
    x_train, t_train, x_test, t_test, char_to_id = book_reference(find_seq_file(name, book_dir))
    assert ds.x_train.shape == (45000, widths[0]) and ds.t_train.shape == (45000, widths[1])
    assert ds.x_test.shape == (5000, widths[0]) and ds.t_test.shape == (5000, widths[1])
    assert ds.char_to_id == char_to_id
    assert list(ds.char_to_id) == list(char_to_id)      # same order, so same ids
    np.testing.assert_array_equal(ds.x_train, x_train)
    np.testing.assert_array_equal(ds.t_train, t_train)
    np.testing.assert_array_equal(ds.x_test, x_test)
    np.testing.assert_array_equal(ds.t_test, t_test)
    assert ds.x_train.dtype == np.int64
    assert (ds.t_train[:, 0] == ds.start_id).all()


def test_addition_first_row_is_the_books_printed_one(book_dir):
    # printed by the book's ch07/show_addition_dataset.py
    ds = load_seq_dataset("addition", data_dir=book_dir)
    assert ds.x_train[0].tolist() == [3, 0, 2, 0, 0, 11, 5]
    assert ds.t_train[0].tolist() == [6, 0, 11, 7, 5]
    assert ds.decode(ds.x_train[0]) == "71+118 " and ds.decode(ds.t_train[0]) == "_189 "
    assert ds.vocab_size == 13 and ds.start_id == 6 and ds.pad_id == 5


def test_loading_leaves_the_global_generator_alone(book_dir):
    np.random.seed(123)
    expected = np.random.random_sample()
    np.random.seed(123)
    load_seq_dataset("addition", data_dir=book_dir)
    assert np.random.random_sample() == expected


def test_env_var_finds_the_books_files(book_dir, monkeypatch):
    monkeypatch.setenv(DATA_ENV, book_dir)
    assert load_seq_dataset("date").x_test.shape == (5000, 29)


# ---------------------------------------------------------------- lookup

def test_directory_layouts_and_explicit_path(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    lines = generate_addition(100, seed=2)
    flat, nested = tmp_path / "flat", tmp_path / "nested"
    write_dataset(lines, flat / "addition.txt")
    write_dataset(lines, nested / "seq" / "addition.txt")
    a = load_seq_dataset("addition", data_dir=flat)
    b = load_seq_dataset("addition", data_dir=nested)
    c = load_seq_dataset(flat / "addition.txt")
    monkeypatch.setenv(DATA_ENV, str(nested))
    d = load_seq_dataset("addition")
    e = load_seq_dataset("addition.txt", data_dir=flat)
    for other in (b, c, d, e):
        np.testing.assert_array_equal(a.x_train, other.x_train)
        np.testing.assert_array_equal(a.t_test, other.t_test)
    assert a.x_train.shape == (90, 7) and a.x_test.shape == (10, 7)


def test_missing_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(FileNotFoundError) as info:
        load_seq_dataset("addition")
    assert isinstance(info.value, DatasetNotFoundError)
    message = str(info.value)
    for needed in ("addition.txt", "seq/addition.txt", DATA_ENV, "data_dir",
                   "make_seq_dataset", "generate_addition"):
        assert needed in message
    with pytest.raises(DatasetNotFoundError) as info:
        load_seq_dataset("date", data_dir=tmp_path)
    assert "date.txt" in str(info.value) and str(tmp_path / "seq") in str(info.value)
    with pytest.raises(DatasetNotFoundError, match="'addition', 'date' or the path"):
        load_seq_dataset(tmp_path / "nope.txt")


def test_malformed_files_name_the_line(tmp_path):
    with pytest.raises(ValueError, match="line 2: .*no '_'"):
        seq_dataset_from_lines(["1+1  _2  ", "1+1  2  "])
    with pytest.raises(ValueError, match=r"line 2: question '1\+10  ' has 6"):
        seq_dataset_from_lines(["1+1  _2  ", "1+10  _11 "])
    path = tmp_path / "empty.txt"
    path.write_text("\n")
    with pytest.raises(ValueError, match="no lines"):
        load_seq_dataset(path)


# ---------------------------------------------------------------- split, reverse

def test_split_sizes_and_seed():
    train, test = book_split_indices(50000)
    assert len(train) == 45000 and len(test) == 5000
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(50000))
    reference = np.arange(50000)
    np.random.RandomState(1984).shuffle(reference)
    np.testing.assert_array_equal(np.concatenate([train, test]), reference)
    assert len(book_split_indices(100, test_ratio=0.25)[1]) == 25
    assert len(book_split_indices(100, test_ratio=0)[1]) == 0
    with pytest.raises(ValueError, match="test_ratio"):
        book_split_indices(100, test_ratio=1)


def test_book_random_state_is_numpys_global_generator_after_load_data():
    rng = book_random_state(300)
    np.random.seed(1984)
    np.random.shuffle(np.arange(300))
    np.testing.assert_array_equal(rng.randn(5), np.random.randn(5))
    np.testing.assert_array_equal(rng.permutation(20), np.random.permutation(np.arange(20)))


def test_reverse_flips_the_inputs_only():
    plain = make_seq_dataset("date", n=300, seed=3)
    flipped = make_seq_dataset("date", n=300, seed=3, reverse=True)
    np.testing.assert_array_equal(flipped.x_train, plain.x_train[:, ::-1])
    np.testing.assert_array_equal(flipped.x_test, plain.x_test[:, ::-1])
    np.testing.assert_array_equal(flipped.t_train, plain.t_train)
    assert flipped.reverse and flipped.x_train.flags.c_contiguous
    assert flipped.decode(flipped.x_train[0][::-1]) == plain.decode(plain.x_train[0])


def test_make_seq_dataset_full_size_and_deterministic():
    ds = make_seq_dataset("addition", n=50000, seed=0)
    assert ds.x_train.shape == (45000, 7) and ds.t_test.shape == (5000, 5)
    again = make_seq_dataset("addition", n=50000, seed=0)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    other = make_seq_dataset("addition", n=50000, seed=1)
    assert not np.array_equal(ds.x_train, other.x_train)
    dates = make_seq_dataset("date", n=1000, families=["yyyy-mm-dd"])
    assert all(dates.decode(x).rstrip() == dates.decode(t)[1:]
               for x, t in zip(dates.x_train, dates.t_train))
    with pytest.raises(ValueError, match="unknown seq dataset"):
        make_seq_dataset("dates")


# ---------------------------------------------------------------- encode / decode

def test_encode_decode_round_trip(small_dataset):
    ds = small_dataset
    texts = ds.decode(ds.x_train[:5])
    assert isinstance(texts, list) and all(len(t) == ds.question_length for t in texts)
    np.testing.assert_array_equal(ds.encode(texts), ds.x_train[:5])
    assert ds.decode(ds.encode("12+34")) == "12+34"
    padded = ds.encode(["1+2", "345+6"], length=ds.question_length)
    assert padded.shape == (2, 7) and padded.dtype == np.int64
    assert ds.decode(padded[0]) == "1+2    " and padded[0, -1] == ds.pad_id
    with pytest.raises(ValueError, match="different lengths .3, 5.; pass length=N"):
        ds.encode(["1+2", "345+6"])
    with pytest.raises(ValueError, match="more than length=7"):
        ds.encode("1234+5678", length=7)
    with pytest.raises(ValueError, match=r"ids \[99\]"):
        ds.decode([1, 99])


def test_encode_questions_reverses_like_the_data():
    ds = make_seq_dataset("addition", n=200, seed=1, reverse=True)
    question = ds.decode(ds.x_test[0][::-1])
    np.testing.assert_array_equal(ds.encode_questions(question), ds.x_test[0])
    assert ds.encode_questions([question, question]).shape == (2, 7)


def test_unknown_characters_are_named(small_dataset):
    with pytest.raises(UnknownCharacterError) as info:
        small_dataset.encode(["12*3x", "1*2"], length=7)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, KeyError)
    assert error.chars == ("*", "x")
    assert "'*', 'x'" in str(error) and "vocabulary" in str(error)


def test_dataset_properties(small_dataset):
    ds = small_dataset
    assert isinstance(ds, SeqDataset)
    assert ds.question_length == 7 and ds.answer_length == 5
    assert ds.vocab_size == len(ds.id_to_char) == 13
    assert ds.id_to_char[ds.start_id] == "_" and ds.id_to_char[ds.pad_id] == " "
    (x_train, t_train), (x_test, t_test) = ds.as_tuples()
    assert x_train is ds.x_train and t_test is ds.t_test
    assert max(a.max() for a in (x_train, t_train, x_test, t_test)) < ds.vocab_size

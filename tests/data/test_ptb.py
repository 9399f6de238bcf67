"""Tests for autograd_nlp/data/ptb.py: counts on the real data, both directory
layouts, the cache (under the user cache directory, validated), unusable text
files, and the offline error."""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from autograd_nlp.data import (DataError, DatasetError, DatasetNotFoundError, DownloadError,
                               load_ptb)
from autograd_nlp.data import ptb
from autograd_nlp.data.paths import CACHE_ENV, DATA_ENV, cache_root

# A tiny stand-in for PTB in the same format (leading space, trailing space).
SMALL_PTB = {
    "ptb.train.txt": " the cat sat \n the dog sat on the mat \n",
    "ptb.valid.txt": " the dog sat \n",
    "ptb.test.txt": " the cat \n",
}
SMALL_VOCAB = ["the", "cat", "sat", "<eos>", "dog", "on", "mat"]
SMALL_IDS = {
    "train": [0, 1, 2, 3, 0, 4, 2, 5, 0, 6, 3],
    "valid": [0, 4, 2, 3],
    "test": [0, 1, 3],
}


def write_small_ptb(directory: Path, files=SMALL_PTB) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def check_small(split, corpus, word_to_id, id_to_word):
    assert corpus.dtype == np.int64
    assert corpus.tolist() == SMALL_IDS[split]
    assert [id_to_word[i] for i in range(len(id_to_word))] == SMALL_VOCAB
    assert word_to_id == {w: i for i, w in enumerate(SMALL_VOCAB)}


# ---- the real Penn Treebank ($AUTOGRAD_NLP_DATA) -------------------------------

def test_real_ptb_counts_match_the_book(ptb_data_dir):
    expected = {"train": 929_589, "valid": 73_760, "test": 82_430}
    vocab = None
    for split, n_tokens in expected.items():
        corpus, word_to_id, id_to_word = load_ptb(split, data_dir=ptb_data_dir)
        assert corpus.shape == (n_tokens,) and corpus.dtype == np.int64
        assert len(word_to_id) == len(id_to_word) == 10_000
        assert 0 <= corpus.min() and corpus.max() < 10_000
        vocab = vocab or word_to_id
        assert word_to_id == vocab, "valid/test must use the training vocabulary"
    assert [id_to_word[i] for i in range(3)] == ["aer", "banknote", "berlitz"]


def test_real_ptb_matches_the_book_reader(ptb_data_dir):
    """ids equal the book's own recipe (read().replace('\\n', '<eos>'))."""
    corpus, word_to_id, _ = load_ptb("valid", data_dir=ptb_data_dir)
    root = ptb_data_dir / "ptb" if (ptb_data_dir / "ptb").is_dir() else ptb_data_dir
    words = (root / "ptb.valid.txt").read_text().replace("\n", "<eos>").strip().split()
    assert corpus.tolist() == [word_to_id[w] for w in words]


def test_real_ptb_second_load_comes_from_cache(ptb_data_dir):
    first = load_ptb("test", data_dir=ptb_data_dir)
    second = load_ptb("test", data_dir=ptb_data_dir)
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]


# ---- layouts and directory resolution -------------------------------------------

@pytest.mark.parametrize("layout", ["subdir", "flat"])
@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_both_layouts_via_argument(tmp_path, monkeypatch, layout, split):
    monkeypatch.delenv(DATA_ENV, raising=False)
    root = tmp_path / "data"
    write_small_ptb(root / "ptb" if layout == "subdir" else root)
    check_small(split, *load_ptb(split, data_dir=root))


def test_environment_variable_is_used(tmp_path, monkeypatch):
    root = tmp_path / "data"
    write_small_ptb(root / "ptb")
    monkeypatch.setenv(DATA_ENV, str(root))
    check_small("valid", *load_ptb("valid"))


def test_argument_beats_environment_variable(tmp_path, monkeypatch):
    write_small_ptb(tmp_path / "good")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "does-not-exist"))
    check_small("train", *load_ptb("train", data_dir=tmp_path / "good"))


def test_only_needed_files_are_required(tmp_path, monkeypatch):
    """train needs only ptb.train.txt; valid needs train (vocabulary) + valid."""
    monkeypatch.delenv(DATA_ENV, raising=False)
    write_small_ptb(tmp_path, {"ptb.train.txt": SMALL_PTB["ptb.train.txt"]})
    check_small("train", *load_ptb("train", data_dir=tmp_path))
    with pytest.raises(DatasetNotFoundError, match="ptb.valid.txt"):
        load_ptb("valid", data_dir=tmp_path)


def test_unknown_split_names_the_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="train, valid, test"):
        load_ptb("dev", data_dir=tmp_path)


def test_configured_directory_without_files_is_an_error_not_a_download(tmp_path, monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("must not download when a data directory is configured")
    monkeypatch.setattr(ptb, "download_file", no_download)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(DATA_ENV, str(empty))
    with pytest.raises(FileNotFoundError) as info:
        load_ptb("train")
    message = str(info.value)
    assert isinstance(info.value, DatasetNotFoundError)
    assert str(empty / "ptb") in message and "ptb.train.txt" in message
    assert DATA_ENV in message and "data_dir" in message


def test_word_missing_from_train_vocabulary_is_named(tmp_path):
    files = dict(SMALL_PTB, **{"ptb.test.txt": " the zebra \n"})
    write_small_ptb(tmp_path, files)
    with pytest.raises(DataError, match="'zebra'.*ptb.test.txt"):     # a ValueError
        load_ptb("test", data_dir=tmp_path)


# ---- the array cache (under the user cache directory, never in the data folder) --

def cache_file(directory: Path, split: str) -> Path:
    return directory / f"ptb.{split}.ids.npy"


def test_cache_is_written_under_the_cache_root_not_the_data_folder(tmp_path, isolated_cache):
    write_small_ptb(tmp_path / "data")
    load_ptb("valid", data_dir=tmp_path / "data")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(SMALL_PTB)
    cached = ptb.array_cache_dir(tmp_path / "data")
    assert cached.parent == isolated_cache / "arrays"
    for name in ("ptb.valid.ids.npy", "ptb.valid.ids.json", "ptb.vocab.npy", "ptb.vocab.json"):
        assert (cached / name).is_file(), name
    assert not list(cached.glob(".*.tmp")), "temporary files must not be left behind"


def test_cache_dir_is_keyed_by_the_absolute_source_path(tmp_path, monkeypatch):
    first, second = tmp_path / "one", tmp_path / "two"
    write_small_ptb(first)
    write_small_ptb(second, dict(SMALL_PTB, **{"ptb.train.txt": " a b \n"}))
    monkeypatch.chdir(tmp_path)
    assert ptb.array_cache_dir("one") == ptb.array_cache_dir(first)
    assert ptb.array_cache_dir(first) != ptb.array_cache_dir(second)
    check_small("train", *load_ptb("train", data_dir=first))
    corpus, word_to_id, _ = load_ptb("train", data_dir=second)
    assert word_to_id == {"a": 0, "b": 1, "<eos>": 2} and corpus.tolist() == [0, 1, 2]
    check_small("train", *load_ptb("train", data_dir=first))


@pytest.mark.parametrize("env, expected", [
    ({CACHE_ENV: "{tmp}/mine", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/mine"),
    ({CACHE_ENV: "", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/autograd_nlp"),
    ({CACHE_ENV: "", "XDG_CACHE_HOME": ""}, "{tmp}/home/.cache/autograd_nlp"),
])
def test_cache_root_follows_the_environment(tmp_path, monkeypatch, env, expected):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert cache_root() == Path(expected.format(tmp=tmp_path))
    write_small_ptb(tmp_path / "data")
    check_small("test", *load_ptb("test", data_dir=tmp_path / "data"))
    written = list(Path(expected.format(tmp=tmp_path)).glob("arrays/ptb-*/ptb.test.ids.npy"))
    assert len(written) == 1


def test_cached_arrays_are_what_is_returned(tmp_path):
    write_small_ptb(tmp_path / "data")
    load_ptb("train", data_dir=tmp_path / "data")
    cached = ptb.array_cache_dir(tmp_path / "data")
    np.testing.assert_array_equal(np.load(cache_file(cached, "train"), allow_pickle=False),
                                  SMALL_IDS["train"])
    check_small("train", *load_ptb("train", data_dir=tmp_path / "data"))


def test_second_load_does_not_read_the_text(tmp_path, monkeypatch):
    write_small_ptb(tmp_path / "data")
    load_ptb("valid", data_dir=tmp_path / "data")

    def no_reading(path):
        raise AssertionError(f"read {path} although the cache is fresh")
    monkeypatch.setattr(ptb, "read_tokens", no_reading)
    check_small("valid", *load_ptb("valid", data_dir=tmp_path / "data"))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 16])


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a cache file")


def _pickled_object_array(path: Path) -> None:
    np.save(path, np.array([{"evil": 1}], dtype=object), allow_pickle=True)


def _wrong_length_array(path: Path) -> None:
    np.save(path, np.arange(3, dtype=np.int64))


@pytest.mark.parametrize("damage", [_truncate, _flip_last_byte, _garbage,
                                    _pickled_object_array, _wrong_length_array, Path.unlink])
@pytest.mark.parametrize("target", ["ids", "sidecar", "vocab"])
def test_damaged_cache_is_detected_and_rebuilt(tmp_path, damage, target):
    data = write_small_ptb(tmp_path / "data")
    load_ptb("train", data_dir=data)
    cached = ptb.array_cache_dir(data)
    path = {"ids": cache_file(cached, "train"),
            "sidecar": cached / "ptb.train.ids.json",
            "vocab": cached / "ptb.vocab.npy"}[target]
    damage(path)
    check_small("train", *load_ptb("train", data_dir=data))
    # rebuilt: the files are whole again and agree with each other
    side = json.loads((cached / "ptb.train.ids.json").read_text())
    ids = np.load(cache_file(cached, "train"), allow_pickle=False)
    assert ids.tolist() == SMALL_IDS["train"]
    assert side["sha256"] == hashlib.sha256(ids.tobytes()).hexdigest()


def test_stale_cache_is_rebuilt_when_the_text_changes(tmp_path):
    write_small_ptb(tmp_path)
    load_ptb("valid", data_dir=tmp_path)
    old = os.stat(tmp_path / "ptb.train.txt")
    # same size, same mtime, different words: only the content hash can tell
    (tmp_path / "ptb.train.txt").write_text(" the cat sat \n the dog sat on the hat \n")
    os.utime(tmp_path / "ptb.train.txt", ns=(old.st_atime_ns, old.st_mtime_ns))
    corpus, word_to_id, _ = load_ptb("valid", data_dir=tmp_path)
    assert "hat" in word_to_id and "mat" not in word_to_id
    assert corpus.tolist() == SMALL_IDS["valid"]
    sidecar = json.loads((ptb.array_cache_dir(tmp_path) / "ptb.vocab.json").read_text())
    assert sidecar["meta"]["sources"][0]["sha256"] == hashlib.sha256(
        (tmp_path / "ptb.train.txt").read_bytes()).hexdigest()


def test_stale_cache_is_rebuilt_when_a_split_grows(tmp_path):
    write_small_ptb(tmp_path)
    load_ptb("test", data_dir=tmp_path)
    with open(tmp_path / "ptb.test.txt", "a") as f:
        f.write(" the mat \n")
    assert load_ptb("test", data_dir=tmp_path)[0].tolist() == SMALL_IDS["test"] + [0, 6, 3]


def test_read_only_data_dir_is_left_untouched(tmp_path, isolated_cache):
    data = write_small_ptb(tmp_path / "ro")
    data.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        check_small("test", *load_ptb("test", data_dir=data))
        assert sorted(p.name for p in data.iterdir()) == sorted(SMALL_PTB)
        cached = list((isolated_cache / "arrays").glob("ptb-*/ptb.test.ids.npy"))
        assert len(cached) == 1
        check_small("test", *load_ptb("test", data_dir=data))
    finally:
        data.chmod(stat.S_IRWXU)


def test_unwritable_cache_root_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    write_small_ptb(tmp_path / "data")
    check_small("valid", *load_ptb("valid", data_dir=tmp_path / "data"))


def test_ptb_source_is_the_file_that_is_read(tmp_path, monkeypatch, isolated_cache):
    monkeypatch.delenv(DATA_ENV, raising=False)
    write_small_ptb(tmp_path / "data" / "ptb")
    assert ptb.ptb_source("valid", tmp_path / "data") == tmp_path / "data" / "ptb" / "ptb.valid.txt"
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    assert ptb.ptb_source("test") == tmp_path / "data" / "ptb" / "ptb.test.txt"
    monkeypatch.delenv(DATA_ENV)
    assert ptb.ptb_source("train") == isolated_cache / "ptb" / "ptb.train.txt"


# ---- unusable text files: a DataError naming the file ------------------------------

@pytest.mark.parametrize("content, problem", [
    (b"", "ptb.train.txt is empty"),
    (b" \n\n  \n", "ptb.train.txt is empty"),
    (b"\x1f\x8b\x08\x00\xff\xfe binary", "ptb.train.txt is not UTF-8 text"),
    (b"the cat\x00\x00\x00 sat", "ptb.train.txt is not text (it contains NUL bytes"),
])
def test_unusable_train_file_is_a_clear_data_error(tmp_path, content, problem):
    write_small_ptb(tmp_path)
    (tmp_path / "ptb.train.txt").write_bytes(content)
    with pytest.raises(DataError) as info:
        load_ptb("train", data_dir=tmp_path)
    message = str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DatasetError)
    assert message.startswith(problem), message
    assert str(tmp_path / "ptb.train.txt") in message and "one sentence per line" in message


def test_empty_test_file_is_named(tmp_path):
    write_small_ptb(tmp_path)
    (tmp_path / "ptb.test.txt").write_bytes(b"")
    with pytest.raises(DataError, match=r"^ptb.test.txt is empty \(0 bytes\)"):
        load_ptb("test", data_dir=tmp_path)


def test_file_emptied_after_caching_is_noticed(tmp_path):
    write_small_ptb(tmp_path)
    load_ptb("train", data_dir=tmp_path)
    (tmp_path / "ptb.train.txt").write_bytes(b"")
    with pytest.raises(DataError, match="ptb.train.txt is empty"):
        load_ptb("train", data_dir=tmp_path)


@pytest.mark.parametrize("content, problem", [(b"", "is empty"),
                                              (b"\xff\xfe\x00binary", "is not UTF-8 text")])
def test_cli_reports_an_unusable_train_file_without_traceback(tmp_path, capsys, content,
                                                              problem):
    from autograd_nlp.cli import main
    write_small_ptb(tmp_path)
    (tmp_path / "ptb.train.txt").write_bytes(content)
    code = main(["train", "count-svd", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"ptb.train.txt {problem}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


# ---- no data directory: download, or a helpful error ----------------------------

def test_offline_without_data_gives_instructions(monkeypatch, isolated_cache):
    monkeypatch.delenv(DATA_ENV, raising=False)

    def offline(url, dest, sha256, timeout=30.0):
        raise DownloadError(f"could not download {url}: network is unreachable")
    monkeypatch.setattr(ptb, "download_file", offline)
    with pytest.raises(FileNotFoundError) as info:
        load_ptb("train")
    message = str(info.value)
    assert isinstance(info.value, DatasetNotFoundError)
    for needed in ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt", DATA_ENV, "data_dir",
                   "DIR/ptb/", str(isolated_cache / "ptb"), "network is unreachable",
                   "https://raw.githubusercontent.com/tomsercu/lstm/master/data/ptb.train.txt"):
        assert needed in message, needed


def test_download_into_cache_when_no_directory_is_configured(monkeypatch, isolated_cache):
    monkeypatch.delenv(DATA_ENV, raising=False)
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in SMALL_PTB.items()}
    monkeypatch.setattr(ptb, "SHA256", digests)
    fetched = []

    def fake_download(url, dest, sha256, timeout=30.0):
        name = Path(dest).name
        assert url.endswith(name) and sha256 == digests[name]
        fetched.append(name)
        write_small_ptb(Path(dest).parent, {name: SMALL_PTB[name]})
        return Path(dest)
    monkeypatch.setattr(ptb, "download_file", fake_download)

    check_small("valid", *load_ptb("valid"))
    assert fetched == ["ptb.train.txt", "ptb.valid.txt"]
    assert (ptb.array_cache_dir(isolated_cache / "ptb") / "ptb.valid.ids.npy").is_file()
    check_small("valid", *load_ptb("valid"))
    assert fetched == ["ptb.train.txt", "ptb.valid.txt"], "already downloaded"
    # a damaged download is fetched again
    (isolated_cache / "ptb" / "ptb.valid.txt").write_text(" the cat \n")
    check_small("valid", *load_ptb("valid"))
    assert fetched[-1] == "ptb.valid.txt" and len(fetched) == 3


def test_cache_env_var_moves_the_download_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "elsewhere"))
    dests = []

    def record(url, dest, sha256, timeout=30.0):
        dests.append(Path(dest))
        raise DownloadError("offline")
    monkeypatch.setattr(ptb, "download_file", record)
    with pytest.raises(DatasetNotFoundError):
        load_ptb("train")
    assert dests == [tmp_path / "elsewhere" / "ptb" / "ptb.train.txt"]


def test_known_digests_are_those_of_the_real_files(ptb_data_dir):
    root = ptb_data_dir / "ptb" if (ptb_data_dir / "ptb").is_dir() else ptb_data_dir
    for name, digest in ptb.SHA256.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name

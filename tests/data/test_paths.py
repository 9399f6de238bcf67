"""Tests for autograd_nlp/data/paths.py: argument > environment variable."""
from pathlib import Path

import pytest

from autograd_nlp.data.paths import (CACHE_ENV, DATA_ENV, DatasetNotFoundError,
                                     cache_root, find_dataset_dir, resolve_data_dir)

FILES = ["x.txt", "y.txt"]


def make(directory: Path, names=FILES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_text("data")
    return directory


def test_nothing_configured_returns_none(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    assert resolve_data_dir(None, "toy", FILES) is None


def test_empty_environment_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv(DATA_ENV, "")
    assert resolve_data_dir(None, "toy", FILES) is None


def test_subdirectory_and_flat_layouts(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    make(tmp_path / "a" / "toy")
    make(tmp_path / "b")
    assert resolve_data_dir(tmp_path / "a", "toy", FILES) == tmp_path / "a" / "toy"
    assert resolve_data_dir(str(tmp_path / "b"), "toy", FILES) == tmp_path / "b"


def test_subdirectory_wins_when_both_hold_the_files(tmp_path):
    make(tmp_path)
    make(tmp_path / "toy")
    assert find_dataset_dir(tmp_path, "toy", FILES) == tmp_path / "toy"


def test_all_files_must_be_in_the_same_directory(tmp_path):
    make(tmp_path, ["x.txt"])
    make(tmp_path / "toy", ["y.txt"])
    assert find_dataset_dir(tmp_path, "toy", FILES) is None


def test_argument_beats_environment(tmp_path, monkeypatch):
    make(tmp_path / "env")
    make(tmp_path / "arg")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(None, "toy", FILES) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "arg", "toy", FILES) == tmp_path / "arg"


def test_missing_files_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    with pytest.raises(DatasetNotFoundError) as info:
        resolve_data_dir(None, "toy", FILES, hint="Get them from example.org.")
    message = str(info.value)
    for needed in ("x.txt, y.txt", str(tmp_path / "toy"), f"${DATA_ENV}", "DIR/toy/",
                   "data_dir=DIR", "example.org"):
        assert needed in message, needed
    assert isinstance(info.value, FileNotFoundError)


def test_cache_root_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert cache_root() == Path.home() / ".cache" / "autograd_nlp"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_root() == tmp_path

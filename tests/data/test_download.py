"""Tests for autograd_nlp/data/download.py, offline through file:// URLs."""
import hashlib

import pytest

from autograd_nlp.data.download import DownloadError, download_file, sha256_file


def test_download_checks_the_digest_and_moves_into_place(tmp_path):
    source = tmp_path / "source.txt"
    source.write_bytes(b"hello world\n" * 1000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    dest = download_file(source.as_uri(), tmp_path / "out" / "copy.txt", digest)
    assert dest.read_bytes() == source.read_bytes()
    assert sha256_file(dest) == digest
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.txt"]


def test_wrong_digest_leaves_nothing_behind(tmp_path):
    source = tmp_path / "source.txt"
    source.write_text("tampered")
    out = tmp_path / "out"
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        download_file(source.as_uri(), out / "copy.txt", "0" * 64)
    assert list(out.iterdir()) == []


def test_unreachable_url_is_a_download_error(tmp_path):
    with pytest.raises(DownloadError, match="could not download") as info:
        download_file((tmp_path / "missing.txt").as_uri(), tmp_path / "copy.txt", "0" * 64)
    assert isinstance(info.value, OSError)
    assert not (tmp_path / "copy.txt").exists()

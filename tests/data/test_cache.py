"""Tests for autograd_nlp/data/cache.py: arrays with a validating sidecar."""
import json
import stat

import numpy as np

from autograd_nlp.data import cache

META = {"format": 1, "sources": [{"name": "x.txt", "size": 3, "sha256": "ab"}]}


def test_roundtrip(tmp_path):
    array = np.arange(10, dtype=np.int64)
    cache.save_array(tmp_path / "a.npy", array, META)
    loaded = cache.load_array(tmp_path / "a.npy", META)
    np.testing.assert_array_equal(loaded, array)
    assert loaded.dtype == np.int64
    side = json.loads((tmp_path / "a.json").read_text())
    assert side["meta"] == META and side["shape"] == [10]


def test_other_meta_means_stale(tmp_path):
    cache.save_array(tmp_path / "a.npy", np.arange(3), META)
    assert cache.load_array(tmp_path / "a.npy", dict(META, format=2)) is None


def test_missing_sidecar_or_array_reads_as_not_cached(tmp_path):
    cache.save_array(tmp_path / "a.npy", np.arange(3), META)
    (tmp_path / "a.json").unlink()
    assert cache.load_array(tmp_path / "a.npy", META) is None
    assert cache.load_array(tmp_path / "nothing.npy", META) is None


def test_same_shape_different_bytes_is_rejected(tmp_path):
    cache.save_array(tmp_path / "a.npy", np.arange(3), META)
    np.save(tmp_path / "a.npy", np.arange(3)[::-1].copy())
    assert cache.load_array(tmp_path / "a.npy", META) is None


def test_save_first_skips_read_only_directories(tmp_path):
    ro, rw = tmp_path / "ro", tmp_path / "rw"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        written = cache.save_first([ro, rw], "a.npy", np.arange(3), META)
        assert written == rw / "a.npy"
        assert list(ro.iterdir()) == []
        np.testing.assert_array_equal(cache.load_first([ro, rw], "a.npy", META), np.arange(3))
    finally:
        ro.chmod(stat.S_IRWXU)


def test_source_signature_hashes_content(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("abc")
    sig = cache.source_signature(path)
    assert sig == {"name": "x.txt", "size": 3,
                   "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}

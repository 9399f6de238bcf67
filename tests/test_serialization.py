"""load_npz names each way a file can fail to be an .npz, and never unpickles."""
import numpy as np
import pytest

from autograd_nlp.errors import BadFileError, UserError
from autograd_nlp.serialization import load_npz, npz_keys, save_npz


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.npz"
    save_npz(path, {"a": np.arange(1000.0), "b": np.ones(3)}, meta={"kind": "rnnlm"})
    return path


def test_round_trip_and_keys(good):
    arrays, meta = load_npz(good, with_meta=True)
    assert meta == {"kind": "rnnlm"} and sorted(arrays) == ["a", "b"]
    np.testing.assert_array_equal(arrays["a"], np.arange(1000.0))
    assert sorted(npz_keys(good)) == ["__meta__", "a", "b"]


@pytest.mark.parametrize("damage, says", [
    (lambda p, data: p.write_bytes(data[:len(data) // 2]), "not an .npz file"),
    (lambda p, data: p.write_bytes(b""), r"is empty \(0 bytes\)"),
    (lambda p, data: p.write_text("hello\n"), "not an .npz file"),
    (lambda p, data: p.unlink(), "does not exist"),
])
def test_damaged_files_raise_bad_file_error(good, damage, says):
    damage(good, good.read_bytes())
    for read in (load_npz, npz_keys):
        with pytest.raises(BadFileError, match=says) as info:
            read(good)
        assert isinstance(info.value, UserError) and "pickled" not in str(info.value)


def test_bad_crc(good):
    data = bytearray(good.read_bytes())
    data[200] ^= 0xFF                    # inside the first array's bytes
    good.write_bytes(bytes(data))
    with pytest.raises(BadFileError, match="corrupt"):
        load_npz(good)


def test_a_directory_names_the_npz_files_inside(tmp_path, good):
    with pytest.raises(BadFileError, match="is a directory.*it holds good.npz"):
        load_npz(tmp_path)


def test_object_arrays_are_refused_not_unpickled(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(BadFileError, match="never loads"):
        load_npz(path)

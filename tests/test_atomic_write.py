"""Atomic writes and the temporaries that killed writers leave behind."""
import os
import time

import pytest

from autograd_nlp.serialization import atomic_write, remove_stale_temporaries


def touch(path, age=0.0):
    path.write_bytes(b"partial")
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def test_only_stale_temporaries_of_the_same_target_are_removed(tmp_path):
    target = tmp_path / "a.npz"
    dead = touch(tmp_path / ".a.npz.99999999.k3j.tmp")              # its writer is gone
    live = touch(tmp_path / f".a.npz.{os.getppid()}.q1w.tmp")        # being written
    old_live = touch(tmp_path / f".a.npz.{os.getppid()}.zz9.tmp", age=2 * 3600)  # pid reused
    no_pid_new = touch(tmp_path / ".a.npz.x8s.tmp", age=5)           # earlier version, recent
    no_pid_old = touch(tmp_path / ".a.npz.x9s.tmp", age=120)
    longer_name = touch(tmp_path / ".a.npz.5.99999999.k3j.tmp")      # target "a.npz.5"'s
    other = touch(tmp_path / ".b.npz.99999999.k3j.tmp")
    removed = remove_stale_temporaries(target)
    assert sorted(removed) == sorted(map(str, (dead, old_live, no_pid_old)))
    for kept in (live, no_pid_new, longer_name, other):
        assert kept.exists()


def test_a_failed_write_leaves_neither_the_target_nor_a_temporary(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, lambda f: f.write("old"), text=True)

    def fail(f):
        f.write("half")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        atomic_write(target, fail, text=True)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["x.txt"]


def test_the_next_write_removes_a_killed_writers_temporary(tmp_path):
    dead = touch(tmp_path / ".x.txt.99999999.k3j.tmp")
    atomic_write(tmp_path / "x.txt", lambda f: f.write("new"), text=True)
    assert os.listdir(tmp_path) == ["x.txt"]
    assert not dead.exists()


def test_a_checkpoint_write_fsyncs_the_file_then_its_folder(tmp_path, monkeypatch):
    """The data reach the disk before the name points at them, and the
    rename reaches it before save returns: what a database does."""
    import stat

    import numpy as np

    from autograd_nlp import optim
    from autograd_nlp.layers import Linear
    from autograd_nlp.training.checkpoint import save_checkpoint

    target = tmp_path / "run" / "checkpoint.npz"
    synced = []                                  # (kind, inode, size, target exists yet)
    real_fsync = os.fsync

    def recording_fsync(fd):
        st = os.fstat(fd)
        kind = "folder" if stat.S_ISDIR(st.st_mode) else "file"
        synced.append((kind, st.st_ino, st.st_size, target.exists()))
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", recording_fsync)
    model = Linear(3, 2)
    save_checkpoint(target, model, optim.Adam(list(model.params())), meta={"epoch": 1})

    assert [kind for kind, *_ in synced] == ["file", "folder"]
    (_, file_inode, size, existed), (_, folder_inode, _, renamed) = synced
    assert file_inode == os.stat(target).st_ino          # the temporary, renamed to target
    assert size == os.stat(target).st_size > 0           # synced whole, before the rename
    assert not existed and renamed
    assert folder_inode == os.stat(target.parent).st_ino
    np.testing.assert_array_equal(np.load(target)["model/W"], model.W.data)

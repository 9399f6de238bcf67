"""``tune --storage URL``: which storage a URL names, and the errors that
say what to fix (a URL that cannot be read, a missing folder, a missing
PostgreSQL driver, a server that does not answer)."""
import sys

import pytest

from autograd_nlp.tuning.storage import StorageError, display, normalize, open_storage


def test_urls_and_bare_file_names():
    assert normalize("sqlite:///runs/t.db") == ("rdb", "sqlite:///runs/t.db")
    assert normalize("runs/t.db") == ("rdb", "sqlite:///runs/t.db")
    assert normalize("journal:///shared/t.log") == ("journal", "/shared/t.log")
    assert normalize("journal:t.log") == ("journal", "t.log")
    assert normalize("journal:////shared/t.log") == ("journal", "/shared/t.log")
    assert normalize("/shared/t.log") == ("journal", "/shared/t.log")
    assert normalize("postgresql://u@h/db") == ("rdb", "postgresql://u@h/db")
    with pytest.raises(StorageError, match="not a storage URL; give sqlite:///"):
        normalize("runs/tune")
    with pytest.raises(StorageError, match="--storage is empty"):
        normalize(" ")


def test_a_password_is_never_shown():
    pytest.importorskip("sqlalchemy")
    assert display("postgresql://me:secret@host:5433/db") == "postgresql://me:***@host:5433/db"


def test_files_open_and_a_missing_folder_is_named(tmp_path):
    pytest.importorskip("optuna")
    assert type(open_storage(f"sqlite:///{tmp_path}/a.db")).__name__ == "RDBStorage"
    assert type(open_storage(str(tmp_path / "a.log"))).__name__ == "JournalStorage"
    for url in (f"sqlite:///{tmp_path}/no/a.db", f"journal:///{tmp_path}/no/a.log"):
        with pytest.raises(StorageError, match=f"the folder {tmp_path}/no does not exist"):
            open_storage(url)
    with pytest.raises(StorageError, match="is a folder; name a file"):
        open_storage(f"journal:///{tmp_path}")
    with pytest.raises(StorageError, match="in-memory SQLite database is not shared"):
        open_storage("sqlite://")


def test_unknown_databases_and_missing_drivers_say_what_to_install(monkeypatch):
    pytest.importorskip("optuna")
    with pytest.raises(StorageError, match="nosuchdb is not a database SQLAlchemy knows"):
        open_storage("nosuchdb://u@h/db")
    monkeypatch.setitem(sys.modules, "psycopg", None)        # neither driver importable
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(StorageError, match=r'none is installed; pip install "psycopg\[binary\]"'):
        open_storage("postgresql://u@127.0.0.1/db")
    with pytest.raises(StorageError, match="driver psycopg2 is not installed; pip install "
                                           "psycopg2-binary"):
        open_storage("postgresql+psycopg2://u@127.0.0.1/db")


def test_a_server_that_does_not_answer(monkeypatch):
    pytest.importorskip("optuna")
    if not any(_importable(m) for m in ("psycopg", "psycopg2")):
        pytest.skip('no PostgreSQL driver (pip install "psycopg[binary]")')
    with pytest.raises(StorageError, match=r"cannot open the storage \(.*\); check that the "
                                           r"server is running"):
        open_storage("postgresql://nobody:pw@127.0.0.1:1/db")


def _importable(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def test_no_error_shows_the_password(monkeypatch):
    pytest.importorskip("optuna")
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    for url in ("postgresql://me:secret@127.0.0.1/db", "nosuchdb://me:secret@h/db"):
        with pytest.raises(StorageError) as e:
            open_storage(url)
        assert "secret" not in str(e.value) and "me:***@" in str(e.value)

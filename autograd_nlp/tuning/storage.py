"""``tune --storage URL``: the Optuna storage that every ``tune`` process
given the same URL (and study name) shares.

    sqlite:///FILE.db          a SQLite file: processes on one machine
    FILE.db                    the same (also .sqlite, .sqlite3)
    journal:///FILE.log        Optuna's journal file (an append-only log with a
    FILE.log                   file lock): processes on machines that share
                               a folder (NFS), where SQLite's locks are unsafe
    postgresql://USER[:PASSWORD]@HOST[:PORT]/DB
                               a PostgreSQL server: processes anywhere

Any other SQLAlchemy URL (``mysql+pymysql://...``) is passed to Optuna's
RDB storage as it is. Every mistake (a URL that cannot be read, a missing
folder, a missing database driver, a server that does not answer) is a
``StorageError`` whose message names ``--storage`` and the fix.
"""
import importlib
import os
import time

FORMS = ("sqlite:///FILE.db (processes on one machine), journal:///FILE.log (a file on a "
         "folder that several machines share) or postgresql://USER@HOST[:PORT]/DB (a "
         "PostgreSQL server: processes anywhere)")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
JOURNAL_SUFFIXES = (".log", ".journal", ".jsonl")
# PostgreSQL drivers SQLAlchemy can use, in the order tried, with their pip names
POSTGRES_DRIVERS = (("psycopg", "psycopg", '"psycopg[binary]"'),
                    ("psycopg2", "psycopg2", "psycopg2-binary"))
SQLITE_TIMEOUT = 60      # seconds a SQLite writer waits for another process's lock
CONNECT_TIMEOUT = 15     # seconds to wait for a database server that does not answer


class StorageError(ValueError):
    """A ``--storage`` that cannot be opened; the message says why and what to do."""


def normalize(url):
    """The URL ``url`` stands for: ("journal", FILE) or ("rdb", SQLAlchemy URL).
    A bare file name is a SQLite or journal file by its suffix."""
    text = url.strip()
    if not text:
        raise StorageError(f"--storage is empty; give {FORMS}")
    if text.startswith("journal:"):
        path = text[len("journal:"):]
        path = path[2:] if path.startswith("//") else path     # journal:///abs, journal:rel
        path = "/" + path.lstrip("/") if path.startswith("/") else path    # journal:////abs
        if not path:
            raise StorageError(f"--storage {url}: name the journal file, e.g. "
                               f"journal:///shared/tune.log")
        return "journal", path
    if "://" not in text:
        suffix = os.path.splitext(text)[1].lower()
        if suffix in SQLITE_SUFFIXES:
            return "rdb", "sqlite:///" + text
        if suffix in JOURNAL_SUFFIXES:
            return "journal", text
        raise StorageError(f"--storage {url}: not a storage URL; give {FORMS} (a bare file "
                           f"name ending in {', '.join(SQLITE_SUFFIXES)} is a SQLite file, "
                           f"one ending in {', '.join(JOURNAL_SUFFIXES)} a journal file)")
    return "rdb", text


def display(url):
    """``url`` as it may be printed and written to files: no password."""
    kind, target = normalize(url)
    if kind == "journal":
        return "journal:" + target
    try:
        from sqlalchemy.engine import make_url
        return make_url(target).render_as_string(hide_password=True)
    except Exception:         # unreadable: open_storage says why
        return target


def open_storage(url):
    """The Optuna storage of ``--storage url`` (Optuna imported here)."""
    kind, target = normalize(url)
    if kind == "journal":
        return _journal(url, target)
    return _rdb(url, target)


def _check_parent(url, path):
    if os.path.isdir(path):
        raise StorageError(f"--storage {url}: {path} is a folder; name a file in it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise StorageError(f"--storage {url}: the folder {parent} does not exist; create it "
                           f"(the file itself is created by the first tune)")


def _journal(url, path):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    _check_parent(url, path)
    try:
        return JournalStorage(JournalFileBackend(path))
    except OSError as e:
        raise StorageError(f"--storage {url}: cannot open the journal file {path} "
                           f"({e.strerror or e})") from None


def _rdb(url, target):
    from optuna.storages import RDBStorage
    from sqlalchemy.engine import make_url
    shown = display(url)
    try:
        parsed = make_url(target)
    except Exception:
        raise StorageError(f"--storage {shown}: cannot read the URL; give {FORMS}") from None
    backend, _, driver = parsed.drivername.partition("+")
    engine_kwargs = {}
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StorageError(f"--storage {shown}: an in-memory SQLite database is not shared "
                               f"by anything; name a file: sqlite:///runs/tune.db")
        _check_parent(url, parsed.database)
        engine_kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT}}
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+" + _postgres_driver(url, driver))
        engine_kwargs = {"pool_pre_ping": True,      # a server that restarted: reconnect
                         "connect_args": {"connect_timeout": CONNECT_TIMEOUT}}
    try:
        return _retrying(lambda: RDBStorage(parsed.render_as_string(hide_password=False),
                                            engine_kwargs=engine_kwargs))
    except ImportError:
        raise StorageError(f"--storage {shown}: the database driver for {parsed.drivername} is "
                           f"not installed; pip install it (for PostgreSQL: pip install "
                           f'"psycopg[binary]", or the [tune-postgres] extra)') from None
    except Exception as e:
        kind = type(e).__name__
        if kind in ("NoSuchModuleError", "ArgumentError"):
            raise StorageError(f"--storage {shown}: {parsed.drivername} is not a database "
                               f"SQLAlchemy knows; give {FORMS}") from None
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()
        raise StorageError(f"--storage {shown}: cannot open the storage ("
                           f"{reason[0] if reason else kind}); check that the server is "
                           f"running and the URL (user, host, port, database) is right"
                           ) from None


RACED = ("already exists", "UNIQUE constraint", "duplicate key", "IntegrityError",
         "database is locked")


def _retrying(make, tries=5, pause=0.5):
    """``make()``, tried again when it fails as processes that open a new
    database at the same moment do: all of them create its tables and write
    its schema version, and all but one find them made meanwhile (the next
    try reads them)."""
    for attempt in range(tries):
        try:
            return make()
        except Exception as e:
            text = f"{type(e).__name__} {e} {getattr(e, 'orig', '')!r}"
            if attempt == tries - 1 or not any(mark in text for mark in RACED):
                raise
            time.sleep(pause * (attempt + 1))


def _postgres_driver(url, driver):
    """The driver for a ``postgresql[+driver]://`` URL: the one named, or the
    first installed; a missing one is a StorageError saying what to install."""
    shown = display(url)
    for name, module, pip_name in POSTGRES_DRIVERS:
        if driver and driver != name:
            continue
        try:
            importlib.import_module(module)
            return name
        except ImportError:
            if driver:
                raise StorageError(f"--storage {shown}: the PostgreSQL driver {name} is not "
                                   f"installed; pip install {pip_name}") from None
    if driver:          # a driver we do not list: SQLAlchemy's business
        return driver
    raise StorageError(f"--storage {shown}: PostgreSQL needs a driver and none is installed; "
                       f'pip install "psycopg[binary]" (or pip install '
                       f'"autograd-nlp[tune-postgres]")')

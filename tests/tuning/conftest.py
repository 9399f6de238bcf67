"""A real PostgreSQL server for the shared-search tests, when one can be had.

``$AUTOGRAD_NLP_TEST_POSTGRES`` (a URL such as
``postgresql://postgres@127.0.0.1:5432/postgres``) names a server to use;
otherwise a throw-away cluster is made with the system's ``initdb`` and
started with ``pg_ctl`` on a free local port, trusting local connections,
and removed at the end. PostgreSQL refuses to run as root, so as root the
cluster is run as the ``postgres`` (or ``nobody``) user through ``runuser``.
Every reason it cannot be had is a skip that says so.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

URL_ENV = "AUTOGRAD_NLP_TEST_POSTGRES"


def _pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _runner():
    """The command prefix that runs PostgreSQL's tools as a user it accepts,
    or (None, reason)."""
    if os.geteuid() != 0:
        return [], None
    runuser = shutil.which("runuser")
    if runuser is None:
        return None, ("running as root, and runuser (to start PostgreSQL as another user) "
                      "is missing")
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return [runuser, "-u", user, "--"], user
    return None, "running as root, and there is no postgres or nobody user to run PostgreSQL as"


def _driver_missing():
    for module in ("psycopg", "psycopg2"):
        try:
            __import__(module)
            return None
        except ImportError:
            pass
    return 'no PostgreSQL driver (pip install "psycopg[binary]", the [tune-postgres] extra)'


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a running PostgreSQL server (a fresh database in it)."""
    pytest.importorskip("optuna")
    missing = _driver_missing()
    if missing:
        pytest.skip(missing)
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(f"no PostgreSQL server: initdb/pg_ctl not found (install the postgresql "
                    f"package, or set ${URL_ENV} to a server's URL)")
    prefix, user = _runner()
    if prefix is None:
        pytest.skip(f"cannot start PostgreSQL: {user}")
    root = tempfile.mkdtemp(prefix="autograd-nlp-pg-")
    if user:
        os.chown(root, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    data, port = os.path.join(root, "data"), _free_port()
    try:
        made = subprocess.run(prefix + [initdb, "-D", data, "-A", "trust", "-U", "postgres",
                                        "--no-sync"], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"cannot start PostgreSQL: initdb failed: {made.stderr.strip()[-300:]}")
        started = subprocess.run(
            prefix + [pg_ctl, "-D", data, "-l", os.path.join(root, "log"), "-w", "-t", "30",
                      "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                      "start"], capture_output=True, text=True)
        if started.returncode != 0:
            pytest.skip(f"cannot start PostgreSQL: pg_ctl failed: "
                        f"{(started.stderr or started.stdout).strip()[-300:]}")
        time.sleep(0.2)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [pg_ctl, "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

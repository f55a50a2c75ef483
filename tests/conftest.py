"""Shared fixtures: the bundled knowledge base, an assessment service, and databases on both backends.

Every storage and web test that takes ``database_url`` runs on SQLite (a temp file) and on a real
PostgreSQL server.

The PostgreSQL server is started here, once per test session, from the server
binaries on the machine (``initdb``, ``pg_ctl``; found on PATH or in
``/usr/lib/postgresql/<version>/bin``, where Debian's ``postgresql`` package puts
them):

1. ``initdb`` a throw-away cluster in a fresh temp directory (trust auth, superuser
   ``postgres``, no fsync);
2. ``pg_ctl start`` it on a free loopback port (``listen_addresses=127.0.0.1``) with
   its unix socket in the same temp directory, so it touches nothing else;
3. each test gets its own new database (``CREATE DATABASE``), dropped afterwards;
4. at session end ``pg_ctl stop -m fast`` and the directory is removed.

PostgreSQL refuses to run as root. When the tests run as root (CI containers), the
server commands run as the unprivileged ``postgres`` user (created by Debian's
package) or else ``nobody``, through ``subprocess``'s ``user=``/``group=``
(setuid/setgid in the child; no ``su`` or ``sudo`` needed); the temp directory is
handed to that user.

Missing binaries are a test failure, not a skip: CI must exercise PostgreSQL
(``.ci/run`` installs them). ``BACKMECH_TEST_POSTGRES_URL`` (a server URL whose user
may create databases) uses an existing server instead of starting one.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService
from backmech.storage.engine import create_engine, sqlite_url
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def service(kb: KnowledgeBase) -> AssessmentService:
    return AssessmentService(kb)


BACKENDS = ("sqlite", "postgresql")
SERVER_USERS = ("postgres", "nobody")


@dataclass(frozen=True)
class RunAs:
    uid: int
    gid: int
    name: str


def _server_binaries() -> tuple[Path, Path]:
    """initdb and pg_ctl from PATH, else the newest /usr/lib/postgresql/*/bin; fail clearly if absent."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    newest_first = sorted(
        versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
    )
    for candidate in newest_first:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate / "initdb", candidate / "pg_ctl"
    pytest.fail(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. "
        "The storage tests must run against a real PostgreSQL: install the server "
        "(Debian: apt-get install -y postgresql) or set BACKMECH_TEST_POSTGRES_URL.",
        pytrace=False,
    )


def _run_as() -> RunAs | None:
    """The unprivileged account for the server when we are root, else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return RunAs(entry.pw_uid, entry.pw_gid, name)
    pytest.fail(
        f"Running as root and none of the users {SERVER_USERS} exists; PostgreSQL refuses to run as root.",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(command: list[str], run_as: RunAs | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    if run_as is None:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        user=run_as.uid,
        group=run_as.gid,
        extra_groups=[],
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """A PostgreSQL server for this test session; yields a superuser URL to its ``postgres`` database."""
    external = os.environ.get("BACKMECH_TEST_POSTGRES_URL")
    if external:
        yield make_url(external)
        return
    initdb, pg_ctl = _server_binaries()
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="backmech-pg-"))
    if run_as is not None:
        os.chown(root, run_as.uid, run_as.gid)
    data = root / "data"
    log = root / "server.log"
    port = _free_port()
    started = False
    try:
        made = _run(
            [
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            run_as,
            root,
        )
        if made.returncode != 0:
            pytest.fail(f"initdb failed ({made.returncode}):\n{made.stdout}\n{made.stderr}", pytrace=False)
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        start = _run(
            [str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            run_as,
            root,
        )
        if start.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else "(no log)"
            pytest.fail(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{server_log}", pytrace=False)
        started = True
        yield URL.create(
            "postgresql+psycopg", username="postgres", host="127.0.0.1", port=port, database="postgres"
        )
    finally:
        if started:
            _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"], run_as, root)
        shutil.rmtree(root, ignore_errors=True)


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def _fresh_postgres_database(server: URL) -> Iterator[URL]:
    name = f"backmech_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name)
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "backmech.db")
        return
    server: URL = request.getfixturevalue("postgres_server")
    with _fresh_postgres_database(server) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    upgrade(database_url)
    built = create_engine(database_url)
    try:
        yield built
    finally:
        built.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine)

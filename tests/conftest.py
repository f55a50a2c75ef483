"""Shared fixtures: the bundled knowledge base, an assessment service, and databases on both backends.

Every storage and web test that takes ``database_url`` runs on SQLite (a temp file) and on a real
PostgreSQL server.

The PostgreSQL server is started once per test session by
``tests/scratch_postgres.py`` (``initdb`` + ``pg_ctl`` on a free loopback
port in a temp folder, as an unprivileged user when running as root); each test
gets its own new database, dropped afterwards.

Missing binaries are a test failure, not a skip: CI must exercise PostgreSQL
(``scripts/test`` installs them; see ``tests/prerequisites.py``).
``BACKMECH_TEST_POSTGRES_URL`` (a server URL whose user may create databases) uses
an existing server instead of starting one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from tests.scratch_postgres import ScratchServerError, fresh_database, scratch_server

import prerequisites
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService
from backmech.storage.engine import create_engine, sqlite_url
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Stop at once, with one message, when the machine lacks what the collected tests need.

    Without it a machine with no PostgreSQL or Chromium gets hundreds of set-up errors;
    with it, a list of what is missing and the command that installs it
    (``tests/prerequisites.py``; ``scripts/test`` installs them itself).
    """
    if session.config.option.collectonly:
        return
    needed: set[str] = set()
    for item in session.items:
        for mark in item.iter_markers("needs"):
            needed.update(mark.args)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if on_postgres or "postgres_server" in getattr(item, "fixturenames", ()):
            needed.add("postgresql")
    absent = prerequisites.missing(name for need in sorted(needed) for name in prerequisites.NEEDS[need])
    if absent:
        pytest.exit(prerequisites.message(absent), returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def service(kb: KnowledgeBase) -> AssessmentService:
    return AssessmentService(kb)


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """A PostgreSQL server for this test session; yields a superuser URL to its ``postgres`` database."""
    external = os.environ.get("BACKMECH_TEST_POSTGRES_URL")
    if external:
        yield make_url(external)
        return
    try:
        with scratch_server() as url:
            yield url
    except ScratchServerError as exc:
        pytest.fail(
            f"{exc}\nThe storage and web tests must run against a real PostgreSQL: install the server "
            "(Debian: apt-get install -y postgresql) or set BACKMECH_TEST_POSTGRES_URL.",
            pytrace=False,
        )


def _fresh_postgres_database(server: URL) -> contextlib.AbstractContextManager[URL]:
    """A new database on the session's server, dropped afterwards (``scratch_postgres.fresh_database``)."""
    return fresh_database(server)


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

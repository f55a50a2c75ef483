"""PostgreSQL engine: a pooled connection that died while idle is replaced before a request uses it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from tests.scratch_postgres import conninfo, fresh_database

from backmech.storage import engine as engine_module
from backmech.storage.engine import create_engine


@pytest.fixture
def pg_url(postgres_server: URL) -> Iterator[URL]:
    with fresh_database(postgres_server) as url:
        yield url


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_killed_while_idle_is_replaced(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(pg_url.render_as_string(hide_password=False))
    try:
        first = _backend_pid(engine)
        with psycopg.connect(conninfo(pg_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # the pooled connection counts as idle
        second = _backend_pid(engine)  # no error: the dead connection was pinged and replaced
        assert second != first
    finally:
        engine.dispose()


def test_a_recently_used_connection_is_trusted_without_a_ping(
    pg_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: within the idle limit there is no ping, so a connection
    killed a moment ago fails (once; the pool then drops it), which is what the ping prevents."""
    engine = create_engine(pg_url.render_as_string(hide_password=False))
    try:
        first = _backend_pid(engine)
        with psycopg.connect(conninfo(pg_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)
        with pytest.raises(sa.exc.OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != first  # the pool replaced the dead connection
    finally:
        engine.dispose()

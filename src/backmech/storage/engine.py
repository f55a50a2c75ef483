"""Engines for the two supported databases, with the connection settings each needs.

* SQLite (embedded default): one file; WAL so readers do not block the writer,
  ``foreign_keys=ON`` (SQLite ignores FOREIGN KEY clauses without it) and a busy
  timeout so a second writer waits instead of failing at once. pysqlite's own
  transaction handling is switched off and SQLAlchemy emits the ``BEGIN`` itself, so
  DDL (migrations) and SAVEPOINTs are transactional, as on PostgreSQL (the recipe
  in SQLAlchemy's SQLite dialect documentation, "Serializable isolation"). It is
  ``BEGIN IMMEDIATE``: almost every transaction writes (reads of a patient's record
  append audit events), and in WAL mode a deferred transaction that reads and then
  writes fails at once with "database is locked" if another writer committed in
  between (the busy timeout does not apply to that upgrade). Taking the write lock
  at the start makes a concurrent request wait its turn instead.
* PostgreSQL (production): ``postgresql://`` URLs use psycopg 3.

Example::

    engine = create_engine(sqlite_url(Path("backmech.db")))
    engine = create_engine("postgresql://backmech@db.example/backmech")
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from backmech.services import codec

SQLITE_BUSY_TIMEOUT_MS = 5_000
READ_ONLY_OPTION = "backmech_read_only"
"""Execution option of a transaction that only reads: on SQLite it begins deferred (no write lock),
so it runs beside the writer in WAL mode. A write in it fails; open a normal unit of work to write."""
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class UnsupportedDatabase(ValueError):  # noqa: N818 - named for what it is
    """The URL names a database other than SQLite or PostgreSQL."""


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite database file (the embedded default)."""
    return str(URL.create("sqlite+pysqlite", database=str(path)))


def normalise_url(url: str | URL) -> URL:
    """Pick our drivers: pysqlite for SQLite, psycopg 3 for PostgreSQL (``postgresql://`` → ``+psycopg``)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise UnsupportedDatabase(
            f"Unsupported database {backend!r} in URL; use sqlite:///path.db or postgresql://user@host/db."
        )
    if backend == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json_text(value: object) -> str:
    return codec.dumps(value).decode()


JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": codec.loads}
"""The codec for JSON columns: typed values are written as the result contract has them, with orjson
(a stored result is ~50 KB, read on every plan page: 2x faster than json)."""


def create_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the settings above applied on every new connection."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, echo=echo, **JSON_CODEC)
        _configure_sqlite(engine)
        return engine
    engine = sa.create_engine(parsed, echo=echo, **JSON_CODEC)
    _ping_idle_connections(engine)
    return engine


PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection unused for longer than this is checked before use."""


def _ping_idle_connections(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle, and replace it if it is dead.

    ``pool_pre_ping`` checks every checkout: two of the ten round trips of a plan page.
    A connection returned moments ago by a busy server is as good as the ping would
    say; one that sat idle (a restarted or failed-over server, a firewall that dropped
    it) is pinged, and a dead one is replaced before the request sees it: SQLAlchemy's
    documented recipe of raising ``DisconnectionError`` from a checkout listener.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except Exception as exc:  # any driver error means this connection cannot be used
            raise sa.exc.DisconnectionError(str(exc)) from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
                # WAL is durable with NORMAL at commit boundaries (SQLite docs, "Write-Ahead Logging").
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

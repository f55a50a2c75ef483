"""The embedded default: SQLite with WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from backmech.storage.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    UnsupportedDatabase,
    create_engine,
    normalise_url,
    sqlite_url,
)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    return create_engine(sqlite_url(tmp_path / "pragmas.db"))


def test_pragmas_are_on_for_every_connection(sqlite_engine: Engine) -> None:
    try:
        for _ in range(2):
            with sqlite_engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        sqlite_engine.dispose()


def test_ddl_is_transactional(sqlite_engine: Engine) -> None:
    """SQLAlchemy emits BEGIN itself, so a rolled-back CREATE TABLE leaves nothing (as on PostgreSQL)."""
    try:
        with sqlite_engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.rollback()
        with sqlite_engine.connect() as connection:
            names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").all()
            assert names == []
    finally:
        sqlite_engine.dispose()


def test_postgresql_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_other_databases_are_refused() -> None:
    with pytest.raises(UnsupportedDatabase, match="Unsupported database 'mysql'"):
        normalise_url("mysql://u@h/db")

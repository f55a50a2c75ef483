"""Apply, revert and inspect schema migrations from code: no alembic.ini at run time.

Example::

    upgrade("sqlite:///backmech.db")          # to the newest revision
    current("sqlite:///backmech.db")          # '0001_initial'
    downgrade("sqlite:///backmech.db")        # back to an empty database

A new revision, for developers (writes into ``storage/migrations/versions``)::

    python -c "from backmech.storage.migrate import revision; revision(URL, 'add x')"
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from backmech.storage.engine import create_engine

_Action = Callable[[Config], object]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration built in code, pointing at the bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision id shipped with this version of backmech."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return revision


def upgrade(url: str | URL | Engine, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (default: the newest), in one transaction."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str | URL | Engine, revision: str = "base") -> None:
    """Take the database at ``url`` down to ``revision`` (default ``base``: no backmech tables)."""
    _run(url, lambda config: command.downgrade(config, revision))


def current(url: str | URL | Engine) -> str | None:
    """The revision the database is at, or ``None`` if it has never been migrated."""
    engine, owned = _engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def revision(url: str | URL | Engine, message: str) -> None:
    """Autogenerate a new revision against the database at ``url`` (which must be at head)."""
    _run(url, lambda config: command.revision(config, message=message, autogenerate=True))


def _engine(url: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(url, Engine):
        return url, False
    return create_engine(url), True


def _run(url: str | URL | Engine, action: _Action) -> None:
    engine, owned = _engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config)
    finally:
        if owned:
            engine.dispose()

"""Alembic environment, driven from code by :mod:`backmech.storage.migrate` (no alembic.ini).

The caller opens the transaction and passes its connection in ``config.attributes["connection"]``;
on both databases the whole upgrade or downgrade commits or rolls back as one.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from backmech.storage.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        transactional_ddl=True,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("Run migrations through backmech.storage.migrate (upgrade/downgrade/current).")
run_migrations(_connection)

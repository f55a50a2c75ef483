"""Session logs keep the worst pain during the session and which session it was.

Revision ID: 0004_session_detail
Revises: 0003_web
Create Date: 2026-12-06

The pain-monitoring model that decides whether an exercise progresses, holds or
regresses reads pain *during* activity (clinical reference 5.5), which the log did not
keep. ``kind`` (the short daily routine or the full session) was kept only inside the
idempotency key; a column makes adherence per kind a plain query. Both are nullable:
logs stored before this revision did not ask, and saying "unknown" is truer than a guess.
Batch mode, so SQLite rebuilds the table with the new CHECK constraints.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_session_detail"
down_revision: str | None = "0003_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session_logs") as batch:
        batch.add_column(sa.Column("pain_during", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
        batch.create_check_constraint("pain_during_0_10", "pain_during BETWEEN 0 AND 10")
        batch.create_check_constraint("kind", "kind IN ('routine', 'full')")
    # Logs stored before: their kind is the first part of the idempotency key.
    op.execute("UPDATE session_logs SET kind = 'routine' WHERE idempotency_key LIKE 'routine:%'")
    op.execute("UPDATE session_logs SET kind = 'full' WHERE idempotency_key LIKE 'full:%'")


def downgrade() -> None:
    with op.batch_alter_table("session_logs") as batch:
        batch.drop_constraint("kind", type_="check")
        batch.drop_constraint("pain_during_0_10", type_="check")
        batch.drop_column("kind")
        batch.drop_column("pain_during")

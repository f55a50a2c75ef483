"""Check-ins between assessments: how the back is, a flare-up, walking, new leg symptoms.

Revision ID: 0005_check_ins
Revises: 0004_session_detail
Create Date: 2026-12-06

One row per patient and day (a second check-in the same day replaces the first).
The safety questions asked at a check-in are not stored here: a yes to one of them
becomes a new assessment whose triage stops the programme, like any positive screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_check_ins"
down_revision: str | None = "0004_session_detail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("check_date", sa.Date(), nullable=False),
        sa.Column("flare", sa.Boolean(), nullable=False),
        sa.Column("leg_symptoms", sa.Boolean(), nullable=False),
        sa.Column("walking_minutes", sa.SmallInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_check_ins_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("patient_id", "check_date", name=op.f("uq_check_ins_patient_id")),
        sa.CheckConstraint(
            "walking_minutes BETWEEN 0 AND 600", name=op.f("ck_check_ins_walking_minutes_0_600")
        ),
    )


def downgrade() -> None:
    op.drop_table("check_ins")

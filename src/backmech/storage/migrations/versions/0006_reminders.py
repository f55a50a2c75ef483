"""Reminder settings, private calendar feeds, and a detail text on audit events.

Revision ID: 0006_reminders
Revises: 0005_check_ins
Create Date: 2026-12-06

A person with no ``reminder_settings`` row gets no reminders: reminders are only
ever what the person asked for. A calendar feed is addressed by a secret token of
which only the SHA-256 is stored, like invitations and sessions. ``audit_events.detail``
keeps what an event needs besides who, what and when: the reason given for an erasure.
``invitations.purpose`` tells a link to join (a new account) from a link to set a new
password for an existing patient login (after an import, or a forgotten password).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reminders"
down_revision: str | None = "0005_check_ins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_settings",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("per_week", sa.SmallInteger(), nullable=False),
        sa.Column("weekday_mask", sa.SmallInteger(), nullable=False),
        sa.Column("time_of_day", sa.Time(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_reminder_settings")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_reminder_settings_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("per_week BETWEEN 0 AND 7", name=op.f("ck_reminder_settings_per_week_0_7")),
        sa.CheckConstraint(
            "weekday_mask BETWEEN 0 AND 127", name=op.f("ck_reminder_settings_weekday_mask_0_127")
        ),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_calendar_feeds")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_calendar_feeds_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )

    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("detail", sa.Text(), nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("purpose", sa.String(length=16), nullable=False, server_default="join"))
        batch.create_check_constraint("purpose", "purpose IN ('join', 'reset')")


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_constraint(op.f("ck_invitations_purpose"), type_="check")
        batch.drop_column("purpose")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("detail")
    op.drop_table("calendar_feeds")
    op.drop_table("reminder_settings")

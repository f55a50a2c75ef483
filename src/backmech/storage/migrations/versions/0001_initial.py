"""The first schema: clinics, users, patients, assessments, movement analyses, session logs,
plan edits and the audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-05-20

Types are written out here (not imported from ``tables.py``) so this revision keeps
creating the same schema when the models change later. ``UtcDateTime`` is DDL-wise
``sa.DateTime(timezone=True)``; enums are strings with named CHECK constraints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "clinics",
    "users",
    "patients",
    "assessments",
    "movement_analyses",
    "session_logs",
    "plan_edits",
    "audit_events",
)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), nullable=False)


def _one_of(table: str, column: str, name: str, values: Sequence[str]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{name}"))


def _range_0_10(table: str, column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 0 AND 10", name=op.f(f"ck_{table}_{column}_0_10"))


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "clinics",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
    )

    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        _one_of("users", "role", "role", ("patient", "clinician", "admin")),
        _fk("users", "clinic_id", "clinics", "RESTRICT"),
    )
    op.create_index(op.f("ix_users_clinic_id"), "users", ["clinic_id"])

    op.create_table(
        "patients",
        _id(),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_patients_user_id")),
        _fk("patients", "clinic_id", "clinics", "RESTRICT"),
        _fk("patients", "user_id", "users", "SET NULL"),
    )
    op.create_index(op.f("ix_patients_clinic_id"), "patients", ["clinic_id"])

    op.create_table(
        "assessments",
        _id(),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        _when("created_at"),
        sa.Column("intake", _json(), nullable=False),
        sa.Column("result", _json(), nullable=False),
        sa.Column("triage_level", sa.String(32), nullable=False),
        sa.Column("plan_status", sa.String(40), nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        _fk("assessments", "patient_id", "patients", "CASCADE"),
    )
    op.create_index("ix_assessments_patient_created", "assessments", ["patient_id", "created_at"])

    op.create_table(
        "movement_analyses",
        _id(),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=True),
        sa.Column("test", sa.String(64), nullable=False),
        sa.Column("media_path", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", _json(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement_analyses")),
        _one_of("movement_analyses", "status", "analysis_status", ("queued", "running", "done", "failed")),
        _fk("movement_analyses", "patient_id", "patients", "CASCADE"),
        _fk("movement_analyses", "assessment_id", "assessments", "SET NULL"),
    )
    op.create_index("ix_movement_analyses_patient_created", "movement_analyses", ["patient_id", "created_at"])
    op.create_index(op.f("ix_movement_analyses_assessment_id"), "movement_analyses", ["assessment_id"])
    op.create_index(op.f("ix_movement_analyses_status"), "movement_analyses", ["status"])

    op.create_table(
        "session_logs",
        _id(),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("pain_before", sa.SmallInteger(), nullable=False),
        sa.Column("pain_after", sa.SmallInteger(), nullable=False),
        sa.Column("next_morning_pain", sa.SmallInteger(), nullable=True),
        sa.Column("effort", sa.SmallInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_logs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_session_logs_idempotency_key")),
        *(
            _range_0_10("session_logs", column)
            for column in ("pain_before", "pain_after", "next_morning_pain", "effort")
        ),
        _fk("session_logs", "patient_id", "patients", "CASCADE"),
    )
    op.create_index("ix_session_logs_patient_date", "session_logs", ["patient_id", "session_date"])

    op.create_table(
        "plan_edits",
        _id(),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("editor_id", sa.Uuid(), nullable=True),
        _when("at"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("change", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_edits")),
        _fk("plan_edits", "patient_id", "patients", "CASCADE"),
        _fk("plan_edits", "editor_id", "users", "SET NULL"),
    )
    op.create_index("ix_plan_edits_patient_at", "plan_edits", ["patient_id", "at"])
    op.create_index(op.f("ix_plan_edits_editor_id"), "plan_edits", ["editor_id"])

    # No foreign keys: the audit log outlives the records it names.
    op.create_table(
        "audit_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("clinic_id", sa.Uuid(), nullable=True),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        _one_of("audit_events", "action", "audit_action", ("read", "create", "update", "delete")),
    )
    op.create_index("ix_audit_events_patient_at", "audit_events", ["patient_id", "at"])
    op.create_index("ix_audit_events_clinic_at", "audit_events", ["clinic_id", "at"])
    op.create_index("ix_audit_events_actor_at", "audit_events", ["actor_id", "at"])


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints on both databases.
    for table in reversed(TABLES):
        op.drop_table(table)

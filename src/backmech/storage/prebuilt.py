"""The statements every signed-in page runs, built once as Core statements with bound parameters.

Why: on a plan page most of the web process's CPU went into SQLAlchemy, not into
the database (``benchmarks/web.py`` with py-spy). A statement written inline is
rebuilt on every call (coercions, expression objects) and its cache key is walked
again; one written with ORM attributes (``UserRow.email``) also runs the ORM's
compile and result set-up even when it selects plain columns. A module-level
statement over ``Table`` columns memoises its cache key, compiles once per
dialect and returns plain rows. Values come in as ``bindparam`` names; the column
types (UUIDs, aware UTC datetimes, JSON) still apply.

Only the hot paths live here; everything else is written where it is used, as usual.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from backmech.storage.tables import (
    AssessmentRow,
    AuditEventRow,
    PatientRow,
    PlanEditRow,
    SessionLogRow,
    UserRow,
    WebSessionRow,
)


def _table(row: type[object]) -> sa.Table:
    return cast(sa.Table, row.__table__)  # type: ignore[attr-defined]


USERS = _table(UserRow)
PATIENTS = _table(PatientRow)
ASSESSMENTS = _table(AssessmentRow)
PLAN_EDITS = _table(PlanEditRow)
SESSION_LOGS = _table(SessionLogRow)
AUDIT_EVENTS = _table(AuditEventRow)
WEB_SESSIONS = _table(WebSessionRow)

SESSION_WITH_USER = (
    sa.select(
        WEB_SESSIONS.c.csrf_token,
        WEB_SESSIONS.c.created_at,
        WEB_SESSIONS.c.last_seen_at,
        WEB_SESSIONS.c.expires_at,
        USERS.c.id,
        USERS.c.email,
        USERS.c.password_hash,
        USERS.c.role,
        USERS.c.clinic_id,
        USERS.c.created_at.label("user_created_at"),
        PATIENTS.c.id.label("patient_id"),
        PATIENTS.c.clinic_id.label("patient_clinic_id"),
        PATIENTS.c.display_name,
        PATIENTS.c.created_at.label("patient_created_at"),
    )
    .select_from(
        WEB_SESSIONS.join(USERS, USERS.c.id == WEB_SESSIONS.c.user_id).outerjoin(
            PATIENTS, PATIENTS.c.user_id == USERS.c.id
        )
    )
    .where(WEB_SESSIONS.c.id == sa.bindparam("session_id"))
)
"""A session, its user and (for a patient) their patient record: every signed-in request's first read."""

USER_WITH_PATIENT = (
    sa.select(
        USERS.c.email,
        USERS.c.password_hash,
        USERS.c.role,
        USERS.c.clinic_id,
        USERS.c.created_at,
        PATIENTS.c.id.label("patient_id"),
        PATIENTS.c.clinic_id.label("patient_clinic_id"),
        PATIENTS.c.display_name,
        PATIENTS.c.created_at.label("patient_created_at"),
    )
    .select_from(USERS.outerjoin(PATIENTS, PATIENTS.c.user_id == USERS.c.id))
    .where(USERS.c.id == sa.bindparam("user_id"))
)
"""A user as stored now and, for a patient account, their patient record (every authorisation)."""

ASSESSMENT_HEADS_OF_PATIENT = (
    sa.select(
        ASSESSMENTS.c.id,
        ASSESSMENTS.c.patient_id,
        ASSESSMENTS.c.created_at,
        ASSESSMENTS.c.triage_level,
        ASSESSMENTS.c.plan_status,
        ASSESSMENTS.c.engine_version,
    )
    .select_from(ASSESSMENTS.join(PATIENTS, PATIENTS.c.id == ASSESSMENTS.c.patient_id))
    .where(
        ASSESSMENTS.c.patient_id == sa.bindparam("patient_id"),
        PATIENTS.c.clinic_id == sa.bindparam("clinic_id"),
    )
    .order_by(ASSESSMENTS.c.created_at, ASSESSMENTS.c.id)
)
"""A patient's assessments without their JSON documents (those are cached per process), oldest first."""

PLAN_EDITS_OF_PATIENT = (
    sa.select(
        PLAN_EDITS.c.id,
        PLAN_EDITS.c.patient_id,
        PLAN_EDITS.c.editor_id,
        PLAN_EDITS.c.at,
        PLAN_EDITS.c.reason,
        PLAN_EDITS.c.change,
    )
    .select_from(PLAN_EDITS.join(PATIENTS, PATIENTS.c.id == PLAN_EDITS.c.patient_id))
    .where(
        PLAN_EDITS.c.patient_id == sa.bindparam("patient_id"),
        PATIENTS.c.clinic_id == sa.bindparam("clinic_id"),
    )
    .order_by(PLAN_EDITS.c.at, PLAN_EDITS.c.id)
)
"""A patient's plan edits, oldest first."""

ASSESSMENTS_AND_PLAN_EDITS_OF_PATIENT = sa.union_all(
    sa.select(
        sa.literal("assessment").label("kind"),
        ASSESSMENTS.c.id.label("id"),  # labelled: SQLite orders a UNION only by result names
        ASSESSMENTS.c.created_at.label("at"),
        ASSESSMENTS.c.triage_level,
        ASSESSMENTS.c.plan_status,
        ASSESSMENTS.c.engine_version,
        sa.cast(sa.null(), PLAN_EDITS.c.editor_id.type).label("editor_id"),
        sa.cast(sa.null(), PLAN_EDITS.c.reason.type).label("reason"),
        sa.cast(sa.null(), PLAN_EDITS.c.change.type).label("change"),
    )
    .select_from(ASSESSMENTS.join(PATIENTS, PATIENTS.c.id == ASSESSMENTS.c.patient_id))
    .where(
        ASSESSMENTS.c.patient_id == sa.bindparam("patient_id"),
        PATIENTS.c.clinic_id == sa.bindparam("clinic_id"),
    ),
    sa.select(
        sa.literal("plan_edit").label("kind"),
        PLAN_EDITS.c.id.label("id"),
        PLAN_EDITS.c.at.label("at"),
        sa.cast(sa.null(), ASSESSMENTS.c.triage_level.type).label("triage_level"),
        sa.cast(sa.null(), ASSESSMENTS.c.plan_status.type).label("plan_status"),
        sa.cast(sa.null(), ASSESSMENTS.c.engine_version.type).label("engine_version"),
        PLAN_EDITS.c.editor_id,
        PLAN_EDITS.c.reason,
        PLAN_EDITS.c.change,
    )
    .select_from(PLAN_EDITS.join(PATIENTS, PATIENTS.c.id == PLAN_EDITS.c.patient_id))
    .where(
        PLAN_EDITS.c.patient_id == sa.bindparam("patient_id"),
        PATIENTS.c.clinic_id == sa.bindparam("clinic_id"),
    ),
).order_by(sa.column("kind"), sa.column("at"), sa.column("id"))
"""A patient's assessments (without their JSON documents) and plan edits in one round trip.

Every patient page needs both; the rows of each kind come oldest first."""

AUDIT_COLUMNS = ("actor_id", "action", "entity", "entity_id", "patient_id", "clinic_id", "at")


def _audit_insert(rows: int) -> sa.Insert:
    """``INSERT … SELECT <row 0> UNION ALL SELECT <row 1> …`` with parameters ``<column>_<row>``.

    Not a multi-row ``VALUES``: SQLAlchemy cannot cache that form, so it would be compiled
    on every commit; nor an executemany, which psycopg runs in pipeline mode (an extra sync).
    """
    selects = [
        sa.select(
            *(
                sa.bindparam(f"{name}_{row}", type_=AUDIT_EVENTS.c[name].type).label(name)
                for name in AUDIT_COLUMNS
            )
        )
        for row in range(rows)
    ]
    source = selects[0] if rows == 1 else sa.union_all(*selects)
    return sa.insert(AUDIT_EVENTS).from_select(list(AUDIT_COLUMNS), source)


AUDIT_EVENT_INSERTS = {rows: _audit_insert(rows) for rows in range(1, 9)}
"""The audit events of one transaction, by how many there are (a page writes one to four)."""

SESSION_LOG_COLUMNS = (
    "id",
    "patient_id",
    "session_date",
    "pain_before",
    "pain_after",
    "next_morning_pain",
    "pain_during",
    "kind",
    "effort",
    "notes",
    "idempotency_key",
    "created_at",
)
SESSION_LOG_IN_CLINIC = sa.select(
    *(sa.bindparam(name, type_=SESSION_LOGS.c[name].type).label(name) for name in SESSION_LOG_COLUMNS)
).where(
    sa.exists().where(
        PATIENTS.c.id == sa.bindparam("patient_id", type_=PATIENTS.c.id.type),
        PATIENTS.c.clinic_id == sa.bindparam("clinic_id"),
    )
)
"""The values of a new session log, as one row if its patient is in the clinic and none if not."""


def _session_log_insert(insert: type[postgresql.Insert] | type[sqlite.Insert]) -> sa.Insert:
    statement = insert(SESSION_LOGS).from_select(list(SESSION_LOG_COLUMNS), SESSION_LOG_IN_CLINIC)
    return statement.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(SESSION_LOGS.c.id)


SESSION_LOG_INSERT = {
    "postgresql": _session_log_insert(postgresql.Insert),
    "sqlite": _session_log_insert(sqlite.Insert),
}
"""Insert a session log once per idempotency key if its patient is in the clinic (RETURNING: was it new)."""

"""The relational schema: SQLAlchemy 2 typed declarative models, portable across SQLite and PostgreSQL.

Choices:

* **UUID primary keys** (``sa.Uuid``: native ``uuid`` on PostgreSQL, ``CHAR(32)`` on
  SQLite). Ids are made by the application before insert, so a retried write from a
  phone keeps its identity, ids in URLs do not reveal a clinic's size or let one
  guess another tenant's records, and data from two installations can be merged.
  The audit log alone uses an integer sequence: it is append-only and wants a total order.
* **Timezone-aware timestamps** (:class:`UtcDateTime`): ``timestamptz`` on PostgreSQL;
  on SQLite, which has no time zones, stored as UTC and returned as aware UTC.
  Writing a naive datetime is an error rather than a guess.
* **JSON** for engine input and output (``JSONB`` on PostgreSQL): the result is a
  versioned public contract (``schema_version``), stored whole; the columns worth
  filtering on (triage level, plan status, engine version) are copied out.
* **Enums as strings with a CHECK constraint** (``native_enum=False``): the same DDL
  on both databases, and adding a value later needs no ``ALTER TYPE``.
* **ondelete**: clinics are never deleted from under their users or patients
  (RESTRICT); a patient's clinical records go with the patient (CASCADE, for
  erasure requests); links to users who leave become NULL (SET NULL). The audit log
  has no foreign keys on purpose: it must outlive what it describes.
* **Indexes** on every lookup by clinic (tenant) and by patient (with time, for timelines).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backmech.services.ports import AnalysisStatus, AuditAction, Role, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Stable constraint names, so migrations can drop and alter them on both databases."""


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """An aware datetime, stored in UTC; naive values are refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value (UTC)")
        as_utc = value.astimezone(dt.UTC)
        return as_utc.replace(tzinfo=None) if dialect.name == "sqlite" else as_utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


Json = sa.JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere; JSONB on PostgreSQL (binary, indexable, compared by value)."""

AuditId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""SQLite only auto-increments an ``INTEGER PRIMARY KEY``."""


def _enum(enum_class: type[Any], name: str) -> sa.Enum:
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _pain(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 0 AND 10", name=f"{column}_0_10")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UtcDateTime(), uuid.UUID: sa.Uuid()}


class ClinicRow(Base):
    __tablename__ = "clinics"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class PatientRow(Base):
    __tablename__ = "patients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    display_name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (sa.Index("ix_assessments_patient_created", "patient_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    intake: Mapped[dict[str, Any]] = mapped_column(Json)
    result: Mapped[object] = mapped_column(Json)
    """An AssessmentResult written by the codec (the engine's JSON_CODEC); read back as JSON data."""
    triage_level: Mapped[str] = mapped_column(sa.String(32))
    plan_status: Mapped[str] = mapped_column(sa.String(40))
    engine_version: Mapped[str] = mapped_column(sa.String(40))


class MovementAnalysisRow(Base):
    __tablename__ = "movement_analyses"
    __table_args__ = (sa.Index("ix_movement_analyses_patient_created", "patient_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="SET NULL"), index=True
    )
    test: Mapped[str] = mapped_column(sa.String(64))
    media_path: Mapped[str] = mapped_column(sa.String(1024))
    status: Mapped[AnalysisStatus] = mapped_column(_enum(AnalysisStatus, "analysis_status"), index=True)
    result: Mapped[object] = mapped_column(Json, nullable=True)
    """The analysis's report, failure or progress, written by the codec (``codec.analysis_json``)."""
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class SessionLogRow(Base):
    __tablename__ = "session_logs"
    __table_args__ = (
        sa.Index("ix_session_logs_patient_date", "patient_id", "session_date"),
        _pain("pain_before"),
        _pain("pain_after"),
        _pain("pain_during"),
        _pain("next_morning_pain"),
        _pain("effort"),
        sa.CheckConstraint("kind IN ('routine', 'full')", name="kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    session_date: Mapped[dt.date] = mapped_column(sa.Date)
    pain_before: Mapped[int] = mapped_column(sa.SmallInteger)
    pain_after: Mapped[int] = mapped_column(sa.SmallInteger)
    pain_during: Mapped[int | None] = mapped_column(sa.SmallInteger)
    """The worst pain during the session (revision 0004; unknown for older logs)."""
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    """``routine`` (the short daily routine) or ``full`` (the ~20-minute session)."""
    next_morning_pain: Mapped[int | None] = mapped_column(sa.SmallInteger)
    effort: Mapped[int] = mapped_column(sa.SmallInteger)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class CheckInRow(Base):
    """A check-in between assessments (revision 0005): one per patient and day."""

    __tablename__ = "check_ins"
    __table_args__ = (
        sa.UniqueConstraint("patient_id", "check_date"),
        sa.CheckConstraint("walking_minutes BETWEEN 0 AND 600", name="walking_minutes_0_600"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    check_date: Mapped[dt.date] = mapped_column(sa.Date)
    flare: Mapped[bool] = mapped_column(sa.Boolean)
    leg_symptoms: Mapped[bool] = mapped_column(sa.Boolean)
    """New or spreading leg pain, numbness or weakness: the clinician re-checks the nerves."""
    walking_minutes: Mapped[int | None] = mapped_column(sa.SmallInteger)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ReminderSettingsRow(Base):
    """The reminders a person asked for (revision 0006): one row per patient, none until they choose."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        sa.CheckConstraint("per_week BETWEEN 0 AND 7", name="per_week_0_7"),
        sa.CheckConstraint("weekday_mask BETWEEN 0 AND 127", name="weekday_mask_0_127"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    per_week: Mapped[int] = mapped_column(sa.SmallInteger)
    weekday_mask: Mapped[int] = mapped_column(sa.SmallInteger)
    """Bit ``n`` set: reminders allowed on ``date.weekday() == n`` (Monday 0)."""
    time_of_day: Mapped[dt.time] = mapped_column(sa.Time)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class CalendarFeedRow(Base):
    """A private calendar subscription address (revision 0006); the token itself is never stored."""

    __tablename__ = "calendar_feeds"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class PlanEditRow(Base):
    __tablename__ = "plan_edits"
    __table_args__ = (sa.Index("ix_plan_edits_patient_at", "patient_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    editor_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    reason: Mapped[str] = mapped_column(sa.Text)
    change: Mapped[object] = mapped_column(Json)
    """A typed plan change written by the codec."""


class InvitationRow(Base):
    """An invitation to join a clinic; ``token_hash`` is the SHA-256 (hex) of the emailed token."""

    __tablename__ = "invitations"
    __table_args__ = (sa.CheckConstraint("purpose IN ('join', 'reset')", name="purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    purpose: Mapped[str] = mapped_column(sa.String(16), server_default="join", default="join")
    """``join`` (a new account) or ``reset`` (a new password for an existing login; revision 0006)."""


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_patient_at", "patient_id", "at"),
        sa.Index("ix_audit_events_clinic_at", "clinic_id", "at"),
        sa.Index("ix_audit_events_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=True)
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, "audit_action"))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[uuid.UUID | None]
    patient_id: Mapped[uuid.UUID | None]
    clinic_id: Mapped[uuid.UUID | None]
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    detail: Mapped[str | None] = mapped_column(sa.Text)
    """What the event needs besides who, what and when: an erasure's reason (revision 0006)."""


class WebSessionRow(Base):
    """A signed-in browser or API client. ``id`` is the SHA-256 (hex) of the cookie token, never the token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[dt.datetime]


class LoginAttemptRow(Base):
    """A failed sign-in, by the key it is limited on (an email or a client address). Pruned as it ages."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(sa.String(400))
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class IntakeDraftRow(Base):
    """A patient's unfinished intake (answers so far), saved at every step so nothing typed is lost."""

    __tablename__ = "intake_drafts"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


metadata = Base.metadata

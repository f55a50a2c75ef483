"""SQL repositories: the storage ports of ``backmech.services.ports`` over SQLAlchemy sessions.

Rows (``tables.py``) never leave this module: every method takes and returns the
plain records of the ports. Reads and writes of patient data take the clinic they
are made for and filter by it in SQL (tenant scoping). Each read or change of a
patient's record appends an audit event in the same transaction (:class:`Auditor`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backmech.services.ports import (
    AuditAction,
    AuditEvent,
    Clinic,
    IntegrityViolation,
    Invitation,
    JsonObject,
    Patient,
    SessionLog,
    User,
    utc_now,
)
from backmech.storage.conversions import (
    audit_event_record,
    clinic_record,
    invitation_record,
    normalise_email,
    patient_record,
    session_log_record,
    user_record,
)
from backmech.storage.prebuilt import (
    AUDIT_EVENT_INSERTS,
    SESSION_LOG_COLUMNS,
    SESSION_LOG_INSERT,
    USER_WITH_PATIENT,
)
from backmech.storage.tables import (
    AuditEventRow,
    ClinicRow,
    InvitationRow,
    PatientRow,
    SessionLogRow,
    UserRow,
)


@contextmanager
def integrity_errors() -> Iterator[None]:
    """Turn the driver's integrity errors into the port's :class:`IntegrityViolation`."""
    try:
        yield
    except IntegrityError as exc:
        raise IntegrityViolation(str(exc.orig)) from exc


def _flush(session: Session) -> None:
    with integrity_errors():
        session.flush()


def _json(value: JsonObject | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


class Auditor:
    """Appends audit events for one actor (a user id, or ``None`` for the system).

    Events wait in memory and are inserted together when the unit of work commits
    (:meth:`write_pending`), in one multi-row INSERT: a page that reads a patient's
    assessments, plan and edits writes its three events in one round trip instead of
    one each (on PostgreSQL, round trips were most of a plan page's time). They are
    still in the same transaction as the reads and changes they record.
    """

    def __init__(self, session: Session, actor_id: UUID | None) -> None:
        self._session = session
        self.actor_id = actor_id
        self._pending: list[dict[str, Any]] = []

    def write_pending(self) -> None:
        """Insert the events recorded since the last call (before a commit or a read of the log)."""
        if self._pending:
            rows, self._pending = self._pending, []
            # One prebuilt statement for up to eight events (see prebuilt._audit_insert).
            for start in range(0, len(rows), len(AUDIT_EVENT_INSERTS)):
                batch = rows[start : start + len(AUDIT_EVENT_INSERTS)]
                parameters = {
                    f"{name}_{n}": value for n, row in enumerate(batch) for name, value in row.items()
                }
                self._session.execute(AUDIT_EVENT_INSERTS[len(batch)], parameters)

    def __call__(
        self,
        action: AuditAction,
        entity: str,
        *,
        clinic_id: UUID,
        patient_id: UUID | None,
        entity_id: UUID | None,
    ) -> None:
        self._pending.append(
            {
                "actor_id": self.actor_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "patient_id": patient_id,
                "clinic_id": clinic_id,
                "at": utc_now(),
            }
        )


class _Repository:
    def __init__(self, session: Session, audit: Auditor) -> None:
        self._session = session
        self._audit = audit

    def _require_patient(self, clinic_id: UUID, patient_id: UUID) -> None:
        """Writes for a patient of another clinic fail as if the patient did not exist."""
        found = self._session.scalar(
            sa.select(PatientRow.id).where(PatientRow.id == patient_id, PatientRow.clinic_id == clinic_id)
        )
        if found is None:
            raise IntegrityViolation(f"patient {patient_id} not found in clinic {clinic_id}")


class SqlClinicRepository(_Repository):
    def add(self, clinic: Clinic) -> Clinic:
        self._session.add(ClinicRow(id=clinic.id, name=clinic.name, created_at=clinic.created_at))
        _flush(self._session)
        return clinic

    def get(self, clinic_id: UUID) -> Clinic | None:
        row = self._session.get(ClinicRow, clinic_id)
        return None if row is None else clinic_record(row)

    def list(self) -> Sequence[Clinic]:
        rows = self._session.scalars(sa.select(ClinicRow).order_by(ClinicRow.name, ClinicRow.id))
        return [clinic_record(row) for row in rows]


class SqlUserRepository(_Repository):
    def add(self, user: User) -> User:
        email = normalise_email(user.email)
        self._session.add(
            UserRow(
                id=user.id,
                email=email,
                password_hash=user.password_hash,
                role=user.role,
                clinic_id=user.clinic_id,
                created_at=user.created_at,
            )
        )
        _flush(self._session)
        return user_record(self._session.get_one(UserRow, user.id))

    def get(self, user_id: UUID) -> User | None:
        row = self._session.get(UserRow, user_id)
        return None if row is None else user_record(row)

    def get_with_patient(self, user_id: UUID) -> tuple[User, Patient | None] | None:
        """The user and, for a patient account, their patient record: one query, not two.

        Every authorisation of a patient's own record asks both (who is acting now,
        and which record is theirs); the patient read is audited as ``patients.for_user`` does.
        """
        found = self._session.execute(USER_WITH_PATIENT, {"user_id": user_id}).first()
        if found is None:
            return None
        user = User(
            id=user_id,
            email=found.email,
            password_hash=found.password_hash,
            role=found.role,
            clinic_id=found.clinic_id,
            created_at=found.created_at,
        )
        if found.patient_id is None:
            return user, None
        patient = Patient(
            id=found.patient_id,
            clinic_id=found.patient_clinic_id,
            user_id=user_id,
            display_name=found.display_name,
            created_at=found.patient_created_at,
        )
        self._audit(
            AuditAction.READ,
            "patient",
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            entity_id=patient.id,
        )
        return user, patient

    def by_email(self, email: str) -> User | None:
        row = self._session.scalar(sa.select(UserRow).where(UserRow.email == normalise_email(email)))
        return None if row is None else user_record(row)

    def for_clinic(self, clinic_id: UUID) -> Sequence[User]:
        rows = self._session.scalars(
            sa.select(UserRow).where(UserRow.clinic_id == clinic_id).order_by(UserRow.email)
        )
        return [user_record(row) for row in rows]

    def update_password_hash(self, user_id: UUID, new_hash: str) -> bool:
        with integrity_errors():
            done = self._session.execute(
                sa.update(UserRow).where(UserRow.id == user_id).values(password_hash=new_hash)
            )
        return bool(getattr(done, "rowcount", 0) == 1)

    def delete(self, user_id: UUID) -> bool:
        """Delete the account; web sessions cascade, links from patients and plan edits become NULL."""
        clinic_id = self._session.scalar(sa.select(UserRow.clinic_id).where(UserRow.id == user_id))
        if clinic_id is None:
            return False
        with integrity_errors():
            self._session.execute(sa.delete(UserRow).where(UserRow.id == user_id))
        self._session.expire_all()
        self._audit(AuditAction.DELETE, "user", clinic_id=clinic_id, patient_id=None, entity_id=user_id)
        return True


class SqlInvitationRepository(_Repository):
    def add(self, invitation: Invitation) -> Invitation:
        self._session.add(
            InvitationRow(
                id=invitation.id,
                clinic_id=invitation.clinic_id,
                email=normalise_email(invitation.email),
                role=invitation.role,
                token_hash=invitation.token_hash,
                invited_by=invitation.invited_by,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                accepted_at=invitation.accepted_at,
                purpose=invitation.purpose,
            )
        )
        _flush(self._session)
        return invitation_record(self._session.get_one(InvitationRow, invitation.id))

    def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        row = self._session.scalar(
            sa.select(InvitationRow)
            .where(InvitationRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        return None if row is None else invitation_record(row)

    def mark_accepted(self, invitation_id: UUID, at: dt.datetime) -> bool:
        """A conditional UPDATE, so of two concurrent acceptances only one changes the row."""
        with integrity_errors():
            done = self._session.execute(
                sa.update(InvitationRow)
                .where(InvitationRow.id == invitation_id, InvitationRow.accepted_at.is_(None))
                .values(accepted_at=at)
                .execution_options(synchronize_session=False)
            )
        return bool(getattr(done, "rowcount", 0) == 1)

    def delete_for_email(self, clinic_id: UUID, email: str) -> int:
        done = self._session.execute(
            sa.delete(InvitationRow).where(
                InvitationRow.clinic_id == clinic_id, InvitationRow.email == normalise_email(email)
            )
        )
        return int(getattr(done, "rowcount", 0) or 0)


class SqlPatientRepository(_Repository):
    def add(self, patient: Patient) -> Patient:
        self._session.add(
            PatientRow(
                id=patient.id,
                clinic_id=patient.clinic_id,
                user_id=patient.user_id,
                display_name=patient.display_name,
                created_at=patient.created_at,
            )
        )
        _flush(self._session)
        self._audit(
            AuditAction.CREATE,
            "patient",
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            entity_id=patient.id,
        )
        return patient

    def get(self, clinic_id: UUID, patient_id: UUID) -> Patient | None:
        row = self._session.scalar(
            sa.select(PatientRow).where(PatientRow.id == patient_id, PatientRow.clinic_id == clinic_id)
        )
        if row is None:
            return None
        self._audit(AuditAction.READ, "patient", clinic_id=clinic_id, patient_id=row.id, entity_id=row.id)
        return patient_record(row)

    def for_clinic(self, clinic_id: UUID) -> Sequence[Patient]:
        rows = self._session.scalars(
            sa.select(PatientRow)
            .where(PatientRow.clinic_id == clinic_id)
            .order_by(PatientRow.display_name, PatientRow.id)
        )
        patients = [patient_record(row) for row in rows]
        # The list shows names only: one event for the list, not one per patient.
        self._audit(AuditAction.READ, "patient", clinic_id=clinic_id, patient_id=None, entity_id=None)
        return patients

    def for_user(self, user_id: UUID) -> Patient | None:
        row = self._session.scalar(sa.select(PatientRow).where(PatientRow.user_id == user_id))
        if row is None:
            return None
        self._audit(AuditAction.READ, "patient", clinic_id=row.clinic_id, patient_id=row.id, entity_id=row.id)
        return patient_record(row)

    def delete(self, clinic_id: UUID, patient_id: UUID) -> bool:
        """Delete a patient and (by cascade) their clinical records; the audit log keeps the event."""
        with integrity_errors():
            deleted = self._session.execute(
                sa.delete(PatientRow).where(PatientRow.id == patient_id, PatientRow.clinic_id == clinic_id)
            )
        if deleted.rowcount == 0:  # type: ignore[attr-defined]
            return False
        self._session.expire_all()
        self._audit(
            AuditAction.DELETE, "patient", clinic_id=clinic_id, patient_id=patient_id, entity_id=patient_id
        )
        return True

    def exists(self, patient_id: UUID) -> bool:
        """Not clinic-scoped and not audited: it answers only whether the id is taken, never with data."""
        return self._session.scalar(sa.select(PatientRow.id).where(PatientRow.id == patient_id)) is not None


class SqlSessionLogRepository(_Repository):
    def add(self, clinic_id: UUID, log: SessionLog) -> SessionLog:
        """Insert once per idempotency key (``ON CONFLICT DO NOTHING``, safe under concurrent retries).

        One statement on the usual path: ``INSERT … SELECT … FROM patients WHERE`` the
        patient is in ``clinic_id``, so the clinic check and the insert are one round
        trip. No row back means a repeat of the key or a patient outside the clinic;
        only then is the stored row looked up to tell which.
        """
        values = {name: getattr(log, name) for name in SESSION_LOG_COLUMNS}
        statement = SESSION_LOG_INSERT[self._session.get_bind().dialect.name]
        with integrity_errors():
            # RETURNING yields our id only if this statement inserted the row.
            inserted = (
                self._session.execute(statement, {**values, "clinic_id": clinic_id}).first() is not None
            )
        if inserted:
            self._audit(
                AuditAction.CREATE,
                "session_log",
                clinic_id=clinic_id,
                patient_id=log.patient_id,
                entity_id=log.id,
            )
            return log
        row = self._session.scalars(
            sa.select(SessionLogRow)
            .where(SessionLogRow.idempotency_key == log.idempotency_key)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            raise IntegrityViolation(f"patient {log.patient_id} not found in clinic {clinic_id}")
        if row.patient_id != log.patient_id:
            raise IntegrityViolation(f"idempotency key {log.idempotency_key!r} was used for another patient")
        return session_log_record(row)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[SessionLog]:
        rows = self._session.scalars(
            sa.select(SessionLogRow)
            .join(PatientRow, PatientRow.id == SessionLogRow.patient_id)
            .where(SessionLogRow.patient_id == patient_id, PatientRow.clinic_id == clinic_id)
            .order_by(SessionLogRow.session_date, SessionLogRow.created_at, SessionLogRow.id)
        )
        found = [session_log_record(row) for row in rows]
        if found:
            self._audit(
                AuditAction.READ, "session_log", clinic_id=clinic_id, patient_id=patient_id, entity_id=None
            )
        return found

    def set_next_morning_pain(self, clinic_id: UUID, log_id: UUID, pain: int) -> SessionLog | None:
        row = self._session.scalar(
            sa.select(SessionLogRow)
            .join(PatientRow, PatientRow.id == SessionLogRow.patient_id)
            .where(SessionLogRow.id == log_id, PatientRow.clinic_id == clinic_id)
        )
        if row is None:
            return None
        row.next_morning_pain = pain
        _flush(self._session)
        self._audit(
            AuditAction.UPDATE,
            "session_log",
            clinic_id=clinic_id,
            patient_id=row.patient_id,
            entity_id=row.id,
        )
        return session_log_record(row)


class SqlAuditLog(_Repository):
    """The audit log itself. Reading it is not audited (it holds no clinical data)."""

    def record(self, event: AuditEvent) -> None:
        self._session.add(
            AuditEventRow(
                actor_id=event.actor_id,
                action=event.action,
                entity=event.entity,
                entity_id=event.entity_id,
                patient_id=event.patient_id,
                clinic_id=event.clinic_id,
                at=event.at,
                detail=event.detail,
            )
        )
        _flush(self._session)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[AuditEvent]:
        return self._events(AuditEventRow.clinic_id == clinic_id, AuditEventRow.patient_id == patient_id)

    def for_clinic(self, clinic_id: UUID) -> Sequence[AuditEvent]:
        return self._events(AuditEventRow.clinic_id == clinic_id)

    def _events(self, *where: sa.ColumnElement[bool]) -> list[AuditEvent]:
        self._audit.write_pending()
        self._session.flush()
        rows = self._session.scalars(sa.select(AuditEventRow).where(*where).order_by(AuditEventRow.id))
        return [audit_event_record(row) for row in rows]

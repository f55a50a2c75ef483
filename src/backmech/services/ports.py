"""Ports: what the use cases need from storage, as Protocols over plain records.

Services depend on these names, never on SQLAlchemy; ``backmech.storage`` is one
adapter that satisfies them (``SqlUnitOfWork``), and tests may hand-write fakes.

Records are frozen dataclasses. Ids are UUIDs made by the caller (``uuid4()`` by
default), so a record has its identity before it reaches a database: an offline
client can retry the same write, and ids in URLs do not reveal how many patients a
clinic has. Timestamps are timezone-aware UTC.

Tenancy: a clinic is a tenant. Every read and write of patient data names the
clinic it is made for (``patients.get(clinic_id, patient_id)``); a record from
another clinic is simply not found (a write to one raises
:class:`IntegrityViolation`), so a route that forgets a check cannot leak across clinics.

Audit: a unit of work is opened for an actor (a user id, or ``None`` for the
system). The storage adapter records an :class:`AuditEvent` for every read or
change of a patient's record, in the same transaction as the change.

Example::

    with uow_factory(actor=clinician.id) as uow:
        patient = uow.patients.get(clinician.clinic_id, patient_id)
        uow.session_logs.add(clinician.clinic_id, SessionLog(patient_id=patient.id, ...))
        uow.commit()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID, uuid4

from backmech.domain.errors import BackmechError
from backmech.domain.plans.edits import PlanChange
from backmech.domain.results.model import AssessmentResult, MovementReport


def utc_now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    """What a user may do; enforced at the web edge, stored with the user."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class AuditAction(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class AnalysisStatus(StrEnum):
    """A movement analysis job's life: queued → running → done | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JsonObject = Mapping[str, object]


class IntegrityViolation(BackmechError):  # noqa: N818 - reads as a noun in ``except IntegrityViolation``
    """A write broke a database rule: a missing referenced record, a duplicate, a range check."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "The change could not be saved because it conflicts with stored records.",
            hint="Check that the referenced clinic, patient or user exists and the value is not a duplicate.",
            detail=detail,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Clinic:
    name: str
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    email: str
    """Stored lower-cased; unique across the installation."""
    password_hash: str
    role: Role
    clinic_id: UUID
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    clinic_id: UUID
    display_name: str
    user_id: UUID | None = None
    """The patient's own login, if they have one."""
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedInUser(User):
    """A user as this request's session lookup read them from storage, with their patient record.

    Authorisations made while serving the same request take the role, clinic and
    patient record from here instead of reading them again (it was the second of a
    plan page's five queries). Only the session lookup makes one; a plain
    :class:`User` from anywhere else is re-read from storage before it is trusted.
    Never keep one beyond the request that resolved it.
    """

    patient: Patient | None = None
    """The patient record of a patient account; ``None`` for staff."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """One stored run of the assessment engine: its input, its result and a few columns to filter on."""

    patient_id: UUID
    intake: JsonObject
    result: AssessmentResult
    triage_level: str
    plan_status: str
    engine_version: str
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True)
class AnalysisProgress:
    """A running analysis: how far it has got (0-1)."""

    fraction: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisFailure:
    """How an analysis failed, in words for the person, and whether sending the file again can help.

    ``retry`` is false when the file itself is the problem (then ``sha256`` identifies it, so
    the same file sent again is answered at once); ``reference`` names a fault on our side
    in the log.
    """

    message: str
    hint: str
    code: str
    retry: bool = True
    sha256: str | None = None
    reference: str | None = None


AnalysisResult = MovementReport | AnalysisFailure | AnalysisProgress
"""What a stored analysis holds: its report when done, its failure, or its progress while running."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementAnalysis:
    patient_id: UUID
    test: str
    media_path: str
    """Relative to the media root (a local folder or an object store prefix)."""
    status: AnalysisStatus = AnalysisStatus.QUEUED
    assessment_id: UUID | None = None
    result: AnalysisResult | None = None
    error: str | None = None
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)
    updated_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionLog:
    """One exercise session as the patient reported it (pain 0-10, effort 0-10)."""

    patient_id: UUID
    session_date: dt.date
    pain_before: int
    pain_after: int
    effort: int
    idempotency_key: str
    """Chosen by the client; sending the same session twice stores it once."""
    next_morning_pain: int | None = None
    pain_during: int | None = None
    """The worst pain during the session: what the pain-monitoring model reads first."""
    kind: str | None = None
    """``routine`` (the short daily routine) or ``full`` (the ~20-minute session); older logs: unknown."""
    notes: str = ""
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckIn:
    """How the person is between assessments (one per day; a later one that day replaces it)."""

    patient_id: UUID
    check_date: dt.date
    flare: bool = False
    """The person says their back has flared up (the Costa 2019 definition is self-reported)."""
    leg_symptoms: bool = False
    """New or spreading leg pain, numbness or weakness."""
    walking_minutes: int | None = None
    notes: str = ""
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSettings:
    """The reminders a person asked for: at most ``per_week`` (0: none), on ``weekdays``, at a time.

    ``weekdays`` uses ``date.weekday()`` numbers (Monday 0 … Sunday 6); ``time_of_day``
    is the person's own clock time (calendar apps show it in the phone's time zone).
    """

    patient_id: UUID
    per_week: int
    weekdays: frozenset[int]
    time_of_day: dt.time
    updated_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFeed:
    """A private calendar subscription address; only the SHA-256 (hex) of its token is stored."""

    patient_id: UUID
    token_hash: str
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanEdit:
    """A clinician's change to a patient's plan, with the reason, kept for the record."""

    patient_id: UUID
    editor_id: UUID | None
    reason: str
    change: PlanChange
    id: UUID = field(default_factory=uuid4)
    at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    """An invitation to join a clinic with a role. Only the SHA-256 (hex) of the token is stored."""

    clinic_id: UUID
    email: str
    role: Role
    token_hash: str
    invited_by: UUID | None
    expires_at: dt.datetime
    accepted_at: dt.datetime | None = None
    purpose: str = "join"
    """``join``: make a new account; ``reset``: set a new password for the existing login of ``email``."""
    id: UUID = field(default_factory=uuid4)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Who read or changed which record. Kept after the record itself is deleted."""

    actor_id: UUID | None
    action: AuditAction
    entity: str
    entity_id: UUID | None
    patient_id: UUID | None
    clinic_id: UUID | None
    at: dt.datetime = field(default_factory=utc_now)
    detail: str | None = None
    """Why, where the action needs a reason on file (an erasure's reason)."""
    id: int | None = None
    """Assigned by the store: a total order of events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSession:
    """A signed-in client. ``id`` is the SHA-256 (hex) of the client's token; the token is not stored."""

    id: str
    user_id: UUID
    csrf_token: str
    expires_at: dt.datetime
    created_at: dt.datetime = field(default_factory=utc_now)
    last_seen_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeDraft:
    """A patient's intake answers so far (the intake document being built), saved at every step."""

    patient_id: UUID
    data: JsonObject
    updated_at: dt.datetime = field(default_factory=utc_now)


class ClinicRepository(Protocol):
    def add(self, clinic: Clinic) -> Clinic: ...
    def get(self, clinic_id: UUID) -> Clinic | None: ...
    def list(self) -> Sequence[Clinic]: ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...
    def get(self, user_id: UUID) -> User | None: ...
    def get_with_patient(self, user_id: UUID) -> tuple[User, Patient | None] | None:
        """The user and their patient record (``None`` for staff); ``None`` if there is no such user."""
        ...

    def by_email(self, email: str) -> User | None: ...
    def for_clinic(self, clinic_id: UUID) -> Sequence[User]: ...
    def update_password_hash(self, user_id: UUID, new_hash: str) -> bool:
        """Replace the stored hash; ``False`` if there is no such user."""
        ...

    def delete(self, user_id: UUID) -> bool:
        """Delete an account (its web sessions go with it); ``False`` if there is no such user."""
        ...


class InvitationRepository(Protocol):
    def add(self, invitation: Invitation) -> Invitation: ...
    def find_by_token_hash(self, token_hash: str) -> Invitation | None: ...
    def mark_accepted(self, invitation_id: UUID, at: dt.datetime) -> bool:
        """Mark accepted if not already; ``False`` if unknown or accepted before (safe under races)."""
        ...

    def delete_for_email(self, clinic_id: UUID, email: str) -> int:
        """Delete the clinic's invitations to ``email`` (they hold the address); how many there were."""
        ...


class PatientRepository(Protocol):
    def add(self, patient: Patient) -> Patient: ...
    def get(self, clinic_id: UUID, patient_id: UUID) -> Patient | None: ...
    def for_clinic(self, clinic_id: UUID) -> Sequence[Patient]: ...
    def for_user(self, user_id: UUID) -> Patient | None: ...
    def delete(self, clinic_id: UUID, patient_id: UUID) -> bool: ...
    def exists(self, patient_id: UUID) -> bool:
        """Whether this id is stored in any clinic (an import must not overwrite or shadow a record)."""
        ...


class AssessmentRepository(Protocol):
    def add(self, clinic_id: UUID, assessment: Assessment) -> Assessment: ...
    def get(self, clinic_id: UUID, assessment_id: UUID) -> Assessment | None: ...
    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Assessment]: ...
    def with_plan_edits(
        self, clinic_id: UUID, patient_id: UUID
    ) -> tuple[Sequence[Assessment], Sequence[PlanEdit]]:
        """The patient's assessments and plan edits, each oldest first, in one read (every patient page)."""
        ...


class MovementAnalysisRepository(Protocol):
    """Movement analyses: clinic-scoped reads for people, and job steps for workers.

    Workers act for the system (no clinic): ``claim``, ``report_progress``, ``finish``
    and ``unfinished`` take the analysis id alone; they return or log the clinic it belongs to.
    """

    def add(self, clinic_id: UUID, analysis: MovementAnalysis) -> MovementAnalysis: ...
    def get(self, clinic_id: UUID, analysis_id: UUID) -> MovementAnalysis | None: ...
    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[MovementAnalysis]:
        """The patient's analyses, oldest first (empty for a patient of another clinic)."""
        ...

    def set_status(
        self,
        analysis_id: UUID,
        status: AnalysisStatus,
        *,
        result: AnalysisResult | None = None,
        error: str | None = None,
    ) -> MovementAnalysis | None: ...
    def claim(self, analysis_id: UUID, *, stale_before: dt.datetime | None = None) -> MovementAnalysis | None:
        """Mark queued as running; ``None`` if done, failed, unknown or running elsewhere.

        A running job counts as abandoned (and is taken over) when it was last updated
        before ``stale_before``; with ``None``, any running job is taken over.
        """
        ...

    def report_progress(self, analysis_id: UUID, progress: AnalysisProgress) -> None:
        """Store a running job's progress in ``result`` (not audited: no one read or changed care data)."""
        ...

    def finish(
        self,
        analysis_id: UUID,
        status: AnalysisStatus,
        *,
        result: AnalysisResult | None,
        error: str | None,
        assessment_id: UUID | None = None,
    ) -> bool:
        """Running → done/failed, once: ``False`` (nothing changed) if it was not running any more."""
        ...

    def unfinished(self) -> Sequence[tuple[UUID, UUID]]:
        """(clinic id, analysis id) of every analysis still queued or running, oldest first."""
        ...


class SessionLogRepository(Protocol):
    def add(self, clinic_id: UUID, log: SessionLog) -> SessionLog:
        """Store once per idempotency key; a repeat returns the stored log unchanged."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[SessionLog]: ...
    def set_next_morning_pain(self, clinic_id: UUID, log_id: UUID, pain: int) -> SessionLog | None: ...


class CheckInRepository(Protocol):
    def save(self, clinic_id: UUID, check_in: CheckIn) -> CheckIn:
        """Store the day's check-in, replacing an earlier one of the same patient and day."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[CheckIn]:
        """The patient's check-ins, oldest first (empty for a patient of another clinic)."""
        ...


class ReminderRepository(Protocol):
    def get(self, clinic_id: UUID, patient_id: UUID) -> ReminderSettings | None:
        """The person's reminder settings; ``None`` when they never chose (no reminders)."""
        ...

    def save(self, clinic_id: UUID, settings: ReminderSettings) -> ReminderSettings: ...


class CalendarFeedRepository(Protocol):
    def get(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None: ...
    def replace(self, clinic_id: UUID, feed: CalendarFeed) -> CalendarFeed:
        """Store the patient's feed, replacing (and so revoking) an earlier address."""
        ...

    def delete(self, clinic_id: UUID, patient_id: UUID) -> None: ...
    def owner(self, token_hash: str) -> Patient | None:
        """The patient whose feed has this token hash (the feed is the credential)."""
        ...


class PlanEditRepository(Protocol):
    def add(self, clinic_id: UUID, edit: PlanEdit) -> PlanEdit: ...
    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[PlanEdit]: ...


class WebSessionRepository(Protocol):
    def add(self, web_session: WebSession) -> WebSession: ...
    def get_with_user(self, session_id: str) -> tuple[WebSession, SignedInUser] | None:
        """The session and its user (with their patient record) in one read."""
        ...

    def touch(self, session_id: str, at: dt.datetime) -> None: ...
    def delete(self, session_id: str) -> None: ...
    def delete_for_user(self, user_id: UUID) -> int: ...
    def delete_expired(self, now: dt.datetime) -> int: ...


class LoginAttemptRepository(Protocol):
    def add_failure(self, key: str, at: dt.datetime) -> None: ...
    def failures_since(self, key: str, since: dt.datetime) -> int: ...
    def clear(self, key: str) -> None: ...
    def prune(self, before: dt.datetime) -> int: ...


class IntakeDraftRepository(Protocol):
    def save(self, clinic_id: UUID, draft: IntakeDraft) -> IntakeDraft: ...
    def get(self, clinic_id: UUID, patient_id: UUID) -> IntakeDraft | None: ...
    def delete(self, clinic_id: UUID, patient_id: UUID) -> None: ...


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...
    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[AuditEvent]: ...
    def for_clinic(self, clinic_id: UUID) -> Sequence[AuditEvent]: ...


class UnitOfWork(Protocol):
    """One transaction. Nothing is saved unless ``commit()`` is called before leaving the block."""

    @property
    def clinics(self) -> ClinicRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def patients(self) -> PatientRepository: ...
    @property
    def assessments(self) -> AssessmentRepository: ...
    @property
    def movement_analyses(self) -> MovementAnalysisRepository: ...
    @property
    def session_logs(self) -> SessionLogRepository: ...
    @property
    def check_ins(self) -> CheckInRepository: ...
    @property
    def reminders(self) -> ReminderRepository: ...
    @property
    def calendar_feeds(self) -> CalendarFeedRepository: ...
    @property
    def plan_edits(self) -> PlanEditRepository: ...
    @property
    def invitations(self) -> InvitationRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def web_sessions(self) -> WebSessionRepository: ...
    @property
    def login_attempts(self) -> LoginAttemptRepository: ...
    @property
    def intake_drafts(self) -> IntakeDraftRepository: ...

    def lock_setup(self) -> None:
        """Hold the installation-wide set-up lock until this transaction ends (call it first)."""
        ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, actor: UUID | None = None, read_only: bool = False) -> UnitOfWork:
        """A unit of work for ``actor``; ``read_only`` promises no writes (no audited reads either)."""
        ...

"""The patient's daily log: what they report after a session, and how they were the next morning.

Why a service: the web form, the API and tests must agree on what a valid log is
(pain and effort are whole numbers 0-10, notes are short, the date is not in the
future) and on who may write one (a patient only for their own record, checked
through :func:`authorise_patient_access`, which also audits the read/write).

Idempotency: the form carries a random token made when it was rendered. The
stored key is ``<kind>:<patient id>:<token>``, so a double submit stores one log,
two patients can never collide, and the kind of session (the short daily routine
or the full session) is kept with the log without a schema change.

Example::

    entry, problems = parse_log(form, today=dt.date.today())
    if entry is not None:
        stored = record_session(uow_factory, user, patient, entry)
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from backmech.domain.errors import BackmechError
from backmech.services.ports import Patient, SessionLog, UnitOfWorkFactory, User
from backmech.services.records import authorise_patient_access

KINDS = ("routine", "full")
"""The short daily routine, or the full session."""
MAX_NOTES = 2000
MAX_DAYS_BACK = 30
"""How far back a session may be logged: a usability limit, not a clinical number."""
SCALE_MIN, SCALE_MAX = 0, 10
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class SessionLogNotFoundError(BackmechError):
    """The log does not exist or is not this patient's (the same answer either way)."""

    def __init__(self) -> None:
        super().__init__(
            "There is no such session in your log.",
            hint="Open your log and choose the session again.",
        )


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A validated session report, ready to store."""

    session_date: dt.date
    pain_before: int
    pain_after: int
    effort: int
    notes: str
    kind: str
    token: str
    pain_during: int | None = None
    """The worst pain during the session (optional: left blank, it is unknown, not zero)."""


def new_token() -> str:
    """The random part of an idempotency key, put in a hidden field when a form is rendered."""
    return secrets.token_urlsafe(16)


def idempotency_key(kind: str, patient_id: UUID, token: str) -> str:
    return f"{kind}:{patient_id.hex}:{token}"


def kind_of(log: SessionLog) -> str:
    """``routine`` or ``full`` for logs made through the form; ``""`` when a client chose its own key."""
    prefix = log.idempotency_key.split(":", 1)[0]
    return prefix if prefix in KINDS else ""


def parse_scale(value: str | None, what: str) -> tuple[int | None, str | None]:
    """A whole number 0-10, or the problem in words."""
    text = (value or "").strip()
    if not text:
        return None, f"{what}: choose a number from {SCALE_MIN} to {SCALE_MAX}."
    try:
        number = int(text)
    except ValueError:
        return None, f"{what}: '{text[:20]}' is not a whole number; choose {SCALE_MIN} to {SCALE_MAX}."
    if not SCALE_MIN <= number <= SCALE_MAX:
        return None, f"{what}: {number} is outside the scale; choose {SCALE_MIN} to {SCALE_MAX}."
    return number, None


def _parse_date(value: str | None, today: dt.date) -> tuple[dt.date | None, str | None]:
    text = (value or "").strip()
    if not text:
        return today, None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, "Date: use the date picker, or write it as YYYY-MM-DD."
    if day > today:
        return None, "Date: a session cannot be logged for a day that has not come yet."
    if (today - day).days > MAX_DAYS_BACK:
        return None, f"Date: you can log sessions from the last {MAX_DAYS_BACK} days only."
    return day, None


def parse_log(form: Mapping[str, str], today: dt.date) -> tuple[LogEntry | None, list[str]]:
    """Check a submitted log form; the entry, or every problem found (all at once, in form order)."""
    problems: list[str] = []
    day, problem = _parse_date(form.get("session_date"), today)
    if problem:
        problems.append(problem)
    numbers: dict[str, int] = {}
    for field, what in (
        ("pain_before", "Pain before"),
        ("pain_after", "Pain after"),
        ("effort", "Effort"),
    ):
        number, problem = parse_scale(form.get(field), what)
        if problem:
            problems.append(problem)
        elif number is not None:
            numbers[field] = number
    pain_during: int | None = None
    if (form.get("pain_during") or "").strip():
        pain_during, problem = parse_scale(form.get("pain_during"), "Worst pain during")
        if problem:
            problems.append(problem)
    notes = (form.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        problems.append(f"Notes: please keep notes to {MAX_NOTES} characters (you wrote {len(notes)}).")
    kind = (form.get("kind") or "").strip()
    if kind not in KINDS:
        problems.append("Session: choose the daily routine or the full session.")
    token = (form.get("idempotency_key") or "").strip()
    if not _TOKEN.match(token):
        token = new_token()
    if problems or day is None:
        return None, problems
    return (
        LogEntry(
            session_date=day,
            pain_before=numbers["pain_before"],
            pain_after=numbers["pain_after"],
            effort=numbers["effort"],
            notes=notes,
            kind=kind,
            token=token,
            pain_during=pain_during,
        ),
        [],
    )


def record_session(
    uow_factory: UnitOfWorkFactory, actor: User, patient: Patient, entry: LogEntry
) -> SessionLog:
    """Store the session once per form (a repeat returns the stored log unchanged)."""
    return store_log(
        uow_factory,
        actor,
        patient,
        SessionLog(
            patient_id=patient.id,
            session_date=entry.session_date,
            pain_before=entry.pain_before,
            pain_after=entry.pain_after,
            pain_during=entry.pain_during,
            kind=entry.kind,
            effort=entry.effort,
            notes=entry.notes,
            idempotency_key=idempotency_key(entry.kind, patient.id, entry.token),
        ),
    )


def store_log(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient, log: SessionLog) -> SessionLog:
    """Store ``log`` for an authorised actor; a repeat of its idempotency key returns the stored log.

    The pages and the API both log sessions through here (they differ only in how the
    key is made); compare the returned id with ``log.id`` to tell a repeat.
    """
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "logging a session")
        stored = uow.session_logs.add(patient.clinic_id, log)
        uow.commit()
    return stored


def patient_logs(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> Sequence[SessionLog]:
    """The patient's logs, oldest first."""
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "reading the session log")
        found = uow.session_logs.for_patient(patient.clinic_id, patient.id)
        uow.commit()  # keep the audit events of the read
    return found


def record_morning_pain(
    uow_factory: UnitOfWorkFactory, actor: User, patient: Patient, log_id: UUID, pain: int
) -> SessionLog:
    """Set how the back was the morning after a session, on one of this patient's own logs."""
    if not SCALE_MIN <= pain <= SCALE_MAX:
        raise ValueError(f"pain must be {SCALE_MIN}-{SCALE_MAX}")
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "updating the session log")
        # The repository scopes by clinic only; make sure the log is this patient's.
        own = {log.id for log in uow.session_logs.for_patient(patient.clinic_id, patient.id)}
        if log_id not in own:
            raise SessionLogNotFoundError
        updated = uow.session_logs.set_next_morning_pain(patient.clinic_id, log_id, pain)
        if updated is None:
            raise SessionLogNotFoundError
        uow.commit()
    return updated

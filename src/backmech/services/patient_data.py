"""A person's data: one full export, an import that loses nothing, and complete erasure.

Why these three belong together: a person may ask for a copy of everything held
about them, to have it moved to another clinic or installation, and to have it
erased. All three work on the same definition of "this person's data"
(:class:`~backmech.services.patient_record.PatientRecord`, plus the two things a
record page never shows: the unfinished intake draft and the login account).

* :func:`export_patient` writes one versioned JSON document (``format`` and
  ``version`` first) with every field of every record, ids and timestamps included,
  so that an import can restore it exactly. Movement videos are listed by path, not
  embedded (they are large and live under the media root); the password hash is left
  out (a credential, not the person's data).
* :func:`import_patient` puts such a document back, into the importing clinic, in
  one transaction: all of it or nothing. It never overwrites: a patient id (or login,
  or record id) already stored is refused.
* :func:`erase_patient` deletes the patient and everything about them, the login
  and its sessions included, for a clinician or administrator of their clinic. The
  audit trail keeps its events (they hold ids, never clinical content) and gains one
  for the erasure: who erased whom and when must stay answerable.

Example::

    document = export_patient(uow_factory, clinician, patient_id, clinic_id)
    receipt = erase_patient(uow_factory, clinician, patient_id, clinic_id, reason="patient's request")
    restored = import_patient(uow_factory, clinician, clinic_id, document)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TypeVar
from uuid import UUID

from backmech import __version__
from backmech.domain.errors import BackmechError
from backmech.services.accounts import AuthorisationError, require_staff
from backmech.services.care_plan import CurrentPlan, current_from
from backmech.services.codec import DocumentError, analysis_json, decode, dumps, loads, to_json_object
from backmech.services.patient_record import PatientRecord, read_patient_record
from backmech.services.ports import (
    Assessment,
    CheckIn,
    Clinic,
    IntakeDraft,
    IntegrityViolation,
    MovementAnalysis,
    Patient,
    PlanEdit,
    ReminderSettings,
    Role,
    SessionLog,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
    utc_now,
)
from backmech.services.records import authorise_patient_access

FORMAT = "backmech-patient-export"
VERSION = 1
"""Raised when a field changes meaning or goes; an importer refuses versions newer than its own."""

NO_PASSWORD = "!imported: no password; the clinic must set up sign-in again"
"""The password hash of an imported login: not an Argon2 hash, so no password ever matches it."""

VIDEOS_NOTE = (
    "Movement videos are not embedded: each analysis lists its video's media_path, relative to the "
    "installation's media folder. Copy those files alongside this export if the videos are wanted."
)
ACCOUNT_NOTE = "The login's password hash is not exported; after an import the clinic sets up sign-in again."

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
"""Years of logs and a few dozen assessments are a few megabytes; far more is a wrong file."""

STAFF = (Role.CLINICIAN, Role.ADMIN)


class ExportDocumentError(BackmechError):
    """An import document is not one this version can read (names where and what was wrong)."""

    def __init__(self, where: str, problem: str, *, hint: str = "") -> None:
        super().__init__(
            f"The file is not a backmech patient export this installation can import: {where}: {problem}.",
            hint=hint
            or f"Import a file written by `backmech export` ({FORMAT}, version {VERSION} or older).",
        )
        self.where = where
        self.problem = problem


class AlreadyStoredError(BackmechError):
    """An import would overwrite or duplicate stored data; nothing was written."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} is already stored in this installation; an import never overwrites. Nothing was saved.",
            hint="If the stored record is the one to replace, erase it first (`backmech erase`), "
            "then import again; otherwise keep the stored record.",
        )


@dataclasses.dataclass(frozen=True, slots=True)
class PatientExport:
    """Everything stored about one patient, as exported: the record, their login and their intake draft."""

    record: PatientRecord
    account: User | None
    """The patient's login; its password hash is never written to a document."""
    intake_draft: IntakeDraft | None


# --- export ------------------------------------------------------------------------------


def read_export(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID
) -> PatientExport:
    """The patient's record with their login and intake draft, for an actor allowed to read the record."""
    record = read_patient_record(uow_factory, actor, patient_id, clinic_id)
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, "exporting this patient's data")
        user_id = record.patient.user_id
        account = uow.users.get(user_id) if user_id is not None else None
        draft = uow.intake_drafts.get(clinic_id, patient_id)
        uow.commit()  # keep the audit events of the reads
    return PatientExport(record=record, account=account, intake_draft=draft)


def export_document(export: PatientExport) -> bytes:
    """The export as one JSON document (UTF-8, indented): ``format`` and ``version`` come first.

    Every record is written by the codec, field by field (its dataclass decides the fields,
    so none is missed); a movement analysis's result in the shape it is stored in.
    """
    record = export.record
    account = None
    if export.account is not None:
        account = {k: v for k, v in to_json_object(export.account).items() if k != "password_hash"}
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_now().isoformat(),
        "backmech_version": __version__,
        "notes": [VIDEOS_NOTE, ACCOUNT_NOTE],
        "clinic": record.clinic,
        "patient": record.patient,
        "account": account,
        "assessments": record.assessments,
        "movement_analyses": [
            {**to_json_object(item), "result": analysis_json(item.result)}
            for item in record.movement_analyses
        ],
        "session_logs": record.session_logs,
        "plan_edits": record.plan_edits,
        "check_ins": record.check_ins,
        "reminders": record.reminders,
        "intake_draft": export.intake_draft,
        "media_paths": [item.media_path for item in record.movement_analyses],
    }
    return dumps(document, indent=True) + b"\n"


def export_patient(uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID) -> bytes:
    """Everything stored about the patient as one JSON document (see :func:`export_document`)."""
    return export_document(read_export(uow_factory, actor, patient_id, clinic_id))


def plan_of(record: PatientRecord) -> CurrentPlan | None:
    """The plan the patient follows now, as the plan pages show it (the latest, with edits replayed).

    ``None`` before any plan, and when the newest assessment withheld it (a red flag):
    exports must not hand out a plan the pages would not show.
    """
    return current_from(record.assessments, record.plan_edits)


# --- import ------------------------------------------------------------------------------


def import_patient(uow_factory: UnitOfWorkFactory, actor: User, clinic_id: UUID, document: bytes) -> Patient:
    """Store an exported patient in ``clinic_id``, all or nothing; refuse anything already stored.

    The patient, their login and every record keep their ids and timestamps, so an
    export, erasure and import restore the record exactly. A plan edit's editor who
    is not a member of this clinic here (another installation) is kept as unknown
    (``editor_id`` None); the export file still names them.
    """
    parsed = parse_document(document)
    action = "importing a patient's data"
    with uow_factory(actor=actor.id) as uow:
        require_staff(uow, actor, clinic_id, action)
        patient = dataclasses.replace(parsed.record.patient, clinic_id=clinic_id)
        if uow.patients.exists(patient.id):
            raise AlreadyStoredError(f"Patient {patient.id}")
        try:
            if parsed.account is not None:
                _add_account(uow, dataclasses.replace(parsed.account, clinic_id=clinic_id))
            uow.patients.add(patient)
            for assessment in parsed.record.assessments:
                uow.assessments.add(clinic_id, assessment)
            for analysis in parsed.record.movement_analyses:
                uow.movement_analyses.add(clinic_id, analysis)
            for log in parsed.record.session_logs:
                uow.session_logs.add(clinic_id, log)
            for edit in parsed.record.plan_edits:
                uow.plan_edits.add(clinic_id, _with_known_editor(uow, edit, clinic_id))
            for check_in in parsed.record.check_ins:
                uow.check_ins.save(clinic_id, check_in)
            if parsed.record.reminders is not None:
                uow.reminders.save(clinic_id, parsed.record.reminders)
            if parsed.intake_draft is not None:
                uow.intake_drafts.save(clinic_id, parsed.intake_draft)
            uow.commit()
        except IntegrityViolation as clash:
            raise BackmechError(
                "The export could not be stored: one of its records clashes with a stored one "
                "(the same id or session key) or breaks a database rule. Nothing was saved.",
                hint="Import each export once; if the file was edited by hand, use the original.",
                detail=clash.detail,
            ) from clash
    return patient


def _add_account(uow: UnitOfWork, account: User) -> None:
    if uow.users.get(account.id) is not None:
        raise AlreadyStoredError(f"The login account {account.id}")
    if uow.users.by_email(account.email) is not None:
        raise AlreadyStoredError(f"A login with the email {account.email}")
    uow.users.add(account)


def _with_known_editor(uow: UnitOfWork, edit: PlanEdit, clinic_id: UUID) -> PlanEdit:
    if edit.editor_id is None:
        return edit
    editor = uow.users.get(edit.editor_id)
    if editor is not None and editor.clinic_id == clinic_id:
        return edit
    return dataclasses.replace(edit, editor_id=None)


def parse_document(document: bytes) -> PatientExport:
    """Decode and check an export document completely, before anything is written.

    Refuses (with :class:`ExportDocumentError`) anything that is not JSON, not this
    format, a newer version, missing or mistyped fields, unknown fields (an import
    must not drop what it does not understand), records of another patient, and
    repeated ids or session keys.
    """
    if len(document) > MAX_DOCUMENT_BYTES:
        raise ExportDocumentError("file", f"it is {len(document)} bytes, more than any export")
    try:
        data = loads(document)
    except DocumentError as exc:
        raise ExportDocumentError(
            "file", f"it is not complete JSON ({exc.problem}); it may be truncated or damaged"
        ) from exc
    if not isinstance(data, dict):
        raise ExportDocumentError("file", "it is not a JSON object")
    _check_format(data)
    known = {
        "format", "version", "exported_at", "backmech_version", "notes", "clinic", "patient", "account",
        "assessments", "movement_analyses", "session_logs", "plan_edits", "check_ins", "intake_draft",
        "media_paths", "reminders",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise ExportDocumentError(unknown[0], "is not a field of a version 1 export")
    patient = _decode(Patient, data.get("patient"), "patient")
    account = _decode_account(data.get("account"), patient)
    assessments = _decode_list(Assessment, data, "assessments", patient.id)
    analyses = _decode_list(MovementAnalysis, data, "movement_analyses", patient.id)
    logs = _decode_list(SessionLog, data, "session_logs", patient.id)
    edits = _decode_list(PlanEdit, data, "plan_edits", patient.id)
    # Optional: exports made before check-ins existed (still version 1) have none.
    check_ins = _decode_list(CheckIn, data, "check_ins", patient.id) if "check_ins" in data else []
    reminders = None
    if data.get("reminders") is not None:  # optional: older version 1 exports have none
        reminders = _decode(ReminderSettings, data["reminders"], "reminders")
        _check_owner(reminders.patient_id, patient.id, "reminders")
    draft = None
    if data.get("intake_draft") is not None:
        draft = _decode(IntakeDraft, data["intake_draft"], "intake_draft")
        _check_owner(draft.patient_id, patient.id, "intake_draft")
    _check_links(assessments, analyses, logs, edits)
    clinic_data = data.get("clinic")
    if not isinstance(clinic_data, dict):
        raise ExportDocumentError("clinic", "is missing")
    clinic = _decode(Clinic, clinic_data, "clinic")
    record = PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=assessments,
        movement_analyses=analyses,
        session_logs=logs,
        plan_edits=edits,
        check_ins=check_ins,
        reminders=reminders,
    )
    return PatientExport(record=record, account=account, intake_draft=draft)


def _check_format(data: Mapping[str, object]) -> None:
    kind = data.get("format")
    if kind != FORMAT:
        raise ExportDocumentError(
            "format",
            f"is {kind!r}, not {FORMAT!r}: this is not a backmech patient export",
            hint="Use the JSON file written by `backmech export PATIENT_ID --out FILE`.",
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportDocumentError("version", f"{version!r} is not a version number")
    if version > VERSION:
        raise ExportDocumentError(
            "version",
            f"the export is version {version}, newer than this installation reads (up to {VERSION})",
            hint="Upgrade backmech on this installation to the version that wrote the export, then import.",
        )


def _decode_account(value: object, patient: Patient) -> User | None:
    if value is None:
        if patient.user_id is not None:
            raise ExportDocumentError("account", "is missing, but the patient has a login (patient.user_id)")
        return None
    if not isinstance(value, dict):
        raise ExportDocumentError("account", "is not an object")
    account = _decode(User, {**value, "password_hash": NO_PASSWORD}, "account")
    if account.id != patient.user_id:
        raise ExportDocumentError("account.id", "is not the patient's login (patient.user_id)")
    if account.role != Role.PATIENT:
        raise ExportDocumentError("account.role", f"is {account.role!s}; only a patient's login is imported")
    return account


def _decode_list(kind: type[R], data: Mapping[str, object], key: str, patient_id: UUID) -> list[R]:
    items = data.get(key)
    if not isinstance(items, list):
        raise ExportDocumentError(key, "is missing or not a list")
    decoded = [_decode(kind, item, f"{key}[{n}]") for n, item in enumerate(items)]
    for n, item in enumerate(decoded):
        _check_owner(getattr(item, "patient_id", None), patient_id, f"{key}[{n}].patient_id")
    return decoded


def _check_owner(owner: object, patient_id: UUID, where: str) -> None:
    if owner != patient_id:
        raise ExportDocumentError(where, "belongs to another patient than the export's")


def _check_links(
    assessments: Sequence[Assessment],
    analyses: Sequence[MovementAnalysis],
    logs: Sequence[SessionLog],
    edits: Sequence[PlanEdit],
) -> None:
    """Ids are unique and an analysis's assessment is in the export (else records would be lost)."""
    ids: set[UUID] = set()
    for where, record_id in [
        *(("assessments", a.id) for a in assessments),
        *(("movement_analyses", m.id) for m in analyses),
        *(("session_logs", s.id) for s in logs),
        *(("plan_edits", e.id) for e in edits),
    ]:
        if record_id in ids:
            raise ExportDocumentError(where, f"the id {record_id} appears twice")
        ids.add(record_id)
    for n, log in enumerate(logs):
        for name in ("pain_before", "pain_during", "pain_after", "next_morning_pain", "effort"):
            value = getattr(log, name)
            if value is not None and not 0 <= value <= 10:
                raise ExportDocumentError(f"session_logs[{n}].{name}", f"{value} is outside 0-10")
        if log.kind not in (None, "routine", "full"):
            raise ExportDocumentError(f"session_logs[{n}].kind", f"{log.kind!r} is not routine or full")
    keys = [log.idempotency_key for log in logs]
    if len(set(keys)) != len(keys):
        raise ExportDocumentError("session_logs", "two logs share an idempotency_key")
    assessment_ids = {a.id for a in assessments}
    for n, analysis in enumerate(analyses):
        if analysis.assessment_id is not None and analysis.assessment_id not in assessment_ids:
            raise ExportDocumentError(
                f"movement_analyses[{n}].assessment_id", "names an assessment that is not in the export"
            )


R = TypeVar("R")


def _decode(kind: type[R], value: object, where: str) -> R:
    """A record from its JSON object, every field checked against the record's types (the codec's)."""
    if not isinstance(value, dict):
        raise ExportDocumentError(where, "is missing or not an object")
    try:
        return decode(kind, value, where, strict=True)
    except DocumentError as exc:
        raise ExportDocumentError(exc.path, exc.problem) from None


# --- who may ---------------------------------------------------------------------------


def staff_account(uow_factory: UnitOfWorkFactory, email: str) -> User:
    """The clinician or administrator with this email (the command line acts as a named person)."""
    with uow_factory(actor=None) as uow:
        user = uow.users.by_email(email)
    if user is None:
        raise BackmechError(
            f"No account has the email {email!r}.",
            hint="Give the email of an administrator or clinician of the patient's clinic (--as EMAIL).",
        )
    if user.role not in STAFF:
        raise AuthorisationError(
            "acting from the command line", reason="Only a clinician or an administrator may do this."
        )
    return user

"""Erasing a person on request: everything about them goes, the audit trail stays.

Why a module of its own: erasure is final and has its own rules (staff only, a
reason on file, video files returned for the caller to delete), apart from export
and import (``patient_data``), which it must agree with on what "this person's
data" is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from uuid import UUID

from backmech.domain.errors import BackmechError
from backmech.services.accounts import require_staff
from backmech.services.analysis_jobs import overlay_path
from backmech.services.ports import AuditAction, AuditEvent, Role, UnitOfWorkFactory, User, utc_now
from backmech.services.records import PatientNotFoundError


@dataclasses.dataclass(frozen=True, slots=True)
class ErasureReceipt:
    """What an erasure removed, for the person's confirmation and the clinic's files."""

    patient_id: UUID
    clinic_id: UUID
    erased_by: UUID
    erased_at: dt.datetime
    reason: str
    assessments: int
    movement_analyses: int
    session_logs: int
    plan_edits: int
    check_ins: int
    intake_drafts: int
    accounts: int
    web_sessions: int
    invitations: int
    media_paths: tuple[str, ...]
    """Videos and overlays, relative to the media folder: the database forgets, the caller deletes them."""


def erase_patient(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID, reason: str
) -> ErasureReceipt:
    """Delete the patient and everything about them, in one transaction; keep the audit trail.

    Staff only: an administrator or clinician of the patient's clinic erases on the
    person's request (a patient cannot erase their own record here: erasure is
    final, and the clinic must confirm what it may have to keep by law first).
    Removed: assessments, movement analyses (their video paths are returned for the
    caller to delete the files), session logs, plan edits, the intake draft, the
    patient's login with its web sessions, and the clinic's invitations to that login's
    email. Kept: the audit log, plus one event for the erasure itself.
    """
    reason = reason.strip()
    if not reason:
        raise BackmechError(
            "An erasure needs a reason.", hint='Say why, e.g. "the patient\'s request of 2026-05-01".'
        )
    action = "erasing this patient's data"
    with uow_factory(actor=actor.id) as uow:
        who = require_staff(uow, actor, clinic_id, action)
        patient = uow.patients.get(clinic_id, patient_id)
        if patient is None:
            raise PatientNotFoundError(patient_id)
        assessments, edits = uow.assessments.with_plan_edits(clinic_id, patient_id)
        analyses = uow.movement_analyses.for_patient(clinic_id, patient_id)
        logs = uow.session_logs.for_patient(clinic_id, patient_id)
        check_ins = uow.check_ins.for_patient(clinic_id, patient_id)
        drafts = 0 if uow.intake_drafts.get(clinic_id, patient_id) is None else 1
        accounts = web_sessions = invitations = 0
        account = uow.users.get(patient.user_id) if patient.user_id is not None else None
        if not uow.patients.delete(clinic_id, patient_id):  # cascades to every clinical record
            raise PatientNotFoundError(patient_id)
        if account is not None and account.role == Role.PATIENT and account.clinic_id == clinic_id:
            web_sessions = uow.web_sessions.delete_for_user(account.id)
            invitations = uow.invitations.delete_for_email(clinic_id, account.email)
            accounts = 1 if uow.users.delete(account.id) else 0
        erased_at = utc_now()
        uow.audit.record(
            AuditEvent(
                actor_id=who.id,
                action=AuditAction.DELETE,
                entity="patient_erasure",
                entity_id=patient_id,
                patient_id=patient_id,
                clinic_id=clinic_id,
                at=erased_at,
                detail=f"Erased on request. Reason given: {reason}",
            )
        )
        uow.commit()
    return ErasureReceipt(
        patient_id=patient_id,
        clinic_id=clinic_id,
        erased_by=who.id,
        erased_at=erased_at,
        reason=reason,
        assessments=len(assessments),
        movement_analyses=len(analyses),
        session_logs=len(logs),
        plan_edits=len(edits),
        check_ins=len(check_ins),
        intake_drafts=drafts,
        accounts=accounts,
        web_sessions=web_sessions,
        invitations=invitations,
        media_paths=tuple(path for item in analyses for path in (item.media_path, overlay_path(item))),
    )
